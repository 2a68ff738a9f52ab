"""The last pass of the auto-layout: cards moved where the editor's routes cross less.

Why: the untangling pass (components/untangle.py) scores a placement with its links drawn
straight between card centres, which the drawn routes only roughly follow (bench/
layout.py: 85 straight crossings became 213 drawn). This pass tries the same moves (a card
to a free slot of its band, or a swap with a card of its band, under untangle's Rules)
scored by the routes themselves: the links of the moved cards planned again as the editor
plans them (components/routes.py), against the plans of all the others, and the best move
of each card kept if those links then cross the others less. Only cards with a crossing
link are tried, once each. A plan here stops short of the search around the cards: a move
that leaves a link with no clear shape is not taken.

The plans leave out ports and lanes, so the pass is checked at the end: the board is
routed whole before and after, and the polished places kept only if they cross less.
"""

from __future__ import annotations

from components.document import Board
from components.layout import Positions, card_box
from components.routes import CrossingIndex, Link, Plan, Point, Rect, Routes, board_links
from components.untangle import Rules, Tangle, band_slots

POLISH_LIMIT = 30  # components: larger boards keep the untangled places (time)
MAX_TRIES = 200  # moves tried in all, so that a pass stays near 0.2 s (counted, not timed)


def crossings(board: Board, positions: Positions) -> int:
    """How often the editor's routes of `board` at `positions` cross (each pair once)."""
    return sum(crossed for crossed, _ in meetings(board, positions).values()) // 2


def meetings(board: Board, positions: Positions) -> dict[str, tuple[int, float]]:
    """For the editor's route of each link of `board` at `positions`, by link id: how
    often it crosses the others, and how many px it runs along them (within routes.ALONG
    px, as CrossingIndex.meet counts)."""
    cards = {node.id: card_box(node, positions) for node in board.nodes}
    lines = Routes(cards, board_links(board)).lines()
    index = CrossingIndex()
    for link, line in lines.items():
        index.add(link, line)
    return {link: index.meet(line, link) for link, line in lines.items()}


def polished(board: Board, positions: Positions) -> Positions:
    """`positions` with cards moved where the routes cross less (see the module doc);
    the same positions if that does not lower the routed crossings."""
    if len(board.nodes) > POLISH_LIMIT or not board.edges:
        return positions
    if any(e.source == e.target for e in board.edges):
        return positions
    tangle = Tangle(board, positions)
    if not _Moves(board, tangle).run():
        return positions
    result = tangle.positions()
    return result if crossings(board, result) < crossings(board, positions) else positions


class _Moves:
    """The pass's moves on a Tangle (card centres by number), with a plan-only Routes
    kept in step with it."""

    def __init__(self, board: Board, tangle: Tangle) -> None:
        self.t = tangle
        self.rules = Rules(tangle)
        self.routes = Routes(
            {c: self._box(k) for k, c in enumerate(tangle.ids)}, board_links(board), False
        )
        self.routes.searching = False
        self.tries = 0

    def _box(self, k: int) -> Rect:
        (w, h), x, y = self.t.half[k], self.t.x[k], self.t.y[k]
        return (x - w, y - h, x + w, y + h)

    def _follow(self, cards: list[int]) -> None:
        """Give the routes the boxes of `cards` where the tangle has them now."""
        self.routes.move({self.t.ids[k]: self._box(k) for k in cards})

    def _cost(self, links: list[Link]) -> int:
        r = self.routes
        return sum(r.planned.meet(r.paths.get(link.id, []), link.id)[0] for link in links)

    def _links_of(self, cards: list[int]) -> list[Link]:
        by_card = self.routes.by_card
        found = {link.id: link for k in cards for link in by_card.get(self.t.ids[k], [])}
        return sorted(found.values(), key=lambda link: (self.routes._reach(link), link.id))

    def _place(self, cards: list[int], links: list[Link]) -> bool:
        """Plan `links` again with `cards` where the tangle has them now; False if one
        has no clear shape."""
        r = self.routes
        self._follow(cards)
        for link in links:
            r.planned.remove(link.id)
        clear = True
        for link in links:
            plan, points = r._choose(link, r.planned)
            r.plans[link.id], r.paths[link.id] = plan, points or []
            if not points:
                clear = False
                continue
            r.planned.add(link.id, points)
            clear = clear and not r.hits(points, (link.source, link.target), 1)
        return clear

    def _try(self, moves: dict[int, Point]) -> int | None:
        """The crossings the links of the cards in `moves` lose by the move (None if one
        of them would have no clear shape); the move is undone."""
        t, r = self.t, self.routes
        cards = list(moves)
        links = self._links_of(cards)
        before = self._cost(links)
        here = {k: (t.x[k], t.y[k]) for k in cards}
        saved: dict[str, tuple[Plan | None, list[Point]]] = {
            link.id: (r.plans[link.id], r.paths.get(link.id, [])) for link in links
        }
        for k, (x, y) in moves.items():
            t.x[k], t.y[k] = x, y
        gain = None
        if self.rules.allow(t, cards) and self._place(cards, links):
            gain = before - self._cost(links)
        for k, (x, y) in here.items():
            t.x[k], t.y[k] = x, y
        self._follow(cards)
        for link in links:
            r.planned.remove(link.id)
            r.plans[link.id], r.paths[link.id] = saved[link.id]
            if saved[link.id][1]:
                r.planned.add(link.id, saved[link.id][1])
        return gain

    def run(self) -> bool:
        """One pass over the cards with a crossing link; True if any moved."""
        t = self.t
        slots = band_slots(t)
        moved = False
        for i in range(len(t.x)):
            if t.band[i] is None or not self._cost(self._links_of([i])):
                continue
            here = (t.x[i], t.y[i])
            best: tuple[int, dict[int, Point]] | None = None
            options: list[dict[int, Point]] = [
                {i: slot} for slot in slots[t.band[i]] if slot != here
            ]
            options += [
                {i: (t.x[j], t.y[j]), j: here}
                for j in range(len(t.x))
                if j != i and t.band[j] == t.band[i]
            ]
            for move in options:
                if self.tries >= MAX_TRIES:
                    break
                self.tries += 1
                gain = self._try(move)
                if gain is not None and gain > 0 and (best is None or gain > best[0]):
                    best = (gain, move)
            if best is not None:
                for k, (x, y) in best[1].items():
                    t.x[k], t.y[k] = x, y
                self._place(list(best[1]), self._links_of(list(best[1])))
                moved = True
        return moved
