"""Routing: collectives expanded on the release date, XMT, duplicates, roles and
per-addressee precedence, routing indicators by date, relays by longest prefix."""

from __future__ import annotations

from datetime import date

import pytest
from seeds import release_seed

from cablegram.model import Addressee, Cable, Precedence
from cablegram.model import Station as From
from cablegram.network.directory import (
    Collective,
    Directory,
    Membership,
    RelayStation,
    RoutingAssignment,
    Station,
)
from cablegram.network.routing import ACTION, INFO, RoutingError, expand, relay_for


def test_seed_1703_routes_to_every_addressee(net, store, clock):
    cable, _ = release_seed(net, store, clock, "06ALMATY1703")
    routes = {r.name: r for r in expand(cable, net.directory)}
    cis = net.directory.collective("CIS COLLECTIVE").members_on(date(2006, 5, 15))
    assert routes["SECSTATE WASHDC"].role == ACTION
    assert routes["SECSTATE WASHDC"].ri == "RUEHC"
    assert routes["SECSTATE WASHDC"].number == 5289
    for name in ("SECDEF WASHDC", "NSC WASHDC", "USOFFICE ASTANA"):
        assert routes[name].role == INFO
    via_cis = {r.ri for r in routes.values() if r.via == "CIS COLLECTIVE"}
    assert via_cis == set(cis) and len(cis) >= 5
    assert all(r.precedence is Precedence.ROUTINE for r in routes.values())
    assert len(routes) == 4 + len(cis)


def _directory() -> Directory:
    def st(plad, ri, **kw):
        return Station(plad, plad.split()[-1], (RoutingAssignment(ri),), **kw)

    stations = [
        st("AMEMBASSY ALPHA", "RUEHAA"),
        st("AMEMBASSY BRAVO", "RUEHBB"),
        st("AMEMBASSY CHARLIE", "RUEHCC"),
        st("AMCONSUL DELTA", "RUEHDD"),
        Station(
            "AMEMBASSY ECHO", "ECHO",
            (RoutingAssignment("RUEHEE", date(2007, 1, 1)),
             RoutingAssignment("RUEHEX", None, date(2006, 12, 31))),
        ),
    ]  # fmt: skip
    collectives = [
        Collective("RUCNONE", "ONE COLLECTIVE", (Membership("RUEHAA"), Membership("RUEHBB"))),
        Collective(
            "RUCNTWO", "TWO COLLECTIVE",
            (Membership("RUEHBB"), Membership("RUEHCC", date(2006, 6, 1)),
             Membership("RUEHEX", None, date(2006, 12, 31)),
             Membership("RUEHEE", date(2007, 1, 1))),
        ),
    ]  # fmt: skip
    return Directory.of(stations, collectives)


def _cable(to, info=(), xmt=(), distribution=(), created="2006-05-15T02:25:00Z") -> Cable:
    return Cable(
        id="06ALPHA1",
        created=created,
        precedence=Precedence.ROUTINE,
        from_=From("AMEMBASSY ALPHA", "RUEHAA"),
        to=tuple(to),
        info=tuple(info),
        xmt=tuple(xmt),
        distribution=tuple(distribution),
    )


def test_collectives_overlap_exempt_and_date():
    d = _directory()
    cable = _cable(
        [Addressee("AMEMBASSY BRAVO", precedence=Precedence.IMMEDIATE, niact=True)],
        [Addressee("ONE COLLECTIVE", precedence=Precedence.PRIORITY),
         Addressee("TWO COLLECTIVE", precedence=Precedence.ROUTINE)],
        xmt=[Addressee("AMEMBASSY CHARLIE")],
    )  # fmt: skip
    routes = {r.name: r for r in expand(cable, d)}
    # ALPHA is the originator; CHARLIE is exempted; ECHO held RUEHEX in 2006.
    assert set(routes) == {"AMEMBASSY BRAVO", "AMEMBASSY ECHO"}
    bravo = routes["AMEMBASSY BRAVO"]
    # Reached three times: action, IMMEDIATE NIACT (its TO line) wins.
    assert (bravo.role, bravo.precedence, bravo.niact) == (ACTION, Precedence.IMMEDIATE, True)
    assert routes["AMEMBASSY ECHO"].ri == "RUEHEX"
    assert routes["AMEMBASSY ECHO"].precedence is Precedence.ROUTINE


def test_membership_and_ri_follow_the_release_date():
    d = _directory()
    cable = _cable([], [Addressee("TWO COLLECTIVE")], created="2007-03-01T10:00:00Z")
    routes = {r.name: r.ri for r in expand(cable, d)}
    assert routes == {
        "AMEMBASSY BRAVO": "RUEHBB",
        "AMEMBASSY CHARLIE": "RUEHCC",
        "AMEMBASSY ECHO": "RUEHEE",
    }


def test_info_precedence_is_kept_per_addressee():
    d = _directory()
    cable = _cable(
        [Addressee("AMEMBASSY BRAVO", precedence=Precedence.FLASH)],
        [Addressee("AMEMBASSY CHARLIE", precedence=Precedence.PRIORITY)],
    )
    got = {r.name: (r.role, r.precedence) for r in expand(cable, d)}
    assert got == {
        "AMEMBASSY BRAVO": (ACTION, Precedence.FLASH),
        "AMEMBASSY CHARLIE": (INFO, Precedence.PRIORITY),
    }


def test_passing_instruction_adds_the_station_passed_to():
    d = _directory()
    cable = _cable([Addressee("AMEMBASSY BRAVO")], distribution=["BRAVO PASS DELTA"])
    routes = {r.name: r for r in expand(cable, d)}
    assert routes["AMCONSUL DELTA"].via == "AMEMBASSY BRAVO"
    assert routes["AMCONSUL DELTA"].role == ACTION


def test_unknown_addressee_is_an_error():
    with pytest.raises(RoutingError, match="AMEMBASSY NOWHERE"):
        expand(_cable([Addressee("AMEMBASSY NOWHERE")]), _directory())


RELAYS = [
    RelayStation("RUEH", "BELTSVILLE", ("RUEH",)),
    RelayStation("RUEHL", "LIBREVILLE", ("RUEHL",), ("RUEH",)),
    RelayStation("RUEHX", "NO ALTERNATE", ("RUEHX",)),
]


def test_relay_by_longest_prefix():
    assert relay_for("RUEHLB", RELAYS).ri == "RUEHL"
    assert relay_for("RUEHTA", RELAYS).ri == "RUEH"
    assert relay_for("RHEHNSC", RELAYS) is None


def test_relay_down_takes_its_alternate_or_waits():
    assert relay_for("RUEHLB", RELAYS, down={"RUEHL"}).ri == "RUEH"
    # No alternate up: the relay is returned (down) and the traffic waits there.
    assert relay_for("RUEHLB", RELAYS, down={"RUEHL", "RUEH"}).ri == "RUEHL"
    assert relay_for("RUEHXY", RELAYS, down={"RUEHX"}).ri == "RUEHX"
