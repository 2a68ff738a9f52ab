"""The grid placement's annealing (components/anneal.py): its score on tiny hand-placed
grids, its moves, the annealing and the drawing it gives."""

from __future__ import annotations

import random

import pytest

from components import anneal, layout
from components.anneal import Grid, Weights, grid_size
from components.layout import card_size
from tests.conftest import build

ONLY_CROSSINGS = Weights(cross=1, through=0, length=0, bend=0, level=0, back=0, band=0)
ONLY_THROUGH = Weights(cross=0, through=1, length=0, bend=0, level=0, back=0, band=0)


def placed(board, slots, weights=None):
    """A Grid on `board` with its cards in `slots` (by id) instead of at random."""
    grid = Grid(board, seed=0, weights=weights or Weights())
    parked = grid.cols * grid.rows  # first out of the way, then where asked
    for k in range(len(grid.ids)):
        grid.place(k, (parked + k, 0))
    for k, i in enumerate(grid.ids):
        grid.place(k, slots[i])
    return grid


FOUR = build(
    {"a": "data_lake", "b": "feature_pipeline", "c": "event_stream", "d": "feature_store"},
    [("a", "b"), ("c", "d")],
)


def test_two_links_crossing_in_an_x_score_one_crossing_and_side_by_side_none():
    crossed = placed(FOUR, {"a": (0, 0), "b": (1, 1), "c": (0, 1), "d": (1, 0)}, ONLY_CROSSINGS)
    assert crossed.score() == 1
    apart = placed(FOUR, {"a": (0, 0), "b": (1, 0), "c": (0, 1), "d": (1, 1)}, ONLY_CROSSINGS)
    assert apart.score() == 0


def test_links_sharing_a_card_never_cross_but_links_along_one_line_do():
    fan = build(
        {"a": "api_gateway", "b": "cache", "c": "ranking_service"}, [("a", "b"), ("a", "c")]
    )
    assert placed(fan, {"a": (0, 0), "b": (1, 1), "c": (1, 0)}, ONLY_CROSSINGS).score() == 0
    # a-b and c-d on one row, overlapping between columns 1 and 2: they would share a lane.
    along = placed(FOUR, {"a": (0, 0), "b": (2, 0), "c": (1, 0), "d": (3, 0)}, ONLY_CROSSINGS)
    assert along.score() == 1
    end_to_end = placed(FOUR, {"a": (0, 0), "b": (1, 0), "c": (2, 0), "d": (3, 0)}, ONLY_CROSSINGS)
    assert end_to_end.score() == 0


def test_a_link_over_a_card_runs_through_it_and_one_beside_it_does_not():
    board = build({"a": "api_gateway", "b": "ranking_service", "x": "cache"}, [("a", "b")])
    assert placed(board, {"a": (0, 0), "b": (2, 0), "x": (1, 0)}, ONLY_THROUGH).score() == 1
    assert placed(board, {"a": (0, 0), "b": (2, 0), "x": (1, 1)}, ONLY_THROUGH).score() == 0


def test_the_serving_row_costs_a_level_and_a_backward_link():
    board = build({"app": "client_app", "gw": "api_gateway"}, [("app", "gw")])
    only_row = Weights(cross=0, through=0, length=0, bend=0, level=1, back=10, band=0)
    assert placed(board, {"app": (0, 0), "gw": (1, 0)}, only_row).score() == 0
    assert placed(board, {"app": (0, 0), "gw": (1, 1)}, only_row).score() == 1 + 0
    assert placed(board, {"app": (1, 0), "gw": (0, 0)}, only_row).score() == 10


def test_a_card_inside_another_bands_box_is_an_intrusion():
    board = build({"lake": "data_lake", "events": "event_stream", "fs": "feature_store"}, [])
    between = placed(board, {"lake": (0, 0), "fs": (1, 0), "events": (2, 0)})
    assert between.band_intrusions() == 1  # the feature store inside the data band's box
    aside = placed(board, {"lake": (0, 0), "events": (1, 0), "fs": (2, 0)})
    assert aside.band_intrusions() == 0


