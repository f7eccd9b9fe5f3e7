"""Portion marks read as (level, SBU flag, controls) — FORMAT §3.11.

The parser keeps a paragraph's marking as written, minus parentheses
(``S``, ``C/NF``, ``S//NF``, ``SBU-N``, ``S/REL NATO``, ``S//FGI//NF``,
``C - ENTIRE TEXT``).  Access decisions need what the mark *means*: the level
it protects, whether it is sensitive-but-unclassified, and which handling
controls it adds (``NF`` = ``NOFORN`` ...).  Control spellings live in
``data/portion_controls.csv``; levels come from ``lexicon.PORTION_LEVELS`` and
``lexicon.CLASSIFICATION_WORDS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from cablegram import lexicon
from cablegram.model import Cable, Classification

__all__ = ["PortionMark", "parse_mark", "portion_controls", "subject_mark"]


@dataclass(frozen=True, slots=True)
class PortionMark:
    """What a portion mark means.  ``controls`` holds canonical control names
    (``NOFORN``, ``ORCON``, ``FGI``, ``REL TO``, ``FOR OFFICIAL USE ONLY``)."""

    level: Classification
    sbu: bool = False
    controls: frozenset[str] = frozenset()
    written: str = ""


@cache
def portion_controls() -> dict[str, str]:
    """Written control token -> canonical control (``NF`` -> ``NOFORN``)."""
    return {r["written"]: r["control"] for r in lexicon.read_csv("portion_controls.csv")}


# Older whole-message marks: "(C - ENTIRE TEXT)", "SECRET - ENTIRE TEXT".
_ENTIRE_TEXT = re.compile(r"\s*-?\s*ENTIRE\s+TEXT\.?\s*$")
_SEPARATORS = re.compile(r"\s*//?\s*|\s*-\s*(?=[A-Z]+$)")


def _level(token: str) -> tuple[Classification, bool] | None:
    """(level, sbu) of a level token, or None when it is not a level."""
    if token in lexicon.PORTION_LEVELS:
        level = lexicon.PORTION_LEVELS[token]
        # Every unclassified mark other than the plain letter (SBU, LOU) is a control.
        return level, level is Classification.UNCLASSIFIED and token != level.letter
    squeezed = token.replace(" ", "")
    if squeezed in lexicon.CLASSIFICATION_WORDS:
        return lexicon.CLASSIFICATION_WORDS[squeezed], squeezed in lexicon.SBU_LEVEL_WORDS
    return None


def _control(token: str) -> str | None:
    controls = portion_controls()
    if token in controls:
        return controls[token]
    head = token.split(" ", 1)[0]
    # "REL NATO", "REL TO USA, ISAF": the releasability list follows the word.
    if head in controls and controls[head] == "REL TO":
        return "REL TO"
    return None


@lru_cache(maxsize=4096)  # a corpus writes a few hundred distinct marks
def parse_mark(written: str | None) -> PortionMark | None:
    """Read a portion mark; None when ``written`` is empty or not a mark (``IMI``).

    Unknown control tokens after a valid level are kept verbatim in ``controls``
    so that nothing a classifier wrote is silently dropped.
    """
    if not written:
        return None
    text = written.strip().strip("()").strip().upper()
    text = _ENTIRE_TEXT.sub("", text)
    if not text:
        return None
    tokens = [t.strip() for t in _SEPARATORS.split(text) if t.strip()]
    head = _level(tokens[0])
    rest = tokens[1:]
    if head is None:
        # Run-together typos such as "CNF" / "SNF": a level letter then a control.
        for key in sorted(lexicon.PORTION_LEVELS, key=len, reverse=True):
            tail = tokens[0][len(key) :]
            if tokens[0].startswith(key) and tail and _control(tail):
                head = _level(key)
                rest = [tail, *rest]
                break
    if head is None:
        return None
    level, sbu = head
    controls = frozenset(_control(t) or t for t in rest)
    if "FOR OFFICIAL USE ONLY" in controls:
        sbu = True  # FOUO is an administrative control on unclassified text, like SBU
    return PortionMark(level=level, sbu=sbu, controls=controls, written=written.strip())


_MARK_AT_START = re.compile(r"^\s*\(([^()]{1,24})\)")
_MARK_AT_END = re.compile(r"\(([^()]{1,24})\)\s*\.?\s*$")
_SUBJECT_BLOCK = re.compile(
    r"^[ \t]*SUBJ(?:ECT)?[ \t]*:?[ \t]*(?P<body>.*?)(?=\n[ \t]*\n|\n[ \t]*REF\b|\Z)",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)


def _edge_mark(text: str) -> PortionMark | None:
    for pattern in (_MARK_AT_START, _MARK_AT_END):
        m = pattern.search(text)
        if m and (mark := parse_mark(m.group(1))):
            return mark
    return None


def subject_mark(cable: Cable) -> PortionMark | None:
    """The portion mark of the SUBJECT line, if it carries one.

    The parser removes the mark from ``Cable.subject``, so the SUBJECT block of
    ``Cable.text`` is read too (leading ``(S)`` or trailing ``(C)``).
    """
    if cable.subject and (mark := _edge_mark(cable.subject)):
        return mark
    m = _SUBJECT_BLOCK.search(cable.text or "")
    return _edge_mark(m.group("body")) if m else None
