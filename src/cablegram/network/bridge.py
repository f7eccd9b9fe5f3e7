"""Installations exchanging released cables through NATS JetStream.

The wire format is the ACP-127 telegram text of each transmission (one section
for one addressee station), as ``cablegram.render`` wrote it and
``cablegram.parse`` reads it back; headers carry the envelope the text does
not (which addressee station of a collective, its role, precedence, NIACT and
number).  Subjects are by routing indicator:

* ``cablegram.ri.<RI>`` — traffic for the station ``RI`` (its installation
  consumes it);
* ``cablegram.relay.<RELAY>.<RI>`` — traffic for station ``RI`` handed to the
  relay ``RELAY`` (the installation running the relay consumes it, queues it
  in its store and forwards it in precedence order).

Delivery is **at least once on the wire, exactly once in effect**:

* sending is an outbox: :meth:`Bridge.outbound` only writes the transmission
  into the store's queue ``out:<hop>`` (durably, in the caller's process);
  the serving loop publishes it and removes it only after the broker's
  acknowledgement — a broker down or a process killed means it is published
  again later, never lost;
* a message is acknowledged to the broker only after what it causes is
  committed (a receipt and its deliveries; a relay's queue entry), so an
  installation killed in between gets it again;
* receipt is idempotent by (origin, cable, section, addressee) with no time
  window (the store's key), so whatever arrives twice is delivered once.
  (JetStream's own de-duplication by message id is kept as a first filter,
  but it only holds for its window.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cablegram.network.delivery import Transmission
from cablegram.network.delivery_store import DeliveryStore
from cablegram.network.installation import Installation, ServiceRequest
from cablegram.network.routing import Route

__all__ = [
    "DEFAULT_URL",
    "STREAM",
    "Bridge",
    "BridgeStats",
    "decode",
    "encode",
    "outbox",
    "relay_subject",
    "service_message",
    "service_request",
    "station_subject",
]

log = logging.getLogger(__name__)

DEFAULT_URL = "nats://127.0.0.1:4222"
STREAM = "CABLEGRAM"
_PREFIX = "cablegram"
OUT = "out:"
RELAY = "relay:"
_HEADER = "Cablegram-"
SERVICE_HEADER = _HEADER + "Service"
_OUTAGES_KEY = "outages"  # the key holding the federation's marks in the stream's bucket


def outbox(store: DeliveryStore) -> Callable[[str, Transmission], None]:
    """What an installation hands traffic for elsewhere to: the store's queue
    ``out:<hop>``, published by the serving loop (durable before any broker)."""

    def put(hop: str, t: Transmission) -> None:
        store.enqueue([t], OUT + hop)

    return put


def station_subject(ri: str, prefix: str = _PREFIX) -> str:
    return f"{prefix}.ri.{ri.upper()}"


def relay_subject(relay: str, ri: str, prefix: str = _PREFIX) -> str:
    return f"{prefix}.relay.{relay.upper()}.{ri.upper()}"


def encode(t: Transmission, subject: str) -> tuple[bytes, dict[str, str]]:
    """The message for ``t``: its telegram text, and the envelope as headers."""
    headers = {
        # The broker's de-duplication key: per subject, since a relay sends the
        # same transmission on under another one.
        "Nats-Msg-Id": f"{subject}|{t.message_id}" + (f"#{t.attempt}" if t.attempt else ""),
        f"{_HEADER}Origin": t.origin,
        f"{_HEADER}Cable": t.cable_id,
        f"{_HEADER}Section": f"{t.section}/{t.sections}",
        f"{_HEADER}Route": json.dumps(t.route.to_dict(), separators=(",", ":")),
        f"{_HEADER}Released": t.released_at,
    }
    if t.attempt:
        headers[f"{_HEADER}Attempt"] = str(t.attempt)
    return t.telegram.encode("utf-8"), headers


def decode(data: bytes, headers: dict[str, str] | None) -> Transmission:
    """The transmission a message carries (ValueError naming what is missing)."""
    h = headers or {}
    try:
        section, _, sections = h[f"{_HEADER}Section"].partition("/")
        return Transmission(
            h[f"{_HEADER}Origin"],
            h[f"{_HEADER}Cable"],
            int(section),
            int(sections),
            Route.from_dict(json.loads(h[f"{_HEADER}Route"])),
            data.decode("utf-8"),
            h.get(f"{_HEADER}Released", ""),
            int(h.get(f"{_HEADER}Attempt", "0")),
        )
    except (KeyError, ValueError) as err:
        raise ValueError(f"not a cablegram transmission: {err}") from None


def _durable(name: str, what: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"{name}-{what}")


def service_message(request: ServiceRequest) -> tuple[bytes, dict[str, str]]:
    """A service message asking the originator for a missing number: its text, and
    what it asks for as a header (the originator's installation answers it)."""
    asked = {"origin": request.origin, "addressee": request.addressee, "number": request.number}
    headers = {
        # Each request is its own message: asking again must not be taken for a duplicate.
        "Nats-Msg-Id": f"service|{request.origin}|{request.addressee}|{request.number}|"
        f"{time.time_ns()}",
        SERVICE_HEADER: json.dumps(asked, separators=(",", ":")),
    }
    return request.text().encode("utf-8"), headers


def service_request(headers: dict[str, str] | None) -> ServiceRequest | None:
    """The request a service message carries (None: not a service message)."""
    value = (headers or {}).get(SERVICE_HEADER)
    if value is None:
        return None
    try:
        d = json.loads(value)
        return ServiceRequest(str(d["origin"]), str(d["addressee"]), int(d["number"]))
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"not a service message: {value!r}") from None


