"""The directory that ships with cablegram, built from the packaged vocabularies.

* Stations and their routing indicators by date come from the RI/PLAD pairs
  observed in real cables (``routing_indicators_observed.csv``: first and last
  year seen) and from ACP 117 (``routing_indicators.csv``, the 2010/11 edition).
  A pair is open-ended unless a later pair shows its RI passing to another
  address or the address taking another RI (``RUEHTA``: Almaty 2006-2007, then
  Astana); the earliest pair of an address is open towards the past, since the
  sample starts long after most posts did.
* Origins come from ``origins_observed.csv`` (FM PLAD -> classification-line
  origin), else from the address itself (``AMEMBASSY ALMATY`` -> ``ALMATY``).
* Relays (``relay/commcen`` in ``routing_indicators.csv``) serve their own RI
  as a prefix.
* Collectives and their observed members come from ``collectives_observed.csv``
  (membership is partial, FORMAT §6.4).
* The Department's standing offices that the clearance rules name (Executive
  Secretariat, watch office, regional bureaus, a country desk) come from
  ``offices.csv``; time zones from the IANA zone whose city the address names,
  or ``station_zones.csv``.

People are never shipped: an organisation adds its own.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import date
from functools import cache

from cablegram import lexicon
from cablegram.network.directory import (
    Collective,
    Directory,
    Membership,
    Office,
    RelayStation,
    RoutingAssignment,
    Station,
    address,
)

__all__ = ["default_directory", "station_kind", "time_zone_of"]


def _strip_prefix(plad: str) -> str:
    for p in lexicon.plad_prefixes():
        if plad.startswith(p + " "):
            return plad[len(p) + 1 :]
    return plad


@cache
def _zones_by_city() -> dict[str, str]:
    out: dict[str, str] = {}
    for key in sorted(zoneinfo.available_timezones()):
        if "/" in key and not key.startswith(("Etc/", "SystemV/", "US/")):
            out.setdefault(key.rsplit("/", 1)[1].replace("_", " ").upper(), key)
    return out


def time_zone_of(plad: str) -> str:
    """The IANA zone of the place an address names (UTC when it names none)."""
    place = _strip_prefix(address(plad))
    overrides = {r["place"]: r["time_zone"] for r in lexicon.read_csv("station_zones.csv")}
    words = place.split()
    for n in range(len(words), 0, -1):  # the longest run of words that names a place
        for i in range(len(words) - n + 1):
            name = " ".join(words[i : i + n])
            if name in overrides:
                return overrides[name]
            if name in _zones_by_city():
                return _zones_by_city()[name]
    return "UTC"


@cache
def _acp_kinds() -> dict[str, str]:
    return {address(r["station"]): r["kind"] for r in lexicon.read_csv("routing_indicators.csv")}


def station_kind(plad: str) -> str:
    """``embassy``, ``consulate`` ... as ACP 117 lists the address, else from its prefix."""
    kind = _acp_kinds().get(plad, "")
    if kind in ("embassy", "consulate", "mission/office", "relay/commcen", "department of state"):
        return kind
    first = plad.split()[0] if plad else ""
    return {"AMEMBASSY": "embassy", "AMCONSUL": "consulate"}.get(
        first, kind if kind != "other" else ""
    )


@cache
def _fm_origins() -> dict[str, str]:
    out: dict[str, str] = {}
    for r in lexicon.read_csv("origins_observed.csv"):
        for plad in r["fm_plad"].split(";"):
            out.setdefault(address(plad), lexicon.origin_token(r["classification_line_origin"]))
    return out


def _origin_of(plad: str) -> str:
    return _fm_origins().get(plad) or lexicon.canonical_origin(plad)


def _is_collective(plad: str, ri: str, collective_ris: set[str]) -> bool:
    return "COLLECTIVE" in plad or ri in collective_ris


# A State post's own relay: the per-addressee counters are kept for its stations (FORMAT §2.7).
_STATE_NETWORK = "RUEH"


@cache
def default_directory() -> Directory:
    """The shipped directory (built once per process)."""
    observed = [
        r
        for r in lexicon.read_csv("routing_indicators_observed.csv")
        if "//" not in r["plad_as_written"] and r["plad_as_written"].strip()
    ]
    collective_ris = {r["collective_ri"] for r in lexicon.read_csv("collectives_observed.csv")}
    collective_ris |= {
        r["indicator"]
        for r in lexicon.read_csv("routing_indicators.csv")
        if r["kind"] == "collective"
    }
    pairs: dict[str, list[tuple[str, int, int, int]]] = defaultdict(
        list
    )  # plad -> (ri, from, to, n)
    collectives: dict[str, str] = {}  # name -> ri
    for r in observed:
        plad, ri = address(r["plad_as_written"]), r["indicator"]
        if _is_collective(plad, ri, collective_ris):
            collectives.setdefault(plad, ri)
            continue
        pairs[plad].append(
            (ri, int(r["first_year"]), int(r["last_year"]), int(r["occurrences"] or 0))
        )
    last_holder: dict[str, int] = {}  # ri -> the last year any address held it
    first_holder: dict[str, int] = {}  # ri -> the first year any address held it
    for items in pairs.values():
        for ri, first, last, _n in items:
            last_holder[ri] = max(last_holder.get(ri, 0), last)
            first_holder[ri] = min(first_holder.get(ri, 9999), first)
    stations = [_station(plad, items, last_holder, first_holder) for plad, items in pairs.items()]
    seen = {s.plad for s in stations}
    held = {a.ri for s in stations for a in s.routing}
    for r in lexicon.read_csv("routing_indicators.csv"):
        plad, ri = address(r["station"]), r["indicator"]
        if r["kind"] == "collective" or "COLLECTIVE" in plad:
            collectives.setdefault(plad, ri)
        elif plad not in seen and ri not in held:
            seen.add(plad)
            stations.append(_make_station(plad, (RoutingAssignment(ri),), ri))
    return Directory.of(stations, _collectives(collectives), _offices(), (), _relays())


def _station(
    plad: str,
    items: list[tuple[str, int, int, int]],
    last_holder: dict[str, int],
    first_holder: dict[str, int],
) -> Station:
    # The most used RI first: it wins where two were in use in the same years.
    items = sorted(items, key=lambda i: (-i[3], i[1]))
    earliest = min(i[1] for i in items)
    latest_start = max(i[1] for i in items)
    routing = []
    for ri, first, last, _n in items:
        superseded = last_holder[ri] > last or (first < latest_start and last < _latest_end(items))
        routing.append(
            RoutingAssignment(
                ri,
                # Open towards the past, unless another address held the RI before.
                None if first == earliest and first_holder[ri] == first else date(first, 1, 1),
                date(last, 12, 31) if superseded else None,
            )
        )
    return _make_station(plad, tuple(routing), items[0][0])


def _latest_end(items: list[tuple[str, int, int, int]]) -> int:
    return max(i[2] for i in items)


def _make_station(plad: str, routing: tuple[RoutingAssignment, ...], ri: str) -> Station:
    return Station(
        plad=plad,
        origin=_origin_of(plad),
        routing=routing,
        kind=station_kind(plad),
        time_zone=time_zone_of(plad),
        numbered=ri.startswith(_STATE_NETWORK),
    )


def _collectives(names: dict[str, str]) -> list[Collective]:
    members: dict[str, list[Membership]] = defaultdict(list)
    named: dict[str, str] = {}
    for r in lexicon.read_csv("collectives_observed.csv"):
        named.setdefault(r["collective_ri"], address(r["collective_name"]))
        if all(m.ri != r["fl2_member_ri"] for m in members[r["collective_ri"]]):
            members[r["collective_ri"]].append(Membership(r["fl2_member_ri"]))
    out = {ri: Collective(ri, name, tuple(members[ri])) for ri, name in named.items()}
    for name, ri in names.items():
        if ri not in out:
            out[ri] = Collective(ri, name, tuple(members.get(ri, ())))
    return list(out.values())


def _relays() -> list[RelayStation]:
    """The relays and commcens ACP 117 lists; each serves the RIs beginning with its
    own (``RUEH`` Beltsville: every RUEH station; ``RUEHL`` the minor relay at
    Libreville), and while down hands its traffic to the relay serving the next
    shorter prefix of its RI, if one is listed."""
    names: dict[str, str] = {}
    for r in lexicon.read_csv("routing_indicators.csv"):
        if r["kind"] == "relay/commcen":
            names.setdefault(r["indicator"], address(r["station"]))
    out = []
    for ri, name in names.items():
        parents = [ri[:n] for n in range(len(ri) - 1, 0, -1) if ri[:n] in names]
        out.append(RelayStation(ri, name, (ri,), tuple(parents[:1])))
    return out


def _offices() -> list[Office]:
    return [
        Office(
            r["station"],
            r["symbol"],
            r["name"],
            r["role"],
            tuple(c for c in r["countries"].split(";") if c),
        )
        for r in lexicon.read_csv("offices.csv")
    ]
