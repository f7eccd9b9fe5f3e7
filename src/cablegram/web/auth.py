"""Signed, expiring session cookies and a per-client limit on login attempts.

A session cookie holds the reader's principal (as granted when they signed
in), its expiry, and an HMAC-SHA256 over both with the server's secret, so it
cannot be forged or extended.  Grants changed by an administrator take
effect at the next sign-in (sessions last ``session_seconds``).  Passwords
are checked by :mod:`cablegram.access` and never logged or stored here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import deque

from fastapi import Request, Response

from cablegram.access.principal import Principal
from cablegram.model import Classification

COOKIE = "cablegram_session"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def principal_to_dict(p: Principal) -> dict[str, object]:
    return {
        "name": p.name, "clearance": p.clearance.value, "sbu": p.sbu,
        "captions": sorted(p.captions), "stations": sorted(p.stations),
        "offices": sorted(p.offices), "owner": p.owner,
    }  # fmt: skip


def principal_from_dict(d: dict[str, object]) -> Principal:
    return Principal(
        name=str(d["name"]),
        clearance=Classification(str(d["clearance"])),
        sbu=bool(d["sbu"]),
        captions=frozenset(d["captions"]),  # type: ignore[arg-type]
        stations=frozenset(d["stations"]),  # type: ignore[arg-type]
        offices=frozenset(d["offices"]),  # type: ignore[arg-type]
        owner=bool(d["owner"]),
    )


class Sessions:
    def __init__(self, secret: bytes, seconds: int) -> None:
        self._secret = secret
        self.seconds = seconds

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest())

    def token(self, principal: Principal, *, now: float | None = None) -> str:
        expires = int((now or time.time()) + self.seconds)
        body = json.dumps({"p": principal_to_dict(principal), "exp": expires}, sort_keys=True)
        payload = _b64(body.encode("utf-8"))
        return f"{payload}.{self._sign(payload)}"

    def principal(self, token: str, *, now: float | None = None) -> Principal | None:
        """The principal of a valid, unexpired token, else None."""
        payload, _, signature = token.partition(".")
        if not signature or not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            data = json.loads(_unb64(payload))
            if data["exp"] < (now or time.time()):
                return None
            return principal_from_dict(data["p"])
        except (ValueError, KeyError, TypeError):
            return None

    def user(self, request: Request) -> Principal | None:
        token = request.cookies.get(COOKIE)
        return self.principal(token) if token else None

    def start(self, response: Response, principal: Principal, *, secure: bool) -> None:
        response.set_cookie(
            COOKIE, self.token(principal), max_age=self.seconds, httponly=True,
            samesite="lax", secure=secure, path="/",
        )  # fmt: skip

    @staticmethod
    def end(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/")


class LoginLimiter:
    """At most ``attempts`` failed logins per client in a sliding ``window`` (seconds).

    Kept in memory, per server process: with N workers a client gets at most
    N times the budget, which still defeats password guessing at any speed."""

    def __init__(self, attempts: int = 5, window: float = 60.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, client: str, *, now: float | None = None) -> int:
        """Seconds the client must wait before trying again (0: it may try now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            failures = self._recent(client, now)
            if len(failures) < self.attempts:
                return 0
            return max(1, int(failures[0] + self.window - now + 0.999))

    def failed(self, client: str, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent(client, now).append(now)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
