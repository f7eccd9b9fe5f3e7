"""Facet counts for any result set: tag, origin, classification, caption, year, month.

The matching rowids (or an evenly spread sample of them) are copied once
into a temporary table and joined once to the narrow ``cables`` rows, which
hold every faceted value (``tag_list``/``caption_list`` repeat the side
tables), so the counts cost one row lookup per match.
Up to ``EXACT_LIMIT`` matches the counts are exact; above it they are
computed on an evenly spread sample of about ``EXACT_LIMIT`` matches and
scaled, and the result says ``approximate`` - so facets stay affordable
beside every search even when a query matches most of a 250,000-cable
archive.  A broad text query's sample comes from broad.py.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter

from cablegram.archive.schema import FACET_SEP

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


def facets(
    conn: sqlite3.Connection, matching_sql: str, params: list[object], size: int, *, total: int
) -> Facets:
    """Facets of the rows of ``matching_sql`` (a SELECT of a ``rowid`` column, ``total`` rows).

    Only the sample is copied: copying every match of a broad query costs
    more than counting it first (measured on 250,000 cables)."""
    step = -(-total // EXACT_LIMIT) if total > EXACT_LIMIT else 1
    if step > 1:  # an evenly spread sample: only it is copied and grouped
        matching_sql = f"SELECT rowid FROM ({matching_sql}) WHERE rowid % {step} = 0"
    _clear(conn)
    sampled = conn.execute(f"INSERT OR IGNORE INTO temp.hits {matching_sql}", params).rowcount
    return _grouped(conn, size, total, sampled, step > 1)


def facets_of(
    conn: sqlite3.Connection, rowids: tuple[int, ...], size: int, *, total: int, exact: bool
) -> Facets:
    """Facets of a set of rowids already known: every match (``exact``) or
    a sample standing for ``total`` matches (see broad.py).  More than
    ``EXACT_LIMIT`` rowids are thinned to an even sample of about that many."""
    step = -(-len(rowids) // EXACT_LIMIT)
    if step > 1:
        rowids = tuple(sorted(rowids))[::step]
    fill_hits(conn, rowids)
    return _grouped(conn, size, total, len(rowids), not exact or step > 1)


def _clear(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS hits (rowid INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.hits")


def fill_hits(conn: sqlite3.Connection, rowids: tuple[int, ...]) -> None:
    """``temp.hits`` := ``rowids`` (the working set facets and sample pages join)."""
    _clear(conn)
    # One statement: the connection autocommits, and executemany would make
    # every row its own transaction (4x slower for a 2,000-row sample).
    conn.execute(
        "INSERT OR IGNORE INTO temp.hits SELECT value FROM json_each(?)", (json.dumps(rowids),)
    )


def _grouped(
    conn: sqlite3.Connection, size: int, total: int, sampled: int, approximate: bool
) -> Facets:
    """Group ``temp.hits`` (``sampled`` rows standing for ``total`` matches)."""
    sample = "temp.hits h"
    scale = total / sampled if sampled else 1.0

    rows = conn.execute(
        "SELECT c.origin, c.classification, c.month, c.tag_list, c.caption_list"
        f" FROM {sample} CROSS JOIN cables c ON c.rowid = h.rowid"
    ).fetchall()
    # One pass over the narrow cables rows feeds every facet (tags and
    # captions are listed in the row), counted in C (map + Counter): a Python
    # loop over the rows cost more than the query.
    origin, classification, month = (_known(Counter(map(itemgetter(i), rows))) for i in range(3))
    tags, captions = (
        Counter(v for joined in map(itemgetter(i), rows) if joined for v in joined.split(FACET_SEP))
        for i in (3, 4)
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
