"""Named readers stored in the archive, with argon2 password hashes.

A user row is what an administrator grants (clearance, SBU, captions,
stations, offices, owner); :meth:`Users.principal` turns it into the
:class:`~cablegram.access.principal.Principal` the access rule reads.
Passwords are optional (CLI-only users need none) and only ever stored as
argon2id hashes; nothing here logs a secret.  :meth:`Users.account` adds a
stamp of the credentials that changes with every password set, so a session
started under one password can be refused once the password changes.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from cablegram.access.policy import reads_as_cleared
from cablegram.access.principal import Principal
from cablegram.archive.store import AccountStore, SignInStore
from cablegram.lexicon import classification_named
from cablegram.model import Classification

__all__ = ["Account", "SignInAttempts", "UserError", "Users", "parse_clearance"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# Names the CLI and web give special meaning to.
RESERVED = frozenset({"owner", "public", "published"})


class UserError(ValueError):
    """A user operation that cannot be done (unknown user, bad name, ...)."""


def parse_clearance(word: str | Classification) -> Classification:
    """``secret``, ``TOP SECRET``, ``top_secret``, ``unclas`` -> a level."""
    if isinstance(word, Classification):
        return word
    try:
        return classification_named(word)
    except ValueError as error:
        raise UserError(str(error).replace("classification", "clearance", 1)) from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, the library's memory-hard defaults


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A user as listed (never the password hash)."""

    name: str
    clearance: str
    sbu: bool
    captions: list[str]
    stations: list[str]
    offices: list[str]
    owner: bool
    has_password: bool
    created: str
    updated: str

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(frozen=True, slots=True)
class Account:
    """A user's grants, and a stamp of its credentials for sessions to carry.

    ``credentials`` is a digest of the stored password hash (None without a
    password).  Each password set hashes with a fresh salt, so the stamp
    changes with every password change, and an account removed and made again
    under the same name gets a new one too; the digest does not reveal the hash.
    """

    principal: Principal
    credentials: str | None


def _credentials(password_hash: str | None) -> str | None:
    if password_hash is None:
        return None
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()


