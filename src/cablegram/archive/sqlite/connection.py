"""Opening an SQLite archive file, and its write transactions."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from cablegram.archive.errors import ReadOnlyArchive

__all__ = ["ArchiveConnection", "connect", "open_read_only", "transaction", "writable"]


class ArchiveConnection(sqlite3.Connection):
    """A connection that knows its file and whether it may write it."""

    location = ""
    read_only = False


def writable(path: str) -> bool:
    """Whether the archive at ``path`` can be written (the file, and its folder
    for the write-ahead log); a file not yet made is writable if its folder is."""
    folder = os.path.dirname(os.path.abspath(path))
    return os.access(folder, os.W_OK) and (not os.path.exists(path) or os.access(path, os.W_OK))


def connect(path: str, pragmas: tuple[str, ...], *, read_only: bool = False) -> ArchiveConnection:
    """A connection in autocommit mode (transactions are explicit, see
    :func:`transaction`), usable from the web server's threads.  ``read_only``:
    the file is opened as it is (immutable: no locks, no log) and every write
    transaction is refused with :class:`ReadOnlyArchive`."""
    if read_only:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, isolation_level=None,
                               check_same_thread=False, factory=ArchiveConnection)  # fmt: skip
        pragmas = tuple(p for p in pragmas if "journal_mode" not in p)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                               factory=ArchiveConnection)  # fmt: skip
    conn.location, conn.read_only = path, read_only
    for pragma in pragmas:
        _execute_when_free(conn, pragma)
    return conn  # type: ignore[return-value]


# Connections opening a file that another is creating or turning to WAL at the
# same moment (two web workers' first requests, each opening the side file)
# can be refused at once with "database is locked": SQLite does not wait when
# waiting could deadlock, and expects the caller to try again.
_OPEN_ATTEMPTS = 100  # 10 ms apart, then 100 ms: about busy_timeout's 10 s in all


def _execute_when_free(conn: sqlite3.Connection, sql: str) -> None:
    for attempt in range(_OPEN_ATTEMPTS):
        try:
            conn.execute(sql)
            return
        except sqlite3.OperationalError as error:
            busy = getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or attempt == _OPEN_ATTEMPTS - 1:
                raise
            time.sleep(0.01 if attempt < 10 else 0.1)


def open_read_only(path: str) -> sqlite3.Connection:
    """A plain read connection to any layout version (``reindex`` reads ``copies``)."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: all of it or (on any error) none.  Inside an
    open transaction it joins it (the outermost one commits)."""
    if getattr(conn, "read_only", False):
        raise ReadOnlyArchive(
            f"{conn.location}: the archive is read-only (its file or folder cannot be "  # type: ignore[attr-defined]
            "written): searching and reading work, recording does not"
        )
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # (SQLite may have rolled back itself: a full disk)
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
