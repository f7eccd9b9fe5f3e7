"""Drafts: a cable without serial, date-time group or transmission header.

A :class:`Draft` holds the cable the drafter writes (the schema's fields:
addressees with per-addressee precedence and NIACT, classification, portion
marked paragraphs, captions, office distribution, TAGS, subject, references,
classified-by, signer) plus the workflow's facts (who drafted it, its version,
its state, the clearances the drafter asked for).  Release fills in what the
draft leaves out (:mod:`cablegram.network.release`).

The constructors here are pure: from schema JSON (:func:`from_json`, keeping the
line of every field so findings point into the file), from telegram text
(:func:`from_text`), from a packaged template (:func:`from_template`), and the
three that start from a released cable (NETWORK.md §7): :func:`reply`,
:func:`repeat`, :func:`correct`.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from importlib import resources
from typing import Any, Union

from cablegram import lexicon
from cablegram.format import parse
from cablegram.format.drafts import DRAFT_FORMAT, DraftError, read_drafts
from cablegram.format.render import MONTHS, classification_line, created_datetime, written_origin
from cablegram.lexicon.marks import mark_letter
from cablegram.model import (
    Addressee,
    Cable,
    Paragraph,
    Reference,
    Source,
    Station,
    from_dict,
    to_dict,
)

__all__ = [
    "CORRECT",
    "DRAFT",
    "NEW",
    "RELEASED",
    "REPEAT",
    "REPLY",
    "SUBMITTED",
    "WITHDRAWN",
    "ClearanceRequest",
    "Draft",
    "DraftError",
    "correct",
    "draft_cable",
    "from_json",
    "from_template",
    "from_text",
    "repeat",
    "reply",
    "templates",
]

# States of a draft.
DRAFT, SUBMITTED, RELEASED, WITHDRAWN = "draft", "submitted", "released", "withdrawn"
STATES = (DRAFT, SUBMITTED, RELEASED, WITHDRAWN)
# Kinds: what the draft starts from.
NEW, REPLY, REPEAT, CORRECT = "new", "reply", "repeat", "correct"

CORRECTION_NOTICE = "C O R R E C T E D  C O P Y"


@dataclass(frozen=True, slots=True)
class ClearanceRequest:
    """A clearance the drafter asks for: an office (``POL`` at ``AMEMBASSY ALMATY``)."""

    station: str
    office: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "station", " ".join(self.station.upper().split()))
        object.__setattr__(self, "office", self.office.upper().replace(" ", ""))


@dataclass(frozen=True, slots=True)
class Draft:
    """A cable being drafted, and where it stands in the workflow."""

    cable: Cable
    drafter: str
    id: int | None = None
    version: int = 1
    state: str = DRAFT
    kind: str = NEW
    basis: str | None = None  # the cable id a reply, repeat or correction starts from
    requested: tuple[ClearanceRequest, ...] = ()
    created: str | None = None
    updated: str | None = None
    released_as: str | None = None  # the cable id release gave it
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def editable(self) -> bool:
        return self.state in (DRAFT, SUBMITTED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "state": self.state,
            "kind": self.kind,
            "basis": self.basis,
            "drafter": self.drafter,
            "requested": [{"station": r.station, "office": r.office} for r in self.requested],
            "created": self.created,
            "updated": self.updated,
            "released_as": self.released_as,
            "cable": draft_json(self.cable),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Draft:
        return cls(
            cable=draft_cable(from_dict(d["cable"])),
            drafter=d["drafter"],
            id=d.get("id"),
            version=d.get("version", 1),
            state=d.get("state", DRAFT),
            kind=d.get("kind", NEW),
            basis=d.get("basis"),
            requested=tuple(ClearanceRequest(**r) for r in d.get("requested") or ()),
            created=d.get("created"),
            updated=d.get("updated"),
            released_as=d.get("released_as"),
        )


def draft_cable(cable: Cable, *, keep_source: bool = False) -> Cable:
    """``cable`` as a draft: without id, serial, DTG, header, sections, per-addressee
    numbers and routing indicators (release assigns them from the directory)."""
    bare = replace(
        cable,
        # What release assigns, and what a reading leaves that a draft does not have.
        id=None,
        serial=None,
        created=None,
        header=None,
        section=None,
        text="",
        defects=(),
        classification_trailer=None,
        from_=Station(" ".join(cable.from_.name.upper().split())) if cable.from_ else None,
        to=_bare(cable.to),
        info=_bare(cable.info),
        xmt=_bare(cable.xmt),
    )
    if not keep_source:
        bare = replace(bare, source=Source(DRAFT_FORMAT))
    return bare


def _bare(items: Iterable[Addressee]) -> tuple[Addressee, ...]:
    return tuple(
        replace(a, name=" ".join(a.name.upper().split()), routing_indicator=None, serial=None)
        for a in items
    )


def draft_json(cable: Cable) -> dict[str, Any]:
    """The schema JSON of a draft cable (what a drafter edits)."""
    d = to_dict(draft_cable(cable))
    for key in ("id", "serial", "created", "header", "text", "defects", "source", "summary"):
        d.pop(key, None)
    return d


def from_json(raw: str, path: str | None = None) -> Cable:
    """The draft cable of a schema JSON text (one object); its source lines place
    each field in ``raw`` so that findings point at the field's line.  A value
    of the wrong type (a number for the subject) is refused with its place."""
    cables = list(read_drafts(raw, path))
    if len(cables) != 1:
        raise DraftError(f"{path or '<input>'}: a draft is one JSON object, found {len(cables)}")
    wrong = mistyped(cables[0])
    if wrong is not None:
        raise DraftError(f"{path or '<input>'}: {wrong}")
    return draft_cable(cables[0], keep_source=True)


def mistyped(value: Any, where: str = "", hint: Any = None) -> str | None:
    """Where a value of the cable read from JSON is not of its field's type
    (``from_dict`` takes JSON values as they come), or None."""
    if hint is None:
        hint = type(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        hints = typing.get_type_hints(type(value))
        for f in dataclasses.fields(value):
            if f.name in ("source", "extra"):
                continue
            found = mistyped(getattr(value, f.name), f"{where}.{f.name}".lstrip("."), hints[f.name])
            if found:
                return found
        return None
    options = (
        typing.get_args(hint) if typing.get_origin(hint) in (Union, types.UnionType) else (hint,)
    )
    if value is None:
        return None if type(None) in options else f"{where}: a value is needed"
    for option in options:
        origin = typing.get_origin(option) or option
        if origin is tuple and isinstance(value, tuple):
            args = typing.get_args(option)
            inner = args[0] if args else Any
            for i, item in enumerate(value):
                found = mistyped(item, f"{where}[{i}]", inner)
                if found:
                    return found
            return None
        if option is Any or (origin is dict and isinstance(value, dict)):
            return None
        if isinstance(origin, type) and isinstance(value, origin):
            if dataclasses.is_dataclass(value):
                return mistyped(value, where)
            if origin is int and isinstance(value, bool):
                continue
            return None
    return f"{where}: {type(value).__name__} {value!r} is not of the expected type"


def from_text(text: str | bytes) -> Cable:
    """The draft cable of telegram text (a header, serial and DTG, if any, are dropped)."""
    return draft_cable(parse(text))


def templates() -> list[str]:
    """Names of the packaged templates."""
    folder = resources.files("cablegram").joinpath("data", "templates")
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def from_template(name: str, *, origin: Station | None = None) -> Cable:
    """A draft cable from a packaged template (``unclassified``, ``classified``),
    from ``origin`` when given."""
    if name not in templates():
        raise DraftError(f"no template {name!r} (templates: {', '.join(templates())})")
    path = resources.files("cablegram").joinpath("data", "templates", f"{name}.json")
    cable = draft_cable(from_dict(json.loads(path.read_text(encoding="utf-8"))))
    return _from(cable, origin) if origin is not None else cable


def _from(cable: Cable, station: Station) -> Cable:
    return replace(
        cable, from_=Station(station.name), origin=lexicon.canonical_origin(station.name)
    )


def _short(plad: str) -> str:
    """An address as the repeat line names it: ``AMEMBASSY LONDON`` -> ``LONDON``."""
    for p in lexicon.plad_prefixes():
        if plad.startswith(p + " "):
            return plad[len(p) + 1 :]
    return plad


def _mrn(cable: Cable) -> str:
    """``ALMATY 002872``: the message reference number as the classification line writes it."""
    return f"{written_origin(cable)} {cable.serial:06d}" if cable.serial is not None else ""


def citation(original: Cable, on: datetime) -> str:
    """How a REF writes ``original``: ``ALMATY 2872``, with the year when it differs
    from the citing cable's (``05 STATE 32380``)."""
    when = created_datetime(original)
    text = f"{written_origin(original)} {original.serial}"
    if when is not None and when.year != on.year:
        text = f"{when:%y} {text}"
    return text


