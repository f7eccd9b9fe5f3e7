"""The archive backends under test, and helpers that reach below the store.

Every archive test runs on SQLite and on PostgreSQL.  PostgreSQL is a real
server (``CABLEGRAM_TEST_POSTGRES``, default the local one with trust
authentication); each test gets a schema of its own in one test database,
dropped afterwards.  When the server cannot be reached the PostgreSQL tests
fail (they never skip): CI starts the server (``.ci/run``).

Tests check some things only the database can show (a stored hash, a table
kept small, an append-only trigger): :func:`sql_rows` runs one statement on
the archive's own connection, written with ``?`` placeholders."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from cablegram.archive import Archive

POSTGRES = os.environ.get("CABLEGRAM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
TEST_DATABASE = "cablegram_test"
# The backends the archive has; PostgreSQL joins when its package lands.
BACKENDS = ("sqlite", "postgres") if find_spec("cablegram.archive.postgres") else ("sqlite",)


def postgres_database() -> str:
    """The URL of the test database (created when missing)."""
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (TEST_DATABASE,)
        ).fetchone()
        if not exists:  # (another test process may make it meanwhile)
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(f'CREATE DATABASE "{TEST_DATABASE}"')
    return f"{POSTGRES}/{TEST_DATABASE}"


def _drop_schemas(url: str, schema: str) -> None:
    """Drop ``schema`` and the ones made beside it (``<schema>_reindex``)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for (found,) in conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"{schema}%",)
        ).fetchall():
            conn.execute(f'DROP SCHEMA IF EXISTS "{found}" CASCADE')


def new_location(backend: str, tmp_path: Path, name: str, request: pytest.FixtureRequest) -> str:
    """A new, empty archive location on ``backend``, removed after the test."""
    if backend == "sqlite":
        return str(tmp_path / f"{name}.sqlite")
    url = request.getfixturevalue("postgres_database")
    schema = f"t_{name}_{uuid.uuid4().hex[:12]}".lower()
    request.addfinalizer(lambda: _drop_schemas(url, schema))
    return f"{url}?schema={schema}"


@contextlib.contextmanager
def scratch_location(backend: str, folder: str | Path, name: str) -> Iterator[str]:
    """A new archive location removed on leaving (for tests that make many,
    such as one per Hypothesis example)."""
    if backend == "sqlite":
        yield str(Path(folder) / f"{name}.sqlite")
        return
    url = postgres_database()
    schema = f"t_{name}_{uuid.uuid4().hex[:12]}".lower()
    try:
        yield f"{url}?schema={schema}"
    finally:
        _drop_schemas(url, schema)


def sql_rows(
    archive: Archive, sql: str, params: tuple[Any, ...] = (), *, side: bool = False
) -> list[tuple[Any, ...]]:
    """Rows of ``sql``; ``side``: on SQLite, in the archive's side file
    (recorded reads, sign-in attempts; one database on PostgreSQL)."""
    store: Any = archive.store
    if archive.server:
        with store.pool.connection() as conn:
            return [tuple(r) for r in conn.execute(sql.replace("?", "%s"), params).fetchall()]
    conn = store.side if side else store.conn
    return [tuple(r) for r in conn.execute(sql, params).fetchall()]


def sql_execute(archive: Archive, sql: str, params: tuple[Any, ...] = ()) -> None:
    store: Any = archive.store
    if archive.server:
        with store.pool.connection() as conn:
            conn.execute(sql.replace("?", "%s"), params)
        return
    store.conn.execute(sql, params)


# Rows that must point at something (cables <-> copies <-> derived rows).
_ORPHANS = (
    "SELECT count(*) FROM cables c WHERE NOT EXISTS"
    " (SELECT 1 FROM copies p WHERE p.rowid = c.copy AND p.cable = c.rowid)",
    "SELECT count(*) FROM copies p WHERE NOT EXISTS (SELECT 1 FROM cables c WHERE c.rowid = p.cable)",
    "SELECT count(*) FROM tags t WHERE NOT EXISTS (SELECT 1 FROM cables c WHERE c.rowid = t.cable)",
    "SELECT count(*) FROM refs t WHERE NOT EXISTS (SELECT 1 FROM cables c WHERE c.rowid = t.cable)",
    "SELECT count(*) FROM cable_keys k WHERE NOT EXISTS"
    " (SELECT 1 FROM cables c WHERE c.rowid = k.cable)",
    "SELECT count(*) FROM cables c WHERE NOT EXISTS"
    " (SELECT 1 FROM cable_data d WHERE d.rowid = c.rowid)",
    "SELECT count(*) FROM (SELECT id FROM cables GROUP BY id HAVING count(*) > 1) d",
    "SELECT count(*) FROM (SELECT sha256 FROM copies GROUP BY sha256 HAVING count(*) > 1) d",
)


def integrity_problems(archive: Archive) -> list[str]:
    """What is inconsistent in an archive's stored rows (empty: nothing)."""
    problems = [sql for sql in _ORPHANS if sql_rows(archive, sql)[0][0]]
    if archive.server:
        cables = sql_rows(archive, "SELECT count(*) FROM cables")[0][0]
        indexed = sql_rows(
            archive, "SELECT count(*) FROM fts f JOIN cables c ON c.rowid = f.rowid"
        )[0][0]
        if indexed != cables or sql_rows(archive, "SELECT count(*) FROM fts")[0][0] != cables:
            problems.append(f"{indexed} cables in the full-text index, {cables} stored")
    else:
        if (check := sql_rows(archive, "PRAGMA integrity_check")[0][0]) != "ok":
            problems.append(f"integrity_check: {check}")
        cables = sql_rows(archive, "SELECT count(*) FROM cables")[0][0]
        indexed = sql_rows(archive, "SELECT count(*) FROM fts_docsize")[0][0]
        if indexed != cables:
            problems.append(f"{indexed} cables in the full-text index, {cables} stored")
    return problems
