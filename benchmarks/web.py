"""Web benchmark: concurrent clients against a running server, over loopback.

    .venv/bin/python benchmarks/web.py --count 20000             # build an archive, serve, drive
    .venv/bin/python benchmarks/web.py --archive bench.sqlite    # serve an existing archive
    .venv/bin/python benchmarks/web.py --url http://127.0.0.1:8000/   # drive a running server

Starts ``cablegram serve`` (``--workers`` processes) on the archive unless
``--url`` is given, then ``--clients`` threads, each with its own keep-alive
connection, request pages for ``--seconds``: the search page (a mix of word,
phrase, prefix, field, date and boolean queries built from what the archive
holds; each page runs the search, the total and the facets), the cable reader
and the thread view.  Prints requests/s and p50/p95/p99 latency per page.

An archive is built like benchmarks/archive.py builds its own: a synthetic
``cables.csv`` dump of ``--count`` cables (``cablegram synth``), ingested.
The clients run on the same machine as the server, so on 2 cores the figures
include the clients' own CPU use.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def build_archive(count: int, workdir: str, seed: int = 0) -> str:
    """The benchmark corpus of ``count`` synthetic cables, ingested (reused if present)."""
    from cablegram.archive import Archive
    from cablegram.archive.demo import write_synth

    db = os.path.join(workdir, f"web-bench-{count}-{seed}.sqlite")
    if os.path.exists(db):
        return db
    dump = os.path.join(workdir, f"synth-{count}-{seed}.csv")
    if not os.path.exists(dump):
        write_synth(count, dump, seed=seed)
    with Archive(db + ".part") as archive:
        report = archive.ingest([dump], workers=2)
        archive.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.replace(db + ".part", db)
    print(f"archive: {report.counts.new} cables ingested in {report.seconds:.0f} s -> {db}")
    return db


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(archive: str, workers: int, anonymous: str) -> Iterator[str]:
    """``cablegram serve`` on a free port until the block ends; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"),
                                                       os.environ.get("PYTHONPATH", "")]))  # fmt: skip
    command = [sys.executable, "-c", "from cablegram.cli import main; main()", "serve",
               "--archive", archive, "--port", str(port), "--workers", str(workers),
               "--anonymous", anonymous]  # fmt: skip
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "api/me", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def workload(url: str, rng: random.Random) -> dict[str, list[str]]:
    """Paths to request, per page kind, from what the archive holds (via its API)."""
    stats = httpx.get(url + "api/stats", timeout=120).json()
    tags = [t for t, _ in stats["by_tag"]]
    origins = [o for o, _ in stats["by_origin"] if o]
    years = [y for y, _ in stats["by_year"] if y]
    total = stats["cables"]
    sample = []
    for _ in range(5):
        offset = rng.randrange(max(1, total - 100))
        page = httpx.get(url + "api/search", params={"q": "has:date", "sort": "date",
                                                     "limit": 100, "offset": offset}).json()  # fmt: skip
        sample += page["hits"]
    words = [w.lower() for h in sample for w in re.findall(r"[A-Za-z]{5,}", h["snippet"])]
    phrases = [" ".join(h["snippet"].split()[3:6]) for h in sample]
    makers = [
        lambda: rng.choice(words),
        lambda: f"{rng.choice(words)} {rng.choice(words)}",
        lambda: '"' + re.sub(r"[^\w ]", "", rng.choice(phrases)) + '"',
        lambda: rng.choice(words)[:4] + "*",
        lambda: f"tag:{rng.choice(tags)}",
        lambda: f"origin:{rng.choice(origins)} class:>=confidential",
        lambda: f"date:{rng.choice(years)}-{rng.randint(1, 12):02d}",
        lambda: f"{rng.choice(words)} date:{rng.choice(years)}",
        lambda: f"tag:{rng.choice(tags)} -tag:{rng.choice(tags)} after:{rng.choice(years)}",
        lambda: f"({rng.choice(words)} OR {rng.choice(words)}) class:secret",
    ]
    queries = [makers[i % len(makers)]() for i in range(200)]
    cited = httpx.get(url + "api/search", params={"q": "has:refs", "sort": "date",
                                                  "limit": 200}).json()["hits"]  # fmt: skip
    return {
        "search": [str(httpx.URL("/search", params={"q": q})) for q in queries],
        "cable": [f"/cables/{h['id']}" for h in sample],
        "thread": [f"/cables/{h['id']}/thread" for h in cited],
    }


def drive(url: str, paths: dict[str, list[str]], clients: int, seconds: float, seed: int) -> None:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    kinds = sorted(paths)
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(seed + n)
        with httpx.Client(base_url=url, timeout=60) as http:
            i = n
            while time.monotonic() < stop:
                kind = kinds[i % len(kinds)]
                i += 1
                start = time.perf_counter()
                r = http.get(rng.choice(paths[kind]))
                ms = (time.perf_counter() - start) * 1000
                with lock:
                    if r.status_code == 200:
                        latencies[kind].append(ms)
                    else:
                        errors[kind] += 1

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    done = sum(len(v) for v in latencies.values())
    print(f"{done} requests in {elapsed:.1f} s = {done / elapsed:.1f} requests/s"
          f" ({clients} clients, errors: {dict(errors) or 'none'})")  # fmt: skip
    for kind in kinds:
        samples = latencies[kind]
        if len(samples) < 2:
            print(f"  {kind:<7} too few samples")
            continue
        q = statistics.quantiles(samples, n=100, method="inclusive")
        print(f"  {kind:<7} {len(samples):>6} req  {len(samples) / elapsed:7.1f}/s"
              f"  p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  p99 {q[98]:7.1f} ms")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    target = ap.add_mutually_exclusive_group()
    target.add_argument("--url", help="Drive this running server.")
    target.add_argument("--archive", help="Serve this archive.")
    target.add_argument("--count", type=int, help="Build an archive of N synthetic cables.")
    ap.add_argument("--workdir", default=None, help="Where --count builds (default: a temp dir).")
    ap.add_argument("--workers", type=int, default=2, help="Server processes (default 2).")
    ap.add_argument("--clients", type=int, default=8, help="Concurrent clients (default 8).")
    ap.add_argument("--seconds", type=float, default=30, help="How long to drive (default 30).")
    ap.add_argument("--reader", choices=["owner", "public"], default="owner",
                    help="Anonymous reader of the started server (default owner).")  # fmt: skip
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    if args.url:
        url = args.url if args.url.endswith("/") else args.url + "/"
        drive(url, workload(url, rng), args.clients, args.seconds, args.seed)
        return 0
    if args.archive:
        archive = args.archive
    else:
        workdir = args.workdir or tempfile.mkdtemp(prefix="cablegram-web-bench-")
        os.makedirs(workdir, exist_ok=True)
        archive = build_archive(args.count or 20_000, workdir, args.seed)
    with server(archive, args.workers, args.reader) as url:
        print(f"server: {url} on {archive} ({args.workers} workers, reader {args.reader})")
        paths = workload(url, rng)
        drive(url, paths, args.clients, min(5.0, args.seconds), args.seed)  # warm the caches
        print("-- measured --")
        drive(url, paths, args.clients, args.seconds, args.seed + 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
