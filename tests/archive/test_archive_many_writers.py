"""Several ingest processes fill one archive at once; processes are killed at
any moment; archives are copied between backends.  Each case ends by
comparing with an archive built by one process in one go: the same cables,
the same primary copies (content digests), the same copies and references."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from backends import integrity_problems, new_location, sql_rows
from cablegram.archive import Archive, Part
from cablegram.archive.copy import copy_archive
from cablegram.archive.demo import write_synth
from cablegram.cli import main

COUNT = 1200
CLI = [sys.executable, "-c", "from cablegram.cli import main; main()"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same synthetic cables twice: a telegram file each, and a text
    extract of each without its transmission header (a second, poorer copy
    of every cable).  (A text found byte for byte in two places is stored
    once, under the place it was first read from: docs/archive.md.)"""
    root = tmp_path_factory.mktemp("many")
    write_synth(COUNT, str(root / "txt"), seed=7)
    (root / "extracts").mkdir()
    for path in (root / "txt").iterdir():
        text = path.read_text(encoding="utf-8")
        (root / "extracts" / path.name).write_text(text.split("\nBT\n", 1)[1], encoding="utf-8")
    return root / "txt", root / "extracts"


@pytest.fixture(scope="module")
def reference(corpus: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What one process in one go makes of the corpus."""
    path = tmp_path_factory.mktemp("ref") / "ref.sqlite"
    with Archive(path) as archive:
        report = archive.ingest([str(p) for p in corpus], workers=1)
        assert (report.counts.new, report.counts.merged) == (COUNT, COUNT)
        return _content(archive)


def _content(archive: Archive) -> dict:
    """Everything the comparison looks at, independent of row numbers."""
    store = archive.store
    refs = sorted(sql_rows(archive, "SELECT c.id, r.ord, r.cited_key FROM refs r"
                                    " JOIN cables c ON c.rowid = r.cable"))  # fmt: skip
    return {
        "checksums": store.checksums(),
        "copies": sorted((d.path or "", d.locator or "") for d in store.iter_documents()),
        "refs": refs,
        "search": {
            q: sorted(d["id"] for d in archive.search(q, limit=0).dicts())
            for q in ("tag:PREL", '"request for guidance"', "negotiat*")
        },
    }


def _ingest_cmd(
    location: str, *inputs: str, part: str | None = None, workers: int = 1
) -> list[str]:
    cmd = [*CLI, "ingest", *inputs, "--archive", location, "--batch", "40",
           "--workers", str(workers), "--no-progress"]  # fmt: skip
    return cmd + (["--part", part] if part else [])


def _committed(location: str) -> int:
    with Archive(location) as archive:
        return int(sql_rows(archive, "SELECT count(*) FROM cables")[0][0])


def test_parts_share_the_inputs_without_overlap_or_loss(
    corpus: tuple[Path, Path], reference: dict, location: str
) -> None:
    with Archive(location) as archive:
        for k in (1, 2, 3):
            archive.ingest([str(p) for p in corpus], workers=1, part=Part(k, 3))
        assert _content(archive) == reference
        again = archive.ingest([str(p) for p in corpus], workers=1, part="2/3")
        assert again.counts.new == again.counts.merged == 0


@pytest.mark.parametrize("given", ["path", "stdin"])
def test_a_big_file_is_shared_by_row_before_its_rows_are_unwrapped(
    given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows of a big cables.csv or of stdin (a malformed one too) are shared
    by their position: the shares cover each row once, and each process splits
    and builds only the rows of its own (format/sources/share.py)."""
    from cablegram.archive import ingest
    from cablegram.format.sources import cables_csv

    dump = tmp_path / "dump.csv"
    write_synth(30, str(dump), seed=3)
    with dump.open("ab") as f:
        f.write(b'"31","1/2/1988 12:58","88PARIS31","Embassy Paris","SECRET"\n')  # 5 fields
    monkeypatch.setattr(ingest, "BIG_FILE", 0)  # read in the parent, shared by row
    split = Counter[int]()
    real = cables_csv.split_fields

    def counting(*args: object) -> object:
        split[part.number] += 1
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(cables_csv, "split_fields", counting)
    rows = Counter[str]()
    for part in (Part(1, 3), Part(2, 3), Part(3, 3)):
        failures: list[tuple[str, str]] = []
        source = str(dump) if given == "path" else dump.read_bytes()
        tasks = ingest.plan_tasks([source], failures, ingest.WorkerConfig(), part)
        docs = [doc for task in tasks for doc in task.args[0]]
        assert split[part.number] == len(docs) + len(failures) <= 11
        rows.update([doc.locator for doc in docs] + [w.rsplit(":", 1)[1] for w, _ in failures])
    assert len(rows) == 31 and set(rows.values()) == {1}


def test_part_is_read_from_the_command_line() -> None:
    assert Part.parse("2/4") == Part(2, 4)
    for bad in ("0/4", "5/4", "2", "a/b"):
        with pytest.raises(ValueError, match="K/N"):
            Part.parse(bad)
    result = CliRunner().invoke(main, ["ingest", "x", "--part", "3/2"])
    assert result.exit_code == 2 and "--part" in result.output


def test_four_processes_at_once_build_what_one_builds(
    corpus: tuple[Path, Path], reference: dict, location: str
) -> None:
    """Two processes share the telegram files, a third reads the extracts, a
    fourth everything: a cable's two copies are merged by different
    processes at the same time, and the same copy arrives from two."""
    txt, extracts = str(corpus[0]), str(corpus[1])
    Archive(location).close()  # created (and migrated) once, before the race
    commands = [_ingest_cmd(location, txt, part="1/2"), _ingest_cmd(location, txt, part="2/2"),
                _ingest_cmd(location, extracts), _ingest_cmd(location, txt, extracts)]  # fmt: skip
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for cmd in commands]  # fmt: skip
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    with Archive(location) as archive:
        assert integrity_problems(archive) == []
        assert _content(archive) == reference


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def test_killed_ingests_lose_only_their_open_batch(
    corpus: tuple[Path, Path], reference: dict, location: str
) -> None:
    """Kill the ingest at random moments, three times (once the parent alone,
    whose parser processes must then exit by themselves); each time the
    archive is consistent; the last run completes it."""
    rng = random.Random(11)
    inputs = [str(p) for p in corpus]
    Archive(location).close()
    kills = 0
    for round_ in range(3):
        start = _committed(location)
        proc = subprocess.Popen(_ingest_cmd(location, *inputs, workers=2), start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 120
        while _committed(location) == start and proc.poll() is None:
            assert time.monotonic() < deadline, "no batch committed in two minutes"
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.4))  # a random moment once writing has begun
        if proc.poll() is not None:
            break  # it finished first: nothing left to kill
        workers = _children(proc.pid)
        if round_ == 1:
            os.kill(proc.pid, signal.SIGKILL)  # the parent only
            proc.wait()
            deadline = time.monotonic() + 10
            while any(map(_alive, workers)) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not any(map(_alive, workers)), "parser processes outlived their ingest"
        else:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        kills += 1
        with Archive(location) as archive:
            assert integrity_problems(archive) == []
    assert kills >= 2, "the ingests finished before they could be killed"
    with Archive(location) as archive:
        assert 0 < archive.stats()["cables"] < COUNT or kills == 3
        archive.ingest(inputs, workers=2)
        assert integrity_problems(archive) == []
        assert _content(archive) == reference


