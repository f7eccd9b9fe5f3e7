"""Replay: real (or synthetic) traffic sent through the network on a simulated clock.

:func:`replay` takes released cables — their originators, TO and INFO
addressees, per-addressee precedence and date-time groups — and sends each at
its DTG: routed as a release routes it (:func:`~cablegram.network.routing.
expand`, relays by longest routing-indicator prefix), queued at its relay, and
forwarded in precedence order, one transmission per ``service`` of the relay
(a FLASH overtakes queued ROUTINE).  Time is simulated: a week of traffic
replays in seconds.

Injects for training (:class:`Inject`):

* ``relay-down`` — a relay stops for a period: traffic for it takes its
  alternate where the directory names one, else waits in its queue;
* ``minimize`` — only IMMEDIATE and FLASH are accepted for a period; lower
  precedences released then are refused (counted);
* ``flash-flood`` — ``count`` FLASH cables released at one moment to
  addressees drawn from the traffic.

The :class:`Report` gives delivery times per precedence (p50, p95, max,
seconds), objectives missed (delivered after the precedence's objective,
ROUTINE released after hours counting from the next business day at the
addressee), queue depths over time, and each relay's load; as JSON
(:meth:`Report.to_dict`) and a plot (:func:`plot`, PNG).
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cablegram.format.render import created_datetime
from cablegram.model import Addressee, Cable, Precedence
from cablegram.model import Station as From
from cablegram.network.clock import OBJECTIVES, due
from cablegram.network.directory import Directory
from cablegram.network.routing import Route, RoutingError, expand, relay_for

__all__ = [
    "Inject",
    "Report",
    "parse_inject",
    "percentile",
    "plot",
    "replay",
    "synthetic_traffic",
]

DIRECT = "DIRECT"
PRECEDENCES = (Precedence.FLASH, Precedence.IMMEDIATE, Precedence.PRIORITY, Precedence.ROUTINE)


@dataclass(frozen=True, slots=True)
class Inject:
    kind: str  # relay-down, minimize, flash-flood
    start: datetime
    end: datetime | None = None
    relay: str | None = None
    count: int = 0

    def active(self, at: datetime) -> bool:
        return self.start <= at < (self.end or self.start)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "relay": self.relay,
            "count": self.count,
        }


def _time(text: str) -> datetime:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def parse_inject(text: str) -> Inject:
    """``relay-down:RUEH@2010-02-01T10:00..2010-02-01T14:00``,
    ``minimize@FROM..TO``, ``flash-flood:200@2010-02-01T12:00``."""
    head, at, span = text.partition("@")
    kind, _, arg = head.partition(":")
    if not at:
        raise ValueError(f"{text!r}: an inject says when: KIND[:ARG]@FROM..TO")
    start, _, end = span.partition("..")
    try:
        if kind == "relay-down" and arg and end:
            return Inject(kind, _time(start), _time(end), relay=arg.upper())
        if kind == "minimize" and end:
            return Inject(kind, _time(start), _time(end))
        if kind == "flash-flood" and arg.isdigit():
            return Inject(kind, _time(start), count=int(arg))
    except ValueError:
        raise ValueError(f"{text!r}: times are ISO 8601 (2010-02-01T10:00)") from None
    raise ValueError(
        f"{text!r}: use relay-down:RI@FROM..TO, minimize@FROM..TO or flash-flood:N@TIME"
    )


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of sorted ``values``."""
    if not values:
        return 0.0
    k = max(0, min(len(values) - 1, math.ceil(p / 100 * len(values)) - 1))
    return values[k]


@dataclass
class Report:
    cables: int = 0
    deliveries: int = 0
    refused: int = 0  # by MINIMIZE
    unroutable: int = 0  # addressees with no routing indicator on the date
    without_addressees: int = 0  # cables whose copy names none (extracts)
    start: str = ""
    end: str = ""
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    missed: Counter[str] = field(default_factory=Counter)
    relay_load: Counter[str] = field(default_factory=Counter)
    depths: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    injects: list[Inject] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        per = {}
        for p in PRECEDENCES:
            values = sorted(self.times.get(p.value, []))
            per[p.value] = {
                "deliveries": len(values),
                "p50_seconds": round(percentile(values, 50), 1),
                "p95_seconds": round(percentile(values, 95), 1),
                "max_seconds": round(values[-1], 1) if values else 0.0,
                "objective_seconds": OBJECTIVES[p].total_seconds(),
                "objectives_missed": self.missed.get(p.value, 0),
            }
        return {
            "cables": self.cables,
            "deliveries": self.deliveries,
            "refused_by_minimize": self.refused,
            "unroutable_addressees": self.unroutable,
            "cables_without_addressees": self.without_addressees,
            "start": self.start,
            "end": self.end,
            "precedence": per,
            "relay_load": dict(self.relay_load.most_common()),
            "queue_depths": [{"at": at, **d} for at, d in self.depths],
            "injects": [i.to_dict() for i in self.injects],
        }


