"""Typed shapes of the JSON API (they become the OpenAPI document's schemas).

A cable itself is not modelled here: the API returns the project's schema JSON
unchanged, and the OpenAPI document embeds ``cable.schema.json`` for it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    error: str = Field(description="What went wrong, for a person to read.")
    position: int | None = Field(
        None, description="0-based offset of the fault in the query (bad queries only)."
    )
    detail: list[dict[str, Any]] | None = Field(
        None, description="Each invalid parameter (wrong types only)."
    )


class HitOut(BaseModel):
    id: str
    created: str | None
    classification: str | None
    origin: str | None
    subject: str | None
    snippet: str = Field(description="Text around the first match; matches marked «…».")
    score: float


class FacetsOut(BaseModel):
    """Counts over the whole result set: ``[[value, count], ...]`` per facet."""

    total: int
    approximate: bool = Field(description="Counts scaled from an even sample of the matches.")
    tag: list[tuple[str, int]]
    origin: list[tuple[str, int]]
    classification: list[tuple[str, int]]
    caption: list[tuple[str, int]]
    year: list[tuple[str, int]]
    month: list[tuple[str, int]]


class SearchOut(BaseModel):
    query: str
    sort: str
    offset: int
    limit: int
    total: int = Field(description="Matches (an estimate when total_exact is false).")
    total_exact: bool = Field(
        description="False for a query matching over 5,000 cables, measured on a sample"
    )
    pageable: int = Field(description="Matches reachable by paging in this sort order.")
    approximate_rank: bool = Field(
        description="A broad query's relevance page lists an even sample of its matches, "
        "subject matches first, then newest (sort by date to page through all)"
    )
    hits: list[HitOut]
    facets: FacetsOut | None = None


class CopyOut(BaseModel):
    sha256: str
    format: str
    path: str | None
    locator: str | None
    primary: bool = Field(description="The copy the cable's fields come from.")
    text: str


class RefOut(BaseModel):
    label: str | None
    text: str
    id: str | None = Field(description="The cited cable's id (None when it is not a cable).")
    status: str = Field(description="archive | missing | not-a-cable")
    targets: list[str] = Field(description="Ids in the archive the reference resolves to.")


class NodeOut(BaseModel):
    id: str
    created: str | None
    subject: str | None


class ThreadNodeOut(NodeOut):
    classification: str | None


class EdgeOut(BaseModel):
    source: str = Field(description="The citing cable.")
    target: str = Field(description="The cited cable.")


class ThreadOut(BaseModel):
    root: str
    nodes: list[ThreadNodeOut]
    edges: list[EdgeOut]


class GraphNodeOut(BaseModel):
    id: str
    in_archive: bool
    created: str | None = None
    subject: str | None = None


class GraphOut(BaseModel):
    nodes: list[GraphNodeOut]
    edges: list[EdgeOut]


# A count as the pair ``[value, count]``.  Not a tuple type: FastAPI writes a
# tuple's items as a list of schemas, which OpenAPI 3.1 does not allow.
Count = Annotated[list[str | int], Field(min_length=2, max_length=2, description="[value, count]")]


class StatsOut(BaseModel):
    cables: int
    copies: int
    references: int
    unresolved_references: int
    non_cable_references: int
    # Values a cable lacks are counted as "(unknown)"; undated cables (no
    # date-time group) are "(unknown)" years and months, as in the facets.
    by_year: list[Count]
    by_month: list[Count]
    by_classification: list[Count]
    by_origin: list[Count]
    by_tag: list[Count]
    defects: list[Count]


class TagOut(BaseModel):
    tag: str
    kind: str
    meaning: str


class FailureOut(BaseModel):
    where: str
    reason: str


class IngestOut(BaseModel):
    files: int
    documents: int
    new: int
    updated: int
    unchanged: int
    copies_merged: int
    defects: dict[str, int]
    seconds: float
    failures: list[FailureOut]


class ReaderOut(BaseModel):
    name: str
    clearance: str = Field(description="What the reader may see, in words.")
    owner: bool
    signed_in: bool


# -- accounts, declassification, audit --
Level = Literal["unclassified", "confidential", "secret", "top secret"]


class LoginIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class LoginOut(BaseModel):
    token: str = Field(
        description="Send as `Authorization: Bearer <token>` (also set as a cookie)."
    )
    expires: int = Field(description="Unix time the token stops working.")
    reader: ReaderOut


class UserOut(BaseModel):
    name: str
    clearance: str
    sbu: bool
    captions: list[str]
    stations: list[str]
    offices: list[str]
    owner: bool
    has_password: bool
    created: str
    updated: str


class UserChange(BaseModel):
    """Grants to set (absent fields are left as they are)."""

    clearance: Level | None = None
    sbu: bool | None = None
    captions: list[str] | None = None
    stations: list[str] | None = None
    offices: list[str] | None = None
    owner: bool | None = None
    password: str | None = Field(None, min_length=8, max_length=1024)


class UserIn(UserChange):
    name: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$",
        description="Letters, digits, '.', '_', '@', '-' (not 'owner' or 'public').",
    )  # fmt: skip


class DecisionOut(BaseModel):
    cable_id: str
    action: str
    reason: str
    who: str
    when: str
    level: str
    sbu: bool


class DecisionIn(BaseModel):
    action: Literal["release", "release-in-part", "exempt"]
    reason: str = Field(min_length=1, max_length=500, description="Authority cited, e.g. 1.4(d)")
    level: Level = Field("unclassified", description="release-in-part: portions above withheld")
    sbu: bool = Field(False, description="release-in-part: release SBU portions too")


class DeclassOut(BaseModel):
    id: str
    status: str = Field(description="unclassified | classified | due-for-review | "
                        "declassified | exempted")  # fmt: skip
    date: str | None
    basis: str
    exemptions: list[str]
    decisions: list[DecisionOut]


class DueOut(BaseModel):
    id: str
    created: str | None
    classification: str | None
    origin: str | None
    subject: str | None
    status: str
    date: str | None
    basis: str
    exemptions: list[str]


class AuditOut(BaseModel):
    at: str
    who: str
    interface: str
    action: str
    target: str | None
    detail: dict[str, Any]
