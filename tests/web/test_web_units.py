"""The web layer's small pieces: facet terms, telegram blocks, sessions, login limits."""

from __future__ import annotations

import pytest
from web_fixtures import SEED

from cablegram import parse
from cablegram.archive.graph import RefLink
from cablegram.model import Classification
from cablegram.web.auth import Sessions
from cablegram.web.narrow import facet_term, has_term, with_term, without_term
from cablegram.web.reader import banner, level_class, ref_pieces, telegram_blocks
from cablegram.web.views import pager

SECOND_SEED = SEED.with_name("06ALMATY2872.txt")


# -- facet terms --
@pytest.mark.parametrize(
    ("facet", "value", "term"),
    [
        ("tag", "PTER", "tag:PTER"),
        ("classification", "TOP SECRET", 'class:"top secret"'),
        ("origin", "RPODUBAI", "origin:RPODUBAI"),
        ("caption", "NOT FOR INTERNET DISTRIBUTION", 'caption:"NOT FOR INTERNET DISTRIBUTION"'),
        ("month", "2006-05", "date:2006-05"),
        ("year", "(unknown)", None),
    ],
)
def test_facet_term(facet: str, value: str, term: str | None) -> None:
    assert facet_term(facet, value) == term


def test_with_and_without_term() -> None:
    assert with_term("detainees", "tag:PTER") == "detainees tag:PTER"
    assert with_term("detainees  tag:pter", "tag:PTER") == "detainees tag:pter"
    assert with_term("a OR b", "tag:PTER") == "(a OR b) tag:PTER"
    assert without_term('"guantanamo detainees" tag:PTER', "tag:PTER") == '"guantanamo detainees"'
    assert without_term("a OR tag:PTER", "tag:PTER") == "a OR tag:PTER"  # not a conjunct
    assert has_term('class:"top secret" x', 'class:"top secret"')
    assert not has_term("tag:PTERX", "tag:PTER")


def test_pager() -> None:
    assert pager(0, 1, 20) == [1]
    assert pager(200, 1, 20) == [1, 2, 3, None, 10]
    assert pager(200, 6, 20) == [1, None, 4, 5, 6, 7, 8, None, 10]
    assert pager(41, 3, 20) == [1, 2, 3]


# -- the reader's telegram layout --
def test_telegram_blocks_follow_the_rendered_text() -> None:
    cable = parse(SECOND_SEED.read_bytes())
    blocks = telegram_blocks(cable)
    kinds = [b.kind for b in blocks if b.kind != "gap"]
    assert kinds[:3] == ["envelope", "bt", "class"]
    assert kinds[-3:] == ["sign", "bt", "trailer"]
    assert kinds.count("ref") == 1 and kinds.count("tags") == 1
    paras = [b for b in blocks if b.kind == "para"]
    assert [b.index for b in paras] == list(range(len(cable.paragraphs)))
    # ¶4 runs over a blank line in this cable: its lines stay in its block, in order.
    fourth = paras[3].text
    assert "\n\n" in fourth and fourth == f"¶4. (S) {cable.paragraphs[3].text}"
    assert blocks[-1].lines == ["#2872", "NNNN"]


def test_ref_pieces_cut_lines_at_each_reference() -> None:
    links = [
        RefLink("A", "ALMATY 2549", "06ALMATY2549", "archive", ("06ALMATY2549",)),
        RefLink("B", "STATE 126156", "06STATE126156", "missing"),
    ]
    used: set[int] = set()
    first = ref_pieces("REF: A. ALMATY 2549", links, used)
    second = ref_pieces("B. STATE 126156", links, used)
    assert [(p.text, p.link is not None) for p in first] == [
        ("REF: A. ", False),
        ("ALMATY 2549", True),
    ]
    assert [(p.text, p.link and p.link.status) for p in second] == [
        ("B. ", None),
        ("STATE 126156", "missing"),
    ]


def test_banner_and_level_classes() -> None:
    cable = parse(SECOND_SEED.read_bytes())
    assert banner(cable) == "SECRET"
    assert level_class("TOP SECRET") == "top-secret" and level_class(None) == "unknown"
    assert level_class("BOGUS") == "unknown"
    assert level_class(Classification.CONFIDENTIAL) == "confidential"


# -- sessions --
def test_session_tokens_round_trip_and_resist_tampering() -> None:
    sessions = Sessions(b"k" * 32, seconds=60)
    token, expires = sessions.token("alice", "stamp-1", now=1000.0)
    assert expires == 1060
    claims = sessions.claims(token, now=1030.0)
    assert claims is not None and claims.name == "alice"
    assert sessions.claims(token, now=1061.0) is None  # expired
    payload, signature = token.split(".")
    assert sessions.claims(f"{payload}x.{signature}", now=1030.0) is None
    assert sessions.claims(f"{payload}.{signature[:-2]}AA", now=1030.0) is None
    assert Sessions(b"other" * 8, 60).claims(token, now=1030.0) is None
    assert sessions.claims("garbage", now=1030.0) is None
    assert sessions.claims("", now=1030.0) is None


def test_session_tokens_hold_only_under_the_credentials_they_were_issued_for() -> None:
    sessions = Sessions(b"k" * 32, seconds=60)
    token, _ = sessions.token("alice", "stamp-1", now=1000.0)
    claims = sessions.claims(token, now=1030.0)
    assert claims is not None
    assert sessions.still_valid(claims, "stamp-1")
    assert not sessions.still_valid(claims, "stamp-2")  # the password was changed
    assert not sessions.still_valid(claims, None)  # ... or removed
    assert "stamp-1" not in token and "stamp-1" not in str(claims)  # keyed, not the stamp
    other = Sessions(b"other" * 8, 60)
    assert not other.still_valid(claims, "stamp-1")


def test_archive_pool_lends_each_archive_to_one_request_and_stays_bounded(
    archive_file: str,
) -> None:
    from cablegram.access.principal import OWNER, PUBLIC
    from cablegram.web.deps import ArchivePool

    pool = ArchivePool(archive_file, keep=2, keep_total=3)
    with pool.lease(PUBLIC) as a, pool.lease(PUBLIC) as b, pool.lease(PUBLIC) as c:
        assert len({id(a), id(b), id(c)}) == 3  # never shared while lent
        assert a.principal == PUBLIC
    with pool.lease(PUBLIC) as again:
        assert again in (a, b, c)  # reused once returned
    with pool.lease(OWNER, "api") as d, pool.lease(OWNER, "web") as e:
        assert d.interface == "api" and e.interface == "web"
    assert sum(len(v) for v in pool._idle.values()) <= 3
    pool.close()


def test_timed_cache_keeps_values_per_key_for_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    from cablegram.web import deps

    clock = [100.0]
    monkeypatch.setattr(deps.time, "monotonic", lambda: clock[0])
    cache = deps.TimedCache(60, size=2)
    calls: list[str] = []

    def compute(v: str) -> str:
        calls.append(v)
        return v

    assert cache.get("a", lambda: compute("a1")) == "a1"
    assert cache.get("a", lambda: compute("a2")) == "a1"  # kept
    clock[0] += 61
    assert cache.get("a", lambda: compute("a3")) == "a3"  # expired
    cache.get("b", lambda: compute("b"))
    cache.get("c", lambda: compute("c"))  # "a" is the oldest of three: dropped
    assert cache.get("a", lambda: compute("a4")) == "a4"
    assert calls == ["a1", "a3", "b", "c", "a4"]
