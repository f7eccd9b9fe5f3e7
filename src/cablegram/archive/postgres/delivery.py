"""The cable network's deliveries on PostgreSQL (``DeliveryRows``, archive/store.py):
the same tables as on SQLite (archive/sqlite/delivery.py), in migration 5
(schema.py ``V5_DELIVERIES``):

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
from typing import Any

import psycopg

from cablegram.archive.postgres.connection import one_row

# Every table of the deliveries (records in their own right: reindex and copy keep them).
TABLES = (
    "delivery_receipts", "deliveries", "delivery_actions", "delivery_subscriptions",
    "delivery_rosters", "delivery_numbers", "delivery_sent", "delivery_queue",
)  # fmt: skip

__all__ = ["PostgresDeliveries"]

IDENTITIES = (("deliveries", "id"), ("delivery_actions", "seq"), ("delivery_sent", "seq"),
              ("delivery_queue", "seq"))  # fmt: skip
Key = tuple[str, str, int, str]
_RANK = {"ROUTINE": 0, "PRIORITY": 1, "IMMEDIATE": 2, "FLASH": 3}
_ORDER = " ORDER BY rank DESC, niact DESC, received_at, id"


def _dumps(row: dict[str, Any]) -> str:
    return json.dumps(row, separators=(",", ":"), sort_keys=True)


class PostgresDeliveries:
    def __init__(self, store: Any) -> None:
        self.store = store  # the PostgresStore (its connection and transactions)

    @property
    def conn(self) -> psycopg.Connection:
        return self.store.conn  # type: ignore[no-any-return]

    # -- receipt --
    def receive(self, key: Key, at: str, telegram: str) -> bool:
        with self.store.transaction():
            cur = self.conn.execute(
                "INSERT INTO delivery_receipts"
                " (origin, cable_id, section, addressee, received_at, telegram)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (*key, at, telegram),
            )
            return cur.rowcount == 1

    def sections(self, cable_id: str, addressee: str) -> dict[int, str]:
        rows = self.conn.execute(
            "SELECT section, telegram FROM delivery_receipts WHERE cable_id = %s AND addressee = %s",
            (cable_id, addressee),
        )
        return {int(n): text for n, text in rows}

    # -- deliveries --
    def add_deliveries(self, rows: list[dict[str, Any]]) -> list[int]:
        ids = []
        with self.store.transaction():
            for r in rows:
                cur = self.conn.execute(
                    "INSERT INTO deliveries (cable_id, station, kind, holder, rank, niact,"
                    " received_at, ack_open, data) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " RETURNING id",
                    (
                        r["cable_id"], r["station"], r["kind"], r["holder"],
                        _RANK[r["precedence"]], int(r["niact"]), r["received_at"],
                        int(bool(r["ack_required"]) and r.get("acked_at") is None),
                        _dumps({**r, "id": None}),
                    ),
                )  # fmt: skip
                ids.append(int(one_row(cur, "RETURNING id")[0]))
        return ids

    def _rows(self, where: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        cur = self.conn.execute(f"SELECT id, data FROM deliveries WHERE {where}", params)
        return [{**json.loads(data), "id": int(i)} for i, data in cur]

    def delivery(self, delivery_id: int) -> dict[str, Any] | None:
        found = self._rows("id = %s", (delivery_id,))
        return found[0] if found else None

    def update_delivery(self, row: dict[str, Any]) -> None:
        with self.store.transaction():
            self.conn.execute(
                "UPDATE deliveries SET ack_open = %s, data = %s WHERE id = %s",
                (
                    int(bool(row["ack_required"]) and row.get("acked_at") is None),
                    _dumps({**row, "id": None}),
                    row["id"],
                ),
            )

    def inbox(self, kind: str, holder: str) -> list[dict[str, Any]]:
        return self._rows("kind = %s AND holder = %s" + _ORDER, (kind, holder))

    def deliveries_of(self, cable_id: str, station: str | None) -> list[dict[str, Any]]:
        if station is None:
            return self._rows("cable_id = %s ORDER BY id", (cable_id,))
        return self._rows("cable_id = %s AND station = %s ORDER BY id", (cable_id, station))

    def unacknowledged(self) -> list[dict[str, Any]]:
        return self._rows("ack_open = 1" + _ORDER, ())

    def holders(self, kind: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT DISTINCT holder FROM deliveries WHERE kind = %s ORDER BY holder", (kind,)
        )
        return [h for (h,) in rows]

    def count(self) -> int:
        return int(one_row(self.conn.execute("SELECT count(*) FROM deliveries"), "count")[0])

    # -- actions --
    def add_action(self, row: dict[str, Any]) -> None:
        with self.store.transaction():
            self.conn.execute(
                "INSERT INTO delivery_actions (cable_id, data) VALUES (%s, %s)",
                (row["cable_id"], _dumps(row)),
            )

    def actions(self, cable_id: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT data FROM delivery_actions WHERE cable_id = %s ORDER BY seq", (cable_id,)
        )
        return [json.loads(d) for (d,) in rows]

    # -- subscriptions, rosters --
    def subscribe(self, station: str, office: str, tag: str) -> None:
        with self.store.transaction():
            self.conn.execute(
                "INSERT INTO delivery_subscriptions VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (station, office.upper(), tag.upper()),
            )

    def subscriptions(self, station: str) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            "SELECT office, tag FROM delivery_subscriptions WHERE station = %s ORDER BY office, tag",
            (station,),
        )
        return [(o, t) for o, t in rows]

    def set_roster(self, station: str, users: list[str]) -> None:
        with self.store.transaction():
            self.conn.execute("DELETE FROM delivery_rosters WHERE station = %s", (station,))
            self.conn.cursor().executemany(
                "INSERT INTO delivery_rosters VALUES (%s, %s, %s)",
                [(station, n, u) for n, u in enumerate(users)],
            )

    def roster(self, station: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT member FROM delivery_rosters WHERE station = %s ORDER BY position", (station,)
        )
        return [u for (u,) in rows]

    # -- numbers --
    def see_number(self, origin: str, addressee: str, number: int, at: str) -> None:
        with self.store.transaction():
            self.conn.execute(
                "INSERT INTO delivery_numbers VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (origin, addressee, number, at),
            )

    def numbers_seen(self, origin: str, addressee: str) -> set[int]:
        rows = self.conn.execute(
            "SELECT number FROM delivery_numbers WHERE origin = %s AND addressee = %s",
            (origin, addressee),
        )
        return {int(n) for (n,) in rows}

    def number_pairs(self) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            "SELECT DISTINCT origin, addressee FROM delivery_numbers ORDER BY origin, addressee"
        )
        return [(str(o), str(a)) for o, a in rows]

    def record_sent(self, origin: str, addressee: str, number: int, row: dict[str, Any]) -> None:
        with self.store.transaction():
            self.conn.execute(
                "INSERT INTO delivery_sent (origin, addressee, number, data) VALUES (%s, %s, %s, %s)",
                (origin, addressee, number, _dumps(row)),
            )

    def sent(self, origin: str, addressee: str, number: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT data FROM delivery_sent WHERE origin = %s AND addressee = %s AND number = %s"
            " ORDER BY seq",
            (origin, addressee, number),
        )
        return [json.loads(d) for (d,) in rows]

    # -- queues --
    def enqueue(self, queue: str, items: list[tuple[Key, int, dict[str, Any]]]) -> None:
        with self.store.transaction():
            self.conn.cursor().executemany(
                "INSERT INTO delivery_queue"
                " (queue, origin, cable_id, section, addressee, rank, data)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [(queue, *key, rank, _dumps(row)) for key, rank, row in items],
            )

    def queued(self, queue: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT data FROM delivery_queue WHERE queue = %s ORDER BY rank DESC, seq", (queue,)
        )
        return [json.loads(d) for (d,) in rows]

    def dequeue(self, queue: str, keys: list[Key]) -> None:
        with self.store.transaction():
            self.conn.cursor().executemany(
                "DELETE FROM delivery_queue WHERE queue = %s AND origin = %s AND cable_id = %s"
                " AND section = %s AND addressee = %s",
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
            columns = [c[0] for c in cur.description or ()]
            out[table] = [dict(zip(columns, row, strict=True)) for row in cur]
        return out

    def load(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        with self.store.transaction():
            for table in TABLES:
                for row in rows.get(table, []):
                    cols = list(row)
                    self.conn.execute(
                        f"INSERT INTO {table} ({', '.join(cols)})"
                        f" VALUES ({', '.join('%s' for _ in cols)})",
                        [row[c] for c in cols],
                    )
            # Identities given explicitly above: their sequences go on after them.
            for table, column in IDENTITIES:
                self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                    f" coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
                )
