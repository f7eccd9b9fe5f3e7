"""Parsing under a time limit: the safety net behind the linear grammar.

Every pattern of the parser is written to read in time linear in its input
(tests/format/test_hostile_time.py checks it), but a document that still
finds a slow path must not hang an ingest or a server.  A regular expression
running in C cannot be interrupted inside its process (it holds the GIL and
checks no signals), so the parse runs in a child process that is killed when
one document takes longer than the limit.  The document is then kept as a
cable holding its text with a ``PARSE_TIME_LIMIT`` defect (the archive keeps
the text; a re-parse with a fixed grammar reads it later).

    cable = parse_bounded(text, seconds=10)

    with ParseGuard(seconds=10) as guard:         # one child for many documents
        for job, result in guard.parse_many(jobs):
            ...

The limit is ``PARSE_SECONDS`` unless given, or ``CABLEGRAM_PARSE_SECONDS``
in the environment (docs/limits.md).
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from cablegram.format.parse import parse
from cablegram.format.sources.document import LineMap
from cablegram.model import Cable, Defect, NotACableError, Source

__all__ = [
    "PARSE_SECONDS",
    "ParseGuard",
    "ParseJob",
    "parse_bounded",
    "parse_seconds",
    "timed_out_cable",
]

PARSE_SECONDS = 10.0  # per document; linear parsing reads megabytes in well under this
_START_SECONDS = 120.0  # for the child to start (imports, on a loaded machine)
_READY = "ready"


def parse_seconds() -> float:
    """The time limit per document: ``CABLEGRAM_PARSE_SECONDS``, else ``PARSE_SECONDS``."""
    value = os.environ.get("CABLEGRAM_PARSE_SECONDS")
    try:
        return float(value) if value else PARSE_SECONDS
    except ValueError:
        return PARSE_SECONDS


@dataclass(frozen=True, slots=True)
class ParseJob:
    """One document for :meth:`ParseGuard.parse_many`: ``parse()``'s arguments."""

    text: str | bytes
    source: Source | None = None
    defects: tuple[Defect, ...] = ()
    line_map: LineMap | None = None


def timed_out_cable(job: ParseJob, seconds: float) -> Cable:
    """The cable kept for a document whose parse ran out of time: its text, its
    source and source defects, and a ``PARSE_TIME_LIMIT`` defect."""
    text = job.text
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    defect = Defect(
        "PARSE_TIME_LIMIT",
        f"parsing took longer than {seconds:g} s and was stopped; the text is kept unparsed",
        None,
    )
    return Cable(text=text, source=job.source or Source(), defects=(*job.defects, defect))


def _child(jobs: Connection, results: Connection, parent: int) -> None:
    """The child's loop: parse each job received, send back the cable or the error."""
    _die_with_parent(parent)
    parse("UNCLAS X 001\n\nTAGS: X\n")  # vocabularies loaded before the first limit runs
    results.send(_READY)
    while True:
        try:
            job = jobs.recv()
        except (EOFError, OSError):  # the parent closed the pipe or died
            return
        try:
            result: Any = parse(
                job.text, source=job.source, defects=job.defects, line_map=job.line_map
            )
        except NotACableError as error:
            result = error
        except Exception as error:  # a parser bug: reported for this document only
            result = RuntimeError(f"parser error: {type(error).__name__}: {error}")
        results.send(result)


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (a parse may be running
    then, so the closed pipe alone would be noticed only after it).  A parent that
    died before the request (the interpreter takes a tenth of a second to get here)
    is seen by this process having been handed to another: it ends at once, where
    it would otherwise wait for ever if a sibling forked by the parent still holds
    the other end of its pipe."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(0)


