"""Delivery on the web: inboxes, acknowledgement and action, network status and
the replay report — JSON routes under ``/api/network`` and pages under
``/inbox`` and ``/network``.  Each calls :class:`cablegram.network.node.Node`
(the same calls as ``cablegram inbox``, ``ack``, ``action``, ``network status``).

An open inbox page is kept current without reloading: it listens to
``/api/network/inbox/events`` (server-sent events), which sends the inbox
again whenever it changes.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel

from cablegram.archive import Archive
from cablegram.network.delivery import ACTIONS
from cablegram.network.inbox import InboxError
from cablegram.network.node import Node, directory_of
from cablegram.web import models
from cablegram.web.deps import ReaderDep, current_reader, reader_archive
from cablegram.web.templating import render

REPLAY_SETTING = "network.replay"  # as cablegram network replay keeps it
EVENT_SECONDS = 1.0  # how often an open inbox page's stream looks for changes

api = APIRouter(prefix="/api/network", tags=["network"], dependencies=[Depends(current_reader)])
pages = APIRouter(include_in_schema=False, dependencies=[Depends(current_reader)])
ArchiveDep = Annotated[Archive, Depends(reader_archive)]
Target = Annotated[
    str,
    Query(max_length=200, description="A station address, an office (SYMBOL or "
          "STATION:SYMBOL) or a user; empty: the reader's own inbox"),
]  # fmt: skip
DeliveryId = Annotated[int, Path(ge=1, le=2**62, description="A delivery's id (inbox listings)")]
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": models.ErrorOut, "description": "No such inbox or delivery (or not yours)"},
    409: {"model": models.ErrorOut, "description": "The act does not apply to this delivery"},
    422: {"model": models.ErrorOut, "description": "Parameters of the wrong type"},
}


def node_of(archive: Archive) -> Node:
    """The archive's installation; its directory: ``$CABLEGRAM_DIRECTORY``, else the
    archive's own, else the shipped one — built once and kept until it changes
    (:func:`cablegram.network.node.directory_of`)."""
    return Node(archive, directory_of(archive, os.environ.get("CABLEGRAM_DIRECTORY")))


def _inbox(archive: Archive, target: str) -> dict[str, Any]:
    node = node_of(archive)
    try:
        return node.inboxes.inbox(target or archive.principal.name, archive.principal).to_dict()
    except InboxError as err:
        raise HTTPException(404, str(err)) from None


class InboxOut(BaseModel):
    kind: str
    holder: str
    unread: int
    deliveries: list[dict[str, Any]]


class ActionIn(BaseModel):
    action: Literal["will-comply", "have-complied", "cannot-comply"]
    comment: str = ""


@api.get("/inbox", response_model=InboxOut, responses=ERRORS)
def inbox(archive: ArchiveDep, target: Target = "") -> dict[str, Any]:
    """An inbox by precedence (FLASH, IMMEDIATE, PRIORITY, ROUTINE; NIACT first
    within its level; then time), showing only the cables the reader may read."""
    return _inbox(archive, target)


@api.get("/overdue", response_model=list[dict[str, Any]], responses=ERRORS)
def overdue(archive: ArchiveDep) -> list[dict[str, Any]]:
    """Deliveries past their precedence's objective without acknowledgement."""
    node = node_of(archive)
    return [d.to_dict() for d in node.inboxes.overdue(archive.principal)]


def _act(archive: Archive, delivery_id: int, act: str, comment: str = "") -> dict[str, Any]:
    node = node_of(archive)
    try:
        if act == "ack":
            return node.inboxes.acknowledge(delivery_id, archive.principal).to_dict()
        return node.inboxes.act(delivery_id, act, archive.principal, comment).to_dict()
    except InboxError as err:
        status = 404 if str(err).startswith("no delivery") else 409
        raise HTTPException(status, str(err)) from None


@api.post("/deliveries/{delivery_id}/ack", response_model=dict[str, Any], responses=ERRORS)
def acknowledge(archive: ArchiveDep, delivery_id: DeliveryId) -> dict[str, Any]:
    """Acknowledge a FLASH, IMMEDIATE or NIACT delivery for its station."""
    return _act(archive, delivery_id, "ack")


@api.post("/deliveries/{delivery_id}/action", response_model=dict[str, Any], responses=ERRORS)
def record_action(archive: ArchiveDep, delivery_id: DeliveryId, body: ActionIn) -> dict[str, Any]:
    """Record an action addressee's will comply / have complied / cannot comply."""
    return _act(archive, delivery_id, body.action, body.comment)


@api.get("/status", response_model=dict[str, Any])
def status(archive: ArchiveDep) -> dict[str, Any]:
    """Queues, deliveries, relays and links down."""
    return node_of(archive).status()


RelayRI = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9]{2,12}$", description="A relay's routing indicator")
]
StationRI = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9]{2,12}$", description="The routing indicator of a station")
]
State = Literal["down", "up"]


