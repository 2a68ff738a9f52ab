"""An orthogonal way around the cards for one link: the exports' repair of a route that
runs through a card.

Why: Graphviz routes the exported links (components/export.py), orthogonally, or as
polylines where its orthogonal router fails; the polyline router leaves a link straight
when the cards sit in its way on one line (client, gateway and ranker in a row, the
ranker answering the client), so the line crossed out the gateway's label. The editor
draws such a link around the cards (static/js/detour.js); this is the same search for
the exports: a sparse orthogonal grid made of lines just outside each nearby card's
edges and through the two cards' side stubs, searched for the cheapest path by length
plus a cost per bend (Dijkstra over grid points and the direction of travel).

Coordinates are the canvas's (y down); a rectangle is (left, top, right, bottom).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Sequence

Point = tuple[float, float]
Rect = tuple[float, float, float, float]

CLEAR = 10  # px kept between a path and the cards (half of it inside each keep-out box)
STUB = 22  # px by which a path leaves a card before it may turn
BEND = 40  # px a bend costs: a longer path with fewer corners reads better
MARGIN = 160  # px of board searched beyond the two cards
MAX_LINES = 120  # grid lines per axis; beyond that the search is not tried
MAX_POPS = 8000  # grid states taken from the queue before a search gives up
# What running beside the other links costs: per px along one of their segments (two
# lines on one reads as one), and per crossing.
ALONG = 3
CROSSING = 30
INFINITE = float("inf")

OUTWARD = {"left": (-1, 0), "right": (1, 0), "top": (0, -1), "bottom": (0, 1)}
STEPS = ((1, 0), (-1, 0), (0, 1), (0, -1))  # index ^ 1 is the opposite direction


def side_point(box: Rect, side: str) -> Point:
    """The middle of `side` of `box`."""
    x0, y0, x1, y1 = box
    return {
        "left": (x0, (y0 + y1) / 2),
        "right": (x1, (y0 + y1) / 2),
        "top": ((x0 + x1) / 2, y0),
        "bottom": ((x0 + x1) / 2, y1),
    }[side]


def cuts(p: Point, q: Point, box: Rect) -> bool:
    """Whether the axis-parallel segment p-q passes through the inside of `box`."""
    return (
        max(p[0], q[0]) > box[0]
        and min(p[0], q[0]) < box[2]
        and max(p[1], q[1]) > box[1]
        and min(p[1], q[1]) < box[3]
    )


class Buckets:
    """Boxes filed by the cells of a BUCKET px grid they cover: a search asks thousands
    of times which cards or link segments lie near a point or a step, on boards of up to
    REPAIR_LIMIT components (export.py)."""

    SIZE = 128.0

    def __init__(self, boxes: Sequence[Rect]) -> None:
        self.cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for k, (x0, y0, x1, y1) in enumerate(boxes):
            for i, j in self._cells(x0, y0, x1, y1):
                self.cells[(i, j)].append(k)

    def _cells(self, x0: float, y0: float, x1: float, y1: float) -> list[tuple[int, int]]:
        s = self.SIZE
        return [
            (i, j)
            for i in range(math.floor(x0 / s), math.floor(x1 / s) + 1)
            for j in range(math.floor(y0 / s), math.floor(y1 / s) + 1)
        ]

    def near(self, x0: float, y0: float, x1: float, y1: float) -> set[int]:
        """The boxes filed in a cell the box (x0, y0, x1, y1) covers."""
        found: set[int] = set()
        for cell in self._cells(x0, y0, x1, y1):
            found.update(self.cells.get(cell, ()))
        return found


def _box_of(p: Point, q: Point) -> Rect:
    return (min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]))


class Budget:
    """The work the searches of one drawing may do, in all: a grid state taken from a
    queue costs 1, and looking at ten link segments beside a step 1 more (on a board of
    straight lines every step has many near it). What one export may spend on detours,
    counted (not timed) so that a board draws the same on any machine."""

    def __init__(self, pops: int) -> None:
        self.left = pops


def detour(
    a: Rect,
    b: Rect,
    cards: Sequence[Rect],
    lines: Sequence[Sequence[Point]] = (),
    budget: Budget | None = None,
) -> list[Point] | None:
    """The cheapest clear orthogonal path from a side of card `a` to a side of card `b`,
    around `cards` (the other cards; `a` and `b` may be among them) and, at a cost, off the
    other links' `lines`: its points from the middle of a side of `a` to the middle of a
    side of `b`, or None when the search finds none (or the region is too crowded, or
    `budget` runs out)."""
    region = (
        min(a[0], b[0]) - MARGIN,
        min(a[1], b[1]) - MARGIN,
        max(a[2], b[2]) + MARGIN,
        max(a[3], b[3]) + MARGIN,
    )
    near = [r for r in cards if r != a and r != b and cuts(r[:2], r[2:], region)]
    near += [a, b]
    pad = CLEAR / 2
    keep_out = [(r[0] - pad, r[1] - pad, r[2] + pad, r[3] + pad) for r in near]
    xs: set[float] = set()
    ys: set[float] = set()
    for r in near:
        xs.update((r[0] - CLEAR, r[2] + CLEAR))
        ys.update((r[1] - CLEAR, r[3] + CLEAR))
    others_a = keep_out[:-2] + keep_out[-1:]  # what a's stubs must not cut: not a itself
    others_b = keep_out[:-1]
    starts: list[tuple[str, Point]] = []
    goals: dict[Point, str] = {}
    for side, (dx, dy) in OUTWARD.items():
        sa, sb = side_point(a, side), side_point(b, side)
        s = (sa[0] + dx * STUB, sa[1] + dy * STUB)
        t = (sb[0] + dx * STUB, sb[1] + dy * STUB)
        # A line one stub further out, to come into a side from beyond its stub.
        xs.update((sa[0] + 2 * dx * STUB, sb[0] + 2 * dx * STUB))
        ys.update((sa[1] + 2 * dy * STUB, sb[1] + 2 * dy * STUB))
        if not any(cuts(sa, s, r) for r in others_a):
            xs.add(s[0])
            ys.add(s[1])
            starts.append((side, s))
        if not any(cuts(t, sb, r) for r in others_b):
            xs.add(t[0])
            ys.add(t[1])
            goals[t] = side
    if not starts or not goals:
        return None
    grid_x = sorted(x for x in xs if region[0] <= x <= region[2])
    grid_y = sorted(y for y in ys if region[1] <= y <= region[3])
    if len(grid_x) > MAX_LINES or len(grid_y) > MAX_LINES:
        return None
    segments = [
        (p, q)
        for line in lines
        for p, q in zip(line, line[1:], strict=False)
        if cuts(
            (min(p[0], q[0]), min(p[1], q[1])),
            (max(p[0], q[0]) + 0.1, max(p[1], q[1]) + 0.1),
            region,
        )
    ]
    return _search(
        a, b, keep_out, grid_x, grid_y, starts, goals, segments, budget or Budget(MAX_POPS)
    )


def beside(p: Point, q: Point, segments: Sequence[tuple[Point, Point]]) -> float:
    """What the axis-parallel step p-q costs for running beside `segments`: ALONG per px
    it runs on one of them (within 2 px), CROSSING per one it crosses."""
    cost = 0.0
    level = p[1] == q[1]
    lo, hi = (min(p[0], q[0]), max(p[0], q[0])) if level else (min(p[1], q[1]), max(p[1], q[1]))
    at = p[1] if level else p[0]
    # The step's box, 2 px wider: a segment whose box misses it costs nothing (most).
    left, right = min(p[0], q[0]) - 2, max(p[0], q[0]) + 2
    top, bottom = min(p[1], q[1]) - 2, max(p[1], q[1]) + 2
    for u, v in segments:
        if (u[0] < left and v[0] < left) or (u[0] > right and v[0] > right):
            continue
        if (u[1] < top and v[1] < top) or (u[1] > bottom and v[1] > bottom):
            continue
        if level and abs(u[1] - v[1]) < 0.5 and abs(u[1] - at) < 2:
            cost += ALONG * max(0.0, min(hi, max(u[0], v[0])) - max(lo, min(u[0], v[0])))
        elif not level and abs(u[0] - v[0]) < 0.5 and abs(u[0] - at) < 2:
            cost += ALONG * max(0.0, min(hi, max(u[1], v[1])) - max(lo, min(u[1], v[1])))
        elif _crosses(p, q, u, v):
            cost += CROSSING
    return cost


def _crosses(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether segments a-b and c-d cross at a point inside both."""

    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


