"""An ingest killed midway (SIGKILL, workers included) leaves a consistent
archive that opens, searches, and completes on the next ingest."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from cablegram.archive import Archive
from cablegram.archive.demo import write_synth

COUNT = 2500


def _committed(path: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
        try:
            return int(conn.execute("SELECT count(*) FROM cables").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _consistent(archive: Archive) -> None:
    conn = archive.store.conn
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    orphans = (
        "SELECT count(*) FROM cables c WHERE NOT EXISTS"
        " (SELECT 1 FROM copies p WHERE p.rowid = c.copy AND p.cable = c.rowid)",
        "SELECT count(*) FROM copies p WHERE NOT EXISTS (SELECT 1 FROM cables c WHERE c.rowid = p.cable)",
        "SELECT count(*) FROM tags t WHERE NOT EXISTS (SELECT 1 FROM cables c WHERE c.rowid = t.cable)",
        "SELECT count(*) FROM refs t WHERE NOT EXISTS (SELECT 1 FROM cables c WHERE c.rowid = t.cable)",
        "SELECT count(*) FROM cables c WHERE NOT EXISTS"
        " (SELECT 1 FROM cable_data d WHERE d.rowid = c.rowid)",
    )
    for sql in orphans:
        assert conn.execute(sql).fetchone()[0] == 0, sql
    cables = conn.execute("SELECT count(*) FROM cables").fetchone()[0]
    indexed = conn.execute("SELECT count(*) FROM fts_docsize").fetchone()[0]
    assert indexed == cables


def test_killed_ingest_leaves_a_consistent_archive(tmp_path: Path) -> None:
    corpus = tmp_path / "synth"
    write_synth(COUNT, str(corpus), seed=7)
    db = tmp_path / "a.sqlite"
    cmd = [sys.executable, "-c", "from cablegram.cli import main; main()", "ingest", str(corpus), "--archive", str(db),
           "--batch", "50", "--no-progress"]  # fmt: skip
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 120
    while _committed(db) < 200 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with Archive(db) as archive:
        _consistent(archive)
        partial = archive.stats()["cables"]
        assert 0 < partial < COUNT
        assert archive.search("tag:PREL OR class:secret").total > 0
        report = archive.ingest([corpus])
        assert report.counts.unchanged == partial
        assert report.counts.new + report.counts.merged == COUNT - partial
        _consistent(archive)
