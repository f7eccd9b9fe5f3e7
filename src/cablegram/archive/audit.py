"""The append-only audit log: reads of classified cables, decisions, account changes.

Rows are only ever inserted: triggers in the archive schema abort any UPDATE
or DELETE on ``audit``, and ``reindex`` copies the log into the rebuilt file.
Entries never hold secrets (no passwords, no cable text): who, from which
interface, what action, on what, when, and a small JSON detail.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["AuditEntry", "AuditLog"]


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


class AuditLog:
    """``archive.audit``: record and query."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def record(
        self,
        who: str,
        interface: str,
        action: str,
        target: str | None = None,
        **detail: Any,
    ) -> None:
        """Append one entry (in the caller's transaction if one is open)."""
        self.conn.execute(
            "INSERT INTO audit (at, who, interface, action, target, detail) VALUES (?,?,?,?,?,?)",
            (datetime.now(UTC).isoformat(timespec="milliseconds"), who, interface, action, target,
             json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)),
        )  # fmt: skip

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
        where, params = ["1"], []
        for column, value in (("who", who), ("action", action), ("target", target),
                              ("interface", interface)):  # fmt: skip
            if value:
                where.append(f"{column} = ?")
                params.append(value.upper() if column == "target" else value)
        if since:
            where.append("at >= ?")
            params.append(since)
        if until:
            where.append("at < ?")
            params.append(until)
        rows = self.conn.execute(
            "SELECT at, who, interface, action, target, detail FROM audit"
            f" WHERE {' AND '.join(where)} ORDER BY rowid DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [AuditEntry(a, w, i, act, t, json.loads(d)) for a, w, i, act, t, d in rows]
