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
