"""Routing: who a released cable goes to, and through which relay (NETWORK.md §4-§5).

* :func:`expand` turns a cable's TO and INFO lines into its **routes**, one per
  addressee station: collectives expand to their members on the release date,
  an addressee exempted for this message (XMT) is removed, the same station
  reached twice (two overlapping collectives, a collective and a direct line)
  is one route with the stronger role and the higher precedence; a passing
  instruction (``CAIRO PASS ALEXANDRIA``) adds the station passed to.  Each
  route keeps its role (action or info), its own precedence and NIACT, its
  per-addressee number, and its routing indicator from the directory on the
  release date.
* :func:`relay_for` picks the relay for a routing indicator: the one serving the
  longest prefix of it; when that relay is down, the first alternate it names
  that is up; when none is, it waits (the caller keeps the traffic queued).

Pure functions of a cable and a :class:`~cablegram.network.directory.Directory`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from cablegram import lexicon
from cablegram.format.render import created_datetime
from cablegram.model import Addressee, Cable, Precedence
from cablegram.network.directory import Directory, RelayStation, Station, address

__all__ = [
    "ACTION",
    "INFO",
    "Route",
    "RoutingError",
    "expand",
    "passing_instructions",
    "relay_for",
    "release_date",
]

ACTION, INFO = "action", "info"


class RoutingError(ValueError):
    """A cable that cannot be routed (the message names the addressee)."""


@dataclass(frozen=True, slots=True)
class Route:
    """One addressee station of one cable."""

    name: str  # the station's address (AMEMBASSY DUSHANBE)
    ri: str  # its routing indicator on the release date
    role: str  # ACTION (TO line) or INFO
    precedence: Precedence
    niact: bool = False
    number: int | None = None  # the per-addressee number, when the station keeps a count
    via: str | None = None  # the collective or passing station it was reached through

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ri": self.ri,
            "role": self.role,
            "precedence": self.precedence.value,
            "niact": self.niact,
            "number": self.number,
            "via": self.via,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Route:
        return cls(
            d["name"], d["ri"], d["role"], Precedence(d["precedence"]), bool(d["niact"]),
            d.get("number"), d.get("via"),
        )  # fmt: skip


def release_date(cable: Cable) -> date:
    when = created_datetime(cable)
    if when is None:
        raise RoutingError(f"{cable.id or 'the cable'} has no date-time group: it is not released")
    return when.date()


def _stronger(a: Route, b: Route) -> Route:
    """One route from two to the same station: action beats info, the higher
    precedence and NIACT are kept, and the first one's number and path."""
    role = ACTION if ACTION in (a.role, b.role) else INFO
    return replace(
        a,
        role=role,
        precedence=max(a.precedence, b.precedence),
        niact=a.niact or b.niact,
        number=a.number if a.number is not None else b.number,
    )


def _members(directory: Directory, name: str, on: date) -> list[tuple[str, str]] | None:
    """(address, RI) of each member of collective ``name`` on ``on``; None: not a collective.
    A member RI with no station in the directory is addressed by its RI."""
    collective = directory.collective(name)
    if collective is None or not collective.known_on(on):
        return None
    out = []
    for ri in collective.members_on(on):
        stations = directory.stations_by_ri(ri, on)
        out.append((stations[0].plad if stations else ri, ri))
    return out


_PASS = re.compile(r"^\s*(?P<at>[A-Z][A-Z .'-]*?)\s+PASS\s+(?:TO\s+)?(?P<to>[A-Z][A-Z .'-]*?)\s*$")


def _by_place(directory: Directory, place: str) -> Station | None:
    """The station whose address names ``place`` (``ALEXANDRIA``: AMCONSUL ALEXANDRIA)."""
    place = address(place)
    if (s := directory.station(place)) is not None:
        return s
    prefixes = lexicon.plad_prefixes()
    for prefix in prefixes:
        if (s := directory.station(f"{prefix} {place}")) is not None:
            return s
    return None


def passing_instructions(cable: Cable, directory: Directory) -> list[tuple[str, str]]:
    """(station passing, station passed to) of each ``X PASS Y`` distribution line
    whose both ends are stations in the directory."""
    out = []
    for line in cable.distribution:
        m = _PASS.match(line.upper())
        if not m:
            continue
        at, to = _by_place(directory, m["at"]), _by_place(directory, m["to"])
        if at is not None and to is not None:
            out.append((at.plad, to.plad))
    return out


def expand(cable: Cable, directory: Directory, on: date | None = None) -> list[Route]:
    """The routes of released ``cable`` (see the module docstring), in the order of
    its address lines.  ``on``: the release date (default: the cable's DTG)."""
    on = on or release_date(cable)
    default = cable.precedence or Precedence.ROUTINE
    exempt = {address(a.name) for a in cable.xmt} | {
        a.routing_indicator.upper() for a in cable.xmt if a.routing_indicator
    }
    origin = cable.from_.name if cable.from_ is not None else None
    routes: dict[str, Route] = {}

    def add(route: Route) -> None:
        if route.name in exempt or route.ri in exempt or route.name == origin:
            return
        routes[route.name] = _stronger(routes[route.name], route) if route.name in routes else route

    lines: Iterable[tuple[str, Addressee]] = [
        *((ACTION, a) for a in cable.to),
        *((INFO, a) for a in cable.info),
    ]
    for role, a in lines:
        name = address(a.name)
        precedence = a.precedence or default
        members = _members(directory, name, on)
        if members is not None:
            for member, member_ri in members:
                add(Route(member, member_ri, role, precedence, a.niact, None, name))
            continue
        ri = directory.routing_indicator(name, on) or a.routing_indicator
        if ri is None:
            raise RoutingError(f"{name} has no routing indicator in the directory on {on}")
        add(Route(name, ri.upper(), role, precedence, a.niact, a.serial))
    for at, to in passing_instructions(cable, directory):
        passing = routes.get(at)
        station = directory.station(to)
        ri = station.routing_indicator(on) if station is not None else None
        if passing is not None and ri is not None:
            add(Route(to, ri, passing.role, passing.precedence, passing.niact, None, at))
    return list(routes.values())


def relay_for(
    ri: str, relays: Iterable[RelayStation], down: Collection[str] = ()
) -> RelayStation | None:
    """The relay that takes traffic for ``ri`` now: the one serving its longest
    prefix, or (that one down) its first alternate that is up.  None: no relay
    serves ``ri`` (delivered direct).  A relay returned may itself be down when
    neither it nor any alternate is up: the traffic waits in its queue."""
    by_ri = {r.ri: r for r in relays}
    serving = sorted(
        (r for r in by_ri.values() if r.serves(ri)), key=lambda r: (-r.serves(ri), r.ri)
    )
    if not serving:
        return None
    chosen = serving[0]
    if chosen.ri not in down:
        return chosen
    for alternate in chosen.alternates:
        if alternate in by_ri and alternate not in down:
            return by_ri[alternate]
    return chosen
