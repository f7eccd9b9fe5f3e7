"""Reading REF blocks into references with canonical ids (FORMAT §3.9).

A REF block is split into items on letter labels (``A.``, ``A)``, ``(A)``;
labels must run A, B, C ... so ``U.S.`` is not a label) or, without labels,
on ``;``.  Inside an item every ``[YY[YY]] ORIGIN SERIAL`` whose origin is a
known series (``lexicon.known_origins``, alias map via
``lexicon.canonical_origin``) is a cable; ``AND``/comma lists elide the
origin (``MADRID 5426 AND 5425``).  Anything else (e-mails, telcons, IIRs,
DTG-style messages) is kept with ``id=None``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cablegram.lexicon import canonical_origin, known_origins
from cablegram.model import Defect, Reference

_LABEL = re.compile(
    r"(?:(?<=^)|(?<=[\s,;:]))(?:\((?P<a>[A-Z])\)|(?P<b>[A-Z])[.)])(?=\s|[A-Z0-9(]|$)", re.I
)
# The year may be glued to the origin (04QUITO 2614).  The origin is at most 80
# characters (the longest known is 26, written with AMEMBASSY and blanks):
# unbounded, each word of a long run of words would be tried as the start of
# an origin reaching to the run's end (quadratic).
_CABLE = re.compile(
    r"(?<![\w/])(?:(?P<year>\d{4}|\d{2})\s*)?(?P<origin>[A-Z][A-Z .'-]{0,80}?[A-Z])\.?\s+"
    r"(?P<serial>\d{1,7})(?![\w/])",
    re.I,
)
_GLUED_ID = re.compile(
    r"(?<![\w/])(?P<year>\d{2})(?P<origin>[A-Z]{3,})(?P<serial>\d{1,7})(?![\w/])"
)
# A year written after the serial: CARACAS 0811 99, LA PAZ 4350 JULY 1973.
_YEAR_AFTER = re.compile(
    r"\s+(?:(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*\.?\s+(?:\d{1,2},?\s+)?"
    r"(?P<long>(?:19|20)\d{2})|(?P<short>\d{2}))(?![\w/.]|\.\d)",
    re.I,
)
# How many years back a year written after the serial may point.
_YEARS_BACK = 40
_ELIDED = re.compile(r"\s*(?:,|AND\b|&)\s*(?P<serial>\d{2,7})(?![\w/:.]|\.\d)", re.I)
_SEPARATORS = " ,;:"


@dataclass(frozen=True, slots=True)
class Citing:
    """The citing cable: its year fills year-less references."""

    year: int | None
    origin: str | None
    serial: int | None


# An id as sources write it: 06ALMATY1703, 1974LAPAZ00430 (AAD document number,
# serial zero-padded), 1973STATE097844_b (PlusD copy suffix).
_WRITTEN_ID = re.compile(
    r"^(?P<year>\d{2}|19\d{2}|20\d{2})(?P<origin>[A-Z][A-Z0-9]*?)0*(?P<serial>\d{1,7})"
    r"(?:_[A-Z0-9]+)?$"
)
# Archives cut long origins (AAD: USUNN for USUN NEW YORK); a cut keeps this much.
_ORIGIN_CUT = 4


def split_written_id(written: str) -> tuple[int, str, int] | None:
    """(two-digit year, origin token, serial) of an id as a source writes it."""
    m = _WRITTEN_ID.match("".join(written.split()).upper())
    if m is None:
        return None
    return int(m["year"][-2:]), m["origin"], int(m["serial"])


def same_cable_id(written: str, cable_id: str) -> bool:
    """``written`` (a source's id) names the cable ``cable_id``: same year, serial
    and origin, the origin compared through the alias map and allowing a cut
    one (``1974LAPAZ00430`` is ``74LAPAZ430``)."""
    a, b = split_written_id(written), split_written_id(cable_id)
    if a is None or b is None:
        return written.strip().upper() == cable_id.strip().upper()
    if a[0] != b[0] or a[2] != b[2]:
        return False
    x, y = a[1], b[1]
    if x == y or canonical_origin(x) == canonical_origin(y):
        return True
    short, long_ = sorted((x, y), key=len)
    return len(short) >= _ORIGIN_CUT and long_.startswith(short)


def reference_id(year: int, origin: str, serial: int) -> str:
    """Canonical id: ``YY`` + canonical origin + serial without zeros (06STATE32380)."""
    return f"{year % 100:02d}{origin}{serial}"


def _resolve_origin(written: str) -> tuple[str, int] | None:
    """Canonical origin of the longest known suffix of ``written`` and where it starts."""
    words = written.split()
    known = known_origins()
    offset = 0
    for k in range(len(words)):
        cand = " ".join(words[k:])
        canon = canonical_origin(cand)
        if canon in known:
            return canon, written.find(words[k], offset)
        offset = written.find(words[k], offset) + len(words[k])
    return None


def _year(written: str | None, citing: Citing) -> int | None:
    if written:
        y = int(written)
        if len(written) == 4:
            return y
        return 1900 + y if y >= 66 else 2000 + y
    return citing.year


def _year_after(item: str, end: int, citing: Citing) -> tuple[int, int] | None:
    """(year, end) of a year written after a serial, when it is one the citing
    cable can cite: not after its own year, at most _YEARS_BACK before it."""
    a = _YEAR_AFTER.match(item, end)
    if a is None:
        return None
    year = int(a["long"]) if a["long"] else _year(a["short"], citing)
    if year is None or (
        citing.year is not None and not citing.year - _YEARS_BACK <= year <= citing.year
    ):
        return None
    return year, a.end()


def _cables_in(item: str, citing: Citing) -> list[tuple[int, int, str, bool]]:
    """(start, end, id, year_inferred_back) of each cable cited in ``item``."""
    found: list[tuple[int, int, str, bool]] = []
    pos = 0
    while True:
        m = _CABLE.search(item, pos)
        if not m:
            break
        resolved = _resolve_origin(m["origin"].upper())
        if resolved is None:
            pos = m.start("origin") + 1
            continue
        origin, _ = resolved
        serial = int(m["serial"])
        year = _year(m["year"], citing)
        end = m.end()
        after = _year_after(item, end, citing) if m["year"] is None else None
        if after is not None:
            year, end = after
        back = False
        if (
            m["year"] is None
            and after is None
            and year is not None
            and citing.origin
            and citing.serial
            and origin == canonical_origin(citing.origin)
            and serial > citing.serial
        ):
            year, back = year - 1, True
        if year is not None:
            found.append((m.start(), end, reference_id(year, origin, serial), back))
        # MADRID 5426 AND 5425: later serials share the origin and year.
        while year is not None:
            e = _ELIDED.match(item, end)
            if not e:
                break
            found.append(
                (e.start("serial"), e.end(), reference_id(year, origin, int(e["serial"])), False)
            )
            end = e.end()
        pos = end
    if not found:
        for g in _GLUED_ID.finditer(item):
            origin = canonical_origin(g["origin"])
            if origin in known_origins():
                y = _year(g["year"], citing)
                if y is not None:
                    found.append(
                        (g.start(), g.end(), reference_id(y, origin, int(g["serial"])), False)
                    )
    return found


# Dates and message numbers that REF items give besides cables (ON 2-18-04, 181523Z).
_REF_DATE = re.compile(
    r"\b\d{1,2}[-/]\d{1,2}[-/]\d{2,4}\b|\b\d{6}Z\b|\b(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*\.?\s+\d{1,2}\b",
    re.I,
)


def looks_like_reference(line: str) -> bool:
    """``line`` cites a cable of a known origin or gives a date: a REF item,
    not prose (the head reader asks it of a line right under a REF line)."""
    if _REF_DATE.search(line):
        return True
    return bool(_cables_in(line, Citing(2000, None, None)))


def _split_labels(text: str) -> list[tuple[str | None, str]]:
    """Items by sequential letter labels; one unlabelled item when there are none."""
    cuts: list[tuple[int, int, str]] = []
    expected = "A"
    for m in _LABEL.finditer(text):
        letter = (m["a"] or m["b"]).upper()
        if letter == expected:
            cuts.append((m.start(), m.end(), letter))
            expected = chr(ord(expected) + 1)
    if len(cuts) < 1 or (len(cuts) == 1 and text[: cuts[0][0]].strip()):
        return [(None, text)]
    items: list[tuple[str | None, str]] = []
    if text[: cuts[0][0]].strip():
        items.append((None, text[: cuts[0][0]]))
    for i, (_s, e, letter) in enumerate(cuts):
        end = cuts[i + 1][0] if i + 1 < len(cuts) else len(text)
        items.append((letter, text[e:end]))
    return items


def _clean(text: str) -> str:
    """The item's text: blanks folded, separators and a dangling AND off its ends.

    String methods, not a pattern: a pattern for "separators, AND, separators at
    the end" is tried at every separator of a long run and backtracks over it.
    """
    text = " ".join(text.split()).strip(_SEPARATORS)
    if len(text) > 3 and text[-3:].upper() == "AND" and text[-4] in _SEPARATORS:
        text = text[:-3].rstrip(_SEPARATORS)
    return text


def _split_items(item: str) -> list[str]:
    """An unlabelled item split on ``;``, blanks around each ``;`` dropped."""
    pieces = item.split(";")
    last = len(pieces) - 1
    return [
        (p.lstrip() if i else p).rstrip() if i < last else (p.lstrip() if i else p)
        for i, p in enumerate(pieces)
    ]


def read_references(
    lines: Iterable[str], citing: Citing, line_no: int | None = None
) -> tuple[list[Reference], list[Defect]]:
    """References of a REF block (its lines, the ``REF:`` keyword already removed)."""
    text = " ".join(s.strip() for s in lines if s.strip())
    refs: list[Reference] = []
    defects: list[Defect] = []
    for label, item in _split_labels(text):
        pieces = [item] if label else _split_items(item)
        for piece in pieces:
            if not _clean(piece):
                continue
            cables = _cables_in(piece, citing)
            if not cables:
                refs.append(Reference(text=_clean(piece), label=label, id=None))
                continue
            whole = _clean(piece) if label or len(cables) == 1 else ""  # cleaned once
            for k, (start, _end, rid, back) in enumerate(cables):
                if label or len(cables) == 1:
                    text = whole
                else:
                    nxt = cables[k + 1][0] if k + 1 < len(cables) else len(piece)
                    text = _clean(piece[0 if k == 0 else start : nxt])
                refs.append(Reference(text=text, label=label, id=rid))
                if back:
                    defects.append(
                        Defect(
                            "REF_YEAR_PREVIOUS",
                            f"{rid}: year-less reference to a later serial of the same "
                            "origin read as the previous year",
                            line_no,
                        )
                    )
    return refs, defects
