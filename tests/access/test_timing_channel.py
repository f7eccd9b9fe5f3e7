"""The timing side channel (issue 15 §6): a reader's query cost depends on what
it may read, never on what is hidden from it.

The public reader's searches run on the public tier's index (SQLite:
``fts_public``, archive/sqlite/tiers.py), which holds only what that reader
may read, as it reads it.  These tests check it structurally, not by the
clock (benchmarks/timing_channel.py measures the time):

* the work SQLite does (virtual-machine steps, counted by a progress handler)
  for a word found only in hidden cables — or only in the withheld parts of a
  released cable — equals the work for a word found nowhere;
* every full-text lookup the public reader makes reads the public tier's
  index, and that index holds no word of a hidden cable;
* the index equals one rebuilt from scratch after ingest, release decisions,
  their withdrawal, the partial-release policy both ways, and reindex.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from leak_fixtures import PRINCIPALS, LeakArchive, build, cable_id, fixture_cable

from backends import new_location
from cablegram.access import Principal
from cablegram.access.principal import public_reader
from cablegram.archive import Archive
from cablegram.archive.sqlite import tiers
from cablegram.archive.sqlite.access import ReaderScope
from cablegram.format.render import render
from cablegram.model import Classification

ABSENT = "zqnowhere"
MIXED = cable_id(4)  # SECRET: paragraph 1 (S) is withheld from a public release


@pytest.fixture
def fx(tmp_path: Path) -> LeakArchive:
    return build(tmp_path / "timing.sqlite")


def _searches(reader: Archive, query: str) -> None:
    """Everything a search page, the API and an export do with a query."""
    result = reader.search(query, limit=20)
    _ = result.hits, result.total
    result.facets()
    result.exact_total()
    list(reader.search(query, limit=5, sort="date").hits)


def _vm_steps(reader: Archive, query: str) -> int:
    """SQLite virtual-machine steps of the searches (rows read, compared,
    joined), counted on their second run (the first leaves the connection's
    working tables as the second finds them)."""
    _searches(reader, query)
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    conn = reader.store.conn  # type: ignore[attr-defined]
    conn.set_progress_handler(count, 1)
    try:
        _searches(reader, query)
    finally:
        conn.set_progress_handler(None, 1)
    return steps


def _hidden_words(fx: LeakArchive) -> list[str]:
    return fx.secrets_of(fx.hidden("public"))


def _queries(word: str, *, prefix: bool = True) -> Iterator[str]:
    yield word
    if prefix:
        yield f"{word}*"
    yield f'"{word} common"'
    yield f"{word} tag:PREL"
    yield f"{word} OR {ABSENT}x"


def test_a_hidden_word_costs_the_public_reader_what_an_absent_word_costs(fx: LeakArchive) -> None:
    with Archive(fx.path) as owner, owner.as_reader(PRINCIPALS["public"]) as public:
        seen = fx.secrets_of(fx.visible("public"))
        for word in _hidden_words(fx):
            assert owner.search(word).total == 1  # the word is there, hidden
            prefix = not any(w.startswith(word) for w in seen)  # zqsubj1* finds zqsubj11
            pairs = zip(_queries(word, prefix=prefix), _queries(ABSENT, prefix=prefix), strict=True)
            for hidden, absent in pairs:
                assert public.search(hidden).total == 0
                assert _vm_steps(public, hidden) == _vm_steps(public, absent), hidden


def test_withheld_words_of_a_released_cable_cost_what_an_absent_word_costs(
    fx: LeakArchive,
) -> None:
    with Archive(fx.path) as owner:
        owner.review.decide(MIXED, "release-in-part", "1.4(b)")
        with owner.as_reader(PRINCIPALS["public"]) as public:
            assert public.search("zqpara4x3").total == 1  # the released (U) paragraph
            assert public.search("zqpara4x1").total == 0  # withheld (S)
            assert _vm_steps(public, "zqpara4x1") == _vm_steps(public, ABSENT)


def _match_tables(reader: Archive, query: str) -> set[str]:
    """The full-text tables the reader's statements look words up in."""
    statements: list[str] = []
    conn = reader.store.conn  # type: ignore[attr-defined]
    conn.set_trace_callback(statements.append)
    try:
        _searches(reader, query)
    finally:
        conn.set_trace_callback(None)
    return {m for s in statements for m in re.findall(r"(\w+) MATCH", s)}


