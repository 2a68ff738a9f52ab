"""The untangling pass after dot: fewer crossings, the same drawing box.

dot counts crossings between neighbouring columns only. Most links between bands stay
in one column (``minlen=0``) and run up or down across the bands between, and
a link drawn through a card is routed around it by the export, crossing others: dot sees
none of this (``dot -v`` reports 0 or 1 on each bench board; drawn, they have 450 in
all). So the positions dot gives are untangled afterwards (`untangled`), scored with the
links drawn straight between card centres: one per crossing, ``THROUGH_COST`` (one) per
card a link runs through.

1. The bands lie in horizontal strips; they are restacked in the order of least score
   (every order of the five is tried; cards of no band, loose notes, stay where they are).
2. Then each card in turn takes its best move inside its band, to a free slot (any
   column of the layout, in a row its band uses) or a swap with a card of its band, for
   up to ``UNTANGLE_SWEEPS`` passes. A move must keep the card inside the drawing,
   ``CARD_GAP`` from every card, each link inside its band pointing the way it did (or
   stacked) and each level link of the serving loop level.

Nothing grows: the drawing keeps its size (so its fit and aspect), every band its strip
(no card of another band inside a band's box). Measured: crossings on the 13 boards of
bench/layout.py 450 → 237 as the exports draw them (straight between centres: 216 → 85),
link labels lying on a link 38 → 20; on the 277 realistic boards (tests/fixtures/
realistic) 6,051 → 3,760, none fitting worse, though 28 get a few more (the straight
score only approximates the routed drawing; these figures are with Graphviz's routing
and a through-card cost of 0.5; with the editor's routes, now the exports' too, see
THROUGH_COST). It takes about 40 ms at 20–24 components
and 100 ms at 25–29 (medians), up to 0.4 s at 40; larger boards (``UNTANGLE_LIMIT``)
keep dot's placement. Tried and left out: mirroring bands, pairs of bands side by side
in one row (more crossings), dot's own routes for this layout (twice as many),
``mclimit``, ``remincross`` and ``searchsize`` (no change), forcing the band order in dot
with invisible anchors (dot does not keep it), and choosing among candidates by routing
each (fewer crossings, but Graphviz's router costs 60 ms a try).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from components.cards import MIN_HEIGHT
from components.document import Board
from components.labels import segment_inside
from components.layout import (
    NODESEP_FLOOR,
    Point,
    Positions,
    bands,
    card_size,
    laid_links,
)

UNTANGLE_LIMIT = 40  # components: larger boards keep dot's placement (up to 0.4 s at 40)
# A link drawn straight through a card, against one crossing. 0.5 drew the fewest
# crossings with Graphviz's routing; with the editor's routes (components/routes.py) 1
# does: 13 bench boards 227 -> 213 in the editor, 217 -> 208 exported; 201 realistic
# boards 2,766 -> 2,635 (1.5: 2,661; 2: 2,766; docs/benchmarks.md).
THROUGH_COST = 1.0
CARD_GAP = NODESEP_FLOOR * 72  # px a moved card keeps from the others: the tightest retry's
UNTANGLE_SWEEPS = 3  # passes over the cards; on 138 realistic boards more changed nothing


class Tangle:
    """The cards' centres and the laid links, scored as drawn straight between centres:
    one per crossing, THROUGH_COST per card a link runs through. dot cannot minimise
    this: it counts crossings between neighbouring columns only, not those of a link
    running up or down across other bands (it reports 0 or 1 on every bench board, whose
    straight links cross 216 times in all). Cards are numbered in board order; the
    untangling pass moves them by changing `x` and `y`."""

    def __init__(self, board: Board, positions: Positions) -> None:
        self.ids = [node.id for node in board.nodes]
        band = bands(board)
        self.band = [band[i] for i in self.ids]
        sizes = [card_size(node) for node in board.nodes]
        self.half = [(w / 2, h / 2) for w, h in sizes]
        self.x = [positions[i]["x"] + w for i, (w, _) in zip(self.ids, self.half, strict=True)]
        self.y = [positions[i]["y"] + h for i, (_, h) in zip(self.ids, self.half, strict=True)]
        index = {i: k for k, i in enumerate(self.ids)}
        self.links = [(index[s], index[t]) for s, t in laid_links(board)]
        self.incident: list[list[int]] = [[] for _ in self.ids]
        for k, (s, t) in enumerate(self.links):
            self.incident[s].append(k)
            self.incident[t].append(k)

    def positions(self) -> Positions:
        """Top-left canvas positions by node id."""
        return {
            i: {"x": round(x - w), "y": round(y - h)}
            for i, x, y, (w, h) in zip(self.ids, self.x, self.y, self.half, strict=True)
        }

    def _crossings(self, k: int, skip: set[int]) -> int:
        """How many links (but those in `skip` and those sharing an end) link k crosses.
        Written out, not through layout's _segments_cross: the pass makes ~10^5 of these tests."""
        x, y = self.x, self.y
        s, t = self.links[k]
        ax, ay, bx, by = x[s], y[s], x[t], y[t]
        lox, hix, loy, hiy = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
        ux, uy = bx - ax, by - ay
        count = 0
        for m, (p, q) in enumerate(self.links):
            if p in (s, t) or q in (s, t) or m in skip:
                continue
            cx, cy, dx, dy = x[p], y[p], x[q], y[q]
            if (cx < lox and dx < lox) or (cx > hix and dx > hix):
                continue  # the two are far apart: most pairs
            if (cy < loy and dy < loy) or (cy > hiy and dy > hiy):
                continue
            if (ux * (cy - ay) - uy * (cx - ax)) * (ux * (dy - ay) - uy * (dx - ax)) >= 0:
                continue
            vx, vy = dx - cx, dy - cy
            count += (vx * (ay - cy) - vy * (ax - cx)) * (vx * (by - cy) - vy * (bx - cx)) < 0
        return count

    def _through(self, k: int, cards: Iterable[int]) -> int:
        """How many of `cards` (not its ends) link k, drawn straight, runs through."""
        x, y = self.x, self.y
        s, t = self.links[k]
        a, b = (x[s], y[s]), (x[t], y[t])
        lox, hix, loy, hiy = min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1])
        count = 0
        for j in cards:
            w, h = self.half[j]
            if hix <= x[j] - w or lox >= x[j] + w or hiy <= y[j] - h or loy >= y[j] + h:
                continue  # cheap test first: most cards are far from the link
            if j != s and j != t:
                count += segment_inside(a, b, (x[j] - w, y[j] - h, x[j] + w, y[j] + h)) > 1e-6
        return count

    def _links_through(self, card: int, skip: set[int]) -> int:
        """How many links (not in `skip`, not ending at it) run through `card`."""
        x, y = self.x, self.y
        w, h = self.half[card]
        box = (x[card] - w, y[card] - h, x[card] + w, y[card] + h)
        count = 0
        for k, (s, t) in enumerate(self.links):
            if (x[s] <= box[0] and x[t] <= box[0]) or (x[s] >= box[2] and x[t] >= box[2]):
                continue  # cheap test first: most links are far from the card
            if (y[s] <= box[1] and y[t] <= box[1]) or (y[s] >= box[3] and y[t] >= box[3]):
                continue
            if k not in skip and card != s and card != t:
                count += segment_inside((x[s], y[s]), (x[t], y[t]), box) > 1e-6
        return count

    def cost(self, links: list[int]) -> float:
        """The score of `links` against every link (a pair counted once) and card."""
        done: set[int] = set()
        total = 0.0
        cards = range(len(self.x))
        for k in links:
            total += self._crossings(k, done) + THROUGH_COST * self._through(k, cards)
            done.add(k)
        return total

    def local(self, cards: list[int]) -> float:
        """The part of the score that moving `cards` can change: their links, and the
        other links through them."""
        links = sorted({k for i in cards for k in self.incident[i]})
        through = sum(self._links_through(i, set(links)) for i in cards)
        return self.cost(links) + THROUGH_COST * through


