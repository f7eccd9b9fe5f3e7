"""What only the PostgreSQL backend has to get right: where an archive lives
(a database, created on the first write; a schema of it), read-only
opening, and reindex swapping a fresh schema in."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest

from backends import POSTGRES, new_location
from cablegram.archive import Archive
from cablegram.archive.errors import ArchiveNotFound, ReadOnlyArchive
from cablegram.archive.postgres.store import _ANALYZE_LOCK

SEEDS = Path(__file__).parents[2] / "src/cablegram/data/examples/seeds"


@pytest.fixture
def url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    return new_location("postgres", tmp_path, "pgstore", request)


def test_the_database_is_created_on_the_first_write_and_never_by_a_reader() -> None:
    name = "cablegram_test_created"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    try:
        with pytest.raises(ArchiveNotFound, match="no such archive"):
            Archive(f"{POSTGRES}/{name}", create=False)
        with Archive(f"{POSTGRES}/{name}") as archive:
            archive.ingest([SEEDS])
            assert archive.stats()["cables"] == 2
        with Archive(f"{POSTGRES}/{name}", create=False) as archive:
            assert archive.search("almaty").total >= 1
    finally:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_schemas_of_one_database_are_separate_archives(url: str) -> None:
    other = url + "_other"
    try:
        with Archive(url) as one, Archive(other) as two:
            one.ingest([SEEDS])
            assert (one.stats()["cables"], two.stats()["cables"]) == (2, 0)
    finally:
        with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{other.split("=")[1]}" CASCADE')


def test_a_read_only_archive_answers_and_refuses_every_write(url: str) -> None:
    with Archive(url) as archive:
        archive.ingest([SEEDS])
    with Archive(url, read_only=True) as archive:
        assert archive.search("almaty").total >= 1
        with pytest.raises(ReadOnlyArchive):
            archive.ingest([b"UNCLASSIFIED\nSUBJECT: A NEW CABLE\n\n1. TEXT.\n"])
        with pytest.raises(ReadOnlyArchive):
            archive.users.add("analyst", clearance="secret", password="correct horse")
    with pytest.raises(ArchiveNotFound):
        Archive(url + "_absent", read_only=True)


def test_reindex_swaps_a_fresh_schema_in_and_keeps_the_records(url: str) -> None:
    with Archive(url) as archive:
        archive.ingest([SEEDS])
        archive.users.add("analyst", clearance="secret", password="correct horse")
        before = archive.store.checksums()
        audit = len(archive.audit.query(limit=100))
        archive.reindex(workers=1)
        assert archive.store.checksums() == before
        assert archive.users.authenticate("analyst", "correct horse") is not None
        assert len(archive.audit.query(limit=100)) == audit
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        schemas = {n for (n,) in conn.execute("SELECT nspname FROM pg_namespace")}
    name = url.split("schema=")[1]
    assert name in schemas and f"{name}_reindex" not in schemas


def test_searches_are_planned_with_their_own_words(url: str) -> None:
    """psycopg prepares a statement run five times; PostgreSQL may then plan
    it once for any words (a plan blind to how many cables a word matches:
    1-2 s instead of 0.1 s on 250,000 cables).  Every search is planned with
    its own values: no prepared statement ever ran a generic plan."""
    with Archive(url) as archive:
        archive.ingest([SEEDS])
        for word in ["almaty", "kazakhstan", "embassy", "minister", "the", "of"] * 3:
            archive.search(word).facets()
            archive.search(f'"{word} the"').facets()
        rows = archive.store.conn.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
        ).fetchall()
    assert rows, "psycopg prepared no statement: the test no longer sees plans"
    # (A statement without parameters has one plan, counted as generic.)
    assert [(s, g) for s, g, _ in rows if g and "$1" in s] == []


def test_an_ingest_leaves_the_narrow_tables_all_visible(url: str) -> None:
    """After a bulk load the narrow tables are vacuumed, so index-only scans
    (a cable's rowid in a join, a tag's cables) need not read the rows."""
    with Archive(url) as archive:
        archive.ingest([SEEDS])
        assert _not_all_visible(archive) == []


def _not_all_visible(archive: Archive) -> list[tuple[str, int, int]]:
    """Narrow tables with pages not known all-visible (or none at all)."""
    rows = archive.store.conn.execute(  # type: ignore[attr-defined]
        "SELECT relname, relpages, relallvisible FROM pg_class"
        " WHERE relnamespace = current_schema()::regnamespace"
        " AND relname IN ('cables', 'tags', 'refs', 'access_addressees')"
    ).fetchall()
    assert len(rows) == 4
    return [(name, pages, visible) for name, pages, visible in rows if visible < pages or not pages]


def test_an_ingest_ending_during_another_upkeep_still_vacuums(url: str) -> None:
    """Two processes ending an ingest together: the one that ends while the
    other's upkeep runs waits for it and then vacuums its own rows (it used
    to skip the upkeep, leaving its pages not all-visible)."""
    with Archive(url) as first:
        first.ingest([SEEDS / "06ALMATY1703.txt"])
        schema = first.store.conn.execute("SELECT current_schema()").fetchone()[0]
        other = psycopg.connect(first.store.conn.info.dsn, autocommit=True)
        other.execute("SET search_path TO " + schema)
        # The other process's upkeep, holding its lock.
        other.execute("SELECT pg_advisory_lock(%s, hashtext(current_schema()))", (_ANALYZE_LOCK,))
        done = threading.Event()

        def ingest_the_rest() -> None:
            with Archive(url) as second:
                second.ingest([SEEDS])
            done.set()

        worker = threading.Thread(target=ingest_the_rest)
        worker.start()
        assert not done.wait(3), "the ingest ended without waiting for the other's upkeep"
        other.execute("SELECT pg_advisory_unlock(%s, hashtext(current_schema()))", (_ANALYZE_LOCK,))
        worker.join(60)
        other.close()
        assert done.is_set()
        assert _not_all_visible(first) == []
