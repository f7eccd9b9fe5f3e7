"""The same queries find the same cables on both backends.

The dev corpus is ingested into an SQLite archive and a PostgreSQL one;
every query (words, phrases, prefixes, the subject field, boolean
operators, fields, and the mixes of them) must find the same set of ids on
both, for the owner and for readers the access rule limits.  Phrase and
prefix semantics differ between FTS5 and tsquery unless both index the same
tokens (tree.tokens) and the compilers agree: this is where a drift shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backends import new_location
from cablegram.access import PUBLIC, Principal
from cablegram.archive import Archive
from cablegram.model import Classification

QUERIES = (
    "iran",
    "nuclear iran",
    '"embassy officials"',
    '"u.s. government"',
    '"prime minister"',
    '"united states government"',
    "negotiat*",
    "nuc*",
    "foreign-minist*",  # a phrase ending in a prefix
    "subject:human-righ*",
    "subject:iran",
    'subject:"human rights"',
    "subject:iran nuclear",  # a subject word and a text word
    "subject:iran -nuclear",  # a subject word and a negation only
    "nuclear -subject:iran",
    "iran OR iraq",
    "iran -nuclear",
    "(election OR elections) -fraud",
    "NOT iran",
    "tag:PREL",
    "tag:PREL iran",
    "tag:PR*",
    "origin:paris OR origin:london",
    "to:secstate",
    "class:secret",
    "elect* -election",
    "tag:PREL OR tag:PGOV",
    "to:paris",
    "signer:clinton",
    "prec:immediate",
    "défense*",
    "has:refs nuclear",
    "has:copies",
    "after:2009-01-01 before:2009-07-01",
    "caption:noforn",
    "1969",
    "défense",
    "u.s.",
)


@pytest.fixture(scope="module")
def archives(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[tuple[Archive, Archive]]:
    tmp = tmp_path_factory.mktemp("parity")
    pair = [Archive(new_location(b, tmp, "parity", request)) for b in ("sqlite", "postgres")]
    for archive in pair:
        archive.ingest([corpus / "dev"], workers=2)
    yield pair[0], pair[1]
    for archive in pair:
        archive.close()


def _ids(archive: Archive, query: str) -> set[str]:
    return {d["id"] for d in archive.search(query, limit=0).dicts()}


@pytest.mark.parametrize("query", QUERIES)
def test_the_owner_finds_the_same_cables(archives: tuple[Archive, Archive], query: str) -> None:
    lite, pg = archives
    found = _ids(lite, query)
    assert _ids(pg, query) == found
    assert pg.search(query).total == lite.search(query).total == len(found)


def test_the_queries_find_something(archives: tuple[Archive, Archive]) -> None:
    """(A query finding nothing on both would prove nothing.)"""
    empty = [q for q in QUERIES if not _ids(archives[0], q)]
    assert empty == []


@pytest.mark.parametrize(
    "reader",
    [PUBLIC, Principal(name="analyst", clearance=Classification.CONFIDENTIAL, sbu=True)],
    ids=["public", "confidential"],
)
@pytest.mark.parametrize("query", ["iran", '"prime minister"', "negotiat*", "tag:PREL", ""])
def test_readers_find_the_same_cables(
    archives: tuple[Archive, Archive], reader: Principal, query: str
) -> None:
    lite, pg = (a.as_reader(reader) for a in archives)
    with lite, pg:
        found = _ids(lite, query)
        assert _ids(pg, query) == found
        assert pg.stats()["cables"] == lite.stats()["cables"]
        # A ranked first page (the ranking differs by backend; what it ranks does not).
        for archive in (lite, pg):
            page = {h.id for h in archive.search(query, limit=10)}
            assert page <= found and len(page) == min(10, len(found))


@pytest.mark.parametrize("query", ["iran", '"prime minister"', "subject:iran nuclear", "nuc*"])
@pytest.mark.parametrize("sort", ["rank", "date"])
def test_a_first_page_is_the_head_of_every_match(
    archives: tuple[Archive, Archive], query: str, sort: str
) -> None:
    """A narrow result's page comes from the matches measured first, not from
    matching the text again (PostgreSQL): in the same order as all of them."""
    for archive in archives:
        every = [d["id"] for d in archive.search(query, sort=sort, limit=0).dicts()]
        for offset in (0, 5):
            page = [h.id for h in archive.search(query, sort=sort, limit=5, offset=offset)]
            assert page == every[offset : offset + 5], archive.store
