"""Declassification status of a cable on a day, release decisions, the public view.

The model (docs/access.md has examples):

* The E.O. line gives an instruction (:mod:`cablegram.access.eo_line`): a date,
  an event, OADR/MR, exemption codes, an E.O. 11652 GDS schedule (computed from
  the level), an E.O. 12065 review date, or an archival "declassified" note.
* The 25-year automatic date is 31 December of the year 25 years after the
  cable was created (E.O. 12958 §3.4 / E.O. 13526 §3.3 count to year end).
  It is the date a cable becomes *due for review* — a publishing candidate,
  not a legal determination (FORMAT §5).
* Status on a day, first match wins:
  ``unclassified`` (never classified); ``declassified`` (archival note, or the
  instructed date has passed); ``exempted`` (a 25X/50X code: exempt from
  automatic declassification); ``due-for-review`` (a review date or the
  25-year date has passed); ``exempted`` (X1-X8 / XGDS codes before then);
  otherwise ``classified``.
* Declassification alone publishes nothing: the public sees a classified
  cable only through a :class:`Decision` (``release`` or ``release-in-part``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cablegram.access.eo_line import Instruction, exemptions, read_instruction
from cablegram.access.policy import may_read
from cablegram.access.principal import PUBLIC
from cablegram.access.redact import redact
from cablegram.model import Cable, Classification

__all__ = [
    "Action",
    "Decision",
    "DeclassState",
    "DeclassStatus",
    "automatic_date",
    "declass_status",
    "public_view",
]

AUTOMATIC_YEARS = 25


class DeclassState(StrEnum):
    UNCLASSIFIED = "unclassified"
    CLASSIFIED = "classified"
    DUE_FOR_REVIEW = "due-for-review"
    DECLASSIFIED = "declassified"
    EXEMPTED = "exempted"


@dataclass(frozen=True, slots=True)
class DeclassStatus:
    """``date`` is when the status began (declassified, due-for-review) or the
    next date it changes (classified: scheduled declassification or review;
    exempted: the next review date when known)."""

    status: DeclassState
    date: date | None
    basis: str
    exemptions: tuple[str, ...] = ()


def automatic_date(cable: Cable) -> date | None:
    """31 December of the year 25 years after creation; None if the year is unknown."""
    year = cable.year
    return date(year + AUTOMATIC_YEARS, 12, 31) if year is not None else None


def _order(i: Instruction) -> str:
    return f"E.O. {i.order}" if i.order else "E.O. line"


def _instruction_basis(i: Instruction) -> str:
    if i.kind == "event":
        return f"{_order(i)} declassify on event: {i.event}"
    if i.kind in ("oadr", "mr"):
        return f"{_order(i)} {i.kind.upper()}: no date set"
    if i.kind == "none":
        return f"{_order(i)}: no declassification instruction"
    return f"{_order(i)} {i.kind}"


def declass_status(cable: Cable, on: date) -> DeclassStatus:
    """Where ``cable`` stands on day ``on`` (see the module docstring)."""
    i = read_instruction(cable)
    auto = automatic_date(cable)
    codes = i.exemptions
    if cable.classification is Classification.UNCLASSIFIED:
        return DeclassStatus(DeclassState.UNCLASSIFIED, None, "unclassified when written")
    if i.kind == "declassified":
        return DeclassStatus(DeclassState.DECLASSIFIED, i.declassify_on, "archival note", codes)
    if i.declassify_on is not None and on >= i.declassify_on:
        basis = f"{_order(i)} {'GDS schedule' if i.kind == 'gds' else 'DECL date'}"
        return DeclassStatus(DeclassState.DECLASSIFIED, i.declassify_on, basis, codes)
    kinds = {exemptions()[c].kind for c in codes}
    if kinds & {"twenty-five-year", "fifty-year"}:
        basis = "exempt from automatic declassification: " + ", ".join(codes)
        return DeclassStatus(DeclassState.EXEMPTED, i.declassify_on, basis, codes)
    if i.review_on is not None and on >= i.review_on:
        basis = f"{_order(i)} review date"
        return DeclassStatus(DeclassState.DUE_FOR_REVIEW, i.review_on, basis, codes)
    if auto is not None and on >= auto:
        basis = f"{AUTOMATIC_YEARS}-year automatic declassification ({_instruction_basis(i)})"
        return DeclassStatus(DeclassState.DUE_FOR_REVIEW, auto, basis, codes)
    if codes:
        basis = "exempt from the declassification schedule: " + ", ".join(codes)
        return DeclassStatus(DeclassState.EXEMPTED, i.review_on or auto, basis, codes)
    basis = _instruction_basis(i)
    if i.downgrade is not None:
        level, when = i.downgrade
        basis += f"; downgrade to {level.value} on {when.isoformat()}"
    return DeclassStatus(
        DeclassState.CLASSIFIED, i.declassify_on or i.review_on or auto, basis, codes
    )


class Action(StrEnum):
    RELEASE = "release"
    RELEASE_IN_PART = "release-in-part"
    EXEMPT = "exempt"


@dataclass(frozen=True, slots=True)
class Decision:
    """A reviewer's decision on publishing one cable.

    ``reason`` is the authority cited for what stays closed (``1.4(d)``,
    ``25X6``) and is written in every withheld-portion notice.  For
    ``release-in-part``, portions above ``level`` are withheld, and SBU portions
    too unless ``sbu`` is True.
    """

    cable_id: str
    action: Action
    reason: str
    who: str
    when: date
    level: Classification = Classification.UNCLASSIFIED
    sbu: bool = False

    @property
    def releases(self) -> bool:
        """True when the public may see (part of) the cable: the archive's ``released``."""
        return self.action is not Action.EXEMPT


def public_view(cable: Cable, decision: Decision | None = None) -> Cable | None:
    """What the public sees of ``cable`` given the decision in force (None: nothing).

    Without a decision the public sees the cable only if the access rule lets
    the public reader read it (UNCLASSIFIED, no SBU, no controlling captions).
    An ``exempt`` decision keeps a classified cable closed; it cannot close a
    cable the rule already opens to the public (the SQL rule would not either).
    """
    if decision is not None and decision.cable_id != cable.id:
        raise ValueError(f"decision for {decision.cable_id} applied to {cable.id}")
    if decision is None or decision.action is Action.EXEMPT:
        return cable if may_read(PUBLIC, cable) else None
    if decision.action is Action.RELEASE:
        return cable
    view = redact(cable, decision.level, sbu=decision.sbu, reasons=decision.reason)
    if view is cable:
        return cable
    release = {
        **view.source.metadata["release"],
        "decision": decision.action.value,
        "reason": decision.reason,
        "who": decision.who,
        "when": decision.when.isoformat(),
    }
    return dataclasses.replace(
        view, source=dataclasses.replace(view.source, metadata={"release": release})
    )
