"""An archive in one SQLite file: the embedded backend of the ``Store`` protocol.

WAL journal (one writer, many readers); every read goes through
:meth:`SQLiteStore.scope`, which AND-s the reader's access rule (access.py)
into the query, so counts, facets, snippets, graph edges and stats never see
a hidden cable; rows a reader sees through a release view are matched, shown
and snippeted from the view (``views`` / ``fts_views``), never from the cable.
The search lives in search.py, the graph and stats in graph.py, the batch
writer in writer.py, accounts, audit and decisions in their own modules.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from cablegram.access.principal import OWNER, Principal
from cablegram.archive.blobs import unpack_json, unpack_text
from cablegram.archive.errors import ArchiveNotFound, ArchiveWriteError, NotAnArchive
from cablegram.archive.ids import id_key
from cablegram.archive.records import FULL_VIEW, PUBLIC_VIEW, CopyRecord, ViewRecord, content_digest
from cablegram.archive.sqlite import schema, tiers
from cablegram.archive.sqlite.access import ReaderScope
from cablegram.archive.sqlite.accounts import USER_COLUMNS, SQLiteAccounts, SQLiteSignIns
from cablegram.archive.sqlite.audit import SQLiteAudit
from cablegram.archive.sqlite.connection import connect, open_read_only, transaction, writable
from cablegram.archive.sqlite.delivery import SQLiteDeliveries
from cablegram.archive.sqlite.graph import GraphQueries
from cablegram.archive.sqlite.network import SQLiteNetwork
from cablegram.archive.sqlite.review import DECISION_COLUMNS, SQLiteDecisions
from cablegram.archive.sqlite.search import SearchQueries
from cablegram.archive.sqlite.sidefile import open_side, side_path
from cablegram.archive.sqlite.writer import clear_fields, write_batch
from cablegram.archive.store import CopyInfo, KeptRecords, StoredDocument, WriteCounts
from cablegram.archive.users import cleared_levels
from cablegram.model import Classification

# WAL pages between checkpoints while ingesting (256 MB): a page dirtied by
# several batches is then copied into the database once, not each time.
INGEST_CHECKPOINT_PAGES = 16384

# Settings that describe this file's layout, not the archive's content.
_LAYOUT_SETTINGS = ("schema", "caption_bits")


def _not_opened(path: str, error: sqlite3.DatabaseError) -> NotAnArchive:
    if getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY:
        # connect() retried, or busy_timeout waited, about 10 s: another connection kept it.
        return NotAnArchive(f"{path}: the archive stayed locked by another connection ({error})")
    return NotAnArchive(f"{path}: not a cablegram archive ({error})")


class SQLiteStore(SearchQueries, GraphQueries):
    """An archive in one SQLite file, opened for one reader."""

    def __init__(
        self, path: str, principal: Principal | None = None, *, create: bool = True,
        read_only: bool = False,
    ) -> None:  # fmt: skip
        if (not create or read_only) and not os.path.exists(path):
            raise ArchiveNotFound(f"{path}: no such archive")
        self.location = self.path = path
        # A file (or folder) that cannot be written is opened read-only.
        self.read_only = read_only or not writable(path)
        try:
            self.conn = connect(path, schema.PRAGMAS, read_only=self.read_only)
        except sqlite3.DatabaseError as error:
            raise _not_opened(path, error) from None
        try:
            schema.migrate(self.conn, path)  # refused (ReadOnlyArchive) when it would write
        except sqlite3.DatabaseError as error:
            self.conn.close()
            raise _not_opened(path, error) from None
        except BaseException:
            self.conn.close()
            raise
        self._lock = threading.Lock()
        self.on_fields: Callable[[list[str]], None] | None = None
        self._matches_key: tuple[object, ...] | None = None
        self.reader = ReaderScope(
            principal or OWNER, self.setting("caption_bits"), bool(self.setting("partial_release"))
        )
        self.side = open_side(path, read_only=self.read_only)
        self.accounts = SQLiteAccounts(self.conn)
        self.signins = SQLiteSignIns(self.side)
        self.audit = SQLiteAudit(self.conn, self.side)
        self.decisions = SQLiteDecisions(self)
        self.network = SQLiteNetwork(self.conn)
        self.deliveries = SQLiteDeliveries(self.conn)

    @property
    def principal(self) -> Principal:
        return self.reader.principal

    def for_reader(self, principal: Principal) -> SQLiteStore:
        return SQLiteStore(self.path, principal, read_only=self.read_only)

    def close(self) -> None:
        self.conn.close()
        self.side.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with transaction(self.conn):
            yield

    # -- settings --
    def setting(self, key: str) -> Any:
        """A JSON value kept in ``meta`` (None when unset)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        with transaction(self.conn):
            changed = self.setting(key) != value
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))
            if key == "partial_release" and changed:
                tiers.rebuild(self.conn)  # the public reader's view of every cable may change
        if key == "partial_release":
            self.reader = ReaderScope(self.reader.principal, self.reader.bits, bool(value))

    def add_clearance_tier(self, clearance: Classification) -> bool:
        """Make the index of what readers cleared to ``clearance`` with no
        read-ins read (tiers.py), unless the archive has it."""
        with transaction(self.conn):
            return tiers.create_clearance_tier(self.conn, clearance)

    @property
    def partial_release(self) -> bool:
        return self.reader.policy

    # -- access control: the one place where the rule enters every query --
    def scope(self) -> tuple[str, tuple[object, ...]]:
        """`` AND (rule)`` for the cables row aliased ``c``, and its params.

        Every read (search, counts, facets, snippets, graph, stats) appends
        this, so access control lives in one place, inside the SQL."""
        if self.reader.owner:
            return "", ()
        sql, params = self.reader.visible()
        if (
            tier := tiers.tier_of(self.reader, self.conn)
        ) is not None:  # only its tier's rows (tiers.py)
            return f" AND c.{tier.flag} = 1 AND {sql}", params
        return f" AND {sql}", params

    def views_present(self) -> bool:
        return bool(self.conn.execute("SELECT EXISTS (SELECT 1 FROM views)").fetchone()[0])

    def view_of(self, rowid: int) -> int | None:
        """The view through which this reader sees cable ``rowid`` (None: hidden)."""
        if self.reader.owner:
            return FULL_VIEW
        case, params = self.reader.view_case()
        row = self.conn.execute(
            f"SELECT {case} FROM cables c WHERE c.rowid = ?", (*params, rowid)
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def view_row(self, rowid: int, level: int) -> tuple[str | None, bytes]:
        """(subject, packed JSON) of a release view."""
        row = self.conn.execute(
            "SELECT subject, data FROM views WHERE cable = ? AND level = ?", (rowid, level)
        ).fetchone()
        return row[0], bytes(row[1])

    def seen_subject(self, rowid: int, subject: str | None) -> str | None:
        """The subject as this reader sees it (a view may withhold it)."""
        view = self.view_of(rowid)
        if view is None or view == FULL_VIEW:
            return subject
        return self.view_row(rowid, view)[0]

    def seen_data(self, rowid: int) -> bytes | None:
        """Packed schema JSON of cable ``rowid`` as this reader sees it, or None."""
        view = self.view_of(rowid)
        if view is None:
            return None
        if view == FULL_VIEW:
            return self._data(rowid)
        return self.view_row(rowid, view)[1]

    def _data(self, rowid: int) -> bytes:
        row = self.conn.execute("SELECT data FROM cable_data WHERE rowid = ?", (rowid,)).fetchone()
        return bytes(row[0])

    # -- writing --
    def write(self, records: Iterable[CopyRecord]) -> WriteCounts:
        """Store a batch in one transaction: all of it or (on error) none."""
        try:
            with self._lock, transaction(self.conn):
                return write_batch(
                    self.conn, records,
                    clear_fields=self._clear_fields,
                    put_view=self._put_view,
                    on_fields=self.on_fields,
                    written=lambda texts: tiers.place(self.conn, list(texts), texts),
                )  # fmt: skip
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
                raise ArchiveWriteError(f"{self.path}: {error}: the batch was not stored") from None
            raise

    def stored_digests(self) -> bytes:
        """The sha256 of every stored copy, 32 bytes each, sorted (ingest skips them)."""
        rows = self.conn.execute("SELECT sha256 FROM copies ORDER BY sha256")
        return b"".join(bytes.fromhex(sha) for (sha,) in rows)

    @contextmanager
    def ingesting(self) -> Iterator[None]:
        """Checkpoint the WAL less often while a big ingest writes."""
        self.conn.execute(f"PRAGMA wal_autocheckpoint={INGEST_CHECKPOINT_PAGES}")
        try:
            yield
        finally:
            self.conn.execute("PRAGMA wal_autocheckpoint=1000")  # SQLite's default again

    def _clear_fields(self, rowid: int) -> None:
        tiers.forget(self.conn, [rowid])  # the writer places it again with its new fields
        clear_fields(self.conn, rowid, self._drop_views)

    def _drop_views(self, rowid: int, level: int | None = None) -> None:
        """Remove release views of a cable (all, or one level) and their index
        entries; the cable leaves the public tier (its callers place it again)."""
        tiers.forget(self.conn, [rowid])
        one = level is not None
        sql = "SELECT level, data FROM views WHERE cable = ?" + (" AND level = ?" if one else "")
        args = (rowid, level) if one else (rowid,)
        for lvl, blob in self.conn.execute(sql, args).fetchall():
            view = unpack_json(blob)
            self.conn.execute(
                "INSERT INTO fts_views (fts_views, rowid, subject, body) VALUES ('delete', ?, ?, ?)",
                (rowid * 8 + lvl, view.get("subject") or "", view.get("text") or ""),
            )
            self.conn.execute("DELETE FROM views WHERE cable = ? AND level = ?", (rowid, lvl))

    def _put_view(self, rowid: int, view: ViewRecord) -> None:
        """Store a release view and index its text (replacing that level)."""
        self._drop_views(rowid, view.level)
        self.conn.execute(
            "INSERT INTO views (cable, level, subject, data) VALUES (?, ?, ?, ?)",
            (rowid, view.level, view.subject, view.data),
        )
        self.conn.execute(
            "INSERT INTO fts_views (rowid, subject, body) VALUES (?, ?, ?)",
            (rowid * 8 + view.level, view.subject or "", view.body),
        )

    def _stored_rowid(self, cable_id: str) -> int | None:
        row = self.conn.execute("SELECT rowid FROM cables WHERE id = ?", (cable_id.upper(),))
        found = row.fetchone()
        return None if found is None else int(found[0])

    def stored_cable(self, cable_id: str) -> dict[str, Any] | None:
        """A cable's schema JSON whoever reads (the archive's own writes need it)."""
        rowid = self._stored_rowid(cable_id)
        return None if rowid is None else unpack_json(self._data(rowid))  # type: ignore[no-any-return]

    def publish(self, cable_id: str, view: ViewRecord | None) -> None:
        """Set (or, with None, withdraw) the public view of a cable under a release decision."""
        rowid = self._stored_rowid(cable_id)
        if rowid is None:
            return
        with transaction(self.conn):
            tiers.forget(self.conn, [rowid])
            if view is None:
                self._drop_views(rowid, PUBLIC_VIEW)
                self.conn.execute("UPDATE cables SET released = 0 WHERE rowid = ?", (rowid,))
            else:
                self._put_view(rowid, view)
                self.conn.execute("UPDATE cables SET released = 1 WHERE rowid = ?", (rowid,))
            tiers.place(self.conn, [rowid])

    def rebuild_reader_views(
        self,
        on: bool,
        views_of: Callable[[dict[str, Any], int], tuple[ViewRecord, ...]],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Drop every reader-level view, and with ``on`` write them again for
        every classified cable (partial-release search policy); calls
        ``on_fields`` for each so public views are re-applied; returns the
        number of views written.  One transaction."""
        written = 0
        with transaction(self.conn):
            for (rowid,) in self.conn.execute("SELECT cable FROM views WHERE level < 7").fetchall():
                self._drop_views(rowid)  # reader-level views only: releases re-applied below
            rows = self.conn.execute(
                "SELECT c.rowid, c.id, c.access_rank, d.data FROM cables c"
                " JOIN cable_data d ON d.rowid = c.rowid WHERE c.access_rank > 0"
            )
            classified = rows.fetchall()
            for n, (rowid, _cid, rank, blob) in enumerate(classified, 1):
                if on:
                    for view in views_of(unpack_json(blob), rank):
                        self._put_view(rowid, view)
                        written += 1
                if progress and n % 1000 == 0:
                    progress(n)
            if self.on_fields is not None:
                self.on_fields([cid for _rowid, cid, *_ in classified])
            self.conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('partial_release', ?)", (json.dumps(on),)
            )
            tiers.rebuild(self.conn)  # every reader-level view was rewritten
        self.reader = ReaderScope(self.reader.principal, self.reader.bits, on)
        return written

    # -- reading --
    def rowid_of(self, cable_id: str) -> int | None:
        """The visible cable answering to ``cable_id`` (exact id first, then alias key)."""
        vis, vp = self.scope()
        row = self.conn.execute(
            f"SELECT c.rowid FROM cables c WHERE c.id = ?{vis}", (cable_id.upper(), *vp)
        ).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT c.rowid FROM cable_keys k JOIN cables c ON c.rowid = k.cable"
                f" WHERE k.key = ?{vis} ORDER BY c.rowid LIMIT 1",
                (id_key(cable_id), *vp),
            ).fetchone()
        return None if row is None else int(row[0])

    def get(self, cable_id: str) -> dict[str, Any] | None:
        """The schema JSON of a cable as this reader sees it, or None (absent or hidden)."""
        rowid = self.rowid_of(cable_id)
        blob = None if rowid is None else self.seen_data(rowid)
        return None if blob is None else unpack_json(blob)  # type: ignore[no-any-return]

    def copies(self, cable_id: str) -> list[CopyInfo]:
        """The stored copies (original texts): only for a reader of the whole cable."""
        rowid = self.rowid_of(cable_id)
        if rowid is None or self.view_of(rowid) != FULL_VIEW:
            return []
        rows = self.conn.execute(
            "SELECT p.sha256, p.format, p.path, p.locator, p.raw, p.rowid = c.copy"
            " FROM copies p JOIN cables c ON c.rowid = p.cable WHERE p.cable = ? ORDER BY p.rowid",
            (rowid,),
        ).fetchall()
        return [
            CopyInfo(sha, fmt, path, loc, unpack_text(raw), bool(primary))
            for sha, fmt, path, loc, raw, primary in rows
        ]

    def disk_bytes(self) -> int:
        """Bytes the archive takes on disk (its file, its side file, their logs)."""
        files = [f + s for f in (self.path, side_path(self.path)) for s in ("", "-wal")]
        return sum(os.path.getsize(f) for f in files if os.path.exists(f))

    # -- whole archives --
    def iter_documents(self) -> Iterator[StoredDocument]:
        """Every stored copy as it was read, in the order it was stored."""
        reader = open_read_only(self.path)
        try:
            rows = reader.execute(
                "SELECT raw, format, path, locator, metadata, source_defects, line_map"
                " FROM copies ORDER BY rowid"
            )
            for raw, fmt, path, locator, metadata, defects, lines in rows:
                yield StoredDocument(
                    unpack_text(raw), fmt, path, locator, json.loads(metadata),
                    tuple((c, m, line) for c, m, line in json.loads(defects)),
                    tuple(map(tuple, json.loads(lines))) if lines else None,
                )  # fmt: skip
        finally:
            reader.close()

    def kept_records(self) -> KeptRecords:
        def rows(table: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
            cur = self.conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid")
            return [dict(zip(columns, row, strict=True)) for row in cur]

        settings = {
            key: json.loads(value)
            for key, value in self.conn.execute("SELECT key, value FROM meta")
            if key not in _LAYOUT_SETTINGS
        }
        return KeptRecords(
            users=rows("users", USER_COLUMNS),
            decisions=rows("decisions", DECISION_COLUMNS),
            audit=self.audit.rows(),
            settings=settings,
            network=self.network.dump(),
            deliveries=self.deliveries.dump(),
        )

    def put_kept_records(self, kept: KeptRecords) -> None:
        """Add ``kept`` (from another archive) to this one, in one transaction."""
        with transaction(self.conn):
            self.audit.put_rows(kept.audit)
            for table, rows in (("users", kept.users), ("decisions", kept.decisions)):
                for row in rows:
                    cols = list(row)
                    self.conn.execute(
                        f"INSERT INTO {table} ({', '.join(cols)})"
                        f" VALUES ({', '.join('?' for _ in cols)})",
                        [row[c] for c in cols],
                    )
            for key, value in kept.settings.items():
                self.set_setting(key, value)
            for level in cleared_levels(kept.users):  # the tiers the accounts search
                tiers.create_clearance_tier(self.conn, level)
            self.network.load(kept.network)
            self.deliveries.load(kept.deliveries)

    def checksums(self) -> dict[str, str]:
        """sha256 of every cable's stored schema JSON, by id (content, not layout)."""
        rows = self.conn.execute(
            "SELECT c.id, d.data FROM cables c JOIN cable_data d ON d.rowid = c.rowid"
        )
        return {cid: content_digest(unpack_json(data)) for cid, data in rows}

    def fresh(self) -> SQLiteStore:
        """A new, empty archive beside this one (``reindex`` fills it, then
        :meth:`replace_with` swaps it in)."""
        fresh_path = self.path + ".reindex"
        _remove(fresh_path)
        return SQLiteStore(fresh_path, self.principal)

    def replace_with(self, fresh: SQLiteStore) -> None:
        """Swap ``fresh`` in for this archive's file (the old file stays intact
        until the rename); this store then reads the new file."""
        for conn in (fresh.conn, fresh.side):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fresh.close()
        self.close()
        # The side file first: until the archive file is replaced, the old
        # archive still opens (with the new copy of its reads).
        for old, new in ((side_path(self.path), side_path(fresh.path)), (self.path, fresh.path)):
            for suffix in ("-wal", "-shm"):
                if os.path.exists(old + suffix):
                    os.remove(old + suffix)
            os.replace(new, old)
        reopened = SQLiteStore(self.path, self.principal)
        reopened.on_fields = self.on_fields
        self.__dict__.update(reopened.__dict__)
        self.decisions = SQLiteDecisions(self)


def _remove(path: str) -> None:
    """An archive file and everything beside it."""
    for name in (path, side_path(path)):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(name + suffix):
                os.remove(name + suffix)
