"""components.detour: the editor's search around the cards (static/js/detour.js) in
Python, for the exports' routes and their repair of a link Graphviz drew through a card.
That it finds the editor's very paths is tested on shared boards (test_routes.py)."""

from __future__ import annotations

import pytest

from components.detour import Budget, around, cuts, detour_points, search, straightened

A = (0, 0, 150, 60)
WALL = (220, 0, 370, 60)  # a card on the line from A to B
B = (440, 0, 590, 60)


def assert_clear(path, cards, a, b):
    assert len(path) >= 2
    for p, q in zip(path, path[1:], strict=False):
        assert (p[0] == q[0]) != (p[1] == q[1]), f"diagonal or empty segment {p} {q}"
        for card in cards:
            if card in (a, b):
                continue
            shrunk = (card[0] + 1, card[1] + 1, card[2] - 1, card[3] - 1)
            assert not cuts(p, q, shrunk), f"{p}-{q} runs through {card}"


def test_a_card_in_the_way_is_gone_around():
    path = around(B, A, [A, WALL, B])
    assert path is not None
    assert_clear(path, [A, WALL, B], B, A)
    # It leaves and enters on the middle of a side of each card, over or under the wall
    # (one bend fewer than going around its end).
    sides_b = {(B[0], 30), (B[2], 30), (515, B[1]), (515, B[3])}
    sides_a = {(A[0], 30), (A[2], 30), (75, A[1]), (75, A[3])}
    assert path[0] in sides_b and path[-1] in sides_a
    assert min(p[1] for p in path) < WALL[1] or max(p[1] for p in path) > WALL[3]


def test_the_search_names_its_sides_and_the_corners_between_the_stubs():
    found = search(B, A, [A, WALL, B])
    assert found is not None
    source, target, corners = found
    # The facing sides, the path dipping under the wall between them.
    assert (source, target) == ("left", "right")
    # The corners start and end a stub (22 px) out from the two cards' side middles.
    assert corners[0] == (B[0] - 22, 30) and corners[-1] == (A[2] + 22, 30)
    assert max(y for _, y in corners) == WALL[3] + 10  # CLEAR px below the wall


def test_a_card_boxed_in_has_no_way_out():
    ring = [
        (-40, -200, 190, -20),
        (-40, 80, 190, 260),
        (-200, -200, -20, 260),
        (170, -200, 400, 260),
    ]
    assert around(A, B, [A, B, *ring]) is None


def test_a_spent_budget_stops_the_search_and_a_search_spends_it():
    assert around(B, A, [A, WALL, B], Budget(0)) is None
    budget = Budget(10_000)
    assert around(B, A, [A, WALL, B], budget) is not None
    assert 0 < budget.left < 10_000


def test_the_path_follows_ports_moved_along_their_sides():
    # A search's corners from side middles, drawn from ports 6 px along each side: the
    # stubs move with the ports and every segment stays horizontal or vertical.
    corners = [(615, 30), (615, -40), (-40, -40), (-40, 30)]
    path = detour_points("right", "left", corners, (590, 36), (0, 24))
    assert path[0] == (590, 36) and path[-1] == (0, 24)
    assert path[1] == (615, 36) and path[-2] == (-40, 24)
    for p, q in zip(path, path[1:], strict=False):
        assert (p[0] == q[0]) != (p[1] == q[1])


@pytest.mark.parametrize(
    "points,kept",
    [
        ([(0, 0), (0, 0), (10, 0)], [(0, 0), (10, 0)]),
        ([(0, 0), (5, 0), (10, 0), (10, 5)], [(0, 0), (10, 0), (10, 5)]),
        ([(0, 0), (0, 5), (0, 9), (3, 9)], [(0, 0), (0, 9), (3, 9)]),
    ],
)
def test_straightened_drops_corners_on_a_line(points, kept):
    assert straightened(points) == kept
