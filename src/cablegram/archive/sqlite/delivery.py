"""The cable network's deliveries on SQLite (``DeliveryRows``, archive/store.py).

Tables (schema migration 7, schema.py ``DELIVERY_DDL``):

* ``delivery_receipts`` — one row per transmission received, primary key
  (origin, cable, section, addressee): receipt is idempotent for ever, by the
  key, with no time window;
* ``deliveries`` — the inbox entries, JSON plus the columns they are found and
  ordered by (holder, cable, precedence rank, NIACT, time, acknowledgement);
* ``delivery_actions``, ``delivery_subscriptions``, ``delivery_rosters``;
* ``delivery_numbers`` (per-addressee numbers a station has seen) and
  ``delivery_sent`` (the originator's log for re-sends);
* ``delivery_queue`` — transmissions waiting at a relay or for the broker.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from cablegram.archive.sqlite.connection import transaction

# Every table of the deliveries (records in their own right: reindex and copy keep them).
TABLES = (
    "delivery_receipts", "deliveries", "delivery_actions", "delivery_subscriptions",
    "delivery_rosters", "delivery_numbers", "delivery_sent", "delivery_queue",
)  # fmt: skip

__all__ = ["SQLiteDeliveries"]

Key = tuple[str, str, int, str]
_RANK = {"ROUTINE": 0, "PRIORITY": 1, "IMMEDIATE": 2, "FLASH": 3}
_ORDER = " ORDER BY rank DESC, niact DESC, received_at, id"


def _dumps(row: dict[str, Any]) -> str:
    return json.dumps(row, separators=(",", ":"), sort_keys=True)


class SQLiteDeliveries:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # -- receipt --
    def receive(self, key: Key, at: str, telegram: str) -> bool:
        with transaction(self.conn):
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO delivery_receipts"
                " (origin, cable_id, section, addressee, received_at, telegram)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (*key, at, telegram),
            )
            return cur.rowcount == 1

    def sections(self, cable_id: str, addressee: str) -> dict[int, str]:
        rows = self.conn.execute(
            "SELECT section, telegram FROM delivery_receipts WHERE cable_id = ? AND addressee = ?",
            (cable_id, addressee),
        )
        return {int(n): text for n, text in rows}

    # -- deliveries --
    def add_deliveries(self, rows: list[dict[str, Any]]) -> list[int]:
        ids = []
        with transaction(self.conn):
            for r in rows:
                cur = self.conn.execute(
                    "INSERT INTO deliveries (cable_id, station, kind, holder, rank, niact,"
                    " received_at, ack_open, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        r["cable_id"], r["station"], r["kind"], r["holder"],
                        _RANK[r["precedence"]], int(r["niact"]), r["received_at"],
                        int(bool(r["ack_required"]) and r.get("acked_at") is None),
                        _dumps({**r, "id": None}),
                    ),
                )  # fmt: skip
                ids.append(int(cur.lastrowid or 0))
        return ids

    def _rows(self, where: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        cur = self.conn.execute(f"SELECT id, data FROM deliveries WHERE {where}", params)
        return [{**json.loads(data), "id": int(i)} for i, data in cur]

    def delivery(self, delivery_id: int) -> dict[str, Any] | None:
        found = self._rows("id = ?", (delivery_id,))
        return found[0] if found else None

    def update_delivery(self, row: dict[str, Any]) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE deliveries SET ack_open = ?, data = ? WHERE id = ?",
                (
                    int(bool(row["ack_required"]) and row.get("acked_at") is None),
                    _dumps({**row, "id": None}),
                    row["id"],
                ),
            )

    def inbox(self, kind: str, holder: str) -> list[dict[str, Any]]:
        return self._rows("kind = ? AND holder = ?" + _ORDER, (kind, holder))

    def deliveries_of(self, cable_id: str, station: str | None) -> list[dict[str, Any]]:
        if station is None:
            return self._rows("cable_id = ? ORDER BY id", (cable_id,))
        return self._rows("cable_id = ? AND station = ? ORDER BY id", (cable_id, station))

    def unacknowledged(self) -> list[dict[str, Any]]:
        return self._rows("ack_open = 1" + _ORDER, ())

    def holders(self, kind: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT DISTINCT holder FROM deliveries WHERE kind = ? ORDER BY holder", (kind,)
        )
        return [h for (h,) in rows]

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM deliveries").fetchone()[0])

    # -- actions --
    def add_action(self, row: dict[str, Any]) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO delivery_actions (cable_id, data) VALUES (?, ?)",
                (row["cable_id"], _dumps(row)),
            )

    def actions(self, cable_id: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT data FROM delivery_actions WHERE cable_id = ? ORDER BY rowid", (cable_id,)
        )
        return [json.loads(d) for (d,) in rows]

    # -- subscriptions, rosters --
    def subscribe(self, station: str, office: str, tag: str) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT OR IGNORE INTO delivery_subscriptions VALUES (?, ?, ?)",
                (station, office.upper(), tag.upper()),
            )

    def subscriptions(self, station: str) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            "SELECT office, tag FROM delivery_subscriptions WHERE station = ? ORDER BY rowid",
            (station,),
        )
        return [(o, t) for o, t in rows]

    def set_roster(self, station: str, users: list[str]) -> None:
        with transaction(self.conn):
            self.conn.execute("DELETE FROM delivery_rosters WHERE station = ?", (station,))
            self.conn.executemany(
                "INSERT INTO delivery_rosters VALUES (?, ?, ?)",
                [(station, n, u) for n, u in enumerate(users)],
            )

    def roster(self, station: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT user FROM delivery_rosters WHERE station = ? ORDER BY position", (station,)
        )
        return [u for (u,) in rows]

    # -- numbers --
    def see_number(self, origin: str, addressee: str, number: int, at: str) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT OR IGNORE INTO delivery_numbers VALUES (?, ?, ?, ?)",
                (origin, addressee, number, at),
            )

    def numbers_seen(self, origin: str, addressee: str) -> set[int]:
        rows = self.conn.execute(
            "SELECT number FROM delivery_numbers WHERE origin = ? AND addressee = ?",
            (origin, addressee),
        )
        return {int(n) for (n,) in rows}

    def number_pairs(self) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            "SELECT DISTINCT origin, addressee FROM delivery_numbers ORDER BY origin, addressee"
        )
        return [(str(o), str(a)) for o, a in rows]

    def record_sent(self, origin: str, addressee: str, number: int, row: dict[str, Any]) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO delivery_sent (origin, addressee, number, data) VALUES (?, ?, ?, ?)",
                (origin, addressee, number, _dumps(row)),
            )

    def sent(self, origin: str, addressee: str, number: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT data FROM delivery_sent WHERE origin = ? AND addressee = ? AND number = ?"
            " ORDER BY rowid",
            (origin, addressee, number),
        )
        return [json.loads(d) for (d,) in rows]

    # -- queues --
    def enqueue(self, queue: str, items: list[tuple[Key, int, dict[str, Any]]]) -> None:
        with transaction(self.conn):
            self.conn.executemany(
                "INSERT OR IGNORE INTO delivery_queue"
                " (queue, origin, cable_id, section, addressee, rank, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(queue, *key, rank, _dumps(row)) for key, rank, row in items],
            )

    def queued(self, queue: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT data FROM delivery_queue WHERE queue = ? ORDER BY rank DESC, seq", (queue,)
        )
        return [json.loads(d) for (d,) in rows]

    def dequeue(self, queue: str, keys: list[Key]) -> None:
        with transaction(self.conn):
            self.conn.executemany(
                "DELETE FROM delivery_queue WHERE queue = ? AND origin = ? AND cable_id = ?"
                " AND section = ? AND addressee = ?",
                [(queue, *k) for k in keys],
            )

    def queues(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT queue, count(*) FROM delivery_queue GROUP BY queue")
        return {q: int(n) for q, n in rows}

    # -- whole archives (reindex, copy) --
    def dump(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for table in TABLES:
            cur = self.conn.execute(f"SELECT * FROM {table}")
            columns = [c[0] for c in cur.description]
            out[table] = [dict(zip(columns, row, strict=True)) for row in cur]
        return out

    def load(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        with transaction(self.conn):
            for table in TABLES:
                for row in rows.get(table, []):
                    cols = list(row)
                    self.conn.execute(
                        f"INSERT INTO {table} ({', '.join(cols)})"
                        f" VALUES ({', '.join('?' for _ in cols)})",
                        [row[c] for c in cols],
                    )
