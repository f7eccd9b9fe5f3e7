"""Search hits, snippets and the result set object returned by ``Archive.search``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from cablegram.archive.broad import Measure

if TYPE_CHECKING:
    import pandas

    from cablegram.archive.facets import Facets
    from cablegram.archive.query import Plan
    from cablegram.archive.store import SQLiteStore
    from cablegram.model import Cable

SORTABLE = 2_000  # a field-only result this small is sorted rather than walked by date
MARK_OPEN, MARK_CLOSE = "«", "»"  # highlight markers in snippets (CLI styles them)


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    created: str | None
    classification: str | None
    origin: str | None
    subject: str | None
    snippet: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
        store: SQLiteStore,
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
        ranked = sort == "rank" and plan.match is not None and limit > 0
        # A broad result's relevance page comes from its sample (broad.py).
        self.approximate_rank = ranked and self.measure.sample
        if self.approximate_rank:
            rowids = self.measure.rowids or ()
            self.hits = store.sample_page(plan, rowids, limit=limit, offset=offset)
        elif ranked and self._narrow_known() and store.ranked_known(plan):
            # Narrow, matches known: rank them inside FTS5, join only the page.
            rowids = self.measure.rowids or ()
            self.hits = store.known_ranked_page(plan, rowids, limit=limit, offset=offset)
        elif plan.match is None and limit > 0 and self._few_known():
            # Fields only, few matches: sorting them beats walking the date
            # index past every row that fails the filter (many rows pass: walk).
            rowids = self.measure.rowids or ()
            self.hits = store.rowid_page(plan, rowids, sort=sort, limit=limit, offset=offset)
        else:
            self.hits = store.search(plan, sort=sort, limit=limit, offset=offset) if limit else []

    def _narrow_known(self) -> bool:
        return self.measure.rowids is not None and not self.measure.sample

    def _few_known(self) -> bool:
        rowids = self.measure.rowids
        return rowids is not None and len(rowids) < SORTABLE

    @property
    def measure(self) -> Measure:
        if self._measure is None:
            if self._exact:
                self._measure = Measure(self.store.count(self.plan), True)
            else:
                self._measure = self.store.measure(self.plan)
        return self._measure

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
