"""Where the exports put link labels: along their own link, clear of everything else.

Graphviz routes the links first (components/export.py); then each label is given a place
here, as the canvas does it (static/js/routing.js `placeLabels`): a tag centred on its own
link, or just beside it, that covers no card, no badge, no panel, no label placed before
it and no other link. The places tried are spread along every straight piece of the
link's route, on the line and on both sides of it; the one preferred is on the line, near
the middle of the route. When no place is clear, the least bad one is kept (covering a
card or a label costs more than crossing a link) and marked as such.

Coordinates are y-down points (the SVG's: Graphviz's y negated). Labels are placed most
constrained first (shortest routes), and a spatial grid keeps each test local, so the
cost grows with the number of labels, not with their square.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1

GAP = 3.0  # points between a label set beside its link and the link
CLEARANCE = 2.0  # points a label keeps from cards, badges, panels and other labels
LINK_CLEARANCE = 1.5  # points a label keeps from another link
END_CLEARANCE = 10.0  # points of a route's ends (the cards, the arrowhead) left free
STEP = 12.0  # points between the places tried along a piece of route
BESIDE = 3.0  # what a place beside the link costs against one on it
OFF_MIDDLE = 6.0  # what the far end of a route costs against its middle
SHORT_PIECE = 2.0  # at most this much per point a piece is shorter than the label
# What a place that is not clear costs: per card, badge or panel covered, per label
# covered, per other link crossed, and for leaving the drawing.
COVERS_CARD = 1000.0
COVERS_LABEL = 1000.0
CROSSES_LINK = 100.0
OUTSIDE = 500.0
COVERS_END = 50.0  # covering its own link's start or arrowhead
BUCKET = 64.0


@dataclass(frozen=True)
class Placed:
    """A label's box (centre and size) and whether it is clear of everything."""

    x: float
    y: float
    width: float
    height: float
    clear: bool

    @property
    def box(self) -> Rect:
        return (
            self.x - self.width / 2,
            self.y - self.height / 2,
            self.x + self.width / 2,
            self.y + self.height / 2,
        )


def route_points(pos: str) -> list[Point]:
    """A Graphviz edge ``pos`` (``e,x,y`` and B-spline points, y up) as a y-down polyline,
    the arrowhead's tip last. Straight spline pieces (what ortho, polyline and line
    routing give) become one segment; curved ones are sampled."""
    end: Point | None = None
    start: Point | None = None
    points: list[Point] = []
    for part in pos.split():
        if part.startswith(("e,", "s,")):
            x, y = part[2:].split(",")
            if part[0] == "e":
                end = (float(x), -float(y))
            else:
                start = (float(x), -float(y))
            continue
        x, y = part.split(",")
        points.append((float(x), -float(y)))
    if not points:
        return []
    path = [start, points[0]] if start else [points[0]]
    for i in range(0, len(points) - 3, 3):
        p0, c1, c2, p1 = points[i : i + 4]
        if _near_line(c1, p0, p1) and _near_line(c2, p0, p1):
            path.append(p1)
            continue
        for s in range(1, 9):
            t = s / 8
            u = 1 - t
            path.append(
                (
                    u**3 * p0[0] + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t**3 * p1[0],
                    u**3 * p0[1] + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t**3 * p1[1],
                )
            )
    if end:
        path.append(end)
    return _merged(path)


def _near_line(p: Point, a: Point, b: Point, tol: float = 0.5) -> bool:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    if length < 1e-9:
        return math.hypot(p[0] - a[0], p[1] - a[1]) <= tol
    return abs((p[0] - a[0]) * dy - (p[1] - a[1]) * dx) / length <= tol


def _merged(path: list[Point]) -> list[Point]:
    """`path` without repeated points and with collinear runs as one segment."""
    out: list[Point] = []
    for p in path:
        if out and math.hypot(p[0] - out[-1][0], p[1] - out[-1][1]) < 0.05:
            continue
        if len(out) >= 2 and _near_line(out[-1], out[-2], p, 0.05):
            out[-1] = p
        else:
            out.append(p)
    return out


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(box: Rect, bounds: Rect) -> bool:
    return (
        box[0] >= bounds[0] and box[1] >= bounds[1] and box[2] <= bounds[2] and box[3] <= bounds[3]
    )


def _grown(r: Rect, by: float) -> Rect:
    return (r[0] - by, r[1] - by, r[2] + by, r[3] + by)


def segment_crosses(a: Point, b: Point, r: Rect) -> bool:
    """Does segment ab touch rectangle `r` (Liang-Barsky clipping)?"""
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - r[0]), (dx, r[2] - a[0]), (-dy, a[1] - r[1]), (dy, r[3] - a[1])):
        if abs(p) < 1e-12:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


