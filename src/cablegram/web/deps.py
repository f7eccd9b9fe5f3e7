"""Per-request dependencies: who is reading, and an archive opened for them.

The archive is SQLite in WAL mode: any number of reader connections, one
writer at a time.  Each server process keeps its own pool of open archives
(connections are never shared between processes, and a connection is used by
one request at a time), so several uvicorn workers can serve one file.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from cablegram.access.principal import OWNER, PUBLIC, PUBLISHED, Principal, reader_notice
from cablegram.archive import Archive
from cablegram.archive.store import CopyInfo
from cablegram.archive.users import Account
from cablegram.model import Classification

# What a reader who has not signed in reads as (``serve --anonymous``).
ANONYMOUS_READERS = {"public": PUBLIC, "published": PUBLISHED, "owner": OWNER}
ANONYMOUS_CHOICES = tuple(ANONYMOUS_READERS)


@dataclass(frozen=True, slots=True)
class Reader:
    """Who is reading, and whether they signed in (else: the anonymous reader)."""

    principal: Principal
    signed_in: bool = False

    @property
    def name(self) -> str:
        return self.principal.name

    @property
    def is_owner(self) -> bool:
        return self.principal.owner

    @property
    def notice(self) -> str:
        """What the reader reads as and what that hides (access.reader_notice)."""
        return reader_notice(self.principal)

    @property
    def clearance(self) -> str:
        """What the reader may see, in words for the page header."""
        if self.is_owner or self.principal.reads_all:
            return "full access"
        level = self.principal.clearance
        extras = sorted(self.principal.captions)
        if self.principal.sees_sbu and level is Classification.UNCLASSIFIED:
            extras.insert(0, "SBU")
        return " + ".join([level.value, *extras])


class ArchivePool:
    """Open archives of one process, keyed by (principal, interface), each lent
    to one request at a time.  At most ``keep`` idle archives are kept per key
    and ``keep_total`` in all; the readers least recently served lose theirs."""

    def __init__(self, path: str, *, keep: int = 8, keep_total: int = 32) -> None:
        self.path = path
        self.keep = keep
        self.keep_total = keep_total
        self._idle: OrderedDict[tuple[Principal, str], list[Archive]] = OrderedDict()
        self._lock = threading.Lock()

    @contextmanager
    def lease(self, principal: Principal, interface: str = "web") -> Iterator[Archive]:
        key = (principal, interface)
        with self._lock:
            idle = self._idle.get(key)
            archive = idle.pop() if idle else None
        if archive is None:
            archive = Archive(self.path, principal=principal, interface=interface)
        try:
            yield archive
        finally:
            surplus = self._give_back(key, archive)
            for extra in surplus:
                extra.close()

    def _give_back(self, key: tuple[Principal, str], archive: Archive) -> list[Archive]:
        """Keep ``archive`` idle; return the archives to close to stay within bounds."""
        with self._lock:
            idle = self._idle.setdefault(key, [])
            self._idle.move_to_end(key)
            if len(idle) >= self.keep:
                return [archive]
            idle.append(archive)
            surplus: list[Archive] = []
            while sum(len(v) for v in self._idle.values()) > self.keep_total:
                oldest_key = next(iter(self._idle))
                surplus += self._idle.pop(oldest_key)
            return surplus

    def close(self) -> None:
        with self._lock:
            for archives in self._idle.values():
                for archive in archives:
                    archive.close()
            self._idle.clear()


class Accounts:
    """The archive's accounts as the server needs them.  An account is read
    afresh for every request (a primary-key lookup): a password change, a
    removed account or changed grants take effect on the next request, in
    every worker process, whoever made the change (CLI, API, another worker)."""

    def __init__(self, pool: ArchivePool) -> None:
        self.pool = pool

    def account(self, name: str) -> Account | None:
        with self.pool.lease(OWNER, "web") as archive:
            return archive.users.account(name)

    def sign_in(self, name: str, password: str) -> Account | None:
        with self.pool.lease(OWNER, "web") as archive:
            return archive.users.sign_in(name, password)

    def session_ended(self, digest: str) -> bool:
        with self.pool.lease(OWNER, "web") as archive:
            return archive.users.sign_in_attempts.session_ended(digest)

    def end_session(self, digest: str, expires: float) -> None:
        with self.pool.lease(OWNER, "web") as archive:
            archive.users.sign_in_attempts.end_session(digest, expires)


def interface_of(request: Request) -> str:
    """``api`` for the JSON API, ``web`` for pages (named so in the audit log)."""
    return "api" if request.url.path.startswith("/api/") else "web"


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_reader(request: Request) -> Reader:
    """THE decision of who is reading: the user of a valid bearer token or session
    cookie, else the anonymous reader the server was started with (``public`` by
    default, ``owner`` for a local single-user server).

    A token is valid while it is signed, unexpired, not signed out, its account
    exists and the account's credentials are those it was issued under; the reader's grants
    are the account's as they are now.  A bearer token that is not valid is
    refused (401) rather than read as anonymous, so a program never silently
    sees less than it asked for; a stale cookie just reads as anonymous."""
    cached = getattr(request.state, "reader", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    app = request.app.state
    token = _bearer(request)
    presented = token or request.cookies.get(app.sessions.cookie, "")
    claims = app.sessions.claims(presented)
    principal: Principal | None = None
    if claims is not None:
        account = app.accounts.account(claims.name)
        if (
            account is not None
            and app.sessions.still_valid(claims, account.credentials)
            and not app.accounts.session_ended(app.sessions.digest(presented))
        ):
            principal = account.principal
    if principal is None and token is not None:
        raise HTTPException(401, "invalid or expired token", {"WWW-Authenticate": "Bearer"})
    if principal is not None:
        reader = Reader(principal, signed_in=True)
    else:
        reader = Reader(ANONYMOUS_READERS[app.settings.anonymous])
    request.state.reader = reader
    return reader


def shown_reader(request: Request) -> Reader:
    """The reader to name in a page header: :func:`current_reader`, or the
    anonymous reader when that refuses the request's credentials (the page then
    says why, e.g. 401 for an expired token)."""
    try:
        return current_reader(request)
    except HTTPException:
        anonymous = request.app.state.settings.anonymous
        return Reader(ANONYMOUS_READERS[anonymous])


ReaderDep = Annotated[Reader, Depends(current_reader)]


# Where a copy was read from (a file path on the archive owner's machine) is the
# owner's business: other readers see the copies without it.
def shown_copies(copies: list[CopyInfo], reader: Reader) -> list[CopyInfo]:
    """``copies`` as ``reader`` may see them: source paths for owners only."""
    if reader.is_owner:
        return copies
    return [replace(c, path=None) for c in copies]


def shown_cable(data: dict[str, Any], reader: Reader) -> dict[str, Any]:
    """A cable's schema JSON as ``reader`` may see it: its source path for owners only."""
    source = data.get("source")
    if reader.is_owner or not isinstance(source, dict) or source.get("path") is None:
        return data
    return {**data, "source": {**source, "path": None}}


def reader_archive(request: Request, reader: ReaderDep) -> Iterator[Archive]:
    """An archive that shows exactly what ``reader`` may read, for this request."""
    with request.app.state.pool.lease(reader.principal, interface_of(request)) as archive:
        yield archive


def owner_only(reader: ReaderDep) -> Reader:
    """Administration (accounts, audit log, ingest): archive owners only."""
    if not reader.is_owner:
        if not reader.signed_in:
            raise HTTPException(401, "sign in as an archive owner", {"WWW-Authenticate": "Bearer"})
        raise HTTPException(403, f"{reader.name} is not an archive owner")
    return reader


class TimedCache:
    """Values kept ``seconds`` per key (one per reader): for answers that scan the
    whole archive and may be a little stale, like the corpus statistics."""

    def __init__(self, seconds: float, size: int = 64) -> None:
        self.seconds = seconds
        self.size = size
        self._values: OrderedDict[object, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object, compute: Callable[[], object]) -> object:
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(key)
        if hit is not None and now - hit[0] < self.seconds:
            return hit[1]
        value = compute()
        with self._lock:
            self._values[key] = (now, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value
