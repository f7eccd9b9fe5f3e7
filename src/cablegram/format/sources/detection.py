"""Which serialization a piece of data is, from its content alone (never its name).

Formats of cables: ``telegram``, ``web-text``, ``text-extract``,
``wikileaks-html``, ``plusd-html``, ``cablegate-csv``, ``cablegate-json``,
``aad-pdf`` (a NARA AAD printout) and ``pdf`` (cable text in another PDF).
Containers: ``gzip``, ``zip``, and ``pdf``: whether a PDF is an AAD printout
shows only in its extracted text (``format.sources.aad_pdf``).  Not a cable: ``empty``, ``binary``, ``html``
(a page without cable blocks), ``json`` (JSON without cable objects), ``text``
(text without cable structure).
"""

from __future__ import annotations

import json

from cablegram.format.markup import unmark
from cablegram.format.sources.aad_pdf import is_pdf
from cablegram.format.sources.cablegate_html import is_cablegate_page
from cablegram.format.sources.cables_csv import looks_like_csv
from cablegram.format.sources.plusd_html import is_plusd_page
from cablegram.format.sources.release_json import is_release_object
from cablegram.format.sources.telegram import decode, is_binary, looks_like_cable, text_format

CABLE_FORMATS = (
    "telegram",
    "web-text",
    "text-extract",
    "wikileaks-html",
    "plusd-html",
    "cablegate-csv",
    "cablegate-json",
    "aad-pdf",
    "pdf",
)
CONTAINERS = ("gzip", "zip", "pdf")
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
_HTML_START = ("<!doctype html", "<html", "<?xml")


def detect(data: bytes | str) -> str:
    """The serialization of ``data`` (see module docstring for the names)."""
    if isinstance(data, bytes):
        if data.startswith(GZIP_MAGIC):
            return "gzip"
        if data.startswith(ZIP_MAGIC):
            return "zip"
        if is_pdf(data):
            return "pdf"
        if not data.strip():
            return "empty"
        if is_binary(data):
            return "binary"
        text, _ = decode(data)
    else:
        text = data
    return detect_text(text)


def detect_text(text: str) -> str:
    head = text.lstrip("\ufeff \t\r\n")
    if not head:
        return "empty"
    lower = head[:200].lower()
    if lower.startswith(_HTML_START):
        if is_plusd_page(text):
            return "plusd-html"
        if is_cablegate_page(text) and "<pre" in text:
            return "wikileaks-html"
        return "html"
    if head[0] in "{[":
        return _json_kind(head)
    if looks_like_csv(head):
        return "cablegate-csv"
    probe = unmark(head[:16384]) if "](#" in head[:16384] or "<" in head[:200] else head
    if looks_like_cable(probe):
        return text_format(head)
    return "text"


def _json_kind(head: str) -> str:
    """'cablegate-json' when the first JSON value (or first JSON line) is a cable object."""
    first_line = head.split("\n", 1)[0].strip()
    for candidate in (first_line, head):
        try:
            value = json.loads(candidate)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, list):
            value = value[0] if value else None
        return "cablegate-json" if is_release_object(value) else "json"
    # Truncated sample of a large document: judge by the keys it shows.
    return "cablegate-json" if '"body"' in head[:65536] and '"_id"' in head[:65536] else "json"
