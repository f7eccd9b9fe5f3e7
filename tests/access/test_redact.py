"""Paragraph-level release: notices, subject, summary, and no leak anywhere."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from cablegram.access import parse_mark, redact, subject_mark, withheld_paragraphs
from cablegram.model import (
    EO,
    Cable,
    Classification,
    ClassifiedBy,
    Defect,
    Paragraph,
    Reference,
    Source,
    to_dict,
)

U, C, S, TS = (
    Classification.UNCLASSIFIED,
    Classification.CONFIDENTIAL,
    Classification.SECRET,
    Classification.TOP_SECRET,
)


def _text(subject_line: str, paragraphs: list[Paragraph]) -> str:
    body = "\n\n".join(f"{p.number}. ({p.marking}) {p.text}" for p in paragraphs)
    return f"S E C R E T MOSCOW 000020\n\nSUBJECT: {subject_line}\n\n{body}\n"


def sample() -> Cable:
    paragraphs = [
        Paragraph("Summary: the minister agreed. End summary.", 1, "C"),
        Paragraph("The covert source named Kestrel reported.", 2, "S//NF"),
        Paragraph("Embassy logistics follow.", 3, "U"),
        Paragraph("Unmarked text about Falconry.", 4, None),
    ]
    return Cable(
        id="09MOSCOW20",
        origin="MOSCOW",
        serial=20,
        classification=S,
        captions=("NOFORN", "SIPDIS"),
        eo=EO("12958", "2019-01-01", "DECL: 01/01/2019"),
        classified_by=ClassifiedBy("John Beyrle", "Ambassador", ("1.4(b)", "1.4(d)")),
        tags=("PREL", "RS"),
        subject="RUSSIA: KESTREL NETWORK",
        references=(Reference("MOSCOW 19", "A", "09MOSCOW19"),),
        paragraphs=tuple(paragraphs),
        summary="the minister agreed.",
        signers=("BEYRLE",),
        text=_text("(S) RUSSIA: KESTREL NETWORK", paragraphs),
        source=Source("cablegate-html", "x.html", {"title": "RUSSIA: KESTREL NETWORK"}),
        defects=(Defect("ODD_LINE", "line: The covert source named Kestrel", 9),),
    )


def test_withheld_portions_keep_number_and_marking() -> None:
    view = redact(sample(), C)
    by_number = {p.number: p for p in view.paragraphs}
    assert by_number[2].marking == "S//NF"
    assert by_number[2].text == "withheld under 1.4(b), 1.4(d)"
    assert by_number[1].text.startswith("Summary: the minister agreed")
    assert by_number[3].text == "Embassy logistics follow."
    # Unmarked paragraphs of a SECRET NOFORN cable are SECRET NOFORN.
    assert by_number[4].marking == "S/NF"
    assert by_number[4].text.startswith("withheld under")
    assert "¶2. (S//NF) withheld under 1.4(b), 1.4(d)" in view.text
    assert view.classification is S  # the released view shows the cable's own level
    assert view.source.metadata["release"]["withheld_paragraphs"] == [2, 4]


def test_marked_subject_is_withheld_and_summary_kept_from_released_paragraph() -> None:
    view = redact(sample(), C)
    assert view.subject == "(S) withheld under 1.4(b), 1.4(d)"
    assert view.summary == "the minister agreed."
    assert "KESTREL" not in json.dumps(to_dict(view)).upper()
    view_u = redact(sample(), U)
    assert view_u.summary is None  # its paragraph (C) is withheld


def test_unplaced_head_lines_are_not_in_a_view() -> None:
    """A head line the parser could not place may continue a withheld subject."""
    cable = replace(sample(), unrecognized_head_lines=("KESTREL CONTINUED",))
    view = redact(cable, C)
    assert view.unrecognized_head_lines == ()
    assert "KESTREL" not in json.dumps(to_dict(view)).upper()


def test_header_level_parts_stay() -> None:
    view = redact(sample(), U, reasons="25X1")
    assert view.references == sample().references
    assert view.eo == sample().eo and view.classified_by == sample().classified_by
    assert view.tags == sample().tags and view.captions == sample().captions
    assert {p.text for p in view.paragraphs if p.number != 3} == {"withheld under 25X1"}
    assert view.defects == ()


def test_reasons_per_paragraph_and_sbu_and_controls() -> None:
    view = redact(sample(), C, reasons={2: "1.4(c)"})
    assert view.paragraphs[1].text == "withheld under 1.4(c)"
    assert view.paragraphs[3].text == "withheld under 1.4(b), 1.4(d)"
    sbu_cable = Cable(
        classification=U,
        sbu=True,
        paragraphs=(Paragraph("open", 1, "U"), Paragraph("sensitive", 2, "SBU")),
    )
    assert withheld_paragraphs(sbu_cable, U, sbu=False) == [1]
    assert redact(sbu_cable, U, sbu=False).paragraphs[1].text == "withheld under SBU"
    assert redact(sbu_cable, U, sbu=True) is sbu_cable
    # A SECRET-cleared foreign reader: NF portions withheld, others released.
    assert withheld_paragraphs(sample(), S, captions=()) == [1, 3]
    assert withheld_paragraphs(sample(), S, captions=("NOFORN",)) == []


def test_reader_cleared_for_everything_gets_the_cable_itself() -> None:
    c = sample()
    assert redact(c, TS) is c


def test_subject_mark_read_from_text_or_subject() -> None:
    assert subject_mark(sample()) == parse_mark("S")
    trailing = Cable(text="SUBJECT: TALKS WITH\n MINISTER (C)\n\n1. (U) x", subject="TALKS")
    assert subject_mark(trailing) == parse_mark("C")
    assert subject_mark(Cable(text="SUBJECT: (IMI) THE BUSINESS", subject="X")) is None
    assert subject_mark(Cable(subject="(S/NF) NAMES")) == parse_mark("S/NF")


_tokens = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=4, max_size=8)
_marks = st.sampled_from(["U", "SBU", "C", "S", "TS", "C/NF", "S//NF", "SBU/NF", None])


@st.composite
def marked_cables(draw: st.DrawFn) -> Cable:
    n = draw(st.integers(1, 6))
    paragraphs = [
        Paragraph(
            text=" ".join(f"q{i}q{w}" for w in draw(st.lists(_tokens, min_size=1, max_size=4))),
            number=i if draw(st.booleans()) or n > 1 else None,
            marking=draw(_marks),
        )
        for i in range(n)
    ]
    subject_words = " ".join(f"qsq{w}" for w in draw(st.lists(_tokens, min_size=1, max_size=3)))
    smark = draw(_marks)
    subject_line = f"({smark}) {subject_words}" if smark else subject_words
    summary_from = draw(st.integers(0, n - 1))
    return Cable(
        id="09MOSCOW20",
        classification=draw(st.sampled_from([*Classification, None])),
        sbu=draw(st.booleans()),
        captions=tuple(draw(st.lists(st.sampled_from(["NOFORN", "SIPDIS", "NODIS"]), max_size=2))),
        subject=subject_words,
        paragraphs=tuple(paragraphs),
        summary=paragraphs[summary_from].text,
        text=_text(subject_line, paragraphs),
        source=Source("telegram", None, {"title": subject_words, "body": paragraphs[0].text}),
        defects=tuple(Defect("X", p.text, i) for i, p in enumerate(paragraphs)),
    )


@settings(max_examples=150, deadline=None)
@given(
    marked_cables(),
    st.sampled_from(list(Classification)),
    st.booleans(),
    st.sampled_from([None, (), ("NOFORN",)]),
)
def test_no_withheld_word_appears_anywhere(
    cable: Cable, level: Classification, sbu: bool, captions: tuple[str, ...] | None
) -> None:
    view = redact(cable, level, sbu=sbu, captions=captions)
    dumped = json.dumps(to_dict(view))
    withheld = withheld_paragraphs(cable, level, sbu=sbu, captions=captions)
    for i in withheld:
        for word in cable.paragraphs[i].text.split():
            assert word not in dumped
    if view.subject != cable.subject:
        assert all(w not in dumped for w in (cable.subject or "").split())
    # Released paragraphs are all there, unchanged.
    released = [p for i, p in enumerate(cable.paragraphs) if i not in withheld]
    assert [p for p in view.paragraphs if not p.text.startswith("withheld under")] == released
    assert len(view.paragraphs) == len(cable.paragraphs)
