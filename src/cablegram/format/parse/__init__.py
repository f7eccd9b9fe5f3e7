"""Telegram text -> :class:`~cablegram.model.Cable` (lenient; FORMAT §2, §3, §7, §8).

``parse`` never raises on cable-like input: every irregularity becomes a
:class:`~cablegram.model.Defect` with a stable code (docs/format-defects.md)
and a 1-based line number in ``Cable.text``.  Only input without any cable
structure raises :class:`~cablegram.model.NotACableError`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from functools import lru_cache

from cablegram.format.parse.body import read_body
from cablegram.format.parse.classified import classified_by_in, read_classified_by
from cablegram.format.parse.dates import full_year, parse_stamp
from cablegram.format.parse.envelope import read_envelope
from cablegram.format.parse.lines import ClassLine, match_classification_line
from cablegram.format.parse.message import is_para_start, keyword_of, read_message_head
from cablegram.format.parse.normalize import normalize_lines
from cablegram.format.parse.received import (
    misspelt_class_line,
    page_class_line,
    page_one,
    received_origin,
    serial_only_line,
)
from cablegram.format.parse.stated import aad_disagreements
from cablegram.format.refs import Citing, read_references, same_cable_id
from cablegram.format.sources.document import LineMap
from cablegram.lexicon import origin_token
from cablegram.model import Cable, Defect, NotACableError, Precedence, Reference, Section, Source

__all__ = ["parse"]

# How far down a document the classification line may sit (after a long header).
_CLASS_LINE_WINDOW = 200
# A source's id: two-digit year (or the four digits of AAD document numbers),
# origin, serial (zero-padded in document numbers), PlusD's copy suffix.
_SOURCE_ID = re.compile(
    r"^(?P<year>\d{2}|19\d{2}|20\d{2})(?P<origin>[A-Z]+?)0*(?P<serial>\d+)(?:_[A-Za-z0-9]+)?$"
)


def _find_classification_line(lines: list[str]) -> tuple[int, ClassLine | None, Defect | None]:
    """The classification line, and how it was read when not as written."""
    for i, line in enumerate(lines[:_CLASS_LINE_WINDOW]):
        if line[:1].isspace() and not line.strip():
            continue
        c = match_classification_line(line)
        if c is not None:
            return i, c, None
        c = serial_only_line(line)
        if c is not None and (origin := received_origin(lines[:i], page_one(lines))):
            note = f"{line.strip()[:80]}: no origin; {origin} from the page header or FM line"
            return (
                i,
                dataclasses.replace(c, origin=origin),
                Defect("CLASSIFICATION_LINE_WITHOUT_ORIGIN", note, None),
            )
    found = misspelt_class_line(lines, 0, _CLASS_LINE_WINDOW)
    if found is not None:
        i, c = found
        note = f"{lines[i].strip()[:80]}: level misspelt; read as the page banner's"
        return i, c, Defect("CLASSIFICATION_LINE_MISSPELT", note, None)
    return -1, None, None


def _looks_like_cable(lines: list[str]) -> bool:
    """Some cable structure: head keywords, an ACP-127 header or a DTG with FM/TO."""
    kws = sum(1 for line in lines[:200] if keyword_of(line))
    if kws >= 1:
        return True
    env = read_envelope(lines[:60])
    return env.dtg is not None or (env.header is not None and env.from_ is not None)


def _text_start(lines: list[str]) -> int:
    """Without a classification line: where the text starts after any envelope."""
    for i, line in enumerate(lines[:_CLASS_LINE_WINDOW]):
        if keyword_of(line) or is_para_start(line):
            return i
    return 0


def _year_and_created(
    dtg_iso: str | None, source: Source, defects: list[Defect]
) -> tuple[int | None, str | None]:
    if dtg_iso:
        return int(dtg_iso[:4]), dtg_iso
    md = source.metadata or {}
    stated = md.get("created")
    if isinstance(stated, str) and (iso := parse_stamp(stated)):
        defects.append(
            Defect("CREATED_FROM_SOURCE", f"no DTG; created {iso} as the source states", None)
        )
        return int(iso[:4]), iso
    for key in ("id", "filename_id"):
        v = md.get(key)
        if not isinstance(v, str) or not v[:2].isdigit():
            continue
        # Never a two-digit year out of a four-digit one (1974LAPAZ00430).
        m = _SOURCE_ID.match(v)
        defects.append(Defect("YEAR_FROM_SOURCE_ID", f"no DTG; year from source {key} {v}", None))
        return full_year(int(m["year"] if m else v[:2])), None
    return None, None


@lru_cache(maxsize=64)
def _label_mark(label: str) -> re.Pattern[str]:
    """Where a REF item's label is written (``B.``, ``(B)``, ``REF: A.``)."""
    return re.compile(rf"(?:^|[\s,;:]|REF\w*:?)\(?{re.escape(label)}[.)]", re.I)


