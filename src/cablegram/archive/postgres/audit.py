"""The append-only audit log on PostgreSQL (a trigger refuses UPDATE,
DELETE and TRUNCATE).

Acts are appended in the transaction of what they record; reads on the
store's second connection, committed at once, so recording one never waits
for (or joins) an open ingest batch.  Both are rows of ``audit``."""

from __future__ import annotations

from typing import Any

from cablegram.archive.postgres.connection import Connections, transaction

AUDIT_COLUMNS = ("at", "who", "interface", "action", "target", "detail")
_FILTERS = ("who", "action", "target", "interface")
_INSERT = (f"INSERT INTO audit ({', '.join(AUDIT_COLUMNS)})"
           f" VALUES ({', '.join('%s' for _ in AUDIT_COLUMNS)})")  # fmt: skip


class PostgresAudit:
    def __init__(self, store: Any, side: Connections) -> None:
        self.store = store
        self.side = side

    def append(self, row: dict[str, Any]) -> None:
        """One entry, in the caller's transaction if one is open."""
        with self.store.transaction():
            self.store.conn.execute(_INSERT, [row[c] for c in AUDIT_COLUMNS])

    def append_read(self, row: dict[str, Any]) -> None:
        """One read, committed at once on the side connection."""
        with (
            self.side.connection() as conn,
            transaction(conn, read_only=self.store.read_only, where=self.store.location),
        ):
            conn.execute(_INSERT, [row[c] for c in AUDIT_COLUMNS])

    def query(
        self, filters: dict[str, str], since: str | None, until: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Newest first, acts and reads together."""
        rows = self._query(filters, since, until, limit)
        return sorted(rows, key=lambda r: r["at"], reverse=True)[:limit]

    def rows(self) -> list[dict[str, Any]]:
        """Every entry, oldest first (reindex, copy; ordered as on SQLite)."""
        rows = self._query({}, None, None, None, oldest_first=True)
        return sorted(rows, key=lambda r: (r["at"], *(str(r[c]) for c in AUDIT_COLUMNS)))

    def put_rows(self, rows: list[dict[str, Any]]) -> None:
        with self.store.transaction(), self.store.conn.cursor() as cur:
            cur.executemany(_INSERT, [[row[c] for c in AUDIT_COLUMNS] for row in rows])

    def _query(
        self, filters: dict[str, str], since: str | None, until: str | None,
        limit: int | None, *, oldest_first: bool = False,
    ) -> list[dict[str, Any]]:  # fmt: skip
        where, params = ["TRUE"], []
        for column in _FILTERS:
            if filters.get(column):
                where.append(f"{column} = %s")
                params.append(filters[column])
        if since:
            where.append("at >= %s")
            params.append(since)
        if until:
            where.append("at < %s")
            params.append(until)
        order = "rowid" if oldest_first else "rowid DESC"
        tail = "" if limit is None or limit < 0 else f" LIMIT {int(limit)}"
        cur = self.store.conn.execute(
            f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit"
            f" WHERE {' AND '.join(where)} ORDER BY {order}{tail}",
            params,
        )
        return [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in cur]
