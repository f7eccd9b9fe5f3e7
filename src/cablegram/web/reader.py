"""The cable reader's layout: a cable's text cut into blocks the page can
decorate (REF links, TAGS meanings, paragraph anchors and marks).

Two views, each saying what it is:

* **as held** (the default): the text of the copy the cable's fields come
  from, line for line as the source holds it.  Its elements are placed by
  parsing that text again (``Source.lines``), so nothing is added: a
  body-only extract shows no header, no ``BT`` and no ``NNNN``.
* **rendered**: the cable's fields written back as a complete telegram by
  :func:`cablegram.format.render.render_located` (what ``cablegram render``
  prints), with the header and closing lines a telegram has.

Both are decorated alike; this module only says which lines belong to which
element and how their leading number and mark read.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from cablegram import lexicon
from cablegram.access.facts import controlling_captions
from cablegram.access.redact import portion_mark
from cablegram.archive import CopyInfo
from cablegram.archive.graph import RefLink
from cablegram.format.parse import parse
from cablegram.format.render import render_located
from cablegram.model import Cable, Classification, NotACableError, Paragraph

_ENVELOPE_KEYS = ("FL", "FM", "TO.", "INFO.", "XMT.")
LEVEL_CLASS = {
    Classification.UNCLASSIFIED: "unclassified",
    Classification.CONFIDENTIAL: "confidential",
    Classification.SECRET: "secret",
    Classification.TOP_SECRET: "top-secret",
}


def level_class(classification: str | Classification | None) -> str:
    """CSS class of a classification level (``unknown`` when absent or unreadable)."""
    try:
        return LEVEL_CLASS[Classification(classification)] if classification else "unknown"
    except ValueError:
        return "unknown"


@dataclass(slots=True)
class Block:
    """Consecutive telegram lines of one element.  ``kind``: envelope, bt, class,
    caption, dist, eo, tags, subject, ref, clby, para, sign, trailer, line
    (none of these), gap.  ``pieces``: the lines of a REF or TAGS block cut at
    each reference or tag (filled by :func:`decorate`)."""

    kind: str
    lines: list[str] = field(default_factory=list)
    index: int | None = None
    pieces: list[list[Piece]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _kind(key: str) -> tuple[str, int | None]:
    if key.startswith(_ENVELOPE_KEYS):
        return "envelope", None
    name, _, index = key.partition(".")
    return name.lower(), int(index) if index else None


def telegram_blocks(cable: Cable) -> list[Block]:
    """The rendered telegram of ``cable`` as blocks, in order.  Envelope lines
    merge into one block, and so do the lines of the REF block."""
    text, where = render_located(cable, defaults=False)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    starts = {line - 1: key for key, line in where.items()}
    last_bt = max((i for i, line in enumerate(lines) if line == "BT"), default=len(lines))
    blocks: list[Block] = []
    gaps = 0
    for i, line in enumerate(lines):
        current = blocks[-1] if blocks else None
        if i in starts:
            kind, index = _kind(starts[i])
            blocks.extend(Block("gap") for _ in range(gaps))
            gaps = 0
            if current is not None and current.kind == kind and kind in ("envelope", "ref"):
                current.lines.append(line)
            else:
                blocks.append(Block(kind, [line], index))
        elif line == "":
            gaps += 1
        elif i >= last_bt or (line == "BT" and (current is None or current.kind != "para")):
            blocks.extend(Block("gap") for _ in range(gaps))
            gaps = 0
            kind = "bt" if line == "BT" else "trailer"
            if current is not None and current.kind == kind == "trailer":
                current.lines.append(line)
            else:
                blocks.append(Block(kind, [line]))
        elif current is not None:  # a continuation line (blank lines inside a paragraph)
            current.lines.extend([""] * gaps + [line])
            gaps = 0
        else:
            blocks.append(Block("line", [line]))
    return blocks


def _block_kind(keys: list[str]) -> tuple[str, int | None]:
    """The element a line starts: a paragraph wins (a signature may end its
    last line); elements of one kind share a line (REF items); else none."""
    kinds = [_kind(k) for k in keys]
    paras = [k for k in kinds if k[0] == "para"]
    if paras:
        return paras[0]
    if len({kind for kind, _ in kinds}) == 1:
        return kinds[0]
    return "line", None


def source_blocks(text: str) -> tuple[list[Block], Cable | None]:
    """The copy ``text`` as the source holds it, in blocks, and the cable read
    from it (None when it reads as no cable: then the text is one plain block)."""
    lines = text.split("\n")
    try:
        held = parse(text)
    except NotACableError:
        return [Block("line", lines)], None
    starts: dict[int, list[str]] = {}
    for key, line_no in held.source.lines.items():
        starts.setdefault(line_no - 1, []).append(key)
    blocks: list[Block] = []
    gaps = 0
    crossings = 0  # blank runs the current paragraph still spans (its text says how many)
    for i, line in enumerate(lines):
        current = blocks[-1] if blocks else None
        if not line.strip():
            gaps += 1 if current is not None else 0  # (blank lines before the text: none)
            continue
        if i in starts:
            kind, index = _block_kind(starts[i])
            if current is not None and not gaps and current.kind == kind == "envelope":
                current.lines.append(line)
            else:
                blocks.extend(Block("gap") for _ in range(gaps))
                blocks.append(Block(kind, [line], index))
                if kind == "para" and index is not None and index < len(held.paragraphs):
                    crossings = held.paragraphs[index].text.count("\n\n")
        elif current is not None and not gaps:
            current.lines.append(line)  # the element (or the plain run) goes on
        elif current is not None and current.kind == "para" and crossings:
            current.lines.extend([""] * gaps + [line])
            crossings -= 1
        else:
            blocks.extend(Block("gap") for _ in range(gaps))
            blocks.append(Block("line", [line]))
        gaps = 0
    return blocks, held


@dataclass(frozen=True, slots=True)
class Piece:
    """Part of a line: plain text, one reference item (``link``) or one TAG
    (``tag``: tag, kind, meaning)."""

    text: str
    link: RefLink | None = None
    tag: tuple[str, str, str] | None = None


# Kept under its first name: the REF line's pieces.
RefPiece = Piece


def _cut(line: str, found: list[tuple[int, int, Piece]]) -> list[Piece]:
    """``line`` as pieces, given (start, end, piece) of the parts found in it."""
    pieces: list[Piece] = []
    cursor = 0
    for start, end, piece in sorted(found, key=lambda f: f[0]):
        if start < cursor:
            continue
        if start > cursor:
            pieces.append(Piece(line[cursor:start]))
        pieces.append(piece)
        cursor = end
    if cursor < len(line):
        pieces.append(Piece(line[cursor:]))
    return pieces


def ref_pieces(line: str, links: list[RefLink], used: set[int]) -> list[Piece]:
    """Cut a REF line at each reference item's text (first unused occurrence)."""
    found = []
    cursor = 0
    while True:
        hits = [
            (at, n)
            for n, link in enumerate(links)
            if n not in used and link.text and (at := line.find(link.text, cursor)) >= 0
        ]
        if not hits:
            break
        at, n = min(hits)
        found.append((at, at + len(links[n].text), Piece(links[n].text, links[n])))
        used.add(n)
        cursor = at + len(links[n].text)
    return _cut(line, found)


