"""The SQLite layout of an archive, and its versioned migrations.

``copies`` is the system of record: the telegram text of every copy read
(compressed, see blobs.py), with its source facts.  Everything else is derived
from the best copy of each cable and can be rebuilt from ``copies``
(``cablegram reindex``):

- ``cables``: one narrow row per cable id, denormalised columns for filters
  and facets; ``cable_data`` the parsed cable as compressed schema JSON;
- side tables ``tags``, ``captions``, ``signers``, ``addressees``,
  ``defects`` keyed ``(cable, value)`` with a ``(value)`` index each, so
  filters are index lookups and facets are GROUP BYs over the matching set;
- ``refs``: one row per REF item, stored by *cited key* (never by cable
  rowid) so a cable ingested later is linked to earlier citers by a join;
- ``cable_keys``: the alias-normalised keys of each cable (see ids.py);
- ``fts``: contentless FTS5 (subject, body) with full detail (phrase queries
  need positions); rows are deleted with the FTS5 'delete' command;
- ``fts_public``: the same for exactly what the public reader may read
  (tiers.py), so its searches never touch hidden postings; ``cables.pub``
  and the ``public_*`` side tables do the same for its field filters.

Layout versions are numbered (``meta`` key ``schema``).  A new file gets
the baseline layout (version 3, the last one written before migrations
existed) and then every migration in :data:`MIGRATIONS`; a file written by an
earlier version gets only the migrations it lacks, in place, each in its own
transaction (:func:`migrate`).  So a new archive and an upgraded one have the
same layout by construction, and ``tests/archive/test_migrations.py`` opens
an archive written by layout 3 and checks that nothing is lost.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from cablegram.access.policy import caption_bits
from cablegram.archive.errors import ArchiveVersionError
from cablegram.archive.records import SIDE_COLUMNS
from cablegram.archive.sqlite import tiers
from cablegram.archive.sqlite.connection import transaction

PRAGMAS = (
    # 16 KiB pages pack several 2-6 KB compressed blobs per page (4 KiB pages
    # waste ~40% on overflow chains); only takes effect on a new file.
    "PRAGMA page_size=16384",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA mmap_size=268435456",
    "PRAGMA temp_store=MEMORY",
    # 256 MB of page cache: the narrow tables a search touches (cables rows,
    # the side tables) stay cached beside the FTS pages; p50 -15% on 250,000.
    "PRAGMA cache_size=-262144",
    "PRAGMA foreign_keys=OFF",
    # Web workers and CLI readers share the file: wait for a writer, don't fail.
    "PRAGMA busy_timeout=10000",
)

BASELINE_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cables (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created TEXT,
    year INTEGER,
    month TEXT,
    origin TEXT,
    class_rank INTEGER,
    classification TEXT,
    sbu INTEGER NOT NULL DEFAULT 0,
    precedence TEXT,
    subject TEXT,
    has_summary INTEGER NOT NULL DEFAULT 0,
    quality INTEGER NOT NULL,
    copy INTEGER NOT NULL,
    -- access facts (cablegram.access.facts): effective level (unknown = TOP
    -- SECRET), any SBU text, controlling captions as a bit mask (meta
    -- 'caption_bits'), 1 while a release decision is in force.
    access_rank INTEGER NOT NULL DEFAULT 4,
    access_sbu INTEGER NOT NULL DEFAULT 0,
    access_caps INTEGER NOT NULL DEFAULT 0,
    released INTEGER NOT NULL DEFAULT 0,
    -- first day the cable may be due for declassification review (E.O. line
    -- review date or the 25-year date); NULL when never (unclassified).
    review_due TEXT,
    tag_list TEXT NOT NULL DEFAULT '',
    caption_list TEXT NOT NULL DEFAULT ''
);
-- tag_list / caption_list: the tags and captions again, joined by
-- FACET_SEP, so facets count them from this row instead of two more B-tree
-- lookups per match.
-- The parsed cable apart from the narrow filter/facet row above, so scans
-- and rowid lookups over ``cables`` stay within few pages.
CREATE TABLE IF NOT EXISTS cable_data (rowid INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS cables_created ON cables(created);
CREATE INDEX IF NOT EXISTS cables_origin ON cables(origin);
CREATE INDEX IF NOT EXISTS cables_class ON cables(class_rank);
CREATE INDEX IF NOT EXISTS cables_year ON cables(year, month);
CREATE TABLE IF NOT EXISTS copies (
    rowid INTEGER PRIMARY KEY,
    cable INTEGER NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    format TEXT NOT NULL,
    path TEXT,
    locator TEXT,
    metadata TEXT NOT NULL,
    source_defects TEXT NOT NULL,
    raw BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS copies_cable ON copies(cable);
CREATE TABLE IF NOT EXISTS tags (cable INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (cable, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tags_value ON tags(value);
CREATE TABLE IF NOT EXISTS captions (cable INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (cable, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS captions_value ON captions(value);
CREATE TABLE IF NOT EXISTS signers (cable INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (cable, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS signers_value ON signers(value);
CREATE TABLE IF NOT EXISTS defects (cable INTEGER NOT NULL, value TEXT NOT NULL,
    n INTEGER NOT NULL, PRIMARY KEY (cable, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS defects_value ON defects(value);
CREATE TABLE IF NOT EXISTS addressees (cable INTEGER NOT NULL, kind TEXT NOT NULL,
    value TEXT NOT NULL, PRIMARY KEY (cable, kind, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS addressees_value ON addressees(kind, value);
CREATE TABLE IF NOT EXISTS refs (cable INTEGER NOT NULL, ord INTEGER NOT NULL,
    label TEXT, text TEXT NOT NULL, cited_id TEXT, cited_key TEXT,
    PRIMARY KEY (cable, ord)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS refs_cited ON refs(cited_key);
CREATE TABLE IF NOT EXISTS cable_keys (key TEXT NOT NULL, cable INTEGER NOT NULL,
    PRIMARY KEY (key, cable)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cable_keys_cable ON cable_keys(cable);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    subject, body, content='', tokenize='unicode61 remove_diacritics 2');
CREATE INDEX IF NOT EXISTS cables_review ON cables(review_due) WHERE review_due IS NOT NULL;
-- The access rule's side tables (cablegram.access.policy.access_rows).
CREATE TABLE IF NOT EXISTS access_captions (cable_rowid INTEGER NOT NULL, caption TEXT NOT NULL,
    PRIMARY KEY (cable_rowid, caption)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS access_addressees (cable_rowid INTEGER NOT NULL, role TEXT NOT NULL,
    routing_indicator TEXT, name TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS access_addressees_by_cable
    ON access_addressees(cable_rowid, routing_indicator);
CREATE TABLE IF NOT EXISTS access_offices (cable_rowid INTEGER NOT NULL, office TEXT NOT NULL,
    PRIMARY KEY (cable_rowid, office)) WITHOUT ROWID;
-- Release views of a cable: level 7 = the public view under the release
-- decision in force; 0-4 = what a reader cleared to that level sees under the
-- partial-release search policy.  Their text is indexed in fts_views under
-- rowid cable * 8 + level, so a reader searches exactly what it may read.
CREATE TABLE IF NOT EXISTS views (cable INTEGER NOT NULL, level INTEGER NOT NULL,
    subject TEXT, data BLOB NOT NULL, PRIMARY KEY (cable, level)) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS fts_views USING fts5(
    subject, body, content='', tokenize='unicode61 remove_diacritics 2');
-- Kept across reindex (they are not derived from the copies).
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password_hash TEXT,
    clearance TEXT NOT NULL,
    sbu INTEGER NOT NULL DEFAULT 0,
    captions TEXT NOT NULL DEFAULT '[]',
    stations TEXT NOT NULL DEFAULT '[]',
    offices TEXT NOT NULL DEFAULT '[]',
    owner INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
    rowid INTEGER PRIMARY KEY,
    cable_id TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    who TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    level TEXT NOT NULL,
    sbu INTEGER NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_cable ON decisions(cable_id);
CREATE TABLE IF NOT EXISTS audit (
    rowid INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    interface TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- Recent sign-in attempts per client address (cablegram.archive.users.
-- SignInAttempts), here so every web worker process counts the same ones;
-- rows older than the limit's window are deleted as new ones come.  Transient:
-- not carried across reindex.  Added to schema 3 without a version change
-- (older archives gain it, empty, when next opened).
CREATE TABLE IF NOT EXISTS signin_attempts (rowid INTEGER PRIMARY KEY,
    client TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS signin_attempts_client ON signin_attempts(client, at);
"""