def test_a_t_is_charged_to_the_link_that_moves_through_a_card_not_to_the_card():
    """A link running exactly through the centre of a card where another link ends:
    moving the link's card there is charged a crossing, moving the card onto the link
    is not (only its through charge, left out here)."""
    board = build(
        {"a": "data_lake", "b": "feature_pipeline", "c": "event_stream", "d": "feature_store"},
        [("a", "b"), ("c", "d")],
    )
    grid = placed(board, {"a": (0, 0), "b": (1, 2), "c": (1, 0), "d": (1, 1)}, ONLY_CROSSINGS)
    k = {i: n for n, i in enumerate(grid.ids)}
    before = grid._local((k["b"],))
    grid._put(k["b"], (2, 0))  # a-b now runs through c, where c-d ends
    assert grid._local((k["b"],)) - before == 1
    grid._put(k["b"], (1, 2))
    grid._put(k["c"], (3, 0))
    grid._put(k["d"], (3, 1))
    grid._put(k["b"], (2, 0))
    before = grid._local((k["c"],))
    grid._put(k["c"], (1, 0))  # c moves onto a-b
    assert grid._local((k["c"],)) - before == 0


def test_without_a_t_moving_a_card_changes_the_local_score_as_much_as_the_whole():
    """Apart from T's, a move is judged by the change of the whole score."""
    board = build(
        {
            "app": "client_app",
            "gw": "api_gateway",
            "rank": "ranking_service",
            "fs": "feature_store",
            "lake": "data_lake",
        },
        [("app", "gw"), ("gw", "rank"), ("fs", "rank"), ("lake", "fs"), ("rank", "lake")],
    )
    grid = placed(
        board,
        {"app": (0, 0), "gw": (2, 1), "rank": (1, 0), "fs": (0, 1), "lake": (2, 0)},
    )
    whole, part = grid.score(), grid._local((1,))
    grid.place(1, (3, 2))
    assert grid.score() - whole == pytest.approx(grid._local((1,)) - part)
    assert grid.score() != whole


def test_annealing_uncrosses_an_x_and_keeps_the_cards_apart():
    grid = placed(FOUR, {"a": (0, 0), "b": (1, 1), "c": (0, 1), "d": (1, 0)})
    crossed = grid.score()
    grid.anneal(400)
    assert grid.score() < crossed
    assert placed(FOUR, dict(zip(grid.ids, grid.at, strict=True)), ONLY_CROSSINGS).score() == 0
    assert len(set(grid.at)) == 4


def test_a_seed_always_gives_the_same_placement():
    one, two = Grid(FOUR, seed=3), Grid(FOUR, seed=3)
    one.anneal(200)
    two.anneal(200)
    assert one.at == two.at


def test_positions_size_columns_and_rows_by_their_cards_and_keep_the_margin():
    board = build({"a": "client_app", "b": "candidate_generation", "c": "ranking_service"}, [])
    board.nodes[1].label = "Two-tower candidate generation with ANN lookup"
    grid = placed(board, {"a": (0, 0), "b": (1, 2), "c": (3, 2)})
    positions = grid.positions()
    wide = card_size(board.nodes[1])[0]
    assert positions["a"]["x"] == positions["a"]["y"] == layout.MARGIN
    # column 2 is empty and dropped: c sits one gap right of b's column
    assert (
        positions["c"]["x"]
        == layout.MARGIN + card_size(board.nodes[0])[0] + wide + 2 * anneal.GAP[0]
    )
    # b and c share a row, centred in it; empty row 1 is dropped; b is the row's tallest
    height = {n.id: card_size(n)[1] for n in board.nodes}
    assert positions["b"]["y"] + height["b"] / 2 == positions["c"]["y"] + height["c"] / 2
    assert height["b"] > height["c"]
    assert positions["b"]["y"] == layout.MARGIN + height["a"] + anneal.GAP[1]