def test_copy_round_trip_between_backends(
    corpus: tuple[Path, Path], tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    """SQLite -> PostgreSQL (each backend) -> SQLite gives the same archive,
    accounts, decisions and audit log included."""
    first = str(tmp_path / "first.sqlite")
    with Archive(first) as archive:
        archive.ingest([str(p) for p in corpus], workers=2)
        archive.users.add("analyst", clearance="secret", password="correct horse")
        secret = archive.search("class:secret", limit=1).hits[0].id
        archive.review.decide(secret, "release-in-part", "1.4(d)")
        archive.set_partial_release_search(True)
        archive.get(secret)  # an audited read
        original = _content(archive)
        kept = archive.store.kept_records()
    server = new_location(backend, tmp_path, "copy", request)
    back = str(tmp_path / "back.sqlite")
    there = copy_archive(first, server)
    assert there.identical, there.differences
    assert (there.cables, there.users, there.decisions) == (COUNT, 1, 1)
    result = CliRunner().invoke(main, ["copy", server, back])
    assert result.exit_code == 0, result.output
    assert "verified: identical" in result.output
    with Archive(back) as archive:
        assert _content(archive) == original
        assert archive.store.kept_records() == kept
        assert archive.users.authenticate("analyst", "correct horse") is not None
        assert archive.partial_release_search
    refused = CliRunner().invoke(main, ["copy", first, back])
    assert refused.exit_code == 2 and "not empty" in refused.output
