"""Portion marks read as (level, SBU flag, controls) — FORMAT §3.11.

Access decisions need what a paragraph's mark *means*: the level it protects,
whether it is sensitive-but-unclassified, and which handling controls it adds
(``NF`` = ``NOFORN`` ...).  Marks are read by ``cablegram.lexicon.marks``, the
one place that knows them; this module adds the SUBJECT line's mark, which the
parser removes from ``Cable.subject``.
"""

from __future__ import annotations

import re

from cablegram.lexicon.marks import PortionMark, parse_mark, portion_controls
from cablegram.model import Cable

__all__ = ["PortionMark", "parse_mark", "portion_controls", "subject_mark"]


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
