"""Ingest: read sources, parse in worker processes, write in batched transactions.

One path for every cable, the same as :func:`cablegram.read`: documents come
from :func:`cablegram.format.sources.iter_items` and are parsed by
:func:`cablegram.format.reader.parse_document`; workers turn each into a
:class:`~cablegram.archive.records.CopyRecord` and hand it back.  Workers
never open the archive: the parent gives them, once, the digests of the
copies the archive already holds (``Store.stored_digests``), so re-ingesting
a dump costs little more than reading it.

The parent lists the work (small files go to workers by path; big files,
zip files and stdin are unwrapped in the parent and their documents sent in
chunks), keeps a bounded number of tasks in flight, and is the single
writer of this process: each batch of records is one transaction, so an
interrupted ingest leaves the archive as it was after the last committed
batch.  Several processes, on several machines, may ingest into one
server archive at once (``part``: each takes a deterministic share).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
import zipfile
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cablegram.archive.errors import ArchiveWriteError
from cablegram.archive.records import CopyRecord, record_of, sha256_text
from cablegram.archive.store import Store, StoredDocument, WriteCounts
from cablegram.model import NotACableError

BIG_FILE = 8 << 20  # bytes: files above this are unwrapped in the parent, in chunks
FILES_PER_TASK = 16
DOCS_PER_TASK = 64

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


class Digests:
    """The sha256 digests of stored copies: sorted 32-byte values in one bytes
    object (32 MB for a million copies; a set of strings would take ten times that)."""

    def __init__(self, blob: bytes = b"") -> None:
        self.blob = blob
        self.count = len(blob) // 32

    def _at(self, i: int) -> bytes:
        return self.blob[i * 32 : i * 32 + 32]

    def __contains__(self, sha256_hex: str) -> bool:
        digest = bytes.fromhex(sha256_hex)
        i = bisect_left(range(self.count), digest, key=self._at)
        return i < self.count and self._at(i) == digest


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """What a worker needs to know of the archive it feeds: ``views``: build
    reader-level release views (partial-release search policy)."""

    views: bool = False
    # Time limit per document (format.bounded), None for none.
    parse_seconds: float | None = None


def parse_limit(seconds: float | None) -> float | None:
    """The time limit per document to parse under: ``seconds``, or (None) the
    configured one (``format.bounded.parse_seconds``); None: no limit (0)."""
    from cablegram.format.bounded import parse_seconds

    limit = parse_seconds() if seconds is None else seconds
    return limit if limit > 0 else None


# -- worker side --
_STORED = Digests()  # set per worker process by _start_worker
_GUARD: Any = None  # this process's ParseGuard, started on first use


def _guard(seconds: float | None) -> Any:
    global _GUARD
    if seconds is None:
        return None
    if _GUARD is None:
        from cablegram.format.bounded import ParseGuard

        _GUARD = ParseGuard(seconds)
    _GUARD.seconds = seconds
    return _GUARD


def _start_worker(digests: bytes, watch_parent: bool = False) -> None:
    global _STORED
    _STORED = Digests(digests)
    if watch_parent:
        threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A worker whose ingest process died (killed) exits too, instead of
    parsing on for nobody (it is re-parented when its parent dies)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


class IngestError(RuntimeError):
    """An ingest that could not go on (what was written before stays written)."""


def _records(
    items: Iterable[Any], config: WorkerConfig
) -> tuple[list[CopyRecord], list[Failure], int]:
    from cablegram.format.reader import parse_document
    from cablegram.format.sources import Document

    records: list[CopyRecord] = []
    failures: list[Failure] = []
    skipped = 0
    for item in items:
        if isinstance(item, NotACableError):
            failures.append((item.path or "<input>", item.reason))
            continue
        doc: Document = item
        where = doc.where or "<input>"
        if sha256_text(doc.text) in _STORED:
            skipped += 1
            continue
        try:
            cable = parse_document(doc, guard=_guard(config.parse_seconds))
            records.append(record_of(cable, doc, views=config.views))
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
        size += _size(path)
    return records, failures, size, skipped


def work_docs(docs: list[Any], size: int, config: WorkerConfig) -> TaskResult:
    """Worker task: parse documents already unwrapped by the parent."""
    records, failures, skipped = _records(docs, config)
    return records, failures, size, skipped


# -- parent side --
def list_files(path: str) -> Iterator[str | NotACableError]:
    """Files under ``path``, as ``read(dir)`` lists them (format.sources.walk_files:
    sorted, recursive, hidden entries skipped), or the error of an entry that
    cannot be listed (a link loop, an unreadable directory)."""
    from cablegram.format.sources import walk_files

    return walk_files(path)


def _size(path: str) -> int:
    """The file's size; 0 when it cannot be had (a dangling link: reading it then
    reports why)."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class Task(NamedTuple):
    fn: Callable[..., TaskResult]
    args: tuple[Any, ...]
    files: int = 0  # input files this task finishes (the progress bar and report count them)


