"""Cable -> authentic telegram text (FORMAT §2 and the canonical form of §3.13).

``render`` is the strict writer: it writes what the model holds, in one fixed
layout, so that ``parse(render(c))`` gives ``c`` back (``text``, ``source`` and
``defects`` aside).  Where the model lacks something a transmission needs
(a header for a draft), ``defaults=True`` fills it deterministically from the
cable's own fields (serial, DTG, originator); ``defaults=False`` writes only
what is there, which is how archived cables are re-rendered without inventing
routing they never had.

Two choices worth knowing:

* Captions are written in the model's order.  The model keeps first-seen
  order and real cables disagree (``SIPDIS`` before ``NOFORN`` as often as
  after), so re-ordering would change the cable; writers that create cables
  (``synth``, network release) put the most restrictive caption first, and
  ``validate`` warns (R29) when a cable does not.
* Text is not wrapped by default.  ``width=69`` gives the teletype look; the
  parser folds whitespace in subjects and paragraphs, so wrapped text reads
  back the same.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from functools import cache

from cablegram import lexicon
from cablegram.format.render.envelope import (
    MONTHS,
    addressee_block,
    created_datetime,
    dtg_of,
    envelope,
    filed_of,
    info_precedence,
)
from cablegram.model import Cable, Classification, Paragraph

_SPACED = {
    Classification.CONFIDENTIAL: "C O N F I D E N T I A L",
    Classification.SECRET: "S E C R E T",
    Classification.TOP_SECRET: "T O P  S E C R E T",
}

__all__ = [
    "MONTHS",
    "classification_line",
    "created_datetime",
    "dtg_of",
    "filed_of",
    "info_precedence",
    "render",
    "render_located",
    "written_origin",
]


@cache
def _written_origins() -> dict[str, str]:
    """Origin token -> the origin as classification lines write it (``ABUDHABI`` -> ``ABU DHABI``)."""
    out: dict[str, str] = {}
    for r in lexicon.read_csv("origins_observed.csv"):
        written = r["classification_line_origin"].upper()
        out.setdefault(lexicon.origin_token(written), written)
    return out


def _strip_prefix(plad: str) -> str:
    for p in lexicon.plad_prefixes():
        if plad.startswith(p + " "):
            return plad[len(p) + 1 :]
    return plad


def written_origin(cable: Cable) -> str:
    """The origin as the classification line writes it (spaces kept)."""
    token = cable.origin or ""
    if cable.from_ is not None:
        name = _strip_prefix(cable.from_.name.upper())
        if lexicon.origin_token(name) == token:
            return name
    return _written_origins().get(token, token)


def classification_line(cable: Cable) -> str:
    """``S E C R E T SECTION 01 OF 02 ALMATY 002872`` (FORMAT §3.2)."""
    parts = []
    if cable.classification is not None:
        parts.append(_SPACED.get(cable.classification, "UNCLAS"))
    if cable.section is not None:
        parts.append(f"SECTION {cable.section.number:02d} OF {cable.section.total:02d}")
    if cable.origin:
        parts.append(written_origin(cable))
    if cable.serial is not None:
        parts.append(f"{cable.serial:06d}")
    if cable.classification_trailer:
        parts.append(cable.classification_trailer)
    return " ".join(parts)


def _wrap(text: str, width: int | None, *, indent: str = "") -> list[str]:
    """Lines of ``text``: blank-line blocks kept, each block wrapped when ``width``."""
    out: list[str] = []
    for line in text.split("\n"):
        if width is None or len(line) <= width or not line.strip():
            out.append(line)
        else:
            out.extend(
                textwrap.wrap(
                    line,
                    width,
                    subsequent_indent=indent,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
    return out


def _eo_line(cable: Cable) -> str | None:
    eo = cable.eo
    if eo is None:
        return None
    value = eo.text
    if value is None:
        if eo.declassify_on:
            y, m, d = eo.declassify_on[:10].split("-")
            value = f"DECL: {m}/{d}/{y}"
        else:
            value = "N/A"
    return f"E.O. {eo.order or '12958'}: {value}"


def _reference_lines(cable: Cable) -> list[str]:
    """``REF: A. X`` / ``B. Y`` one per line; unlabelled items on one line.

    A label sequence that starts again at ``A`` (the REF blocks of two
    sections) opens a new ``REF:`` line.
    """
    lines: list[str] = []
    loose: list[str] = []
    for r in cable.references:
        if not r.label:
            loose.append(r.text)
        elif r.label == "A" and lines:
            lines.append(f"REF: {r.label}. {r.text}")
        else:
            lines.append(f"{r.label}. {r.text}")
    if loose:
        lines.insert(0, _join_loose(loose))
    lines[0] = f"REF: {lines[0]}"
    return lines


def _join_loose(items: list[str]) -> str:
    """Unlabelled items on one line.  An item that starts with its serial elided
    its origin after AND (``MADRID 5426 AND 5425``): keep a conjunction before it
    so it is read the same way."""
    joined = items[0]
    for text in items[1:]:
        if not text.strip().isdigit():
            joined += "; " + text
        elif joined.rstrip().upper().endswith(("&", " AND", ",")):
            joined += " " + text
        else:
            joined += " AND " + text
    return joined


def _classified_by_line(cable: Cable) -> str | None:
    cb = cable.classified_by
    if cb is None:
        return None
    if cb.text:
        if cb.text.upper().startswith("CLASSIFIED BY"):
            return cb.text
        return f"Classified By: {cb.text}"
    title = " ".join(x for x in (cb.office, cb.title) if x)
    who = ", ".join(x for x in (title, cb.name) if x)
    return f"Classified By: {who}, reasons {_reasons_text(cb.reasons)}."


def _reasons_text(reasons: Iterable[str]) -> str:
    """``("1.4(b)", "1.4(d)")`` -> ``1.4 (b) and (d)``."""
    items = list(reasons)
    if not items:
        return ""
    section = items[0].split("(")[0]
    letters = [f"({r.split('(')[1]}" if "(" in r else r for r in items]
    joined = letters[0] if len(letters) == 1 else ", ".join(letters[:-1]) + " and " + letters[-1]
    return f"{section} {joined}"


def _paragraph_lines(p: Paragraph, width: int | None) -> list[str]:
    lead = f"¶{p.number}. " if p.number is not None else ""
    if p.marking:
        lead += f"({p.marking}) "
    return _wrap(lead + p.text, width)


def _heading_blocks(cable: Cable, width: int | None) -> list[tuple[str, list[str]]]:
    """The blocks between the classification line and the paragraphs."""
    blocks: list[tuple[str, list[str]]] = []
    if cable.notices:
        blocks.append(("NOTICE", list(cable.notices)))
    caps = list(cable.captions)
    if cable.sbu:
        caps.insert(0, "SENSITIVE")
    if caps:
        blocks.append(("CAPTION", caps))
    # Each distribution entry is its own block: the parser joins a block's lines.
    for d in cable.distribution:
        blocks.append(("DIST", _wrap(d, width)))
    # The keyed elements in order; consecutive E.O., TAGS and SUBJECT share a block.
    elements: list[tuple[str, list[str]]] = []
    eo = _eo_line(cable)
    if eo:
        elements.append(("KEYED", [eo]))
    if cable.tags:
        tags_line = "TAGS: " + ", ".join(cable.tags)
        if len(cable.tags) == 1 and " " in cable.tags[0] and not cable.tags[0].startswith("("):
            tags_line += ","  # one free-text tag reads back as one tag, not words
        elements.append(("KEYED", [tags_line]))
    if cable.subject is not None:
        elements.append(("KEYED", _wrap(f"SUBJECT: {cable.subject}", width)))
    if cable.references:
        elements.append(("REF", _reference_lines(cable)))
    cb = _classified_by_line(cable)
    if cb:
        elements.append(("CLBY", _wrap(cb, width)))
    if cable.unrecognized_head_lines:
        # A line reads back as an unrecognised head line between two keyed
        # elements, set apart by blank lines: after the first element.
        elements.insert(1, ("OTHER", list(cable.unrecognized_head_lines)))
    for key, lines in elements:
        if key == "KEYED" and blocks and blocks[-1][0] == "KEYED":
            blocks[-1][1].extend(lines)
        else:
            blocks.append((key, list(lines)))
    return blocks


class _Lines:
    """Rendered lines plus where each element landed (1-based), for validate."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.where: dict[str, int] = {}

    def add(self, key: str | None, *lines: str) -> None:
        if key is not None and lines:
            self.where.setdefault(key, len(self.lines) + 1)
        self.lines.extend(lines)