def _reference_lines(block: list[str], indices: list[int], refs: list[Reference]) -> list[int]:
    """The line index of each reference of one REF block: the first place, from
    the previous reference's on, with its label (``B.``, ``(B)``) or, unlabelled,
    the start of its text; else the previous reference's line.

    The search goes on from where the previous reference was found (not from
    the start of its line), so a block of many references on one long line is
    read once, not once per reference.
    """
    out: list[int] = []
    j = at = 0  # line and offset where the previous reference was found
    folded: list[str] | None = None  # the block's lines with blanks folded, made once
    for ref in refs:
        if ref.label:
            mark = _label_mark(ref.label)
            lines = block
        else:
            if folded is None:
                folded = [" ".join(line.split()) for line in block]
            lines = folded
            probe = " ".join(ref.text.split(None, 2)[:2])
        for k in range(j, len(lines)):
            start = at if k == j else 0
            if ref.label:
                m = mark.search(lines[k], start)
                found = m.start() if m else -1
            else:
                found = lines[k].find(probe, start)
            if found >= 0:
                j, at = k, found
                break
        out.append(indices[min(j, len(indices) - 1)])
    return out


def _file_lines(at: dict[str, int], origins: list[int] | None, file_map: LineMap) -> dict[str, int]:
    """Element key -> 1-based line in the source file, from indices of clean lines."""
    if origins is not None:
        at = {key: origins[i] for key, i in at.items() if i < len(origins)}
    keys = sorted(at, key=at.__getitem__)
    return dict(zip(keys, file_map.lines([at[key] for key in keys]), strict=True))


