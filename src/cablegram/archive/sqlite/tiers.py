"""Tiers: indexes of exactly what one kind of reader may read (the public
reader; a reader cleared to CONFIDENTIAL, SECRET or TOP SECRET with no read-ins).

``fts`` indexes every cable, so a query's cost for a restricted reader would
grow with the postings of cables it may not see (read, then filtered out by
the rule): a word found only in hidden cables cost the public reader ten times
an absent word — a timing side channel (issue 15 §6).  ``fts_public`` indexes,
for each cable the public reader may read, the text it reads (the cable's own
text, or its release view: the public view of a release decision, or the
level-0 view under the partial-release search policy), under the cable's
rowid; ``public_tier`` records which view each entry holds (contentless FTS5
needs the indexed text again to delete it).  A reader who sees exactly what
the public reader sees (:attr:`ReaderScope.public_tier`) searches only this
index, so hidden postings are never read, counted or ranked for it.

The index is a function of the stored state, kept in step by every write
that changes it: :func:`forget` before a cable's text, views, access facts or
release flag change (while the indexed text can still be read back),
:func:`place` after; :func:`rebuild` when the partial-release setting (which
changes every cable's public view) changes, and by migration 8.

Field filters (``tag:``, ``caption:``, ``signer:``, ``defect:``, ``to:``,
``cites:``, ids; ``origin:``, classification, dates) are index lookups; over
every cable, the public reader's ``caption:NOFORN`` read every NOFORN cable
to drop them all.  So the tier also holds the public cables' side rows
(``public_tags``, ``public_captions``, ... : :data:`SIDE`), and
``cables.pub`` is 1 exactly when the public reader sees the cable (through
any view), with partial indexes ``WHERE pub = 1`` on the filtered columns
(:func:`fields_ddl`, migration 9): the public reader's queries name the
``public_*`` tables and require ``c.pub = 1``, so every lookup they make
reads public rows only.  :func:`forget` / :func:`place` / :func:`rebuild`
keep them in step with the text index, in the same transaction.

The clearance tiers are the same for a reader cleared to
CONFIDENTIAL, SECRET or TOP SECRET with no read-ins
(:func:`cablegram.access.policy.reads_as_cleared`; :data:`CLEARED`): an
index ``fts_tier{rank}`` with its ledger ``tier{rank}_views``, a flag
``cables.tier{rank}`` with partial indexes, and side rows
``tier{rank}_tags``, ... .  Each repeats the text its reader reads (every
cable of its level or below with no controlling caption, and the views it
gets of the others), so the archive's text is held up to four more times:
the price of a query cost that never depends on what is hidden.  So a file
has only the tiers its accounts search: :func:`create_clearance_tier` makes
one when the first account that reads as its reader is added or changed
(archive.py), or when reindex or copy carry such an account over
(``put_kept_records``); a cleared reader whose tier is missing is answered
from ``fts`` by the rule, like a reader with read-ins.

Other readers (caption read-ins; SBU without a clearance) search ``fts``
(and ``fts_views``) filtered by the rule, so a word found only above their
clearance or under captions they lack still costs its postings.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cablegram.access.policy import cleared_reader
from cablegram.access.principal import public_reader
from cablegram.archive.blobs import unpack_json
from cablegram.archive.records import FULL_VIEW, SIDE_COLUMNS
from cablegram.archive.sqlite.access import ReaderScope
from cablegram.model import Classification


@dataclass(frozen=True)
class Tier:
    """A text index of what one reader reads (``index``, contentless FTS5,
    by cable rowid) and which view of each cable it holds (``ledger``)."""

    index: str
    ledger: str
    clearance: Classification  # of its reader (UNCLASSIFIED: the public reader)
    prefix: str  # of its field rows: {prefix}tags, ... (compile.Reader.side)
    flag: str  # the column of ``cables`` that is 1 for the cables its reader sees


PUBLIC = Tier("fts_public", "public_tier", Classification.UNCLASSIFIED, "public_", "pub")
# The clearance tiers (migration 9): what a reader cleared to each level,
# with no read-ins, reads (access.policy.cleared_reader).
CLEARED = {
    c: Tier(f"fts_tier{c.rank}", f"tier{c.rank}_views", c, f"tier{c.rank}_", f"tier{c.rank}")
    for c in (Classification.CONFIDENTIAL, Classification.SECRET, Classification.TOP_SECRET)
}
TIERS = (PUBLIC, *CLEARED.values())
INDEX = PUBLIC.index

_CHUNK = 500  # rowids per IN (...), under SQLite's parameter limit

# The side tables the tier mirrors (the table's own rows, for its reader's cables only).
SIDE = SIDE_COLUMNS
PREFIX = PUBLIC.prefix  # public_tags, ...: compile.Reader.side


def fields_ddl(tier: Tier) -> str:
    """The field rows of ``tier``: its side tables, and indexes of the
    filtered columns of ``cables`` holding only its reader's cables (a query
    saying ``c.{flag} = 1`` may use them, and SQLite prefers them to the
    indexes over every cable; with the flag as a leading column, ``flag = 1``
    looked selective enough to walk every cable of the tier instead of
    looking up the few a side-table filter lists)."""
    p, f = tier.prefix, tier.flag
    return f"""
