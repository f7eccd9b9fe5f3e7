"""The network's state kept in an archive: :class:`ArchiveNetworkStore`, the
:class:`~cablegram.network.store.NetworkStore` over an archive's
:class:`~cablegram.archive.store.Store` (any backend), and
:func:`open_network`, the workflow over an :class:`~cablegram.archive.Archive`.

The archive keeps the network's values as JSON rows (``Store.network``,
:class:`~cablegram.archive.store.NetworkRows`) and never interprets them;
this module turns them into drafts, clearances, events, directory entries and
release records.  A released cable is written as ingest writes one
(``Store.write`` of its telegram, read by ``parse_document``), so it is
searchable at once, ``reindex`` and ``copy`` find the same cable, and its REFs
resolve both ways (the archive stores references by the cited cable's key: a
cable released later is linked to earlier citers).  Everything joins the
archive's transaction.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cablegram.archive.audit import AuditLog
from cablegram.archive.records import record_of
from cablegram.archive.store import Store
from cablegram.format.reader import parse_document
from cablegram.format.render import render
from cablegram.format.sources import Document
from cablegram.model import Cable, from_dict
from cablegram.network.clearance import Clearance
from cablegram.network.directory import (
    Collective,
    Directory,
    Office,
    Person,
    RelayStation,
    Station,
    entry_key,
)
from cablegram.network.directory_csv import entry_of, row_of
from cablegram.network.drafts import Draft
from cablegram.network.release import DEFAULT_SECTION_LIMIT
from cablegram.network.store import Event, ReleaseRecord, StaleVersion
from cablegram.network.workflow import Network, clock_from_env, parse_time, utc_now

if TYPE_CHECKING:
    from cablegram.archive import Archive

__all__ = [
    "CLOCK_SETTING",
    "RELEASED_FORMAT",
    "ArchiveNetworkStore",
    "network_clock",
    "open_network",
    "set_network_clock",
    "stored_directory",
]

# The archive setting holding a training archive's clock (an ISO time).
CLOCK_SETTING = "network_clock"

# The format name of a released cable's stored copy: the telegram as sent.
RELEASED_FORMAT = "telegram"


# Directories built from archives: location -> (the archive's directory version, directory).
# The most recently used few are kept (a test run or a tool opens many archives).
_DIRECTORIES: OrderedDict[str, tuple[str, Directory]] = OrderedDict()
_KEEP = 8
_LOCK = threading.Lock()  # web requests run in threads


class ArchiveNetworkStore:
    """A :class:`~cablegram.network.store.NetworkStore` in an archive."""

    def __init__(
        self, store: Store, *, interface: str = "python", location: str | None = None
    ) -> None:
        self.store = store
        self.location = location  # the archive's location: its directory is cached by it
        self.rows = store.network
        self.interface = interface
        self._audit = AuditLog(store.audit)

    def transaction(self) -> AbstractContextManager[None]:
        return self.store.transaction()

    # -- directory --
    def directory_loaded(self) -> bool:
        return self.rows.directory_loaded()

    def mark_directory_loaded(self) -> None:
        self.rows.mark_directory_loaded()

    def load_directory(
        self,
    ) -> tuple[list[Station], list[Collective], list[Office], list[Person], list[RelayStation]]:
        kinds = ("station", "collective", "office", "person", "relay")
        out: dict[str, list[Any]] = {kind: [] for kind in kinds}
        for kind, data in self.rows.entries():
            out[kind].append(entry_of(data))
        return out["station"], out["collective"], out["office"], out["person"], out["relay"]

    def cached_directory(self) -> Directory:
        """The directory, built once per archive and process until it changes
        (see :func:`stored_directory`)."""
        if self.location is None:
            return Directory.of(*self.load_directory())
        version = self.rows.directory_version()
        with _LOCK:
            hit = _DIRECTORIES.get(self.location)
            if hit is not None and hit[0] == version:
                _DIRECTORIES.move_to_end(self.location)
                return hit[1]
        directory = Directory.of(*self.load_directory())
        with _LOCK:
            _DIRECTORIES[self.location] = (version, directory)
            _DIRECTORIES.move_to_end(self.location)
            while len(_DIRECTORIES) > _KEEP:
                _DIRECTORIES.popitem(last=False)
        return directory

    def _put(self, entry: Station | Collective | Office | Person | RelayStation) -> None:
        kind, key = entry_key(entry)
        self.rows.put_entry(kind, key, row_of(entry))

    put_station = put_collective = put_office = put_person = put_relay = _put

    def remove_entry(self, kind: str, key: str) -> bool:
        return self.rows.remove_entry(kind, key)

    # -- drafts --
    @staticmethod
    def _draft(draft_id: int, version: int, data: dict[str, Any]) -> Draft:
        return Draft.from_dict({**data, "id": draft_id, "version": version})

    def add_draft(self, draft: Draft) -> Draft:
        with self.transaction():
            new = self.rows.add_draft(draft.to_dict(), state=draft.state, drafter=draft.drafter)
            return replace(draft, id=new, version=1)

    def get_draft(self, draft_id: int) -> Draft | None:
        found = self.rows.get_draft(draft_id)
        return None if found is None else self._draft(draft_id, *found)

    def update_draft(self, draft: Draft, expected: int) -> Draft:
        draft_id = draft.id or 0
        data = replace(draft, version=expected + 1).to_dict()
        found = self.rows.update_draft(draft_id, data, state=draft.state, expected=expected)
        if found != expected:
            raise StaleVersion(draft_id, expected, found)
        return replace(draft, version=expected + 1)

    def list_drafts(self, *, state: str | None = None) -> Iterator[Draft]:
        return iter([self._draft(i, v, d) for i, v, d in self.rows.drafts(state)])

    # -- clearances and events --
    def add_clearance(self, clearance: Clearance) -> None:
        self.rows.add_clearance(clearance.draft, clearance.to_dict())

    def clearances(self, draft_id: int) -> list[Clearance]:
        return [Clearance(**d) for d in self.rows.clearances(draft_id)]

    def add_event(self, event: Event) -> None:
        self.rows.add_event(event.draft, event.to_dict())

    def events(self, draft_id: int) -> list[Event]:
        return [Event(**d) for d in self.rows.events(draft_id)]

    # -- counters --
    def next_serial(self, origin: str, year: int) -> int:
        return self.rows.next_serial(origin, year)

    def set_serial(self, origin: str, year: int, last: int) -> None:
        self.rows.set_serial(origin, year, last)

    def last_serial(self, origin: str, year: int) -> int:
        return self.rows.last_serial(origin, year)

    def next_number(self, origin: str, addressee: str) -> int:
        return self.rows.next_number(origin, addressee)

    def set_number(self, origin: str, addressee: str, last: int) -> None:
        self.rows.set_number(origin, addressee, last)

    def last_number(self, origin: str, addressee: str) -> int:
        return self.rows.last_number(origin, addressee)

    # -- releases and the archive --
    def store_cable(self, cable: Cable, telegram: str) -> None:
        """The released cable as an archive copy, read as ingest reads one (so
        ``reindex`` and ``copy``, which read the copies again, find the same
        cable).  A cable sent in sections is kept as one message, its fields
        and text whole, under the first section's header (FORMAT §2.4); the
        transmissions as sent are what release hands on (:class:`Released`)."""
        text = telegram if cable.section is None and telegram.count("NNNN") <= 1 else render(cable)
        doc = Document(text, RELEASED_FORMAT, None, {"network": "released"})
        record = record_of(parse_document(doc), doc)
        self.store.write([record])

    def released_cable(self, cable_id: str) -> Cable | None:
        data = self.store.stored_cable(cable_id)
        return None if data is None else from_dict(data)

    def released_telegram(self, cable_id: str) -> str | None:
        """The telegram as the archive keeps it: as sent, for a cable sent in one
        transmission; a corrected copy: the latest."""
        sent = [c.text for c in self.store.copies(cable_id) if c.format == RELEASED_FORMAT]
        return sent[-1] if sent else None

    def put_release(self, record: ReleaseRecord) -> None:
        self.rows.add_release(record.cable_id, record.to_dict())

    def release_of(self, cable_id: str) -> ReleaseRecord | None:
        data = self.rows.release_of(cable_id.upper())
        if data is None:
            return None
        return ReleaseRecord(**{**data, "cleared_by": tuple(data["cleared_by"])})

    def audit(self, action: str, user: str, target: str, detail: dict[str, Any]) -> None:
        # Targets are kept in capitals, as cable ids are (AuditLog.query asks so).
        self._audit.record(user, self.interface, action, target.upper(), **detail)


def stored_directory(archive: Archive) -> Directory | None:
    """The directory the archive keeps (what ``cablegram directory ...``, ``person
    add`` and the release workflow read and edit); None while it keeps none (the
    workflow loads the shipped one on first use).

    Building it from the archive's rows takes tens of milliseconds, so it is
    built once per process and archive and kept until the archive's directory
    changes (every change, from any process, gives it a new version token)."""
    store = ArchiveNetworkStore(archive.store, location=_location(archive))
    return store.cached_directory() if store.directory_loaded() else None


def _location(archive: Archive) -> str:
    import os

    location = str(archive.location)
    return location if "://" in location else os.path.abspath(location)


def network_clock(archive: Archive) -> Callable[[], datetime]:
    """The clock the network runs on: ``$CABLEGRAM_NOW``, else the archive's
    training clock (:func:`set_network_clock`), else the real one."""
    env = clock_from_env()
    if env is not None:
        return env
    value = archive.store.setting(CLOCK_SETTING)
    if not value:
        return utc_now
    fixed = parse_time(value)
    return lambda: fixed


def set_network_clock(archive: Archive, when: datetime | None) -> None:
    """Run the archive's network at ``when`` (a training archive; every step
    happens at that time until it is moved), or again on the real clock (None).
    The archive's owner does; audited."""
    if not archive.principal.owner:
        from cablegram.archive.errors import AccessDenied

        raise AccessDenied(f"{archive.principal.name} may not set the network's clock")
    value = when.isoformat(timespec="minutes").replace("+00:00", "Z") if when else None
    with archive.store.transaction():
        archive.store.set_setting(CLOCK_SETTING, value)
        AuditLog(archive.store.audit).record(
            archive.principal.name, archive.interface, "network.clock", None, at=value or "real"
        )


