"""The drafting form's fields and a draft cable, both ways.

One field per part of a cable a drafter writes (originator, classification,
precedence, addressees one per line, captions, TAGS, subject, references,
paragraphs separated by blank lines with their portion marks, signers) plus
``base``: the draft's schema JSON, which keeps what the form does not show
(E.O. line, classified-by, distribution) across an edit.  The live
validation posts the same fields, so the findings and the preview are of
exactly what the form would save.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cablegram.format.refs import Citing, read_references
from cablegram.model import Cable, Precedence, from_dict
from cablegram.network.drafts import ClearanceRequest, draft_cable, draft_json

__all__ = ["FIELDS", "DraftForm", "cable_of", "field_of", "form_of", "requests_of"]

PRECEDENCES = tuple(p.value for p in Precedence)
LEVELS = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")
_MARK = re.compile(r"^\((?P<mark>[A-Z]{1,3}(?:/[A-Z]{1,6})*)\)\s*")
_WORDS = re.compile(r"[\s,;]+")

# Where a finding's field (``info[2]``, ``paragraphs[0]``) is shown in the form.
FIELDS = ("from", "classification", "precedence", "to", "info", "captions", "tags",
          "subject", "references", "paragraphs", "signers", "clearances")  # fmt: skip
_FIELD_OF = {"origin": "from", "sbu": "classification", "xmt": "info"}


def field_of(finding_field: str | None) -> str | None:
    """The form field a finding about ``finding_field`` belongs beside (None: the form)."""
    if not finding_field:
        return None
    name = re.split(r"[\[.]", finding_field, maxsplit=1)[0]
    name = _FIELD_OF.get(name, name)
    return name if name in FIELDS else None


@dataclass(frozen=True)
class DraftForm:
    """The form's values (strings, as the browser sends and shows them)."""

    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _words(text: str) -> list[str]:
    return [w.upper() for w in _WORDS.split(text) if w.strip()]


def _addressee(line: str, default: str | None) -> dict[str, Any]:
    words = line.upper().split()
    niact = bool(words) and words[-1] == "NIACT"
    if niact:
        words.pop()
    precedence = default
    if words and words[-1] in PRECEDENCES:
        precedence = words.pop()
    out: dict[str, Any] = {"name": " ".join(words)}
    if precedence:
        out["precedence"] = precedence
    if niact:
        out["niact"] = True
    return out


def _paragraphs(text: str) -> list[dict[str, Any]]:
    """Paragraphs from blank-line separated blocks; when paragraphs are portion
    marked, a block without a mark continues the paragraph before it."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    blocks = [re.sub(r"^\d+\.\s+", "", b) for b in blocks]  # "1. ": release numbers them
    marked = any(_MARK.match(b) for b in blocks)
    out: list[dict[str, Any]] = []
    for block in blocks:
        m = _MARK.match(block)
        if marked and m is None and out:
            out[-1]["text"] += "\n\n" + block
            continue
        out.append({"number": len(out) + 1, "marking": m["mark"] if m else None,
                    "text": block[m.end():] if m else block})  # fmt: skip
    return out


def cable_of(form: Mapping[str, str], year: int) -> Cable:
    """The draft cable the form's values describe (``year``: of year-less REFs)."""
    f = {k: (v or "") for k, v in form.items()}
    try:
        data: dict[str, Any] = json.loads(f.get("base") or "{}")
    except json.JSONDecodeError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    precedence = f.get("precedence", "").upper() or "ROUTINE"
    origin = " ".join(f.get("from", "").upper().split())
    level = f.get("classification", "").upper()
    citing = Citing(year, data.get("origin"), None)
    refs, _defects = read_references(_lines(f.get("references", "")), citing)
    data.update(
        {
            "from": {"name": origin} if origin else None,
            "classification": level if level in LEVELS else None,
            "sbu": f.get("sbu") in ("on", "true", "1", "yes"),
            "precedence": precedence if precedence in PRECEDENCES else "ROUTINE",
            "to": [_addressee(x, precedence) for x in _lines(f.get("to", ""))],
            "info": [_addressee(x, None) for x in _lines(f.get("info", ""))],
            "captions": _words(f.get("captions", "")),
            "tags": _words(f.get("tags", "")),
            "subject": " ".join(f.get("subject", "").split()) or None,
            "references": [{"label": r.label, "text": r.text, "id": r.id} for r in refs],
            "paragraphs": _paragraphs(f.get("paragraphs", "")),
            "signers": _words(f.get("signers", "")),
        }
    )
    data.pop("origin", None)  # the originator's, from the directory
    return draft_cable(from_dict(data))


def requests_of(text: str, station: str) -> list[ClearanceRequest]:
    """``POL, DCM`` (offices of ``station``) or ``SECSTATE WASHDC:S/S`` items."""
    out = []
    for item in re.split(r"[,;\n]+", text):
        if not item.strip():
            continue
        where, sep, office = item.strip().rpartition(":")
        out.append(ClearanceRequest(where if sep else station, office))
    return out


def form_of(cable: Cable | None, requested: list[ClearanceRequest] | None = None,
            station: str = "") -> DraftForm:  # fmt: skip
    """The form's values showing ``cable`` (None: a new draft from ``station``)."""
    if cable is None:
        return DraftForm({"from": station, "classification": "UNCLASSIFIED",
                          "precedence": "ROUTINE"})  # fmt: skip

    def line(a: Any, default: Precedence | None) -> str:
        words = [a.name]
        if a.precedence is not None and a.precedence != default:
            words.append(a.precedence.value)
        if a.niact:
            words.append("NIACT")
        return " ".join(words)

    prec = cable.precedence
    paragraphs = "\n\n".join(
        (f"({p.marking}) " if p.marking else "") + p.text for p in cable.paragraphs
    )
    asked = ", ".join(
        r.office if r.station == station else f"{r.station}:{r.office}" for r in requested or ()
    )
    return DraftForm(
        {
            "from": cable.from_.name if cable.from_ else station,
            "classification": cable.classification.value if cable.classification else "",
            "sbu": "on" if cable.sbu else "",
            "precedence": prec.value if prec else "ROUTINE",
            "to": "\n".join(line(a, prec) for a in cable.to),
            "info": "\n".join(line(a, None) for a in cable.info),
            "captions": " ".join(cable.captions),
            "tags": ", ".join(cable.tags),
            "subject": cable.subject or "",
            "references": "\n".join(
                (f"{r.label}. " if r.label else "") + r.text for r in cable.references
            ),
            "paragraphs": paragraphs,
            "signers": " ".join(cable.signers),
            "clearances": asked,
            "base": json.dumps(draft_json(cable), ensure_ascii=False),
        }
    )
