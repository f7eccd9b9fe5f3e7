"""The embedded SQLite backend: an archive in one file.  All of the archive's
SQLite SQL lives in this package (one module per concern, see store.py)."""

from cablegram.archive.sqlite.store import SQLiteStore

__all__ = ["SQLiteStore"]
