"""parse(render(c)) gives c back: for generated cables, synthetic ones and every real cable.

Compared: the whole schema JSON of the cable except ``text`` (the rendered
text is a new text), ``source`` and ``defects`` (facts about where a text was
read from, not about the cable).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from cablegram.format.parse import parse
from cablegram.format.reader import read
from cablegram.format.render import render
from cablegram.format.synth import synth_cables
from cablegram.lexicon import data_path
from cablegram.model import Cable, Classification, ClassifiedBy, Paragraph

# tests/ is not a package: make its shared strategies importable however pytest runs.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from strategies import cables

SEEDS = Path(data_path("examples")) / "seeds"
NOT_COMPARED = ("text", "source", "defects")


def fields(cable: Cable) -> dict[str, Any]:
    d = cable.to_dict()
    for key in NOT_COMPARED:
        d.pop(key)
    return d


def diff(a: Cable, b: Cable) -> dict[str, tuple[Any, Any]]:
    fa, fb = fields(a), fields(b)
    return {k: (fa[k], fb[k]) for k in fa if fa[k] != fb[k]}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cables())
def test_generated_cables_round_trip(cable: Cable) -> None:
    assert diff(cable, parse(render(cable))) == {}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cables())
def test_wrapped_rendering_reads_back_the_same(cable: Cable) -> None:
    text = render(cable, width=69)
    assert max(len(line) for line in text.splitlines()) <= 69 or "TAGS" in text
    assert diff(cable, parse(text)) == {}


def test_synthetic_cables_round_trip() -> None:
    for cable in synth_cables(150, seed=11):
        assert diff(cable, parse(render(cable))) == {}, cable.id


@pytest.mark.parametrize("name", ["06ALMATY1703", "06ALMATY2872"])
def test_seed_rerendered_reads_back_the_same(name: str) -> None:
    first = parse((SEEDS / f"{name}.txt").read_bytes())
    again = parse(render(first, defaults=False), source=first.source)
    assert diff(first, again) == {}


def test_dev_corpus_rerendered_reads_back_the_same(corpus: Path) -> None:
    """Every real cable, rendered without invented defaults, parses back unchanged."""
    changed: dict[str, list[str]] = {}
    cables_read = list(read(corpus / "dev", on_error=lambda error: None))
    for cable in cables_read:
        again = parse(render(cable, defaults=False), source=cable.source)
        d = diff(cable, again)
        if d:
            changed[f"{cable.source.path}"] = sorted(d)
    assert len(cables_read) > 800
    assert changed == {}


def test_default_envelope_restates_the_cable(corpus: Path) -> None:
    """A seed stripped of its header gets one back from its own fields: the same
    originator RI (from the lexicon), serial, filing time, security line and DTG;
    only the channel and relay routing are the defaults."""
    for cable in read(corpus / "seeds", on_error=lambda error: None):
        assert cable.header is not None and cable.from_ is not None
        bare = replace(cable, header=None, from_=replace(cable.from_, routing_indicator=None))
        again = parse(render(bare), source=cable.source)
        assert list(diff(cable, again)) == ["header"]
        assert again.header is not None and again.header.relay is not None
        assert again.header.start_of_message == "VZCZCXYZ0000"
        assert again.header.relay.routing_indicators == ("RUEHWEB",)
        keep = ("originator", "station_serial", "filed", "security", "dtg")
        assert [getattr(again.header, k) for k in keep] == [getattr(cable.header, k) for k in keep]


# Canonical text that once did not read back as rendered: each test states the
# input and the expected reading.


def test_classified_by_long_title_is_split_from_the_name() -> None:
    cable = next(iter(synth_cables(1, seed=0)))
    cb = ClassifiedBy(
        "Barbara Taylor",
        "Deputy Chief of Mission",
        ("1.4(b)", "1.4(d)"),
        "Classified By: Deputy Chief of Mission Barbara Taylor, reasons 1.4 (b) and (d).",
    )
    cable = replace(cable, classification=Classification.SECRET, classified_by=cb)
    assert parse(render(cable)).classified_by == cb


def test_unnumbered_paragraph_keeps_its_portion_mark() -> None:
    cable = next(iter(synth_cables(1, seed=0)))
    para = Paragraph("Per reftel, the Ambassador queried the MFA.", None, "SBU")
    cable = replace(cable, classification=Classification.UNCLASSIFIED, paragraphs=(para,))
    assert parse(render(cable)).paragraphs == (para,)


def test_signals_and_notices_survive_rendering(corpus: Path) -> None:
    """FL5 operating signals (ZDK, ZEL) and correction notices are written and read back."""
    seen = {"signals": 0, "notices": 0}
    for cable in read(corpus / "dev", on_error=lambda error: None):
        signals = cable.header.signals if cable.header else None
        if not signals and not cable.notices:
            continue
        text = render(cable, defaults=False)
        if signals:
            seen["signals"] += 1
            assert f"{cable.header.dtg} {signals}" in text  # type: ignore[union-attr]
        for notice in cable.notices:
            seen["notices"] += 1
            assert f"\n{notice}\n" in text
        again = parse(text, source=cable.source)
        assert (again.header, again.notices) == (cable.header, cable.notices)
    assert seen["signals"] >= 6 and seen["notices"] >= 10, seen


def test_trailer_and_unrecognized_head_lines_are_written_back(corpus: Path) -> None:
    """Text the model holds outside its elements is rendered, so no text is lost."""
    seen = 0
    for cable in read(corpus / "dev", on_error=lambda error: None):
        if not (cable.classification_trailer or cable.unrecognized_head_lines):
            continue
        seen += 1
        text = render(cable, defaults=False)
        again = parse(text, source=cable.source)
        assert diff(cable, again) == {}, cable.source.path
        for line in cable.unrecognized_head_lines:
            assert line in text.split("\n"), (cable.source.path, line)
        if cable.classification_trailer:
            trailer = " " + cable.classification_trailer
            assert any(ln.endswith(trailer) for ln in text.split("\n")), cable.source.path
    assert seen >= 10


def test_built_cable_with_trailer_and_unplaced_lines_round_trips() -> None:
    built = replace(
        parse((SEEDS / "06ALMATY2872.txt").read_bytes()),
        classification_trailer="TOSEC 010203",
        unrecognized_head_lines=("QUICK MANEUVERS ON THE CRISIS", "(U)"),
    )
    again = parse(render(built, defaults=False))
    assert again.classification_trailer == "TOSEC 010203"
    assert again.unrecognized_head_lines == ("QUICK MANEUVERS ON THE CRISIS", "(U)")
    assert diff(built, again) == {}
