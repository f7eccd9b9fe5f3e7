"""Where documents come from: paths, directories, gzip, zip, bytes and streams.

Everything is read as bytes.  A stream is first sampled (``HEAD_BYTES``); a
cables.csv dump or a JSON-lines file is then read line by line so memory
stays flat whatever its size, anything else (a page, a text, a JSON array)
is read whole.  Directories are walked in sorted order, skipping hidden
entries; an archive member is named ``archive.zip!member``.

Given a ``share`` (``format.sources.share``), each reader that is about to
yield one item skips it when it is outside the share: a cables.csv row,
a JSON line, an item of a JSON array, a PDF (not even read) or a page or
text read whole (read and detected, not unwrapped).
"""

from __future__ import annotations

import io
import json
import sys
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from cablegram.format.sources import aad_pdf, cablegate_html, plusd_html, release_json
from cablegram.format.sources.cables_csv import iter_rows
from cablegram.format.sources.detection import GZIP_MAGIC, ZIP_MAGIC, detect_text
from cablegram.format.sources.document import Document
from cablegram.format.sources.files import open_error, walk_files
from cablegram.format.sources.limits import (
    CappedMember,
    CountingReader,
    LimitExceeded,
    SourceLimits,
    read_capped,
    size_text,
)
from cablegram.format.sources.share import SKIPPED, Share, Skipped
from cablegram.format.sources.telegram import decode, is_binary, text_document
from cablegram.model import NotACableError

# gzip, zipfile, tempfile and shutil are imported where an archive is met: a
# directory of plain files (``cablegram parse --json dir``) starts without them.

Item = Document | NotACableError
HEAD_BYTES = 65536
_STREAMED = ("cablegate-csv", "cablegate-json-lines")
_MANY = ("cablegate-csv", "cablegate-json")  # kinds read whole that may hold many items
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


def iter_path(
    path: str, limits: SourceLimits | None = None, share: Share | None = None
) -> Iterator[Item | Skipped]:
    """Documents of a file or of every file under a directory (sorted, recursive)."""
    limits = limits or SourceLimits.from_env()
    for entry in walk_files(path):
        if isinstance(entry, NotACableError):
            yield entry
        else:
            yield from _iter_file(entry, limits, share)


def _iter_file(path: str, limits: SourceLimits, share: Share | None) -> Iterator[Item | Skipped]:
    """Documents of one file, opened once and sampled once (a directory of
    one-cable files costs an open and a read or two per file, no look-ups)."""
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after the zip test
    except OSError as error:
        yield open_error(error, path)
        return
    with stream:
        try:
            head = _read_head(stream)
            if head.startswith(ZIP_MAGIC):  # members are read from the file
                stream.seek(0)
                yield from _iter_zip(stream, path, limits, 0, share)
                return
        except OSError as error:  # a directory, a zip that cannot seek, a read error
            yield NotACableError(f"cannot read: {error.strerror or error}", path)
            return
        yield from iter_stream(stream, path, limits, head=head, share=share)


def iter_bytes(
    data: bytes, path: str | None, limits: SourceLimits | None = None, share: Share | None = None
) -> Iterator[Item | Skipped]:
    limits = limits or SourceLimits.from_env()
    if data.startswith(ZIP_MAGIC):
        yield from _iter_zip(io.BytesIO(data), path or "<bytes>", limits, 0, share)
        return
    yield from iter_stream(io.BytesIO(data), path, limits, share=share)


def iter_stream(
    stream: BinaryIO, path: str | None, limits: SourceLimits | None = None, depth: int = 0,
    head: bytes | None = None, share: Share | None = None,
) -> Iterator[Item | Skipped]:  # fmt: skip
    """Documents of a binary stream, streaming line-oriented dumps.

    What the stream is, is decided from its first ``HEAD_BYTES`` (``head``,
    when the caller read them already); only a document that must be read
    whole is, and then at most ``limits.document`` bytes of it.  Read errors
    (a truncated gzip, a failing disk) end the stream with a
    ``NotACableError`` naming it; the documents before stand.
    """
    limits = limits or SourceLimits.from_env()
    try:
        yield from _iter_stream(stream, path, limits, depth, head, share)
    except NotACableError as error:
        yield error
    except Exception as error:
        if not isinstance(error, _read_errors()):
            raise
        yield NotACableError(f"cannot read: {_read_error(error)}", path)


