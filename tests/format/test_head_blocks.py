"""Where head blocks end (REF, SUBJECT, TAGS): a block takes the lines that
continue it and no line of the body (issue 13 §2)."""

from __future__ import annotations

from pathlib import Path

from cablegram.format.parse import parse
from cablegram.format.reader import read
from cablegram.model import Cable

HEAD = (
    "R 011200Z JAN 12\nFM SECSTATE WASHDC\nTO AMEMBASSY PARIS\n\n"
    "UNCLAS STATE 001234\n\nE.O. 12958: N/A\nTAGS: PREL\nSUBJECT: A TEST\n"
)


def _one(path: Path) -> Cable:
    (cable,) = list(read(path))
    return cable


def test_a_portion_mark_after_a_blank_line_is_no_ref_item(dev_corpus: Path) -> None:
    # REF: STATE 225232 / blank / (U) On October 25, ...: "(U)" is the body's mark.
    cable = _one(dev_corpus / "cables-csv-rows" / "04MANAMA1725.csv")
    assert [r.id for r in cable.references] == ["04STATE225232"]
    assert cable.paragraphs[0].marking == "U"
    assert cable.paragraphs[0].text.startswith("On October 25, EconOff met")


def test_prose_under_the_last_ref_item_is_body(dev_corpus: Path) -> None:
    cable = _one(dev_corpus / "cables-csv-rows" / "04MAPUTO1609.csv")
    assert [r.label for r in cable.references] == ["A", "B", "C", "D"]
    assert cable.references[-1].text == "MAPUTO 1519"
    assert cable.paragraphs[0].text.startswith("Sensitive but Unclassified Business")


def test_an_unlabelled_body_right_under_a_ref_line(dev_corpus: Path) -> None:
    # 1974 printout: "REF: A-4876" then the (unnumbered) text, no blank line.
    for folder, ext in (("aad-text-1970s", "txt"), ("aad-pdf-1970s", "pdf")):
        cable = _one(dev_corpus / folder / f"1974LAPAZ05828.{ext}")
        assert [(r.text, r.id) for r in cable.references] == [("A-4876", None)]
        assert cable.paragraphs[0].text.startswith("UNITS NOT PRODUCED OR ASSEMBLED")
        assert cable.signers == ("STEDMAN",)
        assert "EMPTY_BODY" not in {d.code for d in cable.defects}


def test_ref_items_go_on_when_indented_open_or_citing() -> None:
    text = HEAD + (
        "REF: A. TELCON BETWEEN ROBERTS AND RIOS\n"
        "        ON 2-18-04\n"
        "B. PARIS 2208 (NOTAL), PARIS 2257 AND\n"
        "PARIS 2359\n"
        "C)04 LONDON 2341\n"
        "THE EMBASSY MET THE MINISTER TODAY. HE SAID\n"
        "NOTHING.\n"
    )
    cable = parse(text)
    assert [r.label for r in cable.references] == ["A", "B", "B", "B", "C"]
    assert cable.references[0].text.endswith("ON 2-18-04")
    assert [r.id for r in cable.references[1:4]] == ["12PARIS2208", "12PARIS2257", "12PARIS2359"]
    assert cable.references[-1].id == "04LONDON2341"
    assert cable.paragraphs[0].text == "THE EMBASSY MET THE MINISTER TODAY. HE SAID NOTHING."


def test_next_ref_item_after_a_blank_line_is_kept() -> None:
    cable = parse(HEAD + "REF: A. MAPUTO 894\n\nB. MAPUTO 712\n\n(C) The text.\n")
    assert [r.id for r in cable.references] == ["12MAPUTO894", "12MAPUTO712"]
    assert cable.paragraphs[0].marking == "C"
    cable = parse(HEAD + "REF: (A) MAPUTO 894\n\n(B) MAPUTO 712\n\n(C) The text.\n")
    assert [r.label for r in cable.references] == ["A", "B"]
    assert cable.paragraphs[0].text == "The text."


def test_doubled_ref_labels_and_lower_case_labels(dev_corpus: Path) -> None:
    # "REF: A. REF: TEGUCIGALPA 1724" / blank / "B. TEGUCIGALPA 2846"
    cable = _one(dev_corpus / "cables-csv-rows" / "04TEGUCIGALPA234.csv")
    assert [(r.label, r.id) for r in cable.references] == [
        ("A", "03TEGUCIGALPA1724"),
        ("B", "03TEGUCIGALPA2846"),
    ]
    # "REF: a) 01 TEGUCIGALPA 2872" / blank / "b) TEGUCIGALPA 02207" ...
    cable = _one(dev_corpus / "cables-csv-rows" / "02TEGUCIGALPA3479.csv")
    assert [r.label for r in cable.references] == ["A", "B", "C", "D", "E", "F"]


