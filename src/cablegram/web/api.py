"""The JSON API under ``/api``: each route calls one archive function.

Sync routes on purpose: SQLite calls block, so FastAPI runs them in its
thread pool, each with an archive connection of its own (see deps.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse

from cablegram import lexicon
from cablegram.archive import Archive
from cablegram.web import models
from cablegram.web.deps import (
    Reader,
    ReaderDep,
    current_reader,
    owner_only,
    reader_archive,
    shown_cable,
    shown_copies,
)
from cablegram.web.ingest_job import IngestJobError, Upload, run_ingest
from cablegram.web.openapi import CABLE_REF
from cablegram.web.streams import EXPORT_TYPES, export_chunks
from cablegram.web.views import thread_view

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": models.ErrorOut, "description": "Malformed query (with its position)"},
    422: {"model": models.ErrorOut, "description": "Parameters of the wrong type"},
}
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": models.ErrorOut, "description": "No such cable (or not visible to you)"},
    422: ERRORS[422],
}

# Every route resolves its reader first: refused credentials are a 401 everywhere.
router = APIRouter(prefix="/api", tags=["archive"], dependencies=[Depends(current_reader)])
ArchiveDep = Annotated[Archive, Depends(reader_archive)]
Q = Annotated[
    str,
    Query(max_length=2000,
          description="Query (docs/archive.md); empty: every cable the reader may see"),
]  # fmt: skip
Sort = Literal["rank", "date", "date-asc"]
CableId = Annotated[
    str, Path(description="A cable id, e.g. 06ALMATY1703 (alias spellings resolve)")
]


def _need(value: Any, cable_id: str) -> Any:
    if value is None:
        raise HTTPException(404, f"{cable_id}: not in the archive")
    return value


@router.get("/search", response_model=models.SearchOut, responses=ERRORS)
def search(
    archive: ArchiveDep, q: Q, sort: Sort = "rank",
    limit: Annotated[int, Query(ge=0, le=500)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    facets: Annotated[bool, Query(description="Add counts by tag, origin, class...")] = False,
    exact: Annotated[bool, Query(description="Count every match of a broad query")] = False,
) -> dict[str, Any]:  # fmt: skip
    """Search with the query language; ``facets`` adds counts over the whole result set.

    A query matching more than 5,000 cables is measured on an even sample of
    its matches: ``total`` is then an estimate (``total_exact`` false, unless
    ``exact``), facets are scaled from the sample, and a relevance-sorted page
    lists the sample (``approximate_rank``; ``sort=date`` pages through all)."""
    result = archive.search(q, sort=sort, limit=limit, offset=offset, exact=exact)
    return result.to_dict(facets=facets)  # the search document, as `search --json` prints


@router.get(
    "/cables/{cable_id}",
    response_class=JSONResponse,
    responses={200: {"content": {"application/json": {"schema": CABLE_REF}}}, **NOT_FOUND},
)
def cable(archive: ArchiveDep, reader: ReaderDep, cable_id: CableId) -> JSONResponse:
    """A cable as schema JSON (``cable.schema.json``); ``source.path`` (where the
    archive read it) for archive owners only."""
    return JSONResponse(shown_cable(_need(archive.get_dict(cable_id), cable_id), reader))


@router.get(
    "/cables/{cable_id}/raw",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/plain": {}}},
        # Errors are JSON whatever the route's own type (set here: FastAPI would
        # document them as text/plain, the route's type).
        404: {
            "description": NOT_FOUND[404]["description"],
            "content": {"application/json": {"schema": ERROR_REF}},
        },
        422: {
            "description": ERRORS[422]["description"],
            "content": {"application/json": {"schema": ERROR_REF}},
        },
    },
)
def raw(archive: ArchiveDep, cable_id: CableId) -> PlainTextResponse:
    """The telegram text: the stored text of the copy the cable's fields come from,
    or, for a reader shown a release view, that view rendered."""
    return PlainTextResponse(_need(archive.raw(cable_id), cable_id))


@router.get("/cables/{cable_id}/copies", response_model=list[models.CopyOut], responses=NOT_FOUND)
def copies(archive: ArchiveDep, reader: ReaderDep, cable_id: CableId) -> list[models.CopyOut]:
    """Every copy read of the cable (source format, path, text); ``primary`` gives the
    fields.  Empty for a reader shown a release view (the originals hold withheld text).
    The path a copy was read from is shown to archive owners only."""
    found = shown_copies(archive.copies(cable_id), reader)
    if not found:
        _need(archive.refs(cable_id), cable_id)  # visible at all? (a plain, unaudited question)
    return [
        models.CopyOut(sha256=c.sha256, format=c.format, path=c.path, locator=c.locator,
                       primary=c.primary, text=c.text)
        for c in found
    ]  # fmt: skip


@router.get("/cables/{cable_id}/refs", response_model=list[models.RefOut], responses=NOT_FOUND)
def refs(archive: ArchiveDep, cable_id: CableId) -> list[models.RefOut]:
    """What the cable cites: in the archive, missing from it, or not a cable."""
    return [models.RefOut(**r.to_dict()) for r in _need(archive.refs(cable_id), cable_id)]


@router.get("/cables/{cable_id}/cited-by", response_model=list[models.NodeOut], responses=NOT_FOUND)
def cited_by(archive: ArchiveDep, cable_id: CableId) -> list[models.NodeOut]:
    """Cables whose REFs resolve to this one, oldest first."""
    nodes = _need(archive.cited_by(cable_id), cable_id)
    return [models.NodeOut(id=n.id, created=n.created, subject=n.subject) for n in nodes]


@router.get("/cables/{cable_id}/thread", response_model=models.ThreadOut, responses=NOT_FOUND)
def thread(
    archive: ArchiveDep, cable_id: CableId, depth: Annotated[int, Query(ge=1, le=8)] = 4
) -> models.ThreadOut:
    """The conversation: cables reachable by citing or being cited, up to ``depth`` steps."""
    return thread_view(archive, cable_id, depth)


@router.get("/graph", response_model=models.GraphOut, responses=ERRORS)
def graph(
    archive: ArchiveDep, q: Q, limit: Annotated[int, Query(ge=1, le=5000)] = 1000
) -> dict[str, Any]:
    """The citation graph of the cables matching ``q`` (cited cables outside it included)."""
    return archive.graph(q, limit=limit)


@router.get("/stats", response_model=models.StatsOut)
def stats(request: Request, archive: ArchiveDep) -> dict[str, Any]:
    """Counts by year, month, classification, origin, tag; defects; unresolved references.
    (Kept for up to a minute per reader: they take a scan of the whole archive.)"""
    return request.app.state.stats_cache.get(archive.principal, archive.stats)  # type: ignore[no-any-return]


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {t: {} for t in EXPORT_TYPES.values()}}, **ERRORS},
)
def export(
    request: Request, reader: Annotated[Reader, Depends(current_reader)], q: Q,
    format: Literal["jsonl", "csv"] = "jsonl", sort: Sort = "date",
) -> StreamingResponse:  # fmt: skip
    """Every cable matching ``q``, streamed: JSON lines of schema objects, or flat CSV."""
    pool = request.app.state.pool
    chunks = export_chunks(pool, reader.principal, q, format, sort)
    first = next(chunks)  # runs the query now, so a bad query is a 400, not a broken stream
    filename = f"cables.{format}"
    return StreamingResponse(
        _prepend(first, chunks), media_type=EXPORT_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip


def _prepend(first: str, rest: Any) -> Any:
    yield first
    yield from rest


@router.post(
    "/ingest",
    response_model=models.IngestOut,
    responses={
        401: {"model": models.ErrorOut, "description": "Not signed in"},
        403: {"model": models.ErrorOut, "description": "Not an archive owner"},
        413: {"model": models.ErrorOut, "description": "Upload larger than the server's limit"},
        503: {"model": models.ErrorOut, "description": "The ingest process failed or timed out"},
        422: ERRORS[422],
    },
)
def ingest(
    request: Request, _: Annotated[Reader, Depends(owner_only)],
    files: Annotated[list[UploadFile], File(description="Cables in any serialization")],
) -> dict[str, Any]:  # fmt: skip
    """Add uploaded files (telegrams, Cablegate pages, cables.csv, JSON, zip, gzip); owners only.

    Parsed by a process of its own, each document under the parse time limit
    (docs/limits.md): a document past it is stored as text with a
    ``PARSE_TIME_LIMIT`` defect."""
    uploads = [Upload(f.filename, f.file.read()) for f in files]
    try:
        return run_ingest(request.app.state.settings.archive, uploads)
    except IngestJobError as error:
        raise HTTPException(503, str(error)) from None


# The vocabulary is not the archive's: a router of its own, so that the
# operation carries one tag and the API pages list it once.
vocabulary = APIRouter(prefix="/api", tags=["vocabulary"], dependencies=[Depends(current_reader)])


@vocabulary.get("/tags", response_model=list[models.TagOut])
def tags() -> list[models.TagOut]:
    """Every known TAG with its kind and meaning."""
    return [
        models.TagOut(tag=t.tag, kind=t.kind, meaning=t.meaning) for t in lexicon.tags().values()
    ]
