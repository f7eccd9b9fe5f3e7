"""Paragraph numbering, portion marks, page noise, summary and signers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablegram.format.parse import parse
from cablegram.format.parse.body import (
    _SUMMARY,
    Body,
    _BodyReader,
    _is_noise,
    _signature,
    _summary,
    _summary_text,
    read_body,
    trailing_text_end,
)
from cablegram.format.reader import read
from cablegram.lexicon.marks import normalize_mark
from cablegram.model import Paragraph

HEAD = "C O N F I D E N T I A L SECTION 01 OF 02 MADRID 000059\n\nE.O. 12958: DECL: 01/01/2019\nTAGS: PREL\nSUBJECT: TEST\n\n"


@pytest.mark.parametrize(
    ("raw", "mark"),
    [
        ("S", "S"),
        ("SBU", "SBU"),
        ("S//NF", "S/NF"),
        ("C/NOFORN", "C/NF"),
        ("SBU-N", "SBU/NF"),
        ("S//FGI//NF", "S/FGI/NF"),
        ("U//FOUO", "U/FOUO"),
        ("C - ENTIRE TEXT", "C"),
        ("NOTE", None),
    ],
)
def test_portion_marks_are_normalised(raw: str, mark: str | None) -> None:
    assert normalize_mark(raw) == mark


def test_page_markers_and_later_section_lines_do_not_split_paragraphs() -> None:
    text = HEAD + (
        "1. (C) First part of the paragraph\n"
        "MADRID 00000059 001.2 OF 002\n"
        "C O N F I D E N T I A L SECTION 02 OF 02 MADRID 000059\n"
        "continues here.\n\n2. (S//NF) Second.\n\nSIPDIS\n\nAGUIRRE"
    )
    c = parse(text)
    assert [(p.number, p.marking) for p in c.paragraphs] == [(1, "C"), (2, "S/NF")]
    assert c.paragraphs[0].text == "First part of the paragraph continues here."
    assert c.signers == ("AGUIRRE",)


def test_numbered_list_inside_a_paragraph_is_not_a_paragraph() -> None:
    text = HEAD + "1. (C) Intro:\n¶1. first item\n¶2. second item\n\n2. (C) Next.\n3. (C) Last."
    c = parse(text)
    assert [p.number for p in c.paragraphs] == [1, 2, 3]
    assert "first item" in c.paragraphs[0].text


def test_lost_line_break_before_the_next_paragraph() -> None:
    text = HEAD + "1. (C) One. 2. (C) Two ends here. 3. (U) Three."
    assert [p.number for p in parse(text).paragraphs] == [1, 2, 3]


def test_unnumbered_single_paragraph_cable() -> None:
    c = parse(
        HEAD.replace("C O N F I D E N T I A L SECTION 01 OF 02", "UNCLAS")
        + "Please deliver the note.\nRICE"
    )
    assert [(p.number, p.text) for p in c.paragraphs] == [(None, "Please deliver the note.")]
    assert c.signers == ("RICE",)


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        ("1. (C) Summary: Short. End summary.\n2. (C) Rest.", "Short."),
        ("1. (C) BEGIN SUMMARY. Short too. END SUMMARY.\n2. (C) Rest.", "Short too."),
        ("SUMMARY\n-------\n\n1. (C) The gist.\n2. (C) Rest.", "The gist."),
    ],
)
def test_summary_forms(body: str, summary: str) -> None:
    assert parse(HEAD + body).summary == summary


def test_received_copy_page_lines_are_stripped_and_signature_inline() -> None:
    text = (
        "LIMITED OFFICIAL USE\n\nPAGE 01   STATE  097844\n\nORIGIN    SPM-01\n\nINFO  OCT-01    EUR-25  /028  R\n\n"
        "DRAFTED BY S/ PM: PPCLAXTON\n---------------------       001415\nP R 221828 Z MAY 73\nFM SECSTATE WASHDC\n"
        "TO  AMEMBASSY LUXEMBOURG PRIORITY\nINFO  AMEMBASSY ROME\n\n\nLIMITED OFFICIAL USE STATE 097844\n\n"
        "E. O. 11652:  N/ A\nTAGS:   SPOP  IT\n\nSUBJECT:   INFORMATION\n\n1.   PLEASE INFORM.\n\n"
        "2.   ALSO INFORM HIM.    PORTER\n\n\nLIMITED OFFICIAL USE\nNNNN\n"
    )
    c = parse(text)
    assert c.id == "73STATE97844" and c.sbu
    assert [p.number for p in c.paragraphs] == [1, 2]
    assert c.signers == ("PORTER",)
    assert "ORIGIN SPM-01" in c.distribution and any(
        d.startswith("DRAFTED BY") for d in c.distribution
    )
    assert [a.name for a in c.info] == ["AMEMBASSY ROME"]


def test_mid_sentence_sipdis_is_not_paragraph_text() -> None:
    c = parse(HEAD + "1. (C) We see FOUR SIPDIS SCENARIOS here.")
    assert c.paragraphs[0].text == "We see FOUR SCENARIOS here."


_SUMMARY_PIECES = ["SUMMARY", "Summary", "BEGIN", " ", "\n", "\n\n", ":", ".", "-", "END"]
_SUMMARY_PIECES += ["END SUMMARY", "(END SUMMARY.)", "end of summary", "AND COMMENT", "(", "x"]
_SUMMARY_PIECES += ["WEEKEND", "\u017fUMMARY", "\u0130", "_", "\t"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_SUMMARY_PIECES), max_size=16))
def test_summary_search_in_two_steps_is_the_pattern(pieces: list[str]) -> None:
    text = "".join(pieces)
    whole = _SUMMARY.search(text)
    assert _summary_text(text, text.upper()) == (whole["text"] if whole else None)


def _read_body_line_by_line(lines: list[str], start: int, own: tuple[str, int] | None) -> Body:
    """read_body without its fast paths: every line through every check, in order.

    The specification the fast paths of read_body must keep.
    """
    body = Body()
    end = trailing_text_end(lines, start, own)
    kept = [(i, x) for i, x in enumerate(lines) if start <= i < end]
    kept = [(i, x) for i, x in kept if not (x.strip() and _is_noise(x, own))]
    while kept and not kept[-1][1].strip():
        kept.pop()
    if kept:
        at, last = kept[-1]
        signer, rest = _signature(last.strip(), lines[at - 1] if at > start else "")
        if signer is not None:
            body.signers.append(signer)
            body.signer_line = at
            kept.pop()
            if rest is not None:
                kept.append((at, rest))
    reader = _BodyReader()
    for i, line in kept:
        reader.feed(i, line)
    body.defects = reader.defects
    for p in reader.paras:
        text = p.text()
        if text or p.number is not None:
            body.paragraphs.append(Paragraph(text=text, number=p.number, marking=p.marking))
            body.lines.append(p.line)
    body.summary = _summary(body.paragraphs)
    return body


_BODY_LINES = [
    "",
    "   ",
    "1. (C) First paragraph opens here.",
    "2. (S//NF) Second one, with a long enough line to be split. 3. (C) Third.",
    "¶4. (U) Anchored.",
    "15. (SBU) Lost anchor.",
    "the text goes on in lower case, page after page",
    "The text goes on. SIPDIS in the middle.",
    "SIPDIS",
    "MADRID 00000059 001.2 OF 002",
    "PAGE 02 HELSIN 02613 01 OF 02 121416Z",
    "page 02 of the report",
    "------------------57D37C  170857Z /38",
    "-- a bullet",
    "BT",
    "bt",
    "NNNN",
    "#0059",
    "C O N F I D E N T I A L SECTION 02 OF 02 MADRID 000059",
    "c o n f i d e n t i a l section 02 of 02 madrid 000059",
    "SECRET",
    "secret",
    "UNCLASSIFIED",
    "(C) An unnumbered marked paragraph.",
    "Summary: short. End summary.",
    "nothing ends with 12",
    "AGUIRRE",
    "Rice",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_BODY_LINES), max_size=25), st.integers(0, 3))
def test_read_body_fast_paths_change_nothing(lines: list[str], start: int) -> None:
    own = ("MADRID", 59)
    assert read_body(lines, start, own) == _read_body_line_by_line(lines, start, own)


def test_read_body_fast_paths_change_nothing_on_real_cables(corpus: Path) -> None:
    for cable in read(corpus / "dev" / "cables-csv-rows"):
        lines = cable.text.split("\n")
        own = (cable.origin or "", cable.serial or 0)
        assert read_body(lines, 1, own) == _read_body_line_by_line(lines, 1, own), cable.id


@pytest.mark.parametrize(
    ("last", "signers"),
    [("HORAN##", ("HORAN",)), ("MCNAMARA.", ("MCNAMARA",)), ("WE AGREE.", ()), ("THANKS.", ())],
)
def test_signer_at_the_very_end_with_residue(last: str, signers: tuple[str, ...]) -> None:
    assert parse(HEAD + "1. (C) Text of the cable.\n" + last + "\n").signers == signers


def test_residue_after_the_closing_banner_is_no_signer(dev_corpus: Path) -> None:
    # "...FOREIGN AFFAIRS.    PORTER" / banner / "NMAFVVZCZ" (teletype residue)
    (cable,) = list(read(dev_corpus / "plusd-html-1970s" / "1973STATE097844_b.html"))
    assert cable.signers == ("PORTER",)
