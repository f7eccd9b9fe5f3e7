"""The storage boundary: what the archive asks of a database.

Everything outside the backend packages (``archive/sqlite/``,
``archive/postgres/``) is typed against :class:`Store` and never sees a
connection or a line of SQL: results, facets, the reference graph, stats,
declassification review, accounts, sign-in limits, the audit log, ingest,
export, copying an archive, the network and the web.

A store is opened for one reader (:class:`~cablegram.access.principal.
Principal`); every read answers as that reader sees the archive, with the
access rule compiled *inside* the backend's queries (see access.policy and
each backend's ``access.py``), so counts, facets, snippets and graph edges
never see a hidden cable.  Writes are transactional: ``with
store.transaction():`` makes the enclosed calls one transaction (they join
it), and every write method is atomic on its own.

:func:`open_store` picks the backend from the location: a
``postgresql://`` URL or a plain file path (SQLite, the embedded default).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, Self

from cablegram.access.principal import Principal
from cablegram.archive.broad import Measure
from cablegram.archive.facets import Facets
from cablegram.archive.records import CopyRecord, ViewRecord
from cablegram.archive.tree import Plan
from cablegram.model import Classification

__all__ = [
    "AccountStore",
    "AuditStore",
    "CopyInfo",
    "DecisionStore",
    "DeliveryRows",
    "Hit",
    "KeptRecords",
    "NetworkRows",
    "Node",
    "Page",
    "RefItem",
    "SignInStore",
    "Store",
    "StoredDocument",
    "WriteCounts",
    "is_server_url",
    "open_store",
]


# -- values the protocol speaks --
@dataclass(frozen=True, slots=True)
class CopyInfo:
    sha256: str
    format: str
    path: str | None
    locator: str | None
    text: str
    primary: bool


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    created: str | None
    classification: str | None
    origin: str | None
    subject: str | None
    snippet: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a result; ``approximate_rank``: ranked from a broad
    query's sample, not by relevance over every match (broad.py)."""

    hits: list[Hit]
    approximate_rank: bool = False


@dataclass(frozen=True, slots=True)
class Node:
    """A cable as the reference graph shows it (its subject as the reader sees it)."""

    id: str
    created: str | None
    subject: str | None
    classification: str | None = None


@dataclass(frozen=True, slots=True)
class RefItem:
    """One REF item of a cable as stored: ``cited_key`` resolves it (ids.py)."""

    label: str | None
    text: str
    cited_id: str | None
    cited_key: str | None


