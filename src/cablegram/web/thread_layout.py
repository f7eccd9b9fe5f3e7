"""Where the thread page draws each cable and citation (a layered layout).

Time runs left to right and citations form the layers: cables are taken in
date order, and each goes in the column of the cable before it unless it
cites a cable of that column, in which case it opens the next one.  So every
column is a stretch of time, a cable stands right of everything it cites, and
the columns stay as few as the citations allow.  A citation that spans
several columns passes through a waypoint in each column between (so it is
routed around cables, not through them); the order of cables and waypoints
in each column is chosen by barycentre sweeps to avoid crossings (the order
with the fewest is kept), and their heights by least squares: as close as
the order and spacing allow to the heights of what they connect to, which
straightens chains.  Sizes are in SVG user units; the page scales the drawing
to its width, and the box holds every label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

NODE_R, ROOT_R = 7.0, 10.0
ID_LINE, DATE_LINE = 22.0, 35.0  # label baselines below a cable's dot
CABLE = (ROOT_R + 2, DATE_LINE + 5)  # room above and below a cable's centre
WAYPOINT = (6.0, 6.0)  # room above and below a citation passing through a column
SPACING = 8.0  # between the rooms of neighbours in a column
CHAR = 6.7  # width of a label character in the drawing's 11 px monospace
COLUMN_GAP = 26.0  # between the widest labels of neighbouring columns
HEAD = 44.0  # above the first row: the column's dates (two lines)
MARGIN = 12.0
SWEEPS = 12


@dataclass(frozen=True, slots=True)
class PlacedNode:
    id: str
    created: str | None
    subject: str | None
    classification: str | None
    column: int
    x: float
    y: float
    root: bool

    @property
    def radius(self) -> float:
        return ROOT_R if self.root else NODE_R

    @property
    def id_y(self) -> float:
        return self.y + ID_LINE

    @property
    def date_y(self) -> float:
        return self.y + DATE_LINE

    @property
    def day(self) -> str:
        return self.created[:10] if self.created else "undated"


@dataclass(frozen=True, slots=True)
class PlacedEdge:
    source: str  # the citing cable
    target: str  # the cited cable
    points: tuple[tuple[float, float], ...]  # from the citer, through waypoints, to the cited
    path: str  # SVG path data


@dataclass(frozen=True, slots=True)
class Column:
    x: float  # centre
    width: float
    dates: tuple[str, ...]  # the stretch of time the column holds, one or two lines


@dataclass(frozen=True, slots=True)
class ThreadLayout:
    width: float
    height: float
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    columns: tuple[Column, ...]


def _columns(order: Sequence[str], cites: dict[str, list[str]]) -> dict[str, int]:
    """Column of each cable: the previous cable's, or the next one when it
    cites a cable there.  Cites of later cables (undated, misdated) do not count."""
    column: dict[str, int] = {}
    current = 0
    for cid in order:
        needed = max((column[c] + 1 for c in cites.get(cid, ()) if c in column), default=0)
        current = max(current, needed)
        column[cid] = current
    return column


def _crossings(layers: list[list[str]], links: dict[str, set[str]]) -> int:
    """Crossings between neighbouring columns, counted on the orders."""
    total = 0
    for left, right in pairwise(layers):
        where = {v: i for i, v in enumerate(left)}
        ends = sorted(
            (i, where[w]) for i, v in enumerate(right) for w in links.get(v, ()) if w in where
        )
        for a, (i1, j1) in enumerate(ends):
            for i2, j2 in ends[a + 1 :]:
                if i2 > i1 and j2 < j1:
                    total += 1
    return total


def _barycentre_order(layers: list[list[str]], links: dict[str, set[str]]) -> list[list[str]]:
    """Orders of the columns with few crossings (barycentre sweeps, best kept)."""
    best = [list(layer) for layer in layers]
    fewest = _crossings(best, links)
    current = [list(layer) for layer in layers]
    for sweep in range(SWEEPS):
        indices = range(1, len(current)) if sweep % 2 == 0 else range(len(current) - 2, -1, -1)
        for i in indices:
            ref = current[i - 1] if sweep % 2 == 0 else current[i + 1]
            where = {v: k for k, v in enumerate(ref)}

            def key(item: tuple[int, str], where: dict[str, int] = where) -> float:
                k, v = item
                seen = [where[w] for w in links.get(v, ()) if w in where]
                return sum(seen) / len(seen) if seen else float(k)

            current[i] = [v for _, v in sorted(enumerate(current[i]), key=key)]
        count = _crossings(current, links)
        if count < fewest:
            best, fewest = [list(layer) for layer in current], count
        if fewest == 0:
            break
    return best


def _isotonic(values: list[float]) -> list[float]:
    """The non-decreasing sequence nearest ``values`` (least squares; pool
    adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, count]
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, n2 = blocks.pop()
            m1, n1 = blocks.pop()
            blocks.append([(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2])
    out: list[float] = []
    for mean, count in blocks:
        out.extend([mean] * int(count))
    return out


def _offsets(layer: list[str], room: dict[str, tuple[float, float]]) -> list[float]:
    """Each item's least distance below the first of its column."""
    offsets, total = [], 0.0
    for k, v in enumerate(layer):
        if k:
            total += room[layer[k - 1]][1] + SPACING + room[v][0]
        offsets.append(total)
    return offsets


def _heights(
    layers: list[list[str]], links: dict[str, set[str]], room: dict[str, tuple[float, float]]
) -> dict[str, float]:
    """A height for every cable and waypoint: in column order, spaced by their
    room, each as near as that allows to the mean height of its neighbours."""
    y: dict[str, float] = {}
    spans = [_offsets(layer, room)[-1] if layer else 0.0 for layer in layers]
    for layer, span in zip(layers, spans, strict=True):  # start stacked, columns centred
        for v, offset in zip(layer, _offsets(layer, room), strict=True):
            y[v] = (max(spans) - span) / 2 + offset
    for sweep in range(8):
        indices = range(1, len(layers)) if sweep % 2 == 0 else range(len(layers) - 2, -1, -1)
        for i in indices:
            ref = set(layers[i - 1] if sweep % 2 == 0 else layers[i + 1])
            layer = layers[i]
            wanted = []
            for v in layer:
                near = [y[w] for w in links.get(v, ()) if w in ref]
                wanted.append(sum(near) / len(near) if near else y[v])
            offsets = _offsets(layer, room)
            fitted = _isotonic([w - o for w, o in zip(wanted, offsets, strict=True)])
            for v, z, o in zip(layer, fitted, offsets, strict=True):
                y[v] = z + o
    return y


def _curve(points: Sequence[tuple[float, float]]) -> str:
    """A smooth path through ``points`` (right to left), level at each point."""
    x0, y0 = points[0]
    d = [f"M {x0:.1f} {y0:.1f}"]
    for (xa, ya), (xb, yb) in pairwise(points):
        dx = (xa - xb) / 2
        d.append(f"C {xa - dx:.1f} {ya:.1f} {xb + dx:.1f} {yb:.1f} {xb:.1f} {yb:.1f}")
    return " ".join(d)


def _arc(a: tuple[float, float], b: tuple[float, float]) -> str:
    """A citation against time (of a later or undated cable): an arc over both,
    kept inside the drawing."""
    (xa, ya), (xb, yb) = a, b
    lift = max(MARGIN, min(ya, yb) - 30 - abs(xa - xb) * 0.08)
    return f"M {xa:.1f} {ya:.1f} Q {(xa + xb) / 2:.1f} {lift:.1f} {xb:.1f} {yb:.1f}"


def _dates(created: Iterable[str | None]) -> tuple[str, ...]:
    """The stretch of time of a column, in at most two short lines."""
    days = sorted(c[:10] for c in created if c)
    if not days:
        return ("undated",)
    first, last = days[0], days[-1]
    if first == last:
        return (first,)
    if first[:7] == last[:7]:
        return (first[:7],)
    if first[:4] == last[:4]:
        return (first[:4], f"{first[5:7]} to {last[5:7]}")
    return (first[:7], f"to {last[:7]}")


def layout(
    root: str,
    nodes: Sequence[tuple[str, str | None, str | None, str | None]],
    edges: Iterable[tuple[str, str]],
) -> ThreadLayout:
    """The drawing of a thread: ``nodes`` are (id, created, subject,
    classification), ``edges`` (citing id, cited id)."""
    info = {n[0]: n for n in nodes}
    order = sorted(info, key=lambda cid: (info[cid][1] is None, info[cid][1] or "", cid))
    pairs = sorted({(a, b) for a, b in edges if a in info and b in info and a != b})
    cites: dict[str, list[str]] = defaultdict(list)
    for a, b in pairs:
        cites[a].append(b)
    column = _columns(order, cites)
    count = max(column.values(), default=0) + 1

    # Columns with their cables (in date order) and the waypoints of long citations.
    layers: list[list[str]] = [[] for _ in range(count)]
    for cid in order:
        layers[column[cid]].append(cid)
    links: dict[str, set[str]] = defaultdict(set)
    routes: dict[tuple[str, str], list[str]] = {}
    for a, b in pairs:
        if column[a] <= column[b]:
            continue  # against time: drawn as an arc, not a layer to order
        chain = [a]
        for c in range(column[a] - 1, column[b], -1):
            waypoint = f"\0{a}\0{b}\0{c}"
            layers[c].append(waypoint)
            chain.append(waypoint)
        chain.append(b)
        routes[(a, b)] = chain
        for u, v in pairwise(chain):
            links[u].add(v)
            links[v].add(u)
    layers = _barycentre_order(layers, links)
    room = {v: (WAYPOINT if v.startswith("\0") else CABLE) for layer in layers for v in layer}
    y = _heights(layers, links, room)

    # Horizontal: each column as wide as its widest label.
    widths = []
    for layer in layers:
        labels = [max(len(v), 10) for v in layer if not v.startswith("\0")]
        widths.append(max(labels, default=4) * CHAR + COLUMN_GAP)
    xs, left = [], MARGIN
    for w in widths:
        xs.append(left + w / 2)
        left += w
    top = min(y[v] - room[v][0] for v in y) if y else 0.0
    shift = HEAD - top
    place = {v: (xs[i], y[v] + shift) for i, layer in enumerate(layers) for v in layer}

    placed = tuple(
        PlacedNode(cid, info[cid][1], info[cid][2], info[cid][3], column[cid],
                   *place[cid], root=cid == root)
        for cid in order
    )  # fmt: skip
    radius = {n.id: n.radius for n in placed}
    drawn = []
    for a, b in pairs:
        (xa, ya), (xb, yb) = place[a], place[b]
        route = routes.get((a, b))
        if route is None:  # over the top, from dot to dot
            start, end = (xa, ya - radius[a]), (xb, yb - radius[b] - 1)
            drawn.append(PlacedEdge(a, b, (start, end), _arc(start, end)))
        else:  # leaves the citer on its left, reaches the cited on its right
            inner = [place[v] for v in route[1:-1]]
            points = ((xa - radius[a], ya), *inner, (xb + radius[b] + 1, yb))
            drawn.append(PlacedEdge(a, b, points, _curve(points)))
    bottom = max((place[v][1] + room[v][1] for v in place), default=HEAD)
    columns = tuple(
        Column(xs[i], widths[i], _dates(info[v][1] for v in layer if not v.startswith("\0")))
        for i, layer in enumerate(layers)
    )
    return ThreadLayout(left + MARGIN, bottom + MARGIN, placed, tuple(drawn), columns)
