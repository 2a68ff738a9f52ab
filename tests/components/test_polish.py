"""components/polish.py: the auto-layout's last pass, moves scored by the editor's routes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components import layout, polish
from components.case_studies import load_all
from components.document import parse
from components.layout import card_box
from components.untangle import CARD_GAP

DESIGNS = Path(__file__).resolve().parent.parent / "fixtures" / "designs"


def untangled_places(board, monkeypatch):
    """The places the pass starts from: dot's placement up to the untangling."""
    seen = []
    monkeypatch.setattr(polish, "polished", lambda b, p: seen.append(p) or p)
    layout.dot_positions(board)
    monkeypatch.undo()
    return seen[0]


def _boxes(board, positions):
    return {node.id: card_box(node, positions) for node in board.nodes}


def test_the_pass_takes_out_crossings_the_straight_score_left(monkeypatch):
    # event-recommendation: the untangled places draw 17 crossings in the editor's
    # routes; moved where the routes cross less, 8.
    board = load_all()["event-recommendation"].fresh_reference()
    start = untangled_places(board, monkeypatch)
    after = polish.polished(board, start)
    assert polish.crossings(board, after) <= polish.crossings(board, start) - 5


@pytest.mark.parametrize("slug", sorted(load_all()))
def test_the_pass_never_adds_crossings_grows_the_drawing_or_overlaps_cards(slug, monkeypatch):
    board = load_all()[slug].fresh_reference()
    start = untangled_places(board, monkeypatch)
    after = polish.polished(board, start)
    assert polish.crossings(board, after) <= polish.crossings(board, start)
    boxes, before = _boxes(board, after), _boxes(board, start)
    for k in range(4):  # the drawing's box is kept
        pick = min if k < 2 else max
        assert pick(b[k] for b in boxes.values()) == pick(b[k] for b in before.values())
    cards = list(boxes.values())
    for i, a in enumerate(cards):  # no card nearer another than the untangling allows
        for b in cards[i + 1 :]:
            apart_x = a[2] + CARD_GAP <= b[0] + 0.5 or b[2] + CARD_GAP <= a[0] + 0.5
            apart_y = a[3] + CARD_GAP <= b[1] + 0.5 or b[3] + CARD_GAP <= a[1] + 0.5
            assert apart_x or apart_y


def test_boards_it_does_not_take_are_returned_as_they_are(monkeypatch):
    data = json.loads((DESIGNS / "video_recommendation.json").read_text())
    board = parse(json.dumps(data))
    places = {n.id: {"x": n.x, "y": n.y} for n in board.nodes}
    first = data["nodes"][0]["id"]
    data["edges"].append({"id": "loop", "source": first, "target": first})
    looped = parse(json.dumps(data))
    assert polish.polished(looped, places) is places
    monkeypatch.setattr(polish, "POLISH_LIMIT", len(board.nodes) - 1)
    assert polish.polished(board, places) is places
