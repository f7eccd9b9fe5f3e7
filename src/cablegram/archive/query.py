"""The archive query language (one for CLI, API and web) and its compiled plan.

    query   := or ( "OR" or )*            -- implicit AND binds tighter than OR
    and     := unary ( ["AND"] unary )*
    unary   := "NOT" unary | "-" primary | primary
    primary := "(" query ")" | FIELD ":" value | "phrase" | word[*]

:func:`parse_query` reads the text into a *syntax* tree (what the reader
wrote, with positions: the web narrows a query by editing it and writing it
back with :func:`to_text`); :func:`compile_query` turns it into the *query
tree* of tree.py (what it means: full-text terms and field predicates), which
each storage backend compiles.  The empty query (or ``*``) means every cable.
See docs/archive.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cablegram.archive import tree
from cablegram.archive.fields import FIELDS, field_node
from cablegram.archive.tree import Plan
from cablegram.model import CablegramError


class QuerySyntaxError(CablegramError, ValueError):
    """A query that cannot be read; ``position`` is the 0-based offset of the fault."""

    def __init__(self, message: str, position: int, query: str = "") -> None:
        self.message = message
        self.position = position
        self.query = query
        super().__init__(f"{message} (at position {position})")

    def pointer(self) -> str:
        """The query with a caret under the faulty position, for terminals."""
        return f"{self.query}\n{' ' * self.position}^ {self.message}"


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    prefix: bool = False
    position: int = 0


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    position: int = 0


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    quoted: bool = False
    position: int = 0


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


Node = Word | Phrase | Field | Not | And | Or


# Deeper nesting than this is refused (a parser must not recurse without bound).
MAX_DEPTH = 40


_TOKEN = re.compile(r'\s+|(?P<lp>\()|(?P<rp>\))|(?P<q>")|(?P<w>[^\s()"]+)')
_FIELD = re.compile(r"^(-?)([A-Za-z]+):(.*)$")


@dataclass(slots=True)
class _Tok:
    kind: str  # ( ) phrase word field
    value: str
    position: int
    negated: bool = False
    field: str = ""
    end: int = 0


def _lex(q: str) -> list[_Tok]:
    out: list[_Tok] = []
    i = 0
    while i < len(q):
        m = _TOKEN.match(q, i)
        assert m is not None  # the pattern accepts every character class
        if m.group("lp"):
            out.append(_Tok("(", "(", i))
        elif m.group("rp"):
            out.append(_Tok(")", ")", i))
        elif m.group("q"):
            end = q.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError("unterminated phrase: missing closing '\"'", i, q)
            _attach_phrase(out, q[i + 1 : end], i)
            i = end + 1
            continue
        elif m.group("w"):
            out.append(_word_token(m.group("w"), i, q))
            out[-1].end = m.end()
        i = m.end()
    return out


def _attach_phrase(out: list[_Tok], text: str, position: int) -> None:
    """A phrase right after ``field:`` (or ``-``) is that field's / negation's value."""
    prev = out[-1] if out else None
    if prev and prev.kind == "field" and prev.value == "" and prev.end == position:
        prev.value = text
        prev.kind = "field-phrase"
        return
    if prev and prev.kind == "word" and prev.value == "-" and prev.end == position:
        out[-1] = _Tok("phrase", text, prev.position, negated=True)
        return
    out.append(_Tok("phrase", text, position))


def _word_token(word: str, position: int, q: str) -> _Tok:
    m = _FIELD.match(word)
    if m:
        neg, name, value = m.groups()
        name = name.lower()
        if name not in FIELDS:
            known = ", ".join(sorted(FIELDS))
            raise QuerySyntaxError(f"unknown field '{name}:' (fields: {known})", position, q)
        return _Tok("field", value, position, negated=bool(neg), field=name)
    if word.startswith("-") and len(word) > 1:
        return _Tok("word", word[1:], position, negated=True)
    return _Tok("word", word, position)


class _Parser:
    def __init__(self, q: str) -> None:
        self.q = q
        self.toks = _lex(q)
        self.i = 0
        self.depth = 0

    def nest(self, position: int) -> None:
        """One level deeper (a '(' or a NOT): refused beyond MAX_DEPTH."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the query nests deeper than {MAX_DEPTH} levels", position)

    def error(self, message: str, position: int | None = None) -> QuerySyntaxError:
        return QuerySyntaxError(message, len(self.q) if position is None else position, self.q)

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def is_op(self, name: str) -> bool:
        t = self.peek()
        return t is not None and t.kind == "word" and not t.negated and t.value == name

    def parse(self) -> Node:
        if not self.toks:
            raise self.error("empty query", 0)
        node = self.parse_or()
        t = self.peek()
        if t is not None:
            raise self.error("unbalanced ')'", t.position)
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self.is_op("OR"):
            self.i += 1
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Node:
        items = [self.parse_unary()]
        while True:
            t = self.peek()
            if t is None or t.kind == ")" or self.is_op("OR"):
                break
            if self.is_op("AND"):
                self.i += 1
            items.append(self.parse_unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self) -> Node:
        t = self.peek()
        if t is None:
            raise self.error("expected a word, phrase, field or '(' at the end of the query")
        if t.kind == "word" and not t.negated and t.value in ("AND", "OR"):
            raise self.error(f"'{t.value}' needs something on its left", t.position)
        if t.kind == "word" and not t.negated and t.value == "NOT":
            self.i += 1
            self.nest(t.position)
            node = Not(self.parse_unary())
            self.depth -= 1
            return node
        if t.kind == "word" and t.value == "-":
            nxt = self.toks[self.i + 1] if self.i + 1 < len(self.toks) else None
            if nxt is not None and nxt.kind == "(" and nxt.position == t.position + 1:
                self.i += 1
                return Not(self.parse_primary())
            raise self.error("'-' must be followed by a word, phrase or '('", t.position)
        return self.parse_primary()

    def parse_primary(self) -> Node:
        t = self.peek()
        if t is None:
            raise self.error("expected a word, phrase, field or '('")
        self.i += 1
        node: Node
        if t.kind == "(":
            if self.peek() is not None and self.peek().kind == ")":  # type: ignore[union-attr]
                raise self.error("empty parentheses", t.position)
            self.nest(t.position)
            node = self.parse_or()
            self.depth -= 1
            close = self.peek()
            if close is None or close.kind != ")":
                raise self.error("missing ')' for this '('", t.position)
            self.i += 1
            return node
        if t.kind == ")":
            raise self.error("unbalanced ')'", t.position)
        if t.kind in ("field", "field-phrase"):
            if not t.value:
                raise self.error(f"'{t.field}:' needs a value", t.position)
            node = Field(t.field, t.value, t.kind == "field-phrase", t.position)
        elif t.kind == "phrase":
            if not re.search(r"\w", t.value):
                raise self.error("empty phrase", t.position)
            node = Phrase(t.value, t.position)
        else:
            word = t.value
            prefix = word.endswith("*") and len(word) > 1
            word = word.rstrip("*") if prefix else word
            if not re.search(r"\w", word):
                raise self.error(f"'{t.value}' has nothing to search for", t.position)
            node = Word(word, prefix, t.position)
        return Not(node) if t.negated else node


