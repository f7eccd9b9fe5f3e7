"""The Department's side of the seeds' traffic: people at SECSTATE WASHDC in the
offices the distribution line names, cleared to different levels, and an
installation delivering over the in-memory store."""

from __future__ import annotations

import pytest
from network_fixtures import principals

from cablegram.access.principal import Principal
from cablegram.archive.sqlite import SQLiteStore
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


def open_deliveries(kind: str, folder):
    """A DeliveryStore: in memory, or in an SQLite archive file in ``folder``."""
    if kind == "memory":
        return MemoryDeliveryStore()
    return ArchivedDeliveries(SQLiteStore(str(folder / "archive.sqlite")))


@pytest.fixture(params=["memory", "sqlite"])
def deliveries(request, tmp_path):
    store = open_deliveries(request.param, tmp_path)
    yield store
    if request.param == "sqlite":
        store.archive.close()


@pytest.fixture
def installation(department, deliveries, clock) -> Installation:
    return Installation(
        department.directory, deliveries, principal_of=department_principals().get, clock=clock
    )