def render_located(
    cable: Cable, *, width: int | None = None, defaults: bool = True
) -> tuple[str, dict[str, int]]:
    """``render`` plus a map from element keys to their 1-based line.

    Keys: ``FL1``..``FL5`` (envelope lines as written), ``FM``, ``TO.i``,
    ``INFO.i``, ``XMT.i``, ``CLASS``, ``NOTICE.i``, ``CAPTION.i``, ``DIST``,
    ``EO``, ``TAGS``, ``SUBJECT``, ``REF.i``, ``CLBY``, ``PARA.i``, ``SIGN``.
    """
    out = _Lines()
    for line in envelope(cable, defaults):
        out.add(_envelope_key(line), line)
    if cable.from_ is not None:
        out.add("FM", f"FM {cable.from_.name}")
    for keyword, items in (("TO", cable.to), ("INFO", cable.info), ("XMT", cable.xmt)):
        for i, line in enumerate(addressee_block(keyword, items, cable)):
            out.add(f"{keyword}.{i}", line)
    if out.lines:
        out.add(None, "", "BT")
    if cable.classification is not None:
        out.add("CLASS", classification_line(cable))
    for key, block in _heading_blocks(cable, width):
        out.add(None, "")
        if key in ("NOTICE", "CAPTION", "REF"):
            for i, line in enumerate(block):
                out.add(f"{key}.{i}", line)
        elif key == "KEYED":
            for line in block:
                out.add(next((k for k, lead in _KEYED if line.startswith(lead)), None), line)
        elif key == "OTHER":
            out.add(None, *block)
        else:
            out.add(key, *block)
    for i, p in enumerate(cable.paragraphs):
        out.add(None, "")
        out.add(f"PARA.{i}", *_paragraph_lines(p, width))
    if cable.signers:
        out.add(None, "")
        out.add("SIGN", *cable.signers)
    ssn = _trailer_serial(cable)
    out.add(None, "BT", *([f"#{ssn:04d}"] if ssn is not None else []), "NNNN")
    return "\n".join(out.lines) + "\n", out.where


_KEYED = (("EO", "E.O. "), ("TAGS", "TAGS: "), ("SUBJECT", "SUBJECT: "))


def _envelope_key(line: str) -> str:
    if line.startswith("VZCZC"):
        return "FL1"
    if line.startswith("DE "):
        return "FL3"
    if line.startswith(("ZNR", "ZNY")):
        return "FL4"
    if len(line) > 2 and line[1] == line[0] and line[2] == " ":
        return "FL2"
    return "FL5"


def render(cable: Cable, *, width: int | None = None, defaults: bool = True) -> str:
    """The telegram text of ``cable``: header, ``BT``, text, ``BT``, ``#ssss``, ``NNNN``.

    ``width`` wraps subject, distribution and paragraph lines (69 gives the
    teletype look).  ``defaults`` fills a missing transmission header from the
    cable's own serial, DTG and originator; with ``defaults=False`` only what
    the cable holds is written.
    """
    return render_located(cable, width=width, defaults=defaults)[0]


def _trailer_serial(cable: Cable) -> int | None:
    h = cable.header
    if h is not None and h.station_serial is not None:
        return h.station_serial
    return cable.serial % 10000 if cable.serial is not None else None
