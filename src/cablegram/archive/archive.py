"""``Archive``: the archive as its users hold it — one reader, one store.

A thin front over a :class:`~cablegram.archive.store.Store`: it opens the
backend the location names, checks who may do what (administration is the
owner's), audits reads of classified cables, and hands everything else to
the library modules typed against the store (results, graph, review, users,
ingest).  See the package docstring.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any, BinaryIO

from cablegram.access.policy import reads_as_cleared
from cablegram.access.principal import OWNER, Principal
from cablegram.access.redact import redact
from cablegram.archive import graph as _graph
from cablegram.archive.audit import AuditLog
from cablegram.archive.errors import AccessDenied
from cablegram.archive.facets import UNKNOWN
from cablegram.archive.ingest import (
    IngestReport,
    Part,
    Progress,
    WorkerConfig,
    parse_limit,
    plan_tasks,
    run_tasks,
    stored_tasks,
)
from cablegram.archive.query import compile_query
from cablegram.archive.records import reader_views
from cablegram.archive.results import SearchResult
from cablegram.archive.review import Review
from cablegram.archive.store import CopyInfo, Store, is_server_url, open_store
from cablegram.archive.users import UserInfo, Users
from cablegram.model import Cable, Classification, from_dict

DEFAULT_ARCHIVE = "cablegram.sqlite"


def archive_path(path: str | os.PathLike[str] | None = None) -> str:
    """``path``, else ``$CABLEGRAM_ARCHIVE``, else ``./cablegram.sqlite``: a
    file path (SQLite) or a ``postgresql://`` URL."""
    if path:
        return os.fspath(path)
    return os.environ.get("CABLEGRAM_ARCHIVE") or DEFAULT_ARCHIVE


