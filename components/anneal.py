"""Grid placement: cards in the slots of a grid, placed by simulated annealing.

Why a second placement beside dot's. dot orders cards inside columns and counts only the
crossings between neighbouring columns; the links of an ML design run between bands and
back upstream, and drawn they cross far more than dot sees. Untangling and polishing its
placement (components/untangle.py, components/polish.py) brought the 13 bench boards
from 441 drawn crossings to 196, still twice the plain one-row strip's 90. This
placement minimises the crossings of the drawing itself, from the start, on a compact
grid (6 columns by 8–10 rows for a 25-component board, so it fits the editor).

The model. Each card takes one slot of a ``cols`` × ``rows`` grid; a link is scored
as a straight segment between the centres of its cards, with

- ``cross`` for each link it crosses (links sharing a card never cross; two links lying
  on one line over a stretch count as crossing: they would share a lane),
- ``through`` for each card it runs through,
- ``length`` per grid step between its ends (short links, a compact drawing),
- ``bend`` if its ends share neither a row nor a column (the route needs a corner),
- for a link inside the serving band: ``level`` if its ends are in different rows and
  ``back`` if it points left, so the serving loop reads as a row, left to right,
- ``band`` for each card inside the box of another band's cards, so bands stay together.

Annealing moves one card to another slot (next to a neighbour, nearby, or anywhere),
swapping with the card there, and accepts a move that costs more with a probability
that falls as the temperature does. A move is judged by the cost of the moved cards
(`Grid._local`): their links against all links and cards, the other links against the
moved cards, and the bands. One charge there is one-sided, on purpose: a moved card's
link that runs exactly through the centre of a card where another link ends (a "T") is
charged a crossing for that link, while a moved card that comes to sit on another link
is charged only as a card that link runs through. So the moves do not follow the
change of one global score (`Grid.score` counts each pair of links from the lower-
numbered one's side). Measured (13 bench boards + 32 realistic boards of 15–30
components, crossings in the editor's routes): 62 + 61 judged this way; 84 + 86 with
T's never charged, 89 + 91 with T's charged both ways, 87 + 91 with a card's through
charge growing with its links. Drawn, a link through a card where links end is routed
around it, across those links: the one-sided charge keeps moved links off such cards.
A greedy descent follows the annealing (`Grid.descend`), and cards without links are
tucked in beside their band (`Grid.tuck`). The runs are seeded, so a board always gets
the same placement. A link as the editor draws it can differ from the straight segment
scored here: components/placement.py makes several runs, keeps the one whose drawing
(routed as the editor routes it) is judged best, and settles it by its drawing.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from components.document import Board
from components.layout import MARGIN, Positions, bands, card_size, laid_links

PITCH = (230.0, 120.0)  # px between the centres of neighbouring slots, as scored
GAP = (48.0, 44.0)  # px between columns and between rows once drawn
PAD = 6.0  # px around a card that a link must keep clear of
TOWARDS = 0.4  # share of moves that take a card next to one of its neighbours
NEARBY = 0.36  # share of moves to a slot near the card; the rest go anywhere
STEPS_PER_CARD = 240  # moves per run, per card (bench: 160 -> 240 took 13 boards 92 -> 62)


@dataclass(frozen=True)
class Weights:
    """What the annealing's score charges (see the module docstring)."""

    cross: float = 10.0
    through: float = 12.0
    length: float = 1.0
    bend: float = 1.5
    level: float = 6.0
    back: float = 6.0
    band: float = 8.0


def grid_size(count: int) -> tuple[int, int]:
    """Columns and rows for `count` cards: six columns (what fits the editor's window at
    60% zoom), fewer for a small board; about twice as many slots as cards."""
    cols = 6 if count > 16 else max(3, math.ceil(math.sqrt(1.5 * count)) + 1)
    return cols, max(3, math.ceil(1.9 * count / cols))


