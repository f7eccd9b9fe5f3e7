"""Network benchmark: release throughput (cables/s) and release latency p50/p95,
on each archive backend given; then delivery (benchmarks/network_delivery.py:
fan-out latency to 100 stations, replay deliveries/s, federation throughput).

    .venv/bin/python benchmarks/network.py                       # SQLite, 400 releases
    .venv/bin/python benchmarks/network.py --processes 4         # 4 processes at once
    .venv/bin/python benchmarks/network.py --archive postgresql://postgres@127.0.0.1/bench
    .venv/bin/python benchmarks/network.py --archive a.sqlite --archive postgresql://...
    .venv/bin/python benchmarks/network.py --part delivery        # delivery only (needs NATS)

Each run makes an archive (a new SQLite file, or the given URL, which should
name an empty database or schema), sets up Embassy Almaty's people, drafts,
submits and clears ``--count`` copies of the first seed (untimed), then
releases them from ``--processes`` processes at once, each release timed on
its own: serial, per-addressee numbers, DTG, assembly, rendering, the cable
written to the archive with its release record and audit entries, one
transaction.  Throughput is releases over the wall time of the release phase.
The serials are checked: ``--count`` consecutive numbers.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cablegram.archive import Archive
from cablegram.archive.store import is_server_url
from cablegram.model import Classification
from cablegram.network import drafts, open_network
from cablegram.network.directory import (
    APPROVER,
    CLEARER,
    DRAFTER,
    Office,
    Person,
    ReleaseAuthority,
    RoutingAssignment,
    Station,
)
from cablegram.network.drafts import ClearanceRequest

REPO = Path(__file__).resolve().parents[1]
DRAFT = REPO / "docs" / "examples" / "network" / "06ALMATY1703.draft.json"
ALMATY = "AMEMBASSY ALMATY"
WHEN = datetime(2006, 5, 15, 2, 25, tzinfo=UTC)


def _clock() -> datetime:
    return WHEN


def setup(location: str, count: int) -> list[int]:
    """Almaty's people and ``count`` cleared drafts; their ids."""
    with Archive(location) as archive:
        for name in ("poloff", "polchief", "dcm", "ambassador"):
            archive.users.add(name, clearance="secret", sbu=True, stations=["RUEHTA"])
        net = open_network(archive, clock=_clock)
        almaty = replace(net.directory.station(ALMATY), country="KZ", bureau="SCA")
        authority = ReleaseAuthority(frozenset({"ALMATY"}), Classification.SECRET,
                                     frozenset({"SIPDIS", "NOFORN"}))  # fmt: skip
        astana = Station("USOFFICE ASTANA", "ASTANA", (RoutingAssignment("RUEHAST"),),
                         numbered=False)  # fmt: skip
        net.put(
            "owner", almaty, astana,
            *(Office(ALMATY, s, n) for s, n in (("POL", "Political"), ("DCM", "DCM"),
                                                ("EXEC", "Front office"))),
            Person("poloff", ALMATY, "POL", frozenset({DRAFTER})),
            Person("polchief", ALMATY, "POL", frozenset({CLEARER})),
            Person("dcm", ALMATY, "DCM", frozenset({CLEARER})),
            Person("ambassador", ALMATY, "EXEC", frozenset({APPROVER}), authority),
        )  # fmt: skip
        cable = drafts.from_json(DRAFT.read_text(), str(DRAFT))
        asked = [ClearanceRequest(ALMATY, "POL"), ClearanceRequest(ALMATY, "DCM")]
        ids = []
        for _ in range(count):
            d = net.create("poloff", cable, requested=asked)
            net.submit("poloff", d.id)
            net.clear("polchief", d.id)
            net.clear("dcm", d.id)
            ids.append(d.id)
        return ids


def release_share(location: str, ids: list[int], start: Any, out: Any) -> None:
    with Archive(location) as archive:
        net = open_network(archive, clock=_clock)
        net.directory  # noqa: B018 - loaded before the clock starts
        start.wait()
        samples, serials = [], []
        for draft in ids:
            t = time.perf_counter()
            serials.append(net.release("ambassador", draft).serial)
            samples.append((time.perf_counter() - t) * 1000)
    out.put((samples, serials))


def run(location: str, count: int, processes: int) -> dict[str, Any]:
    t = time.perf_counter()
    ids = setup(location, count)
    prepared = time.perf_counter() - t
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(processes + 1), ctx.Queue()
    workers = [ctx.Process(target=release_share, args=(location, ids[i::processes], start, out))
               for i in range(processes)]  # fmt: skip
    for w in workers:
        w.start()
    start.wait()
    t = time.perf_counter()
    results = [out.get(timeout=3600) for _ in workers]
    wall = time.perf_counter() - t
    for w in workers:
        w.join()
    samples = [s for got, _ in results for s in got]
    serials = sorted(s for _, got in results for s in got)
    assert serials == list(range(1, count + 1)), "serials are not consecutive"
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return {"backend": "postgresql" if is_server_url(location) else "sqlite",
            "releases": count, "processes": processes, "prepare_s": prepared,
            "throughput": count / wall, "p50": qs[49], "p95": qs[94]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", action="append", default=[],
                        help="An archive location (repeatable; default: a new SQLite file).")  # fmt: skip
    parser.add_argument("--count", type=int, default=400, help="Releases per archive.")
    parser.add_argument("--processes", type=int, default=1, help="Releasing processes at once.")
    parser.add_argument("--part", choices=["release", "delivery", "all"], default="all",
                        help="Release, delivery (network_delivery.py's defaults), or both.")  # fmt: skip
    args = parser.parse_args()
    if args.part in ("release", "all"):
        release(args)
    if args.part in ("delivery", "all"):
        import network_delivery  # beside this script

        print()
        network_delivery.main([])


def release(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        locations = args.archive or [os.path.join(tmp, "network.sqlite")]
        print(f"{'backend':<11} {'releases':>8} {'procs':>5} {'cables/s':>9} "
              f"{'p50 ms':>7} {'p95 ms':>7}   (drafts prepared in)")  # fmt: skip
        for location in locations:
            r = run(location, args.count, args.processes)
            print(f"{r['backend']:<11} {r['releases']:>8} {r['processes']:>5} "
                  f"{r['throughput']:>9.1f} {r['p50']:>7.1f} {r['p95']:>7.1f}"
                  f"   ({r['prepare_s']:.1f}s)")  # fmt: skip
            sys.stdout.flush()


if __name__ == "__main__":
    main()
