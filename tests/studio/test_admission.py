"""What admission reads of a board and of the session, kept per process only when one
process orders edits."""

from __future__ import annotations

import subprocess
from importlib import import_module

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction

from studio import services
from studio.live import admission
from studio.models import Board
from studio.services import link_generation
from studio.sessions import grant_role
from tests.servers import PYTHON, ROOT, server_env
from tests.studio.conftest import make_board, receive_until, ws_cookie

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


@pytest.mark.parametrize(
    ("services", "engine"),
    [({}, "cached_db"), ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "db")],
    ids=["one process", "several processes"],
)
def test_sessions_are_kept_in_memory_only_when_one_process_serves(services, engine):
    """With one process (the embedded default) a connect finds its session in memory; with
    several, another process's copy could be stale, so sessions stay in the database."""
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    out = subprocess.run(
        [PYTHON, "-c", code],
        cwd=ROOT,
        env=server_env(extra=services),
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split()[-1] == f"django.contrib.sessions.backends.{engine}"


async def test_a_connect_reads_its_session_without_the_database_when_one_process_serves():
    """The session a view saved is read from memory at the connect: gone from the
    database, it still admits. (The tests run in one process, tests/settings.py; the
    engine with several is checked above.)"""

    @database_sync_to_async
    def saved_then_deleted_from_the_database() -> tuple[str, str]:
        board, _ = make_board()
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        # As the link's view grants it (with the link's generation): the connect has no
        # reason to write the session back.
        grant_role(session, board.public_id, "candidate", link_generation(board, "candidate"))
        session.save()
        Session.objects.filter(session_key=session.session_key).delete()
        return board.public_id, f"sessionid={session.session_key}"

    public_id, cookie = await saved_then_deleted_from_the_database()
    async with ws_cookie(public_id, cookie) as client:
        assert await receive_until(client, "welcome")
