"""``/docs``: Swagger UI from the server's own vendored assets, under a strict policy."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

import cablegram.web

VENDORED = Path(cablegram.web.__file__).parent / "static" / "swagger-ui"


class _Links(HTMLParser):
    """Every URL the page makes the browser load (src and href), and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [v for k, v in found.items() if k in ("src", "href") and v]
        self._in_inline_script = tag == "script" and "src" not in found

    def handle_data(self, data: str) -> None:
        if self._in_inline_script:
            self.inline.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_inline_script = False


def _links(html: str) -> _Links:
    links = _Links()
    links.feed(html)
    return links


def test_docs_page_loads_only_same_origin_assets(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    links = _links(r.text)
    assert links.urls, "the page loads nothing: not Swagger UI"
    for url in links.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and url.startswith("/"), url
    assert not re.search(r"https?://", r.text)  # nor does its script name another host
    assert len(links.inline) == 1 and "url: '/openapi.json'" in links.inline[0]


EXPECTED_TYPES = {".js": ("text/javascript", "application/javascript"), ".css": ("text/css",),
                  ".svg": ("image/svg+xml",)}  # fmt: skip


def test_every_docs_asset_is_served_with_its_type(client: TestClient) -> None:
    """Swagger UI's script and stylesheet are the vendored files; the icon and
    the bar leading back to the site are the site's own."""
    urls = {u for u in _links(client.get("/docs").text).urls if u.startswith("/static/")}
    assert {Path(u).suffix for u in urls} == set(EXPECTED_TYPES)
    assert {"/static/swagger-ui/swagger-ui-bundle.js", "/static/swagger-ui/swagger-ui.css"} < urls
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].split(";")[0] in EXPECTED_TYPES[Path(url).suffix], url
        assert r.content == (VENDORED.parent / url.removeprefix("/static/")).read_bytes()


def test_docs_lead_back_to_the_site(client: TestClient) -> None:
    links = _links(client.get("/docs").text).urls
    assert {"/", "/reference"} <= set(links)


def test_docs_list_every_operation_under_one_tag(client: TestClient) -> None:
    """Swagger UI lists an operation once per tag: one tag each (``/api/tags``
    used to carry two and showed twice)."""
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert len(operation.get("tags", [])) == 1, (method, path, operation.get("tags"))


def test_docs_policy_allows_the_own_origin_and_the_one_inline_script(client: TestClient) -> None:
    r = client.get("/docs")
    policy = dict(
        (d.split()[0], d.split()[1:]) for d in r.headers["content-security-policy"].split("; ")
    )
    digest = hashlib.sha256(_links(r.text).inline[0].encode()).digest()
    assert policy["script-src"] == ["'self'", f"'sha256-{base64.b64encode(digest).decode()}'"]
    assert policy["default-src"] == ["'none'"]
    for directive in ("style-src", "connect-src", "img-src"):
        assert "'self'" in policy[directive] and "'unsafe-inline'" not in policy[directive]
    assert policy["frame-ancestors"] == ["'none'"]
    assert len(r.headers.get_list("content-security-policy")) == 1  # not the pages' one too


def test_redoc_is_not_offered(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404


def test_vendored_swagger_ui_is_documented_with_its_licence() -> None:
    notes = (VENDORED / "README.md").read_text()
    assert re.search(r"swagger-ui-dist` \*\*\d+\.\d+\.\d+\*\*", notes)
    assert "Apache License" in (VENDORED / "LICENSE").read_text()
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
        digest = hashlib.sha256((VENDORED / name).read_bytes()).hexdigest()
        assert f"`{name}` | `{digest}`" in notes, f"{name} differs from the checksum noted"