def parse_query(q: str) -> Node | None:
    """The syntax tree of ``q`` (None for the empty query, or ``*``: every
    cable); raises :class:`QuerySyntaxError`."""
    if not q.strip() or q.strip() == "*":
        return None
    return _Parser(q).parse()


def compile_query(q: str) -> Plan:
    """The query tree of ``q`` with the terms to mark in snippets; raises
    :class:`QuerySyntaxError`."""
    node = parse_query(q)
    if node is None:
        return Plan(tree.All())
    terms: list[str] = []
    _terms(node, terms)
    return Plan(_meaning(node, q), tuple(terms))


def _meaning(node: Node, q: str) -> tree.Node:
    """The query-tree node of a syntax node."""
    if isinstance(node, (Word, Phrase)):
        words = tree.tokens(node.text)
        if not words:
            raise QuerySyntaxError(f"'{node.text}' has nothing to search for", node.position, q)
        return tree.Terms(words, isinstance(node, Word) and node.prefix)
    if isinstance(node, Field):
        try:
            return field_node(node.name, node.value, quoted=node.quoted)
        except ValueError as error:
            raise QuerySyntaxError(str(error), node.position, q) from None
    if isinstance(node, Not):
        return tree.Not(_meaning(node.item, q))
    items = tuple(_meaning(n, q) for n in node.items)
    return tree.And(items) if isinstance(node, And) else tree.Or(items)


