"""Opening an SQLite archive file, and its write transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["connect", "open_read_only", "transaction"]


def connect(path: str, pragmas: tuple[str, ...]) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit, see
    :func:`transaction`), usable from the web server's threads."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in pragmas:
        conn.execute(pragma)
    return conn


def open_read_only(path: str) -> sqlite3.Connection:
    """A plain read connection to any layout version (``reindex`` reads ``copies``)."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: all of it or (on any error) none.  Inside an
    open transaction it joins it (the outermost one commits)."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
