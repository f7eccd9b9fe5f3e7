"""The cable network's state in the SQLite archive (``NetworkRows``; tables of
schema migration 6).

Every method runs inside :func:`~cablegram.archive.sqlite.connection.
transaction`, joining the caller's: the workflow opens one with
``store.transaction()`` (``BEGIN IMMEDIATE``: the database write lock, taken
before anything is read), so a release's serial, its cable, its release
record and its audit entries are one transaction.  Counters move in one
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` under that lock: two
processes never get the same number, and a rolled-back number is handed out
again (no gap).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from cablegram.archive.sqlite.connection import transaction

_LOADED = "network_directory_loaded"  # meta key: the shipped directory was loaded
# meta key: a random token replaced by every change of the directory (readers cache
# by it; random, so that a change rolled back and another one made never share it;
# a JSON string, as every meta value is)
_VERSION = "network_directory_version"

# Tables and columns dump/load carry over (reindex, copy); JSON in ``data``.
_TABLES: dict[str, tuple[str, ...]] = {
    "network_entries": ("kind", "key", "data"),
    "network_drafts": ("id", "version", "state", "drafter", "data"),
    "network_clearances": ("draft", "data"),
    "network_events": ("draft", "data"),
    "network_serials": ("origin", "year", "last"),
    "network_numbers": ("origin", "addressee", "last"),
    "network_releases": ("cable_id", "data"),
}


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


class SQLiteNetwork:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _one(self, sql: str, params: tuple[Any, ...]) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- the directory --
    def directory_loaded(self) -> bool:
        return self._one("SELECT value FROM meta WHERE key = ?", (_LOADED,)) is not None

    def mark_directory_loaded(self) -> None:
        with transaction(self.conn):
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, 'true')", (_LOADED,))
            self._changed()

    def directory_version(self) -> str:
        return str(self._one("SELECT value FROM meta WHERE key = ?", (_VERSION,)) or "")

    def _changed(self) -> None:
        self.conn.execute(
            """INSERT OR REPLACE INTO meta VALUES (?, '"' || lower(hex(randomblob(12))) || '"')""",
            (_VERSION,),
        )

    def put_entry(self, kind: str, key: str, data: dict[str, Any]) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT OR REPLACE INTO network_entries (kind, key, data) VALUES (?, ?, ?)",
                (kind, key, _dumps(data)),
            )
            self._changed()

    def entries(self) -> list[tuple[str, dict[str, Any]]]:
        rows = self.conn.execute("SELECT kind, data FROM network_entries ORDER BY kind, key")
        return [(kind, json.loads(data)) for kind, data in rows]

    def remove_entry(self, kind: str, key: str) -> bool:
        with transaction(self.conn):
            cur = self.conn.execute(
                "DELETE FROM network_entries WHERE kind = ? AND key = ?", (kind, key)
            )
            if cur.rowcount > 0:
                self._changed()
            return cur.rowcount > 0

    # -- drafts --
    def add_draft(self, data: dict[str, Any], *, state: str, drafter: str) -> int:
        with transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO network_drafts (version, state, drafter, data) VALUES (1, ?, ?, ?)",
                (state, drafter, _dumps(data)),
            )
            return int(cur.lastrowid or 0)

    def get_draft(self, draft_id: int) -> tuple[int, dict[str, Any]] | None:
        row = self.conn.execute(
            "SELECT version, data FROM network_drafts WHERE id = ?", (draft_id,)
        ).fetchone()
        return None if row is None else (int(row[0]), json.loads(row[1]))

    def update_draft(
        self, draft_id: int, data: dict[str, Any], *, state: str, expected: int
    ) -> int:
        with transaction(self.conn):
            cur = self.conn.execute(
                "UPDATE network_drafts SET version = version + 1, state = ?, data = ?"
                " WHERE id = ? AND version = ?",
                (state, _dumps(data), draft_id, expected),
            )
            if cur.rowcount:
                return expected
            found = self._one("SELECT version FROM network_drafts WHERE id = ?", (draft_id,))
            return -1 if found is None else int(found)

    def drafts(self, state: str | None) -> list[tuple[int, int, dict[str, Any]]]:
        where, params = ("WHERE state = ?", (state,)) if state else ("", ())
        rows = self.conn.execute(
            f"SELECT id, version, data FROM network_drafts {where} ORDER BY id", params
        )
        return [(int(i), int(v), json.loads(d)) for i, v, d in rows]

    # -- clearances and events --
    def add_clearance(self, draft_id: int, data: dict[str, Any]) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO network_clearances (draft, data) VALUES (?, ?)",
                (draft_id, _dumps(data)),
            )

    def clearances(self, draft_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT data FROM network_clearances WHERE draft = ? ORDER BY rowid", (draft_id,)
        )
        return [json.loads(d) for (d,) in rows]

    def add_event(self, draft_id: int, data: dict[str, Any]) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO network_events (draft, data) VALUES (?, ?)", (draft_id, _dumps(data))
            )

    def events(self, draft_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT data FROM network_events WHERE draft = ? ORDER BY rowid", (draft_id,)
        )
        return [json.loads(d) for (d,) in rows]

    # -- counters --
    def next_serial(self, origin: str, year: int) -> int:
        with transaction(self.conn):
            return int(
                self._one(
                    "INSERT INTO network_serials (origin, year, last) VALUES (?, ?, 1)"
                    " ON CONFLICT (origin, year) DO UPDATE SET last = last + 1 RETURNING last",
                    (origin, year),
                )
            )

    def set_serial(self, origin: str, year: int, last: int) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT OR REPLACE INTO network_serials (origin, year, last) VALUES (?, ?, ?)",
                (origin, year, last),
            )

    def last_serial(self, origin: str, year: int) -> int:
        found = self._one(
            "SELECT last FROM network_serials WHERE origin = ? AND year = ?", (origin, year)
        )
        return int(found or 0)

    def next_number(self, origin: str, addressee: str) -> int:
        with transaction(self.conn):
            return int(
                self._one(
                    "INSERT INTO network_numbers (origin, addressee, last) VALUES (?, ?, 1)"
                    " ON CONFLICT (origin, addressee) DO UPDATE SET last = last % 9999 + 1"
                    " RETURNING last",
                    (origin, addressee),
                )
            )

    def set_number(self, origin: str, addressee: str, last: int) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT OR REPLACE INTO network_numbers (origin, addressee, last) VALUES (?, ?, ?)",
                (origin, addressee, last),
            )

    def last_number(self, origin: str, addressee: str) -> int:
        found = self._one(
            "SELECT last FROM network_numbers WHERE origin = ? AND addressee = ?",
            (origin, addressee),
        )
        return int(found or 0)

    # -- release records --
    def add_release(self, cable_id: str, data: dict[str, Any]) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO network_releases (cable_id, data) VALUES (?, ?)",
                (cable_id, _dumps(data)),
            )

    def release_of(self, cable_id: str) -> dict[str, Any] | None:
        found = self._one(
            "SELECT data FROM network_releases WHERE cable_id = ? ORDER BY rowid DESC LIMIT 1",
            (cable_id,),
        )
        return None if found is None else json.loads(found)

    # -- whole archives --
    def dump(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for table, columns in _TABLES.items():
            order = "rowid" if table not in ("network_entries", "network_serials",
                                             "network_numbers") else ", ".join(columns[:2])  # fmt: skip
            rows = self.conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")
            out[table] = [dict(zip(columns, row, strict=True)) for row in rows]
        return out

    def load(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        with transaction(self.conn):
            for table, columns in _TABLES.items():
                self.conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)})"
                    f" VALUES ({', '.join('?' for _ in columns)})",
                    [[row[c] for c in columns] for row in rows.get(table, ())],
                )
