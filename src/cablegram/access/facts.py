"""The facts about a cable that the access rule looks at, and nothing else.

:func:`access_facts` is the single place that turns a :class:`Cable` into the
values the rule compares; the archive stores exactly these values (see
:func:`cablegram.access.policy.access_rows`), so the Python rule and its SQL
forms read the same facts by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from cablegram import lexicon
from cablegram.access.marks import PortionMark, parse_mark, subject_mark
from cablegram.model import Cable, Classification

__all__ = [
    "UNKNOWN_CLASSIFICATION",
    "AccessFacts",
    "access_facts",
    "canonical_caption",
    "controlling_captions",
    "distribution_offices",
    "effective_classification",
    "restricted_captions",
]

# A cable whose level could not be read is treated as the highest level, so a
# parse failure can never open a cable to a reader (the owner still sees it).
UNKNOWN_CLASSIFICATION = Classification.TOP_SECRET

# Caption kinds that limit who may read (lexicon captions.csv ``kind``):
# distribution/channel captions need read-in AND station or office membership;
# release captions (NOFORN, ORCON, NOCONTRACT) need read-in only.
_RESTRICTED_KINDS = ("distribution", "channel")
_CONTROLLING_KINDS = (*_RESTRICTED_KINDS, "release")
# Caption kind whose presence makes unclassified text sensitive (FOUO).
_SBU_KINDS = ("control",)


@cache
def controlling_captions() -> frozenset[str]:
    """Captions a principal must be read into before it may read the cable."""
    return frozenset(c.caption for c in lexicon.captions().values() if c.kind in _CONTROLLING_KINDS)


@cache
def restricted_captions() -> frozenset[str]:
    """Captions that also require station or office membership (NODIS, EXDIS ...)."""
    return frozenset(c.caption for c in lexicon.captions().values() if c.kind in _RESTRICTED_KINDS)


@cache
def _captions_longest_first() -> tuple[str, ...]:
    return tuple(sorted(lexicon.captions(), key=len, reverse=True))


@lru_cache(maxsize=1024)
def canonical_caption(written: str) -> str | None:
    """The lexicon caption a written caption line names, or None if unknown.

    ``SPECAT EXCLUSIVE`` -> ``SPECAT``; ``CODEL SMITH`` -> ``CODEL``.
    """
    text = " ".join(written.upper().split())
    for name in _captions_longest_first():
        if text == name or text.startswith(name + " "):
            return name
    return None


@dataclass(frozen=True, slots=True)
class AccessFacts:
    """What the rule reads of a cable.

    * ``classification`` — the higher of the overall level and every portion
      mark (FORMAT R08 violations must not lower protection); unknown level ->
      :data:`UNKNOWN_CLASSIFICATION`.
    * ``sbu`` — cable-level SBU flag, any SBU/LOU/FOUO portion, or a
      control-kind caption.
    * ``captions`` — canonical controlling captions, including those implied
      by portion controls (``S//NF`` implies ``NOFORN``).
    * ``stations`` — routing indicators of the originator and of every TO,
      INFO and XMT addressee.
    * ``offices`` — office symbols named on the distribution lines.
    """

    classification: Classification
    sbu: bool
    captions: frozenset[str]
    stations: frozenset[str]
    offices: frozenset[str]

    @property
    def class_rank(self) -> int:
        return self.classification.rank


_PARENS = re.compile(r"\([^()]*\)")
_STEER = re.compile(r"\b(?:ALSO\s+)?(?:FOR|PASS\s+TO|PASS)\b")
_ITEM_SPLIT = re.compile(r"\s*(?:,|;|\bAND\b|&)\s*")
_OFFICE = re.compile(r"^[A-Z0-9][A-Z0-9&-]*(?:/[A-Z0-9&-]+)*$")


def distribution_offices(lines: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Office symbols named on distribution lines (FORMAT §3.5).

    ``DEPARTMENT FOR S/WCI (WITTEN), L/PM`` -> ``S/WCI``, ``L/PM``;
    ``DEPT PASS TO USAID FOR AID/ANE`` -> ``USAID``, ``AID/ANE``.  Only what
    follows a steering word counts (the addressing post before it does not);
    names in parentheses are dropped; a multi-word item contributes its
    slashed symbols only.
    """
    out: set[str] = set()
    for line in lines:
        text = _PARENS.sub(" ", line.upper())
        for clause in text.split(";"):
            parts = _STEER.split(clause)
            for part in parts[1:]:
                for item in _ITEM_SPLIT.split(part):
                    words = item.strip(" .:").split()
                    if len(words) == 1 and _OFFICE.match(words[0]):
                        out.add(words[0])
                    elif len(words) > 1:
                        out.update(w for w in words if "/" in w and _OFFICE.match(w))
    return frozenset(out)


def _marks(cable: Cable) -> list[PortionMark]:
    """Every portion mark of the cable that reads as one, subject included."""
    marks = [m for m in (parse_mark(p.marking) for p in cable.paragraphs) if m is not None]
    if (sm := subject_mark(cable)) is not None:
        marks.append(sm)
    return marks


def _highest(cable: Cable, marks: list[PortionMark]) -> Classification:
    level = cable.classification or UNKNOWN_CLASSIFICATION
    for mark in marks:
        if mark.level > level:
            level = mark.level
    return level


def effective_classification(cable: Cable) -> Classification:
    """Overall level, raised to the highest portion mark (subject included)."""
    return _highest(cable, _marks(cable))


def access_facts(cable: Cable) -> AccessFacts:
    """The facts of ``cable`` the access rule compares (stored by the archive)."""
    marks = _marks(cable)
    captions: set[str] = set()
    sbu = cable.sbu or any(m.sbu for m in marks)
    for written in cable.captions:
        name = canonical_caption(written)
        if name is None:
            continue
        if name in controlling_captions():
            captions.add(name)
        if lexicon.captions()[name].kind in _SBU_KINDS:
            sbu = True
    for mark in marks:
        captions.update(c for c in mark.controls if c in controlling_captions())
    stations = {a.routing_indicator for a in (*cable.to, *cable.info, *cable.xmt)}
    if cable.from_ is not None:
        stations.add(cable.from_.routing_indicator)
    return AccessFacts(
        classification=_highest(cable, marks),
        sbu=sbu,
        captions=frozenset(captions),
        stations=frozenset(s.upper() for s in stations if s),
        offices=distribution_offices(cable.distribution),
    )
