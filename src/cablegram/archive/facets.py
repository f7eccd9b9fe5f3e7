"""Facet counts for any result set: tag, origin, classification, caption, year, month.

The matching rowids are written once into a temporary table; each facet is a
GROUP BY over that set (side tables via their ``(cable, value)`` primary
key), so facets cost one pass over the matches, not one query per value.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

FACETS = ("tag", "origin", "classification", "caption", "year", "month")


def facets(
    conn: sqlite3.Connection, matching_sql: str, params: list[object], size: int
) -> dict[str, list[tuple[str, int]]]:
    """``{facet: [(value, count), ...]}``; ``month`` is the full date histogram."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS hits (rowid INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.hits")
    conn.execute(f"INSERT OR IGNORE INTO temp.hits {matching_sql}", params)
    origin: Counter[str] = Counter()
    classification: Counter[str] = Counter()
    month: Counter[str] = Counter()
    rows = conn.execute(
        "SELECT c.origin, c.classification, c.month, count(*) FROM temp.hits h"
        " JOIN cables c ON c.rowid = h.rowid GROUP BY 1, 2, 3"
    )
    for o, cls, mo, n in rows:
        origin[o or "(unknown)"] += n
        classification[cls or "(unknown)"] += n
        month[mo or "(unknown)"] += n
    year: Counter[str] = Counter()
    for mo, n in month.items():
        year[mo if mo.startswith("(") else mo[:4]] += n
    out = {
        "origin": origin.most_common(size),
        "classification": classification.most_common(),
        "year": sorted(year.items()),
        "month": sorted(month.items()),
    }
    for name, table in (("tag", "tags"), ("caption", "captions")):
        out[name] = [
            (v, n)
            for v, n in conn.execute(
                f"SELECT t.value, count(*) AS n FROM temp.hits h JOIN {table} t"
                " ON t.cable = h.rowid GROUP BY t.value ORDER BY n DESC, t.value LIMIT ?",
                (size,),
            )
        ]
    return {name: out[name] for name in FACETS}
