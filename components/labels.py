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

import bisect
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1

GAP = 3.0  # points between a label set beside its link and the link
CLEARANCE = 2.0  # points a label keeps from cards, badges, panels and other labels
LINK_CLEARANCE = 1.5  # points a label keeps from another link
END_CLEARANCE = 10.0  # points of a route's ends (the cards, the arrowhead) left free
STEP = 12.0  # points between the places tried along a route, at least
PER_ROUTE = 11  # points tried along a route, spread from its middle, at most
PLACES_BUDGET = 500  # points tried along all the routes, at most (but MIN_PER_ROUTE each)
MIN_PER_ROUTE = 4
# A tag, small, is tried at this many times as many places, closer together (but on
# boards with too many labels for PER_ROUTE places each, at as many as a label).
TAG_DENSITY = 2
LONGEST = 3  # and the middles of its longest pieces
BESIDE = 3.0  # what a place beside the link costs against one on it
OFF_MIDDLE = 6.0  # what the far end of a route costs against its middle
SHORT_PIECE = 2.0  # at most this much per point a piece is shorter than the label
# What a place that is not clear costs: per card, badge, panel or label covered, per
# other link crossed, and for leaving the drawing.
COVERS_CARD = 1000.0  # a card, a badge, a panel or another label
FURTHER = 64.0  # points beside its link a tag may go when every place on it covers a card
FURTHER_STEP = 8.0
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


def segment_inside(a: Point, b: Point, r: Rect) -> float:
    """How much of segment ab lies in rectangle `r`, as a share of its length (0 when it
    only touches `r`), or -1 when it misses `r` (Liang-Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - r[0]), (dx, r[2] - a[0]), (-dy, a[1] - r[1]), (dy, r[3] - a[1])):
        if abs(p) < 1e-12:
            if q < 0:
                return -1.0
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return -1.0
    return t1 - t0


def segment_crosses(a: Point, b: Point, r: Rect) -> bool:
    """Does segment ab touch rectangle `r`?"""
    return segment_inside(a, b, r) >= 0


class _Grid:
    """Boxes in square buckets, to find what is near a box quickly. A segment is kept in
    the buckets it runs through, not in all those of its bounding box."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.items: list[tuple[Rect, tuple[Point, Point] | None, int]] = []
        self.seen: list[int] = []
        self.visit = 0

    @staticmethod
    def _keys(r: Rect) -> Iterator[tuple[int, int]]:
        for i in range(math.floor(r[0] / BUCKET), math.floor(r[2] / BUCKET) + 1):
            for j in range(math.floor(r[1] / BUCKET), math.floor(r[3] / BUCKET) + 1):
                yield (i, j)

    def add(self, box: Rect, segment: tuple[Point, Point] | None = None, owner: int = -1) -> None:
        index = len(self.items)
        self.items.append((box, segment, owner))
        self.seen.append(0)
        if segment is None or segment[0][0] == segment[1][0] or segment[0][1] == segment[1][1]:
            keys: Iterable[tuple[int, int]] = self._keys(box)
        else:
            keys = self._segment_keys(box, segment)
        for key in keys:
            self.cells.setdefault(key, []).append(index)

    @staticmethod
    def _segment_keys(box: Rect, segment: tuple[Point, Point]) -> list[tuple[int, int]]:
        """The buckets within the box's clearance of a slanted segment, column by column."""
        (ax, ay), (bx, by) = segment if segment[0][0] <= segment[1][0] else segment[::-1]
        pad = box[2] - bx  # the clearance the box adds around the segment
        slope = (by - ay) / (bx - ax) if bx != ax else 0.0
        keys = []
        for i in range(math.floor(box[0] / BUCKET), math.floor(box[2] / BUCKET) + 1):
            x0 = min(max(i * BUCKET, ax), bx)
            x1 = min(max((i + 1) * BUCKET, ax), bx)
            y0, y1 = ay + slope * (x0 - ax), ay + slope * (x1 - ax)
            low, high = min(y0, y1) - pad, max(y0, y1) + pad
            for j in range(math.floor(low / BUCKET), math.floor(high / BUCKET) + 1):
                keys.append((i, j))
        return keys

    def count(self, box: Rect, enough: float = math.inf) -> int:
        """How many items overlap `box`, counting no further than `enough`."""
        self.visit += 1
        visit, seen, items, cells = self.visit, self.seen, self.items, self.cells
        found = 0
        x0, y0, x1, y1 = box
        for i in range(math.floor(x0 / BUCKET), math.floor(x1 / BUCKET) + 1):
            for j in range(math.floor(y0 / BUCKET), math.floor(y1 / BUCKET) + 1):
                for index in cells.get((i, j), ()):
                    if seen[index] != visit:
                        seen[index] = visit
                        r = items[index][0]
                        if r[0] < x1 and x0 < r[2] and r[1] < y1 and y0 < r[3]:
                            found += 1
                            if found >= enough:
                                return found
        return found

    def near(self, box: Rect) -> Iterator[tuple[Rect, tuple[Point, Point] | None, int]]:
        """The items whose box overlaps `box`, each once."""
        self.visit += 1
        visit, seen, items, cells = self.visit, self.seen, self.items, self.cells
        for i in range(math.floor(box[0] / BUCKET), math.floor(box[2] / BUCKET) + 1):
            for j in range(math.floor(box[1] / BUCKET), math.floor(box[3] / BUCKET) + 1):
                for index in cells.get((i, j), ()):
                    if seen[index] != visit:
                        seen[index] = visit
                        item = items[index]
                        r = item[0]
                        if r[0] < box[2] and box[0] < r[2] and r[1] < box[3] and box[1] < r[3]:
                            yield item


