"""Turn raw input into clean telegram lines (FORMAT §8).

Steps: decode bytes (UTF-8, else Latin-1 where a lone 0xB6 is ``¶``), unify
line ends, strip web residue (``markup.unmark``), drop non-breaking spaces and
trailing blanks, resolve false ``¶`` anchors (before letters and years), and
re-split lines whose breaks were lost in some exports: header-zone keywords
(``E.O.``, ``TAGS``, ``SUBJECT:``, ``REF:``, ``Classified By``) and mid-line
paragraph anchors (``... end.  ¶2. (C) ...``) go back onto their own lines.
"""

from __future__ import annotations

import re

from cablegram.format.markup import has_markup, unmark_with_lines

# Keywords that open a header-zone element.  SUBJECT may be glued to the tag
# before it ("TAGS: PARM PRELSUBJECT: ..."), the others follow white space.
_HEADER_KEYWORD = re.compile(
    # Every split is at the start of a run of blanks or after a non-blank, never
    # inside a run: (?<!\s) first rejects the positions of a long run of blanks
    # with one test each, and a run is tried from its first blank only (from
    # each blank, \s+ would take the rest of the run every time: quadratic).
    r"(?<!\s)(?:"
    r"(?:(?<=\S)|(?<=\S)\s+)(?=SUBJECT\s*:)"
    r"|\s+(?=(?:E\.\s?O\.\s?\d{5}|EO\s\d{5}\b|TAGS\s*:|SUBJ\s*:|REFS?\s*:|REFTELS?\s*:"
    r"|CLASSIFIED\s+BY\b|¶\s?\d{1,2}\s?\.))"
    # Exports that lost line breaks *and* blanks: "BERLIN 000081SIPDISE.O. 12958".
    r"|(?<=\d)(?=SIPDIS)|(?<=SIPDIS)(?=[A-Z])|(?<=[0-9A-Za-z])(?=E\.O\.\s?\d{5}|TAGS:))",
    re.I,
)
# Cheap test for a line that may hold a keyword to split at (the split itself is
# costly): every place _HEADER_KEYWORD can split at is followed by one of these,
# never at the start of the line (searched from the second character).
_MAY_SPLIT = re.compile(
    r"SUBJ(?:ECT)?\s*:|E\.\s?O\.\s?\d{5}|EO\s\d{5}|TAGS\s*:|REF(?:S|TELS?)?\s*:"
    r"|CLASSIFIED\s+BY|¶|SIPDIS",
    re.I,
)
# The same for a lower-cased ASCII line, where it finds the same places (a
# case-insensitive search is several times slower; the escapes are lower case).
_MAY_SPLIT_LOWER = re.compile(_MAY_SPLIT.pattern.lower())
# Text extracts prefix the body with the page's date: "Cable dated:2010-01-21T11:33:00".
_CABLE_DATED = re.compile(r"^\s*Cable dated:\s*\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\s*")
# A paragraph anchor in the middle of a line means the line break was lost.
_MIDLINE_ANCHOR = re.compile(r"(?<!\s)\s+(?=¶\s?\d{1,2}\s?\.)")
# WikiLeaks anchored lettered REF items and years as if they were paragraphs.
_FALSE_ANCHOR = re.compile(r"¶\s?(?=[A-Za-z(]|\d{3,})")
_PARAGRAPH_START = re.compile(r"^\s*(?:¶\s?)?\d{1,2}\s?\.\s*(?:\(|[A-Z])")
_INJECTED_DATE = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+\d{1,2}\s+[A-Z][a-z]+\s+\d{4},\s+\d{1,2}:\d{2}\s*$"
)


