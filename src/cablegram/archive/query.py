"""The archive query language (one for CLI, API and web) and its SQL plan.

    query   := or ( "OR" or )*            -- implicit AND binds tighter than OR
    and     := unary ( ["AND"] unary )*
    unary   := "NOT" unary | "-" primary | primary
    primary := "(" query ")" | FIELD ":" value | "phrase" | word[*]

Free words, phrases and ``subject:`` go to FTS5; every other field becomes an
indexed SQL predicate over the ``cables`` row aliased ``c``.  Top-level
conjuncts that FTS5 can express are merged into one MATCH (used for BM25
ranking); the rest join as ``rowid IN (...)`` predicates.  See docs/archive.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cablegram.archive.fields import FIELDS, field_sql
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


@dataclass(frozen=True, slots=True)
class Plan:
    """SQL for the matching set: ``match`` (FTS5 expression or None, ranks by
    BM25) and ``where`` (predicate over ``c``) with ``params``."""

    match: str | None
    where: str
    params: tuple[object, ...] = ()
    terms: tuple[str, ...] = field(default=())  # positive words/phrases, for snippets
    # The FTS expression needs positions or many terms (a phrase, a prefix):
    # evaluating it is costly, so the store evaluates it once per result.
    heavy: bool = False
    # A prefix word: FTS5 merges every matching term's postings before it
    # yields a row, so each evaluation costs the same whatever its LIMIT.
    prefix: bool = False


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
            return Not(self.parse_unary())
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
            node = self.parse_or()
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


def parse_query(q: str) -> Node:
    """The syntax tree of ``q``; raises :class:`QuerySyntaxError`."""
    return _Parser(q).parse()


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def to_fts(node: Node) -> str | None:
    """The FTS5 expression of a text-only subtree, or None when FTS5 cannot say it."""
    if isinstance(node, Word):
        return _fts_string(node.text) + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return _fts_string(node.text)
    if isinstance(node, Field):
        if node.name != "subject":
            return None
        inner = Phrase(node.value) if node.quoted else _value_word(node.value)
        return "{subject} : " + str(to_fts(inner))
    if isinstance(node, Or):
        parts = [to_fts(n) for n in node.items]
        return None if any(p is None for p in parts) else "(" + " OR ".join(parts) + ")"  # type: ignore[arg-type]
    if isinstance(node, And):
        pos = [to_fts(n) for n in node.items if not isinstance(n, Not)]
        neg = [to_fts(n.item) for n in node.items if isinstance(n, Not)]
        if not pos or any(p is None for p in pos + neg):
            return None
        return "(" + " AND ".join(pos) + ")" + "".join(f" NOT {n}" for n in neg)  # type: ignore[arg-type]
    return None


def _value_word(value: str) -> Word:
    prefix = value.endswith("*") and len(value) > 1
    return Word(value.rstrip("*") if prefix else value, prefix)


def _terms(node: Node, out: list[str]) -> None:
    if isinstance(node, (Word, Phrase)):
        out.append(node.text)
    elif isinstance(node, Field) and node.name == "subject":
        out.append(node.value.rstrip("*"))
    elif isinstance(node, (And, Or)):
        for n in node.items:
            _terms(n, out)


def _to_sql(node: Node, q: str) -> tuple[str, list[object]]:
    fts = to_fts(node)
    if fts is not None:
        return "c.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)", [fts]
    if isinstance(node, Field):
        try:
            return field_sql(node.name, node.value)
        except ValueError as error:
            raise QuerySyntaxError(str(error), node.position, q) from None
    if isinstance(node, Not):
        sql, params = _to_sql(node.item, q)
        return f"NOT ({sql})", params
    assert isinstance(node, (And, Or))
    joiner = " AND " if isinstance(node, And) else " OR "
    parts = [_to_sql(n, q) for n in node.items]
    return "(" + joiner.join(p[0] for p in parts) + ")", [x for p in parts for x in p[1]]


def compile_query(q: str) -> Plan:
    """The SQL plan of query ``q``; raises :class:`QuerySyntaxError`."""
    node = parse_query(q)
    conjuncts = node.items if isinstance(node, And) else (node,)
    pos: list[str] = []
    neg: list[str] = []
    rest: list[Node] = []
    for n in conjuncts:
        if (s := to_fts(n)) is not None:
            pos.append(s)
        elif isinstance(n, Not) and (s := to_fts(n.item)) is not None:
            neg.append(s)
        else:
            rest.append(n)
    match = None
    if pos:
        match = "(" + " AND ".join(pos) + ")" + "".join(f" NOT {s}" for s in neg)
    else:  # no FTS anchor for ranking: negated words go to SQL too
        rest = list(conjuncts)
    where: list[str] = []
    params: list[object] = []
    for n in rest:
        sql, p = _to_sql(n, q)
        where.append(sql)
        params += p
    terms: list[str] = []
    _terms(node, terms)
    if match is not None:
        where = [_correlated(w) for w in where]
    heavy = _heavy(node)
    prefix = match is not None and _has_prefix(node)
    return Plan(match, " AND ".join(where) or "1", tuple(params), tuple(terms), heavy, prefix)


_MEMBERSHIP = re.compile(r"c\.rowid IN \(SELECT cable FROM (\w+)(?: WHERE ([^()]*))?\)")


def _correlated(sql: str) -> str:
    """Side-table filters as per-row lookups when full text drives the query.

    ``c.rowid IN (SELECT cable FROM tags WHERE value = ?)`` builds the whole
    set of tagged cables before the first row; beside an FTS match that yields
    a few hundred rows, ``EXISTS (... WHERE cable = c.rowid AND ...)`` is one
    primary-key probe per row instead.  Parameter order is unchanged."""
    return _MEMBERSHIP.sub(
        lambda m: (
            f"EXISTS (SELECT 1 FROM {m.group(1)} WHERE cable = c.rowid"
            + (f" AND {m.group(2)})" if m.group(2) else ")")
        ),
        sql,
    )


def _has_prefix(node: Node) -> bool:
    if isinstance(node, Word):
        return node.prefix
    if isinstance(node, Field):
        return node.name == "subject" and node.value.endswith("*")
    if isinstance(node, Not):
        return _has_prefix(node.item)
    if isinstance(node, (And, Or)):
        return any(_has_prefix(n) for n in node.items)
    return False


def _heavy(node: Node) -> bool:
    if isinstance(node, Word):
        return node.prefix
    if isinstance(node, Phrase):
        return len(node.text.split()) > 1
    if isinstance(node, Field):
        return node.name == "subject" and (node.quoted or node.value.endswith("*"))
    if isinstance(node, Not):
        return _heavy(node.item)
    if isinstance(node, (And, Or)):
        return any(_heavy(n) for n in node.items)
    return False
