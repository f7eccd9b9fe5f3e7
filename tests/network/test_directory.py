"""The shipped directory (from the packaged vocabularies), RIs keyed by date, the CSV form."""

from __future__ import annotations

from datetime import date

import pytest

from cablegram.network import (
    DirectoryError,
    default_directory,
    read_directory_csv,
    write_directory_csv,
)
from cablegram.network.directory import RoutingAssignment, Station, with_routing
from cablegram.network.directory_csv import directory_of


def test_routing_indicators_are_keyed_by_date():
    d = default_directory()
    # RUEHTA was Embassy Almaty's in 2006-2007, then Embassy Astana's (FORMAT §6.5).
    assert d.routing_indicator("AMEMBASSY ALMATY", date(2006, 5, 15)) == "RUEHTA"
    assert d.routing_indicator("AMEMBASSY ALMATY", date(2012, 1, 1)) is None
    assert d.routing_indicator("AMEMBASSY ASTANA", date(2006, 5, 15)) is None
    assert d.routing_indicator("AMEMBASSY ASTANA", date(2009, 1, 1)) == "RUEHTA"
    # The most used of several RIs of one address wins.
    assert d.routing_indicator("NSC WASHDC", date(2008, 1, 1)) == "RHEHNSC"


def test_stations_collectives_and_offices_of_the_shipped_directory():
    d = default_directory()
    almaty = d.station("amembassy  almaty")
    assert (almaty.origin, almaty.kind, almaty.time_zone, almaty.numbered) == (
        "ALMATY",
        "embassy",
        "Asia/Almaty",
        True,
    )
    assert d.station("SECSTATE WASHDC").origin == "STATE"
    assert d.station("SECDEF WASHDC").numbered is False  # not on State's network
    cis = d.collective("CIS COLLECTIVE")
    assert cis.ri == "RUCNCIS" and {"RUEHDBU", "RUEHLN", "RUEHVK", "RUEHYG"} <= set(
        cis.members_on(date(2006, 5, 15))
    )
    assert d.office("SECSTATE WASHDC", "S/S").role == "executive-secretariat"
    assert d.station_of_origin("ALMATY", date(2006, 5, 1)).plad == "AMEMBASSY ALMATY"


def test_a_new_routing_indicator_ends_the_old_one():
    s = Station("AMEMBASSY X", "X", (RoutingAssignment("RUEHXA"),))
    moved = with_routing(s, "RUEHXB", "2009-03-01")
    assert moved.routing_indicator(date(2009, 2, 28)) == "RUEHXA"
    assert moved.routing_indicator(date(2009, 3, 1)) == "RUEHXB"


def test_csv_round_trip_and_errors():
    text = write_directory_csv(default_directory())
    assert directory_of(read_directory_csv(text)) == default_directory()
    with pytest.raises(DirectoryError, match=r"^d.csv:2: 'RUEHXX@2009': a span is FROM..TO$"):
        read_directory_csv("entry,address,routing\nstation,AMEMBASSY X,RUEHXX@2009\n", "d.csv")
    with pytest.raises(DirectoryError, match=r"d\.csv:2: unknown entry 'planet'"):
        read_directory_csv("entry,address\nplanet,MARS\n", "d.csv")
