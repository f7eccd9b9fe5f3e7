"""The append-only audit log: reads of classified cables, decisions, account changes.

Entries are only ever appended: each backend refuses any change or removal
of one inside the database (triggers, rules), and ``reindex`` and ``copy``
carry the log over.

Two kinds of entry are written two ways.  An *act* (a decision, an account
change, a release) joins the transaction of what it records: both happen or
neither.  A *read* of a restricted cable is recorded as it happens and must
never wait for a writer: a reader is not made to wait for an ingest batch
(the SQLite backend keeps reads in a file of their own beside the archive,
so they never need the archive's write lock; see ``AuditStore.append_read``).
Entries never hold secrets (no passwords, no cable text): who, from which
interface, what action, on what, when, and a small JSON detail.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cablegram.archive.store import AuditStore

__all__ = ["READ_ACTIONS", "AuditEntry", "AuditLog"]

# Actions that record a read (AuditStore.append_read), not an act.
READ_ACTIONS = ("read", "read-copies")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: str
    who: str
    interface: str
    action: str
    target: str | None
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


class _EntryClock:
    """Entry times in microseconds, strictly increasing within a process.

    Acts and reads live in different tables (on SQLite, different files) and
    are merged by time: two entries one after the other in the same
    millisecond (a decision, then the read it allows) must not come back in
    either order."""

    def __init__(self) -> None:
        self._last = datetime.min.replace(tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            now = max(datetime.now(UTC), self._last + timedelta(microseconds=1))
            self._last = now
        return now.isoformat(timespec="microseconds")


_entry_time = _EntryClock()


class AuditLog:
    """``archive.audit``: record and query."""

    def __init__(self, store: AuditStore) -> None:
        self.store = store

    def record(
        self,
        who: str,
        interface: str,
        action: str,
        target: str | None = None,
        **detail: Any,
    ) -> None:
        """Append one entry: an act in the caller's transaction if one is open,
        a read (:data:`READ_ACTIONS`) at once, without waiting for writers."""
        row = {
            "at": _entry_time(), "who": who,
            "interface": interface, "action": action, "target": target,
            "detail": json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
        }  # fmt: skip
        if action in READ_ACTIONS:
            self.store.append_read(row)
        else:
            self.store.append(row)

    def query(
        self,
        *,
        who: str | None = None,
        action: str | None = None,
        target: str | None = None,
        interface: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Newest first; ``since``/``until`` are ISO dates or times (UTC)."""
        filters = {"who": who, "action": action, "interface": interface,
                   "target": target.upper() if target else None}  # fmt: skip
        rows = self.store.query({k: v for k, v in filters.items() if v}, since, until, limit)
        return [AuditEntry(r["at"], r["who"], r["interface"], r["action"], r["target"],
                           json.loads(r["detail"])) for r in rows]  # fmt: skip
