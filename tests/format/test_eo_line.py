"""The one E.O. line reader (cablegram.lexicon.eo), as the parser and access use it."""

from __future__ import annotations

from datetime import date

import pytest

from cablegram.access import eo_line as access_eo_line
from cablegram.format.parse import parse
from cablegram.lexicon.eo import parse_date, read_eo, read_instruction
from cablegram.model import EO, Classification

S = Classification.SECRET


@pytest.mark.parametrize(
    ("line", "order", "declassify_on", "text"),
    [
        ("E.O. 12958: DECL: 08/08/2016", "12958", "2016-08-08", "DECL: 08/08/2016"),
        ("EO 12958 DECL: 09/27/2019", "12958", "2019-09-27", "DECL: 09/27/2019"),
        ("E.o. 12958: decl: 01/07/2014", "12958", "2014-01-07", "decl: 01/07/2014"),
        ("E.O. 12356: N/A", "12356", None, "N/A"),
        ("DECL: 12356 N/A", "12356", None, "N/A"),
        ("E.O. 12065: GDS 8/12/85 (TOMSETH, VICTOR L.) OR-P", "12065", "1985-08-12", None),
        ("E.O. 12958: DECL: 1.6X6", "12958", None, "DECL: 1.6X6"),
    ],
)
def test_read_eo(line: str, order: str, declassify_on: str | None, text: str | None) -> None:
    eo = read_eo(line)
    assert eo is not None
    assert (eo.order, eo.declassify_on) == (order, declassify_on)
    if text is not None:
        assert eo.text == text
    assert read_eo("TAGS: PREL") is None


def test_parser_and_access_read_the_same_line() -> None:
    cable = parse(
        "S E C R E T ALMATY 002872\n\nE.O. 12958: DECL: 08/08/2016\nTAGS: PREL\n"
        "SUBJECT: X\n\n1. (S) Text.\n"
    )
    assert cable.eo == read_eo("E.O. 12958: DECL: 08/08/2016")
    instruction = access_eo_line.read_instruction(cable)
    assert instruction == read_instruction(cable.eo, year=cable.year, classification=S)
    assert (instruction.kind, instruction.declassify_on) == ("date", date(2016, 8, 8))


def test_dates_in_every_written_form() -> None:
    assert parse_date("DECL: 011/2/2019") == date(2019, 11, 2)  # zero-padding slip
    assert parse_date("2019/03/04") == date(2019, 3, 4)
    assert parse_date("13/45/2015 then 1/2/2016") == date(2016, 1, 2)  # impossible skipped
    assert parse_date("DECLASSIFIED JUNE 21, 2006") == date(2006, 6, 21)
    assert parse_date("DECLASSIFIED 21 JUNE 2006") == date(2006, 6, 21)
    # Two-digit years: on or after the cable's year, else the format's pivot.
    assert parse_date("7/25/00", after=1988) == date(2000, 7, 25)
    assert parse_date("8/12/85", after=1979) == date(1985, 8, 12)
    assert parse_date("7/25/00") == date(2000, 7, 25)
    assert parse_date("8/12/85") == date(1985, 8, 12)


def test_downgrade_date_with_the_month_written_out() -> None:
    i = read_instruction(EO("12958", None, "DNG: CO 21 JUNE 2012"), year=2006, classification=S)
    assert i.downgrade == (Classification.CONFIDENTIAL, date(2012, 6, 21))
    assert i.declassify_on is None
