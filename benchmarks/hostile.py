"""Hostile input: parse time per KB of adversarial texts, peak memory of bombs,
and the public reader's timing side channel.

    .venv/bin/python benchmarks/hostile.py            # all of it (a few minutes)
    .venv/bin/python benchmarks/hostile.py --quick    # smaller runs, fewer bombs

Parse time: the reproducers of issue 15 §1 at the sizes it measured, the
whole-document shapes of tests/hostile_inputs.py at 1 MB, and every field x
filler run at 256 KB (the slowest ten printed).  Each parse runs under a
``ParseGuard`` (limit 60 s), so a regression prints TIMEOUT instead of hanging.

Memory: each bomb is built in a temporary directory at run time (nothing big
is committed) and read by ``cablegram.read`` in a fresh process, whose peak
resident memory is printed against the bound that docs/limits.md states.

Timing channel: benchmarks/timing_channel.py (50,000 cables; 5,000 with
``--quick``): medians and p10/p90 of a word only hidden cables hold, an
absent word and a visible one, as the public reader (docs/access.md).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from cablegram.format.bounded import ParseGuard, ParseJob
from hostile_inputs import FIELDS, FILLERS, cable, hostile_cases, run_of

MB = 1 << 20
MEMORY_BOUND_MB = 512  # peak RSS of reading any one input (docs/limits.md)
REPRODUCERS = {
    "REF: A + ', ' x 500 (1 KB)": "REF: A" + ", " * 500 + "x",
    "REF: A. ALMATY 2549 + ', ' x 1000": "REF: A. ALMATY 2549" + ", " * 1000 + "x",
    "REF: A. ALMATY 2549 + ':' x 2000": "REF: A. ALMATY 2549" + ":" * 2000 + "x",
    "X + 20,000 blanks + ! TAGS: PREL": "X" + " " * 20000 + "! TAGS: PREL",
    "X + 40 KB of blanks + ! TAGS: PREL": "X" + " " * 40960 + "! TAGS: PREL",
    "X + 5 MB of tabs + ! TAGS: PREL": "X" + "\t" * (5 * MB) + "! TAGS: PREL",
    "X + 20,000 NBSP + ! TAGS: PREL": "X" + "\xa0" * 20000 + "! TAGS: PREL",
}


def timed(guard: ParseGuard, text: str) -> tuple[float, str]:
    started = time.perf_counter()
    ((_, result),) = list(guard.parse_many([ParseJob(text)]))
    seconds = time.perf_counter() - started
    codes = {d.code for d in getattr(result, "defects", ())}
    return seconds, "TIMEOUT" if "PARSE_TIME_LIMIT" in codes else ""


def row(name: str, text: str, guard: ParseGuard) -> tuple[float, str]:
    kb = len(text.encode("utf-8")) / 1024
    seconds, note = timed(guard, text)
    print(f"  {name:44.44s} {kb:9.0f} KB {seconds:8.3f} s {1000 * seconds / kb:8.3f} ms/KB {note}")
    return 1000 * seconds / kb, note


def parse_times(quick: bool) -> None:
    with ParseGuard(60) as guard:
        guard.parse("UNCLAS ALMATY 001703\n\nTAGS: PREL\n")
        print("Parse time, issue 15 reproducers:")
        for name, text in REPRODUCERS.items():
            row(name, text, guard)
        size = (256 if quick else 1024) * 1024
        print(f"\nParse time, whole-document shapes ({size // 1024} KB):")
        for name, text in hostile_cases(size):
            if not name.startswith(tuple(f"{f}/" for f in FIELDS)):
                row(name, text, guard)
        size = (32 if quick else 256) * 1024
        print(f"\nParse time, a run in every field ({len(FIELDS)} fields x {len(FILLERS)} "
              f"fillers x 2, {size // 1024} KB), the slowest ten:")  # fmt: skip
        results = []
        for field in FIELDS:
            for name, filler in FILLERS.items():
                for cut in (False, True):
                    text = cable(field, run_of(filler, size), cut=cut)
                    kb = len(text.encode()) / 1024
                    seconds, note = timed(guard, text)
                    label = f"{field}/{name}{'/cut' if cut else ''}"
                    results.append((1000 * seconds / kb, label, kb, seconds, note))
        for per_kb, label, kb, seconds, note in sorted(results, reverse=True)[:10]:
            print(f"  {label:44.44s} {kb:9.0f} KB {seconds:8.3f} s {per_kb:8.3f} ms/KB {note}")
        median = sorted(r[0] for r in results)[len(results) // 2]
        print(f"  median of all {len(results)}: {median:.3f} ms/KB")


# -- bombs --
_READER = """
import json, resource, sys
from cablegram import read
errors = []
src = sys.argv[1]
if src == "-":
    src = sys.stdin.buffer
