"""Parsing time is linear: adversarial runs in every field, the reproducers of
issue 15, and a bounded fuzz run over mutations of real dev cables.

Each parse runs under :class:`ParseGuard` so that a regression fails the test
(its document comes back with a ``PARSE_TIME_LIMIT`` defect) instead of hanging
the suite.  The bounds are complexity checks, generous for a loaded machine:
linear parsing reads a KB in well under a millisecond, a quadratic pattern
takes seconds on these sizes and a cubic one minutes.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablegram.format.bounded import ParseGuard, ParseJob, parse_bounded
from cablegram.format.parse import parse
from cablegram.model import Cable, NotACableError
from hostile_inputs import FIELDS, FILLERS, cable, hostile_cases, run_of

# 10 s per MB: linear code is 10-50 times faster on an idle machine (a run of
# tabs, 8 blanks each, the slowest), and still several times on a loaded one;
# a quadratic pattern takes minutes per MB, a cubic one hours.
MS_PER_KB = 10.0
FLOOR = 2.0  # seconds any document may take (a loaded machine, a garbage collection)
LIMIT = 90.0  # the guard's limit: past it the parse is taken as hanging


@pytest.fixture(scope="module")
def guard() -> ParseGuard:
    with ParseGuard(LIMIT) as g:
        g.parse("UNCLAS ALMATY 001703\n\nTAGS: PREL\n")  # vocabularies loaded before timing
        yield g


def timed(guard: ParseGuard, text: str) -> tuple[float, Cable | Exception]:
    started = time.perf_counter()
    ((_, result),) = list(guard.parse_many([ParseJob(text)]))
    return time.perf_counter() - started, result


def assert_linear(guard: ParseGuard, name: str, text: str) -> None:
    seconds, result = timed(guard, text)
    kb = len(text.encode("utf-8")) / 1024
    assert not isinstance(result, RuntimeError), f"{name}: {result}"
    if isinstance(result, Cable):
        assert "PARSE_TIME_LIMIT" not in {d.code for d in result.defects}, f"{name}: hangs"
    assert seconds <= FLOOR + MS_PER_KB * kb / 1000, (
        f"{name}: {seconds:.2f} s for {kb:.0f} KB ({1000 * seconds / kb:.2f} ms/KB)"
    )


@pytest.mark.parametrize("field", list(FIELDS))
def test_runs_in_every_field_parse_in_linear_time(guard: ParseGuard, field: str) -> None:
    for name, filler in FILLERS.items():
        for cut in (False, True):
            text = cable(field, run_of(filler, 32 * 1024), cut=cut)
            assert_linear(guard, f"{field}/{name}{'/cut' if cut else ''}", text)


@pytest.mark.parametrize(
    "name", [n for n, _ in hostile_cases(16) if not n.startswith(tuple(f"{f}/" for f in FIELDS))]
)
def test_whole_document_shapes_of_a_megabyte_parse_in_linear_time(
    guard: ParseGuard, name: str
) -> None:
    text = dict(hostile_cases(1 << 20))[name]
    assert_linear(guard, name, text)


# The reproducers of issue 15 §1, at the sizes it measured (6.6 s, 49 s, 40 s,
# 24 s, over 120 s, over 150 s before the patterns were made linear).
REPRODUCERS = {
    "ref-commas-1kb": "REF: A" + ", " * 500 + "x",
    "ref-almaty-commas": "REF: A. ALMATY 2549" + ", " * 1000 + "x",
    "ref-colons": "REF: A. ALMATY 2549" + ":" * 2000 + "x",
    "blanks-20k": "X" + " " * 20000 + "! TAGS: PREL",
    "blanks-40k": "X" + " " * 40000 + "! TAGS: PREL",
    "tabs-5mb": "X" + "\t" * (5 << 20) + "! TAGS: PREL",
    "nbsp-20k": "X" + "\xa0" * 20000 + "! TAGS: PREL",
}


@pytest.mark.parametrize("name", list(REPRODUCERS))
def test_issue_reproducers_parse_in_linear_time(guard: ParseGuard, name: str) -> None:
    assert_linear(guard, name, REPRODUCERS[name])


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    field=st.sampled_from(list(FIELDS)),
    filler=st.sampled_from(list(FILLERS.values())),
    size=st.integers(1, 256 * 1024),
    where=st.sampled_from(["in", "end", "twice", "cut"]),
)
def test_adversarial_runs_property(field: str, filler: str, size: int, where: str) -> None:
    run = run_of(filler, size)
    if where == "end":
        text = cable() + FIELDS[field].format(run)
    elif where == "cut":
        text = cable(field, run, cut=True)
    elif where == "twice":
        text = cable(field, run + "x" + run)
    else:
        text = cable(field, run)
    with ParseGuard(LIMIT) as g:
        g.parse("UNCLAS ALMATY 001703\n\nTAGS: PREL\n")
        assert_linear(g, f"{field}/{filler!r}/{size}/{where}", text)


# -- a bounded fuzz run over mutations of real cables --
def _dev_texts() -> list[str]:
    root = Path(os.environ.get("CABLEGRAM_CORPUS", Path(__file__).parents[3] / "shared/corpus"))
    files = sorted((root / "dev").glob("*/*.txt")) if (root / "dev").is_dir() else []
    seeds = sorted((Path(__file__).parents[2] / "src/cablegram/data/examples/seeds").glob("*.txt"))
    picked = random.Random(15).sample(files, min(40, len(files))) + seeds
    return [p.read_text(encoding="utf-8", errors="replace") for p in picked]


DEV_TEXTS = _dev_texts()
parse(DEV_TEXTS[0])  # the vocabularies are loaded before any parse is timed
NASTY = [" ", "\t", "\xa0", ",", ":", ";", ".", "-", "(", "¶", "A. ", "&#xA;", "\r", "\x00"]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    pick=st.integers(0, len(DEV_TEXTS) - 1),
    ops=st.lists(
        st.tuples(
            st.sampled_from(["insert", "repeat", "delete", "swap", "run"]),
            st.integers(0, 1 << 20),
            st.integers(1, 4000),
            st.sampled_from(NASTY),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_fuzz_mutated_dev_cables(pick: int, ops: list[tuple[str, int, int, str]]) -> None:
    text = DEV_TEXTS[pick]
    for op, at, n, junk in ops:
        i = at % (len(text) + 1)
        if op == "insert":
            text = text[:i] + junk + text[i:]
        elif op == "repeat":
            text = text[:i] + text[i : i + 40] * min(n, 200) + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + n :]
        elif op == "swap":
            j = (at * 7919) % (len(text) + 1)
            text = text[:i] + text[j : j + n] + text[i:j] if i < j else text
        else:
            text = text[:i] + junk * n + text[i:]
    started = time.perf_counter()
    with contextlib.suppress(NotACableError):
        parse(text)
    seconds = time.perf_counter() - started
    assert seconds <= FLOOR + MS_PER_KB * len(text.encode()) / 1024 / 1000


# -- the time limit itself --
def test_a_parse_over_the_limit_keeps_the_text_with_a_defect() -> None:
    # A limit no parse can meet stands for a parse that hangs.
    text = cable("body", run_of("the quick brown fox. ", 1 << 20))
    result = parse_bounded(text, seconds=0.0001)
    assert result.text == text
    assert [d.code for d in result.defects] == ["PARSE_TIME_LIMIT"]
    # The next document is parsed by a fresh child, in time.
    again = parse_bounded("UNCLAS ALMATY 001703\n\nTAGS: PREL\n\n1. Text.\n", seconds=LIMIT)
    assert again.tags == ("PREL",) and again.paragraphs[0].text == "Text."


def test_bounded_parse_raises_not_a_cable_as_parse_does() -> None:
    with pytest.raises(NotACableError):
        parse_bounded("just some words", seconds=LIMIT)


def test_the_guard_goes_on_after_a_document_over_the_limit() -> None:
    slow = ParseJob(cable("body", run_of("the quick brown fox. ", 1 << 20)))
    fine = ParseJob("UNCLAS ALMATY 001703\n\nTAGS: PREL\n\n1. Text.\n")
    with ParseGuard(0.0001) as g:
        first = list(g.parse_many([slow]))
        g.seconds = LIMIT
        rest = list(g.parse_many([fine, fine]))
    assert first[0][1].defects[-1].code == "PARSE_TIME_LIMIT"
    assert [r.tags for _, r in rest] == [("PREL",), ("PREL",)]


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":  # a zombie: it ended
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_the_parse_process_dies_with_the_process_that_started_it() -> None:
    import signal
    import subprocess
    import sys

    # A parent that starts its parse process, says its pid, then waits to be killed.
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from cablegram.format.bounded import ParseGuard\n"
         "g = ParseGuard(60); g.parse('UNCLAS X 001\\n\\nTAGS: X\\n')\n"
         "print(g._process.pid, flush=True); time.sleep(600)\n"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert not _gone(child, 0.2)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert _gone(child, 10), "the parse process outlived its parent"


def test_a_parse_process_whose_parent_is_already_gone_ends_at_once() -> None:
    import subprocess
    import sys

    from cablegram.format.bounded import _CHILD_COMMAND

    # The parent's pid it is given is not its parent's: the parent died before the
    # child could ask to die with it, and the child must not wait on its pipe.
    jobs_read, jobs_write = os.pipe()
    results_read, results_write = os.pipe()
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD_COMMAND, str(jobs_read), str(results_write), "1"],
            pass_fds=(jobs_read, results_write),
        )
        assert child.wait(timeout=30) == 0
    finally:
        for fd in (jobs_read, jobs_write, results_read, results_write):
            os.close(fd)
