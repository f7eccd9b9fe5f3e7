"""An archive of Embassy Almaty's network in August 2006, for the drafting
API, pages and browser tests: accounts with passwords, the embassy's offices
and people (docs/examples/network/almaty.csv), the network's clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cablegram.archive import Archive
from cablegram.model import Classification
from cablegram.network import open_network, read_directory_csv
from cablegram.network.archived import set_network_clock
from cablegram.network.directory import APPROVER, DRAFTER, Person, ReleaseAuthority

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "network"
PASSWORD = "correct horse battery"
PEOPLE = ("poloff", "polchief", "dcm", "ambassador")


def network_archive(path: str) -> str:
    with Archive(path) as archive:
        for name in PEOPLE:
            archive.users.add(name, password=PASSWORD, clearance="secret", sbu=True,
                              stations=["RUEHTA"])  # fmt: skip
        archive.users.add("consular", password=PASSWORD, clearance="unclassified", sbu=True)
        net = open_network(archive)
        entries = read_directory_csv((EXAMPLES / "almaty.csv").read_text())
        authority = ReleaseAuthority(frozenset({"ALMATY"}), Classification.SECRET,
                                     frozenset({"SIPDIS"}))  # fmt: skip
        ambassador = Person("ambassador", "AMEMBASSY ALMATY", "EXEC",
                            frozenset({APPROVER, DRAFTER}), authority)  # fmt: skip
        net.put("owner", *entries, ambassador)
        set_network_clock(archive, datetime(2006, 8, 10, 0, 49, tzinfo=UTC))
    return path


def draft_json(name: str = "06ALMATY2872") -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{name}.draft.json").read_text())


def token(client: TestClient, name: str) -> dict[str, str]:
    r = client.post("/api/login", json={"name": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.cookies.clear()  # each request says who it is by its bearer token
    return {"Authorization": f"Bearer {r.json()['token']}"}
