"""Which offices must clear a draft, and whether they have (NETWORK.md §2).

Required by rule:

* NODIS and EXDIS: the Executive Secretariat (offices of role
  ``executive-secretariat``, S/S);
* a collective among the action addressees tasks its posts: each regional
  bureau involved (the bureau of each member station on the date);
* an all-posts collective (ALDAC/ALLDP) anywhere among the addressees: the
  watch office (S/ES-O);
* each action addressee's country: its country desk (offices of role
  ``country-desk`` covering the country), unless the desk is the drafter's own
  station (a post does not clear its reporting with the Department's desk);

plus the offices the drafter asks for.  A clearance counts for the version it
was given on: editing a draft clears its clearances.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cablegram.model import Cable
from cablegram.network.directory import (
    ALL_POSTS,
    COUNTRY_DESK,
    EXECUTIVE_SECRETARIAT,
    REGIONAL_BUREAU,
    WATCH,
    Directory,
    Office,
)
from cablegram.network.drafts import ClearanceRequest

__all__ = ["FULL", "MODES", "ON_DRAFT", "SUBST", "Clearance", "Requirement", "missing", "required"]

# How a clearance was given: in full, on the draft ("(DRAFT)"), by a substitute ("(SUBST)").
FULL, ON_DRAFT, SUBST = "full", "draft", "subst"
MODES = (FULL, ON_DRAFT, SUBST)


@dataclass(frozen=True, slots=True)
class Requirement:
    """An office whose clearance the draft needs, and why."""

    station: str
    office: str
    reason: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.station, self.office)

    def to_dict(self) -> dict[str, str]:
        return {"station": self.station, "office": self.office, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Clearance:
    """A clearance given: by whom, for which office, on which version of the draft."""

    draft: int
    version: int
    station: str
    office: str
    user: str
    mode: str = FULL
    comment: str = ""
    at: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.station, self.office)

    def label(self) -> str:
        """``POL:JSMITH (DRAFT)`` as the 1970s print format wrote clearances."""
        suffix = {ON_DRAFT: " (DRAFT)", SUBST: " (SUBST)"}.get(self.mode, "")
        return f"{self.office}:{self.user.upper()}{suffix}"

    def to_dict(self) -> dict[str, object]:
        return {
            "draft": self.draft,
            "version": self.version,
            "station": self.station,
            "office": self.office,
            "user": self.user,
            "mode": self.mode,
            "comment": self.comment,
            "at": self.at,
        }


def _add(out: dict[tuple[str, str], Requirement], office: Office, reason: str) -> None:
    out.setdefault(office.key, Requirement(office.station, office.symbol, reason))


def required(
    cable: Cable,
    directory: Directory,
    on: date,
    requested: tuple[ClearanceRequest, ...] = (),
) -> list[Requirement]:
    """The clearances ``cable`` needs on ``on``: by rule first, then the drafter's."""
    out: dict[tuple[str, str], Requirement] = {}
    for caption in ("NODIS", "EXDIS"):
        if caption in cable.captions:
            for office in directory.offices_with_role(EXECUTIVE_SECRETARIAT):
                _add(out, office, f"{caption}: the Executive Secretariat clears")
    for a in (*cable.to, *cable.info):
        c = directory.collective(a.name)
        if c is not None and c.kind == ALL_POSTS:
            for office in directory.offices_with_role(WATCH):
                _add(out, office, f"{c.name} addresses all posts: the watch office clears")
    bureaus = {o.symbol: o for o in directory.offices_with_role(REGIONAL_BUREAU)}
    for a in cable.to:
        c = directory.collective(a.name)
        if c is not None and c.kind != ALL_POSTS:
            for ri in c.members_on(on):
                for member in directory.stations_by_ri(ri, on):
                    for bureau in _bureaus_of(member.bureau, member.country, bureaus):
                        _add(
                            out,
                            bureau,
                            f"{c.name} tasks {member.plad}: its regional bureau clears",
                        )
            continue
        station = directory.station(a.name)
        if station is None or station.country is None:
            continue
        for office in directory.offices_with_role(COUNTRY_DESK):
            if station.country in office.countries:
                _add(
                    out,
                    office,
                    f"action addressee {station.plad}: the {station.country} desk clears",
                )
    for r in requested:
        # Kept even when the office is unknown: release is refused until it clears.
        out.setdefault(
            (r.station, r.office), Requirement(r.station, r.office, "asked by the drafter")
        )
    return list(out.values())


def _bureaus_of(
    bureau: str | None, country: str | None, bureaus: dict[str, Office]
) -> list[Office]:
    if bureau and bureau in bureaus:
        return [bureaus[bureau]]
    return [b for b in bureaus.values() if country and country in b.countries]


def missing(
    requirements: list[Requirement], clearances: list[Clearance], version: int
) -> list[Requirement]:
    """The requirements no clearance of ``version`` answers."""
    given = {c.key for c in clearances if c.version == version}
    return [r for r in requirements if r.key not in given]