class Users:
    """The archive's accounts (``archive.users``)."""

    def __init__(self, accounts: AccountStore, signins: SignInStore) -> None:
        self.accounts = accounts
        self.signins = signins

    def _row(self, name: str) -> dict[str, Any] | None:
        return self.accounts.get(name.lower())

    @staticmethod
    def _info(row: dict[str, Any]) -> UserInfo:
        return UserInfo(row["name"], row["clearance"], bool(row["sbu"]),
                        json.loads(row["captions"]), json.loads(row["stations"]),
                        json.loads(row["offices"]), bool(row["owner"]),
                        row["password_hash"] is not None, row["created"], row["updated"])  # fmt: skip

    @staticmethod
    def _principal(info: UserInfo) -> Principal:
        return Principal(
            name=info.name,
            clearance=Classification(info.clearance),
            sbu=info.sbu,
            captions=frozenset(info.captions),
            stations=frozenset(info.stations),
            offices=frozenset(info.offices),
            owner=info.owner,
        )

    def add(
        self,
        name: str,
        *,
        clearance: str | Classification = Classification.UNCLASSIFIED,
        sbu: bool = False,
        captions: Iterable[str] = (),
        stations: Iterable[str] = (),
        offices: Iterable[str] = (),
        owner: bool = False,
        password: str | None = None,
    ) -> Principal:
        """Create a user; raises :class:`UserError` if the name is taken or invalid."""
        if not _NAME.match(name) or name.lower() in RESERVED:
            raise UserError(
                f"invalid user name '{name}' (letters, digits, . _ @ -; not owner/public/published)"
            )
        if self._row(name) is not None:
            raise UserError(f"user '{name.lower()}' already exists")
        level = parse_clearance(clearance)
        grants = Principal(
            name, level, sbu, frozenset(captions), frozenset(stations), frozenset(offices), owner
        )  # fmt: skip  (normalises spellings)
        pw = _hasher().hash(password) if password else None
        now = _now()
        self.accounts.insert({
            "name": name.lower(), "clearance": level.value, "sbu": int(sbu),
            "captions": json.dumps(sorted(grants.captions)),
            "stations": json.dumps(sorted(grants.stations)),
            "offices": json.dumps(sorted(grants.offices)),
            "owner": int(owner), "password_hash": pw, "created": now, "updated": now,
        })  # fmt: skip
        return self.principal(name)  # type: ignore[return-value]

    def set(
        self,
        name: str,
        *,
        clearance: str | Classification | None = None,
        sbu: bool | None = None,
        captions: Iterable[str] | None = None,
        stations: Iterable[str] | None = None,
        offices: Iterable[str] | None = None,
        owner: bool | None = None,
        password: str | None = None,
    ) -> Principal:
        """Change a user's grants: each one given replaces the user's (``captions=
        ["NODIS"]`` leaves NODIS as its only caption; ``[]`` empties it), and
        None leaves it as it is.  The one meaning of a change, for ``cablegram
        user set`` and ``PATCH /api/users/{name}`` alike."""
        info = self.info(name)
        level = parse_clearance(clearance) if clearance is not None else None
        grants = Principal(
            info.name,
            captions=frozenset(info.captions if captions is None else captions),
            stations=frozenset(info.stations if stations is None else stations),
            offices=frozenset(info.offices if offices is None else offices),
        )
        changes: dict[str, Any] = {
            "clearance": (level or Classification(info.clearance)).value,
            "sbu": int(info.sbu if sbu is None else sbu),
            "captions": json.dumps(sorted(grants.captions)),
            "stations": json.dumps(sorted(grants.stations)),
            "offices": json.dumps(sorted(grants.offices)),
            "owner": int(info.owner if owner is None else owner),
            "updated": _now(),
        }
        if password:
            changes["password_hash"] = _hasher().hash(password)
        self.accounts.update(info.name, changes)
        return self.principal(name)  # type: ignore[return-value]

    def remove(self, name: str) -> None:
        self.accounts.delete(self.info(name).name)

    def info(self, name: str) -> UserInfo:
        row = self._row(name)
        if row is None:
            raise UserError(f"no user '{name.lower()}'")
        return self._info(row)

    def list(self) -> list[UserInfo]:
        return [self._info(r) for r in self.accounts.list()]

    def principal(self, name: str) -> Principal | None:
        """The principal of user ``name`` (None if there is no such user)."""
        row = self._row(name)
        return None if row is None else self._principal(self._info(row))

    @property
    def sign_in_attempts(self) -> SignInAttempts:
        """Recent sign-in attempts per client (the web server's limit on guessing)."""
        return SignInAttempts(self.signins)

    def account(self, name: str) -> Account | None:
        """User ``name`` as it stands now, with its credential stamp (None if
        there is no such user): read afresh on every call, never cached."""
        row = self._row(name)
        if row is None:
            return None
        return Account(self._principal(self._info(row)), _credentials(row["password_hash"]))

    def authenticate(self, name: str, password: str) -> Principal | None:
        """The user's principal if ``password`` is right, else None."""
        account = self.sign_in(name, password)
        return None if account is None else account.principal

    def sign_in(self, name: str, password: str) -> Account | None:
        """The user's account if ``password`` is right, else None.

        An unknown name costs a hash verification too, so timing does not
        tell which names exist.  A hash made with older parameters is renewed
        here, which changes the credential stamp (other sessions end)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        hasher = _hasher()
        row = self._row(name) if _NAME.match(name or "") else None
        stored = row["password_hash"] if row is not None else None
        try:
            if stored is None:
                hasher.verify(_dummy_hash(), password)
                return None
            hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if hasher.check_needs_rehash(stored):
            stored = hasher.hash(password)
            self.accounts.update(row["name"], {"password_hash": stored})  # type: ignore[index]
        principal = self._principal(self._info(row))  # type: ignore[arg-type]
        return Account(principal, _credentials(stored))


class SignInAttempts:
    """Recent sign-in attempts per client, kept in the archive so that every
    process serving it (web workers) counts the same attempts.

    :meth:`begin` checks the limit and records the attempt atomically, before
    the password is checked: concurrent attempts on several processes cannot
    slip past the limit together.  An attempt that succeeds is forgotten; one
    that fails counts until it leaves the window."""

    def __init__(self, store: SignInStore) -> None:
        self.store = store

    def begin(
        self, client: str, *, limit: int, window: float, now: float | None = None
    ) -> tuple[int | None, int]:
        """``(attempt, 0)`` with the recorded attempt's id if ``client`` made fewer
        than ``limit`` attempts in the last ``window`` seconds; else ``(None, s)``
        with the seconds until it may try again."""
        now = time.time() if now is None else now  # wall clock: shared by processes
        return self.store.begin(client, limit=limit, window=window, now=now)

    def forget(self, attempt: int) -> None:
        """A successful attempt does not count against its client."""
        self.store.forget(attempt)

    def end_session(self, digest: str, expires: float) -> None:
        """Signing out: the session (a digest of its token) is refused until it expires."""
        self.store.end_session(digest, expires, time.time())

    def session_ended(self, digest: str) -> bool:
        return self.store.session_ended(digest)


@cache
def _dummy_hash() -> str:
    """A hash of a random secret, verified against for unknown names."""
    import secrets

    return str(_hasher().hash(secrets.token_hex(16)))


def cleared_levels(rows: Iterable[dict[str, Any]]) -> set[Classification]:
    """The clearance tiers that the accounts ``rows`` (as the account store
    keeps them) search: those of accounts reading as a plain cleared reader
    (:func:`cablegram.access.policy.reads_as_cleared`).  An archive made
    from another's kept records (reindex, copy) makes them before its cables
    arrive, so they fill as the cables are written."""
    levels = set()
    for row in rows:
        level = reads_as_cleared(Users._principal(Users._info(row)))
        if level is not None:
            levels.add(level)
    return levels
