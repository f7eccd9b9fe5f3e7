"""The JSON form of a cable (cable.schema.json), both ways.

``to_dict`` emits every required key (null / empty list when unknown);
``from_dict`` accepts any subset and fills the rest with defaults, so partial
objects (drafts, test expectations) load too.  ``to_json_line`` is the object
as one line of JSON lines (``cablegram parse --json``).
"""

from __future__ import annotations

import json
from typing import Any

from cablegram.model.cable import (
    EO,
    Addressee,
    Cable,
    ClassifiedBy,
    Defect,
    Header,
    Paragraph,
    Reference,
    Relay,
    Section,
    Source,
    Station,
)
from cablegram.model.enums import Classification, Precedence


def _enum(value: Any) -> Any:
    return value.value if value is not None else None


def _addressee(a: Addressee) -> dict[str, Any]:
    out = {
        "routing_indicator": a.routing_indicator,
        "name": a.name,
        "precedence": _enum(a.precedence),
        "serial": a.serial,
    }
    if a.niact:  # an extension written only where it holds, so other JSON stays as it was
        out["niact"] = True
    return out


def _header(h: Header | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return {
        "start_of_message": h.start_of_message,
        "relay": None
        if h.relay is None
        else {
            "precedence": _enum(h.relay.precedence),
            "routing_indicators": list(h.relay.routing_indicators),
        },
        "originator": h.originator,
        "station_serial": h.station_serial,
        "section": h.section,
        "filed": h.filed,
        "security": h.security,
        "dtg": h.dtg,
        "signals": h.signals,
    }


def to_dict(cable: Cable) -> dict[str, Any]:
    """The schema JSON object of ``cable`` (plain dicts, lists, str, int, bool, None)."""
    c = cable
    return {
        "id": c.id,
        "origin": c.origin,
        "serial": c.serial,
        "created": c.created,
        "precedence": _enum(c.precedence),
        "classification": _enum(c.classification),
        "sbu": c.sbu,
        "captions": list(c.captions),
        "section": None
        if c.section is None
        else {"number": c.section.number, "total": c.section.total},
        "header": _header(c.header),
        "from": None
        if c.from_ is None
        else {"routing_indicator": c.from_.routing_indicator, "name": c.from_.name},
        "to": [_addressee(a) for a in c.to],
        "info": [_addressee(a) for a in c.info],
        "xmt": [_addressee(a) for a in c.xmt],
        "notices": list(c.notices),
        "classification_trailer": c.classification_trailer,
        "unrecognized_head_lines": list(c.unrecognized_head_lines),
        "distribution": list(c.distribution),
        "eo": None
        if c.eo is None
        else {"order": c.eo.order, "declassify_on": c.eo.declassify_on, "text": c.eo.text},
        "classified_by": None
        if c.classified_by is None
        else {
            "name": c.classified_by.name,
            "title": c.classified_by.title,
            "reasons": list(c.classified_by.reasons),
            "text": c.classified_by.text,
            "office": c.classified_by.office,
        },
        "tags": list(c.tags),
        "subject": c.subject,
        "references": [{"label": r.label, "text": r.text, "id": r.id} for r in c.references],
        "paragraphs": [
            {"number": p.number, "marking": p.marking, "text": p.text} for p in c.paragraphs
        ],
        "summary": c.summary,
        "signers": list(c.signers),
        "text": c.text,
        "source": {
            "format": c.source.format,
            "path": c.source.path,
            "metadata": dict(c.source.metadata),
        },
        "defects": [{"code": d.code, "line": d.line, "message": d.message} for d in c.defects],
    }


def to_json_line(cable: Cable) -> bytes:
    """``to_dict(cable)`` as one line of UTF-8 JSON ending in a line end: compact
    separators, characters as they are (``json.dumps(..., ensure_ascii=False,
    separators=(",", ":"))``).

    orjson writes it, several times faster, with the same bytes; what orjson
    refuses (an integer past 64 bits such as a hostile cables.csv row number, a
    lone surrogate from a ``\\ud800`` escape in a JSON source) json writes, a
    lone surrogate as its ``\\uXXXX`` escape, so that every line is valid UTF-8.
    """
    value = to_dict(cable)
    try:
        import orjson  # a dependency; imported here so that the model loads without it
    except ImportError:  # pragma: no cover - json writes the same bytes
        return _json_line(value)
    try:
        return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:  # orjson.JSONEncodeError: a value orjson cannot write
        return _json_line(value)


def _json_line(value: dict[str, Any]) -> bytes:
    line = json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"
    return line.encode("utf-8", "backslashreplace")


def _prec(v: Any) -> Precedence | None:
    return Precedence(v) if v else None


def _addressees(items: Any) -> tuple[Addressee, ...]:
    return tuple(
        Addressee(
            name=a["name"],
            routing_indicator=a.get("routing_indicator"),
            precedence=_prec(a.get("precedence")),
            serial=a.get("serial"),
            niact=bool(a.get("niact", False)),
        )
        for a in items or ()
    )


def from_dict(d: dict[str, Any]) -> Cable:
    """Build a :class:`Cable` from its JSON form; missing keys take defaults."""
    h = d.get("header")
    header = None
    if h is not None:
        relay = h.get("relay")
        header = Header(
            start_of_message=h.get("start_of_message"),
            relay=None
            if relay is None
            else Relay(
                precedence=_prec(relay.get("precedence")),
                routing_indicators=tuple(relay.get("routing_indicators") or ()),
            ),
            originator=h.get("originator"),
            station_serial=h.get("station_serial"),
            section=h.get("section"),
            filed=h.get("filed"),
            security=h.get("security"),
            dtg=h.get("dtg"),
            signals=h.get("signals"),
        )
    fm = d.get("from")
    eo = d.get("eo")
    cb = d.get("classified_by")
    src = d.get("source") or {}
    sec = d.get("section")
    cls = d.get("classification")
    return Cable(
        id=d.get("id"),
        origin=d.get("origin"),
        serial=d.get("serial"),
        created=d.get("created"),
        precedence=_prec(d.get("precedence")),
        classification=Classification(cls) if cls else None,
        sbu=bool(d.get("sbu", False)),
        captions=tuple(d.get("captions") or ()),
        section=None if not sec else Section(sec["number"], sec["total"]),
        header=header,
        from_=None
        if fm is None
        else Station(name=fm.get("name", ""), routing_indicator=fm.get("routing_indicator")),
        to=_addressees(d.get("to")),
        info=_addressees(d.get("info")),
        xmt=_addressees(d.get("xmt")),
        notices=tuple(d.get("notices") or ()),
        classification_trailer=d.get("classification_trailer"),
        unrecognized_head_lines=tuple(d.get("unrecognized_head_lines") or ()),
        distribution=tuple(d.get("distribution") or ()),
        eo=None
        if eo is None
        else EO(order=eo.get("order"), declassify_on=eo.get("declassify_on"), text=eo.get("text")),
        classified_by=None
        if cb is None
        else ClassifiedBy(
            name=cb.get("name"),
            title=cb.get("title"),
            reasons=tuple(cb.get("reasons") or ()),
            text=cb.get("text"),
            office=cb.get("office"),
        ),
        tags=tuple(d.get("tags") or ()),
        subject=d.get("subject"),
        references=tuple(
            Reference(text=r.get("text", ""), label=r.get("label"), id=r.get("id"))
            for r in d.get("references") or ()
        ),
        paragraphs=tuple(
            Paragraph(text=p.get("text", ""), number=p.get("number"), marking=p.get("marking"))
            for p in d.get("paragraphs") or ()
        ),
        summary=d.get("summary"),
        signers=tuple(d.get("signers") or ()),
        text=d.get("text") or "",
        source=Source(
            format=src.get("format", "telegram"),
            path=src.get("path"),
            metadata=dict(src.get("metadata") or {}),
        ),
        defects=tuple(
            Defect(code=x["code"], message=x.get("message", ""), line=x.get("line"))
            for x in d.get("defects") or ()
        ),
    )
