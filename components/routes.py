"""The canvas's routes for the exports: static/js/routing.js's plans, ports and lanes in
Python, so that an exported diagram draws its links as the editor does.

Why: the exports used Graphviz's orthogonal router on the pinned cards, which draws other
paths than the canvas (a user who arranged a board around its lines exported different
ones) and more crossings than the canvas's router now draws (bench/layout.py, the 13
boards' auto layouts: 246 against 185). This is the same algorithm, step for step, so the two agree
(tests/components/test_routes.py checks it against the JavaScript on shared boards):

1. each link's candidates (`plan_candidates`): a Z between facing sides, its middle moved
   across the corridor in steps; an L into the top or bottom of the other card (or the
   other way); a C around both cards, on each side, further out in steps;
2. of those clear of the cards, the cheapest by length, bends and the paths already
   planned that it crosses or runs along (`Routes._choose`), the whole board planned
   shortest links first, then each once more; if none is clear, the grid search around
   the cards (components/detour.py), else the candidate through the fewest cards;
3. ports spread along each side in the order the paths part (`side_order`), and lanes for
   the middles that share a corridor, in the order their turns do not cross
   (`lane_order`).

The search around the cards is detour.js's, step for step (components/detour.py).
Not ported: the canvas's 3–5 px steps of a searched path off another line (routing.js
makeNudges), and its time budget for the searches (the exports search without one, as
the canvas does in tests, each search capped at detour.MAX_POPS grid states).
Coordinates are the canvas's (y down); a card is (left, top, right, bottom).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from components import detour as search
from components.detour import OUTWARD, side_point
from components.document import Board
from components.layout import Positions, card_box

Point = tuple[float, float]
Rect = tuple[float, float, float, float]

CLEAR = 10  # px between a path and the cards it passes
STUB = 22  # px by which a path leaves a card before turning
PORT_GAP = 16  # px between the ports on one side
LANE_GAP = 10  # px between lanes
CROSSING_COST = 300  # px of length a crossing costs (routing.js)
BEND_COST = 20
ALONG_COST = 1  # per px run along another path
PLAN_PASSES = 2
SECOND_PASS_LIMIT = 400  # links: bigger boards are planned in one pass
BUCKET = 128  # px: the crossing index's grid
ALONG = 3  # px: parallel segments nearer than this run along each other
MAX_BUCKETS = 64  # cells: a longer segment (cards far apart) is listed apart (crossings.js)
NEAR = 7  # px: a grid-search path moved nearer than this to a card reads as touching it
ROUTE_LIMIT = 60  # components: larger boards are routed by Graphviz (at 100: 0.1–0.4 s here)
HORIZONTAL = {"left": True, "right": True, "top": False, "bottom": False}


@dataclass(frozen=True)
class Plan:
    """Which sides a link leaves and enters, and its shape: "z", "l", "c" (`shift`: how far
    a Z's middle or a C's side is moved) or "path" (`corners`: a grid search's points from
    the middle of one side to the middle of the other)."""

    source: str
    target: str
    shape: str
    shift: float = 0.0
    corners: tuple[Point, ...] = ()


@dataclass(slots=True)
class Shape:
    """One of a link's candidates as `Routes._choose` weighs it: its points, what its
    length and bends cost (`least`, the least it can cost), its place among the
    candidates (`order`), and whether it passes clear of the cards (None: not yet
    tested)."""

    plan: Plan
    order: int
    points: list[Point]
    length: float
    bends: float
    least: float
    clear: bool | None = None


@dataclass(frozen=True)
class Link:
    id: str
    source: str
    target: str


@dataclass
class Middle:
    """A Z's middle or a C's far side, to be given a lane: where it lies across its line
    (`along`), its `span` along it, which way the path turns at each end of the span
    (`turns`: -1 towards the lower coordinate across), and the offsets it may take."""

    id: str
    span: tuple[float, float]
    turns: tuple[int, int]
    along: float = 0.0
    low: float = 0.0
    high: float = 0.0


@dataclass(frozen=True)
class SideUser:
    """A link on one side of a card: which end is the far one, where that card lies along
    the side (`at`) and the planned path from this side."""

    id: str
    far: str
    at: float
    path: list[Point] | None


Entry = tuple[str, bool, float, float, float, float]  # link, vertical, x0, x1, y0, y1


def _centre(box: Rect) -> Point:
    return (box[0] + (box[2] - box[0]) / 2, box[1] + (box[3] - box[1]) / 2)


def plan_candidates(a: Rect, b: Rect) -> list[Plan]:
    """The shapes a link from card `a` to card `b` may take, in order of preference
    (routing.js planCandidates)."""
    ca, cb = _centre(a), _centre(b)
    gx = max(b[0] - a[2], a[0] - b[2])
    gy = max(b[1] - a[3], a[1] - b[3])
    right, below = cb[0] >= ca[0], cb[1] >= ca[1]
    across = ("right", "left") if right else ("left", "right")
    down = ("bottom", "top") if below else ("top", "bottom")
    out: list[Plan] = []
    for sides in (across, down) if gx >= gy else (down, across):
        room = gx if HORIZONTAL[sides[0]] else gy
        if room < 2 * CLEAR:
            continue
        out.append(Plan(sides[0], sides[1], "z", 0.0))
        steps = min(6, math.floor(room / 2 / (2 * CLEAR)))
        for k in range(1, steps + 1):
            d = (k * (room / 2 - CLEAR)) / steps
            out += [Plan(sides[0], sides[1], "z", -d), Plan(sides[0], sides[1], "z", d)]

    def beside_a(x: float) -> bool:
        return x > a[2] + STUB or x < a[0] - STUB

    def beside_b(y: float) -> bool:
        return y > b[3] + STUB or y < b[1] - STUB

    if beside_a(cb[0]) and beside_b(ca[1]):
        out.append(Plan(across[0], down[1], "l"))
    if (cb[1] > a[3] + STUB or cb[1] < a[1] - STUB) and (
        ca[0] > b[2] + STUB or ca[0] < b[0] - STUB
    ):
        out.append(Plan(down[0], across[1], "l"))
    for side in ("right", "left", "bottom", "top"):
        for shift in (0, 2 * STUB, 5 * STUB):
            out.append(Plan(side, side, "c", float(shift)))
    return out


def plan_points(plan: Plan, p: Point, q: Point, a: Rect, b: Rect, lane: float) -> list[Point]:
    """The corners of `plan` from port `p` (on card `a`) to port `q` (on card `b`), its
    middle moved by `lane` (routing.js Router.points)."""
    if plan.shape == "path":
        return _path_from(plan, p, q)
    if plan.shape == "z":
        if HORIZONTAL[plan.source]:
            if abs(p[1] - q[1]) < 1:
                return [p, q]
            mid = (p[0] + q[0]) / 2 + lane + plan.shift
            return [p, (mid, p[1]), (mid, q[1]), q]
        if abs(p[0] - q[0]) < 1:
            return [p, q]
        mid = (p[1] + q[1]) / 2 + lane + plan.shift
        return [p, (p[0], mid), (q[0], mid), q]
    if plan.shape == "l":
        return [p, (q[0], p[1]), q] if HORIZONTAL[plan.source] else [p, (p[0], q[1]), q]
    if plan.shape == "c":
        dx, dy = OUTWARD[plan.source]
        pad = STUB + lane + plan.shift
        if dx:
            x = max(a[2], b[2]) + pad if dx > 0 else min(a[0], b[0]) - pad
            return [p, (x, p[1]), (x, q[1]), q]
        y = max(a[3], b[3]) + pad if dy > 0 else min(a[1], b[1]) - pad
        return [p, (p[0], y), (q[0], y), q]
    return [p, q]


def _path_from(plan: Plan, p: Point, q: Point) -> list[Point]:
    """A grid search's path from port `p` to port `q`."""
    return search.detour_points(plan.source, plan.target, plan.corners, p, q)


