"""Line grammar shared by the parser's passes: classification lines, banners,
page and section markers, paragraph starts (FORMAT §3.2, §3.3, §3.11, §7.2)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cablegram.lexicon import CLASSIFICATION_WORDS, SBU_LEVEL_WORDS
from cablegram.model import Classification


def _spaced(word: str) -> str:
    """Regex for a word written plain or letter-spaced (C O N F I D E N T I A L)."""
    return r"\s?".join(re.escape(ch) for ch in word)


# Longest spellings first so that UNCLASSIFIED wins over UNCLAS (and in one
# order in every process, whatever the hash seed).
_LEVELS = sorted(
    {"TOP SECRET", "SECRET", "CONFIDENTIAL", "UNCLASSIFIED", "UNCLAS", "LIMITED OFFICIAL USE"},
    key=lambda level: (-len(level), level),
)
_LEVEL_RE = "|".join(r"\s+".join(_spaced(w) for w in lvl.split()) for lvl in _LEVELS)
_CLASS_WORD = re.compile(rf"^\s*(?P<cls>{_LEVEL_RE})(?P<efto>\s+{_spaced('EFTO')})?\b", re.I)
_CLASS_REST = re.compile(
    r"^\s*(?:(?:-|//?)\s*)?(?:SECTION\s+(?P<sec>\d{1,3})\s+OF\s+(?P<of>\d{1,3})\s+)?"
    r"(?P<origin>[A-Z][A-Z .'&-]*?[A-Z])\s+(?P<serial>\d{2,7})\b(?P<tail>.*)$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class ClassLine:
    classification: Classification
    sbu: bool  # LIMITED OFFICIAL USE / UNCLAS EFTO: unclassified with a control
    section: tuple[int, int] | None
    origin: str  # as written, upper case (spaces kept)
    serial: int
    tail: str  # anything after the serial (SECTO numbers, stray text)


# First letters of the classification words as the re.I pattern folds them.
_CLASS_FIRST = frozenset("TtSsCcUuLl\u017f")


def classification_word(line: str) -> tuple[Classification, bool, int] | None:
    """(level, sbu, end offset) of a classification word at the start of ``line``."""
    first = line[:1]
    if first not in _CLASS_FIRST and not first.isspace():  # the cheap test first
        return None
    m = _CLASS_WORD.match(line)
    if not m:
        return None
    key = "".join(m["cls"].split()).upper()
    level = CLASSIFICATION_WORDS.get(key)
    if level is None:
        return None
    sbu = key in SBU_LEVEL_WORDS or bool(m["efto"])
    return level, sbu, m.end()


def match_classification_line(line: str) -> ClassLine | None:
    """The classification line ``<LEVEL> [SECTION n OF m] <ORIGIN> <SERIAL>``."""
    word = classification_word(line.lstrip("¶ "))
    if word is None:
        return None
    level, sbu, end = word
    m = _CLASS_REST.match(line.lstrip("¶ ")[end:])
    if not m:
        return None
    origin = " ".join(m["origin"].upper().split())
    if origin.startswith("SECTION") or origin in ("PAGE",):
        return None
    section = (int(m["sec"]), int(m["of"])) if m["sec"] else None
    return ClassLine(level, sbu, section, origin, int(m["serial"]), m["tail"].strip())


def is_banner(line: str) -> bool:
    """A classification word alone on a line (page banners of received copies)."""
    word = classification_word(line)
    return word is not None and not line[word[2] :].strip(" -/.")


# ALMATY 00001703 001.2 OF 004 (origin cut to 10 characters, serial padded to 8).
PAGE_MARKER = re.compile(r"^\s*\S.{0,10}?\s\d{8}\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}\s*$", re.I)
# PAGE 02 HELSIN 02613 01 OF 02 121416Z (1970s-1990s received copies).
PAGE_HEADER = re.compile(r"^\s*PAGE\s+\d{2,3}\b(?:\s+\S.*)?$")
# ------------------57D37C  170857Z /38  (received-copy counter line)
COUNTER_LINE = re.compile(r"^\s*-{5,}\s*[0-9A-F]{3,}(?:\s+\d{6}Z)?(?:\s*/\d+)?\s*$")
# NNNN ends a transmission; AAD printouts end the Message Text with NNN.
TRANSMISSION_END = re.compile(r"^\s*(?:NNNN?|BT|#\d{1,4})\s*$")
# Paragraph start: optional anchor, number, period (not a decimal: 1.5 is text).
PARA_START = re.compile(r"^\s*(?P<anchor>¶\s?)?(?P<num>\d{1,3})\s?\.(?!\d)\s*(?P<rest>.*)$")


# The four above in one pattern (one match per line instead of four).
_PAGE_NOISE = re.compile(
    r"\s*(?:(?i:\S.{0,10}?\s\d{8}\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}\s*$)"
    r"|PAGE\s+\d{2,3}\b(?:\s+\S.*)?$"
    r"|-{5,}\s*[0-9A-F]{3,}(?:\s+\d{6}Z)?(?:\s*/\d+)?\s*$"
    r"|(?:NNNN?|BT|#\d{1,4})\s*$)"
)


def is_page_noise(line: str) -> bool:
    """Lines that transmission and printing inserted into the text (page markers,
    PAGE headers, counter lines, BT/NNNN/NNN/#ssn)."""
    s = line.strip()
    # A page marker ends in a digit; the others open with P, -, N, B or #.
    if not s or (s[0] not in "P-NB#" and not s[-1].isdecimal()):
        return False
    return _PAGE_NOISE.match(line) is not None
