"""Portion marks: their spellings and what they mean (FORMAT §3.11).

The one place that knows portion marks.  Levels are ``lexicon.PORTION_LEVELS``
(``U``, ``SBU``, ``LOU``, ``C``, ``S``, ``TS``), control spellings and their
canonical names and abbreviations ``data/portion_controls.csv`` (``NF``, ``N``,
``NOFORN`` -> control ``NOFORN``, written ``NF`` in a normalised mark).

* :func:`normalize_mark`: a mark as written -> the parser's normalised
  ``Paragraph.marking`` (``S//NF`` -> ``S/NF``, ``C/NOFORN`` -> ``C/NF``,
  ``SBU-N`` -> ``SBU/NF``, ``C - ENTIRE TEXT`` -> ``C``), None if not a mark.
* :func:`parse_mark`: what a mark means (level, SBU flag, canonical controls),
  for access decisions and validation.
* :func:`mark_letter` / :func:`control_marks`: how a level and controls are
  written in a mark (the synthesizer and redaction write marks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from cablegram.lexicon import CLASSIFICATION_WORDS, PORTION_LEVELS, SBU_LEVEL_WORDS, read_csv
from cablegram.model import Classification

__all__ = [
    "WHOLE_TEXT_MARK",
    "PortionMark",
    "control_marks",
    "mark_letter",
    "normalize_mark",
    "parse_mark",
    "portion_controls",
]


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
    return {r["written"]: r["control"] for r in read_csv("portion_controls.csv")}


@cache
def _control_abbreviations() -> dict[str, str]:
    """Written control token -> its spelling in a normalised mark (``NOFORN`` -> ``NF``);
    tokens without one (``REL NATO``) are kept as written."""
    return {r["written"]: r["mark"] for r in read_csv("portion_controls.csv") if r["mark"]}


def mark_letter(level: Classification, sbu: bool = False) -> str:
    """How a level is written in a mark: the first PORTION_LEVELS key (U, C, S,
    TS), or for SBU text the first unclassified key other than the plain letter (SBU)."""
    return next(
        k
        for k, v in PORTION_LEVELS.items()
        if v is level and (not sbu or level is not Classification.UNCLASSIFIED or k != level.letter)
    )


def control_marks(controls: frozenset[str] | set[str]) -> list[str]:
    """Mark abbreviations of the canonical controls among ``controls`` (NOFORN -> NF)."""
    abbreviations: dict[str, str] = {}
    for written, control in portion_controls().items():
        abbreviations.setdefault(control, written)
    return [abbreviations[c] for c in sorted(controls) if c in abbreviations]


# Level tokens as a regex alternation, longest first (TS before S).
_LEVELS = "|".join(sorted(PORTION_LEVELS, key=len, reverse=True))
_LEVEL = re.compile(rf"^(?P<lvl>{_LEVELS})(?P<ctl>(?:\s*(?:/{{1,2}}|-)\s*[A-Z][A-Z ,]*)*)$")
_ENTIRE = re.compile(rf"^(?P<lvl>{_LEVELS})\s*-\s*ENTIRE\s+TEXT$")
_CONTROL_SPLIT = re.compile(r"\s*(?:/{1,2}|-)\s*")
# The level written in words: "CONFIDENTIAL - ENTIRE TEXT" (1980s-90s cables).
_ENTIRE_WORDS = re.compile(r"^(?P<words>[A-Z][A-Z ]{3,24}?)\s*-\s*ENTIRE\s+TEXT$")
# A whole-text mark opening a paragraph without parentheses:
# "1. CONFIDENTIAL - ENTIRE TEXT. CLASSIFIED BY ...".
WHOLE_TEXT_MARK = re.compile(r"^(?P<mark>[A-Z][A-Z ]{3,24}?\s*-\s*ENTIRE\s+TEXT)\b\s*[.:]?\s*")


@lru_cache(maxsize=512)
def normalize_mark(raw: str) -> str | None:
    """``S//NF`` -> ``S/NF``, ``C/NOFORN`` -> ``C/NF``, ``SBU-N`` -> ``SBU/NF``; None if not a mark."""
    u = " ".join(raw.upper().split())
    e = _ENTIRE.match(u)
    if e:
        return e["lvl"]
    w = _ENTIRE_WORDS.match(u)
    if w:
        squeezed = w["words"].replace(" ", "")
        level = CLASSIFICATION_WORDS.get(squeezed)
        return mark_letter(level, squeezed in SBU_LEVEL_WORDS) if level is not None else None
    m = _LEVEL.match(u)
    if not m:
        return None
    parts = [m["lvl"]]
    abbreviations = _control_abbreviations()
    for ctl in _CONTROL_SPLIT.split(m["ctl"].strip(" /-")) if m["ctl"] else []:
        if ctl:
            parts.append(abbreviations.get(ctl.replace(" ", ""), ctl))
    return "/".join(parts)


# Older whole-message marks: "(C - ENTIRE TEXT)", "SECRET - ENTIRE TEXT".
_ENTIRE_TEXT = re.compile(r"\s*-?\s*ENTIRE\s+TEXT\.?\s*$")
_SEPARATORS = re.compile(r"\s*//?\s*|\s*-\s*(?=[A-Z]+$)")


def _level(token: str) -> tuple[Classification, bool] | None:
    """(level, sbu) of a level token, or None when it is not a level."""
    if token in PORTION_LEVELS:
        level = PORTION_LEVELS[token]
        # Every unclassified mark other than the plain letter (SBU, LOU) is a control.
        return level, level is Classification.UNCLASSIFIED and token != level.letter
    squeezed = token.replace(" ", "")
    if squeezed in CLASSIFICATION_WORDS:
        return CLASSIFICATION_WORDS[squeezed], squeezed in SBU_LEVEL_WORDS
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
        for key in sorted(PORTION_LEVELS, key=len, reverse=True):
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
