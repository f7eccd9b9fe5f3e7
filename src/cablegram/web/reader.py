"""The cable reader's layout: the telegram as the renderer writes it, cut into
blocks the page can decorate (REF links, TAGS meanings, paragraph anchors).

The text comes from :func:`cablegram.format.render.render_located`, so the page
shows exactly what ``cablegram render`` prints; this module only says which
lines belong to which element.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from cablegram import lexicon
from cablegram.access.facts import controlling_captions
from cablegram.access.redact import portion_mark
from cablegram.archive import CopyInfo
from cablegram.archive.graph import RefLink
from cablegram.format.render import render_located
from cablegram.model import Cable, Classification

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
    caption, dist, eo, tags, subject, ref, clby, para, sign, trailer, gap."""

    kind: str
    lines: list[str] = field(default_factory=list)
    index: int | None = None

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


@dataclass(frozen=True, slots=True)
class RefPiece:
    """Part of a REF line: plain text (``link`` None) or one reference item."""

    text: str
    link: RefLink | None = None


def ref_pieces(line: str, links: list[RefLink], used: set[int]) -> list[RefPiece]:
    """Cut a REF line at each reference item's text (first unused occurrence)."""
    pieces: list[RefPiece] = []
    cursor = 0
    while True:
        found = [
            (at, n)
            for n, link in enumerate(links)
            if n not in used and link.text and (at := line.find(link.text, cursor)) >= 0
        ]
        if not found:
            break
        at, n = min(found)
        if at > cursor:
            pieces.append(RefPiece(line[cursor:at]))
        pieces.append(RefPiece(links[n].text, links[n]))
        used.add(n)
        cursor = at + len(links[n].text)
    if cursor < len(line):
        pieces.append(RefPiece(line[cursor:]))
    return pieces


@dataclass(frozen=True, slots=True)
class ParagraphView:
    anchor: str
    number: int | None
    marking: str | None  # as written; None when unmarked
    governing: str  # the mark that governs it (its own, else the cable's level)
    level: str  # CSS class of the governing level
    text: str


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


def reader_context(
    cable: Cable, links: list[RefLink], citers: list[Any], copies: list[CopyInfo]
) -> dict[str, Any]:
    """Everything the cable page shows, from library values."""
    blocks = telegram_blocks(cable)
    used: set[int] = set()
    ref_lines = [
        ref_pieces(line, links, used) for b in blocks if b.kind == "ref" for line in b.lines
    ]
    return {
        "cable": cable,
        "blocks": blocks,
        "ref_lines": ref_lines,
        "links": links,
        "paragraphs": paragraph_views(cable),
        "tags": tag_meanings(cable.tags),
        "banner": banner(cable),
        "level": level_class(cable.classification),
        "citers": citers,
        "copies": copy_views(copies),
        "raw": next((c.text for c in copies if c.primary), None),
    }