def _places(
    route: list[Point],
    width: float,
    height: float,
    end_clearance: float = END_CLEARANCE,
    per_route: int = PER_ROUTE,
    spacing: float = STEP,
) -> list[tuple[float, Point]]:
    """(preference cost, centre) of the places a label may take along `route`, keeping
    `end_clearance` from its ends: at most `per_route` points spread from the route's
    middle both ways and the middles of its LONGEST pieces, each on the line and on both
    sides of it."""
    pieces = []
    run = 0.0
    for a, b in zip(route, route[1:], strict=False):
        length = math.hypot(b[0] - a[0], b[1] - a[1])
        if length > 0:
            pieces.append((a, b, length, run))
            run += length
    total = run
    first, last = end_clearance, total - end_clearance
    if not pieces or last < first:
        return []
    middle = total / 2
    step = max(spacing, (last - first) / max(1, per_route - 1))
    arcs = [middle]
    k = 1
    while middle - k * step >= first or middle + k * step <= last:
        arcs.extend(s for s in (middle - k * step, middle + k * step) if first <= s <= last)
        k += 1
    longest = sorted(pieces, key=lambda piece: -piece[2])[:LONGEST]
    arcs.extend(min(max(start + length / 2, first), last) for _, _, length, start in longest)
    starts = [piece[3] for piece in pieces]
    places: list[tuple[float, Point]] = []
    for arc in arcs:
        a, b, length, start = pieces[max(0, bisect.bisect_right(starts, arc) - 1)]
        ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
        along = width * abs(ux) + height * abs(uy)  # the box's extent along the piece
        beside = width / 2 * abs(uy) + height / 2 * abs(ux) + GAP
        short = max(0.0, along - length) * SHORT_PIECE / max(along, 1.0)
        off_middle = OFF_MIDDLE * abs(arc - middle) / total
        x, y = a[0] + ux * (arc - start), a[1] + uy * (arc - start)
        places.append((off_middle + short, (x, y)))
        for side in (1, -1):
            places.append((off_middle + BESIDE, (x - side * uy * beside, y + side * ux * beside)))
    return places


def _further(route: list[Point], width: float, height: float) -> list[tuple[float, Point]]:
    """(preference cost, centre) of places beside the middle of each piece of `route`,
    FURTHER_STEP apart out to FURTHER points from the line on both sides, dearer the
    further out (for a tag with no place on its link that covers no card)."""
    places: list[tuple[float, Point]] = []
    for a, b in zip(route, route[1:], strict=False):
        length = math.hypot(b[0] - a[0], b[1] - a[1])
        if length == 0:
            continue
        ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
        x, y = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        beside = width / 2 * abs(uy) + height / 2 * abs(ux) + GAP
        out = FURTHER_STEP
        while out <= FURTHER:
            for side in (1, -1):
                at = beside + out
                places.append(
                    (BESIDE + out / FURTHER_STEP, (x - side * uy * at, y + side * ux * at))
                )
            out += FURTHER_STEP
    return places


