"""Done means: with a relay's queue full of ROUTINE traffic, a FLASH released
later is delivered first; a relay down sends traffic to its alternate, or
holds it until it is up, and nothing is lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import synthetic
from synthetic import BRAVO, CHARLIE

from cablegram.access.principal import Principal
from cablegram.model import Precedence
from cablegram.network.clock import SimulatedClock
from cablegram.network.delivery import STATION
from cablegram.network.installation import Installation

START = datetime(2006, 5, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def _installation(deliveries):
    store = deliveries
    clock = SimulatedClock(START)
    people = {u: Principal(u, sbu=True) for u in ("bpol", "bamb", "bduty")}
    inst = Installation(synthetic.directory(), store, principal_of=people.get, clock=clock)
    return lambda: (inst, store)


def test_flash_overtakes_queued_routine(_installation):
    inst, store = _installation()
    for n in range(1, 201):
        a = synthetic.cable(n)
        inst.dispatch(a.cable, a.telegram)
    assert inst.depths() == {"RUEH": 200}
    inst.pump(limit=10)  # the relay is busy: ten go out per step
    inst.clock.advance(timedelta(minutes=1))
    flash = synthetic.cable(201, precedence=Precedence.FLASH, when=START + timedelta(minutes=1))
    inst.dispatch(flash.cable, flash.telegram)
    order = []
    while inst.depths():
        inst.clock.advance(timedelta(seconds=6))
        before = {d.cable_id for d in store.inbox(STATION, BRAVO)}
        inst.pump(limit=1)
        order += [d.cable_id for d in store.inbox(STATION, BRAVO) if d.cable_id not in before]
    assert order[0] == flash.id
    assert len(order) == 191  # the rest of the ROUTINE after it, none lost
    inbox = store.inbox(STATION, BRAVO)
    assert inbox[0].cable_id == flash.id and inbox[0].precedence is Precedence.FLASH


def test_relay_down_uses_its_alternate(_installation):
    inst, store = _installation()
    inst.down.add("RUEH")
    a = synthetic.cable(1)
    inst.dispatch(a.cable, a.telegram)
    assert inst.depths() == {"RUEK": 1}
    inst.drain()
    assert [d.cable_id for d in store.inbox(STATION, BRAVO)] == [a.id]
    assert inst.forwarded == {"RUEK": 1}


def test_relay_without_alternate_holds_traffic_until_up(_installation):
    inst, store = _installation()
    inst.down.add("RUEK")
    a = synthetic.cable(1, to=CHARLIE)
    inst.dispatch(a.cable, a.telegram)
    assert inst.drain() == 0 and inst.depths() == {"RUEK": 1}
    inst.down.discard("RUEK")
    inst.drain()
    assert [d.cable_id for d in store.inbox(STATION, CHARLIE)] == [a.id]


def test_link_down_waits_and_other_traffic_passes(_installation):
    inst, store = _installation()
    inst.links_down.add(("RUEH", "RUEHBB"))
    a = synthetic.cable(1, to=BRAVO)
    inst.dispatch(a.cable, a.telegram)
    assert inst.drain() == 0 and store.count() == 0
    inst.links_down.clear()
    inst.drain()
    assert [d.cable_id for d in store.inbox(STATION, BRAVO)] == [a.id]


def test_queued_traffic_of_a_relay_that_goes_down_moves_to_the_alternate(_installation):
    inst, store = _installation()
    for n in range(1, 6):
        a = synthetic.cable(n)
        inst.dispatch(a.cable, a.telegram)
    inst.down.add("RUEH")
    inst.drain()
    assert len(store.inbox(STATION, BRAVO)) == 5
    assert inst.forwarded == {"RUEK": 5}
