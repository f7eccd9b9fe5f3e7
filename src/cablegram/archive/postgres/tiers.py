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

The public reader's field filters read the tier's field rows as on SQLite:
``cables.pub`` (1 exactly when the public reader sees the cable) with
partial indexes ``WHERE pub = 1`` on the filtered columns, and the public
cables' side rows (``public_tags``, ...: :data:`SIDE`), kept in step by the
same :func:`place` / :func:`rebuild` (migration 7).

The clearance tiers (``fts_tier2``, ``fts_tier3``, ``fts_tier4``) are the
same for a reader cleared to CONFIDENTIAL, SECRET or TOP SECRET with no
read-ins (:func:`cablegram.access.policy.reads_as_cleared`).  Each repeats
the text its reader reads, so an archive has only those its accounts
search: :func:`create_clearance_tier` makes one when the first account
that reads as its reader is added or changed, or when reindex or copy carry
one over; a cleared reader whose tier is missing is answered from ``fts``
by the rule (as in archive/sqlite/tiers.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg

from cablegram.access.policy import cleared_reader
from cablegram.access.principal import public_reader
from cablegram.archive.postgres.access import ReaderScope
from cablegram.archive.records import FULL_VIEW, SIDE_COLUMNS
from cablegram.model import Classification

INDEX = "fts_public"
# The clearance tiers (made for accounts): what a reader cleared to each level,
# with no read-ins, reads (access.policy.cleared_reader), as fts_public.
CLEARED = {
    c: f"fts_tier{c.rank}"
    for c in (Classification.CONFIDENTIAL, Classification.SECRET, Classification.TOP_SECRET)
}

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


# The side tables the tier mirrors (the table's own rows, for its reader's cables only).
SIDE = SIDE_COLUMNS


@dataclass(frozen=True)
class Tier:
    """One reader's tier: its table of text vectors (``index``), the prefix
    of its side rows (``{prefix}tags``, ...: compile.Reader.side) and the
    column of ``cables`` that is 1 for the cables its reader sees (``flag``)."""

    index: str
    clearance: Classification  # of its reader (UNCLASSIFIED: the public reader)
    prefix: str
    flag: str


PUBLIC = Tier(INDEX, Classification.UNCLASSIFIED, "public_", "pub")
TIERS = (PUBLIC, *(Tier(t, c, f"tier{c.rank}_", f"tier{c.rank}") for c, t in CLEARED.items()))
PREFIX = PUBLIC.prefix


def tables(conn: psycopg.Connection) -> tuple[list[str], list[str]]:
    """The tables of the archive's tiers, narrow (cables and side tables) and
    text (the index), refreshed after an ingest (store.ingesting)."""
    tiers = present(conn)
    narrow = [tier.prefix + x for tier in tiers for x in ("cables", *SIDE)]
    return narrow, [tier.index for tier in tiers]


def present(conn: psycopg.Connection) -> list[Tier]:
    """The tiers this archive has: the public tier (migration 3), and each
    clearance tier made for an account that reads as it does
    (:func:`create_clearance_tier`)."""
    return [tier for tier in TIERS if _exists(conn, tier.index)]


def fields_ddl(tier: Tier) -> str:
    """The field rows of ``tier``: its flag (with an index of ``created``
    holding only its reader's cables, walked by a query saying
    ``c.{flag} = 1`` for the newest first), side tables, and ``{prefix}cables``:
    the filtered columns of its reader's cables (compile.py looks
    ``origin:``, ``class:`` and dates up there).  A table of their own, not
    partial indexes of ``cables``: the planner costs a partial index by the
    value's frequency over every cable, so its plan for ``class:secret``
    (held by thousands of hidden cables) walked every public cable where
    ``class:>secret`` looked one up, 55 ms against 2 ms."""
    p, f = tier.prefix, tier.flag
    return f"""
ALTER TABLE cables ADD COLUMN {f} INTEGER NOT NULL DEFAULT 0;
CREATE TABLE {p}tags (cable BIGINT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (cable, value));
CREATE INDEX {p}tags_value ON {p}tags (value);
CREATE TABLE {p}captions (cable BIGINT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (cable, value));
CREATE INDEX {p}captions_value ON {p}captions (value);
CREATE TABLE {p}signers (cable BIGINT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (cable, value));
CREATE INDEX {p}signers_value ON {p}signers (value);
CREATE TABLE {p}defects (cable BIGINT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (cable, value));
CREATE INDEX {p}defects_value ON {p}defects (value);
CREATE TABLE {p}addressees (cable BIGINT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (cable, kind, value));
CREATE INDEX {p}addressees_value ON {p}addressees (kind, value);
CREATE TABLE {p}refs (cable BIGINT NOT NULL, ord INTEGER NOT NULL, cited_key TEXT,
    PRIMARY KEY (cable, ord));
CREATE INDEX {p}refs_cited ON {p}refs (cited_key);
CREATE TABLE {p}cable_keys (key TEXT NOT NULL, cable BIGINT NOT NULL,
    PRIMARY KEY (key, cable));
CREATE INDEX {p}cable_keys_cable ON {p}cable_keys (cable);
CREATE INDEX cables_{f}_created ON cables (created) WHERE {f} = 1;
CREATE TABLE {p}cables AS SELECT rowid, created, origin, class_rank FROM cables WITH NO DATA;
ALTER TABLE {p}cables ADD PRIMARY KEY (rowid);
CREATE INDEX {p}cables_created ON {p}cables (created);
CREATE INDEX {p}cables_origin ON {p}cables (origin);
CREATE INDEX {p}cables_class ON {p}cables (class_rank);
"""


def tier_of(scope: ReaderScope, conn: psycopg.Connection) -> Tier | None:
    """The tier whose tables answer this reader (None: the whole archive, by
    the rule): the public tier, or the clearance tier of a cleared reader
    with no read-ins when the archive has it (:func:`create_clearance_tier`)."""
    if scope.owner:
        return None
    if scope.public_tier:
        return PUBLIC
    clearance = scope.cleared_tier
    tier = next((t for t in TIERS[1:] if t.clearance == clearance), None)
    return tier if tier is not None and _exists(conn, tier.index) else None


def _settings(conn: psycopg.Connection) -> tuple[dict[str, int] | None, bool]:
    rows = conn.execute(
        "SELECT key, value FROM meta WHERE key IN ('caption_bits', 'partial_release')"
    ).fetchall()
    settings: dict[str, str] = {key: value for key, value in rows}
    bits = json.loads(settings["caption_bits"]) if "caption_bits" in settings else None
    return bits, bool(json.loads(settings.get("partial_release", "false")))


def public_scope(conn: psycopg.Connection) -> ReaderScope:
    """The public reader on this archive, under its current settings."""
    return ReaderScope(public_reader(), *_settings(conn))


def index_of(clearance: Classification | None) -> str | None:
    """The table of the clearance tier (None: none)."""
    return CLEARED.get(clearance) if clearance is not None else None


def _tables(conn: psycopg.Connection) -> dict[str, ReaderScope]:
    """The tiers this archive has, each with its reader (the clearance tiers
    come with migration 7)."""
    bits, policy = _settings(conn)
    out = {INDEX: ReaderScope(public_reader(), bits, policy)}
    for clearance, table in CLEARED.items():
        if _exists(conn, table):
            out[table] = ReaderScope(cleared_reader(clearance), bits, policy)
    return out


def _fill(
    conn: psycopg.Connection, where: str, params: tuple[object, ...],
    table: str = INDEX, scope: ReaderScope | None = None,
) -> None:  # fmt: skip
    case, cp = (scope or public_scope(conn)).view_case()
    conn.execute(
        f"INSERT INTO {table} (rowid, view, doc, head)"
        f" SELECT s.rowid, s.v, CASE WHEN s.v = {FULL_VIEW} THEN f.doc ELSE w.doc END,"
        f" CASE WHEN s.v = {FULL_VIEW} THEN f.head ELSE w.head END"
        f" FROM (SELECT c.rowid, {case} AS v FROM cables c WHERE {where}) s"
        f" LEFT JOIN fts f ON f.rowid = s.rowid AND s.v = {FULL_VIEW}"
        " LEFT JOIN views w ON w.cable = s.rowid AND w.level = s.v"
        " WHERE s.v IS NOT NULL AND coalesce(f.doc, w.doc) IS NOT NULL",
        (*cp, *params),
    )


def _exists(conn: psycopg.Connection, table: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
    return bool(row and row[0])


def _has_fields(conn: psycopg.Connection) -> bool:
    """The archive has the tiers' field rows (migration 7; migration 3 runs before)."""
    return _exists(conn, "public_tags")


def _fill_fields(
    conn: psycopg.Connection, tier: Tier, where: str, params: tuple[object, ...]
) -> None:
    """Mark the cables of ``where`` the tier's reader sees, and mirror their side rows."""
    bits, policy = _settings(conn)
    reader = public_reader() if tier is PUBLIC else cleared_reader(tier.clearance)
    case, cp = ReaderScope(reader, bits, policy).view_case()
    conn.execute(
        f"UPDATE cables c SET {tier.flag} = CASE WHEN ({case}) IS NULL THEN 0 ELSE 1 END"
        f" WHERE {where}",
        (*cp, *params),
    )
    conn.execute(
        f"INSERT INTO {tier.prefix}cables SELECT rowid, created, origin, class_rank"
        f" FROM cables c WHERE c.{tier.flag} = 1 AND {where}",
        params,
    )
    for table, columns in SIDE.items():
        conn.execute(
            f"INSERT INTO {tier.prefix}{table} ({columns})"
            f" SELECT {columns.replace('cable', 's.cable')} FROM {table} s"
            f" JOIN cables c ON c.rowid = s.cable WHERE c.{tier.flag} = 1 AND {where}",
            params,
        )


def place(conn: psycopg.Connection, rowids: Sequence[int]) -> None:
    """(Re-)index cables as the public reader now sees them (in the caller's transaction)."""
    rowids = sorted(set(rowids))
    for table, scope in _tables(conn).items():
        conn.execute(f"DELETE FROM {table} WHERE rowid = ANY(%s)", (rowids,))
        _fill(conn, "c.rowid = ANY(%s)", (rowids,), table, scope)
    if _has_fields(conn):
        for tier in present(conn):
            conn.execute(f"DELETE FROM {tier.prefix}cables WHERE rowid = ANY(%s)", (rowids,))
            for table in SIDE:
                conn.execute(f"DELETE FROM {tier.prefix}{table} WHERE cable = ANY(%s)", (rowids,))
            _fill_fields(conn, tier, "c.rowid = ANY(%s)", (rowids,))


def rebuild(conn: psycopg.Connection) -> None:
    """Index every cable afresh (the public view of each may have changed)."""
    for table, scope in _tables(conn).items():
        conn.execute(f"DELETE FROM {table}")
        _fill(conn, "TRUE", (), table, scope)
        conn.execute(f"ANALYZE {table}")
    rebuild_fields(conn)


def rebuild_fields(conn: psycopg.Connection) -> None:
    """Mark and mirror afresh, in every tier, the side rows of every cable its reader sees."""
    if not _has_fields(conn):
        return
    tiers = present(conn)
    for tier in tiers:
        conn.execute(f"DELETE FROM {tier.prefix}cables")
        for table in SIDE:
            conn.execute(f"DELETE FROM {tier.prefix}{table}")
        _fill_fields(conn, tier, "TRUE", ())
    tables = [tier.prefix + table for tier in tiers for table in ("cables", *SIDE)]
    for table in ("cables", *tables):
        conn.execute(f"ANALYZE {table}")


def create(conn: psycopg.Connection) -> None:
    """The public tier's table and index (migration 3), built from the stored cables."""
    conn.execute(DDL)
    _fill(conn, "TRUE", ())
    conn.execute("ANALYZE fts_public")


def create_fields(conn: psycopg.Connection) -> None:
    """The public tier's field rows and indexes (migration 7), filled from the
    stored cables (the clearance tiers' come with them, :func:`create_clearance_tier`)."""
    conn.execute(fields_ddl(PUBLIC))
    rebuild_fields(conn)


def create_clearance_tier(conn: psycopg.Connection, clearance: Classification) -> bool:
    """Make and fill the tier of readers cleared to ``clearance`` with no
    read-ins, unless the archive has it (False then).  Called when an account
    that reads as such a reader is added or changed: each tier repeats the
    text its reader reads, so an archive gets only the tiers its accounts use."""
    table = CLEARED.get(clearance)
    tier = next((t for t in TIERS[1:] if t.clearance == clearance), None)
    if table is None or tier is None or not _has_fields(conn):
        return False
    # Writers place a batch in the tiers that exist when they do: hold them
    # off (and a second maker) until the tier is committed, so no batch
    # written meanwhile is left out of it.
    conn.execute("LOCK TABLE cables IN SHARE ROW EXCLUSIVE MODE")
    if _exists(conn, table):
        return False
    conn.execute(fields_ddl(tier))
    _fill_fields(conn, tier, "TRUE", ())
    conn.execute(DDL.replace("fts_public", table))
    # As migration 6 gives fts_public (subject: queries, ranking).
    conn.execute(f"CREATE INDEX {table}_head ON {table} USING gin (head) WITH (fastupdate = off)")
    bits, policy = _settings(conn)
    _fill(conn, "TRUE", (), table, ReaderScope(cleared_reader(clearance), bits, policy))
    for name in (table, tier.prefix + "cables", *(tier.prefix + x for x in SIDE)):
        conn.execute(f"ANALYZE {name}")
    return True
