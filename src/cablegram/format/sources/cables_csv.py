"""The ``cables.csv`` dump: ``rownum, date, refid, origin, classification,
references, header, content``, one record per cable.

Fields are double-quoted with backslash escapes (``\\"``, ``\\'``, ``\\\\``;
any ``\\x`` reads as ``x``), records span many lines, the real dump has no
heading row (one is tolerated).  The real file is 1.7 GB, so records are
assembled line by line from a stream and memory stays flat: a record ends at
the first line end outside quotes.  A record whose quotes never close is cut
at the next line that starts a new record (``"<digits>","<M/D/YYYY H:MM>",``),
so one broken row costs one row, not the rest of the file.

``iter_stream_records`` finds records in 1 MB blocks with one regex match per
record (the quote rule as a pattern); ``iter_records`` is the same rule line by
line, used for line iterables and for whatever the block reader cannot settle
(a last record without a line end, a record larger than the limit).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, BinaryIO, cast

from cablegram.format.sources.document import Document, LineMap
from cablegram.format.sources.notices import iso_minutes, take_partial_extract
from cablegram.format.sources.share import SKIPPED, Share, Skipped
from cablegram.model import NotACableError

FORMAT = "cablegate-csv"
COLUMNS = ("rownum", "date", "refid", "origin", "classification", "references", "header", "content")

_ESCAPE = re.compile(r"\\(.)", re.S)
# A bare (unquoted) field.
_BARE = re.compile(r'[^,"\n]*')
_ROW_START = re.compile(rb'^"?\d+"?,"?\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}"?,')
_HEADING = re.compile(r"^\W*(?:rownum|id|row)\W*,", re.I)
# Quote characters that change state: every '"' not preceded by an escape.
_ESCAPED_PAIR = re.compile(rb"\\.", re.S)
MAX_RECORD_BYTES = 64 * 1024 * 1024
BLOCK_BYTES = 1 << 20
_BLANK_LINE = re.compile(rb"[ \t\r\x0b\x0c]*+(\n|\Z)")
# A line inside an open quote that starts like a new record (iter_records cuts there).
_ROW_INSIDE = re.compile(rb'\n"?\d+"?,"?\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}"?,')


def looks_like_csv(head: str) -> bool:
    """The first record of a cables.csv stream (or its heading row)."""
    first = head.lstrip("\ufeff")
    return bool(_ROW_START.match(first[:4096].encode("utf-8", "replace"))) or bool(
        _HEADING.match(first) and "refid" in first.split("\n", 1)[0].lower()
    )


def _quotes(line: bytes) -> int:
    if b"\\" in line:
        line = _ESCAPED_PAIR.sub(b"", line)
    return line.count(b'"')


def iter_records(lines: Iterable[bytes]) -> Iterator[tuple[int, bytes, bool]]:
    """``(first line number, raw record, complete)`` for each record in ``lines``."""
    record: list[bytes] = []
    size = 0
    start = 1
    inside = False
    for number, line in enumerate(lines, 1):
        if inside and _ROW_START.match(line):
            # Quotes never closed: the previous record is broken, this one starts afresh.
            yield start, b"".join(record), False
            record, size, inside = [], 0, False
        if not record:
            start = number
            if not line.strip():
                continue
        record.append(line)
        size += len(line)
        if _quotes(line) % 2:
            inside = not inside
        if not inside:
            yield start, b"".join(record), True
            record, size = [], 0
        elif size > MAX_RECORD_BYTES:
            yield start, b"".join(record), False
            record, size, inside = [], 0, False
    if record:
        yield start, b"".join(record), not inside


def iter_stream_records(stream: BinaryIO) -> Iterator[tuple[int, bytes, bool]]:
    """``iter_records`` over a binary stream, read in blocks (same records, faster)."""
    buf = b""
    pos = 0
    line = 1
    eof = False
    while pos < len(buf) or not eof:
        if pos < len(buf):
            # A match that ends at the end of the buffer counts only at the end of the stream.
            blank = _BLANK_LINE.match(buf, pos)
            if blank is not None and (blank[1] or eof):
                pos, line = blank.end(), line + 1
                continue
            found = _record_end(buf, pos, eof)
            if found is not None:
                end, line_end = found
                cut = _ROW_INSIDE.search(buf, pos, end - line_end)
                if cut is not None:  # an unclosed quote ran into the next record
                    end = cut.start() + 1
                if end - pos > MAX_RECORD_BYTES:
                    break
                yield line, buf[pos:end], cut is None
                line += buf.count(b"\n", pos, end)
                pos = end
                continue
            # No whole record in the buffer: an unclosed quote that ran into the
            # next record ends there; otherwise read on.
            cut = _ROW_INSIDE.search(buf, pos)
            if cut is not None and cut.start() + 1 - pos <= MAX_RECORD_BYTES:
                end = cut.start() + 1
                yield line, buf[pos:end], False
                line += buf.count(b"\n", pos, end)
                pos = end
                continue
            if eof or len(buf) - pos > MAX_RECORD_BYTES:
                break
        chunk, eof = _read_block(stream, max(BLOCK_BYTES, len(buf) - pos))
        buf, pos = buf[pos:] + chunk, 0
    if pos < len(buf):  # what the blocks cannot settle, line by line
        for start, raw, complete in iter_records(_lines(buf[pos:], stream)):
            yield start + line - 1, raw, complete


def _read_block(stream: BinaryIO, size: int) -> tuple[bytes, bool]:
    """Up to ``size`` bytes, and whether the stream ended.  Fewer bytes only at
    the end: a stream that served its sample first (``containers._Rejoined``)
    returns a short first read, and knowing the end then lets a last record
    without a line end be settled in one scan instead of a scan, a search for a
    broken record and a second scan."""
    chunk = stream.read(size)
    while chunk and len(chunk) < size:
        more = stream.read(size - len(chunk))
        if not more:
            return chunk, True
        chunk += more
    return chunk, not chunk


def _record_end(buf: bytes, pos: int, eof: bool) -> tuple[int, int] | None:
    """(end, length of its line end) of the record at ``pos``: after the first line
    end outside quotes, or the end of ``buf`` at the end of the stream; None when
    the buffer ends first.  The rule of iter_records (a backslash escapes the
    next byte), found with ``find``: a quote counts unless an odd run of
    backslashes escapes it."""
    i = pos
    inside = False
    while True:
        quote = buf.find(b'"', i)
        if not inside:
            line_end = buf.find(b"\n", i, quote if quote >= 0 else len(buf))
            if line_end >= 0:
                return line_end + 1, 1
            if quote < 0:
                return (len(buf), 0) if eof else None
        elif quote < 0:
            return None
        run = quote
        while run > i and buf[run - 1] == 0x5C:  # backslash
            run -= 1
        if (quote - run) % 2 == 0:
            inside = not inside
        i = quote + 1


def _lines(head: bytes, stream: BinaryIO) -> Iterator[bytes]:
    """The lines of ``head`` followed by the rest of ``stream``."""
    pending = head
    while True:
        *complete, pending = pending.split(b"\n")
        for part in complete:
            yield part + b"\n"
        chunk = stream.read(BLOCK_BYTES)
        if not chunk:
            break
        pending += chunk
    if pending:
        yield pending


def _unescape(quoted: str) -> str:
    """``\\x`` -> ``x`` (a quoted field never ends in a lone backslash)."""
    if "\\" not in quoted:
        return quoted
    if "\x00" in quoted:
        return _ESCAPE.sub(lambda m: m.group(1), quoted)
    return quoted.replace("\\\\", "\x00").replace("\\", "").replace("\x00", "\\")


def split_fields(record: str, starts: list[int] | None = None) -> list[str] | None:
    """The fields of one record, unescaped; None when it does not tokenise.

    A field is quoted (``"..."``, backslash escapes) or bare (up to a comma, quote
    or line end); fields are separated by commas.  ``starts`` receives where each
    field starts in ``record``.
    """
    fields: list[str] = []
    pos, end = 0, len(record.rstrip("\r\n"))
    while True:
        if starts is not None:
            starts.append(pos)
        if record.startswith('"', pos):
            close = _closing_quote(record, pos + 1)
            if close < 0:
                return None
            fields.append(_unescape(record[pos + 1 : close]))
            pos = close + 1
        else:
            bare = _BARE.match(record, pos)
            assert bare is not None  # matches the empty string
            fields.append(bare.group())
            pos = bare.end()
        if pos >= end:
            return fields
        if record[pos] != ",":
            return None
        pos += 1


def _closing_quote(record: str, pos: int) -> int:
    """Index of the first quote from ``pos`` that no backslash escapes, or -1."""
    i = pos
    while True:
        quote = record.find('"', i)
        if quote < 0:
            return -1
        run = quote
        while run > pos and record[run - 1] == "\\":
            run -= 1
        if (quote - run) % 2 == 0:
            return quote
        i = quote + 1


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.replace("\r\n", "\n") if "\r" in text else text


def row_document(
    fields: list[str], path: str | None, line: int, field_lines: Sequence[int] = ()
) -> Document:
    """A Document for one well-formed record starting on file line ``line``.

    ``field_lines`` are the file lines the fields start on (for ``Document.lines``).
    """
    row = dict(zip(COLUMNS, fields, strict=True))
    metadata: dict[str, Any] = {
        "rownum": int(row["rownum"]) if row["rownum"].isdigit() else row["rownum"]
    }
    if row["refid"]:
        metadata["id"] = row["refid"]
    created = iso_minutes(row["date"], "%m/%d/%Y %H:%M")
    if created or row["date"]:
        metadata["created"] = created or row["date"]
    for key in ("origin", "classification"):
        if row[key]:
            metadata[key] = row[key]
    metadata["references"] = [r for r in row["references"].split("|") if r]
    header, defects = take_partial_extract(row["header"], metadata)
    # File lines of the text: the header's first kept line, then the content's.
    header_line = content_line = line
    if len(field_lines) == len(COLUMNS):
        cut = row["header"][: len(row["header"]) - len(header)].count("\n")
        lead = len(header) - len(header.lstrip("\n"))
        header_line, content_line = field_lines[6] + cut + lead, field_lines[7]
    header = header.strip("\n")
    runs: tuple[tuple[int, int, int], ...]
    if header.strip():
        text = f"{header}\n\n{row['content']}"
        after = header.count("\n") + 1
        runs = ((0, header_line, 1), (after, content_line, 0), (after + 1, content_line, 1))
    else:
        text = row["content"]
        runs = ((0, content_line, 1),)
    return Document(
        text, FORMAT, path, metadata, tuple(defects), f"line {line}", lines=LineMap(runs)
    )


def _lines_at(text: str, line: int, offsets: list[int]) -> list[int]:
    """File line of each of the ascending ``offsets`` in ``text``, which starts on
    file line ``line`` (the line ends counted once, from one offset to the next)."""
    out: list[int] = []
    pos = 0
    for offset in offsets:
        line += text.count("\n", pos, offset)
        out.append(line)
        pos = offset
    return out


def iter_rows(
    lines: Iterable[bytes] | BinaryIO, path: str | None, share: Share | None = None
) -> Iterator[Document | NotACableError | Skipped]:
    """Documents (or the error of a malformed record) for each record, streamed.

    ``lines`` is a binary stream (read in blocks) or any iterable of lines.
    Every record but a heading row is one item: one outside ``share`` is
    skipped once its end is found, neither decoded nor split.
    """
    first = True
    records = (
        iter_stream_records(cast(BinaryIO, lines))
        if hasattr(lines, "read")
        else iter_records(lines)
    )
    for line, raw, complete in records:
        if first:
            first = False
            if _HEADING.match(_decode(raw)):
                continue
        if share and not share.wants_next():
            yield SKIPPED
            continue
        text = _decode(raw)
        where = f"{path}:line {line}" if path else f"line {line}"
        if not complete:
            yield NotACableError("malformed cables.csv record: unterminated quoted field", where)
            continue
        starts: list[int] = []
        fields = split_fields(text, starts)
        if fields is None or len(fields) != len(COLUMNS):
            found = "unparseable fields" if fields is None else f"{len(fields)} fields"
            yield NotACableError(
                f"malformed cables.csv record: {found}, expected {len(COLUMNS)}", where
            )
            continue
        if not fields[7].strip():
            yield NotACableError("cables.csv record with empty content", where)
            continue
        yield row_document(fields, path, line, _lines_at(text, line, starts))
