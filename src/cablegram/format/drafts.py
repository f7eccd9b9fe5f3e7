"""Cables written as schema JSON (drafts), each with the place of its elements in the file.

``validate`` reports a finding on the line of ``cable.source.lines`` that holds
the offending element.  For a cable read from telegram text that is a line of
the text; for a draft it must be a line of the JSON file the author edits, not
of a rendering the author never saw.  ``read_drafts`` therefore records, for
every element key (``EO``, ``TAGS``, ``PARA.3``, ``TO.0``, ``FL4`` ...), the
line where the value of the matching field starts, and marks the cable's
source as ``cable-json``.  A finding whose element the file does not hold
names the field instead (``validate`` asks :func:`field_of`).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from cablegram.model import Cable, Source, from_dict

DRAFT_FORMAT = "cable-json"

Path = tuple[str | int, ...]

# Element key -> the fields that hold it, best first (a header element falls
# back to the header object, the DTG to ``created``).
_FIELDS: dict[str, tuple[Path, ...]] = {
    "FL1": (("header", "start_of_message"), ("header",)),
    "FL2": (("header", "relay"), ("header",)),
    "FL3": (("header", "originator"), ("header", "station_serial"), ("header",)),
    "FL4": (("header", "security"), ("header",)),
    "FL5": (("header", "dtg"), ("created",), ("header",)),
    "FM": (("from",),),
    "CLASS": (("classification",), ("origin",), ("serial",), ("section",)),
    "DIST": (("distribution",),),
    "EO": (("eo",),),
    "TAGS": (("tags",),),
    "SUBJECT": (("subject",),),
    "CLBY": (("classified_by",),),
    "SIGN": (("signers",),),
}
# Element keys with an index (``PARA.3``) -> the list field of the items.
_LISTS = {
    "TO": "to",
    "INFO": "info",
    "XMT": "xmt",
    "NOTICE": "notices",
    "CAPTION": "captions",
    "REF": "references",
    "PARA": "paragraphs",
}


def field_of(key: str) -> str:
    """The field an element key stands for, as a draft writes it (``paragraphs[3]``)."""
    name, _, index = key.partition(".")
    if name in _LISTS:
        return f"{_LISTS[name]}[{index}]" if index else _LISTS[name]
    paths = _FIELDS.get(name)
    return ".".join(str(p) for p in paths[0]) if paths else key


class DraftError(ValueError):
    """A schema JSON text that holds no readable cable (message names file and item)."""


def read_drafts(raw: str, path: str | None = None) -> Iterator[Cable]:
    """Cables of a schema JSON text (one object, an array of them, or JSON lines),
    each with ``source.lines`` placing its elements in ``raw``."""
    label = path or "<input>"
    raw_stripped = raw.strip()
    if not raw_stripped:
        raise DraftError(f"{label}: empty input")
    starts = [0, *(m.end() for m in re.finditer("\n", raw))]  # offsets of the lines
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        items = list(_json_lines(raw, label))
    else:
        offset = len(raw) - len(raw.lstrip())
        positions: dict[Path, int] = {}
        _walk(raw, offset, (), positions)
        if isinstance(data, list):
            items = [(v, _sub(positions, (i,))) for i, v in enumerate(data)]
        else:
            items = [(data, positions)]
    for n, (item, positions) in enumerate(items, 1):
        if not isinstance(item, dict):
            raise DraftError(f"{label}: item {n} is not a JSON object")
        try:
            cable = from_dict(item)
        except (KeyError, ValueError, TypeError) as err:
            raise DraftError(f"{label}: item {n} is not a cable: {err}") from None
        lines = {
            key: bisect_right(starts, at) for key, at in _element_offsets(cable, positions).items()
        }
        source = Source(DRAFT_FORMAT, path, dict(cable.source.metadata), lines)
        yield replace(cable, source=source)


def _json_lines(raw: str, label: str) -> Iterator[tuple[Any, dict[Path, int]]]:
    pos = 0
    for n, line in enumerate(raw.split("\n"), 1):
        if line.strip():
            try:
                value = json.loads(line)
            except json.JSONDecodeError as err:
                raise DraftError(f"{label}:{n}: not JSON: {err.msg}") from None
            positions: dict[Path, int] = {}
            _walk(line, len(line) - len(line.lstrip()), (), positions)
            yield value, {p: pos + at for p, at in positions.items()}
        pos += len(line) + 1


def _sub(positions: dict[Path, int], prefix: Path) -> dict[Path, int]:
    """The positions under ``prefix``, with the prefix removed from their paths."""
    k = len(prefix)
    return {p[k:]: at for p, at in positions.items() if p[:k] == prefix}


_DECODER = json.JSONDecoder()
_BLANKS = " \t\n\r"


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _BLANKS:
        pos += 1
    return pos


def _walk(text: str, pos: int, path: Path, out: dict[Path, int]) -> int:
    """Record where the value at ``pos`` (valid JSON) and every value inside it
    start; return the offset after it."""
    pos = _skip(text, pos)
    out[path] = pos
    opener = text[pos]
    if opener not in "{[":
        return _DECODER.raw_decode(text, pos)[1]
    closer = "}" if opener == "{" else "]"
    pos = _skip(text, pos + 1)
    index = 0
    while text[pos] != closer:
        if opener == "{":
            key, pos = _DECODER.raw_decode(text, pos)
            pos = _skip(text, pos) + 1  # the colon
            pos = _walk(text, pos, (*path, key), out)
        else:
            pos = _walk(text, pos, (*path, index), out)
            index += 1
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return pos + 1


def _element_offsets(cable: Cable, positions: dict[Path, int]) -> dict[str, int]:
    """Element key -> offset of the value that holds it, for the elements the file has."""
    out: dict[str, int] = {}
    for key, paths in _FIELDS.items():
        at = next((positions[p] for p in paths if p in positions), None)
        if at is not None:
            out[key] = at
    for key, name in _LISTS.items():
        count = len(getattr(cable, name))
        for i in range(count):
            at = positions.get((name, i), positions.get((name,)))
            if at is not None:
                out[f"{key}.{i}"] = at
    return out
