"""One installation's relay and delivery: store and forward, receipt, gaps.

An :class:`Installation` hosts some stations (all of them in the embedded
default: one installation, no broker) and runs some relays.  A released
cable enters it through :meth:`Installation.dispatch` (the hook the release
workflow calls after the release commits): it is cut into its transmissions —
one per section per addressee station (:func:`~cablegram.network.routing.expand`)
— and each is queued at its next hop: the relay serving the longest prefix of
the addressee's routing indicator (an alternate while that one is down), or the
addressee itself when no relay serves it.

:meth:`Installation.pump` forwards queued traffic in precedence order — a FLASH
queued behind a thousand ROUTINE goes first — ``limit`` transmissions per relay
per call (a relay's capacity in a step of the clock).  Traffic for a relay or a
link that is down waits in its queue, or moves to the relay's alternate; none
is dropped.  A transmission for a station hosted here is received here
(:meth:`receive`); one for a station elsewhere goes to :attr:`outbound` (the
broker bridge, network/bridge.py).

Receipt is idempotent by (origin, cable, section, addressee) for ever; a cable
is delivered (network/delivery.py) when all its sections are in, in the same
transaction as the last receipt.  Per-addressee numbers are checked: a number
missing below one seen is a **gap**; :meth:`service_requests` lists the gaps
older than a grace period, and :meth:`resend` re-sends the transmission the
originator's log holds for it.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from cablegram.access.principal import Principal
from cablegram.format import parse
from cablegram.model import Cable
from cablegram.network.clock import utc
from cablegram.network.delivery import Delivery, Transmission, distribute
from cablegram.network.delivery_store import DeliveryStore
from cablegram.network.directory import Directory
from cablegram.network.routing import expand, relay_for

__all__ = ["DIRECT", "Installation", "ServiceRequest", "split_sections"]

# The queue of traffic that no relay serves: sent straight to its addressee.
DIRECT = "DIRECT"
_END = "NNNN"


def split_sections(telegram: str) -> list[str]:
    """The transmissions of a released telegram, one per section (each ends NNNN)."""
    parts, current = [], []
    for line in telegram.splitlines(keepends=True):
        current.append(line)
        if line.strip() == _END:
            parts.append("".join(current))
            current = []
    if "".join(current).strip():
        parts.append("".join(current))
    return parts


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    """A receiving station's request for a missing number (an IMMEDIATE service message)."""

    origin: str
    addressee: str
    number: int

    def text(self) -> str:
        return (
            f"ZFF {self.addressee}: NUMBER {self.number} FROM {self.origin} NOT RECEIVED. PSE RPT."
        )


def _now() -> datetime:
    return datetime.now(UTC)


