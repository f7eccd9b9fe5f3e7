"""Typed shapes of the network's JSON API (drafts, clearance, release)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

CableJson = dict[str, Any]
CABLE_HELP = "The draft cable as schema JSON (cable.schema.json; no id, serial or header)."


class RefusedOut(BaseModel):
    error: str = Field(description="Why the step is refused, and what would make it right.")
    refused: str = Field(
        description="A stable word: missing-clearance, self-approval, no-authority, invalid, "
        "cannot-read, not-approver, state, stale, not-found, role, ..."
    )
    detail: dict[str, Any] | None = Field(None, description="Findings or missing clearances.")


class ClearanceRequestIn(BaseModel):
    station: str = Field(examples=["AMEMBASSY ALMATY"])
    office: str = Field(examples=["POL"])


class DraftIn(BaseModel):
    cable: CableJson = Field(description=CABLE_HELP)
    clearances: list[ClearanceRequestIn] = Field(
        default_factory=list, description="Offices the drafter asks to clear."
    )


class DraftEditIn(BaseModel):
    version: int = Field(ge=1, description="The version the edit is based on (else 409).")
    cable: CableJson | None = Field(None, description=CABLE_HELP)
    clearances: list[ClearanceRequestIn] | None = None


class CheckIn(BaseModel):
    cable: CableJson = Field(description=CABLE_HELP)


class FindingOut(BaseModel):
    code: str
    severity: Literal["error", "warning"] | str
    message: str
    line: int | None = None
    field: str | None = Field(None, description="The cable field: tags, info[2], paragraphs[0]")


class CheckOut(BaseModel):
    findings: list[FindingOut]
    telegram: str | None = Field(
        None, description="The telegram as release would send it now (numbers not taken)."
    )
    unassembled: str | None = Field(None, description="Why there is no telegram yet.")


class RequirementOut(BaseModel):
    station: str
    office: str
    reason: str


class ClearanceOut(BaseModel):
    draft: int
    version: int
    station: str
    office: str
    user: str
    mode: Literal["full", "draft", "subst"] | str
    comment: str
    at: str


class EventOut(BaseModel):
    draft: int
    action: str
    user: str
    at: str
    version: int
    detail: dict[str, Any]


class DraftSummaryOut(BaseModel):
    id: int
    version: int
    state: Literal["draft", "submitted", "released", "withdrawn"] | str
    kind: str
    basis: str | None
    drafter: str
    requested: list[ClearanceRequestIn]
    created: str | None
    updated: str | None
    released_as: str | None
    cable: CableJson


class DraftOut(DraftSummaryOut):
    findings: list[FindingOut]
    required: list[RequirementOut]
    missing: list[RequirementOut]
    clearances: list[ClearanceOut]
    events: list[EventOut]


class ClearIn(BaseModel):
    mode: Literal["full", "draft", "subst"] = "full"
    comment: str = Field("", max_length=2000)


class ReturnIn(BaseModel):
    comment: str = Field(min_length=1, max_length=2000)


class RepeatIn(BaseModel):
    to: list[str] = Field(min_length=1, examples=[["AMEMBASSY MOSCOW"]])


class CorrectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class PlanOut(BaseModel):
    """What release would assign now, and every reason it would be refused."""

    draft: int
    id: str
    mrn: str | None
    dtg: str | None
    de: str | None
    security: str | None
    routing_indicators: list[str]
    numbers: dict[str, int]
    sections: int
    telegram: str
    refusals: list[dict[str, Any]]


class ReleaseOut(BaseModel):
    cable_id: str
    draft: int
    origin: str
    serial: int
    year: int
    dtg: str
    drafted_by: str
    cleared_by: list[str]
    approved_by: str
    released_at: str
    numbers: dict[str, int]
