"""The interviewer ends the interview: the board turns read-only for everyone, the timer
stops, the report says when; reopening undoes it (studio/interview.py, the consumer)."""

from __future__ import annotations

import json
import re
import time

import pytest
from channels.db import database_sync_to_async

from studio import interview
from studio.live import consumers
from studio.models import Board
from tests.studio.conftest import client_as, make_board, receive_until, ws_client

MOVE = {"op": "move_node", "id": "gw", "x": 40, "y": 40}


@pytest.fixture
def board(db) -> Board:
    return make_board()[0]


def post_end(board: Board, action: str, role: str = "interviewer"):
    return client_as(board, role).post(f"/b/{board.public_id}/interviewer/end", {"action": action})


def test_ending_keeps_the_revision_stops_the_timer_and_reopening_undoes_it(board: Board):
    interview.control_timer(board, "start")
    response = post_end(board, "end")
    assert response.status_code == 200 and "Reopen the board" in response.content.decode()
    board.refresh_from_db()
    assert board.ended_at is not None and board.ended_revision == board.revision
    assert board.timer_started_at is None and board.timer_elapsed >= 0
    assert interview.ended_state(board) == {
        "at": board.ended_at.isoformat(),
        "revision": board.revision,
    }
    # The timer does not start again on an ended interview.
    started = client_as(board, "interviewer").post(
        f"/b/{board.public_id}/interviewer/timer", {"action": "start"}
    )
    assert started.status_code == 400
    board.refresh_from_db()
    assert board.timer_started_at is None
    # Ending twice changes nothing (the first time stands).
    first = board.ended_at
    post_end(board, "end")
    board.refresh_from_db()
    assert board.ended_at == first

    report = client_as(board, "interviewer").get(f"/b/{board.public_id}/report")
    assert "by the interviewer" in report.content.decode()

    assert "End interview" in post_end(board, "reopen").content.decode()
    board.refresh_from_db()
    assert board.ended_at is None and board.ended_revision is None
    assert interview.ended_state(board) is None


@pytest.mark.parametrize("role", ["candidate", "viewer"])
def test_only_an_interviewer_can_end_it(board: Board, role: str):
    assert post_end(board, "end", role).status_code == 404
    board.refresh_from_db()
    assert board.ended_at is None


def test_a_bad_action_is_refused(board: Board):
    assert post_end(board, "explode").status_code == 400
    board.refresh_from_db()
    assert board.ended_at is None


def post_timer(board: Board, action: str, **fields):
    return client_as(board, "interviewer").post(
        f"/b/{board.public_id}/interviewer/timer", {"action": action, **fields}
    )


@pytest.mark.parametrize("action", ["start", "pause", "reset"])
def test_after_the_end_the_timer_refuses_every_action_until_reopened(board: Board, action: str):
    interview.control_timer(board, "start")
    post_end(board, "end")
    board.refresh_from_db()
    kept = (board.timer_started_at, board.timer_elapsed, board.timer_duration)
    refused = post_timer(board, action, minutes="30")
    assert refused.status_code == 400 and "has ended" in refused.content.decode()
    board.refresh_from_db()
    # The time the interview took stays as the end left it (a reset would zero it).
    assert (board.timer_started_at, board.timer_elapsed, board.timer_duration) == kept
    post_end(board, "reopen")
    assert post_timer(board, action).status_code == 204


def timer_controls(html: str) -> list[str]:
    """The timer form's buttons and its minutes field, as rendered."""
    form = re.search(r'<form class="timer-controls".*?</form>', html, re.S)
    assert form, "no timer controls in the panel"
    return re.findall(r"<(?:button|input)\b[^>]*>", form.group(0))


def test_the_panel_disables_every_timer_control_once_the_interview_has_ended(board: Board):
    interviewer = client_as(board, "interviewer")
    panel_url = f"/b/{board.public_id}/interviewer"
    running = interviewer.get(panel_url).content.decode()
    assert len(timer_controls(running)) == 4
    assert not any(" disabled" in c for c in timer_controls(running))
    assert "reopen the board to use the timer" not in running
    post_end(board, "end")
    ended = interviewer.get(panel_url).content.decode()
    assert all(" disabled" in c for c in timer_controls(ended))
    assert "The interview has ended: reopen the board to use the timer." in ended
    post_end(board, "reopen")
    reopened = interviewer.get(panel_url).content.decode()
    assert not any(" disabled" in c for c in timer_controls(reopened))


