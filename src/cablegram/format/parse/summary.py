"""The summary of a cable (FORMAT §3.12): its text without label and end marker.

Forms seen in real cables, among the first paragraphs:

* a heading of its own, with or without dashed rules: ``------- SUMMARY
  -------``, ``SUMMARY`` over ``- - - - -``, ``SUMMARY AND ACTION REQUEST``,
  ``Summary/Comment: Almost Showtime`` over dashes; the summary is the next
  paragraph (through ``End summary.`` when one follows within a few);
* a label opening paragraph 1 or 2: ``Summary:``, ``SUMMARY.``, ``BEGIN
  SUMMARY``, ``Summary and Action Request:``, ``Summary/Comment:``,
  ``SUMMARY AND INTRODUCTION,``; the summary runs to ``End Summary.`` (in the
  same paragraph or a later one) or else to the end of the paragraph's block;
* a label inside an early paragraph (``(SBU) Sensitive but unclassified.
  Summary: ...``), read by the body's summary pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from cablegram.model import Paragraph

_LABEL = (
    r"(?:BEGIN\s+)?SUMMARY"
    r"(?:\s+AND\s+(?:ACTION\s+REQUESTS?|COMMENTS?|INTRODUCTION|RECOMMENDATIONS?|BACKGROUND)"
    r"|\s*/\s*(?:COMMENTS?|INTRODUCTION|ACTION\s+REQUESTS?))?"
)
_RULE = r"[\s\-–—=_*./]*"
# A heading line: the label alone between rules, or with a short title after a
# colon over a rule (run onto one line: "Summary/Comment: Almost Showtime ----").
_HEADING = re.compile(
    rf"^{_RULE}{_LABEL}{_RULE}$|^{_RULE}{_LABEL}\s*:[^\n]{{1,60}}?\s[-–—=_]{{3,}}[\s\-–—=_]*$", re.I
)
# The label opening a paragraph, then its punctuation (or a capital: SUMMARY THE ...).
_LEAD = re.compile(rf"^\s*{_LABEL}\s*(?:[:.,;-]+\s*|\s+(?=[A-Z0-9\"(]))", re.I)
_END = re.compile(
    r"\(?\s*\bEND\s+(?:OF\s+)?SUMMARY(?:\s+AND\s+(?:ACTION\s+REQUESTS?|COMMENTS?|INTRODUCTION))?\b[.)]*",
    re.I,
)
# Rules around a summary's text, once its blanks are single spaces.
_RULE_CHARS = " -–—=_*"
# How far a summary may run over paragraphs looking for its end marker.
_SPAN = 5
_FIRST = 8  # paragraphs searched for a summary


def _clean(text: str) -> str | None:
    text = " ".join(text.split()).strip(_RULE_CHARS)
    return text or None


def _end_marker(text: str, upper: str | None = None) -> re.Match[str] | None:
    """``_END.search(text)`` (``upper`` = ``text.upper()``): the marker tried only
    where it can start, at each END back over the blanks and the parenthesis
    that may open it (a regex search tried at every character of a long
    paragraph costs more than the upper-case copy, and END is common inside
    words: RECOMMEND, SPENDING).  Every match holds its END right after those
    blanks, so the first END that matches gives the leftmost match."""
    upper = text.upper() if upper is None else upper
    if len(upper) != len(text):  # case mapping changed the length: no index mapping
        return _END.search(text)
    at = upper.find("END")
    while at >= 0:
        start = at
        while start > 0 and text[start - 1].isspace():
            start -= 1
        if start > 0 and text[start - 1] == "(":
            start -= 1
        if m := _END.match(text, start):
            return m
        at = upper.find("END", at + 3)
    return None


def _through_end(paragraphs: Sequence[Paragraph], k: int, first: str) -> str:
    """``first`` (the summary's start in paragraph ``k``) through an end marker
    in it or in one of the next paragraphs; without one, ``first`` alone up to
    its paragraph's first blank line."""
    if m := _end_marker(first):
        return first[: m.start()]
    texts = [first]
    for p in paragraphs[k + 1 : k + _SPAN]:
        if m := _end_marker(p.text):
            texts.append(p.text[: m.start()])
            return "\n\n".join(texts)
        texts.append(p.text)
    return first.split("\n\n", 1)[0]


def read_summary(
    paragraphs: Sequence[Paragraph], inside: Callable[[str, str], str | None]
) -> str | None:
    """The summary's text, or None.  ``inside`` finds a summary label inside a
    paragraph's text (given the text and its upper-case copy)."""
    for k, p in enumerate(paragraphs[:_FIRST]):
        text = p.text
        upper = text.upper()
        if "UMMARY" not in upper:
            continue
        blocks = text.split("\n\n")
        if _HEADING.match(blocks[-1]) and k + 1 < len(paragraphs):
            start = paragraphs[k + 1].text
            lead = _LEAD.match(start)
            return _clean(_through_end(paragraphs, k + 1, start[lead.end() :] if lead else start))
        if lead := _LEAD.match(text):
            return _clean(_through_end(paragraphs, k, text[lead.end() :]))
        end = _end_marker(text, upper)
        # The label's own SUMMARY is searched for, not the end marker's.
        found = inside(*_without_end_markers(text, upper, end))
        if found and (cleaned := _clean(found)):
            return cleaned
        if end is not None and k < 2:
            # An end marker in paragraph 1 or 2 without a label: the heading was
            # lost (run onto the Classified By line); the summary ends here.
            return _clean(text[: end.start()])
    return None


def _without_end_markers(text: str, upper: str, first: re.Match[str] | None) -> tuple[str, str]:
    """``text`` with its end markers blanked (same length), and its upper case
    (``upper`` = ``text.upper()``, ``first`` = its first end marker)."""
    if first is None:
        return text, upper
    # From the first marker on (the text before it holds none).
    at = first.start()
    blanked = text[:at] + _END.sub(lambda m: " " * len(m[0]), text[at:])
    return blanked, blanked.upper()