class Archive:
    """A cable archive opened for one reader (see the package docstring).

    ``location`` is an SQLite file path or a ``postgresql://user@host/db``
    URL.  ``interface`` names where the reader comes from in the audit log
    (``python``, ``cli``, ``web``, ``api``).  ``create=False`` refuses an
    archive that does not exist yet (reading commands), with
    :class:`~cablegram.archive.errors.ArchiveNotFound`.  ``read_only=True``
    refuses every write with :class:`~cablegram.archive.errors.ReadOnlyArchive`
    (an archive on read-only storage is opened so by itself): searching and
    reading work, except reads that must be audited.
    """

    def __init__(
        self,
        location: str | os.PathLike[str] | None = None,
        *,
        principal: Principal | None = None,
        interface: str = "python",
        create: bool = True,
        read_only: bool = False,
    ) -> None:
        self.location = archive_path(location)
        self.principal = principal or OWNER
        self.interface = interface
        self.store = self._watch(
            open_store(self.location, self.principal, create=create, read_only=read_only)
        )

    @property
    def path(self) -> str:
        """The archive's location (a file path, or a server URL)."""
        return self.location

    @property
    def server(self) -> bool:
        return is_server_url(self.location)

    def _watch(self, store: Store) -> Store:
        # A cable whose fields are rewritten keeps its published view current.
        review = Review(store, AuditLog(store.audit), self.interface)
        store.on_fields = review.apply_each
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
        return AuditLog(self.store.audit)

    @property
    def review(self) -> Review:
        """Declassification: ``due``, ``status``, ``decide``, ``decisions``, ``report``."""
        return Review(self.store, self._audit, self.interface)

    def as_reader(self, principal: Principal, *, interface: str | None = None) -> Archive:
        """The same archive opened for another reader."""
        return Archive(self.location, principal=principal, interface=interface or self.interface,
                       read_only=self.store.read_only)  # fmt: skip

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
        part: Part | str | None = None,
        parse_seconds: float | None = None,
    ) -> IngestReport:
        """Read files, directories, zip/gzip files, bytes or binary streams
        (stdin).  ``part`` (``"K/N"``): only this process's share of the
        inputs, for N processes (or machines) filling one archive at once.
        ``parse_seconds``: the time limit per document (a document that takes
        longer is stored as its text with a defect; ``format.bounded``); None:
        the configured limit (``CABLEGRAM_PARSE_SECONDS``, else 10 s), 0: none."""
        self._require_owner("ingest into the archive")
        share = Part.parse(part) if isinstance(part, str) else part or Part()
        srcs = [os.fspath(s) if isinstance(s, (str, os.PathLike)) else s for s in sources]
        report = IngestReport()
        config = WorkerConfig(self.store.partial_release, parse_limit(parse_seconds))
        tasks = plan_tasks(srcs, report.failures, config, share)
        return run_tasks(self.store, tasks, report, workers=workers, batch=batch, progress=progress)

    def reindex(self, *, workers: int = 2, progress: Progress | None = None) -> IngestReport:
        """Re-parse every stored copy with the current parser into a fresh
        archive, then swap it in (the old one stays intact until the swap).
        Accounts, decisions, the audit log and settings are carried over."""
        self._require_owner("reindex the archive")
        fresh = self._watch(self.store.fresh())
        fresh.put_kept_records(self.store.kept_records())
        report = IngestReport()
        config = WorkerConfig(fresh.partial_release, parse_limit(None))
        tasks = stored_tasks(self.store.iter_documents(), config)
        run_tasks(fresh, tasks, report, workers=workers, progress=progress, skip_stored=False)
        self.store.replace_with(fresh)
        self._watch(self.store)
        return report

    # -- settings --
    @property
    def partial_release_search(self) -> bool:
        """Whether readers cleared below a cable's level find it by its released
        portions (and read it redacted to their level).  Off by default."""
        return self.store.partial_release

    def set_partial_release_search(self, on: bool, *, progress: Progress | None = None) -> int:
        """Turn the policy on (building reader-level views of every cable) or
        off (dropping them); returns the number of views written."""
        self._require_owner("change the release policy")
        with self.store.transaction():
            written = self.store.rebuild_reader_views(
                on,
                lambda data, rank: reader_views(from_dict(data), rank),
                (lambda n: progress(0, n, 0)) if progress else None,
            )
            self._audit.record(self.principal.name, self.interface, "policy",
                               None, partial_release_search=on)  # fmt: skip
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
        ``date`` or ``date-asc``.  The empty query matches every cable the
        reader may see.  A query matching more than 5,000 cables gets an
        estimated total and a sample-ranked first page (``exact=True``: count
        every match; see broad.py)."""
        if sort not in ("rank", "date", "date-asc"):
            raise ValueError(f"unknown sort {sort!r} (rank, date, date-asc)")
        plan = compile_query(query)
        return SearchResult(self.store, plan, query, sort=sort, limit=limit, offset=offset,
                            exact=exact)  # fmt: skip

    def _audit_read(self, data: dict[str, Any] | None, what: str) -> None:
        cls = (data or {}).get("classification")
        if data is not None and cls not in (None, Classification.UNCLASSIFIED.value):
            released = (data.get("source") or {}).get("metadata", {}).get("release")
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
        """Counts the archive holds, as this reader sees it.  One rule dates a
        cable, as for ``date:`` and the facets: its date-time group; cables
        without one count as ``(unknown)``, years included."""
        out = self.store.stats(size=20)
        years: dict[str, int] = {}
        for month, n in out["by_month"]:
            year = UNKNOWN if month is None else str(month)[:4]
            years[year] = years.get(year, 0) + n
        out["by_year"] = sorted(years.items(), key=lambda kv: (kv[0] == UNKNOWN, kv[0]))
        for key in ("by_month", "by_classification", "by_origin"):
            out[key] = [(UNKNOWN if v is None else v, n) for v, n in out[key]]
        return out


class _AuditedUsers(Users):
    """:class:`Users` whose changes need an owner and are audited."""

    def __init__(self, archive: Archive) -> None:
        super().__init__(archive.store.accounts, archive.store.signins)
        self._archive = archive

    def _change(self, action: str, name: str, **detail: Any) -> None:
        a = self._archive
        a._require_owner("manage accounts")
        a._audit.record(a.principal.name, a.interface, action, name.lower(), **detail)

    def add(self, name: str, **kw: Any) -> Principal:
        self._archive._require_owner("manage accounts")
        principal = super().add(name, **kw)
        self._change("user-add", name, **_grants(kw))
        self._clearance_tier(principal)
        return principal

    def set(self, name: str, **kw: Any) -> Principal:
        self._archive._require_owner("manage accounts")
        principal = super().set(name, **kw)
        self._change("user-set", name, **_grants(kw))
        self._clearance_tier(principal)
        return principal

    def _clearance_tier(self, principal: Principal) -> None:
        """An account that reads as a plain cleared reader searches its
        clearance's tier, made here for the first such account (its cost
        in time and room is the archive's text again, so an archive gets
        only the tiers its accounts use: docs/access.md)."""
        clearance = reads_as_cleared(principal)
        if clearance is not None:
            self._archive.store.add_clearance_tier(clearance)

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
