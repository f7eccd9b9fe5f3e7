"""The drafting, clearance and release workflow, enforced (NETWORK.md §2).

:class:`Network` is what the CLI, the HTTP API and the web pages call.  It is
typed against :class:`~cablegram.network.store.NetworkStore`, reads who a user
is from the directory (:class:`~cablegram.network.directory.Person`) and what
they may read from their archive account (a
:class:`~cablegram.access.principal.Principal`), and takes the time from a
clock it is given (the real one by default, a fixed one in tests and replays).

Every refusal is a :class:`Refused` with a message that says what is wrong and
what would make it right; nothing is consumed by a refused release.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from cablegram.access.policy import may_read
from cablegram.access.principal import Principal
from cablegram.format.render import created_datetime
from cablegram.format.validate import ERROR, Finding, validate
from cablegram.model import Cable, Classification, Station
from cablegram.network import clearance as _clearance
from cablegram.network import drafts as _drafts
from cablegram.network.clearance import FULL, MODES, Clearance, Requirement
from cablegram.network.defaults import default_directory
from cablegram.network.directory import (
    APPROVER,
    CLEARER,
    DRAFTER,
    Directory,
    Person,
    entry_key,
)
from cablegram.network.drafts import (
    CORRECT,
    DRAFT,
    RELEASED,
    REPEAT,
    REPLY,
    SUBMITTED,
    WITHDRAWN,
    ClearanceRequest,
    Draft,
)
from cablegram.network.release import (
    DEFAULT_SECTION_LIMIT,
    Assembled,
    ReleaseError,
    assemble,
    dtg_time,
    numbered_addressees,
)
from cablegram.network.rules import check_draft
from cablegram.network.store import Event, NetworkStore, ReleaseRecord

__all__ = [
    "DraftView",
    "Network",
    "Refused",
    "ReleaseListener",
    "ReleasePlan",
    "Released",
    "clock_from_env",
    "parse_time",
]


class Refused(PermissionError):
    """A workflow step that may not be done; ``reason`` is a stable word for programs."""

    def __init__(self, reason: str, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.detail = detail

    def to_dict(self) -> dict[str, Any]:
        return {"refused": self.reason, "message": self.message, **self.detail}


@dataclass(frozen=True)
class Released:
    """What a release hands on (to delivery): the record, the cable as the
    archive keeps it, and its transmissions (one per section) as sent."""

    record: ReleaseRecord
    cable: Cable
    sections: tuple[Cable, ...]
    telegram: str


ReleaseListener = Callable[[Released], None]


def utc_now() -> datetime:
    return datetime.now(UTC)


CLOCK_VARIABLE = "CABLEGRAM_NOW"


def parse_time(value: str) -> datetime:
    """An ISO time (``2006-05-15T02:25Z``; no offset: UTC) as an aware UTC datetime."""
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r}: use an ISO time such as 2006-05-15T02:25Z") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def clock_from_env(env: Mapping[str, str] | None = None) -> Callable[[], datetime] | None:
    """A clock fixed at ``$CABLEGRAM_NOW`` when it is set (training, replays,
    tests), else None."""
    value = (os.environ if env is None else env).get(CLOCK_VARIABLE, "").strip()
    if not value:
        return None
    try:
        fixed = parse_time(value)
    except ValueError as err:
        raise ValueError(f"{CLOCK_VARIABLE}={err}") from None
    return lambda: fixed


@dataclass(frozen=True)
class DraftView:
    """A draft with what the workflow knows about it now."""

    draft: Draft
    findings: list[Finding]
    required: list[Requirement]
    clearances: list[Clearance]  # those of the current version
    events: list[Event]

    @property
    def missing(self) -> list[Requirement]:
        return _clearance.missing(self.required, self.clearances, self.draft.version)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.draft.to_dict(),
            "findings": [_finding_dict(f) for f in self.findings],
            "required": [r.to_dict() for r in self.required],
            "missing": [r.to_dict() for r in self.missing],
            "clearances": [c.to_dict() for c in self.clearances],
            "events": [e.to_dict() for e in self.events],
        }


@dataclass(frozen=True)
class ReleasePlan:
    """What release would assign now (the release page shows it before the act)."""

    draft: Draft
    assembled: Assembled
    refusals: list[Refused]

    def to_dict(self) -> dict[str, Any]:
        c = self.assembled.cable
        return {
            "draft": self.draft.id,
            "id": c.id,
            "mrn": f"{c.origin} {c.serial:06d}" if c.serial is not None else None,
            "dtg": c.header.dtg if c.header else None,
            "de": _de_line(c),
            "security": c.header.security if c.header else None,
            "routing_indicators": list(c.header.relay.routing_indicators)
            if c.header and c.header.relay
            else [],
            "numbers": {a.name: a.serial for a in (*c.to, *c.info) if a.serial is not None},
            "sections": len(self.assembled.sections),
            "telegram": self.assembled.telegram,
            "refusals": [r.to_dict() for r in self.refusals],
        }


def _de_line(c: Cable) -> str | None:
    h = c.header
    if h is None:
        return None
    return f"DE {h.originator} #{h.station_serial:04d} {h.filed}"


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity,
        "message": f.message,
        "line": f.line,
        "field": f.field,
    }


class Network:
    """The workflow over one store (see the module docstring)."""

    def __init__(
        self,
        store: NetworkStore,
        *,
        principal_of: Callable[[str], Principal | None],
        clock: Callable[[], datetime] = utc_now,
        section_limit: int = DEFAULT_SECTION_LIMIT,
    ) -> None:
        self.store = store
        self.principal_of = principal_of
        self.clock = clock
        self.section_limit = section_limit
        self._directory: Directory | None = None
        self._listeners: builtins.list[tuple[ReleaseListener, bool]] = []

    def on_release(self, listener: ReleaseListener, *, in_transaction: bool = False) -> None:
        """Call ``listener`` with every :class:`Released` cable: by default
        once the release is committed (a listener's error then reaches the
        releaser, and the release stands); ``in_transaction``: inside the
        release's transaction, after its record is written — what the
        listener writes through the same store commits with the release, and
        its error rolls the whole release back (nothing consumed).  This is
        how a release hands the cable to delivery."""
        self._listeners.append((listener, in_transaction))

    # -- the directory --
    @property
    def directory(self) -> Directory:
        """The directory in the store; the shipped one is loaded on first use."""
        if self._directory is None:
            if not self.store.directory_loaded():
                self.load_default_directory()
            cached = getattr(self.store, "cached_directory", None)  # an archive's: kept
            self._directory = cached() if cached else Directory.of(*self.store.load_directory())
        return self._directory

    def load_default_directory(self) -> None:
        d = default_directory()
        with self.store.transaction():
            for s in d.stations.values():
                self.store.put_station(s)
            for c in d.collectives.values():
                self.store.put_collective(c)
            for o in d.offices.values():
                self.store.put_office(o)
            for r in d.relays.values():
                self.store.put_relay(r)
            self.store.mark_directory_loaded()
        self._directory = None

    def put(self, user: str, *entries: Any) -> None:
        """Add or replace directory entries (stations, collectives, offices, people, relays)."""
        put: dict[str, Callable[[Any], None]] = {
            "station": self.store.put_station,
            "collective": self.store.put_collective,
            "office": self.store.put_office,
            "person": self.store.put_person,
            "relay": self.store.put_relay,
        }
        self.directory  # noqa: B018 - the shipped directory first, so these override it
        with self.store.transaction():
            for e in entries:
                kind, key = entry_key(e)
                put[kind](e)
                self.store.audit(f"directory.{kind}", user, key, {})
        self._directory = None

    def remove(self, user: str, kind: str, key: str) -> bool:
        self.directory  # noqa: B018
        with self.store.transaction():
            done = self.store.remove_entry(kind, key)
            if done:
                self.store.audit(f"directory.{kind}.remove", user, key, {})
        self._directory = None
        return done

    # -- who is acting --
    def _person(self, user: str, role: str | None = None) -> Person:
        person = self.directory.person(user)
        if person is None:
            raise Refused(
                "unknown-person",
                f"{user} is not in the network directory "
                f"(add them: cablegram person add {user} --station ... --office ...)",
            )
        if role is not None and not person.has(role):
            raise Refused(
                "role",
                f"{user} is not a {role} (roles: {', '.join(sorted(person.roles)) or 'none'})",
            )
        return person

    def _principal(self, user: str) -> Principal:
        principal = self.principal_of(user)
        if principal is None:
            raise Refused("unknown-user", f"{user} has no archive account")
        return principal

    def _draft(self, draft_id: int, user: str, *, unread: bool = False) -> Draft:
        """The draft, if ``user`` may read it (a draft they may not read does not
        exist for them); ``unread``: also when not, for the acts that refuse a
        reader who cannot read it by saying so (clear, release)."""
        draft = self.store.get_draft(draft_id)
        if draft is None or not (unread or self._may_read(user, draft)):
            raise Refused("not-found", f"no draft {draft_id}")
        return draft

    def _may_read(self, user: str, draft: Draft) -> bool:
        principal = self.principal_of(user)
        if principal is None:
            return False
        return draft.drafter == user or may_read(principal, draft.cable)

    def now(self) -> datetime:
        return self.clock()

    # -- drafts --
    def findings(self, draft: Draft) -> builtins.list[Finding]:
        """Validation of a draft: the format's release rules and the network's."""
        return check_draft(
            draft.cable,
            self.directory,
            self.now().date(),
            drafter=self.principal_of(draft.drafter),
            person=self.directory.person(draft.drafter),
        )

    def check(self, user: str, cable: Cable) -> builtins.list[Finding]:
        """Findings on a cable ``user`` is drafting (the form's live validation)."""
        cable = _drafts.draft_cable(cable, keep_source=True)
        person = self.directory.person(user)
        if cable.from_ is None and person is not None:
            cable = replace(cable, from_=_station_of(person))
        return self.findings(Draft(_with_origin(cable, self.directory), user))

    def preview(self, user: str, cable: Cable) -> Assembled:
        """The telegram a cable ``user`` is drafting would be sent as now (the
        counters' next values read, not taken); Refused when it cannot be
        assembled (no originator in the directory, say)."""
        self._person(user)
        draft = Draft(_with_origin(_drafts.draft_cable(cable), self.directory), user)
        return self._assemble(draft, peek=True)

    def view(self, draft: Draft) -> DraftView:
        required = _clearance.required(
            draft.cable, self.directory, self.now().date(), draft.requested
        )
        # Release moved the version on (a state change, not an edit): the
        # clearances shown are those of the text released.
        text = draft.version - 1 if draft.state == RELEASED else draft.version
        current = [c for c in self.store.clearances(draft.id or 0) if c.version == text]
        return DraftView(
            draft, self.findings(draft), required, current, self.store.events(draft.id or 0)
        )

    def show(self, user: str, draft_id: int) -> DraftView:
        return self.view(self._draft(draft_id, user))

    def list(self, user: str, *, state: str | None = None) -> builtins.list[Draft]:
        return [d for d in self.store.list_drafts(state=state) if self._may_read(user, d)]

    def queue(self, user: str) -> builtins.list[DraftView]:
        """Submitted drafts waiting for a clearance from ``user``'s office."""
        person = self._person(user)
        out = []
        for d in self.store.list_drafts(state=SUBMITTED):
            if not self._may_read(user, d):
                continue
            v = self.view(d)
            if any(r.key == (person.station, person.office) for r in v.missing):
                out.append(v)
        return out

    def _event(self, draft: Draft, action: str, user: str, **detail: Any) -> None:
        at = self.now().isoformat(timespec="seconds")
        self.store.add_event(Event(draft.id or 0, action, user, at, draft.version, detail))
        self.store.audit(
            f"draft.{action}", user, f"draft:{draft.id}", {"version": draft.version, **detail}
        )

    def create(
        self,
        user: str,
        cable: Cable,
        *,
        requested: Iterable[ClearanceRequest] = (),
        kind: str = _drafts.NEW,
        basis: str | None = None,
    ) -> Draft:
        """A new draft by ``user`` (a drafter in the directory)."""
        person = self._person(user, DRAFTER)
        cable = _drafts.draft_cable(cable, keep_source=True)
        if cable.from_ is None:
            cable = replace(cable, from_=_station_of(person), origin=None)
        cable = _with_origin(cable, self.directory)
        at = self.now().isoformat(timespec="seconds")
        draft = Draft(
            cable, user, kind=kind, basis=basis, requested=tuple(requested), created=at, updated=at
        )
        with self.store.transaction():
            draft = self.store.add_draft(draft)
            self._event(draft, "created", user, kind=kind, **({"basis": basis} if basis else {}))
        return draft

    def edit(
        self,
        user: str,
        draft_id: int,
        *,
        version: int,
        cable: Cable | None = None,
        requested: Iterable[ClearanceRequest] | None = None,
    ) -> Draft:
        """Change a draft based on ``version``; refused when it moved on since (the edit
        is not lost: the caller still has it).  Its clearances are cleared."""
        draft = self._draft(draft_id, user)
        if draft.drafter != user:
            raise Refused(
                "not-drafter", f"only the drafter ({draft.drafter}) edits draft {draft_id}"
            )
        if not draft.editable:
            raise Refused("state", f"draft {draft_id} is {draft.state}: it can no longer be edited")
        changed = draft
        if cable is not None:
            changed = replace(
                changed,
                cable=_with_origin(_drafts.draft_cable(cable, keep_source=True), self.directory),
            )
        if requested is not None:
            changed = replace(changed, requested=tuple(requested))
        changed = replace(changed, updated=self.now().isoformat(timespec="seconds"))
        with self.store.transaction():
            had = [c for c in self.store.clearances(draft_id) if c.version == version]
            stored = self.store.update_draft(changed, version)
            self._event(stored, "edited", user, **({"clearances_cleared": len(had)} if had else {}))
        return stored

    def _transition(self, user: str, draft_id: int, action: str, to: str, **detail: Any) -> Draft:
        draft = self._draft(draft_id, user)
        with self.store.transaction():
            stored = self.store.update_draft(replace(draft, state=to), draft.version)
            # A state change is no edit: the clearances given stay with the text.
            self._event(stored, action, user, **detail)
        return stored

    def submit(self, user: str, draft_id: int) -> Draft:
        """Send a draft for clearance and approval."""
        draft = self._draft(draft_id, user)
        if draft.drafter != user:
            raise Refused(
                "not-drafter", f"only the drafter ({draft.drafter}) submits draft {draft_id}"
            )
        if draft.state != DRAFT:
            raise Refused("state", f"draft {draft_id} is {draft.state}, not draft")
        errors = [f for f in self.findings(draft) if f.severity == ERROR]
        if errors:
            raise Refused(
                "invalid",
                f"draft {draft_id} has {len(errors)} error(s): {_first(errors)}",
                findings=[_finding_dict(f) for f in errors],
            )
        return self._transition(user, draft_id, "submitted", SUBMITTED)

    def withdraw(self, user: str, draft_id: int) -> Draft:
        draft = self._draft(draft_id, user)
        if draft.drafter != user:
            raise Refused(
                "not-drafter", f"only the drafter ({draft.drafter}) withdraws draft {draft_id}"
            )
        if not draft.editable:
            raise Refused("state", f"draft {draft_id} is {draft.state}: it cannot be withdrawn")
        return self._transition(user, draft_id, "withdrawn", WITHDRAWN)

    def return_(self, user: str, draft_id: int, comment: str) -> Draft:
        """A clearer or approver sends a submitted draft back to its drafter."""
        person = self._person(user)
        if not (person.has(CLEARER) or person.has(APPROVER)):
            raise Refused("role", f"{user} neither clears nor approves")
        draft = self._draft(draft_id, user)
        if draft.state != SUBMITTED:
            raise Refused("state", f"draft {draft_id} is {draft.state}, not submitted")
        if not comment.strip():
            raise Refused("comment", "a returned draft says why (--comment)")
        return self._transition(user, draft_id, "returned", DRAFT, comment=comment)

    def clear(
        self,
        user: str,
        draft_id: int,
        *,
        mode: str = FULL,
        comment: str = "",
        office: str | None = None,
    ) -> Clearance:
        """Clear a submitted draft for ``user``'s office (``mode``: full, draft, subst)."""
        person = self._person(user, CLEARER)
        if mode not in MODES:
            raise Refused("mode", f"unknown clearance mode {mode!r} (use {', '.join(MODES)})")
        draft = self._draft(draft_id, user, unread=True)
        if draft.state != SUBMITTED:
            raise Refused(
                "state", f"draft {draft_id} is {draft.state}: only submitted drafts are cleared"
            )
        if draft.drafter == user:
            raise Refused("self-clearance", f"{user} drafted draft {draft_id} and cannot clear it")
        if not may_read(self._principal(user), draft.cable):
            raise Refused(
                "cannot-read", f"{user} may not read draft {draft_id} and cannot clear it"
            )
        symbol = (office or person.office).upper().replace(" ", "")
        if symbol != person.office:
            raise Refused("office", f"{user} belongs to {person.office}, not {symbol}")
        c = Clearance(
            draft_id, draft.version, person.station, person.office, user, mode, comment,
            self.now().isoformat(timespec="seconds"),
        )  # fmt: skip
        with self.store.transaction():
            current = self.store.get_draft(draft_id)
            if current is None or current.version != draft.version:
                raise Refused(
                    "stale", f"draft {draft_id} changed while it was being cleared: read it again"
                )
            self.store.add_clearance(c)
            self._event(draft, "cleared", user, office=person.office, mode=mode, comment=comment)
        return c

    # -- starting from a released cable --
    def _released(self, cable_id: str, user: str) -> Cable:
        cable = self.store.released_cable(cable_id)
        if cable is None or not may_read(self._principal(user), cable):
            raise Refused("not-found", f"no cable {cable_id}")
        return cable

    def reply(self, user: str, cable_id: str) -> Draft:
        person = self._person(user, DRAFTER)
        original = self._released(cable_id, user)
        cable = _drafts.reply(original, _station_of(person), self.now().replace(tzinfo=None))
        return self.create(user, cable, kind=REPLY, basis=original.id)

    def repeat(self, user: str, cable_id: str, to: Iterable[str]) -> Draft:
        person = self._person(user, DRAFTER)
        original = self._released(cable_id, user)
        cable = _drafts.repeat(original, _station_of(person), to, self.now().replace(tzinfo=None))
        return self.create(user, cable, kind=REPEAT, basis=original.id)

    def correct(self, user: str, cable_id: str, reason: str) -> Draft:
        person = self._person(user, DRAFTER)
        original = self._released(cable_id, user)
        if original.from_ is None or original.from_.name != person.station:
            raise Refused(
                "station", f"{cable_id} was sent by another station: only its sender corrects it"
            )
        return self.create(user, _drafts.correct(original, reason), kind=CORRECT, basis=original.id)

    # -- release --
    def _refusals(
        self, user: str, draft: Draft, findings: builtins.list[Finding]
    ) -> builtins.list[Refused]:
        """Every reason release of ``draft`` by ``user`` is refused (empty: it may go)."""
        out: builtins.list[Refused] = []
        person = self.directory.person(user)
        if person is None or not person.has(APPROVER):
            out.append(Refused("not-approver", f"{user} is not an approving officer"))
        if draft.state != SUBMITTED:
            out.append(Refused("state", f"draft {draft.id} is {draft.state}, not submitted"))
        if draft.drafter == user:
            out.append(
                Refused(
                    "self-approval",
                    f"{user} drafted draft {draft.id}: the approver may not be the drafter",
                )
            )
        principal = self.principal_of(user)
        if principal is None or not may_read(principal, draft.cable):
            out.append(Refused("cannot-read", f"{user} may not read draft {draft.id}"))
        if person is not None and person.has(APPROVER):
            out += _authority(user, person, draft.cable)
        errors = [f for f in findings if f.severity == ERROR]
        if errors:
            out.append(
                Refused(
                    "invalid",
                    f"draft {draft.id} does not validate: {_first(errors)}",
                    findings=[_finding_dict(f) for f in errors],
                )
            )
        missing = self.view(draft).missing
        if missing:
            names = ", ".join(f"{r.office} ({r.reason})" for r in missing)
            out.append(
                Refused(
                    "missing-clearance",
                    f"draft {draft.id} lacks required clearance(s): {names}",
                    missing=[r.to_dict() for r in missing],
                )
            )
        return out

    def plan(self, user: str, draft_id: int) -> ReleasePlan:
        """What release would assign now, and what would refuse it (nothing is consumed)."""
        draft = self._draft(draft_id, user)
        refusals = self._refusals(user, draft, self.findings(draft))
        assembled = self._assemble(draft, peek=True)
        return ReleasePlan(draft, assembled, refusals)

    def release(self, user: str, draft_id: int) -> ReleaseRecord:
        """Release a draft: assign its numbers and times, render it, store it in the
        archive with its release record, all in one transaction; refused (and nothing
        consumed) on any of the reasons of :meth:`plan`."""
        draft = self._draft(draft_id, user, unread=True)
        refusals = self._refusals(user, draft, self.findings(draft))
        if refusals:
            raise refusals[0]
        with self.store.transaction():
            current = self.store.get_draft(draft_id)
            if current is None or current.version != draft.version or current.state != SUBMITTED:
                raise Refused(
                    "stale", f"draft {draft_id} changed while it was being released: read it again"
                )
            assembled = self._assemble(draft, peek=False)
            errors = [f for f in validate(assembled.cable) if f.severity == ERROR]
            if errors:
                raise Refused(
                    "invalid",
                    f"the released cable would not validate: {_first(errors)}",
                    findings=[_finding_dict(f) for f in errors],
                )
            cable = assembled.cable
            clearances = [c for c in self.store.clearances(draft_id) if c.version == draft.version]
            record = ReleaseRecord(
                cable_id=cable.id or "",
                draft=draft_id,
                origin=cable.origin or "",
                serial=cable.serial or 0,
                year=cable.year or 0,
                dtg=cable.header.dtg if cable.header and cable.header.dtg else "",
                drafted_by=draft.drafter,
                cleared_by=tuple(c.label() for c in clearances),
                approved_by=user,
                released_at=self.now().isoformat(timespec="seconds"),
                numbers={
                    a.name: a.serial for a in (*cable.to, *cable.info) if a.serial is not None
                },
            )
            self.store.store_cable(cable, assembled.telegram)
            self.store.put_release(record)
            done = self.store.update_draft(
                replace(draft, state=RELEASED, released_as=cable.id), draft.version
            )
            self._event(done, "released", user, cable=cable.id, serial=cable.serial)
            released = Released(record, cable, assembled.sections, assembled.telegram)
            for listener, inside in self._listeners:
                if inside:
                    listener(released)
        for listener, inside in self._listeners:
            if not inside:
                listener(released)
        return record

    def _assemble(self, draft: Draft, *, peek: bool) -> Assembled:
        """Assemble ``draft``: with the counters' next values (``peek``: read, not taken)."""
        now = self.now()
        cable = draft.cable
        if draft.kind == CORRECT and draft.basis:
            original = self.store.released_cable(draft.basis)
            record = self.store.release_of(draft.basis)
            when = created_datetime(original) if original is not None else None
            if original is None or original.serial is None or when is None:
                raise Refused(
                    "not-found", f"the corrected cable {draft.basis} is not in the archive"
                )
            numbers = record.numbers if record is not None else {
                a.name: a.serial for a in (*original.to, *original.info) if a.serial is not None
            }  # fmt: skip
            return self._assembled(cable, original.serial, when, numbers, filed=now, corrected=True)
        station = self.directory.station(cable.from_.name) if cable.from_ else None
        if station is None:
            raise Refused("invalid", f"draft {draft.id} has no originator in the directory")
        when = dtg_time(now)
        addressees = numbered_addressees(cable, self.directory, when.date())
        if peek:
            serial = self.store.last_serial(station.origin, when.year) + 1
            numbers = {a: self.store.last_number(station.origin, a) % 9999 + 1 for a in addressees}
        else:
            serial = self.store.next_serial(station.origin, when.year)
            numbers = {a: self.store.next_number(station.origin, a) for a in addressees}
        return self._assembled(cable, serial, when, numbers)

    def _assembled(
        self, cable: Cable, serial: int, when: datetime, numbers: dict[str, int], **kw: Any
    ) -> Assembled:
        try:
            return assemble(
                cable, self.directory, serial=serial, when=when, numbers=numbers,
                section_limit=self.section_limit, **kw,
            )  # fmt: skip
        except ReleaseError as err:
            raise Refused("invalid", str(err)) from None

    def set_serial(self, user: str, origin: str, year: int, last: int) -> int:
        """Set where an origin's series stands (the last serial used), e.g. when
        a station moves its numbering to cablegram; it only moves forward (a
        serial is never reused).  Returns where it stood."""
        origin = origin.upper()
        with self.store.transaction():
            current = self.store.last_serial(origin, year)
            if last < current:
                raise Refused(
                    "serial-backwards",
                    f"{origin} {year} stands at {current}: a serial is never reused, "
                    f"so the series cannot go back to {last}",
                )
            self.store.set_serial(origin, year, last)
            self.store.audit("serial.set", user, f"{origin}/{year}", {"from": current, "to": last})
        return current

    def release_record(self, cable_id: str) -> ReleaseRecord | None:
        return self.store.release_of(cable_id)


def _first(findings: list[Finding]) -> str:
    f = findings[0]
    where = f" ({f.field})" if f.field else ""
    more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
    return f"{f.code} {f.message}{where}{more}"


def _authority(user: str, person: Person, cable: Cable) -> list[Refused]:
    a = person.authority
    origin = cable.origin or ""
    level = cable.classification or Classification.UNCLASSIFIED
    if a is None:
        return [Refused("no-authority", f"{user} holds no release authority")]
    out = []
    if origin not in a.origins:
        out.append(
            Refused(
                "no-authority",
                f"{user} may not release {origin} cables (may release: {', '.join(sorted(a.origins)) or 'none'})",
            )
        )
    if level.rank > a.classification.rank:
        out.append(
            Refused(
                "no-authority",
                f"{user} may release up to {a.classification.value}, not {level.value}",
            )
        )
    extra = sorted(set(cable.captions) - a.captions)
    if extra:
        out.append(
            Refused("no-authority", f"{user} may not release cables captioned {', '.join(extra)}")
        )
    return out


def _station_of(person: Person) -> Station:
    return Station(person.station)


def _with_origin(cable: Cable, directory: Directory) -> Cable:
    """The origin token of the draft's originator, from the directory."""
    if cable.from_ is None:
        return cable
    station = directory.station(cable.from_.name)
    return replace(cable, origin=station.origin) if station is not None else cable
