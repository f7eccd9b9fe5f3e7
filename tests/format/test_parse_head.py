"""Classification lines, E.O. lines, Classified By, TAGS, SUBJECT and the envelope."""

from __future__ import annotations

from pathlib import Path

import pytest

from cablegram.format.parse import parse
from cablegram.format.parse.classified import read_classified_by
from cablegram.format.parse.lines import match_classification_line
from cablegram.format.parse.message import read_eo
from cablegram.format.reader import read
from cablegram.model import Classification, Precedence, Source


@pytest.mark.parametrize(
    ("line", "level", "sbu", "origin", "serial", "section"),
    [
        ("UNCLAS ALMATY 001703", "UNCLASSIFIED", False, "ALMATY", 1703, None),
        (
            "C O N F I D E N T I A L SECTION 01 OF 04 BRASILIA 004227",
            "CONFIDENTIAL",
            False,
            "BRASILIA",
            4227,
            (1, 4),
        ),
        ("S E C R E T ALMATY 002872", "SECRET", False, "ALMATY", 2872, None),
        ("SECRET STATE 068250", "SECRET", False, "STATE", 68250, None),
        (
            "C o n f i d e n t i a l section 01 of 04 ankara 000348",
            "CONFIDENTIAL",
            False,
            "ANKARA",
            348,
            (1, 4),
        ),
        ("LIMITED OFFICIAL USE STATE 097844", "UNCLASSIFIED", True, "STATE", 97844, None),
        ("UNCLAS E F T O BOGOTA 001234", "UNCLASSIFIED", True, "BOGOTA", 1234, None),
        (
            "T O P  S E C R E T USUN NEW YORK 000584",
            "TOP SECRET",
            False,
            "USUN NEW YORK",
            584,
            None,
        ),
    ],
)
def test_classification_line_forms(
    line: str, level: str, sbu: bool, origin: str, serial: int, section: tuple[int, int] | None
) -> None:
    c = match_classification_line(line)
    assert c is not None
    assert (c.classification, c.sbu, c.origin, c.serial, c.section) == (
        Classification(level),
        sbu,
        origin,
        serial,
        section,
    )


@pytest.mark.parametrize(
    "line", ["CONFIDENTIAL", "SECRET BALLOTS WERE CAST", "PAGE 02 STATE 187673"]
)
def test_not_classification_lines(line: str) -> None:
    assert match_classification_line(line) is None


@pytest.mark.parametrize(
    ("line", "order", "declassify_on", "text"),
    [
        ("E.O. 12958: DECL: 08/08/2016", "12958", "2016-08-08", "DECL: 08/08/2016"),
        ("EO 12958 DECL: 09/27/2019", "12958", "2019-09-27", "DECL: 09/27/2019"),
        ("E.o. 12958: decl: 01/07/2014", "12958", "2014-01-07", "decl: 01/07/2014"),
        ("E.O. 12356: N/A", "12356", None, "N/A"),
        (
            "E.O. 12065: GDS 8/12/85 (TOMSETH, VICTOR L.) OR-P",
            "12065",
            "1985-08-12",
            "GDS 8/12/85 (TOMSETH, VICTOR L.) OR-P",
        ),
        ("DECL: 12356 N/A", "12356", None, "N/A"),
        ("E.O. 12958: DECL: 2019/02/03", "12958", "2019-02-03", "DECL: 2019/02/03"),
        ("E.O. 12958: DECL: 10/23/07", "12958", "2007-10-23", "DECL: 10/23/07"),
        ("E.O. 12958: DECL: 011/2/2019", "12958", "2019-11-02", "DECL: 011/2/2019"),
        ("E. O. 11652:  N/ A", "11652", None, "N/ A"),
        (
            "E.O. 12958: AS AMENDED; DECLASSIFIED JUNE 21, 2006",
            "12958",
            None,
            "AS AMENDED; DECLASSIFIED JUNE 21, 2006",
        ),
    ],
)
def test_eo_forms(line: str, order: str, declassify_on: str | None, text: str) -> None:
    eo = read_eo(line)
    assert (eo.order, eo.declassify_on, eo.text) == (order, declassify_on, text)


@pytest.mark.parametrize(
    ("block", "name", "title", "reasons"),
    [
        (
            ["Classified By: Pol-Econ Chief Deborah Mennuti, reasons 1.4 (B) and (D)."],
            "Deborah Mennuti",
            "Pol-Econ Chief",
            ["1.4(b)", "1.4(d)"],
        ),
        (
            ["CLASSIFIED BY AMBASSADOR TOM MCDONALD FOR REASONS 1.5 (B) AND (D)."],
            "TOM MCDONALD",
            "AMBASSADOR",
            ["1.5(b)", "1.5(d)"],
        ),
        (
            ["CLASSIFIED BY AMBASSADOR DAVID M. SATTERFIELD. REASON", "1.5 B AND D."],
            "DAVID M. SATTERFIELD",
            "AMBASSADOR",
            ["1.5(b)", "1.5(d)"],
        ),
        (["Classified By: CDA Jane Roe, 1.4 (B & D)"], "Jane Roe", "CDA", ["1.4(b)", "1.4(d)"]),
        (
            ["Classified By: Joan Polaschik, DCM, reasons 1.4 (b,d)"],
            "Joan Polaschik",
            "DCM",
            ["1.4(b)", "1.4(d)"],
        ),
        (
            ["CLASSIFIED BY: POLOFF J. SMITH, DSCG 05-1 B, D"],
            "J. SMITH",
            "POLOFF",
            ["1.4(b)", "1.4(d)"],
        ),
    ],
)
def test_classified_by_forms(block: list[str], name: str, title: str, reasons: list[str]) -> None:
    cb = read_classified_by(block)
    assert (cb.name, cb.title, list(cb.reasons)) == (name, title, reasons)
    assert cb.text == " ".join(" ".join(block).split())


