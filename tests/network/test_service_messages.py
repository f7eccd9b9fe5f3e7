"""Per-addressee numbers over the wire (NETWORK.md §3, §7): a receiving
installation that sees a number missing sends an IMMEDIATE service message to
the originator's installation through the broker (the real NATS at
127.0.0.1:4222, a prefix of its own), which sends the cable again from its
log; receipt is idempotent, so however often it is asked and re-sent, each
cable is delivered once."""

from __future__ import annotations

import asyncio
import uuid

import synthetic
from synthetic import BRAVO
from test_outages import federated, rounds

from cablegram.network.bridge import decode, encode, service_message, service_request
from cablegram.network.delivery import STATION
from cablegram.network.installation import ServiceRequest

URL = "nats://127.0.0.1:4222"


def test_a_service_message_and_a_resent_transmission_on_the_wire(tmp_path):
    request = ServiceRequest("ALPHA", BRAVO, 42)
    data, headers = service_message(request)
    assert data.decode() == "ZFF AMEMBASSY BRAVO: NUMBER 42 FROM ALPHA NOT RECEIVED. PSE RPT."
    assert service_request(headers) == request
    assert service_request({"Cablegram-Origin": "ALPHA"}) is None
    archive, node = federated(tmp_path, "wire", ["RUEHAA"], [])
    with archive:
        x = synthetic.cable(2, numbers={BRAVO: 42})
        node.dispatch(x.cable, x.telegram)
        [again] = node.installation.resend(request)  # from the originator's log
        [first] = node.store.queued("out:RUEH")
        assert again.key == first.key and again.attempt > 0 and first.attempt == 0
        data, headers = encode(again, "x.ri.RUEHBB")
        assert decode(data, headers) == again
        # A re-send is not a duplicate of the first sending for the broker's window.
        assert encode(first, "x.ri.RUEHBB")[1]["Nats-Msg-Id"] != headers["Nats-Msg-Id"]


def test_a_missing_number_is_asked_for_over_nats_and_sent_again_once(tmp_path):
    prefix = "cgsvc" + uuid.uuid4().hex[:8]
    made = {name: federated(tmp_path, name, hosts, relays) for name, hosts, relays in (
        ("a", ["RUEHAA"], []), ("b", ["RUEHBB"], []), ("c", [], ["RUEH", "RUEK"]),
    )}  # fmt: skip
    a, b, c = (made[n][1] for n in "abc")
    cables = [synthetic.cable(n, to=BRAVO, numbers={BRAVO: 40 + n}) for n in (1, 2, 3, 4)]
    for x in cables:
        a.dispatch(x.cable, x.telegram)
    # Number 42 is lost on the way: its transmission never leaves the outbox.
    [lost] = [t for t in a.store.queued("out:RUEH") if t.route.number == 42]
    a.store.dequeue("out:RUEH", [lost.key])
    bridges = {
        n: node.bridge(name=f"{prefix}-{n}", url=URL, prefix=prefix, ack_wait=2)
        for n, node in (("a", a), ("b", b), ("c", c))
    }
    for x in bridges.values():
        x.service_every, x.service_grace, x.service_retry = 0.1, 0.5, 30.0

    def delivered():
        return sorted(d.cable_id for d in b.store.inbox(STATION, BRAVO))

    async def scenario():
        running = list(bridges.values())
        for x in running:
            await x.connect()
        try:
            await rounds(running, lambda: len(delivered()) == 3)
            assert delivered() == ["06ALPHA1", "06ALPHA3", "06ALPHA4"]
            assert b.installation.gaps("ALPHA", BRAVO) == [42]
            # The service message goes to ALPHA's installation, which sends 42 again.
            await rounds(running, lambda: len(delivered()) == 4)
            assert bridges["b"].stats.service_requests == 1
            assert bridges["a"].stats.resent == 1
            assert b.installation.gaps("ALPHA", BRAVO) == []
            # Asked again (a request crossing the answer): re-sent, arrives, and is
            # not delivered twice.
            duplicates = bridges["b"].stats.duplicates
            await bridges["b"].request(ServiceRequest("ALPHA", BRAVO, 42))
            await rounds(running, lambda: bridges["b"].stats.duplicates > duplicates)
            await rounds(running, seconds=1.0)
            assert bridges["a"].stats.resent == 2
            assert delivered() == [x.id for x in cables]
            assert all(not n.store.queues() for n in (a, b, c))
        finally:
            await bridges["a"].delete_stream()
            for x in running:
                await x.close()

    try:
        asyncio.run(scenario())
    finally:
        for archive, _node in made.values():
            archive.close()