def parse(
    text: str | bytes,
    *,
    source: Source | None = None,
    defects: Iterable[Defect] = (),
    line_map: LineMap | None = None,
) -> Cable:
    """Parse one cable's telegram text (any header layout, any residue) into a Cable.

    ``line_map`` says where the lines of ``text`` are in the source file (a
    Document's ``lines``); by default they are the file's own.  The cable's
    ``source.lines`` then place its elements in that file.
    """
    source = source or Source()
    out: list[Defect] = list(defects)
    if isinstance(text, bytes) and b"\x00" in text[:4096]:
        raise NotACableError("binary input", source.path)
    lines, origins = normalize_lines(text)
    file_map = line_map or LineMap()
    if not any(line.strip() for line in lines):
        raise NotACableError("empty input", source.path)
    ci, cline, misread = _find_classification_line(lines)
    if misread is not None:
        out.append(dataclasses.replace(misread, line=1))
    if cline is None:
        if not _looks_like_cable(lines):
            raise NotACableError(
                "no classification line, header keywords or transmission header", source.path
            )
        ci = _text_start(lines)
        out.append(
            Defect(
                "MISSING_CLASSIFICATION_LINE",
                "no classification line; text starts at the head",
                None,
            )
        )
    # Without a classification line, a received copy's page header and banner
    # still say whose message it is and its level (the text starts at the head).
    paged = page_class_line(lines[:ci]) if cline is None else None
    if paged is not None:
        out.append(
            Defect(
                "ID_FROM_PAGE_HEADER",
                f"origin {paged.origin} and serial {paged.serial} from the page header",
                None,
            )
        )
    env = read_envelope(lines[:ci])
    out.extend(env.defects)
    body_lines = lines[ci:]
    text_out = "\n".join(body_lines).strip("\n")
    # Line numbers of text defects count from the first line of Cable.text
    # (lines are right-stripped: the empty ones before it are exactly "").
    lead = next((i for i, line in enumerate(body_lines) if line), max(len(body_lines) - 1, 0))
    body_lines = body_lines[lead:]
    head = read_message_head(body_lines, 1 if cline else 0)
    if paged is not None:
        cline = paged  # id, origin, serial and level; the text keeps its start
    year, created = _year_and_created(env.dtg.iso if env.dtg else None, source, out)
    origin = origin_token(cline.origin) if cline else None
    serial = cline.serial if cline else None
    cable_id = (
        f"{year % 100:02d}{origin}{serial}"
        if year is not None and origin and serial is not None
        else None
    )
    md = source.metadata or {}
    if cline is None and (
        stated := _SOURCE_ID.match(str(md.get("id") or md.get("filename_id") or ""))
    ):
        origin, serial = stated["origin"], int(stated["serial"])
        cable_id = f"{stated['year'][-2:]}{origin}{serial}"
        out.append(
            Defect(
                "ID_FROM_SOURCE",
                f"no classification line; id {cable_id} as the source states",
                None,
            )
        )
    if cline and cline.tail:
        out.append(Defect("CLASSIFICATION_LINE_TRAILER", cline.tail[:120], 1))
    citing = Citing(year, cline.origin if cline else None, serial)
    references: list[Reference] = []
    ref_at: list[int] = []  # index in body_lines of each reference's line
    for (line_no, block), indices in zip(head.ref_blocks, head.ref_lines, strict=True):
        refs, ref_defects = read_references(block, citing, line_no)
        references.extend(refs)
        ref_at += _reference_lines(block, indices, refs)
        out.extend(ref_defects)
    own = (cline.origin, cline.serial) if cline else None
    body = read_body(body_lines, head.end, own)
    first = ci + lead  # index in ``lines`` of body_lines[0]
    at: dict[str, int] = dict(env.at)
    if cline is not None and paged is None:
        at["CLASS"] = ci
    at.update((key, first + i) for key, i in head.at.items())
    at.update((f"PARA.{k}", first + i) for k, i in enumerate(body.lines))
    if body.signer_line is not None:
        at["SIGN"] = first + body.signer_line
    at.update((f"REF.{k}", first + i) for k, i in enumerate(ref_at))
    classified_by = head.classified_by
    if classified_by is None and body.paragraphs:
        # 1990s cables: "1. CONFIDENTIAL - ENTIRE TEXT. CLASSIFIED BY: ..." in
        # paragraph 1 (or 2, after a summary line), or a paragraph of its own.
        for k, para in enumerate(body.paragraphs[:2]):
            clause = classified_by_in(para.text.split("\n\n")[0])
            if clause is not None:
                classified_by = read_classified_by([clause])
                at["CLBY"] = at[f"PARA.{k}"]
                break
    out.extend(head.defects)
    out.extend(body.defects)
    if not body.paragraphs:
        out.append(Defect("EMPTY_BODY", "no text after the message head", None))
    precedence = None
    if env.dtg and env.dtg.p1:
        precedence = Precedence.from_prosign(env.dtg.p1)
    classification = cline.classification if cline else None
    sbu = head.sbu or (cline.sbu if cline else False)
    out.extend(
        aad_disagreements(
            source.metadata or {},
            created=created,
            classification=classification,
            sbu=sbu,
            tags=tuple(head.tags),
            subject=head.subject,
        )
    )
    md_id = (source.metadata or {}).get("id")
    if cable_id and isinstance(md_id, str) and md_id and not same_cable_id(md_id, cable_id):
        out.append(
            Defect("ID_DIFFERS_FROM_SOURCE", f"text gives {cable_id}, source states {md_id}", None)
        )
    return Cable(
        id=cable_id,
        origin=origin,
        serial=serial,
        created=created,
        precedence=precedence,
        classification=classification,
        sbu=sbu,
        captions=tuple(head.captions),
        header=env.header,
        from_=env.from_,
        to=tuple(env.to),
        info=tuple(env.info),
        xmt=tuple(env.xmt),
        distribution=tuple(env.office_lines + head.distribution),
        eo=head.eo,
        classified_by=classified_by,
        tags=tuple(head.tags),
        subject=head.subject,
        references=tuple(references),
        paragraphs=tuple(body.paragraphs),
        summary=body.summary,
        signers=tuple(body.signers),
        text=text_out,
        # Source(...) rather than dataclasses.replace, which costs several times more.
        source=Source(
            source.format, source.path, source.metadata, _file_lines(at, origins, file_map)
        ),
        defects=tuple(out),
        section=Section(*cline.section) if cline and cline.section else None,
        notices=tuple(head.notices),
        classification_trailer=(cline.tail or None) if cline else None,
        unrecognized_head_lines=tuple(head.unrecognized),
    )
