"""Writing a batch of copy records: one transaction, rows grouped per table.

Ingest hands the single writer thousands of records per batch.  Executing a
dozen statements per record cost more than the SQLite work they do, so a
batch is written in two passes:

1. *decide*, record by record and in order: a copy already stored (same
   sha256) is unchanged; a new id becomes a new cable; a known id gains a
   copy, and the cable's fields are replaced when this copy parses better
   (``records.outranks``: better quality, ties broken by digest, so any order
   of arrival gives the same primary copy).  Rowids are assigned here (the writer holds the write lock
   from ``BEGIN IMMEDIATE``, so ``max(rowid) + 1`` is safe), so later records
   of the same batch see earlier ones without touching the database;
2. *write*: each table's rows in one ``executemany``.

A cable whose fields are replaced had its old rows removed in pass 1 when
they were in the database before the batch; rows first written by this
batch are simply superseded in the pending set.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cablegram.archive.blobs import unpack_json
from cablegram.archive.records import CopyRecord, ViewRecord, outranks
from cablegram.archive.sqlite import schema
from cablegram.archive.store import WriteCounts

_CHUNK = 500  # values per IN (...) lookup, under SQLite's parameter limit


def _lookup(conn: sqlite3.Connection, sql: str, keys: Sequence[str]) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (with one ``IN ({})`` placeholder) for every key, in chunks."""
    rows: list[tuple[Any, ...]] = []
    for i in range(0, len(keys), _CHUNK):
        part = keys[i : i + _CHUNK]
        rows += conn.execute(sql.format(",".join("?" * len(part))), part).fetchall()
    return rows


def _max_rowid(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0])


@dataclass(slots=True)
class _Pending:
    """What pass 1 decided for one batch."""

    copies: list[tuple[Any, ...]] = field(default_factory=list)
    fields: dict[int, tuple[CopyRecord, int]] = field(default_factory=dict)  # rowid -> rec, copy
    created: set[int] = field(default_factory=set)  # rowids of cables new in this batch


def write_batch(
    conn: sqlite3.Connection,
    records: Iterable[CopyRecord],
    *,
    clear_fields: Callable[[int], None],
    put_view: Callable[[int, ViewRecord], None],
    on_fields: Callable[[list[str]], None] | None,
    written: Callable[[dict[int, tuple[str, str]]], None],
) -> WriteCounts:
    """Store ``records`` inside the caller's open write transaction; then
    ``written`` gets the (subject, text) of each cable whose fields were
    written, by rowid (the public tier indexes them, tiers.py)."""
    records = list(records)
    counts = WriteCounts()
    stored = {r[0] for r in _lookup(
        conn, "SELECT sha256 FROM copies WHERE sha256 IN ({})", [r.sha256 for r in records])}  # fmt: skip
    known: dict[str, tuple[int, int, str]] = {
        cid: (rowid, quality, sha)
        for cid, rowid, quality, sha in _lookup(
            conn, "SELECT c.id, c.rowid, c.quality, p.sha256 FROM cables c"
            " JOIN copies p ON p.rowid = c.copy WHERE c.id IN ({})",
            sorted({r.id for r in records}))
    }  # fmt: skip
    next_cable = _max_rowid(conn, "cables") + 1
    next_copy = _max_rowid(conn, "copies") + 1
    pending = _Pending()
    for rec in records:
        if rec.sha256 in stored:
            counts.unchanged += 1
            continue
        stored.add(rec.sha256)
        copy, next_copy = next_copy, next_copy + 1
        found = known.get(rec.id)
        if found is None:
            rowid, next_cable = next_cable, next_cable + 1
            pending.created.add(rowid)
            counts.new += 1
            for code, n in rec.defects:
                counts.defects[code] = counts.defects.get(code, 0) + n
        else:
            rowid, best, best_sha = found
            counts.merged += 1
        pending.copies.append(
            (copy, rowid, rec.sha256, rec.format, rec.path, rec.locator, rec.metadata,
             rec.source_defects, rec.line_map, rec.raw)
        )  # fmt: skip
        if found is not None:
            if not outranks(rec.quality, rec.sha256, best, best_sha):
                continue
            counts.updated += 1
            if rowid not in pending.created and rowid not in pending.fields:
                clear_fields(rowid)  # rows written before this batch
        known[rec.id] = (rowid, rec.quality, rec.sha256)
        pending.fields[rowid] = (rec, copy)
    _write(conn, pending)
    for rowid, (rec, _copy) in pending.fields.items():
        for view in rec.views:
            put_view(rowid, view)
    if on_fields is not None:
        on_fields([rec.id for rec, _copy in pending.fields.values()])
    written({rowid: (rec.subject or "", rec.body) for rowid, (rec, _) in pending.fields.items()})
    return counts


