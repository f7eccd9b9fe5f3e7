"""Access through the HTTP API and the pages: who reads what, sign-in, accounts,
declassification, the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_fixtures import PASSWORD, SEED_ID, bearer, copy_archive

from cablegram.web import create_app

SECRET_ID = "06ALMATY2872"  # the SECRET seed cable


@pytest.fixture
def scratch(archive_file: str, tmp_path: Path) -> Iterator[TestClient]:
    """A public server on a copy of the fixture archive (for writes)."""
    app = create_app(copy_archive(archive_file, tmp_path / "copy.sqlite"))
    with TestClient(app) as c:
        yield c


# -- who reads what --
def test_public_reader_sees_only_public_cables(
    client: TestClient, public_client: TestClient
) -> None:
    assert public_client.get(f"/api/cables/{SECRET_ID}").status_code == 404
    assert public_client.get(f"/cables/{SECRET_ID}").status_code == 404
    owner_total = client.get("/api/search", params={"q": "detainees"}).json()["total"]
    public = public_client.get("/api/search", params={"q": "detainees", "facets": True}).json()
    assert SECRET_ID not in {h["id"] for h in public["hits"]}
    assert public["total"] < owner_total
    assert {v for v, _ in public["facets"]["classification"]} <= {"UNCLASSIFIED"}
    stats = public_client.get("/api/stats").json()
    assert stats["cables"] < client.get("/api/stats").json()["cables"]
    assert {c for c, _ in stats["by_classification"]} == {"UNCLASSIFIED"}


def test_signed_in_reader_sees_up_to_its_clearance(public_client: TestClient) -> None:
    analyst = bearer(public_client, "analyst")
    me = public_client.get("/api/me", headers=analyst).json()
    assert me == {"name": "analyst", "clearance": "CONFIDENTIAL + NOFORN",
                  "owner": False, "signed_in": True}  # fmt: skip
    assert public_client.get(f"/api/cables/{SECRET_ID}", headers=analyst).status_code == 404
    levels = public_client.get(
        "/api/search", params={"q": "has:refs", "facets": True}, headers=analyst
    ).json()["facets"]["classification"]
    assert {v for v, _ in levels} == {"UNCLASSIFIED", "CONFIDENTIAL"}
    chief = bearer(public_client, "chief")
    assert public_client.get(f"/api/cables/{SECRET_ID}", headers=chief).status_code == 200


def test_me_for_anonymous_readers(client: TestClient, public_client: TestClient) -> None:
    assert client.get("/api/me").json() == {
        "name": "owner", "clearance": "full access", "owner": True, "signed_in": False,
    }  # fmt: skip
    assert public_client.get("/api/me").json() == {
        "name": "public", "clearance": "UNCLASSIFIED", "owner": False, "signed_in": False,
    }  # fmt: skip


# -- signing in --
def test_login_gives_a_token_and_a_cookie(archive_file: str) -> None:
    with TestClient(create_app(archive_file)) as c:
        r = c.post("/api/login", json={"name": "analyst", "password": PASSWORD})
        assert r.status_code == 200
        body = r.json()
        assert body["reader"]["name"] == "analyst" and body["expires"] > 0
        assert "cablegram_session" in r.cookies
        assert "httponly" in r.headers["set-cookie"].lower()
        assert c.get("/api/me").json()["name"] == "analyst"  # the cookie alone
        assert "Reading as <strong>analyst</strong>" in c.get("/").text
        # A browser names the page a POST comes from (test_csrf.py: others are refused).
        assert c.post("/api/logout", headers={"origin": "http://testserver"}).status_code == 204
        assert c.get("/api/me").json()["name"] == "public"


# Failed sign-ins count in the archive file for a minute (test_sessions.py), so the
# tests that fail on purpose use a copy of it: the shared fixture archive stays usable.
def test_wrong_password_and_bad_tokens_are_401(scratch: TestClient) -> None:
    r = scratch.post("/api/login", json={"name": "analyst", "password": "guess"})
    assert r.status_code == 401 and r.json() == {"error": "wrong name or password"}
    r = scratch.post("/api/login", json={"name": "nobody", "password": "guess"})
    assert r.status_code == 401 and r.json() == {"error": "wrong name or password"}
    for token in ("garbage", "a.b", bearer(scratch, "analyst")["Authorization"][7:] + "x"):
        r = scratch.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401 and r.json() == {"error": "invalid or expired token"}
    assert scratch.post("/api/login", json={"name": "analyst"}).status_code == 422


def test_failed_logins_are_rate_limited_per_client(scratch: TestClient) -> None:
    for _ in range(5):
        r = scratch.post("/api/login", json={"name": "analyst", "password": "x"})
        assert r.status_code == 401
    r = scratch.post("/api/login", json={"name": "analyst", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    page = scratch.post("/login", data={"name": "analyst", "password": PASSWORD, "next": "/"})
    assert page.status_code == 429 and "too many failed sign-ins" in page.text


def test_changed_and_removed_accounts_take_effect(scratch: TestClient) -> None:
    chief = bearer(scratch, "chief")
    analyst = bearer(scratch, "analyst")
    assert scratch.get(f"/api/cables/{SECRET_ID}", headers=analyst).status_code == 404
    scratch.patch("/api/users/analyst", json={"clearance": "secret"}, headers=chief)
    assert scratch.get(f"/api/cables/{SECRET_ID}", headers=analyst).status_code == 200
    assert scratch.delete("/api/users/analyst", headers=chief).status_code == 204
    assert scratch.get("/api/me", headers=analyst).status_code == 401


def test_no_password_in_logs_or_audit(
    scratch: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    scratch.post("/api/login", json={"name": "analyst", "password": "hunter2-secret"})
    scratch.post("/login", data={"name": "analyst", "password": "hunter2-secret"})
    chief = bearer(scratch, "chief")
    entries = scratch.get("/api/audit", headers=chief, params={"limit": 1000}).text
    assert "hunter2" not in caplog.text and "hunter2" not in entries


# -- the sign-in page --
def test_sign_in_and_out_pages(scratch: TestClient) -> None:
    form = scratch.get("/login", params={"next": f"/cables/{SEED_ID}"}).text
    assert 'type="password"' in form and f'value="/cables/{SEED_ID}"' in form
    bad = scratch.post("/login", data={"name": "analyst", "password": "nope", "next": "/"})
    assert bad.status_code == 401 and "wrong name or password" in bad.text
    ok = scratch.post(
        "/login", data={"name": "analyst", "password": PASSWORD, "next": f"/cables/{SEED_ID}"},
        follow_redirects=False,
    )  # fmt: skip
    assert ok.status_code == 303 and ok.headers["location"] == f"/cables/{SEED_ID}"
    page = scratch.get("/").text
    assert "Reading as <strong>analyst</strong>" in page and "CONFIDENTIAL + NOFORN" in page
    out = scratch.post("/logout", headers={"origin": "http://testserver"}, follow_redirects=False)
    assert out.status_code == 303
    assert "Reading as <strong>public</strong>" in scratch.get("/").text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_sign_in_never_redirects_off_site(archive_file: str, target: str) -> None:
    with TestClient(create_app(archive_file)) as c:
        r = c.post("/login", data={"name": "analyst", "password": PASSWORD, "next": target},
                   follow_redirects=False)  # fmt: skip
        assert r.headers["location"] == "/"


# -- accounts --
def test_accounts_need_an_owner(public_client: TestClient) -> None:
    assert public_client.get("/api/users").status_code == 401
    analyst = bearer(public_client, "analyst")
    assert public_client.get("/api/users", headers=analyst).status_code == 403
    assert public_client.get("/api/audit", headers=analyst).status_code == 403
    chief = bearer(public_client, "chief")
    users = {u["name"]: u for u in public_client.get("/api/users", headers=chief).json()}
    assert users["analyst"]["clearance"] == "CONFIDENTIAL" and users["analyst"]["has_password"]
    assert "password_hash" not in users["analyst"]


def test_account_lifecycle(scratch: TestClient) -> None:
    chief = bearer(scratch, "chief")
    new = {"name": "reader1", "clearance": "secret", "captions": ["noforn"], "password": "x" * 12}
    r = scratch.post("/api/users", json=new, headers=chief)
    assert r.status_code == 201 and r.json()["captions"] == ["NOFORN"]
    # A taken or reserved name is a conflict (409), as the OpenAPI document says.
    assert scratch.post("/api/users", json=new, headers=chief).status_code == 409
    assert (
        scratch.post("/api/users", json={**new, "name": "public"}, headers=chief).status_code == 409
    )
    bad_level = {**new, "name": "reader2", "clearance": "cosmic"}
    assert scratch.post("/api/users", json=bad_level, headers=chief).status_code == 422
    r = scratch.patch("/api/users/reader1", json={"clearance": "confidential"}, headers=chief)
    assert r.status_code == 200 and r.json()["clearance"] == "CONFIDENTIAL"
    assert scratch.patch("/api/users/ghost", json={}, headers=chief).status_code == 404
    assert scratch.delete("/api/users/reader1", headers=chief).status_code == 204
    assert scratch.delete("/api/users/reader1", headers=chief).status_code == 404
    actions = [e["action"] for e in scratch.get("/api/audit", headers=chief).json()]
    assert {"user-add", "user-set", "user-remove"} <= set(actions)


# -- declassification and audit --
def test_declassification_through_the_api(scratch: TestClient) -> None:
    chief = bearer(scratch, "chief")
    due = scratch.get("/api/declass/due", headers=chief, params={"limit": 5}).json()
    assert due and all(d["status"] in ("due-for-review", "declassified") for d in due)
    target = due[0]["id"]
    assert scratch.get(f"/api/cables/{target}").status_code == 404  # public: still closed
    status = scratch.get(f"/api/cables/{target}/declass", headers=chief).json()
    assert status["id"] == target and status["decisions"] == []
    decision = {"action": "release", "reason": "1.4(d) lapsed"}
    assert scratch.post(f"/api/cables/{target}/declass", json=decision).status_code == 401
    r = scratch.post(f"/api/cables/{target}/declass", json=decision, headers=chief)
    assert r.status_code == 201 and r.json()["who"] == "chief"
    assert scratch.get(f"/api/cables/{target}").status_code == 200  # released to the public
    report = scratch.get("/api/declass/report", headers=chief).json()
    assert report["total"]["released"] == 1
    bad = {"action": "publish", "reason": "x"}
    r = scratch.post(f"/api/cables/{target}/declass", json=bad, headers=chief)
    assert r.status_code == 422
    r = scratch.post("/api/cables/99NOWHERE1/declass", json=decision, headers=chief)
    assert r.status_code == 404
    assert scratch.get("/api/cables/99NOWHERE1/declass").status_code == 404


def test_reads_of_classified_cables_are_audited_by_interface(scratch: TestClient) -> None:
    chief = bearer(scratch, "chief")
    scratch.get(f"/api/cables/{SECRET_ID}", headers=chief)
    scratch.cookies.clear()
    scratch.post("/login", data={"name": "chief", "password": PASSWORD})
    scratch.get(f"/cables/{SECRET_ID}")
    entries = scratch.get("/api/audit", headers=chief, params={"target": SECRET_ID}).json()
    seen = {(e["who"], e["interface"], e["action"]) for e in entries}
    assert ("chief", "api", "read") in seen and ("chief", "web", "read") in seen
    assert scratch.get("/api/audit", headers=chief, params={"limit": 0}).status_code == 422


def test_public_reads_a_cable_released_in_part_with_portions_withheld(scratch: TestClient) -> None:
    chief = bearer(scratch, "chief")
    due = scratch.get("/api/declass/due", headers=chief, params={"limit": 50}).json()
    target = next(
        d["id"] for d in due
        if any(p["marking"] not in (None, "U") for p in
               scratch.get(f"/api/cables/{d['id']}", headers=chief).json()["paragraphs"])
    )  # fmt: skip
    decision = {"action": "release-in-part", "reason": "1.4(d)"}
    assert scratch.post(f"/api/cables/{target}/declass", json=decision, headers=chief).is_success
    page = scratch.get(f"/cables/{target}")
    assert page.status_code == 200 and "withheld under 1.4(d)" in page.text
    assert "Raw text of the primary copy" not in page.text  # no copy text for a view reader
    raw = scratch.get(f"/api/cables/{target}/raw")
    assert raw.status_code == 200 and "withheld under 1.4(d)" in raw.text
    assert scratch.get(f"/api/cables/{target}/copies").json() == []