def tag_pieces(line: str, tags: list[tuple[str, str, str]]) -> list[Piece]:
    """Cut a TAGS line at each tag written on it (whole words, after ``TAGS``)."""
    head = re.match(r"\s*TAGS\b:?", line, re.IGNORECASE)
    begin = head.end() if head else 0
    found = []
    for entry in tags:
        m = re.compile(rf"(?<![\w/]){re.escape(entry[0])}(?![\w/])", re.IGNORECASE).search(
            line, begin
        )
        if m:
            found.append((m.start(), m.end(), Piece(m.group(0), tag=entry)))
    return _cut(line, found)


def decorate(blocks: list[Block], links: list[RefLink], tags: list[tuple[str, str, str]]) -> None:
    """Fill the pieces of the REF and TAGS blocks."""
    used: set[int] = set()
    for block in blocks:
        if block.kind == "ref":
            block.pieces = [ref_pieces(line, links, used) for line in block.lines]
        elif block.kind == "tags":
            block.pieces = [tag_pieces(line, tags) for line in block.lines]


_RULE = re.compile(r"-{3,}")


def is_heading(p: Paragraph) -> bool:
    """Whether a paragraph is a heading of the text (``------- SUMMARY -------``,
    ``COMMENT``, ``Summary``), not a portion: no number, no mark, one short line,
    ruled with dashes, in capitals, or a few words without a full stop."""
    text = p.text.strip()
    if p.number is not None or p.marking is not None or "\n" in text or len(text) > 80:
        return False
    letters = [c for c in text if c.isalpha()]
    words = text.split()
    return bool(letters) and (
        bool(_RULE.search(text))
        or (all(c.isupper() for c in letters) and not text.endswith("."))
        or (len(words) <= 3 and not text.endswith(".") and not any(c.isdigit() for c in text))
    )


@dataclass(frozen=True, slots=True)
class Lead:
    """The first line of a paragraph cut at its number and mark, as written."""

    number: str  # "¶1. ", "1." or "" (unnumbered)
    mark: str  # "(C)" or ""
    rest: str


