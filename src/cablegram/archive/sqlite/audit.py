"""The append-only audit log on SQLite (triggers in the schema refuse UPDATE and DELETE)."""

from __future__ import annotations

import sqlite3
from typing import Any

from cablegram.archive.sqlite.connection import transaction

AUDIT_COLUMNS = ("at", "who", "interface", "action", "target", "detail")
_FILTERS = ("who", "action", "target", "interface")


class SQLiteAudit:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def append(self, row: dict[str, Any]) -> None:
        """One entry, in the caller's transaction if one is open."""
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO audit (at, who, interface, action, target, detail)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [row[c] for c in AUDIT_COLUMNS],
            )

    def query(
        self, filters: dict[str, str], since: str | None, until: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Newest first."""
        where, params = ["1"], []
        for column in _FILTERS:
            if filters.get(column):
                where.append(f"{column} = ?")
                params.append(filters[column])
        if since:
            where.append("at >= ?")
            params.append(since)
        if until:
            where.append("at < ?")
            params.append(until)
        rows = self.conn.execute(
            f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit"
            f" WHERE {' AND '.join(where)} ORDER BY rowid DESC LIMIT ?",
            (*params, limit),
        )
        return [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in rows]
