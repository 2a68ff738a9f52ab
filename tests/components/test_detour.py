"""components.detour: an orthogonal way around the cards, for the exports' repair of a
link Graphviz drew through a card."""

from __future__ import annotations

import pytest

from components.detour import beside, cuts, detour, straightened

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
    path = detour(B, A, [A, WALL, B])
    assert path is not None
    assert_clear(path, [A, WALL, B], B, A)
    # It leaves and enters on the middle of a side of each card.
    sides_b = {(B[0], 30), (B[2], 30), (515, B[1]), (515, B[3])}
    sides_a = {(A[0], 30), (A[2], 30), (75, A[1]), (75, A[3])}
    assert path[0] in sides_b and path[-1] in sides_a


def test_running_along_another_link_costs_more_than_a_longer_way():
    # The links A -> WALL -> B run along the row's middle: the way back keeps off them
    # (over the top or under the bottom), not into A's right side beside A -> WALL.
    row = [[(150, 30), (220, 30)], [(370, 30), (440, 30)]]
    path = detour(B, A, [A, WALL, B], row)
    assert path is not None
    assert path[0] in {(515, 0), (515, 60)} and path[-1] in {(75, 0), (75, 60)}
    assert (
        sum(beside(p, q, [tuple(s) for s in row]) for p, q in zip(path, path[1:], strict=False))
        == 0
    )


def test_a_card_boxed_in_has_no_way_out():
    ring = [
        (-40, -200, 190, -20),
        (-40, 80, 190, 260),
        (-200, -200, -20, 260),
        (170, -200, 400, 260),
    ]
    assert detour(A, B, [A, B, *ring]) is None


@pytest.mark.parametrize(
    "points,kept",
    [
        ([(0, 0), (0, 0), (10, 0)], [(0, 0), (10, 0)]),
        ([(0, 0), (5, 0), (10, 0), (10, 5)], [(0, 0), (10, 0), (10, 5)]),
        ([(0, 0), (0, 5), (0, 9), (3, 9)], [(0, 0), (0, 9), (3, 9)]),
    ],
)
def test_straightened_drops_repeats_and_corners_on_a_line(points, kept):
    assert straightened(points) == kept


def test_beside_counts_overlap_and_crossings():
    segments = [((0, 10), (100, 10)), ((50, -20), (50, 40))]
    assert beside((20, 10), (60, 10), segments[:1]) == 3 * 40  # 40 px along it
    assert beside((20, 11), (60, 11), segments[:1]) == 3 * 40  # within 2 px counts
    assert beside((20, 0), (80, 0), segments[1:]) == 30  # one crossing
    assert beside((20, 0), (40, 0), segments) == 0
