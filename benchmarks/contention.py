"""Readers during an ingest: latency and errors of audited reads and searches
while another process writes batches into the same archive.

    .venv/bin/python benchmarks/contention.py                       # SQLite
    .venv/bin/python benchmarks/contention.py --archive postgresql://postgres@127.0.0.1/postgres?schema=contention

Builds an archive of ``--base`` synthetic cables with a SECRET reader, then
starts ``cablegram ingest`` of ``--count`` more in another process and, until
it ends, reads classified cables as that reader (each read is audited) and
runs searches.  Goal (issue 15): reads during an ingest p95 <= 200 ms, no
errors.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

from cablegram.archive import Archive
from cablegram.archive.demo import write_synth
from cablegram.archive.store import is_server_url

CLI = [sys.executable, "-c", "from cablegram.cli import main; main()"]


def percentile(samples: list[float], p: int) -> float:
    return (
        statistics.quantiles(samples, n=100, method="inclusive")[p - 1] if len(samples) > 1 else 0
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--archive", default=None, help="Archive location (default: a temp file).")
    ap.add_argument("--base", type=int, default=3000, help="Cables in the archive beforehand.")
    ap.add_argument("--count", type=int, default=10000, help="Cables the concurrent ingest adds.")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="cablegram-contention-")
    location = args.archive or os.path.join(work, "busy.sqlite")
    base, more = os.path.join(work, "base.csv"), os.path.join(work, "more.csv")
    write_synth(args.base, base, seed=1)
    write_synth(args.count, more, seed=2)
    with Archive(location) as owner:
        owner.ingest([base], workers=2)
        if owner.users.principal("analyst") is None:
            owner.users.add("analyst", clearance="secret", captions=["NOFORN"])
        reader_principal = owner.users.principal("analyst")
        ids = [h.id for h in owner.search("class:>=confidential", limit=500)]
    print(f"{'PostgreSQL' if is_server_url(location) else 'SQLite'}: {len(ids)} classified"
          f" cables to read; ingesting {args.count} more meanwhile")  # fmt: skip
    rng = random.Random(3)
    reads: list[float] = []
    searches: list[float] = []
    errors: list[str] = []
    with Archive(location, principal=reader_principal, interface="bench") as reader:
        ingest = subprocess.Popen([*CLI, "ingest", more, "--archive", location, "--no-progress"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        while ingest.poll() is None:
            for samples, action in ((reads, lambda: reader.get(rng.choice(ids))),
                                    (searches, lambda: reader.search("minister", limit=20).total)):  # fmt: skip
                start = time.perf_counter()
                try:
                    action()
                except Exception as error:  # what a reader would see as an error
                    errors.append(f"{type(error).__name__}: {error}")
                samples.append((time.perf_counter() - start) * 1000)
    assert ingest.returncode == 0, ingest.stderr.read() if ingest.stderr else ""
    for name, samples in (("audited reads", reads), ("searches", searches)):
        print(f"{name} during the ingest: {len(samples)}, p50 {percentile(samples, 50):.1f} ms"
              f"  p95 {percentile(samples, 95):.1f} ms  max {max(samples):.0f} ms")  # fmt: skip
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
