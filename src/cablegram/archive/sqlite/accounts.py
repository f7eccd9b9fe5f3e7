"""Accounts and recent sign-in attempts on SQLite (``users``, ``signin_attempts``)."""

from __future__ import annotations

import math
import sqlite3
from typing import Any

from cablegram.archive.sqlite.connection import transaction

USER_COLUMNS = (
    "name", "password_hash", "clearance", "sbu", "captions", "stations", "offices", "owner",
    "created", "updated",
)  # fmt: skip


class SQLiteAccounts:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _rows(self, where: str = "", params: tuple[object, ...] = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            f"SELECT {', '.join(USER_COLUMNS)} FROM users{where} ORDER BY name", params
        )
        return [dict(zip(USER_COLUMNS, row, strict=True)) for row in cur]

    def get(self, name: str) -> dict[str, Any] | None:
        rows = self._rows(" WHERE name = ?", (name,))
        return rows[0] if rows else None

    def list(self) -> list[dict[str, Any]]:
        return self._rows()

    def insert(self, row: dict[str, Any]) -> None:
        cols = [c for c in USER_COLUMNS if c in row]
        with transaction(self.conn):
            self.conn.execute(
                f"INSERT INTO users ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                [row[c] for c in cols],
            )

    def update(self, name: str, changes: dict[str, Any]) -> None:
        sets = ", ".join(f"{k} = ?" for k in changes if k in USER_COLUMNS)
        with transaction(self.conn):
            self.conn.execute(f"UPDATE users SET {sets} WHERE name = ?", (*changes.values(), name))

    def delete(self, name: str) -> None:
        with transaction(self.conn):
            self.conn.execute("DELETE FROM users WHERE name = ?", (name,))


class SQLiteSignIns:
    """Recent sign-in attempts per client, kept in the archive's side file
    (sidefile.py: never waiting for an ingest) so that every process serving
    the archive counts the same attempts (users.SignInAttempts)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def begin(
        self, client: str, *, limit: int, window: float, now: float
    ) -> tuple[int | None, int]:
        # One write transaction (BEGIN IMMEDIATE holds the write lock): concurrent
        # attempts on several processes cannot slip past the limit together.
        with transaction(self.conn):
            self.conn.execute("DELETE FROM signin_attempts WHERE at <= ?", (now - window,))
            rows = self.conn.execute(
                "SELECT at FROM signin_attempts WHERE client = ? ORDER BY at", (client,)
            )
            times = [at for (at,) in rows]
            if len(times) >= limit:
                # It may try again once all but limit - 1 of them have aged out.
                return None, max(1, math.ceil(times[len(times) - limit] + window - now))
            cursor = self.conn.execute(
                "INSERT INTO signin_attempts (client, at) VALUES (?, ?)", (client, now)
            )
        return cursor.lastrowid, 0

    def forget(self, attempt: int) -> None:
        with transaction(self.conn):
            self.conn.execute("DELETE FROM signin_attempts WHERE rowid = ?", (attempt,))

    def end_session(self, digest: str, expires: float, now: float) -> None:
        with transaction(self.conn):
            self.conn.execute("DELETE FROM ended_sessions WHERE expires < ?", (now,))
            self.conn.execute(
                "INSERT OR REPLACE INTO ended_sessions (digest, expires) VALUES (?, ?)",
                (digest, expires),
            )

    def session_ended(self, digest: str) -> bool:
        try:
            row = self.conn.execute("SELECT 1 FROM ended_sessions WHERE digest = ?", (digest,))
        except sqlite3.OperationalError:  # a read-only side file of version 1: none ended
            return False
        return row.fetchone() is not None