def test_subject_ends_at_a_glued_ref_or_classified_by() -> None:
    cable = parse(
        HEAD.replace("SUBJECT: A TEST\n", "")
        + ("SUBJECT: IRAQ: UK VIEWS ON THE COALITION AS UK PRIMEREF: A. LONDON 1939\n\n1. TEXT.\n")
    )
    assert cable.subject == "IRAQ: UK VIEWS ON THE COALITION AS UK PRIME"
    assert [(r.label, r.id) for r in cable.references] == [("A", "12LONDON1939")]
    cable = parse(
        HEAD.replace("SUBJECT: A TEST\n", "")
        + ("SUBJECT: SOME WORDS Classified By: DCM John Doe, reasons 1.4(d)\n\n1. (C) Text.\n")
    )
    assert cable.subject == "SOME WORDS"
    assert cable.classified_by is not None and cable.classified_by.name == "John Doe"


def test_a_short_subject_line_does_not_run_on_into_the_text() -> None:
    cable = parse(
        HEAD.replace("SUBJECT: A TEST\n", "")
        + (
            "SUBJ: W/W FRANK LEAVENS\n"
            "EMBASSY HAS AGAIN CONTACTED MR. DELOZIER OF OKLAHOMA LTD. AND LEARNED\n"
            "THAT HE LEFT.\nBOEKER\n"
        )
    )
    assert cable.subject == "W/W FRANK LEAVENS"
    assert cable.paragraphs[0].text.startswith("EMBASSY HAS AGAIN CONTACTED")
    assert cable.signers == ("BOEKER",)
    # A long subject line wraps; so does one left open.
    cable = parse(
        HEAD.replace("SUBJECT: A TEST\n", "")
        + (
            "SUBJECT: TEXTILE TRADE MISSION, VENEZUELA, COLOMBIA, AND\nBRAZIL, JUNE, 1974\n\n1. X.\n"
        )
    )
    assert cable.subject == "TEXTILE TRADE MISSION, VENEZUELA, COLOMBIA, AND BRAZIL, JUNE, 1974"
    cable = parse(
        HEAD.replace("SUBJECT: A TEST\n", "") + "SUBJECT: VISIT OF\nTHE MINISTER\n\n1. X.\n"
    )
    assert cable.subject == "VISIT OF THE MINISTER"


def test_a_form_cable_opens_paragraph_one_with_a_figure(dev_corpus: Path) -> None:
    cable = _one(dev_corpus / "aad-text-1970s" / "1974LAPAZ01571.txt")
    assert cable.subject == "AGRICULTURAL TRADE OPPORTUNITY"
    assert cable.paragraphs[0].number == 1 and cable.paragraphs[0].text == "335/01/A0005."


def test_a_typist_slip_in_the_eo_keyword(dev_corpus: Path) -> None:
    cable = _one(dev_corpus / "aad-text-1970s" / "1974LAPAZ05618.txt")
    assert cable.eo is not None and (cable.eo.order, cable.eo.text) == ("11652", "N/A")
    assert all("E.OM" not in d for d in cable.distribution)


def test_free_text_tags_are_one_tag_each(dev_corpus: Path) -> None:
    cable = _one(dev_corpus / "cables-csv-rows" / "04MAPUTO1609.csv")
    assert cable.tags == ("ECON", "EAID", "EINV", "ETRD", "MZ", "MONTHLY ECON DIGEST")
    cable = parse(HEAD.replace("TAGS: PREL", "TAGS: PTER, PREL, YM, COUNTER TERRORISM"))
    assert cable.tags == ("PTER", "PREL", "YM", "COUNTER TERRORISM")
    # An acronym in parentheses is the tag other copies write.
    cable = parse(
        HEAD.replace("TAGS: PREL", "TAGS: ETRD, BR, Fee Trade Agreement of America (FTAA)")
    )
    assert cable.tags == ("ETRD", "BR", "FTAA")


def test_tags_without_colon_and_continued_after_a_comma() -> None:
    cable = parse(HEAD.replace("TAGS: PREL", "TAGS PREL PGOV"))
    assert cable.tags == ("PREL", "PGOV")
    cable = parse(
        HEAD.replace("TAGS: PREL", "TAGS: PGOV, KDEM, PINR,\nMI, United Democratic Front")
    )
    assert cable.tags == ("PGOV", "KDEM", "PINR", "MI", "UNITED DEMOCRATIC FRONT")
    assert cable.subject == "A TEST"


def test_an_sbu_caption_written_with_a_comma(dev_corpus: Path) -> None:
    # "SENSITIVE, BUT UNCLASSIFIED" over a PASS line; cables.csv labels it
    # UNCLASSIFIED//FOR OFFICIAL USE ONLY.
    cable = _one(dev_corpus / "cables-csv-rows" / "03LAGOS2330.csv")
    assert cable.sbu
    assert cable.distribution == ("PASS GURNEY, LONDON AND NEARY, PARIS",)
