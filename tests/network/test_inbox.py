"""Inboxes: order, read state, acknowledgement, clocks against objectives
(ROUTINE after hours from the next business day), overdue, escalation along
the alert roster, action records, per-addressee gaps and re-sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import synthetic
from synthetic import BRAVO

from cablegram.access.principal import Principal
from cablegram.model import Classification, Precedence
from cablegram.network.clock import SimulatedClock, clock_start, due
from cablegram.network.delivery import OFFICE, PERSON, STATION
from cablegram.network.inbox import InboxError, Inboxes
from cablegram.network.installation import Installation

START = datetime(2006, 5, 15, 10, 0, tzinfo=UTC)  # a Monday, noon in Paris
PEOPLE = {
    "bpol": Principal("bpol", sbu=True),
    "bamb": Principal("bamb", clearance=Classification.SECRET),
    "bduty": Principal("bduty", sbu=True),
}


@pytest.fixture
def net(deliveries):
    store = deliveries
    clock = SimulatedClock(START)
    d = synthetic.directory()
    inst = Installation(d, store, principal_of=PEOPLE.get, clock=clock)
    return inst, Inboxes(store, d, principal_of=PEOPLE.get, clock=clock), store


def _send(inst, *assembled):
    for a in assembled:
        inst.dispatch(a.cable, a.telegram)
    inst.drain()


def test_order_precedence_then_niact_then_time(net):
    inst, inboxes, _ = net
    c = synthetic.cable
    _send(inst, c(1), c(2, precedence=Precedence.IMMEDIATE))
    inst.clock.advance(timedelta(minutes=1))
    _send(
        inst, c(3, precedence=Precedence.IMMEDIATE, niact=True), c(4, precedence=Precedence.FLASH)
    )
    inst.clock.advance(timedelta(minutes=1))
    _send(inst, c(5, precedence=Precedence.PRIORITY))
    view = inboxes.inbox(BRAVO, Principal("owner", owner=True))
    assert [d.cable_id.removeprefix("06ALPHA") for d in view.deliveries] == [
        "4",
        "3",
        "2",
        "5",
        "1",
    ]
    assert view.unread == 5
    inboxes.read(view.deliveries[0].id, PEOPLE["bpol"])
    assert inboxes.inbox(BRAVO, PEOPLE["bpol"]).unread == 4


def test_person_and_office_inboxes_and_what_a_reader_sees(net):
    inst, inboxes, store = net
    _send(inst, synthetic.cable(1), synthetic.cable(2, classification=Classification.SECRET))
    assert [d.holder for d in store.deliveries_of("06ALPHA1") if d.kind == OFFICE] == [
        f"{BRAVO}:POL"
    ]
    assert [d.cable_id for d in inboxes.inbox("bpol", PEOPLE["bpol"]).deliveries] == ["06ALPHA1"]
    # The office queue read by someone not cleared for the SECRET one does not show it.
    assert [d.cable_id for d in inboxes.inbox("POL", PEOPLE["bpol"]).deliveries] == ["06ALPHA1"]
    assert len(inboxes.inbox("POL", Principal("o", owner=True)).deliveries) == 2
    [secret] = [d for d in store.inbox(STATION, BRAVO) if d.cable_id == "06ALPHA2"]
    with pytest.raises(InboxError, match="no delivery"):
        inboxes.read(secret.id, PEOPLE["bpol"])
    assert inboxes.read(secret.id, PEOPLE["bamb"]).read_at is not None


def test_tags_subscription_and_attention_line(net):
    inst, _, store = net
    store.subscribe(BRAVO, "EXEC", "XX")
    _send(inst, synthetic.cable(1, distribution=()))
    assert {d.holder: d.reason for d in store.deliveries_of("06ALPHA1") if d.kind == OFFICE} == {
        f"{BRAVO}:EXEC": "tags:XX"
    }
    _send(inst, synthetic.cable(2, distribution=("FOR AMBASSADOR FROM SECRETARY",), tags=("PREL",)))
    assert {d.holder: d.reason for d in store.deliveries_of("06ALPHA2") if d.kind == OFFICE} == {
        f"{BRAVO}:EXEC": "attention"
    }


def test_acknowledgement_required_for_flash_immediate_and_niact(net):
    inst, inboxes, store = net
    _send(inst, synthetic.cable(1, precedence=Precedence.FLASH), synthetic.cable(2))
    flash, routine = store.inbox(STATION, BRAVO)
    assert flash.ack_required and not routine.ack_required
    with pytest.raises(InboxError, match="only FLASH, IMMEDIATE and NIACT"):
        inboxes.acknowledge(routine.id, PEOPLE["bpol"])
    person = store.inbox(PERSON, "bpol")[0]
    with pytest.raises(InboxError, match="only its people acknowledge"):
        inboxes.acknowledge(person.id, Principal("elsewhere", sbu=True))
    inboxes.acknowledge(person.id, PEOPLE["bpol"])
    # Acknowledging a copy acknowledges the station's.
    assert store.delivery(flash.id).acked_by == "bpol"
    assert inboxes.overdue(Principal("o", owner=True), START + timedelta(hours=1)) == []


def test_clock_routine_after_hours_starts_next_business_day():
    friday_evening = datetime(2006, 5, 19, 18, 0, tzinfo=UTC)  # 20:00 in Paris
    start = clock_start(Precedence.ROUTINE, friday_evening, "Europe/Paris")
    assert start == datetime(2006, 5, 22, 6, 0, tzinfo=UTC)  # Monday 08:00 Paris
    assert due(Precedence.ROUTINE, friday_evening, "Europe/Paris") == start + timedelta(hours=6)
    assert due(Precedence.FLASH, friday_evening, "Europe/Paris") == friday_evening + timedelta(
        minutes=10
    )
    noon = datetime(2006, 5, 15, 10, 0, tzinfo=UTC)
    assert clock_start(Precedence.ROUTINE, noon, "Europe/Paris") == noon


def test_overdue_and_escalation_along_the_roster(net):
    inst, inboxes, store = net
    store.set_roster(BRAVO, ["bpol", "bamb", "bduty"])
    _send(inst, synthetic.cable(1, precedence=Precedence.FLASH, distribution=()))
    owner = Principal("o", owner=True)
    assert inboxes.overdue(owner, START + timedelta(minutes=9)) == []
    late = START + timedelta(minutes=11)
    assert [d.kind for d in inboxes.overdue(owner, late)] == [STATION]
    alerts = inboxes.escalate(late)
    assert [a.holder for a in alerts] == ["bpol"]
    assert inboxes.escalate(late) == []  # once per period
    alerts = inboxes.escalate(late + timedelta(minutes=10))
    assert [a.holder for a in alerts] == ["bamb"]
    inboxes.acknowledge(alerts[0].id, PEOPLE["bamb"])
    assert inboxes.escalate(late + timedelta(minutes=30)) == []


def test_escalation_skips_people_who_may_not_read(net):
    inst, inboxes, store = net
    store.set_roster(BRAVO, ["bpol", "bamb"])
    _send(
        inst,
        synthetic.cable(
            1, precedence=Precedence.FLASH, classification=Classification.SECRET, distribution=()
        ),
    )
    alerts = inboxes.escalate(START + timedelta(minutes=11))
    assert [a.holder for a in alerts] == ["bamb"]


def test_action_records_only_for_action_addressees(net):
    inst, inboxes, store = net
    _send(inst, synthetic.cable(1, to=synthetic.CHARLIE, info=(BRAVO,)))
    _send(inst, synthetic.cable(2))
    info = store.inbox(STATION, BRAVO)
    by_id = {d.cable_id: d for d in info}
    with pytest.raises(InboxError, match="info addressee"):
        inboxes.act(by_id["06ALPHA1"].id, "will-comply", PEOPLE["bpol"])
    record = inboxes.act(by_id["06ALPHA2"].id, "have-complied", PEOPLE["bpol"])
    assert store.actions("06ALPHA2") == [record]
    with pytest.raises(InboxError, match="unknown action"):
        inboxes.act(by_id["06ALPHA2"].id, "maybe", PEOPLE["bpol"])


def test_gap_detected_service_message_and_resend(net):
    inst, _, store = net
    cables = [synthetic.cable(n, numbers={BRAVO: 40 + n}) for n in (1, 2, 3)]
    inst.links_down.add(("RUEH", "RUEHBB"))
    inst.dispatch(cables[0].cable, cables[0].telegram)
    inst.links_down.clear()
    inst.drain()
    # Number 42 is lost on the way: the queue that held it is gone.
    inst.dispatch(cables[1].cable, cables[1].telegram)
    inst._queues.clear()
    inst._queued.clear()
    inst.dispatch(cables[2].cable, cables[2].telegram)
    inst.drain()
    assert inst.gaps("ALPHA", BRAVO) == [42]
    [request] = inst.service_requests([("ALPHA", BRAVO)])
    assert "NUMBER 42" in request.text()
    inst.resend(request)
    inst.drain()
    assert inst.gaps("ALPHA", BRAVO) == []
    assert sorted(d.cable_id for d in store.inbox(STATION, BRAVO)) == [c.id for c in cables]
    # The re-send of something already received is not delivered twice.
    inst.resend(request)
    inst.drain()
    assert len(store.inbox(STATION, BRAVO)) == 3


def test_nodis_reaches_only_the_named_principals_read_in_at_the_post(deliveries):
    """NODIS: the reader must be read in AND belong to one of the cable's stations."""
    people = {
        "bpol": Principal("bpol", clearance=Classification.SECRET, stations=["RUEHBB"]),
        "bamb": Principal("bamb", clearance=Classification.SECRET, captions=["NODIS"],
                          stations=["RUEHBB"]),
        "bduty": Principal("bduty", clearance=Classification.SECRET, captions=["NODIS"]),
    }  # fmt: skip
    inst = Installation(synthetic.directory(), deliveries, principal_of=people.get,
                        clock=SimulatedClock(START))  # fmt: skip
    a = synthetic.cable(1, classification=Classification.SECRET, captions=("NODIS",),
                        distribution=("BRAVO FOR AMBASSADOR",))  # fmt: skip
    inst.dispatch(a.cable, a.telegram)
    inst.drain()
    got = {d.holder for d in deliveries.deliveries_of(a.id) if d.kind == PERSON}
    assert got == {"bamb"}  # bduty is read in but not of the post; bpol is not read in
