"""Per-request dependencies: who is reading, and an archive opened for them.

The archive is SQLite in WAL mode: any number of reader connections, one
writer at a time.  Each server process keeps its own pool of open archives
(connections are never shared between processes, and a connection is used by
one request at a time), so several uvicorn workers can serve one file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from cablegram.access.principal import OWNER, PUBLIC, Principal
from cablegram.archive import Archive
from cablegram.model import Classification

ANONYMOUS_CHOICES = ("public", "owner")
USER_CACHE_SECONDS = 5.0  # a changed or removed account takes effect within this


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
    def clearance(self) -> str:
        """What the reader may see, in words for the page header."""
        if self.is_owner:
            return "full access"
        level = self.principal.clearance
        extras = sorted(self.principal.captions)
        if self.principal.sees_sbu and level is Classification.UNCLASSIFIED:
            extras.insert(0, "SBU")
        return " + ".join([level.value, *extras])


class ArchivePool:
    """Open archives of one process, keyed by (principal, interface), each lent
    to one request at a time."""

    def __init__(self, path: str, *, keep: int = 8) -> None:
        self.path = path
        self.keep = keep
        self._idle: dict[tuple[Principal, str], list[Archive]] = {}
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
            with self._lock:
                idle = self._idle.setdefault(key, [])
                if len(idle) < self.keep:
                    idle.append(archive)
                    archive = None
            if archive is not None:
                archive.close()

    def close(self) -> None:
        with self._lock:
            for archives in self._idle.values():
                for archive in archives:
                    archive.close()
            self._idle.clear()


class Accounts:
    """The principal of a signed-in user name, read from the archive's accounts
    (briefly cached, so each request does not cost a lookup)."""

    def __init__(self, pool: ArchivePool) -> None:
        self.pool = pool
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def principal(self, name: str) -> Principal | None:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(name)
        if hit is not None and now - hit[0] < USER_CACHE_SECONDS:
            return hit[1]
        with self.pool.lease(OWNER, "web") as archive:
            found = archive.users.principal(name)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[name] = (now, found)
        return found

    def authenticate(self, name: str, password: str) -> Principal | None:
        with self.pool.lease(OWNER, "web") as archive:
            return archive.users.authenticate(name, password)


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

    A bearer token that is invalid or expired is refused (401) rather than read
    as anonymous, so a program never silently sees less than it asked for."""
    cached = getattr(request.state, "reader", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    app = request.app.state
    token = _bearer(request)
    name = app.sessions.name(token or request.cookies.get(app.sessions.cookie, ""))
    principal = app.accounts.principal(name) if name else None
    if principal is None and token is not None:
        raise HTTPException(401, "invalid or expired token", {"WWW-Authenticate": "Bearer"})
    if principal is not None:
        reader = Reader(principal, signed_in=True)
    else:
        reader = Reader(OWNER if app.settings.anonymous == "owner" else PUBLIC)
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
        return Reader(OWNER if anonymous == "owner" else PUBLIC)


ReaderDep = Annotated[Reader, Depends(current_reader)]


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
