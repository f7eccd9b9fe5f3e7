"""Connecting to a PostgreSQL archive, and its write transactions.

An archive is one schema of one database: ``postgresql://user@host:port/db``
(the schema ``public``) or ``...?schema=name``.  Opening it for writing
creates the database and the schema when missing (``create=True``).
Connections are in autocommit mode; :func:`transaction` makes the enclosed
statements one transaction, joining one already open (the outermost
commits), as on SQLite.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.rows import Row

from cablegram.archive.errors import ArchiveNotFound, NotAnArchive, ReadOnlyArchive

__all__ = [
    "Connections",
    "Location",
    "connect",
    "int_array",
    "one_row",
    "parse_location",
    "transaction",
]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True, slots=True)
class Location:
    """Where an archive is: the libpq URL of its database and its schema."""

    url: str  # without the ``schema`` parameter
    database: str
    schema: str

    def with_schema(self, schema: str) -> str:
        parts = urlsplit(self.url)
        query = urlencode([*parse_qsl(parts.query), ("schema", schema)])
        return urlunsplit(parts._replace(query=query))


def parse_location(location: str) -> Location:
    """Split ``location`` into its database URL and schema (``public`` by default)."""
    parts = urlsplit(location)
    params = parse_qsl(parts.query)
    schema = dict(params).get("schema", "public")
    if not _NAME.match(schema):
        raise NotAnArchive(f"{location}: {schema!r} is not a schema name (letters, digits, _)")
    database = parts.path.lstrip("/")
    if not database:
        raise NotAnArchive(f"{location}: the URL names no database (postgresql://host/dbname)")
    query = urlencode([(k, v) for k, v in params if k != "schema"])
    return Location(urlunsplit(parts._replace(query=query)), database, schema)


def _create_database(where: Location) -> None:
    server = urlsplit(where.url)._replace(path="/postgres")
    with psycopg.connect(urlunsplit(server), autocommit=True, connect_timeout=10) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (where.database,)
        ).fetchone()
        if not found:
            # (another process may make it meanwhile)
            with contextlib.suppress(
                psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation
            ):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(where.database)))


def connect(location: str, *, create: bool) -> psycopg.Connection:
    """An autocommit connection whose ``search_path`` is the archive's schema
    (created, with its database, when ``create`` and missing)."""
    where = parse_location(location)
    try:
        conn = psycopg.connect(where.url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        missing = f'database "{where.database}" does not exist' in str(error)
        if not missing:
            raise NotAnArchive(f"{location}: cannot connect ({error})".strip()) from None
        if not create:
            raise ArchiveNotFound(f"{location}: no such archive (no database)") from None
        _create_database(where)
        conn = psycopg.connect(where.url, autocommit=True, connect_timeout=10)
    exists = conn.execute(
        "SELECT 1 FROM pg_namespace WHERE nspname = %s", (where.schema,)
    ).fetchone()
    if not exists:
        if not create:
            conn.close()
            raise ArchiveNotFound(f"{location}: no such archive (no schema {where.schema})")
        # (processes opening a new archive at once may race to make it)
        with contextlib.suppress(psycopg.errors.UniqueViolation):
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(where.schema))
            )
    conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(where.schema)))
    # An archive's queries are many and short: compiling a plan to machine
    # code once its cost estimate crosses jit_above_cost (a broad search, a
    # facet count) took 15-20 ms of queries that run in tens of milliseconds.
    conn.execute("SET jit = off")
    # psycopg prepares a statement on the server once it has run five times,
    # and PostgreSQL then may plan it once for any parameters: a plan that
    # cannot see how many cables a word or phrase matches, which took a
    # search that runs in 0.1 s to 1-2 s on 250,000 cables.  Every execution
    # is planned with its own values (the prepared parse is still reused).
    conn.execute("SET plan_cache_mode = force_custom_plan")
    # The default cost of a random page read (4.0) models a spinning disk; an
    # archive's pages are in memory or on flash.  With it, showing the first
    # page of a 4,617-cable result scanned all of `cables` for a hash join
    # (190 ms on 250,000 cables) rather than look up those rows (37 ms).
    conn.execute("SET random_page_cost = 1.1")
    # A parallel plan's workers take the cores that other searches (web
    # workers, ingest) need, and starting them costs milliseconds a search:
    # on the 250,000-cable benchmark the mix's p95 fell from 233 to 116-160 ms
    # with both settings (2 cores, beside an ingest).
    conn.execute("SET max_parallel_workers_per_gather = 0")
    return conn


class Connections:
    """The store's connection, handed out one user at a time (the web
    server's threads share a store): ``with pool.connection() as conn``."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn: psycopg.Connection | None = conn
        self.lock = threading.RLock()

    @property
    def conn(self) -> psycopg.Connection:
        assert self._conn is not None  # only a lazy subclass starts without one
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        with self.lock:
            yield self.conn


def one_row(cursor: psycopg.Cursor[Row], what: str) -> Row:
    """The row a statement returns (an aggregate's, a row the caller knows
    is there); a missing one is an error naming ``what``, not a TypeError
    from indexing None."""
    row = cursor.fetchone()
    if row is None:
        raise LookupError(f"no row: {what}")
    return row


def int_array(values: Iterable[int]) -> str:
    """``values`` as the text of a ``bigint[]``, bound as ``%s::bigint[]``.

    psycopg dumps a list element by element in Python: for the thousands of
    rowids a search hands back to the server (a result's matches, a page's,
    a facet sample) the text is written and parsed several times faster."""
    return "{" + ",".join(map(str, values)) + "}"


@contextmanager
def transaction(conn: psycopg.Connection, *, read_only: bool = False,
                where: str = "") -> Iterator[psycopg.Connection]:  # fmt: skip
    """One write transaction: all of it or (on any error) none; inside an
    open one it joins it."""
    if read_only:
        raise ReadOnlyArchive(
            f"{where}: the archive is opened read-only: searching and reading work, "
            "recording does not"
        )
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        yield conn
        return
    with conn.transaction():
        yield conn