def test_the_public_reader_reads_only_the_public_tier_which_holds_nothing_hidden(
    fx: LeakArchive,
) -> None:
    with Archive(fx.path) as owner:
        owner.review.decide(MIXED, "release-in-part", "1.4(b)")
        with owner.as_reader(PRINCIPALS["public"]) as public:
            for word in ("zqbody0", "common", *_hidden_words(fx)):
                assert _match_tables(public, word) == {tiers.INDEX}, word
            # The index holds a word exactly when the reader may find it.
            conn = owner.store.conn  # type: ignore[attr-defined]
            for word in (*fx.secrets_of(set(fx.cables)), ABSENT):
                indexed = conn.execute(
                    f"SELECT count(*) FROM {tiers.INDEX} WHERE {tiers.INDEX} MATCH ?", (word,)
                ).fetchone()[0]
                assert indexed == public.search(word).total, word
        assert owner.search("zqpara4x1").total == 1 and public_misses(fx.path, "zqpara4x1")


def public_misses(path: Path, word: str) -> bool:
    with Archive(path, principal=PRINCIPALS["public"]) as public:
        return public.search(word).total == 0


def test_readers_who_see_more_than_the_public_read_another_index(fx: LeakArchive) -> None:
    with Archive(fx.path) as owner:
        with owner.as_reader(PRINCIPALS["alice"]) as reader:  # CONFIDENTIAL: its tier
            assert _match_tables(reader, "zqbody0") == {"fts_tier2"}  # (test_timing_tiers.py)
        with owner.as_reader(PRINCIPALS["bob"]) as reader:  # read into NOFORN
            assert _match_tables(reader, "zqbody0") == {"fts"}


@pytest.mark.parametrize(
    ("principal", "public_tier"),
    [
        (public_reader(), True),
        # Memberships count only for restricted captions it is read into.
        (Principal("post", stations=frozenset({"RUEHMO"}), offices=frozenset({"EUR"})), True),
        (Principal("sbu", sbu=True), False),
        (Principal("noforn", captions=frozenset({"NOFORN"})), False),
        (Principal("cleared", Classification.CONFIDENTIAL), False),
    ],
)
def test_who_reads_the_public_tier(principal: Principal, public_tier: bool) -> None:
    assert ReaderScope(principal).public_tier is public_tier


def _tier_snapshot(archive: Archive) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every posting of the public tier's index (term, cable, column, offset)
    and its ledger, in order."""
    conn = archive.store.conn  # type: ignore[attr-defined]
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.tier_vocab USING"
        f" fts5vocab(main, {tiers.INDEX}, 'instance')"
    )
    postings = conn.execute("SELECT * FROM temp.tier_vocab ORDER BY 1, 2, 3, 4").fetchall()
    ledger = conn.execute("SELECT cable, view FROM public_tier ORDER BY cable").fetchall()
    return postings, ledger


def _assert_in_step(archive: Archive) -> None:
    kept = _tier_snapshot(archive)
    assert kept[0] and kept[1]
    with archive.store.transaction():
        tiers.rebuild(archive.store.conn)  # type: ignore[attr-defined]
    assert _tier_snapshot(archive) == kept


def test_the_public_tier_follows_every_change(fx: LeakArchive) -> None:
    with Archive(fx.path) as owner:
        _assert_in_step(owner)
        owner.review.decide(MIXED, "release-in-part", "1.4(b)")
        owner.review.decide(cable_id(9), "release", "25X1")
        _assert_in_step(owner)
        assert {v for _, v in _tier_snapshot(owner)[1]} == {-1, 7}
        owner.review.decide(cable_id(9), "exempt", "25X1")  # the release withdrawn
        assert {v for _, v in _tier_snapshot(owner)[1]} == {-1, 7}  # MIXED's still in force
        _assert_in_step(owner)
        owner.set_partial_release_search(True)
        assert 0 in {v for _, v in _tier_snapshot(owner)[1]}  # level-0 views
        _assert_in_step(owner)
        owner.set_partial_release_search(False)
        _assert_in_step(owner)
        late = render(fixture_cable(11)).replace("zqbody11", "zqlatebody")
        owner.ingest([late.replace("1011", "1099").encode()])  # a new unclassified cable
        _assert_in_step(owner)
        # A better copy (signed) replaces the fields of the first (unsigned).
        good = late.replace("1011", "1098").replace("zqlatebody", "zqgoodcopy")
        owner.ingest([good.replace("zqgoodcopy", "zqbadcopy").replace("CLINTON", "").encode()])
        assert owner.ingest([good.encode()]).counts.updated == 1
        _assert_in_step(owner)
        owner.reindex(workers=1)
        _assert_in_step(owner)
        owner.set_partial_release_search(True)
        owner.reindex(workers=1)  # the policy and the decisions carried over
        _assert_in_step(owner)
        assert {v for _, v in _tier_snapshot(owner)[1]} == {-1, 0, 7}
        with owner.as_reader(PRINCIPALS["public"]) as public:
            assert public.search("zqgoodcopy").total == 1
            assert public.search("zqbadcopy").total == 0
            assert public.search("zqlatebody").total == 1
            assert public.search("zqpara4x3").total == 1
            assert public.search("zqpara4x1").total == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_public_tier_follows_any_sequence_of_decisions(fx: LeakArchive, seed: int) -> None:
    rng = random.Random(seed)
    actions = ("release", "release-in-part", "exempt", "policy")
    with Archive(fx.path) as owner:
        for _ in range(8):
            action = rng.choice(actions)
            if action == "policy":
                owner.set_partial_release_search(not owner.partial_release_search)
            else:
                owner.review.decide(cable_id(rng.randrange(len(fx.cables))), action, "1.4(b)")
            _assert_in_step(owner)


# -- PostgreSQL: the same tier, as a table of text vectors (archive/postgres/tiers.py) --
def _plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _plan_nodes(child)


def _text_lookups(reader: Archive, queries: list[str]) -> set[str]:
    """The tables whose text vectors the reader's statements match (from their plans)."""
    import psycopg

    seen: list[tuple[str, Any]] = []
    execute = psycopg.Cursor.execute

    def recording(self, query, params=None, **kw):  # type: ignore[no-untyped-def]
        seen.append((query, params))
        return execute(self, query, params, **kw)

    psycopg.Cursor.execute = recording  # type: ignore[method-assign]
    try:
        for query in queries:
            _searches(reader, query)
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    conn = reader.store.conn  # type: ignore[attr-defined]
    tables = set()
    for query, params in seen:
        if "@@" not in str(query) or str(query).startswith("EXPLAIN"):
            continue  # (a measuring step asks for the planner's estimate)
        (plan,) = conn.execute(f"EXPLAIN (FORMAT JSON) {query}", params).fetchone()[0]
        for node in _plan_nodes(plan["Plan"]):
            conds = " ".join(str(node.get(k, "")) for k in ("Filter", "Index Cond", "Recheck Cond"))
            if "@@" in conds and "Relation Name" in node:
                tables.add(node["Relation Name"])
    return tables