def place_labels(
    routes: dict[int, list[Point]],
    sizes: dict[int, tuple[float, float]],
    obstacles: Iterable[Rect],
    bounds: Rect | None = None,
    tag_sizes: dict[int, tuple[float, float]] | None = None,
) -> tuple[dict[int, Placed], set[int]]:
    """A place for the label of each link in `sizes` (width, height), along its route.

    `routes` holds every link's polyline (labelled or not: all are to be kept clear of),
    `obstacles` the cards, badges and panels, `bounds` the drawing's box if labels must
    stay inside it. With `tag_sizes`, a label that has no clear place is replaced by a
    small numbered tag of that size when the tag does better (its text is then listed
    beside the drawing). Returns the places and the links that carry a tag. Links
    without a route get no place.
    """
    boxes = _Grid()  # cards, badges, panels and the labels placed so far
    for box in obstacles:
        boxes.add(_grown(box, CLEARANCE))
    lines = _Grid()  # the links' segments
    for link, route in routes.items():
        for a, b in zip(route, route[1:], strict=False):
            box = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
            lines.add(_grown(box, LINK_CLEARANCE), (a, b), link)

    # Fewer places along each route when there are many labels: the time stays in
    # proportion to the board (bench/export.py), the big boards lose a little.
    per_route = max(MIN_PER_ROUTE, min(PER_ROUTE, PLACES_BUDGET // max(1, len(sizes))))
    tag_density = TAG_DENSITY if per_route == PER_ROUTE else 1
    ends = {
        link: [(x - 4, y - 4, x + 4, y + 4) for x, y in (route[0], route[-1])]
        for link, route in routes.items()
        if route
    }

    def cost(box: Rect, link: int, limit: float) -> float:
        """What covering `box` costs `link`'s label; counting stops past `limit`."""
        total = 0.0
        for end in ends[link]:
            if _overlaps(box, end):
                total += COVERS_END
        if bounds and not _inside(box, bounds):
            total += OUTSIDE
        if total >= limit:
            return total
        total += COVERS_CARD * boxes.count(box, (limit - total) / COVERS_CARD)
        if total >= limit:
            return total
        crossed: set[int] = set()
        wide = _grown(box, LINK_CLEARANCE)
        for _, segment, owner in lines.near(box):
            if owner != link and owner not in crossed and segment is not None:
                if segment_crosses(segment[0], segment[1], wide):
                    crossed.add(owner)
                    total += CROSSES_LINK
                    if total >= limit:
                        return total
        return total

    def best_place(
        link: int, width: float, height: float, clear_only: bool = False, dense: int = 1
    ) -> tuple[float, Point] | None:
        """The best place for a `width` x `height` box along `link`'s route, with its
        cost; with `clear_only`, a clear place or none (each place tried stops counting at
        its first other link, which makes a crowded route cheap to give up on)."""
        best: tuple[float, Point] | None = None
        # A route too short to keep clear of its ends is tried whole.
        route, many, step = routes[link], per_route * dense, STEP / dense
        places = _places(route, width, height, END_CLEARANCE, many, step) or _places(
            route, width, height, 0.0, many, step
        )
        ceiling = CROSSES_LINK if clear_only else math.inf
        for preference, (x, y) in sorted(places, key=lambda p: p[0]):
            if best is not None and preference >= best[0]:
                break  # sorted: no later place can do better
            box = (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
            limit = min(ceiling, math.inf if best is None else best[0]) - preference
            total = preference + cost(box, link, limit)
            if total < ceiling and (best is None or total < best[0]):
                best = (total, (x, y))
        return best

    def length(link: int) -> float:
        route = routes[link]
        return sum(math.dist(a, b) for a, b in zip(route, route[1:], strict=False))

    placed: dict[int, Placed] = {}
    tagged: set[int] = set()
    order = sorted((link for link in sizes if len(routes.get(link, ())) >= 2), key=length)
    for link in order:
        width, height = sizes[link]
        tagging = tag_sizes is not None and link in tag_sizes
        best = best_place(link, width, height, clear_only=tagging)
        if best is None and tag_sizes is not None and tagging:
            # No clear place: the small tag, in the least bad place for it; if that covers a
            # card (a short link between neighbouring cards), the best place a little
            # further out beside the link, as the canvas sets such a label beside the cards.
            width, height = tag_sizes[link]
            best = best_place(link, width, height, dense=tag_density)
            if best is not None and best[0] >= COVERS_CARD:
                for preference, (x, y) in _further(routes[link], width, height):
                    box = (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
                    total = preference + cost(box, link, best[0] - preference)
                    if total < best[0]:
                        best = (total, (x, y))
            tagged.add(link)
        if best is None:
            continue
        (x, y) = best[1]
        label = Placed(x, y, width, height, clear=best[0] < CROSSES_LINK)
        placed[link] = label
        boxes.add(_grown(label.box, CLEARANCE))
    return placed, tagged