def _search(
    a: Rect,
    b: Rect,
    keep_out: list[Rect],
    grid_x: list[float],
    grid_y: list[float],
    starts: list[tuple[str, Point]],
    goals: dict[Point, str],
    segments: list[tuple[Point, Point]],
    budget: Budget,
) -> list[Point] | None:
    """A* over (grid point, direction): a step costs its length, a turn BEND more,
    running beside other links what `beside` says, no turning back; the estimate is the
    Manhattan distance to the nearest goal (never more than what is left, so the path
    found is the cheapest). A grid step is clear when its midpoint is outside every
    keep-out box (every box edge has a grid line on each side of it)."""
    column = {x: i for i, x in enumerate(grid_x)}
    row = {y: j for j, y in enumerate(grid_y)}
    boxes = Buckets(keep_out)
    lines = Buckets([_box_of(p, q) for p, q in segments])

    def inside(x: float, y: float) -> bool:
        return any(
            keep_out[k][0] < x < keep_out[k][2] and keep_out[k][1] < y < keep_out[k][3]
            for k in boxes.near(x, y, x, y)
        )

    def costs_beside(p: Point, q: Point) -> float:
        x0, y0, x1, y1 = _box_of(p, q)
        near = [segments[k] for k in lines.near(x0 - 2, y0 - 2, x1 + 2, y1 + 2)]
        budget.left -= len(near) // 10
        return beside(p, q, near)

    targets = list(goals)

    def estimate(x: float, y: float) -> float:
        return min(abs(x - gx) + abs(y - gy) for gx, gy in targets)

    best: dict[tuple[int, int, int], float] = {}
    came: dict[tuple[int, int, int], tuple[int, int, int] | str] = {}
    queue: list[tuple[float, float, tuple[int, int, int]]] = []
    for side, point in starts:
        i, j = column.get(point[0]), row.get(point[1])
        if i is None or j is None or inside(*point):
            continue
        state = (i, j, STEPS.index(OUTWARD[side]))
        start = STUB + costs_beside(side_point(a, side), point)
        if start < best.get(state, float("inf")):
            best[state] = start
            came[state] = side
            heapq.heappush(queue, (start + estimate(*point), start, state))
    costs: dict[tuple[int, int, int], float] = {}
    pops = 0
    while queue:
        _, cost, state = heapq.heappop(queue)
        if cost > best.get(state, float("inf")):
            continue
        pops += 1
        budget.left -= 1
        if pops > MAX_POPS or budget.left < 0:
            return None
        i, j, d = state
        here = (grid_x[i], grid_y[j])
        arrive = goals.get(here)
        if arrive is not None and STEPS[d] == tuple(-v for v in OUTWARD[arrive]):
            return _unwind(state, came, grid_x, grid_y, a, b, arrive)
        for e, (dx, dy) in enumerate(STEPS):
            if e == d ^ 1:
                continue
            ni, nj = i + dx, j + dy
            if not (0 <= ni < len(grid_x) and 0 <= nj < len(grid_y)):
                continue
            there = (grid_x[ni], grid_y[nj])
            move = (i, j, e)
            if move not in costs:  # the same step is tried in up to three directions
                mid = ((here[0] + there[0]) / 2, (here[1] + there[1]) / 2)
                if inside(*there) or inside(*mid):
                    costs[move] = INFINITE
                else:
                    length = abs(there[0] - here[0]) + abs(there[1] - here[1])
                    costs[move] = length + costs_beside(here, there)
            if costs[move] == INFINITE:
                continue
            step = costs[move] + (0 if e == d else BEND)
            into = goals.get(there)
            if into is not None and STEPS[e] == tuple(-v for v in OUTWARD[into]):
                step += costs_beside(there, side_point(b, into))  # the last stub too
            following = (ni, nj, e)
            if cost + step < best.get(following, float("inf")):
                best[following] = cost + step
                came[following] = state
                heapq.heappush(queue, (cost + step + estimate(*there), cost + step, following))
    return None


def _unwind(
    state: tuple[int, int, int],
    came: dict[tuple[int, int, int], tuple[int, int, int] | str],
    grid_x: list[float],
    grid_y: list[float],
    a: Rect,
    b: Rect,
    arrive: str,
) -> list[Point]:
    """The path found, from a's side middle to b's, with collinear corners dropped."""
    points = [side_point(b, arrive)]
    at: tuple[int, int, int] | str = state
    while not isinstance(at, str):
        points.append((grid_x[at[0]], grid_y[at[1]]))
        at = came[at]
    points.append(side_point(a, at))
    points.reverse()
    return straightened(points)


def straightened(points: list[Point]) -> list[Point]:
    """`points` without repeats and without corners on a straight line through their
    neighbours."""
    kept: list[Point] = []
    for p in points:
        if kept and kept[-1] == p:
            continue
        if len(kept) >= 2:
            u, v = kept[-2], kept[-1]
            if (u[0] == v[0] == p[0]) or (u[1] == v[1] == p[1]):
                kept[-1] = p
                continue
        kept.append(p)
    return kept
