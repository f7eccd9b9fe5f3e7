"""The received-copy layout of 1970s-1990s printouts (FORMAT §7.2).

Such a copy opens with a banner (the level alone), a page header ``PAGE 01
LA PAZ 00430 212158Z`` (origin cut to six characters, serial, time
received), office lines, the DTG, FM/TO, and only then the classification
line.  When that line cannot be read as written - a level without an origin
(``LIMITED OFFICIAL USE 0526``) or a misspelt level (``LIMITED OFFFICIAL USE
LA PAZ 1325``) - the page header and the FM line still say whose message it
is, and the banner says its level.
"""

from __future__ import annotations

import re

from cablegram.format.parse.envelope import FM
from cablegram.format.parse.lines import ClassLine, classification_word, is_banner
from cablegram.lexicon import canonical_origin, origin_token

# PAGE 01 LA PAZ 00430 212158Z / PAGE 01   STATE  097844 / PAGE 01 CAPE T 00097 01 OF 03
PAGE_ONE = re.compile(
    r"^\s*PAGE\s+0*1\s+(?P<origin>[A-Z][A-Z .'&-]{0,30}?)\s+(?P<serial>\d{2,7})\b"
)
# What follows the level on a classification line without an origin.
_SERIAL_ONLY = re.compile(r"^\s*(?:-\s*)?(?P<serial>\d{2,7})\s*$")
# How far down the page header may sit (banner and blank lines before it).
_PAGE_WINDOW = 12


def page_one(lines: list[str]) -> tuple[str, int] | None:
    """(origin as written, serial) of the first page header near the top."""
    for line in lines[:_PAGE_WINDOW]:
        if line[:1] in "P \t" and (m := PAGE_ONE.match(line)):
            return " ".join(m["origin"].split()), int(m["serial"])
    return None


def _fm_origin(lines: list[str]) -> str | None:
    """The canonical origin the FM line names (``AMEMBASSY LA PAZ`` -> ``LAPAZ``)."""
    for line in lines:
        if line[:2] == "FM" and (m := FM.match(" ".join(line.split()).upper())):
            return canonical_origin(m["plad"])
    return None


def received_origin(lines: list[str], page: tuple[str, int] | None) -> str | None:
    """The origin of a received copy as an id writes it: the FM line's when the
    page header's (cut to six characters) opens it, else the page header's."""
    fm = _fm_origin(lines)
    if page is None:
        return fm
    written = origin_token(page[0])
    if fm and fm.startswith(written):
        return fm
    return written


def _banner_level(lines: list[str]) -> tuple[ClassLine, int] | None:
    for i, line in enumerate(lines[:_PAGE_WINDOW]):
        if line.strip() and is_banner(line):
            word = classification_word(line)
            if word is not None:
                return ClassLine(word[0], word[1], None, "", 0, ""), i
    return None


def serial_only_line(line: str) -> ClassLine | None:
    """``LIMITED OFFICIAL USE 0526``: the line's level and serial, the origin empty."""
    word = classification_word(line)
    if word is None:
        return None
    m = _SERIAL_ONLY.match(line[word[2] :])
    if m is None:
        return None
    return ClassLine(word[0], word[1], None, "", int(m["serial"]), "")


def misspelt_class_line(lines: list[str], start: int, window: int) -> tuple[int, ClassLine] | None:
    """A line after ``start`` that ends in the page header's origin and serial
    and opens with a word (``LIMITED OFFFICIAL USE LA PAZ 1325``): the
    classification line, its level taken from the banner above the page header."""
    page = page_one(lines)
    banner = _banner_level(lines)
    if page is None or banner is None:
        return None
    origin, serial = page
    tail = re.compile(
        rf"^\s*(?P<lead>[A-Za-z][A-Za-z ]{{2,30}}?)\s+(?P<origin>{re.escape(origin)}[A-Z .'&-]*?)"
        rf"\s+0*{serial}\s*$"
    )
    level = banner[0]
    word = "".join(lines[banner[1]].split()).upper()
    for i in range(max(start, banner[1] + 1), min(len(lines), window)):
        m = tail.match(lines[i])
        # The lead is the level misspelt: it opens as the banner's word does.
        if m and "".join(m["lead"].split()).upper()[:3] == word[:3]:
            written = " ".join(m["origin"].upper().split())
            return i, ClassLine(level.classification, level.sbu, None, written, serial, "")
    return None


def page_class_line(lines: list[str]) -> ClassLine | None:
    """A received copy without a classification line: the level of its banner,
    origin and serial of its page header (origin through the FM line)."""
    page = page_one(lines)
    banner = _banner_level(lines)
    if page is None or banner is None:
        return None
    origin = received_origin(lines, page)
    if not origin:
        return None
    level = banner[0]
    return ClassLine(level.classification, level.sbu, None, origin, page[1], "")
