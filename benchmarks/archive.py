"""Archive benchmark: ingest throughput, size, memory, search and graph latency.

    .venv/bin/python benchmarks/archive.py                 # 250,000 synthetic cables
    .venv/bin/python benchmarks/archive.py --count 20000   # smaller run

Writes a synthetic ``cables.csv``-format dump (``cablegram synth``), ingests it
end to end (unwrap, parse in worker processes, write), then times a fixed,
seeded mix of queries (words, phrases, prefixes, fields, dates, boolean
combinations; each with total count and facets) and refs / cited-by / thread.
Targets (2 cores): ingest >= 1,500 cables/s, search+facets p50 < 20 ms and
p95 < 100 ms, graph < 10 ms, peak RSS < 1 GB, archive <= 2x raw text; access
checks for restricted readers add <= 20% to search latency.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

from cablegram.archive import Archive
from cablegram.archive.demo import write_synth


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return qs[49], qs[94], qs[98]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


KINDS = ("word", "two words", "phrase", "prefix", "tag", "origin+class", "month", "word+dates",
         "tags+after", "OR+class", "caption+word", "subject+has")  # fmt: skip


def query_mix(archive: Archive, rng: random.Random, n: int = 120) -> list[str]:
    """A fixed mix built from what the archive holds (same seed, same queries)."""
    stats = archive.stats()
    conn = archive.store.conn
    tags = [t for t, _ in stats["by_tag"]]
    origins = [o for o, _ in stats["by_origin"] if o and " " not in o]
    total = stats["cables"]
    sample = [
        r[0]
        for r in conn.execute(
            "SELECT data FROM cable_data WHERE rowid IN ({})".format(
                ",".join(str(rng.randint(1, total)) for _ in range(40))
            )
        )
    ]
    from cablegram.archive.blobs import unpack_json

    texts = [unpack_json(b)["text"] for b in sample]
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
        lambda: f"{rng.choice(words).lower()} date:{rng.choice(years)}..{rng.choice(years)}",
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


def access_overhead(archive: Archive, queries: list[str], owner: tuple[float, float]) -> None:
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
    for label, principal in readers.items():
        with archive.as_reader(principal) as reader:
            for q in queries[:12]:
                reader.search(q).facets()
            ms, matched = search_latency(reader, queries)
        p50, p95, p99 = percentiles(ms)
        print(
            f"search+facets as {label}: p50 {p50:.1f} ms  p95 {p95:.1f} ms  p99 {p99:.1f} ms"
            f"  (owner p50/p95 x{p50 / owner[0]:.2f}/x{p95 / owner[1]:.2f};"
            f" sees {sum(matched) / max(1, len(matched)):.0f} matches per query)"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--count", type=int, default=250_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--workdir", default=None, help="Keep files here (default: a temp dir).")
    ap.add_argument(
        "--reuse", action="store_true", help="Query the archive left in --workdir; skip ingest."
    )
    args = ap.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="cablegram-bench-")
    os.makedirs(workdir, exist_ok=True)
    dump = os.path.join(workdir, f"synth-{args.count}-{args.seed}.csv")
    db = os.path.join(workdir, "bench.sqlite")
    reuse = args.reuse and os.path.exists(db)
    for suffix in ("", "-wal", "-shm") if not reuse else ():
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    if not os.path.exists(dump):
        t = time.perf_counter()
        write_synth(args.count, dump, seed=args.seed)
        print(f"synthetic dump: {args.count} cables in {time.perf_counter() - t:.0f}s -> {dump}")
    if not reuse:
        with Archive(db) as archive:
            report = archive.ingest([dump], workers=args.workers)
            print(
                f"ingest: {report.documents} cables in {report.seconds:.1f}s"
                f" = {report.rate:.0f} cables/s"
                f" ({report.counts.new} new, {len(report.failures)} failures)"
            )
    # Queries run on the archive opened afresh, as `cablegram search` and the
    # web server open it (not on the connection that wrote it).
    with Archive(db) as archive:
        raw = archive.store.conn.execute("SELECT total(length(data)) FROM cable_data").fetchone()[0]
        archive.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s))
        text_bytes = os.path.getsize(dump)
        print(
            f"archive size: {size / 1e6:.1f} MB for {text_bytes / 1e6:.1f} MB raw"
            f" = {size / text_bytes:.2f}x  (stored JSON {raw / 1e6:.1f} MB)"
        )
        rng = random.Random(args.seed)
        queries = query_mix(archive, rng)
        for q in queries[:12]:
            archive.search(q).facets()  # warm the page cache
        search_ms, matched = search_latency(archive, queries)
        p50, p95, p99 = percentiles(search_ms)
        print(
            f"search+facets ({len(queries)} queries): p50 {p50:.1f} ms  p95 {p95:.1f} ms"
            f"  p99 {p99:.1f} ms  max {max(search_ms):.1f} ms"
        )
        total = archive.stats()["cables"]
        for label, low, high in (("<1%", 0, 0.01), ("1-10%", 0.01, 0.1), (">10%", 0.1, 1.01)):
            band = [ms for ms, n in zip(search_ms, matched, strict=True)
                    if low <= n / total < high]  # fmt: skip
            if len(band) >= 2:
                a, b, _ = percentiles(band)
                print(f"  queries matching {label} of the archive: {len(band)},"
                      f" p50 {a:.1f} ms  p95 {b:.1f} ms")  # fmt: skip
        by_kind = ", ".join(
            f"{kind} {statistics.median(search_ms[i :: len(KINDS)]):.0f}/"
            f"{max(search_ms[i :: len(KINDS)]):.0f}"
            for i, kind in enumerate(KINDS)
        )
        print(f"  by kind (median/max ms): {by_kind}")
        slow = sorted(zip(search_ms, queries, strict=True), reverse=True)[:3]
        print("  slowest: " + "; ".join(f"{q!r} {ms:.0f} ms" for ms, q in slow))
        ids = [
            r[0]
            for r in archive.store.conn.execute(
                "SELECT id FROM cables WHERE rowid IN ({})".format(
                    ",".join(str(rng.randint(1, total)) for _ in range(100))
                )
            )
        ]
        for name, fn in (
            ("refs", archive.refs),
            ("cited-by", archive.cited_by),
            ("thread", archive.thread),
        ):
            ms = [timed(lambda i=i, fn=fn: fn(i)) for i in ids]
            a, b, c = percentiles(ms)
            print(f"{name}: p50 {a:.2f} ms  p95 {b:.2f} ms  p99 {c:.2f} ms")
        access_overhead(archive, queries, (p50, p95))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: parent {own:.0f} MB, largest worker {kids:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
