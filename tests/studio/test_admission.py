"""What admission reads of a board, kept per process only when one process orders edits."""

from __future__ import annotations

import pytest
from django.db import transaction

from studio import services
from studio.live import admission
from studio.models import Board
from tests.studio.conftest import make_board

pytestmark = pytest.mark.django_db(transaction=True)


def test_kept_in_memory_ordering_until_the_board_is_saved(settings):
    settings.LIVE_ORDERING = "memory"
    board, _ = make_board()
    first = admission.board(board.public_id)
    assert admission.board(board.public_id) is first
    services.rotate_token(board, "viewer")
    fresh = admission.board(board.public_id)
    assert fresh is not first and fresh.viewer_token_hash == board.viewer_token_hash


def test_what_was_read_before_a_change_committed_is_dropped_at_the_commit(settings):
    settings.LIVE_ORDERING = "memory"
    board, _ = make_board()
    stale = admission.board(board.public_id)
    with transaction.atomic():
        services.rotate_token(board, "viewer")
        # Another thread reading now would see the committed (old) row and keep it:
        admission._boards[board.public_id] = stale
    assert admission.board(board.public_id).viewer_token_hash == board.viewer_token_hash


def test_a_read_overlapping_a_change_is_not_kept(settings, monkeypatch):
    settings.LIVE_ORDERING = "memory"
    board, _ = make_board()
    real_get = Board.objects.only

    def only_then_a_change(*fields):
        admission.forget("another board")  # a save anywhere while this read runs
        return real_get(*fields)

    monkeypatch.setattr(Board.objects, "only", only_then_a_change)
    admission.board(board.public_id)
    assert board.public_id not in admission._boards


def test_never_kept_with_several_processes(settings):
    settings.LIVE_ORDERING = "database"
    board, _ = make_board()
    assert admission.board(board.public_id) is not admission.board(board.public_id)


def test_a_deleted_board_is_not_found(settings):
    settings.LIVE_ORDERING = "memory"
    board, _ = make_board()
    admission.board(board.public_id)
    Board.objects.filter(pk=board.pk).first().delete()
    with pytest.raises(Board.DoesNotExist):
        admission.board(board.public_id)
