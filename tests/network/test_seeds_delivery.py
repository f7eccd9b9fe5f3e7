"""Done means: the seeds' traffic.  06ALMATY1703 reaches SECSTATE (action,
ROUTINE), every member of the CIS COLLECTIVE, SECDEF, NSC and USOFFICE ASTANA
(info), and the Department's offices on its distribution line; 06ALMATY2872
(SECRET) reaches no person without SECRET clearance."""

from __future__ import annotations

from datetime import date

from delivery_fixtures import DEPARTMENT, STATE, department_principals
from seeds import release_seed

from cablegram.access.policy import may_read
from cablegram.model import Classification, Precedence
from cablegram.network.delivery import OFFICE, PERSON, STATION
from cablegram.network.routing import ACTION, INFO


def _release(net, store, clock, installation, name):
    cable, telegram = release_seed(net, store, clock, name)
    installation.dispatch(cable, telegram)
    installation.drain()
    return cable, telegram


def test_1703_reaches_every_addressee_once(department, store, clock, installation, deliveries):
    cable, telegram = _release(department, store, clock, installation, "06ALMATY1703")
    stations = {d.holder: d for d in deliveries.deliveries_of(cable.id) if d.kind == STATION}
    cis = department.directory.collective("CIS COLLECTIVE").members_on(date(2006, 5, 15))
    cis_names = {department.directory.stations_by_ri(ri, date(2006, 5, 15))[0].plad for ri in cis}
    assert set(stations) == {STATE, "SECDEF WASHDC", "NSC WASHDC", "USOFFICE ASTANA"} | cis_names
    assert (stations[STATE].role, stations[STATE].precedence) == (ACTION, Precedence.ROUTINE)
    assert all(d.role == INFO for name, d in stations.items() if name != STATE)
    # exactly one copy per station, even when the traffic is sent again
    installation.send(installation.transmissions(cable, telegram))
    installation.drain()
    again = [d for d in deliveries.deliveries_of(cable.id) if d.kind == STATION]
    assert len(again) == len(stations)


def test_1703_office_queues_from_the_distribution_line(
    department, store, clock, installation, deliveries
):
    cable, _ = _release(department, store, clock, installation, "06ALMATY1703")
    offices = {d.holder for d in deliveries.deliveries_of(cable.id) if d.kind == OFFICE}
    assert offices == {f"{STATE}:S/WCI", f"{STATE}:L/PM", f"{STATE}:SCA/CEN"}
    people = {d.holder for d in deliveries.deliveries_of(cable.id) if d.kind == PERSON}
    # SBU text: S/WCI's intern (no SBU) gets nothing; PM and the watch are not named.
    # (deskofficer: SCA/CEN's drafter in network_fixtures, cleared SECRET)
    assert people == {"witten", "miller", "ahaines", "mudge", "cenclerk", "deskofficer"}


def test_2872_secret_reaches_no_person_without_secret(
    department, store, clock, installation, deliveries
):
    cable, _ = _release(department, store, clock, installation, "06ALMATY2872")
    assert cable.classification is Classification.SECRET
    people = {d.holder for d in deliveries.deliveries_of(cable.id) if d.kind == PERSON}
    assert people == {"witten", "ahaines", "mudge", "deskofficer"}
    principals = department_principals()
    for user in people:
        assert principals[user].clearance.rank >= Classification.SECRET.rank
    for user in ("miller", "intern", "cenclerk"):
        assert DEPARTMENT[user][1].rank < Classification.SECRET.rank
        assert deliveries.inbox(PERSON, user) == []


def test_no_principal_receives_what_they_may_not_read(
    department, store, clock, installation, deliveries
):
    """For every principal: every delivery they hold is of a cable they may read,
    and every person of a receiving office who may read it holds it."""
    principals = department_principals()
    cables = [
        _release(department, store, clock, installation, name)[0]
        for name in ("06ALMATY1703", "06ALMATY2872")
    ]
    for user, principal in principals.items():
        held = {d.cable_id for d in deliveries.inbox(PERSON, user)}
        for cable in cables:
            offices = {
                d.holder.split(":", 1)[1]
                for d in deliveries.deliveries_of(cable.id)
                if d.kind == OFFICE
            }
            person = department.directory.person(user)
            in_office = person is not None and person.office in offices and person.station == STATE
            assert (cable.id in held) == (in_office and may_read(principal, cable)), (
                user,
                cable.id,
            )
