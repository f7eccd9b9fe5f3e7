"""The writer: authentic telegram layout, header defaults, wrapping."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from cablegram.format.render import render, render_located
from cablegram.lexicon import data_path
from cablegram.model import (
    Addressee,
    Cable,
    Classification,
    Paragraph,
    Precedence,
    Section,
    from_dict,
)

SEEDS = Path(data_path("examples")) / "seeds"


@pytest.fixture
def secret() -> Cable:
    d = json.loads((SEEDS / "06ALMATY2872.expected.json").read_text())
    d["paragraphs"] = [dict(p, text=f"Paragraph {i} text.") for i, p in enumerate(d["paragraphs"])]
    d["references"] = [
        {"label": "A", "text": "ALMATY 2549", "id": "06ALMATY2549"},
        {"label": "B", "text": "STATE 126156", "id": "06STATE126156"},
    ]
    d["eo"]["text"] = "DECL: 08/08/2016"
    return from_dict(d)


def test_seed_header_is_written_as_the_original(secret: Cable) -> None:
    original = (SEEDS / "06ALMATY2872.txt").read_text().strip().splitlines()
    assert render(secret).splitlines()[:10] == original[:10]


def test_text_layout(secret: Cable) -> None:
    lines = render(secret).splitlines()
    bt = lines.index("BT")
    assert lines[bt - 1] == "" and lines[bt + 1] == "S E C R E T ALMATY 002872"
    assert "E.O. 12958: DECL: 08/08/2016" in lines
    assert "TAGS: PTER, KAWC, PHUM, PREL, KZ" in lines
    assert "REF: A. ALMATY 2549" in lines and "B. STATE 126156" in lines
    assert "¶5. (SBU) Paragraph 4 text." in lines
    assert lines[-4:] == ["ORDWAY", "BT", "#2872", "NNNN"]


@pytest.mark.parametrize(
    ("level", "written"),
    [
        (Classification.UNCLASSIFIED, "UNCLAS"),
        (Classification.CONFIDENTIAL, "C O N F I D E N T I A L"),
        (Classification.SECRET, "S E C R E T"),
        (Classification.TOP_SECRET, "T O P  S E C R E T"),
    ],
)
def test_classification_line_spelling(secret: Cable, level: Classification, written: str) -> None:
    cable = replace(secret, classification=level, section=Section(1, 3))
    assert f"{written} SECTION 01 OF 03 ALMATY 002872" in render(cable).splitlines()


def test_multiword_origin_keeps_its_spaces(secret: Cable) -> None:
    cable = replace(secret, origin="ABUDHABI", from_=None, id="06ABUDHABI2872")
    assert "S E C R E T ABU DHABI 002872" in render(cable).splitlines()


def test_precedence_words(secret: Cable) -> None:
    info = (
        Addressee("AMEMBASSY ASTANA", "RUEHTA", Precedence.ROUTINE, 17),
        Addressee("NSC WASHDC", "RHEHNSC", Precedence.PRIORITY, None),
        Addressee("AMEMBASSY MOSCOW", "RUEHMO", Precedence.IMMEDIATE, None),
    )
    lines = render(replace(secret, info=info)).splitlines()
    # ROUTINE is never written: an INFO addressee at ROUTINE under a PRIORITY
    # message is said by dual precedence on FL5; other words are written.
    assert "P R 100049Z AUG 06" in lines
    assert "INFO RUEHTA/AMEMBASSY ASTANA 0017" in lines
    assert "RHEHNSC/NSC WASHDC PRIORITY" in lines
    assert "RUEHMO/AMEMBASSY MOSCOW IMMEDIATE" in lines
    # Without a ROUTINE INFO addressee, the message precedence is written only before a counter.
    lines = render(replace(secret, info=info[1:])).splitlines()
    assert "P 100049Z AUG 06" in lines
    assert "INFO RHEHNSC/NSC WASHDC" in lines
    assert "TO RUEHC/SECSTATE WASHDC PRIORITY 6536" in lines


def test_default_header_for_a_draft(secret: Cable) -> None:
    draft = replace(secret, header=None, from_=replace(secret.from_, routing_indicator=None))
    lines = render(draft).splitlines()
    assert lines[:5] == [
        "VZCZCXYZ0000",
        "PP RUEHWEB",
        "DE RUEHTA #2872 2220049",
        "ZNY SSSSS ZZH",
        "P 100049Z AUG 06",
    ]
    # defaults=False invents nothing: no envelope at all
    bare = render(draft, defaults=False).splitlines()
    assert bare[0] == "FM AMEMBASSY ALMATY"


def test_sensitive_caption_for_sbu_unclassified(secret: Cable) -> None:
    cable = replace(secret, classification=Classification.UNCLASSIFIED, sbu=True)
    lines = render(cable).splitlines()
    assert lines[lines.index("UNCLAS ALMATY 002872") + 2 :][:2] == ["SENSITIVE", "SIPDIS"]


def test_wrap_at_69_columns(secret: Cable) -> None:
    long = Paragraph(" ".join(["Poloff met the minister again."] * 12), 1, "S")
    cable = replace(secret, paragraphs=(long,))
    wrapped = render(cable, width=69).splitlines()
    assert max(len(line) for line in wrapped) <= 69
    assert len(wrapped) > len(render(cable).splitlines())


def test_located_lines_point_at_their_elements(secret: Cable) -> None:
    text, where = render_located(secret)
    lines = text.splitlines()
    assert lines[where["FL3"] - 1].startswith("DE ")
    assert lines[where["CLASS"] - 1] == "S E C R E T ALMATY 002872"
    assert lines[where["SUBJECT"] - 1].startswith("SUBJECT: ")
    assert lines[where["INFO.2"] - 1] == "RHEHNSC/NSC WASHDC"
    assert lines[where["PARA.5"] - 1].startswith("¶6. (S)")
    assert lines[where["CLBY"] - 1].startswith("Classified By: ")
