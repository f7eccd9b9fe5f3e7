"""The timing side channel through field filters (issue 15 §6): the public
reader's ``caption:``, ``tag:``, ``signer:``, ``origin:``, ``to:``, ``cites:``,
classification and date filters cost what it may see, never what is hidden.

Field filters are index lookups.  Over every cable, ``caption:NOFORN`` read
every NOFORN cable and dropped them all by the rule: its cost told the public
reader how many hidden cables carry NOFORN.  The public tier therefore holds
the public cables' side rows (``public_tags``, ...) and marks its cables
(``cables.pub``, with indexes ``WHERE pub = 1``; archive/sqlite/tiers.py,
archive/postgres/tiers.py), and the public reader's queries read only them.
Checked without a clock, as in test_timing_channel.py:

* SQLite: the virtual-machine steps of a filter held only by hidden cables
  equal those of a filter held by none, and no statement of the public
  reader reads a side table or a ``cables`` index over every cable;
* PostgreSQL: the plans of the public reader's statements (with sequential
  scans off, so the planner shows which index it would take) read only the
  public tier's tables and indexes;
* the tier's field rows equal ones rebuilt from scratch after every change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from leak_fixtures import PRINCIPALS, LeakArchive, build, cable_id, fixture_cable
from test_timing_channel import _plan_nodes, _searches, _vm_steps

from backends import new_location
from cablegram.archive import Archive
from cablegram.format.render import render
from cablegram.model import Classification, from_dict


# Cables hidden from the public reader (SECRET), whose tag, origin, signer,
# addressee, date and citation no public cable shares.
def _hidden_texts(serials: range) -> list[bytes]:
    texts = []
    for serial in serials:
        texts.append(_hidden_text((4, 5, 8)[serial % 3], serial))  # SECRET; NOFORN; ORCON
    return texts


def _hidden_text(_n: int, _serial: int) -> bytes:
    """Cable ``_n`` of the fixture as a hidden Moscow cable of 1999 with serial ``_serial``."""
    _data = fixture_cable(_n).to_dict()
    _data.update(
        id=f"99MOSCOW{_serial}",
        origin="MOSCOW",
        serial=_serial,
        created=f"1999-03-0{_serial % 10}T12:00:00Z",
        tags=["PTER", "KNNP"],
        signers=["ZQHIDDENSIGNER"],
        references=[{"label": "A", "text": "08 STATE 77777", "id": "08STATE77777"}],
    )
    _data["to"] = [{"name": "ZQHIDDENPOST", "routing_indicator": "RUEHZQ",
                    "precedence": "ROUTINE", "serial": None}]  # fmt: skip
    return render(from_dict(_data)).encode()


HIDDEN_TEXTS = _hidden_texts(range(2001, 2004))

# (a filter only hidden cables match, a filter no cable matches)
PAIRS = [
    ("caption:NOFORN", "caption:ZQNONE"),
    ("caption:ORCON", "caption:ZQNONE"),
    ("tag:PTER", "tag:ZQZZ"),
    ("tag:KN*", "tag:KZ*"),  # (the same place among the public tags)
    ("signer:ZQHIDDENSIGNER", "signer:ZQNOBODY"),
    ("origin:MOSCOW", "origin:ZQNOWHERE"),
    ("to:ZQHIDDENPOST", "to:ZQNOPOST"),
    ("refs:08STATE77777", "refs:08STATE66666"),
    ("date:1999", "date:1985"),
    ("date:1999-03..1999-04", "date:1985-03..1985-04"),
    ("class:secret", "class:>secret"),  # 8 hidden SECRET cables, 2 hidden TOP SECRET
    ("class:secret tag:PTER", "class:secret tag:ZQZZ"),
    ("common tag:PTER", "common tag:ZQZZ"),  # beside a text match
    ("common origin:MOSCOW", "common origin:ZQNOWHERE"),
    ("-tag:PREL date:1999", "-tag:PREL date:1985"),
]


def _build(location: Path | str, extra: int = 0) -> LeakArchive:
    fx = build(location)
    with Archive(fx.path) as owner:
        for name, level in (("secret", Classification.SECRET), ("ts", Classification.TOP_SECRET)):
            owner.users.add(name, clearance=level)  # their tiers (alice's CONFIDENTIAL: build)
        owner.ingest(HIDDEN_TEXTS + _hidden_texts(range(3000, 3000 + extra)), workers=1)
        for hidden, _ in PAIRS:
            if not hidden.startswith("class:>"):
                assert owner.search(hidden).total > 0, hidden  # the filter matches, hidden
    return fx


@pytest.fixture
def fx(tmp_path: Path) -> LeakArchive:
    return _build(tmp_path / "fields.sqlite")


# The public reader and a reader cleared to CONFIDENTIAL with no read-ins
# (its clearance tier, test_timing_tiers.py): every value of PAIRS is held
# only by cables hidden from both.
TIER_READERS = ["public", "alice"]


@pytest.mark.parametrize("name", TIER_READERS)
def test_a_hidden_field_costs_what_an_absent_one_costs(fx: LeakArchive, name: str) -> None:
    with Archive(fx.path) as owner, owner.as_reader(PRINCIPALS[name]) as reader:
        for hidden, absent in PAIRS:
            assert reader.search(hidden).total == reader.search(absent).total, hidden
            assert _vm_steps(reader, hidden) == _vm_steps(reader, absent), hidden


# Indexes and tables over every cable (the public reader must read none).
_EVERY_CABLE = re.compile(
    r"\b(?:SCAN|SEARCH) (?:(tags|captions|signers|defects|addressees|refs|cable_keys)\b"
    r"|cables\b.*\bUSING (?:COVERING )?INDEX (cables_(?:created|origin|class|year|review)\b))"
    r"|\bSCAN cables\b"
)


def _plans(reader: Archive, query: str) -> list[str]:
    """EXPLAIN QUERY PLAN lines of every statement the reader's searches run."""
    statements: list[str] = []
    conn = reader.store.conn  # type: ignore[attr-defined]
    conn.set_trace_callback(statements.append)
    try:
        _searches(reader, query)
    finally:
        conn.set_trace_callback(None)
    lines = []
    for sql in statements:
        if not sql.lstrip().upper().startswith("SELECT") or "temp.tier_vocab" in sql:
            continue
        lines += [row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
    return lines


@pytest.mark.parametrize("name", TIER_READERS)
def test_a_tier_reader_reads_no_field_index_over_every_cable(fx: LeakArchive, name: str) -> None:
    with Archive(fx.path) as owner:
        owner.review.decide(cable_id(4), "release-in-part", "1.4(b)")
        with owner.as_reader(PRINCIPALS[name]) as reader:
            for query in [q for pair in PAIRS for q in pair] + ["*", "has:refs", "id:09STATE1000"]:
                plans = _plans(reader, query)
                assert plans, query
                wide = [line for line in plans if _EVERY_CABLE.search(line)]
                assert not wide, (query, wide)
        with owner.as_reader(PRINCIPALS["bob"]) as bob:  # read into NOFORN: the whole index
            assert any(_EVERY_CABLE.search(line) for line in _plans(bob, "caption:NOFORN"))


def _field_snapshot(archive: Archive) -> dict[str, list[tuple[Any, ...]]]:
    conn: Any = archive.store.conn  # type: ignore[attr-defined]
    from cablegram.archive.sqlite import tiers

    out = {tier.prefix + t: conn.execute(f"SELECT * FROM {tier.prefix}{t} ORDER BY 1, 2")
           .fetchall()
           for tier in tiers.TIERS for t in tiers.SIDE}  # fmt: skip
    for tier in tiers.TIERS:
        out[tier.flag] = conn.execute(
            f"SELECT rowid FROM cables WHERE {tier.flag} = 1 ORDER BY 1"
        ).fetchall()
    return out


def test_the_public_field_rows_follow_every_change(fx: LeakArchive) -> None:
    from cablegram.archive.sqlite import tiers

    def assert_in_step(archive: Archive) -> dict[str, list[tuple[Any, ...]]]:
        kept = _field_snapshot(archive)
        with archive.store.transaction():
            tiers.rebuild(archive.store.conn)  # type: ignore[attr-defined]
        assert _field_snapshot(archive) == kept
        return kept

    with Archive(fx.path) as owner:
        before = assert_in_step(owner)
        assert before["public_tags"] and before["pub"]
        assert not any(v == "PTER" for _, v in before["public_tags"])
        owner.review.decide("99MOSCOW2001", "release", "25X1")
        after = assert_in_step(owner)
        assert any(v == "PTER" for _, v in after["public_tags"])
        with owner.as_reader(PRINCIPALS["public"]) as public:
            assert public.search("tag:PTER").total == 1
            assert public.search("origin:MOSCOW").total == 1
        owner.review.decide("99MOSCOW2001", "exempt", "25X1")
        assert assert_in_step(owner) == before
        owner.set_partial_release_search(True)
        assert_in_step(owner)
        owner.set_partial_release_search(False)
        late = render(fixture_cable(11)).replace("1011", "1099").encode()
        owner.ingest([late])
        assert len(assert_in_step(owner)["pub"]) == len(before["pub"]) + 1
        owner.reindex(workers=1)
        assert_in_step(owner)


# -- PostgreSQL --
_PG_EVERY_CABLE = {"tags", "captions", "signers", "defects", "addressees", "refs", "cable_keys"}


def _pg_reads(reader: Archive, queries: list[str]) -> Iterator[tuple[str, str, str]]:
    """(query, relation, index or scan type) of every scan in the plans of the
    reader's statements (a bitmap index scan names no relation, its heap scan
    no index)."""
    import psycopg

    conn = reader.store.conn  # type: ignore[attr-defined]
    execute = psycopg.Cursor.execute
    seen: list[tuple[Any, Any]] = []

    def recording(self, sql, params=None, **kw):  # type: ignore[no-untyped-def]
        seen.append((sql, params))
        return execute(self, sql, params, **kw)

    for query in queries:
        seen.clear()
        psycopg.Cursor.execute = recording  # type: ignore[method-assign]
        try:
            _searches(reader, query)
        finally:
            psycopg.Cursor.execute = execute  # type: ignore[method-assign]
        for sql, params in seen:
            if not str(sql).lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with conn.transaction():
                conn.execute("SET LOCAL enable_seqscan = off")
                (plan,) = conn.execute(f"EXPLAIN (FORMAT JSON) {sql}", params).fetchone()[0]
            for node in _plan_nodes(plan["Plan"]):
                if "Relation Name" in node or "Index Name" in node:
                    index = node.get("Index Name", node["Node Type"])
                    yield query, node.get("Relation Name", ""), index


@pytest.mark.parametrize("name", TIER_READERS)
def test_on_postgres_a_tier_reader_reads_only_its_field_rows(
    tmp_path: Path, request: pytest.FixtureRequest, name: str
) -> None:
    # Enough hidden cables that their statistics weigh (so the planner's
    # choice for a value many hidden cables hold is the one a real archive gets).
    pg = _build(new_location("postgres", tmp_path, "fields", request), extra=300)
    with Archive(pg.path) as owner:
        with owner.as_reader(PRINCIPALS[name]) as reader:
            for hidden, absent in PAIRS:
                assert reader.search(hidden).total == reader.search(absent).total, hidden
        owner.review.decide(cable_id(4), "release-in-part", "1.4(b)")
        with owner.store.transaction():
            owner.store.conn.execute("ANALYZE")  # type: ignore[attr-defined]
        # The hidden side of each pair (for a value no cable holds, the
        # planner may take either index: both read nothing).
        queries = [hidden for hidden, _ in PAIRS] + ["*", "has:refs", "id:09STATE1000"]
        with owner.as_reader(PRINCIPALS[name]) as reader:
            wide = [
                (query, rel, index)
                for query, rel, index in _pg_reads(reader, queries)
                if rel in _PG_EVERY_CABLE
                or index.split("_")[0] in _PG_EVERY_CABLE  # tags_value, captions_pkey, ...
                or re.fullmatch(r"cables_(created|origin|class|year|review)|cable_keys_\w+", index)
                or (rel == "cables" and index == "Seq Scan")  # (they are off: needs one)
            ]
            assert not wide
        with owner.as_reader(PRINCIPALS["bob"]) as bob:  # read into NOFORN: the whole index
            assert any(rel == "captions" for _, rel, _ in _pg_reads(bob, ["caption:NOFORN"]))


def test_on_postgres_the_public_field_rows_follow_every_change(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from cablegram.archive.postgres import tiers as pg_tiers

    def snapshot(archive: Archive) -> dict[str, list[tuple[Any, ...]]]:
        conn: Any = archive.store.conn  # type: ignore[attr-defined]
        out = {tier.prefix + t: sorted(conn.execute(f"SELECT * FROM {tier.prefix}{t}"))
               for tier in pg_tiers.TIERS for t in ("cables", *pg_tiers.SIDE)}  # fmt: skip
        for tier in pg_tiers.TIERS:
            out[tier.flag] = conn.execute(
                f"SELECT rowid FROM cables WHERE {tier.flag} = 1 ORDER BY 1"
            ).fetchall()
        return out

    def assert_in_step(archive: Archive) -> dict[str, list[tuple[Any, ...]]]:
        kept = snapshot(archive)
        with archive.store.transaction():
            pg_tiers.rebuild(archive.store.conn)  # type: ignore[attr-defined]
        assert snapshot(archive) == kept
        return kept

    pg = _build(new_location("postgres", tmp_path, "pgfields", request))
    with Archive(pg.path) as owner:
        before = assert_in_step(owner)
        assert before["public_tags"] and before["pub"]
        owner.review.decide("99MOSCOW2001", "release", "25X1")
        assert any(v == "PTER" for _, v in assert_in_step(owner)["public_tags"])
        owner.review.decide("99MOSCOW2001", "exempt", "25X1")
        assert assert_in_step(owner) == before
        owner.set_partial_release_search(True)
        assert_in_step(owner)
        owner.set_partial_release_search(False)
        late = render(fixture_cable(11)).replace("1011", "1099").encode()
        owner.ingest([late])
        assert len(assert_in_step(owner)["pub"]) == len(before["pub"]) + 1
        owner.reindex(workers=1)
        assert_in_step(owner)