@dataclass(frozen=True, slots=True)
class ParagraphView:
    anchor: str
    number: int | None
    marking: str | None  # as written; None when unmarked
    governing: str  # the mark that governs it (its own, else the cable's level)
    level: str  # CSS class of the governing level
    text: str
    heading: bool = False

    @property
    def inherits(self) -> bool:
        """A numbered portion without a mark: it takes the cable's (shown beside
        the text, never in it)."""
        return self.number is not None and self.marking is None

    def lead(self, line: str) -> Lead:
        """Cut ``line`` (the paragraph's first) at its number and mark."""
        if self.marking:
            token = f"({self.marking})"
            at = line.find(token, 0, 40)
            if at >= 0:
                return Lead(line[:at], token, line[at + len(token) :])
        if self.number is not None:
            m = re.match(rf"\s*¶?\s*0*{self.number}\s*[.)]?\s*", line)
            if m:
                return Lead(m.group(0), "", line[m.end() :])
        return Lead("", "", line)


def paragraph_views(cable: Cable) -> list[ParagraphView]:
    out = []
    for i, p in enumerate(cable.paragraphs):
        mark = portion_mark(cable, p)
        out.append(
            ParagraphView(
                anchor=f"para-{i + 1}",
                number=p.number,
                marking=p.marking,
                governing=mark.written,
                level=level_class(mark.level),
                text=p.text,
                heading=is_heading(p),
            )
        )
    return out


def tag_meanings(tags: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(tag, kind, meaning) of each TAG; tags the vocabulary lacks, or whose
    meaning it does not record, say so."""
    known = lexicon.tags()
    out = []
    for tag in tags:
        entry = known.get(tag.upper())
        if entry is None:
            out.append((tag, "unknown", "not in the TAGS vocabulary"))
        else:
            out.append((tag, entry.kind, entry.meaning or "meaning not recorded"))
    return out


def banner(cable: Cable) -> str:
    """The classification banner: level and handling captions (``SECRET//NOFORN``)."""
    level = cable.classification.value if cable.classification else "CLASSIFICATION UNKNOWN"
    controlling = controlling_captions()
    handling = [c for c in cable.captions if c in controlling]
    return "//".join([level, *handling])


@dataclass(frozen=True, slots=True)
class CopyView:
    copy: CopyInfo
    diff: list[str]  # unified diff against the primary copy (empty for the primary)


def copy_views(copies: list[CopyInfo]) -> list[CopyView]:
    primary = next((c for c in copies if c.primary), copies[0] if copies else None)
    out = []
    for c in copies:
        diff: list[str] = []
        if primary is not None and c is not primary:
            diff = list(
                difflib.unified_diff(
                    primary.text.splitlines(), c.text.splitlines(),
                    f"{primary.format}:{primary.path or ''}", f"{c.format}:{c.path or ''}",
                    lineterm="", n=1,
                )
            )  # fmt: skip
        out.append(CopyView(c, diff))
    return out


@dataclass(frozen=True, slots=True)
class TextView:
    """One way of showing the cable's text: ``name`` (``held`` or ``rendered``),
    a caption saying what it is, and its blocks and paragraphs."""

    name: str
    caption: str
    blocks: list[Block]
    paragraphs: list[ParagraphView]


def held_view(copy: CopyInfo, links: list[RefLink], tags: list[tuple[str, str, str]]) -> TextView:
    blocks, held = source_blocks(copy.text)
    decorate(blocks, links, tags)
    where = f" ({copy.path})" if copy.path else ""
    caption = (
        f"As the source holds it: the text of the {copy.format} copy{where} the cable's "
        "fields come from, line for line."
    )
    return TextView("held", caption, blocks, paragraph_views(held) if held else [])


def rendered_view(cable: Cable, links: list[RefLink], tags: list[tuple[str, str, str]],
                  *, released: bool) -> TextView:  # fmt: skip
    blocks = telegram_blocks(cable)
    decorate(blocks, links, tags)
    caption = (
        "Rendered as a telegram by cablegram render (no header is invented): the "
        "cable's fields in the telegram's own layout, ending with the BT, #serial "
        "and NNNN lines every telegram ends with, whether or not the source held them."
    )
    if released:
        caption = "The released text, " + caption[0].lower() + caption[1:]
    return TextView("rendered", caption, blocks, paragraph_views(cable))


def reader_context(
    cable: Cable, links: list[RefLink], citers: list[Any], copies: list[CopyInfo],
    *, view: str = "held",
) -> dict[str, Any]:  # fmt: skip
    """Everything the cable page shows, from library values.  ``view``: the text
    as the primary copy holds it (``held``, when the reader may read copies),
    or ``rendered``."""
    tags = tag_meanings(cable.tags)
    primary = next((c for c in copies if c.primary), None)
    if view == "held" and primary is not None:
        text = held_view(primary, links, tags)
    else:
        text = rendered_view(cable, links, tags, released=primary is None)
    return {
        "cable": cable,
        "text": text,
        "views": ["held", "rendered"] if primary is not None else ["rendered"],
        "links": links,
        "tags": tags,
        "banner": banner(cable),
        "level": level_class(cable.classification),
        "citers": citers,
        "copies": copy_views(copies),
    }