class ParseGuard:
    """A child process that parses documents, replaced when one takes longer than
    ``seconds``.  Not thread-safe: one guard per thread (``parse_bounded`` keeps one
    per process behind a lock)."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = parse_seconds() if seconds is None else seconds
        self._process: subprocess.Popen[bytes] | None = None
        self._jobs: Connection | None = None
        self._results: Connection | None = None

    def __enter__(self) -> ParseGuard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> tuple[Connection, Connection]:
        if self._process is not None and self._process.poll() is not None:
            # Gone while idle: PR_SET_PDEATHSIG fires when the *thread* that started
            # it ends (a server's pool threads come and go).
            self._stop(kill=True)
        if self._jobs is None or self._results is None:
            # A new interpreter (not fork: the caller may be a threaded server;
            # not multiprocessing's spawn, which re-imports the caller's __main__).
            job_read, job_write = os.pipe()
            result_read, result_write = os.pipe()
            self._process = subprocess.Popen(
                [sys.executable, "-c", _CHILD_COMMAND, str(job_read), str(result_write),
                 str(os.getpid())],
                pass_fds=(job_read, result_write), stdin=subprocess.DEVNULL,
            )  # fmt: skip
            os.close(job_read)
            os.close(result_write)
            self._jobs = Connection(job_write, readable=False)
            self._results = Connection(result_read, writable=False)
            # The limit is for parsing: the child's start-up is waited for apart.
            try:
                ready = self._results.poll(_START_SECONDS) and self._results.recv() == _READY
            except (EOFError, OSError):
                ready = False
            if not ready:
                self._stop(kill=True)
                raise RuntimeError("the parsing process did not start")
        return self._jobs, self._results

    def close(self) -> None:
        """Stop the child (a guard may be used again: it starts a new one)."""
        self._stop(kill=False)

    def _stop(self, *, kill: bool) -> None:
        for conn in (self._jobs, self._results):
            if conn is not None:
                conn.close()
        process = self._process
        if process is not None:
            if kill:
                process.kill()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._process, self._jobs, self._results = None, None, None

    def parse(
        self, text: str | bytes, *, source: Source | None = None,
        defects: Iterable[Defect] = (), line_map: LineMap | None = None,
    ) -> Cable:  # fmt: skip
        """``parse()`` with the time limit (raises ``NotACableError`` as it does)."""
        job = ParseJob(text, source, tuple(defects), line_map)
        for _, result in self.parse_many([job]):
            if isinstance(result, Exception):
                raise result
            return result
        raise AssertionError("unreachable")

    def parse_many(
        self, jobs: Iterable[ParseJob]
    ) -> Iterator[tuple[ParseJob, Cable | NotACableError | RuntimeError]]:
        """Each job with its cable, its ``NotACableError`` or a ``RuntimeError`` for a
        parser bug, in order.  A document over the limit gives its
        :func:`timed_out_cable`; the child is replaced and the rest go on.

        One document at a time: the child is idle while one is sent and the
        parent reads while a result is sent, so neither can block on a full pipe.
        """
        for job in jobs:
            send, receive = self._start()
            try:
                send.send(job)
                answered = receive.poll(self.seconds)
                result = receive.recv() if answered else None
            except (EOFError, OSError):  # the child died (killed, out of memory)
                self._stop(kill=True)
                yield job, RuntimeError("the parsing process died")
                continue
            if result is None:
                self._stop(kill=True)
                yield job, timed_out_cable(job, self.seconds)
            else:
                yield job, result


_shared: ParseGuard | None = None
_shared_lock = threading.Lock()


def _close_shared() -> None:
    if _shared is not None:
        _shared.close()


def parse_bounded(
    text: str | bytes, *, seconds: float | None = None, source: Source | None = None,
    defects: Iterable[Defect] = (), line_map: LineMap | None = None,
) -> Cable:  # fmt: skip
    """``parse()`` under a time limit (``seconds``, default :func:`parse_seconds`):
    past it, the cable holding the text with a ``PARSE_TIME_LIMIT`` defect.

    Runs in a child process kept for this process's later calls (one at a time).
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ParseGuard()
            atexit.register(_close_shared)
        _shared.seconds = parse_seconds() if seconds is None else seconds
        return _shared.parse(text, source=source, defects=defects, line_map=line_map)


def child_main() -> None:
    """The child's entry: ``python -c ... JOBS_FD RESULTS_FD PARENT_PID``."""
    _child(
        Connection(int(sys.argv[1]), writable=False),
        Connection(int(sys.argv[2]), readable=False),
        int(sys.argv[3]),
    )


_CHILD_COMMAND = f"from {__name__} import child_main; child_main()"