class Grid:
    """One annealing run on `board`: the slot of each card (numbered in board order)."""

    def __init__(self, board: Board, seed: int, weights: Weights = Weights()) -> None:
        self.w = weights
        self.rnd = random.Random(seed)
        self.ids = [node.id for node in board.nodes]
        number = {i: k for k, i in enumerate(self.ids)}
        band = bands(board)
        self.band = [band[i] for i in self.ids]
        sizes = [card_size(node) for node in board.nodes]
        self.size = sizes
        self.hw = [w / 2 + PAD for w, _ in sizes]
        self.hh = [h / 2 + PAD for _, h in sizes]
        self.links = [(number[s], number[t]) for s, t in laid_links(board)]
        self.incident: list[list[int]] = [[] for _ in self.ids]
        for e, (s, t) in enumerate(self.links):
            self.incident[s].append(e)
            self.incident[t].append(e)
        self.serving = [self.band[s] == self.band[t] == "serving" for s, t in self.links]
        self.members: dict[str, set[int]] = {}
        for k, name in enumerate(self.band):
            if name is not None:
                self.members.setdefault(name, set()).add(k)
        self.banded = [k for k, name in enumerate(self.band) if name is not None]
        # each band's box in slots (left, right, top, bottom), dropped by `_put` when one
        # of its cards moves and worked out again when asked for
        self._boxes: dict[str, tuple[int, int, int, int]] = {}
        self.neighbours: list[list[int]] = [[] for _ in self.ids]
        for s, t in self.links:
            self.neighbours[s].append(t)
            self.neighbours[t].append(s)
        self.cols, self.rows = grid_size(len(self.ids))
        slots = [(c, r) for r in range(self.rows) for c in range(self.cols)]
        self.rnd.shuffle(slots)
        self.at = slots[: len(self.ids)]
        self.taken = {slot: k for k, slot in enumerate(self.at)}
        self.x = [c * PITCH[0] for c, _ in self.at]
        self.y = [r * PITCH[1] for _, r in self.at]
        # `_local` of cards as they are, until a move is made: most moves are turned down,
        # and the next one often scores the same cards where they stand
        self._known: dict[tuple[int, ...], float] = {}
        # each link's bounding box (left, right, top, bottom), kept in step by `_put`
        self.spans = [self._span(e) for e in range(len(self.links))]

    def _span(self, e: int) -> tuple[float, float, float, float]:
        s, t = self.links[e]
        ax, ay, bx, by = self.x[s], self.y[s], self.x[t], self.y[t]
        return (
            ax if ax < bx else bx,
            bx if ax < bx else ax,
            ay if ay < by else by,
            by if ay < by else ay,
        )

    def place(self, k: int, slot: tuple[int, int]) -> None:
        """Put card `k` in the free `slot` (setting a placement up by hand)."""
        assert self.taken.get(slot, k) == k, "slot taken"
        self._put(k, slot)
        self._known = {}

    def _put(self, k: int, slot: tuple[int, int]) -> None:
        """Move card `k`'s centre to `slot`. `taken` follows: the old slot is freed if
        `k` still holds it (in a swap the other card may have been put there first)."""
        here = self.at[k]
        if self.taken.get(here) == k:
            del self.taken[here]
        self.taken[slot] = k
        self.at[k] = slot
        self.x[k], self.y[k] = slot[0] * PITCH[0], slot[1] * PITCH[1]
        for e in self.incident[k]:
            self.spans[e] = self._span(e)
        name = self.band[k]
        if name is not None:
            self._boxes.pop(name, None)

    def _box(self, name: str) -> tuple[int, int, int, int]:
        """The box (in slots) of band `name`'s cards: left, right, top, bottom."""
        box = self._boxes.get(name)
        if box is None:
            at = self.at
            cols = [at[k][0] for k in self.members[name]]
            rows = [at[k][1] for k in self.members[name]]
            box = self._boxes[name] = (min(cols), max(cols), min(rows), max(rows))
        return box

    def band_intrusions(self, cards: tuple[int, ...] | None = None) -> int:
        """Cards lying inside the box (in slots) of another band's cards. Given the
        `cards` of a move, only the part a move of them can change: every card inside
        the boxes of their bands, and `cards` inside the boxes of the other bands."""
        at = self.at
        names = list(self.members) if cards is None else {self.band[k] for k in cards}
        count = 0
        for name in names:
            if name is None:
                continue
            c0, c1, r0, r1 = self._box(name)
            members = self.members[name]
            for k in self.banded:
                c, r = at[k]
                if c0 <= c <= c1 and r0 <= r <= r1 and k not in members:
                    count += 1
        if cards is None:
            return count
        for k in cards:
            if self.band[k] is None:
                continue
            c, r = at[k]
            for name in self.members:
                if name not in names:
                    c0, c1, r0, r1 = self._box(name)
                    if c0 <= c <= c1 and r0 <= r <= r1:
                        count += 1
        return count

    def off_row(self) -> int:
        """Links inside the serving band that are not level or point left."""
        at = self.at
        return sum(
            1
            for e, (s, t) in enumerate(self.links)
            if self.serving[e] and (at[s][1] != at[t][1] or at[t][0] < at[s][0])
        )

    def score(self) -> float:
        """The whole placement judged as one move of every card: each pair of links once,
        a "T" counted from the lower-numbered link's side (see the module docstring)."""
        return self._local(tuple(range(len(self.ids))))

    def _local(self, cards: tuple[int, ...]) -> float:
        """What a move of `cards` is judged by: the links of `cards` against all links
        and cards, the other links against `cards`, and the bands; a "T" is charged
        from the moved link's side only (the module docstring says why). Apart from
        T's, its change is the change of `score`. Written out inline: it runs twice per
        move, and calls cost more than the tests."""
        w, links, at, x, y, hw, hh = self.w, self.links, self.at, self.x, self.y, self.hw, self.hh
        cross, through, spans, taken = w.cross, w.through, self.spans, self.taken
        moved = sorted({e for k in cards for e in self.incident[k]})
        mine = set(moved)
        total = w.band * self.band_intrusions(cards)
        for e in moved:
            s, t = links[e]
            (cs, rs), (ct, rt) = at[s], at[t]
            total += w.length * (abs(cs - ct) + abs(rs - rt))
            if cs != ct and rs != rt:
                total += w.bend
            if self.serving[e]:
                total += (w.level if rs != rt else 0.0) + (w.back if ct < cs else 0.0)
            ax, ay, bx, by = x[s], y[s], x[t], y[t]
            lo_x, hi_x, lo_y, hi_y = spans[e]
            dx, dy = bx - ax, by - ay
            for f, (u, v) in enumerate(links):
                span = spans[f]
                if span[1] < lo_x or span[0] > hi_x or span[3] < lo_y or span[2] > hi_y:
                    continue
                if (f in mine and f <= e) or u == s or u == t or v == s or v == t:
                    continue
                cx, cy, ex, ey = x[u], y[u], x[v], y[v]
                o1 = dx * (cy - ay) - dy * (cx - ax)
                o2 = dx * (ey - ay) - dy * (ex - ax)
                if o1 * o2 > 0:
                    continue
                if o1 == 0 and o2 == 0:  # one line: they cross if they overlap a stretch
                    if max(lo_x, min(cx, ex)) < min(hi_x, max(cx, ex)) or max(
                        lo_y, min(cy, ey)
                    ) < min(hi_y, max(cy, ey)):
                        total += cross
                    continue
                fx, fy = ex - cx, ey - cy  # o1 * o2 == 0 with these of opposite signs: a T
                if (fx * (ay - cy) - fy * (ax - cx)) * (fx * (by - cy) - fy * (bx - cx)) < 0:
                    total += cross
            # a card can only be in the way inside the slots the link spans (a card is
            # narrower than two slots)
            c0, c1, r0, r1 = min(cs, ct), max(cs, ct), min(rs, rt), max(rs, rt)
            for c in range(c0, c1 + 1):
                for r in range(r0, r1 + 1):
                    k = taken.get((c, r), s)
                    if k == s or k == t or hi_x <= x[k] - hw[k] or lo_x >= x[k] + hw[k]:
                        continue
                    if hi_y <= y[k] - hh[k] or lo_y >= y[k] + hh[k]:
                        continue
                    if _runs_through(ax, ay, bx, by, x[k], y[k], hw[k], hh[k]):
                        total += through
        for k in cards:
            x0, x1, y0, y1 = x[k] - hw[k], x[k] + hw[k], y[k] - hh[k], y[k] + hh[k]
            for f, (u, v) in enumerate(links):
                span = spans[f]
                if span[1] <= x0 or span[0] >= x1 or span[3] <= y0 or span[2] >= y1:
                    continue
                if f in mine or k == u or k == v:
                    continue
                ax, ay, bx, by = x[u], y[u], x[v], y[v]
                if _runs_through(ax, ay, bx, by, x[k], y[k], hw[k], hh[k]):
                    total += through
        return total

    def anneal(self, steps: int, start: float = 15.0, deadline: float | None = None) -> None:
        """`steps` moves; the temperature falls from `start` to near 0 (quadratically).
        A move takes a card next to one of its neighbours (TOWARDS of the time), near
        where it is (nearer as it cools), or anywhere. TimeoutError past `deadline`
        (time.monotonic(), looked at every 256 moves)."""
        rnd, count = self.rnd, len(self.ids)
        for step in range(steps):
            if deadline is not None and step % 256 == 0 and time.monotonic() > deadline:
                raise TimeoutError
            left = 1 - step / steps
            heat = start * left * left + 0.02
            k = rnd.randrange(count)
            c, r = self.at[k]
            draw = rnd.random()
            if draw < TOWARDS and self.neighbours[k]:
                c2, r2 = self.at[rnd.choice(self.neighbours[k])]
                reach = 1
            elif draw < TOWARDS + NEARBY:
                c2, r2, reach = c, r, 1 + int(3 * left)
            else:
                c2, r2, reach = rnd.randrange(self.cols), rnd.randrange(self.rows), 0
            c2 = min(self.cols - 1, max(0, c2 + rnd.randint(-reach, reach)))
            r2 = min(self.rows - 1, max(0, r2 + rnd.randint(-reach, reach)))
            if (c2, r2) != (c, r):
                self._move(k, (c2, r2), heat)

    def descend(self, reach: int = 2, sweeps: int = 2) -> None:
        """Greedy sweeps after the annealing: each card takes, in turn, every slot within
        `reach` that lowers the score (a swap if the slot is taken), until a sweep changes
        nothing or `sweeps` are done."""
        for _ in range(sweeps):
            changed = False
            for k in range(len(self.ids)):
                for slot in self.around(k, reach):
                    if slot != self.at[k] and self._move(k, slot, 0.0):
                        changed = True
            if not changed:
                return

    def tuck(self) -> None:
        """Put each card without links (a note, a component not wired yet), in board
        order, in the free slot where it costs least, then grows the drawing least, then
        lies nearest the cards of its band (or all the linked cards): nothing scores
        where such a card goes, so the annealing leaves it anywhere."""
        placed = [k for k in range(len(self.ids)) if self.incident[k]]
        if not placed:
            return
        free = [
            (c, r) for r in range(self.rows) for c in range(self.cols) if (c, r) not in self.taken
        ]
        for k in range(len(self.ids)):
            if self.incident[k]:
                continue
            cols, rows = [self.at[j][0] for j in placed], [self.at[j][1] for j in placed]
            mates = [j for j in placed if self.band[k] and self.band[j] == self.band[k]]
            mates = mates or placed
            mid_c = sum(self.at[j][0] for j in mates) / len(mates)
            mid_r = sum(self.at[j][1] for j in mates) / len(mates)
            here = self.at[k]
            choices = []
            for c, r in [here, *free]:
                self._put(k, (c, r))
                grow = max(0, min(cols) - c, c - max(cols)) + max(0, min(rows) - r, r - max(rows))
                near = abs(c - mid_c) + abs(r - mid_r)
                choices.append((self._local((k,)), grow, near, (c, r)))
            self._put(k, here)
            slot = min(choices)[3]
            if slot != here:
                free.remove(slot)
                free.append(here)
                self.place(k, slot)
            placed.append(k)

    def around(self, k: int, reach: int = 1) -> list[tuple[int, int]]:
        """The grid's slots within `reach` columns and rows of card `k`'s, but its own,
        column by column."""
        c, r = here = self.at[k]
        return [
            (c2, r2)
            for c2 in range(max(0, c - reach), min(self.cols, c + reach + 1))
            for r2 in range(max(0, r - reach), min(self.rows, r + reach + 1))
            if (c2, r2) != here
        ]

    def shift(self, k: int, slot: tuple[int, int]) -> None:
        """Move card `k` to `slot`, the card there (if any) to `k`'s slot. Shifting `k`
        back to where it was undoes it."""
        here, other = self.at[k], self.taken.get(slot)
        self._put(k, slot)
        if other is not None:
            self._put(other, here)
        self._known = {}

    def trial(self, k: int, slot: tuple[int, int]) -> float:
        """How much `shift(k, slot)` would change the score, as a move is judged
        (`_local`); nothing moves."""
        here, other = self.at[k], self.taken.get(slot)
        cards = (k,) if other is None else (k, other)
        before = self._local(cards)
        self.shift(k, slot)
        after = self._local(cards)
        self.shift(k, here)
        return after - before

    def _move(self, k: int, slot: tuple[int, int], heat: float) -> bool:
        """Move card `k` to `slot` (swapping with the card there) if the score falls, or
        rises by d with probability exp(-d / heat); whether it moved."""
        here, other = self.at[k], self.taken.get(slot)
        cards = (k,) if other is None else (k, other)
        known = self._known
        before = known.get(cards)
        if before is None:
            before = known[cards] = self._local(cards)
        self.shift(k, slot)
        after = self._local(cards)
        change = after - before
        if change < 0 or (
            heat > 0 and (change == 0 or self.rnd.random() < math.exp(-change / heat))
        ):
            self._known = {cards: after}
            return True
        self.shift(k, here)
        self._known = known
        return False

    def positions(self) -> Positions:
        """Top-left canvas positions: each used column as wide as its widest card, each
        used row as tall as its tallest, GAP between; empty columns and rows dropped;
        cards centred in their slot; the drawing MARGIN from the origin."""
        widths: dict[int, float] = {}
        heights: dict[int, float] = {}
        for (c, r), (w, h) in zip(self.at, self.size, strict=True):
            widths[c] = max(widths.get(c, 0.0), w)
            heights[r] = max(heights.get(r, 0.0), h)
        left, x = {}, float(MARGIN)
        for c in sorted(widths):
            left[c], x = x, x + widths[c] + GAP[0]
        top, y = {}, float(MARGIN)
        for r in sorted(heights):
            top[r], y = y, y + heights[r] + GAP[1]
        return {
            i: {
                "x": left[c] + (widths[c] - w) / 2,
                "y": top[r] + (heights[r] - h) / 2,
            }
            for i, (c, r), (w, h) in zip(self.ids, self.at, self.size, strict=True)
        }


def _runs_through(
    ax: float, ay: float, bx: float, by: float, x: float, y: float, hw: float, hh: float
) -> bool:
    """Whether the segment (ax, ay)-(bx, by) enters the box of half-size hw × hh centred
    at (x, y): their boxes overlap and the box's corners are not all on one side."""
    x0, x1, y0, y1 = x - hw, x + hw, y - hh, y + hh
    if max(ax, bx) <= x0 or min(ax, bx) >= x1 or max(ay, by) <= y0 or min(ay, by) >= y1:
        return False
    dx, dy = bx - ax, by - ay
    p = dx * (y0 - ay) - dy * (x0 - ax)
    q = dx * (y0 - ay) - dy * (x1 - ax)
    r = dx * (y1 - ay) - dy * (x0 - ax)
    z = dx * (y1 - ay) - dy * (x1 - ax)
    return not ((p > 0 and q > 0 and r > 0 and z > 0) or (p < 0 and q < 0 and r < 0 and z < 0))
