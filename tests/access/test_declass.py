"""Declassification instructions, every status, decisions and the public view."""

from __future__ import annotations

from datetime import date

import pytest

from cablegram.access import (
    Action,
    Decision,
    DeclassState,
    automatic_date,
    declass_status,
    public_view,
    read_instruction,
)
from cablegram.model import EO, Cable, Classification, Paragraph

S, C = Classification.SECRET, Classification.CONFIDENTIAL


def cable(eo_text: str | None, *, created: str = "2006-05-15T02:25:00Z", order: str = "12958",
          level: Classification = S) -> Cable:  # fmt: skip
    return Cable(
        id="06ALMATY1703",
        created=created,
        classification=level,
        eo=None if eo_text is None else EO(order=order, text=eo_text),
    )


@pytest.mark.parametrize(
    ("text", "kind", "when", "codes"),
    [
        ("DECL: 01/07/2014", "date", date(2014, 1, 7), ()),
        ("DECL:  5/3/2016", "date", date(2016, 5, 3), ()),
        ("DECL: 2019/03/04", "date", date(2019, 3, 4), ()),
        ("DECL: 011/2/2019", "date", date(2019, 11, 2), ()),
        ("DECL: 01/07/14", "date", date(2014, 1, 7), ()),
        ("N/A", "none", None, ()),
        ("DECL: N/A", "none", None, ()),
        ("DECL: OADR", "oadr", None, ()),
        ("DECL: MR", "mr", None, ()),
        ("DECL: X1, X5, X6", "exempt", None, ("X1", "X5", "X6")),
        ("DECL: EXEMPT 1.6X1", "exempt", None, ("X1",)),
        ("DECL: 1.6X.6", "exempt", None, ("X6",)),
        ("DECL: 25X1", "exempt", None, ("25X1",)),
        ("DECL: 25X6, 01/01/2040", "date", date(2040, 1, 1), ("25X6",)),
        ("DECL: 1.6 FIVE YEARS AFTER CLOSURE OF ICTY", "event", None, ()),
        ("AS AMENDED; DECLASSIFIED JUNE 21, 2006", "declassified", date(2006, 6, 21), ()),
        ("DECL: DECLASSIFIED BY NARA 09/02/2009", "declassified", date(2009, 9, 2), ()),
    ],
)
def test_eo_12958_values(text: str, kind: str, when: date | None, codes: tuple[str, ...]) -> None:
    i = read_instruction(cable(text))
    assert (i.kind, i.declassify_on, i.exemptions) == (kind, when, codes)
    if kind == "event":
        assert i.event == "FIVE YEARS AFTER CLOSURE OF ICTY"


def test_downgrade_is_not_a_declassification_date() -> None:
    i = read_instruction(cable("DNG: CO 10/01/2010"))
    assert i.downgrade == (C, date(2010, 10, 1)) and i.declassify_on is None
    status = declass_status(cable("DNG: CO 10/01/2010"), date(2011, 1, 1))
    assert status.status is DeclassState.CLASSIFIED
    assert "downgrade to CONFIDENTIAL on 2010-10-01" in status.basis


def test_older_orders() -> None:
    # E.O. 11652 GDS: SECRET declassified at the end of the 8th full year.
    gds = cable("GDS", created="1975-03-01T00:00:00Z", order="11652")
    assert read_instruction(gds).declassify_on == date(1983, 12, 31)
    assert read_instruction(
        cable("GDS", created="1975-03-01T00:00:00Z", order="11652", level=C)
    ).declassify_on == date(1981, 12, 31)
    xgds = read_instruction(cable("XGDS-2", created="1975-03-01T00:00:00Z", order="11652"))
    assert (xgds.kind, xgds.exemptions, xgds.review_on) == (
        "exempt",
        ("XGDS-2",),
        date(1985, 12, 31),
    )
    # E.O. 12065: GDS with a two-digit year, RDS review dates.
    carter = cable(
        "GDS 8/12/85 (TOMSETH, VICTOR L.) OR-P", created="1979-08-12T00:00:00Z", order="12065"
    )
    assert read_instruction(carter).declassify_on == date(1985, 8, 12)
    rds = read_instruction(cable("RDS-3 8/12/99", created="1979-08-12T00:00:00Z", order="12065"))
    assert (rds.kind, rds.review_on) == ("review", date(1999, 8, 12))
    # E.O. 12356 OADR; a two-digit DECL year after the cable's year.
    assert (
        read_instruction(cable("DECL: OADR", created="1988-01-02T00:00:00Z", order="12356")).kind
        == "oadr"
    )
    assert read_instruction(
        cable("DECL: 7/25/00", created="1988-01-02T00:00:00Z", order="12356")
    ).declassify_on == date(2000, 7, 25)


