"""Storage that fails under the archive: a full disk in the middle of an
ingest, an archive that cannot be written.  Clear messages, nothing
half-written, and everything that can still work works."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from leak_fixtures import build, cable_id

from backends import integrity_problems, sql_execute, sql_rows
from cablegram.archive import Archive, IngestError, ReadOnlyArchive
from cablegram.archive.demo import write_synth
from cablegram.cli import main


def test_a_full_disk_ends_the_ingest_clearly_and_keeps_what_was_written(tmp_path: Path) -> None:
    corpus = tmp_path / "synth"
    write_synth(600, str(corpus), seed=3)
    path = tmp_path / "full.sqlite"
    with Archive(path) as archive:
        archive.ingest([str(corpus)], workers=1, batch=100, part="1/3")
        kept = archive.stats()["cables"]
        pages = sql_rows(archive, "PRAGMA page_count")[0][0]
        sql_execute(archive, f"PRAGMA max_page_count={pages + 4}")  # the disk fills up
        with pytest.raises(IngestError, match=r"database or disk is full.*kept.*run the same"):
            archive.ingest([str(corpus)], workers=1, batch=100)
        assert integrity_problems(archive) == []
        assert archive.stats()["cables"] >= kept
        sql_execute(archive, "PRAGMA max_page_count=1073741823")  # space freed
        archive.ingest([str(corpus)], workers=1, batch=100)
        assert archive.stats()["cables"] == 600
        assert integrity_problems(archive) == []


def test_a_read_only_archive_is_searched_and_read_but_records_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite"
    build(path)
    with Archive(path) as owner:
        bob = owner.users.principal("bob")
        entries = len(owner.audit.query(limit=1000))
    with Archive(path, principal=bob, read_only=True) as reader:
        assert reader.search("common").total > 0
        assert reader.get(cable_id(0)) is not None  # unclassified: nothing to record
        with pytest.raises(ReadOnlyArchive, match="read-only"):
            reader.get(cable_id(4))  # a SECRET cable: its read must be recorded
    with Archive(path, read_only=True) as owner:
        with pytest.raises(ReadOnlyArchive):
            owner.users.add("eve")
        with pytest.raises(ReadOnlyArchive):
            owner.ingest([b"UNCLASSIFIED\nSUBJECT: NOT STORED\n\n1. TEXT.\n"], workers=1)
        assert len(owner.audit.query(limit=1000)) == entries


def test_the_cli_on_a_read_only_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ro.sqlite"
    build(path)
    # Storage that cannot be written (as an unprivileged user on a read-only share).
    monkeypatch.setattr("cablegram.archive.sqlite.store.writable", lambda p: False)
    runner = CliRunner()
    ok = runner.invoke(main, ["search", "common", "--archive", str(path)])
    assert ok.exit_code == 0 and "cables match" in ok.output
    refused = runner.invoke(main, ["show", cable_id(4), "--archive", str(path), "--as", "bob"])
    assert refused.exit_code == 1
    assert "read-only" in refused.output and "Traceback" not in refused.output
