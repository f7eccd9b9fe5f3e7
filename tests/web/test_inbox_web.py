"""Inboxes on the web: the JSON routes and the pages show a reader only what they
may read, take acknowledgements and actions from the post's people, push an
inbox to an open page, and show the network status and the replay report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import cablegram
from cablegram.archive import Archive
from cablegram.network import default_directory
from cablegram.network.directory_csv import write_directory_csv
from cablegram.network.node import Node, released_cables
from cablegram.web import create_app

PASSWORD = "correct horse battery"
SEEDS = Path(cablegram.__file__).parent / "data" / "examples" / "seeds"
PEOPLE = Path(__file__).parents[2] / "docs" / "examples" / "delivery" / "department-people.csv"
STATE = "SECSTATE WASHDC"


@pytest.fixture
def served(tmp_path, monkeypatch):
    directory_csv = tmp_path / "directory.csv"
    directory_csv.write_text(write_directory_csv(default_directory()) + PEOPLE.read_text())
    monkeypatch.setenv("CABLEGRAM_DIRECTORY", str(directory_csv))
    monkeypatch.setenv("CABLEGRAM_NOW", "2006-08-10T01:10Z")
    path = str(tmp_path / "web.sqlite")
    with Archive(path) as archive:
        archive.users.add("witten", password=PASSWORD, clearance="secret", stations=["RUEHC"])
        archive.users.add("miller", password=PASSWORD, sbu=True, stations=["RUEHC"])
        from cablegram.web.inbox import _directory

        node = Node(archive, _directory(str(directory_csv)))
        texts = [(p.name, p.read_text()) for p in sorted(SEEDS.glob("*.txt"))]
        for cable, telegram in released_cables(texts):
            node.dispatch(cable, telegram)
    with TestClient(create_app(path)) as client:
        yield client


def _login(client: TestClient, name: str) -> dict[str, str]:
    r = client.post("/api/login", json={"name": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_inbox_json_shows_only_what_the_reader_may_read(served):
    witten, miller = _login(served, "witten"), _login(served, "miller")
    mine = served.get("/api/network/inbox", headers=witten).json()
    assert mine["kind"] == "person" and mine["holder"] == "witten"
    assert [d["cable_id"] for d in mine["deliveries"]] == ["06ALMATY2872", "06ALMATY1703"]
    assert mine["unread"] == 2
    queue = served.get("/api/network/inbox", params={"target": "S/WCI"}, headers=miller).json()
    assert [d["cable_id"] for d in queue["deliveries"]] == ["06ALMATY1703"]
    public = served.get("/api/network/inbox", params={"target": STATE}).json()
    assert public["deliveries"] == []  # the public reader: neither is unclassified non-SBU
    assert served.get("/api/network/inbox", params={"target": "NOWHERE"}).status_code == 404


def test_action_and_acknowledgement_over_http(served):
    witten = _login(served, "witten")
    mine = served.get("/api/network/inbox", headers=witten).json()["deliveries"]
    d = mine[0]
    r = served.post(f"/api/network/deliveries/{d['id']}/action",
                    json={"action": "will-comply"}, headers=witten)  # fmt: skip
    assert r.status_code == 200 and r.json()["action"] == "will-comply"
    r = served.post(f"/api/network/deliveries/{d['id']}/ack", headers=witten)
    assert r.status_code == 409 and "only FLASH" in r.json()["error"]
    miller = _login(served, "miller")
    r = served.post(f"/api/network/deliveries/{d['id']}/ack", headers=miller)
    assert r.status_code == 404  # SECRET: not Miller's to see


def test_pages_inbox_status_and_replay(served):
    page = served.get("/inbox", params={"target": STATE})
    assert page.status_code == 200 and "data-events" in page.text
    status = served.get("/network")
    assert status.status_code == 200 and "RUEH" in status.text
    assert served.get("/network/replay").status_code == 200
    assert served.get("/api/network/replay").status_code == 404


def test_an_open_inbox_gets_the_inbox_pushed(served):
    witten = _login(served, "witten")
    with served.stream("GET", "/api/network/inbox/events", headers=witten) as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        lines = events.iter_lines()
        assert next(lines) == "event: inbox"
        data = json.loads(next(lines).removeprefix("data: "))
        assert data["holder"] == "witten" and len(data["deliveries"]) == 2
