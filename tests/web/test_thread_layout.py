"""The thread drawing (web/thread_layout.py): time left to right, a cable right
of what it cites, few crossings, every label inside the drawing."""

from __future__ import annotations

from itertools import combinations, pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablegram.web import thread_layout
from cablegram.web.thread_layout import CHAR, DATE_LINE, ThreadLayout, layout

Node = tuple[str, str | None, str | None, str | None]


def node(cid: str, day: str | None) -> Node:
    return (cid, f"{day}T10:00:00Z" if day else None, f"SUBJECT OF {cid}", "CONFIDENTIAL")


def crossings(drawing: ThreadLayout) -> int:
    """Pairs of citation segments that cross between two neighbouring columns
    (segments run from point to point of an edge's route)."""
    segments = [
        (a, b)
        for e in drawing.edges
        if all(x1 > x2 for (x1, _), (x2, _) in pairwise(e.points))
        for a, b in pairwise(e.points)
    ]
    count = 0
    for (a1, b1), (a2, b2) in combinations(segments, 2):
        same_gap = abs(a1[0] - a2[0]) < 30 and abs(b1[0] - b2[0]) < 30
        if same_gap and (a1[1] - a2[1]) * (b1[1] - b2[1]) < 0:
            count += 1
    return count


def test_a_chain_runs_left_to_right() -> None:
    nodes = [node("03A1", "2003-01-01"), node("03B2", "2003-02-01"), node("03C3", "2003-03-01")]
    drawing = layout("03B2", nodes, [("03B2", "03A1"), ("03C3", "03B2")])
    placed = {n.id: n for n in drawing.nodes}
    assert [placed[c].column for c in ("03A1", "03B2", "03C3")] == [0, 1, 2]
    assert placed["03A1"].x < placed["03B2"].x < placed["03C3"].x
    assert placed["03A1"].y == placed["03B2"].y == placed["03C3"].y  # a chain is straight
    assert placed["03B2"].root and not placed["03A1"].root
    for e in drawing.edges:  # from the citer's left side to the cited's right side
        assert e.points[0][0] < placed[e.source].x and e.points[-1][0] > placed[e.target].x
    assert [c.dates for c in drawing.columns] == [("2003-01-01",), ("2003-02-01",),
                                                   ("2003-03-01",)]  # fmt: skip


def test_cables_citing_nothing_of_a_column_share_it() -> None:
    """Columns are as few as the citations allow: cables that cite nothing in
    the column before them stay in it, whatever their dates."""
    nodes = [node("03A1", "2003-01-01"), node("04B2", "2004-01-01"), node("05C3", "2005-01-01")]
    drawing = layout("03A1", nodes, [("05C3", "03A1")])
    assert {n.id: n.column for n in drawing.nodes} == {"03A1": 0, "04B2": 0, "05C3": 1}
    assert drawing.columns[0].dates == ("2003-01", "to 2004-01")


def test_crossings_are_avoided_where_they_can_be() -> None:
    """In date order P would cite down to Y and Q up to X; the layout swaps a
    column so that the citations do not cross."""
    nodes = [node("01X1", "2001-01-01"), node("01Y2", "2001-02-01"),
             node("01P3", "2001-03-01"), node("01Q4", "2001-04-01")]  # fmt: skip
    drawing = layout("01P3", nodes, [("01P3", "01Y2"), ("01Q4", "01X1")])
    y = {n.id: n.y for n in drawing.nodes}
    assert (y["01P3"] - y["01Q4"]) * (y["01Y2"] - y["01X1"]) > 0
    assert crossings(drawing) == 0


def test_long_citations_pass_through_waypoints_not_cables() -> None:
    nodes = [node("01A1", "2001-01-01"), node("02B2", "2002-01-01"), node("03C3", "2003-01-01"),
             node("04D4", "2004-01-01")]  # fmt: skip
    edges = [("02B2", "01A1"), ("03C3", "02B2"), ("04D4", "03C3"), ("04D4", "01A1")]
    drawing = layout("01A1", nodes, edges)
    long = next(e for e in drawing.edges if (e.source, e.target) == ("04D4", "01A1"))
    assert len(long.points) == 4  # through the two columns between
    cables = {(round(n.x), round(n.y)) for n in drawing.nodes}
    assert not {(round(x), round(y)) for x, y in long.points[1:-1]} & cables


