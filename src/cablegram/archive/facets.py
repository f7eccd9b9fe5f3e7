"""Facet counts for any result set: tag, origin, classification, caption, year, month.

The matching rowids are written once into a temporary table; each facet is
one GROUP BY over that set (a narrow ``cables`` row lookup, or the side
table's ``(cable, value)`` primary key).  Up to ``EXACT_LIMIT`` matches the
counts are exact; above it they are computed on an evenly spread sample of
about ``EXACT_LIMIT`` matches (``rowid % step = 0``) and scaled, and the
result says ``approximate`` - so facets stay affordable beside every search
even when a query matches most of a 250,000-cable archive.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

FACETS = ("tag", "origin", "classification", "caption", "year", "month")
EXACT_LIMIT = 10_000


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


def facets(
    conn: sqlite3.Connection, matching_sql: str, params: list[object], size: int, *, total: int
) -> Facets:
    """Facets of the rows of ``matching_sql`` (a SELECT of one rowid column, ``total`` rows)."""
    step = -(-total // EXACT_LIMIT) if total > EXACT_LIMIT else 1
    sql = matching_sql if step == 1 else f"SELECT * FROM ({matching_sql}) WHERE rowid % {step} = 0"
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS hits (rowid INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.hits")
    sampled = conn.execute(f"INSERT OR IGNORE INTO temp.hits {sql}", params).rowcount
    scale = total / sampled if sampled else 1.0
    sample = "temp.hits h"

    def grouped(select: str, join: str, order: str, limit: int | None) -> list[tuple[str, int]]:
        sql = (
            f"SELECT {select}, count(*) AS n FROM {sample} CROSS JOIN {join}"
            f" GROUP BY 1 ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit else "")
        )
        return [
            (v if v is not None else "(unknown)", round(n * scale)) for v, n in conn.execute(sql)
        ]

    cables = "cables c ON c.rowid = h.rowid"
    month = grouped("c.month", cables, "1", None)
    years: dict[str, int] = {}
    for value, n in month:
        key = value if value.startswith("(") else value[:4]
        years[key] = years.get(key, 0) + n
    counts = {
        "tag": grouped("t.value", "tags t ON t.cable = h.rowid", "n DESC, 1", size),
        "origin": grouped("c.origin", cables, "n DESC, 1", size),
        "classification": grouped("c.classification", cables, "n DESC, 1", None),
        "caption": grouped("t.value", "captions t ON t.cable = h.rowid", "n DESC, 1", size),
        "year": sorted(years.items()),
        "month": month,
    }
    return Facets(total, step > 1, counts)
