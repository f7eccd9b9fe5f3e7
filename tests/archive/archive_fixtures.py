"""Helpers for archive tests: fixtures built from schema JSON (``from_dict``)."""

from __future__ import annotations

from typing import Any

from cablegram.archive import Archive
from cablegram.archive.records import CopyRecord, make_record
from cablegram.format.render import render
from cablegram.model import Cable, from_dict


def all_cables(archive: Archive) -> dict[str, dict[str, Any]]:
    """Every stored cable's schema JSON by archive id, read directly (not through search)."""
    from cablegram.archive.blobs import unpack_json

    rows = archive.store.conn.execute(
        "SELECT c.id, d.data FROM cables c JOIN cable_data d ON d.rowid = c.rowid"
    ).fetchall()
    return {cid: unpack_json(data) for cid, data in rows}


def cable(**fields: Any) -> Cable:
    """A cable from a partial schema object; text defaults to its rendering."""
    c = from_dict({"classification": "UNCLASSIFIED", **fields})
    if not c.text:
        body = fields.get("body", f"{c.subject or ''} {c.id}")
        c = from_dict({**fields, "text": body})
    return c


def record(c: Cable, text: str | None = None, path: str = "fixture") -> CopyRecord:
    """The record a worker would produce for ``c`` read from ``text``."""
    raw = text if text is not None else (c.text or render(c))
    return make_record(c, raw, fmt="telegram", path=path, locator=None, metadata={},
                       source_defects=())  # fmt: skip
