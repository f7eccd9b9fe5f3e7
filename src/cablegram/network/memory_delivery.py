"""A :class:`~cablegram.network.delivery_store.DeliveryStore` in memory: for
pure tests and for replays on the simulated clock (nothing written to disk).

Its transaction is a lock plus a journal of undo steps: an exception inside
undoes every change, as a database transaction would."""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial

from cablegram.network.delivery import ActionRecord, Delivery, Transmission, inbox_order

__all__ = ["MemoryDeliveryStore"]


class MemoryDeliveryStore:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._undo: list[Callable[[], object]] | None = None
        self.received: dict[tuple[str, str, int, str], str] = {}
        self._sections: dict[tuple[str, str], dict[int, str]] = defaultdict(dict)
        self._deliveries: dict[int, Delivery] = {}
        self._by_holder: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_cable: dict[str, list[int]] = defaultdict(list)
        self._ids = itertools.count(1)
        self._actions: dict[str, list[ActionRecord]] = defaultdict(list)
        self._subscriptions: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self._rosters: dict[str, list[str]] = {}
        self._seen: dict[tuple[str, str], set[int]] = defaultdict(set)
        self._sent: dict[tuple[str, str, int], list[Transmission]] = defaultdict(list)
        self._queues: dict[str, dict[tuple[str, str, int, str], tuple[int, Transmission]]] = (
            defaultdict(dict)
        )
        self._order = itertools.count()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._undo is not None:
                yield
                return
            self._undo = []
            try:
                yield
            except BaseException:
                for step in reversed(self._undo):
                    step()
                raise
            finally:
                self._undo = None

    def _on_undo(self, step: Callable[[], object]) -> None:
        if self._undo is not None:
            self._undo.append(step)

    # -- receipt --
    def receive(self, t: Transmission, at: str) -> bool:
        with self.transaction():
            if t.key in self.received:
                return False
            self.received[t.key] = at
            sections = self._sections[(t.cable_id, t.route.name)]
            sections[t.section] = t.telegram
            self._on_undo(lambda: (self.received.pop(t.key), sections.pop(t.section)))
            return True

    def sections(self, cable_id: str, addressee: str) -> dict[int, str]:
        return dict(self._sections.get((cable_id, addressee), {}))

    # -- deliveries --
    def add_deliveries(self, deliveries: Iterable[Delivery]) -> list[Delivery]:
        out = []
        with self.transaction():
            for given in deliveries:
                delivery_id = next(self._ids)
                d = replace(given, id=delivery_id)
                self._deliveries[delivery_id] = d
                self._by_holder[(d.kind, d.holder)].append(delivery_id)
                self._by_cable[d.cable_id].append(delivery_id)
                self._on_undo(partial(self._forget, d))
                out.append(d)
        return out

    def _forget(self, d: Delivery) -> None:
        delivery_id = _stored_id(d)
        self._deliveries.pop(delivery_id)
        self._by_holder[(d.kind, d.holder)].remove(delivery_id)
        self._by_cable[d.cable_id].remove(delivery_id)

    def delivery(self, delivery_id: int) -> Delivery | None:
        return self._deliveries.get(delivery_id)

    def update_delivery(self, delivery: Delivery) -> None:
        with self.transaction():
            delivery_id = _stored_id(delivery)
            before = self._deliveries[delivery_id]
            self._deliveries[delivery_id] = delivery
            self._on_undo(partial(self._deliveries.__setitem__, delivery_id, before))

    def inbox(self, kind: str, holder: str) -> list[Delivery]:
        found = [self._deliveries[i] for i in self._by_holder.get((kind, holder), [])]
        return sorted(found, key=inbox_order)

    def deliveries_of(self, cable_id: str, station: str | None = None) -> list[Delivery]:
        found = [self._deliveries[i] for i in self._by_cable.get(cable_id, [])]
        return [d for d in found if station is None or d.station == station]

    def unacknowledged(self) -> list[Delivery]:
        return [d for d in self._deliveries.values() if d.ack_required and d.acked_at is None]

    def holders(self, kind: str) -> list[str]:
        return sorted(h for (k, h), ids in self._by_holder.items() if k == kind and ids)

    def count(self) -> int:
        return len(self._deliveries)

    # -- actions --
    def add_action(self, record: ActionRecord) -> None:
        with self.transaction():
            self._actions[record.cable_id].append(record)
            self._on_undo(lambda: self._actions[record.cable_id].remove(record))

    def actions(self, cable_id: str) -> list[ActionRecord]:
        return list(self._actions.get(cable_id, []))

    # -- subscriptions, rosters --
    def subscribe(self, station: str, office: str, tag: str) -> None:
        pair = (office.upper(), tag.upper())
        if pair not in self._subscriptions[station]:
            self._subscriptions[station].append(pair)

    def subscriptions(self, station: str) -> list[tuple[str, str]]:
        return list(self._subscriptions.get(station, []))

    def set_roster(self, station: str, users: list[str]) -> None:
        self._rosters[station] = list(users)

    def roster(self, station: str) -> list[str]:
        return list(self._rosters.get(station, []))

    # -- numbers --
    def see_number(self, origin: str, addressee: str, number: int, at: str) -> None:
        seen = self._seen[(origin, addressee)]
        if number not in seen:
            seen.add(number)
            self._on_undo(lambda: seen.discard(number))

    def numbers_seen(self, origin: str, addressee: str) -> set[int]:
        return set(self._seen.get((origin, addressee), set()))

    def number_pairs(self) -> list[tuple[str, str]]:
        return sorted(k for k, v in self._seen.items() if v)

    def record_sent(self, t: Transmission, number: int) -> None:
        self._sent[(t.origin, t.route.name, number)].append(t)

    def sent(self, origin: str, addressee: str, number: int) -> list[Transmission]:
        return list(self._sent.get((origin, addressee, number), []))

    # -- queues --
    def enqueue(self, transmissions: Iterable[Transmission], queue: str) -> None:
        q = self._queues[queue]
        with self.transaction():
            for t in transmissions:
                if t.key not in q:
                    q[t.key] = (next(self._order), t)
                    self._on_undo(partial(q.pop, t.key))

    def queued(self, queue: str) -> list[Transmission]:
        items = sorted(
            self._queues.get(queue, {}).values(), key=lambda i: (-i[1].precedence.rank, i[0])
        )
        return [t for _, t in items]

    def dequeue(self, queue: str, keys: Iterable[tuple[str, str, int, str]]) -> None:
        q = self._queues.get(queue, {})
        with self.transaction():
            for k in keys:
                if k in q:
                    item = q.pop(k)
                    self._on_undo(partial(q.__setitem__, k, item))

    def queues(self) -> dict[str, int]:
        return {name: len(q) for name, q in self._queues.items() if q}


def _stored_id(delivery: Delivery) -> int:
    """The id ``add_deliveries`` gave ``delivery`` (one it did not store has none)."""
    if delivery.id is None:
        raise ValueError(f"a delivery of {delivery.cable_id} that was never stored (no id)")
    return delivery.id
