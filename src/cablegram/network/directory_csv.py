"""The directory as one CSV file (``cablegram directory export|import``).

One row per entry; ``entry`` says which (station, collective, office, person, relay)
and each kind fills its columns.  Lists are ``;``-separated; a dated value is
``VALUE@FROM..TO`` with ISO dates, either end empty when open
(``RUEHTA@..2007-12-31``).  Reading reports the line and column of a bad value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from cablegram.model import Classification
from cablegram.network.directory import (
    Collective,
    Directory,
    DirectoryError,
    Membership,
    Office,
    Person,
    RelayStation,
    ReleaseAuthority,
    RoutingAssignment,
    Station,
)

__all__ = ["COLUMNS", "entry_of", "read_directory_csv", "row_of", "write_directory_csv"]

COLUMNS = (
    "entry", "address", "origin", "routing", "kind", "time_zone", "country", "bureau",
    "numbered", "members", "station", "office", "name", "role", "countries", "user",
    "roles", "release_origins", "release_classification", "release_captions", "prefixes",
    "alternates",
)  # fmt: skip


def _span(value: str, start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return value
    return f"{value}@{start or ''}..{end or ''}"


def _dated(text: str) -> tuple[str, date | None, date | None]:
    value, _, span = text.partition("@")
    if not span:
        return value.strip(), None, None
    lo, sep, hi = span.partition("..")
    if not sep:
        raise DirectoryError(f"{text!r}: a span is FROM..TO")
    try:
        return (
            value.strip(),
            date.fromisoformat(lo) if lo else None,
            date.fromisoformat(hi) if hi else None,
        )
    except ValueError:
        raise DirectoryError(f"{text!r}: dates are YYYY-MM-DD") from None


def _list(text: str) -> list[str]:
    return [x.strip() for x in (text or "").split(";") if x.strip()]


def row_of(entry: Station | Collective | Office | Person | RelayStation) -> dict[str, str]:
    """One entry as a row of the CSV (also how an archive keeps it)."""
    if isinstance(entry, RelayStation):
        r = entry
        return {
            "entry": "relay",
            "address": r.name,
            "routing": r.ri,
            "prefixes": ";".join(r.prefixes),
            "alternates": ";".join(r.alternates),
        }
    if isinstance(entry, Station):
        s = entry
        return {
            "entry": "station",
            "address": s.plad,
            "origin": s.origin,
            "routing": ";".join(_span(a.ri, a.valid_from, a.valid_to) for a in s.routing),
            "kind": s.kind,
            "time_zone": s.time_zone,
            "country": s.country or "",
            "bureau": s.bureau or "",
            "numbered": "yes" if s.numbered else "no",
        }
    if isinstance(entry, Collective):
        c = entry
        return {
            "entry": "collective",
            "address": c.name,
            "routing": _span(c.ri, c.valid_from, c.valid_to),
            "kind": c.kind,
            "members": ";".join(_span(m.ri, m.valid_from, m.valid_to) for m in c.members),
        }
    if isinstance(entry, Office):
        o = entry
        return {
            "entry": "office",
            "station": o.station,
            "office": o.symbol,
            "name": o.name,
            "role": o.role,
            "countries": ";".join(o.countries),
        }
    p = entry
    a = p.authority
    return {
        "entry": "person",
        "user": p.user,
        "station": p.station,
        "office": p.office,
        "name": p.name,
        "roles": ";".join(sorted(p.roles)),
        "release_origins": ";".join(sorted(a.origins)) if a else "",
        "release_classification": a.classification.value if a else "",
        "release_captions": ";".join(sorted(a.captions)) if a else "",
    }


def _rows(d: Directory) -> Iterator[dict[str, str]]:
    yield from (row_of(s) for s in sorted(d.stations.values(), key=lambda s: s.plad))
    yield from (row_of(c) for c in sorted(d.collectives.values(), key=lambda c: c.name))
    yield from (row_of(o) for o in sorted(d.offices.values(), key=lambda o: o.key))
    yield from (row_of(p) for p in sorted(d.people.values(), key=lambda p: p.user))
    yield from (row_of(r) for r in sorted(d.relays.values(), key=lambda r: r.ri))


def write_directory_csv(d: Directory) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in _rows(d):
        w.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue()


def entry_of(r: dict[str, str]) -> Station | Collective | Office | Person | RelayStation:
    kind = r.get("entry", "")
    if kind == "station":
        routing = tuple(RoutingAssignment(*_dated(x)) for x in _list(r["routing"]))
        return Station(
            r["address"],
            r.get("origin") or r["address"],
            routing,
            r.get("kind", ""),
            r.get("time_zone") or "UTC",
            r.get("country") or None,
            r.get("bureau") or None,
            (r.get("numbered") or "yes").lower() in ("yes", "true", "1"),
        )
    if kind == "collective":
        ri, lo, hi = _dated(r["routing"])
        members = tuple(Membership(*_dated(x)) for x in _list(r.get("members", "")))
        return Collective(ri, r["address"], members, r.get("kind") or "regional", lo, hi)
    if kind == "office":
        return Office(
            r["station"],
            r["office"],
            r.get("name", ""),
            r.get("role", ""),
            tuple(_list(r.get("countries", ""))),
        )
    if kind == "person":
        authority = None
        if r.get("release_classification"):
            authority = ReleaseAuthority(
                frozenset(_list(r.get("release_origins", ""))),
                Classification(r["release_classification"].upper()),
                frozenset(_list(r.get("release_captions", ""))),
            )
        return Person(
            r["user"],
            r["station"],
            r["office"],
            frozenset(_list(r.get("roles", ""))),
            authority,
            r.get("name", ""),
        )
    if kind == "relay":
        return RelayStation(
            r["routing"],
            r.get("address", ""),
            tuple(_list(r.get("prefixes", ""))),
            tuple(_list(r.get("alternates", ""))),
        )
    raise DirectoryError(f"unknown entry {kind!r} (station, collective, office, person, relay)")


def read_directory_csv(text: str, path: str = "<input>") -> list[Any]:
    """The entries of a directory CSV; :class:`DirectoryError` names the line."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"entry"} - set(reader.fieldnames or ())
    if missing:
        raise DirectoryError(f"{path}:1: no 'entry' column (columns: {', '.join(COLUMNS)})")
    out = []
    for n, row in enumerate(reader, 2):
        try:
            out.append(entry_of({k: (v or "").strip() for k, v in row.items() if k}))
        except (DirectoryError, KeyError, ValueError) as err:
            raise DirectoryError(f"{path}:{n}: {err}") from None
    return out


def directory_of(entries: Iterable[Any]) -> Directory:
    return Directory().updated(*entries)
