"""The query tree: what a search means, independent of any database.

:func:`cablegram.archive.query.compile_query` reads the query language into
this tree; each backend compiles the tree into its own SQL (SQLite: FTS5 and
indexed predicates, ``archive/sqlite/search.py``; PostgreSQL: tsquery and
indexed predicates, ``archive/postgres/search.py``).  The reader's access
rule joins the tree as one more node (:class:`Readable`) inside the store, so
no result, count, facet or snippet is computed outside it.

Leaves are plain data: a full-text :class:`Terms` node carries the *tokens*
both backends index (:func:`tokens`: letters and digits, lower case,
diacritics removed, as SQLite's ``unicode61 remove_diacritics 2``
tokenizer reads text), so a phrase or a prefix finds the same cables on
either backend.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "AddresseeHas",
    "All",
    "And",
    "Cites",
    "ClassRank",
    "Created",
    "Has",
    "HasValue",
    "IdKey",
    "Node",
    "Not",
    "Or",
    "OriginIs",
    "Plan",
    "PrecedenceIs",
    "Readable",
    "Terms",
    "TextFact",
    "fold",
    "tokens",
]

# A token is a run of letters and digits (``_`` and every punctuation mark or
# symbol separate tokens), as in unicode61.
_TOKEN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=65536)
def _fold_token(token: str) -> str:
    if token.isascii():
        return token.lower()
    decomposed = unicodedata.normalize("NFD", token.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower case without diacritics (``Résumé`` -> ``resume``)."""
    return " ".join(tokens(text))


def tokens(text: str) -> tuple[str, ...]:
    """The indexed tokens of ``text``, in order."""
    return tuple(_fold_token(t) for t in _TOKEN.findall(text))


# -- full text --
@dataclass(frozen=True, slots=True)
class Terms:
    """Consecutive tokens (one token: a word; more: a phrase), the last one a
    prefix when ``prefix``; in the subject only when ``subject``."""

    tokens: tuple[str, ...]
    prefix: bool = False
    subject: bool = False

    @property
    def phrase(self) -> bool:
        return len(self.tokens) > 1


# -- fields (each an indexed predicate in every backend) --
@dataclass(frozen=True, slots=True)
class HasValue:
    """The cable lists ``value`` among its ``kind`` (``tag``, ``caption``,
    ``signer``, ``defect``); upper case; ``prefix``: a value starting so."""

    kind: str
    value: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class AddresseeHas:
    """A ``kind`` (``to`` / ``info``) addressee whose name contains ``fragment``."""

    kind: str
    fragment: str


@dataclass(frozen=True, slots=True)
class OriginIs:
    """The cable's origin is one of ``values`` (or starts with one, ``prefix``)."""

    values: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class ClassRank:
    """Classification rank compared with ``op`` (``=``, ``<``, ``<=``, ``>``, ``>=``)."""

    op: str
    rank: int


@dataclass(frozen=True, slots=True)
class PrecedenceIs:
    value: str


@dataclass(frozen=True, slots=True)
class Created:
    """Created in ``[low, high)`` (ISO strings compared as text; either open)."""

    low: str | None
    high: str | None


@dataclass(frozen=True, slots=True)
class Cites:
    """A REF of the cable resolves to the id key ``key`` (ids.py)."""

    key: str


@dataclass(frozen=True, slots=True)
class IdKey:
    """The cable answers to the id key ``key``."""

    key: str


# What ``has:`` can ask: each a fact of the cable's stored row.
HAS = ("captions", "copies", "date", "defects", "refs", "sbu", "signer", "summary", "tags")


@dataclass(frozen=True, slots=True)
class Has:
    what: str  # one of HAS


@dataclass(frozen=True, slots=True)
class TextFact:
    """A fact read from the cable's whole text (its summary, its parse defects):
    for a reader who sees a cable only through a release view it does not
    hold, since the view may withhold the text it comes from."""

    item: Node


# -- structure --
@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class All:
    """Every cable (the empty query)."""


@dataclass(frozen=True, slots=True)
class Readable:
    """The reader's access rule (the store fills it in; see access.policy)."""


Node = (
    Terms
    | HasValue
    | AddresseeHas
    | OriginIs
    | ClassRank
    | PrecedenceIs
    | Created
    | Cites
    | IdKey
    | Has
    | TextFact
    | Not
    | And
    | Or
    | All
    | Readable
)


@dataclass(frozen=True, slots=True)
class Plan:
    """A compiled query: its ``tree`` and the ``terms`` to mark in snippets
    (the positive words and phrases as the reader wrote them)."""

    tree: Node
    terms: tuple[str, ...] = ()

    @property
    def text(self) -> bool:
        """Whether full text decides part of the match (ranking by relevance applies)."""
        return has_terms(self.tree, positive=True)

    @property
    def heavy(self) -> bool:
        """Whether the text part needs positions or many terms (a phrase, a
        prefix): costly to evaluate, so a store evaluates it once per result."""
        return any(t.phrase or t.prefix for t in iter_terms(self.tree))

    @property
    def prefix(self) -> bool:
        return any(t.prefix for t in iter_terms(self.tree))


def iter_terms(node: Node):  # type: ignore[no-untyped-def]
    """Every :class:`Terms` leaf of ``node``, negated ones included."""
    if isinstance(node, Terms):
        yield node
    elif isinstance(node, (Not, TextFact)):
        yield from iter_terms(node.item)
    elif isinstance(node, (And, Or)):
        for item in node.items:
            yield from iter_terms(item)


def has_terms(node: Node, *, positive: bool = False) -> bool:
    """Whether ``node`` holds full text (``positive``: not only under a NOT)."""
    if isinstance(node, Terms):
        return True
    if isinstance(node, Not):
        return not positive and has_terms(node.item)
    if isinstance(node, TextFact):
        return has_terms(node.item, positive=positive)
    if isinstance(node, (And, Or)):
        return any(has_terms(i, positive=positive) for i in node.items)
    return False


def conjuncts(node: Node) -> tuple[Node, ...]:
    """The top-level AND-ed parts of ``node`` (``All`` has none)."""
    if isinstance(node, And):
        return tuple(c for item in node.items for c in conjuncts(item))
    if isinstance(node, All):
        return ()
    return (node,)
