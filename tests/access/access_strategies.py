"""Hypothesis strategies for access tests: cables and principals over a small,
collision-prone vocabulary (so that stations, offices and captions overlap
often), including cables that break the release rules (portion marks above
the overall level, NF marks without the NOFORN caption, unknown levels)."""

from __future__ import annotations

from hypothesis import strategies as st

from cablegram import lexicon
from cablegram.access import Principal
from cablegram.model import Addressee, Cable, Classification, Paragraph, Station

LEVELS = tuple(Classification)
MARKS = ("U", "SBU", "C", "S", "TS", "C/NF", "S//NF", "SBU/NF", "U//FOUO", "S/REL NATO", None)
CAPTIONS = (
    "SIPDIS",
    "NOFORN",
    "NODIS",
    "EXDIS",
    "LIMDIS",
    "STADIS",
    "ROGER CHANNEL",
    "SPECAT EXCLUSIVE",
    "ORCON",
    "CODEL SMITH",
    "FOR OFFICIAL USE ONLY",
)
GRANTABLE = ("NOFORN", "NODIS", "EXDIS", "LIMDIS", "STADIS", "ROGER CHANNEL", "SPECAT", "ORCON")


def _collective_and_member() -> tuple[str, str]:
    for ri, (_name, members) in sorted(lexicon.collectives().items()):
        if members:
            return ri, members[0]
    raise AssertionError("lexicon has no collective with members")


COLLECTIVE, COLLECTIVE_MEMBER = _collective_and_member()
STATIONS = ("RUEHC", "RUEHTA", "RUEHMO", COLLECTIVE, COLLECTIVE_MEMBER)
DISTRIBUTION = (
    "DEPARTMENT FOR EUR/RUS (SMITH), INR/EU",
    "STATE FOR EUR, EEB",
    "DEPT PASS TO USAID FOR AID/ANE",
    "NSC FOR JONES; TREASURY FOR OIA",
)
OFFICES = ("EUR", "EUR/RUS", "EUR/CE", "INR/EU", "AID/ANE", "USAID", "OIA", "SCA/CEN")


@st.composite
def cables(draw: st.DrawFn) -> Cable:
    def addressees(n: int) -> tuple[Addressee, ...]:
        ris = draw(st.lists(st.sampled_from(STATIONS), max_size=n))
        return tuple(Addressee(name=f"POST {ri}", routing_indicator=ri) for ri in ris)

    marks = draw(st.lists(st.sampled_from(MARKS), max_size=4))
    return Cable(
        id=draw(st.sampled_from(("06ALMATY1703", "09MOSCOW20", None))),
        classification=draw(st.sampled_from((*LEVELS, None))),
        sbu=draw(st.booleans()),
        captions=tuple(draw(st.lists(st.sampled_from(CAPTIONS), max_size=3, unique=True))),
        from_=draw(st.sampled_from((None, Station("AMEMBASSY X", "RUEHTA"), Station("X", None)))),
        to=addressees(2),
        info=addressees(2),
        distribution=tuple(draw(st.lists(st.sampled_from(DISTRIBUTION), max_size=2))),
        paragraphs=tuple(
            Paragraph(text=f"text {i}", number=i + 1, marking=m) for i, m in enumerate(marks)
        ),
    )


@st.composite
def principals(draw: st.DrawFn) -> Principal:
    return Principal(
        name="p",
        clearance=draw(st.sampled_from(LEVELS)),
        sbu=draw(st.booleans()),
        captions=frozenset(draw(st.lists(st.sampled_from(GRANTABLE), max_size=4))),
        stations=frozenset(draw(st.lists(st.sampled_from(STATIONS[1:]), max_size=2))),
        offices=frozenset(draw(st.lists(st.sampled_from(OFFICES), max_size=2))),
        owner=draw(st.integers(0, 7)) == 0,  # the owner now and then
    )
