"""What a worker process hands the writer: one copy of a cable, ready to store.

All CPU work (parsing, JSON, compression, hashing) happens here, in the
worker, so the single writer in the parent only executes INSERTs.  Blobs are
packed by :mod:`cablegram.archive.blobs`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from cablegram.access.declass import automatic_date
from cablegram.access.eo_line import read_instruction
from cablegram.access.policy import AccessRows, access_rows, caption_bits, caption_mask
from cablegram.access.redact import redact
from cablegram.archive.blobs import dumps, pack_json, pack_text
from cablegram.archive.ids import cable_keys, id_key
from cablegram.format.copies import foreign_text
from cablegram.format.sources import Document
from cablegram.model import Cable, Classification, Defect, to_dict


@dataclass(frozen=True, slots=True)
class CopyRecord:
    """One copy (source document) of a cable plus the fields derived from it."""

    sha256: str
    format: str
    path: str | None
    locator: str | None
    metadata: str  # JSON
    source_defects: str  # JSON list of [code, message, line]
    line_map: str | None  # JSON runs of the document's LineMap (None: the file's own lines)
    raw: bytes  # pack_text(telegram text of the document)
    id: str
    created: str | None
    year: int | None
    month: str | None
    origin: str | None
    class_rank: int | None
    classification: str | None
    sbu: bool
    precedence: str | None
    subject: str | None
    has_summary: bool
    quality: int
    data: bytes  # pack_json(schema JSON of the parsed cable)
    body: str  # text indexed by FTS
    tags: tuple[str, ...]
    captions: tuple[str, ...]
    signers: tuple[str, ...]
    defects: tuple[tuple[str, int], ...]
    addressees: tuple[tuple[str, str], ...]
    refs: tuple[tuple[int, str | None, str, str | None, str | None], ...]
    keys: tuple[str, ...]
    access: AccessRows
    access_caps: int  # caption_mask(access.captions, caption_bits())
    review_due: str | None
    views: tuple[ViewRecord, ...]  # reader-level release views (policy on)


@dataclass(frozen=True, slots=True)
class ViewRecord:
    """A release view of a cable: ``level`` 0-4 (reader clearance rank) or
    :data:`PUBLIC_VIEW` (the public view under a release decision)."""

    level: int
    subject: str | None
    data: bytes  # pack_json(schema JSON of the view)
    body: str  # its text, indexed in fts_views


# Level of the view published by a release decision (ranks are 0-4).
PUBLIC_VIEW = 7
# The "view" of a reader who reads the cable itself.
FULL_VIEW = -1

# The side tables of a cable's filtered fields, the same on both backends:
# table -> the columns a field filter reads (a tier, tiers.py, mirrors them
# for its reader's cables).
SIDE_COLUMNS = {
    "tags": "cable, value",
    "captions": "cable, value",
    "signers": "cable, value",
    "defects": "cable, value",
    "addressees": "cable, kind, value",
    "refs": "cable, ord, cited_key",
    "cable_keys": "key, cable",
}


def view_record(view: Cable, level: int) -> ViewRecord:
    return ViewRecord(level, view.subject, pack_json(to_dict(view)), view.text)


def reader_views(cable: Cable, facts_rank: int) -> tuple[ViewRecord, ...]:
    """What a reader cleared below the cable's level sees of it: one view per
    clearance rank that releases at least one paragraph (SBU portions are
    released to cleared readers only)."""
    out = []
    for level in Classification:
        if level.rank >= facts_rank:
            break
        view = redact(cable, level, sbu=level.rank > 0)
        withheld = view.source.metadata.get("release", {}).get("withheld_paragraphs", ())
        if view is cable or len(withheld) >= len(view.paragraphs):
            continue  # nothing released at this level
        out.append(view_record(view, level.rank))
    return tuple(out)


def review_due(cable: Cable, rank: int) -> str | None:
    """The first day ``cable`` can enter the declassification review queue:
    its E.O. declassification or review date, or the 25-year date."""
    if rank == 0:
        return None
    instruction = read_instruction(cable)
    dates = [d for d in (instruction.declassify_on, instruction.review_on,
                         automatic_date(cable)) if d is not None]  # fmt: skip
    if instruction.kind == "declassified":
        dates.append(date(1900, 1, 1))  # an archival note: review now
    return min(dates).isoformat() if dates else None


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_digest(data: dict[str, Any]) -> str:
    """A digest of a cable's schema JSON that every backend computes alike
    (``cablegram copy`` compares archives by it)."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return sha256_text(canonical)


