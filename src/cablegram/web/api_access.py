"""The JSON API of access: sign-in, accounts, declassification review, audit log.

Accounts and the audit log are for archive owners; the review queue, a
cable's status and the report answer as the reader sees the archive.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from cablegram.archive import Archive, UserError
from cablegram.archive.users import RESERVED, parse_clearance
from cablegram.web import models
from cablegram.web.deps import Reader, ReaderDep, owner_only, reader_archive
from cablegram.web.signin import cookie_secure, sign_in, sign_out

router = APIRouter(prefix="/api")
ArchiveDep = Annotated[Archive, Depends(reader_archive)]
OwnerDep = Annotated[Reader, Depends(owner_only)]
ADMIN: dict[int | str, dict[str, Any]] = {
    401: {"model": models.ErrorOut, "description": "Not signed in"},
    403: {"model": models.ErrorOut, "description": "Not an archive owner"},
}
CableId = Annotated[
    str, Path(description="A cable id, e.g. 06ALMATY1703 (alias spellings resolve)")
]


def reader_out(reader: Reader) -> models.ReaderOut:
    return models.ReaderOut(name=reader.name, clearance=reader.clearance,
                            owner=reader.is_owner, signed_in=reader.signed_in)  # fmt: skip


@router.get("/me", response_model=models.ReaderOut, tags=["access"])
def me(reader: ReaderDep) -> models.ReaderOut:
    """Who the server takes you for, and what you may read."""
    return reader_out(reader)


@router.post(
    "/login",
    response_model=models.LoginOut,
    tags=["access"],
    responses={
        401: {"model": models.ErrorOut, "description": "Wrong name or password"},
        429: {"model": models.ErrorOut, "description": "Too many failed attempts; wait"},
    },
)
def login(request: Request, response: Response, body: models.LoginIn) -> models.LoginOut:
    """Sign in: a bearer token for programs, and the session cookie for browsers."""
    account = sign_in(request, body.name, body.password)
    token, expires = request.app.state.sessions.start(
        response, account.principal.name, account.credentials,
        secure=cookie_secure(request),
    )  # fmt: skip
    request.state.reader = Reader(account.principal, signed_in=True)
    return models.LoginOut(token=token, expires=expires, reader=reader_out(request.state.reader))


@router.post("/logout", status_code=204, tags=["access"])
def logout(request: Request) -> Response:
    """Sign out: the session of the cookie, or of the bearer token sent, ends at once
    (server-side: the token is refused from now on)."""
    sign_out(request)
    response = Response(status_code=204)
    request.app.state.sessions.end(response)
    return response


# -- accounts --
def _user_out(archive: Archive, name: str) -> models.UserOut:
    return models.UserOut(**archive.users.info(name).to_dict())


@router.get("/users", response_model=list[models.UserOut], tags=["access"], responses=ADMIN)
def users(archive: ArchiveDep, _: OwnerDep) -> list[models.UserOut]:
    """Every account and its grants (never a password hash)."""
    return [models.UserOut(**u.to_dict()) for u in archive.users.list()]


def _grants(change: models.UserChange) -> dict[str, Any]:
    grants = change.model_dump(exclude_none=True, exclude={"name"})
    if "clearance" in grants:
        grants["clearance"] = parse_clearance(grants["clearance"])
    return grants


@router.post(
    "/users", response_model=models.UserOut, status_code=201, tags=["access"],
    responses={**ADMIN, 400: {"model": models.ErrorOut, "description": "Bad name"},
               409: {"model": models.ErrorOut, "description": "Name taken or reserved"}},
)  # fmt: skip
def add_user(archive: ArchiveDep, _: OwnerDep, body: models.UserIn) -> models.UserOut:
    """Create an account."""
    if body.name.lower() in RESERVED or archive.users.principal(body.name) is not None:
        raise HTTPException(409, f"user name '{body.name.lower()}' is taken")
    try:
        archive.users.add(body.name, **_grants(body))
    except UserError as error:
        raise HTTPException(400, str(error)) from None
    return _user_out(archive, body.name)


def _need_user(archive: Archive, name: str) -> None:
    if archive.users.principal(name) is None:
        raise HTTPException(404, f"no user '{name.lower()}'")


@router.patch(
    "/users/{name}", response_model=models.UserOut, tags=["access"],
    responses={**ADMIN, 404: {"model": models.ErrorOut, "description": "No such user"}},
)  # fmt: skip
def change_user(
    archive: ArchiveDep, _: OwnerDep, name: str, body: models.UserChange
) -> models.UserOut:
    """Change an account's grants (in force from its next request) or password (which
    ends its sessions and tokens)."""
    _need_user(archive, name)
    archive.users.set(name, **_grants(body))
    return _user_out(archive, name)


@router.delete(
    "/users/{name}", status_code=204, tags=["access"],
    responses={**ADMIN, 404: {"model": models.ErrorOut, "description": "No such user"}},
)  # fmt: skip
def remove_user(archive: ArchiveDep, _: OwnerDep, name: str) -> Response:
    """Remove an account (its sessions and tokens stop working at once)."""
    _need_user(archive, name)
    archive.users.remove(name)
    return Response(status_code=204)


# -- declassification --
def _visible(archive: Archive, cable_id: str) -> None:
    if archive.refs(cable_id) is None:  # the cheapest visible-or-not question (no audit)
        raise HTTPException(404, f"{cable_id}: not in the archive")


def _decision_out(d: Any) -> models.DecisionOut:
    return models.DecisionOut(cable_id=d.cable_id, action=d.action.value, reason=d.reason,
                              who=d.who, when=d.when.isoformat(), level=d.level.value,
                              sbu=d.sbu)  # fmt: skip


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": models.ErrorOut, "description": "No such cable (or not visible to you)"}
}


@router.get(
    "/cables/{cable_id}/declass", response_model=models.DeclassOut, tags=["declassification"],
    responses=NOT_FOUND,
)  # fmt: skip
def declass_status(
    archive: ArchiveDep, cable_id: CableId, on: date | None = None
) -> models.DeclassOut:
    """Where a cable stands (classified, due for review, declassified, exempted) and
    the decisions recorded on it."""
    _visible(archive, cable_id)
    status = archive.review.status(cable_id, on)
    return models.DeclassOut(
        id=cable_id.upper(), status=status.status.value,
        date=status.date.isoformat() if status.date else None, basis=status.basis,
        exemptions=list(status.exemptions),
        decisions=[_decision_out(d) for d in archive.review.decisions(cable_id)],
    )  # fmt: skip


@router.post(
    "/cables/{cable_id}/declass", response_model=models.DecisionOut, status_code=201,
    tags=["declassification"], responses={**ADMIN, **NOT_FOUND},
)  # fmt: skip
def declass_decide(
    archive: ArchiveDep, _: OwnerDep, cable_id: CableId, body: models.DecisionIn
) -> models.DecisionOut:
    """Record a decision; the public reader then sees exactly what was released."""
    _visible(archive, cable_id)
    decision = archive.review.decide(cable_id, body.action, body.reason,
                                     level=parse_clearance(body.level), sbu=body.sbu)  # fmt: skip
    return _decision_out(decision)


@router.get("/declass/due", response_model=list[models.DueOut], tags=["declassification"])
def declass_due(
    archive: ArchiveDep, on: date | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:  # fmt: skip
    """The review queue: cables due for review or declassified, with no decision yet."""
    return [item.to_dict() for item in archive.review.due(on, limit=limit)]


@router.get("/declass/report", tags=["declassification"])
def declass_report(
    archive: ArchiveDep, size: Annotated[int, Query(ge=1, le=200)] = 20
) -> dict[str, Any]:
    """Classified cables by year, origin and tag: released, in part, exempted, closed."""
    return archive.review.report(size=size)


# -- audit --
@router.get("/audit", response_model=list[models.AuditOut], tags=["access"], responses=ADMIN)
def audit(
    archive: ArchiveDep, _: OwnerDep, who: str | None = None, action: str | None = None,
    target: str | None = None, interface: str | None = None, since: str | None = None,
    until: str | None = None, limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> list[dict[str, Any]]:  # fmt: skip
    """The audit log, newest first: reads of classified cables, decisions, account changes."""
    entries = archive.audit.query(who=who, action=action, target=target, interface=interface,
                                  since=since, until=until, limit=limit)  # fmt: skip
    return [e.to_dict() for e in entries]
