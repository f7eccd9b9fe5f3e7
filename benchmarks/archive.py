"""Archive benchmark: ingest throughput, size, memory, search and graph latency,
on either backend, or on both side by side.

    .venv/bin/python benchmarks/archive.py                          # 250,000 cables, SQLite
    .venv/bin/python benchmarks/archive.py --count 20000            # a smaller run
    .venv/bin/python benchmarks/archive.py --archive postgresql://postgres@127.0.0.1/bench
    .venv/bin/python benchmarks/archive.py --compare                # both, the same corpus
    .venv/bin/python benchmarks/archive.py --count 50000 --unwrap   # the unwrap stage of --part 1/N

Writes a synthetic ``cables.csv``-format dump (``cablegram synth``; gzipped
from a million cables on), ingests it end to end with ``cablegram ingest``
(unwrap, parse in worker processes, write; ``--processes N`` runs N ingest
processes at once, each taking ``--part k/N``), then times a fixed, seeded
mix of queries (words, phrases, prefixes, fields, dates, boolean
combinations; each with total count and facets), refs / cited-by / thread,
and the same mix for restricted readers (the cost of access checks).

Targets (2 cores): ingest >= 1,500 cables/s; search+facets p95 <= 100 ms at
250,000 cables and <= 300 ms at 2,500,000; refs/cited-by/thread p95 <= 10 ms;
peak RSS of every process <= 1 GB; SQLite archive <= 2x the raw text.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from cablegram.archive import Archive
from cablegram.archive.demo import write_synth
from cablegram.archive.store import is_server_url

POSTGRES = os.environ.get("CABLEGRAM_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
CLI = [sys.executable, "-c", "from cablegram.cli import main; main()"]


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return qs[49], qs[94], qs[98]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


KINDS = ("word", "two words", "phrase", "prefix", "tag", "origin+class", "month", "word+dates",
         "tags+after", "OR+class", "caption+word", "subject+has")  # fmt: skip


def sample_cables(archive: Archive, rng: random.Random, n: int = 60) -> list[dict[str, Any]]:
    """``n`` cables spread over the archive's months (any backend)."""
    months = [m for m, _ in archive.stats()["by_month"] if m]
    out: list[dict[str, Any]] = []
    while len(out) < n and months:
        for hit in archive.search(f"date:{rng.choice(months)}", sort="date", limit=3):
            if (data := archive.store.get(hit.id)) is not None:
                out.append(data)
    return out[:n]


def query_mix(archive: Archive, rng: random.Random, n: int = 120) -> list[str]:
    """A fixed mix built from what the archive holds (same seed, same queries)."""
    stats = archive.stats()
    tags = [t for t, _ in stats["by_tag"]]
    origins = [o for o, _ in stats["by_origin"] if o and " " not in o]
    texts = [c.get("text") or "" for c in sample_cables(archive, rng, 40)]
    # Word *types* of random cables, each equally likely: a researcher's query
    # word is as often a rare name as a common noun.
    words = sorted({w for t in texts for w in re.findall(r"[A-Za-z]{5,}", t)})
    years = [y for y, _ in stats["by_year"] if y]
    makers: list[Callable[[], str]] = [
        lambda: rng.choice(words).lower(),
        lambda: f"{rng.choice(words).lower()} {rng.choice(words).lower()}",
        lambda: '"' + " ".join(rng.choice(texts).split()[100:103]) + '"',
        lambda: rng.choice(words)[:4].lower() + "*",
        lambda: f"tag:{rng.choice(tags)}",
        lambda: f"origin:{rng.choice(origins)} class:>=confidential",
        lambda: f"date:{rng.choice(years)}-{rng.randint(1, 12):02d}",
        lambda: "{} date:{}..{}".format(  # (a range that ends before it starts is an error)
            rng.choice(words).lower(), *sorted((rng.choice(years), rng.choice(years)))
        ),
        lambda: f"tag:{rng.choice(tags)} -tag:{rng.choice(tags)} after:{rng.choice(years)}",
        lambda: f"({rng.choice(words).lower()} OR {rng.choice(words).lower()}) class:secret",
        lambda: f"caption:NOFORN {rng.choice(words).lower()}",
        lambda: f"subject:{rng.choice(words).lower()} has:refs",
    ]
    assert len(makers) == len(KINDS)
    return [makers[i % len(makers)]() for i in range(n)]