@dataclass(frozen=True)
class Strip:
    """The cards of one band (or those of no band) and the rows they span."""

    cards: list[int]
    top: float
    bottom: float


def _strips(tangle: Tangle) -> list[Strip] | None:
    """The bands as strips from top to bottom, or None if two bands share a row (then
    they cannot be moved past each other)."""
    groups: dict[str | None, list[int]] = {}
    for k, band in enumerate(tangle.band):
        groups.setdefault(band, []).append(k)
    strips = sorted(
        (
            Strip(
                cards,
                min(tangle.y[k] - tangle.half[k][1] for k in cards),
                max(tangle.y[k] + tangle.half[k][1] for k in cards),
            )
            for cards in groups.values()
        ),
        key=lambda strip: strip.top,
    )
    if any(b.top < a.bottom for a, b in zip(strips, strips[1:], strict=False)):
        return None
    return strips


def _restack(tangle: Tangle, strips: list[Strip], order: tuple[int, ...]) -> None:
    """Move the strips (as they were) into `order`, top to bottom, with equal gaps: the
    drawing keeps its height, every card its column."""
    heights = [strip.bottom - strip.top for strip in strips]
    gap = (strips[-1].bottom - strips[0].top - sum(heights)) / (len(strips) - 1)
    top = strips[0].top
    for n in order:
        for k in strips[n].cards:
            tangle.y[k] += top - strips[n].top
        top += heights[n] + gap


