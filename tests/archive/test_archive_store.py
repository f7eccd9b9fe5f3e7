"""Store behaviour on hand-made cables: copies, alias resolution, late links,
visibility inside every query, reindex and export."""

from __future__ import annotations

import csv
import io
import json
import threading
from pathlib import Path

from archive_fixtures import cable, record

from cablegram.access.principal import Principal
from cablegram.archive import Archive
from cablegram.archive.export import write_csv, write_jsonl, write_parquet
from cablegram.archive.graph import thread as thread_of
from cablegram.model import Classification, Defect

TAIPEI = cable(
    id="09AITTAIPEI975", origin="AIT TAIPEI", created="2009-08-14T09:00:00Z",
    classification="CONFIDENTIAL", tags=["PREL", "TW"], subject="TAIWAN TYPHOON RELIEF",
    body="Typhoon Morakot relief flights landed today.",
)  # fmt: skip
CITER = cable(
    id="09STATE90001", origin="STATE", created="2009-09-01T12:00:00Z",
    classification="SECRET", tags=["PREL"], subject="FOLLOW UP ON RELIEF",
    references=[{"label": "A", "text": "TAIPEI 975", "id": "09TAIPEI975"},
                {"label": "B", "text": "MEMCON 5 AUG", "id": None},
                {"label": "C", "text": "STATE 12", "id": "09STATE12"}],
    body="Department thanks post for the typhoon report.",
)  # fmt: skip
LATE = cable(
    id="09STATE12", origin="STATE", created="2009-01-05T00:00:00Z",
    classification="UNCLASSIFIED", tags=["AMGT"], subject="EARLY GUIDANCE",
    body="Guidance on relief procedures.",
)  # fmt: skip


def test_alias_resolution_and_late_arrivals(small: Archive) -> None:
    small.store.write([record(TAIPEI), record(CITER)])
    links = small.refs("09STATE90001")
    assert links is not None
    assert [(link.status, link.targets) for link in links] == [
        ("archive", ("09AITTAIPEI975",)), ("not-a-cable", ()), ("missing", ()),
    ]  # fmt: skip
    assert [n.id for n in small.cited_by("09AITTAIPEI975") or []] == ["09STATE90001"]
    assert small.get("09TAIPEI975") == small.get("09AITTAIPEI975")  # alias spelling finds it
    # Not yet in the archive: cited-by answers from the REFs that name it.
    assert [n.id for n in small.cited_by("09STATE12") or []] == ["09STATE90001"]
    assert small.cited_by("09STATE77777") is None  # nobody cites it
    small.store.write([record(LATE)])  # cited cable arrives later: linked by the join
    assert small.refs("09STATE90001")[2].targets == ("09STATE12",)  # type: ignore[index]
    assert [n.id for n in small.cited_by("09STATE12") or []] == ["09STATE90001"]
    thread = small.thread("09STATE90001")  # ancestors and descendants, by date
    assert thread is not None
    assert [n.id for n in thread.ordered()] == ["09STATE12", "09AITTAIPEI975", "09STATE90001"]
    assert thread.edges == {("09STATE90001", "09AITTAIPEI975"), ("09STATE90001", "09STATE12")}
    sibling = small.thread("09STATE12")  # a cable cited beside it is not its ancestor
    assert [n.id for n in sibling.ordered()] == ["09STATE12", "09STATE90001"]  # type: ignore[union-attr]
    # One step each way; a limit stops the walk before a step.
    one = thread_of(small.store, "09STATE90001", depth=1)
    assert one is not None and one.nodes.keys() == {"09STATE90001", "09AITTAIPEI975", "09STATE12"}
    alone = thread_of(small.store, "09STATE90001", limit=1)
    assert alone is not None and alone.nodes.keys() == {"09STATE90001"} and alone.edges == set()


def test_copies_merge_and_the_best_copy_gives_the_fields(small: Archive) -> None:
    poor = cable(id="09STATE12", origin="STATE", subject="GARBLED",
                 defects=[{"code": "X", "message": "bad"}], body="garbled copy")  # fmt: skip
    counts = small.store.write([record(poor, "copy one"), record(LATE, "copy two")])
    assert (counts.new, counts.merged, counts.updated) == (1, 1, 1)
    assert small.get("09STATE12").subject == "EARLY GUIDANCE"  # type: ignore[union-attr]
    assert small.search("garbled").total == 0  # the replaced copy left the index
    assert small.search("guidance").total == 1
    copies = small.copies("09STATE12")
    assert [(c.text, c.primary) for c in copies] == [("copy one", False), ("copy two", True)]
    again = small.store.write([record(poor, "copy one")])
    assert (again.unchanged, again.new, again.merged) == (1, 0, 0)


