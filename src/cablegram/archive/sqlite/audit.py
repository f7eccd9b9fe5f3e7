"""The append-only audit log on SQLite (triggers refuse UPDATE and DELETE).

Acts are kept in the archive file, in the transaction of what they record;
reads in the side file (sidefile.py), so recording one never waits for the
archive's writer.  A query reads both and merges them by time."""

from __future__ import annotations

import sqlite3
from typing import Any

from cablegram.archive.audit import READ_ACTIONS
from cablegram.archive.sqlite.connection import transaction

AUDIT_COLUMNS = ("at", "who", "interface", "action", "target", "detail")
_FILTERS = ("who", "action", "target", "interface")


class SQLiteAudit:
    def __init__(self, conn: sqlite3.Connection, side: sqlite3.Connection) -> None:
        self.conn = conn
        self.side = side

    def append(self, row: dict[str, Any]) -> None:
        """One entry, in the caller's transaction if one is open."""
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO audit (at, who, interface, action, target, detail)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [row[c] for c in AUDIT_COLUMNS],
            )

    def append_read(self, row: dict[str, Any]) -> None:
        """One read, committed at once in the side file (never waits for an ingest)."""
        with transaction(self.side):
            self.side.execute(
                "INSERT INTO reads (at, who, interface, action, target, detail)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [row[c] for c in AUDIT_COLUMNS],
            )

    def query(
        self, filters: dict[str, str], since: str | None, until: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Newest first, acts and reads together."""
        acts = self._query(self.conn, "audit", filters, since, until, limit)
        reads = self._query(self.side, "reads", filters, since, until, limit)
        return sorted(acts + reads, key=lambda r: r["at"], reverse=True)[:limit]

    def rows(self) -> list[dict[str, Any]]:
        """Every entry, acts and reads, oldest first (reindex, copy)."""
        acts = self._query(self.conn, "audit", {}, None, None, -1, oldest_first=True)
        reads = self._query(self.side, "reads", {}, None, None, -1, oldest_first=True)
        return sorted(acts + reads, key=lambda r: (r["at"], *(str(r[c]) for c in AUDIT_COLUMNS)))

    def put_rows(self, rows: list[dict[str, Any]]) -> None:
        """Entries from another archive, each where its kind belongs (one
        transaction for the acts; the caller's, if open)."""
        with transaction(self.conn), transaction(self.side):
            for row in rows:
                conn, table = ((self.side, "reads") if row["action"] in READ_ACTIONS
                               else (self.conn, "audit"))  # fmt: skip
                conn.execute(
                    f"INSERT INTO {table} ({', '.join(AUDIT_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
                    [row[c] for c in AUDIT_COLUMNS],
                )

    @staticmethod
    def _query(
        conn: sqlite3.Connection, table: str, filters: dict[str, str], since: str | None,
        until: str | None, limit: int, *, oldest_first: bool = False,
    ) -> list[dict[str, Any]]:  # fmt: skip
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
        order = "rowid" if oldest_first else "rowid DESC"
        rows = conn.execute(
            f"SELECT {', '.join(AUDIT_COLUMNS)} FROM {table}"
            f" WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?",
            (*params, limit),
        )
        return [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in rows]
