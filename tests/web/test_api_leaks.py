"""The access leak suite (tests/access/test_leaks.py) run over the HTTP API.

The same questions, asked as each principal through ``/api``: signed in with
a bearer token (the public reader is simply not signed in).  The suite's test
functions are reused unchanged; only the interface is new.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "access"))
import test_leaks
from leak_fixtures import LeakArchive
from test_leaks import (  # noqa: F401  (collected here over HTTP)
    fx,
    test_a_ref_to_a_hidden_cable_looks_like_a_ref_to_an_absent_one,
    test_hidden_cables_do_not_exist_for_the_reader,
    test_no_output_holds_a_word_of_a_hidden_cable,
    test_results_counts_and_facets_cover_exactly_what_may_be_read,
)

from cablegram.archive import Archive
from cablegram.web import create_app

PASSWORD = "leak-suite-password"


class HTTPInterface:
    name = "http"

    def __init__(self, leaks: LeakArchive, user: str) -> None:
        self.client = TestClient(create_app(str(leaks.path)))
        self.headers: dict[str, str] = {}
        if user != "public":
            with Archive(leaks.path) as owner:
                owner.users.set(user, password=PASSWORD)
            r = self.client.post("/api/login", json={"name": user, "password": PASSWORD})
            self.client.cookies.clear()
            self.headers = {"Authorization": f"Bearer {r.json()['token']}"}

    def _get(self, url: str, **params: Any) -> Any:
        r = self.client.get(url, params=params, headers=self.headers)
        if r.status_code == 404:
            return None
        assert r.status_code == 200, r.text
        return r.json() if r.headers["content-type"] == "application/json" else r.text

    def ask(self, op: str, arg: str = "") -> Any:
        if op == "search":
            return self._get("/api/search", q=arg, limit=100, facets=True)
        if op == "show":
            return self._get(f"/api/cables/{arg}")
        if op in ("raw", "refs", "thread"):
            return self._get(f"/api/cables/{arg}/{op}")
        if op == "cited-by":
            nodes = self._get(f"/api/cables/{arg}/cited-by")
            return None if nodes is None else [n["id"] for n in nodes]
        if op == "graph":
            return self._get("/api/graph", q=arg)
        if op == "stats":
            return self._get("/api/stats")
        if op == "export":
            import json

            text = self._get("/api/export", q=arg)
            return [json.loads(line) for line in text.splitlines()]
        raise AssertionError(op)


@pytest.fixture
def interface() -> type[HTTPInterface]:
    return HTTPInterface


def test_every_interface_test_of_the_access_suite_runs_here() -> None:
    # Guard: a test the access suite adds for every interface must run over HTTP too.
    import inspect

    def per_interface(module: dict[str, Any]) -> set[str]:
        return {
            name for name, fn in module.items()
            if name.startswith("test_") and callable(fn)
            and "interface" in inspect.signature(fn).parameters
        }  # fmt: skip

    assert per_interface(vars(test_leaks)) == per_interface(globals())


@pytest.mark.parametrize("user", sorted(test_leaks.PRINCIPALS))
def test_no_page_holds_a_word_of_a_hidden_cable(fx: LeakArchive, user: str) -> None:  # noqa: F811
    """The HTML pages answer from the same library calls; check them as well."""
    http = HTTPInterface(fx, user)
    c = http.client
    pages = [c.get("/search", params={"q": test_leaks.BROAD}, headers=http.headers).text]
    for cid in fx.cables:
        for url in (f"/cables/{cid}", f"/cables/{cid}/thread"):
            r = c.get(url, headers=http.headers)
            assert r.status_code == (200 if cid in fx.visible(user) else 404), url
            pages.append(r.text)
    for page in pages:
        test_leaks._no_secrets(fx, user, page)