def search_latency(archive: Archive, queries: list[str]) -> tuple[list[float], list[int]]:
    """Milliseconds per query (first page, total, facets) and match counts."""
    search_ms: list[float] = []
    matched: list[int] = []
    for q in queries:

        def run(q: str = q) -> None:
            result = archive.search(q, limit=20)
            result.facets()  # as `cablegram search --facets`: facets, then the total
            matched.append(result.total)

        search_ms.append(timed(run))
    return search_ms, matched


def access_overhead(archive: Archive, queries: list[str], owner: tuple[float, float]) -> dict:
    """The same query mix for restricted readers: the cost of access checks."""
    from cablegram.access.principal import PUBLIC, Principal
    from cablegram.model import Classification

    readers = {
        "SECRET reader (NOFORN, NODIS at one post)": Principal(
            "bench", Classification.SECRET, captions=frozenset({"NOFORN", "NODIS"}),
            stations=frozenset({"RUEHMO"}),
        ),
        "CONFIDENTIAL reader": Principal("bench-c", Classification.CONFIDENTIAL),
        "public reader": PUBLIC,
    }  # fmt: skip
    out = {}
    for label, principal in readers.items():
        with archive.as_reader(principal) as reader:
            for q in queries[:12]:
                reader.search(q).facets()
            ms, matched = search_latency(reader, queries)
        p50, p95, p99 = percentiles(ms)
        out[label] = (p50, p95)
        print(
            f"search+facets as {label}: p50 {p50:.1f} ms  p95 {p95:.1f} ms  p99 {p99:.1f} ms"
            f"  (owner p50/p95 x{p50 / owner[0]:.2f}/x{p95 / owner[1]:.2f};"
            f" sees {sum(matched) / max(1, len(matched)):.0f} matches per query)"
        )
    return out


def drop(location: str) -> None:
    """Remove a benchmark archive so it is built afresh."""
    if is_server_url(location):
        from urllib.parse import parse_qs, urlsplit, urlunsplit

        import psycopg

        parts = urlsplit(location)
        schema = parse_qs(parts.query).get("schema", ["public"])[0]
        try:
            conn = psycopg.connect(urlunsplit(parts._replace(query="")), autocommit=True)
        except psycopg.OperationalError as error:
            if "does not exist" in str(error):
                return  # no database yet: nothing to drop
            raise
        with conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        return
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(location + suffix):
            os.remove(location + suffix)


