"""Per-request dependencies: who is reading, and an archive opened for them.

The archive is SQLite in WAL mode: any number of reader connections, one
writer at a time.  Each server process keeps its own pool of open archives
(connections are never shared between processes, and a connection is used by
one request at a time), so several uvicorn workers can serve one file.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from cablegram.access.principal import PUBLIC, Principal
from cablegram.archive import Archive
from cablegram.model import Classification

ANONYMOUS_CHOICES = ("public", "owner")


@dataclass(frozen=True, slots=True)
class Reader:
    """Who is reading: ``principal`` None is the local owner (full access)."""

    principal: Principal | None
    signed_in: bool = False

    @property
    def name(self) -> str:
        return "owner" if self.principal is None else self.principal.name

    @property
    def is_owner(self) -> bool:
        return self.principal is None or self.principal.owner

    @property
    def clearance(self) -> str:
        """What the reader may see, in words for the page header."""
        if self.is_owner:
            return "full access"
        assert self.principal is not None
        level = self.principal.clearance
        extras = sorted(self.principal.captions)
        if self.principal.sees_sbu and level is Classification.UNCLASSIFIED:
            extras.insert(0, "SBU")
        return " + ".join([level.value, *extras])


class ArchivePool:
    """Open archives of one process, keyed by principal, lent to one request at a time."""

    def __init__(self, path: str, *, keep: int = 8) -> None:
        self.path = path
        self.keep = keep
        self._idle: dict[Principal | None, list[Archive]] = {}
        self._lock = threading.Lock()

    def _open(self, principal: Principal | None) -> Archive:
        # TODO(access, issue 4): pass ``principal=principal`` once Archive takes it
        # on main; until then every reader gets the owner's view.
        del principal
        return Archive(self.path)

    @contextmanager
    def lease(self, principal: Principal | None) -> Iterator[Archive]:
        with self._lock:
            idle = self._idle.get(principal)
            archive = idle.pop() if idle else None
        if archive is None:
            archive = self._open(principal)
        try:
            yield archive
        finally:
            with self._lock:
                idle = self._idle.setdefault(principal, [])
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


def current_reader(request: Request) -> Reader:
    """THE decision of who is reading: the signed-in user, else the anonymous reader
    the server was started with (``public`` by default, ``owner`` for a local
    single-user server)."""
    settings = request.app.state.settings
    user = request.app.state.sessions.user(request)
    if user is not None:
        return Reader(user, signed_in=True)
    return Reader(None if settings.anonymous == "owner" else PUBLIC)


def reader_archive(
    request: Request, reader: Annotated[Reader, Depends(current_reader)]
) -> Iterator[Archive]:
    """An archive that shows exactly what ``reader`` may read, for this request."""
    with request.app.state.pool.lease(reader.principal) as archive:
        yield archive
