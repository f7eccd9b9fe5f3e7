"""Signed, expiring session cookies and a per-client limit on login attempts.

A session token names the user and its expiry, with an HMAC-SHA256 over both
by the server's secret, so it cannot be forged or extended.  The user's grants
are read from the archive's accounts on use (cached a few seconds), so a
changed or removed account takes effect at once.  Passwords are checked by
the archive's accounts (argon2) and never logged or stored here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import deque

from fastapi import Response

COOKIE = "cablegram_session"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    """Session tokens: ``<payload>.<signature>``, the payload naming the user and
    the expiry.  The same token is the session cookie of a browser and the
    bearer token of a program (``POST /api/login``)."""

    cookie = COOKIE

    def __init__(self, secret: bytes, seconds: int) -> None:
        self._secret = secret
        self.seconds = seconds

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest())

    def token(self, name: str, *, now: float | None = None) -> tuple[str, int]:
        """A token for user ``name`` and its expiry (Unix seconds)."""
        expires = int((time.time() if now is None else now) + self.seconds)
        payload = _b64(json.dumps({"u": name, "exp": expires}, sort_keys=True).encode("utf-8"))
        return f"{payload}.{self._sign(payload)}", expires

    def name(self, token: str, *, now: float | None = None) -> str | None:
        """The user name of a valid, unexpired token, else None."""
        payload, _, signature = token.partition(".")
        if not signature or not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            data = json.loads(_unb64(payload))
            if data["exp"] < (time.time() if now is None else now):
                return None
            return str(data["u"])
        except (ValueError, KeyError, TypeError):
            return None

    def start(self, response: Response, name: str, *, secure: bool) -> tuple[str, int]:
        """Set the session cookie for ``name``; returns the token and its expiry."""
        token, expires = self.token(name)
        response.set_cookie(
            COOKIE, token, max_age=self.seconds, httponly=True, samesite="lax",
            secure=secure, path="/",
        )  # fmt: skip
        return token, expires

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