n = sum(1 for _ in read(src, path="<stdin>" if src is sys.stdin.buffer else None,
                        on_error=errors.append))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"cables": n, "errors": [str(e)[:110] for e in errors], "peak_mb": peak}))
"""


def _zip_bomb(path: Path, size: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("bomb.txt", "w") as m:
        for _ in range(size // MB):
            m.write(b" " * MB)


def _gzip_bomb(path: Path, size: int, byte: bytes) -> None:
    with gzip.open(path, "wb", compresslevel=9) as f:
        for _ in range(size // MB):
            f.write(byte * MB)


def _nested_gzip(path: Path, depth: int) -> None:
    data = b"UNCLAS ALMATY 001703\n\nTAGS: PREL\n\n1. Text.\n"
    for _ in range(depth):
        data = gzip.compress(data, 1)
    path.write_bytes(data)


def _read_in_child(target: str, stdin: object = None) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _READER, target], stdin=stdin, capture_output=True, check=True
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def bombs(quick: bool) -> None:
    big = (256 if quick else 1024) * MB
    print(f"\nPeak memory reading bombs (bound {MEMORY_BOUND_MB} MB, each in a fresh process):")
    with tempfile.TemporaryDirectory(prefix="cablegram-bombs-") as tmp:
        root = Path(tmp)
        cases: list[tuple[str, str, object]] = []
        _zip_bomb(root / "spaces.zip", big)
        cases.append((f"zip bomb ({big // MB} MB of blanks)", str(root / "spaces.zip"), None))
        _gzip_bomb(root / "zeros.gz", big, b"\0")
        cases.append((f"gzip bomb ({big // MB} MB of zeros)", str(root / "zeros.gz"), None))
        _gzip_bomb(root / "spaces.gz", big, b" ")
        cases.append((f"gzip bomb ({big // MB} MB of blanks)", str(root / "spaces.gz"), None))
        _nested_gzip(root / "deep.gz", 2000)
        cases.append(("gzip nested 2,000 deep", str(root / "deep.gz"), None))
        sparse = root / "sparse.txt"
        with open(sparse, "wb") as f:
            f.truncate(2 << 30)
        cases.append(("2 GB sparse file", str(sparse), None))
        cases.append(("/dev/zero", "/dev/zero", None))
        with open(root / "text.txt", "wb") as f:  # a document of text past the limit
            for _ in range(96):
                f.write(b"UNCLAS ALMATY 001703 TAGS: PREL " * (MB // 32))
        cases.append(("96 MB text document", str(root / "text.txt"), None))
        for name, target, _ in cases:
            sizes = os.path.getsize(target) if os.path.isfile(target) else 0
            result = _read_in_child(target)
            peak = float(result["peak_mb"])  # type: ignore[arg-type]
            verdict = "ok" if peak <= MEMORY_BOUND_MB else "OVER THE BOUND"
            errors = result["errors"] or ["-"]
            print(f"  {name:32s} file {sizes / MB:8.1f} MB  peak {peak:6.0f} MB  {verdict}"
                  f"  -> {errors[0]}")  # fmt: skip
        zeros = 3 << 30 if not quick else 512 * MB
        with subprocess.Popen(["head", "-c", str(zeros), "/dev/zero"], stdout=subprocess.PIPE) as p:
            result = _read_in_child("-", stdin=p.stdout)
        peak = float(result["peak_mb"])  # type: ignore[arg-type]
        verdict = "ok" if peak <= MEMORY_BOUND_MB else "OVER THE BOUND"
        print(
            f"  {f'{zeros // MB} MB of zeros on stdin':32s} file      -     peak {peak:6.0f} MB"
            f"  {verdict}  -> {(result['errors'] or ['-'])[0]}"
        )  # type: ignore[index]


def timing_channel(quick: bool) -> None:
    """The public reader's cost of a word only hidden cables hold, against an
    absent word (issue 15 §6): benchmarks/timing_channel.py, whose archive is
    kept in its work folder between runs."""
    print("\ntiming side channel (benchmarks/timing_channel.py):", flush=True)
    size = ["--count", "5000", "--rounds", "100"] if quick else ["--count", "50000"]
    script = Path(__file__).with_name("timing_channel.py")
    subprocess.run([sys.executable, str(script), *size], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    args = parser.parse_args()
    parse_times(args.quick)
    bombs(args.quick)
    timing_channel(args.quick)


if __name__ == "__main__":
    main()