def open_network(
    archive: Archive,
    *,
    clock: Callable[[], datetime] | None = None,
    section_limit: int = DEFAULT_SECTION_LIMIT,
    deliver: bool = True,
) -> Network:
    """The workflow over ``archive``: its state in the archive's database,
    people's access from the archive's accounts; ``clock``: default
    :func:`network_clock`; ``deliver``: a release delivers the cable to its
    addressees' inboxes in this archive (the embedded installation; a
    federated one sends through ``cablegram network send|serve``)."""
    store = ArchiveNetworkStore(
        archive.store, interface=archive.interface, location=_location(archive)
    )
    network = Network(
        store,
        principal_of=archive.users.principal,
        clock=clock or network_clock(archive),
        section_limit=section_limit,
    )
    if deliver:
        network.on_release(_delivery(archive, network), in_transaction=True)
    return network


def _delivery(archive: Archive, network: Network) -> Callable[[Any], None]:
    """The release hook of an embedded installation: the released cable is
    delivered to its addressees' inboxes in the release's own transaction
    (a failed delivery releases nothing).  The installation is built on the
    first release, over the directory the workflow uses."""
    node: Any = None

    def deliver(released: Any) -> None:
        nonlocal node
        if node is None:
            from cablegram.network.node import Node

            node = Node(archive, network.directory)
        node.on_release(released)

    return deliver
