"""Ingest: read sources, parse in worker processes, write in batched transactions.

The parent lists the work (small files go to workers by path; big files,
zip files and stdin are unwrapped in the parent and their documents sent in
chunks), keeps a bounded number of tasks in flight, and is the single
writer: each batch of records is one transaction, so an interrupted ingest
leaves the archive as it was after the last committed batch.
"""

from __future__ import annotations

import os
import sqlite3
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cablegram.archive.records import CopyRecord, make_record, sha256_text
from cablegram.archive.store import SQLiteStore
from cablegram.archive.writer import WriteCounts
from cablegram.model import Defect, NotACableError

BIG_FILE = 8 << 20  # bytes: files above this are unwrapped in the parent, in chunks
FILES_PER_TASK = 16
INGEST_CHECKPOINT_PAGES = 16384  # WAL pages between checkpoints while ingesting (256 MB)
DOCS_PER_TASK = 64

# A document as sent to workers: (text, format, path, locator, metadata, source defects).
DocTuple = tuple[str, str, "str | None", "str | None", dict[str, Any], tuple[Defect, ...]]
Failure = tuple[str, str]  # (where, reason)
# records, failures, bytes done, documents skipped as already stored
TaskResult = tuple[list[CopyRecord], list[Failure], int, int]


@dataclass(slots=True)
class IngestReport:
    files: int = 0
    documents: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        c = self.counts
        return {
            "files": self.files, "documents": self.documents, "new": c.new,
            "updated": c.updated, "unchanged": c.unchanged, "copies_merged": c.merged,
            "defects": dict(sorted(c.defects.items())), "seconds": round(self.seconds, 3),
            "failures": [{"where": w, "reason": r} for w, r in self.failures],
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """What a worker process needs to know of the archive it feeds.

    ``archive``: its file (copies already stored are skipped before parsing);
    ``views``: build reader-level release views (partial-release search policy).
    """

    archive: str | None = None
    views: bool = False


# -- worker side --
_READERS: dict[str, sqlite3.Connection] = {}


def _stored(archive: str | None) -> Callable[[str], bool]:
    """Whether a copy (by sha256) is already in the archive: checked in the
    worker before parsing, so re-ingesting a dump costs little more than reading it."""
    if archive is None or not os.path.exists(archive):
        return lambda sha: False
    conn = _READERS.get(archive)
    if conn is None:
        conn = _READERS[archive] = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)

    def stored(sha: str) -> bool:
        try:
            return (
                conn.execute("SELECT 1 FROM copies WHERE sha256 = ?", (sha,)).fetchone() is not None
            )
        except sqlite3.Error:  # not yet an archive: parse everything
            return False

    return stored


def _records(
    items: Iterable[Any], config: WorkerConfig
) -> tuple[list[CopyRecord], list[Failure], int]:
    from cablegram.format.parse import parse
    from cablegram.format.sources import Document
    from cablegram.model import Source

    records: list[CopyRecord] = []
    failures: list[Failure] = []
    skipped = 0
    stored = _stored(config.archive)
    for item in items:
        if isinstance(item, NotACableError):
            failures.append((item.path or "<input>", item.reason))
            continue
        doc: DocTuple = (
            (item.text, item.format, item.path, item.locator, dict(item.metadata), item.defects)
            if isinstance(item, Document)
            else item
        )
        text, fmt, path, locator, metadata, defects = doc
        where = f"{path}:{locator}" if path and locator else path or locator or "<input>"
        if stored(sha256_text(text)):
            skipped += 1
            continue
        try:
            cable = parse(text, source=Source(fmt, path, metadata), defects=defects)
            records.append(
                make_record(
                    cable,
                    text,
                    fmt=fmt,
                    path=path,
                    locator=locator,
                    metadata=metadata,
                    source_defects=defects,
                    views=config.views,
                )
            )
        except NotACableError as error:
            failures.append((where, error.reason))
        except Exception as error:  # a parser bug must not end the ingest
            failures.append((where, f"parser error: {type(error).__name__}: {error}"))
    return records, failures, skipped


def work_paths(paths: list[str], config: WorkerConfig) -> TaskResult:
    """Worker task: every document of some small files."""
    from cablegram.format.sources import iter_items

    records: list[CopyRecord] = []
    failures: list[Failure] = []
    size = skipped = 0
    for path in paths:
        try:
            r, f, k = _records(iter_items(path), config)
        except Exception as error:  # unreadable file
            r, f, k = [], [(path, f"{type(error).__name__}: {error}")], 0
        records += r
        failures += f
        skipped += k
        size += os.path.getsize(path)
    return records, failures, size, skipped


def work_docs(docs: list[DocTuple], size: int, config: WorkerConfig) -> TaskResult:
    """Worker task: parse documents already unwrapped by the parent."""
    records, failures, skipped = _records(docs, config)
    return records, failures, size, skipped