def _mark(archive: Archive, relay: str, state: str, link: str | None = None) -> dict[str, Any]:
    from cablegram.archive.errors import AccessDenied
    from cablegram.network.node import NetworkError

    try:
        return node_of(archive).mark(relay, down=state == "down", link=link)
    except AccessDenied as err:
        raise HTTPException(403, str(err)) from None
    except NetworkError as err:
        raise HTTPException(404, str(err)) from None


MARK_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": models.ErrorOut, "description": "Not an archive owner"},
    404: {"model": models.ErrorOut, "description": "No such relay in the directory"},
    422: ERRORS[422],
}


@api.post("/relays/{relay}/{state}", response_model=dict[str, Any], responses=MARK_ERRORS)
def mark_relay(archive: ArchiveDep, relay: RelayRI, state: State) -> dict[str, Any]:
    """Mark a relay down (its traffic takes the directory's alternate relay, or
    waits; nothing is dropped) or up again (what waited moves on).  Every process
    serving the archive honours it.  The archive's owner does."""
    return _mark(archive, relay, state)


@api.post("/relays/{relay}/links/{ri}/{state}", response_model=dict[str, Any],
          responses=MARK_ERRORS)  # fmt: skip
def mark_link(archive: ArchiveDep, relay: RelayRI, ri: StationRI, state: State) -> dict[str, Any]:
    """Mark a relay's link to one station down (traffic for it waits at the relay)
    or up again.  The archive's owner does."""
    return _mark(archive, relay, state, ri)


def _report(archive: Archive) -> dict[str, Any] | None:
    report = archive.store.setting(REPLAY_SETTING)
    return report if isinstance(report, dict) else None


@api.get("/replay", response_model=dict[str, Any],
         responses={404: ERRORS[404]})  # fmt: skip
def replay_report(archive: ArchiveDep) -> dict[str, Any]:
    """The last replay's report (``cablegram network replay``)."""
    report = _report(archive)
    if report is None:
        raise HTTPException(404, "no replay yet: run cablegram network replay")
    return report


@api.get("/replay.png", response_class=Response,
         responses={200: {"content": {"image/png": {}}}, 404: ERRORS[404]})  # fmt: skip
def replay_plot(archive: ArchiveDep) -> Response:
    """The last replay's queue depths over time, as a PNG."""
    from cablegram.network.replay import plot

    report = _report(archive)
    if report is None:
        raise HTTPException(404, "no replay yet: run cablegram network replay")
    out = io.BytesIO()
    plot(report, out)
    return Response(out.getvalue(), media_type="image/png")


@api.get("/inbox/events", include_in_schema=False)
async def inbox_events(request: Request, reader: ReaderDep, target: Target = "") -> Response:
    """Server-sent events: the inbox (as ``/api/network/inbox``) each time it changes."""
    pool = request.app.state.pool

    def snapshot() -> dict[str, Any]:
        with pool.lease(reader.principal, "web") as archive:
            return _inbox(archive, target)

    first = await asyncio.to_thread(snapshot)  # a wrong target is a 404 before streaming

    async def events() -> AsyncIterator[str]:
        last = None
        current = first
        while not await request.is_disconnected():
            text = json.dumps(current)
            if text != last:
                yield f"event: inbox\ndata: {text}\n\n"
                last = text
            await asyncio.sleep(EVENT_SECONDS)
            current = await asyncio.to_thread(snapshot)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store"})  # fmt: skip


# -- pages --
@pages.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, archive: ArchiveDep, target: Target = "") -> HTMLResponse:
    view = _inbox(archive, target)
    return render(request, "inbox.html",
                  {"view": view, "target": target, "actions": ACTIONS, "active": "inbox"})  # fmt: skip


@pages.post("/inbox/{delivery_id}/ack")
def inbox_ack(
    archive: ArchiveDep, delivery_id: DeliveryId, target: Annotated[str, Form()] = ""
) -> Response:
    _act(archive, delivery_id, "ack")
    return RedirectResponse(f"/inbox?target={quote(target)}", status_code=303)


@pages.post("/inbox/{delivery_id}/action")
def inbox_action(
    archive: ArchiveDep, delivery_id: DeliveryId, action: Annotated[str, Form()],
    target: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if action not in ACTIONS:
        raise HTTPException(400, f"unknown action {action!r}")
    _act(archive, delivery_id, action)
    return RedirectResponse(f"/inbox?target={quote(target)}", status_code=303)


@pages.get("/network", response_class=HTMLResponse)
def network_page(request: Request, archive: ArchiveDep) -> HTMLResponse:
    node = node_of(archive)
    relays = sorted(node.directory.relays.values(), key=lambda r: r.ri)
    return render(request, "network.html", {
        "status": node.status(), "relays": relays, "active": "network",
        "owner": archive.principal.owner,
    })  # fmt: skip


@pages.post("/network/relays/{relay}/{state}")
def network_mark(archive: ArchiveDep, relay: RelayRI, state: State) -> Response:
    _mark(archive, relay, state)
    return RedirectResponse("/network", status_code=303)


@pages.get("/network/replay", response_class=HTMLResponse)
def replay_page(request: Request, archive: ArchiveDep) -> HTMLResponse:
    return render(request, "replay.html", {"report": _report(archive), "active": "network"})
