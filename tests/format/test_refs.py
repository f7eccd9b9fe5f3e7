"""REF blocks in the forms seen in practice (FORMAT §3.9)."""

from __future__ import annotations

import pytest

from cablegram.format.refs import Citing, read_references

CITING = Citing(2009, "MADRID", 800)


def refs(text: str, citing: Citing = CITING) -> list[tuple[str | None, str | None]]:
    return [(r.label, r.id) for r in read_references(text.split("\n"), citing)[0]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A. STATE 32380, B. ALMATY 336", [("A", "09STATE32380"), ("B", "09ALMATY336")]),
        ("A) MADRID 5426, B) MADRID 542", [("A", "08MADRID5426"), ("B", "09MADRID542")]),
        ("(A)STATE 071143, (B) BEIJING 5361", [("A", "09STATE71143"), ("B", "09BEIJING5361")]),
        (
            "A. MOSCOW 20\nB. MADRID 366\nC. 08 MADRID 518",
            [("A", "09MOSCOW20"), ("B", "09MADRID366"), ("C", "08MADRID518")],
        ),
        ("09 CARACAS 1374; 09 CARACAS 442", [(None, "09CARACAS1374"), (None, "09CARACAS442")]),
        ("A. 2006 ALGIERS 2067", [("A", "06ALGIERS2067")]),
        (
            "TEHRAN 1091: TEHRAN 263: MOSCOW 1603",
            [(None, "09TEHRAN1091"), (None, "09TEHRAN263"), (None, "09MOSCOW1603")],
        ),
        ("LISBON 526 AND 525", [(None, "09LISBON526"), (None, "09LISBON525")]),
        ("USUN NEW YORK 584", [(None, "09USUNNEWYORK584")]),
        ("RIO DE JANEIRO 353", [(None, "09RIODEJANEIRO353")]),
        ("SECSTATE 1234", [(None, "09STATE1234")]),
        ("99 PRETORIA 12315", [(None, "99PRETORIA12315")]),
    ],
)
def test_cable_references(text: str, expected: list[tuple[str | None, str | None]]) -> None:
    assert refs(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2/5/09 MONOSSON-COOPER EMAIL", "PARIS POINTS OF 5/16", "STATE 261815Z", "IIR 6 844 0101 10"],
)
def test_non_cable_references_are_kept_without_id(text: str) -> None:
    found = read_references([text], CITING)[0]
    assert [(r.id, r.text) for r in found] == [(None, text)]


def test_mixed_labelled_block_keeps_non_cable_items() -> None:
    text = "A) ABU DHABI 199 B) ABU DHABI 170 C) 2/5/09 MONOSSON-COOPER EMAIL D) 08 STATE 134385"
    got = read_references([text], CITING)[0]
    assert [(r.label, r.id) for r in got] == [
        ("A", "09ABUDHABI199"),
        ("B", "09ABUDHABI170"),
        ("C", None),
        ("D", "08STATE134385"),
    ]
    assert got[2].text == "2/5/09 MONOSSON-COOPER EMAIL"


def test_january_citing_december_reads_the_previous_year_and_says_so() -> None:
    found, defects = read_references(["MADRID 2549"], Citing(2006, "MADRID", 12), line_no=7)
    assert [r.id for r in found] == ["05MADRID2549"]
    assert [(d.code, d.line) for d in defects] == [("REF_YEAR_PREVIOUS", 7)]


def test_us_is_not_a_label() -> None:
    assert refs("A. STATE 1 B. U.S. NOTE OF 5/3") == [("A", "09STATE1"), ("B", None)]
