"""WikiLeaks Cablegate cable pages (2010 and 2011 site layouts).

A page holds a metadata table (Reference ID, Created, Released,
Classification, Origin) and the cable in ``<pre>`` blocks with ``&#x000A;``
newlines: the routing header first, the body last (some pages have only the
body).  TAGS are links, paragraph marks are ``<a id='parN'>¶</a>`` anchors.
Everything else on the page (navigation, help) is ignored.
"""

from __future__ import annotations

import html
import re
from typing import Any

from cablegram.format.markup import unmark
from cablegram.format.sources.document import Document
from cablegram.format.sources.notices import (
    iso_minutes,
    take_injected_date,
    take_partial_extract,
)
from cablegram.format.sources.telegram import base_metadata, normalize_newlines
from cablegram.model import Defect, NotACableError

FORMAT = "wikileaks-html"

_PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.S | re.I)
_TABLE = re.compile(r"<table class=['\"]cable['\"]>(.*?)</table>", re.S | re.I)
_TH = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S | re.I)
_TD = re.compile(r"<td\b[^>]*>(.*?)</td>", re.S | re.I)
_TITLE_ATTR = re.compile(r"title=['\"]([^'\"]*)['\"]")
_TAG = re.compile(r"<[^>]+>")
_VIEWING = re.compile(r"<h3>\s*Viewing cable ([^,<]+),\s*(.*?)\s*</h3>", re.S | re.I)
# <br> inside a pre is followed by the &#x000A; it duplicates (09LAPAZ96).
_BR_NEWLINE = re.compile(r"<br\s*/?>(?=\s*(?:&#x0*A;|&#10;|\n))", re.I)

# Table heading -> standard metadata key (see Document).
_COLUMNS = {
    "reference id": "id",
    "created": "created",
    "released": "released",
    "classification": "classification",
    "origin": "origin",
}


def is_cablegate_page(text: str) -> bool:
    return "<table class='cable'>" in text or "Cable Viewer" in text[:4096]


def _cell_text(cell: str) -> str:
    return html.unescape(_TAG.sub("", cell)).strip()


def _metadata(page: str, path: str | None) -> dict[str, Any]:
    metadata = base_metadata(path)
    table = _TABLE.search(page)
    if table:
        names = [_cell_text(th).lower() for th in _TH.findall(table.group(1))]
        cells = _TD.findall(table.group(1))
        for name, cell in zip(names, cells, strict=False):
            key = _COLUMNS.get(name, name.replace(" ", "_"))
            value = _cell_text(cell)
            if key in ("created", "released"):
                value = iso_minutes(value, "%Y-%m-%d %H:%M") or value
            if key == "classification":
                # The link title often contradicts the link text; keep both, trust neither.
                title = _TITLE_ATTR.search(cell)
                if title:
                    metadata["classification_title"] = title.group(1)
            if value:
                metadata[key] = value
    viewing = _VIEWING.search(page)
    if viewing:
        metadata.setdefault("id", _cell_text(viewing.group(1)))
        subject = _cell_text(viewing.group(2))
        if subject:
            metadata["title"] = subject
    return metadata


def pre_text(block: str) -> str:
    """Plain text of a ``<pre>`` block: anchors -> ¶, TAGS links -> words, entities."""
    block = _BR_NEWLINE.sub("", block)
    return normalize_newlines(unmark(block))


def page_document(page: str, path: str | None) -> Document:
    """The cable on a Cablegate page."""
    blocks = [pre_text(b) for b in _PRE.findall(page)]
    if not blocks:
        raise NotACableError("HTML page without cable <pre> blocks", path)
    metadata = _metadata(page, path)
    defects: list[Defect] = []
    kept: list[str] = []
    for block in blocks:
        block, found = take_partial_extract(block, metadata)
        defects += found
        if block.strip():
            kept.append(block)
    if not kept:
        raise NotACableError("HTML page whose <pre> blocks hold no cable text", path)
    body, found = take_injected_date(kept[-1], metadata)
    defects += found
    parts = [b.strip("\n") for b in kept[:-1]] + [body.strip("\n")]
    text = "\n\n".join(parts) + "\n"
    return Document(text, FORMAT, path, metadata, tuple(defects))