def test_on_postgres_the_public_reader_matches_only_the_public_tier(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    pg = build(new_location("postgres", tmp_path, "timing", request))
    with Archive(pg.path) as owner:
        owner.review.decide(MIXED, "release-in-part", "1.4(b)")
        owner.set_partial_release_search(True)
        with owner.as_reader(PRINCIPALS["public"]) as public:
            words = ["zqbody0", "common", *_hidden_words(pg)]
            assert _text_lookups(public, words) == {"fts_public"}
            for word in (*pg.secrets_of(set(pg.cables)), ABSENT):
                indexed = owner.store.conn.execute(  # type: ignore[attr-defined]
                    "SELECT count(*) FROM fts_public WHERE doc @@ plainto_tsquery('simple', %s)",
                    (word,),
                ).fetchone()[0]
                assert indexed == public.search(word).total, word
        with owner.as_reader(PRINCIPALS["bob"]) as bob:  # read into NOFORN: the whole index
            assert "fts" in _text_lookups(bob, ["zqbody0"])


def _pg_tier(archive: Archive) -> list[tuple[Any, ...]]:
    conn = archive.store.conn  # type: ignore[attr-defined]
    return conn.execute("SELECT rowid, view, doc::text FROM fts_public ORDER BY rowid").fetchall()


def test_on_postgres_the_public_tier_follows_every_change(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from cablegram.archive.postgres import tiers as pg_tiers

    def assert_in_step(archive: Archive) -> None:
        kept = _pg_tier(archive)
        assert kept
        with archive.store.transaction():
            pg_tiers.rebuild(archive.store.conn)  # type: ignore[attr-defined]
        assert _pg_tier(archive) == kept

    pg = build(new_location("postgres", tmp_path, "tiers", request))
    rng = random.Random(7)
    with Archive(pg.path) as owner:
        assert_in_step(owner)
        for _ in range(10):
            action = rng.choice(("release", "release-in-part", "exempt", "policy"))
            if action == "policy":
                owner.set_partial_release_search(not owner.partial_release_search)
            else:
                owner.review.decide(cable_id(rng.randrange(len(pg.cables))), action, "1.4(b)")
            assert_in_step(owner)
        late = render(fixture_cable(11)).replace("zqbody11", "zqlatebody").replace("1011", "1099")
        owner.ingest([late.replace("zqlatebody", "zqbadcopy").replace("CLINTON", "").encode()])
        assert owner.ingest([late.encode()]).counts.updated == 1
        assert_in_step(owner)
        owner.reindex(workers=1)
        assert_in_step(owner)
        with owner.as_reader(PRINCIPALS["public"]) as public:
            assert public.search("zqlatebody").total == 1
            assert public.search("zqbadcopy").total == 0
