"""Checking a name and password, with a limit on failed attempts per client.

Used by the sign-in page and ``POST /api/login``.  The password is handed to
the archive's accounts (argon2) and goes nowhere else: not into a log, an
error message or the audit log.
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from cablegram.access.principal import Principal


def client_of(request: Request) -> str:
    """The client address the limit applies to (the peer address; a reverse proxy
    should be run with uvicorn's --proxy-headers so this is the real client)."""
    return request.client.host if request.client else "unknown"


def sign_in(request: Request, name: str, password: str) -> Principal:
    """The principal of a correct name and password; 401 if wrong, 429 while the
    client has failed too often recently."""
    limiter = request.app.state.limiter
    client = client_of(request)
    wait = limiter.retry_after(client)
    if wait:
        raise HTTPException(
            429, f"too many failed sign-ins; try again in {wait} s", {"Retry-After": str(wait)}
        )
    principal = request.app.state.accounts.authenticate(name, password)
    if principal is None:
        limiter.failed(client)
        raise HTTPException(401, "wrong name or password")
    limiter.succeeded(client)
    return principal
