"""The application factory: one server for the JSON API (``/api``; OpenAPI at
``/openapi.json``, Swagger UI at ``/docs``) and the HTML pages.

    uvicorn --factory cablegram.web.app:app_from_env   # CABLEGRAM_ARCHIVE=...

``cablegram serve`` does exactly that, with several worker processes if asked.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from cablegram import __version__
from cablegram.archive import archive_path
from cablegram.web import (
    api,
    api_access,
    apidocs,
    auth,
    directory_pages,
    drafting,
    drafting_pages,
    errors,
    inbox,
    openapi,
    pages,
    signin,
)
from cablegram.web.csrf import CrossSiteGuard
from cablegram.web.deps import ANONYMOUS_CHOICES, Accounts, ArchivePool, TimedCache
from cablegram.web.headers import SecurityHeaders
from cablegram.web.limits import BodyLimit

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD = 32 << 20  # bytes per ingest request
THREADS = 8  # request threads per process: each may hold an open archive connection
STATS_SECONDS = 60.0  # corpus statistics are recomputed at most this often per reader


@dataclass(frozen=True, slots=True)
class Settings:
    archive: str
    anonymous: str = "public"
    max_upload: int = MAX_UPLOAD
    session_seconds: int = 8 * 3600
    # Behind a reverse proxy the server was told to trust (serve --forwarded-allow-ips):
    # the browser speaks HTTPS to the proxy, so session cookies are Secure.
    behind_proxy: bool = False


def create_app(
    archive_file: str, *, anonymous: str = "public", max_upload: int = MAX_UPLOAD,
    secret: bytes | None = None, behind_proxy: bool = False,
) -> FastAPI:  # fmt: skip
    """The web application over the archive at ``archive_file``.

    ``anonymous``: what a reader who has not signed in sees — ``public`` (the
    public reader of the access rules) or ``owner`` (full access; for a local
    single-user server).  ``secret`` signs session cookies; processes serving
    the same users must share it (``cablegram serve`` passes one to its workers).
    """
    if anonymous not in ANONYMOUS_CHOICES:
        raise ValueError(f"anonymous must be one of {ANONYMOUS_CHOICES}, not {anonymous!r}")
    settings = Settings(
        archive_path(archive_file), anonymous, max_upload, behind_proxy=behind_proxy
    )
    pool = ArchivePool(settings.archive)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        yield
        pool.close()

    app = FastAPI(
        title="cablegram",
        version=__version__,
        summary="Search, read and follow diplomatic cables.",
        description="The HTTP API of a cablegram archive; the same query language as the CLI "
        '(see docs/archive.md).  Errors are JSON: `{"error": ..., "position": ...}`.',
        lifespan=lifespan,
        docs_url=None,  # apidocs serves it from the vendored assets
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.pool = pool
    app.state.sessions = auth.Sessions(secret or secrets.token_bytes(32), settings.session_seconds)
    app.state.accounts = Accounts(pool)
    app.state.stats_cache = TimedCache(STATS_SECONDS)
    app.state.signin_limit = signin.SignInLimit(pool)
    errors.install(app)
    drafting.install(app)
    app.include_router(api.router)
    app.include_router(api.vocabulary)
    app.include_router(api_access.router)
    app.include_router(drafting.router)
    app.include_router(inbox.api)
    app.include_router(pages.router)
    app.include_router(drafting_pages.router)
    app.include_router(directory_pages.router)
    app.include_router(inbox.pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        """The icon, for clients that ask for it without reading a page's link
        (pages link ``/static/favicon.svg``; the PNG is that drawing at 32 px)."""
        return FileResponse(STATIC / "favicon.png", media_type="image/png")

    app.add_middleware(BodyLimit, limit=max_upload, paths=("/api/ingest",))
    app.add_middleware(CrossSiteGuard)
    app.add_middleware(SecurityHeaders)
    openapi.install(app)
    apidocs.install(app)
    return app


def app_from_env() -> FastAPI:
    """The factory ``cablegram serve`` gives uvicorn (each worker process calls it):
    ``CABLEGRAM_ARCHIVE``, ``CABLEGRAM_WEB_ANONYMOUS``, ``CABLEGRAM_WEB_SECRET`` (hex),
    ``CABLEGRAM_WEB_PROXY`` (1 behind a trusted reverse proxy)."""
    secret = os.environ.get("CABLEGRAM_WEB_SECRET")
    return create_app(
        archive_path(None),
        anonymous=os.environ.get("CABLEGRAM_WEB_ANONYMOUS", "public"),
        max_upload=int(os.environ.get("CABLEGRAM_WEB_MAX_UPLOAD", MAX_UPLOAD)),
        secret=bytes.fromhex(secret) if secret else None,
        behind_proxy=os.environ.get("CABLEGRAM_WEB_PROXY") == "1",
    )