def _reorder_bands(tangle: Tangle) -> None:
    """Stack the bands in the order whose links cross least. dot orders the clusters by
    the crossings it sees, which leave out links running across a band in between; every
    order of the (at most five) bands is tried. Cards of no band stay where they are.
    Only links between bands are scored: the others move with their band."""
    strips = _strips(tangle)
    if strips is None or len(strips) < 3:
        return
    strip_of = {k: n for n, strip in enumerate(strips) for k in strip.cards}
    between = [k for k, (s, t) in enumerate(tangle.links) if strip_of[s] != strip_of[t]]
    fixed = [n for n, strip in enumerate(strips) if tangle.band[strip.cards[0]] is None]
    start = list(tangle.y)
    best = (tangle.cost(between), tuple(range(len(strips))))
    for order in itertools.permutations(range(len(strips))):
        if any(order[n] != n for n in fixed):
            continue
        _restack(tangle, strips, order)
        cost = tangle.cost(between)
        if cost < best[0] - 1e-9:
            best = (cost, order)
        tangle.y = list(start)
    _restack(tangle, strips, best[1])


class Rules:
    """What a moved card must keep (see the module docstring): inside the drawing's box,
    CARD_GAP from every other card, each link inside a band pointing the way it did (or
    stacked), and each level link of the serving loop level."""

    def __init__(self, tangle: Tangle) -> None:
        t = tangle
        boxes = [
            (x - w, y - h, x + w, y + h) for x, y, (w, h) in zip(t.x, t.y, t.half, strict=True)
        ]
        self.box = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        self.least_dx: dict[int, float] = {}  # link inside a band -> its smallest x gain
        self.level: set[int] = set()  # serving links drawn level
        for k, (s, u) in enumerate(t.links):
            if t.band[s] == t.band[u] is not None:
                self.least_dx[k] = min(0.0, t.x[u] - t.x[s]) - 1
                if t.band[s] == "serving" and abs(t.y[s] - t.y[u]) < MIN_HEIGHT / 3:
                    self.level.add(k)

    def allow(self, t: Tangle, cards: list[int]) -> bool:
        """Do `cards`, where they are now, keep the rules?"""
        if not all(self._placed(t, i) and self._links_kept(t, i) for i in cards):
            return False
        return all(self._band_apart(t, i) for i in cards)

    def _placed(self, t: Tangle, i: int) -> bool:
        (w, h), x, y = t.half[i], t.x[i], t.y[i]
        x0, y0, x1, y1 = self.box
        if x - w < x0 - 0.5 or x + w > x1 + 0.5 or y - h < y0 - 0.5 or y + h > y1 + 0.5:
            return False
        return not any(
            j != i
            and abs(x - t.x[j]) < w + t.half[j][0] + CARD_GAP
            and abs(y - t.y[j]) < h + t.half[j][1] + CARD_GAP
            for j in range(len(t.x))
        )

    def _band_apart(self, t: Tangle, i: int) -> bool:
        """No card of another band inside the box of card i's band, and card i inside the
        box of no other band (where two bands share rows, a slot may lie in another's)."""
        box: dict[str | None, list[float]] = {}
        for j, band in enumerate(t.band):
            (w, h), x, y = t.half[j], t.x[j], t.y[j]
            b = box.setdefault(band, [x - w, y - h, x + w, y + h])
            b[:] = min(b[0], x - w), min(b[1], y - h), max(b[2], x + w), max(b[3], y + h)
        mine = box[t.band[i]]
        for j, band in enumerate(t.band):
            if band is None or t.band[i] is None or band == t.band[i]:
                continue
            (w, h), x, y = t.half[j], t.x[j], t.y[j]
            x0, y0, x1, y1 = mine
            if x - w >= x0 and x + w <= x1 and y - h >= y0 and y + h <= y1:
                return False
        (w, h), x, y = t.half[i], t.x[i], t.y[i]
        return not any(
            x - w >= b[0] and x + w <= b[2] and y - h >= b[1] and y + h <= b[3]
            for band, b in box.items()
            if band not in (None, t.band[i])
        )

    def _links_kept(self, t: Tangle, i: int) -> bool:
        for k in t.incident[i]:
            s, u = t.links[k]
            if k in self.least_dx and t.x[u] - t.x[s] < self.least_dx[k]:
                return False
            if k in self.level and abs(t.y[s] - t.y[u]) >= MIN_HEIGHT / 3:
                return False
        return True


