"""First-release JSON (28 Nov 2010): ``{_id, origin, date_time, classification,
body[, header, reference_id]}``, as one object, an array or JSON lines.

The export deleted every line break: ``"...001197 \\n \\nSIPDIS"`` became
``"001197  SIPDIS"`` and a line without trailing space was glued to the next
(``TAGS: GM PGOV PRELSUBJECT:``).  Line structure is restored only where the
evidence is unambiguous (documented in docs/format-sources.md):

body
  * a line break before every ``¶`` mark: a blank line before ``¶1.``, a
    single break before ``¶B.`` (REF list items);
  * a break before a glued ``SUBJECT:``;
  * in the header zone (before the first numbered paragraph), a break at
    every run of two or more spaces - there the original lines are short
    and double spaces mark line ends - and before ``TAGS`` after ``E.O.``;
  * a dashed rule (``SUMMARY -------``, ``--- OBJECTIVES ---``) goes on its own
    line, and upper-case heading words before it (after a double space) too;
  * with no ``¶`` marks at all, a blank line before ``N.`` after two spaces.
header (transmission lines, fully glued)
  * breaks after FL1 (``VZCZC...``) and FL4 (``ZNY CCCCC ZZH``), around the
    FL5 precedence + DTG, before ``DE``, the first ``FM``/``TO``/``INFO``,
    before glued routing indicators (``PRIORITYRUCNFRG/``), after glued
    precedence words and serials (``IMMEDIATEAMEMBASSY``).
Wrapped lines (SUBJECT continuations, prose) stay joined: the parser reads
run-on text, and guessing line ends inside prose would invent structure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from cablegram.format.sources.document import Document, LineMap
from cablegram.format.sources.notices import iso_minutes
from cablegram.format.sources.telegram import base_metadata
from cablegram.lexicon import PRECEDENCE_WORDS
from cablegram.model import Defect

FORMAT = "cablegate-json"
LINE_BREAKS_RESTORED = "LINE_BREAKS_RESTORED"

# Bodies are long: the passes over a whole body look for a literal first (¶,
# ---, SUBJ) and only then at the blanks before it, instead of trying a pattern
# that starts with optional blanks at every position.
_MARK_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz(")
_GLUED_AFTER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789,.)")
_SUBJECT_WORD = re.compile(r"(?:SUBJECT|Subject|SUBJ):")
_DASH_RUN = re.compile(r"---+")
_EO_TAGS = re.compile(r"[ \t](?<=\S[ \t])[ \t]*(?=TAGS\b|Tags:)")
# Heading text before a rule: the upper-case words after the last double space.
_HEADING = re.compile(r"[ \t]{2,}([^a-z\n]{1,80}?)[ \t]*\n(-{3,})\n$")
_RULE_LINE = re.compile(r"-{3,}\n")  # at the start; after a line end:
_RULE_AFTER_BREAK = re.compile(r"\n(?=(-{3,}\n))")
_BLANK_RUN = re.compile(r"\n\n\n+")
_MULTISPACE = re.compile(r"[ \t][ \t]+")
_PLAIN_PARA = re.compile(r"[ \t][ \t]+(?=\d{1,2}\.\s+(?:\(|[A-Z]))")
_FIRST_PARA = re.compile(r"¶?\d{1,2}\.\s")  # at the start, or after a line end:
_NEXT_PARA = re.compile(r"\n¶?\d{1,2}\.\s")

_FL1 = re.compile(r"^(VZCZC[A-Z]{3}\d{3,4})[ \t]*")
# Blanks before a line are taken from the first blank of a run only
# ((?<![ \t])): from each, [ \t]* would take the rest of the run every time.
_FL3 = re.compile(r"(?:(?<![ \t])[ \t]+)?(DE R[A-Z]{3,5} #)")
_FL4 = re.compile(r"(?:(?<![ \t])[ \t]+)?(ZN[YR] [A-Z]{5} ZZH)[ \t]*")
_FL5 = re.compile(
    r"(?:(?<![ \t])[ \t]+)?(?<![A-Z0-9])((?:[ZOPRYW] )*[ZOPRYW] \d{6}Z [A-Z]{3} \d{2})((?: Z[A-Z]{2}\d?)*)[ \t]*"
)
_GLUED_RI = re.compile(r"(?<=[A-Za-z0-9])(R[A-Z]{3,6}/)")


@cache
def _glued_precedence() -> re.Pattern[str]:
    """A per-addressee precedence word (and serial) glued to the next addressee."""
    words = sorted((w for w in PRECEDENCE_WORDS if " " not in w), key=len, reverse=True)
    return re.compile(rf"\b((?:{'|'.join(words)})(?: \d{{1,5}})?)(?=[A-Z])")


def restore_body(body: str) -> str:
    """Body text with line breaks put back where the evidence is clear."""
    text = body.replace("\r\n", "\n")
    if "¶" in text:
        text = _break_before_marks(text)
    else:
        text = _PLAIN_PARA.sub("\n\n", text)
    first = _FIRST_PARA.match(text) or _NEXT_PARA.search(text)
    cut = first.start() if first else min(len(text), 2000)
    zone = _MULTISPACE.sub("\n", _break_before_subject(text[:cut]))
    zone = _EO_TAGS.sub("\n", zone) if re.search(r"E\.\s?O\.", zone, re.I) else zone
    text = zone + text[cut:]
    if "---" in text:
        text = _headings(_rules_on_own_lines(text))
    text = _BLANK_RUN.sub("\n\n", text)
    return text.strip("\n") + "\n"


def _break_before_marks(text: str) -> str:
    """Blanks before ``¶`` + digit -> a blank line; before ``¶`` + letter -> a line end."""
    out: list[str] = []
    pos = 0
    at = text.find("¶")
    while at >= 0:
        after = text[at + 1 : at + 2]
        digit = after.isdecimal()
        if digit or after in _MARK_LETTERS:
            start = at
            while start > pos and text[start - 1] in " \t":
                start -= 1
            out.append(text[pos:start])
            out.append("\n\n¶" if digit else "\n¶")
            pos = at + 1
        at = text.find("¶", at + 1)
    out.append(text[pos:])
    return "".join(out)


def _break_before_subject(text: str) -> str:
    """A line end instead of the blanks before ``SUBJECT:`` glued to a word or ``.,)``."""
    out: list[str] = []
    pos = 0
    for m in _SUBJECT_WORD.finditer(text):
        start = m.start()
        while start > pos and text[start - 1] in " \t":
            start -= 1
        if start > 0 and text[start - 1] in _GLUED_AFTER:
            out.append(text[pos:start])
            out.append("\n")
            pos = m.start()
    out.append(text[pos:])
    return "".join(out)


def _rules_on_own_lines(text: str) -> str:
    """A dashed rule after a blank, with a blank or the line end after it, on its own line."""
    out: list[str] = []
    pos = 0
    for m in _DASH_RUN.finditer(text):
        start, end = m.span()
        lead = start
        while lead > pos and text[lead - 1] in " \t":
            lead -= 1
        if lead == start:
            continue  # no blank before the rule
        tail = end
        while tail < len(text) and text[tail] in " \t":
            tail += 1
        if tail == end and end < len(text) and text[end] != "\n":
            continue  # the rule runs into text
        out.append(text[pos:lead])
        out.append(f"\n{m[0]}\n")
        pos = tail
    out.append(text[pos:])
    return "".join(out)


def _headings(text: str) -> str:
    """Upper-case heading words before a rule line go on their own line."""
    out: list[str] = []
    pos = 0
    for rule_start, rule_end in _rule_lines(text):
        start = text.rfind("\n", 0, rule_start - 1) + 1
        line = text[start:rule_end]
        out.append(text[pos:start])
        out.append(_HEADING.sub(r"\n\n\1\n\2\n", line))
        pos = rule_end
    out.append(text[pos:])
    return "".join(out)


def _rule_lines(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the lines that are only dashes (3 or more), line end included."""
    first = _RULE_LINE.match(text)
    if first is not None:
        yield first.span()
    for m in _RULE_AFTER_BREAK.finditer(text):
        yield m.end(), m.end() + len(m[1])


