"""A failed transaction of a DeliveryStore leaves nothing behind, in memory as in
the archive (each backend): new deliveries, an updated one, queued and dequeued
transmissions are all undone; a delivery that was never stored cannot be updated."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cablegram.model import Precedence
from cablegram.network.delivery import STATION, Delivery, Transmission
from cablegram.network.memory_delivery import MemoryDeliveryStore
from cablegram.network.routing import ACTION, Route

AT = "2006-05-15T10:00:00Z"


def _delivery(cable_id: str) -> Delivery:
    return Delivery(cable_id, "AMEMBASSY BRAVO", STATION, "AMEMBASSY BRAVO", ACTION,
                    Precedence.ROUTINE, False, "addressee", AT, AT)  # fmt: skip


def _transmission(cable_id: str) -> Transmission:
    route = Route("AMEMBASSY BRAVO", "RUEHBR", ACTION, Precedence.PRIORITY)
    return Transmission("ALPHA", cable_id, 1, 1, route, f"telegram of {cable_id}", AT)


def test_a_failed_transaction_undoes_every_change(deliveries):
    [kept] = deliveries.add_deliveries([_delivery("06ALPHA1")])
    first, second = _transmission("06ALPHA1"), _transmission("06ALPHA2")
    deliveries.enqueue([first], "out:RUEH")
    with pytest.raises(RuntimeError), deliveries.transaction():
        deliveries.add_deliveries([_delivery("06ALPHA2"), _delivery("06ALPHA3")])
        deliveries.update_delivery(replace(kept, read_at=AT))
        deliveries.enqueue([second], "out:RUEH")
        deliveries.dequeue("out:RUEH", [first.key])
        raise RuntimeError("the broker went away")
    assert deliveries.count() == 1
    assert deliveries.inbox(STATION, "AMEMBASSY BRAVO") == [kept]
    assert deliveries.delivery(kept.id) == kept and kept.read_at is None
    assert [t.key for t in deliveries.queued("out:RUEH")] == [first.key]
    # Committed, the same changes stay.
    deliveries.update_delivery(replace(kept, read_at=AT))
    assert deliveries.delivery(kept.id).read_at == AT


def test_updating_a_delivery_never_stored_is_refused():
    store = MemoryDeliveryStore()
    with pytest.raises(ValueError, match="never stored"):
        store.update_delivery(_delivery("06ALPHA1"))