def reply(original: Cable, station: Station, on: datetime) -> Cable:
    """A draft answering ``original`` from ``station``: addressed to its originator for
    action, same classification, captions and TAGS, REF A citing it by canonical id."""
    if original.id is None or original.serial is None:
        raise DraftError("a reply cites a released cable: this one has no id")
    to = (Addressee(original.from_.name, precedence=original.precedence),) if original.from_ else ()
    subject = original.subject or ""
    return draft_cable(
        replace(
            _blank(original),
            from_=Station(station.name),
            origin=lexicon.canonical_origin(station.name),
            to=to,
            info=(),
            xmt=(),
            subject=subject,
            references=(Reference(citation(original, on), "A", original.id),),
        )
    )


def _blank(original: Cable) -> Cable:
    """What a new cable about ``original`` keeps: level, captions, TAGS, E.O. and
    classified-by; no text yet (one empty paragraph, marked like the cable)."""
    mark = _level_mark(original)
    return replace(
        draft_cable(original),
        paragraphs=(Paragraph("", 1, mark),),
        distribution=(),
        notices=(),
        summary=None,
        signers=(),
        unrecognized_head_lines=(),
    )


def _level_mark(cable: Cable) -> str | None:
    if not any(p.marking for p in cable.paragraphs):
        return None
    if cable.classification is None:
        return None
    return mark_letter(cable.classification, cable.sbu)