BASELINE = 3  # the layout of BASELINE_DDL


def _v4_history(conn: sqlite3.Connection) -> None:
    """The migration history; where each copy's lines are in its file
    (``copies.line_map``: a re-parse, by reindex or copy, cites the same
    lines as the first); and for layout-3 files written before parts of
    layout 3 existed (it grew in place: ``signin_attempts``, the facet lists
    ``tag_list``/``caption_list``), those parts."""
    run_script(conn, BASELINE_DDL)  # every statement IF NOT EXISTS
    conn.execute("ALTER TABLE copies ADD COLUMN line_map TEXT")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_history (version INTEGER PRIMARY KEY,"
        " description TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    columns = {r[1] for r in conn.execute("PRAGMA table_info(cables)")}
    if "tag_list" in columns:
        return
    for col in ("tag_list", "caption_list"):
        conn.execute(f"ALTER TABLE cables ADD COLUMN {col} TEXT NOT NULL DEFAULT ''")
    for col, table in (("tag_list", "tags"), ("caption_list", "captions")):
        conn.execute(
            f"UPDATE cables SET {col} = coalesce((SELECT group_concat(value, char(31))"
            f" FROM (SELECT value FROM {table} WHERE cable = cables.rowid ORDER BY value)), '')"
        )


def _v5_side_file(conn: sqlite3.Connection) -> None:
    """Sign-in attempts are counted in the side file (sidefile.py) now; reads
    recorded here before stay in ``audit``, read together with the new ones."""
    conn.execute("DROP TABLE IF EXISTS signin_attempts")


def _v6_network(conn: sqlite3.Connection) -> None:
    """The cable network's state (archive/sqlite/network.py)."""
    run_script(conn, NETWORK_DDL)


NETWORK_DDL = """
-- Directory entries (station, collective, office, person) as JSON, by kind and key.
CREATE TABLE IF NOT EXISTS network_entries (kind TEXT NOT NULL, key TEXT NOT NULL,
    data TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS network_drafts (id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL, state TEXT NOT NULL, drafter TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS network_drafts_state ON network_drafts(state);
CREATE TABLE IF NOT EXISTS network_clearances (rowid INTEGER PRIMARY KEY,
    draft INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS network_clearances_draft ON network_clearances(draft);
CREATE TABLE IF NOT EXISTS network_events (rowid INTEGER PRIMARY KEY,
    draft INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS network_events_draft ON network_events(draft);
-- Where each series stands: the last serial an origin used in a year, the
-- last number from an origin to an addressee.
CREATE TABLE IF NOT EXISTS network_serials (origin TEXT NOT NULL, year INTEGER NOT NULL,
    last INTEGER NOT NULL, PRIMARY KEY (origin, year)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS network_numbers (origin TEXT NOT NULL, addressee TEXT NOT NULL,
    last INTEGER NOT NULL, PRIMARY KEY (origin, addressee)) WITHOUT ROWID;
-- Release records: a released cable is never edited (a correction adds one).
CREATE TABLE IF NOT EXISTS network_releases (rowid INTEGER PRIMARY KEY,
    cable_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS network_releases_cable ON network_releases(cable_id);
CREATE TRIGGER IF NOT EXISTS network_releases_no_update BEFORE UPDATE ON network_releases
    BEGIN SELECT RAISE(ABORT, 'a release record is never edited'); END;
CREATE TRIGGER IF NOT EXISTS network_releases_no_delete BEFORE DELETE ON network_releases
    BEGIN SELECT RAISE(ABORT, 'a release record is never removed'); END;
"""


def _v8_public_tier(conn: sqlite3.Connection) -> None:
    """The public tier's full-text index (tiers.py), built in place from the
    stored cables and views, so the public reader never reads hidden postings."""
    tiers.create(conn)


def _v9_public_fields(conn: sqlite3.Connection) -> None:
    """The public tier's field lookups (tiers.py): ``cables.pub``, the public
    cables' side rows and indexes of their filtered columns, so the public
    reader's field filters never read a hidden cable's rows."""
    tiers.create_fields(conn)


DELIVERY_DDL = """
-- One row per transmission received: the key makes receipt idempotent for ever.
CREATE TABLE IF NOT EXISTS delivery_receipts (origin TEXT NOT NULL, cable_id TEXT NOT NULL,
    section INTEGER NOT NULL, addressee TEXT NOT NULL, received_at TEXT NOT NULL,
    telegram TEXT NOT NULL, PRIMARY KEY (origin, cable_id, section, addressee)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS delivery_receipts_cable ON delivery_receipts(cable_id, addressee);
-- Inbox entries (station, office, person): JSON, and what they are found and ordered by.
CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY, cable_id TEXT NOT NULL,
    station TEXT NOT NULL, kind TEXT NOT NULL, holder TEXT NOT NULL, rank INTEGER NOT NULL,
    niact INTEGER NOT NULL, received_at TEXT NOT NULL, ack_open INTEGER NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS deliveries_holder
    ON deliveries(kind, holder, rank DESC, niact DESC, received_at);
CREATE INDEX IF NOT EXISTS deliveries_cable ON deliveries(cable_id, station);
CREATE INDEX IF NOT EXISTS deliveries_open ON deliveries(ack_open) WHERE ack_open = 1;
CREATE TABLE IF NOT EXISTS delivery_actions (rowid INTEGER PRIMARY KEY,
    cable_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS delivery_actions_cable ON delivery_actions(cable_id);
CREATE TABLE IF NOT EXISTS delivery_subscriptions (station TEXT NOT NULL, office TEXT NOT NULL,
    tag TEXT NOT NULL, PRIMARY KEY (station, office, tag));
CREATE TABLE IF NOT EXISTS delivery_rosters (station TEXT NOT NULL, position INTEGER NOT NULL,
    user TEXT NOT NULL, PRIMARY KEY (station, position)) WITHOUT ROWID;
-- Per-addressee numbers a station has seen, and the originator's log of what it sent.
CREATE TABLE IF NOT EXISTS delivery_numbers (origin TEXT NOT NULL, addressee TEXT NOT NULL,
    number INTEGER NOT NULL, seen_at TEXT NOT NULL,
    PRIMARY KEY (origin, addressee, number)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS delivery_sent (rowid INTEGER PRIMARY KEY, origin TEXT NOT NULL,
    addressee TEXT NOT NULL, number INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS delivery_sent_number ON delivery_sent(origin, addressee, number);
-- Transmissions waiting at a relay, or for the broker (queue 'out').
CREATE TABLE IF NOT EXISTS delivery_queue (seq INTEGER PRIMARY KEY, queue TEXT NOT NULL,
    origin TEXT NOT NULL, cable_id TEXT NOT NULL, section INTEGER NOT NULL,
    addressee TEXT NOT NULL, rank INTEGER NOT NULL, data TEXT NOT NULL,
    UNIQUE (queue, origin, cable_id, section, addressee));
CREATE INDEX IF NOT EXISTS delivery_queue_order ON delivery_queue(queue, rank DESC, seq);
"""


def _v7_deliveries(conn: sqlite3.Connection) -> None:
    """The cable network's deliveries (archive/sqlite/delivery.py)."""
    run_script(conn, DELIVERY_DDL)


Migration = tuple[int, str, Callable[[sqlite3.Connection], None]]

# (version, what it changes, how): applied in order to files below ``version``.
MIGRATIONS: list[Migration] = [
    (4, "migration history; copies.line_map; facet lists for early layout-3 files", _v4_history),
    (5, "sign-in attempts move to the side file", _v5_side_file),
    (6, "the cable network: directory, drafts, clearances, counters, releases", _v6_network),
    (
        7,
        "the cable network's deliveries: receipts, inboxes, actions, numbers, queues",
        _v7_deliveries,
    ),
    (8, "full-text index of the public tier (fts_public, public_tier)", _v8_public_tier),
    (9, "field lookups of the public tier (cables.pub, public_* side rows)", _v9_public_fields),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def _version(conn: sqlite3.Connection) -> int | None:
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone()
    row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone() if has_meta else None
    return None if row is None else int(row[0])


def _applied(conn: sqlite3.Connection) -> set[int]:
    """The migrations a file has had: those in its history (a step numbered
    below the file's version but written later, on another branch of the
    code, is still applied), and every step up to a file's version for files
    from before the history existed."""
    has_history = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'schema_history'"
    ).fetchone()
    if not has_history:
        return set(range(1, (_version(conn) or 0) + 1))
    return {row[0] for row in conn.execute("SELECT version FROM schema_history")}


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Each statement of ``script`` inside the caller's transaction
    (``executescript`` would commit it first)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


def _create(conn: sqlite3.Connection) -> None:
    run_script(conn, BASELINE_DDL)
    conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(BASELINE),))
    # FTS5 leaf pages sized to the database page (default 4050 bytes).
    conn.execute("INSERT INTO fts (fts, rank) VALUES ('pgsz', 16000)")
    conn.execute("INSERT INTO fts_views (fts_views, rank) VALUES ('pgsz', 16000)")
    # Terms are buffered in memory up to this size before a segment is
    # written: fewer, larger segments make bulk ingest ~30% cheaper.
    conn.execute("INSERT INTO fts (fts, rank) VALUES ('hashsize', 67108864)")
    conn.execute(
        "INSERT OR IGNORE INTO meta VALUES ('caption_bits', ?)", (json.dumps(caption_bits()),)
    )