def test_against_time_citations_are_arcs_inside_the_drawing() -> None:
    """A cable that cites a later (or undated) one: the arc stays in the box."""
    nodes = [node("03A1", "2003-01-01"), node("03B2", "2003-02-01"), node("X", None)]
    drawing = layout("03A1", nodes, [("03A1", "03B2"), ("03B2", "X")])
    for e in drawing.edges:
        assert e.path.startswith("M ") and " Q " in e.path
        lift = float(e.path.split(" Q ")[1].split()[1])
        assert 0 <= lift <= drawing.height
    assert next(n for n in drawing.nodes if n.id == "X").day == "undated"


def _inside(drawing: ThreadLayout) -> None:
    for n in drawing.nodes:
        half = max(len(n.id), 10) * CHAR / 2
        column = drawing.columns[n.column]
        assert column.x - column.width / 2 <= n.x - half and n.x + half <= (
            column.x + column.width / 2
        )  # the label fits its column
        assert n.x - half >= 0 and n.x + half <= drawing.width
        assert n.y - n.radius >= 0 and n.y + DATE_LINE + 4 <= drawing.height
    by_column: dict[int, list[float]] = {}
    for n in drawing.nodes:
        by_column.setdefault(n.column, []).append(n.y)
    for ys in by_column.values():  # a cable's labels end above the next cable's dot
        for upper, lower in pairwise(sorted(ys)):
            assert lower - upper >= DATE_LINE + 4 + thread_layout.ROOT_R


dates = st.one_of(st.none(), st.dates().map(lambda d: d.isoformat()))


@st.composite
def threads(draw: st.DrawFn) -> tuple[list[Node], list[tuple[str, str]]]:
    days = draw(st.lists(dates, min_size=1, max_size=24))
    nodes = [node(f"{i:02d}POST{i}", day) for i, day in enumerate(days)]
    ids = [n[0] for n in nodes]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=40))
    return nodes, [(a, b) for a, b in pairs if a != b]


@settings(max_examples=60, deadline=None)
@given(threads())
def test_any_thread_is_drawn_in_time_inside_its_box(
    thread: tuple[list[Node], list[tuple[str, str]]],
) -> None:
    nodes, edges = thread
    drawing = layout(nodes[0][0], nodes, edges)
    placed = {n.id: n for n in drawing.nodes}
    assert set(placed) == {n[0] for n in nodes} and sum(n.root for n in drawing.nodes) == 1
    dated = sorted((n for n in drawing.nodes if n.created), key=lambda n: n.created or "")
    for earlier, later in pairwise(dated):  # time runs left to right
        assert earlier.x <= later.x
    for a, b in set(edges):
        citer, cited = placed[a], placed[b]
        if citer.created and cited.created and cited.created < citer.created:
            assert cited.column < citer.column  # right of what it cites
    _inside(drawing)


@pytest.fixture(scope="module")
def demo_thread(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Node], list]:
    """The largest thread of the demo archive (40-odd synthetic cables)."""
    from cablegram.archive import Archive
    from cablegram.archive.demo import demo_sources

    with Archive(tmp_path_factory.mktemp("thread") / "demo.sqlite") as archive:
        archive.ingest(demo_sources(2000), workers=1)
        best = max(
            (
                archive.thread(h.id, depth=4)
                for h in archive.search("date:2003", sort="date-asc", limit=400)
            ),
            key=lambda t: len(t.nodes) if t else 0,
        )
    assert best is not None
    nodes = [(n.id, n.created, n.subject, n.classification) for n in best.ordered()]
    return best.root, nodes, sorted(best.edges)


def test_a_forty_cable_thread_is_readable(demo_thread: tuple[str, list[Node], list]) -> None:
    root, nodes, edges = demo_thread
    assert len(nodes) >= 40
    drawing = layout(root, nodes, edges)
    _inside(drawing)
    assert drawing.width <= 1700  # scaled to a page's width, its text stays legible
    unordered = thread_layout.SWEEPS
    try:
        thread_layout.SWEEPS = 0  # the same drawing without crossing reduction
        baseline = crossings(layout(root, nodes, edges))
    finally:
        thread_layout.SWEEPS = unordered
    assert crossings(drawing) <= baseline / 2
