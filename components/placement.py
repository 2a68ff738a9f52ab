"""The grid placement as the auto-layout uses it: annealing runs, the best kept, settled.

Why two stages. The annealing (components/anneal.py) scores a link as a straight segment
between card centres, which is fast enough for thousands of moves per run; the editor
draws links orthogonally around the cards (components/routes.py), and over the seeds of
one board the two crossing counts agree only loosely (correlation 0.1-0.7 on the bench
boards). So the runs are chosen by their drawing, and the chosen one is then settled by
its drawing: the cards on links that cross or share a line with another are taken in
turn, each tried one slot away (or swapped with the card there), and the first move
whose drawing is judged better is kept; it ends when every such card has been tried
since the last move kept, or after SETTLE_TRIES drawings. Only the SETTLE_TOP moves of
a card that the annealing's score rates best are drawn: a drawing costs 10-30 ms at 25
components.

A drawing is judged (`judge`) by whether it fits the editor at 60% zoom first, then by
its crossings, band intrusions and serving links off the row, counted alike (a crossing
is not worth breaking a band or the serving row for), plus half a crossing for each
pair of links that share a line: two links drawn along one stretch leave the reader
unsure which goes where, as a crossing does not, but counted as a whole crossing they
cost more crossings than they save.

Measured (docs/benchmarks.md, 13 bench boards + 32 realistic boards of 15-30
components, in the editor's routes): crossings 62 + 70 chosen from four runs, 23 + 40
settled; pairs of links sharing a line 32 + 35 settled without counting them, 13 + 17
counting them; the median layout 3.0 s instead of 2.7 s.
"""

from __future__ import annotations

import time
from typing import NamedTuple

from components.anneal import STEPS_PER_CARD, Grid
from components.document import Board
from components.layout import Laid, LayoutOptions, Positions
from components.polish import meetings

SEEDS = 4  # annealing runs per board, the best drawing kept
SETTLE_TOP = 5  # moves of one card drawn (of eight), the best by the annealing's score
SETTLE_TRIES = 60  # drawings judged while settling, at most
SHARED = 10.0  # px a route runs along others before it reads as sharing their line
SHARED_WEIGHT = 0.5  # what a pair of links sharing a line costs, in crossings


class Judgement(NamedTuple):
    """A grid's drawing judged: `key` (lower is better) and the cards (by number) at the
    ends of links whose routes cross or share a line."""

    key: tuple[bool, float]
    crossed: list[int]


def judge(board: Board, grid: Grid) -> Judgement:
    """Draw `grid` as the editor routes it: (does not fit at 60% zoom, crossings + pairs
    of links sharing a line × SHARED_WEIGHT + band intrusions + serving links off the
    row), and the cards on the links that cross or share. A link shares a line when it
    runs along others for SHARED px or more; two such links make about one pair."""
    positions = grid.positions()
    fits = Laid(board, LayoutOptions(), positions).fits()  # drawn from MARGIN, as dot's
    met = meetings(board, positions)
    crossings = sum(crossed for crossed, _ in met.values()) // 2
    sharing = {link for link, (_, along) in met.items() if along >= SHARED}
    number = {node_id: k for k, node_id in enumerate(grid.ids)}
    ends = [
        (edge.source, edge.target)
        for edge in board.edges
        if edge.id in sharing or met.get(edge.id, (0, 0.0))[0]
    ]
    crossed = sorted({number[end] for pair in ends for end in pair})
    score = crossings + SHARED_WEIGHT * len(sharing) / 2 + grid.band_intrusions() + grid.off_row()
    return Judgement((not fits, score), crossed)


def settle(
    board: Board, grid: Grid, deadline: float | None = None, judged: Judgement | None = None
) -> None:
    """Move cards of `grid` one slot at a time while its drawing is judged better (the
    module docstring): the cards on links that cross or share a line, in turn, in board
    order and round again, each keeping the first of its moves that is judged better,
    until every such card has been tried since the last move kept. TimeoutError past
    `deadline`. `judged` is `judge(board, grid)` if the caller has it already."""
    best, tries, k, quiet = judged or judge(board, grid), 0, -1, 0
    while tries < SETTLE_TRIES and quiet < len(best.crossed):
        k = next((j for j in best.crossed if j > k), best.crossed[0])
        quiet += 1
        here = grid.at[k]
        rated = sorted((grid.trial(k, slot), slot) for slot in grid.around(k))[:SETTLE_TOP]
        for _, slot in rated:
            if tries >= SETTLE_TRIES:
                break
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError
            grid.shift(k, slot)
            tries += 1
            judgement = judge(board, grid)
            if judgement.key < best.key:
                best, quiet = judgement, 0
                break
            grid.shift(k, here)


def grid_positions(board: Board, deadline: float | None = None) -> Positions:
    """The grid placement of `board`: SEEDS annealing runs (each descended and its loose
    cards tucked in), the one whose drawing is judged best kept (the first seed on a
    tie), then settled. TimeoutError once `deadline` (time.monotonic()) has passed: a
    placement is whole or none, so that one board never gets two."""
    best: tuple[tuple[tuple[bool, float], int], Grid, Judgement] | None = None
    for seed in range(SEEDS):
        grid = Grid(board, seed)
        grid.anneal(STEPS_PER_CARD * len(board.nodes), deadline=deadline)
        grid.descend()
        grid.tuck()
        judged = judge(board, grid)
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError
        if best is None or (judged.key, seed) < best[0]:
            best = ((judged.key, seed), grid, judged)
    assert best is not None
    settle(board, best[1], deadline, best[2])
    return best[1].positions()
