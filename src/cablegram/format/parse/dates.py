"""Date-time groups and source time stamps (FORMAT §2.6).

A DTG is ``DDHHMMZ MON YY`` (``150225Z MAY 06``).  Dates written on the E.O.
line are read by ``cablegram.lexicon.eo``.  Everything returns ISO strings or
``None``; nothing here raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    )
}

# FL5 (and the bare DTG of older copies / partial extracts): optional action and
# info precedence prosigns, then day-hour-minute Z, month, year, trailing signals.
DTG_LINE = re.compile(
    r"^(?:(?P<p1>[ZOPRYW])(?:\s+(?P<p2>[ZOPRYW]))?\s+)?"
    r"(?P<dd>\d{2})(?P<hh>\d{2})(?P<mi>\d{2})\s?Z\s+"
    r"(?P<mon>JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*\.?\s+(?P<yy>\d{2}|\d{4})\b"
    r"(?P<ops>.*)$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Dtg:
    written: str  # as written, e.g. "150225Z MAY 06"
    iso: str | None  # 2006-05-15T02:25:00Z, None when the date is impossible
    p1: str | None  # action precedence prosign
    p2: str | None  # info precedence prosign (dual precedence)
    ops: str  # trailing operating signals


def full_year(yy: int) -> int:
    """Two-digit year pivot of the format: 66-99 -> 19xx, else 20xx."""
    if yy >= 100:
        return yy
    return 1900 + yy if yy >= 66 else 2000 + yy


def parse_dtg(line: str) -> Dtg | None:
    m = DTG_LINE.match(line.strip())
    if not m:
        return None
    mon = m["mon"].upper()
    year = full_year(int(m["yy"]))
    dd, hh, mi = int(m["dd"]), int(m["hh"]), int(m["mi"])
    iso: str | None
    try:
        day = date(year, MONTHS[mon], dd)
        iso = f"{day.isoformat()}T{hh:02d}:{mi:02d}:00Z" if hh < 24 and mi < 60 else None
    except ValueError:
        iso = None
    written = f"{m['dd']}{m['hh']}{m['mi']}Z {mon} {m['yy']}"
    p1 = m["p1"].upper() if m["p1"] else None
    p2 = m["p2"].upper() if m["p2"] else None
    return Dtg(written, iso, p1, p2, m["ops"].strip())


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


_ISO_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2}))?")
_US_STAMP = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?")


def parse_stamp(value: str) -> str | None:
    """ISO date-time of a source time stamp (``2006-05-15 02:25``, ``1/2/1988 12:58``)."""
    v = value.strip()
    m = _ISO_PREFIX.match(v)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _US_STAMP.match(v)
        if not m:
            return None
        mo, d, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    day = _iso(y, mo, d)
    if day is None:
        return None
    hh = int(m.group(4)) if m.group(4) else 0
    mi = int(m.group(5)) if m.group(5) else 0
    if hh > 23 or mi > 59:
        return None
    return f"{day}T{hh:02d}:{mi:02d}:00Z"
