"""Facet rows of a result set, and the temporary table of matches they join.

The matching rowids (or an evenly spread sample of them) are copied once
into ``temp.hits`` and joined once to the narrow ``cables`` rows, which hold
every faceted value (``tag_list``/``caption_list`` repeat the side tables),
so the counts cost one row lookup per match (archive/facets.py counts them).
"""

from __future__ import annotations

import json
import sqlite3

from cablegram.archive.facets import FacetRow, Facets, count_rows, sample_step
from cablegram.archive.sqlite.schema import FACET_SEP


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


def _rows(conn: sqlite3.Connection) -> list[FacetRow]:
    rows = conn.execute(
        "SELECT c.origin, c.classification, c.month, c.tag_list, c.caption_list"
        " FROM temp.hits h CROSS JOIN cables c ON c.rowid = h.rowid"
    ).fetchall()
    return [
        (origin, cls, month, tags.split(FACET_SEP) if tags else (),
         caps.split(FACET_SEP) if caps else ())
        for origin, cls, month, tags, caps in rows
    ]  # fmt: skip


def facets_of_query(
    conn: sqlite3.Connection, matching_sql: str, params: list[object], size: int, *, total: int
) -> Facets:
    """Facets of the rows of ``matching_sql`` (a SELECT of a ``rowid`` column,
    ``total`` rows).  Only the sample is copied: copying every match of a
    broad query costs more than counting it first (measured on 250,000 cables)."""
    step = sample_step(total)
    if step > 1:  # an evenly spread sample: only it is copied and grouped
        matching_sql = f"SELECT rowid FROM ({matching_sql}) WHERE rowid % {step} = 0"
    _clear(conn)
    conn.execute(f"INSERT OR IGNORE INTO temp.hits {matching_sql}", params)
    return count_rows(_rows(conn), size, total=total, approximate=step > 1)


def facets_of_rowids(
    conn: sqlite3.Connection, rowids: tuple[int, ...], size: int, *, total: int, exact: bool
) -> Facets:
    """Facets of a set of rowids already known: every match (``exact``) or
    a sample standing for ``total`` matches (see broad.py).  More than
    ``EXACT_LIMIT`` rowids are thinned to an even sample of about that many."""
    step = sample_step(len(rowids))
    if step > 1:
        rowids = tuple(sorted(rowids))[::step]
    fill_hits(conn, rowids)
    return count_rows(_rows(conn), size, total=total, approximate=not exact or step > 1)
