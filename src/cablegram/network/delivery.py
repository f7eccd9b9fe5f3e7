"""Delivery inside a receiving station (NETWORK.md §6): who gets a copy.

A station that a cable is routed to receives exactly one copy (its **station**
delivery).  Inside the station, copies go to **office** queues by

* the distribution line (``DEPARTMENT FOR S/WCI (WITTEN), L/PM``): the offices
  of the station whose symbols it names;
* attention lines (``FOR AMBASSADOR FROM EAGLEBURGER``): the offices whose
  symbol or name holds the word after FOR;
* TAGS subscriptions (an office subscribed to ``PTER`` or ``KZ``);

and to the **people** of each of those offices — but only to a person who may
read the cable under the archive's own rule (:func:`cablegram.access.may_read`:
clearance, SBU, captions read into, station or office membership for NODIS,
EXDIS and the channel captions).  A person who may not read it gets nothing:
no copy, no notification, no subject line.

:func:`distribute` is pure: the cable, its route, the directory, the station's
subscriptions and who the people are in, deliveries out (without ids).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cablegram.access.facts import distribution_offices
from cablegram.access.policy import may_read
from cablegram.access.principal import Principal
from cablegram.model import Cable, Precedence
from cablegram.network.clock import acknowledged, due, utc
from cablegram.network.directory import Directory, Office
from cablegram.network.routing import Route

__all__ = [
    "ACTIONS",
    "KINDS",
    "OFFICE",
    "PERSON",
    "STATION",
    "ActionRecord",
    "Delivery",
    "Transmission",
    "attention_words",
    "distribute",
    "inbox_order",
    "office_key",
]

STATION, OFFICE, PERSON = "station", "office", "person"
KINDS = (STATION, OFFICE, PERSON)
WILL_COMPLY, HAVE_COMPLIED, CANNOT_COMPLY = "will-comply", "have-complied", "cannot-comply"
ACTIONS = (WILL_COMPLY, HAVE_COMPLIED, CANNOT_COMPLY)


def office_key(station: str, symbol: str) -> str:
    """How an office holds an inbox: ``SECSTATE WASHDC:S/WCI``."""
    return f"{station}:{symbol}"


@dataclass(frozen=True, slots=True)
class Transmission:
    """One section of one cable on its way to one addressee station.  Its key
    (origin, cable, section, addressee) makes receipt idempotent for ever."""

    origin: str
    cable_id: str
    section: int
    sections: int
    route: Route
    telegram: str  # this section's ACP-127 text
    released_at: str  # ISO UTC
    # 0: as first sent; a re-send (answering a service message) gets a new one, so
    # that the broker's de-duplication by message id does not drop it (receipt,
    # idempotent by key, still delivers it once).
    attempt: int = 0

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.origin, self.cable_id, self.section, self.route.name)

    @property
    def precedence(self) -> Precedence:
        return self.route.precedence

    @property
    def message_id(self) -> str:
        return "/".join(str(k) for k in self.key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "cable_id": self.cable_id,
            "section": self.section,
            "sections": self.sections,
            "route": self.route.to_dict(),
            "telegram": self.telegram,
            "released_at": self.released_at,
            **({"attempt": self.attempt} if self.attempt else {}),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Transmission:
        return cls(
            d["origin"], d["cable_id"], int(d["section"]), int(d["sections"]),
            Route.from_dict(d["route"]), d["telegram"], d["released_at"], int(d.get("attempt", 0)),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Delivery:
    """A copy in an inbox: of a station, an office (``office_key``) or a person."""

    cable_id: str
    station: str  # the addressee station it was delivered at
    kind: str  # STATION, OFFICE, PERSON
    holder: str  # station address, office key, user
    role: str  # action / info
    precedence: Precedence
    niact: bool
    reason: str  # addressee, distribution, attention, tags:PTER, office:POL, escalation
    received_at: str
    due_at: str
    released_at: str = ""
    subject: str = ""
    classification: str = ""
    ack_required: bool = False
    id: int | None = None
    read_at: str | None = None
    acked_at: str | None = None
    acked_by: str | None = None
    escalations: int = 0
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "cable_id": self.cable_id,
            "station": self.station,
            "kind": self.kind,
            "holder": self.holder,
            "role": self.role,
            "precedence": self.precedence.value,
            "niact": self.niact,
            "reason": self.reason,
            "released_at": self.released_at,
            "received_at": self.received_at,
            "due_at": self.due_at,
            "subject": self.subject,
            "classification": self.classification,
            "ack_required": self.ack_required,
            "read_at": self.read_at,
            "acked_at": self.acked_at,
            "acked_by": self.acked_by,
            "escalations": self.escalations,
            "detail": dict(self.detail),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Delivery:
        return cls(**{**d, "precedence": Precedence(d["precedence"]), "detail": dict(d["detail"])})

    def overdue(self, now: datetime) -> bool:
        """Not acknowledged (or, when no acknowledgement is asked, not read) by its due time."""
        done = self.acked_at if self.ack_required else self.read_at
        return done is None and utc(now) > utc(self.due_at)


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """What an action addressee says it does about a cable."""

    delivery: int
    cable_id: str
    station: str
    action: str  # one of ACTIONS
    user: str
    at: str
    comment: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "delivery": self.delivery,
            "cable_id": self.cable_id,
            "station": self.station,
            "action": self.action,
            "user": self.user,
            "at": self.at,
            "comment": self.comment,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ActionRecord:
        return cls(**d)


def inbox_order(d: Delivery) -> tuple[int, bool, str, int]:
    """FLASH, IMMEDIATE, PRIORITY, ROUTINE; NIACT first within its level; then time."""
    return (-d.precedence.rank, not d.niact, d.received_at, d.id or 0)


_FOR = re.compile(r"\bFOR\s+(?P<words>[A-Z][A-Z ./-]*?)(?:\s+FROM\b|[,;(]|$)")


def attention_words(lines: Iterable[str]) -> list[str]:
    """What the attention lines direct a cable to: ``FOR AMBASSADOR FROM X`` -> AMBASSADOR."""
    out = []
    for line in lines:
        for m in _FOR.finditer(line.upper()):
            words = m["words"].strip()
            if words and "/" not in words and words not in out:
                out.append(words)
    return out


def _offices(
    cable: Cable,
    station: str,
    directory: Directory,
    subscriptions: Iterable[tuple[str, str]],
) -> dict[str, tuple[Office, str]]:
    """The offices of ``station`` that get a copy, each with the first reason."""
    here = {o.symbol: o for o in directory.offices.values() if o.station == station}
    out: dict[str, tuple[Office, str]] = {}
    for symbol in sorted(distribution_offices(cable.distribution)):
        if symbol in here:
            out.setdefault(symbol, (here[symbol], "distribution"))
    for words in attention_words(cable.distribution):
        for o in here.values():
            if o.symbol == words.replace(" ", "") or words in o.name.upper():
                out.setdefault(o.symbol, (o, "attention"))
    tags = set(cable.tags)
    for symbol, tag in subscriptions:
        if tag.upper() in tags and symbol in here:
            out.setdefault(symbol, (here[symbol], f"tags:{tag.upper()}"))
    return out


def distribute(
    cable: Cable,
    route: Route,
    directory: Directory,
    *,
    received_at: datetime,
    released_at: str = "",
    subscriptions: Iterable[tuple[str, str]] = (),
    principal_of: Callable[[str], Principal | None],
) -> list[Delivery]:
    """The deliveries of ``cable`` at ``route``'s station (see the module docstring)."""
    station = directory.station(route.name)
    zone = station.time_zone if station is not None else "UTC"
    received = utc(received_at)
    base = Delivery(
        cable_id=cable.id or "",
        station=route.name,
        kind=STATION,
        holder=route.name,
        role=route.role,
        precedence=route.precedence,
        niact=route.niact,
        reason="addressee" if route.via is None else f"via:{route.via}",
        received_at=received.isoformat(),
        due_at=due(route.precedence, received, zone).isoformat(),
        released_at=released_at,
        subject=cable.subject or "",
        classification=cable.classification.value if cable.classification else "",
        ack_required=acknowledged(route.precedence, route.niact),
    )
    out = [base]
    people: set[str] = set()
    for symbol, (office, reason) in _offices(cable, route.name, directory, subscriptions).items():
        out.append(replace(base, kind=OFFICE, holder=office_key(route.name, symbol), reason=reason))
        for person in sorted(directory.members_of(office), key=lambda p: p.user):
            if person.user in people:
                continue
            principal = principal_of(person.user)
            if principal is None or not may_read(principal, cable):
                continue  # no copy, no notice: they may not read it
            people.add(person.user)
            out.append(replace(base, kind=PERSON, holder=person.user, reason=f"office:{symbol}"))
    return out
