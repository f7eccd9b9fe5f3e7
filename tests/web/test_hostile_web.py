"""The web under hostile use (issue 15 §5): forwarded headers, cross-site
requests, cookies, signing out, deep queries, source paths, and uploads that
must not stall the server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from web_fixtures import PASSWORD, bearer, copy_archive
from web_server import serving

from cablegram.web import create_app
from cablegram.web.auth import COOKIE

SELF = {"origin": "http://testserver"}
EVIL = {"origin": "https://evil.example"}
SEED_ID = "06ALMATY1703"
DEEP = "(" * 300 + "detainees" + ")" * 300


@pytest.fixture
def archive(archive_file: str, tmp_path: Path) -> str:
    return copy_archive(archive_file, tmp_path / "hostile.sqlite")


@pytest.fixture
def server(archive: str) -> Iterator[TestClient]:
    with TestClient(create_app(archive)) as client:
        yield client


def sign_in(client: TestClient, name: str) -> None:
    r = client.post("/api/login", json={"name": name, "password": PASSWORD}, headers=SELF)
    assert r.status_code == 200, r.text


# -- forwarded headers --
def _attempts(url: str, rotate: bool) -> list[int]:
    codes = []
    for k in range(7):
        headers = {"x-forwarded-for": f"10.0.0.{k}"} if rotate else {}
        r = httpx.post(url + "api/login", json={"name": "analyst", "password": "wrong"},
                       headers=headers, timeout=30)  # fmt: skip
        codes.append(r.status_code)
    return codes


def test_a_rotating_forwarded_for_does_not_defeat_the_sign_in_limit(archive: str) -> None:
    with serving(archive) as url:
        assert _attempts(url, rotate=True) == [401] * 5 + [429] * 2


def test_forwarded_for_is_believed_from_a_configured_proxy(archive: str) -> None:
    with serving(archive, "--forwarded-allow-ips", "127.0.0.1") as url:
        # Each attempt comes from another client, as the proxy says.
        assert _attempts(url, rotate=True) == [401] * 7
        r = httpx.post(url + "api/login", json={"name": "analyst", "password": PASSWORD},
                       headers={"origin": url.rstrip("/")}, timeout=30)  # fmt: skip
        assert r.status_code == 200
        assert "secure" in r.headers["set-cookie"].lower()  # the proxy speaks HTTPS


def test_cookies_are_not_secure_over_plain_http_without_a_proxy(server: TestClient) -> None:
    r = server.post("/api/login", json={"name": "analyst", "password": PASSWORD}, headers=SELF)
    assert "secure" not in r.headers["set-cookie"].lower()
    https = TestClient(server.app, base_url="https://testserver")
    r = https.post("/api/login", json={"name": "analyst", "password": PASSWORD},
                   headers={"origin": "https://testserver"})  # fmt: skip
    assert "secure" in r.headers["set-cookie"].lower()


# -- cross-site requests --
def test_a_cross_site_request_with_the_session_cookie_is_refused(server: TestClient) -> None:
    sign_in(server, "chief")  # an owner, whose cookie could create users
    body = {"name": "mallory", "password": "long enough password", "owner": True}
    refused = server.post("/api/users", json=body, headers=EVIL)
    assert refused.status_code == 403 and "cross-site" in refused.json()["error"]
    no_origin = server.post("/api/users", json=body)
    assert no_origin.status_code == 403
    referer = server.post("/api/users", json=body, headers={"referer": "https://evil.example/x"})
    assert referer.status_code == 403
    assert "mallory" not in [u["name"] for u in server.get("/api/users").json()]
    for method, path in [("patch", "/api/users/analyst"), ("delete", "/api/users/analyst"),
                         ("post", f"/api/cables/{SEED_ID}/declass"), ("post", "/api/logout"),
                         ("post", "/logout"), ("post", "/api/ingest")]:  # fmt: skip
        r = server.request(method.upper(), path, json={}, headers=EVIL)
        assert r.status_code == 403, (method, path, r.status_code)
    assert server.get("/api/me").json()["name"] == "chief"  # still signed in
    made = server.post("/api/users", json=body, headers=SELF)
    assert made.status_code == 201  # the site's own page may


def test_a_cross_site_sign_in_form_sets_no_cookie(server: TestClient) -> None:
    form = {"name": "analyst", "password": PASSWORD, "next": "/"}
    r = server.post("/login", data=form, headers=EVIL, follow_redirects=False)
    assert r.status_code == 403 and COOKIE not in r.cookies
    r = server.post("/login", data=form, headers={"origin": "null"}, follow_redirects=False)
    assert r.status_code == 403
    r = server.post("/api/login", json={"name": "analyst", "password": PASSWORD}, headers=EVIL)
    assert r.status_code == 403
    assert server.get("/api/me").json()["signed_in"] is False
    ok = server.post("/login", data=form, headers=SELF, follow_redirects=False)
    assert ok.status_code == 303 and COOKIE in ok.cookies


def test_bearer_token_calls_need_no_origin(server: TestClient) -> None:
    auth = bearer(server, "chief")  # a program: no Origin, no cookie
    body = {"name": "robot", "password": "long enough password"}
    assert server.post("/api/users", json=body, headers=auth).status_code == 201
    assert server.post("/api/users", json={**body, "name": "bot2"},
                       headers={**auth, **EVIL}).status_code == 201  # fmt: skip


# -- signing out --
def test_signing_out_ends_the_session_server_side(server: TestClient) -> None:
    sign_in(server, "analyst")
    stolen = server.cookies.get(COOKIE)
    assert server.post("/api/logout", headers=SELF).status_code == 204
    replay = TestClient(server.app)
    replay.cookies.set(COOKIE, stolen)
    assert replay.get("/api/me").json()["signed_in"] is False  # the old cookie is dead
    refused = replay.get("/api/me", headers={"authorization": f"Bearer {stolen}"})
    assert refused.status_code == 401
    # Signing in again starts a new session that works.
    sign_in(server, "analyst")
    assert server.get("/api/me").json()["name"] == "analyst"


def test_signing_out_a_bearer_token_ends_it(server: TestClient) -> None:
    auth = bearer(server, "analyst")
    assert server.get("/api/me", headers=auth).json()["name"] == "analyst"
    assert server.post("/api/logout", headers=auth).status_code == 204
    assert server.get("/api/me", headers=auth).status_code == 401


# -- deep queries --
def test_deeply_nested_queries_are_a_syntax_error(server: TestClient) -> None:
    api = server.get("/api/search", params={"q": DEEP})
    assert api.status_code == 400 and "nests deeper" in api.json()["error"]
    page = server.get("/search", params={"q": DEEP})
    assert page.status_code == 400 and "nests deeper" in page.text
    assert server.get("/api/graph", params={"q": DEEP}).status_code == 400
    assert server.get("/api/export", params={"q": DEEP}).status_code == 400


def test_deeply_nested_queries_on_the_command_line(archive: str) -> None:
    from click.testing import CliRunner

    from cablegram.cli import main

    result = CliRunner().invoke(main, ["search", DEEP, "--archive", archive])
    assert result.exit_code != 0 and "nests deeper" in result.output
    assert "Traceback" not in result.output


# -- source paths --
def test_only_the_owner_sees_where_copies_were_read_from(server: TestClient) -> None:
    public_id = server.get("/api/search", params={"q": "*", "limit": 1}).json()["hits"][0]["id"]
    owner = bearer(server, "chief")
    copies = server.get(f"/api/cables/{public_id}/copies", headers=owner).json()
    paths = [c["path"] for c in copies]
    assert paths and all(paths)
    assert server.get(f"/api/cables/{public_id}", headers=owner).json()["source"]["path"]
    analyst = bearer(server, "analyst")
    for headers in ({}, analyst):  # the public reader, a signed-in reader
        copies = server.get(f"/api/cables/{public_id}/copies", headers=headers).json()
        assert copies and all(c["path"] is None for c in copies)
        cable = server.get(f"/api/cables/{public_id}", headers=headers).json()
        assert cable["source"]["path"] is None
        page = server.get(f"/cables/{public_id}", headers=headers).text
        assert not any(p in page for p in paths)
        export = server.get("/api/export", params={"q": f"id:{public_id}"}, headers=headers).text
        assert public_id in export and not any(p in export for p in paths)


# -- uploads --
HOSTILE_UPLOAD = ("REF: A" + ", " * 500 + "x").encode()


def test_an_upload_is_parsed_outside_the_serving_process(archive: str) -> None:
    with serving(archive) as url:
        auth = {"authorization": "Bearer " + httpx.post(
            url + "api/login", json={"name": "chief", "password": PASSWORD}, timeout=30
        ).json()["token"]}  # fmt: skip
        cable = b"UNCLAS ALMATY 009999\n\nTAGS: PREL\n\nSUBJECT: UPLOADED\n\n1. Text.\n"

        def upload() -> httpx.Response:
            files = [("files", ("hostile.txt", HOSTILE_UPLOAD)), ("files", ("c.txt", cable))]
            return httpx.post(url + "api/ingest", files=files, headers=auth, timeout=120)

        with ThreadPoolExecutor(1) as pool:
            job = pool.submit(upload)
            started = time.monotonic()
            waits = []
            while not job.done() and time.monotonic() - started < 60:
                t = time.monotonic()
                assert httpx.get(url + "api/me", timeout=30).status_code == 200
                waits.append(time.monotonic() - t)
                time.sleep(0.05)
            report = job.result()
        assert report.status_code == 200, report.text
        body = report.json()
        assert body["new"] >= 1
        assert all(f["where"] in ("hostile.txt", "c.txt") for f in body["failures"])
        # The server answered other requests all along (the parse was elsewhere).
        assert max(waits, default=0) < 5
