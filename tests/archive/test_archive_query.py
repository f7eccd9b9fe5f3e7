"""The query language: syntax tree, FTS/SQL plan, and errors with positions."""

from __future__ import annotations

import pytest

from cablegram.archive.query import (
    And,
    Field,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    Word,
    compile_query,
    parse_query,
)


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


def test_text_conjuncts_become_one_fts_match_and_fields_sql() -> None:
    plan = compile_query('guantanamo "legal assistance" -treaty tag:PTER')
    assert plan.match == '("guantanamo" AND "legal assistance") NOT "treaty"'
    assert "FROM tags WHERE cable = c.rowid AND value = ?" in plan.where  # probed per FTS row
    assert plan.params == ("PTER",)


def test_pure_negation_and_fields_need_no_fts() -> None:
    plan = compile_query("-treaty class:>=confidential")
    assert plan.match is None
    assert "NOT (c.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?))" in plan.where
    assert plan.params == ('"treaty"', 2)


def test_fts_special_characters_are_quoted() -> None:
    plan = compile_query("U.S. AT&T's")
    assert plan.match == '("U.S." AND "AT&T\'s")'


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
        ("tag:", 0, "needs a value"),
        ("", 0, "empty query"),
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
    plan = compile_query("date:2006-05..2006-08")
    assert plan.params == ("2006-05", "2006-09")
    assert compile_query("date:2006-12").params == ("2006-12", "2007-01")
    assert compile_query("before:2006").params == ("2006",)
    assert compile_query("after:2006-02-28").params == ("2006-03-01",)
