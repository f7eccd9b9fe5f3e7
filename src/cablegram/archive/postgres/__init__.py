"""The PostgreSQL backend: an archive in a schema of a database server.  All
of the archive's PostgreSQL SQL lives in this package, one module per
concern as in archive/sqlite/ (see store.py)."""

from cablegram.archive.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
