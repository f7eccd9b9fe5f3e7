"""Checking a name and password, with a limit on sign-in attempts per client.

Used by the sign-in page and ``POST /api/login``.  The password is handed to
the archive's accounts (argon2) and goes nowhere else: not into a log, an
error message or the audit log.

The limit's count lives in the archive file (``signin_attempts``), not in the
process, so with ``--workers N`` a client gets the same budget as with one
worker, whichever workers its attempts reach.
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from cablegram.access.principal import OWNER
from cablegram.archive.users import Account
from cablegram.web.deps import ArchivePool


class SignInLimit:
    """At most ``attempts`` sign-in attempts per client in a sliding ``window``
    (seconds); a successful attempt does not count.  Typed names are not kept
    (a password typed into the name field would be), so the limit is per client
    address, over every account it tries."""

    def __init__(self, pool: ArchivePool, attempts: int = 5, window: float = 60.0) -> None:
        self.pool = pool
        self.attempts = attempts
        self.window = window

    def begin(self, client: str) -> int:
        """Record an attempt by ``client`` and return its id; 429 while it has
        made too many recently."""
        with self.pool.lease(OWNER, "web") as archive:
            attempt, wait = archive.users.sign_in_attempts.begin(
                client, limit=self.attempts, window=self.window
            )
        if attempt is None:
            raise HTTPException(
                429, f"too many failed sign-ins; try again in {wait} s", {"Retry-After": str(wait)}
            )
        return attempt

    def succeeded(self, attempt: int) -> None:
        with self.pool.lease(OWNER, "web") as archive:
            archive.users.sign_in_attempts.forget(attempt)


def client_of(request: Request) -> str:
    """The client address the limit applies to: the peer address, or the one a
    trusted reverse proxy forwarded (only with ``serve --forwarded-allow-ips``:
    otherwise ``X-Forwarded-For`` is ignored, so a client cannot rotate it)."""
    return request.client.host if request.client else "unknown"


def cookie_secure(request: Request) -> bool:
    """Session cookies are ``Secure`` over HTTPS and behind a trusted proxy."""
    return request.url.scheme == "https" or request.app.state.settings.behind_proxy


def sign_in(request: Request, name: str, password: str) -> Account:
    """The account of a correct name and password; 401 if wrong, 429 while the
    client has tried too often recently."""
    limit: SignInLimit = request.app.state.signin_limit
    attempt = limit.begin(client_of(request))
    account = request.app.state.accounts.sign_in(name, password)
    if account is None:
        raise HTTPException(401, "wrong name or password")
    limit.succeeded(attempt)
    return account


def sign_out(request: Request) -> None:
    """End the session presented (the cookie, or a bearer token) server-side: the
    token is refused from now on, though its signature stays valid until it expires."""
    sessions = request.app.state.sessions
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    token = bearer.strip() if scheme.lower() == "bearer" else ""
    token = token or request.cookies.get(sessions.cookie, "")
    claims = sessions.claims(token) if token else None
    if claims is not None:
        request.app.state.accounts.end_session(sessions.digest(token), claims.expires)