class ServerMemory:
    """Peak memory of the PostgreSQL backends serving an archive's database
    while ingest runs, sampled from /proc (a server on this machine): the
    peak RSS of any one backend (shared buffers it touched included) and the
    peak of its private memory (RssAnon: sorts, hash tables, vectors built)."""

    def __init__(self, location: str) -> None:
        import threading

        from cablegram.archive.postgres.connection import parse_location

        self.url = parse_location(location).url
        self.rss = self.private = 0.0
        self.seen = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ServerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.wait(0.5):
                pids = [pid for (pid,) in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND backend_type = 'client backend'")]  # fmt: skip
                for pid in pids:
                    try:
                        with open(f"/proc/{pid}/status") as f:
                            status = dict(line.split(":", 1) for line in f if ":" in line)
                    except OSError:
                        continue
                    if "VmHWM" not in status or "RssAnon" not in status:
                        continue  # (a backend exiting)
                    self.seen += 1
                    self.rss = max(self.rss, int(status["VmHWM"].split()[0]) / 1024)
                    self.private = max(self.private, int(status["RssAnon"].split()[0]) / 1024)


def ingest(location: str, dump: str, processes: int, workers: int) -> dict[str, float]:
    """Run ``cablegram ingest`` (``processes`` at once, a part each); wall-clock
    rate and the peak RSS of each ingest process and of its parser processes
    (and, on a PostgreSQL server on this machine, of its backends)."""
    Archive(location).close()  # created before the processes race to do it
    server = ServerMemory(location) if is_server_url(location) else contextlib.nullcontext()
    parts = [[] if processes == 1 else ["--part", f"{k}/{processes}"]
             for k in range(1, processes + 1)]  # fmt: skip
    start = time.perf_counter()
    with server:
        procs = [
            subprocess.Popen([*CLI, "ingest", dump, "--archive", location, "--workers",
                              str(workers), "--no-progress", *part],
                             stdout=subprocess.PIPE, text=True)
            for part in parts
        ]  # fmt: skip
        peak = 0.0
        for proc in procs:
            _, status, usage = os.wait4(proc.pid, 0)
            assert status == 0, f"ingest failed: {proc.stdout.read() if proc.stdout else ''}"
            peak = max(peak, usage.ru_maxrss / 1024)
    seconds = time.perf_counter() - start
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    with Archive(location) as archive:
        cables = archive.stats()["cables"]
    rate = cables / seconds
    print(f"ingest: {cables} cables in {seconds:.1f}s = {rate:.0f} cables/s"
          f" ({processes} process(es) x {workers} parser(s))")  # fmt: skip
    figures = {"rate": rate, "seconds": seconds, "rss": max(peak, workers_peak)}
    print(f"ingest peak RSS: an ingest process {peak:.0f} MB, any process of the ingest"
          f" (parsers included) {workers_peak:.0f} MB")  # fmt: skip
    if isinstance(server, ServerMemory) and server.seen:
        figures["server_rss"] = server.rss
        print(f"ingest peak RSS of a PostgreSQL backend: {server.rss:.0f} MB"
              f" ({server.private:.0f} MB private; shared buffers touched make the rest)")  # fmt: skip
    return figures


def unwrap(dump: str, shares: tuple[int, ...] = (1, 2, 4), rounds: int = 3) -> None:
    """CPU seconds of the unwrap stage alone of one ingest process of
    ``--part 1/N``: the parent's ``plan_tasks`` over the dump (rows found,
    Documents built, chunks made), no parsing, no store; best of ``rounds``."""
    from cablegram.archive.ingest import Part, WorkerConfig, plan_tasks, work_docs

    for n in shares:
        best, docs = float("inf"), 0
        for _ in range(rounds):
            start = time.process_time()
            tasks = plan_tasks([dump], [], WorkerConfig(), Part(1, n))
            docs = sum(len(t.args[0]) for t in tasks if t.fn is work_docs)
            best = min(best, time.process_time() - start)
        print(f"unwrap, --part 1/{n}: {docs} documents, {best:.2f} s CPU (best of {rounds})")


def measure(location: str, dump: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every figure for one archive (built afresh unless ``--reuse``)."""
    label = "PostgreSQL" if is_server_url(location) else "SQLite"
    print(f"\n== {label}: {location}")
    figures: dict[str, Any] = {}
    if not args.reuse:
        drop(location)
        processes = args.processes or (2 if is_server_url(location) else 1)
        workers = args.workers or (1 if processes > 1 else 2)
        figures["ingest"] = ingest(location, dump, processes, workers)
    # Queries run on the archive opened afresh, as `cablegram search` and the
    # web server open it (not on the connection that wrote it).
    with Archive(location) as archive:
        if is_server_url(location):  # (the server setting search speed depends on most)
            buffers = archive.store.conn.execute("SHOW shared_buffers").fetchone()[0]  # type: ignore[attr-defined]
            print(f"server: shared_buffers = {buffers}")
        size = archive.store.disk_bytes()
        text_bytes = raw_text_bytes(dump)
        figures["size"] = size / text_bytes
        print(f"archive size: {size / 1e6:.1f} MB for {text_bytes / 1e6:.1f} MB raw text"
              f" = {size / text_bytes:.2f}x")  # fmt: skip
        rng = random.Random(args.seed)
        queries = query_mix(archive, rng)
        for q in queries[:12]:
            archive.search(q).facets()  # warm the caches
        search_ms, matched = search_latency(archive, queries)
        p50, p95, p99 = percentiles(search_ms)
        figures["search"] = (p50, p95)
        print(
            f"search+facets ({len(queries)} queries): p50 {p50:.1f} ms  p95 {p95:.1f} ms"
            f"  p99 {p99:.1f} ms  max {max(search_ms):.1f} ms"
        )
        total = archive.stats()["cables"]
        for band, low, high in (("<1%", 0, 0.01), ("1-10%", 0.01, 0.1), (">10%", 0.1, 1.01)):
            ms_band = [ms for ms, n in zip(search_ms, matched, strict=True)
                       if low <= n / total < high]  # fmt: skip
            if len(ms_band) >= 2:
                a, b, _ = percentiles(ms_band)
                print(f"  queries matching {band} of the archive: {len(ms_band)},"
                      f" p50 {a:.1f} ms  p95 {b:.1f} ms")  # fmt: skip
        by_kind = ", ".join(
            f"{kind} {statistics.median(search_ms[i :: len(KINDS)]):.0f}/"
            f"{max(search_ms[i :: len(KINDS)]):.0f}"
            for i, kind in enumerate(KINDS)
        )
        print(f"  by kind (median/max ms): {by_kind}")
        slow = sorted(zip(search_ms, queries, strict=True), reverse=True)[:3]
        print("  slowest: " + "; ".join(f"{q!r} {ms:.0f} ms" for ms, q in slow))
        ids = [c["id"] for c in sample_cables(archive, rng, 100) if c.get("id")]
        for name, fn in (("refs", archive.refs), ("cited-by", archive.cited_by),
                         ("thread", archive.thread)):  # fmt: skip
            ms = [timed(lambda i=i, fn=fn: fn(i)) for i in ids]
            a, b, c = percentiles(ms)
            figures[name] = (a, b)
            print(f"{name}: p50 {a:.2f} ms  p95 {b:.2f} ms  p99 {c:.2f} ms")
        figures["readers"] = access_overhead(archive, queries, (p50, p95))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["query_rss"] = own
    print(f"peak RSS: ingest processes {figures.get('ingest', {}).get('rss', 0):.0f} MB,"
          f" this (querying) process {own:.0f} MB")  # fmt: skip
    return figures


def raw_text_bytes(dump: str) -> int:
    """Bytes of the dump's text (uncompressed)."""
    if not dump.endswith(".gz"):
        return os.path.getsize(dump)
    import gzip

    total = 0
    with gzip.open(dump, "rb") as f:
        while chunk := f.read(1 << 24):
            total += len(chunk)
    return total


def side_by_side(results: dict[str, dict[str, Any]]) -> None:
    names = list(results)
    rows = [
        ("ingest cables/s", lambda f: f"{f['ingest']['rate']:.0f}" if "ingest" in f else "-"),
        ("search+facets p50/p95 ms", lambda f: "{:.1f} / {:.1f}".format(*f["search"])),
        ("refs p50/p95 ms", lambda f: "{:.2f} / {:.2f}".format(*f["refs"])),
        ("cited-by p50/p95 ms", lambda f: "{:.2f} / {:.2f}".format(*f["cited-by"])),
        ("thread p50/p95 ms", lambda f: "{:.2f} / {:.2f}".format(*f["thread"])),
        ("public reader p50/p95 ms",
         lambda f: "{:.1f} / {:.1f}".format(*f["readers"]["public reader"])),
        ("peak RSS MB (ingest)",
         lambda f: f"{f['ingest']['rss']:.0f}" if "ingest" in f else "-"),
        ("peak RSS MB (a PostgreSQL backend, ingest)",
         lambda f: f"{f['ingest']['server_rss']:.0f}" if "server_rss" in f.get("ingest", {})
         else "-"),
        ("size / raw text", lambda f: f"{f['size']:.2f}x"),
    ]  # fmt: skip
    print("\n| measure | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(results[n]) for n in names) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--count", type=int, default=250_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--archive", default=None,
                    help="Archive to build and query: a file or a postgresql:// URL "
                    "(default: bench.sqlite in --workdir).")  # fmt: skip
    ap.add_argument("--compare", action="store_true",
                    help="Both backends on the same corpus, side by side.")  # fmt: skip
    ap.add_argument(
        "--processes",
        type=int,
        default=0,
        help="Ingest processes at once (default: 1 for SQLite, 2 for PostgreSQL).",
    )
    ap.add_argument(
        "--workers",
        type=int,
        default=0,
        help="Parser processes per ingest (default: 2, or 1 with several processes).",
    )
    ap.add_argument("--workdir", default=None, help="Keep files here (default: a temp dir).")
    ap.add_argument("--reuse", action="store_true",
                    help="Query the archives already built; skip ingest.")  # fmt: skip
    ap.add_argument("--unwrap", action="store_true",
                    help="Only time the unwrap stage of one ingest process of --part 1/N "
                    "(N = 1, 2, 4); no archive.")  # fmt: skip
    args = ap.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="cablegram-bench-")
    os.makedirs(workdir, exist_ok=True)
    suffix = ".csv.gz" if args.count >= 1_000_000 else ".csv"
    dump = os.path.join(workdir, f"synth-{args.count}-{args.seed}{suffix}")
    if not os.path.exists(dump):
        t = time.perf_counter()
        write_synth(args.count, dump, seed=args.seed)
        print(f"synthetic dump: {args.count} cables in {time.perf_counter() - t:.0f}s -> {dump}")
    if args.unwrap:
        unwrap(dump)
        return 0
    sqlite = os.path.join(workdir, "bench.sqlite")
    postgres = f"{POSTGRES}/postgres?schema=bench_{args.count}_{args.seed}"
    if args.compare:
        locations = {"SQLite": sqlite, "PostgreSQL": postgres}
    else:
        location = args.archive or sqlite
        locations = {"PostgreSQL" if is_server_url(location) else "SQLite": location}
    results = {name: measure(loc, dump, args) for name, loc in locations.items()}
    if len(results) > 1:
        side_by_side(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
