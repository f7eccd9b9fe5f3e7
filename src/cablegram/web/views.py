"""View data shared by API routes and pages: threads with classifications,
the facet sidebar, the date histogram and the pager."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException

from cablegram import lexicon
from cablegram.archive import Archive
from cablegram.archive.facets import Facets
from cablegram.model import Classification
from cablegram.web import models
from cablegram.web.narrow import facet_term, has_term, with_term, without_term

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SIDEBAR = (
    ("classification", "Classification"),
    ("tag", "Tags"),
    ("origin", "Origins"),
    ("caption", "Captions"),
    ("year", "Years"),
)


def thread_view(archive: Archive, cable_id: str, depth: int) -> models.ThreadOut:
    """The thread of a cable, each node with its classification (for colouring)."""
    thread = archive.thread(cable_id, depth=depth)
    if thread is None:
        raise HTTPException(404, f"{cable_id}: not in the archive")
    nodes = [
        models.ThreadNodeOut(id=n.id, created=n.created, subject=n.subject,
                             classification=n.classification)
        for n in thread.ordered()
    ]  # fmt: skip
    edges = [models.EdgeOut(source=a, target=b) for a, b in sorted(thread.edges)]
    return models.ThreadOut(root=thread.root, nodes=nodes, edges=edges)


@dataclass(frozen=True, slots=True)
class FacetItem:
    value: str
    label: str  # value, with a tag's meaning or a caption's
    count: int
    url: str | None  # narrows the query (or, when active, widens it again)
    active: bool


def _level_rank(value: str) -> int:
    try:
        return Classification(value).rank
    except ValueError:
        return 99


def _label(facet: str, value: str) -> str:
    if facet == "tag" and (tag := lexicon.tags().get(value)) and tag.meaning:
        return f"{value} — {tag.meaning}"
    return value


def facet_sidebar(query: str, facets: Facets, url: Any) -> list[tuple[str, str, list[FacetItem]]]:
    """(facet, heading, items) for the sidebar; ``url(query)`` builds a search link."""
    out = []
    for facet, heading in SIDEBAR:
        items = []
        values = facets.counts.get(facet, [])
        if facet == "classification":  # in the order of the levels, not of the counts
            values = sorted(values, key=lambda vc: _level_rank(vc[0]))
        for value, count in values:
            term = facet_term(facet, value)
            active = term is not None and has_term(query, term)
            target = None
            if term is not None:
                target = url(without_term(query, term) if active else with_term(query, term))
            items.append(FacetItem(value, _label(facet, value), count, target, active))
        if items:
            out.append((facet, heading, items))
    return out


def _months(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (``YYYY-MM``), inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def histogram(query: str, facets: Facets, url: Any) -> list[dict[str, Any]]:
    """Month bars of the date histogram, empty months included (time runs evenly):
    ``{"month", "count", "url"}``."""
    counts = {m: n for m, n in facets.counts.get("month", []) if _MONTH.match(m)}
    if not counts:
        return []
    return [
        {"month": month, "count": counts.get(month, 0),
         "url": url(with_term(query, f"date:{month}")) if month in counts else None}
        for month in _months(min(counts), max(counts))
    ]  # fmt: skip


def pager(total: int, page: int, size: int, width: int = 2) -> list[int | None]:
    """Page numbers to offer around ``page`` (None marks a gap): 1 … 4 5 [6] 7 8 … 40."""
    last = max(1, -(-total // size))
    shown = {1, last, *range(max(1, page - width), min(last, page + width) + 1)}
    out: list[int | None] = []
    previous = 0
    for n in sorted(shown):
        if n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out


def _type_of(schema: dict[str, Any]) -> str:
    """A parameter's type in a few words (``integer 0-500``, ``rank | date``)."""
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_type_of(s) for s in schema["anyOf"] if s.get("type") != "null")
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = str(schema.get("type", "any"))
    if "minimum" in schema or "maximum" in schema:
        kind += f" {schema.get('minimum', '')}-{schema.get('maximum', '')}"
    return kind


def api_reference(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of an OpenAPI document, ready for the reference page."""
    out = []
    for path, operations in doc.get("paths", {}).items():
        for method, op in operations.items():
            body = op.get("requestBody", {}).get("content", {})
            out.append({
                "method": method.upper(), "path": path,
                "summary": op.get("summary", ""), "description": op.get("description", ""),
                "tag": (op.get("tags") or ["other"])[0],
                "params": [
                    {"name": p["name"], "in": p["in"], "type": _type_of(p.get("schema", {})),
                     "required": p.get("required", False),
                     "default": p.get("schema", {}).get("default"),
                     "description": p.get("description", "")}
                    for p in op.get("parameters", [])
                ],
                "body": [f"{kind}: {_type_of(c.get('schema', {}))}" for kind, c in body.items()],
                "responses": [(code, r.get("description", ""))
                              for code, r in op.get("responses", {}).items()],
            })  # fmt: skip
    return out
