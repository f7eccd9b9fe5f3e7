"""Access on the two real seed cables, parsed by the real parser."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources

import pytest

from cablegram.access import (
    PUBLIC,
    Action,
    Decision,
    DeclassState,
    Principal,
    access_facts,
    declass_status,
    may_read,
    public_view,
    redact,
)
from cablegram.model import Cable, Classification, to_dict

try:  # the parser is built alongside this package; skip until it exists
    from cablegram.format.parse import parse
except ImportError:  # pragma: no cover
    pytest.skip("cablegram.format.parse not available", allow_module_level=True)


# Header-level fields a release in part keeps (docs/access.md).
HEADER_FIELDS = ("eo", "classified_by", "references", "from", "to", "info", "captions", "tags")


def seed(name: str) -> Cable:
    path = resources.files("cablegram").joinpath("data", "examples", "seeds", f"{name}.txt")
    return parse(path.read_bytes())


def _strings(value: object) -> list[str]:
    """Every string value in a JSON-like tree (keys excluded: they are schema words)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}


def test_secret_seed_released_in_part_at_confidential_leaks_nothing() -> None:
    cable = seed("06ALMATY2872")
    assert access_facts(cable).classification is Classification.SECRET
    view = redact(cable, Classification.CONFIDENTIAL)
    assert [p.number for p in view.paragraphs if not p.text.startswith("withheld")] == [5]
    assert view.summary is None  # the summary is in the SECRET paragraph 1
    withheld = set().union(*(_words(p.text) for p in cable.paragraphs if p.marking == "S"))
    kept = _words(" ".join(_strings(to_dict(view))))
    header = _words(" ".join([cable.subject or "", *cable.distribution, cable.paragraphs[4].text]))
    header |= _words(" ".join(_strings([to_dict(cable)[k] for k in HEADER_FIELDS])))
    assert (withheld - header) & kept == set()


def test_seed_access_and_declassification() -> None:
    sbu = seed("06ALMATY1703")
    secret = seed("06ALMATY2872")
    assert not may_read(PUBLIC, sbu)  # SENSITIVE caption
    assert may_read(Principal("a", Classification.UNCLASSIFIED, sbu=True), sbu)
    assert not may_read(Principal("a", Classification.CONFIDENTIAL), secret)
    assert declass_status(secret, date(2011, 1, 1)).date == date(2016, 8, 8)
    assert declass_status(secret, date(2016, 8, 8)).status is DeclassState.DECLASSIFIED
    assert declass_status(sbu, date(2011, 1, 1)).status is DeclassState.UNCLASSIFIED
    decision = Decision(
        "06ALMATY2872", Action.RELEASE_IN_PART, "1.4(d)", "reviewer", date(2020, 1, 1)
    )
    view = public_view(secret, decision)
    assert view is not None
    assert [p.text for p in view.paragraphs].count("withheld under 1.4(d)") == 6