_CABLE_COLUMNS = (
    "created, year, month, origin, class_rank, classification, sbu, precedence, subject,"
    " has_summary, quality, copy, access_rank, access_sbu, access_caps, review_due,"
    " tag_list, caption_list"
)


def _cable_row(rec: CopyRecord, copy: int) -> tuple[Any, ...]:
    acc = rec.access
    return (rec.created, rec.year, rec.month, rec.origin, rec.class_rank, rec.classification,
            int(rec.sbu), rec.precedence, rec.subject, int(rec.has_summary), rec.quality, copy,
            acc.class_rank, acc.sbu, rec.access_caps, rec.review_due,
            schema.FACET_SEP.join(rec.tags), schema.FACET_SEP.join(rec.captions))  # fmt: skip


def _write(conn: sqlite3.Connection, pending: _Pending) -> None:
    conn.executemany(
        "INSERT INTO copies (rowid, cable, sha256, format, path, locator, metadata,"
        " source_defects, line_map, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        pending.copies,
    )
    items = sorted(pending.fields.items())
    new = [(rowid, rec, copy) for rowid, (rec, copy) in items if rowid in pending.created]
    old = [(rowid, rec, copy) for rowid, (rec, copy) in items if rowid not in pending.created]
    marks = ", ".join("?" * (2 + len(_CABLE_COLUMNS.split(","))))
    conn.executemany(
        f"INSERT INTO cables (rowid, id, {_CABLE_COLUMNS}) VALUES ({marks})",
        [(rowid, rec.id, *_cable_row(rec, copy)) for rowid, rec, copy in new],
    )
    assignments = ", ".join(f"{c.strip()} = ?" for c in _CABLE_COLUMNS.split(","))
    conn.executemany(
        f"UPDATE cables SET {assignments} WHERE rowid = ?",
        [(*_cable_row(rec, copy), rowid) for rowid, rec, copy in old],
    )
    recs = [(rowid, rec) for rowid, (rec, _copy) in items]
    conn.executemany(
        "INSERT OR REPLACE INTO cable_data (rowid, data) VALUES (?, ?)",
        [(rowid, rec.data) for rowid, rec in recs],
    )
    conn.executemany(
        "INSERT INTO fts (rowid, subject, body) VALUES (?, ?, ?)",
        [(rowid, rec.subject or "", rec.body) for rowid, rec in recs],
    )
    for table, col, attr in (("tags", "value", "tags"), ("captions", "value", "captions"),
                             ("signers", "value", "signers"), ("cable_keys", "key", "keys")):  # fmt: skip
        conn.executemany(
            f"INSERT OR IGNORE INTO {table} (cable, {col}) VALUES (?, ?)",
            [(rowid, v) for rowid, rec in recs for v in getattr(rec, attr)],
        )
    conn.executemany(
        "INSERT INTO defects (cable, value, n) VALUES (?, ?, ?)",
        [(rowid, code, n) for rowid, rec in recs for code, n in rec.defects],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO addressees (cable, kind, value) VALUES (?, ?, ?)",
        [(rowid, kind, name) for rowid, rec in recs for kind, name in rec.addressees],
    )
    conn.executemany(
        "INSERT INTO refs (cable, ord, label, text, cited_id, cited_key) VALUES (?,?,?,?,?,?)",
        [(rowid, *ref) for rowid, rec in recs for ref in rec.refs],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO access_captions (cable_rowid, caption) VALUES (?, ?)",
        [(rowid, c) for rowid, rec in recs for c in rec.access.captions],
    )
    conn.executemany(
        "INSERT INTO access_addressees (cable_rowid, role, routing_indicator, name)"
        " VALUES (?, ?, ?, ?)",
        [(rowid, *a) for rowid, rec in recs for a in rec.access.addressees],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO access_offices (cable_rowid, office) VALUES (?, ?)",
        [(rowid, o) for rowid, rec in recs for o in rec.access.offices],
    )


def clear_fields(conn: sqlite3.Connection, rowid: int, drop_views: Callable[[int], None]) -> None:
    """Remove everything derived from a cable's best copy (before replacing it)."""
    old = conn.execute("SELECT data FROM cable_data WHERE rowid = ?", (rowid,)).fetchone()[0]
    cable = unpack_json(old)
    conn.execute(
        "INSERT INTO fts (fts, rowid, subject, body) VALUES ('delete', ?, ?, ?)",
        (rowid, cable.get("subject") or "", cable.get("text") or ""),
    )
    for table in schema.SIDE_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE cable = ?", (rowid,))
    for table in schema.ACCESS_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE cable_rowid = ?", (rowid,))
    drop_views(rowid)
