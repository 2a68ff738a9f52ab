"""The editor's search around the cards (static/js/detour.js), step for step, in Python:
for the exports' routes (components/routes.py) and their repair of a Graphviz route that
runs through a card (components/export.py around_cards).

Why: a link with no clear Z, L or C shape is drawn around the cards by a search of a
sparse orthogonal grid (lines just outside each nearby card's edges and through the two
cards' side stubs) for the cheapest path by length plus a cost per bend: Dijkstra over
grid points and the direction of travel. It must break every tie of equal cost as
detour.js does (the same order of states, the same binary heap), or the exports and the
editor part wherever two ways around cost the same, and every line planned after them
with them. Coordinates are the canvas's (y down); a box is (left, top, right, bottom).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

Point = tuple[float, float]
Rect = tuple[float, float, float, float]

OUTWARD = {"left": (-1, 0), "right": (1, 0), "top": (0, -1), "bottom": (0, 1)}
SIDES = ("right", "left", "bottom", "top")
STEPS = ((1, 0), (-1, 0), (0, 1), (0, -1))
BEND = 40  # px a bend costs
MARGIN = 160  # px of board searched beyond the two cards
MAX_LINES = 90  # grid lines per axis; beyond that the search is not tried
MAX_POPS = 8000  # grid states taken from the queue before a search gives up
CLEAR = 10  # px kept between a path and the cards (half of it inside each keep-out box)
STUB = 22  # px by which a path leaves a card before it may turn
CELL = 64.0  # px: the grid the keep-out boxes are filed by, for `inside`


class _Heap:
    """detour.js's tiny binary heap of (cost, ...) lists: the same pushes and pops give the
    same order, ties included (heapq breaks them another way)."""

    def __init__(self) -> None:
        self.items: list[list[float]] = []

    def push(self, item: list[float]) -> None:
        items = self.items
        items.append(item)
        i = len(items) - 1
        while i > 0:
            parent = (i - 1) >> 1
            if items[parent][0] <= items[i][0]:
                break
            items[parent], items[i] = items[i], items[parent]
            i = parent

    def pop(self) -> list[float]:
        items = self.items
        top = items[0]
        last = items.pop()
        if items:
            items[0] = last
            i = 0
            while True:
                left, right, m = 2 * i + 1, 2 * i + 2, i
                if left < len(items) and items[left][0] < items[m][0]:
                    m = left
                if right < len(items) and items[right][0] < items[m][0]:
                    m = right
                if m == i:
                    break
                items[m], items[i] = items[i], items[m]
                i = m
        return top


class Buckets:
    """Boxes filed by the cells of a SIZE px grid they cover: the router asks thousands of
    times which cards lie near a segment."""

    SIZE = 128.0

    MAX_CELLS = 256  # a query over more cells than this (a segment between far cards) looks at all

    def __init__(self, boxes: Sequence[Rect]) -> None:
        self.count = len(boxes)
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
        """The boxes filed in a cell the box (x0, y0, x1, y1) covers (or every box, for a
        query over more than MAX_CELLS cells)."""
        s = self.SIZE
        area = (math.floor(x1 / s) - math.floor(x0 / s) + 1) * (
            math.floor(y1 / s) - math.floor(y0 / s) + 1
        )
        if area > self.MAX_CELLS:
            return set(range(self.count))
        found: set[int] = set()
        for cell in self._cells(x0, y0, x1, y1):
            found.update(self.cells.get(cell, ()))
        return found


class Budget:
    """The grid states the searches of one drawing may take from their queues, in all:
    what one export may spend on repairs, counted (not timed) so that a board draws the
    same on any machine."""

    def __init__(self, pops: int) -> None:
        self.left = pops


def side_point(box: Rect, side: str) -> Point:
    """The middle of `side` of `box`."""
    x0, y0, x1, y1 = box
    if side == "left":
        return (x0, y0 + (y1 - y0) / 2)
    if side == "right":
        return (x1, y0 + (y1 - y0) / 2)
    if side == "top":
        return (x0 + (x1 - x0) / 2, y0)
    return (x0 + (x1 - x0) / 2, y1)


def cuts(p: Point, q: Point, r: Rect) -> bool:
    """Whether the axis-parallel segment p-q passes through the inside of box `r`."""
    return (
        max(p[0], q[0]) > r[0]
        and min(p[0], q[0]) < r[2]
        and max(p[1], q[1]) > r[1]
        and min(p[1], q[1]) < r[3]
    )


def _overlaps(box: Rect, region: Rect) -> bool:
    """g.Rect.intersect's test: an overlap of some area, touching is not enough."""
    return not (
        box[0] >= region[2] or box[1] >= region[3] or region[0] >= box[2] or region[1] >= box[3]
    )


