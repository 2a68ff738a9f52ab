"""components/routes.py: the canvas's router in Python, for the exports.

tests/fixtures/routes.json holds boards and the lines static/js/routing.js draws for them
(tests/js/routes.test.mjs keeps the JavaScript to it): the Python must draw the same.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from components import routes
from components.document import parse
from components.export import render
from components.labels import segment_inside
from components.layout import auto_positions, card_box
from components.routes import CrossingIndex, Link, Middle, Routes, lane_order, side_order

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BOARDS = json.loads((FIXTURES / "routes.json").read_text())["boards"]
SVG = "{http://www.w3.org/2000/svg}"


def _routed(board: dict) -> Routes:
    cards = {k: tuple(float(v) for v in box) for k, box in board["cards"].items()}
    return Routes(cards, [Link(*link) for link in board["links"]])  # type: ignore[arg-type]


def _same(js: list[list[float]], py: list[tuple[float, float]]) -> bool:
    return [(float(x), float(y)) for x, y in js] == [(float(x), float(y)) for x, y in py]


@pytest.mark.parametrize("board", BOARDS, ids=[b["name"] for b in BOARDS])
def test_the_exports_draw_the_lines_the_canvas_draws(board):
    """Line for line, with the same plan; a path searched around the cards may lie up to
    5 px off (the canvas steps such a line 3-5 px off another it runs along: not ported),
    with the same corners."""
    routed = _routed(board)
    drawn = routed.lines()
    for link, js in board["lines"].items():
        plan = routed.plans[link]
        assert plan is not None and plan.shape == board["shapes"][link], link
        if plan.shape != "path":
            assert _same(js, drawn[link]), link
        else:
            assert len(js) == len(drawn[link]), link
            for (x, y), (u, v) in zip(js, drawn[link], strict=True):
                assert abs(x - u) <= 5 + 1e-9 and abs(y - v) <= 5 + 1e-9, link


def test_of_two_paths_leaving_one_point_the_one_turning_left_first_lies_left():
    # Both leave eastwards; left of east is north (y down).
    north10 = [(0, 0), (10, 0), (10, -50), (80, -50)]
    north20 = [(0, 0), (20, 0), (20, -50)]
    south10 = [(0, 0), (10, 0), (10, 50)]
    assert side_order(north10, north20) == -1
    assert side_order(south10, north20) == 1
    assert side_order(north20, south10) == -1
    assert side_order([(0, 0), (10, 0), (10, -5)], [(0, 0), (10, 0), (10, 5)]) == -1
    assert side_order(north20, north20) == 0
    assert side_order([(0, 0), (10, 0)], north20) == 0


def test_middles_sharing_a_line_take_the_lanes_in_which_their_turns_cross_neither():
    upper = Middle("u", (0, 100), (-1, 1))
    lower = Middle("v", (50, 150), (-1, 1))
    assert lane_order(upper, lower) == 1
    assert lane_order(lower, upper) == -1
    assert lane_order(Middle("u", (0, 100), (-1, -1)), Middle("v", (50, 150), (1, 1))) == -1
    assert lane_order(upper, Middle("v", (50, 150), (1, 1))) == 0  # one crosses either way
    assert lane_order(upper, Middle("w", (200, 300), (-1, 1))) == 0


def test_the_crossing_index_counts_crossings_inside_both_and_runs_alongside():
    index = CrossingIndex()
    index.add("h", [(0, 100), (300, 100)])
    assert index.meet([(150, 0), (150, 200)], "") == (1, 0.0)
    assert index.meet([(300, 0), (300, 200)], "") == (0, 0.0)  # through its end: no
    assert index.meet([(100, 0), (100, 200), (200, 200), (200, 0)], "") == (2, 0.0)
    assert index.meet([(150, 0), (150, 200)], "h") == (0, 0.0)
    assert index.meet([(50, 102), (120, 102)], "") == (0, 70.0)
    index.remove("h")
    assert index.meet([(150, 0), (150, 200)], "") == (0, 0.0)


def test_a_link_takes_a_shape_that_crosses_no_other_when_one_is_clear():
    cards = {"A": (0, 0, 120, 40), "B": (400, 300, 520, 340)}
    alone = Routes(cards, [Link("ab", "A", "B")]).plans["ab"]
    both = Routes(
        {**cards, "E": (60, 180, 120, 220), "F": (300, 180, 360, 220)},
        [Link("ab", "A", "B"), Link("ef", "E", "F")],
    )
    assert alone == routes.Plan("right", "left", "z", 0.0)
    assert both.plans["ab"] != alone
    ab, ef = both.line(Link("ab", "A", "B")), both.line(Link("ef", "E", "F"))
    index = CrossingIndex()
    index.add("ef", ef)
    assert index.meet(ab, "")[0] == 0


def test_a_card_moved_into_a_links_way_is_seen_when_the_link_is_planned_again():
    """The plans remember which candidates pass clear of the cards; moving cards
    forgets that."""
    link = Link("ab", "A", "B")
    routes_ = Routes({"A": (0, 0, 120, 40), "B": (400, 0, 520, 40), "C": (900, 0, 960, 40)}, [link])
    straight = routes_.plans["ab"]
    assert straight == routes.Plan("right", "left", "z", 0.0)
    routes_.move({"C": (240, 0, 300, 40)})  # now between A and B
    plan, points = routes_._choose(link, routes_.planned)
    assert plan != straight and points and not routes_.hits(points, ("A", "B"))


def _design(name: str):
    return parse((FIXTURES / "designs" / f"{name}.json").read_text())


def _positions(board, layout: str):
    """Where `layout` ("drawn" or "auto") puts the cards, as the exports place them."""
    if layout == "auto":
        return auto_positions(board)
    return {n.id: {"x": n.x, "y": n.y} for n in board.nodes}


@pytest.mark.parametrize("layout", ["drawn", "auto"])
def test_every_route_runs_from_side_to_side_and_through_no_other_card(layout):
    board = _design("video_recommendation")
    positions = _positions(board, layout)
    lines = routes.board_routes(board, positions)
    assert lines is not None and len(lines) == len(board.edges)
    boxes = {node.id: card_box(node, positions) for node in board.nodes}
    for number, edge in enumerate(board.edges):
        line = lines[number]
        for (px, py), (qx, qy) in zip(line, line[1:], strict=False):
            assert px == qx or py == qy, f"{edge.id}: a diagonal"
        for end, point in ((edge.source, line[0]), (edge.target, line[-1])):
            x0, y0, x1, y1 = boxes[end]
            on_side = (point[0] in (x0, x1) and y0 <= point[1] <= y1) or (
                point[1] in (y0, y1) and x0 <= point[0] <= x1
            )
            assert on_side, f"{edge.id} does not end on {end}'s side: {point}"
        for card, (x0, y0, x1, y1) in boxes.items():
            if card in (edge.source, edge.target):
                continue
            inner = (x0 + 1, y0 + 1, x1 - 1, y1 - 1)
            assert not any(
                segment_inside(p, q, inner) > 0 for p, q in zip(line, line[1:], strict=False)
            ), f"{edge.id} runs through {card}"


def test_boards_the_canvas_would_not_draw_are_left_to_graphviz(monkeypatch):
    board = _design("video_recommendation")
    positions = {n.id: {"x": n.x, "y": n.y} for n in board.nodes}
    assert routes.board_routes(board, positions) is not None
    data = json.loads((FIXTURES / "designs" / "video_recommendation.json").read_text())
    first = data["nodes"][0]["id"]
    data["edges"].append({"id": "loop", "source": first, "target": first})
    assert routes.board_routes(parse(json.dumps(data)), positions) is None
    monkeypatch.setattr(routes, "ROUTE_LIMIT", len(board.nodes) - 1)
    assert routes.board_routes(board, positions) is None


def _svg_links(svg: bytes) -> list[list[tuple[float, float]]]:
    """Each link's drawn points in the SVG, repeated points (a B-spline's straight
    pieces) dropped."""
    root = ElementTree.fromstring(svg)
    out = {}
    for group in root.iter(f"{SVG}g"):
        match = re.fullmatch(r"link(\d+)", group.get("id", ""))
        if not match:
            continue
        path = group.find(f"{SVG}path")
        assert path is not None
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path.get("d", ""))]
        points: list[tuple[float, float]] = []
        for point in zip(numbers[::2], numbers[1::2], strict=True):
            if (
                not points
                or max(abs(point[0] - points[-1][0]), abs(point[1] - points[-1][1])) > 0.5
            ):
                points.append(point)
        out[int(match.group(1))] = points
    return [out[k] for k in sorted(out)]


def _turns(points) -> list[tuple[int, int]]:
    def sign(v: float) -> int:
        return (v > 0.5) - (v < -0.5)

    return [
        (sign(q[0] - p[0]), sign(q[1] - p[1])) for p, q in zip(points, points[1:], strict=False)
    ]


@pytest.mark.parametrize("layout", ["drawn", "auto"])
def test_an_exported_svg_draws_each_link_on_the_canvas_route(layout):
    """Every link of the SVG turns where the canvas's route does: the same directions,
    segment for segment (the SVG is in points, moved and scaled as Graphviz draws it)."""
    board = _design("video_recommendation")
    positions = _positions(board, layout)
    lines = routes.board_routes(board, positions)
    assert lines is not None
    drawn = _svg_links(render(board, "svg", layout))
    assert len(drawn) == len(board.edges)
    for number, edge in enumerate(board.edges):
        assert _turns(drawn[number]) == _turns(lines[number]), edge.id


def test_paths_between_cards_far_apart_are_indexed_without_a_cell_per_128_px():
    """Coordinates reach 10^6: a segment across the board is listed apart, not filed
    under the 15,000 cells it spans (that took an export 10 s), and still counted."""
    index = CrossingIndex()
    far = 1_000_000
    index.add("long", [(-far, 0), (far, 0)])
    index.add("short", [(0, -50), (0, 50)])
    assert len(index.long) == 1 and sum(map(len, index.cells.values())) == 2
    assert index.meet([(10, -far), (10, far)], "")[0] == 1
    assert index.meet([(-20, 10), (20, 10)], "")[0] == 1
    assert index.meet([(500, -10), (500, 10)], "")[0] == 1
    index.remove("long")
    assert index.meet([(500, -10), (500, 10)], "")[0] == 0 and not index.long
