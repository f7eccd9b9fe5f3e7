"""The timing side channel (issue 15 §6): what a query costs the public reader
when its word occurs only in cables that reader may not see.

    .venv/bin/python benchmarks/timing_channel.py                 # 50,000 cables
    .venv/bin/python benchmarks/timing_channel.py --count 5000    # a quick run
    .venv/bin/python benchmarks/timing_channel.py \
        --archive "postgresql://postgres@127.0.0.1:5432/cablegram_bench?schema=timing"

Builds (once, kept in ``--workdir``) a synthetic archive: ``cablegram synth``
cables, where every cable the public reader may not read (classified, SBU or
carrying a controlling caption) has the made-up word ``zugzwang`` added to its
subject line; then ingests it with ``cablegram ingest``.  Then, as the public
reader, times the same work the web's search page does (first page of 20 with
snippets, the total, the facets) for three queries, interleaved round by round
in a shuffled order (so that a busy machine slows them alike, and no query
always follows the one with many results, whose working set the next search
clears):

* ``zugzwang`` — only in hidden cables (0 results for this reader);
* ``qxjvbnz`` — in no cable at all (0 results);
* ``ambassador`` — in visible cables (for contrast: the cost of real results).

and the same for field filters, in pairs: a value only hidden cables hold
(the caption, tag and origin that most hidden cables and no cable the public
reader may read hold, found in the archive; the classification SECRET) and a
value no cable holds (``caption:ZZNONE``, ``tag:ZZZZ``, ``origin:ZZNOWHERE``,
``class:>secret``, which matches only hidden TOP SECRET cables).

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

from cablegram.access.policy import may_read
from cablegram.access.principal import public_reader
from cablegram.archive import Archive
from cablegram.archive.demo import csv_record

CLI = [sys.executable, "-c", "from cablegram.cli import main; main()"]
HIDDEN_WORD = "zugzwang"
QUERIES = {"hidden-only": HIDDEN_WORD, "absent": "qxjvbnz", "visible": "ambassador"}
# field -> (query of a value, the query of a value no cable holds)
FIELDS = {
    "caption": ('caption:"{}"', "caption:ZZNONE"),
    "tag": ('tag:"{}"', "tag:ZZZZ"),
    "origin": ('origin:"{}"', "origin:ZZNOWHERE"),
}


def field_pairs(owner: Archive, reader: Archive) -> dict[str, tuple[str, str]]:
    """(hidden-only, absent) query pairs: for each field the value the most
    cables hold of those no cable the reader may read holds."""
    pairs = {"class": ("class:secret", "class:>secret")}
    seen = owner.search("").facets(size=10_000)
    for name, (query, absent) in FIELDS.items():
        for value, _ in sorted(seen[name], key=lambda item: -item[1]):
            hidden = query.format(value)
            if reader.search(hidden).exact_total() == 0:
                pairs[name] = (hidden, absent)
                break
    return pairs


def write_dump(path: str, count: int, seed: int) -> tuple[int, int]:
    """A cables.csv dump with HIDDEN_WORD in the subject of every hidden cable;
    returns (cables, hidden cables)."""
    from cablegram.format.render import render
    from cablegram.format.synth import synth_cables

    public = public_reader()
    n = hidden = 0
    with gzip.open(path, "wt", encoding="utf-8", newline="\n", compresslevel=1) as f:
        for n, cable in enumerate(synth_cables(count, seed=seed), 1):
            text = render(cable)
            if not may_read(public, cable):
                planted = text.replace("\nSUBJECT: ", f"\nSUBJECT: {HIDDEN_WORD.upper()} ", 1)
                hidden += planted != text
                text = planted
            f.write(csv_record(n, cable, text))
    return n, hidden


def build(location: str, workdir: str, count: int, seed: int) -> str:
    """The archive at ``location``, ingested from the dump unless it holds it
    all already (ingest skips what is stored, so a cut-short build resumes)."""
    with Archive(location) as archive:
        if archive.stats()["cables"] == count:
            print(f"archive: {location} (kept from an earlier run)")
            return location
    dump = os.path.join(workdir, f"timing-{count}-{seed}.csv.gz")
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
    location = args.archive or os.path.join(args.workdir, f"timing-{args.count}-{args.seed}.sqlite")
    path = build(location, args.workdir, args.count, args.seed)
    with Archive(path) as owner:
        print(f"archive: {owner.stats()['cables']} cables;"
              f" the owner finds {HIDDEN_WORD!r} in {owner.search(HIDDEN_WORD).exact_total()}")  # fmt: skip
        with owner.as_reader(public_reader()) as reader:
            pairs = field_pairs(owner, reader)
            queries = dict(QUERIES)
            for name, (hidden, absent) in pairs.items():
                queries[f"{name} hidden"], queries[f"{name} absent"] = hidden, absent
            totals = {k: reader.search(q).exact_total() for k, q in queries.items()}
            owned = {k: owner.search(q).exact_total() for k, q in queries.items()}
            for _ in range(10):  # warm the page cache and the lexicon
                for q in queries.values():
                    search_ms(reader, q)
            samples: dict[str, list[float]] = {k: [] for k in queries}
            rng = random.Random(args.seed)
            for _ in range(args.rounds):
                for k in rng.sample(list(queries), len(queries)):
                    samples[k].append(search_ms(reader, queries[k]))
    print(f"public reader, {args.rounds} searches each (page of 20, total, facets);"
          " results for the public reader (for the owner):")  # fmt: skip
    summary = {}
    for k, q in queries.items():
        deciles = statistics.quantiles(samples[k], n=10, method="inclusive")
        p10, p50, p90 = deciles[0], statistics.median(samples[k]), deciles[-1]
        summary[k] = (p10, p50, p90)
        print(f"  {k:15s} {q!r:28s} {totals[k]:6d} ({owned[k]:6d})  median {p50:7.2f} ms"
              f"  p10 {p10:7.2f} ms  p90 {p90:7.2f} ms")  # fmt: skip
    ratios = [("hidden-only", "absent", "words")]
    ratios += [(f"{name} hidden", f"{name} absent", name) for name in pairs]
    for hidden_key, absent_key, label in ratios:
        hidden, absent = summary[hidden_key], summary[absent_key]
        print(
            f"hidden-only / absent ({label}): median x{hidden[1] / absent[1]:.2f},"
            f" p10 x{hidden[0] / absent[0]:.2f}, p90 x{hidden[2] / absent[2]:.2f}"
        )


if __name__ == "__main__":
    main()
