"""services.apply with several processes: each starts from its own cached document,
brought up to date from the log when another process wrote in between."""

from __future__ import annotations

import pytest

from studio import services
from studio.models import Board
from tests.studio.conftest import make_board

pytestmark = pytest.mark.django_db


def move(x: int) -> dict:
    return {"op": "move_node", "id": "rank", "x": x, "y": 40}


def other_process_wrote(public_id: str, op: dict) -> None:
    """Apply `op` as another process would: its document never reaches this process's
    cache (which keeps the entry it had before)."""
    held = services.documents.latest(public_id)
    services.apply(public_id, op, "other")
    assert held is not None
    services.documents.put(public_id, *held)


def test_a_cached_document_is_brought_forward_from_the_log(monkeypatch):
    board, _ = make_board()
    services.apply(board.public_id, move(100), "me")
    other_process_wrote(board.public_id, move(200))
    other_process_wrote(
        board.public_id, {"op": "update_node", "id": "rank", "changes": {"label": "Ranker v2"}}
    )

    def no_replay(self):
        raise AssertionError("the snapshot was replayed instead of the two logged operations")

    monkeypatch.setattr(Board, "to_document", no_replay)
    applied, before, after = services.apply(board.public_id, move(300), "me")
    monkeypatch.undo()

    assert applied.revision == 5
    assert before.node("rank").x == 200 and before.node("rank").label == "Ranker v2"
    assert after.node("rank").x == 300
    stored = Board.objects.get(pk=board.pk).to_document()
    assert stored.to_dict() == after.to_dict()


def test_a_cached_document_too_far_behind_falls_back_on_the_snapshot():
    board, _ = make_board()
    services.apply(board.public_id, move(1), "me")
    held = services.documents.latest(board.public_id)
    assert held is not None
    for x in range(services.CATCH_UP_LIMIT + 1):
        services.apply(board.public_id, move(10 + x), "other")
    services.documents.put(board.public_id, *held)

    _, before, after = services.apply(board.public_id, move(999), "me")

    assert before.node("rank").x == 10 + services.CATCH_UP_LIMIT
    assert Board.objects.get(pk=board.pk).to_document().to_dict() == after.to_dict()


def test_without_a_cached_document_the_board_is_loaded():
    board, _ = make_board()
    services.documents.entries.pop(board.public_id, None)
    _, before, after = services.apply(board.public_id, move(5), "me")
    assert before.node("rank").x != 5 and after.node("rank").x == 5