# -- parent side --
def list_files(path: str) -> Iterator[str]:
    """Files under ``path`` (sorted, recursive, hidden entries skipped)."""
    if not os.path.isdir(path):
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".")):
            yield os.path.join(root, name)


class Task(NamedTuple):
    fn: Callable[..., TaskResult]
    args: tuple[Any, ...]
    files: int = 0  # input files this task finishes (the progress bar and report count them)


def _doc_chunks(
    items: Iterable[Any], failures: list[Failure], config: WorkerConfig, files: int = 1
) -> Iterator[Task]:
    """Tasks of DOCS_PER_TASK documents; the last one finishes ``files`` inputs."""
    chunk: list[DocTuple] = []
    size = 0
    for item in items:
        if isinstance(item, NotACableError):
            failures.append((item.path or "<input>", item.reason))
            continue
        chunk.append(
            (item.text, item.format, item.path, item.locator, dict(item.metadata), item.defects)
        )
        size += len(item.text)
        if len(chunk) >= DOCS_PER_TASK:
            yield Task(work_docs, (chunk, size, config))
            chunk, size = [], 0
    yield Task(work_docs, (chunk, size, config), files)


def plan_tasks(sources: list[Any], failures: list[Failure], config: WorkerConfig) -> Iterator[Task]:
    """Tasks for paths, directories, bytes and binary streams (stdin), lazily.
    Workers skip documents whose copy ``config.archive`` already stores."""
    from cablegram.format.sources import iter_items

    blobs = [s for s in sources if not isinstance(s, str)]
    if blobs:  # stdin / in-memory documents: unwrapped here (streamed), parsed in chunks
        items = (item for blob in blobs for item in iter_items(blob, path="<stdin>"))
        yield from _doc_chunks(items, failures, config, files=len(blobs))
    for src in sources:
        if not isinstance(src, str):
            continue
        if not os.path.exists(src):
            failures.append((src, "no such file or directory"))
            continue
        small: list[str] = []
        for path in list_files(src):
            if os.path.getsize(path) > BIG_FILE or zipfile.is_zipfile(path):
                yield from _doc_chunks(iter_items(path), failures, config)
                continue
            small.append(path)
            if len(small) >= FILES_PER_TASK:
                yield Task(work_paths, (small, config), len(small))
                small = []
        if small:
            yield Task(work_paths, (small, config), len(small))


def total_bytes(sources: Iterable[Any]) -> int:
    """Bytes to read (for the ETA); streams count as 0."""
    total = 0
    for src in sources:
        if isinstance(src, bytes):
            total += len(src)
        elif isinstance(src, str) and os.path.exists(src):
            total += sum(os.path.getsize(p) for p in list_files(src))
    return total


Progress = Callable[[int, int, int], None]  # (files, documents, bytes done)


def run_tasks(
    store: SQLiteStore,
    tasks: Iterator[Task],
    report: IngestReport,
    *,
    workers: int = 2,
    batch: int = 5000,
    progress: Progress | None = None,
) -> IngestReport:
    """Execute tasks (in worker processes when ``workers`` > 1) and write batches."""
    started = time.perf_counter()
    # Checkpoint the WAL less often while writing big batches: a page dirtied
    # by several batches is then copied into the database once, not each time.
    store.conn.execute(f"PRAGMA wal_autocheckpoint={INGEST_CHECKPOINT_PAGES}")
    buffer: list[CopyRecord] = []
    done_bytes = 0

    def absorb(result: TaskResult, nfiles: int) -> None:
        nonlocal done_bytes, buffer
        records, failures, size, skipped = result
        report.files += nfiles
        report.documents += len(records) + skipped
        report.counts.unchanged += skipped
        report.failures += failures
        done_bytes += size
        buffer += records
        if len(buffer) >= batch:
            report.counts.add(store.write(buffer))
            buffer = []
        if progress:
            progress(report.files, report.documents, done_bytes)

    if workers <= 1:
        for task in tasks:
            absorb(task.fn(*task.args), task.files)
    else:
        # Enough tasks in flight to keep the workers busy while the parent
        # writes a whole batch (a few hundred ms): with only a few queued,
        # they would finish them early in the write and then sit idle.
        in_flight = batch // DOCS_PER_TASK + 2 * workers
        with ProcessPoolExecutor(max_workers=workers) as pool:
            pending: deque[tuple[Future[TaskResult], int]] = deque()
            for task in tasks:
                pending.append((pool.submit(task.fn, *task.args), task.files))
                while len(pending) >= in_flight:
                    fut, n = pending.popleft()
                    absorb(fut.result(), n)
            while pending:
                fut, n = pending.popleft()
                absorb(fut.result(), n)
    if buffer:
        report.counts.add(store.write(buffer))
    store.conn.execute("PRAGMA wal_autocheckpoint=1000")  # SQLite's default again
    report.seconds = time.perf_counter() - started
    return report