def _read_errors() -> tuple[type[BaseException], ...]:
    """What a failing read raises: the OS, a decompressor, and a zip member
    (``zipfile`` raises only once something imported it)."""
    zipfile = sys.modules.get("zipfile")
    errors = (OSError, EOFError, zlib.error)
    return (*errors, zipfile.BadZipFile) if zipfile is not None else errors


def _read_error(error: BaseException) -> str:
    if isinstance(error, EOFError):
        return "compressed data ends too early (a truncated file?)"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _nested(path: str | None, limits: SourceLimits, depth: int) -> None:
    if depth >= limits.nesting:
        raise LimitExceeded(
            f"archives nested more than {limits.nesting} deep (a zip or gzip inside "
            "another, again and again: not an export)",
            path,
        )


def _iter_stream(
    stream: BinaryIO, path: str | None, limits: SourceLimits, depth: int,
    head: bytes | None = None, share: Share | None = None,
) -> Iterator[Item | Skipped]:  # fmt: skip
    if head is None:
        head = _read_head(stream)
    if head.startswith(GZIP_MAGIC):
        import gzip

        _nested(path, limits, depth)
        compressed = CountingReader(_Rejoined(head, stream))  # type: ignore[arg-type]
        inner = gzip.GzipFile(fileobj=io.BufferedReader(compressed))
        capped = CappedMember(inner, path, limits, compressed)  # type: ignore[arg-type]
        yield from _iter_stream(io.BufferedReader(capped), path, limits, depth + 1, None, share)  # type: ignore[arg-type]
        return
    if head.startswith(ZIP_MAGIC):  # a zip needs seeking: spooled to disk past 16 MB
        import shutil
        import tempfile

        _nested(path, limits, depth)
        with tempfile.SpooledTemporaryFile(max_size=16 << 20) as spool:
            spool.write(head)
            shutil.copyfileobj(stream, spool, 1 << 20)
            spool.seek(0)
            yield from _iter_zip(spool, path or "<bytes>", limits, depth + 1, share)  # type: ignore[arg-type]
        return
    if aad_pdf.is_pdf(head):  # one item, whatever it holds: outside the share, not read
        if share and not share.wants_next():
            yield SKIPPED
            return
        yield from _iter_pdf(read_capped(stream, limits.document, path, head), path)
        return
    if head.strip() and is_binary(head):  # judged on the sample: the rest is never read
        yield NotACableError(_NOT_A_CABLE["binary"], path)
        return
    kind, decoded = _stream_kind(head)
    if kind == "cablegate-csv":  # read in blocks by the csv reader itself
        yield from iter_rows(_Rejoined(head, stream), path, share)  # type: ignore[arg-type]
        return
    if kind in _STREAMED:
        yield from _iter_json_lines(
            io.BufferedReader(_Rejoined(head, stream), buffer_size=1 << 20), path, limits, share
        )
        return
    data = read_capped(stream, limits.document, path, head)
    if len(data) > len(head) or decoded is None:
        yield from _iter_whole(data, path, share=share)
    else:  # the sample was the whole document: its decoding and kind stand
        yield from _iter_whole(head, path, (*decoded, kind), share)


def _read_head(stream: BinaryIO) -> bytes:
    """The first ``HEAD_BYTES`` of ``stream`` (fewer only at its end: a pipe or a
    decompressor may answer a read with less)."""
    head = stream.read(HEAD_BYTES)
    while head and len(head) < HEAD_BYTES:
        more = stream.read(HEAD_BYTES - len(head))
        if not more:
            break
        head += more
    return head


def _stream_kind(head: bytes) -> tuple[str, tuple[str, dict[str, Any]] | None]:
    """The kind of a stream from its first bytes (which the caller found not
    binary), and those bytes decoded."""
    if not head.strip():
        return "whole", None
    text, info = decode(head)
    kind = detect_text(text)
    if kind == "cablegate-json" and text.lstrip().startswith("{"):
        lines = text.lstrip().split("\n", 2)
        if len(lines) > 1 and lines[1].strip().startswith("{"):
            return "cablegate-json-lines", None
    return kind, (text, info)


