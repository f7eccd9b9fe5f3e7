"""Declassification review over an archive: the queue, decisions, the report.

The model is :mod:`cablegram.access.declass`; this module keeps its records
through the store (``Store.decisions``).  A decision is a record (history
kept; the newest for a cable id is in force).  Applying it publishes the
cable's public view (``Store.publish``: the view's text is indexed on its
own, and the cable is marked released) in the same transaction as the
decision, so a reader sees exactly what was released from the moment it is
recorded.  The view is re-applied whenever the cable's fields are rewritten
(re-ingest, reindex).
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
from cablegram.archive.records import PUBLIC_VIEW, view_record
from cablegram.archive.store import Store
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


def _decision(row: dict[str, Any]) -> Decision:
    return Decision(row["cable_id"], Action(row["action"]), row["reason"], row["who"],
                    date.fromisoformat(row["decided_on"]), Classification(row["level"]),
                    bool(row["sbu"]))  # fmt: skip


class Review:
    """``archive.review``: declassification work on one archive, as one reader."""

    def __init__(self, store: Store, audit: AuditLog, interface: str) -> None:
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
        return [_decision(r) for r in self.store.decisions.history(str(cable.id))]

    def due(self, on: date | None = None, *, limit: int = 100) -> Iterator[DueItem]:
        """Cables due for review or declassified on ``on``, with no decision yet,
        oldest review date first."""
        on = on or date.today()
        found = 0
        for cid, created, cls, origin, subject, data in self.store.decisions.due(on.isoformat()):
            status = declass_status(from_dict(data), on)
            if status.status in QUEUE_STATES:
                yield DueItem(cid, created, cls, origin, subject, status)
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
        with self.store.transaction():
            self.store.decisions.add({
                "cable_id": decision.cable_id, "action": decision.action.value,
                "reason": decision.reason, "who": decision.who,
                "decided_on": decision.when.isoformat(), "level": level.value, "sbu": int(sbu),
                "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            })  # fmt: skip
            self.apply(decision.cable_id)
            self.audit.record(who.name, self.interface, "declass-decide", decision.cable_id,
                              decision=decision.action.value, reason=decision.reason,
                              level=level.value, sbu=sbu)  # fmt: skip
        return decision

    def in_force(self, cable_id: str) -> Decision | None:
        row = self.store.decisions.in_force(cable_id.upper())
        return None if row is None else _decision(row)

    def apply_each(self, cable_ids: list[str]) -> None:
        """``apply`` for the cables of a batch an ingest wrote: most have no
        decision, and one query finds the few that have, where asking for
        each cable cost PostgreSQL two round trips a cable."""
        for cable_id in self.store.decisions.decided(cable_ids):
            self.apply(cable_id)

    def apply(self, cable_id: str) -> None:
        """(Re)publish the public view of a cable from the decision in force.

        Runs inside the caller's write transaction; reads the stored cable
        whoever is reading (the archive writes)."""
        decision = self.in_force(cable_id)
        if decision is None:
            return
        data = self.store.stored_cable(cable_id)
        if data is None:
            return
        view = public_view(from_dict(data), decision) if decision.releases else None
        self.store.publish(cable_id, None if view is None else view_record(view, PUBLIC_VIEW))

    # -- reporting --
    def report(self, *, size: int = 20) -> dict[str, Any]:
        """Classified cables by year, origin and tag: released in full, in
        part, exempted, still closed (no release decision)."""
        return self.store.decisions.report(size)
