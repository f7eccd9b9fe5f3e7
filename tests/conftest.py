"""Shared fixtures: where the real-cable corpus lives.

The corpus is ``$CABLEGRAM_CORPUS`` if set, else ``<repo>/../shared/corpus``;
tests that need it are skipped cleanly when it is absent.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "src" / "cablegram" / "data" / "examples" / "seeds"


def corpus_root() -> Path | None:
    env = os.environ.get("CABLEGRAM_CORPUS")
    root = Path(env) if env else REPO.parent / "shared" / "corpus"
    return root if root.is_dir() else None


@pytest.fixture(scope="session")
def corpus() -> Path:
    root = corpus_root()
    if root is None:
        pytest.skip("cable corpus not found (set CABLEGRAM_CORPUS)")
    return root


@pytest.fixture(scope="session")
def dev_corpus(corpus: Path) -> Path:
    dev = corpus / "dev"
    if not (dev / "INDEX.tsv").is_file():
        pytest.skip("dev corpus not found")
    return dev


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


# -- archive backends: every archive test runs on SQLite and on PostgreSQL --
# PostgreSQL is a real server (CABLEGRAM_TEST_POSTGRES, default the local one
# with trust authentication); each test gets a schema of its own in one test
# database, dropped afterwards.  When the server cannot be reached the
# PostgreSQL tests fail (they never skip): CI starts the server (.ci/run).
POSTGRES = os.environ.get("CABLEGRAM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
TEST_DATABASE = "cablegram_test"
BACKENDS = ("sqlite", "postgres")


@pytest.fixture(scope="session")
def postgres_database() -> str:
    """The URL of the test database (created once)."""
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (TEST_DATABASE,)
        ).fetchone()
        if not exists:  # (another test process may make it meanwhile)
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(f'CREATE DATABASE "{TEST_DATABASE}"')
    return f"{POSTGRES}/{TEST_DATABASE}"


def new_location(backend: str, tmp_path: Path, name: str, request: pytest.FixtureRequest) -> str:
    """A new, empty archive location on ``backend``, removed after the test."""
    if backend == "sqlite":
        return str(tmp_path / f"{name}.sqlite")
    import uuid

    import psycopg

    url = request.getfixturevalue("postgres_database")
    schema = f"t_{name}_{uuid.uuid4().hex[:12]}".lower()

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    request.addfinalizer(drop)
    return f"{url}?schema={schema}"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def location(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A new archive location on each backend (``Archive(location)`` creates it)."""
    return new_location(backend, tmp_path, "a", request)