@dataclass(frozen=True, slots=True)
class Part:
    """Share ``number`` (1-based) of ``of`` equal shares of the inputs: a file
    belongs to the share its name (relative to the path given) hashes to,
    a document inside a big file or a stream to the share its position in it
    falls to (``has_index``: the sources skip the others before building
    them, ``format.sources.share``); so N processes given the same paths
    split the work without talking to each other."""

    number: int = 1
    of: int = 1

    @classmethod
    def parse(cls, text: str) -> Part:
        """``K/N``; ValueError with a message otherwise."""
        k, slash, n = text.partition("/")
        try:
            part = cls(int(k), int(n)) if slash else None
        except ValueError:
            part = None
        if part is None or not 1 <= part.number <= part.of:
            raise ValueError(f"bad part '{text}' (use K/N with 1 <= K <= N, e.g. 2/4)")
        return part

    @property
    def whole(self) -> bool:
        return self.of == 1

    def has_name(self, name: str) -> bool:
        digest = hashlib.sha1(name.encode("utf-8")).digest()
        return self.whole or int.from_bytes(digest[:8], "big") % self.of == self.number - 1

    def has_index(self, index: int) -> bool:
        return self.whole or index % self.of == self.number - 1


def _doc_chunks(
    items: Iterable[Any], failures: list[Failure], config: WorkerConfig, files: int = 1
) -> Iterator[Task]:
    """Tasks of DOCS_PER_TASK documents; the last one finishes ``files`` inputs."""
    chunk: list[Any] = []
    size = 0
    for item in items:
        if isinstance(item, NotACableError):
            failures.append((item.path or "<input>", item.reason))
            continue
        chunk.append(item)
        size += len(item.text)
        if len(chunk) >= DOCS_PER_TASK:
            yield Task(work_docs, (chunk, size, config))
            chunk, size = [], 0
    yield Task(work_docs, (chunk, size, config), files)


def plan_tasks(
    sources: list[Any], failures: list[Failure], config: WorkerConfig, part: Part = Part()
) -> Iterator[Task]:
    """Tasks for paths, directories, bytes and binary streams (stdin), lazily."""
    from cablegram.format.sources import Share, iter_items

    blobs = [s for s in sources if not isinstance(s, str)]
    if blobs:  # stdin / in-memory documents: unwrapped here (streamed), parsed in chunks
        share = Share(part.has_index)  # one numbering for them all
        items = (item for blob in blobs for item in iter_items(blob, path="<stdin>", share=share))
        yield from _doc_chunks(items, failures, config, files=len(blobs))
    for src in sources:
        if not isinstance(src, str):
            continue
        if not os.path.exists(src):
            failures.append((src, "no such file or directory"))
            continue
        small: list[str] = []
        for path in list_files(src):
            if isinstance(path, NotACableError):
                failures.append((path.path or src, path.reason))
                continue
            big = _size(path) > BIG_FILE or zipfile.is_zipfile(path)
            if not big and not part.has_name(os.path.relpath(path, src)):
                continue
            if big:
                docs = iter_items(path, share=Share(part.has_index))
                yield from _doc_chunks(docs, failures, config)
                continue
            small.append(path)
            if len(small) >= FILES_PER_TASK:
                yield Task(work_paths, (small, config), len(small))
                small = []
        if small:
            yield Task(work_paths, (small, config), len(small))


