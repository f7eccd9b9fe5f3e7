"""Signed, expiring session tokens, bound to the credentials they were issued under.

A session token names the user, a tag of the account's credential stamp
(:class:`cablegram.archive.users.Account`) and its expiry, with an
HMAC-SHA256 over all three by the server's secret, so it cannot be forged or
extended.  On every request the account is read afresh and the tag compared
with its current stamp: a password change or a removed account ends every
session and bearer token at once, and the grants (clearance, captions,
owner) are always the account's current ones, never the token's.  Signing
out ends the one session server-side: a digest of its token is kept in the
archive until the token would have expired, and the token is refused.  Passwords
are checked by the archive's accounts (argon2) and never logged or stored here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from fastapi import Response

COOKIE = "cablegram_session"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class Claims:
    """What a valid, unexpired token says: whose it is and under which credentials."""

    name: str
    credentials_tag: str
    expires: float = 0.0


class Sessions:
    """Session tokens: ``<payload>.<signature>``, the payload naming the user, a
    tag of its credential stamp and the expiry.  The same token is the session
    cookie of a browser and the bearer token of a program (``POST /api/login``)."""

    cookie = COOKIE

    def __init__(self, secret: bytes, seconds: int) -> None:
        self._secret = secret
        self.seconds = seconds

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest())

    def _tag(self, credentials: str | None) -> str:
        # Keyed, so a token shows nothing derived from the password hash.
        return self._sign(f"credentials:{credentials or ''}")[:22]

    def token(
        self, name: str, credentials: str | None, *, now: float | None = None
    ) -> tuple[str, int]:
        """A token for user ``name`` under its credential stamp, and its expiry (Unix s)."""
        expires = int((time.time() if now is None else now) + self.seconds)
        # A nonce: two sign-ins in one second are two sessions (ending one by
        # signing out must not end the other).
        claims = {"u": name, "c": self._tag(credentials), "exp": expires,
                  "n": secrets.token_urlsafe(9)}  # fmt: skip
        payload = _b64(json.dumps(claims, sort_keys=True).encode("utf-8"))
        return f"{payload}.{self._sign(payload)}", expires

    def claims(self, token: str, *, now: float | None = None) -> Claims | None:
        """What a valid, unexpired token says, else None."""
        payload, _, signature = token.partition(".")
        if not signature or not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            data = json.loads(_unb64(payload))
            if data["exp"] < (time.time() if now is None else now):
                return None
            return Claims(str(data["u"]), str(data["c"]), float(data["exp"]))
        except (ValueError, KeyError, TypeError):
            return None

    def still_valid(self, claims: Claims, credentials: str | None) -> bool:
        """Whether the account's credentials are still those the token was issued under."""
        return hmac.compare_digest(claims.credentials_tag, self._tag(credentials))

    def start(
        self, response: Response, name: str, credentials: str | None, *, secure: bool
    ) -> tuple[str, int]:
        """Set the session cookie for ``name``; returns the token and its expiry."""
        token, expires = self.token(name, credentials)
        response.set_cookie(
            COOKIE, token, max_age=self.seconds, httponly=True, samesite="lax",
            secure=secure, path="/",
        )  # fmt: skip
        return token, expires

    @staticmethod
    def end(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/")

    @staticmethod
    def digest(token: str) -> str:
        """What the archive keeps of an ended session: a digest, not the token."""
        return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