@pytest.mark.parametrize(
    ("line", "name", "title", "office", "reasons"),
    [
        (
            "CLASSIFIED BY EAP DAS THOMAS J. CHRISTENSEN: 1.4 (B) AND (D).",
            "THOMAS J. CHRISTENSEN",
            "DAS",
            "EAP",
            ["1.4(b)", "1.4(d)"],
        ),
        (
            "Classified By: Acting Deputy Chief of Mission Marc Wall for reasons 1.4 (b) and (d)",
            "Marc Wall",
            "Acting Deputy Chief of Mission",
            None,
            ["1.4(b)", "1.4(d)"],
        ),
        (
            "Classified By: AF/C - MARY BETH LEONARD, REASONS 1.4 (B) AND (D)",
            "MARY BETH LEONARD",
            None,
            "AF/C",
            ["1.4(b)", "1.4(d)"],
        ),
        (
            "Classified by: EUR/RPM Director Bruce Turner for reasons 1.4 (b) and (d).",
            "Bruce Turner",
            "Director",
            "EUR/RPM",
            ["1.4(b)", "1.4(d)"],
        ),
        (
            "CLASSIFIED BY AMBASSADOR TO SUDAN TIMOTHY CARNEY. REASON: 1.5 (B) AND (D)",
            "TIMOTHY CARNEY",
            "AMBASSADOR TO SUDAN",
            None,
            ["1.5(b)", "1.5(d)"],
        ),
        (
            "CLASSIFIED BY: THOMAS W. SIMONS, JR., AMBASSADOR. REASON: 1.5 (D).",
            "THOMAS W. SIMONS, JR.",
            "AMBASSADOR",
            None,
            ["1.5(d)"],
        ),
        (
            "CLASSIFIED BY DCM THEODORE KATTOUF - 1.5 B,D.",
            "THEODORE KATTOUF",
            "DCM",
            None,
            ["1.5(b)", "1.5(d)"],
        ),
        (
            "CLASSIFIED BY AMBASSADOR JOHN R. BOLTON. E.O. 12356 REASON 1.3 (A)(4)",
            "JOHN R. BOLTON",
            "AMBASSADOR",
            None,
            ["1.3(a)(4)"],
        ),
        # A name may be "Reason": reasons start at a section, not at the word.
        (
            "Classified By: Ambassador Aa Reason, reasons 1.4 (a).",
            "Aa Reason",
            "Ambassador",
            None,
            ["1.4(a)"],
        ),
    ],
)
def test_classified_by_name_title_and_office(
    line: str, name: str, title: str | None, office: str | None, reasons: list[str]
) -> None:
    cb = read_classified_by([line])
    assert (cb.name, cb.title, cb.office, list(cb.reasons)) == (name, title, office, reasons)


@pytest.mark.parametrize(
    ("paragraph", "name", "title", "reasons"),
    [
        (
            "1. CONFIDENTIAL - ENTIRE TEXT. CLASSIFIED BY: CHRISTOPHER W.S. ROSS, AMBASSADOR. "
            "REASON: 1.5 (D).\n\n2. THE MINISTER SAID.",
            "CHRISTOPHER W.S. ROSS",
            "AMBASSADOR",
            ["1.5(d)"],
        ),
        (
            "1. (C) CLASSIFIED BY DCM THEODORE KATTOUF - 1.5 B,D.\n\n2. (C) SUMMARY: X.",
            "THEODORE KATTOUF",
            "DCM",
            ["1.5(b)", "1.5(d)"],
        ),
    ],
)
def test_classified_by_inside_paragraph_one(
    paragraph: str, name: str, title: str, reasons: list[str]
) -> None:
    text = (
        "R 011200Z JAN 92\nFM AMEMBASSY DAMASCUS\nTO SECSTATE WASHDC 1\n\n"
        "C O N F I D E N T I A L DAMASCUS 00001\n\nE.O. 12356: DECL: OADR\nTAGS: PREL SY\n"
        "SUBJECT: A TEST\n\n" + paragraph + "\nROSS\n"
    )
    cb = parse(text).classified_by
    assert cb is not None and (cb.name, cb.title, list(cb.reasons)) == (name, title, reasons)