@dataclass(slots=True)
class WriteCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    defects: dict[str, int] = field(default_factory=dict)

    def add(self, other: WriteCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.merged += other.merged
        for k, v in other.defects.items():
            self.defects[k] = self.defects.get(k, 0) + v


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A stored copy as it was read: enough to parse it again (reindex, copy)."""

    text: str
    format: str
    path: str | None
    locator: str | None
    metadata: dict[str, Any]
    defects: tuple[tuple[str, str, int | None], ...]  # (code, message, line)
    line_map: tuple[tuple[int, int, int], ...] | None = None  # runs of its LineMap


@dataclass(slots=True)
class KeptRecords:
    """What an archive holds that is not derived from its copies: accounts,
    declassification decisions, the audit log and settings (rows as dicts,
    oldest first).  ``reindex`` and ``cablegram copy`` carry them over."""

    users: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    # The network's state (NetworkRows.dump): its directory, drafts,
    # clearances, events, counters and release records — never derived.
    network: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The network's deliveries (DeliveryRows.dump): receipts, inboxes, actions — never derived.
    deliveries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


# -- the sub-stores --
class AccountStore(Protocol):
    """Rows of ``users``: name, password_hash, clearance, sbu, captions,
    stations, offices (JSON lists), owner, created, updated."""

    def get(self, name: str) -> dict[str, Any] | None: ...
    def list(self) -> list[dict[str, Any]]: ...
    def insert(self, row: dict[str, Any]) -> None: ...
    def update(self, name: str, changes: dict[str, Any]) -> None: ...
    def delete(self, name: str) -> None: ...


class SignInStore(Protocol):
    def begin(
        self, client: str, *, limit: int, window: float, now: float
    ) -> tuple[int | None, int]: ...
    def forget(self, attempt: int) -> None: ...
    # Sessions ended by signing out (web.auth): by a digest of the token, kept to its expiry.
    def end_session(self, digest: str, expires: float, now: float) -> None: ...
    def session_ended(self, digest: str) -> bool: ...


class AuditStore(Protocol):
    """The audit log: ``append`` an act inside the caller's transaction;
    ``append_read`` a read at once, never waiting for the archive's writers
    (an ingest batch); ``query`` both, newest first."""

    def append(self, row: dict[str, Any]) -> None: ...
    def append_read(self, row: dict[str, Any]) -> None: ...
    def query(self, filters: dict[str, str], since: str | None, until: str | None,
              limit: int) -> list[dict[str, Any]]: ...  # fmt: skip


class DecisionStore(Protocol):
    """Declassification decisions (history kept; the newest for an id is in force)."""

    def add(self, row: dict[str, Any]) -> None: ...
    def history(self, cable_id: str) -> list[dict[str, Any]]: ...
    def in_force(self, cable_id: str) -> dict[str, Any] | None: ...
    # Those of ``cable_ids`` that have a decision (one query for a batch).
    def decided(self, cable_ids: list[str]) -> list[str]: ...
    def due(self, on: str) -> Iterator[tuple[str, str | None, str | None, str | None,
                                              str | None, dict[str, Any]]]: ...  # fmt: skip
    def report(self, size: int) -> dict[str, Any]: ...


class NetworkRows(Protocol):
    """The cable network's state (``cablegram.network``) as the archive keeps
    it: JSON objects the network reads and writes, and the counters release
    takes numbers from.  The network turns the rows into its own values
    (``network/archived.py``); the archive never interprets them.

    Every method joins the caller's transaction (``Store.transaction``), so
    a release — its serial, the cable written by ``Store.write``, the release
    record, the audit entries — commits or rolls back as one.  Counters are
    taken in one statement under the database's write lock or a row lock:
    concurrent transactions from several processes or machines never get the
    same number and, since a rolled-back number is handed out again, leave no
    gap.  ``update_draft`` applies only on the expected version."""

    # The directory: entries of a kind (station, collective, office, person) by key.
    def directory_loaded(self) -> bool: ...
    def mark_directory_loaded(self) -> None: ...
    def directory_version(self) -> str:
        """A token that every change of the directory replaces (a random one, so a
        change rolled back and another made never share it): what a reader
        caches the directory by."""
        ...

    def put_entry(self, kind: str, key: str, data: dict[str, Any]) -> None: ...
    def entries(self) -> list[tuple[str, dict[str, Any]]]: ...
    def remove_entry(self, kind: str, key: str) -> bool: ...

    # Drafts: ``data`` holds the whole draft; id and version are the store's.
    def add_draft(self, data: dict[str, Any], *, state: str, drafter: str) -> int: ...
    def get_draft(self, draft_id: int) -> tuple[int, dict[str, Any]] | None:
        """(version, data) of a draft."""
        ...

    def update_draft(
        self, draft_id: int, data: dict[str, Any], *, state: str, expected: int
    ) -> int:
        """Store ``data`` as version ``expected + 1`` if the stored version is
        ``expected``; returns the version found (``expected``: applied)."""
        ...

    def drafts(self, state: str | None) -> list[tuple[int, int, dict[str, Any]]]:
        """(id, version, data) of every draft (in ``state``), oldest first."""
        ...

    def add_clearance(self, draft_id: int, data: dict[str, Any]) -> None: ...
    def clearances(self, draft_id: int) -> list[dict[str, Any]]: ...
    def add_event(self, draft_id: int, data: dict[str, Any]) -> None: ...
    def events(self, draft_id: int) -> list[dict[str, Any]]: ...

    # Counters: the serial of an origin's calendar year; per-addressee numbers (1-9999).
    def next_serial(self, origin: str, year: int) -> int: ...
    def set_serial(self, origin: str, year: int, last: int) -> None: ...
    def last_serial(self, origin: str, year: int) -> int: ...
    def next_number(self, origin: str, addressee: str) -> int: ...
    def set_number(self, origin: str, addressee: str, last: int) -> None: ...
    def last_number(self, origin: str, addressee: str) -> int: ...

    # Release records (append-only; a corrected copy adds one for the same cable).
    def add_release(self, cable_id: str, data: dict[str, Any]) -> None: ...
    def release_of(self, cable_id: str) -> dict[str, Any] | None:
        """The latest release record of a cable."""
        ...

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every row, table by table (reindex and copy carry them over)."""
        ...

    def load(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        """Add the rows of :meth:`dump` (into an archive holding none)."""
        ...


Key = tuple[str, str, int, str]  # (origin, cable id, section, addressee)


class DeliveryRows(Protocol):
    """The cable network's deliveries (``cablegram.network``) as the archive keeps
    them: JSON objects the network reads and writes (``network/archived_deliveries.py``
    turns them into its values; the archive never interprets them beyond the
    columns it orders and finds them by).  Every method joins the caller's
    transaction (``Store.transaction``).

    ``receive`` is idempotent for ever: a key received before is refused
    (False) — a primary key, no time window.  ``inbox`` orders a holder's
    deliveries by precedence rank (highest first), NIACT first, then time."""

    def receive(self, key: Key, at: str, telegram: str) -> bool: ...
    def sections(self, cable_id: str, addressee: str) -> dict[int, str]: ...
    def add_deliveries(self, rows: list[dict[str, Any]]) -> list[int]:
        """Store deliveries (``id`` ignored); their new ids, in order."""
        ...

    def delivery(self, delivery_id: int) -> dict[str, Any] | None: ...
    def update_delivery(self, row: dict[str, Any]) -> None: ...
    def inbox(self, kind: str, holder: str) -> list[dict[str, Any]]: ...
    def deliveries_of(self, cable_id: str, station: str | None) -> list[dict[str, Any]]: ...
    def unacknowledged(self) -> list[dict[str, Any]]: ...
    def holders(self, kind: str) -> list[str]: ...
    def count(self) -> int: ...
    def add_action(self, row: dict[str, Any]) -> None: ...
    def actions(self, cable_id: str) -> list[dict[str, Any]]: ...
    def subscribe(self, station: str, office: str, tag: str) -> None: ...
    def subscriptions(self, station: str) -> list[tuple[str, str]]: ...
    def set_roster(self, station: str, users: list[str]) -> None: ...
    def roster(self, station: str) -> list[str]: ...
    def see_number(self, origin: str, addressee: str, number: int, at: str) -> None: ...
    def numbers_seen(self, origin: str, addressee: str) -> set[int]: ...
    def number_pairs(self) -> list[tuple[str, str]]:
        """(origin, addressee) of every count a station has seen numbers of."""
        ...

    def record_sent(self, origin: str, addressee: str, number: int,
                    row: dict[str, Any]) -> None: ...  # fmt: skip
    def sent(self, origin: str, addressee: str, number: int) -> list[dict[str, Any]]: ...
    def enqueue(self, queue: str, items: list[tuple[Key, int, dict[str, Any]]]) -> None:
        """Add (key, precedence rank, row) items; a key already in the queue is skipped."""
        ...

    def queued(self, queue: str) -> list[dict[str, Any]]:
        """Rows by precedence rank (highest first), then the order queued."""
        ...

    def dequeue(self, queue: str, keys: list[Key]) -> None: ...
    def queues(self) -> dict[str, int]: ...
    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every row, table by table (reindex and copy carry them over)."""
        ...

    def load(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        """Add the rows of :meth:`dump` (into an archive holding none)."""
        ...


# -- the store --
class Store(Protocol):
    """An archive opened for one reader (see the module docstring)."""

    # Read-only members are properties: a backend may keep them as plain
    # attributes or compute them (``principal``), and declares its own
    # sub-store classes (a settable protocol member would have to be of the
    # protocol's type exactly).
    @property
    def location(self) -> str: ...
    @property
    def principal(self) -> Principal: ...
    @property
    def read_only(self) -> bool:
        """Every write is refused (ReadOnlyArchive)."""
        ...

    @property
    def accounts(self) -> AccountStore: ...
    @property
    def signins(self) -> SignInStore: ...
    @property
    def audit(self) -> AuditStore: ...
    @property
    def decisions(self) -> DecisionStore: ...
    @property
    def network(self) -> NetworkRows: ...
    @property
    def deliveries(self) -> DeliveryRows:
        """The cable network's deliveries (network/archived_deliveries.py)."""
        ...

    # Called after cables' fields are (re)written, inside the write
    # transaction, with their ids (once for a batch): the archive re-applies
    # release decisions.
    on_fields: Callable[[list[str]], None] | None

    def close(self) -> None: ...
    def transaction(self) -> AbstractContextManager[None]: ...
    def for_reader(self, principal: Principal) -> Self: ...

    # settings (JSON values)
    def setting(self, key: str) -> Any: ...
    def set_setting(self, key: str, value: Any) -> None: ...
    @property
    def partial_release(self) -> bool: ...
    # the index of what readers cleared to a level with no read-ins read,
    # made when an account first reads as one (False: the archive had it)
    def add_clearance_tier(self, clearance: Classification) -> bool: ...

    # writing
    def write(self, records: Iterable[CopyRecord]) -> WriteCounts: ...
    def stored_digests(self) -> bytes: ...
    def ingesting(self) -> AbstractContextManager[None]: ...

    # cables
    def get(self, cable_id: str) -> dict[str, Any] | None: ...
    def copies(self, cable_id: str) -> list[CopyInfo]: ...
    def stored_cable(self, cable_id: str) -> dict[str, Any] | None: ...
    def publish(self, cable_id: str, view: ViewRecord | None) -> None: ...
    def rebuild_reader_views(
        self, on: bool, views_of: Callable[[dict[str, Any], int], tuple[ViewRecord, ...]],
        progress: Callable[[int], None] | None = None,
    ) -> int: ...  # fmt: skip

    # search
    def measure(self, plan: Plan) -> Measure: ...
    def count(self, plan: Plan) -> int: ...
    def page(self, plan: Plan, measure: Measure, *, sort: str, limit: int,
             offset: int) -> Page: ...  # fmt: skip
    def facets(self, plan: Plan, *, size: int, measure: Measure) -> Facets: ...
    def iter_matches(self, plan: Plan, *, sort: str) -> Iterator[dict[str, Any]]: ...

    # the reference graph
    def node(self, cable_id: str) -> Node | None: ...
    def ref_items(self, cable_id: str) -> list[RefItem] | None: ...
    def answering(self, key: str) -> list[Node]: ...
    def citing(self, cable_id: str) -> list[Node] | None: ...
    def thread_step(self, cable_ids: Sequence[str], direction: str) -> dict[str, list[Node]]: ...
    def citing_key(self, key: str) -> list[Node]: ...

    def stats(self, *, size: int) -> dict[str, Any]: ...
    def disk_bytes(self) -> int: ...

    # whole archives (reindex, copy)
    def iter_documents(self) -> Iterator[StoredDocument]: ...
    def kept_records(self) -> KeptRecords: ...
    def put_kept_records(self, kept: KeptRecords) -> None: ...
    def checksums(self) -> dict[str, str]: ...
    def fresh(self) -> Self:
        """An empty archive of the same backend beside this one (reindex, copy)."""
        ...

    def replace_with(self, fresh: Self) -> None:
        """Swap ``fresh`` (from :meth:`fresh` of this store) in for this archive."""
        ...


def is_server_url(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


def open_store(
    location: str, principal: Principal, *, create: bool = True, read_only: bool = False
) -> Store:
    """The store at ``location``: a PostgreSQL URL or an SQLite file path.
    ``create=False``: refuse (ArchiveNotFound) an archive that does not exist;
    ``read_only``: refuse every write (ReadOnlyArchive) — searching and
    reading still work, audited reads do not (SQLite files or folders that
    cannot be written are opened so by themselves)."""
    if is_server_url(location):
        from cablegram.archive.postgres import PostgresStore

        return PostgresStore(location, principal, create=create, read_only=read_only)
    from cablegram.archive.sqlite import SQLiteStore

    return SQLiteStore(location, principal, create=create, read_only=read_only)