# A copy partly made of another cable's text ranks below every sound copy.
_FOREIGN_TEXT_PENALTY = 1_000_000


def quality(cable: Cable) -> int:
    """How trustworthy a copy's parse is; the best copy gives the cable's fields.

    A copy whose text is partly another cable's (``FOREIGN_TEXT``) is never
    chosen over a sound one; then fewer defects, a transmission header, a
    known date, and a signature (a copy cut short loses it) count.
    """
    score = -10 * len(cable.defects)
    if any(d.code == "FOREIGN_TEXT" for d in cable.defects):
        score -= _FOREIGN_TEXT_PENALTY
    if cable.signers:
        score += 1
    if cable.header is not None:
        score += 5
    if cable.created:
        score += 3
    return score


def outranks(quality: int, sha256: str, best_quality: int, best_sha256: str) -> bool:
    """Whether a copy should give its cable's fields instead of the best copy so
    far: better quality, or as good and the smaller digest — so the primary
    copy does not depend on which copy arrives first (several ingest
    processes, or files read in another order, build the same archive)."""
    return quality > best_quality or (quality == best_quality and sha256 < best_sha256)


def _counts(defects: tuple[Defect, ...]) -> tuple[tuple[str, int], ...]:
    out: dict[str, int] = {}
    for d in defects:
        out[d.code] = out.get(d.code, 0) + 1
    return tuple(sorted(out.items()))


def record_of(cable: Cable, doc: Document, *, views: bool = False) -> CopyRecord:
    """The record of ``cable``, parsed from the source document ``doc``."""
    return make_record(cable, doc.text, fmt=doc.format, path=doc.path, locator=doc.locator,
                       metadata=dict(doc.metadata), source_defects=doc.defects,
                       line_map=doc.lines.runs, views=views)  # fmt: skip


def make_record(
    cable: Cable,
    text: str,
    *,
    fmt: str,
    path: str | None,
    locator: str | None,
    metadata: dict[str, Any],
    source_defects: tuple[Defect, ...],
    line_map: tuple[tuple[int, int, int], ...] | None = None,
    views: bool = False,
) -> CopyRecord:
    """The record of ``cable`` parsed from the document ``text``; ``line_map``:
    where its lines are in the file (runs of a ``LineMap``, kept so a re-parse
    cites the same lines); ``views``: add reader-level release views
    (partial-release search policy)."""
    if (foreign := foreign_text(cable)) is not None:
        cable = replace(cable, defects=(*cable.defects, foreign))
    sha = sha256_text(text)
    cable_id = (cable.id or f"SHA-{sha[:16]}").upper()
    created = cable.created
    year = cable.year
    addressees = {("to", a.name.upper()) for a in cable.to}
    addressees |= {("info", a.name.upper()) for a in cable.info}
    refs = tuple(
        (i, r.label, r.text, r.id, id_key(r.id) if r.id else None)
        for i, r in enumerate(cable.references)
    )
    cls = cable.classification
    access = access_rows(cable)
    return CopyRecord(
        sha256=sha,
        format=fmt,
        path=path,
        locator=locator,
        metadata=dumps(metadata),
        source_defects=dumps([[d.code, d.message, d.line] for d in source_defects]),
        line_map=None if line_map in (None, ((0, 1, 1),)) else dumps(line_map),
        raw=pack_text(text),
        id=cable_id,
        created=created,
        year=year,
        month=created[:7] if created else None,
        origin=cable.origin.upper() if cable.origin else None,
        class_rank=cls.rank if cls is not None else None,
        classification=cls.value if cls is not None else None,
        sbu=cable.sbu,
        precedence=cable.precedence.value if cable.precedence else None,
        subject=cable.subject,
        has_summary=bool(cable.summary),
        quality=quality(cable),
        data=pack_json(to_dict(cable)),
        body=cable.text,
        tags=tuple(sorted({t.upper() for t in cable.tags})),
        captions=tuple(sorted({c.upper() for c in cable.captions})),
        signers=tuple(sorted({s.upper() for s in cable.signers})),
        defects=_counts(cable.defects),
        addressees=tuple(sorted(addressees)),
        refs=refs,
        keys=cable_keys(cable_id, cable.origin),
        access=access,
        access_caps=caption_mask(access.captions, caption_bits()),
        review_due=review_due(cable, access.class_rank),
        views=reader_views(cable, access.class_rank) if views else (),
    )