RETYPED = """P R 281848Z DEC 66
FM AMEMBASSY BUENOS AIRES
TO SECSTATE WASHDC PRIORITY
INFO USCINCSO

C O N F I D E N T I A L BUENOS AIRES 2481

NOFORN
DEPT PASS TO USIA
LONDON FOR KOLKER
E.O. 11652: GDS
TAGS: OVIP (KISSINGER, HENRY A.), ACOM;
PREL
SUBJ: (C) VISIT OF
THE SECRETARY (U)
REF: BUENOS AIRES 2470 AND 2466

1. TEXT.
RUSER
"""


def test_retyped_header_and_head_blocks() -> None:
    c = parse(RETYPED)
    assert c.id == "66BUENOSAIRES2481"
    assert c.created == "1966-12-28T18:48:00Z"
    assert c.precedence is Precedence.PRIORITY
    assert [(a.name, a.routing_indicator, a.precedence) for a in c.to] == [
        ("SECSTATE WASHDC", None, Precedence.PRIORITY)
    ]
    assert [(a.name, a.precedence) for a in c.info] == [
        ("USCINCSO", Precedence.ROUTINE)
    ]  # dual precedence: p2
    assert c.captions == ("NOFORN",)
    assert c.distribution == ("DEPT PASS TO USIA LONDON FOR KOLKER",)
    assert c.tags == ("OVIP", "ACOM", "PREL", "(KISSINGER, HENRY A.)")
    assert c.subject == "VISIT OF THE SECRETARY"
    assert [r.id for r in c.references] == ["66BUENOSAIRES2470", "66BUENOSAIRES2466"]
    assert c.signers == ("RUSER",)


def test_created_falls_back_to_source_and_records_it() -> None:
    c = parse(
        "UNCLAS STATE 000123\n\nSUBJECT: TEST\n\n1. Text.",
        source=Source(metadata={"created": "2005-06-01T11:11:00Z"}),
    )
    assert (c.id, c.created) == ("05STATE123", "2005-06-01T11:11:00Z")
    assert "CREATED_FROM_SOURCE" in [d.code for d in c.defects]


def test_run_on_head_keywords_are_split() -> None:
    text = "S E C R E T STATE 152317   E.O. 12958: DECL: 10/31/2027 TAGS: PARM PRELSUBJECT: POST REQUESTED  REF: (A)STATE 071143   CLASSIFIED BY EAP DAS T. C.: 1.4 (B).  ¶1. (S) Text one. ¶2. (S) Text two."
    c = parse(text, source=Source(metadata={"created": "2007-11-03 05:05"}))
    assert c.tags == ("PARM", "PREL")
    assert c.subject == "POST REQUESTED"
    assert [r.id for r in c.references] == ["07STATE71143"]
    assert [(p.number, p.marking) for p in c.paragraphs] == [(1, "S"), (2, "S")]


_WRAPPED_FL2 = """VZCZCXRO2943
OO RUEHBI RUEHCI RUEHDBU RUEHFL RUEHKW RUEHLA RUEHLH RUEHNEH RUEHNP
RUEHPW RUEHROV RUEHSR
DE RUEHTA #0982/01 1591008
ZNY CCCCC ZZH
{after_fl3}O 081008Z JUN 09
FM AMEMBASSY ASTANA
TO RUEHC/SECSTATE WASHDC IMMEDIATE 5572

C O N F I D E N T I A L SECTION 01 OF 03 ASTANA 000982

E.O. 12958: DECL: 06/08/2019
TAGS: PREL, KZ
SUBJECT: TEST

1. (C) Text.
"""


def test_routing_indicators_continued_on_a_second_line_belong_to_fl2() -> None:
    cable = parse(_WRAPPED_FL2.format(after_fl3=""))
    assert cable.header is not None and cable.header.relay is not None
    assert cable.header.relay.routing_indicators[-3:] == ("RUEHPW", "RUEHROV", "RUEHSR")
    assert len(cable.header.relay.routing_indicators) == 12
    assert not [d for d in cable.defects if d.code == "UNRECOGNIZED_HEADER_LINE"]


def test_routing_indicators_away_from_fl2_are_not_relay() -> None:
    cable = parse(_WRAPPED_FL2.format(after_fl3="RUEHXX RUEHYY\n"))
    assert cable.header is not None and cable.header.relay is not None
    assert "RUEHXX" not in cable.header.relay.routing_indicators
    assert [d.message for d in cable.defects if d.code == "UNRECOGNIZED_HEADER_LINE"] == [
        "RUEHXX RUEHYY"
    ]


def test_wrapped_fl2_of_real_cables(corpus: Path) -> None:
    dev = corpus / "dev"
    for name in ("cablegate-html/09ASTANA982.html", "cablegate-html/09MOSCOW2734.html"):
        (cable,) = read(dev / name)
        assert cable.header is not None and cable.header.relay is not None
        assert len(cable.header.relay.routing_indicators) >= 12, name
        assert not [d for d in cable.defects if d.code == "UNRECOGNIZED_HEADER_LINE"], name
