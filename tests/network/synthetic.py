"""Small released cables over a small directory, for tests of relays and inboxes."""

from __future__ import annotations

from datetime import UTC, datetime

from cablegram.model import Addressee, Cable, Classification, Paragraph, Precedence
from cablegram.model import Station as From
from cablegram.network.directory import (
    Directory,
    Office,
    Person,
    RelayStation,
    RoutingAssignment,
    Station,
)
from cablegram.network.release import Assembled, assemble

ALPHA, BRAVO, CHARLIE = "AMEMBASSY ALPHA", "AMEMBASSY BRAVO", "AMEMBASSY CHARLIE"
DELTA, ECHO = "AMCONSUL DELTA", "AMEMBASSY ECHO"


def directory() -> Directory:
    stations = [
        Station(ALPHA, "ALPHA", (RoutingAssignment("RUEHAA"),), time_zone="UTC"),
        Station(BRAVO, "BRAVO", (RoutingAssignment("RUEHBB"),), time_zone="Europe/Paris"),
        Station(CHARLIE, "CHARLIE", (RoutingAssignment("RUEKCC"),), time_zone="Asia/Tokyo"),
        Station(DELTA, "DELTA", (RoutingAssignment("RUEHDD"),), time_zone="America/New_York"),
        Station(ECHO, "ECHO", (RoutingAssignment("RUEKEE"),), time_zone="Africa/Cairo"),
    ]
    relays = [
        RelayStation("RUEH", "RELAY ONE", ("RUEH",), ("RUEK",)),
        RelayStation("RUEK", "RELAY TWO", ("RUEK",)),
    ]
    offices = [Office(BRAVO, "POL", "Political Section"), Office(BRAVO, "EXEC", "Ambassador")]
    people = [
        Person("bpol", BRAVO, "POL"),
        Person("bamb", BRAVO, "EXEC"),
        Person("bduty", BRAVO, "EXEC"),
    ]
    return Directory.of(stations, (), offices, people, relays)


def cable(
    serial: int,
    to: str = BRAVO,
    origin: str = ALPHA,
    precedence: Precedence = Precedence.ROUTINE,
    *,
    niact: bool = False,
    info: tuple[str, ...] = (),
    when: datetime = datetime(2006, 5, 15, 10, 0, tzinfo=UTC),
    classification: Classification = Classification.UNCLASSIFIED,
    distribution: tuple[str, ...] = ("BRAVO FOR POL",),
    tags: tuple[str, ...] = ("PREL", "XX"),
    numbers: dict[str, int] | None = None,
    captions: tuple[str, ...] = (),
) -> Assembled:
    draft = Cable(
        precedence=precedence,
        classification=classification,
        captions=captions,
        from_=From(origin),
        to=(Addressee(to, precedence=precedence, niact=niact),),
        info=tuple(Addressee(i, precedence=Precedence.ROUTINE) for i in info),
        distribution=distribution,
        tags=tags,
        subject=f"TEST CABLE {serial}",
        paragraphs=(Paragraph(f"Text of cable {serial}.", 1, classification.letter),),
    )
    return assemble(draft, directory(), serial=serial, when=when, numbers=numbers or {})
