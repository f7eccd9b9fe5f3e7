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

Text is extracted with PDFium, the PDF engine of Chromium, as the optional
pypdfium2 package installs it (``pip install "cablegram[pdf]"``; ``[all]``
includes it); :mod:`cablegram.format.sources.pdfium` declares the few
functions used, and loads with the first PDF.
The printouts draw each line of the telegram as one text run, a blank line as
a run holding one space.  PDFium's text page gives the runs in order, one per
line, but keeps one blank of a run of blanks and leaves out runs that are only
blanks; :func:`pdf_pages` puts both back from the positions PDFium reports (a
run of blanks is as wide as so many blanks; a blank text run between two lines
is a blank line) and ends a line again where PDFium joined the next line to a
hyphen, which gives exactly the published ``aad-text-1970s``
extracts, as pypdf did at twice the cost (pdfminer.six doubled every line
break and moved page stamps into the text).  A PDF that is no AAD printout is
read as plain cable text when it is one.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime
from types import ModuleType
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
    """The text of each page: one line per text run, as the printouts were drawn."""
    try:  # the binding (and ctypes) load with the first PDF, not at start-up
        import ctypes

        from cablegram.format.sources import pdfium

        lib = pdfium.library()
    except ImportError:
        raise NotACableError(
            'PDF: reading PDFs needs the optional pypdfium2 package (pip install "cablegram[pdf]")',
            path,
        ) from None
    with _PDFIUM:  # PDFium is not thread-safe
        document = lib.FPDF_LoadMemDocument64(data, ctypes.c_size_t(len(data)), None)
        try:
            if lib.FPDF_GetPageCount(document) < 1:
                error = lib.FPDF_GetLastError()
                if error == pdfium.FPDF_ERR_PASSWORD:
                    raise NotACableError("encrypted PDF", path)
                name = pdfium.ERROR_NAMES.get(error, f"Unhandled constant {error}")
                raise NotACableError(
                    f"unreadable PDF: Failed to load document (PDFium: {name}).", path
                )
            if lib.FPDF_GetSecurityHandlerRevision(document) != -1:
                raise NotACableError("encrypted PDF", path)
            pages = []
            for i in range(min(lib.FPDF_GetPageCount(document), MAX_PAGES)):
                page = lib.FPDF_LoadPage(document, i)
                if not page:
                    raise pdfium.PdfiumError("Failed to load page.")
                try:
                    pages.append(_page_text(page, pdfium))
                finally:
                    lib.FPDF_ClosePage(page)
            return pages
        except NotACableError:
            raise
        except Exception as error:  # a damaged page
            raise NotACableError(
                f"unreadable PDF: {type(error).__name__}: {error}", path
            ) from error
        finally:
            if document:
                lib.FPDF_CloseDocument(document)


_PDFIUM = threading.Lock()


def _page_text(page: Any, pdfium: ModuleType) -> str:
    """One page's text: PDFium's lines, each run of blanks and each blank line
    put back where PDFium's text page folded or left them out."""
    import ctypes  # loaded with the binding

    lib = pdfium.library()
    tp = lib.FPDFText_LoadPage(page)
    if not tp:
        raise pdfium.PdfiumError("Failed to load text page.")
    try:
        count = lib.FPDFText_CountChars(tp)
        text = pdfium.text_range(tp, count) if count > 0 else ""
        if len(text) != count:  # text and char indices differ: no positions to use
            return text.replace("\r\n", "\n")
        # What PDFium writes into, and the pointers passed for it, made once a page.
        x, y, box = ctypes.c_double(), ctypes.c_double(), pdfium.FS_RECTF()
        at_x, at_y, at_box = ctypes.byref(x), ctypes.byref(y), ctypes.byref(box)
        origin, text_object = lib.FPDFText_GetCharOrigin, lib.FPDFText_GetTextObject
        lines: list[str] = []
        baselines: list[float | None] = []
        objects: list[int | None] = []  # each line's first text object (its address)
        at = 0  # index of the line's first char
        for found in _LINE.finditer(text):
            line, end = found[1], found[2]
            if end == _HYPHEN:  # a hyphen ending a line: PDFium joined the next to it
                line += "-"
            if line:
                origin(tp, at, at_x, at_y)
                baselines.append(y.value)
                objects.append(text_object(tp, at).value)
            else:
                baselines.append(None)
                objects.append(None)
            if " " in line:
                line = _blanks_restored(line, at, tp, lib, x, box, at_x, at_y, at_box)
            lines.append(line)
            if not end:  # the end of the page (\Z would match once more, empty)
                break
            at = found.end()
        return "\n".join(_with_blank_lines(lines, baselines, objects, page, tp, pdfium))
    finally:
        lib.FPDFText_ClosePage(tp)


