"""The E.O. (declassification) line: its grammar, its dates and what it instructs
(FORMAT §3.6, §5).  The one reader of the line, for every layer above.

* :func:`read_eo` reads a written line (``E.O. 12958: DECL: 01/07/2014``) into
  the model's :class:`~cablegram.model.EO`: order, declassification date, value.
  The parser stores it on the cable.
* :func:`read_instruction` says what that value instructs (``DECL: 01/07/2014``,
  ``OADR``, ``X1, X5``, ``GDS 8/12/85 (TOMSETH) OR-P``, ``XGDS-2``, ``DNG: CO
  10/01/2010``, ``AS AMENDED; DECLASSIFIED JUNE 21, 2006`` ...): dates, exemption
  codes, a downgrade.  Access control asks it (``cablegram.access.eo_line``).
* :func:`parse_date` is the one date reader both use.

The exemption codes are vocabulary (``declass_exemptions.csv``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from cablegram.lexicon import PORTION_LEVELS, read_csv
from cablegram.model import EO, Classification

__all__ = [
    "EO_IN_FORCE",
    "EO_KEYWORD",
    "EO_LINE",
    "Exemption",
    "Instruction",
    "exemptions",
    "in_force",
    "parse_date",
    "read_eo",
    "read_instruction",
]

# Dates in force of each executive order written on the E.O. line (FORMAT §5, R21).
EO_IN_FORCE: dict[str, tuple[date, date]] = {
    "11652": (date(1972, 6, 1), date(1978, 11, 30)),
    "12065": (date(1978, 12, 1), date(1982, 7, 31)),
    "12356": (date(1982, 8, 1), date(1995, 10, 13)),
    "12958": (date(1995, 10, 14), date(2010, 6, 26)),
    "13526": (date(2010, 6, 27), date(9999, 12, 31)),
}


def in_force(order: str, day: date, grace_days: int = 0) -> bool | None:
    """Whether E.O. ``order`` was in force on ``day`` (give or take ``grace_days``:
    drafters kept the old number for months); None for an unknown order."""
    span = EO_IN_FORCE.get(order)
    if span is None:
        return None
    lo, hi = span
    return (lo - day).days <= grace_days and (day - hi).days <= grace_days


# The line's opening: E.O. / EO / E. 0. with the order number, or DECL: with it.
# A typist's slip for the second period is read past: E.OM 11652 (1974LAPAZ05618).
# (Possessive blanks around DECL's optional colon: a long run of blanks after
# DECL would otherwise be shared between them every way there is.)
EO_KEYWORD = r"E\s?\.?\s?[O0](?:\s?\.|(?<=\.[O0])[A-Z])?\s*\d{5}\b|DECL\s*+:?\s*+\d{5}\b"
EO_LINE = re.compile(
    r"^\s*(?:E\s?\.?\s?[O0](?:\s?\.|(?<=\.[O0])[A-Z])?\s*(?P<order>\d{5})\b\s*[:;,.]?"
    r"|DECL\s*+:?\s*+(?P<order2>\d{5})\b)"
    r"\s*(?P<value>.*)$",
    re.I,
)
# Where the declassification date is written: after DECL(ASSIFY) (ON), after a
# schedule code (GDS, ADS, RDS, XDS), or first in the value.
# Possessive blanks (*+): three optional runs of blanks in a row would otherwise
# try every way of sharing a long run between them (cubic).
_DECL_DATE = re.compile(
    r"(?:\bDECL(?:ASSIFY)?\b\s*+(?:ON\s*+)?[:.]?|\b(?:GDS|ADS|RDS|XDS)(?:-\d)?\b|^)\s*+(?=\d)",
    re.I,
)
_DATE_WINDOW = 14  # characters after that place a date may take

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    )
}
_NUMERIC_DATE = re.compile(r"\b(\d{1,4})\s*[/.-]\s*(\d{1,3})\s*[/.-]\s*(\d{2,4})\b")
_WORD_DATE = re.compile(
    r"\b(?:(\d{1,2})\s+([A-Z]{3})[A-Z]*\.?,?\s+(\d{4})|([A-Z]{3})[A-Z]*\.?\s+(\d{1,2}),?\s+(\d{4}))\b"
)


def _full_year(written: str, after: int | None) -> int:
    """A written year as four digits.  Two digits: the century that puts it on or
    after ``after`` (the cable's year), else the format's pivot (66-99 -> 19xx)."""
    y = int(written)
    if y >= 100:
        return y
    if after is None:
        return 1900 + y if y >= 66 else 2000 + y
    return 1900 + y if 1900 + y >= after else 2000 + y


def parse_date(text: str, *, after: int | None = None) -> date | None:
    """The first real date in ``text``: M/D/Y (two- or four-digit year), Y/M/D,
    ``21 JUNE 2006`` or ``JUNE 21, 2006``.

    ``after`` (the cable's year) resolves two-digit years.  A three-digit month
    such as ``011/2/2019`` is read as a zero-padding slip.  Written dates that
    are impossible (13/45/2015) are passed over.
    """
    upper = text.upper()
    for m in _NUMERIC_DATE.finditer(upper):
        a, b, c = m.groups()
        try:
            if len(a) == 4:
                return date(int(a), int(b), int(c))
            return date(_full_year(c, after), int(a), int(b))
        except ValueError:
            continue
    for m in _WORD_DATE.finditer(upper):
        if m.group(1):
            mon, d, y = m.group(2), m.group(1), m.group(3)
        else:
            mon, d, y = m.group(4), m.group(5), m.group(6)
        if mon in MONTHS:
            try:
                return date(int(y), MONTHS[mon], int(d))
            except ValueError:
                continue
    return None


def read_eo(line: str) -> EO | None:
    """The E.O. line as the model holds it (None when ``line`` is not one).

    ``text`` is the value after the order number, blanks folded;
    ``declassify_on`` the date written after DECL:, a schedule code, or first.
    """
    m = EO_LINE.match(line)
    if m is None:
        return None
    value = " ".join(m["value"].split())
    d = _DECL_DATE.search(value)
    when = parse_date(value[d.end() : d.end() + _DATE_WINDOW]) if d else None
    return EO(
        order=m["order"] or m["order2"],
        declassify_on=when.isoformat() if when else None,
        text=value or None,
    )


@dataclass(frozen=True, slots=True)
class Exemption:
    code: str
    order: str
    kind: str  # ten-year | twenty-five-year | fifty-year | general-schedule
    meaning: str


@cache
def exemptions() -> dict[str, Exemption]:
    """Exemption codes (X1-X8, 25X1-25X9, 50X1-HUM, XGDS-1-4) from the data file."""
    return {
        r["code"]: Exemption(r["code"], r["order"], r["kind"], r["meaning"])
        for r in read_csv("declass_exemptions.csv")
    }


@dataclass(frozen=True, slots=True)
class Instruction:
    """What an E.O. line instructs.

    ``kind``: ``date`` (declassify on ``declassify_on``), ``event`` (on an
    event, ``event`` text), ``oadr`` (originating agency's determination), ``mr``
    (manual review), ``gds`` (E.O. 11652 General Declassification Schedule,
    date computed), ``review`` (E.O. 12065 RDS/XDS review date), ``exempt``
    (codes only), ``declassified`` (an archival note records declassification
    on ``declassify_on``), ``none`` (N/A or nothing readable).
    """

    order: str | None
    kind: str
    declassify_on: date | None = None
    review_on: date | None = None
    event: str | None = None
    exemptions: tuple[str, ...] = ()
    downgrade: tuple[Classification, date] | None = None


_ORDER = re.compile(r"\b(11652|12065|12356|12958|13526)\b")
_CODE = re.compile(
    # Possessive blanks (*+): two optional runs around an optional mark would
    # otherwise try every way of sharing a long run of blanks (quadratic).
    r"(?<![A-Z0-9])(?:1\.[56]\s*+)?(25X\s*+\d|50X\d-(?:HUM|WMD)|XGDS\s*+-?\s*+\d|X\s*+\.?\s*+\d)(?!\d)"
)
_GDS = re.compile(r"(?<![A-Z])GDS\b")
_REVIEW = re.compile(r"\b(?:RDS|XDS)\s*-?\s*\d?\b")
_ADS = re.compile(r"\bADS\b")
_DNG = re.compile(r"\bDNG\s*:?\s*([CST]{1,2})O?\b")
_NA = re.compile(r"^\W*(?:DECL\W*)?N\s*/?\s*A\b")
_EXEMPT_WORD = re.compile(r"\bEXEMPT(?:ED)?\b")
_WORD = re.compile(r"[A-Z]{3,}")
_DECL_LEAD = re.compile(r"^\W*(?:DECL(?:ASSIFY)?(?:\s+ON)?\W*|1\.[56]\W*)+")
# Years of the General Declassification Schedule of E.O. 11652 by level.
_GDS_YEARS = {
    Classification.CONFIDENTIAL: 6,
    Classification.SECRET: 8,
    Classification.TOP_SECRET: 10,
}
_XGDS_REVIEW_YEARS = 10


def _codes(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for m in _CODE.finditer(text):
        code = re.sub(r"[\s.]", "", m.group(1))
        if code.startswith("XGDS") and "-" not in code:
            code = "XGDS-" + code[4:]
        if code in exemptions() and code not in out:
            out.append(code)
    return tuple(out)


def read_instruction(
    eo: EO | None, *, year: int | None = None, classification: Classification | None = None
) -> Instruction:
    """What the E.O. line ``eo`` of a cable of ``year`` and ``classification`` instructs."""
    raw = " ".join(((eo.text or "") if eo else "").upper().split())
    order = (eo.order if eo else None) or (m.group(1) if (m := _ORDER.search(raw)) else None)
    stated = date.fromisoformat(eo.declassify_on) if eo and eo.declassify_on else None
    codes = _codes(raw)
    downgrade = None
    if dm := _DNG.search(raw):
        target = PORTION_LEVELS.get(dm.group(1))
        when = parse_date(raw[dm.end() :], after=year)
        if target and when:
            downgrade = (target, when)
        raw = raw[: dm.start()]  # the downgrade date is not a declassification date
    if "DECLASSIFIED" in raw:
        return Instruction(order, "declassified", parse_date(raw, after=year))
    if not raw.strip() and stated is None:
        return Instruction(order, "none", downgrade=downgrade)
    if _NA.match(raw) and not codes:
        return Instruction(order, "none", downgrade=downgrade)
    when = stated or parse_date(raw, after=year)
    if _GDS.search(raw):
        if when is None and order == "11652" and year is not None:
            level = classification or Classification.TOP_SECRET
            years = _GDS_YEARS.get(level, max(_GDS_YEARS.values()))
            return Instruction(order, "gds", date(year + years, 12, 31), exemptions=codes)
        return Instruction(order, "date" if when else "none", when, exemptions=codes)
    if _REVIEW.search(raw) and when:
        return Instruction(order, "review", review_on=when, exemptions=codes)
    if any(exemptions()[c].kind == "general-schedule" for c in codes) and year:
        review = date(year + _XGDS_REVIEW_YEARS, 12, 31)
        return Instruction(order, "exempt", review_on=review, exemptions=codes)
    if when is not None:
        return Instruction(order, "date", when, exemptions=codes, downgrade=downgrade)
    rest = _DECL_LEAD.sub("", _EXEMPT_WORD.sub("", _CODE.sub("", raw))).strip(" ,;.:")
    if codes and not rest:
        return Instruction(order, "exempt", exemptions=codes, downgrade=downgrade)
    if rest.startswith("OADR"):
        return Instruction(order, "oadr", exemptions=codes, downgrade=downgrade)
    if rest in ("MR", "M/R"):
        return Instruction(order, "mr", exemptions=codes, downgrade=downgrade)
    if _ADS.search(raw) or not _WORD.search(rest):
        return Instruction(order, "none", exemptions=codes, downgrade=downgrade)
    return Instruction(order, "event", event=rest, exemptions=codes, downgrade=downgrade)
