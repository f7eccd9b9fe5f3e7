"""What delivery needs of storage: the :class:`DeliveryStore` protocol.

The embedded default keeps it in the archive's SQLite file
(``archive/sqlite/delivery.py``); :class:`~cablegram.network.memory_delivery.
MemoryDeliveryStore` keeps it in memory (pure tests, replays on the simulated
clock).

Guarantees an implementation must give:

* ``receive`` is idempotent for ever: a transmission whose key (origin, cable,
  section, addressee) was received before is refused (False), whatever the
  time since — no window.  With ``add_deliveries`` inside one
  :meth:`transaction`, a cable is delivered once or not at all.
* ``inbox`` returns a holder's deliveries in :func:`~cablegram.network.
  delivery.inbox_order` (precedence, NIACT, time).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Protocol

from cablegram.network.delivery import ActionRecord, Delivery, Transmission

__all__ = ["DeliveryStore"]


class DeliveryStore(Protocol):
    def transaction(self) -> AbstractContextManager[None]:
        """One transaction; nested calls join it."""
        ...

    # -- receipt (idempotent by key, no time window) --
    def receive(self, t: Transmission, at: str) -> bool:
        """Record ``t`` as received; False when its key was received before."""
        ...

    def sections(self, cable_id: str, addressee: str) -> dict[int, str]:
        """Section number -> telegram text received for a cable at an addressee."""
        ...

    # -- deliveries and inboxes --
    def add_deliveries(self, deliveries: Iterable[Delivery]) -> list[Delivery]:
        """Store them; returned with their ids."""
        ...

    def delivery(self, delivery_id: int) -> Delivery | None: ...
    def update_delivery(self, delivery: Delivery) -> None: ...
    def inbox(self, kind: str, holder: str) -> list[Delivery]: ...
    def deliveries_of(self, cable_id: str, station: str | None = None) -> list[Delivery]: ...
    def unacknowledged(self) -> list[Delivery]:
        """Deliveries that ask for an acknowledgement and have none yet."""
        ...

    def holders(self, kind: str) -> list[str]: ...
    def count(self) -> int:
        """How many deliveries there are."""
        ...

    # -- actions --
    def add_action(self, record: ActionRecord) -> None: ...
    def actions(self, cable_id: str) -> list[ActionRecord]: ...

    # -- a station's subscriptions and alert roster --
    def subscribe(self, station: str, office: str, tag: str) -> None: ...
    def subscriptions(self, station: str) -> list[tuple[str, str]]:
        """(office symbol, TAG) pairs of ``station``."""
        ...

    def set_roster(self, station: str, users: list[str]) -> None: ...
    def roster(self, station: str) -> list[str]: ...

    # -- per-addressee numbers: what a station has seen, what an origin has sent --
    def see_number(self, origin: str, addressee: str, number: int, at: str) -> None: ...
    def numbers_seen(self, origin: str, addressee: str) -> set[int]: ...
    def number_pairs(self) -> list[tuple[str, str]]:
        """(origin, addressee) of every count numbers were seen of."""
        ...

    def record_sent(self, t: Transmission, number: int) -> None:
        """The originator's log: which transmission carried ``number`` to an addressee."""
        ...

    def sent(self, origin: str, addressee: str, number: int) -> list[Transmission]: ...

    # -- the outbox: transmissions accepted for sending, until handed on --
    def enqueue(self, transmissions: Iterable[Transmission], queue: str) -> None:
        """Add to ``queue`` (a relay's RI, or ``out`` for the bridge); a key already
        queued there is not added twice."""
        ...

    def queued(self, queue: str) -> list[Transmission]:
        """The queue in forwarding order: precedence, then the order queued."""
        ...

    def dequeue(self, queue: str, keys: Iterable[tuple[str, str, int, str]]) -> None: ...
    def queues(self) -> dict[str, int]:
        """Queue name -> depth."""
        ...
