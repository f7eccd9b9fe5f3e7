"""The Department's side of the seeds' traffic: people at SECSTATE WASHDC in the
offices the distribution line names, cleared to different levels, and an
installation delivering over the in-memory store."""

from __future__ import annotations

import pytest
from network_fixtures import principals

from backends import BACKENDS, new_location
from cablegram.access.principal import OWNER, Principal
from cablegram.archive.store import open_store
from cablegram.model import Classification
from cablegram.network.archived_deliveries import ArchivedDeliveries
from cablegram.network.directory import CLEARER, DRAFTER, Office, Person
from cablegram.network.installation import Installation
from cablegram.network.memory_delivery import MemoryDeliveryStore

STATE = "SECSTATE WASHDC"
U, S, TS = Classification.UNCLASSIFIED, Classification.SECRET, Classification.TOP_SECRET

# user -> (office, clearance, captions, SBU)
DEPARTMENT = {
    "witten": ("S/WCI", S, (), True),
    "miller": ("S/WCI", U, (), True),  # SBU but not SECRET
    "intern": ("S/WCI", U, (), False),  # neither
    "ahaines": ("L/PM", TS, ("NODIS", "EXDIS"), True),
    "mudge": ("SCA/CEN", S, (), True),
    "cenclerk": ("SCA/CEN", U, (), True),
    "polmil": ("PM", S, (), True),  # an office the line does not name
    "watch1": ("S/ES-O", S, (), True),
    "watch2": ("S/ES-O", TS, ("NODIS",), True),
}


def department_principals() -> dict[str, Principal]:
    out = dict(principals())
    for user, (_office, level, captions, sbu) in DEPARTMENT.items():
        out[user] = Principal(user, clearance=level, sbu=sbu, captions=captions,
                              stations=["RUEHC"])  # fmt: skip
    return out


def department_people() -> list:
    return [Office(STATE, "PM", "Bureau of Political-Military Affairs")] + [
        Person(user, STATE, office, frozenset({DRAFTER, CLEARER}))
        for user, (office, *_rest) in DEPARTMENT.items()
    ]


@pytest.fixture
def department(net):
    net.put("owner", *department_people())
    return net


@pytest.fixture(params=["memory", *BACKENDS])
def deliveries(request, tmp_path):
    """A DeliveryStore: in memory, or in an archive on each backend."""
    if request.param == "memory":
        yield MemoryDeliveryStore()
        return
    location = new_location(request.param, tmp_path, "deliveries", request)
    store = ArchivedDeliveries(open_store(location, OWNER))
    yield store
    store.archive.close()


@pytest.fixture
def installation(department, deliveries, clock) -> Installation:
    return Installation(
        department.directory, deliveries, principal_of=department_principals().get, clock=clock
    )
