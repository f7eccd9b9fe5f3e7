"""Jinja2 environment of the pages: templates, filters, and the reader shown in
every page header."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from cablegram.archive.results import MARK_CLOSE, MARK_OPEN
from cablegram.web.reader import level_class

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def highlight(snippet: str) -> Markup:
    """A search snippet with its «matches» as ``<mark>`` (the rest escaped)."""
    text = str(escape(snippet))
    return Markup(text.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


def search_url(query: str, **params: Any) -> str:
    """``/search?q=...`` with extra parameters (None values dropped)."""
    items = {"q": query, **{k: v for k, v in params.items() if v not in (None, "")}}
    return "/search?" + urlencode(items)


def day(created: str | None) -> str:
    return (created or "")[:10] or "undated"


TEMPLATES.env.filters.update(highlight=highlight, level=level_class, day=day)
TEMPLATES.env.globals.update(search_url=search_url)


def render(
    request: Request, name: str, context: dict[str, Any], *, status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    from cablegram.web.deps import shown_reader

    full = {
        "reader": shown_reader(request),
        "query": "",
        **context,
    }
    return TEMPLATES.TemplateResponse(request, name, full, status_code=status, headers=headers)
