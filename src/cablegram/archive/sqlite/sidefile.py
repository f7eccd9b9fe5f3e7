"""The archive's side file (``<archive>-audit``): records that must never wait
for the archive's writer.

SQLite lets one connection write a file at a time, and an ingest holds that
lock while it commits a batch (a second or more).  A read of a restricted
cable must be recorded, and a sign-in attempt counted, without waiting for
that: so both go to a small file of their own beside the archive, with its
own write lock, written in short transactions of their own.  Reads recorded
here are part of the audit log (``SQLiteAudit`` queries both files); the
file is copied with the archive by ``reindex`` and ``cablegram copy``.
"""

from __future__ import annotations

import os
import sqlite3

from cablegram.archive.sqlite.connection import ArchiveConnection, connect

SUFFIX = "-audit"
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=10000")
VERSION = 2  # 2: ended_sessions
DDL = """
CREATE TABLE IF NOT EXISTS reads (
    rowid INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    interface TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS reads_at ON reads(at);
CREATE TRIGGER IF NOT EXISTS reads_no_update BEFORE UPDATE ON reads
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS reads_no_delete BEFORE DELETE ON reads
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- Recent sign-in attempts per client address (users.SignInAttempts): every
-- web worker process counts the same ones; old rows are deleted as new ones
-- come.  Transient: not carried over by reindex or copy.
CREATE TABLE IF NOT EXISTS signin_attempts (rowid INTEGER PRIMARY KEY,
    client TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS signin_attempts_client ON signin_attempts(client, at);
-- Sessions ended by signing out before they expired (web.auth: a digest of the
-- token, and its expiry, after which the row is deleted): a signed token alone
-- cannot be taken back.  Transient like signin_attempts.
CREATE TABLE IF NOT EXISTS ended_sessions (digest TEXT PRIMARY KEY, expires REAL NOT NULL);
"""


IN_MEMORY = ":memory:"


def side_path(archive_path: str) -> str:
    return archive_path + SUFFIX


def _in_memory(archive_path: str) -> ArchiveConnection:
    conn = connect(IN_MEMORY, ())
    conn.executescript(DDL)
    conn.location = archive_path
    return conn


def open_side(archive_path: str, *, read_only: bool = False) -> sqlite3.Connection:
    """The side file of the archive at ``archive_path``, created when missing.
    A read-only archive's side file is read as it is (or, when there is none,
    an empty one in memory): its records are read, new ones refused.  An
    archive in memory has its side file in memory too (it is not a file name:
    ``:memory:-audit`` would be left in the working folder)."""
    if archive_path == IN_MEMORY:
        return _in_memory(archive_path)
    path = side_path(archive_path)
    if read_only:
        if os.path.exists(path):
            return connect(path, PRAGMAS, read_only=True)
        conn = _in_memory(archive_path)
        conn.read_only = True
        return conn
    conn = connect(path, PRAGMAS)
    if conn.execute("PRAGMA user_version").fetchone()[0] < VERSION:
        conn.executescript(DDL)  # autocommit: nothing is pending here
        conn.execute(f"PRAGMA user_version={VERSION}")
    return conn
