"""Facet counts for any result set: tag, origin, classification, caption, year, month.

A backend reads, for every match (or an evenly spread sample of them), the
faceted values of its narrow cable row — origin, classification, month, and
the tags and captions as lists — and :func:`count_rows` counts them.  Up to
``EXACT_LIMIT`` matches the counts are exact; above it they are computed on
an evenly spread sample of about ``EXACT_LIMIT`` matches and scaled, and the
result says ``approximate`` - so facets stay affordable beside every search
even when a query matches most of a 250,000-cable archive.  A broad text
query's sample comes from broad.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter

FACETS = ("tag", "origin", "classification", "caption", "year", "month")
EXACT_LIMIT = 2_500
UNKNOWN = "(unknown)"


@dataclass(slots=True)
class Facets:
    """``counts[facet] = [(value, count), ...]``; ``month`` is the full date histogram."""

    total: int
    approximate: bool = False
    counts: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> list[tuple[str, int]]:
        return self.counts[name]

    def items(self):  # type: ignore[no-untyped-def]
        return self.counts.items()

    def to_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "approximate": self.approximate,
            **{k: [[v, n] for v, n in vs] for k, vs in self.counts.items()},
        }


def _known(counter: Counter[str | None]) -> Counter[str]:
    """The counter with ``None`` (no value) counted as UNKNOWN."""
    missing = counter.pop(None, 0)
    if missing:
        counter[UNKNOWN] += missing
    return counter  # type: ignore[return-value]


def sample_step(matches: int) -> int:
    """Keep every ``step``-th of ``matches`` so that about EXACT_LIMIT remain."""
    return -(-matches // EXACT_LIMIT) if matches > EXACT_LIMIT else 1


FacetRow = tuple[str | None, str | None, str | None, Sequence[str], Sequence[str]]


def count_rows(rows: Sequence[FacetRow], size: int, *, total: int, approximate: bool) -> Facets:
    """Facets of ``rows`` — (origin, classification, month, tags, captions) of
    each match or sampled match — standing for ``total`` matches."""
    scale = total / len(rows) if rows else 1.0
    # One pass over the rows feeds every facet, counted in C (map + Counter):
    # a Python loop over the rows cost more than the query.
    origin, classification, month = (_known(Counter(map(itemgetter(i), rows))) for i in range(3))
    tags, captions = (
        Counter(v for values in map(itemgetter(i), rows) for v in values) for i in (3, 4)
    )
    years: Counter[str] = Counter()
    for value, n in month.items():
        years[value if value == UNKNOWN else value[:4]] += n

    def scaled(counter: Counter[str], limit: int | None) -> list[tuple[str, int]]:
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [(v, round(n * scale)) for v, n in ranked]

    counts = {
        "tag": scaled(tags, size),
        "origin": scaled(origin, size),
        "classification": scaled(classification, None),
        "caption": scaled(captions, size),
        "year": [(v, round(n * scale)) for v, n in sorted(years.items())],
        "month": [(v, round(n * scale)) for v, n in sorted(month.items())],
    }
    return Facets(total, approximate, counts)
