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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A year written after the serial: two digits, or a date's four.
        ("CARACAS 0811 99", [(None, "99CARACAS811")]),
        ("LA PAZ 4350 JULY 1973", [(None, "73LAPAZ4350")]),
        # ... but not one after the citing cable's own year.
        ("STATE 12345 11", [(None, "09STATE12345")]),
        # Doubled labels, origin variants, a year glued to the origin.
        ("A. A) VATICAN 3823", [("A", "09VATICAN3823")]),
        ("USUN NY 1234", [(None, "09USUNNEWYORK1234")]),
        ("USDOC 4567", [(None, "09USDOC4567")]),
        ("RIO DE JAN 345", [(None, "09RIODEJANEIRO345")]),
        ("HCMC 456", [(None, "09HOCHIMINHCITY456")]),
        ("A. 04QUITO 2614 B. 04 QUITO 2615", [("A", "04QUITO2614"), ("B", "04QUITO2615")]),
    ],
)
def test_reference_forms_of_real_cables(
    text: str, expected: list[tuple[str | None, str | None]]
) -> None:
    assert refs(text) == expected


def test_a_page_break_inside_a_ref_block_is_no_reference() -> None:
    from cablegram.format.parse import parse

    text = (
        "R 081200Z FEB 99\nFM AMEMBASSY ROME\nTO SECSTATE WASHDC 1\n\n"
        "C O N F I D E N T I A L SECTION 01 OF 02 ROME 001196\n\n"
        "E.O. 12958: DECL: 02/08/09\nTAGS: PREL IT\nSUBJECT: A TEST\n"
        "REF: A. ROME 1000\n     B. STATE 2000\n                        CONFIDENTIAL\n"
        "PAGE 02 ROME 01196 01 OF 02 082030Z\n     C. ROME 1100\n\n1. (C) TEXT.\n"
    )
    cable = parse(text)
    assert [(r.label, r.text) for r in cable.references] == [
        ("A", "ROME 1000"),
        ("B", "STATE 2000"),
        ("C", "ROME 1100"),
    ]
