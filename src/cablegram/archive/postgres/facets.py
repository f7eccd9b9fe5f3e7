"""Facet rows of a result set on PostgreSQL: the matching rowids (or an
evenly spread sample of them) joined once to the narrow ``cables`` rows,
which hold every faceted value (``tag_list``/``caption_list`` repeat the
side tables); archive/facets.py counts them."""

from __future__ import annotations

import psycopg

from cablegram.archive.facets import FacetRow, Facets, count_rows, sample_step
from cablegram.archive.postgres.connection import int_array
from cablegram.archive.postgres.schema import FACET_SEP

_COLUMNS = "c.origin, c.classification, c.month, c.tag_list, c.caption_list"


def _rows(cur: psycopg.Cursor) -> list[FacetRow]:  # type: ignore[type-arg]
    return [
        (origin, cls, month, tags.split(FACET_SEP) if tags else (),
         caps.split(FACET_SEP) if caps else ())
        for origin, cls, month, tags, caps in cur
    ]  # fmt: skip


def facets_of_query(
    conn: psycopg.Connection, matching_sql: str, params: list[object], size: int, *, total: int
) -> Facets:
    """Facets of the rows of ``matching_sql`` (a SELECT of a ``rowid`` column,
    ``total`` rows), of an even sample of them when they are many."""
    step = sample_step(total)
    thin = f" WHERE mod(m.rowid, {step}) = 0" if step > 1 else ""
    cur = conn.execute(
        f"SELECT {_COLUMNS} FROM ({matching_sql}) m JOIN cables c ON c.rowid = m.rowid{thin}",
        params,
    )
    return count_rows(_rows(cur), size, total=total, approximate=step > 1)


def facets_of_rowids(
    conn: psycopg.Connection, rowids: tuple[int, ...], size: int, *, total: int, exact: bool
) -> Facets:
    """Facets of rowids already known: every match (``exact``) or a sample
    standing for ``total`` (broad.py); many are thinned to an even sample."""
    step = sample_step(len(rowids))
    if step > 1:
        rowids = tuple(sorted(rowids))[::step]
    cur = conn.execute(
        f"SELECT {_COLUMNS} FROM cables c WHERE c.rowid = ANY(%s::bigint[])", (int_array(rowids),)
    )
    return count_rows(_rows(cur), size, total=total, approximate=not exact or step > 1)