def decode(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def normalize(data: str | bytes) -> list[str]:
    """The input as clean lines (no line ends, no trailing blanks)."""
    return normalize_lines(data)[0]


def normalize_lines(data: str | bytes) -> tuple[list[str], list[int] | None]:
    """``normalize(data)`` and, for each clean line, the 0-based line of the input
    it comes from (None when they are the input's lines one for one)."""
    text = decode(data)
    origins: list[int] | None = None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:  # a lone CR ends a line within one line of the input
            origins = [
                k for k, line in enumerate(text.split("\n")) for _ in range(line.count("\r") + 1)
            ]
            text = text.replace("\r", "\n")
    if has_markup(text):
        text, starts = unmark_with_lines(text)
        if starts is not None:
            origins = starts if origins is None else [origins[k] for k in starts]
    if "\xa0" in text:
        text = text.replace("\xa0", " ")
    if "\t" in text:
        text = text.expandtabs(8)
    if "¶" in text:
        text = _FALSE_ANCHOR.sub("", text)
    lines = text.split("\n")
    if _may_trail(text):
        lines = [line.rstrip() for line in lines]
    if lines and lines[0].startswith("Cable dated:"):
        lines[0] = _CABLE_DATED.sub("", lines[0])
    if "day," in text:
        kept = [k for k, line in enumerate(lines) if not _INJECTED_DATE.match(line)]
        if len(kept) < len(lines):
            lines = [lines[k] for k in kept]
            origins = kept if origins is None else [origins[k] for k in kept]
    before = len(lines)
    lines, split = _resplit(lines, "¶" in text)
    if split:
        at = origins or range(before)
        origins = [at[k] for k in range(before) for _ in range(split.get(k, 1))]
    return lines, origins


# Blanks other than the space and the line end (tabs were expanded before).
_OTHER_BLANKS = (
    *"\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000",
    *(chr(c) for c in range(0x2000, 0x200B)),
)
_ASCII_BLANKS = "\r\x0b\x0c\x1c\x1d\x1e\x1f"


def _may_trail(text: str) -> bool:
    """Some line of ``text`` may end in blanks: a space before a line end or at the
    end, or any other blank anywhere (each test a scan, cheaper than a strip per line)."""
    if " \n" in text or text.endswith(" "):
        return True
    blanks = _ASCII_BLANKS if text.isascii() else _OTHER_BLANKS
    return any(blank in text for blank in blanks)


def _resplit(lines: list[str], anchors: bool = True) -> tuple[list[str], dict[int, int]]:
    """Put header keywords and paragraph anchors that lost their line break back on a line.

    Header keywords are split off only before the first paragraph (the header
    zone); mid-line anchors anywhere.  ``anchors=False`` says no line holds a ``¶``.
    Returns the lines and, for each input line that was split, how many it became.
    """
    out: list[str] = []
    split: dict[int, int] = {}
    k = 0
    n = len(lines)
    while k < n:
        line = lines[k]
        first = line[:1]
        if (first == "¶" or first.isdecimal() or first.isspace()) and _PARAGRAPH_START.match(line):
            break
        k += 1
        if len(line) > 20 and _may_split(line):
            before = len(out)
            pieces = _HEADER_KEYWORD.split(line)
            in_header = True
            for i, piece in enumerate(pieces):
                if not in_header:
                    out.extend(_split_anchors(piece))
                    continue
                out.append(piece.strip() if i else piece.rstrip())
                if i and _PARAGRAPH_START.match(piece):
                    in_header = False
                    out[-1:] = _split_anchors(piece.strip())
            if len(out) - before != 1:
                split[k - 1] = len(out) - before
            if not in_header:
                break
        elif anchors and "¶" in line:
            pieces = _split_anchors(line)
            out.extend(pieces)
            if len(pieces) != 1:
                split[k - 1] = len(pieces)
        else:
            out.append(line)
    # After the header zone only mid-line anchors are split.
    if not anchors:
        out.extend(lines[k:])
        return out, split
    for j in range(k, n):
        line = lines[j]
        if "¶" in line:
            pieces = _split_anchors(line)
            out.extend(pieces)
            if len(pieces) != 1:
                split[j] = len(pieces)
        else:
            out.append(line)
    return out, split


def _may_split(line: str) -> bool:
    """A header keyword or anchor after the first character (see _MAY_SPLIT).

    An ASCII line is searched only when it holds a literal that every match
    holds (``o.`` of E.O., ``eo``, ``sipdis``, ``classified``, a colon with
    ``subj``, ``tags`` or ``ref``): a few scans of the line cost less than one
    regex search, which tries its alternatives at every letter.
    """
    if line.isascii():
        low = line.lower()
        if not (
            "o." in low
            or "eo" in low
            or "sipdis" in low
            or "classified" in low
            or (":" in low and ("subj" in low or "tags" in low or "ref" in low))
        ):
            return False
        return _MAY_SPLIT_LOWER.search(low, 1) is not None
    return _MAY_SPLIT.search(line, 1) is not None


def _split_anchors(line: str) -> list[str]:
    if line.find("¶", 1) < 0:  # a split needs blanks before the anchor
        return [line]
    return [p for p in _MIDLINE_ANCHOR.split(line)]