class _Relay:
    __slots__ = ("busy", "queue", "ri")

    def __init__(self, ri: str) -> None:
        self.ri = ri
        self.queue: list[tuple[int, int, Any]] = []
        self.busy = False


def replay(
    cables: Iterable[Cable],
    directory: Directory,
    *,
    service: timedelta = timedelta(seconds=2),
    injects: Iterable[Inject] = (),
    sample: timedelta = timedelta(minutes=30),
    seed: int = 0,
) -> Report:
    """Send ``cables`` (in any order: each at its DTG) through the network on the
    simulated clock (see the module docstring)."""
    injects = sorted(injects, key=lambda i: i.start)
    report = Report(injects=list(injects))
    relays_by_ri = directory.relays
    relays: dict[str, _Relay] = {}
    events: list[tuple[datetime, int, str, Any]] = []
    seq = itertools.count()
    routes_cache: dict[tuple[Any, ...], list[Route]] = {}
    hop_cache: dict[tuple[str, frozenset[str]], str] = {}
    zones = {s.plad: s.time_zone for s in directory.stations.values()}
    addressees: list[tuple[str, str]] = []  # (name, RI) seen, for floods

    def down_at(at: datetime) -> frozenset[str]:
        return frozenset(
            i.relay for i in injects if i.kind == "relay-down" and i.active(at) and i.relay
        )

    def hop(ri: str, down: frozenset[str]) -> str:
        key = (ri, down)
        if key not in hop_cache:
            r = relay_for(ri, relays_by_ri.values(), down)
            hop_cache[key] = r.ri if r is not None else DIRECT
        return hop_cache[key]

    for cable in cables:
        when = created_datetime(cable)
        if when is None:
            continue
        heapq.heappush(events, (when.replace(tzinfo=UTC), next(seq), "release", cable))
    for i in injects:
        if i.kind == "flash-flood":
            heapq.heappush(events, (i.start, next(seq), "flood", i))
        if i.kind == "relay-down" and i.end is not None:
            heapq.heappush(events, (i.end, next(seq), "up", i.relay))
    if not events:
        return report
    rng = random.Random(seed)
    first = events[0][0]
    report.start = first.isoformat()
    next_sample = first
    now = first

    def deliver(route: Route, released: datetime, at: datetime) -> None:
        seconds = (at - released).total_seconds()
        report.times[route.precedence.value].append(seconds)
        report.deliveries += 1
        if at > due(route.precedence, released, zones.get(route.name, "UTC")):
            report.missed[route.precedence.value] += 1

    def start_service(relay: _Relay, at: datetime) -> None:
        if relay.queue and not relay.busy and relay.ri not in down_at(at):
            relay.busy = True
            heapq.heappush(events, (at + service, next(seq), "served", relay))

    def release(cable: Cable, at: datetime) -> None:
        report.cables += 1
        key = (cable.from_.name if cable.from_ else "", cable.to, cable.info, cable.xmt,
               cable.distribution, at.date())  # fmt: skip
        routes = routes_cache.get(key)
        if routes is None:
            routes = []
            parts = _addressee_parts(cable)
            if not parts:
                report.without_addressees += 1
            for part in parts:
                try:
                    routes += expand(part, directory, at.date())
                except RoutingError:
                    report.unroutable += 1
            routes_cache[key] = routes
        minimize = any(i.kind == "minimize" and i.active(at) for i in injects)
        down = down_at(at)
        for route in routes:
            if minimize and route.precedence < Precedence.IMMEDIATE:
                report.refused += 1
                continue
            if len(addressees) < 5000:
                addressees.append((route.name, route.ri))
            h = hop(route.ri, down)
            if h == DIRECT:
                deliver(route, at, at)
                continue
            relay = relays.setdefault(h, _Relay(h))
            heapq.heappush(relay.queue, (-route.precedence.rank, next(seq), (route, at)))
            start_service(relay, at)

    while events:
        now, _, kind, item = heapq.heappop(events)
        while now >= next_sample:
            report.depths.append(
                (next_sample.isoformat(), {r.ri: len(r.queue) for r in relays.values() if r.queue})
            )
            next_sample += sample
        if kind == "release":
            release(item, now)
        elif kind == "served":
            relay = item
            relay.busy = False
            if relay.ri in down_at(now):
                continue  # down: the queue waits (an "up" event restarts it)
            if relay.queue:
                _, _, (route, released) = heapq.heappop(relay.queue)
                report.relay_load[relay.ri] += 1
                deliver(route, released, now)
            start_service(relay, now)
        elif kind == "up":
            if item in relays:
                start_service(relays[item], now)
        elif kind == "flood":
            for n in range(item.count):
                if not addressees:
                    break
                name, _ri = rng.choice(addressees)
                flood = Cable(
                    id=f"FLOOD{n}", created=now.strftime("%Y-%m-%dT%H:%M:00Z"),
                    precedence=Precedence.FLASH, from_=None,
                    to=(Addressee(name, precedence=Precedence.FLASH),),
                )  # fmt: skip
                release(flood, now)
    report.end = now.isoformat()
    report.depths.append(
        (now.isoformat(), {r.ri: len(r.queue) for r in relays.values() if r.queue})
    )
    return report


