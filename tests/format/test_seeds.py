"""The two seed cables parse to every field their expected.json lists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cablegram.format.parse import parse
from cablegram.model import to_dict

SEEDS = Path(__file__).resolve().parents[2] / "src" / "cablegram" / "data" / "examples" / "seeds"


def mismatches(expected: Any, got: Any, path: str = "") -> list[str]:
    """Differences, comparing only keys present in ``expected`` (lists item by item)."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {got!r}"]
        out: list[str] = []
        for key, value in expected.items():
            out += mismatches(value, got.get(key, "<missing>"), f"{path}.{key}")
        return out
    if isinstance(expected, list) and any(isinstance(e, dict) for e in expected):
        if not isinstance(got, list) or len(got) != len(expected):
            return [f"{path}: expected {len(expected)} items, got {got!r}"]
        out = []
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            out += mismatches(e, g, f"{path}[{i}]")
        return out
    return [] if expected == got else [f"{path}: expected {expected!r}, got {got!r}"]


@pytest.mark.parametrize("name", sorted(p.stem for p in SEEDS.glob("*.txt")))
def test_seed_matches_expected(name: str) -> None:
    cable = parse((SEEDS / f"{name}.txt").read_bytes())
    expected = json.loads((SEEDS / f"{name}.expected.json").read_text(encoding="utf-8"))
    assert mismatches(expected, to_dict(cable)) == []


def test_seed_text_keeps_everything_from_the_classification_line() -> None:
    raw = (SEEDS / "06ALMATY2872.txt").read_text(encoding="utf-8")
    cable = parse(raw)
    assert cable.text.startswith("S E C R E T ALMATY 002872")
    assert cable.text.rstrip().endswith("ORDWAY")
    assert "By the end of the discussion" in cable.paragraphs[3].text  # continuation kept in ¶4


def test_seed_lost_anchor_repair_is_recorded() -> None:
    cable = parse((SEEDS / "06ALMATY2872.txt").read_bytes())
    repaired = [d for d in cable.defects if d.code == "PARAGRAPH_NUMBER_REPAIRED"]
    assert [d.line for d in repaired] == [
        i + 1 for i, line in enumerate(cable.text.split("\n")) if line.startswith(("15.", "16."))
    ]
