"""Query terms for facet values, so a click on a facet narrows the search.

The query language, its parser and its writer live in
:mod:`cablegram.archive.query`; this module only maps facets to fields.
"""

from __future__ import annotations

from cablegram.archive.query import Field, has_conjunct, to_text, with_conjunct, without_conjunct

# facet name -> query field
FACET_FIELDS = {
    "tag": "tag",
    "origin": "origin",
    "classification": "class",
    "caption": "caption",
    "year": "date",
    "month": "date",
}


def facet_term(facet: str, value: str) -> str | None:
    """``tag:PTER``, ``class:"top secret"``, ``date:2006-05``; None for unknown values."""
    if value.startswith("("):  # "(unknown)": no field value selects it
        return None
    if facet == "classification":
        value = value.lower()
    return to_text(Field(FACET_FIELDS[facet], value))


has_term = has_conjunct
with_term = with_conjunct
without_term = without_conjunct
