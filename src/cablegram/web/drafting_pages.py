"""The network's pages: drafts and clearance queues, the drafting form with
live validation and the telegram preview, a draft's page, the release page.

Server-rendered forms that work without JavaScript; ``static/drafting.js``
adds the live validation: while the drafter types, the form's fields are
posted to ``/drafts/check`` and each finding is shown beside its field, with
the telegram as release would send it.  Every act goes through the same
:class:`~cablegram.network.Network` methods as the CLI and the JSON API.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from cablegram.network import Network, Refused
from cablegram.network.drafts import SUBMITTED
from cablegram.web.deps import ReaderDep, current_reader
from cablegram.web.drafting import DraftId, acting_user, checked, network
from cablegram.web.drafting_form import FIELDS, LEVELS, PRECEDENCES, cable_of, field_of, form_of
from cablegram.web.drafting_form import requests_of as _requests_of
from cablegram.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(current_reader)])


def _station(net: Network, user: str) -> str:
    person = net.directory.person(user)
    return person.station if person is not None else ""


def _by_field(findings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Findings grouped by the form field they are shown beside ('' : the form)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        out.setdefault(field_of(f.get("field")) or "", []).append(f)
    return out


def _form_page(request: Request, net: Network, user: str, values: dict[str, str], *,
               draft: Any = None, status: int = 200) -> HTMLResponse:  # fmt: skip
    year = net.now().year
    result = checked(net, user, cable_of(values, year))
    return render(request, "network/form.html", {
        "active": "drafts", "values": values, "draft": draft, "levels": LEVELS,
        "precedences": PRECEDENCES, "fields": FIELDS, "found": _by_field(result["findings"]),
        "findings": result["findings"], "telegram": result["telegram"],
        "unassembled": result["unassembled"],
    }, status=status)  # fmt: skip


@router.get("/drafts", response_class=HTMLResponse)
def drafts_page(
    request: Request, reader: ReaderDep,
    state: Annotated[str | None, Query(pattern="^(draft|submitted|released|withdrawn)$")] = None,
    office: Annotated[str | None, Query(max_length=200, description="STATION:OFFICE")] = None,
) -> HTMLResponse:  # fmt: skip
    """My drafts and my clearance queue; ``office``: that office's queue."""
    user = acting_user(reader)
    with network(request) as net:
        person = net.directory.person(user)
        mine = [d for d in net.list(user, state=state) if d.drafter == user]
        if office:
            station, _, symbol = office.upper().rpartition(":")
            key = (station or (person.station if person else ""), symbol)
            queue = [v for v in (net.view(d) for d in net.list(user, state=SUBMITTED))
                     if any(r.key == key for r in v.missing)]  # fmt: skip
            queue_of = f"{key[1]} at {key[0]}"
        else:
            queue = net.queue(user) if person is not None else []
            queue_of = f"{person.office} at {person.station}" if person else ""
        waiting = [v for v in (net.view(d) for d in net.list(user, state=SUBMITTED))
                   if not v.missing]  # fmt: skip
        offices = sorted({f"{o.station}:{o.symbol}" for o in net.directory.offices.values()})
        return render(request, "network/drafts.html", {
            "active": "drafts", "person": person, "mine": mine, "queue": queue,
            "queue_of": queue_of, "waiting": waiting, "offices": offices, "office": office or "",
            "state": state or "",
        })  # fmt: skip


@router.get("/drafts/new", response_class=HTMLResponse)
def new_draft_page(request: Request, reader: ReaderDep) -> HTMLResponse:
    user = acting_user(reader)
    with network(request) as net:
        return _form_page(request, net, user, form_of(None, station=_station(net, user)).values)


@router.post("/drafts/check")
async def check_page(request: Request, reader: ReaderDep) -> JSONResponse:
    """The live validation: findings by form field, and the telegram preview."""
    user = acting_user(reader)
    values = {k: str(v) for k, v in (await request.form()).items()}
    with network(request) as net:
        result = checked(net, user, cable_of(values, net.now().year))
    return JSONResponse({**result, "by_field": _by_field(result["findings"])})


