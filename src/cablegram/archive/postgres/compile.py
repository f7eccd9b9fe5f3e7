"""The query tree (archive/tree.py) as PostgreSQL SQL: a ``tsquery`` and
indexed predicates over the ``cables`` row aliased ``c``.

The tree's :class:`~cablegram.archive.tree.Terms` carry the tokens both
backends index (tree.tokens), so a word is the lexeme ``'word'``, a phrase
``'a' <-> 'b'`` (adjacent positions, as FTS5's phrase), a prefix ``'neg':*``
and a subject-only term the same with weight ``A`` (writer.py indexes the
subject with weight A).  Top-level conjuncts a tsquery can express are
merged into one that drives the query (the GIN index) and ranks it; the
rest become predicates, as on SQLite (archive/sqlite/compile.py).  Of the
merged ones, subject-only terms are searched in the subject's own vector
(``head``, no label needed), the others in ``doc``; a phrase also yields the
keys of its word pairs (``fts.pairs``), which narrow its candidates before
their positions are read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from cablegram.archive import tree as t
from cablegram.archive.postgres.writer import pair_keys

Fragment = tuple[str, tuple[object, ...]]

_SIDE_TABLES = {"tag": "tags", "caption": "captions", "signer": "signers", "defect": "defects"}
_HAS = {
    "summary": "c.has_summary = 1",
    "sbu": "c.sbu = 1",
    "copies": "c.rowid IN (SELECT cable FROM copies GROUP BY cable HAVING count(*) > 1)",
    "date": "c.created IS NOT NULL",
}
_HAS_ROWS = {"refs": "refs", "tags": "tags", "captions": "captions", "signer": "signers",
             "defects": "defects"}  # fmt: skip
_OPS = ("=", "<", "<=", ">", ">=")


@dataclass(frozen=True, slots=True)
class SqlPlan:
    """``match``: the tsquery of the query's text (None: fields only), which
    ranking reads; it is searched as ``doc``, over the whole text vector, and
    ``head``, its subject-only words over the subject's vector (label-free:
    that vector holds nothing else, so its GIN index answers them without
    reading a row); either may be None.  ``where``: the remaining predicate
    over ``c`` with ``params``."""

    match: str | None
    where: str
    params: tuple[object, ...] = ()
    doc: str | None = None
    head: str | None = None
    pairs: tuple[int, ...] = ()  # keys of the phrases' word pairs (fts.pairs, writer.py)


@dataclass(frozen=True, slots=True)
class Reader:
    """What compiling needs of the reader (as archive/sqlite/compile.Reader):
    ``full`` — the SQL that holds of a row it reads in full (None: the owner);
    ``text`` — given a tsquery, the SQL of "row ``c`` has text matching it as
    this reader sees the row" (None: the cable's own index); ``side`` — the
    prefix of the side tables its filters read (``public_``: tiers.py)."""

    full: Fragment | None = None
    text: Callable[[str], Fragment] | None = None
    side: str = ""


def _lexeme(token: str, prefix: bool, subject: bool) -> str:
    # Tokens are letters and digits only, so a quoted lexeme is safe.
    label = ("*" if prefix else "") + ("A" if subject else "")
    return f"'{token}'" + (f":{label}" if label else "")


def tsquery(node: t.Node) -> str | None:
    """The tsquery of a text-only subtree, or None when a tsquery cannot say it."""
    if isinstance(node, t.Terms):
        if not node.tokens:
            return None
        last = len(node.tokens) - 1
        words = [_lexeme(tok, node.prefix and i == last, node.subject)
                 for i, tok in enumerate(node.tokens)]  # fmt: skip
        return "(" + " <-> ".join(words) + ")"
    if isinstance(node, t.Or):
        parts = [tsquery(n) for n in node.items]
        if any(p is None for p in parts):
            return None
        return "(" + " | ".join(parts) + ")"  # type: ignore[arg-type]
    if isinstance(node, t.And):
        pos = [tsquery(n) for n in node.items if not isinstance(n, t.Not)]
        neg = [tsquery(n.item) for n in node.items if isinstance(n, t.Not)]
        if not pos or any(p is None for p in pos + neg):
            return None
        return "(" + " & ".join(pos) + "".join(f" & !{n}" for n in neg) + ")"  # type: ignore[arg-type]
    return None


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _Compiler:
    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.params: list[object] = []

    def member(self, table: str, condition: str = "") -> str:
        table = self.reader.side + table
        return f"EXISTS (SELECT 1 FROM {table} WHERE cable = c.rowid{condition and ' AND ' + condition})"

    def column(self, condition: str) -> str:
        """``condition`` on row ``c``'s filtered columns; for a tier's reader,
        looked up in the tier's own table of them (tiers.py)."""
        if not self.reader.side:
            return condition
        return f"c.rowid IN (SELECT c.rowid FROM {self.reader.side}cables c WHERE {condition})"

    def sql(self, node: t.Node) -> str:
        if (query := tsquery(node)) is not None:
            if self.reader.text is not None:
                sql, params = self.reader.text(query)
                self.params.extend(params)
                return sql
            self.params.append(query)
            return "EXISTS (SELECT 1 FROM fts WHERE fts.rowid = c.rowid AND fts.doc @@ %s::tsquery)"
        if isinstance(node, t.HasValue):
            table = _SIDE_TABLES[node.kind]
            if node.prefix:
                self.params.append(_escape_like(node.value) + "%")
                return self.member(table, "value LIKE %s")
            self.params.append(node.value)
            return self.member(table, "value = %s")
        if isinstance(node, t.AddresseeHas):
            # SQLite's LIKE ignores ASCII case; ILIKE does here.
            fragment = node.fragment.replace("%", "").replace("_", "")
            self.params += [node.kind, f"%{_escape_like(fragment)}%"]
            return self.member("addressees", "kind = %s AND value ILIKE %s")
        if isinstance(node, t.OriginIs):
            if node.prefix:
                self.params += [_escape_like(v) + "%" for v in node.values]
                return self.column("(" + " OR ".join("c.origin LIKE %s" for _ in node.values) + ")")
            self.params.append(list(node.values))
            return self.column("c.origin = ANY(%s)")
        if isinstance(node, t.ClassRank):
            if node.op not in _OPS:
                raise ValueError(f"unknown comparison {node.op!r}")
            self.params.append(node.rank)
            return self.column(f"c.class_rank {node.op} %s")
        if isinstance(node, t.PrecedenceIs):
            self.params.append(node.value)
            return "c.precedence = %s"
        if isinstance(node, t.Created):
            parts = []
            if node.low is not None:
                parts.append("c.created >= %s")
                self.params.append(node.low)
            if node.high is not None:
                parts.append("c.created < %s")
                self.params.append(node.high)
            return self.column(
                "(" + " AND ".join(parts) + ")" if parts else "c.created IS NOT NULL"
            )
        if isinstance(node, t.Cites):
            self.params.append(node.key)
            return self.member("refs", "cited_key = %s")
        if isinstance(node, t.IdKey):
            self.params.append(node.key)
            return self.member("cable_keys", "key = %s")
        if isinstance(node, t.Has):
            if node.what in _HAS_ROWS:
                return self.member(_HAS_ROWS[node.what])
            return _HAS[node.what]
        if isinstance(node, t.TextFact):
            if self.reader.full is None:
                return self.sql(node.item)
            full, fp = self.reader.full
            self.params.extend(fp)
            return f"({full} AND {self.sql(node.item)})"
        if isinstance(node, t.Not):
            return f"NOT ({self.sql(node.item)})"
        if isinstance(node, t.All):
            return "TRUE"
        if isinstance(node, (t.And, t.Or)):
            joiner = " AND " if isinstance(node, t.And) else " OR "
            return "(" + joiner.join(self.sql(n) for n in node.items) + ")"
        raise TypeError(f"cannot compile {type(node).__name__}")