def test_the_panel_gives_the_end_as_a_time_element_the_page_writes_in_local_time(board: Board):
    ended = post_end(board, "end").content.decode()
    board.refresh_from_db()
    # The banner says the end in the reader's local time (static/js/board.js); the panel
    # gives the same instant for static/js/local-time.js to write the same way, UTC until then.
    time = re.search(r"<time ([^>]*)>([^<]*)</time>", ended)
    assert time, "the end is not a <time> element"
    assert f'datetime="{board.ended_at.isoformat()}"' in time.group(1)
    assert "data-local-time" in time.group(1)
    assert time.group(2) == board.ended_at.strftime("%H:%M UTC")


@pytest.mark.django_db(transaction=True)
async def test_after_the_end_every_edit_is_refused_until_reopened():
    board, _ = await database_sync_to_async(make_board)()
    async with ws_client(board.public_id, "candidate") as candidate:
        welcome = await receive_until(candidate, "welcome")
        assert welcome["ended"] is None
        await database_sync_to_async(post_end)(board, "end")
        ended = await receive_until(candidate, "board.ended")
        assert ended["ended"]["revision"] == board.revision
        await candidate.send_json_to({"type": "op", "cid": "c1", "base": 1, "op": MOVE})
        refused = await receive_until(candidate, "error")
        assert refused["code"] == "ended" and refused["cid"] == "c1"
        assert "read-only" in refused["message"]

    # A page opened after the end hears it in its welcome, and is refused too.
    async with ws_client(board.public_id, "interviewer") as late:
        assert (await receive_until(late, "welcome"))["ended"]["revision"] == board.revision
        await late.send_json_to({"type": "op", "cid": "c2", "base": 1, "op": MOVE})
        assert (await receive_until(late, "error"))["code"] == "ended"
        await database_sync_to_async(post_end)(board, "reopen")
        assert (await receive_until(late, "board.ended"))["ended"] is None
        await late.send_json_to({"type": "op", "cid": "c3", "base": 1, "op": MOVE})
        assert (await receive_until(late, "ack"))["cid"] == "c3"
    stored = await database_sync_to_async(Board.objects.get)(pk=board.pk)
    assert stored.revision == board.revision + 1  # only the edit after reopening


@pytest.mark.django_db(transaction=True)
async def test_under_database_ordering_an_edit_after_the_end_is_refused_at_once(settings):
    """The row lock orders edits across processes: an edit after the end's commit is
    refused even before the end's event reaches the connection."""
    settings.LIVE_ORDERING = "database"
    board, _ = await database_sync_to_async(make_board)()
    async with ws_client(board.public_id, "candidate") as candidate:
        await receive_until(candidate, "welcome")
        await database_sync_to_async(interview.end_interview)(board)  # no event sent
        await candidate.send_json_to({"type": "op", "cid": "c1", "base": 1, "op": MOVE})
        assert (await receive_until(candidate, "error"))["code"] == "ended"


@pytest.mark.django_db(transaction=True)
async def test_in_memory_the_end_covers_every_edit_ordered_before_it_was_heard(monkeypatch):
    """In memory ordering an edit applied but not yet committed when the interview ends
    is part of the ended board: the revision recorded is the board's, not the database's
    older one."""
    from studio.live import engine as engine_module

    board, _ = await database_sync_to_async(make_board)()
    real = engine_module.write_batch
    monkeypatch.setattr(
        engine_module, "write_batch", lambda batch: (time.sleep(0.3), real(batch))[1]
    )
    async with (
        ws_client(board.public_id, "candidate") as candidate,
        ws_client(board.public_id, "viewer") as viewer,
    ):
        await receive_until(candidate, "welcome")
        await receive_until(viewer, "welcome")
        await candidate.send_json_to({"type": "op", "cid": "c1", "base": 1, "op": MOVE})
        assert (await receive_until(viewer, "op"))["revision"] == board.revision + 1
        await database_sync_to_async(post_end)(board, "end")  # commits before the edit
        await receive_until(viewer, "board.ended")
        await receive_until(candidate, "ack")
    stored = await database_sync_to_async(Board.objects.get)(pk=board.pk)
    assert stored.revision == board.revision + 1 == stored.ended_revision


