"""The SQLite layout of an archive.

``copies`` is the system of record: the telegram text of every copy read
(zlib), with its source facts.  Everything else is derived from the best copy
of each cable and can be rebuilt from ``copies`` (``cablegram reindex``):

- ``cables``: one narrow row per cable id, denormalised columns for filters
  and facets; ``cable_data`` the parsed cable as zlib-compressed schema JSON;
- side tables ``tags``, ``captions``, ``signers``, ``addressees``,
  ``defects`` keyed ``(cable, value)`` with a ``(value)`` index each, so
  filters are index lookups and facets are GROUP BYs over the matching set;
- ``refs``: one row per REF item, stored by *cited key* (never by cable
  rowid) so a cable ingested later is linked to earlier citers by a join;
- ``cable_keys``: the alias-normalised keys of each cable (see ids.py);
- ``fts``: contentless FTS5 (subject, body) with full detail (phrase queries
  need positions); rows are deleted with the FTS5 'delete' command.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = "2"

PRAGMAS = (
    # 16 KiB pages pack several 2-6 KB compressed blobs per page (4 KiB pages
    # waste ~40% on overflow chains); only takes effect on a new file.
    "PRAGMA page_size=16384",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA mmap_size=268435456",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-65536",
    "PRAGMA foreign_keys=OFF",
)

DDL = """
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
    copy INTEGER NOT NULL
);
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
"""

# Side tables holding one value per row: (table, column) used by writers,
# facets and filters alike.
SIDE_TABLES = ("tags", "captions", "signers", "defects", "addressees", "refs", "cable_keys")


def connect(path: str) -> sqlite3.Connection:
    """An open connection with the archive's PRAGMAs and schema in place."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    conn.executescript(DDL)
    row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
    if row is None:
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        # FTS5 leaf pages sized to the database page (default 4050 bytes).
        conn.execute("INSERT INTO fts (fts, rank) VALUES ('pgsz', 16000)")
    elif row[0] != SCHEMA_VERSION:
        raise RuntimeError(
            f"{path}: archive schema {row[0]}, this cablegram needs {SCHEMA_VERSION}"
        )
    return conn
