"""Versioned migrations on PostgreSQL: a new archive gets every version; an
archive written at an earlier version opens and is upgraded in place with
nothing lost; one written by a newer cablegram is refused."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from backends import new_location
from cablegram.access import may_read
from cablegram.archive import PUBLIC, Archive, ArchiveVersionError
from cablegram.archive.postgres import schema
from cablegram.archive.postgres.connection import connect, transaction
from cablegram.archive.postgres.writer import write_batch
from cablegram.archive.records import make_record
from cablegram.format import parse
from cablegram.format.render import render
from cablegram.format.synth import synth_cables

SEEDS = sorted((Path(__file__).parents[2] / "src/cablegram/data/examples/seeds").glob("*.txt"))


@pytest.fixture
def url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    return new_location("postgres", tmp_path, "mig", request)


def _history(url: str) -> list[int]:
    conn = connect(url, create=False)
    with conn:
        return [v for (v,) in conn.execute("SELECT version FROM schema_history ORDER BY 1")]


def test_a_new_archive_has_every_version(url: str) -> None:
    Archive(url).close()
    assert _history(url) == [v for v, _, _ in schema.MIGRATIONS]
    assert schema.MIGRATIONS[-1][0] == schema.SCHEMA_VERSION


def test_a_version_1_archive_is_upgraded_in_place(url: str) -> None:
    conn = connect(url, create=True)
    schema.migrate(conn, url, upto=1)  # the layout the first release wrote
    records = []
    # The seeds, and synthetic cables the public reader may read.
    texts = [(p.read_text(encoding="utf-8"), str(p)) for p in SEEDS[:6]]
    texts += [(render(c), None) for c in synth_cables(40) if may_read(PUBLIC, c)][:3]
    for text, path in texts:
        records.append(make_record(parse(text), text, fmt="telegram", path=path,
                                   locator=None, metadata={}, source_defects=()))  # fmt: skip
    with transaction(conn):
        # (today's writer fills a column version 6 added: written, then gone)
        conn.execute("ALTER TABLE fts ADD COLUMN pairs INTEGER[] NOT NULL DEFAULT '{}'")
        write_batch(conn, records, put_view=lambda *_: None, on_fields=None)
        conn.execute("ALTER TABLE fts DROP COLUMN pairs")
    conn.close()
    assert _history(url) == [1]
    with Archive(url) as archive:
        assert archive.stats()["cables"] == len({r.id for r in records})
        assert archive.get(records[0].id) is not None
        # What version 2 added works: the sign-in limit.
        attempts = [archive.store.signins.begin("10.0.0.1", limit=2, window=60, now=100.0)
                    for _ in range(3)]  # fmt: skip
        assert [a for a, _ in attempts][2] is None and attempts[2][1] > 0
        # What version 3 added: the public tier, built from the stored cables.
        with archive.as_reader(PUBLIC) as public:
            visible = public.search("").total
        tier = archive.store.conn.execute("SELECT count(*) FROM fts_public").fetchone()[0]
        assert tier == visible > 0
        # What version 6 added: the word pairs of the cables stored before,
        # which phrase searches read first (a phrase of each cable finds it).
        filled = archive.store.conn.execute(
            "SELECT count(*) FROM fts WHERE cardinality(pairs) > 0").fetchone()[0]  # fmt: skip
        assert filled == archive.stats()["cables"]
        phrases = 0
        for record in records:
            words = " ".join(record.body.split()[40:44])
            if len(words.split()) == 4 and words.replace(" ", "").isalpha():
                found = {d["id"] for d in archive.search(f'"{words}"', limit=0).dicts()}
                assert record.id in found, words
                phrases += 1
        assert phrases > 0
    assert _history(url) == [v for v, _, _ in schema.MIGRATIONS]


def test_an_archive_from_a_newer_cablegram_is_refused(url: str) -> None:
    Archive(url).close()
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        schema_name = url.split("schema=")[1]
        conn.execute(
            f'INSERT INTO "{schema_name}".schema_history VALUES (%s, %s, %s)',
            (schema.SCHEMA_VERSION + 1, "from the future", "2099-01-01"),
        )
    with pytest.raises(ArchiveVersionError, match="newer cablegram"):
        Archive(url)
