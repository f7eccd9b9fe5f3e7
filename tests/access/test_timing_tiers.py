"""The timing side channel for cleared readers (issue 15 §6): a reader cleared
to CONFIDENTIAL, SECRET or TOP SECRET with no caption read-ins searches its
clearance tier's index (archive/sqlite/tiers.py: ``fts_tier2`` ...), which
holds exactly what it may read, as it reads it; so a word found only in
cables above its clearance, under captions, or in the withheld parts of a
release view costs it what an absent word costs.  Checked without a clock,
as in test_timing_channel.py (virtual-machine steps; which indexes the
statements read; the index against one rebuilt from scratch).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from leak_fixtures import PRINCIPALS, LeakArchive, build, cable_id, fixture_cable
from test_timing_channel import ABSENT, MIXED, _match_tables, _queries, _vm_steps

from backends import BACKENDS, new_location
from cablegram.access import Principal, may_read
from cablegram.access.policy import reads_as_cleared
from cablegram.access.principal import OWNER, public_reader
from cablegram.archive import Archive
from cablegram.archive.sqlite import tiers
from cablegram.format.render import render
from cablegram.model import Classification

C, S, TS = Classification.CONFIDENTIAL, Classification.SECRET, Classification.TOP_SECRET
CLEARED = [Principal("conf", C), Principal("secret", S), Principal("topsecret", TS)]


def _tiered(location: Path | str) -> LeakArchive:
    """The leak archive with an account for each plain cleared reader: adding
    one makes its clearance's tier (the fixture's own accounts make only
    CONFIDENTIAL's)."""
    fx = build(location)
    with Archive(fx.path) as owner:
        for p in CLEARED:
            owner.users.add(p.name, clearance=p.clearance)
    return fx


@pytest.fixture
def fx(tmp_path: Path) -> LeakArchive:
    return _tiered(tmp_path / "tiers.sqlite")


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_archive_has_the_tiers_its_accounts_use(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # Each tier repeats the text its reader reads, so it is made for the
    # first account that reads as a plain cleared reader, and no sooner.
    location = new_location(backend, tmp_path, "accounts", request)
    with Archive(location) as owner:
        owner.ingest([render(fixture_cable(n)).encode() for n in range(5)], workers=1)
        store = owner.store

        def tiers_made() -> set[Classification]:
            return {c for c in (C, S, TS) if _has_tier(store, c)}

        assert tiers_made() == set()
        with owner.as_reader(Principal("early", S)) as reader:  # no tier: the whole index
            assert reader.search(f"zqbody{_SECRET_FIXTURE}").total == 1
        owner.users.add("nofo", clearance=S, captions=["NOFORN"])  # read-ins: no tier
        assert tiers_made() == set()
        owner.users.add("conf", clearance=C)
        assert tiers_made() == {C}
        owner.users.set("nofo", captions=[])  # now a plain SECRET reader
        assert tiers_made() == {C, S}
        assert store.add_clearance_tier(S) is False  # made once
        with owner.as_reader(Principal("late", S)) as reader:  # its tier, the same answers
            assert reader.search(f"zqbody{_SECRET_FIXTURE}").total == 1
            if backend == "sqlite":
                assert _match_tables(reader, f"zqbody{_SECRET_FIXTURE}") == {tiers.index_of(S)}


_SECRET_FIXTURE = 4  # leak_fixtures.SPECS: a plain SECRET cable


def _has_tier(store: Any, clearance: Classification) -> bool:
    index = tiers.index_of(clearance)
    conn = store.conn
    if hasattr(conn, "set_progress_handler"):  # SQLite
        row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (index,)).fetchone()
        return row is not None
    return bool(conn.execute("SELECT to_regclass(%s) IS NOT NULL", (index,)).fetchone()[0])


@pytest.mark.parametrize(
    ("principal", "tier"),
    [
        (Principal("conf", C), C),
        (Principal("secret", S, sbu=True), S),  # cleared readers read SBU text anyway
        (Principal("post", S, stations=frozenset({"RUEHMO"})), S),  # memberships alone
        (Principal("topsecret", TS), TS),
        (PRINCIPALS["bob"], None),  # read into NOFORN: the whole index, by the rule
        (public_reader(), None),  # the public tier
        (Principal("sbu", sbu=True), None),
        (OWNER, None),
    ],
)
def test_who_reads_a_clearance_tier(principal: Principal, tier: Classification | None) -> None:
    assert reads_as_cleared(principal) == tier


