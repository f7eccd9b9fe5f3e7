"""The access rule, case by case."""

from __future__ import annotations

import pytest
from access_strategies import COLLECTIVE, COLLECTIVE_MEMBER

from cablegram.access import OWNER, PUBLIC, Principal, access_facts, may_read
from cablegram.access.facts import canonical_caption, distribution_offices
from cablegram.model import Addressee, Cable, Classification, Paragraph, Station

U, C, S, TS = (
    Classification.UNCLASSIFIED,
    Classification.CONFIDENTIAL,
    Classification.SECRET,
    Classification.TOP_SECRET,
)


def cable(**kw: object) -> Cable:
    kw.setdefault("classification", C)
    return Cable(**kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("clearance", "level", "expected"),
    [(S, C, True), (S, S, True), (C, S, False), (U, C, False), (TS, TS, True), (U, U, True)],
)
def test_clearance_must_cover_the_classification(
    clearance: Classification, level: Classification, expected: bool
) -> None:
    assert may_read(Principal("a", clearance), cable(classification=level)) is expected


def test_portion_marks_above_the_overall_level_raise_it() -> None:
    c = cable(classification=C, paragraphs=(Paragraph("x", 1, "S"),))
    assert access_facts(c).classification is S
    assert not may_read(Principal("a", C), c)
    assert may_read(Principal("a", S), c)


def test_unknown_classification_is_treated_as_top_secret() -> None:
    c = cable(classification=None)
    assert not may_read(Principal("a", S, captions={"NOFORN"}), c)
    assert may_read(Principal("a", TS), c)
    assert may_read(OWNER, c)


def test_sbu_needs_the_grant_or_any_clearance() -> None:
    c = cable(classification=U, sbu=True)
    assert not may_read(Principal("a", U), c)
    assert may_read(Principal("a", U, sbu=True), c)
    assert may_read(Principal("a", C), c)
    marked = cable(classification=U, paragraphs=(Paragraph("x", 1, "SBU"),))
    assert not may_read(PUBLIC, marked)
    fouo = cable(classification=U, captions=("FOR OFFICIAL USE ONLY",))
    assert not may_read(PUBLIC, fouo)


def test_noforn_needs_read_in_and_nf_marks_imply_noforn() -> None:
    assert not may_read(Principal("a", S), cable(captions=("NOFORN",)))
    assert may_read(Principal("a", S, captions={"NOFORN"}), cable(captions=("NOFORN",)))
    implied = cable(paragraphs=(Paragraph("x", 1, "C/NF"),))
    assert access_facts(implied).captions == {"NOFORN"}
    assert not may_read(Principal("a", S), implied)


def test_posting_and_logistics_captions_restrict_nothing() -> None:
    c = cable(classification=U, captions=("SIPDIS", "CODEL SMITH", "VISIT"))
    assert may_read(PUBLIC, c)


@pytest.mark.parametrize("written", ["NODIS", "EXDIS", "LIMDIS", "STADIS", "SPECAT EXCLUSIVE"])
def test_restricted_captions_need_read_in_and_membership(written: str) -> None:
    name = canonical_caption(written)
    c = cable(
        captions=(written,),
        from_=Station("AMEMBASSY MOSCOW", "RUEHMO"),
        to=(Addressee("SECSTATE WASHDC", "RUEHC"),),
        distribution=("STATE FOR EUR/RUS (SMITH)",),
    )
    read_in = {name}
    assert not may_read(Principal("a", S, stations={"RUEHC"}), c)  # not read in
    assert not may_read(Principal("a", S, captions=read_in, stations={"RUEHTA"}), c)
    assert may_read(Principal("a", S, captions=read_in, stations={"RUEHC"}), c)
    assert may_read(Principal("a", S, captions=read_in, stations={"RUEHMO"}), c)  # originator
    assert may_read(Principal("a", S, captions=read_in, offices={"EUR/RUS"}), c)
    # A member of a sub-office of a named office belongs to it; a parent does not.
    assert may_read(Principal("a", S, captions=read_in, offices={"EUR/RUS/BILAT"}), c)
    assert not may_read(Principal("a", S, captions=read_in, offices={"EUR"}), c)


def test_collective_addressees_reach_their_member_stations() -> None:
    c = cable(captions=("EXDIS",), info=(Addressee("COLLECTIVE", COLLECTIVE),))
    member = Principal("a", S, captions={"EXDIS"}, stations={COLLECTIVE_MEMBER})
    assert may_read(member, c)
    assert not may_read(Principal("a", S, captions={"EXDIS"}, stations={"RUEHXX"}), c)


def test_public_and_owner() -> None:
    assert PUBLIC.is_public and not OWNER.is_public
    assert may_read(PUBLIC, cable(classification=U))
    assert not may_read(PUBLIC, cable(classification=C))
    assert may_read(PUBLIC, cable(classification=TS, captions=("NODIS",)), released=True)
    assert may_read(OWNER, cable(classification=TS, captions=("NODIS", "NOFORN")))


def test_principal_names_are_normalised() -> None:
    p = Principal("a", S, captions=["noforn", " nodis "], stations=["ruehc"], offices=["eur / rus"])
    assert p.captions == {"NOFORN", "NODIS"}
    assert p.stations == {"RUEHC"}
    assert p.office_memberships() == {"EUR", "EUR/RUS"}


def test_distribution_offices() -> None:
    lines = (
        "DEPARTMENT FOR S/WCI (WITTEN, MILLER), L/PM (AHAINES), OUSD/DETAINEE POLICY (LIOTTA), NSC",
        "DEPT PASS TO USAID FOR AID/ANE",
        "STATE FOR EUR/CE AND INR/EU; TREASURY FOR OIA",
    )
    assert distribution_offices(lines) == {
        "S/WCI",
        "L/PM",
        "OUSD/DETAINEE",
        "NSC",
        "USAID",
        "AID/ANE",
        "EUR/CE",
        "INR/EU",
        "OIA",
    }


def test_the_published_reader_reads_every_cable_and_administers_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from leak_fixtures import build, cable_id

    from cablegram.access import PUBLISHED, reader_notice
    from cablegram.archive import AccessDenied, Archive

    fx = build(tmp_path / "p.sqlite")
    with Archive(fx.path, principal=PUBLISHED) as reader:
        assert {cid for cid in fx.cables if reader.get(cid) is not None} == set(fx.cables)
        assert reader.search("common").total == len(fx.cables)
        assert reader.copies(cable_id(10))  # even a TOP SECRET NODIS cable's original text
        for act in (lambda: reader.users.add("eve"), lambda: reader.audit,
                    lambda: reader.review.decide(cable_id(4), "release", "1.4(d)"),
                    lambda: reader.set_partial_release_search(True)):  # fmt: skip
            with pytest.raises(PermissionError):
                act()
    assert reader_notice(PUBLISHED) == "Reading the published corpus: every cable is shown."
    with pytest.raises(AccessDenied):
        Archive(fx.path, principal=PUBLISHED).users.add("eve")


def test_the_notice_says_what_a_reader_reads_as_and_what_that_hides() -> None:
    from cablegram.access import PUBLIC, reader_notice

    assert reader_notice(PUBLIC) == (
        "Reading as the public: cables above UNCLASSIFIED, SBU cables and restricted "
        "captions are not shown. Sign in to read more."
    )
    alice = Principal("alice", Classification.CONFIDENTIAL, captions=frozenset({"NOFORN"}))
    assert reader_notice(alice) == (
        "Reading as alice: cables above CONFIDENTIAL and cables with captions you are "
        "not read into are not shown."
    )
