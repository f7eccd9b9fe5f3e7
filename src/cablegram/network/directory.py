"""The network's directory: stations, collectives, offices and people (NETWORK.md §2, §5).

* A **station** is a plain-language address (``AMEMBASSY ALMATY``) with the origin
  token its cables are numbered in (``ALMATY``), its routing indicators keyed by
  date (``RUEHTA`` was Almaty's in 2006 and Astana's from 2007), a kind, a time
  zone, and optionally its country (FIPS code) and regional bureau.
* A **collective** (``CIS COLLECTIVE``) has a routing indicator and members keyed
  by date; its kind says whether it addresses all posts.
* An **office** is a symbol within a station (``S/WCI``, ``POL``, ``S/S``) with an
  optional role in the clearance rules (executive secretariat, watch office,
  regional bureau, country desk of some countries).
* A **person** is an archive user at a station and office, with roles (drafter,
  clearer, approver) and a release authority scoped by origin, highest
  classification and captions.

All of it is plain frozen data; :class:`Directory` answers questions about it as
of a date.  How it is stored is the store's business (:mod:`cablegram.network.store`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any

from cablegram import lexicon
from cablegram.model import Classification

__all__ = [
    "APPROVER",
    "CLEARER",
    "DRAFTER",
    "ROLES",
    "Collective",
    "Directory",
    "DirectoryError",
    "Membership",
    "Office",
    "Person",
    "RelayStation",
    "ReleaseAuthority",
    "RoutingAssignment",
    "Station",
    "address",
    "entry_key",
]

DRAFTER, CLEARER, APPROVER = "drafter", "clearer", "approver"
ROLES = (DRAFTER, CLEARER, APPROVER)

# Office roles the clearance rules look for (network.clearance).
EXECUTIVE_SECRETARIAT = "executive-secretariat"
WATCH = "watch"
REGIONAL_BUREAU = "regional-bureau"
COUNTRY_DESK = "country-desk"
OFFICE_ROLES = ("", EXECUTIVE_SECRETARIAT, WATCH, REGIONAL_BUREAU, COUNTRY_DESK)
# Collective kinds: one that addresses every post is cleared by the watch office.
ALL_POSTS = "all-posts"
COLLECTIVE_KINDS = ("regional", ALL_POSTS)


class DirectoryError(ValueError):
    """A directory entry that cannot be made or found (message names it)."""


def address(plad: str) -> str:
    """A plain-language address as the directory keys it: upper case, blanks folded."""
    return " ".join(plad.upper().split())


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DirectoryError(f"not a date: {value!r} (use YYYY-MM-DD)") from None


@dataclass(frozen=True, slots=True)
class RoutingAssignment:
    """A routing indicator held from ``valid_from`` to ``valid_to`` (inclusive; None: open)."""

    ri: str
    valid_from: date | None = None
    valid_to: date | None = None

    def covers(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class Station:
    """A station: who sends and receives cables under one plain-language address."""

    plad: str
    origin: str
    routing: tuple[RoutingAssignment, ...] = ()
    kind: str = ""
    time_zone: str = "UTC"
    country: str | None = None  # FIPS 10-4 code, as geographic TAGS write it (KZ)
    bureau: str | None = None  # the regional bureau that covers it (SCA)
    # The station keeps a per-addressee count of the traffic sent to it (FORMAT §2.7:
    # posts on State's network do, other agencies' terminals do not).
    numbered: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "plad", address(self.plad))
        object.__setattr__(self, "origin", lexicon.origin_token(self.origin))

    def routing_indicator(self, on: date) -> str | None:
        """The RI in force on ``on`` (the first listed assignment that covers it)."""
        return next((a.ri for a in self.routing if a.covers(on)), None)

    def known_on(self, on: date) -> bool:
        return self.routing_indicator(on) is not None


@dataclass(frozen=True, slots=True)
class Membership:
    """A member station (by routing indicator) of a collective, from/to dates."""

    ri: str
    valid_from: date | None = None
    valid_to: date | None = None

    def covers(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class Collective:
    """A collective address: one RI standing for a list of posts (FORMAT §6.4)."""

    ri: str
    name: str
    members: tuple[Membership, ...] = ()
    kind: str = "regional"
    valid_from: date | None = None
    valid_to: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", address(self.name))

    def known_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )

    def members_on(self, on: date) -> tuple[str, ...]:
        return tuple(m.ri for m in self.members if m.covers(on))


@dataclass(frozen=True, slots=True)
class Office:
    """An office within a station (``POL`` at ``AMEMBASSY ALMATY``, ``S/S`` at ``SECSTATE WASHDC``)."""

    station: str
    symbol: str
    name: str = ""
    role: str = ""
    countries: tuple[str, ...] = ()  # a country desk: the countries it covers; a bureau: ditto

    def __post_init__(self) -> None:
        object.__setattr__(self, "station", address(self.station))
        object.__setattr__(self, "symbol", self.symbol.upper().replace(" ", ""))
        object.__setattr__(self, "countries", tuple(c.upper() for c in self.countries))
        if self.role not in OFFICE_ROLES:
            raise DirectoryError(
                f"office {self.symbol}: unknown role {self.role!r} "
                f"(use one of: {', '.join(r for r in OFFICE_ROLES if r)})"
            )

    @property
    def key(self) -> tuple[str, str]:
        return (self.station, self.symbol)

    def label(self) -> str:
        return f"{self.symbol} ({self.station})"


@dataclass(frozen=True, slots=True)
class ReleaseAuthority:
    """What an approving officer may release: cables of these origins, up to this
    classification, carrying only these captions (NETWORK.md §2)."""

    origins: frozenset[str] = frozenset()
    classification: Classification = Classification.UNCLASSIFIED
    captions: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "origins", frozenset(lexicon.origin_token(o) for o in self.origins)
        )
        object.__setattr__(self, "captions", frozenset(address(c) for c in self.captions))


@dataclass(frozen=True, slots=True)
class Person:
    """An archive user as the network knows them: where they sit and what they may do."""

    user: str
    station: str
    office: str
    roles: frozenset[str] = frozenset({DRAFTER})
    authority: ReleaseAuthority | None = None
    name: str = ""  # as the 1970s print format writes it: JMTHOMAS, MR. BORG

    def __post_init__(self) -> None:
        object.__setattr__(self, "station", address(self.station))
        object.__setattr__(self, "office", self.office.upper().replace(" ", ""))
        roles = frozenset(r.lower() for r in self.roles)
        unknown = roles - set(ROLES)
        if unknown:
            raise DirectoryError(
                f"person {self.user}: unknown role {sorted(unknown)[0]!r} (use {', '.join(ROLES)})"
            )
        object.__setattr__(self, "roles", roles)

    def has(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True, slots=True)
class RelayStation:
    """A relay: the station that stores and forwards traffic for the routing
    indicators beginning with one of its ``prefixes`` (NETWORK.md §5), and the
    relays that take its traffic while it is down (``alternates``, by RI)."""

    ri: str
    name: str = ""
    prefixes: tuple[str, ...] = ()
    alternates: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "ri", self.ri.upper())
        object.__setattr__(self, "prefixes", tuple(p.upper() for p in self.prefixes or (self.ri,)))
        object.__setattr__(self, "alternates", tuple(a.upper() for a in self.alternates))

    def serves(self, ri: str) -> int:
        """The length of the longest prefix of ``ri`` it serves (0: none)."""
        return max((len(p) for p in self.prefixes if ri.upper().startswith(p)), default=0)


@dataclass(frozen=True)
class Directory:
    """Every entry, indexed; queries answer as of a date."""

    stations: Mapping[str, Station] = field(default_factory=dict)
    collectives: Mapping[str, Collective] = field(default_factory=dict)  # by name
    offices: Mapping[tuple[str, str], Office] = field(default_factory=dict)
    people: Mapping[str, Person] = field(default_factory=dict)
    relays: Mapping[str, RelayStation] = field(default_factory=dict)  # by RI

    @classmethod
    def of(
        cls,
        stations: Iterable[Station] = (),
        collectives: Iterable[Collective] = (),
        offices: Iterable[Office] = (),
        people: Iterable[Person] = (),
        relays: Iterable[RelayStation] = (),
    ) -> Directory:
        return cls(
            {s.plad: s for s in stations},
            {c.name: c for c in collectives},
            {o.key: o for o in offices},
            {p.user: p for p in people},
            {r.ri: r for r in relays},
        )

    def updated(self, *entries: Station | Collective | Office | Person | RelayStation) -> Directory:
        """A copy with ``entries`` added or replaced."""
        stations, collectives = dict(self.stations), dict(self.collectives)
        offices, people = dict(self.offices), dict(self.people)
        relays = dict(self.relays)
        for e in entries:
            if isinstance(e, RelayStation):
                relays[e.ri] = e
            elif isinstance(e, Station):
                stations[e.plad] = e
            elif isinstance(e, Collective):
                collectives[e.name] = e
            elif isinstance(e, Office):
                offices[e.key] = e
            else:
                people[e.user] = e
        return Directory(stations, collectives, offices, people, relays)

    # -- stations and collectives --
    def station(self, plad: str) -> Station | None:
        return self.stations.get(address(plad))

    def collective(self, name: str) -> Collective | None:
        return self.collectives.get(address(name))

    def station_of_origin(self, origin: str, on: date | None = None) -> Station | None:
        """The station that numbers cables in the ``origin`` series (known on ``on``)."""
        token = lexicon.origin_token(origin)
        found = [s for s in self.stations.values() if s.origin == token]
        if on is not None:
            found = [s for s in found if s.known_on(on)] or found
        # Prefer the station whose address is the origin's own post (AMEMBASSY X).
        found.sort(key=lambda s: (not s.known_on(on) if on else False, len(s.plad)))
        return found[0] if found else None

    def known_on(self, name: str, on: date) -> bool:
        """Is ``name`` (station or collective) an address on ``on``?"""
        s = self.station(name)
        if s is not None:
            return s.known_on(on)
        c = self.collective(name)
        return c is not None and c.known_on(on)

    def routing_indicator(self, name: str, on: date) -> str | None:
        s = self.station(name)
        if s is not None:
            return s.routing_indicator(on)
        c = self.collective(name)
        return c.ri if c is not None and c.known_on(on) else None

    @cached_property
    def _holders(self) -> dict[str, list[Station]]:
        """RI -> the stations that ever held it (the directory is frozen: built once)."""
        out: dict[str, list[Station]] = {}
        for s in self.stations.values():
            for a in s.routing:
                out.setdefault(a.ri, []).append(s)
        return out

    def stations_by_ri(self, ri: str, on: date) -> list[Station]:
        return [s for s in self._holders.get(ri, ()) if s.routing_indicator(on) == ri]

    # -- offices and people --
    def office(self, station: str, symbol: str) -> Office | None:
        return self.offices.get((address(station), symbol.upper().replace(" ", "")))

    def offices_with_role(self, role: str) -> list[Office]:
        return [o for o in self.offices.values() if o.role == role]

    def person(self, user: str) -> Person | None:
        return self.people.get(user)

    def members_of(self, office: Office) -> list[Person]:
        return [
            p
            for p in self.people.values()
            if p.station == office.station and p.office == office.symbol
        ]

    def office_of(self, person: Person) -> Office | None:
        return self.office(person.station, person.office)


def with_routing(
    station: Station, ri: str, valid_from: Any = None, valid_to: Any = None
) -> Station:
    """``station`` holding ``ri`` from ``valid_from``: the RI it held before ends the day
    before (RIs change over time, FORMAT §6.5)."""
    start, end = _day(valid_from), _day(valid_to)
    kept = []
    for a in station.routing:
        if (
            start is not None
            and a.valid_to is None
            and (a.valid_from is None or a.valid_from < start)
        ):
            a = replace(a, valid_to=date.fromordinal(start.toordinal() - 1))
        kept.append(a)
    return replace(station, routing=(RoutingAssignment(ri.upper(), start, end), *kept))


def entry_key(entry: Station | Collective | Office | Person | RelayStation) -> tuple[str, str]:
    """(kind, key) of a directory entry: how a store keeps it and the audit log names it."""
    if isinstance(entry, RelayStation):
        return "relay", entry.ri
    if isinstance(entry, Station):
        return "station", entry.plad
    if isinstance(entry, Collective):
        return "collective", entry.name
    if isinstance(entry, Office):
        return "office", f"{entry.station}:{entry.symbol}"
    return "person", entry.user
