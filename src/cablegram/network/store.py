"""What the network's workflow needs of storage: the :class:`NetworkStore` protocol.

Methods only; each archive backend implements it with its own SQL (the
archive's ``sqlite/`` and ``postgres/`` packages), sharing the archive's
transaction so that a release — serial, the released cable stored in the
archive with its REFs, the release record, the audit entries — commits or
rolls back as one.

Guarantees an implementation must give:

* ``next_serial(origin, year)`` inside :meth:`transaction` hands out the next
  number of the series and holds it until the transaction ends: committed, it
  is consumed; rolled back, it is handed out again.  Concurrent transactions
  from several processes or machines never get the same number and leave no
  gap (a row lock or a database write lock, never read-then-write).
* ``update_draft`` is optimistic: it applies only when the stored version is
  the ``expected`` one, and raises :class:`StaleVersion` otherwise (an edit
  based on an old version is refused, never silently lost).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from cablegram.model import Cable
from cablegram.network.clearance import Clearance
from cablegram.network.directory import Collective, Office, Person, RelayStation, Station
from cablegram.network.drafts import Draft

__all__ = ["Event", "NetworkStore", "ReleaseRecord", "StaleVersion"]


class StaleVersion(RuntimeError):
    """An edit based on a version that is no longer the draft's."""

    def __init__(self, draft: int, expected: int, current: int) -> None:
        super().__init__(
            f"draft {draft} is at version {current}, not {expected}: "
            "someone changed it since you read it; read it again and redo the edit"
        )
        self.draft, self.expected, self.current = draft, expected, current


@dataclass(frozen=True, slots=True)
class Event:
    """One step of a draft's life: created, edited, submitted, cleared, returned,
    released, withdrawn (also recorded in the archive's audit log)."""

    draft: int
    action: str
    user: str
    at: str
    version: int
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "draft": self.draft,
            "action": self.action,
            "user": self.user,
            "at": self.at,
            "version": self.version,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class ReleaseRecord:
    """Who drafted, cleared and approved a released cable, and what it was given."""

    cable_id: str
    draft: int
    origin: str
    serial: int
    year: int
    dtg: str
    drafted_by: str
    cleared_by: tuple[str, ...]  # Clearance.label(): POL:JSMITH (DRAFT)
    approved_by: str
    released_at: str
    numbers: dict[str, int] = field(default_factory=dict)  # address -> per-addressee number

    def to_dict(self) -> dict[str, Any]:
        return {
            "cable_id": self.cable_id,
            "draft": self.draft,
            "origin": self.origin,
            "serial": self.serial,
            "year": self.year,
            "dtg": self.dtg,
            "drafted_by": self.drafted_by,
            "cleared_by": list(self.cleared_by),
            "approved_by": self.approved_by,
            "released_at": self.released_at,
            "numbers": dict(self.numbers),
        }


class NetworkStore(Protocol):
    """The network's state in the archive's database (see the module docstring)."""

    def transaction(self) -> AbstractContextManager[None]:
        """One transaction, shared with the archive's writes; nested calls join it."""
        ...

    # -- directory --
    def directory_loaded(self) -> bool: ...
    def load_directory(
        self,
    ) -> tuple[list[Station], list[Collective], list[Office], list[Person], list[RelayStation]]: ...
    def put_station(self, station: Station) -> None: ...
    def put_relay(self, relay: RelayStation) -> None: ...
    def put_collective(self, collective: Collective) -> None: ...
    def put_office(self, office: Office) -> None: ...
    def put_person(self, person: Person) -> None: ...
    def remove_entry(self, kind: str, key: str) -> bool: ...
    def mark_directory_loaded(self) -> None: ...

    # -- drafts --
    def add_draft(self, draft: Draft) -> Draft:
        """Store a new draft; returns it with its id."""
        ...

    def get_draft(self, draft_id: int) -> Draft | None: ...
    def update_draft(self, draft: Draft, expected: int) -> Draft:
        """Replace the draft if its stored version is ``expected``; the stored one
        gets version ``expected + 1``.  :class:`StaleVersion` otherwise."""
        ...

    def list_drafts(self, *, state: str | None = None) -> Iterator[Draft]: ...

    # -- clearances and events --
    def add_clearance(self, clearance: Clearance) -> None: ...
    def clearances(self, draft_id: int) -> list[Clearance]: ...
    def add_event(self, event: Event) -> None: ...
    def events(self, draft_id: int) -> list[Event]: ...

    # -- counters --
    def next_serial(self, origin: str, year: int) -> int:
        """The next serial of the series (inside :meth:`transaction`)."""
        ...

    def set_serial(self, origin: str, year: int, last: int) -> None:
        """Set where the series stands (the last serial used)."""
        ...

    def last_serial(self, origin: str, year: int) -> int: ...
    def next_number(self, origin: str, addressee: str) -> int:
        """The next per-addressee number from ``origin`` to ``addressee`` (1-9999, wraps)."""
        ...

    def set_number(self, origin: str, addressee: str, last: int) -> None: ...
    def last_number(self, origin: str, addressee: str) -> int: ...

    # -- releases and the archive --
    def store_cable(self, cable: Cable, telegram: str) -> None:
        """Keep the released cable in the archive (searchable at once, REFs resolved)."""
        ...

    def released_cable(self, cable_id: str) -> Cable | None: ...
    def released_telegram(self, cable_id: str) -> str | None:
        """The telegram text as sent (a corrected copy: the latest)."""
        ...

    def put_release(self, record: ReleaseRecord) -> None: ...
    def release_of(self, cable_id: str) -> ReleaseRecord | None: ...
    def audit(self, action: str, user: str, target: str, detail: dict[str, Any]) -> None:
        """An entry in the archive's audit log."""
        ...
