"""Shared fixtures: where the real-cable corpus lives.

The corpus is ``$CABLEGRAM_CORPUS`` if set, else ``<repo>/../shared/corpus``;
tests that need it are skipped cleanly when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import backends

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
# (tests/backends.py: a schema per test in one test database on a real server;
# the PostgreSQL tests fail, never skip, when the server cannot be reached)


@pytest.fixture(scope="session")
def postgres_database() -> str:
    """The URL of the test database (created once)."""
    return backends.postgres_database()


@pytest.fixture(params=backends.BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def location(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A new archive location on each backend (``Archive(location)`` creates it)."""
    return backends.new_location(backend, tmp_path, "a", request)
