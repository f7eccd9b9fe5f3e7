"""The network's JSON API: drafts, clearance, return, release (``/api/drafts``).

Each route calls one method of :class:`cablegram.network.Network`, acting as
the signed-in user (who must be a person in the network directory); the
workflow decides what they may do.  A refused step is answered with its
message and a stable reason word (:class:`~.drafting_models.RefusedOut`):
404 when the draft or cable is not there for this user, 403 when the user may
not do it, 409 when the draft's state, version or content does not allow it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from cablegram.access.principal import OWNER
from cablegram.format.drafts import DraftError
from cablegram.network import Network, Refused, StaleVersion, drafts, open_network
from cablegram.network.drafts import ClearanceRequest
from cablegram.web import drafting_models as m
from cablegram.web import models
from cablegram.web.deps import Reader, ReaderDep, current_reader, interface_of
from cablegram.web.errors import error_response

# Refusals by who may not (403) and by what the draft is (409); others 409.
FORBIDDEN = frozenset({"unknown-person", "unknown-user", "role", "not-drafter", "not-approver",
                       "self-approval", "self-clearance", "cannot-read", "no-authority",
                       "office", "station"})  # fmt: skip
REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"model": models.ErrorOut, "description": "Not signed in"},
    403: {"model": m.RefusedOut, "description": "Not yours to do (role, authority, access)"},
    404: {"model": m.RefusedOut, "description": "No such draft or cable (for you)"},
    409: {"model": m.RefusedOut, "description": "Refused by the draft's state or content"},
    422: {"model": models.ErrorOut, "description": "Parameters or a body that is no draft"},
}

router = APIRouter(prefix="/api", tags=["network"], dependencies=[Depends(current_reader)])
DraftId = Annotated[int, Path(ge=1, le=2**62, description="A draft's number")]
CableId = Annotated[str, Path(description="A cable id in the archive, e.g. 06ALMATY1703")]


def acting_user(reader: Reader) -> str:
    """Who acts: the signed-in user (or the local owner of a single-user server)."""
    if not (reader.signed_in or reader.is_owner):
        raise HTTPException(
            401, "sign in to draft, clear or release", {"WWW-Authenticate": "Bearer"}
        )
    return reader.name


@contextmanager
def network(request: Request) -> Iterator[Network]:
    """The workflow over the server's archive (its own access checks decide)."""
    with request.app.state.pool.lease(OWNER, interface_of(request)) as archive:
        yield open_network(archive)


def status_of(err: Refused) -> int:
    if err.reason == "not-found":
        return 404
    return 403 if err.reason in FORBIDDEN else 409


def install(app: FastAPI) -> None:
    """Refusals and stale edits as the client should see them (JSON or a page)."""

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        if request.url.path.startswith("/api/"):
            detail = {k: v for k, v in exc.detail.items()} or None
            body = {"error": exc.message, "refused": exc.reason, "detail": detail}
            return JSONResponse(body, status_code=status_of(exc))
        return error_response(request, status_of(exc), exc.message)

    @app.exception_handler(StaleVersion)
    async def stale(request: Request, exc: StaleVersion) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc), "refused": "stale"}, status_code=409)
        return error_response(request, 409, str(exc))

    @app.exception_handler(DraftError)
    async def unreadable(request: Request, exc: DraftError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc), "refused": "unreadable"}, status_code=422)
        return error_response(request, 422, str(exc))


def cable_of(data: dict[str, Any]) -> Any:
    """A draft cable from its schema JSON (findings then name its fields)."""
    return drafts.from_json(json.dumps(data, indent=2, ensure_ascii=False), "<request>")


def _requests(items: list[m.ClearanceRequestIn] | None) -> list[ClearanceRequest] | None:
    return None if items is None else [ClearanceRequest(r.station, r.office) for r in items]


def _shown(net: Network, user: str, draft_id: int) -> dict[str, Any]:
    return net.show(user, draft_id).to_dict()


@router.get("/drafts", response_model=list[m.DraftSummaryOut], responses=REFUSED)
def list_drafts(
    request: Request, reader: ReaderDep,
    state: Annotated[str | None, Query(pattern="^(draft|submitted|released|withdrawn)$")] = None,
    queue: Annotated[bool, Query(description="Only drafts waiting for your office's clearance")] = False,
) -> list[dict[str, Any]]:  # fmt: skip
    """Drafts you may read, oldest first; ``queue``: your clearance queue."""
    user = acting_user(reader)
    with network(request) as net:
        found = [v.draft for v in net.queue(user)] if queue else net.list(user, state=state)
        return [d.to_dict() for d in found]


@router.post("/drafts", response_model=m.DraftOut, status_code=201, responses=REFUSED)
def create_draft(request: Request, reader: ReaderDep, body: m.DraftIn) -> dict[str, Any]:
    """Start a draft from schema JSON, asking the offices given to clear it."""
    user = acting_user(reader)
    with network(request) as net:
        draft = net.create(user, cable_of(body.cable), requested=_requests(body.clearances) or [])
        return _shown(net, user, draft.id or 0)


@router.post("/drafts/check", response_model=m.CheckOut, responses=REFUSED)
def check_draft(request: Request, reader: ReaderDep, body: m.CheckIn) -> dict[str, Any]:
    """Validate a cable being drafted (nothing is stored) and show the telegram
    release would send now: the drafting form's live validation."""
    user = acting_user(reader)
    with network(request) as net:
        return checked(net, user, cable_of(body.cable))


