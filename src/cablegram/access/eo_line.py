"""Reading the declassification instruction of an E.O. line (FORMAT §3.6, §5).

``read_instruction`` turns the written value (``DECL: 01/07/2014``, ``OADR``,
``X1, X5``, ``GDS 8/12/85 (TOMSETH) OR-P``, ``XGDS-2``, ``DNG: CO 10/01/2010``,
``AS AMENDED; DECLASSIFIED JUNE 21, 2006`` ...) into dates and codes.  What the
instruction *means* on a given day is :func:`cablegram.access.declass.declass_status`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from cablegram import lexicon
from cablegram.model import Cable, Classification

__all__ = ["Exemption", "Instruction", "exemptions", "parse_date", "read_instruction"]


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
        for r in lexicon.read_csv("declass_exemptions.csv")
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


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    )
}
_NUMERIC_DATE = re.compile(r"\b(\d{1,4})\s*[/.-]\s*(\d{1,3})\s*[/.-]\s*(\d{2,4})\b")
_WORD_DATE = re.compile(r"\b([A-Z]{3})[A-Z]*\.?\s+(\d{1,2}),?\s+(\d{4})\b")
_ORDER = re.compile(r"\b(11652|12065|12356|12958|13526)\b")
_CODE = re.compile(
    r"(?<![A-Z0-9])(?:1\.[56]\s*)?(25X\s*\d|50X\d-(?:HUM|WMD)|XGDS\s*-?\s*\d|X\s*\.?\s*\d)(?!\d)"
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


def _year(written: str, after: int | None) -> int:
    y = int(written)
    if y >= 100:
        return y
    # Two-digit year: the century that puts it on or after the cable's year.
    for century in (1900, 2000):
        if after is None or century + y >= after:
            return century + y
    return 2000 + y


def parse_date(text: str, *, after: int | None = None) -> date | None:
    """First date in ``text``: M/D/Y (2- or 4-digit year), Y/M/D, ``JUNE 21, 2006``.

    ``after`` (a year) resolves two-digit years.  A three-digit month such as
    ``011/2/2019`` is read as a zero-padding slip.
    """
    upper = text.upper()
    for m in _NUMERIC_DATE.finditer(upper):
        a, b, c = m.groups()
        try:
            if len(a) == 4:
                return date(int(a), int(b), int(c))
            return date(_year(c, after), int(a), int(b))
        except ValueError:
            continue
    for m in _WORD_DATE.finditer(upper):
        if m.group(1) in _MONTHS:
            try:
                return date(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
            except ValueError:
                continue
    return None


def _codes(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for m in _CODE.finditer(text):
        code = re.sub(r"[\s.]", "", m.group(1))
        if code.startswith("XGDS") and "-" not in code:
            code = "XGDS-" + code[4:]
        if code in exemptions() and code not in out:
            out.append(code)
    return tuple(out)


def read_instruction(cable: Cable) -> Instruction:
    """The declassification instruction of ``cable``'s E.O. line."""
    eo = cable.eo
    raw = " ".join(((eo.text or "") if eo else "").upper().split())
    order = (eo.order if eo else None) or (m.group(1) if (m := _ORDER.search(raw)) else None)
    created_year = cable.year
    stated = date.fromisoformat(eo.declassify_on) if eo and eo.declassify_on else None
    codes = _codes(raw)
    downgrade = None
    if dm := _DNG.search(raw):
        target = lexicon.PORTION_LEVELS.get(dm.group(1))
        when = parse_date(raw[dm.end() :], after=created_year)
        if target and when:
            downgrade = (target, when)
        raw = raw[: dm.start()]  # the downgrade date is not a declassification date
    if "DECLASSIFIED" in raw:
        return Instruction(order, "declassified", parse_date(raw, after=created_year))
    if not raw.strip() and stated is None:
        return Instruction(order, "none", downgrade=downgrade)
    if _NA.match(raw) and not codes:
        return Instruction(order, "none", downgrade=downgrade)
    when = stated or parse_date(raw, after=created_year)
    if _GDS.search(raw):
        if when is None and order == "11652" and created_year is not None:
            level = cable.classification or Classification.TOP_SECRET
            years = _GDS_YEARS.get(level, max(_GDS_YEARS.values()))
            return Instruction(order, "gds", date(created_year + years, 12, 31), exemptions=codes)
        return Instruction(order, "date" if when else "none", when, exemptions=codes)
    if _REVIEW.search(raw) and when:
        return Instruction(order, "review", review_on=when, exemptions=codes)
    if any(exemptions()[c].kind == "general-schedule" for c in codes) and created_year:
        review = date(created_year + _XGDS_REVIEW_YEARS, 12, 31)
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
