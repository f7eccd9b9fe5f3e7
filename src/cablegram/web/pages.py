"""The HTML pages: search, cable reader, thread, corpus overview.

Server-rendered (Jinja2), usable without JavaScript; small scripts in
``static/`` draw the charts and the thread graph from JSON.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from cablegram.archive import Archive, QuerySyntaxError
from cablegram.web.deps import ReaderDep, current_reader, reader_archive, shown_copies
from cablegram.web.reader import reader_context
from cablegram.web.signin import cookie_secure, sign_in, sign_out
from cablegram.web.templating import render, search_url
from cablegram.web.thread_layout import layout
from cablegram.web.views import api_reference, facet_sidebar, histogram, pager, thread_view

# Every page resolves its reader first, so refused credentials fail every page alike.
router = APIRouter(include_in_schema=False, dependencies=[Depends(current_reader)])
ArchiveDep = Annotated[Archive, Depends(reader_archive)]
PAGE_SIZE = 20
EXAMPLES = (
    "detainees",
    '"request for guidance"',
    "tag:PTER class:>=confidential",
    "date:2006-05..2006-08 -tag:PREL",
    "has:refs origin:STATE",
)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html", {"examples": EXAMPLES})


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request, archive: ArchiveDep,
    q: Annotated[str, Query(max_length=2000)] = "",
    sort: Literal["rank", "date", "date-asc"] = "rank",
    page: Annotated[int, Query(ge=1, le=50_000)] = 1,
    exact: bool = False,
) -> HTMLResponse:  # fmt: skip
    if "q" not in request.query_params:  # no search asked for: the start page
        return RedirectResponse("/", status_code=303)  # type: ignore[return-value]
    q = " ".join(q.split())  # empty: every cable the reader may see

    def url(query: str) -> str:
        return search_url(query, sort=None if sort == "rank" else sort)

    context: dict[str, object] = {"query": q, "sort": sort, "page": page, "examples": EXAMPLES}
    try:
        result = archive.search(
            q, sort=sort, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, exact=exact
        )
        facets = result.facets(size=12)
    except QuerySyntaxError as error:
        context["error"] = error
        return render(request, "search.html", context, status=400)
    context.update(
        hits=result.hits,
        total=result.total,
        total_exact=result.total_exact,
        exact_url=search_url(q, sort=None if sort == "rank" else sort, exact=1),
        approximate=facets.approximate,
        approximate_rank=result.approximate_rank,
        sidebar=facet_sidebar(q, facets, url),
        histogram=histogram(q, facets, url),
        pages=pager(result.pageable, page, PAGE_SIZE),
        last_page=max(1, -(-result.pageable // PAGE_SIZE)),
        page_url=lambda n: search_url(q, sort=None if sort == "rank" else sort, page=n),
        sort_url=lambda s: search_url(q, sort=None if s == "rank" else s),
    )
    return render(request, "search.html", context)


def _need_cable(archive: Archive, cable_id: str):  # type: ignore[no-untyped-def]
    cable = archive.get(cable_id)
    if cable is None:
        raise HTTPException(404, f"{cable_id}: not in the archive")
    return cable


@router.get("/cables/{cable_id}", response_class=HTMLResponse)
def cable_page(
    request: Request, archive: ArchiveDep, reader: ReaderDep, cable_id: str,
    view: Literal["held", "rendered"] = "held",
) -> HTMLResponse:  # fmt: skip
    """The reader: the text as the source holds it, or (``view=rendered``) as a
    rendered telegram.  Where copies were read from is shown to owners only."""
    cable = _need_cable(archive, cable_id)
    if cable.id and cable.id != cable_id:  # an alias spelling: the permalink is the id
        target = f"/cables/{cable.id}" + ("?view=rendered" if view == "rendered" else "")
        return RedirectResponse(target, status_code=301)  # type: ignore[return-value]
    context = reader_context(
        cable, archive.refs(cable_id) or [], archive.cited_by(cable_id) or [],
        shown_copies(archive.copies(cable_id), reader), view=view,
    )  # fmt: skip
    return render(request, "cable.html", context)


@router.get("/cables/{cable_id}/thread", response_class=HTMLResponse)
def thread_page(
    request: Request, archive: ArchiveDep, cable_id: str,
    depth: Annotated[int, Query(ge=1, le=8)] = 4,
) -> HTMLResponse:  # fmt: skip
    thread = thread_view(archive, cable_id, depth)  # (not an audited read of the cable)
    root = next(n for n in thread.nodes if n.id == thread.root)
    drawing = layout(
        thread.root, [(n.id, n.created, n.subject, n.classification) for n in thread.nodes],
        [(e.source, e.target) for e in thread.edges],
    )  # fmt: skip
    context = {"cable": root, "thread": thread, "depth": depth, "drawing": drawing,
               "cites": {e.target for e in thread.edges if e.source == thread.root},
               "citers": {e.source for e in thread.edges if e.target == thread.root}}  # fmt: skip
    return render(request, "thread.html", context)


@router.get("/overview", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    return render(request, "overview.html", {})


@router.get("/reference", response_class=HTMLResponse)
def reference(request: Request) -> HTMLResponse:
    """The JSON API described from its OpenAPI document (a page without script)."""
    operations = api_reference(request.app.openapi())
    return render(request, "reference.html", {"operations": operations})


def _local(target: str) -> str:
    """``target`` if it is a path on this site, else ``/`` (no open redirects)."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": _local(next)})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)], next: Annotated[str, Form()] = "/",
) -> Response:  # fmt: skip
    try:
        account = sign_in(request, name, password)
    except HTTPException as error:
        context = {"next": _local(next), "name": name, "error": error.detail}
        return render(request, "login.html", context, status=error.status_code,
                      headers=error.headers)  # fmt: skip
    response = RedirectResponse(_local(next), status_code=303)
    secure = cookie_secure(request)
    request.app.state.sessions.start(response, account.principal.name, account.credentials,
                                     secure=secure)  # fmt: skip
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    sign_out(request)
    response = RedirectResponse("/", status_code=303)
    request.app.state.sessions.end(response)
    return response