def checked(net: Network, user: str, cable: Any) -> dict[str, Any]:
    """Findings on ``cable`` and its preview (or why there is none)."""
    findings = [
        {"code": f.code, "severity": f.severity, "message": f.message, "line": f.line,
         "field": f.field}
        for f in net.check(user, cable)
    ]  # fmt: skip
    try:
        telegram, why = net.preview(user, cable).telegram, None
    except Refused as err:
        telegram, why = None, err.message
    return {"findings": findings, "telegram": telegram, "unassembled": why}


@router.get("/drafts/{draft_id}", response_model=m.DraftOut, responses=REFUSED)
def get_draft(request: Request, reader: ReaderDep, draft_id: DraftId) -> dict[str, Any]:
    """A draft with its findings, required and given clearances, and history."""
    user = acting_user(reader)
    with network(request) as net:
        return _shown(net, user, draft_id)


@router.put("/drafts/{draft_id}", response_model=m.DraftOut, responses=REFUSED)
def edit_draft(
    request: Request, reader: ReaderDep, draft_id: DraftId, body: m.DraftEditIn
) -> dict[str, Any]:
    """Edit a draft based on ``version`` (409 when it moved on); its clearances are cleared."""
    user = acting_user(reader)
    with network(request) as net:
        cable = cable_of(body.cable) if body.cable is not None else None
        net.edit(user, draft_id, version=body.version, cable=cable,
                 requested=_requests(body.clearances))  # fmt: skip
        return _shown(net, user, draft_id)


@router.post("/drafts/{draft_id}/submit", response_model=m.DraftOut, responses=REFUSED)
def submit_draft(request: Request, reader: ReaderDep, draft_id: DraftId) -> dict[str, Any]:
    """Send a draft for clearance and approval (409 while it has errors)."""
    user = acting_user(reader)
    with network(request) as net:
        net.submit(user, draft_id)
        return _shown(net, user, draft_id)


@router.post("/drafts/{draft_id}/withdraw", response_model=m.DraftOut, responses=REFUSED)
def withdraw_draft(request: Request, reader: ReaderDep, draft_id: DraftId) -> dict[str, Any]:
    """Withdraw a draft (kept on record, no longer editable)."""
    user = acting_user(reader)
    with network(request) as net:
        net.withdraw(user, draft_id)
        return _shown(net, user, draft_id)


@router.post("/drafts/{draft_id}/clear", response_model=m.ClearanceOut, responses=REFUSED)
def clear_draft(
    request: Request, reader: ReaderDep, draft_id: DraftId, body: m.ClearIn
) -> dict[str, Any]:
    """Clear a submitted draft for your office: in full, on the draft, or as a substitute."""
    user = acting_user(reader)
    with network(request) as net:
        return net.clear(user, draft_id, mode=body.mode, comment=body.comment).to_dict()


@router.post("/drafts/{draft_id}/return", response_model=m.DraftOut, responses=REFUSED)
def return_draft(
    request: Request, reader: ReaderDep, draft_id: DraftId, body: m.ReturnIn
) -> dict[str, Any]:
    """Send a submitted draft back to its drafter, saying why."""
    user = acting_user(reader)
    with network(request) as net:
        net.return_(user, draft_id, body.comment)
        return _shown(net, user, draft_id)


@router.get("/drafts/{draft_id}/release", response_model=m.PlanOut, responses=REFUSED)
def release_plan(request: Request, reader: ReaderDep, draft_id: DraftId) -> dict[str, Any]:
    """What release would assign now (serial, DTG, DE line, numbers, routing,
    sections, the telegram) and every reason it would be refused; nothing is taken."""
    user = acting_user(reader)
    with network(request) as net:
        return net.plan(user, draft_id).to_dict()


@router.post("/drafts/{draft_id}/release", response_model=m.ReleaseOut, responses=REFUSED)
def release_draft(request: Request, reader: ReaderDep, draft_id: DraftId) -> dict[str, Any]:
    """Release a draft: refused (nothing consumed) unless every clearance is given, you
    hold release authority, did not draft it, may read it, and it validates."""
    user = acting_user(reader)
    with network(request) as net:
        return net.release(user, draft_id).to_dict()


@router.post("/cables/{cable_id}/reply", response_model=m.DraftOut, status_code=201,
             responses=REFUSED)  # fmt: skip
def reply_to(request: Request, reader: ReaderDep, cable_id: CableId) -> dict[str, Any]:
    """Start a draft answering a cable (REF A cites it by canonical id)."""
    user = acting_user(reader)
    with network(request) as net:
        return _shown(net, user, net.reply(user, cable_id).id or 0)


@router.post("/cables/{cable_id}/repeat", response_model=m.DraftOut, status_code=201,
             responses=REFUSED)  # fmt: skip
def repeat_cable(
    request: Request, reader: ReaderDep, cable_id: CableId, body: m.RepeatIn
) -> dict[str, Any]:
    """Start a repeat of a cable to new addressees (its MRN and captions kept)."""
    user = acting_user(reader)
    with network(request) as net:
        return _shown(net, user, net.repeat(user, cable_id, body.to).id or 0)


@router.post("/cables/{cable_id}/correct", response_model=m.DraftOut, status_code=201,
             responses=REFUSED)  # fmt: skip
def correct_cable(
    request: Request, reader: ReaderDep, cable_id: CableId, body: m.CorrectIn
) -> dict[str, Any]:
    """Start a corrected copy of a cable your station sent (same MRN and DTG)."""
    user = acting_user(reader)
    with network(request) as net:
        return _shown(net, user, net.correct(user, cable_id, body.reason).id or 0)