def compile_tree(root: t.Node, reader: Reader) -> SqlPlan:
    """The SQL of a query tree for one reader (its access rule is added by the store)."""
    conjuncts = t.conjuncts(root)
    pos: list[str] = []
    neg: list[str] = []
    body: list[str] = []  # positive conjuncts that are not subject-only
    head: list[str] = []  # subject-only ones, without the label (``fts.head``)
    pairs: set[int] = set()
    rest: list[t.Node] = []
    for node in conjuncts:
        if (query := tsquery(node)) is not None:
            pos.append(query)
            if isinstance(node, t.Terms) and node.subject:
                head.append(str(tsquery(replace(node, subject=False))))
            else:
                body.append(query)
                if isinstance(node, t.Terms):  # (the last word of a prefix is no word)
                    pairs.update(pair_keys(node.tokens[:-1] if node.prefix else node.tokens))
        elif isinstance(node, t.Not) and (query := tsquery(node.item)) is not None:
            neg.append(query)
        else:
            rest.append(node)
    match = doc = heads = None
    if pos:
        match = "(" + " & ".join(pos) + "".join(f" & !{q}" for q in neg) + ")"
        heads = "(" + " & ".join(head) + ")" if head else None
        if body:
            doc = "(" + " & ".join(body) + "".join(f" & !{q}" for q in neg) + ")"
        elif neg:  # (a negation alone is no index search: the whole match is)
            doc = match
    else:  # no text to drive the query: negated words become predicates too
        rest = list(conjuncts)
    compiler = _Compiler(reader)
    where = " AND ".join(compiler.sql(n) for n in rest) or "TRUE"
    return SqlPlan(match, where, tuple(compiler.params), doc, heads, tuple(sorted(pairs)))
