"""Declassification review over an archive: the queue, decisions, the report.

The model is :mod:`cablegram.access.declass`; this module keeps its records.
A decision is a row of ``decisions`` (history kept; the newest row for a
cable id is in force).  Applying it writes the cable's public view (level
``PUBLIC_VIEW`` of ``views``, its text indexed in ``fts_views``) and sets
``cables.released``, in the same transaction as the decision, so a reader
sees exactly what was released from the moment it is recorded.  The view is
re-applied whenever the cable's fields are rewritten (re-ingest, reindex).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cablegram.access.declass import (
    Action,
    Decision,
    DeclassState,
    DeclassStatus,
    declass_status,
    public_view,
)
from cablegram.archive.audit import AuditLog
from cablegram.archive.blobs import unpack_json
from cablegram.archive.records import PUBLIC_VIEW, view_record
from cablegram.archive.schema import transaction
from cablegram.archive.store import SQLiteStore
from cablegram.model import Cable, Classification, from_dict

__all__ = ["DueItem", "Review", "ReviewError"]

# Statuses that put a cable in the review queue: its date has come, and the
# public sees nothing until someone decides.
QUEUE_STATES = (DeclassState.DUE_FOR_REVIEW, DeclassState.DECLASSIFIED)


class ReviewError(PermissionError):
    """A review operation the reader may not do, or on an unknown cable."""


@dataclass(frozen=True, slots=True)
class DueItem:
    id: str
    created: str | None
    classification: str | None
    origin: str | None
    subject: str | None
    status: DeclassStatus

    def to_dict(self) -> dict[str, Any]:
        s = self.status
        return {
            "id": self.id, "created": self.created, "classification": self.classification,
            "origin": self.origin, "subject": self.subject, "status": s.status.value,
            "date": s.date.isoformat() if s.date else None, "basis": s.basis,
            "exemptions": list(s.exemptions),
        }  # fmt: skip


def _decision(row: tuple[Any, ...]) -> Decision:
    cable_id, action, reason, who, on, level, sbu = row
    return Decision(cable_id, Action(action), reason, who, date.fromisoformat(on),
                    Classification(level), bool(sbu))  # fmt: skip


class Review:
    """``archive.review``: declassification work on one archive, as one reader."""

    def __init__(self, store: SQLiteStore, audit: AuditLog, interface: str) -> None:
        self.store = store
        self.audit = audit
        self.interface = interface

    # -- reading --
    def _cable(self, cable_id: str) -> Cable:
        data = self.store.get(cable_id)
        if data is None:
            raise ReviewError(f"{cable_id}: not in the archive")
        return from_dict(data)

    def status(self, cable_id: str, on: date | None = None) -> DeclassStatus:
        return declass_status(self._cable(cable_id), on or date.today())

    def decisions(self, cable_id: str) -> list[Decision]:
        """Every decision on a visible cable, oldest first (the last is in force)."""
        cable = self._cable(cable_id)
        rows = self.store.conn.execute(
            "SELECT cable_id, action, reason, who, decided_on, level, sbu FROM decisions"
            " WHERE cable_id = ? ORDER BY rowid",
            (cable.id,),
        ).fetchall()
        return [_decision(r) for r in rows]

    def due(self, on: date | None = None, *, limit: int = 100) -> Iterator[DueItem]:
        """Cables due for review or declassified on ``on``, with no decision yet,
        oldest review date first."""
        on = on or date.today()
        vis, vp = self.store.scope()
        cur = self.store.conn.execute(
            "SELECT c.rowid, c.id, c.created, c.classification, c.origin, c.subject"
            " FROM cables c WHERE c.review_due <= ?"
            " AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.cable_id = c.id)"
            f"{vis} ORDER BY c.review_due, c.created, c.rowid",
            (on.isoformat(), *vp),
        )
        found = 0
        for rowid, cid, created, cls, origin, subject in cur.fetchall():
            blob = self.store.seen_data(rowid)
            if blob is None:
                continue
            status = declass_status(from_dict(unpack_json(blob)), on)
            if status.status in QUEUE_STATES:
                yield DueItem(cid, created, cls, origin, self.store.seen_subject(rowid, subject),
                              status)  # fmt: skip
                found += 1
                if found >= limit:
                    return

    # -- deciding --
    def decide(
        self,
        cable_id: str,
        action: str | Action,
        reason: str,
        *,
        level: Classification = Classification.UNCLASSIFIED,
        sbu: bool = False,
        on: date | None = None,
    ) -> Decision:
        """Record a decision (reviewers: archive owners) and apply it at once."""
        who = self.store.principal
        if not who.owner:
            raise ReviewError(f"{who.name} may not record declassification decisions")
        if not reason.strip():
            raise ReviewError("a decision needs a reason (the authority cited, e.g. 1.4(d))")
        cable = self._cable(cable_id)
        decision = Decision(str(cable.id), Action(action), reason.strip(), who.name,
                            on or date.today(), level, sbu)  # fmt: skip
        conn = self.store.conn
        with transaction(conn):
            conn.execute(
                "INSERT INTO decisions (cable_id, action, reason, who, decided_on, level, sbu,"
                " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (decision.cable_id, decision.action.value, decision.reason, decision.who,
                 decision.when.isoformat(), level.value, int(sbu),
                 datetime.now(UTC).isoformat(timespec="seconds")),
            )  # fmt: skip
            self.apply(decision.cable_id)
            self.audit.record(who.name, self.interface, "declass-decide", decision.cable_id,
                              decision=decision.action.value, reason=decision.reason,
                              level=level.value, sbu=sbu)  # fmt: skip
        return decision

    def in_force(self, cable_id: str) -> Decision | None:
        row = self.store.conn.execute(
            "SELECT cable_id, action, reason, who, decided_on, level, sbu FROM decisions"
            " WHERE cable_id = ? ORDER BY rowid DESC LIMIT 1",
            (cable_id.upper(),),
        ).fetchone()
        return None if row is None else _decision(row)

    def apply(self, cable_id: str, rowid: int | None = None) -> None:
        """(Re)write the public view of a cable from the decision in force.

        Runs inside the caller's write transaction; reads the stored cable
        directly (the archive writes, whoever is reading)."""
        conn = self.store.conn
        # Called for every cable an ingest writes: most have no decision.
        decision = self.in_force(cable_id)
        if decision is None:
            return
        if rowid is None:
            row = conn.execute("SELECT rowid FROM cables WHERE id = ?", (cable_id,)).fetchone()
            if row is None:
                return
            rowid = int(row[0])
        blob = conn.execute("SELECT data FROM cable_data WHERE rowid = ?", (rowid,)).fetchone()
        if blob is None:
            return
        cable = from_dict(unpack_json(blob[0]))
        view = public_view(cable, decision) if decision.releases else None
        if view is None:
            self.store.drop_views(rowid, PUBLIC_VIEW)
            conn.execute("UPDATE cables SET released = 0 WHERE rowid = ?", (rowid,))
            return
        self.store.put_view(rowid, view_record(view, PUBLIC_VIEW))
        conn.execute("UPDATE cables SET released = 1 WHERE rowid = ?", (rowid,))

    # -- reporting --
    def report(self, *, size: int = 20) -> dict[str, Any]:
        """Classified cables by year, origin and tag: released in full, in
        part, exempted, still closed (no release decision)."""
        vis, vp = self.store.scope()
        state = (
            "CASE (SELECT d.action FROM decisions d WHERE d.cable_id = c.id"
            " ORDER BY d.rowid DESC LIMIT 1)"
            " WHEN 'release' THEN 'released' WHEN 'release-in-part' THEN 'released_in_part'"
            " WHEN 'exempt' THEN 'exempted' ELSE 'closed' END"
        )
        base = f"FROM cables c WHERE c.class_rank > 0{vis}"
        groups = {
            "year": ("c.year", base, ""),
            "origin": ("c.origin", base, ""),
            "tag": ("t.value", base.replace("FROM cables c", "FROM cables c JOIN tags t"
                                                         " ON t.cable = c.rowid"), ""),
        }  # fmt: skip
        out: dict[str, Any] = {}
        totals = dict.fromkeys(("released", "released_in_part", "exempted", "closed"), 0)
        for st, n in self.store.conn.execute(f"SELECT {state}, count(*) {base} GROUP BY 1", vp):
            totals[st] = n
        out["total"] = totals
        for name, (key, frm, _) in groups.items():
            table: dict[str, dict[str, int]] = {}
            for value, st, n in self.store.conn.execute(
                f"SELECT {key}, {state}, count(*) {frm} GROUP BY 1, 2", vp
            ):
                row = table.setdefault(str(value) if value is not None else "(unknown)",
                                       dict.fromkeys(totals, 0))  # fmt: skip
                row[st] = n
            ranked = sorted(table.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
            if name == "year":
                ranked = sorted(table.items())
            out[f"by_{name}"] = [{name: k, **v} for k, v in ranked[: None if name == "year"
                                                                     else size]]  # fmt: skip
        return out
