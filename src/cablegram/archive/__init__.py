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

An archive is opened *for a reader*: ``Archive(path, principal=...)`` (a
:class:`~cablegram.access.principal.Principal`, e.g. ``archive.users.principal
("alice")`` or ``PUBLIC``); the default is the local owner, who reads
everything.  Every read answers as that reader sees the archive (docs/access.md).
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from cablegram.access.principal import OWNER, PUBLIC, Principal
from cablegram.access.redact import redact
from cablegram.archive import graph as _graph
from cablegram.archive import schema
from cablegram.archive.audit import AuditLog
from cablegram.archive.blobs import unpack_json, unpack_text
from cablegram.archive.ingest import (
    DocTuple,
    IngestReport,
    Progress,
    Task,
    WorkerConfig,
    plan_tasks,
    run_tasks,
    work_docs,
)
from cablegram.archive.query import QuerySyntaxError, compile_query
from cablegram.archive.records import reader_views
from cablegram.archive.results import Hit, SearchResult
from cablegram.archive.review import Review, ReviewError
from cablegram.archive.schema import ArchiveVersionError
from cablegram.archive.stats import stats as _stats
from cablegram.archive.store import CopyInfo, SQLiteStore, Store
from cablegram.archive.users import UserError, UserInfo, Users
from cablegram.model import Cable, Classification, Defect, from_dict

__all__ = [
    "DEFAULT_ARCHIVE",
    "OWNER",
    "PUBLIC",
    "AccessDenied",
    "Archive",
    "ArchiveVersionError",
    "CopyInfo",
    "Hit",
    "IngestReport",
    "QuerySyntaxError",
    "ReviewError",
    "SearchResult",
    "Store",
    "UserError",
    "archive_path",
]

DEFAULT_ARCHIVE = "cablegram.sqlite"


def archive_path(path: str | os.PathLike[str] | None = None) -> str:
    """``path``, else ``$CABLEGRAM_ARCHIVE``, else ``./cablegram.sqlite``."""
    if path:
        return os.fspath(path)
    return os.environ.get("CABLEGRAM_ARCHIVE") or DEFAULT_ARCHIVE


class AccessDenied(PermissionError):
    """An operation the reader may not do (administration by a non-owner)."""


