"""Deliveries kept in the archive (each backend): a receipt is refused for ever
once made (reopened, a day or a year later), and a delivery made in a failed
transaction leaves nothing behind."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import synthetic
from synthetic import BRAVO

from backends import BACKENDS, new_location
from cablegram.access.principal import OWNER, Principal
from cablegram.archive.store import open_store
from cablegram.network.archived_deliveries import ArchivedDeliveries
from cablegram.network.clock import SimulatedClock
from cablegram.network.delivery import STATION
from cablegram.network.installation import Installation, ServiceRequest

PEOPLE = {u: Principal(u, sbu=True) for u in ("bpol", "bamb", "bduty")}


@pytest.fixture(params=BACKENDS)
def location(request, tmp_path):
    return new_location(request.param, tmp_path, "delivered", request)


def _open(path, when):
    store = ArchivedDeliveries(open_store(str(path), OWNER))
    clock = SimulatedClock(when)
    return Installation(synthetic.directory(), store, principal_of=PEOPLE.get, clock=clock), store


def test_receipt_is_idempotent_across_reopening(location):
    inst, store = _open(location, datetime(2006, 5, 15, 10, tzinfo=UTC))
    a = synthetic.cable(1, numbers={BRAVO: 5})
    sent = inst.dispatch(a.cable, a.telegram)
    inst.drain()
    assert len(store.inbox(STATION, BRAVO)) == 1
    store.archive.close()
    inst, store = _open(location, datetime(2007, 5, 15, 10, tzinfo=UTC))
    for t in sent:
        assert inst.receive(t) == []
    assert len(store.inbox(STATION, BRAVO)) == 1
    assert store.numbers_seen("ALPHA", BRAVO) == {5}
    assert store.number_pairs() == [("ALPHA", BRAVO)]  # the counts a serve looks for gaps in
    assert [t.cable_id for t in store.sent("ALPHA", BRAVO, 5)] == [a.id]
    # A re-send keeps its attempt in the originator's queues (what the broker sees).
    [again] = inst.resend(ServiceRequest("ALPHA", BRAVO, 5))
    store.enqueue([again], "out:RUEH")
    assert store.queued("out:RUEH")[0].attempt == again.attempt > 0
    store.archive.close()


def test_a_failed_delivery_leaves_nothing(location):
    inst, store = _open(location, datetime(2006, 5, 15, 10, tzinfo=UTC))

    def broken(_user):
        raise RuntimeError("directory unavailable")

    inst.principal_of = broken
    a = synthetic.cable(1)
    [t] = inst.transmissions(a.cable, a.telegram)
    with pytest.raises(RuntimeError):
        inst.receive(t)
    assert store.count() == 0 and store.sections(a.id, BRAVO) == {}
    inst.principal_of = PEOPLE.get
    assert len(inst.receive(t)) > 0
    store.archive.close()


def test_reindex_keeps_the_deliveries(location):
    from cablegram.archive.archive import Archive

    inst, store = _open(location, datetime(2006, 5, 15, 10, tzinfo=UTC))
    a = synthetic.cable(1, numbers={BRAVO: 5})
    sent = inst.dispatch(a.cable, a.telegram)
    inst.drain()
    before = [d.to_dict() for d in store.inbox(STATION, BRAVO)]
    store.archive.close()
    with Archive(location) as archive:
        archive.reindex(workers=1)
    inst, store = _open(location, datetime(2006, 5, 16, 10, tzinfo=UTC))
    assert [d.to_dict() for d in store.inbox(STATION, BRAVO)] == before
    assert all(inst.receive(t) == [] for t in sent)
    store.archive.close()