def migrate(conn: sqlite3.Connection, path: str) -> None:
    """Bring the file to :data:`SCHEMA_VERSION`: create it, or apply the
    migrations it lacks (each in one transaction, re-checked inside it, so
    processes opening the same file at once apply each step once)."""
    version = _version(conn)
    if version is not None and version < BASELINE:
        raise ArchiveVersionError(path, str(version), SCHEMA_VERSION, too_old=True)
    if version is not None and version > SCHEMA_VERSION:
        raise ArchiveVersionError(path, str(version), SCHEMA_VERSION)
    if version is None:
        with transaction(conn):
            if _version(conn) is None:
                _create(conn)
    for number, description, step in MIGRATIONS:
        if number in _applied(conn):
            continue
        with transaction(conn):
            if number in _applied(conn):  # another process got there first
                continue
            step(conn)
            conn.execute(
                "INSERT OR REPLACE INTO schema_history VALUES (?, ?, ?)",
                (number, description, datetime.now(UTC).isoformat(timespec="seconds")),
            )
            conn.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema'",
                (str(max(number, _version(conn) or 0)),),
            )


FACET_SEP = "\x1f"  # joins tag_list / caption_list (ASCII unit separator: no tag holds it)

# Tables that are records in their own right, not derived from copies:
# ``reindex`` and ``copy`` carry them over.
KEPT_TABLES = ("users", "decisions", "audit")

# Side tables holding one value per row, keyed ``cable``.
SIDE_TABLES = tuple(SIDE_COLUMNS)
# Access side tables, keyed by ``cable_rowid``.
ACCESS_TABLES = ("access_captions", "access_addressees", "access_offices")