class Archive:
    """A cable archive in one SQLite file, opened for one reader (see the module docstring).

    ``interface`` names where the reader comes from in the audit log
    (``python``, ``cli``, ``web``, ``api``).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        principal: Principal | None = None,
        interface: str = "python",
    ) -> None:
        self.path = archive_path(path)
        self.principal = principal or OWNER
        self.interface = interface
        self.store = self._open(self.path)

    def _open(self, path: str) -> SQLiteStore:
        store = SQLiteStore(path, self.principal)
        review = Review(store, AuditLog(store.conn), self.interface)
        # A cable whose fields are rewritten keeps its published view current.
        store.on_fields = lambda rowid, rec: review.apply(rec.id, rowid)
        return store

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # -- the archive's records beyond cables --
    @property
    def users(self) -> Users:
        """Accounts (``add``, ``set``, ``remove``, ``list``, ``principal``, ``authenticate``).
        Changes need an owner; every change is audited."""
        return _AuditedUsers(self)

    @property
    def audit(self) -> AuditLog:
        """The audit log (``query``): owners only — it names what others read."""
        self._require_owner("read the audit log")
        return self._audit

    @property
    def _audit(self) -> AuditLog:
        return AuditLog(self.store.conn)

    @property
    def review(self) -> Review:
        """Declassification: ``due``, ``status``, ``decide``, ``decisions``, ``report``."""
        return Review(self.store, self._audit, self.interface)

    def as_reader(self, principal: Principal, *, interface: str | None = None) -> Archive:
        """The same archive file opened for another reader."""
        return Archive(self.path, principal=principal, interface=interface or self.interface)

    def _require_owner(self, what: str) -> None:
        if not self.principal.owner:
            raise AccessDenied(f"{self.principal.name} may not {what}")

    # -- writing --
    def ingest(
        self,
        sources: Iterable[str | os.PathLike[str] | bytes | BinaryIO],
        *,
        workers: int = 2,
        batch: int = 5000,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Read files, directories, zip/gzip files, bytes or binary streams (stdin)."""
        self._require_owner("ingest into the archive")
        srcs = [os.fspath(s) if isinstance(s, (str, os.PathLike)) else s for s in sources]
        report = IngestReport()
        config = WorkerConfig(os.path.abspath(self.path), self.store.reader.policy)
        tasks = plan_tasks(srcs, report.failures, config)
        return run_tasks(self.store, tasks, report, workers=workers, batch=batch, progress=progress)

    def reindex(self, *, workers: int = 2, progress: Progress | None = None) -> IngestReport:
        """Re-parse every stored copy with the current parser into a fresh archive
        file, then swap it in (the old file stays intact until the swap).
        Accounts, decisions, the audit log and settings are carried over."""
        self._require_owner("reindex the archive")
        fresh_path = self.path + ".reindex"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(fresh_path + suffix):
                os.remove(fresh_path + suffix)
        old = schema.open_for_copies(self.path)
        fresh = self._open(fresh_path)
        self._carry_over(old, fresh)
        report = IngestReport()
        config = WorkerConfig(None, fresh.reader.policy)
        tasks = (
            Task(work_docs, (chunk, sum(len(d[0]) for d in chunk), config))
            for chunk in self._copy_chunks(old)
        )
        run_tasks(fresh, tasks, report, workers=workers, progress=progress)
        fresh.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fresh.close()
        old.close()
        self.store.close()
        os.replace(fresh_path, self.path)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(self.path + suffix):
                os.remove(self.path + suffix)
        self.store = self._open(self.path)
        return report

    @staticmethod
    def _carry_over(old: sqlite3.Connection, fresh: SQLiteStore) -> None:
        """Copy the records that are not derived from copies into ``fresh``."""
        tables = {r[0] for r in old.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        with schema.transaction(fresh.conn):
            for table in schema.KEPT_TABLES:
                if table not in tables:
                    continue
                cols = [r[1] for r in old.execute(f"PRAGMA table_info({table})")]
                wanted = [r[1] for r in fresh.conn.execute(f"PRAGMA table_info({table})")]
                common = [c for c in cols if c in wanted]
                names = ", ".join(common)
                marks = ", ".join("?" for _ in common)
                rows = old.execute(f"SELECT {names} FROM {table} ORDER BY rowid")
                fresh.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            row = old.execute("SELECT value FROM meta WHERE key = 'partial_release'").fetchone()
            if row is not None:
                fresh.conn.execute("INSERT OR REPLACE INTO meta VALUES ('partial_release', ?)", row)
        fresh.reader = dataclasses.replace(
            fresh.reader, policy=bool(fresh.setting("partial_release"))
        )

    @staticmethod
    def _copy_chunks(conn: sqlite3.Connection, size: int = 64) -> Iterator[list[DocTuple]]:
        import json

        chunk: list[DocTuple] = []
        rows = conn.execute(
            "SELECT raw, format, path, locator, metadata, source_defects FROM copies ORDER BY rowid"
        )
        for raw, fmt, path, locator, metadata, defects in rows:
            source_defects = tuple(Defect(c, m, line) for c, m, line in json.loads(defects))
            text = unpack_text(raw)
            chunk.append((text, fmt, path, locator, json.loads(metadata), source_defects))
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    # -- settings --
    @property
    def partial_release_search(self) -> bool:
        """Whether readers cleared below a cable's level find it by its released
        portions (and read it redacted to their level).  Off by default."""
        return self.store.reader.policy

    def set_partial_release_search(self, on: bool, *, progress: Progress | None = None) -> int:
        """Turn the policy on (building reader-level views of every cable) or
        off (dropping them); returns the number of views written."""
        self._require_owner("change the release policy")
        conn = self.store.conn
        written = 0
        with schema.transaction(conn):
            for (rowid,) in conn.execute("SELECT cable FROM views WHERE level < 7").fetchall():
                self.store.drop_views(rowid)  # reader-level views only: re-apply releases below
            rows = conn.execute(
                "SELECT c.rowid, c.id, c.access_rank, d.data FROM cables c"
                " JOIN cable_data d ON d.rowid = c.rowid WHERE c.access_rank > 0"
            )
            review = self.review
            for n, (rowid, cid, rank, blob) in enumerate(rows.fetchall(), 1):
                if on:
                    cable = from_dict(unpack_json(blob))
                    for view in reader_views(cable, rank):
                        self.store.put_view(rowid, view)
                        written += 1
                review.apply(cid, rowid)
                if progress and n % 1000 == 0:
                    progress(0, n, 0)
            self.store.set_setting("partial_release", on)
            self._audit.record(self.principal.name, self.interface, "policy",
                              None, partial_release_search=on)  # fmt: skip
        self.store.reader = dataclasses.replace(self.store.reader, policy=on)
        return written

    # -- reading --
    def search(
        self,
        query: str,
        *,
        sort: str = "rank",
        limit: int = 20,
        offset: int = 0,
        exact: bool = False,
    ) -> SearchResult:
        """Matches of ``query`` (raises :class:`QuerySyntaxError`); sort ``rank``,
        ``date`` or ``date-asc``.  A query matching more than 5,000 cables gets
        an estimated total and a sample-ranked first page (``exact=True``:
        count every match; see broad.py)."""
        if sort not in ("rank", "date", "date-asc"):
            raise ValueError(f"unknown sort {sort!r} (rank, date, date-asc)")
        plan = compile_query(query)
        try:
            return SearchResult(
                self.store, plan, query, sort=sort, limit=limit, offset=offset, exact=exact
            )
        except sqlite3.OperationalError as error:  # an FTS5 expression the compiler let through
            raise QuerySyntaxError(f"cannot search for this: {error}", 0, query) from None

    def _audit_read(self, data: dict[str, Any] | None, what: str) -> None:
        cls = (data or {}).get("classification")
        if data is not None and cls not in (None, Classification.UNCLASSIFIED.value):
            released = (data.get("source") or {}).get("metadata", {}).get("release")
            with schema.transaction(self.store.conn):
                self._audit.record(self.principal.name, self.interface, what, data.get("id"),
                                  classification=cls, redacted=released is not None)  # fmt: skip

    def get_dict(self, cable_id: str) -> dict[str, Any] | None:
        """Schema JSON of a cable as this reader sees it (None: absent or hidden).
        A read of a classified cable is audited."""
        data = self.store.get(cable_id)
        self._audit_read(data, "read")
        return data

    def get(self, cable_id: str) -> Cable | None:
        data = self.get_dict(cable_id)
        return None if data is None else from_dict(data)

    def copies(self, cable_id: str) -> list[CopyInfo]:
        """Original texts of every copy; empty unless the reader reads the whole cable."""
        found = self.store.copies(cable_id)
        if found:
            self._audit_read(self.store.get(cable_id), "read-copies")
        return found

    def raw(self, cable_id: str) -> str | None:
        """The telegram text the reader may see: the best copy's original text,
        or the rendered release view when it reads a view."""
        copies = self.copies(cable_id)
        if copies:
            return next(c.text for c in copies if c.primary)
        cable = self.get(cable_id)
        if cable is None:
            return None
        from cablegram.format.render import render

        return render(cable)

    def release_view(
        self, cable_id: str, level: str | Classification, *, sbu: bool | None = None
    ) -> Cable | None:
        """What a reader cleared to ``level`` may be shown of a cable this reader
        sees: portions above it withheld with their number and marking kept."""
        from cablegram.archive.users import parse_clearance

        target = parse_clearance(level)
        if target.rank > self.principal.clearance.rank and not self.principal.owner:
            raise AccessDenied(f"{self.principal.name} may not release above its own clearance")
        cable = self.get(cable_id)
        if cable is None:
            return None
        return redact(cable, target, sbu=target.rank > 0 if sbu is None else sbu)

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


class _AuditedUsers(Users):
    """:class:`Users` whose changes need an owner and are audited."""

    def __init__(self, archive: Archive) -> None:
        super().__init__(archive.store.conn)
        self._archive = archive

    def _change(self, action: str, name: str, **detail: Any) -> None:
        a = self._archive
        a._require_owner("manage accounts")
        with schema.transaction(self.conn):
            a._audit.record(a.principal.name, a.interface, action, name.lower(), **detail)

    def add(self, name: str, **kw: Any) -> Principal:
        self._archive._require_owner("manage accounts")
        principal = super().add(name, **kw)
        self._change("user-add", name, **_grants(kw))
        return principal

    def set(self, name: str, **kw: Any) -> Principal:
        self._archive._require_owner("manage accounts")
        principal = super().set(name, **kw)
        self._change("user-set", name, **_grants(kw))
        return principal

    def remove(self, name: str) -> None:
        self._archive._require_owner("manage accounts")
        super().remove(name)
        self._change("user-remove", name)

    def info(self, name: str) -> UserInfo:
        """A user's grants: owners see anyone's, a user its own."""
        if name.lower() != self._archive.principal.name.lower():
            self._archive._require_owner("read other accounts")
        return super().info(name)

    def list(self) -> list[UserInfo]:
        self._archive._require_owner("list accounts")
        return super().list()


def _grants(kw: dict[str, Any]) -> dict[str, Any]:
    """What an account change granted, for the audit log (never the password)."""
    out = {k: (sorted(v) if isinstance(v, (list, tuple, set, frozenset)) else str(v))
           for k, v in kw.items() if v is not None and k != "password"}  # fmt: skip
    if kw.get("password"):
        out["password"] = "changed"
    return out