@dataclass
class BridgeStats:
    published: int = 0
    received: int = 0
    relayed: int = 0
    duplicates: int = 0
    service_requests: int = 0  # service messages sent for missing numbers
    resent: int = 0  # transmissions sent again answering service messages
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "published": self.published,
            "received": self.received,
            "relayed": self.relayed,
            "duplicates": self.duplicates,
            "service_requests": self.service_requests,
            "resent": self.resent,
            "errors": self.errors[-10:],
        }


class Bridge:
    """One installation's link to the broker (see the module docstring)."""

    def __init__(
        self,
        installation: Installation,
        store: DeliveryStore,
        *,
        name: str,
        url: str = DEFAULT_URL,
        ack_wait: float = 10.0,
        batch: int = 200,
        prefix: str = _PREFIX,
        fetch_wait: float = 0.05,
        outages: Any = None,
        outages_every: float = 0.5,
        service_every: float = 2.0,
        service_grace: float = 5.0,
        service_retry: float = 30.0,
    ) -> None:
        self.installation = installation
        self.store = store
        self.name = name
        self.url = url
        self.ack_wait = ack_wait
        self.batch = batch
        self.fetch_wait = fetch_wait  # seconds a fetch waits for messages
        # Subjects begin with ``prefix`` and live in the stream of that name, upper-cased
        # (one network per prefix on a broker).
        self.prefix = prefix
        self.stream = STREAM if prefix == _PREFIX else prefix.upper().replace(".", "_")
        self.stats = BridgeStats()
        # Where the relays and links down are kept (a Node: its archive), read again
        # every ``outages_every`` seconds so that a mark made by any process is honoured.
        self.outages = outages
        self.outages_every = outages_every
        self._outages_read = float("-inf")
        self.outages_bucket = f"{self.stream}_OUTAGES"
        # Missing per-addressee numbers: looked for every ``service_every`` s; one
        # missing for ``service_grace`` s (traffic overtakes traffic: a FLASH passes
        # a ROUTINE) is asked for, and asked again every ``service_retry`` s.
        self.service_every = service_every
        self.service_grace = service_grace
        self.service_retry = service_retry
        self._gaps_read = float("-inf")
        self._missing: dict[tuple[str, str, int], float] = {}  # -> when first missed
        self._asked: dict[tuple[str, str, int], float] = {}  # -> when last asked for
        self._kv: Any = None
        self._nc: Any = None
        self._js: Any = None
        self._subs: list[tuple[str, Any]] = []
        installation.outbound = self.outbound

    # -- the outbox (synchronous, durable) --
    def outbound(self, hop: str, t: Transmission) -> None:
        outbox(self.store)(hop, t)

    def _subject(self, hop: str, t: Transmission) -> str:
        if hop == t.route.ri:
            return station_subject(hop, self.prefix)
        return relay_subject(hop, t.route.ri, self.prefix)

    # -- the broker --
    async def connect(self) -> None:
        import nats
        from nats.js.api import StorageType

        while True:
            try:
                self._nc = await nats.connect(
                    self.url,
                    name=self.name,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.25,
                    connect_timeout=2,
                )
                break
            except Exception as err:  # the broker not up yet: try again
                log.warning("%s: cannot reach %s (%s); retrying", self.name, self.url, err)
                await asyncio.sleep(0.5)
        self._js = self._nc.jetstream(timeout=5)
        try:
            await self._js.stream_info(self.stream)
        except Exception:
            await self._js.add_stream(
                name=self.stream, subjects=[f"{self.prefix}.>"], storage=StorageType.FILE
            )
        if self.outages is not None:
            from nats.js.api import KeyValueConfig

            try:
                self._kv = await self._js.key_value(self.outages_bucket)
            except Exception:
                self._kv = await self._js.create_key_value(
                    KeyValueConfig(bucket=self.outages_bucket, storage=StorageType.FILE)
                )
        await self._subscribe()

    async def _subscribe(self) -> None:
        from nats.js.api import AckPolicy, ConsumerConfig

        config = ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=self.ack_wait)
        self._subs = []
        inst = self.installation
        for ri in sorted(inst.hosts or ()):
            subject = station_subject(ri, self.prefix)
            sub = await self._js.pull_subscribe(
                subject, durable=_durable(self.name, ri), stream=self.stream, config=config
            )
            self._subs.append((subject, sub))
        # A relay's traffic waits in one consumer of its own (named by the relay, not
        # by who runs it): the relay's installation takes from it, and while the relay
        # is down, the installation running the alternate it hands its traffic to.
        for relay in sorted(self._relay_queues()):
            subject = f"{self.prefix}.relay.{relay}.>"
            sub = await self._js.pull_subscribe(
                subject, durable=_durable("relay", relay), stream=self.stream, config=config
            )
            self._subs.append((subject, sub))

    def _relay_queues(self) -> set[str]:
        """The relays whose broker queue this installation may take from: those it
        runs, and those naming one of them as an alternate."""
        inst = self.installation
        runs = set(inst.relays or ())
        return runs | {r.ri for r in inst.directory.relays.values() if runs & set(r.alternates)}

    def _takes_for(self, relay: str) -> bool:
        """Take ``relay``'s traffic from the broker now?  Its own installation does
        while it is up; while it is down, the installation running the first of
        its alternates that is up (with none up, it waits in the broker)."""
        inst = self.installation
        if relay not in inst.down:
            return inst.runs(relay)
        found = inst.directory.relays.get(relay)
        for alternate in found.alternates if found is not None else ():
            if alternate not in inst.down and alternate in inst.directory.relays:
                return inst.runs(alternate)
        return False

    async def close(self) -> None:
        # Closed, not drained: nothing is acknowledged that was not committed,
        # so whatever is in flight is simply sent again.
        if self._nc is not None:
            await self._nc.close()
            self._nc = None

    async def delete_stream(self) -> None:
        """Remove this network's stream from the broker (tests and benchmarks
        clean up after themselves on a shared server)."""
        await self._js.delete_stream(self.stream)
        if self.outages is not None:
            with contextlib.suppress(Exception):  # another bridge removed it first
                await self._js.delete_key_value(self.outages_bucket)

    # -- one round --
    async def publish_outbox(self) -> int:
        sent = 0
        inst = self.installation
        for queue in sorted(q for q in self.store.queues() if q.startswith(OUT)):
            hop = queue[len(OUT) :]
            for t in self.store.queued(queue):
                if hop in inst.down and hop != t.route.ri:  # a relay marked down since
                    await self._hand_on(queue, hop, t)
                    sent += 1
                    continue
                subject = self._subject(hop, t)
                data, headers = encode(t, subject)
                await self._js.publish(subject, data, headers=headers)
                self.store.dequeue(queue, [t.key])
                sent += 1
        self.stats.published += sent
        return sent

    async def take(self) -> int:
        """Fetch what is waiting for this installation; each message is acknowledged
        once what it causes is committed."""
        import nats.errors

        taken = 0
        for subject, sub in self._subs:
            relay_queue = subject.startswith(f"{self.prefix}.relay.")
            if relay_queue and not self._takes_for(subject[len(self.prefix) :].split(".")[2]):
                continue  # down: left in the broker for its alternate's installation
            try:
                messages = await sub.fetch(self.batch, timeout=self.fetch_wait)
            except (TimeoutError, nats.errors.TimeoutError):
                continue
            for msg in messages:
                try:
                    request = service_request(msg.headers)
                except ValueError as err:
                    self.stats.errors.append(f"{msg.subject}: {err}")
                    await msg.term()
                    continue
                if request is not None:  # an addressee asks this originator again
                    self.answer(request)
                    await msg.ack()
                    taken += 1
                    continue
                try:
                    t = decode(msg.data, msg.headers)
                except ValueError as err:
                    self.stats.errors.append(f"{msg.subject}: {err}")
                    await msg.term()  # never a cable: no point in redelivering it
                    continue
                if relay_queue:
                    relay = subject[len(self.prefix) :].split(".")[2]
                    self.store.enqueue([t], RELAY + relay)
                else:
                    made = self.installation.receive(t)
                    self.stats.received += 1
                    if not made and t.section == t.sections:
                        self.stats.duplicates += 1
                await msg.ack()
                taken += 1
        return taken

    async def _hand_on(self, queue: str, relay: str, t: Transmission) -> int:
        """Move ``t``, queued for ``relay`` (down), to the relay that takes its
        traffic now — the first alternate that is up: into this installation's
        queue for it when it runs here, else to the broker.  With none up it
        stays (0)."""
        inst = self.installation
        hop = inst.next_hop(t.route.ri)
        if hop == relay:
            return 0
        from cablegram.network.installation import DIRECT

        if hop == DIRECT and inst.hosted(t.route.ri):
            with self.store.transaction():
                inst.receive(t)
                self.store.dequeue(queue, [t.key])
            return 1
        if hop != DIRECT and inst.runs(hop):
            with self.store.transaction():
                self.store.enqueue([t], RELAY + hop)
                self.store.dequeue(queue, [t.key])
            return 1
        subject = (
            station_subject(t.route.ri, self.prefix)
            if hop == DIRECT
            else relay_subject(hop, t.route.ri, self.prefix)
        )
        data, headers = encode(t, subject)
        await self._js.publish(subject, data, headers=headers)
        self.store.dequeue(queue, [t.key])
        return 1

    # -- service messages: missing per-addressee numbers --
    def answer(self, request: ServiceRequest) -> list[Transmission]:
        """The originator's side: send again what its log holds for the number,
        committed (to the outbox, a relay queue here, or delivered) before the
        request is acknowledged to the broker."""
        inst = self.installation
        with self.store.transaction():
            again = inst.resend(request)
            inst.pump()
            for hop, t in inst.take_waiting():
                self.store.enqueue([t], RELAY + hop)
        self.stats.resent += len(again)
        return again

    async def request(self, request: ServiceRequest) -> None:
        """The addressee's side: an IMMEDIATE service message to the originator's
        station (its installation takes what is addressed to its stations)."""
        on = self.installation.clock().date()
        station = self.installation.directory.station_of_origin(request.origin, on)
        ri = station.routing_indicator(on) if station is not None else None
        if ri is None:
            self.stats.errors.append(f"{request.text()}: {request.origin} has no station")
            return
        data, headers = service_message(request)
        await self._js.publish(station_subject(ri, self.prefix), data, headers=headers)
        self.stats.service_requests += 1

    async def request_missing(self, force: bool = False) -> int:
        """Ask for each number missing long enough (see ``service_grace``); returns
        how many service messages were sent."""
        now = asyncio.get_running_loop().time()
        if not force and now - self._gaps_read < self.service_every:
            return 0
        self._gaps_read = now
        inst = self.installation
        missing = {
            (origin, addressee, n)
            for origin, addressee in self.store.number_pairs()
            for n in inst.gaps(origin, addressee)
        }
        for key in set(self._missing) - missing:  # arrived meanwhile
            self._missing.pop(key, None)
            self._asked.pop(key, None)
        sent = 0
        for key in sorted(missing):
            first = self._missing.setdefault(key, now)
            asked = self._asked.get(key)
            if now - first < self.service_grace or (
                asked is not None and now - asked < self.service_retry
            ):
                continue
            await self.request(ServiceRequest(*key))
            self._asked[key] = now
            sent += 1
        return sent

    async def forward(self) -> int:
        """Forward each relay's queue in precedence order (highest first)."""
        moved = 0
        inst = self.installation
        for queue in sorted(q for q in self.store.queues() if q.startswith(RELAY)):
            relay = queue[len(RELAY) :]
            if relay in inst.down:  # to the alternate, or it waits
                for t in self.store.queued(queue)[: self.batch]:
                    moved += await self._hand_on(queue, relay, t)
                continue
            for t in self.store.queued(queue)[: self.batch]:
                if (relay, t.route.ri) in inst.links_down:
                    continue
                if inst.hosted(t.route.ri):
                    inst.receive(t)
                else:
                    subject = station_subject(t.route.ri, self.prefix)
                    data, headers = encode(t, subject)
                    await self._js.publish(subject, data, headers=headers)
                self.store.dequeue(queue, [t.key])
                inst.forwarded[relay] = inst.forwarded.get(relay, 0) + 1
                moved += 1
        self.stats.relayed += moved
        return moved

    async def refresh_outages(self, force: bool = False) -> None:
        """Read the relays and links down again (at most every ``outages_every`` s)."""
        if self.outages is None:
            return
        now = asyncio.get_running_loop().time()
        if not force and now - self._outages_read < self.outages_every:
            return
        self._outages_read = now
        local = self.outages.refresh_outages()
        if self._kv is None:
            return
        await self._share_outages(local)

    async def _share_outages(self, local: Any) -> None:
        """Merge this installation's marks with the federation's (the broker's
        key-value bucket): each relay's and link's latest mark wins, whichever
        installation it was made at; the merge is written back to both."""
        import nats.js.errors

        from cablegram.network.outages import Outages

        try:
            entry = await self._kv.get(_OUTAGES_KEY)
            remote, revision = Outages.from_dict(json.loads(entry.value or b"{}")), entry.revision
        except nats.js.errors.KeyNotFoundError:
            remote, revision = Outages(), None
        merged = remote.merge(local) if revision is not None else local
        if merged.to_dict() != remote.to_dict() or revision is None:
            data = json.dumps(merged.to_dict(), sort_keys=True).encode()
            try:
                if revision is None:
                    await self._kv.create(_OUTAGES_KEY, data)
                else:
                    await self._kv.update(_OUTAGES_KEY, data, last=revision)
            except nats.js.errors.KeyWrongLastSequenceError:
                self._outages_read = float("-inf")  # another installation wrote first
                return
        if merged.to_dict() != local.to_dict():
            self.outages.adopt_outages(merged)

    async def step(self) -> int:
        """One round: publish the outbox, forward relay queues, take from the broker.
        Errors from a broker that is away are counted and the round ends early."""
        try:
            inst = self.installation
            await self.refresh_outages()
            if inst.depths():  # traffic the installation routes itself (embedded relays)
                inst.pump()
                for hop, t in inst.take_waiting():  # waiting for a relay or link: durably
                    self.store.enqueue([t], RELAY + hop)
            moved = await self.publish_outbox() + await self.forward() + await self.take()
            await self.request_missing()
            return moved
        except Exception as err:  # the broker restarting: keep everything, try again
            self.stats.errors.append(f"{type(err).__name__}: {err}")
            log.warning("%s: %s", self.name, err)
            await asyncio.sleep(0.25)
            return 0

    async def run(
        self,
        stop: asyncio.Event | None = None,
        idle_rounds: int | None = None,
        every: tuple[float, Callable[[], object]] | None = None,
    ) -> None:
        """Serve until ``stop`` is set (or after ``idle_rounds`` rounds in a row with
        nothing to do); ``every``: (seconds, call) — a call made that often between
        rounds (the delivery clocks' escalation)."""
        await self.connect()
        idle = 0
        loop = asyncio.get_running_loop()
        next_call = loop.time()
        try:
            while stop is None or not stop.is_set():
                if every is not None and loop.time() >= next_call:
                    every[1]()
                    next_call = loop.time() + every[0]
                moved = await self.step()
                idle = 0 if moved else idle + 1
                if idle_rounds is not None and idle >= idle_rounds:
                    break
                if not moved:
                    await asyncio.sleep(0.05)
        finally:
            await self.close()

    def status(self) -> dict[str, Any]:
        inst = self.installation
        return {
            "name": self.name,
            "url": self.url,
            "hosts": sorted(inst.hosts or ()),
            "relays": sorted(inst.relays or ()),
            "queues": self.store.queues(),
            "deliveries": self.store.count(),
            "forwarded": dict(inst.forwarded),
            **self.stats.to_dict(),
        }
