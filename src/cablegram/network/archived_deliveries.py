"""The :class:`~cablegram.network.delivery_store.DeliveryStore` of an archive:
the network's values over the archive's ``DeliveryRows`` (rows as JSON objects;
``archive/sqlite/delivery.py`` on SQLite), in the archive's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import replace

from cablegram.archive.store import Store
from cablegram.network.delivery import ActionRecord, Delivery, Transmission

__all__ = ["ArchivedDeliveries"]


class ArchivedDeliveries:
    def __init__(self, store: Store) -> None:
        self.archive = store
        self.rows = store.deliveries

    def transaction(self) -> AbstractContextManager[None]:
        return self.archive.transaction()

    def receive(self, t: Transmission, at: str) -> bool:
        return self.rows.receive(t.key, at, t.telegram)

    def sections(self, cable_id: str, addressee: str) -> dict[int, str]:
        return self.rows.sections(cable_id, addressee)

    def add_deliveries(self, deliveries: Iterable[Delivery]) -> list[Delivery]:
        made = list(deliveries)
        ids = self.rows.add_deliveries([d.to_dict() for d in made])
        return [replace(d, id=i) for d, i in zip(made, ids, strict=True)]

    def delivery(self, delivery_id: int) -> Delivery | None:
        row = self.rows.delivery(delivery_id)
        return None if row is None else Delivery.from_dict(row)

    def update_delivery(self, delivery: Delivery) -> None:
        self.rows.update_delivery(delivery.to_dict())

    def inbox(self, kind: str, holder: str) -> list[Delivery]:
        return [Delivery.from_dict(r) for r in self.rows.inbox(kind, holder)]

    def deliveries_of(self, cable_id: str, station: str | None = None) -> list[Delivery]:
        return [Delivery.from_dict(r) for r in self.rows.deliveries_of(cable_id, station)]

    def unacknowledged(self) -> list[Delivery]:
        return [Delivery.from_dict(r) for r in self.rows.unacknowledged()]

    def holders(self, kind: str) -> list[str]:
        return self.rows.holders(kind)

    def count(self) -> int:
        return self.rows.count()

    def add_action(self, record: ActionRecord) -> None:
        self.rows.add_action(record.to_dict())

    def actions(self, cable_id: str) -> list[ActionRecord]:
        return [ActionRecord.from_dict(r) for r in self.rows.actions(cable_id)]

    def subscribe(self, station: str, office: str, tag: str) -> None:
        self.rows.subscribe(station, office, tag)

    def subscriptions(self, station: str) -> list[tuple[str, str]]:
        return self.rows.subscriptions(station)

    def set_roster(self, station: str, users: list[str]) -> None:
        self.rows.set_roster(station, users)

    def roster(self, station: str) -> list[str]:
        return self.rows.roster(station)

    def see_number(self, origin: str, addressee: str, number: int, at: str) -> None:
        self.rows.see_number(origin, addressee, number, at)

    def numbers_seen(self, origin: str, addressee: str) -> set[int]:
        return self.rows.numbers_seen(origin, addressee)

    def number_pairs(self) -> list[tuple[str, str]]:
        return self.rows.number_pairs()

    def record_sent(self, t: Transmission, number: int) -> None:
        self.rows.record_sent(t.origin, t.route.name, number, t.to_dict())

    def sent(self, origin: str, addressee: str, number: int) -> list[Transmission]:
        return [Transmission.from_dict(r) for r in self.rows.sent(origin, addressee, number)]

    def enqueue(self, transmissions: Iterable[Transmission], queue: str) -> None:
        self.rows.enqueue(queue, [(t.key, t.precedence.rank, t.to_dict()) for t in transmissions])

    def queued(self, queue: str) -> list[Transmission]:
        return [Transmission.from_dict(r) for r in self.rows.queued(queue)]

    def dequeue(self, queue: str, keys: Iterable[tuple[str, str, int, str]]) -> None:
        self.rows.dequeue(queue, list(keys))

    def queues(self) -> dict[str, int]:
        return self.rows.queues()
