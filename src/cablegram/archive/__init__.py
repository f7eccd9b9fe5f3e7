"""The cable archive: ingest dumps, search, read, follow references.

    from cablegram.archive import Archive
    with Archive("cables.sqlite") as archive:
        archive.ingest(["cables.csv", "pages/"])
        result = archive.search('tag:PTER "guantanamo detainees" date:2006')
        for hit in result:
            print(hit.id, hit.subject, hit.snippet)
        result.facets()                  # counts by tag, origin, class, caption, year, month
        archive.refs("06ALMATY1703")     # what it cites, resolved against the archive

The archive file is ``--archive`` / ``path``, else ``$CABLEGRAM_ARCHIVE``,
else ``./cablegram.sqlite``.  See docs/archive.md.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from cablegram.archive import graph as _graph
from cablegram.archive.ingest import (
    DocTuple,
    IngestReport,
    Progress,
    plan_tasks,
    run_tasks,
    work_docs,
)
from cablegram.archive.query import QuerySyntaxError, compile_query
from cablegram.archive.results import Hit, SearchResult
from cablegram.archive.stats import stats as _stats
from cablegram.archive.store import CopyInfo, SQLiteStore, Store, Visibility
from cablegram.model import Cable, Defect, from_dict

__all__ = [
    "DEFAULT_ARCHIVE",
    "Archive",
    "CopyInfo",
    "Hit",
    "IngestReport",
    "QuerySyntaxError",
    "SearchResult",
    "Store",
    "Visibility",
    "archive_path",
]

DEFAULT_ARCHIVE = "cablegram.sqlite"


def archive_path(path: str | os.PathLike[str] | None = None) -> str:
    """``path``, else ``$CABLEGRAM_ARCHIVE``, else ``./cablegram.sqlite``."""
    if path:
        return os.fspath(path)
    return os.environ.get("CABLEGRAM_ARCHIVE") or DEFAULT_ARCHIVE


class Archive:
    """A cable archive in one SQLite file (see the module docstring)."""

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, visibility: Visibility | None = None
    ) -> None:
        self.path = archive_path(path)
        self.store = SQLiteStore(self.path, visibility)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # -- writing --
    def ingest(
        self,
        sources: Iterable[str | os.PathLike[str] | bytes | BinaryIO],
        *,
        workers: int = 2,
        batch: int = 2000,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Read files, directories, zip/gzip files, bytes or binary streams (stdin)."""
        srcs = [os.fspath(s) if isinstance(s, (str, os.PathLike)) else s for s in sources]
        report = IngestReport()
        tasks = plan_tasks(srcs, report.failures, os.path.abspath(self.path))
        return run_tasks(self.store, tasks, report, workers=workers, batch=batch, progress=progress)

    def reindex(self, *, workers: int = 2, progress: Progress | None = None) -> IngestReport:
        """Re-parse every stored copy with the current parser into a fresh archive
        file, then swap it in (the old file stays intact until the swap)."""
        fresh_path = self.path + ".reindex"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(fresh_path + suffix):
                os.remove(fresh_path + suffix)
        fresh = SQLiteStore(fresh_path)
        report = IngestReport()
        tasks = (
            (work_docs, (chunk, sum(len(d[0]) for d in chunk))) for chunk in self._copy_chunks()
        )
        run_tasks(fresh, tasks, report, workers=workers, progress=progress)
        fresh.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fresh.close()
        self.store.close()
        os.replace(fresh_path, self.path)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(self.path + suffix):
                os.remove(self.path + suffix)
        self.store = SQLiteStore(self.path, self.store.visibility)
        return report

    def _copy_chunks(self, size: int = 64) -> Iterator[list[DocTuple]]:
        import json
        import zlib

        chunk: list[DocTuple] = []
        rows = self.store.conn.execute(
            "SELECT raw, format, path, locator, metadata, source_defects FROM copies ORDER BY rowid"
        )
        for raw, fmt, path, locator, metadata, defects in rows.fetchall():
            source_defects = tuple(Defect(c, m, line) for c, m, line in json.loads(defects))
            text = zlib.decompress(raw).decode("utf-8")
            chunk.append((text, fmt, path, locator, json.loads(metadata), source_defects))
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    # -- reading --
    def search(
        self, query: str, *, sort: str = "rank", limit: int = 20, offset: int = 0
    ) -> SearchResult:
        """Matches of ``query`` (raises :class:`QuerySyntaxError`); sort ``rank`` or ``date``."""
        if sort not in ("rank", "date", "date-asc"):
            raise ValueError(f"unknown sort {sort!r} (rank, date, date-asc)")
        plan = compile_query(query)
        try:
            return SearchResult(self.store, plan, query, sort=sort, limit=limit, offset=offset)
        except sqlite3.OperationalError as error:  # an FTS5 expression the compiler let through
            raise QuerySyntaxError(f"cannot search for this: {error}", 0, query) from None

    def get(self, cable_id: str) -> Cable | None:
        data = self.store.get(cable_id)
        return None if data is None else from_dict(data)

    def get_dict(self, cable_id: str) -> dict[str, Any] | None:
        return self.store.get(cable_id)

    def copies(self, cable_id: str) -> list[CopyInfo]:
        return self.store.copies(cable_id)

    def refs(self, cable_id: str) -> list[_graph.RefLink] | None:
        return _graph.refs(self.store, cable_id)

    def cited_by(self, cable_id: str) -> list[_graph.Node] | None:
        return _graph.cited_by(self.store, cable_id)

    def thread(self, cable_id: str, *, depth: int = 4) -> _graph.Thread | None:
        return _graph.thread(self.store, cable_id, depth=depth)

    def graph(self, query: str, *, limit: int = 1000) -> dict[str, Any]:
        ids = [hit.id for hit in self.search(query, sort="date", limit=limit)]
        return _graph.graph(self.store, ids)

    def stats(self) -> dict[str, Any]:
        return _stats(self.store)
