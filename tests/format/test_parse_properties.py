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
