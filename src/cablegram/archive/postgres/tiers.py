"""The public tier on PostgreSQL: a text index of exactly what the public reader may read.

As on SQLite (archive/sqlite/tiers.py, which says why): ``fts_public`` holds,
for each cable the public reader may read, the vector of the text it reads
(the cable's own ``fts.doc``, or the ``views.doc`` of the release view it
gets), with its own GIN index; a reader who sees exactly what the public
sees (:func:`cablegram.access.policy.reads_as_public`) matches only it, so
its searches never read a hidden cable's postings.  The vectors are stored,
so keeping it in step is one statement: :func:`place` after a cable's
fields, views or release flag change (writer, publish), :func:`rebuild`
when the partial-release setting changes, and by migration 3.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import psycopg

from cablegram.access.principal import public_reader
from cablegram.archive.postgres.access import ReaderScope
from cablegram.archive.records import FULL_VIEW

INDEX = "fts_public"

# The vectors stay in the table's own pages (STORAGE MAIN), so the planner
# sees what scanning them costs (out of line, a scan looked cheap and read
# every vector: 120 ms for a word found nowhere in 9,000 public cables); and
# ``head`` (the subject's vector) is what ranking reads, as in ``fts``;
# the GIN index has no pending list (fastupdate off), which every search
# would read through until a vacuum merged it.
DDL = """
CREATE TABLE fts_public (rowid BIGINT PRIMARY KEY, view INTEGER NOT NULL, doc TSVECTOR NOT NULL,
    head TSVECTOR NOT NULL);
ALTER TABLE fts_public ALTER COLUMN doc SET STORAGE MAIN;
CREATE INDEX fts_public_doc ON fts_public USING gin (doc) WITH (fastupdate = off);
"""


def public_scope(conn: psycopg.Connection) -> ReaderScope:
    """The public reader on this archive, under its current settings."""
    rows = conn.execute(
        "SELECT key, value FROM meta WHERE key IN ('caption_bits', 'partial_release')"
    ).fetchall()
    settings: dict[str, str] = {key: value for key, value in rows}
    bits = json.loads(settings["caption_bits"]) if "caption_bits" in settings else None
    policy = bool(json.loads(settings.get("partial_release", "false")))
    return ReaderScope(public_reader(), bits, policy)


def _fill(conn: psycopg.Connection, where: str, params: tuple[object, ...]) -> None:
    case, cp = public_scope(conn).view_case()
    conn.execute(
        "INSERT INTO fts_public (rowid, view, doc, head)"
        f" SELECT s.rowid, s.v, CASE WHEN s.v = {FULL_VIEW} THEN f.doc ELSE w.doc END,"
        f" CASE WHEN s.v = {FULL_VIEW} THEN f.head ELSE w.head END"
        f" FROM (SELECT c.rowid, {case} AS v FROM cables c WHERE {where}) s"
        f" LEFT JOIN fts f ON f.rowid = s.rowid AND s.v = {FULL_VIEW}"
        " LEFT JOIN views w ON w.cable = s.rowid AND w.level = s.v"
        " WHERE s.v IS NOT NULL AND coalesce(f.doc, w.doc) IS NOT NULL",
        (*cp, *params),
    )


def place(conn: psycopg.Connection, rowids: Sequence[int]) -> None:
    """(Re-)index cables as the public reader now sees them (in the caller's transaction)."""
    rowids = sorted(set(rowids))
    conn.execute("DELETE FROM fts_public WHERE rowid = ANY(%s)", (rowids,))
    _fill(conn, "c.rowid = ANY(%s)", (rowids,))


def rebuild(conn: psycopg.Connection) -> None:
    """Index every cable afresh (the public view of each may have changed)."""
    conn.execute("DELETE FROM fts_public")
    _fill(conn, "TRUE", ())
    conn.execute("ANALYZE fts_public")


def create(conn: psycopg.Connection) -> None:
    """The tier's table and index (migration 3), built from the stored cables."""
    conn.execute(DDL)
    rebuild(conn)
