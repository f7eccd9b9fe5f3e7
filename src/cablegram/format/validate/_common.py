"""What every rule module shares: the finding type, the context a rule sees, date helpers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from cablegram.format.drafts import DRAFT_FORMAT, field_of
from cablegram.format.render import MONTHS, created_datetime, render_located
from cablegram.lexicon.marks import parse_mark
from cablegram.model import Cable, Classification

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One broken release rule.

    ``line`` (1-based) is where the offending element is: in the file the cable
    or draft was read from (``cable.source.lines``: the line of the text, or of
    the JSON field, that holds it), else in ``render(cable)`` (cables built in
    code); None when the rule is about something missing, or when a draft's
    file does not hold the element (the message then names the field).
    """

    code: str
    severity: str  # 'error' | 'warning'
    message: str
    line: int | None = None
    # The schema field that holds the offending element (``paragraphs[3]``), for
    # forms that show a finding beside the field; None when the rule is about the
    # cable as a whole.
    field: str | None = None


class Context:
    """The cable under validation plus what several rules derive from it."""

    def __init__(self, cable: Cable, *, draft: bool = False) -> None:
        self.cable = cable
        self.draft = draft  # before release: serial, DTG and id not assigned yet
        self.when: datetime | None = created_datetime(cable)
        self.cls = cable.classification or Classification.UNCLASSIFIED
        self._where: dict[str, int] | None = None

    @property
    def classified(self) -> bool:
        return self.cls > Classification.UNCLASSIFIED

    def line(self, key: str) -> int | None:
        """Line of an element (keys of ``render_located``): in the source file of a
        read cable or draft, else in its rendering (rendered once, lazily)."""
        if self._where is None:
            located = self.cable.source.lines
            draft_file = self.cable.source.format == DRAFT_FORMAT
            self._where = located if located or draft_file else render_located(self.cable)[1]
        return self._where.get(key)

    def finding(self, code: str, severity: str, message: str, key: str | None = None) -> Finding:
        line = self.line(key) if key else None
        if key and line is None and self.cable.source.format == DRAFT_FORMAT:
            # A draft's file does not hold the element: name the field to change.
            message = f"{message} (field {field_of(key)})"
        return Finding(code, severity, message, line, field_of(key) if key else None)


Rule = Callable[["Context"], Iterator[Finding]]


def needs_classification(rule: Rule) -> Rule:
    """Mark a rule that compares against the cable's level: skipped when the level
    is unknown (R30 reports that), rather than guessing UNCLASSIFIED."""
    rule.needs_classification = True  # type: ignore[attr-defined]
    return rule


_DTG = re.compile(r"^(\d{2})(\d{2})(\d{2})Z ([A-Z]{3}) (\d{2})\b")


def parse_dtg(written: str) -> datetime | None:
    """``150225Z MAY 06`` -> datetime, None when it is not a real date and time."""
    m = _DTG.match(written.strip().upper())
    if not m or m.group(4) not in MONTHS:
        return None
    dd, hh, mi, mon, yy = m.groups()
    year = 1900 + int(yy) if int(yy) >= 66 else 2000 + int(yy)
    try:
        return datetime(year, MONTHS.index(mon) + 1, int(dd), int(hh), int(mi))
    except ValueError:
        return None


def iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def portion_level(marking: str) -> Classification | None:
    """The level of a portion mark (``S//NF`` -> SECRET), None when unreadable."""
    mark = parse_mark(marking)
    return mark.level if mark is not None else None


def portion_controls(marking: str) -> frozenset[str]:
    """Canonical controls of a portion mark (``S//FGI//NF`` -> ``{"FGI", "NOFORN"}``)."""
    mark = parse_mark(marking)
    return mark.controls if mark is not None else frozenset()


def portion_is_sbu(marking: str) -> bool:
    """The mark protects sensitive-but-unclassified text (SBU, LOU, U//FOUO)."""
    mark = parse_mark(marking)
    return mark is not None and mark.sbu


def enumerate_marks(cable: Cable) -> Iterator[tuple[int, str]]:
    for i, p in enumerate(cable.paragraphs):
        if p.marking:
            yield i, p.marking
