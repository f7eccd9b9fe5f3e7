"""A reader never waits for a writer: while another process holds the
archive's write lock (an ingest committing a batch), reads of restricted
cables are read *and audited*, and sign-in attempts are counted."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from leak_fixtures import build, cable_id

from cablegram.archive import Archive

SECRET = cable_id(4)


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    path = tmp_path / "busy.sqlite"
    build(path)
    return path


def _while_locked(path: Path, work) -> object:  # type: ignore[no-untyped-def]
    """Run ``work`` in a thread while a second connection holds the write lock;
    what it returns, or a failure if it waited for the lock (5 s)."""
    writer = sqlite3.connect(path, isolation_level=None, timeout=0)
    writer.execute("BEGIN IMMEDIATE")  # the lock an ingest batch holds while it commits
    writer.execute("UPDATE meta SET value = value WHERE key = 'schema'")
    out: dict[str, object] = {}
    thread = threading.Thread(target=lambda: out.setdefault("value", work()), daemon=True)
    thread.start()
    thread.join(5)
    blocked = thread.is_alive()
    writer.execute("ROLLBACK")
    writer.close()
    thread.join()
    assert not blocked, "the reader waited for the archive's writer"
    return out["value"]


def test_an_audited_read_does_not_wait_for_a_writer(archive_path: Path) -> None:
    with Archive(archive_path) as owner:
        reader = owner.as_reader(owner.users.principal("bob"), interface="web")
    cable = _while_locked(archive_path, lambda: reader.get(SECRET))
    assert cable is not None
    reader.close()
    with Archive(archive_path) as owner:
        entries = owner.audit.query(who="bob")
    assert [(e.action, e.target, e.interface) for e in entries] == [("read", SECRET, "web")]


def test_sign_in_attempts_are_counted_while_a_writer_works(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        attempts = archive.users.sign_in_attempts
        attempt, wait = _while_locked(
            archive_path, lambda: attempts.begin("10.1.1.1", limit=2, window=60)
        )  # type: ignore[misc]
        assert attempt is not None and wait == 0


def test_the_audit_log_keeps_reads_and_acts_in_order_across_reindex(archive_path: Path) -> None:
    with Archive(archive_path) as owner:
        owner.get(SECRET)
        owner.review.decide(SECRET, "exempt", "1.4(b)")
        owner.get(SECRET)
        before = [(e.action, e.target) for e in owner.audit.query()]
        assert [a for a, _ in before[:3]] == ["read", "declass-decide", "read"]  # newest first
        owner.reindex(workers=1)
        assert [(e.action, e.target) for e in owner.audit.query()] == before


def test_recorded_reads_are_append_only(archive_path: Path) -> None:
    with Archive(archive_path) as owner:
        owner.get(SECRET)
        side = owner.store.side  # type: ignore[attr-defined]
        for sql in ("UPDATE reads SET who = 'x'", "DELETE FROM reads"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                side.execute(sql)
