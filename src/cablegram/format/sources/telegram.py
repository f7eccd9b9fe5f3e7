"""Plain-text cables: raw telegrams, web-scraped text and body-only extracts.

Also the helpers every other serialization shares: byte decoding (UTF-8, else
Latin-1 for the whole file: a lone 0xB6 byte in otherwise ASCII text is the
Latin-1 ``¶``), line-end normalisation, the ``filename_id`` fallback, and the
test "does this text look like a cable at all".
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Any

from cablegram.format.markup import unmark, unmark_with_lines
from cablegram.format.sources.document import Document, LineMap
from cablegram.lexicon import CLASSIFICATION_WORDS
from cablegram.model import Defect, NotACableError

_BOM = "\ufeff"
_TEXT_BYTES = bytes([9, 10, 12, 13, *range(32, 256)])
# Archive reference ids as used in file names: 05ISTANBUL890, 1973STATE097844_b.
_REF_ID = re.compile(r"(?:\d{2}|\d{4})[A-Z][A-Z0-9]*?\d+(?:_[a-z0-9]+)?")
# FL1 start-of-message, FL5 precedence + DTG, FM line (FORMAT §2.2, §2.6, §2.7).
_FL1 = re.compile(r"^VZCZC", re.M)
_DTG_LINE = re.compile(r"^[ZOPRYW](?: ?[ZOPRYW])* ?\d{6} ?Z [A-Z]{3} \d{2}\b", re.M)
_FM_LINE = re.compile(r"^FM ", re.M)
# Text-zone keywords that only a cable has at the start of a line.
_CABLE_LINE = re.compile(
    r"^[ \t]*(?:TAGS\b|SUBJECT:|SUBJ:|REF:|Classified By:|SIPDIS)|E\.\s?O\.\s?1\d{4}\b|\bTAGS:",
    re.M | re.I,
)
_MARKUP = re.compile(r"</?(?:code|pre|a)\b|\]\(#|&#x?[0-9A-Fa-f]+;", re.I)
_DETECT_SPAN = 16384


def decode(data: bytes) -> tuple[str, dict[str, Any]]:
    """Text of ``data`` (UTF-8, else Latin-1) with ``\\n`` line ends.

    Returns the text and metadata describing the decoding (``encoding`` only
    when it is not UTF-8, ``line_ends`` when they were not ``\\n``).
    """
    info: dict[str, Any] = {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        info["encoding"] = "latin-1"
    if text.startswith(_BOM):
        text = text[1:]
    if "\r" in text:
        info["line_ends"] = "crlf" if "\r\n" in text else "cr"
        text = normalize_newlines(text)
    return text, info


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_binary(data: bytes) -> bool:
    """True for data no text serialization produces (NUL bytes, many controls)."""
    head = data[:4096]
    if b"\x00" in head:
        return True
    controls = len(head.translate(None, _TEXT_BYTES))
    return controls > len(head) // 20


def filename_id(path: str | None) -> str | None:
    """The file stem when it looks like a reference id (weak fallback only)."""
    if not path:
        return None
    name = path.rsplit("!", 1)[-1]
    stem = os.path.basename(name).split(".", 1)[0]
    return stem if _REF_ID.fullmatch(stem) else None


def base_metadata(path: str | None) -> dict[str, Any]:
    stem_id = filename_id(path)
    return {"filename_id": stem_id} if stem_id else {}


@lru_cache(maxsize=8)
def has_transmission_header(text: str) -> bool:
    """A routing header before the text: ``VZCZC`` or an ``FM`` line after a DTG,
    both before the first text-zone keyword (a copy pasted below a body is no header)."""
    head = text[:_DETECT_SPAN]
    keyword = _CABLE_LINE.search(head)
    limit = keyword.start() if keyword else len(head)
    fl1 = _FL1.search(head, 0, limit)
    if fl1:
        return True
    dtg = _DTG_LINE.search(head, 0, limit)
    return bool(dtg and _FM_LINE.search(head, dtg.end(), limit))


def _classification_line(text: str) -> bool:
    for line in text[:_DETECT_SPAN].splitlines()[:40]:
        squeezed = line.replace(" ", "").upper()
        if squeezed and any(squeezed.startswith(word) for word in CLASSIFICATION_WORDS):
            return True
    return False


def looks_like_cable(text: str) -> bool:
    """Some cable structure: a header, a classification line or a text-zone keyword."""
    return (
        has_transmission_header(text)
        or _classification_line(text)
        or bool(_CABLE_LINE.search(text[:_DETECT_SPAN]))
    )


def text_format(text: str) -> str:
    """'web-text', 'telegram' or 'text-extract' for cable text (see detect)."""
    head = text[:_DETECT_SPAN]
    if "](#" in head:
        return "web-text"
    if has_transmission_header(head):
        return "telegram"
    return "text-extract"


def text_document(
    text: str, path: str | None, info: dict[str, Any] | None = None, detected: str | None = None
) -> Document:
    """A Document for cable text found as plain text (any of the three text formats).

    ``detected`` is the format ``detection.detect_text`` found for ``text``:
    detection has then judged it a cable already, and that is not done twice.
    """
    if not text.strip():
        raise NotACableError("empty document", path)
    if detected is not None:
        fmt = detected
    else:
        fmt = text_format(text)
        probe = unmark(text[:_DETECT_SPAN]) if _MARKUP.search(text[:_DETECT_SPAN]) else text
        if not looks_like_cable(probe):
            raise NotACableError(
                "text without cable structure (no header, classification "
                "line or TAGS/SUBJECT/E.O. lines)",
                path,
            )
    metadata = base_metadata(path)
    metadata.update(info or {})
    defects: list[Defect] = []
    lines = LineMap()
    if fmt != "telegram" and _MARKUP.search(text):
        # Residue of the web page the text was scraped from (FORMAT §8 steps 1-3).
        text, starts = unmark_with_lines(text)
        if starts is not None:
            lines = LineMap.of([line + 1 for line in starts])
        defects.append(Defect("MARKUP_RESIDUE", "web markup removed from the text", None))
    return Document(text, fmt, path, metadata, tuple(defects), lines=lines)
