"""The reader's two views of a cable's text (web/reader.py): as the source
holds it, line for line, and as a rendered telegram; headings and the leads
of paragraphs."""

from __future__ import annotations

from pathlib import Path

import pytest
from web_fixtures import EXTRACT, SEED

from cablegram.format.sources import iter_documents
from cablegram.model import Paragraph
from cablegram.web.reader import (
    ParagraphView,
    is_heading,
    paragraph_views,
    source_blocks,
    telegram_blocks,
)


def _shown(blocks: list) -> list[str]:
    """The lines the view shows, blank runs as one empty line."""
    out: list[str] = []
    for block in blocks:
        out.extend([""] if block.kind == "gap" else block.lines)
    return _squeezed("\n".join(out))


def _squeezed(text: str) -> list[str]:
    """The lines of ``text`` without blank lines at either end, blank runs as one."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.strip() or (out and out[-1] != ""):
            out.append(line if line.strip() else "")
    while out and out[-1] == "":
        out.pop()
    return out


def test_the_held_view_is_the_text_line_for_line() -> None:
    blocks, held = source_blocks(EXTRACT)
    assert held is not None
    assert _shown(blocks) == _squeezed(EXTRACT)  # nothing added, nothing lost
    kinds = [b.kind for b in blocks if b.kind != "gap"]
    assert kinds[:2] == ["class", "caption"] and "bt" not in kinds and "trailer" not in kinds
    paras = [b for b in blocks if b.kind == "para"]
    views = paragraph_views(held)
    # (The parser keeps a heading that follows a paragraph in that paragraph's
    # text, blank line included: the block runs on over it.)
    assert [views[b.index].heading for b in paras] == [True, False, False, False]
    assert paras[1].lines == ["1. (C) Coalition talks stalled on May 12 over the 2009 budget.",
                              "End summary.", "", "------- THE BUDGET -------"]  # fmt: skip
    assert paras[0].lines == ["------- SUMMARY -------"]


def test_the_rendered_view_is_a_whole_telegram() -> None:
    from cablegram import parse

    blocks = telegram_blocks(parse(EXTRACT))
    assert _shown(blocks)[-3:] == ["BT", "#0461", "NNNN"]  # what render writes


def test_a_seed_is_shown_with_its_header_and_without_invented_lines() -> None:
    text = SEED.read_text(encoding="utf-8")
    blocks, _ = source_blocks(text)
    assert _shown(blocks) == _squeezed(text)
    assert [b.kind for b in blocks][:3] == ["envelope", "gap", "class"]


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("------- SUMMARY -------", True),
        ("Summary -------", True),
        ("------------- Introduction -------------", True),
        ("COMMENT", True),
        ("Summary", True),
        ("REFUGEE MONEY", True),
        ("This cable was coordinated with Embassy Ankara.", False),
        ("SENSITIVE BUT UNCLASSIFIED. PLEASE PROTECT ACCORDINGLY.", False),
        ("ACTION REQUESTED ASAP DECEMBER 31.", False),
        ("Sensitive but Unclassified -- Please protect accordingly.", False),
    ],
)
def test_headings(text: str, heading: bool) -> None:
    assert is_heading(Paragraph(text)) is heading
    assert not is_heading(Paragraph(text, number=1))
    assert not is_heading(Paragraph(text, marking="C"))


def _view(number: int | None, marking: str | None) -> ParagraphView:
    return ParagraphView("para-1", number, marking, marking or "C", "confidential", "")


@pytest.mark.parametrize(
    ("number", "marking", "line", "lead"),
    [
        (1, "C", "¶1. (C) Text.", ("¶1. ", "(C)", " Text.")),
        (1, "C", "1.(C) Text.", ("1.", "(C)", " Text.")),
        (2, None, "2. The finance ministry", ("2. ", "", "The finance ministry")),
        (12, "S//NF", "12. (S//NF) Text", ("12. ", "(S//NF)", " Text")),
        (None, None, "------- SUMMARY -------", ("", "", "------- SUMMARY -------")),
    ],
)
def test_leads_cut_at_number_and_mark(
    number: int | None, marking: str | None, line: str, lead: tuple[str, str, str]
) -> None:
    cut = _view(number, marking).lead(line)
    assert (cut.number, cut.mark, cut.rest) == lead
    assert cut.number + cut.mark + cut.rest == line  # the line as written, cut only


def test_only_numbered_unmarked_portions_show_an_inherited_mark() -> None:
    assert _view(2, None).inherits
    assert not _view(None, None).inherits and not _view(1, "C").inherits


def test_every_dev_cable_is_held_line_for_line(dev_corpus: Path) -> None:
    """Over the real cables: the held view shows each document's text exactly
    (blank runs aside) and never a line the document lacks."""
    checked = 0
    for doc in iter_documents(dev_corpus, on_error=lambda error: None):
        blocks, held = source_blocks(doc.text)
        assert _shown(blocks) == _squeezed(doc.text), doc.path
        if held is not None:
            checked += 1
    assert checked > 800
