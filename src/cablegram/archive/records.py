"""What a worker process hands the writer: one copy of a cable, ready to store.

All CPU work (parsing, JSON, compression, hashing) happens here, in the
worker, so the single writer in the parent only executes INSERTs.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

from cablegram.archive.ids import cable_keys, id_key
from cablegram.model import Cable, Defect, to_dict


@dataclass(frozen=True, slots=True)
class CopyRecord:
    """One copy (source document) of a cable plus the fields derived from it."""

    sha256: str
    format: str
    path: str | None
    locator: str | None
    metadata: str  # JSON
    source_defects: str  # JSON list of [code, message, line]
    raw: bytes  # zlib(telegram text of the document)
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
    data: bytes  # zlib(schema JSON of the parsed cable)
    body: str  # text indexed by FTS
    tags: tuple[str, ...]
    captions: tuple[str, ...]
    signers: tuple[str, ...]
    defects: tuple[tuple[str, int], ...]
    addressees: tuple[tuple[str, str], ...]
    refs: tuple[tuple[int, str | None, str, str | None, str | None], ...]
    keys: tuple[str, ...]


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def quality(cable: Cable) -> int:
    """How trustworthy a copy's parse is; the best copy gives the cable's fields.

    Fewer defects first, then a transmission header, then a known date.
    """
    score = -10 * len(cable.defects)
    if cable.header is not None:
        score += 5
    if cable.created:
        score += 3
    return score


def _counts(defects: tuple[Defect, ...]) -> tuple[tuple[str, int], ...]:
    out: dict[str, int] = {}
    for d in defects:
        out[d.code] = out.get(d.code, 0) + 1
    return tuple(sorted(out.items()))


# zlib level 1: ingest is CPU-bound and level 6 costs ~60% more time for
# ~10% smaller blobs.
ZLIB_LEVEL = 1


def encode_json(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode(), ZLIB_LEVEL)


def decode_json(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob))


def make_record(
    cable: Cable,
    text: str,
    *,
    fmt: str,
    path: str | None,
    locator: str | None,
    metadata: dict[str, Any],
    source_defects: tuple[Defect, ...],
) -> CopyRecord:
    """The record of ``cable`` parsed from the document ``text``."""
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
    return CopyRecord(
        sha256=sha,
        format=fmt,
        path=path,
        locator=locator,
        metadata=json.dumps(metadata, ensure_ascii=False, default=str),
        source_defects=json.dumps([[d.code, d.message, d.line] for d in source_defects]),
        raw=zlib.compress(text.encode("utf-8"), ZLIB_LEVEL),
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
        data=encode_json(to_dict(cable)),
        body=cable.text,
        tags=tuple(sorted({t.upper() for t in cable.tags})),
        captions=tuple(sorted({c.upper() for c in cable.captions})),
        signers=tuple(sorted({s.upper() for s in cable.signers})),
        defects=_counts(cable.defects),
        addressees=tuple(sorted(addressees)),
        refs=refs,
        keys=cable_keys(cable_id, cable.origin),
    )
