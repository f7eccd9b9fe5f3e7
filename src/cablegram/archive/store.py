"""The ``Store`` protocol and its embedded SQLite implementation.

Every read goes through :meth:`SQLiteStore.scope`, which AND-s the archive's
visibility predicate (access control, issue 4) into the query, so counts,
facets, snippets, graph edges and stats never see a hidden cable.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from cablegram.archive import schema
from cablegram.archive.facets import Facets, facets
from cablegram.archive.ids import id_key
from cablegram.archive.query import Plan
from cablegram.archive.records import CopyRecord, decode_json
from cablegram.archive.results import Hit, snippet


@dataclass(frozen=True, slots=True)
class Visibility:
    """A predicate over the cables row aliased ``c`` that a reader must satisfy,
    e.g. ``Visibility("c.class_rank <= ?", (2,))``."""

    sql: str
    params: tuple[object, ...] = ()


@dataclass(slots=True)
class WriteCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    defects: dict[str, int] = field(default_factory=dict)

    def add(self, other: WriteCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.merged += other.merged
        for k, v in other.defects.items():
            self.defects[k] = self.defects.get(k, 0) + v


@dataclass(frozen=True, slots=True)
class CopyInfo:
    sha256: str
    format: str
    path: str | None
    locator: str | None
    text: str
    primary: bool


class Store(Protocol):
    """What the archive needs of a database (SQLite now, PostgreSQL later)."""

    def write(self, records: Iterable[CopyRecord]) -> WriteCounts: ...
    def get(self, cable_id: str) -> dict[str, Any] | None: ...
    def copies(self, cable_id: str) -> list[CopyInfo]: ...
    def materialize(self, plan: Plan, *, sort: str) -> tuple[str, int]: ...
    def page(self, table: str, plan: Plan, *, sort: str, limit: int, offset: int) -> list[Hit]: ...
    def facets(self, table: str, total: int, *, size: int) -> Facets: ...
    def iter_matches(self, table: str, plan: Plan, *, sort: str) -> Iterator[dict[str, Any]]: ...
    def release(self, table: str) -> None: ...
    def close(self) -> None: ...


_FTS_WEIGHTS = "bm25(fts, 4.0, 1.0)"  # a word in the subject counts four times


class SQLiteStore:
    """An archive in one SQLite file (WAL; one writer, many readers)."""

    def __init__(self, path: str, visibility: Visibility | None = None) -> None:
        self.path = path
        self.visibility = visibility
        self.conn = schema.connect(path)
        self._lock = threading.Lock()

    def close(self) -> None:
        self.conn.close()

    # -- access control: the one place where visibility enters every query --
    def scope(self) -> tuple[str, tuple[object, ...]]:
        """`` AND (visibility)`` for the cables row aliased ``c``, and its params.

        Every read (search, counts, facets, snippets, graph, stats) appends
        this, so access control lives in one place, inside the SQL."""
        if self.visibility is None:
            return "", ()
        return f" AND ({self.visibility.sql})", self.visibility.params

    # -- writing --
    def write(self, records: Iterable[CopyRecord]) -> WriteCounts:
        """Store a batch in one transaction: all of it or (on error) none."""
        counts = WriteCounts()
        conn = self.conn
        with self._lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for rec in records:
                    self._write_one(rec, counts)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return counts

    def _write_one(self, rec: CopyRecord, counts: WriteCounts) -> None:
        conn = self.conn
        if conn.execute("SELECT 1 FROM copies WHERE sha256 = ?", (rec.sha256,)).fetchone():
            counts.unchanged += 1
            return
        found = conn.execute("SELECT rowid, quality FROM cables WHERE id = ?", (rec.id,)).fetchone()
        if found is None:
            cur = conn.execute("INSERT INTO cables (id, quality, copy) VALUES (?, 0, 0)", (rec.id,))
            rowid = int(cur.lastrowid or 0)
            copy = self._insert_copy(rec, rowid)
            self._set_fields(rowid, rec, copy)
            counts.new += 1
            for code, n in rec.defects:
                counts.defects[code] = counts.defects.get(code, 0) + n
            return
        rowid, best = found
        copy = self._insert_copy(rec, rowid)
        counts.merged += 1
        if rec.quality > best:
            self._clear_fields(rowid)
            self._set_fields(rowid, rec, copy)
            counts.updated += 1

    def _insert_copy(self, rec: CopyRecord, rowid: int) -> int:
        cur = self.conn.execute(
            "INSERT INTO copies (cable, sha256, format, path, locator, metadata, source_defects, raw)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (rowid, rec.sha256, rec.format, rec.path, rec.locator, rec.metadata,
             rec.source_defects, rec.raw),
        )  # fmt: skip
        return int(cur.lastrowid or 0)

    def _clear_fields(self, rowid: int) -> None:
        conn = self.conn
        old = conn.execute("SELECT data FROM cable_data WHERE rowid = ?", (rowid,)).fetchone()[0]
        cable = decode_json(old)
        conn.execute(
            "INSERT INTO fts (fts, rowid, subject, body) VALUES ('delete', ?, ?, ?)",
            (rowid, cable.get("subject") or "", cable.get("text") or ""),
        )
        for table in schema.SIDE_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE cable = ?", (rowid,))

    def _set_fields(self, rowid: int, rec: CopyRecord, copy: int) -> None:
        conn = self.conn
        conn.execute(
            "UPDATE cables SET created=?, year=?, month=?, origin=?, class_rank=?, classification=?,"
            " sbu=?, precedence=?, subject=?, has_summary=?, quality=?, copy=?"
            " WHERE rowid = ?",
            (rec.created, rec.year, rec.month, rec.origin, rec.class_rank, rec.classification,
             int(rec.sbu), rec.precedence, rec.subject, int(rec.has_summary), rec.quality, copy,
             rowid),
        )  # fmt: skip
        conn.execute(
            "INSERT OR REPLACE INTO cable_data (rowid, data) VALUES (?, ?)", (rowid, rec.data)
        )
        conn.execute(
            "INSERT INTO fts (rowid, subject, body) VALUES (?, ?, ?)",
            (rowid, rec.subject or "", rec.body),
        )
        for table, values in (("tags", rec.tags), ("captions", rec.captions),
                              ("signers", rec.signers), ("cable_keys", rec.keys)):  # fmt: skip
            col = "key" if table == "cable_keys" else "value"
            conn.executemany(
                f"INSERT OR IGNORE INTO {table} (cable, {col}) VALUES (?, ?)",
                [(rowid, v) for v in values],
            )
        conn.executemany(
            "INSERT INTO defects (cable, value, n) VALUES (?, ?, ?)",
            [(rowid, code, n) for code, n in rec.defects],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO addressees (cable, kind, value) VALUES (?, ?, ?)",
            [(rowid, kind, name) for kind, name in rec.addressees],
        )
        conn.executemany(
            "INSERT INTO refs (cable, ord, label, text, cited_id, cited_key) VALUES (?,?,?,?,?,?)",
            [(rowid, *ref) for ref in rec.refs],
        )

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
        """The schema JSON of a cable, or None (absent or not visible)."""
        rowid = self.rowid_of(cable_id)
        if rowid is None:
            return None
        blob = self.conn.execute("SELECT data FROM cable_data WHERE rowid = ?", (rowid,)).fetchone()
        return decode_json(blob[0])  # type: ignore[no-any-return]

    def copies(self, cable_id: str) -> list[CopyInfo]:
        import zlib

        rowid = self.rowid_of(cable_id)
        if rowid is None:
            return []
        rows = self.conn.execute(
            "SELECT p.sha256, p.format, p.path, p.locator, p.raw, p.rowid = c.copy"
            " FROM copies p JOIN cables c ON c.rowid = p.cable WHERE p.cable = ? ORDER BY p.rowid",
            (rowid,),
        ).fetchall()
        return [
            CopyInfo(sha, fmt, path, loc, zlib.decompress(raw).decode("utf-8"), bool(primary))
            for sha, fmt, path, loc, raw, primary in rows
        ]

    def _from_where(self, plan: Plan) -> tuple[str, list[object]]:
        """FROM/WHERE of the matches: the FTS cursor drives the join (CROSS JOIN),
        field predicates and the visibility predicate filter ``cables c``."""
        vis, vp = self.scope()
        if plan.match is not None:
            sql = (
                " FROM fts CROSS JOIN cables c ON c.rowid = fts.rowid"
                f" WHERE fts MATCH ? AND {plan.where}{vis}"
            )
            return sql, [plan.match, *plan.params, *vp]
        return f" FROM cables c WHERE {plan.where}{vis}", [*plan.params, *vp]

    def _rowids(self, plan: Plan) -> tuple[str, list[object]]:
        """SELECT of the matching rowids, skipping the ``cables`` join when only
        text is asked (the FTS doclist alone answers)."""
        if plan.match is not None and plan.where == "1" and self.visibility is None:
            return "SELECT rowid FROM fts WHERE fts MATCH ?", [plan.match]
        frm, params = self._from_where(plan)
        return f"SELECT c.rowid AS rowid{frm}", params

    @staticmethod
    def _order(plan: Plan, sort: str) -> str:
        # Field-only queries walk the created index and stop after the page.
        if sort == "rank" and plan.match is not None:
            return f" ORDER BY {_FTS_WEIGHTS}, c.rowid"
        if sort == "date-asc":
            return " ORDER BY c.created IS NULL, c.created, c.rowid"
        return " ORDER BY c.created DESC, c.rowid"

    def search(
        self, plan: Plan, *, sort: str = "rank", limit: int = 20, offset: int = 0
    ) -> list[Hit]:
        """One page of matches with snippets, by BM25 rank or date."""
        frm, params = self._from_where(plan)
        ranked = sort == "rank" and plan.match is not None
        score = _FTS_WEIGHTS if ranked else "0.0"
        cols = "c.id, c.created, c.classification, c.origin, c.subject"
        if ranked and plan.where == "1" and self.visibility is None:
            # Text only: rank inside FTS5 and join just the page (~20% faster).
            sql = (
                f"SELECT {cols}, f.score, c.rowid FROM (SELECT rowid, {score} AS score FROM fts"
                " WHERE fts MATCH ? ORDER BY score, rowid LIMIT ? OFFSET ?) f"
                " CROSS JOIN cables c ON c.rowid = f.rowid ORDER BY f.score, c.rowid"
            )
            rows = self.conn.execute(sql, (plan.match, limit, offset)).fetchall()
        else:
            rows = self.conn.execute(
                f"SELECT {cols}, {score}, c.rowid{frm}{self._order(plan, sort)} LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        hits = []
        for cid, created, cls, origin, subject, sc, rowid in rows:
            text = decode_json(self._data(rowid)).get("text") or ""
            hits.append(Hit(cid, created, cls, origin, subject, snippet(text, plan.terms), -sc))
        return hits

    def count(self, plan: Plan) -> int:
        sql, params = self._rowids(plan)
        return int(self.conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])

    def facets(self, plan: Plan, *, size: int = 10, total: int | None = None) -> Facets:
        sql, params = self._rowids(plan)
        total = self.count(plan) if total is None else total
        with self._lock:
            return facets(self.conn, sql, params, size, total=total)

    def iter_matches(self, plan: Plan, *, sort: str = "date") -> Iterator[dict[str, Any]]:
        """Schema JSON of every match, streamed in ``sort`` order."""
        frm, params = self._from_where(plan)
        data = "(SELECT d.data FROM cable_data d WHERE d.rowid = c.rowid)"
        cur = self.conn.execute(f"SELECT {data}{frm}{self._order(plan, sort)}", params)
        for (blob,) in cur:
            yield decode_json(blob)

    def _data(self, rowid: int) -> bytes:
        row = self.conn.execute("SELECT data FROM cable_data WHERE rowid = ?", (rowid,)).fetchone()
        return bytes(row[0])
