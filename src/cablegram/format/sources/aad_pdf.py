"""NARA Access to Archival Databases (AAD) printouts, as PDF.

The Central Foreign Policy Files (1973-79 telegrams) reach readers as one PDF
per cable: a "Message Text" section, the telegram as received (``PAGE 01``
line, ``ACTION``/``INFO`` office lines, DTG, FM/TO, classification line,
E.O., TAGS, SUBJ, body, ``NNN``), then a "Message Attributes" section
(``Document Number: 1974LAPAZ00430``, ``Draft Date: 21 JAN 1974``, ``TAGS:
ECON, BL`` ...), with a declassification stamp repeated on every page.

The Message Text becomes the document's text; the attributes become its
metadata (keys in snake case: ``document_number``, ``draft_date``,
``original_classification``, ``film_number`` ...), plus the keys every source
uses: ``id`` (Document Number), ``created`` (Draft Date, ISO), ``classification``,
``tags`` (a list) and ``subject``.  The telegram text is authoritative; the
parser records where the attributes disagree with it (docs/format-defects.md).

Text is extracted with pypdf, an optional dependency (``pip install
"cablegram[pdf]"``; ``[all]`` includes it).  Of the libraries tried on the
published printouts, pypdf gives each text run as one line, in order, stamps
apart, exactly as the ``aad-text-1970s`` extracts; pdfminer.six doubled every
line break and moved page stamps into the text, and took five times longer.
A PDF that is no AAD printout is read as plain cable text when it is one.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

from cablegram.format.sources.document import Document, LineMap
from cablegram.format.sources.telegram import base_metadata, looks_like_cable, text_document
from cablegram.model import NotACableError

FORMAT = "aad-pdf"
PDF_MAGIC = b"%PDF-"
# Printouts run to a few pages; a page limit bounds the work on a hostile file.
MAX_PAGES = 500

_TEXT_HEAD = "Message Text"
_ATTRIBUTES_HEAD = "Message Attributes"
# The declassification stamp as one line (top of each page, and at the foot of
# later printouts): "[Sheryl P. Walter] Declassified/Released US Department of
# State EO Systematic Review 30 JUN 2005", blanks and tabs between its parts.
_STAMP = re.compile(
    r"^\s*(?:\S[^\n]*?\s)?Declassified/Released\s+US Department of State\s+"
    r"EO Systematic Review\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s*$"
)
# "Label: value" of the attributes: labels are title-case words ("Draft Date",
# "Disposition Approved on Date"); the database's few upper-case labels are named.
_ATTRIBUTE = re.compile(r"^(?P<label>[A-Za-z][A-Za-z ]{0,40}?):(?:\s|$)(?P<value>.*)$")
_UPPER_LABELS = frozenset({"TAGS", "SAS ID"})
_EMPTY_VALUES = frozenset({"", "n/a", "N/A"})
_TAG_SPLIT = re.compile(r",\s*(?![^()]*\))")


def is_pdf(data: bytes) -> bool:
    return data.lstrip(b"\t\n\r ")[:5] == PDF_MAGIC


def pdf_pages(data: bytes, path: str | None) -> list[str]:
    """The text of each page (pypdf's plain extraction: one line per text run)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        raise NotACableError(
            'PDF: reading PDFs needs the optional pypdf package (pip install "cablegram[pdf]")',
            path,
        ) from None
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise NotACableError("encrypted PDF", path)
        return [page.extract_text() or "" for page in reader.pages[:MAX_PAGES]]
    except NotACableError:
        raise
    except Exception as error:  # pypdf raises many kinds on damaged files
        raise NotACableError(f"unreadable PDF: {type(error).__name__}: {error}", path) from error


def _unstamped(pages: list[str]) -> list[str]:
    """The lines of all pages, without the declassification stamp lines."""
    out: list[str] = []
    for page in pages:
        for line in page.split("\n"):
            if "Declassified/Released" in line and _STAMP.match(line):
                continue
            out.append(line)
    return out


def _section(lines: list[str], head: str) -> int | None:
    """Index of the line after the section heading ``head``."""
    for i, line in enumerate(lines):
        if line.strip() == head:
            return i + 1
    return None


def _label(line: str) -> tuple[str, str] | None:
    m = _ATTRIBUTE.match(line)
    if m is None:
        return None
    label = m["label"].strip()
    if label != label.upper() or label in _UPPER_LABELS:
        return label, m["value"]
    return None


def read_attributes(lines: list[str]) -> dict[str, str]:
    """The "Message Attributes" lines as label -> value; a line that opens no
    label continues the value before it (long subjects and concept lists wrap,
    and the Review Markings value is the stamp, one part per line)."""
    out: dict[str, str] = {}
    label: str | None = None
    for line in lines:
        found = _label(line)
        if found is not None:
            label = found[0]
            out[label] = found[1].strip()
        elif label is not None and line.strip():
            out[label] = f"{out[label]} {line.strip()}".strip()
    return out


def _key(label: str) -> str:
    return "_".join(label.lower().split())


def _iso_day(value: str) -> str | None:
    """``21 JAN 1974`` / ``23 oct 1979`` -> ``1974-01-21``."""
    try:
        return datetime.strptime(" ".join(value.split()).title(), "%d %b %Y").date().isoformat()
    except ValueError:
        return None


def attribute_metadata(attributes: dict[str, str], path: str | None) -> dict[str, Any]:
    metadata = base_metadata(path)
    for label, value in attributes.items():
        folded = " ".join(value.split())
        if folded in _EMPTY_VALUES:
            continue
        key = _key(label)
        if key == "tags":
            metadata["tags"] = [t.strip() for t in _TAG_SPLIT.split(folded) if t.strip()]
            continue
        metadata[key] = folded
    if "document_number" in metadata:
        metadata["id"] = metadata["document_number"]
    if (day := _iso_day(metadata.get("draft_date", ""))) is not None:
        metadata["created"] = day
    if "original_classification" in metadata:
        metadata["classification"] = metadata["original_classification"]
    return metadata


def pdf_document(data: bytes, path: str | None) -> Document:
    """The cable of a PDF: an AAD printout's Message Text and attributes, or
    the text of another PDF when it is a cable."""
    lines = _unstamped(pdf_pages(data, path))
    start = _section(lines, _TEXT_HEAD)
    if start is None:
        text = "\n".join(lines)
        if not looks_like_cable(text):
            raise NotACableError("PDF without cable text (no AAD Message Text section)", path)
        doc = text_document(text, path)
        return Document(doc.text, "pdf", path, doc.metadata, doc.defects)
    attributes_at = _section(lines[start:], _ATTRIBUTES_HEAD)
    end = start + attributes_at - 1 if attributes_at is not None else len(lines)
    body = lines[start:end]
    if not any(line.strip() for line in body):
        raise NotACableError("AAD printout with an empty Message Text", path)
    attributes = read_attributes(lines[end + 1 :]) if attributes_at is not None else {}
    text = "\n".join(body).rstrip() + "\n"
    # A PDF has no lines of its own: lines count in the extracted Message Text.
    return Document(text, FORMAT, path, attribute_metadata(attributes, path), lines=LineMap())