def stored_tasks(documents: Iterable[StoredDocument], config: WorkerConfig) -> Iterator[Task]:
    """Tasks re-parsing an archive's stored copies (reindex, copy)."""
    from cablegram.format.sources import Document
    from cablegram.format.sources.document import LineMap
    from cablegram.model import Defect

    chunk: list[Any] = []
    size = 0
    for d in documents:
        lines = LineMap(tuple(map(tuple, d.line_map))) if d.line_map else LineMap()  # type: ignore[arg-type]
        defects = tuple(Defect(code, message, line) for code, message, line in d.defects)
        chunk.append(Document(d.text, d.format, d.path, d.metadata, defects, d.locator, lines))
        size += len(d.text)
        if len(chunk) >= DOCS_PER_TASK:
            yield Task(work_docs, (chunk, size, config))
            chunk, size = [], 0
    if chunk:
        yield Task(work_docs, (chunk, size, config))


def total_bytes(sources: Iterable[Any]) -> int:
    """Bytes to read (for the ETA); streams count as 0."""
    total = 0
    for src in sources:
        if isinstance(src, bytes):
            total += len(src)
        elif isinstance(src, str) and os.path.exists(src):
            total += sum(_size(p) for p in list_files(src) if isinstance(p, str))
    return total


Progress = Callable[[int, int, int], None]  # (files, documents, bytes done)


def run_tasks(
    store: Store,
    tasks: Iterator[Task],
    report: IngestReport,
    *,
    workers: int = 2,
    batch: int = 5000,
    progress: Progress | None = None,
    skip_stored: bool = True,
) -> IngestReport:
    """Execute tasks (in worker processes when ``workers`` > 1) and write batches."""
    started = time.perf_counter()
    digests = store.stored_digests() if skip_stored else b""
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
            write_or_stop(store, buffer, report)
            buffer = []
        if progress:
            progress(report.files, report.documents, done_bytes)

    with store.ingesting():
        if workers <= 1:
            _start_worker(digests)
            try:
                for task in tasks:
                    absorb(task.fn(*task.args), task.files)
            finally:
                _start_worker(b"")
        else:
            # Enough tasks in flight to keep the workers busy while the parent
            # writes a whole batch (a few hundred ms): with only a few queued,
            # they would finish them early in the write and then sit idle.
            in_flight = batch // DOCS_PER_TASK + 2 * workers
            pool = ProcessPoolExecutor(
                max_workers=workers, initializer=_start_worker, initargs=(digests, True)
            )
            try:
                pending: deque[tuple[Future[TaskResult], int]] = deque()
                for task in tasks:
                    pending.append((pool.submit(task.fn, *task.args), task.files))
                    while len(pending) >= in_flight:
                        fut, n = pending.popleft()
                        absorb(fut.result(), n)
                while pending:
                    fut, n = pending.popleft()
                    absorb(fut.result(), n)
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                if buffer:  # parsed before the loss: keep it
                    write_or_stop(store, buffer, report)
                raise IngestError(
                    "a parser process died (killed, or out of memory); "
                    f"{report.counts.new + report.counts.merged} cables written so far are kept: "
                    "run the same ingest again to complete the archive"
                ) from None
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        if buffer:
            write_or_stop(store, buffer, report)
    report.seconds = time.perf_counter() - started
    return report


def write_or_stop(store: Store, records: list[CopyRecord], report: IngestReport) -> None:
    """Write a batch; a batch the database cannot take ends the ingest clearly."""
    try:
        report.counts.add(store.write(records))
    except ArchiveWriteError as error:
        raise IngestError(
            f"{error}; {report.counts.new + report.counts.merged} cables written before it are"
            " kept: free space (or fix the cause) and run the same ingest again"
        ) from None
