"""Phrases on PostgreSQL are searched first by the keys of their word pairs
(``fts.pairs``), then checked on the text vector: a cable holding a phrase
must hold every key, or a phrase would miss it.  The keys written at ingest
(from the tokens) are the keys of the stored vector's adjacent positions
(what migration 6 derives for older archives), and long, repetitive and
non-ASCII texts keep them so."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends import new_location
from cablegram.archive import Archive
from cablegram.archive.postgres.writer import vector_pairs

SEEDS = Path(__file__).parents[2] / "src/cablegram/data/examples/seeds"


@pytest.fixture
def url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    return new_location("postgres", tmp_path, "pairs", request)


def test_the_pairs_written_are_the_vectors_pairs(url: str, corpus: Path) -> None:
    with Archive(url) as archive:
        archive.ingest([corpus / "dev"], workers=2)
        rows = archive.store.conn.execute("SELECT rowid, doc::text, pairs FROM fts").fetchall()
        assert len(rows) > 700
        for rowid, doc, pairs in rows:
            # (more when a word has over 256 positions, which the vector drops)
            assert set(pairs) >= set(vector_pairs(doc)), rowid


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ("word " * 20000 + "closing remark", "word word"),  # positions past 16,383
        ("the " * 300 + "end of it", "end of it"),  # a word past its 256 positions
        ("before " + "x" * 2100 + " after the long word", "before after"),  # a word not indexed
        ("la défense nationale ¶ 3. Anti-war state.gov", "defense nationale"),
        ("the anti-war campaign at state.gov today", "war campaign at state gov"),
    ],
)
def test_a_phrase_is_found_whatever_the_text(
    url: str, tmp_path: Path, body: str, phrase: str
) -> None:
    path = tmp_path / "cable.txt"
    path.write_text(
        "UNCLASSIFIED\n\nE.O. 12958: N/A\nTAGS: PREL\nSUBJECT: A TEST OF PHRASES\n\n1. "
        + body
        + "\n",
        encoding="utf-8",
    )
    with Archive(url) as archive:
        archive.ingest([path])
        # What the vector alone answers (every cable's positions read).
        query = " <-> ".join(f"'{w}'" for w in phrase.split())
        (vector,) = archive.store.conn.execute(
            "SELECT count(*) FROM fts WHERE doc @@ %s::tsquery", (query,)).fetchone()  # fmt: skip
        assert vector == 1
        assert archive.search(f'"{phrase}"', limit=0).total == 1
