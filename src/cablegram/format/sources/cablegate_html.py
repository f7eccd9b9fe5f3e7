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

from cablegram.format.markup import unmark, unmark_with_lines
from cablegram.format.sources.document import Document, LineMap
from cablegram.format.sources.notices import (
    iso_minutes,
    take_injected_date,
    take_partial_extract,
)
from cablegram.format.sources.telegram import base_metadata, normalize_newlines
from cablegram.model import Defect, NotACableError

FORMAT = "wikileaks-html"

# What the page reader finds (the specification of _blocks and _search below).
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


# Pages are long: a block is found by its opening tag, then the first closing
# tag after it, each a short case-insensitive pattern that starts with "<" (what
# _PRE, _TABLE and _VIEWING match, without trying the lazy middle at every
# character of the page).
_PRE_OPEN = re.compile(r"<(?i:pre)\b[^>]*>")
_PRE_CLOSE = re.compile(r"</(?i:pre)>")
_TABLE_OPEN = re.compile(r"<(?i:table class=)['\"](?i:cable)['\"]>")
_TABLE_CLOSE = re.compile(r"</(?i:table)>")
_TH_OPEN = re.compile(r"<(?i:th)\b[^>]*>")
_TH_CLOSE = re.compile(r"</(?i:th)>")
_TD_OPEN = re.compile(r"<(?i:td)\b[^>]*>")
_TD_CLOSE = re.compile(r"</(?i:td)>")
_H3_OPEN = re.compile(r"<(?i:h3)>")


def _blocks(
    page: str, opening: re.Pattern[str], closing: re.Pattern[str], first: bool = False
) -> list[tuple[int, str]]:
    """(start, content) of each block from an ``opening`` match to the first
    ``closing`` match after it (``<opening>(.*?)<closing>`` found in turn);
    only the first block when ``first``."""
    out: list[tuple[int, str]] = []
    opened = opening.search(page)
    while opened is not None:
        closed = closing.search(page, opened.end())
        if closed is None:
            break  # no later block can close either
        out.append((opened.end(), page[opened.end() : closed.start()]))
        if first:
            break
        opened = opening.search(page, closed.end())
    return out


def _search(pattern: re.Pattern[str], page: str, opening: re.Pattern[str]) -> re.Match[str] | None:
    """``pattern.search(page)``, tried only where ``opening`` (its start) matches."""
    at = opening.search(page)
    while at is not None:
        m = pattern.match(page, at.start())
        if m is not None:
            return m
        at = opening.search(page, at.start() + 1)
    return None


def is_cablegate_page(text: str) -> bool:
    return "<table class='cable'>" in text or "Cable Viewer" in text[:4096]


def _cell_text(cell: str) -> str:
    return html.unescape(_TAG.sub("", cell)).strip()


def _metadata(page: str, path: str | None) -> dict[str, Any]:
    metadata = base_metadata(path)
    tables = _blocks(page, _TABLE_OPEN, _TABLE_CLOSE, first=True)
    if tables:
        table = tables[0][1]
        names = [_cell_text(th).lower() for _, th in _blocks(table, _TH_OPEN, _TH_CLOSE)]
        cells = [td for _, td in _blocks(table, _TD_OPEN, _TD_CLOSE)]
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
    viewing = _search(_VIEWING, page, _H3_OPEN)
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


def _pre_lines(block: str, first: int) -> tuple[str, list[int]]:
    """``pre_text(block)`` and the page line of each of its lines (the block
    starts on page line ``first``; its ``&#x000A;`` breaks stay on one page line)."""
    if "\n" not in block:  # the usual block: all on one line of the page
        text = pre_text(block)
        return text, [first] * (text.count("\n") + 1)
    text, starts = unmark_with_lines(_BR_NEWLINE.sub("", block))
    text = normalize_newlines(text)
    n = text.count("\n") + 1
    return text, [first + x for x in starts] if starts is not None else list(
        range(first, first + n)
    )


def _cut(text: str, rest: str, lines: list[int]) -> tuple[str, list[int]]:
    """``rest`` (a suffix of ``text``) without its leading line ends, with its lines."""
    skip = text[: len(text) - len(rest)].count("\n")
    kept = rest.lstrip("\n")
    return kept, lines[skip + len(rest) - len(kept) :]


def page_document(page: str, path: str | None) -> Document:
    """The cable on a Cablegate page."""
    blocks: list[tuple[str, list[int]]] = []
    line, counted = 1, 0  # the page line at offset ``counted``: each stretch counted once
    for at, text in _blocks(page, _PRE_OPEN, _PRE_CLOSE):
        line += page.count("\n", counted, at)
        counted = at
        blocks.append(_pre_lines(text, line))
    if not blocks:
        raise NotACableError("HTML page without cable <pre> blocks", path)
    metadata = _metadata(page, path)
    defects: list[Defect] = []
    kept: list[tuple[str, list[int]]] = []
    for block, lines in blocks:
        rest, found = take_partial_extract(block, metadata)
        defects += found
        if rest.strip():
            kept.append(_cut(block, rest, lines))
    if not kept:
        raise NotACableError("HTML page whose <pre> blocks hold no cable text", path)
    last, last_lines = kept[-1]
    body, found = take_injected_date(last, metadata)
    defects += found
    kept[-1] = _cut(last, body, last_lines)
    text_lines: list[int] = []
    parts: list[str] = []
    for part, lines in kept:
        part = part.rstrip("\n")
        if parts:
            text_lines.append(lines[0])  # the blank line between two blocks
        parts.append(part)
        text_lines += lines[: part.count("\n") + 1]
    text = "\n\n".join(parts) + "\n"
    text_lines.append(text_lines[-1])
    return Document(text, FORMAT, path, metadata, tuple(defects), lines=LineMap.of(text_lines))