def restore_header(header: str) -> str:
    """Transmission header lines from the glued header field."""
    text = _FL1.sub(r"\1\n", header.strip())
    text = _FL3.sub(r"\n\1", text)
    text = _FL4.sub(r"\n\1\n", text)
    text = _FL5.sub(r"\n\1\2\n", text, count=1)
    for keyword in ("FM ", "TO ", "INFO "):
        text = _break_before_first(text, keyword)
    text = _GLUED_RI.sub(r"\n\1", text)
    text = _glued_precedence().sub(r"\1\n", text)
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _break_before_first(text: str, keyword: str) -> str:
    """A break before the first ``keyword`` not already at a line start."""
    start = text.find("\nFM ") if keyword != "FM " else 0
    at = text.find(keyword, max(start, 0) + 1)
    if at <= 0 or text[at - 1] == "\n":
        return text
    return text[:at].rstrip(" \t") + "\n" + text[at:]


def object_document(
    obj: dict[str, Any], path: str | None, locator: str | None, line: int = 1
) -> Document:
    """A Document for one first-release object written on file line ``line``."""
    metadata = base_metadata(path)
    ref = obj.get("_id") or obj.get("reference_id")
    if ref:
        metadata["id"] = str(ref)
    created = obj.get("date_time")
    if created:
        metadata["created"] = iso_minutes(str(created), "%Y-%m-%d %H:%M") or str(created)
    for key in ("origin", "classification"):
        if obj.get(key):
            metadata[key] = str(obj[key])
    body = restore_body(str(obj.get("body") or ""))
    header = restore_header(str(obj.get("header") or ""))
    text = f"{header}\n\n{body}" if header else body
    defect = Defect(
        LINE_BREAKS_RESTORED,
        "line breaks lost in the first-release JSON were restored heuristically",
        None,
    )
    return Document(text, FORMAT, path, metadata, (defect,), locator, LineMap.fixed(line))


def is_release_object(obj: object) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("body"), str) and bool(obj["body"].strip())
