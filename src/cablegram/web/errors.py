"""Errors as the client should see them: JSON for ``/api``, a page for people.

Every error carries a clear message and the right status; a stack trace
never reaches a client (unexpected errors are logged server-side and answered
with a plain 500).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import escape
from starlette.exceptions import HTTPException

from cablegram.archive import AccessDenied, QuerySyntaxError, ReviewError

log = logging.getLogger("cablegram.web")

_TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Upload too large",
    422: "Invalid parameters",
    429: "Too many attempts",
    500: "Internal error",
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def error_response(
    request: Request, status: int, message: str, *, position: int | None = None,
    detail: list[dict[str, Any]] | None = None, headers: Mapping[str, str] | None = None,
) -> Response:  # fmt: skip
    if wants_json(request):
        body: dict[str, Any] = {"error": message}
        if position is not None:
            body["position"] = position
        if detail is not None:
            body["detail"] = detail
        return JSONResponse(body, status_code=status, headers=headers)
    from cablegram.web.templating import render

    title = _TITLES.get(status, "Error")
    context = {"status": status, "title": title, "message": message}
    try:
        return render(request, "error.html", context, status=status, headers=headers)
    except Exception:  # the error page itself failed: a plain page, still no trace
        log.exception("error page for %s failed", request.url.path)
        page = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        return HTMLResponse(f"{page}<p>{escape(message)}</p>", status, headers=headers)


def _validation_detail(error: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    detail = [
        {"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
        for e in error.errors()
    ]
    summary = "; ".join(f"{d['where']}: {d['message']}" for d in detail)
    return f"invalid parameters: {summary}", detail


def install(app: FastAPI) -> None:
    @app.exception_handler(QuerySyntaxError)
    async def bad_query(request: Request, exc: QuerySyntaxError) -> Response:
        return error_response(request, 400, exc.message, position=exc.position)

    @app.exception_handler(AccessDenied)
    @app.exception_handler(ReviewError)
    async def denied(request: Request, exc: PermissionError) -> Response:
        return error_response(request, 403, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        return error_response(request, exc.status_code, message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def wrong_types(request: Request, exc: RequestValidationError) -> Response:
        message, detail = _validation_detail(exc)
        return error_response(request, 422, message, detail=detail)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal error (the server log has the details)")
