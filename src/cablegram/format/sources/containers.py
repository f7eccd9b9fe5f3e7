"""Where documents come from: paths, directories, gzip, zip, bytes and streams.

Everything is read as bytes.  A stream is first sampled (``HEAD_BYTES``); a
cables.csv dump or a JSON-lines file is then read line by line so memory
stays flat whatever its size, anything else (a page, a text, a JSON array)
is read whole.  Directories are walked in sorted order, skipping hidden
entries; an archive member is named ``archive.zip!member``.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from collections.abc import Iterator
from typing import Any, BinaryIO

from cablegram.format.sources import aad_pdf, cablegate_html, plusd_html, release_json
from cablegram.format.sources.cables_csv import iter_rows
from cablegram.format.sources.detection import GZIP_MAGIC, ZIP_MAGIC, detect_text
from cablegram.format.sources.document import Document
from cablegram.format.sources.telegram import decode, is_binary, text_document
from cablegram.model import NotACableError

Item = Document | NotACableError
HEAD_BYTES = 65536
_STREAMED = ("cablegate-csv", "cablegate-json-lines")
_NOT_A_CABLE = {
    "empty": "empty document",
    "binary": "binary data, not text",
    "html": "HTML page without cable <pre> blocks",
    "json": "JSON without cable objects (no 'body' field)",
    "text": "text without cable structure (no header, classification line or "
    "TAGS/SUBJECT/E.O. lines)",
}


class _Rejoined(io.RawIOBase):
    """A stream whose first bytes were already read: serves them again, then the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (the sample first), without a buffer of ``size``."""
        if size is None or size < 0:
            return self.readall()
        if self._head:
            data = bytes(self._head[:size])
            self._head = self._head[len(data) :]
            return data
        return self._rest.read(size)


def iter_path(path: str) -> Iterator[Item]:
    """Documents of a file or of every file under a directory (sorted, recursive)."""
    if os.path.isdir(path):
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(f for f in files if not f.startswith(".")):
                yield from _iter_file(os.path.join(root, name))
        return
    yield from _iter_file(path)


def _iter_file(path: str) -> Iterator[Item]:
    """Documents of one file, opened once (a directory of one-cable files costs
    an open per file, no further look-ups)."""
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after the zip test
    except (FileNotFoundError, NotADirectoryError):
        yield NotACableError("no such file or directory", path)
        return
    with stream:
        if stream.read(len(ZIP_MAGIC)) == ZIP_MAGIC:  # members are read from the file
            yield from _iter_zip(zipfile.ZipFile(path), path)
            return
        stream.seek(0)
        yield from iter_stream(stream, path)


def iter_bytes(data: bytes, path: str | None) -> Iterator[Item]:
    if data.startswith(ZIP_MAGIC):
        yield from _iter_zip(zipfile.ZipFile(io.BytesIO(data)), path or "<bytes>")
        return
    yield from iter_stream(io.BytesIO(data), path)


def iter_stream(stream: BinaryIO, path: str | None) -> Iterator[Item]:
    """Documents of a binary stream, streaming line-oriented dumps."""
    head = stream.read(HEAD_BYTES)
    if head.startswith(GZIP_MAGIC):
        inner = gzip.GzipFile(fileobj=io.BufferedReader(_Rejoined(head, stream)))
        yield from iter_stream(inner, path)  # type: ignore[arg-type]
        return
    if head.startswith(ZIP_MAGIC):
        yield from iter_bytes(head + stream.read(), path)
        return
    if aad_pdf.is_pdf(head):
        yield from _iter_pdf(head + stream.read(), path)
        return
    kind, decoded = _stream_kind(head)
    if kind == "cablegate-csv":  # read in blocks by the csv reader itself
        yield from iter_rows(_Rejoined(head, stream), path)  # type: ignore[arg-type]
        return
    if kind in _STREAMED:
        yield from _iter_json_lines(
            io.BufferedReader(_Rejoined(head, stream), buffer_size=1 << 20), path
        )
        return
    rest = stream.read()
    if rest or decoded is None:
        yield from _iter_whole(head + rest, path)
    else:  # the sample was the whole document: its decoding and kind stand
        yield from _iter_whole(head, path, (*decoded, kind))


def _stream_kind(head: bytes) -> tuple[str, tuple[str, dict[str, Any]] | None]:
    """The kind of a stream from its first bytes, and those bytes decoded."""
    if not head.strip() or is_binary(head):
        return "whole", None
    text, info = decode(head)
    kind = detect_text(text)
    if kind == "cablegate-json" and text.lstrip().startswith("{"):
        lines = text.lstrip().split("\n", 2)
        if len(lines) > 1 and lines[1].strip().startswith("{"):
            return "cablegate-json-lines", None
    return kind, (text, info)


def _iter_whole(
    data: bytes, path: str | None, known: tuple[str, dict[str, Any], str] | None = None
) -> Iterator[Item]:
    """The documents of a whole file; ``known`` = its decoded text, decoding info and kind."""
    if known is not None:
        text, info, kind = known
    else:
        if not data.strip():
            yield NotACableError(_NOT_A_CABLE["empty"], path)
            return
        if aad_pdf.is_pdf(data):
            yield from _iter_pdf(data, path)
            return
        if is_binary(data):
            yield NotACableError(_NOT_A_CABLE["binary"], path)
            return
        text, info = decode(data)
        kind = detect_text(text)
    try:
        if kind == "wikileaks-html":
            yield cablegate_html.page_document(text, path)
        elif kind == "plusd-html":
            yield plusd_html.page_document(text, path)
        elif kind == "cablegate-json":
            yield from _iter_json(text, path)
        elif kind == "cablegate-csv":
            yield from iter_rows(io.BytesIO(data), path)
        elif kind in _NOT_A_CABLE:
            yield NotACableError(_NOT_A_CABLE[kind], path)
        else:
            yield text_document(text, path, info)
    except NotACableError as error:
        yield error


def _iter_pdf(data: bytes, path: str | None) -> Iterator[Item]:
    try:
        yield aad_pdf.pdf_document(data, path)
    except NotACableError as error:
        yield error


def _iter_json(text: str, path: str | None) -> Iterator[Item]:
    try:
        value = json.loads(text)
    except ValueError:
        yield from _iter_json_lines(io.BytesIO(text.encode("utf-8")), path)
        return
    items = value if isinstance(value, list) else [value]
    # A single object's text lines are on the line of its body (the line breaks
    # of the body are escapes); the items of an array are not located.
    body = text.find('"body"')
    line = text.count("\n", 0, body) + 1 if body >= 0 and not isinstance(value, list) else 1
    for index, obj in enumerate(items, 1):
        locator = f"item {index}" if isinstance(value, list) else None
        yield _json_item(obj, path, locator, line)


def _iter_json_lines(lines: BinaryIO | io.BufferedReader, path: str | None) -> Iterator[Item]:
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except ValueError as error:
            where = f"{path}:line {number}" if path else f"line {number}"
            yield NotACableError(f"malformed JSON line: {error}", where)
            continue
        yield _json_item(obj, path, f"line {number}", number)


def _json_item(obj: object, path: str | None, locator: str | None, line: int = 1) -> Item:
    if not release_json.is_release_object(obj):
        where = f"{path}:{locator}" if path and locator else path or locator
        return NotACableError(_NOT_A_CABLE["json"], where)
    return release_json.object_document(obj, path, locator, line)  # type: ignore[arg-type]


def _iter_zip(archive: zipfile.ZipFile, path: str) -> Iterator[Item]:
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            base = info.filename.rsplit("/", 1)[-1]
            if info.is_dir() or base.startswith(".") or info.filename.startswith("__MACOSX/"):
                continue
            with archive.open(info) as member:
                yield from iter_stream(member, f"{path}!{info.filename}")  # type: ignore[arg-type]
