"""Declassification decisions on SQLite: their history, the review queue's
candidates and the release report (under the reader's rule)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from cablegram.archive.blobs import unpack_json
from cablegram.archive.sqlite.connection import transaction

DECISION_COLUMNS = ("cable_id", "action", "reason", "who", "decided_on", "level", "sbu",
                    "recorded_at")  # fmt: skip
_STATE = (
    "CASE (SELECT d.action FROM decisions d WHERE d.cable_id = c.id"
    " ORDER BY d.rowid DESC LIMIT 1)"
    " WHEN 'release' THEN 'released' WHEN 'release-in-part' THEN 'released_in_part'"
    " WHEN 'exempt' THEN 'exempted' ELSE 'closed' END"
)
STATES = ("released", "released_in_part", "exempted", "closed")


class SQLiteDecisions:
    def __init__(self, store: Any) -> None:
        self.store = store  # the SQLiteStore (connection, reader scope, views)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn  # type: ignore[no-any-return]

    def add(self, row: dict[str, Any]) -> None:
        with transaction(self.conn):
            self.conn.execute(
                f"INSERT INTO decisions ({', '.join(DECISION_COLUMNS)})"
                f" VALUES ({', '.join('?' for _ in DECISION_COLUMNS)})",
                [row[c] for c in DECISION_COLUMNS],
            )

    def _rows(self, cable_id: str, tail: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            f"SELECT {', '.join(DECISION_COLUMNS)} FROM decisions WHERE cable_id = ?{tail}",
            (cable_id,),
        )
        return [dict(zip(DECISION_COLUMNS, row, strict=True)) for row in rows]

    def history(self, cable_id: str) -> list[dict[str, Any]]:
        return self._rows(cable_id, " ORDER BY rowid")

    def decided(self, cable_ids: list[str]) -> list[str]:
        ids = [cid.upper() for cid in cable_ids]
        rows = self.conn.execute(
            "SELECT DISTINCT cable_id FROM decisions"
            " WHERE cable_id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        )
        return [cid for (cid,) in rows]

    def in_force(self, cable_id: str) -> dict[str, Any] | None:
        rows = self._rows(cable_id, " ORDER BY rowid DESC LIMIT 1")
        return rows[0] if rows else None

    def due(self, on: str) -> Iterator[tuple[Any, ...]]:
        """Visible cables whose review date has come and that have no decision,
        oldest review date first: (id, created, classification, origin,
        subject as seen, schema JSON as seen)."""
        vis, vp = self.store.scope()
        cur = self.conn.execute(
            "SELECT c.rowid, c.id, c.created, c.classification, c.origin, c.subject"
            " FROM cables c WHERE c.review_due <= ?"
            " AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.cable_id = c.id)"
            f"{vis} ORDER BY c.review_due, c.created, c.rowid",
            (on, *vp),
        )
        for rowid, cid, created, cls, origin, subject in cur.fetchall():
            blob = self.store.seen_data(rowid)
            if blob is not None:
                yield (cid, created, cls, origin, self.store.seen_subject(rowid, subject),
                       unpack_json(blob))  # fmt: skip

    def report(self, size: int) -> dict[str, Any]:
        """Classified cables by year, origin and tag: released in full, in
        part, exempted, still closed (no release decision)."""
        vis, vp = self.store.scope()
        base = f"FROM cables c WHERE c.class_rank > 0{vis}"
        groups = {
            "year": ("c.year", base),
            "origin": ("c.origin", base),
            "tag": ("t.value", base.replace("FROM cables c", "FROM cables c JOIN tags t"
                                                         " ON t.cable = c.rowid")),
        }  # fmt: skip
        out: dict[str, Any] = {}
        totals = dict.fromkeys(STATES, 0)
        for state, n in self.conn.execute(f"SELECT {_STATE}, count(*) {base} GROUP BY 1", vp):
            totals[state] = n
        out["total"] = totals
        for name, (key, frm) in groups.items():
            table: dict[str, dict[str, int]] = {}
            for value, state, n in self.conn.execute(
                f"SELECT {key}, {_STATE}, count(*) {frm} GROUP BY 1, 2", vp
            ):
                row = table.setdefault(str(value) if value is not None else "(unknown)",
                                       dict.fromkeys(totals, 0))  # fmt: skip
                row[state] = n
            if name == "year":
                ranked = sorted(table.items())
            else:
                ranked = sorted(table.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))[:size]
            out[f"by_{name}"] = [{name: k, **v} for k, v in ranked]
        return out