def search(
    a: Rect,
    b: Rect,
    obstacles: Sequence[Rect],
    clear: float = CLEAR,
    stub: float = STUB,
    budget: Budget | None = None,
) -> tuple[str, str, list[Point]] | None:
    """The cheapest clear orthogonal path from a side of box `a` to a side of box `b`:
    (source side, target side, its corners from the end of the first stub to the end of
    the last), or None. `obstacles` include the two ends (detour.js detour). A `budget`
    is spent by the states taken from the queue; the search gives up when it runs out."""
    region = (
        min(a[0], b[0]) - MARGIN,
        min(a[1], b[1]) - MARGIN,
        max(a[2], b[2]) + MARGIN,
        max(a[3], b[3]) + MARGIN,
    )
    near = [box for box in obstacles if _overlaps(box, region)]
    pad = clear / 2
    keep_out = [(r[0] - pad, r[1] - pad, r[2] + pad, r[3] + pad) for r in near]
    xs: set[float] = set()
    ys: set[float] = set()
    for r in near:
        xs.update((r[0] - clear, r[2] + clear))
        ys.update((r[1] - clear, r[3] + clear))
    from_a = [k for k, r in zip(keep_out, near, strict=True) if r != a]
    into_b = [k for k, r in zip(keep_out, near, strict=True) if r != b]
    starts: list[tuple[str, Point]] = []
    goals: dict[Point, str] = {}
    for side in SIDES:
        dx, dy = OUTWARD[side]
        sa, sb = side_point(a, side), side_point(b, side)
        s = (sa[0] + dx * stub, sa[1] + dy * stub)
        t = (sb[0] + dx * stub, sb[1] + dy * stub)
        if not any(cuts(sa, s, r) for r in from_a):
            xs.add(s[0])
            ys.add(s[1])
            starts.append((side, s))
        if not any(cuts(t, sb, r) for r in into_b):
            xs.add(t[0])
            ys.add(t[1])
            goals[t] = side
    if not starts or not goals:
        return None
    grid_x = sorted(x for x in xs if region[0] <= x <= region[2])
    grid_y = sorted(y for y in ys if region[1] <= y <= region[3])
    if len(grid_x) > MAX_LINES or len(grid_y) > MAX_LINES:
        return None
    return _dijkstra(keep_out, grid_x, grid_y, starts, goals, stub, budget)


def around(
    a: Rect, b: Rect, obstacles: Sequence[Rect], budget: Budget | None = None
) -> list[Point] | None:
    """The searched path from the middle of a side of `a` to the middle of a side of `b`,
    around `obstacles` (the two ends among them), or None."""
    found = search(a, b, obstacles, budget=budget)
    if found is None:
        return None
    source, target, corners = found
    return detour_points(source, target, corners, side_point(a, source), side_point(b, target))


