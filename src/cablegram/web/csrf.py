"""Cross-site request forgery: state-changing requests a cookie authorises must
come from this site's own pages.

A browser sends the session cookie with any request to this site, whoever's
page made it; it also says which page that was, in ``Origin`` (every modern
browser, on every POST, PUT, PATCH and DELETE) or, failing that, ``Referer``.
So a request that changes something (any method but GET, HEAD and OPTIONS) is
refused with 403 unless its origin is this server's own, when it carries the
session cookie, and on the sign-in routes (a forged sign-in would set the
attacker's session in the victim's browser).  A request without either header
is refused when it carries the cookie, and let through otherwise (a program).

Requests with ``Authorization: Bearer`` are not checked: a browser never adds
that header by itself, so a forged request cannot carry it.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from cablegram.web.auth import COOKIE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SIGN_IN_PATHS = frozenset({"/login", "/api/login"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a URL, None for ``null`` or a malformed one."""
    try:
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        return parts.scheme, parts.hostname.lower(), parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return None


def own_origin(scope: Scope) -> tuple[str, str, int] | None:
    """This server's origin as the request reached it: its scheme (as the trusted
    proxy gave it, see ``serve --forwarded-allow-ips``) and its ``Host`` header."""
    headers = dict(scope["headers"])
    host = headers.get(b"host", b"").decode("latin-1")
    return _origin_of(f"{scope.get('scheme', 'http')}://{host}") if host else None


def refusal(scope: Scope) -> str | None:
    """Why the request is refused as cross-site, or None when it may go on."""
    if scope["method"] in SAFE_METHODS:
        return None
    headers = dict(scope["headers"])
    if headers.get(b"authorization", b"").lower().startswith(b"bearer "):
        return None
    cookie = f"{COOKIE}=".encode() in headers.get(b"cookie", b"")
    if not cookie and scope["path"] not in SIGN_IN_PATHS:
        return None
    stated = headers.get(b"origin") or headers.get(b"referer")
    if stated is None:
        if cookie:
            return "cross-site request refused: no Origin or Referer header"
        return None  # a program signing in (browsers always send Origin with a POST)
    if _origin_of(stated.decode("latin-1")) != own_origin(scope):
        return "cross-site request refused: its Origin is not this site"
    return None


class CrossSiteGuard:
    """ASGI middleware: the check above on every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        reason = refusal(scope) if scope["type"] == "http" else None
        if reason is None:
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/api/"):
            body, kind = json.dumps({"error": reason}).encode(), b"application/json"
        else:
            page = f"<!doctype html><title>Not allowed</title><h1>Not allowed</h1><p>{reason}.</p>"
            body, kind = page.encode(), b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", kind),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
