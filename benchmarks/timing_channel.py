"""The timing side channel (issue 15 §6): what a query costs a reader when
its word or field value occurs only in cables that reader may not see.

    .venv/bin/python benchmarks/timing_channel.py                 # 50,000 cables
    .venv/bin/python benchmarks/timing_channel.py --count 5000    # a quick run
    .venv/bin/python benchmarks/timing_channel.py \
        --archive "postgresql://postgres@127.0.0.1:5432/cablegram_bench?schema=timing"

Builds (once, kept in ``--workdir``) a synthetic archive: ``cablegram synth``
cables, where every cable the public reader may not read (classified, SBU or
carrying a controlling caption) has the made-up word ``zugzwang`` added to its
subject line and the made-up tag ``ZUGZ`` to its TAGS, one in ten of them the
made-up origin ``ZUGZWANG``; and every cable a reader cleared to CONFIDENTIAL
(with no read-ins) may not read has the word ``zeitnot`` too.  Then it
ingests it with ``cablegram ingest``.  Then, as the public reader and as the
CONFIDENTIAL reader, it times the same work the web's search page does (first
page of 20 with snippets, the total, the facets) for pairs of queries,
interleaved round by round in a shuffled order (so that a busy machine slows
them alike, and no query always follows the one with many results, whose
working set the next search clears):

* public reader: ``zugzwang`` (only in hidden cables, 0 results for it) and
  ``qxjvbnz`` (in no cable); the field filters ``caption:NOFORN``,
  ``tag:ZUGZ``, ``origin:ZUGZWANG`` and ``class:secret`` (only hidden cables
  hold them) against ``caption:ZZNONE``, ``tag:ZZZZ``, ``origin:ZZNOWHERE``
  (no cable) and ``class:>secret`` (only hidden TOP SECRET cables);
  ``ambassador`` (in visible cables, for contrast: the cost of real results);
* CONFIDENTIAL reader: ``zeitnot`` (only in cables above its clearance or
  under captions) against ``qxjvbnz``; ``caption:NOFORN`` against
  ``caption:ZZNONE``.

It prints the median and the 10th / 90th percentiles of each, and the
hidden / absent ratio of each pair.  The goal: the hidden-only and the absent
query within 20 % of each other at the median, and indistinguishable at
p10 / p90.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import replace

from cablegram.access import Principal
from cablegram.access.policy import may_read
from cablegram.access.principal import public_reader
from cablegram.archive import Archive
from cablegram.archive.demo import csv_record
from cablegram.model import Classification

CLI = [sys.executable, "-c", "from cablegram.cli import main; main()"]
HIDDEN_WORD, HIDDEN_TAG, HIDDEN_ORIGIN = "zugzwang", "ZUGZ", "ZUGZWANG"
CLEARED_WORD = "zeitnot"  # hidden from the CONFIDENTIAL reader
LAYOUT = 2  # of the dump (in its file name): what is planted where
CLEARED = Principal("confidential", Classification.CONFIDENTIAL)
# reader -> name -> (hidden-only query, absent query); None: a query with results
PAIRS: dict[str, dict[str, tuple[str, str | None]]] = {
    "public": {
        "words": (HIDDEN_WORD, "qxjvbnz"),
        "caption": ("caption:NOFORN", "caption:ZZNONE"),
        "tag": (f"tag:{HIDDEN_TAG}", "tag:ZZZZ"),
        "origin": (f"origin:{HIDDEN_ORIGIN}", "origin:ZZNOWHERE"),
        "class": ("class:secret", "class:>secret"),
        "visible": ("ambassador", None),
    },
    "confidential": {
        "words": (CLEARED_WORD, "qxjvbnz"),
        "caption": ("caption:NOFORN", "caption:ZZNONE"),
        "visible": ("ambassador", None),
    },
}


def write_dump(path: str, count: int, seed: int) -> tuple[int, int]:
    """A cables.csv dump with the words, tag and origin planted (see above);
    returns (cables, cables hidden from the public reader)."""
    from cablegram.format.render import render
    from cablegram.format.synth import synth_cables

    public = public_reader()
    n = hidden = 0
    with gzip.open(path, "wt", encoding="utf-8", newline="\n", compresslevel=1) as f:
        for n, cable in enumerate(synth_cables(count, seed=seed), 1):
            if not may_read(public, cable):
                hidden += 1
                cable = replace(cable, tags=(*cable.tags, HIDDEN_TAG))
                if hidden % 10 == 0:  # a serial of its own: a new id
                    cable = replace(cable, origin=HIDDEN_ORIGIN, serial=n)
            text = render(cable)
            words = []
            if not may_read(public, cable):
                words.append(HIDDEN_WORD.upper())
            if not may_read(CLEARED, cable):
                words.append(CLEARED_WORD.upper())
            if words:
                text = text.replace("\nSUBJECT: ", f"\nSUBJECT: {' '.join(words)} ", 1)
            f.write(csv_record(n, cable, text))
    return n, hidden


def build(location: str, workdir: str, count: int, seed: int) -> str:
    """The archive at ``location``, ingested from the dump unless it holds it
    all already (ingest skips what is stored, so a cut-short build resumes)."""
    with Archive(location) as archive:
        if archive.stats()["cables"] == count:
            print(f"archive: {location} (kept from an earlier run)")
            return location
    dump = os.path.join(workdir, f"timing-{count}-{seed}-{LAYOUT}.csv.gz")
    if not os.path.exists(dump):
        started = time.perf_counter()
        cables, hidden = write_dump(dump, count, seed)
        print(f"dump: {cables} cables, {hidden} with {HIDDEN_WORD!r} planted (hidden from"
              f" the public reader), {time.perf_counter() - started:.0f} s")  # fmt: skip
    started = time.perf_counter()
    subprocess.run([*CLI, "ingest", dump, "--archive", location, "--no-progress"],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    print(f"ingest: {time.perf_counter() - started:.0f} s -> {location}")
    return location


def search_ms(reader: Archive, query: str) -> float:
    """One search as the web's result page does it: page, total, facets."""
    started = time.perf_counter()
    result = reader.search(query, limit=20)
    _ = result.hits, result.total
    result.facets()
    return (time.perf_counter() - started) * 1000


