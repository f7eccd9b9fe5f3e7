"""visibility_sql selects exactly the cables may_read accepts (in-memory SQLite)."""

from __future__ import annotations

import sqlite3

from access_strategies import cables, principals
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablegram.access import (
    ACCESS_DDL,
    OWNER,
    PUBLIC,
    AccessSchema,
    Principal,
    access_rows,
    may_read,
    visibility_sql,
)
from cablegram.model import Cable, Classification


def _load(cable_list: list[tuple[Cable, bool]]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(ACCESS_DDL)
    for i, (cable, released) in enumerate(cable_list):
        rows = access_rows(cable)
        cur = db.execute(
            "INSERT INTO cables (id, class_rank, sbu, released) VALUES (?, ?, ?, ?)",
            (str(i), rows.class_rank, rows.sbu, int(released)),
        )
        rowid = cur.lastrowid
        # Store the raw captions too, as an archive keeping them for facets would:
        # the rule must ignore everything but the controlling captions.
        for caption in {*rows.captions, *cable.captions}:
            db.execute("INSERT INTO cable_captions VALUES (?, ?)", (rowid, caption))
        for role, ri, name in rows.addressees:
            db.execute("INSERT INTO cable_addressees VALUES (?, ?, ?, ?)", (rowid, role, ri, name))
        for office in rows.offices:
            db.execute("INSERT INTO cable_offices VALUES (?, ?)", (rowid, office))
    return db


def _visible(db: sqlite3.Connection, principal: Principal) -> set[int]:
    where, params = visibility_sql(principal)
    return {int(r[0]) for r in db.execute(f"SELECT id FROM cables WHERE {where}", params)}


def _expected(cable_list: list[tuple[Cable, bool]], principal: Principal) -> set[int]:
    return {i for i, (c, rel) in enumerate(cable_list) if may_read(principal, c, released=rel)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(cables(), st.just(False)), min_size=1, max_size=25),
    st.lists(principals(), min_size=1, max_size=8),
)
def test_sql_selects_exactly_what_may_read_accepts(
    cable_list: list[tuple[Cable, bool]], principal_list: list[Principal]
) -> None:
    db = _load(cable_list)
    for principal in [*principal_list, PUBLIC, OWNER]:
        assert _visible(db, principal) == _expected(cable_list, principal)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(cables(), st.booleans()), min_size=1, max_size=15),
    st.lists(principals(), min_size=1, max_size=4),
)
def test_released_cables_agree_too(
    cable_list: list[tuple[Cable, bool]], principal_list: list[Principal]
) -> None:
    db = _load(cable_list)
    for principal in [*principal_list, PUBLIC]:
        assert _visible(db, principal) == _expected(cable_list, principal)


def test_public_sees_only_plain_unclassified_and_releases() -> None:
    plain = Cable(classification=Classification.UNCLASSIFIED)
    sbu = Cable(classification=Classification.UNCLASSIFIED, sbu=True)
    noforn = Cable(classification=Classification.UNCLASSIFIED, captions=("NOFORN",))
    secret = Cable(classification=Classification.SECRET)
    db = _load([(plain, False), (sbu, False), (noforn, False), (secret, False), (secret, True)])
    assert _visible(db, PUBLIC) == {0, 4}


def test_fragment_works_under_an_alias_and_as_postgres_placeholders() -> None:
    secret = Cable(classification=Classification.SECRET)
    db = _load([(secret, False), (Cable(classification=Classification.UNCLASSIFIED), False)])
    where, params = visibility_sql(PUBLIC, schema=AccessSchema(cables="c"))
    rows = db.execute(f"SELECT c.id FROM cables c WHERE {where}", params).fetchall()
    assert rows == [("1",)]
    pg_where, pg_params = visibility_sql(PUBLIC, dialect="postgres")
    assert "?" not in pg_where and pg_where.count("%s") == len(pg_params)