class Installation:
    """See the module docstring."""

    def __init__(
        self,
        directory: Directory,
        store: DeliveryStore,
        *,
        principal_of: Callable[[str], Principal | None],
        clock: Callable[[], datetime] = _now,
        hosts: Collection[str] | None = None,
        relays: Collection[str] | None = None,
        outbound: Callable[[str, Transmission], None] | None = None,
    ) -> None:
        self.directory = directory
        self.store = store
        self.principal_of = principal_of
        self.clock = clock
        self.hosts = None if hosts is None else {h.upper() for h in hosts}  # RIs; None: all
        self.relays = None if relays is None else {r.upper() for r in relays}  # run here
        self.outbound = outbound
        self.down: set[str] = set()  # relays down
        self.links_down: set[tuple[str, str]] = set()  # (relay, station RI)
        self._queues: dict[str, list[tuple[int, int, Transmission]]] = {}
        self._queued: set[tuple[str, tuple[str, str, int, str]]] = set()
        self._seq = itertools.count()
        self._cables: OrderedDict[str, Cable] = OrderedDict()  # parsed, most recent last
        self.listeners: list[Callable[[list[Delivery]], None]] = []
        self.forwarded: dict[str, int] = {}  # relay -> transmissions forwarded (load)

    # -- where traffic goes --
    def hosted(self, ri: str) -> bool:
        return self.hosts is None or ri.upper() in self.hosts

    def next_hop(self, ri: str) -> str:
        relay = relay_for(ri, self.directory.relays.values(), self.down)
        return relay.ri if relay is not None else DIRECT

    def runs(self, relay: str) -> bool:
        return relay == DIRECT or self.relays is None or relay in self.relays

    # -- sending --
    def transmissions(self, cable: Cable, telegram: str) -> list[Transmission]:
        sections = split_sections(telegram)
        released = cable.created or self.clock().isoformat()
        return [
            Transmission(
                cable.origin or "", cable.id or "", n, len(sections), route, text, released
            )
            for route in expand(cable, self.directory)
            for n, text in enumerate(sections, 1)
        ]

    def dispatch(self, cable: Cable, telegram: str) -> list[Transmission]:
        """Send a released cable to all its addressees (the release hook)."""
        sent = self.transmissions(cable, telegram)
        self._cables[cable.id or ""] = cable
        with self.store.transaction():  # the log and the outbox: all of it or none
            for t in sent:
                if t.route.number is not None:
                    self.store.record_sent(t, t.route.number)
            self.send(sent)
        return sent

    def send(self, transmissions: Iterable[Transmission]) -> None:
        """Queue each at its next hop; a relay run elsewhere gets it through ``outbound``."""
        for t in transmissions:
            hop = self.next_hop(t.route.ri)
            if hop == DIRECT and not self.hosted(t.route.ri):
                hop = t.route.ri  # no relay serves it: straight to its installation
            elif self.runs(hop):
                self.queue(hop, t)
                continue
            if self.outbound is None:
                raise RuntimeError(f"{hop} is not served here and there is no broker")
            self.outbound(hop, t)

    def queue(self, hop: str, t: Transmission) -> None:
        if (hop, t.key) in self._queued:
            return
        self._queued.add((hop, t.key))
        heapq.heappush(self._queues.setdefault(hop, []), (-t.precedence.rank, next(self._seq), t))

    def depths(self) -> dict[str, int]:
        return {hop: len(q) for hop, q in self._queues.items() if q}

    def take_waiting(self) -> list[tuple[str, Transmission]]:
        """Remove and return (hop, transmission) of everything still queued here —
        traffic waiting for a relay or link that is down — in forwarding order,
        for a caller that keeps it durably (network/node.py, network/bridge.py)."""
        out = []
        for hop, queue in self._queues.items():
            while queue:
                t = heapq.heappop(queue)[2]
                self._queued.discard((hop, t.key))
                out.append((hop, t))
        return out

    def apply_outages(
        self, relays_down: Iterable[str], links_down: Iterable[tuple[str, str]]
    ) -> None:
        """Relays and links (relay, station RI) down from now on; the rest up."""
        self.down = {r.upper() for r in relays_down}
        self.links_down = {(r.upper(), ri.upper()) for r, ri in links_down}

    # -- forwarding --
    def pump(self, limit: int | None = None) -> int:
        """Forward queued traffic in precedence order, at most ``limit`` per relay
        (None: all); returns how many transmissions moved (forwarded, or handed
        from a relay that is down to its alternate)."""
        moved = 0
        for hop in list(self._queues):
            moved += self._forward(hop, limit)
        return moved

    def drain(self) -> int:
        total = 0
        while n := self.pump():
            total += n
        return total

    def _forward(self, hop: str, limit: int | None) -> int:
        queue = self._queues[hop]
        if hop in self.down:
            # Down: its traffic moves to an alternate that is up, or waits here.
            relay = self.next_hop(queue[0][2].route.ri) if queue else hop
            if relay == hop:
                return 0
            rerouted = 0
            while queue:
                _, _, t = heapq.heappop(queue)
                self._queued.discard((hop, t.key))
                self.send([t])
                rerouted += 1
            return rerouted
        moved, waiting = 0, []
        while queue and (limit is None or moved < limit):
            item = heapq.heappop(queue)
            t = item[2]
            if (hop, t.route.ri) in self.links_down:
                waiting.append(item)
                continue
            self._queued.discard((hop, t.key))
            self.forwarded[hop] = self.forwarded.get(hop, 0) + 1
            moved += 1
            if self.hosted(t.route.ri):
                self.receive(t)
            elif self.outbound is not None:
                self.outbound(t.route.ri, t)
            else:
                raise RuntimeError(f"{t.route.name} is not hosted here and there is no broker")
        for item in waiting:
            heapq.heappush(queue, item)
        return moved

    # -- receiving --
    def _cable(self, t: Transmission) -> Cable | None:
        cable = self._cables.get(t.cable_id)
        if cable is not None:
            self._cables.move_to_end(t.cable_id)
            return cable
        sections = self.store.sections(t.cable_id, t.route.name)
        if len(sections) < t.sections:
            return None
        parts = [parse(sections[n]) for n in sorted(sections)]
        cable = replace(parts[0], paragraphs=tuple(p for c in parts for p in c.paragraphs))
        self._cables[t.cable_id] = cable
        while len(self._cables) > 256:
            self._cables.popitem(last=False)
        return cable

    def receive(self, t: Transmission) -> list[Delivery]:
        """Receive a transmission at its (hosted) addressee; deliver the cable when
        its last section is in.  A key received before is ignored: []."""
        now = self.clock()
        with self.store.transaction():
            if not self.store.receive(t, now.isoformat()):
                return []
            if t.route.number is not None:
                self.store.see_number(t.origin, t.route.name, t.route.number, now.isoformat())
            if len(self.store.sections(t.cable_id, t.route.name)) < t.sections:
                return []
            cable = self._cable(t)
            if cable is None:
                return []
            made = distribute(
                cable,
                t.route,
                self.directory,
                received_at=now,
                released_at=t.released_at,
                subscriptions=self.store.subscriptions(t.route.name),
                principal_of=self.principal_of,
            )
            stored = self.store.add_deliveries(made)
        for listen in self.listeners:
            listen(stored)
        return stored

    # -- gaps and service messages --
    def gaps(self, origin: str, addressee: str) -> list[int]:
        """Numbers from ``origin`` to ``addressee`` missing below the highest seen."""
        seen = self.store.numbers_seen(origin, addressee)
        if not seen:
            return []
        return [n for n in range(min(seen), max(seen)) if n not in seen]

    def service_requests(self, pairs: Iterable[tuple[str, str]]) -> list[ServiceRequest]:
        return [ServiceRequest(o, a, n) for o, a in pairs for n in self.gaps(o, a)]

    def resend(self, request: ServiceRequest) -> list[Transmission]:
        """The originator's answer to a service message: the same transmissions
        again (each with a new ``attempt``, so no broker takes it for a duplicate)."""
        attempt = time.time_ns() // 1_000_000
        again = [
            replace(t, attempt=attempt)
            for t in self.store.sent(request.origin, request.addressee, request.number)
        ]
        self.send(again)
        return again


def objective_met(d: Delivery) -> bool:
    """Was ``d`` received within its precedence's objective after release?"""
    from cablegram.network.clock import OBJECTIVES

    if not d.released_at:
        return True
    return utc(d.received_at) - utc(d.released_at) <= OBJECTIVES.get(d.precedence, timedelta.max)
