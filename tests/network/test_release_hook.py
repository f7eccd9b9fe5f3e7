"""The release hook: a release hands its cable to delivery (part 1's workflow
calls a listener with what it released; this one dispatches it)."""

from __future__ import annotations

from dataclasses import dataclass

from delivery_fixtures import STATE
from seeds import release_seed

from cablegram.archive.archive import Archive
from cablegram.network.delivery import STATION
from cablegram.network.node import Node


@dataclass
class Released:  # the shape part 1's workflow hands its listeners
    cable: object
    telegram: str


def test_node_on_release_delivers_the_released_cable(department, store, clock, tmp_path):
    cable, telegram = release_seed(department, store, clock, "06ALMATY1703")
    with Archive(str(tmp_path / "a.sqlite")) as archive:
        node = Node(archive, department.directory)
        node.on_release(Released(cable, telegram))
        stations = {d.holder for d in node.store.deliveries_of(cable.id) if d.kind == STATION}
        assert STATE in stations and "NSC WASHDC" in stations
        node.on_release(Released(cable, telegram))  # a listener called twice: nothing twice
        again = [d for d in node.store.deliveries_of(cable.id) if d.kind == STATION]
        assert len(again) == len(stations)