class _Grid:
    """Rectangles and segments in square buckets, to find what is near a box quickly."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.items: list[tuple[int, Rect, tuple[Point, Point] | None, int]] = []

    def _keys(self, r: Rect) -> Iterator[tuple[int, int]]:
        for i in range(math.floor(r[0] / BUCKET), math.floor(r[2] / BUCKET) + 1):
            for j in range(math.floor(r[1] / BUCKET), math.floor(r[3] / BUCKET) + 1):
                yield (i, j)

    def add(self, kind: int, box: Rect, segment: tuple[Point, Point] | None, owner: int) -> None:
        index = len(self.items)
        self.items.append((kind, box, segment, owner))
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(index)

    def near(self, box: Rect) -> set[int]:
        found: set[int] = set()
        for key in self._keys(box):
            found.update(self.cells.get(key, ()))
        return found


OBSTACLE, LABEL, LINK = 0, 1, 2


def _places(
    route: list[Point], width: float, height: float, end_clearance: float = END_CLEARANCE
) -> Iterable[tuple[float, Point]]:
    """(preference cost, centre) of the places a label may take along `route`, keeping
    `end_clearance` from its ends."""
    lengths = [math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(route, route[1:], strict=False)]
    total = sum(lengths)
    if total <= 0:
        return
    run = 0.0
    for (a, b), length in zip(zip(route, route[1:], strict=False), lengths, strict=True):
        if length <= 0:
            continue
        ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
        nx, ny = -uy, ux
        along = width * abs(ux) + height * abs(uy)  # the box's extent along the piece
        beside = width / 2 * abs(nx) + height / 2 * abs(ny) + GAP
        first = max(end_clearance - run, 0.0)
        last = min(length, total - end_clearance - run)
        if last < first:
            run += length
            continue
        # The piece's middle first, then both ways from it.
        middle = min(max(length / 2, first), last)
        offsets = [middle]
        k = 1
        while middle - k * STEP >= first or middle + k * STEP <= last:
            for s in (middle - k * STEP, middle + k * STEP):
                if first <= s <= last:
                    offsets.append(s)
            k += 1
        short = max(0.0, along - length) * SHORT_PIECE / max(along, 1.0)
        for s in offsets:
            centre = (a[0] + ux * s, a[1] + uy * s)
            off_middle = OFF_MIDDLE * abs(run + s - total / 2) / total
            yield off_middle + short, centre
            for side in (1, -1):
                yield (
                    off_middle + BESIDE,
                    (centre[0] + side * nx * beside, centre[1] + side * ny * beside),
                )
        run += length


def place_labels(
    routes: dict[int, list[Point]],
    sizes: dict[int, tuple[float, float]],
    obstacles: Iterable[Rect],
    bounds: Rect | None = None,
) -> dict[int, Placed]:
    """A place for the label of each link in `sizes` (width, height), along its route.

    `routes` holds every link's polyline (labelled or not: all are to be kept clear of),
    `obstacles` the cards, badges and panels, `bounds` the drawing's box if labels must
    stay inside it. Links without a route get no place.
    """
    grid = _Grid()
    for box in obstacles:
        grid.add(OBSTACLE, _grown(box, CLEARANCE), None, -1)
    for link, route in routes.items():
        for a, b in zip(route, route[1:], strict=False):
            box = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
            grid.add(LINK, _grown(box, LINK_CLEARANCE), (a, b), link)

    def cost(box: Rect, link: int) -> float:
        route = routes[link]
        total = 0.0
        for end in (route[0], route[-1]):
            if _overlaps(box, (end[0] - 4, end[1] - 4, end[0] + 4, end[1] + 4)):
                total += COVERS_END
        crossed: set[int] = set()
        if bounds and not _inside(box, bounds):
            total += OUTSIDE
        for index in grid.near(box):
            kind, item, segment, owner = grid.items[index]
            if not _overlaps(box, item):
                continue
            if kind == OBSTACLE:
                total += COVERS_CARD
            elif kind == LABEL:
                total += COVERS_LABEL
            elif owner != link and owner not in crossed and segment is not None:
                if segment_crosses(segment[0], segment[1], _grown(box, LINK_CLEARANCE)):
                    crossed.add(owner)
                    total += CROSSES_LINK
        return total

    def length(link: int) -> float:
        route = routes[link]
        return sum(math.dist(a, b) for a, b in zip(route, route[1:], strict=False))

    placed: dict[int, Placed] = {}
    order = sorted((link for link in sizes if len(routes.get(link, ())) >= 2), key=length)
    for link in order:
        width, height = sizes[link]
        best: tuple[float, Point] | None = None
        # A route too short to keep clear of its ends is tried whole.
        places = list(_places(routes[link], width, height)) or list(
            _places(routes[link], width, height, 0.0)
        )
        for preference, (x, y) in sorted(places, key=lambda place: place[0]):
            if best is not None and preference >= best[0]:
                break  # sorted: no later place can do better
            box = (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
            total = preference + cost(box, link)
            if best is None or total < best[0]:
                best = (total, (x, y))
        if best is None:
            continue
        (x, y) = best[1]
        label = Placed(x, y, width, height, clear=best[0] < CROSSES_LINK)
        placed[link] = label
        grid.add(LABEL, _grown(label.box, CLEARANCE), None, link)
    return placed


def place_or_number(
    routes: dict[int, list[Point]],
    sizes: dict[int, tuple[float, float]],
    tag_sizes: dict[int, tuple[float, float]],
    obstacles: list[Rect],
    bounds: Rect | None = None,
) -> tuple[dict[int, Placed], set[int]]:
    """`place_labels`, then, for each label with no clear place, a small numbered tag
    (`tag_sizes`) in its stead, the label's text to be listed beside the drawing.

    Placed again each time labels become tags (a tag frees room for the others), at most
    a few times. Returns the places and the links that carry a tag.
    """
    tagged: set[int] = set()
    placed: dict[int, Placed] = {}
    for _ in range(4):
        current = {k: tag_sizes[k] if k in tagged else size for k, size in sizes.items()}
        placed = place_labels(routes, current, obstacles, bounds)
        failing = {k for k, spot in placed.items() if not spot.clear and k not in tagged}
        if not failing:
            break
        tagged |= failing
    return placed, tagged
