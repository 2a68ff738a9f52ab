"""The interviewer's private panel and timer, and the role boundary around them."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async

from studio import interview
from studio.models import Board
from tests.studio.conftest import client_as, make_board, receive_until, ws_client

SECRET = "Candidate hesitated on drift: probe deeper"


@pytest.fixture
def board(db) -> Board:
    board, _ = make_board()
    interview.save_private_notes(board, SECRET)
    interview.save_score(board, "data", "3", "solid feature store answer")
    return board


def test_the_interviewer_sees_private_notes_and_scores(board: Board):
    panel = client_as(board, "interviewer").get(f"/b/{board.public_id}/interviewer")
    assert panel.status_code == 200
    text = panel.content.decode()
    assert SECRET in text and "solid feature store answer" in text


@pytest.mark.parametrize("role", ["candidate", "viewer"])
def test_candidates_and_viewers_never_get_private_data_over_http(board: Board, role: str):
    client = client_as(board, role)
    assert client.get(f"/b/{board.public_id}/interviewer").status_code == 404
    for url in (
        f"/b/{board.public_id}/",
        f"/api/boards/{board.public_id}",
        f"/b/{board.public_id}/findings",
    ):
        body = client.get(url).content.decode()
        assert SECRET not in body and "solid feature store answer" not in body
        assert "interviewer-tab" not in body
    for url, data in (
        (f"/b/{board.public_id}/interviewer/notes", {"private_notes": "x"}),
        (f"/b/{board.public_id}/interviewer/score/data", {"score": "1"}),
        (f"/b/{board.public_id}/interviewer/timer", {"action": "start"}),
    ):
        assert client.post(url, data).status_code == 404
    board.refresh_from_db()
    assert board.private_notes == SECRET and board.rubric["data"]["score"] == 3
    assert board.timer_started_at is None


def test_scores_are_checked(board: Board):
    client = client_as(board, "interviewer")
    assert (
        client.post(f"/b/{board.public_id}/interviewer/score/data", {"score": "7"}).status_code
        == 400
    )
    assert (
        client.post(f"/b/{board.public_id}/interviewer/score/vibes", {"score": "2"}).status_code
        == 400
    )
    board.refresh_from_db()
    assert board.rubric == {"data": {"score": 3, "comment": "solid feature store answer"}}


def test_the_timer_runs_on_server_time_and_survives_a_reload(board: Board):
    client = client_as(board, "interviewer")
    assert (
        client.post(
            f"/b/{board.public_id}/interviewer/timer", {"action": "reset", "minutes": "30"}
        ).status_code
        == 204
    )
    assert (
        client.post(f"/b/{board.public_id}/interviewer/timer", {"action": "start"}).status_code
        == 204
    )
    board.refresh_from_db()
    state = interview.timer_state(board)
    assert state["running"] is True and state["duration"] == 1800
    assert 1790 < state["remaining"] <= 1800
    assert sum(part["seconds"] for part in state["split"]) == pytest.approx(1800, abs=4)
    page = client_as(board, "interviewer").get(f"/b/{board.public_id}/").content.decode()
    assert "&quot;running&quot;: true" in page
    client.post(f"/b/{board.public_id}/interviewer/timer", {"action": "pause"})
    board.refresh_from_db()
    paused = interview.timer_state(board)
    assert paused["running"] is False and paused["remaining"] < 1800


def test_a_bad_timer_request_is_refused(board: Board):
    client = client_as(board, "interviewer")
    assert (
        client.post(f"/b/{board.public_id}/interviewer/timer", {"action": "explode"}).status_code
        == 400
    )
    assert (
        client.post(
            f"/b/{board.public_id}/interviewer/timer", {"action": "reset", "minutes": "9999"}
        ).status_code
        == 400
    )


@pytest.mark.django_db(transaction=True)
async def test_a_candidate_never_receives_private_data_in_any_frame():
    board, _ = await database_sync_to_async(make_board)()
    await database_sync_to_async(interview.save_private_notes)(board, SECRET)
    frames = []
    async with (
        ws_client(board.public_id, "candidate") as candidate,
        ws_client(board.public_id, "interviewer") as interviewer,
    ):
        await candidate.send_json_to({"type": "sync", "since": 0})
        await interviewer.send_json_to(
            {
                "type": "op",
                "cid": "x",
                "base": 1,
                "op": {"op": "update_notes", "step": "data", "text": "public note"},
            }
        )
        await receive_until(interviewer, "ack")
        client = await database_sync_to_async(client_as)(board, "interviewer")
        await database_sync_to_async(client.post)(
            f"/b/{board.public_id}/interviewer/timer", {"action": "start"}
        )
        while True:
            try:
                frames.append(await candidate.receive_from(timeout=1))
            except TimeoutError:
                break
    types = {json.loads(f)["type"] for f in frames}
    assert {"welcome", "snapshot", "op", "presence.joined"} <= types
    assert not any(SECRET in f or "private_notes" in f or "rubric" in f for f in frames)
    # The countdown is the interviewer's alone: no timer frame, none in the welcome.
    assert "timer" not in types
    assert not any('"timer"' in f for f in frames)


@pytest.mark.parametrize(
    "role, shown", [("interviewer", True), ("candidate", False), ("viewer", False)]
)
def test_only_the_interviewer_page_shows_the_timer(board: Board, role: str, shown: bool):
    body = client_as(board, role).get(f"/b/{board.public_id}/").content.decode()
    assert ('id="timer"' in body) is shown
    assert ("data-timer" in body) is shown


def test_start_with_minutes_runs_an_interview_of_that_length(board: Board):
    client = client_as(board, "interviewer")
    assert (
        client.post(
            f"/b/{board.public_id}/interviewer/timer", {"action": "start", "minutes": "30"}
        ).status_code
        == 204
    )
    board.refresh_from_db()
    state = interview.timer_state(board)
    assert state["duration"] == 1800 and state["running"] is True
    assert 1790 < state["remaining"] <= 1800
    assert (
        client.post(
            f"/b/{board.public_id}/interviewer/timer", {"action": "start", "minutes": "0.1"}
        ).status_code
        == 400
    )
    board.refresh_from_db()
    assert board.timer_duration == 1800


@pytest.mark.django_db(transaction=True)
async def test_timer_frames_reach_interviewers_only():
    board, _ = await database_sync_to_async(make_board)()
    async with (
        ws_client(board.public_id, "interviewer") as interviewer,
        ws_client(board.public_id, "candidate") as candidate,
    ):
        welcome = await receive_until(interviewer, "welcome")
        assert welcome["timer"]["duration"] == board.timer_duration
        assert "timer" not in await receive_until(candidate, "welcome")
        client = await database_sync_to_async(client_as)(board, "interviewer")
        await database_sync_to_async(client.post)(
            f"/b/{board.public_id}/interviewer/timer", {"action": "start"}
        )
        frame = await receive_until(interviewer, "timer")
        assert frame["timer"]["running"] is True
        while True:
            try:
                seen = json.loads(await candidate.receive_from(timeout=0.5))
            except TimeoutError:
                break
            assert seen["type"] != "timer"
