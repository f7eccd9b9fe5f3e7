"""Sessions over HTTP: a password change or a removed account ends every session
and bearer token at once, changed grants apply from the next request, and the
sign-in limit is counted in the archive, so every server process shares it.

Accounts are changed here with the CLI, on the same file, as an administrator
would while the server runs (no server cache could hear of it)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from web_fixtures import PASSWORD, copy_archive

from cablegram.cli import main
from cablegram.web import create_app
from cablegram.web.auth import COOKIE

SECRET_ID = "06ALMATY2872"  # the SECRET seed cable
NEW_PASSWORD = "a new password, long enough"


@pytest.fixture
def archive(archive_file: str, tmp_path: Path) -> str:
    return copy_archive(archive_file, tmp_path / "sessions.sqlite")


@pytest.fixture
def server(archive: str) -> Iterator[TestClient]:
    """A public server on its own copy of the fixture archive."""
    with TestClient(create_app(archive)) as client:
        yield client


def cli(archive: str, *args: str, stdin: str | None = None) -> None:
    result = CliRunner().invoke(main, [*args, "--archive", archive], input=stdin)
    assert result.exit_code == 0, result.output


class Session:
    """One sign-in: its bearer token and its cookie, sent separately."""

    def __init__(self, client: TestClient, name: str, password: str = PASSWORD) -> None:
        r = client.post("/api/login", json={"name": name, "password": password})
        assert r.status_code == 200, r.text
        self.client = client
        self.token = r.json()["token"]
        self.cookie = r.cookies[COOKIE]
        client.cookies.clear()  # each request below carries one credential, explicitly

    def bearer(self, url: str) -> int:
        return self.client.get(url, headers={"Authorization": f"Bearer {self.token}"}).status_code

    def me_by_cookie(self) -> str:
        r = self.client.get("/api/me", headers={"Cookie": f"{COOKIE}={self.cookie}"})
        return str(r.json()["name"])

    def by_cookie(self, url: str) -> int:
        return self.client.get(url, headers={"Cookie": f"{COOKIE}={self.cookie}"}).status_code


@pytest.mark.parametrize("changed_by", ["cli", "api"])
def test_a_password_change_ends_sessions_and_tokens(
    server: TestClient, archive: str, changed_by: str
) -> None:
    chief = Session(server, "chief")
    analyst = Session(server, "analyst")
    assert analyst.bearer("/api/me") == 200 and analyst.me_by_cookie() == "analyst"
    if changed_by == "cli":
        cli(archive, "user", "set", "analyst", "--password", stdin=NEW_PASSWORD + "\n")
    else:
        change = server.patch(
            "/api/users/analyst", json={"password": NEW_PASSWORD},
            headers={"Authorization": f"Bearer {chief.token}"},
        )  # fmt: skip
        assert change.status_code == 200
    assert analyst.bearer("/api/me") == 401
    assert analyst.bearer("/api/search?q=detainees") == 401
    assert analyst.me_by_cookie() == "public"  # the browser is signed out
    assert chief.bearer("/api/users") == 200  # other accounts keep their sessions
    assert server.post("/api/login", json={"name": "analyst", "password": PASSWORD}).status_code
    again = Session(server, "analyst", NEW_PASSWORD)
    assert again.bearer("/api/me") == 200 and again.me_by_cookie() == "analyst"


def test_a_removed_account_ends_sessions_and_tokens_even_if_made_again(
    server: TestClient, archive: str
) -> None:
    chief = Session(server, "chief")
    assert chief.bearer("/api/users") == 200 and chief.by_cookie("/api/users") == 200
    cli(archive, "user", "remove", "chief")
    assert chief.bearer("/api/me") == 401
    assert chief.by_cookie("/api/users") == 401  # the cookie now reads as anonymous
    cli(archive, "user", "add", "chief", "--owner", "--password", stdin=PASSWORD + "\n")
    assert chief.bearer("/api/me") == 401  # a new account of that name: not the old sessions
    assert chief.me_by_cookie() == "public"
    assert Session(server, "chief").bearer("/api/users") == 200


def test_changed_grants_apply_from_the_next_request(server: TestClient, archive: str) -> None:
    analyst = Session(server, "analyst")
    chief = Session(server, "chief")
    cable = f"/api/cables/{SECRET_ID}"
    assert analyst.bearer(cable) == 404
    cli(archive, "user", "set", "analyst", "--clearance", "secret")
    assert analyst.bearer(cable) == 200 and analyst.by_cookie(f"/cables/{SECRET_ID}") == 200
    cli(archive, "user", "set", "analyst", "--clearance", "confidential")
    assert analyst.bearer(cable) == 404 and analyst.by_cookie(f"/cables/{SECRET_ID}") == 404
    hits = server.get(
        "/api/search", params={"q": "detainees", "limit": 100},
        headers={"Authorization": f"Bearer {analyst.token}"},
    ).json()["hits"]  # fmt: skip
    assert SECRET_ID not in {h["id"] for h in hits}
    cli(archive, "user", "set", "chief", "--no-owner")
    assert chief.bearer("/api/users") == 403  # no longer an owner, at once


def _login(client: TestClient, password: str, name: str = "analyst") -> int:
    # The origin a browser names (test_csrf.py): the client may hold a session cookie.
    return client.post(
        "/api/login", json={"name": name, "password": password},
        headers={"origin": "http://testserver"},
    ).status_code  # fmt: skip


def test_failed_sign_ins_on_one_server_count_on_another(archive: str) -> None:
    with TestClient(create_app(archive)) as one, TestClient(create_app(archive)) as two:
        assert [_login(one, "x"), _login(two, "x"), _login(one, "x")] == [401] * 3
        assert [_login(two, "x"), _login(two, "x")] == [401] * 2
        assert _login(one, PASSWORD) == 429  # five failures, whichever server saw them
        r = two.post("/api/login", json={"name": "analyst", "password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_concurrent_attempts_on_two_servers_cannot_pass_the_limit_together(archive: str) -> None:
    one, two = TestClient(create_app(archive)), TestClient(create_app(archive))
    with one, two, ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda i: _login((one, two)[i % 2], "x"), range(12)))
    assert sorted(answers) == [401] * 5 + [429] * 7


def test_a_successful_sign_in_does_not_reset_the_count(server: TestClient) -> None:
    """Else an attacker with one account could guess another's password without limit."""
    assert [_login(server, "x") for _ in range(4)] == [401] * 4
    assert _login(server, PASSWORD, "chief") == 200
    assert _login(server, "x") == 401
    assert _login(server, PASSWORD) == 429
