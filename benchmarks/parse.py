"""Parse throughput per serialization, and memory while streaming a large cables.csv.

    .venv/bin/python benchmarks/parse.py            # each serialization to 100 MB, 500 MB csv
    .venv/bin/python benchmarks/parse.py --quick    # 10 MB each and a 50 MB csv
    .venv/bin/python benchmarks/parse.py --cli      # `cablegram parse --json` over the dev corpus
    .venv/bin/python benchmarks/parse.py --cli DIR  # ... over DIR

One process, one core.  For each serialization the dev files are replicated in
memory to the same size (100 MB, or 10 MB with --quick) and read as bytes,
first through ``iter_documents`` alone (sources), then through ``read``
(sources + parse, the full pipeline).  Rates are given per wall-clock second
and per CPU second of this process (on a shared machine the CPU figure is the
steadier one); vocabularies are loaded before timing.  The streaming test
writes ``benchmarks/.data/big.csv`` (gitignored) from dev csv rows with new
rownums and streams it through ``read()``, printing RSS on the way.

``--cli`` times the command line instead: ``cablegram parse --json DIR`` over
the dev corpus (a directory of one-cable files), start-up included, as a
child process writing to /dev/null, several runs; the CPU time is the child's
(user + system), the cables are the lines it wrote (the dev corpus: the 885
one-cable files its INDEX.tsv lists, of every serialization, twelve of them
AAD PDFs; INDEX.tsv and SPLIT.json beside them are reported as not cables, so
the command exits 1).  To time other code with the same interpreter, put its
``src`` first: ``PYTHONPATH=/path/to/checkout/src``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from cablegram.format.reader import read
from cablegram.format.sources import detect, iter_documents
from cablegram.model import NotACableError

DEV = Path(os.environ.get("CABLEGRAM_DEV", "/work/shared/corpus/dev"))
DATA = Path(__file__).parent / ".data"
MB = 1024 * 1024


def rss_mb() -> float:
    """Current resident set size (Linux /proc), else the peak."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB
    except OSError:
        return peak_rss_mb()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def corpus_by_format() -> dict[str, list[bytes]]:
    groups: dict[str, list[bytes]] = defaultdict(list)
    for path in sorted(DEV.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".csv", ".json", ".txt"):
            data = path.read_bytes()
            kind = detect(data)
            if kind not in ("json", "text", "html", "empty", "binary"):
                groups[kind].append(data)
    return groups


def replicate(files: list[bytes], target: int) -> Iterator[bytes]:
    """The files over and over until ``target`` bytes were produced."""
    total = 0
    while total < target:
        for data in files:
            yield data
            total += len(data)
            if total >= target:
                return


def measure(label: str, files: list[bytes], target: int, run: Callable[[bytes], int]) -> None:
    count = size = errors = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    for data in replicate(files, target):
        try:
            count += run(data)
        except NotACableError:
            errors += 1
        size += len(data)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(
        f"  {label:<8} {count:>8} cables {size / MB:8.1f} MB {seconds:7.2f} s "
        f"{count / seconds:9.0f} cables/s {size / MB / seconds:7.2f} MB/s "
        f"(cpu {cpu:7.2f} s {count / cpu:7.0f} cables/s) "
        f"peak RSS {peak_rss_mb():6.0f} MB" + (f"  ({errors} not cables)" if errors else "")
    )


def throughput(total: int) -> None:
    groups = corpus_by_format()
    corpus = sum(len(d) for files in groups.values() for d in files)
    print(f"dev corpus {corpus / MB:.1f} MB, each serialization replicated to {total / MB:.0f} MB")
    # Vocabularies load on first use: read one document of each kind before timing.
    for files in groups.values():
        for _ in read(files[0]):
            pass
    for kind, files in sorted(groups.items()):
        print(
            f"{kind} ({len(files)} files, {sum(map(len, files)) / MB:.1f} MB, to {total / MB:.0f} MB)"
        )
        measure("sources", files, total, lambda d: sum(1 for _ in iter_documents(d)))
        measure("read", files, total, lambda d: sum(1 for _ in read(d)))