def repeat(original: Cable, station: Station, to: Iterable[str], on: datetime) -> Cable:
    """A draft re-sending ``original`` from ``station`` to new addressees (NETWORK.md §7):
    ``FOLLOWING ALMATY 002872 SENT ACTION SECSTATE WASHDC ... FROM ALMATY AUG 10, 2006
    REPEATED YOU: QUOTE`` ... ``UNQUOTE``; the original MRN and captions are kept."""
    if original.serial is None:
        raise DraftError("a repeat re-sends a released cable: this one has no serial")
    addressees = tuple(Addressee(" ".join(a.upper().split())) for a in to if a.strip())
    if not addressees:
        raise DraftError("a repeat needs at least one addressee (--to)")
    when = created_datetime(original)
    sent = f" {MONTHS[when.month - 1]} {when.day:02d}, {when.year}" if when else ""
    action = ", ".join(_short(a.name) for a in original.to)
    info = ", ".join(_short(a.name) for a in original.info)
    sender = _short(original.from_.name) if original.from_ is not None else written_origin(original)
    intro = f"FOLLOWING {_mrn(original)} SENT ACTION {action}"
    intro += f" INFO {info}" if info else ""
    intro += f" FROM {sender}{sent} REPEATED YOU: QUOTE"
    head = [classification_line(replace(original, section=None, classification_trailer=None))]
    head += list(original.captions)
    head.append(f"SUBJECT: {original.subject}" if original.subject else "")
    mark = _level_mark(original)
    quoted = list(original.paragraphs)
    if quoted:
        last = quoted[-1]
        quoted[-1] = replace(last, text=f"{last.text} UNQUOTE")
    paragraphs = (Paragraph(intro + " " + " ".join(h for h in head if h), None, mark), *quoted)
    return draft_cable(
        replace(
            original,
            from_=Station(station.name),
            origin=lexicon.canonical_origin(station.name),
            to=addressees,
            info=(),
            xmt=(),
            distribution=(),
            notices=(),
            paragraphs=paragraphs,
            summary=None,
            references=original.references,
        )
    )


def correct(original: Cable, reason: str) -> Cable:
    """A corrected copy of ``original`` (NETWORK.md §7): the same message, MRN and
    DTG, with the notice ``C O R R E C T E D  C O P Y - <reason>``; released as a
    new transmission that supersedes it (both stay on record)."""
    if original.id is None:
        raise DraftError("a corrected copy corrects a released cable: this one has no id")
    why = " ".join(reason.upper().split())
    if not why:
        raise DraftError("a corrected copy states its reason (--reason)")
    notice = f"{CORRECTION_NOTICE} - {why}"
    return replace(draft_cable(original), notices=(notice,))
