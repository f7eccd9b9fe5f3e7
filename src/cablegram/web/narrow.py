"""Query terms for facet values, so a click on a facet narrows the search.

Only query *text* is built here; the query language itself (and its parser)
lives in :mod:`cablegram.archive.query`.
"""

from __future__ import annotations

import re

# facet name -> query field
FACET_FIELDS = {
    "tag": "tag",
    "origin": "origin",
    "classification": "class",
    "caption": "caption",
    "year": "date",
    "month": "date",
}
_BARE = re.compile(r"^[A-Za-z0-9_./*>=<-]+$")


def facet_term(facet: str, value: str) -> str | None:
    """``tag:PTER``, ``class:"top secret"``, ``date:2006-05``; None for unknown values."""
    if value.startswith("("):  # "(unknown)": no field value selects it
        return None
    name = FACET_FIELDS[facet]
    if facet == "classification":
        value = value.lower()
    return f"{name}:{value}" if _BARE.match(value) else f'{name}:"{value}"'


def _tokens(query: str) -> list[str]:
    """Top-level tokens of a query, keeping quoted phrases and field:"values" whole."""
    return re.findall(r'[^\s"]*"[^"]*"?|[^\s]+', query)


def _has_or(query: str) -> bool:
    return "OR" in _tokens(query)


def has_term(query: str, term: str) -> bool:
    """Whether ``term`` is one of the conjuncts of ``query`` (so the whole result
    set is narrowed by it; not so in a query with OR)."""
    tokens = _tokens(query)
    return "OR" not in tokens and term.casefold() in (t.casefold() for t in tokens)


def with_term(query: str, term: str) -> str:
    """``query`` narrowed by ``term`` (unchanged if the term is already there).

    AND binds tighter than OR, so a query with OR is bracketed first."""
    query = " ".join(query.split())
    if has_term(query, term):
        return query
    if _has_or(query):
        query = f"({query})"
    return f"{query} {term}".strip()


def without_term(query: str, term: str) -> str:
    """``query`` without the conjunct ``term`` (see :func:`has_term`)."""
    if not has_term(query, term):
        return query
    return " ".join(t for t in _tokens(query) if t.casefold() != term.casefold())