def _iter_whole(
    data: bytes, path: str | None, known: tuple[str, dict[str, Any], str] | None = None,
    share: Share | None = None,
) -> Iterator[Item | Skipped]:  # fmt: skip
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
    if kind not in _MANY and share and not share.wants_next():
        yield SKIPPED
        return
    try:
        if kind == "wikileaks-html":
            yield cablegate_html.page_document(text, path)
        elif kind == "plusd-html":
            yield plusd_html.page_document(text, path)
        elif kind == "cablegate-json":
            yield from _iter_json(text, path, share)
        elif kind == "cablegate-csv":
            yield from iter_rows(io.BytesIO(data), path, share)
        elif kind in _NOT_A_CABLE:
            yield NotACableError(_NOT_A_CABLE[kind], path)
        else:  # one of the text formats: detection found it to be cable text
            yield text_document(text, path, info, detected=kind)
    except NotACableError as error:
        yield error


def _iter_pdf(data: bytes, path: str | None) -> Iterator[Item]:
    try:
        yield aad_pdf.pdf_document(data, path)
    except NotACableError as error:
        yield error


def _iter_json(text: str, path: str | None, share: Share | None = None) -> Iterator[Item | Skipped]:
    try:
        value = json.loads(text)
    except RecursionError:
        yield NotACableError("JSON nested too deep", path)
        return
    except ValueError:
        yield from _iter_json_lines(io.BytesIO(text.encode("utf-8")), path, share=share)
        return
    items = value if isinstance(value, list) else [value]
    # A single object's text lines are on the line of its body (the line breaks
    # of the body are escapes); the items of an array are not located.
    body = text.find('"body"')
    line = text.count("\n", 0, body) + 1 if body >= 0 and not isinstance(value, list) else 1
    for index, obj in enumerate(items, 1):
        if share and not share.wants_next():
            yield SKIPPED
            continue
        locator = f"item {index}" if isinstance(value, list) else None
        yield _json_item(obj, path, locator, line)


def _lines_capped(stream: BinaryIO | io.BufferedReader, limit: int) -> Iterator[bytes | None]:
    """Each line of ``stream``, or None for a line longer than ``limit`` (skipped
    in blocks, never held whole)."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = stream.readline(1 << 20)
        yield None


def _iter_json_lines(
    lines: BinaryIO | io.BufferedReader, path: str | None, limits: SourceLimits | None = None,
    share: Share | None = None,
) -> Iterator[Item | Skipped]:  # fmt: skip
    limit = (limits or SourceLimits.from_env()).document
    for number, raw in enumerate(_lines_capped(lines, limit), 1):
        where = f"{path}:line {number}" if path else f"line {number}"
        if raw is None:
            yield LimitExceeded(
                f"JSON line larger than {size_text(limit)} (the limit of one document; "
                "CABLEGRAM_MAX_DOCUMENT changes it)",
                where,
            )
            continue
        if not raw.strip():
            continue
        if share and not share.wants_next():
            yield SKIPPED
            continue
        try:
            obj = json.loads(raw)
        except RecursionError:
            yield NotACableError("malformed JSON line: nested too deep", where)
            continue
        except ValueError as error:
            yield NotACableError(f"malformed JSON line: {error}", where)
            continue
        yield _json_item(obj, path, f"line {number}", number)


def _json_item(obj: object, path: str | None, locator: str | None, line: int = 1) -> Item:
    if not release_json.is_release_object(obj):
        where = f"{path}:{locator}" if path and locator else path or locator
        return NotACableError(_NOT_A_CABLE["json"], where)
    return release_json.object_document(obj, path, locator, line)  # type: ignore[arg-type]


def _iter_zip(
    file: BinaryIO, path: str, limits: SourceLimits, depth: int, share: Share | None = None
) -> Iterator[Item | Skipped]:
    """The documents of each member of the zip archive in ``file``, in name order.

    A corrupt archive is one ``NotACableError``; a corrupt member, or one past
    the limits, is that member's, and the other members are still read.
    """
    import zipfile

    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        yield NotACableError(f"corrupt zip archive: {_read_error(error)}", path)
        return
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            base = info.filename.rsplit("/", 1)[-1]
            if info.is_dir() or base.startswith(".") or info.filename.startswith("__MACOSX/"):
                continue
            where = f"{path}!{info.filename}"
            try:
                member = archive.open(info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as error:
                # RuntimeError: an encrypted member; NotImplementedError: an unknown method
                yield NotACableError(f"cannot read zip member: {_read_error(error)}", where)
                continue
            with member:
                capped = CappedMember(member, where, limits, info.compress_size)  # type: ignore[arg-type]
                yield from iter_stream(io.BufferedReader(capped), where, limits, depth, share=share)  # type: ignore[arg-type]
