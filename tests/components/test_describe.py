"""Operations in words (components/describe.py): what the replay says each revision did."""

from __future__ import annotations

import pytest

from components.describe import describe_operation
from components.document import Board, parse
from components.operations import OPERATION_NAMES
from tests.conftest import DESIGNS


@pytest.fixture(scope="module")
def board() -> Board:
    return parse((DESIGNS / "video_recommendation.json").read_text())


@pytest.mark.parametrize(
    ("op", "words"),
    [
        ({"op": "move_node", "id": "fs", "x": 1, "y": 2}, "moved Feature store"),
        (
            {"op": "add_node", "node": {"id": "c", "type": "cache", "label": "Hot cache"}},
            "added Hot cache",
        ),
        ({"op": "add_node", "node": {"id": "c", "type": "cache", "label": ""}}, "added Cache"),
        (
            {"op": "update_node", "id": "rank", "changes": {"label": "Scorer"}},
            "renamed Ranker to “Scorer”",
        ),
        (
            {"op": "update_node", "id": "rank", "changes": {"label": "", "props": {}}},
            "cleared the label of Ranker and edited its properties",
        ),
        (
            {"op": "update_node", "id": "train", "changes": {"props": {"task": None}}},
            "edited the properties of Ranker training",
        ),
        ({"op": "delete_node", "id": "vi"}, "deleted ANN index and its 2 connections"),
        (
            {"op": "add_edge", "edge": {"id": "x", "source": "rerank", "target": "gw"}},
            "connected Re-ranker (freshness, diversity) → API gateway",
        ),
        (
            {
                "op": "add_edge",
                "edge": {"id": "x", "source": "app", "target": "gw", "label": "clicks"},
            },
            "connected Mobile app → API gateway (“clicks”)",
        ),
        (
            {"op": "update_edge", "id": "e1", "changes": {"label": "calls"}},
            "labelled Mobile app → API gateway “calls”",
        ),
        (
            {"op": "update_edge", "id": "e1", "changes": {"label": ""}},
            "cleared the label of Mobile app → API gateway",
        ),
        ({"op": "delete_edge", "id": "e10"}, "disconnected API gateway → Mobile app"),
        (
            {"op": "update_notes", "step": "requirements", "text": "1B users"},
            "edited the worksheet (1. Requirements)",
        ),
        (
            {"op": "update_board", "changes": {"title": "Feed", "level": "staff"}},
            "renamed the board to “Feed” and set the level to staff",
        ),
        ({"op": "update_board", "changes": {"title": ""}}, "cleared the board's title"),
        (
            {"op": "batch", "ops": [{"op": "move_node", "id": "fs", "x": 0, "y": 0}]},
            "moved Feature store",
        ),
        (
            {
                "op": "batch",
                "ops": [
                    {"op": "move_node", "id": "fs", "x": 0, "y": 0},
                    {"op": "move_node", "id": "app", "x": 0, "y": 0},
                    {"op": "move_node", "id": "fs", "x": 5, "y": 0},
                ],
            },
            "moved 2 components",
        ),
        (
            {
                "op": "batch",
                "ops": [
                    {"op": "delete_edge", "id": "e1"},
                    {"op": "delete_edge", "id": "e10"},
                    {"op": "delete_node", "id": "app"},
                ],
            },
            "deleted 2 connections and 1 component",
        ),
        (
            {
                "op": "batch",
                "ops": [
                    {"op": "add_node", "node": {"id": "a", "type": "cache"}},
                    {"op": "add_edge", "edge": {"id": "b", "source": "a", "target": "rank"}},
                    {"op": "move_node", "id": "fs", "x": 0, "y": 0},
                ],
            },
            "added 1 component and 1 connection, moved 1 component",
        ),
    ],
)
def test_each_operation_is_told_in_words(board: Board, op: dict, words: str):
    assert describe_operation(op, board) == words


def test_an_import_says_what_the_board_started_with(board: Board):
    document = board.to_dict()
    assert (
        describe_operation({"op": "import", "document": document}, Board())
        == "started the board with 20 components and 27 connections"
    )
    empty = {"op": "import", "document": Board().to_dict()}
    assert describe_operation(empty, Board()) == "started the board"


def test_long_labels_are_shortened(board: Board):
    words = describe_operation(
        {"op": "update_node", "id": "rank", "changes": {"label": "x" * 200}}, board
    )
    assert words == f"renamed Ranker to “{'x' * 39}…”"


def test_no_operation_is_told_by_its_internal_name(board: Board):
    samples = {
        "add_node": {"node": {"id": "n", "type": "cache"}},
        "update_node": {"id": "fs", "changes": {"label": "F"}},
        "move_node": {"id": "fs", "x": 0, "y": 0},
        "delete_node": {"id": "fs"},
        "add_edge": {"edge": {"id": "e", "source": "app", "target": "gw"}},
        "update_edge": {"id": "e1", "changes": {"label": "x"}},
        "delete_edge": {"id": "e1"},
        "update_notes": {"step": "data", "text": "x"},
        "update_board": {"changes": {"level": "mid"}},
        "batch": {"ops": [{"op": "move_node", "id": "fs", "x": 0, "y": 0}] * 2},
        "import": {"document": board.to_dict()},
    }
    assert set(samples) == set(OPERATION_NAMES)
    for name, fields in samples.items():
        words = describe_operation({"op": name, **fields}, board)
        assert "_" not in words and name not in words, words
    assert describe_operation({"op": "teleport"}, board) == "made an edit"
    assert describe_operation("junk", board) == "made an edit"
