"""WikiLeaks PlusD record pages (1970s telegrams, the copy as received).

The catalogue table (``id="synopsis"``: Date, Canonical ID, Original and
Current Classification, TAGS, From, To, ...) becomes metadata; the "Raw
content" pane holds the telegram exactly as received (``PAGE 01`` banner,
``ORIGIN``/``INFO`` office lines, ``DRAFTED BY``) and becomes the text.  The
"Content" pane is the same text split for display, so it is not used.
"""

from __future__ import annotations

import html
import re
from typing import Any

from cablegram.format.sources.document import Document, LineMap
from cablegram.format.sources.notices import iso_minutes
from cablegram.format.sources.telegram import base_metadata, normalize_newlines
from cablegram.model import NotACableError

FORMAT = "plusd-html"

_SYNOPSIS = re.compile(r"<table id=\"synopsis\">(.*?)</table>", re.S)
_TITLE_ROW = re.compile(r"<td colspan=\"2\"[^>]*>(.*?)</td>", re.S)
_FIELD = re.compile(
    r"<div class=\"s_key\">(.*?)</div>\s*<div class=\"s_val\"[^>]*?(?:title=\"[^\"]*\")?[^>]*>(.*?)</div>",
    re.S,
)
_PANE = re.compile(
    r"<div class=\"pane-header\">([^<]*)</div><div class=\"pane-content\">"
    r"<div class=\"text-content\">(.*?)</div>",
    re.S,
)
_TAG_LINK = re.compile(r"qftags=([A-Za-z0-9]+)")
_TAG = re.compile(r"<[^>]+>")
_CONTENT_PANES = ("Raw content", "Content")
# PlusD appends its current markings after the telegram ("*** Current Classification ***").
_TRAILER = re.compile(r"(?:\n[ \t]*\*\*\*[^\n]*)+\s*$")


def is_plusd_page(text: str) -> bool:
    return 'id="synopsis"' in text or "/plusd/" in text[:8192]


def _clean(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def _key(label: str) -> str:
    return label.rstrip(":").strip().lower().replace(" ", "_")


def _metadata(page: str, path: str | None) -> dict[str, Any]:
    metadata = base_metadata(path)
    table = _SYNOPSIS.search(page)
    if not table:
        return metadata
    title = _TITLE_ROW.search(table.group(1))
    if title and _clean(title.group(1)):
        metadata["subject"] = _clean(title.group(1))
    for label, value in _FIELD.findall(table.group(1)):
        key = _key(_clean(label))
        if key == "tags":
            metadata["tags"] = sorted(set(_TAG_LINK.findall(html.unescape(value))))
            continue
        text = _clean(value)
        if not text or text.startswith("-- N/A"):
            continue
        if key == "canonical_id":
            metadata["id"] = text
        elif key == "date":
            # "1973 May 22, 18:28 (Tuesday)"
            metadata["created"] = iso_minutes(text.split(" (")[0], "%Y %b %d, %H:%M") or text
        elif key == "original_classification":
            metadata["classification"] = text
        metadata["archive_locator" if key == "locator" else key] = text
    return metadata


def page_document(page: str, path: str | None) -> Document:
    """The telegram on a PlusD record page."""
    panes = {m[1].strip(): m for m in _PANE.finditer(page)}
    pane = next((panes[name] for name in _CONTENT_PANES if name in panes), None)
    if pane is None:
        raise NotACableError("PlusD page without a telegram text pane", path)
    text = normalize_newlines(html.unescape(_TAG.sub("", pane[2])))
    lead = len(text) - len(text.lstrip("\n"))
    text = _TRAILER.sub("", text.rstrip()).strip("\n") + "\n"
    if not text.strip():
        raise NotACableError("PlusD page with an empty telegram text pane", path)
    # The pane's lines are the page's (tags spanning lines aside).
    first = page.count("\n", 0, pane.start(2)) + 1 + lead
    return Document(text, FORMAT, path, _metadata(page, path), lines=LineMap(((0, first, 1),)))
