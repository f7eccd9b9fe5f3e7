"""The network's HTTP API: a full exchange, each refusal with its status,
reason word and message, live validation with the preview, and the pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from drafting_fixtures import draft_json, network_archive, token
from fastapi.testclient import TestClient

from cablegram.web import create_app


@pytest.fixture
def client(location: str) -> Iterator[TestClient]:
    """A server on a new archive of Almaty's network, on each backend."""
    path = network_archive(location)
    with TestClient(create_app(path), base_url="http://127.0.0.1") as c:
        yield c


def test_a_full_exchange_over_http(client: TestClient) -> None:
    poloff, polchief, dcm, ambassador = (
        token(client, n) for n in ("poloff", "polchief", "dcm", "ambassador")
    )
    asked = [{"station": "AMEMBASSY ALMATY", "office": o} for o in ("POL", "DCM")]
    r = client.post("/api/drafts", json={"cable": draft_json(), "clearances": asked},
                    headers=poloff)  # fmt: skip
    assert r.status_code == 201 and r.json()["findings"] == []
    draft = r.json()["id"]
    assert client.post(f"/api/drafts/{draft}/submit", headers=poloff).json()["state"] == (
        "submitted"
    )
    refused = client.post(f"/api/drafts/{draft}/release", headers=ambassador)
    assert refused.status_code == 409 and refused.json()["refused"] == "missing-clearance"
    assert "lacks required clearance(s): POL (asked by the drafter)" in refused.json()["error"]
    queue = client.get("/api/drafts", params={"queue": True}, headers=polchief).json()
    assert [d["id"] for d in queue] == [draft]
    assert client.post(f"/api/drafts/{draft}/clear", json={"comment": "POL clears"},
                       headers=polchief).json()["office"] == "POL"  # fmt: skip
    client.post(f"/api/drafts/{draft}/clear", json={"mode": "draft"}, headers=dcm)
    plan = client.get(f"/api/drafts/{draft}/release", headers=ambassador).json()
    assert plan["refusals"] == [] and plan["de"] == "DE RUEHTA #0001 2220049"
    record = client.post(f"/api/drafts/{draft}/release", headers=ambassador).json()
    assert record["cable_id"] == "06ALMATY1" and record["approved_by"] == "ambassador"
    assert client.get("/api/cables/06ALMATY1", headers=poloff).json()["serial"] == 1
    again = client.post(f"/api/drafts/{draft}/release", headers=ambassador)
    assert again.status_code == 409 and again.json()["refused"] == "state"


def test_refusals_have_their_status_and_reason(client: TestClient) -> None:
    poloff, consular = token(client, "poloff"), token(client, "consular")
    assert client.get("/api/drafts").status_code == 401
    draft = client.post("/api/drafts", json={"cable": draft_json()}, headers=poloff).json()["id"]
    client.post(f"/api/drafts/{draft}/submit", headers=poloff)
    r = client.post(f"/api/drafts/{draft}/release", headers=poloff)
    assert (r.status_code, r.json()["refused"]) == (403, "not-approver")
    assert r.json()["error"] == "poloff is not an approving officer"
    r = client.get(f"/api/drafts/{draft}", headers=consular)  # SECRET: not there for them
    assert (r.status_code, r.json()["refused"]) == (404, "not-found")
    r = client.put(f"/api/drafts/{draft}", json={"version": 1, "cable": draft_json()},
                   headers=poloff)  # fmt: skip
    assert (r.status_code, r.json()["refused"]) == (409, "stale")
    assert "is at version 2, not 1" in r.json()["error"]
    r = client.post("/api/drafts", json={"cable": {"subject": 5}}, headers=poloff)
    assert r.status_code == 422


def test_live_validation_names_the_field_and_previews_the_telegram(client: TestClient) -> None:
    poloff = token(client, "poloff")
    cable = draft_json()
    cable["tags"] = ["KAWC", "KZ"]
    r = client.post("/api/drafts/check", json={"cable": cable}, headers=poloff).json()
    assert [(f["code"], f["field"]) for f in r["findings"] if f["severity"] == "error"] == [
        ("N03", "tags")
    ]
    assert "DE RUEHTA #0001 2220049" in r["telegram"] and r["unassembled"] is None
    # The form's endpoint: the same check from the form's fields, by field.
    form = {"from": "AMEMBASSY ALMATY", "classification": "SECRET", "precedence": "PRIORITY",
            "to": "SECSTATE WASHDC", "tags": "KAWC", "subject": "KAZAKHSTAN: A TEST",
            "paragraphs": "(S) Text.", "signers": "ORDWAY"}  # fmt: skip
    r = client.post("/drafts/check", data=form, headers=poloff).json()
    assert [f["code"] for f in r["by_field"]["tags"]] == ["N03"]


def test_the_pages(client: TestClient) -> None:
    poloff, ambassador = token(client, "poloff"), token(client, "ambassador")
    page = client.get("/drafts/new", headers=poloff)
    assert page.status_code == 200 and 'id="draft-form"' in page.text
    form = {"from": "AMEMBASSY ALMATY", "classification": "UNCLASSIFIED", "precedence": "ROUTINE",
            "to": "SECSTATE WASHDC", "tags": "PREL, KZ", "subject": "KAZAKHSTAN: A TEST",
            "paragraphs": "(U) Text.", "signers": "ORDWAY", "clearances": "POL"}  # fmt: skip
    made = client.post("/drafts/new", data=form, headers=poloff, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/drafts/1"
    shown = client.get("/drafts/1", headers=poloff)
    assert "Save version 2" in shown.text and "DE RUEHTA #0001" in shown.text
    client.post("/drafts/1/submit", headers=poloff)
    listing = client.get("/drafts", headers=poloff)
    assert listing.status_code == 200 and 'href="/drafts/1"' in listing.text
    office = client.get("/drafts", params={"office": "AMEMBASSY ALMATY:POL"}, headers=ambassador)
    assert "Clearance queue: POL at AMEMBASSY ALMATY" in office.text
    assert 'href="/drafts/1"' in office.text
    release = client.get("/drafts/1/release", headers=ambassador)
    assert "ALMATY 000001" in release.text and "lacks required clearance(s): POL" in release.text


def test_the_directory_page(client: TestClient) -> None:
    poloff = token(client, "poloff")
    page = client.get("/directory", params={"q": "almaty"}, headers=poloff)
    assert page.status_code == 200
    assert "RUEHTA@..2007-12-31" in page.text and "Political Section" in page.text
    assert "CIS COLLECTIVE" not in page.text  # filtered out
    assert client.get("/directory").status_code == 401  # the public reader