def _hidden_words(fx: LeakArchive, principal: Principal) -> list[str]:
    hidden = {cid for cid, cable in fx.cables.items() if not may_read(principal, cable)}
    return fx.secrets_of(hidden)


@pytest.mark.parametrize("principal", CLEARED, ids=lambda p: p.name)
def test_a_word_above_a_readers_clearance_costs_what_an_absent_word_costs(
    fx: LeakArchive, principal: Principal
) -> None:
    with Archive(fx.path) as owner:
        owner.review.decide(MIXED, "release-in-part", "1.4(b)")  # SECRET: a public view
        with owner.as_reader(principal) as reader:
            visible = {cid for cid, c in fx.cables.items() if may_read(principal, c)}
            seen = fx.secrets_of(visible)
            words = [w for w in _hidden_words(fx, principal) if reader.search(w).total == 0]
            assert words  # words of hidden cables, withheld parts of MIXED included
            for word in words:
                assert owner.search(word).total == 1
                prefix = not any(w.startswith(word) for w in seen)
                pairs = zip(_queries(word, prefix=prefix), _queries(ABSENT, prefix=prefix),
                            strict=True)  # fmt: skip
                for hidden, absent in pairs:
                    assert reader.search(hidden).total == 0
                    assert _vm_steps(reader, hidden) == _vm_steps(reader, absent), hidden
            assert _match_tables(reader, words[0]) == {tiers.index_of(principal.clearance)}


def test_a_tier_holds_a_word_exactly_when_its_reader_finds_it(fx: LeakArchive) -> None:
    with Archive(fx.path) as owner:
        owner.review.decide(MIXED, "release-in-part", "1.4(b)")
        owner.set_partial_release_search(True)  # reader-level views too
        conn = owner.store.conn  # type: ignore[attr-defined]
        for principal in CLEARED:
            index = tiers.index_of(principal.clearance)
            with owner.as_reader(principal) as reader:
                for word in (*fx.secrets_of(set(fx.cables)), ABSENT):
                    indexed = conn.execute(
                        f"SELECT count(*) FROM {index} WHERE {index} MATCH ?", (word,)
                    ).fetchone()[0]
                    assert indexed == reader.search(word).total, (principal.name, word)


def _snapshot(archive: Archive) -> dict[str, list[tuple[Any, ...]]]:
    conn = archive.store.conn  # type: ignore[attr-defined]
    out = {}
    for tier in (tiers.PUBLIC, *tiers.CLEARED.values()):
        conn.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab_{tier.index} USING"
            f" fts5vocab(main, {tier.index}, 'instance')"
        )
        out[tier.index] = conn.execute(
            f"SELECT * FROM temp.vocab_{tier.index} ORDER BY 1, 2, 3, 4"
        ).fetchall()
        out[tier.ledger] = conn.execute(f"SELECT * FROM {tier.ledger} ORDER BY 1").fetchall()
    return out


def _assert_in_step(archive: Archive) -> None:
    kept = _snapshot(archive)
    assert all(kept.values())
    with archive.store.transaction():
        tiers.rebuild(archive.store.conn)  # type: ignore[attr-defined]
    assert _snapshot(archive) == kept


@pytest.mark.parametrize("seed", [1, 2])
def test_the_clearance_tiers_follow_every_change(fx: LeakArchive, seed: int) -> None:
    rng = random.Random(seed)
    with Archive(fx.path) as owner:
        _assert_in_step(owner)
        for _ in range(6):
            action = rng.choice(("release", "release-in-part", "exempt", "policy"))
            if action == "policy":
                owner.set_partial_release_search(not owner.partial_release_search)
            else:
                owner.review.decide(cable_id(rng.randrange(len(fx.cables))), action, "1.4(b)")
            _assert_in_step(owner)
        late = render(fixture_cable(4)).replace("1004", "1099").replace("zqbody4", "zqlate")
        owner.ingest([late.replace("zqlate", "zqbadcopy").replace("CLINTON", "").encode()])
        assert owner.ingest([late.encode()]).counts.updated == 1
        _assert_in_step(owner)
        owner.reindex(workers=1)
        _assert_in_step(owner)
        owner.set_partial_release_search(False)  # (its C view would show zqlate's (U) paragraph)
        with owner.as_reader(Principal("secret", S)) as reader:
            assert reader.search("zqlate").total == 1
            assert reader.search("zqbadcopy").total == 0
        with owner.as_reader(Principal("conf", C)) as reader:
            assert reader.search("zqlate").total == 0


