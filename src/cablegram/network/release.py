"""What release assigns, as pure functions of the draft, the directory, the counters
and the clock (NETWORK.md §3, FORMAT §2).

* the message reference number: origin + serial (``ALMATY 001703``);
* the date-time group: the release minute in UTC (``150225Z MAY 06``), never
  0000Z (2400Z cannot occur);
* the DE line: the originating station's RI on the date, the station serial
  (last four digits of the MRN serial), the filing time (day of year + HHMM);
* per-addressee numbers for the addressees whose stations keep a count;
* the security line for the classification (``ZNR UUUUU``, ``ZNY SSSSS``);
* FL2: the doubled transmission precedence and the RIs of the addressees, from
  the directory on the date;
* sections, when the text is longer than the limit: ``SECTION 01 OF 02`` on the
  classification line and ``/01`` after the station serial, each section its own
  transmission.

The counters themselves (gapless serials, per-addressee numbers) are the
store's; :func:`assemble` is handed the numbers it was given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from cablegram.format import parse, render
from cablegram.format.render import dtg_of, filed_of
from cablegram.format.render.envelope import DEFAULT_CHANNEL, DEFAULT_SIGNAL
from cablegram.model import (
    Addressee,
    Cable,
    Classification,
    Header,
    Paragraph,
    Precedence,
    Relay,
    Section,
    Station,
)
from cablegram.network.directory import Directory

__all__ = [
    "DEFAULT_SECTION_LIMIT",
    "Assembled",
    "ReleaseError",
    "assemble",
    "cable_id",
    "dtg_time",
    "numbered_addressees",
    "security_line",
    "transmission_precedence",
]

# Characters of paragraph text per section: long cables go as several
# transmissions (5 FAH-2 H-320; the relays of the time limited message length).
DEFAULT_SECTION_LIMIT = 12_000
# Corrected copies say so on FL4 (FORMAT §2.5).
CORRECTED_SIGNAL = "ZDS"


class ReleaseError(ValueError):
    """A release that cannot be assembled (message says what is missing)."""


@dataclass(frozen=True, slots=True)
class Assembled:
    """A released cable: the whole cable as the archive keeps it, and the
    transmissions (one per section) as they are sent."""

    cable: Cable
    sections: tuple[Cable, ...]
    telegram: str  # the transmissions one after the other

    @property
    def id(self) -> str:
        return self.cable.id or ""


def dtg_time(clock: datetime) -> datetime:
    """The release minute in UTC; 0000Z is not used (it becomes 0001Z)."""
    when = clock.astimezone(UTC) if clock.tzinfo else clock
    when = when.replace(second=0, microsecond=0, tzinfo=None)
    if when.hour == 0 and when.minute == 0:
        when += timedelta(minutes=1)
    return when


def security_line(classification: Classification | None) -> str:
    """``ZNR UUUUU ZZH`` / ``ZNY SSSSS ZZH`` (FORMAT §2.5)."""
    cls = classification or Classification.UNCLASSIFIED
    sw = "ZNR" if cls is Classification.UNCLASSIFIED else "ZNY"
    return f"{sw} {cls.letter * 5} {DEFAULT_SIGNAL}"


def transmission_precedence(cable: Cable) -> Precedence:
    """The highest precedence among the message and its addressees (FL2, FL5)."""
    found = [cable.precedence] + [a.precedence for a in (*cable.to, *cable.info)]
    return max((p for p in found if p is not None), default=Precedence.ROUTINE)


def cable_id(origin: str, serial: int, when: datetime) -> str:
    """``06ALMATY1703``: two-digit year, origin token, serial without zeros."""
    return f"{when.year % 100:02d}{origin}{serial}"


def numbered_addressees(cable: Cable, directory: Directory, on: date) -> list[str]:
    """The addressees (TO, INFO) that get a per-addressee number: stations that keep
    a count; never collectives."""
    out: list[str] = []
    for a in (*cable.to, *cable.info):
        station = directory.station(a.name)
        if station is not None and station.numbered and a.name not in out:
            out.append(station.plad)
    return out


def _addressees(
    items: tuple[Addressee, ...],
    directory: Directory,
    on: date,
    numbers: Mapping[str, int],
    default: Precedence | None,
) -> tuple[Addressee, ...]:
    out = []
    for a in items:
        ri = directory.routing_indicator(a.name, on)
        if ri is None:
            raise ReleaseError(f"{a.name} has no routing indicator in the directory on {on}")
        out.append(
            replace(
                a,
                routing_indicator=ri,
                serial=numbers.get(a.name),
                precedence=a.precedence or default,
            )
        )
    return tuple(out)


def _split(paragraphs: tuple[Paragraph, ...], limit: int) -> list[tuple[Paragraph, ...]]:
    """Paragraphs in sections of at most ``limit`` characters (a longer paragraph
    stands alone: a paragraph is never cut)."""
    sections: list[list[Paragraph]] = [[]]
    size = 0
    for p in paragraphs:
        if sections[-1] and size + len(p.text) > limit:
            sections.append([])
            size = 0
        sections[-1].append(p)
        size += len(p.text)
    return [tuple(s) for s in sections]


def assemble(
    cable: Cable,
    directory: Directory,
    *,
    serial: int,
    when: datetime,
    numbers: Mapping[str, int],
    section_limit: int = DEFAULT_SECTION_LIMIT,
    filed: datetime | None = None,
    corrected: bool = False,
) -> Assembled:
    """The released cable of draft ``cable`` with ``serial``, DTG ``when`` and the
    per-addressee ``numbers`` (address -> number).  ``filed`` (default: the DTG) is
    the filing time; a corrected copy keeps its original's serial, DTG and numbers
    and is filed now, with ``ZDS`` on FL4."""
    when = dtg_time(when)
    filed = dtg_time(filed) if filed is not None else when
    on = when.date()
    if cable.from_ is None:
        raise ReleaseError("the draft has no originator")
    station = directory.station(cable.from_.name)
    origin_ri = station.routing_indicator(on) if station is not None else None
    if station is None or origin_ri is None:
        raise ReleaseError(f"{cable.from_.name} has no routing indicator in the directory on {on}")
    prec = transmission_precedence(cable)
    whole = replace(
        cable,
        id=cable_id(station.origin, serial, when),
        origin=station.origin,
        serial=serial,
        created=f"{when:%Y-%m-%dT%H:%M}:00Z",
        precedence=prec,
        from_=Station(station.plad, origin_ri),
        to=_addressees(cable.to, directory, on, numbers, prec),
        info=_addressees(cable.info, directory, on, numbers, None),
        xmt=tuple(
            replace(a, routing_indicator=directory.routing_indicator(a.name, on)) for a in cable.xmt
        ),
    )
    fl2 = tuple(
        dict.fromkeys(a.routing_indicator for a in (*whole.to, *whole.info) if a.routing_indicator)
    )
    signals = f"{security_line(whole.classification)}{' ' + CORRECTED_SIGNAL if corrected else ''}"
    parts = _split(whole.paragraphs, section_limit)
    total = len(parts)
    sections = []
    for n, paragraphs in enumerate(parts, 1):
        header = Header(
            start_of_message=f"VZCZC{DEFAULT_CHANNEL}{serial % 10000:04d}",
            relay=Relay(prec, fl2),
            originator=origin_ri,
            station_serial=serial % 10000,
            filed=filed_of(filed),
            security=signals,
            dtg=dtg_of(when),
            section=n if total > 1 else None,
        )
        section = replace(
            whole,
            header=header,
            section=Section(n, total) if total > 1 else None,
            paragraphs=paragraphs,
            signers=whole.signers if n == total else (),
        )
        if n > 1:  # later sections carry the text on, not the heading again
            section = replace(
                section,
                distribution=(),
                eo=None,
                tags=(),
                subject=None,
                references=(),
                classified_by=None,
                notices=(),
            )
        sections.append(section)
    telegram = "".join(render(s) for s in sections)
    first = sections[0]
    stored = parse(telegram)
    # The archive keeps the whole message: its fields are the draft's, numbered,
    # with the first transmission's header (FORMAT §2.4: only it survives in copies).
    kept = replace(
        whole,
        header=replace(first.header, section=1 if total > 1 else None) if first.header else None,
        text=stored.text,
        summary=stored.summary,
        defects=stored.defects,
    )
    return Assembled(kept, tuple(sections), telegram)