def test_grid_size_leaves_about_twice_the_slots_and_six_columns_at_most():
    for count in (2, 5, 12, 20, 25, 30):
        cols, rows = grid_size(count)
        assert cols <= 6 and cols * rows >= 1.8 * count


def test_cards_without_links_are_tucked_in_beside_their_band_not_left_anywhere():
    board = build(
        {
            "app": "client_app",
            "gw": "api_gateway",
            "rank": "ranking_service",
            "cache": "cache",
            "note": "note",
        },
        [("app", "gw"), ("gw", "rank")],
    )
    far = {"app": (0, 0), "gw": (1, 0), "rank": (2, 0), "cache": (2, 2), "note": (0, 2)}
    grid = placed(board, far)
    grid.tuck()
    at = dict(zip(grid.ids, grid.at, strict=True))
    # beside the linked cards (one row or column out at most), not two rows away
    assert at["cache"][1] <= 1 and at["note"][1] <= 1
    assert len(set(grid.at)) == 5
    assert grid.taken == {slot: k for k, slot in enumerate(grid.at)}


def test_shift_swaps_with_the_card_in_the_slot_and_shifting_back_undoes_it():
    grid = placed(FOUR, {"a": (0, 0), "b": (1, 1), "c": (0, 1), "d": (1, 0)})
    before = (list(grid.at), dict(grid.taken), list(grid.spans))
    grid.shift(0, (1, 1))  # a onto b's slot: b goes to a's
    assert grid.at[:2] == [(1, 1), (0, 0)]
    assert grid.taken == {slot: k for k, slot in enumerate(grid.at)}
    grid.shift(0, (0, 0))
    assert (grid.at, grid.taken, grid.spans) == before
    grid.shift(0, (2, 2))  # to a free slot: the old one is freed
    assert grid.taken == {slot: k for k, slot in enumerate(grid.at)} and (0, 0) not in grid.taken


def test_trial_is_the_change_a_shift_would_make_and_moves_nothing():
    grid = placed(FOUR, {"a": (0, 0), "b": (1, 1), "c": (0, 1), "d": (1, 0)}, ONLY_CROSSINGS)
    at = list(grid.at)
    assert grid.trial(1, (1, 0)) == -1  # b swapped with d: the X is undone
    assert grid.at == at
    grid.shift(1, (1, 0))
    assert grid.score() == 0


def test_band_intrusions_of_a_move_change_as_much_as_the_whole_count():
    """The band term a move is judged by counts only what the move can change: its
    change is the change of the whole count, for moves and swaps across bands."""
    board = build(
        {
            "app": "client_app",
            "gw": "api_gateway",
            "lake": "data_lake",
            "events": "event_stream",
            "fs": "feature_store",
            "fp": "feature_pipeline",
            "train": "training_pipeline",
            "drift": "drift_monitor",
            "note": "note",
        },
        [("app", "gw"), ("lake", "fp"), ("fp", "fs"), ("fs", "train"), ("gw", "drift")],
    )
    grid = Grid(board, seed=5)
    rnd = random.Random(7)
    changed = 0
    for _ in range(300):
        k = rnd.randrange(len(grid.ids))
        slot = (rnd.randrange(grid.cols), rnd.randrange(grid.rows))
        other = grid.taken.get(slot)
        cards = (k,) if other is None or other == k else (k, other)
        whole, part = grid.band_intrusions(), grid.band_intrusions(cards)
        grid.shift(k, slot)
        assert grid.band_intrusions() - whole == grid.band_intrusions(cards) - part
        changed += grid.band_intrusions() != whole
    assert changed > 10  # the moves did change the count


def test_around_lists_the_slots_next_to_a_card_inside_the_grid_column_by_column():
    grid = placed(FOUR, {"a": (0, 0), "b": (1, 1), "c": (0, 2), "d": (2, 0)})
    assert grid.around(0) == [(0, 1), (1, 0), (1, 1)]  # a corner: three
    assert len(grid.around(1)) == 8 and (1, 1) not in grid.around(1)
    assert len(grid.around(0, reach=2)) == 3 * 3 - 1