# A line of PDFium's text: up to a line break it generated, or a hyphen (its
# mark U+FFFE) after which it joined the next line, or the end of the page.
_HYPHEN = "\ufffe"
_LINE = re.compile(r"([^\r\ufffe]*(?:\r(?!\n)[^\r\ufffe]*)*)(\r\n|\ufffe|\Z)")
# No typed line is wider; a bound on what a damaged file's positions can ask for.
_MAX_BLANKS = 200


def _blanks_restored(
    line: str, at: int, tp: Any, lib: Any, x: Any, box: Any, at_x: Any, at_y: Any, at_box: Any
) -> str:
    """``line`` (chars ``at``...) with each blank as many blanks as its room holds:
    PDFium keeps the first blank of a run, at its place, and the next char
    where the run ends.  Blanks PDFium generated (between runs) have no width.
    (``x`` and ``box`` are written through the pointers ``at_x``, ``at_box``.)"""
    loose_box, origin = lib.FPDFText_GetLooseCharBox, lib.FPDFText_GetCharOrigin
    out: list[str] = []
    done = 0
    last = len(line) - 1
    j = line.find(" ")
    while 0 <= j < last:
        loose_box(tp, at + j, at_box)
        left = box.left
        width = box.right - left
        if width > 0:
            origin(tp, at + j + 1, at_x, at_y)
            blanks = round((x.value - left) / width)
            if blanks > 1:
                out.append(line[done:j])
                out.append(" " * min(blanks, _MAX_BLANKS))
                done = j + 1
        j = line.find(" ", j + 1)
    if not out:
        return line
    out.append(line[done:])
    return "".join(out)


def _with_blank_lines(
    lines: list[str],
    baselines: list[float | None],
    objects: list[int | None],
    page: Any,
    tp: Any,
    pdfium: ModuleType,
) -> list[str]:
    """``lines`` with a blank line (one space, as drawn) for each text run of
    blanks on a line of its own: the page's text objects between those of two
    lines that hold no text and stand on neither line."""
    import ctypes  # loaded with the binding

    lib = pdfium.library()
    handles = [lib.FPDFPage_GetObject(page, k) for k in range(lib.FPDFPage_CountObjects(page))]
    position = {h.value: k for k, h in enumerate(handles)}
    matrix = pdfium.FS_MATRIX()
    at_matrix = ctypes.byref(matrix)
    get_matrix = lib.FPDFPageObj_GetMatrix
    out: list[str] = []
    seen = -1  # the last page object that gave a line
    above: float | None = None

    def blank_runs(stop: int, below: float | None) -> None:
        nonlocal above
        for handle in handles[seen + 1 : stop]:
            # The position first: it rules out most objects (the runs that
            # continue a line); the text test last: PDFium finds an object's
            # text by going through every char of the page.
            if not get_matrix(handle, at_matrix):
                continue
            baseline = matrix.f
            if (
                (above is None or abs(baseline - above) > 0.5)
                and (below is None or abs(baseline - below) > 0.5)
                and lib.FPDFPageObj_GetType(handle) == pdfium.FPDF_PAGEOBJ_TEXT
                and lib.FPDFTextObj_GetText(handle, tp, None, 0) <= 2  # no text
            ):
                out.append(" ")
                above = baseline

    for line, baseline, obj in zip(lines, baselines, objects, strict=True):
        k = position.get(obj) if obj is not None else None
        if k is not None and k > seen + 1:
            blank_runs(k, baseline)
        out.append(line)
        if k is not None:
            seen = max(seen, k)
        if baseline is not None:
            above = baseline
    blank_runs(len(handles), None)
    return out


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