def _terms(node: Node, out: list[str]) -> None:
    """Positive words and phrases (snippets mark them)."""
    if isinstance(node, (Word, Phrase)):
        out.append(node.text)
    elif isinstance(node, Field) and node.name == "subject":
        out.append(node.value.rstrip("*"))
    elif isinstance(node, (And, Or)):
        for n in node.items:
            _terms(n, out)


# -- writing a syntax tree back as text (the web narrows queries this way) --
_BARE = re.compile(r'^[^\s()"]+$')


def _value_text(value: str, quoted: bool) -> str:
    if not quoted and _BARE.match(value) and value not in ("AND", "OR", "NOT"):
        return value
    return '"' + value.replace('"', "") + '"'


def to_text(node: Node | None, *, inner: bool = False) -> str:
    """Query text that reads back as ``node`` (``inner``: inside an AND, so an
    OR is bracketed)."""
    if node is None:
        return ""
    if isinstance(node, Word):
        return node.text + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return _value_text(node.text, True)
    if isinstance(node, Field):
        return f"{node.name}:{_value_text(node.value, node.quoted)}"
    if isinstance(node, Not):
        item = to_text(node.item, inner=True)
        bracket = isinstance(node.item, (And, Or))
        return f"NOT ({item})" if bracket and not item.startswith("(") else f"NOT {item}"
    if isinstance(node, And):
        return " ".join(to_text(n, inner=True) for n in node.items)
    text = " OR ".join(to_text(n) for n in node.items)
    return f"({text})" if inner else text


def _same(a: Node, b: Node) -> bool:
    """Equal as queries (positions and letter case of field values aside)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Field):
        return (a.name, a.value.casefold()) == (b.name, b.value.casefold())  # type: ignore[union-attr]
    if isinstance(a, Word):
        return (a.text.casefold(), a.prefix) == (b.text.casefold(), b.prefix)  # type: ignore[union-attr]
    if isinstance(a, Phrase):
        return a.text.casefold() == b.text.casefold()  # type: ignore[union-attr]
    if isinstance(a, Not):
        return _same(a.item, b.item)  # type: ignore[union-attr]
    items_b = b.items  # type: ignore[union-attr]
    return len(a.items) == len(items_b) and all(map(_same, a.items, items_b))


def _conjuncts(node: Node | None) -> tuple[Node, ...]:
    if node is None:
        return ()
    return node.items if isinstance(node, And) else (node,)


def has_conjunct(query: str, term: str) -> bool:
    """Whether ``term`` is one of the AND-ed parts of ``query`` (so it narrows
    the whole result set)."""
    wanted = parse_query(term)
    return wanted is not None and any(_same(c, wanted) for c in _conjuncts(parse_query(query)))


def with_conjunct(query: str, term: str) -> str:
    """``query`` narrowed by ``term`` (unchanged when ``term`` already narrows it)."""
    node, wanted = parse_query(query), parse_query(term)
    if wanted is None or any(_same(c, wanted) for c in _conjuncts(node)):
        return to_text(node)
    return to_text(And((*_conjuncts(node), wanted)))


def without_conjunct(query: str, term: str) -> str:
    """``query`` without the AND-ed part ``term``."""
    node, wanted = parse_query(query), parse_query(term)
    if wanted is None:
        return to_text(node)
    kept = tuple(c for c in _conjuncts(node) if not _same(c, wanted))
    return to_text(None if not kept else kept[0] if len(kept) == 1 else And(kept))
