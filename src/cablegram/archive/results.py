"""Search hits, snippets and the result set object returned by ``Archive.search``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from cablegram.archive.broad import Measure
from cablegram.archive.store import Hit

if TYPE_CHECKING:
    import pandas

    from cablegram.archive.facets import Facets
    from cablegram.archive.store import Store
    from cablegram.archive.tree import Plan
    from cablegram.model import Cable

__all__ = ["Hit", "SearchResult", "snippet", "term_pattern"]
MARK_OPEN, MARK_CLOSE = "«", "»"  # highlight markers in snippets (CLI styles them)


def term_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    alts = []
    for term in terms:
        words = re.findall(r"\w+", term)
        if words:
            alts.append(r"\b" + r"\W+".join(re.escape(w) for w in words))
    if not alts:
        return None
    return re.compile("|".join(sorted(alts, key=len, reverse=True)), re.IGNORECASE)


def snippet(text: str, terms: tuple[str, ...], width: int = 220) -> str:
    """A window of ``text`` around the first match of ``terms``, matches marked «»."""
    flat = " ".join(text.split())
    pattern = term_pattern(terms)
    first = pattern.search(flat) if pattern else None
    if first is None:
        return flat[:width] + ("…" if len(flat) > width else "")
    start = max(0, first.start() - width // 3)
    if start:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else start
    end = min(len(flat), start + width)
    window = flat[start:end]
    assert pattern is not None
    marked = pattern.sub(lambda m: f"{MARK_OPEN}{m.group(0)}{MARK_CLOSE}", window)
    return ("…" if start else "") + marked + ("…" if end < len(flat) else "")


class SearchResult:
    """A query's matches: a page of ``hits``, the ``total`` (exact, or for a
    broad text query estimated from a sample: ``total_exact``; see broad.py),
    ``facets()``, ``exact_total()``, and streaming access to every match
    (``dicts()``, ``cables()``, ``to_pandas()``).

    ``exact=True`` counts every match up front (and never ranks a sample)."""

    def __init__(
        self,
        store: Store,
        plan: Plan,
        query: str,
        *,
        sort: str,
        limit: int,
        offset: int,
        exact: bool = False,
    ) -> None:
        self.store = store
        self.plan = plan
        self.query = query
        self.sort = sort
        self.limit = limit
        self.offset = offset
        self._exact = exact
        self._measure: Measure | None = None
        self.hits: list[Hit] = []
        self.approximate_rank = False
        if limit > 0:
            page = store.page(plan, self.measure, sort=sort, limit=limit, offset=offset)
            self.hits, self.approximate_rank = page.hits, page.approximate_rank

    @property
    def measure(self) -> Measure:
        if self._measure is None:
            if self._exact:
                self._measure = Measure(self.store.count(self.plan), True)
            else:
                self._measure = self.store.measure(self.plan)
        return self._measure

    @property
    def notices(self) -> list[str]:
        """Why the query may have found nothing (empty unless it found nothing)."""
        from cablegram.archive.fields import notices

        return notices(self.plan.tree) if self.total == 0 else []

    @property
    def total(self) -> int:
        """Matches: exact when ``total_exact``, else estimated (within a few percent)."""
        return self.measure.total

    @property
    def total_exact(self) -> bool:
        return self.measure.exact

    def exact_total(self) -> int:
        """Every match counted (costly for a query matching most of a large archive)."""
        return self.total if self.total_exact else self.store.count(self.plan)

    @property
    def pageable(self) -> int:
        """Matches reachable by paging in this order: all of them, or for a
        sample-ranked broad result, the sample."""
        return len(self.measure.rowids or ()) if self.approximate_rank else self.total

    def facets(self, size: int = 10) -> Facets:
        """Counts by tag, origin, classification, caption, year, month (see facets.py)."""
        return self.store.facets(self.plan, size=size, measure=self.measure)

    def to_dict(self, *, facets: bool = False, facet_size: int = 10) -> dict[str, Any]:
        """The search document: the one JSON form of a result, printed by
        ``cablegram search --json`` and answered by ``GET /api/search``.
        ``facets`` adds the counts over every match (else ``"facets": null``)."""
        counts = self.facets(size=facet_size).to_dict() if facets else None
        return {
            "query": self.query, "sort": self.sort, "offset": self.offset, "limit": self.limit,
            "total": self.total, "total_exact": self.total_exact, "pageable": self.pageable,
            "approximate_rank": self.approximate_rank,
            "hits": [h.to_dict() for h in self.hits], "facets": counts,
        }  # fmt: skip

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def dicts(self) -> Iterator[dict[str, Any]]:
        """Schema JSON of every match (not only this page), streamed in the result's order."""
        return self.store.iter_matches(self.plan, sort=self.sort)

    def cables(self) -> Iterator[Cable]:
        from cablegram.model import from_dict

        return (from_dict(d) for d in self.dicts())

    def to_pandas(self) -> pandas.DataFrame:
        """Every match as a DataFrame of flat columns (lists joined by spaces;
        ``created`` a UTC timestamp, as in Parquet exports)."""
        import pandas as pd

        from cablegram.archive.export import FLAT_COLUMNS, created_timestamp, flat_row

        rows = [flat_row(d) for d in self.dicts()]
        for row in rows:
            row["created"] = created_timestamp(row["created"])
        frame = pd.DataFrame(rows, columns=list(FLAT_COLUMNS))
        frame["created"] = pd.to_datetime(frame["created"], utc=True)
        return frame
