"""An archive in a PostgreSQL schema: the server backend of the ``Store`` protocol.

Mirrors archive/sqlite/store.py: every read AND-s the reader's access rule
(access.py) into its SQL; rows a reader sees through a release view are
matched, shown and snippeted from the view (``views``), never from the
cable.  Several processes on several machines read and write one archive at
once: writes are transactions (the batch writer, writer.py, locks each
cable it merges), and records that must never wait for an ingest batch
(audited reads, sign-in attempts, ended sessions) go through a second
connection, committed at once.  Search is in search.py, the graph and stats
in graph.py, accounts, audit and decisions in their own modules.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from cablegram.access.principal import OWNER, Principal
from cablegram.archive.blobs import unpack_json, unpack_text
from cablegram.archive.errors import (
    ArchiveNotFound,
    ArchiveVersionError,
    ArchiveWriteError,
    ReadOnlyArchive,
)
from cablegram.archive.ids import id_key
from cablegram.archive.postgres import schema, tiers
from cablegram.archive.postgres.access import ReaderScope
from cablegram.archive.postgres.accounts import USER_COLUMNS, PostgresAccounts, PostgresSignIns
from cablegram.archive.postgres.audit import PostgresAudit
from cablegram.archive.postgres.connection import (
    Connections,
    connect,
    int_array,
    one_row,
    parse_location,
    transaction,
)
from cablegram.archive.postgres.delivery import PostgresDeliveries
from cablegram.archive.postgres.graph import GraphQueries
from cablegram.archive.postgres.network import PostgresNetwork
from cablegram.archive.postgres.review import DECISION_COLUMNS, PostgresDecisions
from cablegram.archive.postgres.search import SearchQueries
from cablegram.archive.postgres.writer import DOCUMENT, HEAD, index_text, write_batch
from cablegram.archive.records import FULL_VIEW, PUBLIC_VIEW, CopyRecord, ViewRecord, content_digest
from cablegram.archive.store import CopyInfo, KeptRecords, StoredDocument, WriteCounts
from cablegram.archive.users import cleared_levels
from cablegram.model import Classification

# Settings that describe this archive's layout, not its content.
_LAYOUT_SETTINGS = ("schema", "caption_bits")
# A batch that met another writer's locks in a cycle is run again (rare: locks are ordered).
_RETRIES = 5
# Held (pg_advisory_lock, with the schema's hash) while an ingest refreshes statistics.
_ANALYZE_LOCK = 0x616E6C7A  # "anlz"


class PostgresStore(SearchQueries, GraphQueries):
    """An archive in one PostgreSQL schema, opened for one reader."""

    def __init__(
        self, location: str, principal: Principal | None = None, *, create: bool = True,
        read_only: bool = False,
    ) -> None:  # fmt: skip
        self.location = location
        self.where = parse_location(location)
        self.read_only = read_only
        self.conn = connect(location, create=create and not read_only)
        try:
            if (read_only or not create) and schema.version(self.conn) is None:
                raise ArchiveNotFound(f"{location}: no such archive")
            if not read_only:
                schema.migrate(self.conn, location)
            elif (found := schema.version(self.conn)) is not None and found > schema.SCHEMA_VERSION:
                raise ArchiveVersionError(location, str(found), schema.SCHEMA_VERSION)
        except BaseException:
            self.conn.close()
            raise
        self.pool = Connections(self.conn)
        self._side: Connections | None = None
        self._lock = threading.RLock()
        self.on_fields: Callable[[list[str]], None] | None = None
        self.reader = ReaderScope(
            principal or OWNER, self.setting("caption_bits"), bool(self.setting("partial_release"))
        )
        self.accounts = PostgresAccounts(self)
        self.signins = PostgresSignIns(self.side, read_only=read_only, where=location)
        self.audit = PostgresAudit(self, self.side)
        self.decisions = PostgresDecisions(self)
        self.network = PostgresNetwork(self)
        self.deliveries = PostgresDeliveries(self)

    @property
    def side(self) -> Connections:
        """The second connection (reads recorded, sign-ins), opened when first needed."""
        if self._side is None:
            self._side = _LazyConnections(self.location)
        return self._side

    @property
    def principal(self) -> Principal:
        return self.reader.principal

    def for_reader(self, principal: Principal) -> PostgresStore:
        return PostgresStore(self.location, principal, read_only=self.read_only)

    def close(self) -> None:
        self.conn.close()
        if self._side is not None:
            self._side.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock, transaction(self.conn, read_only=self.read_only, where=self.location):
            yield

    # -- settings --
    def setting(self, key: str) -> Any:
        row = self.conn.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction():
            changed = self.setting(key) != value
            self.conn.execute(
                "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                (key, json.dumps(value)),
            )
            if key == "partial_release" and changed:
                tiers.rebuild(self.conn)  # the public reader's view of every cable may change
        if key == "partial_release":
            self.reader = ReaderScope(self.reader.principal, self.reader.bits, bool(value))

    def add_clearance_tier(self, clearance: Classification) -> bool:
        """Make the tables of what readers cleared to ``clearance`` with no
        read-ins read (tiers.py), unless the archive has them."""
        with self.transaction():
            return tiers.create_clearance_tier(self.conn, clearance)

    @property
    def partial_release(self) -> bool:
        return self.reader.policy

    # -- access control: the one place where the rule enters every query --
    def scope(self) -> tuple[str, tuple[object, ...]]:
        """`` AND (rule)`` for the cables row aliased ``c``, and its params."""
        if self.reader.owner:
            return "", ()
        rule, params = self.reader.visible()
        return f" AND {rule}", params

    def views_present(self) -> bool:
        return bool(one_row(self.conn.execute("SELECT EXISTS (SELECT 1 FROM views)"), "EXISTS")[0])

    def view_of(self, rowid: int) -> int | None:
        if self.reader.owner:
            return FULL_VIEW
        case, params = self.reader.view_case()
        row = self.conn.execute(
            f"SELECT {case} FROM cables c WHERE c.rowid = %s", (*params, rowid)
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def view_row(self, rowid: int, level: int) -> tuple[str | None, bytes]:
        row = one_row(
            self.conn.execute(
                "SELECT subject, data FROM views WHERE cable = %s AND level = %s", (rowid, level)
            ),
            f"view {level} of cable row {rowid}",
        )
        return row[0], bytes(row[1])

    def seen_subject(self, rowid: int, subject: str | None) -> str | None:
        view = self.view_of(rowid)
        if view is None or view == FULL_VIEW:
            return subject
        return self.view_row(rowid, view)[0]

    def seen_data(self, rowid: int) -> bytes | None:
        seen = self.seen_rows([rowid]).get(rowid)
        return None if seen is None else seen[2]

    def seen_rows(self, rowids: list[int]) -> dict[int, tuple[int, str | None, bytes]]:
        """For each row of ``rowids`` this reader sees: the view it sees
        (:meth:`view_of`), the view's subject (None when it is FULL_VIEW, the
        cable itself) and the schema JSON blob it reads.  Three statements
        however many rows: a page of hits read one row a statement cost
        more than the search that found them.  A row the reader sees whose
        text is missing (the archive damaged, or the row deleted meanwhile)
        is an error, not a hidden row."""
        if not rowids:
            return {}
        if self.reader.owner:
            levels = dict.fromkeys(rowids, FULL_VIEW)
        else:
            case, params = self.reader.view_case()
            levels = {rowid: int(level) for rowid, level in self.conn.execute(
                f"SELECT c.rowid, {case} FROM cables c WHERE c.rowid = ANY(%s::bigint[])",
                (*params, int_array(rowids))) if level is not None}  # fmt: skip
        full = [rowid for rowid, level in levels.items() if level == FULL_VIEW]
        seen: dict[int, tuple[int, str | None, bytes]] = {}
        if full:
            for rowid, data in self.conn.execute(
                "SELECT rowid, data FROM cable_data WHERE rowid = ANY(%s::bigint[])",
                (int_array(full),),
            ):
                seen[rowid] = (FULL_VIEW, None, bytes(data))
        if viewed := [(rowid, level) for rowid, level in levels.items() if level != FULL_VIEW]:
            for rowid, level, subject, data in self.conn.execute(
                "SELECT v.cable, v.level, v.subject, v.data FROM views v JOIN unnest(%s::bigint[],"
                " %s::integer[]) s(cable, level) ON v.cable = s.cable AND v.level = s.level",
                (int_array(r for r, _ in viewed), int_array(lv for _, lv in viewed)),
            ):
                seen[rowid] = (level, subject, bytes(data))
        if missing := levels.keys() - seen.keys():
            raise LookupError(f"no text of readable cable rows {sorted(missing)[:5]}")
        return seen

    def _data(self, rowid: int) -> bytes:
        row = one_row(
            self.conn.execute("SELECT data FROM cable_data WHERE rowid = %s", (rowid,)),
            f"data of cable row {rowid}",
        )
        return bytes(row[0])

    # -- writing --
    def write(self, records: Iterable[CopyRecord]) -> WriteCounts:
        """Store a batch in one transaction: all of it or (on error) none."""
        records = list(records)
        for attempt in range(_RETRIES):
            try:
                with self.transaction():
                    counts, written = write_batch(self.conn, records, put_view=self._put_view,
                                                  on_fields=self.on_fields)  # fmt: skip
                    tiers.place(self.conn, written)
                    return counts
            except psycopg.errors.DeadlockDetected:
                if attempt == _RETRIES - 1 or self.conn.info.transaction_status != 0:
                    raise
            except psycopg.errors.DiskFull as error:
                raise ArchiveWriteError(
                    f"{self.location}: {error}: the batch was not stored"
                ) from None
        raise AssertionError("unreachable")

    def stored_digests(self) -> bytes:
        rows = self.conn.execute("SELECT sha256 FROM copies ORDER BY sha256")
        return b"".join(bytes.fromhex(sha) for (sha,) in rows)

    @contextmanager
    def ingesting(self) -> Iterator[None]:
        """After an ingest, merge the text indexes' pending lists
        (schema.PENDING_LISTS), refresh the planner's statistics of the
        tables it filled and vacuum the narrow ones: a bulk load outruns
        autovacuum, and plans made from the empty tables' statistics (a
        sequential scan for a reference lookup) cost hundreds of
        milliseconds per query on 250,000 cables."""
        yield
        if self.read_only:
            return
        # Several processes ingesting into one archive end at about the same
        # time: each waits for another's upkeep to end before its own.  A
        # VACUUM cannot mark a page all-visible while another transaction
        # (the other's ANALYZE, its last batch) may not see its rows, so the
        # upkeep of the process that ends last, run once the others' is
        # over, is what leaves the archive vacuumed: skipping it when another
        # held the lock left a quarter of `cables` unmarked on 50,000 cables.
        self.conn.execute("SELECT pg_advisory_lock(%s, hashtext(current_schema()))",
                          (_ANALYZE_LOCK,))  # fmt: skip
        try:
            for index in schema.PENDING_LISTS:
                self.conn.execute("SELECT gin_clean_pending_list(%s::regclass)", (index,))
            # The narrow tables are vacuumed too: a bulk load leaves their
            # pages not yet known all-visible, and every index-only scan (a
            # cable's rowid in a join, a tag's cables) then reads the rows as
            # well (11,251 `cables` rows for the measuring step of tag:PREL on
            # 250,000 cables; the benchmark's tag searches 152 -> 111-122 ms).
            # Later ingests vacuum only the pages they changed.  The text
            # tables are only analyzed: they are read through GIN bitmaps,
            # which read their rows anyway, and vacuuming them reads gigabytes.
            tier_narrow, tier_text = tiers.tables(self.conn)
            narrow = ("cables", *schema.SIDE_TABLES, *schema.ACCESS_TABLES, *tier_narrow)
            text = ("cable_data", "fts", "copies", "views", *tier_text)
            self.conn.execute(f"VACUUM (ANALYZE) {', '.join(narrow)}")
            self.conn.execute(f"ANALYZE {', '.join(text)}")
        finally:
            self.conn.execute(
                "SELECT pg_advisory_unlock(%s, hashtext(current_schema()))", (_ANALYZE_LOCK,))  # fmt: skip

    def _drop_views(self, rowid: int, level: int | None = None) -> None:
        if level is None:
            self.conn.execute("DELETE FROM views WHERE cable = %s", (rowid,))
        else:
            self.conn.execute("DELETE FROM views WHERE cable = %s AND level = %s", (rowid, level))

    def _put_view(self, rowid: int, view: ViewRecord) -> None:
        """Store a release view with its text vector (replacing that level)."""
        self._drop_views(rowid, view.level)
        self.conn.execute(
            "INSERT INTO views (cable, level, subject, data, doc, head) VALUES (%s, %s, %s, %s, "
            + DOCUMENT.format(subject="%s", body="%s") + ", " + HEAD.format(subject="%s") + ")",
            (rowid, view.level, view.subject, view.data, index_text(view.subject),
             index_text(view.body), index_text(view.subject)),
        )  # fmt: skip

    def _stored_rowid(self, cable_id: str) -> int | None:
        row = self.conn.execute("SELECT rowid FROM cables WHERE id = %s", (cable_id.upper(),))
        found = row.fetchone()
        return None if found is None else int(found[0])

    def stored_cable(self, cable_id: str) -> dict[str, Any] | None:
        rowid = self._stored_rowid(cable_id)
        return None if rowid is None else unpack_json(self._data(rowid))  # type: ignore[no-any-return]

    def publish(self, cable_id: str, view: ViewRecord | None) -> None:
        rowid = self._stored_rowid(cable_id)
        if rowid is None:
            return
        with self.transaction():
            if view is None:
                self._drop_views(rowid, PUBLIC_VIEW)
                self.conn.execute("UPDATE cables SET released = 0 WHERE rowid = %s", (rowid,))
            else:
                self._put_view(rowid, view)
                self.conn.execute("UPDATE cables SET released = 1 WHERE rowid = %s", (rowid,))
            tiers.place(self.conn, [rowid])

    def rebuild_reader_views(
        self,
        on: bool,
        views_of: Callable[[dict[str, Any], int], tuple[ViewRecord, ...]],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        written = 0
        with self.transaction():
            self.conn.execute("DELETE FROM views WHERE level < %s", (PUBLIC_VIEW,))
            rows = self.conn.execute(
                "SELECT c.rowid, c.id, c.access_rank, d.data FROM cables c"
                " JOIN cable_data d ON d.rowid = c.rowid WHERE c.access_rank > 0 ORDER BY c.rowid"
            ).fetchall()
            for n, (rowid, _cid, rank, blob) in enumerate(rows, 1):
                if on:
                    for view in views_of(unpack_json(blob), rank):
                        self._put_view(rowid, view)
                        written += 1
                if progress and n % 1000 == 0:
                    progress(n)
            if self.on_fields is not None:
                self.on_fields([cid for _rowid, cid, *_ in rows])
            if self.setting("partial_release") == on:
                tiers.rebuild(self.conn)  # every reader-level view was rewritten
            self.set_setting("partial_release", on)  # (rebuilds it when it changes)
        return written

    # -- reading --
    def rowid_of(self, cable_id: str) -> int | None:
        vis, vp = self.scope()
        row = self.conn.execute(
            f"SELECT c.rowid FROM cables c WHERE c.id = %s{vis}", (cable_id.upper(), *vp)
        ).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT c.rowid FROM cable_keys k JOIN cables c ON c.rowid = k.cable"
                f" WHERE k.key = %s{vis} ORDER BY c.rowid LIMIT 1",
                (id_key(cable_id), *vp),
            ).fetchone()
        return None if row is None else int(row[0])

    def get(self, cable_id: str) -> dict[str, Any] | None:
        rowid = self.rowid_of(cable_id)
        blob = None if rowid is None else self.seen_data(rowid)
        return None if blob is None else unpack_json(blob)  # type: ignore[no-any-return]

    def copies(self, cable_id: str) -> list[CopyInfo]:
        rowid = self.rowid_of(cable_id)
        if rowid is None or self.view_of(rowid) != FULL_VIEW:
            return []
        rows = self.conn.execute(
            "SELECT p.sha256, p.format, p.path, p.locator, p.raw, p.rowid = c.copy"
            " FROM copies p JOIN cables c ON c.rowid = p.cable WHERE p.cable = %s ORDER BY p.rowid",
            (rowid,),
        ).fetchall()
        return [
            CopyInfo(sha, fmt, path, loc, unpack_text(bytes(raw)), bool(primary))
            for sha, fmt, path, loc, raw, primary in rows
        ]

    def disk_bytes(self) -> int:
        """Bytes the archive's tables and indexes take (its schema)."""
        cur = self.conn.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind IN ('r', 'm')",
            (self.where.schema,),
        )
        return int(one_row(cur, "sum")[0])

    # -- whole archives --
    def iter_documents(self) -> Iterator[StoredDocument]:
        """Every stored copy as it was read, in the order it was stored (read
        on a connection of its own, a chunk at a time)."""
        reader = connect(self.location, create=False)
        try:
            with reader.transaction(), reader.cursor(name="documents") as cur:
                cur.itersize = 200
                cur.execute(
                    "SELECT raw, format, path, locator, metadata, source_defects, line_map"
                    " FROM copies ORDER BY rowid"
                )
                for raw, fmt, path, locator, metadata, defects, lines in cur:
                    yield StoredDocument(
                        unpack_text(bytes(raw)), fmt, path, locator, json.loads(metadata),
                        tuple((c, m, line) for c, m, line in json.loads(defects)),
                        tuple(map(tuple, json.loads(lines))) if lines else None,
                    )  # fmt: skip
        finally:
            reader.close()

    def kept_records(self) -> KeptRecords:
        def rows(table: str, columns: tuple[str, ...], order: str) -> list[dict[str, Any]]:
            cur = self.conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")
            return [dict(zip(columns, row, strict=True)) for row in cur]

        settings = {
            key: json.loads(value)
            for key, value in self.conn.execute("SELECT key, value FROM meta ORDER BY key")
            if key not in _LAYOUT_SETTINGS
        }
        return KeptRecords(
            users=rows("users", USER_COLUMNS, "name"),
            decisions=rows("decisions", DECISION_COLUMNS, "rowid"),
            audit=self.audit.rows(),
            settings=settings,
            network=self.network.dump(),
            deliveries=self.deliveries.dump(),
        )

    def put_kept_records(self, kept: KeptRecords) -> None:
        with self.transaction():
            self.audit.put_rows(kept.audit)
            for table, rows in (("users", kept.users), ("decisions", kept.decisions)):
                for row in rows:
                    cols = list(row)
                    self.conn.execute(
                        f"INSERT INTO {table} ({', '.join(cols)})"
                        f" VALUES ({', '.join('%s' for _ in cols)})",
                        [row[c] for c in cols],
                    )
            for key, value in kept.settings.items():
                self.set_setting(key, value)
            for level in cleared_levels(kept.users):  # the tiers the accounts search
                tiers.create_clearance_tier(self.conn, level)
            self.network.load(kept.network)
            self.deliveries.load(kept.deliveries)

    def checksums(self) -> dict[str, str]:
        rows = self.conn.execute(
            "SELECT c.id, d.data FROM cables c JOIN cable_data d ON d.rowid = c.rowid"
        )
        return {cid: content_digest(unpack_json(bytes(data))) for cid, data in rows}

    def fresh(self) -> PostgresStore:
        """A new, empty archive in a schema beside this one's (``reindex``
        fills it, then :meth:`replace_with` swaps it in)."""
        name = self.where.schema + "_reindex"
        self.conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
        return PostgresStore(self.where.with_schema(name), self.principal)

    def replace_with(self, fresh: PostgresStore) -> None:
        """Swap ``fresh``'s schema in for this one's, in one transaction."""
        if self.read_only:
            raise ReadOnlyArchive(f"{self.location}: the archive is opened read-only")
        fresh.close()
        old, new = self.where.schema, fresh.where.schema
        with self.conn.transaction():
            self.conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(old)))
            self.conn.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                sql.Identifier(new), sql.Identifier(old)))  # fmt: skip
        self.close()
        reopened = PostgresStore(self.location, self.principal)
        reopened.on_fields = self.on_fields
        self.__dict__.update(reopened.__dict__)
        self.accounts = PostgresAccounts(self)
        self.audit = PostgresAudit(self, self.side)
        self.decisions = PostgresDecisions(self)
        self.network = PostgresNetwork(self)
        self.deliveries = PostgresDeliveries(self)


class _LazyConnections(Connections):
    """A second connection to the archive, opened on first use."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.lock = threading.RLock()
        self._conn = None

    @property
    def conn(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self.location, create=False)
        return self._conn
