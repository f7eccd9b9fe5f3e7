"""Accounts, recent sign-in attempts and ended sessions on PostgreSQL
(``users``, ``signin_attempts``, ``ended_sessions``)."""

from __future__ import annotations

import math
from typing import Any

from cablegram.archive.postgres.connection import Connections, one_row, transaction

USER_COLUMNS = (
    "name", "password_hash", "clearance", "sbu", "captions", "stations", "offices", "owner",
    "created", "updated",
)  # fmt: skip


class PostgresAccounts:
    def __init__(self, store: Any) -> None:
        self.store = store  # its connection and read-only flag

    def _rows(self, where: str = "", params: tuple[object, ...] = ()) -> list[dict[str, Any]]:
        cur = self.store.conn.execute(
            f"SELECT {', '.join(USER_COLUMNS)} FROM users{where} ORDER BY name", params
        )
        return [dict(zip(USER_COLUMNS, row, strict=True)) for row in cur]

    def get(self, name: str) -> dict[str, Any] | None:
        rows = self._rows(" WHERE name = %s", (name,))
        return rows[0] if rows else None

    def list(self) -> list[dict[str, Any]]:
        return self._rows()

    def insert(self, row: dict[str, Any]) -> None:
        cols = [c for c in USER_COLUMNS if c in row]
        with self.store.transaction():
            self.store.conn.execute(
                f"INSERT INTO users ({', '.join(cols)}) VALUES ({', '.join('%s' for _ in cols)})",
                [row[c] for c in cols],
            )

    def update(self, name: str, changes: dict[str, Any]) -> None:
        known = {k: v for k, v in changes.items() if k in USER_COLUMNS}
        sets = ", ".join(f"{k} = %s" for k in known)
        with self.store.transaction():
            self.store.conn.execute(
                f"UPDATE users SET {sets} WHERE name = %s", (*known.values(), name)
            )

    def delete(self, name: str) -> None:
        with self.store.transaction():
            self.store.conn.execute("DELETE FROM users WHERE name = %s", (name,))


class PostgresSignIns:
    """Recent sign-in attempts per client, on a connection of their own
    (committed at once, never inside an open batch), shared by every
    process serving the archive (users.SignInAttempts)."""

    def __init__(self, side: Connections, *, read_only: bool = False, where: str = "") -> None:
        self.side = side
        self.read_only = read_only
        self.where = where

    def begin(
        self, client: str, *, limit: int, window: float, now: float
    ) -> tuple[int | None, int]:
        with self.side.connection() as conn, transaction(conn, read_only=self.read_only,
                                                          where=self.where):  # fmt: skip
            # One client's attempts are counted by one transaction at a time.
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 7))", (client,))
            conn.execute("DELETE FROM signin_attempts WHERE at <= %s", (now - window,))
            times = [at for (at,) in conn.execute(
                "SELECT at FROM signin_attempts WHERE client = %s ORDER BY at", (client,))]  # fmt: skip
            if len(times) >= limit:
                return None, max(1, math.ceil(times[len(times) - limit] + window - now))
            cur = conn.execute(
                "INSERT INTO signin_attempts (client, at) VALUES (%s, %s) RETURNING rowid",
                (client, now),
            )
            rowid = int(one_row(cur, "RETURNING rowid")[0])
        return rowid, 0

    def forget(self, attempt: int) -> None:
        with self.side.connection() as conn, transaction(conn, read_only=self.read_only,
                                                          where=self.where):  # fmt: skip
            conn.execute("DELETE FROM signin_attempts WHERE rowid = %s", (attempt,))

    def end_session(self, digest: str, expires: float, now: float) -> None:
        with self.side.connection() as conn, transaction(conn, read_only=self.read_only,
                                                          where=self.where):  # fmt: skip
            conn.execute("DELETE FROM ended_sessions WHERE expires < %s", (now,))
            conn.execute(
                "INSERT INTO ended_sessions (digest, expires) VALUES (%s, %s)"
                " ON CONFLICT (digest) DO UPDATE SET expires = EXCLUDED.expires",
                (digest, expires),
            )

    def session_ended(self, digest: str) -> bool:
        with self.side.connection() as conn:
            row = conn.execute("SELECT 1 FROM ended_sessions WHERE digest = %s", (digest,))
            return row.fetchone() is not None
