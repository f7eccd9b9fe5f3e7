"""parse never raises anything but NotACableError, on any text or mutated real cables."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablegram.format.parse import parse
from cablegram.model import Cable, NotACableError

SEEDS = Path(__file__).resolve().parents[2] / "src" / "cablegram" / "data" / "examples" / "seeds"
SEED_LINES = [p.read_text(encoding="utf-8").split("\n") for p in sorted(SEEDS.glob("*.txt"))]


def _parse_or_not_a_cable(text: str | bytes) -> Cable | None:
    try:
        return parse(text)
    except NotACableError:
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=2000), st.binary(max_size=2000)))
def test_arbitrary_input_is_a_cable_or_not_a_cable(data: str | bytes) -> None:
    _parse_or_not_a_cable(data)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.sampled_from(range(len(SEED_LINES))),
    ops=st.lists(
        st.tuples(
            st.sampled_from(["delete", "duplicate", "truncate", "insert"]),
            st.integers(0, 10_000),
            st.text(max_size=40),
        ),
        max_size=12,
    ),
)
def test_mutated_real_cables_still_parse(seed: int, ops: list[tuple[str, int, str]]) -> None:
    lines = list(SEED_LINES[seed])
    for op, where, junk in ops:
        if not lines:
            break
        i = where % len(lines)
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "truncate":
            lines[i] = lines[i][: where % (len(lines[i]) + 1)]
        else:
            lines.insert(i, junk)
    cable = _parse_or_not_a_cable("\n".join(lines))
    if cable is not None:
        assert all(d.code.isupper() for d in cable.defects)


def test_not_a_cable_inputs_raise() -> None:
    for data in ("", "   \n\n", b"\x00\x01\x02binary", "Dear John,\nthanks for lunch.\nBest, Mary"):
        try:
            parse(data)
        except NotACableError:
            continue
        raise AssertionError(f"{data!r} parsed as a cable")


def test_trailing_blank_test_knows_every_blank() -> None:
    """normalize skips the strip of each line when _may_trail says no line ends in
    a blank: its list must hold every blank but the space, tab and line end."""
    from cablegram.format.parse.normalize import _OTHER_BLANKS

    blanks = {chr(c) for c in range(0x110000) if chr(c).isspace()} - {" ", "\t", "\n"}
    assert blanks == set(_OTHER_BLANKS)


@given(st.lists(st.sampled_from(["a", " ", "\u2003", "\x0c", "b\n", "\n", "\x85", "\t", "¶1. x"])))
def test_normalized_lines_never_end_in_a_blank(pieces: list[str]) -> None:
    from cablegram.format.parse.normalize import normalize

    assert all(line == line.rstrip() for line in normalize("".join(pieces)))


_SPLIT_PIECES = [
    "SUBJECT:",
    "subj :",
    "E.O. 12958",
    "e. o. 13526",
    "EO 12345",
    "TAGS:",
    "REFTEL:",
    "refs :",
    "Classified  By",
    "¶",
    "SIPDIS",
    "x",
    " ",
    "o.",
    "eo",
    ":",
]


@given(st.lists(st.sampled_from(_SPLIT_PIECES), max_size=8))
def test_may_split_shortcut_is_the_pattern(pieces: list[str]) -> None:
    from cablegram.format.parse.normalize import _MAY_SPLIT, _may_split

    line = "".join(pieces)
    assert _may_split(line) == (_MAY_SPLIT.search(line, 1) is not None)
