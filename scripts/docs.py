"""Docs that run: every console example of README.md and docs/*.md, run and checked.

    .venv/bin/python scripts/docs.py                  # run them all, show every drift
    .venv/bin/python scripts/docs.py --write          # rewrite the shown output from the real one
    .venv/bin/python scripts/docs.py docs/access.md   # only some files

``tests/docs/test_docs.py`` runs the same checks in the test suite (so CI fails
on drift); this script is how a writer regenerates the shown output.

**The convention.**  A fenced block whose info string is ``console`` is run:
each line starting with ``$ `` is a command (a line ending in ``\\`` goes on
to the next), the lines after it up to the next command are what it prints
(standard output and error, interleaved as a terminal shows them)::

    ```console
    $ cablegram search detainees --limit 0
    35 cables match
    ```

* An output line that is just ``...`` stands for any number of lines: what
  comes before it must begin the output, what comes after it must end it
  (``--write`` keeps as many lines on each side).  Prefer a real filter
  (``| head -n 5``) when it reads as well: then the reader sees what runs.
* The blocks of one file are one session, run in order in a fresh folder:
  a later block sees the files an earlier one made (``cablegram demo
  --no-serve`` makes ``cablegram.sqlite``, which later blocks search).  The
  folder looks like a checkout with the corpus beside it: ``src/`` and
  ``docs/`` are this checkout's, ``../shared/corpus`` the real cables
  (``$CABLEGRAM_CORPUS``, else ``../shared/corpus`` beside the checkout), and
  ``cablegram`` on the ``PATH`` runs this checkout's code.
* A block that names ``../shared/corpus`` is skipped, saying so, when the
  corpus is absent.  So a block that uses an archive built from the corpus
  names the corpus itself (ingest and search in one block).
* A block that must not run is marked, on the line before its fence, with the
  reason: ``<!-- docs: not run — serves until stopped -->``.  Use it for what
  cannot run here (a server that runs until Ctrl-C, a 250,000-cable benchmark
  archive), never to hide drift.  Any other block of these files that holds a
  ``cablegram`` command is an error: an example that nobody runs drifts.

**What is compared.**  Lines are compared with trailing blanks removed and
blank lines at the end dropped, after these normalisations (on both sides):

* ``<NOW>``: a moment a command ran (ISO 8601 with a ``+00:00`` offset: the
  audit log, accounts' created/updated).  Cable dates are written with ``Z``
  and compared as they are.  Commands that take a day (``declass decide``,
  ``declass due``) are given one with ``--on`` in the docs.
* ``<SECONDS>``: durations (``in 3.6s``, ``"seconds": 3.61``) and ``<RATE>``:
  rates (``(559/s)``), which vary from run to run.
* ``<SANDBOX>``: the session's temporary folder, should a path in it be printed.

``--write`` writes the real output as it is (not normalised), so the docs show
real figures; rerun it after a change to the commands' output and review the
diff.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 900  # seconds for one command (cablegram demo, an ingest of the dev corpus)
CORPUS_NAME = "../shared/corpus"
LINKED = ("src", "docs")  # the checkout's folders a session sees
NOT_RUN = re.compile(r"^<!--\s*docs:\s*not run\s*[—–-]+\s*(?P<reason>\S.*?)\s*-->$")
FENCE = re.compile(r"^(?P<fence>`{3,})(?P<info>.*)$")
# A cablegram command in a code block (run, or marked as not run).
COMMAND = re.compile(r"(?:^|[\s;&|(])(?:\S*/)?cablegram(?:\s+-[-\w]+)*\s+[a-z][a-z-]*\b")
SHELL_INFOS = {"", "text", "sh", "bash", "shell", "console"}
NORMALISE = (
    (re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?\+00:00"), "<NOW>"),
    (re.compile(r"(?<=\bin )\d+(?:\.\d+)?s\b"), "<SECONDS>s"),
    (re.compile(r'(?<="seconds": )\d+(?:\.\d+)?'), "<SECONDS>"),
    (re.compile(r"\(\d+(?:\.\d+)?/s\)"), "(<RATE>/s)"),
)


class DocsError(Exception):
    """A doc breaks the convention (an unrun example, output before a command...)."""


@dataclass
class Command:
    line: int  # 1-based line of its ``$`` in the file
    text: str  # the command, continuation lines joined as written
    shown: list[str]  # the output the doc shows
    output_at: tuple[int, int]  # the shown output's lines in the file (0-based, end excluded)


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    commands: list[Command] = field(default_factory=list)

    @property
    def needs_corpus(self) -> bool:
        return any(CORPUS_NAME in c.text for c in self.commands)

    @property
    def name(self) -> str:
        return f"{shown_path(self.path)}:{self.line}"


def shown_path(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def doc_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def corpus_root() -> Path | None:
    """The real cables, where the tests look for them (tests/conftest.py)."""
    env = os.environ.get("CABLEGRAM_CORPUS")
    root = Path(env) if env else REPO.parent / "shared" / "corpus"
    return root if root.is_dir() else None


def _fenced(lines: list[str]) -> Iterator[tuple[int, int, str]]:
    """(opening line, closing line, info string) of each fenced block (0-based)."""
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m:
            end = next((j for j in range(i + 1, len(lines))
                        if lines[j].startswith(m["fence"]) and not lines[j].strip("`")), None)  # fmt: skip
            if end is None:
                raise DocsError(f"line {i + 1}: the code block is never closed")
            yield i, end, m["info"].strip()
            i = end + 1
        else:
            i += 1


def _commands(lines: list[str], start: int, end: int, where: str) -> list[Command]:
    commands: list[Command] = []
    i = start + 1
    while i < end:
        line = lines[i]
        if line.startswith("$ "):
            first = i
            text = [line[2:]]
            while text[-1].endswith("\\") and i + 1 < end:
                i += 1
                text.append(lines[i])
            out_start = i + 1
            i += 1
            while i < end and not lines[i].startswith("$ "):
                i += 1
            shown = [s.rstrip() for s in lines[out_start:i]]
            while shown and not shown[-1]:
                shown.pop()
            if sum(s == "..." for s in shown) > 1:
                raise DocsError(f"{where}:{first + 1}: '...' may stand once in an output")
            commands.append(Command(first + 1, "\n".join(text), shown, (out_start, i)))
        elif not commands and line.strip():
            raise DocsError(f"{where}:{i + 1}: a console block starts with a '$ ' command")
        else:
            i += 1
    return commands


def parse_doc(path: Path) -> list[Block]:
    """The console blocks of a doc, in order; raises DocsError for an example
    in another block that is not marked as not run."""
    lines = path.read_text(encoding="utf-8").split("\n")
    where = shown_path(path)
    blocks: list[Block] = []
    for start, end, info in _fenced(lines):
        before = next((lines[j].strip() for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        if NOT_RUN.match(before):
            continue
        if info == "console":
            blocks.append(Block(path, start + 1, _commands(lines, start, end, where)))
            continue
        if info.split()[0:1] and info.split()[0] not in SHELL_INFOS:
            continue  # python, json, csv ...: not commands
        for j in range(start + 1, end):
            if COMMAND.search(lines[j].removeprefix("$ ")):
                raise DocsError(
                    f"{where}:{j + 1}: a cablegram example outside a console block "
                    f"(make the block ```console, or mark it <!-- docs: not run — why -->): "
                    f"{lines[j].strip()}"
                )
    return blocks


def normalise(lines: list[str], sandbox: str | None = None) -> list[str]:
    out = []
    for line in lines:
        if sandbox:
            line = line.replace(sandbox, "<SANDBOX>")
        for pattern, replacement in NORMALISE:
            line = pattern.sub(replacement, line)
        out.append(line.rstrip())
    while out and not out[-1]:
        out.pop()
    return out


def matches(shown: list[str], actual: list[str]) -> bool:
    """Whether the (normalised) actual output is what the doc shows."""
    if "..." not in shown:
        return shown == actual
    cut = shown.index("...")
    head, tail = shown[:cut], shown[cut + 1 :]
    return (len(actual) >= len(head) + len(tail) and actual[: len(head)] == head
            and actual[len(actual) - len(tail) :] == tail)  # fmt: skip


def rewritten(shown: list[str], actual: list[str]) -> list[str]:
    """What the doc should show: the real output, cut as the doc cuts it."""
    if "..." not in shown:
        return actual
    cut = shown.index("...")
    head, tail = len(shown[:cut]), len(shown[cut + 1 :])
    if len(actual) <= head + tail:
        return actual
    return [*actual[:head], "...", *actual[len(actual) - tail :]]


@dataclass
class Result:
    command: Command
    actual: list[str]  # as printed (trailing blanks removed)
    sandbox: str

    @property
    def ok(self) -> bool:
        return matches(normalise(self.command.shown), normalise(self.actual, self.sandbox))

    def diff(self) -> str:
        return "\n".join(difflib.unified_diff(
            normalise(self.command.shown), normalise(self.actual, self.sandbox),
            "shown", "printed", lineterm="", n=2,
        ))  # fmt: skip


@dataclass
class BlockRun:
    block: Block
    skipped: str | None = None  # why the block did not run
    results: list[Result] = field(default_factory=list)


class Session:
    """A fresh folder laid out like a checkout, where one doc's blocks run."""

    def __init__(self, corpus: Path | None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cablegram-docs-"))
        self.cwd = self.root / "cablegram"
        self.cwd.mkdir()
        for name in LINKED:
            (self.cwd / name).symlink_to(REPO / name)
        if corpus is not None:
            (self.root / "shared").mkdir()
            (self.root / "shared" / "corpus").symlink_to(corpus)
        bin_dir = self.root / "bin"
        bin_dir.mkdir()
        shim = bin_dir / "cablegram"
        shim.write_text(
            "#!/bin/sh\n"
            f'exec "{sys.executable}" -c "import sys; from cablegram.cli import main; '
            'main(prog_name=\'cablegram\')" "$@"\n'
        )
        shim.chmod(0o755)
        keep = {k: v for k, v in os.environ.items() if not k.startswith("CABLEGRAM_")}
        self.env = {
            **keep, "PATH": f"{bin_dir}{os.pathsep}{keep.get('PATH', '')}",
            "PYTHONPATH": str(REPO / "src"), "HOME": str(self.root), "COLUMNS": "120",
            "NO_COLOR": "1", "TERM": "dumb", "TZ": "UTC", "LC_ALL": "C.UTF-8",
        }  # fmt: skip

    def run(self, command: str) -> list[str]:
        done = subprocess.run(
            ["bash", "-c", command], cwd=self.cwd, env=self.env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, timeout=TIMEOUT, check=False,
        )  # fmt: skip
        text = done.stdout.decode("utf-8", errors="replace")
        return normalise_end([line.rstrip() for line in text.split("\n")])

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def normalise_end(lines: list[str]) -> list[str]:
    while lines and not lines[-1]:
        lines.pop()
    return lines


FIND_CORPUS = Path("<find the corpus>")


def run_doc(path: Path, corpus: Path | None = FIND_CORPUS) -> list[BlockRun]:
    """Run every console block of ``path`` in one session (``corpus=None``: as
    if the corpus were absent)."""
    corpus = corpus_root() if corpus == FIND_CORPUS else corpus
    session = Session(corpus)
    runs = []
    try:
        for block in parse_doc(path):
            if block.needs_corpus and corpus is None:
                runs.append(BlockRun(block, f"it names {CORPUS_NAME}, which is absent here "
                                            "(set CABLEGRAM_CORPUS)"))  # fmt: skip
                continue
            run = BlockRun(block)
            for command in block.commands:
                actual = session.run(command.text)
                bad = [line for line in actual if line.startswith("$ ")]
                if bad:
                    raise DocsError(f"{block.name}: output line reads as a command: {bad[0]}")
                run.results.append(Result(command, actual, str(session.root)))
            runs.append(run)
    finally:
        session.close()
    return runs


@cache
def cached_run(path: Path) -> list[BlockRun]:
    """``run_doc`` once per file (the tests ask for each block in turn)."""
    return run_doc(path)


def write(path: Path, runs: list[BlockRun]) -> int:
    """Rewrite the shown output of every command that drifted; returns how many."""
    lines = path.read_text(encoding="utf-8").split("\n")
    changed = [r for run in runs for r in run.results if not r.ok]
    for result in sorted(changed, key=lambda r: r.command.line, reverse=True):
        start, end = result.command.output_at
        new = rewritten(normalise(result.command.shown), result.actual)
        region = lines[start:end]
        blank = len(region) - len(normalise_end(list(region)))  # the gap before the next $
        lines[start:end] = [*new, *[""] * blank]
    if changed:
        path.write_text("\n".join(lines), encoding="utf-8")
    return len(changed)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("files", nargs="*", help="Docs to run (default: README.md and docs/*.md).")
    ap.add_argument("--write", action="store_true", help="Rewrite the shown output.")
    args = ap.parse_args()
    files = [Path(f).resolve() for f in args.files] or doc_files()
    drift = 0
    for path in files:
        runs = run_doc(path)
        for run in runs:
            if run.skipped:
                print(f"{run.block.name}: skipped: {run.skipped}")
            for result in run.results:
                if not result.ok:
                    drift += 1
                    where = f"{shown_path(path)}:{result.command.line}"
                    print(f"{where}: $ {result.command.text}\n{result.diff()}\n")
        if args.write:
            n = write(path, runs)
            if n:
                print(f"{shown_path(path)}: {n} outputs rewritten")
        commands = sum(len(run.results) for run in runs)
        print(f"{shown_path(path)}: {commands} commands run")
    if drift and not args.write:
        print(f"{drift} outputs differ from the docs: run scripts/docs.py --write and "
              "review the diff")  # fmt: skip
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