Move = tuple[Point, int | None]  # where a card goes, and the card it swaps with


def _best_move(tangle: Tangle, rules: Rules, i: int, slots: list[Point]) -> Move | None:
    """The move of card i that lowers the score most: to a free slot of its band, or a
    swap with another card of its band (returned with that card); None if none does."""
    t = tangle
    here = (t.x[i], t.y[i])
    before = t.local([i])
    if not before:
        return None  # nothing to gain here; a swap with a tangled card is tried from it
    best: float = 1e-9
    choice: Move | None = None
    for slot in slots:
        if slot != here:
            t.x[i], t.y[i] = slot
            gain = before - t.local([i]) if rules.allow(t, [i]) else 0.0
            if gain > best:
                best, choice = gain, (slot, None)
    t.x[i], t.y[i] = here
    for j in range(len(t.x)):
        if j != i and t.band[j] == t.band[i]:
            there = (t.x[j], t.y[j])
            pair = t.local([i, j])
            (t.x[i], t.y[i]), (t.x[j], t.y[j]) = there, here
            gain = pair - t.local([i, j]) if rules.allow(t, [i, j]) else 0.0
            if gain > best:
                best, choice = gain, (there, j)
            (t.x[i], t.y[i]), (t.x[j], t.y[j]) = here, there
    return choice


def band_slots(tangle: Tangle) -> dict[str | None, list[Point]]:
    """Where a card of each band may go: any column of the layout, in a row its band
    already uses (so the band keeps its strip and the drawing its size)."""
    columns = sorted(set(tangle.x))
    rows: dict[str | None, set[float]] = {}
    for band, y in zip(tangle.band, tangle.y, strict=True):
        rows.setdefault(band, set()).add(y)
    return {band: [(x, y) for x in columns for y in sorted(ys)] for band, ys in rows.items()}


def _move_cards(tangle: Tangle) -> None:
    """Move cards inside their band while that lowers the score: a card may go to any
    column of the layout in a row its band already uses (so the band keeps its strip and
    the drawing its size), or swap with a card of its band; the best move of each card in
    turn, for up to UNTANGLE_SWEEPS passes."""
    t = tangle
    rules = Rules(t)
    slots = band_slots(t)
    for _ in range(UNTANGLE_SWEEPS):
        moved = False
        for i in range(len(t.x)):
            if t.band[i] is None:
                continue  # a note on its own: nothing to untangle
            here = (t.x[i], t.y[i])
            choice = _best_move(t, rules, i, slots[t.band[i]])
            if choice:
                moved = True
                (t.x[i], t.y[i]), other = choice
                if other is not None:
                    t.x[other], t.y[other] = here
        if not moved:
            break


def untangled(board: Board, positions: Positions) -> Positions:
    """`positions` with fewer crossings (see the module docstring): the bands restacked,
    then cards moved inside their band. Boards over UNTANGLE_LIMIT are left as they are."""
    if not positions or len(positions) != len(board.nodes) or len(board.nodes) > UNTANGLE_LIMIT:
        return positions
    tangle = Tangle(board, positions)
    _reorder_bands(tangle)
    _move_cards(tangle)
    return tangle.positions()