@pytest.mark.django_db(transaction=True)
async def test_a_connection_made_while_the_interview_ends_hears_of_it(monkeypatch):
    """Ended after this connection read the board and before it joined the board's group
    (its event went to the group without it): it learns of the end all the same."""
    board, _ = await database_sync_to_async(make_board)()
    original = consumers.BoardConsumer.__dict__["_admission"]

    async def admitted_then_ended(self):
        admitted = await original.__get__(self, type(self))()
        await database_sync_to_async(post_end)(board, "end")
        return admitted

    monkeypatch.setattr(consumers.BoardConsumer, "_admission", admitted_then_ended)
    async with ws_client(board.public_id, "candidate") as candidate:
        assert (await receive_until(candidate, "welcome"))["ended"] is None
        assert (await receive_until(candidate, "board.ended"))["ended"] is not None
        await candidate.send_json_to({"type": "op", "cid": "c1", "base": 1, "op": MOVE})
        assert (await receive_until(candidate, "error"))["code"] == "ended"


@pytest.mark.django_db(transaction=True)
async def test_an_end_heard_after_the_reopen_that_followed_it_is_dropped():
    """Two interviewers end and reopen within a moment, and the two events arrive in the
    other order: the connection forwards only the later (reopened) one, and the board in
    memory stays editable."""
    from channels.db import database_sync_to_async as in_thread

    from studio.live.broadcast import send_to_board

    board, _ = await database_sync_to_async(make_board)()
    async with ws_client(board.public_id, "candidate") as candidate:
        assert (await receive_until(candidate, "welcome"))["ended_seq"] == 0
        await database_sync_to_async(interview.end_interview)(board)
        ended = interview.ended_event(board)
        await database_sync_to_async(interview.reopen_interview)(board)
        reopened = interview.ended_event(board)
        assert (ended["seq"], reopened["seq"]) == (1, 2) and reopened["ended"] is None
        await in_thread(send_to_board)(board.public_id, reopened)
        await in_thread(send_to_board)(board.public_id, ended)
        heard = await receive_until(candidate, "board.ended")
        assert heard == reopened
        await candidate.send_json_to({"type": "op", "cid": "c1", "base": 1, "op": MOVE})
        frames = []
        while not frames or frames[-1]["type"] not in ("ack", "error"):
            frames.append(json.loads(await candidate.receive_from(timeout=3)))
        assert frames[-1] == {"type": "ack", "cid": "c1", "revision": board.revision + 1}
        assert not [f for f in frames if f["type"] == "board.ended"]  # the stale end


@pytest.mark.django_db(transaction=True)
async def test_a_board_kept_in_memory_hears_an_end_made_while_nobody_was_connected():
    """In memory ordering the board stays in memory after its last connection leaves; an
    end made then reaches it through the next connection's admission."""
    from studio.live import engine as engine_module

    board, _ = await database_sync_to_async(make_board)()
    async with ws_client(board.public_id, "candidate") as candidate:
        await receive_until(candidate, "welcome")
    await database_sync_to_async(interview.end_interview)(board)
    async with ws_client(board.public_id, "interviewer") as interviewer:
        welcome = await receive_until(interviewer, "welcome")
        assert welcome["ended"] is not None and welcome["ended_seq"] == 1
        state = await engine_module.engine().state(board.public_id)
        assert state.ended is not None and state.ended_seq == 1
        await interviewer.send_json_to({"type": "op", "cid": "c1", "base": 1, "op": MOVE})
        assert (await receive_until(interviewer, "error"))["code"] == "ended"


def test_a_late_record_of_an_earlier_ends_revision_changes_nothing(board: Board):
    """The board in memory records the revision an end came at; one that arrives after
    the board was reopened and ended again must not change the later end's revision."""
    interview.end_interview(board)  # end number 1
    interview.reopen_interview(board)  # 2
    interview.end_interview(board)  # 3
    board.refresh_from_db()
    kept = board.ended_revision
    consumers._record_end_revision(board.pk, kept + 5, seq=1)
    board.refresh_from_db()
    assert board.ended_revision == kept
    consumers._record_end_revision(board.pk, kept + 5, seq=3)
    board.refresh_from_db()
    assert board.ended_revision == kept + 5