def test_a_batch_sees_its_own_earlier_records(small: Archive) -> None:
    """Rows are written per table at the end of a batch: later records of the
    batch must still see the cables, copies and fields earlier ones created."""

    def copy(word: str, ndefects: int) -> object:
        defects = [{"code": "X", "message": "bad"}] * ndefects
        return cable(id="09STATE12", origin="STATE", subject=word.upper(),
                     defects=defects, body=f"{word} text")  # fmt: skip

    first = small.store.write([record(copy("alpha", 3), "a")])
    assert (first.new, first.updated) == (1, 0)
    # One batch: two better copies of a stored cable, a repeat, and a worse one.
    counts = small.store.write([record(copy("bravo", 2), "b"), record(copy("charlie", 0), "c"),
                                record(copy("bravo", 2), "b"), record(copy("delta", 1), "d")])  # fmt: skip
    assert (counts.new, counts.merged, counts.updated, counts.unchanged) == (0, 3, 2, 1)
    assert small.get("09STATE12").subject == "CHARLIE"  # type: ignore[union-attr]
    assert [small.search(w).total for w in ("alpha", "bravo", "charlie", "delta")] == [0, 0, 1, 0]
    assert [c.text for c in small.copies("09STATE12")] == ["a", "b", "c", "d"]
    assert small.stats()["cables"] == 1
    # The same within a batch that also creates the cable.
    counts = small.store.write([record(TAIPEI, "t1"), record(CITER, "s1"), record(TAIPEI, "t1")])
    assert (counts.new, counts.unchanged) == (2, 1)
    assert [n.id for n in small.cited_by("09AITTAIPEI975") or []] == ["09STATE90001"]


def test_reader_rule_applies_inside_every_query(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite"
    with Archive(path) as full:
        full.store.write([record(TAIPEI), record(CITER), record(LATE)])
    confidential = Principal("c", Classification.CONFIDENTIAL)
    with Archive(path, principal=confidential) as reader:
        assert reader.search("typhoon").total == 1  # the SECRET citer is hidden
        assert {h.id for h in reader.search("relief OR guidance OR typhoon", limit=9)} == {
            "09AITTAIPEI975", "09STATE12",
        }  # fmt: skip
        facets = reader.search("tag:PREL").facets()
        assert facets["classification"] == [("CONFIDENTIAL", 1)]
        assert reader.get("09STATE90001") is None
        assert reader.cited_by("09AITTAIPEI975") == []  # the SECRET citer stays hidden
        assert reader.stats()["cables"] == 2
        assert reader.thread("09STATE12").edges == set()  # type: ignore[union-attr]


def test_reindex_rebuilds_from_stored_copies(tmp_path: Path) -> None:
    from cablegram.format.render import render

    seeds = Path(__file__).resolve().parents[2] / "src/cablegram/data/examples/seeds"
    with Archive(tmp_path / "r.sqlite") as archive:
        archive.ingest([seeds, render(CITER).encode()], workers=1)
        before = archive.stats()
        hits_before = [h.id for h in archive.search("detainees", limit=5)]
        report = archive.reindex(workers=1)
        assert report.counts.new == before["cables"]
        assert archive.stats() == before
        assert [h.id for h in archive.search("detainees", limit=5)] == hits_before


def test_export_formats_and_pandas(small: Archive, tmp_path: Path) -> None:
    small.store.write([record(TAIPEI), record(CITER), record(LATE)])
    out = io.StringIO()
    assert write_jsonl(small.search("tag:PREL").dicts(), out) == 2
    assert {json.loads(line)["id"] for line in out.getvalue().splitlines()} == {
        "09AITTAIPEI975", "09STATE90001",
    }  # fmt: skip
    out = io.StringIO()
    write_csv(small.search("class:secret").dicts(), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["id"], r["references"]) for r in rows] == [("09STATE90001", "09TAIPEI975 09STATE12")]
    assert (
        write_parquet(small.search("relief OR guidance").dicts(), str(tmp_path / "x.parquet")) == 3
    )
    frame = small.search("tag:PREL").to_pandas()
    assert sorted(frame["id"]) == ["09AITTAIPEI975", "09STATE90001"]


def test_source_defects_survive_in_copies(small: Archive) -> None:
    from cablegram.archive.records import make_record

    rec = make_record(TAIPEI, "text", fmt="cablegate-html", path="p.html", locator=None,
                      metadata={"k": 1}, source_defects=(Defect("MARKUP_RESIDUE", "m", 2),))  # fmt: skip
    small.store.write([rec])
    row = small.store.conn.execute("SELECT format, metadata, source_defects FROM copies").fetchone()
    assert (row[0], json.loads(row[1]), json.loads(row[2])) == (
        "cablegate-html", {"k": 1}, [["MARKUP_RESIDUE", "m", 2]])  # fmt: skip


def test_an_archive_in_memory_leaves_no_file(tmp_path: Path, monkeypatch) -> None:
    """``:memory:`` is not a file name: its side file (reads and sign-in
    attempts) is in memory too, not ``:memory:-audit`` in the working folder."""
    monkeypatch.chdir(tmp_path)
    reader = Principal("r", Classification.SECRET)
    with Archive(":memory:", principal=reader) as archive:
        archive.store.write([record(TAIPEI)])
        assert archive.get("09AITTAIPEI975") is not None  # a restricted read is recorded
        assert archive.search("typhoon").total == 1
    assert list(tmp_path.iterdir()) == []


def test_archives_opened_at_once_on_a_new_file_all_open(tmp_path: Path) -> None:
    """Several web workers' first requests (or ingest processes) opening one new
    SQLite archive together: while one creates a file or turns it to WAL, SQLite
    refuses the others at once ("database is locked", where waiting could
    deadlock); each must wait its turn, not fail as "not a cablegram archive"."""
    failures: list[Exception] = []
    for trial in range(30):  # the race was lost in about one trial in six
        path = str(tmp_path / f"{trial}.sqlite")
        start = threading.Barrier(6)

        def open_and_search(path: str = path, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                with Archive(path) as archive:
                    archive.search("detainees")
            except Exception as error:  # collected for the assertion
                failures.append(error)

        threads = [threading.Thread(target=open_and_search) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
