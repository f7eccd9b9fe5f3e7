"""The transmission lines of a rendered cable: FL1-FL5 and the addressee blocks.

What the model holds is written as it stands; a cable without a header (a
draft, a partial extract) gets a deterministic default envelope from its own
serial, DTG and originator when the caller asks for defaults (FORMAT §3.13).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import datetime
from functools import cache

from cablegram import lexicon
from cablegram.model import Addressee, Cable, Classification, Precedence

MONTHS = tuple(m.upper() for m in calendar.month_abbr[1:])
# The capture point whose copies carry the single relay RUEHWEB (FORMAT §2.2):
# the most plausible envelope for a cable whose own header was not kept.
DEFAULT_CHANNEL = "XYZ"
DEFAULT_RELAY_RI = "RUEHWEB"
# National-use signal present on every Cablegate FL4 (FORMAT §2.5).
DEFAULT_SIGNAL = "ZZH"


def created_datetime(cable: Cable) -> datetime | None:
    """The DTG of ``cable`` as a naive UTC datetime, or None."""
    if not cable.created:
        return None
    try:
        return datetime.strptime(cable.created[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        return None


def dtg_of(when: datetime) -> str:
    """Date-time group as FL5 writes it: ``150225Z MAY 06``."""
    return f"{when:%d%H%M}Z {MONTHS[when.month - 1]} {when:%y}"


def filed_of(when: datetime) -> str:
    """FL3 filing time: Julian day + hhmm (``1350225``)."""
    return f"{when.timetuple().tm_yday:03d}{when:%H%M}"


@cache
def _origin_ris() -> dict[str, str]:
    """Origin token -> the RI its cables are sent from (first one listed)."""
    out: dict[str, str] = {}
    for r in lexicon.read_csv("origins_observed.csv"):
        ri = r["de_routing_indicator"].split(";")[0].strip()
        if ri:
            out.setdefault(lexicon.origin_token(r["classification_line_origin"]), ri)
    return out


@cache
def _plad_ris() -> dict[str, str]:
    """PLAD -> RI as observed on addressee lines (most frequent first), then ACP 117."""
    rows = sorted(
        lexicon.read_csv("routing_indicators_observed.csv"),
        key=lambda r: -int(r["occurrences"] or 0),
    )
    out: dict[str, str] = {}
    for r in rows:
        out.setdefault(r["plad_as_written"].upper(), r["indicator"])
    for ri, station in lexicon.routing_indicators().items():
        out.setdefault(station.upper(), ri)
    return out


def _originator_ri(cable: Cable) -> str | None:
    h = cable.header
    if h is not None and h.originator:
        return h.originator
    if cable.from_ is not None and cable.from_.routing_indicator:
        return cable.from_.routing_indicator
    if cable.origin in _origin_ris():
        return _origin_ris()[cable.origin]
    return _plad_ris().get(cable.from_.name.upper()) if cable.from_ is not None else None


def envelope(cable: Cable, defaults: bool) -> list[str]:
    """FL1-FL5: the transmission lines, as far as the cable (and defaults) give them."""
    h = cable.header
    if h is None:
        return _default_envelope(cable) if defaults else []
    prec = cable.precedence or (h.relay.precedence if h.relay else None)
    lines: list[str] = []
    if h.start_of_message:
        lines.append(h.start_of_message)
    if h.relay is not None:
        rprec = h.relay.precedence or prec
        lines.append(" ".join([rprec.prosign * 2 if rprec else "", *h.relay.routing_indicators]))
    if h.originator:
        ssn = "" if h.station_serial is None else f" #{h.station_serial:04d}"
        sec = f"/{h.section:02d}" if h.section and ssn else ""
        lines.append(f"DE {h.originator}{ssn}{sec}" + (f" {h.filed}" if h.filed else ""))
    if h.security:
        lines.append(h.security)
    when = created_datetime(cable)
    dtg = h.dtg or (dtg_of(when) if when else None)
    if dtg:
        # Without a precedence the DTG stands alone (as in partial copies).
        fl5 = f"{_prosigns(cable, prec)} {dtg}" if prec is not None else dtg
        lines.append(f"{fl5} {h.signals}" if h.signals else fl5)
    return lines


def info_precedence(cable: Cable) -> Precedence | None:
    """The FL5 second prosign (dual precedence), when the INFO addressees need it.

    ROUTINE is never written on an addressee line, so an INFO addressee below
    a higher message precedence at ROUTINE can only be said by ``p1 R`` on FL5.
    """
    p1 = cable.precedence
    if p1 is None or p1 is Precedence.ROUTINE:
        return None
    if any(a.precedence is Precedence.ROUTINE for a in cable.info):
        return Precedence.ROUTINE
    return None


def _prosigns(cable: Cable, p1: Precedence) -> str:
    p2 = info_precedence(cable) if p1 == cable.precedence else None
    return f"{p1.prosign} {p2.prosign}" if p2 else p1.prosign


def _default_envelope(cable: Cable) -> list[str]:
    """A deterministic envelope from the cable's own fields (for drafts and extracts)."""
    when = created_datetime(cable)
    if when is None:
        return []
    prec = cable.precedence or Precedence.ROUTINE
    lines: list[str] = []
    ri = _originator_ri(cable)
    if ri and cable.serial is not None:
        sec = f"/{cable.section.number:02d}" if cable.section is not None else ""
        lines += [
            f"VZCZC{DEFAULT_CHANNEL}0000",
            f"{prec.prosign * 2} {DEFAULT_RELAY_RI}",
            f"DE {ri} #{cable.serial % 10000:04d}{sec} {filed_of(when)}",
            _default_security(cable),
        ]
    lines.append(f"{_prosigns(cable, prec)} {dtg_of(when)}")
    return lines


def _default_security(cable: Cable) -> str:
    cls = cable.classification or Classification.UNCLASSIFIED
    sw = "ZNR" if cls is Classification.UNCLASSIFIED else "ZNY"
    return f"{sw} {cls.letter * 5} {DEFAULT_SIGNAL}"


def _addressee_line(a: Addressee, default: Precedence | None) -> str:
    """``RUEHC/SECSTATE WASHDC PRIORITY 6536``.

    The precedence word is written when it says something: it differs from the
    message precedence, or it stands before a counter (as real cables do).
    ROUTINE is never written (FORMAT §2.7).
    """
    parts = [f"{a.routing_indicator}/{a.name}" if a.routing_indicator else a.name]
    p = a.precedence
    if a.niact:
        parts.append(lexicon.NIACT)
    elif p is not None and p is not Precedence.ROUTINE and (a.serial is not None or p != default):
        parts.append(p.value)
    if a.serial is not None:
        parts.append(f"{a.serial:04d}")
    return " ".join(parts)


def addressee_block(keyword: str, items: Iterable[Addressee], cable: Cable) -> list[str]:
    default = cable.precedence
    if keyword == "INFO":
        default = info_precedence(cable) or default
    lines = [_addressee_line(a, default) for a in items]
    if lines:
        lines[0] = f"{keyword} {lines[0]}"
    return lines
