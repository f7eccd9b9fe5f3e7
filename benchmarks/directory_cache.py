"""The network directory an installation delivers with, per web request.

    .venv/bin/python benchmarks/directory_cache.py
    .venv/bin/python benchmarks/directory_cache.py --requests 200

An archive with the shipped directory stored (as ``cablegram directory ...``
keeps it): the time to build the directory from the archive's rows (what
every web request paid before the cache), and what a request pays now —
``node_of`` (the web's installation: the cached directory, found by the
archive's directory version token) — p50/p95 over ``--requests`` requests.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from cablegram.archive import Archive
from cablegram.network.archived import ArchiveNetworkStore, open_network
from cablegram.network.directory import Directory
from cablegram.web.inbox import node_of


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--requests", type=int, default=100)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder, Archive(str(Path(folder) / "d.sqlite")) as a:
        open_network(a).directory  # noqa: B018 - the shipped directory, stored
        rows = ArchiveNetworkStore(a.store)
        built = []
        for _ in range(max(5, args.requests // 10)):
            t = time.perf_counter()
            Directory.of(*rows.load_directory())
            built.append(time.perf_counter() - t)
        node_of(a)  # the first request builds it once
        served = []
        for _ in range(args.requests):
            t = time.perf_counter()
            node_of(a)
            served.append(time.perf_counter() - t)
        d = node_of(a).directory
        print(f"directory: {len(d.stations)} stations, {len(d.relays)} relays")
        print(f"built from the archive's rows:        {_ms(built)}")
        print(f"per request (node_of, cached):        {_ms(served)}")


if __name__ == "__main__":
    main()
