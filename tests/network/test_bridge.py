"""Installations exchanging cables through the NATS JetStream server at
127.0.0.1:4222 (a real server: these tests fail if it is not running —
.ci/start-services starts it).  Each test uses its own subject prefix."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import synthetic
from synthetic import ALPHA, BRAVO, CHARLIE

from cablegram.access.principal import Principal
from cablegram.archive.sqlite import SQLiteStore
from cablegram.model import Precedence
from cablegram.network.archived_deliveries import ArchivedDeliveries
from cablegram.network.bridge import Bridge, decode, encode, station_subject
from cablegram.network.clock import SimulatedClock
from cablegram.network.delivery import STATION
from cablegram.network.installation import Installation

URL = "nats://127.0.0.1:4222"
PEOPLE = {u: Principal(u, sbu=True) for u in ("bpol", "bamb", "bduty")}


def _installation(path, hosts, relays):
    store = ArchivedDeliveries(SQLiteStore(str(path)))
    inst = Installation(
        synthetic.directory(), store, principal_of=PEOPLE.get,
        clock=SimulatedClock(datetime(2006, 5, 15, 10, tzinfo=UTC)), hosts=hosts, relays=relays,
    )  # fmt: skip
    return inst, store


def test_wire_format_is_the_telegram_text():
    a = synthetic.cable(7, precedence=Precedence.IMMEDIATE, niact=True, numbers={BRAVO: 3})
    inst, _ = _installation(":memory:", ["RUEHAA"], [])
    [t] = inst.transmissions(a.cable, a.telegram)
    data, headers = encode(t, station_subject(t.route.ri))
    assert data.decode() == a.telegram
    assert decode(data, headers) == t


async def _run(bridges, until, timeout=60.0):
    for b in bridges:
        await b.connect()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not until():
            assert asyncio.get_running_loop().time() < deadline, [b.status() for b in bridges]
            for b in bridges:
                await b.step()
    finally:
        await bridges[0].delete_stream()
        for b in bridges:
            await b.close()


def test_three_installations_through_a_relay(tmp_path):
    prefix = "cgtest" + uuid.uuid4().hex[:8]
    a, sa = _installation(tmp_path / "a.sqlite", ["RUEHAA"], [])
    b, sb = _installation(tmp_path / "b.sqlite", ["RUEHBB"], [])
    c, sc = _installation(tmp_path / "c.sqlite", ["RUEKCC"], ["RUEH", "RUEK"])
    bridges = [
        Bridge(inst, store, name=f"{prefix}-{n}", url=URL, prefix=prefix, ack_wait=2)
        for n, (inst, store) in enumerate([(a, sa), (b, sb), (c, sc)])
    ]
    cables = [
        synthetic.cable(n, to=BRAVO if n % 2 else CHARLIE,
                        precedence=Precedence.FLASH if n % 5 == 0 else Precedence.ROUTINE)
        for n in range(1, 21)
    ]  # fmt: skip
    for x in cables:
        a.dispatch(x.cable, x.telegram)
    assert sum(sa.queues().values()) == 20  # in the outbox, durably, before any broker

    def done():
        return len(sb.inbox(STATION, BRAVO)) == 10 and len(sc.inbox(STATION, CHARLIE)) == 10

    asyncio.run(_run(bridges, done))
    assert sa.queues() == {} and sc.queues() == {}
    assert c.forwarded["RUEH"] == 10 and c.forwarded["RUEK"] == 10
    inbox = sb.inbox(STATION, BRAVO)
    assert [d.precedence for d in inbox][:2] == [Precedence.FLASH, Precedence.FLASH]
    assert sb.delivery(inbox[0].id).station == BRAVO
    assert sa.count() == 0 and not sa.inbox(STATION, ALPHA)
    for store in (sa, sb, sc):
        store.archive.close()