CREATE TABLE IF NOT EXISTS {p}tags (cable INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (cable, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {p}tags_value ON {p}tags(value);
CREATE TABLE IF NOT EXISTS {p}captions (cable INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (cable, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {p}captions_value ON {p}captions(value);
CREATE TABLE IF NOT EXISTS {p}signers (cable INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (cable, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {p}signers_value ON {p}signers(value);
CREATE TABLE IF NOT EXISTS {p}defects (cable INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (cable, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {p}defects_value ON {p}defects(value);
CREATE TABLE IF NOT EXISTS {p}addressees (cable INTEGER NOT NULL, kind TEXT NOT NULL,
    value TEXT NOT NULL, PRIMARY KEY (cable, kind, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {p}addressees_value ON {p}addressees(kind, value);
CREATE TABLE IF NOT EXISTS {p}refs (cable INTEGER NOT NULL, ord INTEGER NOT NULL,
    cited_key TEXT, PRIMARY KEY (cable, ord)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {p}refs_cited ON {p}refs(cited_key);
CREATE TABLE IF NOT EXISTS {p}cable_keys (key TEXT NOT NULL, cable INTEGER NOT NULL,
    PRIMARY KEY (key, cable)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {p}cable_keys_cable ON {p}cable_keys(cable);
CREATE INDEX IF NOT EXISTS cables_{f}_created ON cables(created) WHERE {f} = 1;
CREATE INDEX IF NOT EXISTS cables_{f}_origin ON cables(origin) WHERE {f} = 1;
CREATE INDEX IF NOT EXISTS cables_{f}_class ON cables(class_rank) WHERE {f} = 1;
"""


def tier_of(scope: ReaderScope, conn: sqlite3.Connection) -> Tier | None:
    """The tier whose indexes answer this reader (None: the whole archive, by
    the rule): the public tier, or the clearance tier of a cleared reader
    with no read-ins when the file has it (:func:`create_clearance_tier`)."""
    if scope.owner:
        return None
    if scope.public_tier:
        return PUBLIC
    tier = CLEARED.get(scope.cleared_tier) if scope.cleared_tier is not None else None
    return tier if tier is not None and tier in _present(conn) else None


def _setting(conn: sqlite3.Connection, key: str) -> Any:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else json.loads(row[0])


def public_scope(conn: sqlite3.Connection) -> ReaderScope:
    """The public reader on this archive, under its current settings."""
    return tier_scope(conn, PUBLIC)


def tier_scope(conn: sqlite3.Connection, tier: Tier) -> ReaderScope:
    """The reader of ``tier`` on this archive, under its current settings."""
    policy = bool(_setting(conn, "partial_release"))
    principal = public_reader() if tier is PUBLIC else cleared_reader(tier.clearance)
    return ReaderScope(principal, _setting(conn, "caption_bits"), policy)


def index_of(clearance: Classification | None) -> str | None:
    """The text index of the clearance tier (None: none)."""
    tier = CLEARED.get(clearance) if clearance is not None else None
    return None if tier is None else tier.index


def _present(conn: sqlite3.Connection) -> list[Tier]:
    """The tiers this file has: the public tier (layout 8), and each
    clearance tier made for an account that reads as it does
    (:func:`create_clearance_tier`)."""
    names = {name for (name,) in conn.execute(
        f"SELECT name FROM sqlite_master WHERE name IN ({', '.join('?' * len(TIERS))})",
        [tier.index for tier in TIERS])}  # fmt: skip
    return [tier for tier in TIERS if tier.index in names]


def _chunks(rowids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(rowids), _CHUNK):
        yield rowids[i : i + _CHUNK]


def _text(conn: sqlite3.Connection, rowid: int, view: int) -> tuple[str, str] | None:
    """(subject, text) of a cable's view as stored (None: not stored)."""
    if view == FULL_VIEW:
        row = conn.execute("SELECT data FROM cable_data WHERE rowid = ?", (rowid,)).fetchone()
    else:
        row = conn.execute(
            "SELECT data FROM views WHERE cable = ? AND level = ?", (rowid, view)
        ).fetchone()
    if row is None:
        return None
    data = unpack_json(row[0])
    return data.get("subject") or "", data.get("text") or ""


def forget(conn: sqlite3.Connection, rowids: Sequence[int]) -> None:
    """Take cables out of every tier (call before their indexed text changes)."""
    rowids = list(rowids)
    present = _present(conn)
    for part in _chunks(rowids):
        marks = ",".join("?" * len(part))
        for tier in present:
            _forget_text(conn, tier, part, marks)
        if _has_fields(conn):
            for tier in present:
                for table in SIDE:
                    conn.execute(f"DELETE FROM {tier.prefix}{table} WHERE cable IN ({marks})", part)
                conn.execute(
                    f"UPDATE cables SET {tier.flag} = 0 WHERE {tier.flag} = 1"
                    f" AND rowid IN ({marks})",
                    part,
                )


def _forget_text(conn: sqlite3.Connection, tier: Tier, part: Sequence[int], marks: str) -> None:
    rows = conn.execute(
        f"SELECT cable, view FROM {tier.ledger} WHERE cable IN ({marks})", part
    ).fetchall()
    for rowid, view in rows:
        text = _text(conn, rowid, view)
        if text is not None:
            conn.execute(
                f"INSERT INTO {tier.index} ({tier.index}, rowid, subject, body)"
                " VALUES ('delete', ?, ?, ?)",
                (rowid, *text),
            )
    if rows:
        conn.execute(f"DELETE FROM {tier.ledger} WHERE cable IN ({marks})", part)


def _has_fields(conn: sqlite3.Connection) -> bool:
    """The file has the tier's field tables (layout 9; migration 8 runs before)."""
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'public_tags'").fetchone()
    return row is not None


def _place_fields(conn: sqlite3.Connection, tier: Tier, rowids: Sequence[int]) -> None:
    """Mark and mirror the side rows of ``rowids`` (cables the tier's reader sees)."""
    if not rowids or not _has_fields(conn):
        return
    marks = ",".join("?" * len(rowids))
    conn.execute(f"UPDATE cables SET {tier.flag} = 1 WHERE rowid IN ({marks})", rowids)
    for table, columns in SIDE.items():
        conn.execute(
            f"INSERT INTO {tier.prefix}{table} ({columns}) SELECT {columns} FROM {table}"
            f" WHERE cable IN ({marks})",
            rowids,
        )


def _index(
    conn: sqlite3.Connection, tier: Tier, seen: Iterable[tuple[int, int | None]],
    texts: Mapping[int, tuple[str, str]],
) -> None:  # fmt: skip
    ledger, entries = [], []
    for rowid, view in seen:
        if view is None:
            continue  # hidden from the tier's reader
        text = texts.get(rowid) if view == FULL_VIEW else None
        text = text or _text(conn, rowid, view)
        if text is None:
            continue  # a view the reader would get is missing: nothing to match
        ledger.append((rowid, view))
        entries.append((rowid, *text))
    conn.executemany(f"INSERT INTO {tier.ledger} (cable, view) VALUES (?, ?)", ledger)
    conn.executemany(f"INSERT INTO {tier.index} (rowid, subject, body) VALUES (?, ?, ?)", entries)


def place(
    conn: sqlite3.Connection, rowids: Sequence[int],
    texts: Mapping[int, tuple[str, str]] | None = None,
) -> None:  # fmt: skip
    """(Re-)index cables in every tier as its reader now sees them.  ``texts``:
    the cables' own (subject, text) when the caller has them (the batch
    writer), so they are not unpacked again."""
    rowids = sorted(set(rowids))
    forget(conn, rowids)
    for tier in _present(conn):
        case, params = tier_scope(conn, tier).view_case()
        for part in _chunks(rowids):
            marks = ",".join("?" * len(part))
            seen = conn.execute(
                f"SELECT c.rowid, {case} FROM cables c WHERE c.rowid IN ({marks})",
                (*params, *part),
            ).fetchall()
            _index(conn, tier, seen, texts or {})
            _place_fields(conn, tier, [rowid for rowid, view in seen if view is not None])


def _rebuild_text(conn: sqlite3.Connection, tier: Tier) -> None:
    conn.execute(f"INSERT INTO {tier.index} ({tier.index}) VALUES ('delete-all')")
    conn.execute(f"DELETE FROM {tier.ledger}")
    case, params = tier_scope(conn, tier).view_case()
    seen = conn.execute(f"SELECT c.rowid, {case} FROM cables c ORDER BY c.rowid", params)
    while batch := seen.fetchmany(_CHUNK):
        _index(conn, tier, batch, {})


def rebuild(conn: sqlite3.Connection) -> None:
    """Index every cable afresh in every tier (the view of each may have changed)."""
    for tier in _present(conn):
        _rebuild_text(conn, tier)
    rebuild_fields(conn)


def rebuild_fields(conn: sqlite3.Connection) -> None:
    """Mark and mirror afresh, in every tier, the side rows of every cable its reader sees."""
    if not _has_fields(conn):
        return
    for tier in _present(conn):
        for table in SIDE:
            conn.execute(f"DELETE FROM {tier.prefix}{table}")
        _fill_fields(conn, tier)


def _fill_fields(conn: sqlite3.Connection, tier: Tier) -> None:
    """Mark every cable the tier's reader sees and mirror its side rows."""
    case, params = tier_scope(conn, tier).view_case()
    conn.execute(f"UPDATE cables AS c SET {tier.flag} = ({case}) IS NOT NULL", params)
    for table, columns in SIDE.items():
        conn.execute(
            f"INSERT INTO {tier.prefix}{table} ({columns}) SELECT {columns} FROM {table}"
            f" WHERE cable IN (SELECT rowid FROM cables WHERE {tier.flag} = 1)"
        )


def _create_index(conn: sqlite3.Connection, tier: Tier) -> None:
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {tier.index} USING fts5("
        " subject, body, content='', tokenize='unicode61 remove_diacritics 2')"
    )
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {tier.ledger} (cable INTEGER PRIMARY KEY,"
        " view INTEGER NOT NULL)"
    )
    conn.execute(f"INSERT INTO {tier.index} ({tier.index}, rank) VALUES ('pgsz', 16000)")
    # As for ``fts`` (schema.py): fewer, larger segments while ingesting.
    conn.execute(f"INSERT INTO {tier.index} ({tier.index}, rank) VALUES ('hashsize', 67108864)")


def create(conn: sqlite3.Connection) -> None:
    """The public tier's text index (migration 8), built from the stored cables."""
    _create_index(conn, PUBLIC)
    _rebuild_text(conn, PUBLIC)


def create_fields(conn: sqlite3.Connection) -> None:
    """The public tier's field rows (migration 9), filled from the stored
    cables, and every tier's flag column (the clearance tiers' rows come with
    their indexes, :func:`create_clearance_tier`)."""
    from cablegram.archive.sqlite.schema import run_script

    for tier in TIERS:
        conn.execute(f"ALTER TABLE cables ADD COLUMN {tier.flag} INTEGER NOT NULL DEFAULT 0")
    run_script(conn, fields_ddl(PUBLIC))
    rebuild_fields(conn)


def create_clearance_tier(conn: sqlite3.Connection, clearance: Classification) -> bool:
    """Make and fill the tier of readers cleared to ``clearance`` with no
    read-ins, unless the file has it (False then).  Called when an account
    that reads as such a reader is added or changed: each tier repeats the
    text its reader reads, so a file gets only the tiers its accounts use (a
    public corpus read by its owner and the public reader needs none)."""
    from cablegram.archive.sqlite.schema import run_script

    tier = CLEARED.get(clearance)
    if tier is None or tier in _present(conn) or not _has_fields(conn):
        return False
    run_script(conn, fields_ddl(tier))
    _create_index(conn, tier)
    _fill_fields(conn, tier)
    _rebuild_text(conn, tier)
    return True
