"""The query tree (archive/tree.py) as SQLite SQL: an FTS5 expression and
indexed predicates over the ``cables`` row aliased ``c``.

Top-level conjuncts that FTS5 can express are merged into one MATCH (which
drives the query and ranks by BM25); the rest become predicates.  Beside a
MATCH, side-table filters are written as per-row ``EXISTS`` probes (a few
hundred text matches each probe one primary key) instead of ``rowid IN``
sets (which build the whole set of, say, tagged cables first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cablegram.archive import tree as t

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
    """``match``: the FTS5 expression that drives the query (None: fields
    only); ``where``: the remaining predicate over ``c`` with ``params``."""

    match: str | None
    where: str
    params: tuple[object, ...] = ()


@dataclass(frozen=True, slots=True)
class Reader:
    """What compiling needs of the reader: ``full`` — the SQL that holds of a
    row it reads in full (None: the owner, who reads everything in full);
    ``text`` — given an FTS5 expression, the SQL of "row ``c`` has text
    matching it, as this reader sees the row" (None: the cable's own index;
    a reader who sees some rows through release views matches their text);
    ``side`` — the prefix of the side tables its filters read (``public_``:
    the public tier's, archive/sqlite/tiers.py)."""

    full: Fragment | None = None
    text: Callable[[str], Fragment] | None = None
    side: str = ""


def fts(node: t.Node) -> str | None:
    """The FTS5 expression of a text-only subtree, or None when FTS5 cannot say it."""
    if isinstance(node, t.Terms):
        # Tokens are letters and digits only, so a quoted string is safe.
        expr = '"' + " ".join(node.tokens) + '"' + ("*" if node.prefix else "")
        return "{subject} : " + expr if node.subject else expr
    if isinstance(node, t.Or):
        parts = [fts(n) for n in node.items]
        if any(p is None for p in parts):
            return None
        return "(" + " OR ".join(parts) + ")"  # type: ignore[arg-type]
    if isinstance(node, t.And):
        pos = [fts(n) for n in node.items if not isinstance(n, t.Not)]
        neg = [fts(n.item) for n in node.items if isinstance(n, t.Not)]
        if not pos or any(p is None for p in pos + neg):
            return None
        return "(" + " AND ".join(pos) + ")" + "".join(f" NOT {n}" for n in neg)  # type: ignore[arg-type]
    return None


class _Compiler:
    def __init__(self, reader: Reader, correlated: bool) -> None:
        self.reader = reader
        self.correlated = correlated  # side-table filters as per-row probes
        self.params: list[object] = []

    def member(self, table: str, condition: str = "") -> str:
        table = self.reader.side + table
        if self.correlated:
            return f"EXISTS (SELECT 1 FROM {table} WHERE cable = c.rowid{condition and ' AND ' + condition})"
        return f"c.rowid IN (SELECT cable FROM {table}{condition and ' WHERE ' + condition})"

    def sql(self, node: t.Node) -> str:
        if (expr := fts(node)) is not None:
            if self.reader.text is not None:
                sql, params = self.reader.text(expr)
                self.params.extend(params)
                return sql
            self.params.append(expr)
            return "c.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
        if isinstance(node, t.HasValue):
            table = _SIDE_TABLES[node.kind]
            self.params.append(node.value + "*" if node.prefix else node.value)
            return self.member(table, "value GLOB ?" if node.prefix else "value = ?")
        if isinstance(node, t.AddresseeHas):
            fragment = node.fragment.replace("%", "").replace("_", "")
            self.params += [node.kind, f"%{fragment}%"]
            return self.member("addressees", "kind = ? AND value LIKE ?")
        if isinstance(node, t.OriginIs):
            if node.prefix:
                self.params += [v + "*" for v in node.values]
                return "(" + " OR ".join("c.origin GLOB ?" for _ in node.values) + ")"
            self.params += list(node.values)
            return f"c.origin IN ({', '.join('?' for _ in node.values)})"
        if isinstance(node, t.ClassRank):
            if node.op not in _OPS:
                raise ValueError(f"unknown comparison {node.op!r}")
            self.params.append(node.rank)
            return f"c.class_rank {node.op} ?"
        if isinstance(node, t.PrecedenceIs):
            self.params.append(node.value)
            return "c.precedence = ?"
        if isinstance(node, t.Created):
            parts = []
            if node.low is not None:
                parts.append("c.created >= ?")
                self.params.append(node.low)
            if node.high is not None:
                parts.append("c.created < ?")
                self.params.append(node.high)
            return "(" + " AND ".join(parts) + ")" if parts else "c.created IS NOT NULL"
        if isinstance(node, t.Cites):
            self.params.append(node.key)
            return self.member("refs", "cited_key = ?")
        if isinstance(node, t.IdKey):
            self.params.append(node.key)
            return self.member("cable_keys", "key = ?")
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
            return "1"
        if isinstance(node, (t.And, t.Or)):
            joiner = " AND " if isinstance(node, t.And) else " OR "
            return "(" + joiner.join(self.sql(n) for n in node.items) + ")"
        raise TypeError(f"cannot compile {type(node).__name__}")


def compile_tree(root: t.Node, reader: Reader) -> SqlPlan:
    """The SQL of a query tree for one reader (its access rule is added by the store)."""
    conjuncts = t.conjuncts(root)
    pos: list[str] = []
    neg: list[str] = []
    rest: list[t.Node] = []
    for node in conjuncts:
        if (expr := fts(node)) is not None:
            pos.append(expr)
        elif isinstance(node, t.Not) and (expr := fts(node.item)) is not None:
            neg.append(expr)
        else:
            rest.append(node)
    match = None
    if pos:
        match = "(" + " AND ".join(pos) + ")" + "".join(f" NOT {e}" for e in neg)
    else:  # no text to drive the query: negated words become predicates too
        rest = list(conjuncts)
    compiler = _Compiler(reader, correlated=match is not None)
    where = " AND ".join(compiler.sql(n) for n in rest) or "1"
    return SqlPlan(match, where, tuple(compiler.params))
