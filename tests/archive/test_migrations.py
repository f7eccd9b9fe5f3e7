"""Versioned migrations: an archive written by an earlier layout opens and is
upgraded in place, with nothing lost (tests/archive/fixtures/README.md)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cablegram.archive import Archive, ArchiveVersionError
from cablegram.archive.sqlite.schema import MIGRATIONS, SCHEMA_VERSION

FIXTURE = Path(__file__).parent / "fixtures" / "archive-schema3.sqlite"


@pytest.fixture
def layout3(tmp_path: Path) -> Path:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, path)
    return path


def _layout(path: Path) -> tuple[str, list[tuple[int, str]]]:
    with sqlite3.connect(path) as db:
        version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
        history = db.execute("SELECT version, description FROM schema_history").fetchall()
    return version, history


def test_a_layout_3_archive_is_upgraded_in_place(layout3: Path) -> None:
    with sqlite3.connect(layout3) as db:
        before = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("cables", "copies", "users", "decisions", "audit", "views")}  # fmt: skip
    with Archive(layout3) as archive:
        # Everything the old file held answers as before.
        assert archive.stats()["cables"] == before["cables"] == 42
        assert archive.search("detainees").total == 2
        assert [u.name for u in archive.users.list()] == ["analyst", "reader"]
        assert archive.users.authenticate("analyst", "correct horse") is not None
        assert archive.partial_release_search
        released = archive.search("has:date", limit=100)
        decided = [h.id for h in released if archive.review.decisions(h.id)]
        assert len(decided) == 1
        assert len(archive.audit.query(limit=100)) == before["audit"]
        # A reader below SECRET finds the released cable through its public view.
        public = archive.as_reader(archive.users.principal("reader"))
        assert public.get(decided[0]) is not None
        public.close()
        # The upgraded file takes new writes and re-parses (copies.line_map is new).
        archive.ingest([b"UNCLASSIFIED\nSUBJECT: A NEW CABLE AFTER THE UPGRADE\n\n1. TEXT.\n"])
        assert archive.search("upgrade").total == 1
        archive.reindex(workers=1)
        assert archive.stats()["cables"] == before["cables"] + 1
    version, history = _layout(layout3)
    assert version == str(SCHEMA_VERSION)
    assert [v for v, _ in history] == [number for number, _, _ in MIGRATIONS]


def test_an_early_layout_3_file_gains_what_layout_3_grew(layout3: Path) -> None:
    """Layout 3 grew in place before migrations existed (facet lists, the
    sign-in table): files written before that are completed by migration 4."""
    with sqlite3.connect(layout3) as db:
        db.execute("DROP TABLE signin_attempts")
        for col in ("caption_list", "tag_list"):
            db.execute(f"ALTER TABLE cables DROP COLUMN {col}")
    with Archive(layout3) as archive:
        facets = archive.search("has:tags").facets().to_dict()
        assert facets["tag"] and all(n > 0 for _, n in facets["tag"])
        attempt, _ = archive.users.sign_in_attempts.begin("10.0.0.1", limit=5, window=60)
        assert attempt is not None


def test_migrations_run_once_when_several_processes_open_at_once(layout3: Path) -> None:
    first, second = Archive(layout3), Archive(layout3)
    first.close()
    second.close()
    _, history = _layout(layout3)
    assert len(history) == len(MIGRATIONS)


def test_a_file_from_a_newer_cablegram_is_refused(layout3: Path) -> None:
    with sqlite3.connect(layout3) as db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'schema'")
    with pytest.raises(ArchiveVersionError, match="newer cablegram"):
        Archive(layout3)


def test_a_layout_before_migrations_is_refused_with_the_way_out(layout3: Path) -> None:
    with sqlite3.connect(layout3) as db:
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
    with pytest.raises(ArchiveVersionError, match="reindex"):
        Archive(layout3)


def test_a_step_the_file_lacks_is_applied_though_numbered_below_its_version(
    tmp_path: Path,
) -> None:
    # A file written by code that had step 8 but not yet step 7 (two branches
    # of development merged later) is at version 8 without step 7's tables.
    path = tmp_path / "gap.sqlite"
    Archive(path, create=True).close()
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM schema_history WHERE version = 7")
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'deliver%'")]  # fmt: skip
        assert tables
        for table in tables:
            db.execute(f"DROP TABLE {table}")
    with Archive(path) as archive:
        assert archive.store.deliveries.count() == 0  # the tables are back
    version, history = _layout(path)
    assert version == str(SCHEMA_VERSION)
    assert sorted(v for v, _ in history) == [number for number, _, _ in MIGRATIONS]
