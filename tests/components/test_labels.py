"""Link labels in the exports: placed along their own link, clear of cards, labels and
other links (components/labels.py), or a numbered tag listed beside the drawing."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from components import drawing, export, labels
from components.cards import cards_as_json
from components.case_studies import load_all
from components.document import Board, Edge, Node
from components.drawing import link_label_size
from components.export import render, to_dot
from components.report import validate
from tests.conftest import load_design

needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz missing")

SVG = "{http://www.w3.org/2000/svg}"
Rect = tuple[float, float, float, float]


# --- reading an exported SVG -------------------------------------------------------------


def _box(element: ElementTree.Element) -> Rect:
    if element.tag == f"{SVG}rect":
        x, y = float(element.get("x")), float(element.get("y"))
        return (x, y, x + float(element.get("width")), y + float(element.get("height")))
    text = element.get("d") or element.get("points", "")
    values = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]
    return (min(values[0::2]), min(values[1::2]), max(values[0::2]), max(values[1::2]))


def _polyline(element: ElementTree.Element) -> list[tuple[float, float]]:
    values = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", element.get("d", ""))]
    return list(zip(values[0::2], values[1::2], strict=False))


def read(svg: bytes) -> tuple[list[Rect], dict[int, list], dict[int, tuple[Rect, str]], list[str]]:
    """Card boxes, link polylines by number, label (box, text) by link number, and the
    texts of the "Link labels" list, from an exported SVG."""
    root = ElementTree.fromstring(svg)
    cards: list[Rect] = []
    links: dict[int, list] = {}
    tags: dict[int, tuple[Rect, str]] = {}
    listed: list[str] = []
    for group in root.iter(f"{SVG}g"):
        gid = group.get("id", "")
        if re.fullmatch(r"card\d+", gid):
            cards.append(_box(next(e for e in group if e.tag in (f"{SVG}path", f"{SVG}polygon"))))
        elif match := re.fullmatch(r"link(\d+)", gid):
            links[int(match.group(1))] = _polyline(group.find(f"{SVG}path"))
        elif match := re.fullmatch(r"label(\d+)", gid):
            text = "".join(group.find(f"{SVG}text").itertext())
            tags[int(match.group(1))] = (_box(group.find(f"{SVG}rect")), text)
        elif gid == "links":
            listed = ["".join(t.itertext()) for t in group.iter(f"{SVG}text")]
    return cards, links, tags, listed


def overlaps(a: Rect, b: Rect) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


def harmful_content_detection() -> Board:
    return load_all()["harmful-content-detection"].fresh_reference()


# --- the exports -------------------------------------------------------------------------


@needs_graphviz
@pytest.mark.parametrize("findings", [False, True])
@pytest.mark.parametrize("layout", ["auto", "drawn"])
def test_no_link_label_covers_a_card_or_another_label(layout, findings):
    board = harmful_content_detection()
    extra = {"legend": True, "findings": validate(board)} if findings else {}
    cards, _, tags, _ = read(render(board, "svg", layout=layout, **extra))
    boxes = [box for box, _ in tags.values()]
    assert len(boxes) == sum(1 for edge in board.edges if edge.label)
    for i, box in enumerate(boxes):
        assert not any(overlaps(box, card) for card in cards), box
        assert not any(overlaps(box, other) for other in boxes[i + 1 :]), box


@needs_graphviz
def test_harmful_content_detection_labels_sit_on_or_beside_their_own_link():
    board = harmful_content_detection()
    _, links, tags, _ = read(render(board, "svg", layout="auto"))
    for number, (box, _) in tags.items():
        near = (box[0] - 8, box[1] - 8, box[2] + 8, box[3] + 8)
        assert any(
            labels.segment_crosses(a, b, near)
            for a, b in zip(links[number], links[number][1:], strict=False)
        ), board.edges[number].label


@needs_graphviz
@pytest.mark.parametrize("layout", ["auto", "drawn"])
@pytest.mark.parametrize(
    "name",
    ["video_recommendation", "video_recommendation_no_response", "video_recommendation_skew"],
)
def test_every_label_is_shown_once_on_its_link_or_listed_under_its_tag(name, layout):
    board = load_design(name)
    _, _, tags, listed = read(render(board, "svg", layout=layout, legend=True))
    numbers = sorted(n for n, (_, text) in tags.items() if text != board.edges[n].label)
    for k, link in enumerate(numbers, start=1):
        assert tags[link][1] == str(k)  # tags are numbered in board order
        assert board.edges[link].label in listed
    for number, edge in enumerate(board.edges):
        assert (number in tags) == bool(edge.label)


@needs_graphviz
def test_a_label_with_no_room_becomes_a_numbered_tag_listed_beside_the_drawing():
    # Two cards 40 px apart: no room between them for "a label that is far too long".
    board = Board(
        nodes=[Node(id="a", type="cache", x=0, y=0), Node(id="b", type="cache", x=190, y=0)],
        edges=[Edge(id="e", source="a", target="b", label="a label that is far too long")],
    )
    svg = render(board, "svg")
    cards, _, tags, listed = read(svg)
    ((box, text),) = tags.values()
    assert text == "1"
    assert not any(overlaps(box, card) for card in cards)
    assert listed[0] == "Link labels" and "a label that is far too long" in listed
    # The drawing grows to hold the list, right of the cards.
    root = ElementTree.fromstring(svg)
    width = float(root.get("viewBox").split()[2])
    assert width > 340 + export.PANEL_GAP + link_label_size("1")[0]


@needs_graphviz
def test_a_png_is_drawn_again_with_the_links_pinned_and_the_labels_placed(monkeypatch):
    sources: list[str] = []
    real = export.run_graphviz

    def spy(source, output, engine, timeout=10.0):
        sources.append(source)
        return real(source, output, engine, timeout)

    monkeypatch.setattr(export, "run_graphviz", spy)
    board = load_design("video_recommendation")
    data = render(board, "png", layout="auto")
    assert data.startswith(b"\x89PNG")
    assert "xlabel" not in sources[-1]  # no label left for Graphviz to place
    second = sources[-1]
    labelled = sum(1 for edge in board.edges if edge.label)
    assert second.count(" lp=") == labelled
    assert len(re.findall(r'\bpos="e,', second)) == len(board.edges)  # links pinned as routed


def test_the_dot_source_keeps_labels_for_graphviz_to_place():
    board = load_design("video_recommendation")
    source = to_dot(board)
    assert source.count("xlabel=") == sum(1 for edge in board.edges if edge.label)
    assert "xlabel=" not in to_dot(board, link_labels=False)


# --- placement ---------------------------------------------------------------------------


def test_route_points_reads_graphviz_positions_y_down_with_straight_pieces_merged():
    pos = "e,100,-10 0,0 0,0 50,0 50,0 50,0 90,0 90,0 90,0 90,-5 90,-5"
    assert labels.route_points(pos) == [(0.0, 0.0), (90.0, 0.0), (90.0, 5.0), (100.0, 10.0)]


def test_a_label_goes_on_its_link_when_the_middle_is_clear():
    routes = {0: [(0.0, 0.0), (200.0, 0.0)]}
    placed, tagged = labels.place_labels(routes, {0: (40, 20)}, [], None, {0: (20, 20)})
    assert not tagged
    assert placed[0].clear and (placed[0].x, placed[0].y) == (100.0, 0.0)


def test_a_label_moves_along_its_link_off_a_crossing_link():
    routes = {0: [(0.0, 0.0), (300.0, 0.0)], 1: [(150.0, -100.0), (150.0, 100.0)]}
    placed, _ = labels.place_labels(routes, {0: (60, 20)}, [])
    spot = placed[0]
    assert spot.clear and spot.y == 0.0
    assert not labels.segment_crosses((150.0, -100.0), (150.0, 100.0), spot.box)


def test_labels_placed_together_do_not_cover_each_other_or_cards():
    # Two links side by side, 12 points apart, and a card above them.
    routes = {0: [(0.0, 0.0), (200.0, 0.0)], 1: [(0.0, 12.0), (200.0, 12.0)]}
    card = (60.0, -80.0, 140.0, -30.0)
    placed, tagged = labels.place_labels(routes, {0: (50, 20), 1: (50, 20)}, [card])
    boxes = [p.box for p in placed.values()]
    assert not overlaps(boxes[0], boxes[1])
    assert not any(overlaps(box, card) for box in boxes)
    assert all(p.clear for p in placed.values()) and not tagged


def test_a_label_with_no_clear_place_takes_its_tag_in_the_least_bad_place():
    # The link runs 30 points between two cards: the 80-point label cannot fit.
    routes = {0: [(0.0, 0.0), (30.0, 0.0)]}
    cards = [(-100.0, -30.0, 0.0, 30.0), (30.0, -30.0, 130.0, 30.0)]
    placed, tagged = labels.place_labels(routes, {0: (80, 20)}, cards, None, {0: (19, 20)})
    assert tagged == {0}
    assert placed[0].width == 19 and placed[0].clear


def test_a_tag_that_would_cover_a_card_goes_beside_the_link_instead():
    # The link runs 16 points between two cards: even the 19-point tag covers one of them
    # anywhere on it, so it goes just above or below the gap, clear of both.
    routes = {0: [(0.0, 0.0), (16.0, 0.0)]}
    cards = [(-100.0, -30.0, 0.0, 30.0), (16.0, -30.0, 116.0, 30.0)]
    placed, tagged = labels.place_labels(routes, {0: (80, 20)}, cards, None, {0: (19, 20)})
    assert tagged == {0}
    x0, y0, x1, y1 = placed[0].box
    assert not any(x0 < c[2] and c[0] < x1 and y0 < c[3] and c[1] < y1 for c in cards)
    assert -30 - 20 - labels.FURTHER <= y0 and y1 <= 30 + 20 + labels.FURTHER  # near it
    assert x0 < 16 and x1 > 0  # over the gap


def test_the_tag_size_reaches_the_canvas_from_one_place():
    # The canvas reads the tag's size from the catalogue JSON (cards_as_json), so the
    # exports' tags and the canvas's cannot drift apart.
    assert cards_as_json()["link_label"] == {
        "size": drawing.LINK_LABEL_SIZE,
        "pad": drawing.LINK_LABEL_PAD,
        "height": drawing.LINK_LABEL_HEIGHT,
    }
    canvas = (Path(__file__).resolve().parents[2] / "static" / "js" / "canvas.js").read_text()
    assert "this.cards.c.link_label" in canvas
    assert "textWidth(label, 11)" not in canvas
