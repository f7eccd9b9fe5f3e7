"""cablegram.web: the HTTP API and the web pages (an interface only; see
docs/web.md).  ``create_app(archive_path)`` returns the FastAPI application."""

from cablegram.web.app import create_app

__all__ = ["create_app"]