def test_the_automatic_date_is_the_end_of_the_25th_year() -> None:
    assert automatic_date(cable("N/A")) == date(2031, 12, 31)
    assert automatic_date(Cable(id="06ALMATY1703")) == date(2031, 12, 31)
    assert automatic_date(Cable()) is None


def test_every_status() -> None:
    unclas = Cable(id="06ALMATY1703", classification=Classification.UNCLASSIFIED)
    assert declass_status(unclas, date(2010, 1, 1)).status is DeclassState.UNCLASSIFIED

    dated = cable("DECL: 01/07/2014")
    before = declass_status(dated, date(2010, 1, 1))
    assert (before.status, before.date) == (DeclassState.CLASSIFIED, date(2014, 1, 7))
    after = declass_status(dated, date(2014, 1, 7))
    assert (after.status, after.date) == (DeclassState.DECLASSIFIED, date(2014, 1, 7))

    oadr = cable("DECL: OADR", created="1985-01-01T00:00:00Z", order="12356")
    assert declass_status(oadr, date(2000, 1, 1)).status is DeclassState.CLASSIFIED
    due = declass_status(oadr, date(2011, 1, 1))
    assert (due.status, due.date) == (DeclassState.DUE_FOR_REVIEW, date(2010, 12, 31))
    assert "25-year" in due.basis

    x1 = cable("DECL: X1")
    exempt = declass_status(x1, date(2010, 1, 1))
    assert (exempt.status, exempt.exemptions) == (DeclassState.EXEMPTED, ("X1",))
    assert exempt.date == date(2031, 12, 31)  # reviewed at the 25-year date
    assert declass_status(x1, date(2032, 1, 1)).status is DeclassState.DUE_FOR_REVIEW

    x25 = declass_status(cable("DECL: 25X1"), date(2040, 1, 1))
    assert (x25.status, x25.exemptions) == (DeclassState.EXEMPTED, ("25X1",))

    noted = declass_status(cable("DECL: DECLASSIFIED BY NARA 09/02/2009"), date(2010, 1, 1))
    assert (noted.status, noted.date) == (DeclassState.DECLASSIFIED, date(2009, 9, 2))

    event = declass_status(cable("DECL: TEN YEARS AFTER KOREAN UNIFICATION"), date(2010, 1, 1))
    assert event.status is DeclassState.CLASSIFIED and "KOREAN UNIFICATION" in event.basis

    missing = declass_status(cable(None), date(2010, 1, 1))
    assert (missing.status, missing.date) == (DeclassState.CLASSIFIED, date(2031, 12, 31))


def _decision(action: Action, **kw: object) -> Decision:
    return Decision("06ALMATY1703", action, "1.4(d)", "reviewer", date(2020, 1, 1), **kw)  # type: ignore[arg-type]


def test_public_view_follows_decisions() -> None:
    c = Cable(
        id="06ALMATY1703",
        classification=S,
        paragraphs=(Paragraph("open part", 1, "U"), Paragraph("closed part", 2, "S")),
    )
    assert public_view(c) is None
    assert public_view(c, _decision(Action.EXEMPT)) is None
    assert public_view(c, _decision(Action.RELEASE)) is c
    part = public_view(c, _decision(Action.RELEASE_IN_PART))
    assert part is not None
    assert [p.text for p in part.paragraphs] == ["open part", "withheld under 1.4(d)"]
    assert part.source.metadata["release"]["who"] == "reviewer"
    assert _decision(Action.RELEASE_IN_PART).releases and not _decision(Action.EXEMPT).releases
    with pytest.raises(ValueError):
        public_view(Cable(id="OTHER"), _decision(Action.RELEASE))


def test_public_view_without_decision_is_the_access_rule() -> None:
    plain = Cable(id="06ALMATY1703", classification=Classification.UNCLASSIFIED)
    assert public_view(plain) is plain
    assert public_view(plain, _decision(Action.EXEMPT)) is plain
    assert public_view(Cable(classification=Classification.UNCLASSIFIED, sbu=True)) is None
