"""Search hits, snippets and the result set object returned by ``Archive.search``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas

    from cablegram.archive.facets import Facets
    from cablegram.archive.query import Plan
    from cablegram.archive.store import SQLiteStore
    from cablegram.model import Cable

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


def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
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
    pattern = _term_pattern(terms)
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
    """A query's matches: a page of ``hits``, the exact ``total`` (counted on
    first use), ``facets()``, and streaming access to every match
    (``dicts()``, ``cables()``, ``to_pandas()``)."""

    def __init__(
        self, store: SQLiteStore, plan: Plan, query: str, *, sort: str, limit: int, offset: int
    ) -> None:
        self.store = store
        self.plan = plan
        self.query = query
        self.sort = sort
        self._total: int | None = None
        # Relevance over a broad match set ranks a bounded candidate set
        # (store.RANK_EXACT); the total, counted first, decides.
        total = self.total if sort == "rank" and plan.match is not None and limit else None
        self.approximate_rank = total is not None and store.bounded_ranking(plan, sort, total)
        self.hits = (
            store.search(plan, sort=sort, limit=limit, offset=offset, total=total) if limit else []
        )

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = self.store.count(self.plan)
        return self._total

    def facets(self, size: int = 10) -> Facets:
        """Counts by tag, origin, classification, caption, year, month (see facets.py)."""
        return self.store.facets(self.plan, size=size, total=self.total)

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
        """Every match as a DataFrame of flat columns (lists joined by spaces)."""
        import pandas as pd

        from cablegram.archive.export import flat_row

        return pd.DataFrame([flat_row(d) for d in self.dicts()])