def _addressee_parts(cable: Cable) -> list[Cable]:
    """The cable once per addressee line, so that one unknown addressee (a real
    cable's directory is partial) loses only itself."""
    parts = [replace(cable, to=(a,), info=()) for a in cable.to]
    parts += [replace(cable, to=(), info=(a,)) for a in cable.info]
    return parts


def synthetic_traffic(
    directory: Directory, count: int, start: datetime, *, span: timedelta = timedelta(days=7),
    seed: int = 0,
) -> list[Cable]:  # fmt: skip
    """``count`` cables between stations of ``directory`` that relays serve, spread
    over ``span`` from ``start``; precedences as real traffic mixes them (mostly
    ROUTINE, some PRIORITY, few IMMEDIATE, fewer FLASH); one action and 0-3 info
    addressees each."""
    rng = random.Random(seed)
    on = start.date()
    served = sorted(
        s.plad for s in directory.stations.values()
        if (ri := s.routing_indicator(on)) and any(r.serves(ri) for r in directory.relays.values())
    )  # fmt: skip
    weights = [(Precedence.ROUTINE, 70), (Precedence.PRIORITY, 20), (Precedence.IMMEDIATE, 8),
               (Precedence.FLASH, 2)]  # fmt: skip
    precs = [p for p, w in weights for _ in range(w)]
    seconds = int(span.total_seconds())
    out = []
    for n in range(count):
        origin, *others = rng.sample(served, 5)
        when = start + timedelta(seconds=rng.randrange(seconds))
        prec = rng.choice(precs)
        out.append(
            Cable(
                id=f"SYN{n}",
                created=when.strftime("%Y-%m-%dT%H:%M:00Z"),
                precedence=prec,
                from_=From(origin),
                to=(Addressee(others[0], precedence=prec),),
                info=tuple(
                    Addressee(o, precedence=Precedence.ROUTINE)
                    for o in others[1 : 1 + rng.randrange(4)]
                ),
            )
        )
    return out


def plot(report: Report | dict[str, Any], out: Any) -> None:
    """Queue depths over time (the busiest relays, stacked) as a PNG written to
    ``out`` (a path or a binary file); ``report`` or its JSON form."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    data = report.to_dict() if isinstance(report, Report) else report
    samples = data["queue_depths"]
    # Times as Matplotlib's date numbers, on an axis of dates.
    times = mdates.date2num([datetime.fromisoformat(d["at"]) for d in samples])
    load = data["relay_load"]
    relays = sorted({k for d in samples for k in d if k != "at"}, key=lambda r: -load.get(r, 0))
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.xaxis_date()
    if relays:
        top = relays[:8]
        ax.stackplot(times, [[d.get(r, 0) for d in samples] for r in top], labels=top)
        ax.legend(loc="upper left", fontsize="small")
    for i in data["injects"]:
        start = datetime.fromisoformat(i["start"])
        end = datetime.fromisoformat(i["end"]) if i["end"] else start + timedelta(minutes=5)
        ax.axvspan(mdates.date2num(start), mdates.date2num(end), alpha=0.15, color="red")
    ax.set_title("Relay queue depths (transmissions waiting); injects shaded")
    ax.set_ylabel("queued")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(out, format="png")
    plt.close(fig)
