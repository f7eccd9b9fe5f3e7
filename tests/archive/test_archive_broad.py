"""Broad queries (broad.py): an estimated total, facets and a first page from
an even sample, on the dev corpus with the thresholds scaled down to its size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backends import new_location
from cablegram.archive import Archive, broad
from cablegram.archive.query import compile_query

# Words, a phrase, OR, prefixes (counted exactly, sampled by rowid) and a field.
QUERIES = ["the", "embassy", '"of the"', "minister OR government", "govern*", "s* minister",
           "post* class:>=confidential"]  # fmt: skip


@pytest.fixture(scope="module")
def pg_dev_archive(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Archive]:
    archive = Archive(new_location("postgres", tmp_path_factory.mktemp("pg"), "broad", request))
    archive.ingest([corpus / "dev"], workers=2)
    yield archive
    archive.close()


@pytest.fixture(params=["sqlite", "postgres"])
def dev(request: pytest.FixtureRequest) -> Archive:
    """The dev corpus on each backend (measured alike: broad.py)."""
    name = "dev_archive" if request.param == "sqlite" else "pg_dev_archive"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(broad, "BROAD", 40)
    monkeypatch.setattr(broad, "PROBE", 10)
    monkeypatch.setattr(broad, "SAMPLE", 80)
    monkeypatch.setattr(broad, "RANGES", 8)


# PostgreSQL samples a broad prefix query as any other (by rowid ranges: no
# rowid-step pass, see broad.py), which these thresholds find too sparse to
# sample: listed in full and exact there.
@pytest.mark.parametrize(
    ("backend", "query"),
    [("sqlite", q) for q in QUERIES] + [("postgres", q) for q in QUERIES if "*" not in q],
)
def test_broad_results_estimate_the_total_and_rank_a_sample(
    backend: str, small_thresholds: None, query: str, request: pytest.FixtureRequest
) -> None:
    dev: Archive = request.getfixturevalue(
        "dev_archive" if backend == "sqlite" else "pg_dev_archive"
    )
    exact = dev.search(query, limit=0, exact=True)
    every = {d["id"] for d in exact.dicts()}
    assert exact.total_exact and exact.total == len(every) > broad.BROAD
    result = dev.search(query, limit=1000)
    assert result.approximate_rank
    if result.total_exact:
        assert result.total == len(every)
    assert abs(result.total - len(every)) <= 0.15 * len(every), (result.total, len(every))
    assert result.exact_total() == len(every)
    ids = [h.id for h in result.hits]
    assert ids and set(ids) <= every and len(ids) == len(set(ids)) == result.pageable
    # Subject matches first, then newest first within each group.
    from cablegram.archive.results import term_pattern

    pattern = term_pattern(result.plan.terms)
    assert pattern is not None
    in_subject = [pattern.search(h.subject or "") is not None for h in result.hits]
    assert in_subject == sorted(in_subject, reverse=True)
    for group in (True, False):
        dates = [
            h.created or "" for h, s in zip(result.hits, in_subject, strict=True) if s is group
        ]
        assert dates == sorted(dates, reverse=True)
    facets = result.facets()
    assert facets.approximate and facets.total == result.total
    by_class = sum(n for _, n in facets["classification"])
    assert abs(by_class - result.total) <= len(facets["classification"])  # rounding only


@pytest.mark.parametrize(("steps", "listed"), [((2, 8), 50), ((16, 512), 50), ((16, 512), 500)])
@pytest.mark.parametrize(
    ("backend", "query"),
    [
        *(("sqlite", query) for query in ["govern*", "s*", "the*"]),  # the owner's prefixes
        *(
            (backend, query)
            for backend in ("sqlite", "postgres")
            for query in ["class:>=confidential", "after:2003", "tag:PREL"]
        ),
    ],
)
def test_counts_and_samples_many_matches_in_one_evaluation(
    backend: str,
    query: str,
    steps: tuple[int, int],
    listed: int,
    small_thresholds: None,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """The owner's broad prefix query (SQLite), and a query of fields only with
    more matches than are listed (FIELD_ROWIDS, scaled down; both backends),
    is counted exactly and sampled evenly (the matches whose rowid a step
    divides) from the rowids its one evaluation lists by the finer or the
    coarser step, or, when the sample needs a step below both, by a second
    evaluation.  Its facets are estimated from the sample; its pages are
    every match's."""
    from cablegram.archive.postgres import search as pg_search
    from cablegram.archive.sqlite import search

    dev_archive: Archive = request.getfixturevalue(
        "dev_archive" if backend == "sqlite" else "pg_dev_archive"
    )
    monkeypatch.setattr(broad, "SAMPLE_STEPS", steps)
    monkeypatch.setattr(broad, "FIELD_ROWIDS", listed)
    for module in (search, pg_search):  # the sample facets of fields aim at
        monkeypatch.setattr(module, "EXACT_LIMIT", 12)
    store = dev_archive.store
    plan = compile_query(query)
    every = sorted(store._rowid_list(*store._matching(store._query(plan))))  # type: ignore[attr-defined]
    measure = store.measure(plan)  # type: ignore[attr-defined]
    size = broad.SAMPLE if "*" in query else search.EXACT_LIMIT
    assert measure.exact and measure.total == len(every) > size
    if "*" not in query and len(every) <= listed:  # few enough to list: every one
        assert not measure.sample and sorted(measure.rowids or ()) == every
        return
    fine, coarse = steps
    asked = -(-len(every) // size)
    step = asked
    if asked >= fine:  # thinned from a list: a multiple of its step
        base = coarse if asked >= coarse else fine
        step = asked // base * base
    assert measure.sample == (step > 1)
    assert sorted(measure.rowids or ()) == [r for r in every if r % step == 0]
    assert len(measure.rowids or ()) >= size // 2
    result = dev_archive.search(query, sort="date", limit=len(every))
    assert result.total == len(every) and result.total_exact
    assert len({h.id for h in result.hits}) == len(every)  # the page: every match, not the sample
    facets = result.facets()
    assert facets.approximate == (step > 1) and facets.total == len(every)


@pytest.mark.parametrize("query", ["detainees", "visa", '"the embassy"'])
def test_narrow_results_stay_exact(dev: Archive, small_thresholds: None, query: str) -> None:
    # More than PROBE matches, up to BROAD: read on after the first ones and
    # counted.  '"the embassy"' matches more than BROAD, but too sparsely for
    # a sample to save work: listed in full.
    result = dev.search(query, limit=1000)
    assert result.total > broad.PROBE
    assert result.total_exact and not result.approximate_rank
    assert result.total == len(result.hits) == result.exact_total()
    facets = result.facets()
    assert sum(n for _, n in facets["classification"]) == result.total


def test_a_date_sorted_broad_result_pages_through_every_match(
    dev: Archive, small_thresholds: None
) -> None:
    result = dev.search("the", sort="date", limit=2000)
    assert not result.approximate_rank
    assert len(result.hits) == result.exact_total()


@pytest.mark.parametrize("query", ["the", "minister OR government"])
def test_postgres_samples_what_its_planner_expects_broad_at_once(
    pg_dev_archive: Archive, small_thresholds: None, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner's estimate says the word is broad: its sample is the one
    list read (no walk through the first BROAD matches first), and the
    estimate it gives is as good."""
    store = pg_dev_archive.store
    listed: list[int] = []
    list_rowids = type(store)._rowid_list

    def spy(self: object, sql: str, params: list[object], limit: int | None = None) -> list[int]:
        rows = list_rowids(self, sql, params, limit)  # type: ignore[arg-type]
        listed.append(len(rows))
        return rows

    monkeypatch.setattr(type(store), "_rowid_list", spy)
    result = pg_dev_archive.search(query, limit=10)
    every = pg_dev_archive.search(query, limit=0, exact=True).total
    assert not result.total_exact and result.approximate_rank
    assert listed[0] == len(result.measure.rowids or ()) < every
    assert abs(result.total - every) <= 0.15 * every, (result.total, every)


def test_a_wrong_guess_of_broad_is_measured_exactly(
    pg_dev_archive: Archive, small_thresholds: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A planner that expects far more matches than there are: its sample
    scales to BROAD or fewer, and the query is measured exactly."""
    store = pg_dev_archive.store
    narrow = pg_dev_archive.search("detainees", limit=1000)
    assert narrow.total_exact and broad.PROBE < narrow.total <= broad.BROAD
    monkeypatch.setattr(type(store), "_expected_rows", lambda self, sql, params: 1e9)
    again = pg_dev_archive.search("detainees", limit=1000)
    assert again.total_exact and again.total == narrow.total
    assert {h.id for h in again.hits} == {h.id for h in narrow.hits}


def test_postgres_pilots_a_phrase_its_planner_cannot_estimate(
    pg_dev_archive: Archive, small_thresholds: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A phrase's matches are guessed by a pilot over rowids spread across
    the archive, then sampled: two lists read, no walk through its first
    matches, and the estimate as good."""
    top = pg_dev_archive.store.conn.execute("SELECT max(rowid) FROM cables").fetchone()[0]  # type: ignore[attr-defined]
    monkeypatch.setattr(broad, "PILOT_ROWS", top // 5)
    monkeypatch.setattr(broad, "PILOT_FOUND", 5)
    store = pg_dev_archive.store
    listed: list[tuple[int, int | None]] = []
    list_rowids = type(store)._rowid_list

    def spy(self: object, sql: str, params: list[object], limit: int | None = None) -> list[int]:
        rows = list_rowids(self, sql, params, limit)  # type: ignore[arg-type]
        listed.append((len(rows), limit))
        return rows

    monkeypatch.setattr(type(store), "_rowid_list", spy)
    result = pg_dev_archive.search('"of the"', limit=10)
    every = pg_dev_archive.search('"of the"', limit=0, exact=True).total
    assert not result.total_exact and result.approximate_rank
    # The pilot, then the sample; neither walks the first matches (a limit).
    (pilot, walk1), (sample, walk2) = listed
    assert walk1 is walk2 is None and sample == len(result.measure.rowids or ())
    assert broad.PILOT_FOUND <= pilot <= top // 5
    assert abs(result.total - every) <= 0.15 * every, (result.total, every)


@pytest.mark.parametrize("query", ["embassy", '"the embassy"', "emb*", "embassy tag:PREL"])
def test_an_empty_archive_matches_nothing(location: str, query: str) -> None:
    with Archive(location) as empty:
        result = empty.search(query)
        assert (result.total, result.total_exact, result.hits) == (0, True, [])
        assert result.facets().total == 0


def test_postgres_asks_its_planner_only_for_readers_of_the_whole_index(
    pg_dev_archive: Archive, small_thresholds: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner's statistics count cables hidden from a restricted reader:
    its query is measured without them (a pilot or its own matches), so
    hidden cables never decide whether its total is exact."""
    from cablegram.access.principal import Principal
    from cablegram.model import Classification

    store_type = type(pg_dev_archive.store)
    asked: list[str] = []
    expected_rows = store_type._expected_rows

    def spy(self: object, sql: str, params: list[object]) -> float:
        asked.append(sql)
        return expected_rows(self, sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(store_type, "_expected_rows", spy)
    pg_dev_archive.search("minister", limit=5).facets()
    assert asked, "the owner's word is estimated by the planner"
    asked.clear()
    reader = Principal("r", Classification.SECRET, captions=frozenset({"NOFORN"}))
    with pg_dev_archive.as_reader(reader) as restricted:
        restricted.search("minister", limit=5).facets()
    assert asked == []


# Matches spread over time (a word, a field), and matches that cluster at one
# end of the archive's dates (the dev corpus is mostly 2003-2004: its cables
# before 2004 are many, and all older than some 480 others; those after 2003
# all newer than some 230), so that PostgreSQL's window of the newest (or
# oldest) cables (search.py _newest_known) holds too few of them for a page
# and every match is read instead.
DATE_PAGE_QUERIES = ["the", "embassy", "class:>=confidential", "before:2004", "after:2003"]


def _date_key(created: str | None, newest_first: bool) -> tuple[bool, str]:
    """Undated cables last in either order."""
    if created is None:
        return (True, "")
    return (False, "".join(chr(0x10FFFF - ord(ch)) for ch in created) if newest_first else created)


# (``rank`` is date order for a field-only query, relevance for text.)
@pytest.mark.parametrize(
    ("query", "sort"),
    [(q, sort) for q in DATE_PAGE_QUERIES for sort in ("date", "date-asc")]
    + [(q, "rank") for q in DATE_PAGE_QUERIES if q.startswith(("class:", "before:", "after:"))],
)
def test_date_ordered_pages_list_every_match_once_in_date_order(
    dev: Archive, query: str, sort: str
) -> None:
    """Page after page in date order gives every match once, in order."""
    every = dev.search(query, sort=sort, limit=10_000)  # one page of every match, sorted
    created = {h.id: h.created for h in every.hits}
    assert len(created) == every.total > 40 and every.total_exact
    newest_first = sort != "date-asc"
    seen: list[str] = []
    for offset in (0, 20, 40, len(created) - 30):
        ids = [h.id for h in dev.search(query, sort=sort, limit=20, offset=offset).hits]
        assert len(ids) == min(20, len(created) - offset)
        if offset >= len(seen):
            seen += ids
        keys = [_date_key(created[i], newest_first) for i in ids]
        assert keys == sorted(keys), (offset, ids)
    expected = sorted(created, key=lambda i: _date_key(created[i], newest_first))
    # Ties (cables of the same minute) may come in any order: compare dates.
    first = [_date_key(created[i], newest_first) for i in seen[:60]]
    assert first == [_date_key(created[i], newest_first) for i in expected[:60]]
    assert len(set(seen)) == len(seen)


@pytest.mark.parametrize("sort", ["date", "date-asc"])
def test_postgres_reads_date_pages_from_a_window_or_from_every_match(
    pg_dev_archive: Archive, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queries above take every way of reading a page on PostgreSQL: a
    window of the cables in date order; such a window that held too few
    matches (clustered at the other end of time), then every match sorted;
    every match sorted at once (too few of them for a window to pay)."""
    statements: list[str] = []
    conn = pg_dev_archive.store.conn  # type: ignore[attr-defined]
    execute = conn.execute

    def spy(sql: str, *args: object, **kwargs: object) -> object:
        statements.append(str(sql))
        return execute(sql, *args, **kwargs)

    monkeypatch.setattr(conn, "execute", spy)
    taken: set[str] = set()
    for query in DATE_PAGE_QUERIES:
        for offset in (0, 40):
            statements.clear()
            pg_dev_archive.search(query, sort=sort, limit=20, offset=offset)
            window = any("LIMIT %s) c WHERE" in s for s in statements)
            every = any(s.startswith("WITH m AS MATERIALIZED") for s in statements)
            taken.add(" then ".join(w for w, took in (("window", window), ("every match", every))
                                    if took))  # fmt: skip
    assert taken == {"window", "window then every match", "every match"}


# Queries of fields only: dense over time, clustered at either end, sparse.
FIELD_PAGE_QUERIES = ["class:>=confidential", "before:2004", "after:2003", "class:secret"]


@pytest.mark.parametrize("sort", ["date", "date-asc", "rank"])
def test_sqlite_reads_field_only_date_pages_from_a_window_or_from_every_match(
    dev_archive: Archive, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query of fields only with too many matches to sort (SORTABLE scaled
    down) reads its date page from a window of the cables in date order;
    a window short of a page (matches clustered at the other end of time)
    falls back to sorting every match, as too few matches for a window to
    pay do at once.  Every way gives the page sorting every match gives."""
    statements: list[str] = []
    conn = dev_archive.store.conn  # type: ignore[attr-defined]
    taken: set[str] = set()
    newest_first = sort != "date-asc"
    for query in FIELD_PAGE_QUERIES:
        every = dev_archive.search(query, sort=sort, limit=10_000).hits  # sorted, no window
        assert len(every) > 60
        monkeypatch.setattr(broad, "SORTABLE", 10)
        conn.set_trace_callback(statements.append)
        try:
            for offset in (0, 40):
                statements.clear()
                page = dev_archive.search(query, sort=sort, limit=20, offset=offset).hits
                window = any("ON c.rowid = w WHERE" in s for s in statements)
                sorted_all = any(
                    "FROM cables c WHERE" in s and "ORDER BY c.created" in s for s in statements
                )
                taken.add(" then ".join(w for w, took in (("window", window), ("every match", sorted_all))
                                        if took))  # fmt: skip
                # Ties (cables of the same minute) may come in any order: compare dates.
                assert [_date_key(h.created, newest_first) for h in page] == [
                    _date_key(h.created, newest_first) for h in every[offset : offset + 20]
                ], (query, offset)
                assert {h.id for h in page} <= {h.id for h in every}
        finally:
            conn.set_trace_callback(None)
            monkeypatch.undo()
    assert taken == {"window", "window then every match", "every match"}


@pytest.mark.parametrize(
    "query",
    # ("security OR council": subjects with both words rank above those with one)
    ["embassy", "minister OR government", "security OR council", "caption:NOFORN embassy"],
)
def test_postgres_ranks_a_narrow_page_as_ranking_every_match_would(
    pg_dev_archive: Archive, query: str
) -> None:
    """A relevance page of listed matches ranks only the matches whose subject
    holds a query word (found by the subject index), then the rest newest
    first: the same order as ranking every match's subject vector (an OR or
    one word: a subject without them ranks 0, as an empty one does)."""
    store = pg_dev_archive.store
    plan = compile_query(query)
    measure = store.measure(plan)  # type: ignore[attr-defined]
    assert measure.exact and measure.rowids and not measure.sample
    # Every match's subject vector ranked, then newest first (as a page of
    # matches not yet listed is ranked, search.py _from_where).
    every = [row[0] for row in store.conn.execute(  # type: ignore[attr-defined]
        "SELECT c.id FROM fts f JOIN cables c ON c.rowid = f.rowid WHERE f.rowid = ANY(%s)"
        " ORDER BY ts_rank('{0.25, 0.25, 0.25, 1.0}'::float4[], f.head, %s::tsquery) DESC,"
        " c.created DESC NULLS LAST, c.rowid",
        (list(measure.rowids), store._query(plan).match))]  # type: ignore[attr-defined]  # fmt: skip
    paged: list[str] = []
    for offset in range(0, len(every), 7):
        paged += [h.id for h in pg_dev_archive.search(query, limit=7, offset=offset).hits]
    assert paged == every
    subject_first = pg_dev_archive.search(query, limit=len(every)).hits
    assert any(h.score > 0 for h in subject_first) and subject_first[-1].score == 0