def write_big_csv(path: Path, target: int) -> int:
    """A cables.csv of >= ``target`` bytes from the dev rows, rownums renumbered."""
    rows = [p.read_bytes() for p in sorted((DEV / "cables-csv-rows").glob("*.csv"))]
    bodies = [r.split(b",", 1)[1].rstrip(b"\n") for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    written = rownum = 0
    with open(path, "wb") as out:
        while written < target:
            for body in bodies:
                rownum += 1
                line = b'"%d",%s\n' % (rownum, body)
                out.write(line)
                written += len(line)
    return rownum


def streaming(target: int) -> None:
    path = DATA / "big.csv"
    if not path.exists() or path.stat().st_size < target:
        print(f"writing {path} ...")
        write_big_csv(path, target)
    size = path.stat().st_size
    rows = None
    print(f"streaming {path} ({size / MB:.0f} MB) through read()")
    print(f"  start  RSS {rss_mb():6.0f} MB")
    count = 0
    step = size // 5
    mark = step
    start = time.perf_counter()
    cpu_start = time.process_time()
    with open(path, "rb") as stream:
        for _ in read(stream, path=str(path)):
            count += 1
            if stream.tell() >= mark:
                mark += step
                print(
                    f"  {count:>8} cables  {stream.tell() / MB:7.0f} MB read  RSS {rss_mb():6.0f} MB"
                )
        rows = count
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(f"  end    RSS {rss_mb():6.0f} MB  peak {peak_rss_mb():.0f} MB")
    print(
        f"  {rows} cables in {seconds:.1f} s: {rows / seconds:.0f} cables/s, "
        f"{size / MB / seconds:.1f} MB/s (cpu {cpu:.1f} s: {rows / cpu:.0f} cables/s)"
    )


def cli(runs: int, target: Path) -> None:
    """``cablegram parse --json`` over ``target``, start-up included, ``runs`` times."""
    command = [str(Path(sys.executable).parent / "cablegram"), "parse", "--json", str(target)]
    # As installed: Python writes bytecode on the first run and loads it after
    # (this workplace sets PYTHONDONTWRITEBYTECODE, which no installation has).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, capture_output=True, check=False, env=env)  # warm-up, not counted
    print(f"$ {' '.join(command)} > /dev/null   ({runs} runs after one warm-up)")
    # CPU seconds grow with the load of a shared machine (caches, SMT): say what it was.
    print("  load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    rates, wall_rates = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False, env=env)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        count = done.stdout.count(b"\n")
        rates.append(count / cpu)
        wall_rates.append(count / seconds)
        print(
            f"  {count} cables  {seconds:6.2f} s wall {count / seconds:7.0f} cables/s  "
            f"cpu {cpu:6.2f} s {count / cpu:7.0f} cables/s  (exit {done.returncode})"
        )
    rates.sort()
    wall_rates.sort()
    print("  load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"  cables per CPU second: median {rates[len(rates) // 2]:.0f}, best {rates[-1]:.0f}")
    print(
        f"  cables per wall-clock second: median {wall_rates[len(wall_rates) // 2]:.0f}, "
        f"best {wall_rates[-1]:.0f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small run (10 MB each, 50 MB csv)")
    parser.add_argument("--no-stream", action="store_true", help="skip the large csv test")
    parser.add_argument(
        "--cli",
        nargs="?",
        const=str(DEV),
        metavar="DIR",
        help="time `cablegram parse --json DIR` (default: the dev corpus)",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of --cli (default 5)")
    args = parser.parse_args(argv)
    if args.cli:
        cli(args.runs, Path(args.cli))
        return 0
    throughput(10 * MB if args.quick else 100 * MB)
    if not args.no_stream:
        streaming(50 * MB if args.quick else 500 * MB)
    return 0


if __name__ == "__main__":
    sys.exit(main())
