"""Portion marks are known in one place (lexicon.marks): the parser's
normalised marking, access's reading and validation agree on every mark."""

from __future__ import annotations

import pytest

from cablegram.access import portion_mark
from cablegram.format.parse import parse
from cablegram.format.validate import validate
from cablegram.lexicon.marks import normalize_mark, parse_mark
from cablegram.model import Classification

MARKS = [
    ("S//NF", "S/NF", Classification.SECRET, False, {"NOFORN"}),
    ("C/NOFORN", "C/NF", Classification.CONFIDENTIAL, False, {"NOFORN"}),
    ("SBU-N", "SBU/NF", Classification.UNCLASSIFIED, True, {"NOFORN"}),
    ("U//FOUO", "U/FOUO", Classification.UNCLASSIFIED, True, {"FOR OFFICIAL USE ONLY"}),
    ("C - ENTIRE TEXT", "C", Classification.CONFIDENTIAL, False, set()),
    ("S//ORCON", "S/OC", Classification.SECRET, False, {"ORCON"}),
    ("LOU", "LOU", Classification.UNCLASSIFIED, True, set()),
    ("TS", "TS", Classification.TOP_SECRET, False, set()),
    ("CONFIDENTIAL - ENTIRE TEXT", "C", Classification.CONFIDENTIAL, False, set()),
    ("SECRET - ENTIRE TEXT", "S", Classification.SECRET, False, set()),
]


@pytest.mark.parametrize(("written", "normalised", "level", "sbu", "controls"), MARKS)
def test_written_and_normalised_marks_mean_the_same(
    written: str, normalised: str, level: Classification, sbu: bool, controls: set[str]
) -> None:
    assert normalize_mark(written) == normalised
    for form in (written, normalised):
        mark = parse_mark(form)
        assert mark is not None and (mark.level, mark.sbu, set(mark.controls)) == (
            level,
            sbu,
            controls,
        )


def test_not_marks() -> None:
    assert normalize_mark("IMI") is None and parse_mark("IMI") is None
    assert normalize_mark("US") is None


def test_parser_access_and_validation_read_a_cable_s_marks_alike() -> None:
    text = (
        "R 011200Z JAN 09\nFM AMEMBASSY PARIS\nTO SECSTATE WASHDC 1\n\n"
        "S E C R E T PARIS 000001\n\nE.O. 12958: DECL: 01/01/2019\nTAGS: PREL\n"
        "SUBJECT: (C//NF) A TEST\n\nClassified By: Ambassador John Smith, reasons 1.4 (b)\n\n"
        "1. (S//NF) One.\n\n2. (SBU-N) Two.\n\n3. (C - ENTIRE TEXT) Three.\nSMITH\n"
    )
    cable = parse(text)
    assert cable.subject == "A TEST"
    assert [p.marking for p in cable.paragraphs] == ["S/NF", "SBU/NF", "C"]
    levels = [portion_mark(cable, p).level for p in cable.paragraphs]
    assert levels == [
        Classification.SECRET,
        Classification.UNCLASSIFIED,
        Classification.CONFIDENTIAL,
    ]
    # The NOFORN portions without a NOFORN caption: validation reads the same marks.
    assert "R14" in {f.code for f in validate(cable)}


def test_a_whole_text_mark_in_words_opens_paragraph_one() -> None:
    text = (
        "R 011200Z JAN 92\nFM AMEMBASSY DAMASCUS\nTO SECSTATE WASHDC 1\n\n"
        "C O N F I D E N T I A L DAMASCUS 00001\n\nE.O. 12356: DECL: OADR\nTAGS: PREL SY\n"
        "SUBJECT: A TEST\n\n1. CONFIDENTIAL - ENTIRE TEXT. THE MINISTER SAID.\nROSS\n"
    )
    (para,) = parse(text).paragraphs
    assert (para.marking, para.text) == ("C", "CONFIDENTIAL - ENTIRE TEXT. THE MINISTER SAID.")
