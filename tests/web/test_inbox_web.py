"""Inboxes on the web: the JSON routes and the pages show a reader only what they
may read, take acknowledgements and actions from the post's people, push an
inbox to an open page, and show the network status and the replay report —
on every backend, with the directory the archive keeps (people imported as
``cablegram directory import`` does)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import cablegram
from backends import BACKENDS, new_location
from cablegram.archive import Archive
from cablegram.network import default_directory, read_directory_csv
from cablegram.network.archived import open_network
from cablegram.network.directory import Office
from cablegram.network.directory_csv import write_directory_csv
from cablegram.network.node import Node, directory_of, released_cables
from cablegram.web import create_app

PASSWORD = "correct horse battery"
SEEDS = Path(cablegram.__file__).parent / "data" / "examples" / "seeds"
PEOPLE = Path(__file__).parents[2] / "docs" / "examples" / "delivery" / "department-people.csv"
STATE = "SECSTATE WASHDC"


@pytest.fixture(params=BACKENDS)
def location(request, tmp_path, monkeypatch):
    monkeypatch.delenv("CABLEGRAM_DIRECTORY", raising=False)
    monkeypatch.setenv("CABLEGRAM_NOW", "2006-08-10T01:10Z")
    path = new_location(request.param, tmp_path, "inboxweb", request)
    with Archive(path) as archive:
        archive.users.add("witten", password=PASSWORD, clearance="secret", stations=["RUEHC"])
        archive.users.add("miller", password=PASSWORD, sbu=True, stations=["RUEHC"])
        archive.users.add("ops", password=PASSWORD, owner=True)
        # The people live in the archive's own directory, as `directory import` puts them.
        open_network(archive).put("owner", *read_directory_csv(PEOPLE.read_text()))
        node = Node(archive, directory_of(archive))
        assert node.directory.person("witten") is not None
        texts = [(p.name, p.read_text()) for p in sorted(SEEDS.glob("*.txt"))]
        for cable, telegram in released_cables(texts):
            node.dispatch(cable, telegram)
    return path


@pytest.fixture
def served(location):
    with TestClient(create_app(location)) as client:
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


def test_the_web_follows_the_archives_directory_as_it_changes(location, tmp_path, monkeypatch):
    """The directory is built once and kept, until ``cablegram directory`` changes it;
    ``$CABLEGRAM_DIRECTORY`` overrides the archive's."""
    with TestClient(create_app(location)) as client:
        witten = _login(client, "witten")
        target = {"target": "SECSTATE WASHDC:S/XYZ"}
        assert client.get("/api/network/inbox", params=target, headers=witten).status_code == 404
        with Archive(location) as archive:  # another process adds an office
            open_network(archive).put("owner", Office(STATE, "S/XYZ", "Test office"))
        r = client.get("/api/network/inbox", params=target, headers=witten)
        assert r.status_code == 200 and r.json()["holder"] == "SECSTATE WASHDC:S/XYZ"
        # A directory named in the environment wins: the shipped one knows no Witten,
        # so the inbox of the office she sits in has no people to reach...
        csv = tmp_path / "shipped.csv"
        csv.write_text(write_directory_csv(default_directory()))
        monkeypatch.setenv("CABLEGRAM_DIRECTORY", str(csv))
        assert client.get("/api/network/inbox", params=target, headers=witten).status_code == 404


def test_an_owner_marks_a_relay_down_and_up_over_http(served):
    ops, witten = _login(served, "ops"), _login(served, "witten")
    r = served.post("/api/network/relays/RUEH/down", headers=witten)
    assert r.status_code == 403
    r = served.post("/api/network/relays/RUEH/down", headers=ops)
    assert r.status_code == 200 and r.json()["relays_down"] == ["RUEH"]
    r = served.post("/api/network/relays/RUEH/links/RUEHC/down", headers=ops)
    assert r.json()["links_down"] == ["RUEH-RUEHC"]
    status = served.get("/api/network/status", headers=witten).json()
    assert status["relays_down"] == ["RUEH"] and status["links_down"] == ["RUEH-RUEHC"]
    assert served.post("/api/network/relays/RUZZ/down", headers=ops).status_code == 404
    page = served.get("/network", headers=ops).text
    assert 'action="/network/relays/RUEH/up"' in page  # the owner's button
    assert 'action="/network/relays/' not in served.get("/network", headers=witten).text
    r = served.post("/api/network/relays/RUEH/up", headers=ops)
    assert r.json()["relays_down"] == []
    # The page's button does the same.
    r = served.post("/network/relays/RUEHL/down", headers=ops, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/network"
    assert served.get("/api/network/status", headers=ops).json()["relays_down"] == ["RUEHL"]
    assert served.post("/network/relays/RUEHL/up", headers=witten).status_code == 403
