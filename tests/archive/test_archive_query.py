"""The query language: syntax tree, FTS/SQL plan, and errors with positions."""

from __future__ import annotations

import pytest

from cablegram.archive import tree as t
from cablegram.archive.fields import notices
from cablegram.archive.query import (
    And,
    Field,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    Word,
    compile_query,
    has_conjunct,
    parse_query,
    to_text,
    with_conjunct,
    without_conjunct,
)
from cablegram.archive.sqlite.compile import Reader, compile_tree


def test_implicit_and_binds_tighter_than_or() -> None:
    assert parse_query("a b OR c") == Or(
        (And((Word("a", position=0), Word("b", position=2))), Word("c", position=7))
    )


def test_phrase_prefix_negation_and_fields() -> None:
    node = parse_query('"exact phrase" detain* -word NOT tag:PTER subject:"a b" -class:secret')
    assert isinstance(node, And)
    a, b, c, d, e, f = node.items
    assert a == Phrase("exact phrase", 0)
    assert b == Word("detain", prefix=True, position=15)
    assert c == Not(Word("word", position=23))
    assert d == Not(Field("tag", "PTER", position=33))
    assert e == Field("subject", "a b", quoted=True, position=42)
    assert f == Not(Field("class", "secret", position=56))


def test_negated_phrase_and_group() -> None:
    node = parse_query('x -"a b" -(c OR d)')
    assert isinstance(node, And)
    assert node.items[1] == Not(Phrase("a b", 2))
    assert isinstance(node.items[2], Not) and isinstance(node.items[2].item, Or)


def test_words_phrases_and_fields_mean_tree_nodes() -> None:
    plan = compile_query('guantanamo "legal assistance" -treaty tag:PTER subject:visit*')
    assert plan.tree == t.And((
        t.Terms(("guantanamo",)), t.Terms(("legal", "assistance")), t.Not(t.Terms(("treaty",))),
        t.HasValue("tag", "PTER"), t.Terms(("visit",), prefix=True, subject=True),
    ))  # fmt: skip
    assert plan.terms == ("guantanamo", "legal assistance", "visit")
    assert plan.heavy and plan.prefix and plan.text


def test_words_are_read_into_the_tokens_both_backends_index() -> None:
    # Letters and digits only, lower case, diacritics removed: "U.S." is a
    # phrase of two tokens, as SQLite's unicode61 tokenizer reads it.
    assert compile_query("U.S. AT&T's Résumé").tree == t.And((
        t.Terms(("u", "s")), t.Terms(("at", "t", "s")), t.Terms(("resume",)),
    ))  # fmt: skip
    with pytest.raises(QuerySyntaxError, match="nothing to search for"):
        compile_query("a ___")


def test_empty_query_means_every_cable() -> None:
    assert compile_query("").tree == t.All()
    assert compile_query("  * ").tree == t.All()


def test_sqlite_text_conjuncts_become_one_fts_match_and_fields_sql() -> None:
    sql = compile_tree(compile_query('guantanamo "legal assistance" -treaty tag:PTER').tree,
                       Reader())  # fmt: skip
    assert sql.match == '("guantanamo" AND "legal assistance") NOT "treaty"'
    assert "FROM tags WHERE cable = c.rowid AND value = ?" in sql.where  # probed per FTS row
    assert sql.params == ("PTER",)


def test_sqlite_pure_negation_and_fields_need_no_fts() -> None:
    sql = compile_tree(compile_query("-treaty class:>=confidential").tree, Reader())
    assert sql.match is None
    assert "NOT (c.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?))" in sql.where
    assert sql.params == ('"treaty"', 2)


def test_nesting_is_limited() -> None:
    deep = "(" * 300 + "a" + ")" * 300
    with pytest.raises(QuerySyntaxError, match="nests deeper"):
        compile_query(deep)
    with pytest.raises(QuerySyntaxError, match="nests deeper"):
        compile_query("NOT " * 300 + "a")
    compile_query("(" * 30 + "a" + ")" * 30)  # reasonable nesting reads


@pytest.mark.parametrize(
    ("query", "term", "narrowed", "widened"),
    [
        ("detainees", "tag:PTER", "detainees tag:PTER", "detainees"),
        ("a OR b", 'class:"top secret"', '(a OR b) class:"top secret"', "a OR b"),
        ("x tag:pter", "tag:PTER", "x tag:pter", "x"),
        ("", "date:2006", "date:2006", ""),
        (
            'NOT (a OR b) "c d"',
            "origin:ALMATY",
            'NOT (a OR b) "c d" origin:ALMATY',
            'NOT (a OR b) "c d"',
        ),
    ],
)
def test_narrowing_edits_the_syntax_tree(
    query: str, term: str, narrowed: str, widened: str
) -> None:
    assert with_conjunct(query, term) == narrowed
    assert has_conjunct(narrowed, term)
    assert without_conjunct(narrowed, term) == widened
    assert compile_query(to_text(parse_query(narrowed))) == compile_query(narrowed)


@pytest.mark.parametrize(
    ("query", "position", "fragment"),
    [
        ('tag:PTER "open phrase', 9, "unterminated phrase"),
        ("(a OR b", 0, "missing ')'"),
        ("a OR b)", 6, "unbalanced ')'"),
        ("a AND", 5, "end of the query"),
        ("OR a", 0, "needs something on its left"),
        ("colour:red", 0, "unknown field 'colour:'"),
        ("a class:plaid", 2, "unknown classification"),
        ("date:2006-13", 0, "bad date"),
        ("a date:2009..2006", 2, "ends before it starts"),
        ("date:2006-05..2006-04-30", 0, "ends before it starts"),
        ("tag:", 0, "needs a value"),
        ("a ()", 2, "empty parentheses"),
        ("has:wings", 0, "unknown has:wings"),
    ],
)
def test_syntax_errors_point_at_the_fault(query: str, position: int, fragment: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        compile_query(query)
    assert info.value.position == position
    assert fragment in info.value.message
    assert info.value.pointer().splitlines()[1].index("^") == position


def test_date_ranges() -> None:
    assert compile_query("date:2006-05..2006-08").tree == t.Created("2006-05", "2006-09")
    assert compile_query("date:2006-12").tree == t.Created("2006-12", "2007-01")
    assert compile_query("date:2006..2006").tree == t.Created("2006", "2007")
    assert compile_query("date:2006..2006-01").tree == t.Created("2006", "2006-02")
    assert compile_query("before:2006").tree == t.Created(None, "2006")
    assert compile_query("after:2006-02-28").tree == t.Created("2006-03-01", None)


@pytest.mark.parametrize(
    "written", ['"THE HAGUE"', "THEHAGUE", '"AMEMBASSY THE HAGUE"', "thehague"]
)
def test_origins_match_every_spelling_the_lexicon_knows(written: str) -> None:
    node = compile_query(f"origin:{written}").tree
    assert isinstance(node, t.OriginIs) and "THEHAGUE" in node.values
    assert notices(node) == []


def test_an_origin_that_can_match_nothing_says_why() -> None:
    assert notices(compile_query('origin:"THE HAUGE"').tree) == [
        'unknown origin "THE HAUGE"; did you mean THE HAGUE?'
    ]
    assert notices(compile_query("tag:PREL -origin:ZZZQQQ").tree) == ['unknown origin "ZZZQQQ"']
