"""Network delivery benchmark: fan-out latency, replay throughput, federation throughput.

    .venv/bin/python benchmarks/network_delivery.py                 # all three, default sizes
    .venv/bin/python benchmarks/network_delivery.py --only fanout --store sqlite
    .venv/bin/python benchmarks/network_delivery.py --replay 100000
    .venv/bin/python benchmarks/network_delivery.py --federation 2000 --nats nats://127.0.0.1:4222

* **fan-out** — one cable to a collective of 100 stations (through a relay),
  released and delivered to every member (receipt, distribution, station
  deliveries committed): latency p50/p95 over ``--fanout-cables`` cables.
  Target p95 <= 200 ms.
* **replay** — ``--replay`` synthetic cables (a week of traffic between the
  shipped directory's stations) routed and relayed on the simulated clock:
  deliveries per second of wall time.  Target >= 2,000/s.
* **federation** — three installations (SQLite archives) exchanging
  ``--federation`` cables through NATS JetStream, every one through a relay at
  the third: cables and deliveries per second, end to end.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from cablegram.access.principal import Principal
from cablegram.model import Addressee, Cable, Paragraph, Precedence
from cablegram.model import Station as From
from cablegram.network import default_directory
from cablegram.network.archived_deliveries import ArchivedDeliveries
from cablegram.network.clock import SimulatedClock
from cablegram.network.delivery import STATION
from cablegram.network.directory import (
    Collective,
    Directory,
    Membership,
    RelayStation,
    RoutingAssignment,
    Station,
)
from cablegram.network.installation import Installation
from cablegram.network.memory_delivery import MemoryDeliveryStore
from cablegram.network.release import assemble
from cablegram.network.replay import percentile, replay, synthetic_traffic

WHEN = datetime(2010, 2, 1, 10, 0, tzinfo=UTC)


def _letters(n: int) -> str:
    a, b = divmod(n, 26)
    return chr(65 + a) + chr(65 + b)


def fanout_directory(members: int = 100) -> Directory:
    stations = [Station("AMEMBASSY ORIGIN", "ORIGIN", (RoutingAssignment("RUEHOR"),))]
    stations += [
        Station(f"AMEMBASSY POST{i}", f"POST{i}", (RoutingAssignment(f"RUEHX{_letters(i)}"),))
        for i in range(members)
    ]
    collective = Collective(
        "RUCNBIG", "BIG COLLECTIVE", tuple(Membership(s.routing[0].ri) for s in stations[1:])
    )
    return Directory.of(stations, [collective], (), (), [RelayStation("RUEH", "RELAY", ("RUEH",))])


def _store(kind: str, folder: Path, name: str):  # type: ignore[no-untyped-def]
    if kind == "memory":
        return MemoryDeliveryStore()
    from cablegram.archive.sqlite import SQLiteStore

    return ArchivedDeliveries(SQLiteStore(str(folder / f"{name}.sqlite")))


def bench_fanout(kind: str, cables: int, folder: Path) -> dict[str, float]:
    directory = fanout_directory()
    store = _store(kind, folder, "fanout")
    inst = Installation(directory, store, principal_of=lambda _u: None, clock=SimulatedClock(WHEN))
    latencies = []
    for n in range(1, cables + 1):
        draft = Cable(
            precedence=Precedence.IMMEDIATE,
            from_=From("AMEMBASSY ORIGIN"),
            to=(Addressee("BIG COLLECTIVE", precedence=Precedence.IMMEDIATE),),
            tags=("PREL",),
            subject=f"FANOUT {n}",
            paragraphs=(Paragraph(f"Text {n}.", 1, "U"),),
        )
        a = assemble(draft, directory, serial=n, when=WHEN, numbers={})
        start = time.perf_counter()
        inst.dispatch(a.cable, a.telegram)
        inst.drain()
        latencies.append((time.perf_counter() - start) * 1000)
        got = sum(1 for d in store.deliveries_of(a.id) if d.kind == STATION)
        assert got == 100, got
    latencies.sort()
    return {"p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95)}


def bench_replay(count: int) -> dict[str, float]:
    directory = default_directory()
    cables = synthetic_traffic(directory, count, WHEN)
    start = time.perf_counter()
    report = replay(cables, directory)
    seconds = time.perf_counter() - start
    return {
        "cables": report.cables,
        "deliveries": report.deliveries,
        "seconds": seconds,
        "deliveries_per_s": report.deliveries / seconds,
    }


def bench_federation(count: int, url: str, folder: Path) -> dict[str, float]:
    from cablegram.network.bridge import Bridge

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "network"))
    import synthetic  # the tests' three-installation directory

    prefix = "cgbench" + uuid.uuid4().hex[:8]
    people = {u: Principal(u, sbu=True) for u in ("bpol", "bamb", "bduty")}.get

    def installation(name, hosts, relays):  # type: ignore[no-untyped-def]
        store = _store("sqlite", folder, name)
        inst = Installation(synthetic.directory(), store, principal_of=people,
                            clock=SimulatedClock(WHEN), hosts=hosts, relays=relays)  # fmt: skip
        return inst, store, Bridge(inst, store, name=f"{prefix}-{name}", url=url, prefix=prefix)

    a = installation("a", ["RUEHAA", "RUEHDD"], [])
    b = installation("b", ["RUEHBB", "RUEKEE"], [])
    c = installation("c", ["RUEKCC"], ["RUEH", "RUEK"])
    targets = [synthetic.BRAVO, synthetic.CHARLIE, synthetic.ECHO]
    messages = [
        synthetic.cable(n, to=targets[n % 3], distribution=(), numbers={})
        for n in range(1, count + 1)
    ]
    expected = {synthetic.BRAVO: 0, synthetic.CHARLIE: 0, synthetic.ECHO: 0}
    for m in messages:
        expected[m.cable.to[0].name] += 1

    def done() -> bool:
        return (
            len(b[1].inbox(STATION, synthetic.BRAVO)) == expected[synthetic.BRAVO]
            and len(b[1].inbox(STATION, synthetic.ECHO)) == expected[synthetic.ECHO]
            and len(c[1].inbox(STATION, synthetic.CHARLIE)) == expected[synthetic.CHARLIE]
        )

    async def run() -> float:
        bridges = [a[2], b[2], c[2]]
        for br in bridges:
            await br.connect()
        start = time.perf_counter()
        for m in messages:
            a[0].dispatch(m.cable, m.telegram)
        while not done():
            for br in bridges:
                await br.step()
        seconds = time.perf_counter() - start
        await bridges[0].delete_stream()
        for br in bridges:
            await br.close()
        return seconds

    seconds = asyncio.run(run())
    return {"cables": count, "seconds": seconds, "cables_per_s": count / seconds}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--only", choices=["fanout", "replay", "federation"], default=None)
    ap.add_argument("--store", choices=["memory", "sqlite"], default="sqlite")
    ap.add_argument("--fanout-cables", type=int, default=50)
    ap.add_argument("--replay", type=int, default=100_000)
    ap.add_argument("--federation", type=int, default=1000)
    ap.add_argument("--nats", default="nats://127.0.0.1:4222")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.only in (None, "fanout"):
            r = bench_fanout(args.store, args.fanout_cables, folder)
            verdict = "ok" if r["p95_ms"] <= 200 else "MISSED"
            print(f"fan-out to 100 stations ({args.store}): p50 {r['p50_ms']:.1f} ms, "
                  f"p95 {r['p95_ms']:.1f} ms (target p95 <= 200 ms: {verdict})")  # fmt: skip
        if args.only in (None, "replay"):
            r = bench_replay(args.replay)
            verdict = "ok" if r["deliveries_per_s"] >= 2000 else "MISSED"
            print(f"replay of {r['cables']:,} cables: {r['deliveries']:,} deliveries in "
                  f"{r['seconds']:.1f} s = {r['deliveries_per_s']:,.0f} deliveries/s "
                  f"(target >= 2,000/s: {verdict})")  # fmt: skip
        if args.only in (None, "federation"):
            r = bench_federation(args.federation, args.nats, folder)
            print(f"federation, 3 installations via a relay: {r['cables']:,} cables in "
                  f"{r['seconds']:.1f} s = {r['cables_per_s']:,.0f} cables/s end to end")  # fmt: skip


if __name__ == "__main__":
    main()