# -- PostgreSQL: the same tiers, as tables of text vectors (archive/postgres/tiers.py) --
def test_on_postgres_cleared_readers_match_only_their_tier(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from test_timing_channel import _text_lookups

    from cablegram.archive.postgres import tiers as pg_tiers

    pg = _tiered(new_location("postgres", tmp_path, "cleared", request))
    with Archive(pg.path) as owner:
        conn = owner.store.conn  # type: ignore[attr-defined]
        narrow, text = pg_tiers.tables(conn)
        for table in (*narrow, *text):  # the ingest refreshed their statistics (else the
            # planner, taking them for empty, drove a word search from a scan of cables)
            if table.startswith("fts_") or table.endswith(("_cables", "_tags")):
                found = conn.execute(
                    "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema()"
                    " AND tablename = %s",
                    (table,),
                ).fetchone()[0]
                assert found, table
        owner.review.decide(MIXED, "release-in-part", "1.4(b)")
        owner.set_partial_release_search(True)
        for principal in CLEARED:
            table = pg_tiers.index_of(principal.clearance)
            with owner.as_reader(principal) as reader:
                words = ["zqbody0", "common", *_hidden_words(pg, principal)]
                assert _text_lookups(reader, words) == {table}
                for word in (*pg.secrets_of(set(pg.cables)), ABSENT):
                    indexed = conn.execute(
                        f"SELECT count(*) FROM {table} WHERE doc @@ plainto_tsquery('simple', %s)",
                        (word,),
                    ).fetchone()[0]
                    assert indexed == reader.search(word).total, (principal.name, word)
        with owner.as_reader(PRINCIPALS["bob"]) as bob:  # read into NOFORN
            assert "fts" in _text_lookups(bob, ["zqbody0"])


def test_on_postgres_the_clearance_tiers_follow_every_change(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from cablegram.archive.postgres import tiers as pg_tiers

    def snapshot(archive: Archive) -> dict[str, list[tuple[Any, ...]]]:
        conn: Any = archive.store.conn  # type: ignore[attr-defined]
        return {table: conn.execute(f"SELECT rowid, view, doc::text FROM {table} ORDER BY 1")
                .fetchall() for table in (pg_tiers.INDEX, *pg_tiers.CLEARED.values())}  # fmt: skip

    def assert_in_step(archive: Archive) -> None:
        kept = snapshot(archive)
        assert all(kept.values())
        with archive.store.transaction():
            pg_tiers.rebuild(archive.store.conn)  # type: ignore[attr-defined]
        assert snapshot(archive) == kept

    pg = _tiered(new_location("postgres", tmp_path, "cleared_step", request))
    rng = random.Random(5)
    with Archive(pg.path) as owner:
        assert_in_step(owner)
        for _ in range(6):
            action = rng.choice(("release", "release-in-part", "exempt", "policy"))
            if action == "policy":
                owner.set_partial_release_search(not owner.partial_release_search)
            else:
                owner.review.decide(cable_id(rng.randrange(len(pg.cables))), action, "1.4(b)")
            assert_in_step(owner)
        late = render(fixture_cable(4)).replace("1004", "1099").replace("zqbody4", "zqlate")
        owner.ingest([late.replace("zqlate", "zqbadcopy").replace("CLINTON", "").encode()])
        assert owner.ingest([late.encode()]).counts.updated == 1
        assert_in_step(owner)
        owner.reindex(workers=1)
        assert_in_step(owner)
        owner.set_partial_release_search(False)
        with owner.as_reader(Principal("secret", S)) as reader:
            assert reader.search("zqlate").total == 1
            assert reader.search("zqbadcopy").total == 0