def timed(
    reader: Archive, queries: dict[str, str], rounds: int, seed: int
) -> dict[str, list[float]]:
    for _ in range(10):  # warm the page cache and the lexicon
        for q in queries.values():
            search_ms(reader, q)
    samples: dict[str, list[float]] = {k: [] for k in queries}
    rng = random.Random(seed)
    for _ in range(rounds):
        for k in rng.sample(list(queries), len(queries)):
            samples[k].append(search_ms(reader, queries[k]))
    return samples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=300, help="timed searches per query")
    ap.add_argument("--workdir", default=os.path.join("/tmp", "cablegram-timing"))
    ap.add_argument("--archive", help="where (default: an SQLite file in --workdir;"
                    " a postgresql:// URL for PostgreSQL)")  # fmt: skip
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    location = args.archive or os.path.join(
        args.workdir, f"timing-{args.count}-{args.seed}-{LAYOUT}.sqlite"
    )
    path = build(location, args.workdir, args.count, args.seed)
    principals = {"public": public_reader(), "confidential": CLEARED}
    with Archive(path) as owner:
        if not any(u.name == CLEARED.name for u in owner.users.list()):
            # An account that reads as the CONFIDENTIAL reader: its clearance tier is made
            # for it (docs/access.md); without one that reader searches the whole index.
            owner.users.add(CLEARED.name, clearance=CLEARED.clearance)
        print(f"archive: {owner.stats()['cables']} cables;"
              f" the owner finds {HIDDEN_WORD!r} in {owner.search(HIDDEN_WORD).exact_total()},"
              f" {CLEARED_WORD!r} in {owner.search(CLEARED_WORD).exact_total()}")  # fmt: skip
        for name, pairs in PAIRS.items():
            queries: dict[str, str] = {}
            for label, (hidden, absent) in pairs.items():
                queries[f"{label} hidden" if absent else label] = hidden
                if absent:
                    queries[f"{label} absent"] = absent
            with owner.as_reader(principals[name]) as reader:
                totals = {k: reader.search(q).exact_total() for k, q in queries.items()}
                owned = {k: owner.search(q).exact_total() for k, q in queries.items()}
                samples = timed(reader, queries, args.rounds, args.seed)
            print(f"{name} reader, {args.rounds} searches each (page of 20, total, facets);"
                  " results for this reader (for the owner):")  # fmt: skip
            summary = {}
            for k, q in queries.items():
                deciles = statistics.quantiles(samples[k], n=10, method="inclusive")
                p10, p50, p90 = deciles[0], statistics.median(samples[k]), deciles[-1]
                summary[k] = (p10, p50, p90)
                print(f"  {k:15s} {q!r:22s} {totals[k]:6d} ({owned[k]:6d})  median {p50:7.2f} ms"
                      f"  p10 {p10:7.2f} ms  p90 {p90:7.2f} ms")  # fmt: skip
            for label, (_, absent) in pairs.items():
                if absent is None:
                    continue
                hidden_s, absent_s = summary[f"{label} hidden"], summary[f"{label} absent"]
                print(
                    f"  hidden-only / absent ({label}): median x{hidden_s[1] / absent_s[1]:.2f},"
                    f" p10 x{hidden_s[0] / absent_s[0]:.2f}, p90 x{hidden_s[2] / absent_s[2]:.2f}"
                )


if __name__ == "__main__":
    main()
