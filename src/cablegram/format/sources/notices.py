"""Lines the publishers added to cable text, moved out into metadata.

* WikiLeaks replaced the header of most 2000-2004 cables with a notice
  ("This record is a partial extract ...") sometimes followed by a bare time
  (``201247Z Jan 04``), in the Cablegate pages and in cables.csv.
* WikiLeaks pages put a date line (``Thursday, 24 September 2009, 15:46``)
  before the classification line of about one body in ten.

Both are facts about the publication, not the cable: the text loses them, the
metadata keeps them, and a source defect records the change.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from cablegram.model import Defect

_PARTIAL = re.compile(
    r"\s*This record is a partial extract of the original cable\.\s*"
    r"The full text of the original cable is not available\.[ \t]*\n?",
)
_BARE_TIME = re.compile(r"\s*(\d{6}Z [A-Z][a-z]{2} \d{2})[ \t]*(?:\n|$)")
_INJECTED_DATE = re.compile(
    r"\s*(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
    r"(\d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}:\d{2})[ \t]*\n"
)

PARTIAL_EXTRACT = "PARTIAL_EXTRACT"
INJECTED_DATE_LINE = "INJECTED_DATE_LINE"


def take_partial_extract(text: str, metadata: dict[str, Any]) -> tuple[str, list[Defect]]:
    """Remove a leading partial-extract notice (and its bare time) from ``text``."""
    match = _PARTIAL.match(text)
    if not match:
        return text, []
    rest = text[match.end() :]
    metadata["partial_extract"] = True
    time = _BARE_TIME.match(rest)
    if time:
        metadata["extract_time"] = time.group(1)
        rest = rest[time.end() :]
    defect = Defect(
        PARTIAL_EXTRACT,
        "publisher notice 'partial extract of the original cable' removed; "
        "the original header is not available",
        None,
    )
    return rest, [defect]


def take_injected_date(text: str, metadata: dict[str, Any]) -> tuple[str, list[Defect]]:
    """Remove a WikiLeaks date line at the start of a body."""
    match = _INJECTED_DATE.match(text)
    if not match:
        return text, []
    try:
        stamp = datetime.strptime(match.group(1), "%d %B %Y, %H:%M")
        metadata["injected_date"] = stamp.strftime("%Y-%m-%dT%H:%M:00Z")
    except ValueError:
        metadata["injected_date"] = match.group(1)
    defect = Defect(
        INJECTED_DATE_LINE, f"publisher date line removed: {match.group(0).strip()}", None
    )
    return text[match.end() :], [defect]


# The two numeric patterns the sources use, read without strptime (which is slow);
# anything these do not settle goes to strptime.
_NUMERIC_PATTERNS = {
    "%Y-%m-%d %H:%M": (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{2})"), (0, 1, 2)),
    "%m/%d/%Y %H:%M": (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})"), (2, 0, 1)),
}


def iso_minutes(value: str, pattern: str) -> str | None:
    """``value`` parsed with ``pattern`` as an ISO 8601 UTC string, or None."""
    numeric = _NUMERIC_PATTERNS.get(pattern)
    if numeric is not None and (m := numeric[0].fullmatch(value.strip())):
        parts = [int(x) for x in m.groups()]
        y, mo, d = (parts[k] for k in numeric[1])
        try:
            if y >= 1000:
                datetime(y, mo, d, parts[3], parts[4])
                return f"{y:04d}-{mo:02d}-{d:02d}T{parts[3]:02d}:{parts[4]:02d}:00Z"
        except ValueError:
            pass
    try:
        return datetime.strptime(value.strip(), pattern).strftime("%Y-%m-%dT%H:%M:00Z")
    except ValueError:
        return None