@router.post("/drafts/new")
async def create_from_form(request: Request, reader: ReaderDep) -> Response:
    user = acting_user(reader)
    values = {k: str(v) for k, v in (await request.form()).items()}
    with network(request) as net:
        cable = cable_of(values, net.now().year)
        asked = _requests_of(values.get("clearances", ""), _station(net, user))
        draft = net.create(user, cable, requested=asked)
    return RedirectResponse(f"/drafts/{draft.id}", status_code=303)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(request: Request, reader: ReaderDep, draft_id: DraftId) -> HTMLResponse:
    user = acting_user(reader)
    with network(request) as net:
        view = net.show(user, draft_id)
        d = view.draft
        values = form_of(d.cable, list(d.requested), _station(net, d.drafter)).values
        person = net.directory.person(user)
        may_clear = (d.state == SUBMITTED and person is not None and d.drafter != user
                     and any(r.key == (person.station, person.office) for r in view.missing))  # fmt: skip
        try:
            telegram = (
                net.plan(user, draft_id).assembled.telegram if d.state != "released" else None
            )
        except Refused:  # not assembled yet (no originator in the directory): findings say why
            telegram = None
        if d.drafter == user and d.editable:
            return _form_page(request, net, user, values, draft=view)
        return render(request, "network/draft.html", {
            "active": "drafts", "view": view, "d": d, "values": values, "may_clear": may_clear,
            "telegram": telegram, "user": user,
        })  # fmt: skip


@router.post("/drafts/{draft_id}")
async def edit_from_form(request: Request, reader: ReaderDep, draft_id: DraftId) -> Response:
    user = acting_user(reader)
    values = {k: str(v) for k, v in (await request.form()).items()}
    with network(request) as net:
        cable = cable_of(values, net.now().year)
        asked = _requests_of(values.get("clearances", ""), _station(net, user))
        net.edit(user, draft_id, version=int(values.get("version") or 0), cable=cable,
                 requested=asked)  # fmt: skip
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.post("/drafts/{draft_id}/submit")
def submit_page(request: Request, reader: ReaderDep, draft_id: DraftId) -> Response:
    user = acting_user(reader)
    with network(request) as net:
        net.submit(user, draft_id)
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.post("/drafts/{draft_id}/withdraw")
def withdraw_page(request: Request, reader: ReaderDep, draft_id: DraftId) -> Response:
    user = acting_user(reader)
    with network(request) as net:
        net.withdraw(user, draft_id)
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.post("/drafts/{draft_id}/clear")
def clear_page(
    request: Request, reader: ReaderDep, draft_id: DraftId,
    mode: Annotated[str, Form()] = "full", comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    user = acting_user(reader)
    with network(request) as net:
        net.clear(user, draft_id, mode=mode, comment=comment)
    return RedirectResponse("/drafts", status_code=303)


@router.post("/drafts/{draft_id}/return")
def return_page(
    request: Request, reader: ReaderDep, draft_id: DraftId,
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    user = acting_user(reader)
    with network(request) as net:
        net.return_(user, draft_id, comment)
    return RedirectResponse("/drafts", status_code=303)


@router.get("/drafts/{draft_id}/release", response_class=HTMLResponse)
def release_page(request: Request, reader: ReaderDep, draft_id: DraftId) -> HTMLResponse:
    """What release will assign, what refuses it, and the button."""
    user = acting_user(reader)
    with network(request) as net:
        plan = net.plan(user, draft_id)
        return render(request, "network/release.html", {
            "active": "drafts", "plan": plan.to_dict(), "d": plan.draft,
            "view": net.view(plan.draft),
        })  # fmt: skip


@router.post("/drafts/{draft_id}/release")
def release_from_page(request: Request, reader: ReaderDep, draft_id: DraftId) -> Response:
    user = acting_user(reader)
    with network(request) as net:
        record = net.release(user, draft_id)
    return RedirectResponse(f"/cables/{record.cable_id}", status_code=303)
