"""Embassy Almaty's network in 2006, over every store: the in-memory double
(tests/network/memory_store.py) for the pure workflow, and an archive on each
backend (tests/backends.py BACKENDS) for the real thing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from memory_store import MemoryStore

from backends import BACKENDS, new_location
from cablegram.access.principal import Principal
from cablegram.archive import Archive
from cablegram.model import Classification
from cablegram.network.archived import ArchiveNetworkStore
from cablegram.network.directory import (
    APPROVER,
    CLEARER,
    DRAFTER,
    Office,
    Person,
    ReleaseAuthority,
    RoutingAssignment,
    Station,
)
from cablegram.network.workflow import Network

ALMATY = "AMEMBASSY ALMATY"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, when: datetime) -> None:
        self.when = when

    def __call__(self) -> datetime:
        return self.when


def principals() -> dict[str, Principal]:
    secret = {"clearance": Classification.SECRET, "sbu": True, "stations": ["RUEHTA"]}
    return {
        "poloff": Principal("poloff", **secret),
        "polchief": Principal("polchief", **secret),
        "dcm": Principal("dcm", **secret, captions=["NODIS", "EXDIS"]),
        "ambassador": Principal("ambassador", **secret, captions=["NODIS", "EXDIS"]),
        "consular": Principal("consular", clearance=Classification.UNCLASSIFIED, sbu=True),
        "ssclear": Principal("ssclear", **secret, captions=["NODIS", "EXDIS"]),
        "deskofficer": Principal("deskofficer", **secret),
    }


def almaty_people() -> list[Person]:
    authority = ReleaseAuthority(
        frozenset({"ALMATY"}), Classification.SECRET, frozenset({"SIPDIS", "NOFORN"})
    )
    return [
        Person("poloff", ALMATY, "POL", frozenset({DRAFTER})),
        Person("polchief", ALMATY, "POL", frozenset({DRAFTER, CLEARER})),
        Person("dcm", ALMATY, "DCM", frozenset({CLEARER, APPROVER}), authority),
        Person("ambassador", ALMATY, "EXEC", frozenset({APPROVER, DRAFTER}), authority),
        Person("consular", ALMATY, "CONS", frozenset({DRAFTER, CLEARER})),
        Person("ssclear", "SECSTATE WASHDC", "S/S", frozenset({CLEARER})),
        Person("deskofficer", "SECSTATE WASHDC", "SCA/CEN", frozenset({DRAFTER, CLEARER})),
    ]


def setup_almaty(net: Network) -> None:
    d = net.directory
    almaty = replace(d.station(ALMATY), country="KZ", bureau="SCA")
    # Embassy Almaty's branch office in Astana (2006): reached through RUEHAST,
    # and given no per-addressee numbers (as the seed's INFO line shows).
    astana = Station("USOFFICE ASTANA", "ASTANA", (RoutingAssignment("RUEHAST"),), numbered=False)
    offices = [
        Office(ALMATY, s, n)
        for s, n in (
            ("POL", "Political Section"),
            ("DCM", "Deputy Chief of Mission"),
            ("EXEC", "Front office"),
            ("CONS", "Consular Section"),
        )
    ]
    net.put("owner", almaty, astana, *offices, *almaty_people())


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2006, 5, 15, 2, 25, tzinfo=UTC))


STORES = ("memory", *BACKENDS)


def archive_store(archive: Archive) -> ArchiveNetworkStore:
    return ArchiveNetworkStore(archive.store, interface="test")


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path):  # type: ignore[no-untyped-def]
    """The network's store: in memory, or in a new archive on a backend."""
    if request.param == "memory":
        return MemoryStore()
    archive = Archive(new_location(request.param, tmp_path, "net", request))
    request.addfinalizer(archive.close)
    return archive_store(archive)


def stored_cables(store) -> int:  # type: ignore[no-untyped-def]
    """How many cables the store's archive holds."""
    if isinstance(store, MemoryStore):
        return len(store.state["cables"])
    return int(store.store.stats(size=1)["cables"])


@pytest.fixture
def net(store, clock: Clock) -> Network:  # type: ignore[no-untyped-def]
    p = principals()
    network = Network(store, principal_of=p.get, clock=clock)
    setup_almaty(network)
    return network