def _dijkstra(
    keep_out: list[Rect],
    grid_x: list[float],
    grid_y: list[float],
    starts: list[tuple[str, Point]],
    goals: dict[Point, str],
    stub: float,
    budget: Budget | None,
) -> tuple[str, str, list[Point]] | None:
    nx, ny = len(grid_x), len(grid_y)
    xi = {x: i for i, x in enumerate(grid_x)}
    yi = {y: j for j, y in enumerate(grid_y)}

    # The keep-out boxes by the cells of a CELL px grid they cover: most grid points are
    # near a few of them only.
    cells: dict[tuple[int, int], list[Rect]] = {}
    for r in keep_out:
        for ci in range(int(r[0] // CELL), int(r[2] // CELL) + 1):
            for cj in range(int(r[1] // CELL), int(r[3] // CELL) + 1):
                cells.setdefault((ci, cj), []).append(r)

    def inside(x: float, y: float) -> bool:
        return any(
            r[0] < x < r[2] and r[1] < y < r[3]
            for r in cells.get((int(x // CELL), int(y // CELL)), ())
        )

    point_state: dict[int, bool] = {}
    step_state: dict[int, bool] = {}

    def open_at(i: int, j: int) -> bool:
        k = i * ny + j
        if k not in point_state:
            point_state[k] = not inside(grid_x[i], grid_y[j])
        return point_state[k]

    def step_open(i: int, j: int, ni: int, nj: int) -> bool:
        bi, bj, axis = (min(i, ni), j, 0) if ni != i else (i, min(j, nj), 1)
        k = (bi * ny + bj) * 2 + axis
        if k not in step_state:
            mx = grid_x[bi] if axis else (grid_x[bi] + grid_x[bi + 1]) / 2
            my = (grid_y[bj] + grid_y[bj + 1]) / 2 if axis else grid_y[bj]
            step_state[k] = not inside(mx, my)
        return step_state[k]

    best: dict[int, float] = {}
    came: dict[int, int] = {}
    first_side: dict[int, str] = {}
    heap = _Heap()
    for side, point in starts:
        i, j = xi.get(point[0]), yi.get(point[1])
        if i is None or j is None or not open_at(i, j):
            continue
        d = STEPS.index(OUTWARD[side])
        state = (i * ny + j) * 4 + d
        best[state] = stub
        first_side[state] = side
        heap.push([stub, i, j, d])
    pops = 0
    while heap.items:
        if pops > MAX_POPS or (budget is not None and budget.left <= 0):
            return None
        pops += 1
        if budget is not None:
            budget.left -= 1
        cost, fi, fj, fd = heap.pop()
        i, j, d = int(fi), int(fj), int(fd)
        state = (i * ny + j) * 4 + d
        if cost > best.get(state, float("inf")):
            continue
        target = goals.get((grid_x[i], grid_y[j]))
        if target and STEPS[d] == (-OUTWARD[target][0], -OUTWARD[target][1]):
            source, corners = _unwind(came, first_side, state, grid_x, grid_y, ny)
            return source, target, corners
        for e in range(4):
            if e == d ^ 1:
                continue
            ni, nj = i + STEPS[e][0], j + STEPS[e][1]
            if ni < 0 or nj < 0 or ni >= nx or nj >= ny:
                continue
            if not open_at(ni, nj) or not step_open(i, j, ni, nj):
                continue
            step = abs(grid_x[ni] - grid_x[i]) + abs(grid_y[nj] - grid_y[j])
            following = cost + step + (0 if e == d else BEND)
            next_state = (ni * ny + nj) * 4 + e
            if following < best.get(next_state, float("inf")):
                best[next_state] = following
                came[next_state] = state
                heap.push([following, ni, nj, e])
    return None


def _unwind(
    came: dict[int, int],
    first_side: dict[int, str],
    state: int,
    xs: list[float],
    ys: list[float],
    ny: int,
) -> tuple[str, list[Point]]:
    points: list[Point] = []
    at: int | None = state
    source = ""
    while at is not None:
        cell = at // 4
        points.append((xs[cell // ny], ys[cell % ny]))
        if at not in came:
            source = first_side.get(at, "")
        at = came.get(at)
    points.reverse()
    return source, straightened(points)


def straightened(points: list[Point]) -> list[Point]:
    """`points` without the corners on a straight line through their neighbours."""
    return [
        p
        for k, p in enumerate(points)
        if k in (0, len(points) - 1)
        or not (
            (points[k - 1][0] == p[0] == points[k + 1][0])
            or (points[k - 1][1] == p[1] == points[k + 1][1])
        )
    ]


def detour_points(
    source: str, target: str, corners: Sequence[Point], p: Point, q: Point
) -> list[Point]:
    """The path from port `p` through a search's `corners` to port `q`: each stub moved with
    its port, an elbow put in where that leaves two points out of line (detour.js
    detourPoints)."""

    def horizontal(side: str) -> bool:
        return side in ("left", "right")

    inner = [list(c) for c in corners]
    if not inner:
        return [p, q]
    if horizontal(source):
        inner[0][1] = p[1]
    else:
        inner[0][0] = p[0]
    if len(inner) > 1:
        if horizontal(target):
            inner[-1][1] = q[1]
        else:
            inner[-1][0] = q[0]
    out: list[Point] = [p]
    vertical = not horizontal(source)
    for point in [*((c[0], c[1]) for c in inner), q]:
        u = out[-1]
        if u[0] != point[0] and u[1] != point[1]:
            out.append((point[0], u[1]) if vertical else (u[0], point[1]))
            vertical = not vertical
        v = out[-1]
        if v == point:
            continue
        vertical = v[0] == point[0]
        out.append(point)
    return straightened(out)