def side_by_side(points: Sequence[Point], d: float) -> list[Point]:
    """The orthogonal polyline moved `d` px to the left of its direction of travel: each
    segment along its own normal, each corner with both of its segments (detour.js
    sideBySide)."""
    normals = []
    for p, q in zip(points, points[1:], strict=False):
        dx, dy = _direction(p, q)
        normals.append((dy * d, -dx * d))
    out = []
    for k, p in enumerate(points):
        before = normals[k - 1] if k > 0 else (0.0, 0.0)
        after = normals[k] if k < len(normals) else (0.0, 0.0)
        out.append((p[0] + (after[0] or before[0]), p[1] + (after[1] or before[1])))
    return out


def _turn(before: Point, d: Point) -> int:
    return 1 if _left_of(d, before) else -1 if _left_of(before, d) else 0


def _left_of(d: Point, e: Point) -> bool:
    return d[0] * e[1] - d[1] * e[0] > 0


def _direction(p: Point, q: Point) -> Point:
    return (_sign(q[0] - p[0]), _sign(q[1] - p[1]))


def _sign(v: float) -> int:
    return (v > 0) - (v < 0)


def _distance(p: Point, q: Point) -> float:
    return math.sqrt((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2)


def side_order(u: Sequence[Point] | None, v: Sequence[Point] | None) -> int:
    """Which of two paths leaving one point lies to the left of the other where they part:
    -1 if `u`, 1 if `v`, 0 if they never part (routing.js sideOrder)."""
    if not u or not v:
        return 0
    for k in range(1, min(len(u), len(v))):
        du, dv = _direction(u[k - 1], u[k]), _direction(v[k - 1], v[k])
        if du != dv:
            if k == 1:
                return -1 if _left_of(du, dv) else 1 if _left_of(dv, du) else 0
            before = _direction(u[k - 2], u[k - 1])
            return _sign(_turn(before, dv) - _turn(before, du))
        lu, lv = _distance(u[k - 1], u[k]), _distance(v[k - 1], v[k])
        if abs(lu - lv) < 0.5:
            continue
        short = u if lu < lv else v
        if k + 1 >= len(short):
            return 0
        turn = _direction(short[k], short[k + 1])
        sign = -1 if (turn[0] == du[1] and turn[1] == -du[0]) else 1
        return sign if short is u else -sign
    return 0


def lane_order(u: Middle, v: Middle) -> int:
    """The order across a shared line of two middles: negative when `u` takes the lower
    lane (routing.js laneOrder)."""
    if u.span[0] > v.span[1] + 4 or v.span[0] > u.span[1] + 4:
        return 0
    vote = 0
    if u.span[0] < v.span[0]:
        vote -= v.turns[0]
    elif v.span[0] < u.span[0]:
        vote += u.turns[0]
    if u.span[1] < v.span[1]:
        vote += u.turns[1]
    elif v.span[1] < u.span[1]:
        vote -= v.turns[1]
    return _sign(vote)


class CrossingIndex:
    """The planned paths' segments by the BUCKET px cells they cover (crossings.js)."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[Entry]] = defaultdict(list)
        self.by_link: dict[str, list[Entry]] = {}
        self.long: list[Entry] = []  # entries over more than MAX_BUCKETS cells

    def add(self, link: str, points: Sequence[Point]) -> None:
        self.remove(link)
        entries = []
        for u, v in zip(points, points[1:], strict=False):
            entry = (
                link,
                u[0] == v[0],
                min(u[0], v[0]),
                max(u[0], v[0]),
                min(u[1], v[1]),
                max(u[1], v[1]),
            )
            if _span(entry[2], entry[4], entry[3], entry[5]) > MAX_BUCKETS:
                self.long.append(entry)
            else:
                for cell in _cells(entry[2], entry[4], entry[3], entry[5]):
                    self.cells[cell].append(entry)
            entries.append(entry)
        self.by_link[link] = entries

    def remove(self, link: str) -> None:
        for entry in self.by_link.pop(link, []):
            if _span(entry[2], entry[4], entry[3], entry[5]) > MAX_BUCKETS:
                self.long.remove(entry)
                continue
            for cell in _cells(entry[2], entry[4], entry[3], entry[5]):
                self.cells[cell].remove(entry)

    def meet(self, points: Sequence[Point], skip: str) -> tuple[int, float]:
        """How often `points` crosses the filed paths (but link `skip`'s), and how many px
        it runs along them (parallel, within ALONG px)."""
        crossings, along = 0, 0.0
        for u, v in zip(points, points[1:], strict=False):
            vertical = u[0] == v[0]
            if not vertical and u[1] != v[1]:
                continue
            x0, x1, y0, y1 = min(u[0], v[0]), max(u[0], v[0]), min(u[1], v[1]), max(u[1], v[1])
            seen: set[int] = set()
            # A long segment looks at every entry; a short one at its cells' and the long.
            if _span(x0, y0, x1, y1) > MAX_BUCKETS:
                lists: Iterable[Sequence[Entry]] = list(self.by_link.values())
            else:
                lists = [*(self.cells.get(cell, ()) for cell in _cells(x0, y0, x1, y1)), self.long]
            for found in lists:
                for other in found:
                    if id(other) in seen or other[0] == skip:
                        continue
                    seen.add(id(other))
                    _, overt, ox0, ox1, oy0, oy1 = other
                    if overt == vertical:
                        if vertical and abs(ox0 - x0) < ALONG:
                            along += max(0.0, min(y1, oy1) - max(y0, oy0))
                        elif not vertical and abs(oy0 - y0) < ALONG:
                            along += max(0.0, min(x1, ox1) - max(x0, ox0))
                        continue
                    if vertical:
                        crossings += ox0 < x0 < ox1 and y0 < oy0 < y1
                    else:
                        crossings += x0 < ox0 < x1 and oy0 < y0 < oy1
        return crossings, along


def _span(x0: float, y0: float, x1: float, y1: float) -> int:
    """How many BUCKET px cells a box covers."""
    columns = math.floor(x1 / BUCKET) - math.floor(x0 / BUCKET) + 1
    return columns * (math.floor(y1 / BUCKET) - math.floor(y0 / BUCKET) + 1)


def _cells(x0: float, y0: float, x1: float, y1: float) -> Iterable[tuple[int, int]]:
    for i in range(math.floor(x0 / BUCKET), math.floor(x1 / BUCKET) + 1):
        for j in range(math.floor(y0 / BUCKET), math.floor(y1 / BUCKET) + 1):
            yield (i, j)


def _meets(box: Rect, line: Rect, pad: float) -> bool:
    """Whether `box` overlaps the segment's box `line` thickened by `pad` (touching is not
    overlapping)."""
    return (
        line[2] + pad > box[0]
        and line[0] - pad < box[2]
        and line[3] + pad > box[1]
        and line[1] - pad < box[3]
    )


def _cuts(line: Rect, box: Rect) -> bool:
    """Whether the axis-parallel segment `line` passes through the inside of `box`."""
    return (
        line[2] > box[0]
        and line[0] < box[2]
        and line[3] > box[1]
        and line[1] < box[3]
        and (line[2] > line[0] or box[0] < line[0] < box[2])
        and (line[3] > line[1] or box[1] < line[1] < box[3])
    )


def _segment(p: Point, q: Point) -> Rect:
    return (min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]))


def _length(points: Sequence[Point]) -> float:
    return sum(_distance(p, q) for p, q in zip(points, points[1:], strict=False))


class Routes:
    """The routes of one board's links between its cards, as the canvas draws them:
    `cards` by id, `links` in board order."""

    def __init__(self, cards: dict[str, Rect], links: Sequence[Link], finish: bool = True) -> None:
        """Plan every link; with `finish`, also the ports' orders, the searched paths'
        shifts and the lanes that `line` needs (components/polish.py plans only)."""
        self.cards = cards
        self.links = [k for k in links if k.source in cards and k.target in cards]
        self.by_id = {link.id: link for link in self.links}
        self.index = search.Buckets(list(cards.values()))
        self.ids = list(cards)
        self.by_card: dict[str, list[Link]] = defaultdict(list)
        for link in self.links:
            self.by_card[link.source].append(link)
            if link.target != link.source:
                self.by_card[link.target].append(link)
        self.plans: dict[str, Plan | None] = {}
        self.planned = CrossingIndex()  # the plans' paths, from the middles of the sides
        self.paths: dict[str, list[Point]] = {}  # the same paths, by link
        self.searching = True  # False: a link with no clear shape is not searched around
        # each link's candidates, cheapest first (`_choose`), kept for the second planning
        # pass, which tries the same ones (`move` forgets them)
        self._shapes: dict[str, list[Shape]] = {}
        self._plan_all()
        self._orders: dict[tuple[str, str], list[SideUser]] = {}
        if not finish:
            return
        self._shifts = self._detour_shifts()
        self._lanes = self._make_lanes()

    # --- plans ---------------------------------------------------------------------

    def move(self, boxes: dict[str, Rect]) -> None:
        """Put the cards in `boxes` (by id, cards the routes have) there, for plans made
        again one link at a time (components/polish.py); nothing is planned here, and
        ports and lanes are not kept in step."""
        assert boxes.keys() <= self.cards.keys(), "only cards the routes have can move"
        self.cards.update(boxes)
        self.index = search.Buckets(list(self.cards.values()))
        self._shapes = {}

    def blocked(self, p: Point, q: Point, ends: tuple[str, str], pad: float = CLEAR / 2) -> bool:
        """Whether segment p-q passes within `pad` px of a card other than `ends`."""
        line = _segment(p, q)
        for k in self.index.near(line[0] - pad, line[1] - pad, line[2] + pad, line[3] + pad):
            card = self.ids[k]
            if card not in ends and _meets(self.cards[card], line, pad):
                return True
        return False

    def hits(self, points: Sequence[Point], ends: tuple[str, str], enough: float = math.inf) -> int:
        """How many segments pass through a card, its own two past the first and last."""
        source, target = self.cards.get(ends[0]), self.cards.get(ends[1])
        count = 0
        for i in range(1, len(points)):
            if count >= enough:
                break
            a, b = points[i - 1], points[i]
            if self.blocked(a, b, ends):
                count += 1
                continue
            line = _segment(a, b)
            if (i > 1 and source and _cuts(line, source)) or (
                i < len(points) - 1 and target and _cuts(line, target)
            ):
                count += 1
        return count

    def _plan_all(self) -> None:
        """Every link's plan, each chosen against those chosen before it: the shortest
        links first, then each once more against all the others (routing.js planAll)."""
        index = self.planned
        order = sorted(self.links, key=lambda link: (self._reach(link), link.id))
        passes = 1 if len(order) > SECOND_PASS_LIMIT else PLAN_PASSES
        for _ in range(passes):
            for link in order:
                index.remove(link.id)
                plan, points = self._choose(link, index)
                self.plans[link.id] = plan
                self.paths[link.id] = points or []
                if points:
                    index.add(link.id, points)

    def _reach(self, link: Link) -> float:
        a, b = _centre(self.cards[link.source]), _centre(self.cards[link.target])
        return abs(a[0] - b[0]) + abs(a[1] - b[1])

    def _choose(self, link: Link, index: CrossingIndex) -> tuple[Plan | None, list[Point] | None]:
        """The cheapest clear candidate by length, bends and what it crosses or runs along;
        else a grid search; else the candidate through the fewest cards."""
        a, b = self.cards[link.source], self.cards[link.target]
        ends = (link.source, link.target)

        def points_of(plan: Plan) -> list[Point]:
            return plan_points(
                plan, side_point(a, plan.source), side_point(b, plan.target), a, b, 0
            )

        # The cheapest first: a candidate's length and bends are the least it can cost,
        # so once that exceeds the best cost found, no later one can win. The same
        # choice as trying them all in order (the first of the cheapest), in less time.
        shapes = self._shapes.get(link.id)
        if shapes is None:
            shapes = []
            for order, plan in enumerate(plan_candidates(a, b)):
                points = points_of(plan)
                length, bends = _length(points), float(BEND_COST * (len(points) - 2))
                shapes.append(Shape(plan, order, points, length, bends, length + bends))
            shapes.sort(key=lambda shape: (shape.least, shape.order))
            self._shapes[link.id] = shapes
        best: tuple[float, Shape] | None = None
        for shape in shapes:
            if best is not None and shape.least > best[0]:
                break
            if shape.clear is None:
                shape.clear = not self.hits(shape.points, ends, 1)
            if not shape.clear:
                continue
            crossings, along = index.meet(shape.points, link.id)
            cost = CROSSING_COST * crossings + ALONG_COST * along + shape.length
            cost += shape.bends
            if best is None or cost < best[0] or (cost == best[0] and shape.order < best[1].order):
                best = (cost, shape)
        if best is not None:
            return best[1].plan, best[1].points
        chosen, fewest = None, math.inf
        for shape in sorted(shapes, key=lambda shape: shape.order):
            hits = self.hits(shape.points, ends, fewest)
            if hits < fewest:
                chosen, fewest = shape.plan, hits
        found = (
            search.search(a, b, [*self.cards.values(), a, b], CLEAR, STUB)
            if self.searching
            else None
        )
        if found is not None:
            path = Plan(found[0], found[1], "path", corners=tuple(found[2]))
            return path, points_of(path)
        return chosen, points_of(chosen) if chosen else None

    # --- ports ---------------------------------------------------------------------

    def planned_path(self, link: Link, from_source: bool) -> list[Point] | None:
        """`link`'s plan from the middles of its sides, from its source (or target)."""
        plan = self.plans.get(link.id)
        if plan is None:
            return None
        a, b = self.cards[link.source], self.cards[link.target]
        points = plan_points(plan, side_point(a, plan.source), side_point(b, plan.target), a, b, 0)
        return points if from_source else points[::-1]

    def side_users(self, card: str, side: str) -> list[SideUser]:
        """The links on `side` of `card` in the order of their ports along it: as their
        paths part (side_order), then by where their far ends are, ties by id."""
        key = (card, side)
        if key in self._orders:
            return self._orders[key]
        horizontal = HORIZONTAL[side]
        users = []
        for link in self.by_card[card]:
            plan = self.plans.get(link.id)
            if plan is None:
                continue
            fars = []
            if link.source == card and plan.source == side:
                fars.append("target")
            if link.target == card and plan.target == side:
                fars.append("source")
            for far in fars:
                c = _centre(self.cards[getattr(link, far)])
                at = c[1] if horizontal else c[0]
                users.append(SideUser(link.id, far, at, self.planned_path(link, far == "target")))
        sign = 1 if side in ("right", "top") else -1

        def compare(u: SideUser, v: SideUser) -> int:
            return (
                sign * side_order(u.path, v.path)
                or _sign(u.at - v.at)
                or (-1 if u.id < v.id else 1 if u.id > v.id else 0)
                or (-1 if u.far < v.far else 1)
            )

        users.sort(key=lambda u: (u.id, u.far))  # one order to start from (routing.js)
        users.sort(key=functools.cmp_to_key(compare))
        self._orders[key] = users
        return users

    def port(self, link: Link, end: str) -> Point:
        """Where `link` leaves (`end` "source") or enters ("target") its card: the middle
        of its planned side, moved along it by its place among the links on that side."""
        plan = self.plans.get(link.id)
        card = getattr(link, end)
        box = self.cards[card]
        if plan is None:
            return _centre(box)
        side = plan.source if end == "source" else plan.target
        if plan.shape == "path":
            line = self.line(link)
            return line[0] if end == "source" else line[-1]
        users = self.side_users(card, side)
        far = "target" if end == "source" else "source"
        index = next((k for k, u in enumerate(users) if u.id == link.id and u.far == far), -1)
        count = len(users)
        horizontal = HORIZONTAL[side]
        length = (box[3] - box[1]) if horizontal else (box[2] - box[0])
        gap = min(PORT_GAP, (length - 8) / max(1, count))
        shift = (index - (count - 1) / 2) * gap if count > 1 and index >= 0 else 0
        point = side_point(box, side)
        moved = (point[0], point[1] + shift) if horizontal else (point[0] + shift, point[1])
        return point if shift and self._spoils(link, plan, end, moved) else moved

    def _spoils(self, link: Link, plan: Plan, end: str, moved: Point) -> bool:
        """Whether the port `moved` makes the planned path cross a card it was clear of."""
        a, b = self.cards[link.source], self.cards[link.target]
        p, q = side_point(a, plan.source), side_point(b, plan.target)
        ends = (link.source, link.target)
        if self.hits(plan_points(plan, p, q, a, b, 0), ends, 1):
            return False
        p2, q2 = (moved, q) if end == "source" else (p, moved)
        return self.hits(plan_points(plan, p2, q2, a, b, 0), ends, 1) > 0

    # --- grid-search paths that share a side -----------------------------------------

    def _detour_shifts(self) -> dict[str, float]:
        """How far each grid-search path is moved to its left: paths leaving or entering
        one side of a card start on one point, so they are spread across it, at most
        CLEAR / 2 px each way, less where that would bring the line within NEAR px of a
        card or change its turns (routing.js makeDetourShifts)."""
        by_side: dict[tuple[str, str], list[tuple[str, int, float]]] = defaultdict(list)
        for link in self.links:
            plan = self.plans.get(link.id)
            if plan is None or plan.shape != "path":
                continue
            for end, sign, side in (("source", 1, plan.source), ("target", -1, plan.target)):
                card = getattr(link, end)
                other = _centre(self.cards[link.target if end == "source" else link.source])
                ox, oy = OUTWARD[side]
                by_side[(card, side)].append((link.id, sign, other[0] * oy - other[1] * ox))
        shifts: dict[str, float] = {}
        groups = sorted((g for g in by_side.values() if len(g) > 1), key=len, reverse=True)

        def along_side(u: tuple[str, int, float], v: tuple[str, int, float]) -> int:
            return _sign(u[2] - v[2]) or (-1 if u[0] < v[0] else 1)

        for group in groups:
            group.sort(key=functools.cmp_to_key(along_side))
            gap = min(LANE_GAP, CLEAR / (len(group) - 1))
            places = [(i - (len(group) - 1) / 2) * gap for i in range(len(group))]
            used = [sign * shifts[name] for name, sign, _ in group if name in shifts]
            free = [at for at in places if not any(abs(u - at) < 2 for u in used)]
            for name, sign, _ in group:
                if name not in shifts:
                    shifts[name] = sign * (free.pop(0) if free else 0)
        for link_id, offset in list(shifts.items()):
            link = self.by_id[link_id]
            plan = self.plans[link_id]
            assert plan is not None
            line = self._searched_line(link, plan)
            ends = (link.source, link.target)
            shift = offset
            while shift and self._spoilt(line, side_by_side(line, shift), ends):
                shift = 0 if abs(shift) < 2 else shift / 2
            if shift:
                shifts[link_id] = shift
            else:
                del shifts[link_id]
        return shifts

    def _searched_line(self, link: Link, plan: Plan) -> list[Point]:
        """A grid search's path from the middles of its sides."""
        a, b = self.cards[link.source], self.cards[link.target]
        return _path_from(plan, side_point(a, plan.source), side_point(b, plan.target))

    def _spoilt(self, line: list[Point], moved: list[Point], ends: tuple[str, str]) -> bool:
        """Whether `moved` turns another way than `line` or passes within NEAR px of a card
        (its own two past their stubs)."""
        for (p, q), (u, v) in zip(
            zip(line, line[1:], strict=False), zip(moved, moved[1:], strict=False), strict=True
        ):
            if _direction(p, q) != _direction(u, v):
                return True
        for k in range(1, len(moved)):
            stub = k in (1, len(moved) - 1)
            if self.blocked(moved[k - 1], moved[k], ends if stub else ("", ""), NEAR):
                return True
        return False

    # --- lanes ---------------------------------------------------------------------

    def _make_lanes(self) -> dict[str, float]:
        """Each Z middle or C side that shares a line with others, moved to a lane of its
        own (routing.js makeLanes)."""
        axes: tuple[list[Middle], list[Middle]] = ([], [])
        for link in self.links:
            plan = self.plans.get(link.id)
            if plan is None or plan.shape in ("path", "l"):
                continue
            a, b = self.cards[link.source], self.cards[link.target]
            p, q = side_point(a, plan.source), side_point(b, plan.target)
            horizontal = HORIZONTAL[plan.source]
            if plan.shape == "z":
                if (abs(p[1] - q[1]) < 1) if horizontal else (abs(p[0] - q[0]) < 1):
                    continue
                along = ((p[0] + q[0]) / 2 if horizontal else (p[1] + q[1]) / 2) + plan.shift
                room = (abs(q[0] - p[0]) if horizontal else abs(q[1] - p[1])) / 2 - 6
                span = (
                    (min(p[1], q[1]), max(p[1], q[1]))
                    if horizontal
                    else (min(p[0], q[0]), max(p[0], q[0]))
                )
                low, high = min(0, -room - plan.shift), max(0, room - plan.shift)
            else:
                dx = OUTWARD[plan.source][0]
                points = plan_points(plan, p, q, a, b, 0)
                along = points[1][0] if dx else points[1][1]
                span = (
                    (min(p[1], q[1]), max(p[1], q[1])) if dx else (min(p[0], q[0]), max(p[0], q[0]))
                )
                low, high = CLEAR - STUB, 4 * LANE_GAP
            axis = 0 if horizontal else 1
            across, lengthwise = (0, 1) if axis == 0 else (1, 0)

            def turn(point: Point, at: float = along, k: int = across) -> int:
                return -1 if point[k] < at else 1

            turns = (turn(p), turn(q)) if p[lengthwise] <= q[lengthwise] else (turn(q), turn(p))
            axes[axis].append(Middle(link.id, span, turns, along, low, high))
        lanes: dict[str, float] = {}
        for items in axes:
            items.sort(key=lambda item: (item.along, item.id))
            taken: list[tuple[float, tuple[float, float]]] = []
            groups: list[list[Middle]] = []
            for i, item in enumerate(items):
                if not i or item.along - items[i - 1].along > 6:
                    groups.append([])
                groups[-1].append(item)
            for group in groups:
                self._spread(group, taken, lanes)
        return lanes

    def _spread(
        self,
        group: list[Middle],
        taken: list[tuple[float, tuple[float, float]]],
        lanes: dict[str, float],
    ) -> None:
        """Lanes for one line's middles: in lane_order, each the lane after those before
        it that it overlaps; kept unless that moves it into a card or onto a line given
        out beside it, else the nearest offset that does neither, else the line."""

        def compare(u: Middle, v: Middle) -> int:
            return lane_order(u, v) or _sign(u.span[0] - v.span[0]) or (-1 if u.id < v.id else 1)

        group.sort(key=lambda item: item.id)  # one order to start from (routing.js)
        group.sort(key=functools.cmp_to_key(compare))
        numbers: list[int] = []
        for i, item in enumerate(group):
            lane = 0
            for k in range(i):
                other = group[k]
                if other.span[0] <= item.span[1] + 4 and item.span[0] <= other.span[1] + 4:
                    lane = max(lane, numbers[k] + 1)
            numbers.append(lane)
        count = max(numbers) + 1 if numbers else 0
        for item, number in zip(group, numbers, strict=True):
            low, high = item.low, item.high
            gap = max(3, min(LANE_GAP, (high - low) / max(1, count - 1)))
            wanted = min(high, max(low, (number - (count - 1) / 2) * gap))
            span = item.span

            def beside(o: float, at: float = item.along, span: tuple[float, float] = span) -> bool:
                return any(
                    abs(t_at - (at + o)) < 3
                    and t_span[0] <= span[1] + 4
                    and span[0] <= t_span[1] + 4
                    for t_at, t_span in taken
                )

            offset = 0.0
            if wanted or beside(0):
                cards = self._lane_cards(item.id)
                base = cards(0)
                options = [wanted]
                start, stop = max(low, wanted - 4 * LANE_GAP), min(high, wanted + 4 * LANE_GAP)
                o = math.ceil(start / 3) * 3
                while o <= stop:
                    if o != wanted:
                        options.append(o)
                    o += 3
                options.sort(key=lambda o: (abs(o - wanted), o))
                offset = next(
                    (o for o in options if not beside(o) and (not o or cards(o) <= base)), 0.0
                )
            taken.append((item.along + offset, span))
            if offset:
                lanes[item.id] = offset

    def _lane_cards(self, link_id: str) -> Callable[[float], set[tuple[str, str]]]:
        """For a link, a function of a lane: the (card, how near) pairs its line comes
        near (CLEAR / 2 px), touches (2 px) or crosses, its own two left out."""
        link = self.by_id[link_id]
        plan = self.plans[link.id]
        assert plan is not None
        a, b = self.cards[link.source], self.cards[link.target]
        p, q = self.port(link, "source"), self.port(link, "target")

        def found(lane: float) -> set[tuple[str, str]]:
            out: set[tuple[str, str]] = set()
            points = plan_points(plan, p, q, a, b, lane)
            for u, v in zip(points, points[1:], strict=False):
                line = _segment(u, v)
                pad = CLEAR / 2
                for k in self.index.near(
                    line[0] - pad, line[1] - pad, line[2] + pad, line[3] + pad
                ):
                    card = self.ids[k]
                    box = self.cards[card]
                    if card in (link.source, link.target) or not _meets(box, line, pad):
                        continue
                    out.add((card, "near"))
                    if _meets(box, line, 2):
                        out.add((card, "touch"))
                    if _cuts(line, box):
                        out.add((card, "through"))
            return out

        return found

    # --- lines ---------------------------------------------------------------------

    def line(self, link: Link) -> list[Point]:
        """The whole path of `link`: its ports and the corners between them."""
        plan = self.plans.get(link.id)
        if plan is None:
            return []
        if plan.shape == "path":
            line = self._searched_line(link, plan)
            shift = self._shifts.get(link.id, 0.0)
            return side_by_side(line, shift) if shift else line
        a, b = self.cards[link.source], self.cards[link.target]
        lane = self._lanes.get(link.id, 0.0)
        return plan_points(plan, self.port(link, "source"), self.port(link, "target"), a, b, lane)

    def lines(self) -> dict[str, list[Point]]:
        """Every link's path, by link id."""
        return {link.id: self.line(link) for link in self.links}


def board_links(board: Board) -> list[Link]:
    """The board's links as the router takes them, in board order."""
    return [Link(e.id, e.source, e.target) for e in board.edges]


def board_routes(board: Board, positions: Positions) -> dict[int, list[Point]] | None:
    """Each link's path (by its number in the board) with the cards at `positions` (top-left
    canvas positions by id), as the canvas draws it; None for a board over ROUTE_LIMIT
    components or with a link from a card to itself (the canvas refuses those)."""
    if len(board.nodes) > ROUTE_LIMIT or any(e.source == e.target for e in board.edges):
        return None
    cards = {node.id: card_box(node, positions) for node in board.nodes}
    lines = Routes(cards, board_links(board)).lines()
    out = {k: lines[e.id] for k, e in enumerate(board.edges) if len(lines.get(e.id, ())) >= 2}
    return out if len(out) == len(board.edges) else None
