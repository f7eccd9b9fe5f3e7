"""Inboxes: what the CLI, the HTTP API and the pages call (NETWORK.md §4, §6).

:class:`Inboxes` reads and changes deliveries in a
:class:`~cablegram.network.delivery_store.DeliveryStore` for a reader:

* :meth:`Inboxes.inbox` — a station's, an office's or a person's inbox in
  precedence order (FLASH, IMMEDIATE, PRIORITY, ROUTINE; NIACT first within
  its level; then time), with unread counts; a reader sees only the
  deliveries of cables they may read (the archive's rule);
* :meth:`read`, :meth:`acknowledge` (FLASH, IMMEDIATE and NIACT ask for it;
  the post acknowledges: acknowledging any copy at a station acknowledges
  every copy of the cable there),
  :meth:`act` (will comply, have complied, cannot comply — action
  addressees only);
* :meth:`overdue` — deliveries past their objective without acknowledgement
  (or, when none is asked, unread);
* :meth:`escalate` — each unacknowledged station delivery past due alerts the
  next person on the station's alert roster who may read the cable, one step
  per objective period overdue (a person who already holds a copy is alerted
  by it: no second copy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from cablegram.access.policy import may_read
from cablegram.access.principal import Principal
from cablegram.format import parse
from cablegram.model import Cable
from cablegram.network.clock import OBJECTIVES, utc
from cablegram.network.delivery import (
    ACTIONS,
    OFFICE,
    PERSON,
    STATION,
    ActionRecord,
    Delivery,
    office_key,
)
from cablegram.network.delivery_store import DeliveryStore
from cablegram.network.directory import Directory, address
from cablegram.network.routing import ACTION

__all__ = ["InboxError", "InboxView", "Inboxes"]


class InboxError(LookupError):
    """An inbox act that cannot be done (message says why)."""


@dataclass(frozen=True)
class InboxView:
    kind: str
    holder: str
    deliveries: list[Delivery]

    @property
    def unread(self) -> int:
        return sum(1 for d in self.deliveries if d.read_at is None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "holder": self.holder,
            "unread": self.unread,
            "deliveries": [d.to_dict() for d in self.deliveries],
        }


def _now() -> datetime:
    return datetime.now(UTC)


class Inboxes:
    def __init__(
        self,
        store: DeliveryStore,
        directory: Directory,
        *,
        principal_of: Callable[[str], Principal | None],
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.directory = directory
        self.principal_of = principal_of
        self.clock = clock

    # -- what a reader may see --
    def cable(self, d: Delivery) -> Cable | None:
        sections = self.store.sections(d.cable_id, d.station)
        if not sections:
            return None
        parts = [parse(sections[n]) for n in sorted(sections)]
        return replace(parts[0], paragraphs=tuple(p for c in parts for p in c.paragraphs))

    def visible(self, d: Delivery, reader: Principal) -> bool:
        if reader.owner or reader.reads_all:
            return True
        cable = self.cable(d)
        return cable is not None and may_read(reader, cable)

    def resolve(self, target: str) -> tuple[str, str]:
        """(kind, holder) of a station address, an office (``STATION:SYMBOL`` or a
        symbol held by one station) or a user."""
        if self.directory.person(target) is not None:
            return PERSON, target
        if self.directory.station(target) is not None:
            return STATION, address(target)
        if ":" in target:
            station, symbol = target.split(":", 1)
            if self.directory.office(station, symbol) is not None:
                o = self.directory.office(station, symbol)
                return OFFICE, office_key(o.station, o.symbol)  # type: ignore[union-attr]
        symbol = target.upper().replace(" ", "")
        offices = [o for o in self.directory.offices.values() if o.symbol == symbol]
        if len(offices) == 1:
            return OFFICE, office_key(offices[0].station, offices[0].symbol)
        if len(offices) > 1:
            raise InboxError(
                f"{target} is an office at several stations: write STATION:{symbol} "
                f"({', '.join(sorted(o.station for o in offices))})"
            )
        raise InboxError(f"{target}: no station, office or person of that name")

    def inbox(self, target: str, reader: Principal) -> InboxView:
        kind, holder = self.resolve(target)
        found = self.store.inbox(kind, holder)
        return InboxView(kind, holder, [d for d in found if self.visible(d, reader)])

    def _get(self, delivery_id: int, reader: Principal) -> Delivery:
        d = self.store.delivery(delivery_id)
        if d is None or not self.visible(d, reader):
            raise InboxError(f"no delivery {delivery_id}")
        return d

    def show(self, delivery_id: int, reader: Principal) -> tuple[Delivery, Cable | None]:
        d = self._get(delivery_id, reader)
        return d, self.cable(d)

    def _at_station(self, d: Delivery, reader: Principal, act: str) -> None:
        """Only the receiving post's people (or the archive's owner) act for it."""
        if reader.owner:
            return
        person = self.directory.person(reader.name)
        if person is None or person.station != d.station:
            raise InboxError(
                f"{reader.name} is not at {d.station}: only its people {act} its deliveries"
            )

    # -- acts --
    def read(self, delivery_id: int, reader: Principal) -> Delivery:
        d = self._get(delivery_id, reader)
        if d.read_at is not None:
            return d
        done = replace(d, read_at=self.clock().isoformat())
        self.store.update_delivery(done)
        return done

    def acknowledge(self, delivery_id: int, reader: Principal) -> Delivery:
        """Acknowledge a delivery; the station's copy of the cable with it."""
        d = self._get(delivery_id, reader)
        self._at_station(d, reader, "acknowledge")
        if not d.ack_required:
            raise InboxError(
                f"delivery {delivery_id} is {d.precedence.value}: only FLASH, IMMEDIATE "
                "and NIACT deliveries are acknowledged"
            )
        at = self.clock().isoformat()
        with self.store.transaction():
            for other in self.store.deliveries_of(d.cable_id, d.station):
                if other.acked_at is None and other.ack_required:
                    self.store.update_delivery(
                        replace(
                            other, acked_at=at, acked_by=reader.name, read_at=other.read_at or at
                        )
                    )
        return self.store.delivery(delivery_id)  # type: ignore[return-value]

    def act(
        self, delivery_id: int, action: str, reader: Principal, comment: str = ""
    ) -> ActionRecord:
        d = self._get(delivery_id, reader)
        self._at_station(d, reader, "record action on")
        if action not in ACTIONS:
            raise InboxError(f"unknown action {action!r} (use {', '.join(ACTIONS)})")
        if d.role != ACTION:
            raise InboxError(
                f"{d.station} is an info addressee of {d.cable_id}: only action addressees "
                "record action"
            )
        record = ActionRecord(
            d.id or 0, d.cable_id, d.station, action, reader.name,
            self.clock().isoformat(), comment,
        )  # fmt: skip
        self.store.add_action(record)
        return record

    # -- clocks --
    def overdue(self, reader: Principal, now: datetime | None = None) -> list[Delivery]:
        now = now or self.clock()
        found = [d for d in self.store.unacknowledged() if d.overdue(now)]
        return [d for d in found if self.visible(d, reader)]

    def escalate(self, now: datetime | None = None) -> list[Delivery]:
        """Alert the next person on each overdue station delivery's roster (see
        the module docstring); returns the alerts made."""
        now = utc(now or self.clock())
        alerts: list[Delivery] = []
        for d in self.store.unacknowledged():
            if d.kind != STATION or not d.overdue(now):
                continue
            period = OBJECTIVES[d.precedence]
            steps = int((now - utc(d.due_at)) / period) + 1
            if steps <= d.escalations:
                continue
            cable = self.cable(d)
            roster = self.store.roster(d.station)
            readers = [
                u for u in roster
                if cable is not None and (p := self.principal_of(u)) is not None
                and may_read(p, cable)
            ]  # fmt: skip
            holding = {
                o.holder
                for o in self.store.deliveries_of(d.cable_id, d.station)
                if o.kind == PERSON
            }
            new = []
            for user in readers[d.escalations : steps]:
                if user in holding:
                    continue  # alerted through the copy they hold (it shows as overdue)
                new.append(
                    replace(
                        d,
                        id=None,
                        kind=PERSON,
                        holder=user,
                        reason="escalation",
                        received_at=now.isoformat(),
                        escalations=0,
                    )
                )
            with self.store.transaction():
                alerts += self.store.add_deliveries(new)
                self.store.update_delivery(replace(d, escalations=steps))
        return alerts
