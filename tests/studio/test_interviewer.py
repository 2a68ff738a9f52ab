"""The interviewer's private panel and timer, and the role boundary around them."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

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


def test_the_timer_counts_on_past_the_duration_until_paused(board: Board):
    """An interview that runs long shows its overtime: the clock stays running past the
    duration and `elapsed` says by how much; pausing holds it."""
    start = timezone.now() - timedelta(seconds=600 + 125)
    board.timer_duration, board.timer_started_at, board.timer_elapsed = 600, start, 0
    board.save()
    state = interview.timer_state(board, now=start + timedelta(seconds=725))
    assert state["running"] is True and state["remaining"] == 0
    assert state["elapsed"] == pytest.approx(725)
    interview.control_timer(board, "pause")
    board.refresh_from_db()
    paused = interview.timer_state(board)
    assert paused["running"] is False and paused["elapsed"] >= 725


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


# --- two interviewers on one board (two people, or one person with two tabs) -------------


def test_a_score_and_a_comment_save_apart_and_keep_each_other(board: Board):
    """A panel that has not seen another interviewer's score sends only what it changed:
    a comment leaves the stored score alone, a score leaves the stored comment."""
    first, second = client_as(board, "interviewer"), client_as(board, "interviewer")
    url = f"/b/{board.public_id}/interviewer/score/serving"
    assert first.post(url, {"score": "1"}).status_code == 200
    # The second panel still shows "–" for Serving; its comment must not send that back.
    assert second.post(url, {"comment": "good cache answer", "comment_base": ""}).content == (
        b"Saved"
    )
    board.refresh_from_db()
    assert board.rubric["serving"] == {"score": 1, "comment": "good cache answer"}
    # And a score alone keeps the comment.
    assert first.post(url, {"score": "3"}).status_code == 200
    board.refresh_from_db()
    assert board.rubric["serving"] == {"score": 3, "comment": "good cache answer"}
    # Clearing a score is still a score: the empty choice.
    assert second.post(url, {"score": ""}).status_code == 200
    board.refresh_from_db()
    assert board.rubric["serving"] == {"score": None, "comment": "good cache answer"}
    assert board.rubric["data"] == {"score": 3, "comment": "solid feature store answer"}
    assert first.post(url, {}).status_code == 400  # neither: nothing to save


def test_a_private_notes_save_from_a_stale_text_is_refused_not_stored(board: Board):
    first, second = client_as(board, "interviewer"), client_as(board, "interviewer")
    url = f"/b/{board.public_id}/interviewer/notes"
    mine = f"{SECRET}\nA: asks about freshness"
    assert first.post(url, {"private_notes": mine, "base": SECRET}).content == b"Saved"
    # The second panel still shows SECRET and saves on top of it: refused, with the text
    # stored now, so that nobody's text is lost.
    theirs = f"{SECRET}\nB: weak on metrics"
    refused = second.post(url, {"private_notes": theirs, "base": SECRET})
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "Not saved" in body and "A: asks about freshness" in body
    assert "data-conflict" in body
    board.refresh_from_db()
    assert board.private_notes == mine
    # Based on what is stored now, the save goes through; the same text twice is no
    # conflict (a save sent again after it succeeded).
    assert second.post(url, {"private_notes": theirs, "base": mine}).status_code == 200
    assert second.post(url, {"private_notes": theirs, "base": mine}).status_code == 200
    board.refresh_from_db()
    assert board.private_notes == theirs


def test_a_comment_save_from_a_stale_comment_is_refused(board: Board):
    first, second = client_as(board, "interviewer"), client_as(board, "interviewer")
    url = f"/b/{board.public_id}/interviewer/score/data"
    base = "solid feature store answer"
    assert first.post(url, {"comment": "A: solid", "comment_base": base}).status_code == 200
    refused = second.post(url, {"comment": "B: shaky", "comment_base": base})
    assert refused.status_code == 409 and "A: solid" in refused.content.decode()
    board.refresh_from_db()
    assert board.rubric["data"] == {"score": 3, "comment": "A: solid"}


def test_saves_of_two_steps_at_once_keep_each_other(board: Board):
    """Each save reads the rubric under the row lock, not from the board it was handed."""
    one, other = Board.objects.get(pk=board.pk), Board.objects.get(pk=board.pk)
    assert interview.save_score(one, "serving", "1")
    assert interview.save_score(other, "model", None, "clear baseline")
    assert not interview.save_score(other, "model", None, "clear baseline")  # no change
    board.refresh_from_db()
    assert board.rubric == {
        "data": {"score": 3, "comment": "solid feature store answer"},
        "serving": {"score": 1, "comment": ""},
        "model": {"score": None, "comment": "clear baseline"},
    }
    with pytest.raises(interview.StaleEdit) as refused:
        interview.save_private_notes(other, "overwrite", base="an older text")
    assert refused.value.current == SECRET


def test_the_panel_saves_the_score_and_the_comment_apart_with_their_bases(board: Board):
    html = client_as(board, "interviewer").get(f"/b/{board.public_id}/interviewer")
    text = html.content.decode()
    select = re.search(r'<select name="score"[^>]*aria-label="Score for Data"[^>]*>', text)
    comment = re.search(r'<input name="comment"[^>]*aria-label="Comment for Data"[^>]*>', text)
    assert select and comment
    # Each control posts itself only (no form around both sends the other along).
    assert "hx-post" in select.group(0) and "hx-post" in comment.group(0)
    assert 'data-base-param="comment_base"' in comment.group(0)
    assert '<form class="rubric-row' not in text
    assert re.search(r'<textarea name="private_notes"[^>]*data-base-param="base"', text)


@pytest.mark.django_db(transaction=True)
async def test_a_save_tells_the_other_interviewer_panels_and_nobody_else():
    board, _ = await database_sync_to_async(make_board)()
    async with (
        ws_client(board.public_id, "interviewer") as first,
        ws_client(board.public_id, "interviewer") as second,
        ws_client(board.public_id, "candidate") as candidate,
        ws_client(board.public_id, "viewer") as viewer,
    ):
        client = await database_sync_to_async(client_as)(board, "interviewer")
        headers = {"X-Interviewer-Page": "page-a1"}
        await database_sync_to_async(client.post)(
            f"/b/{board.public_id}/interviewer/notes",
            {"private_notes": SECRET, "base": ""},
            headers=headers,
        )
        for socket in (first, second):
            frame = await receive_until(socket, "interviewer.changed")
            assert frame == {
                "type": "interviewer.changed",
                "part": "notes",
                "step": None,
                "page": "page-a1",
            }
        await database_sync_to_async(client.post)(
            f"/b/{board.public_id}/interviewer/score/serving",
            {"score": "1"},
            headers={"X-Interviewer-Page": "<b>not an id</b>"},
        )
        frame = await receive_until(second, "interviewer.changed")
        assert (frame["part"], frame["step"], frame["page"]) == ("rubric", "serving", "")
        for socket in (candidate, viewer):
            while True:
                try:
                    seen = await socket.receive_from(timeout=0.5)
                except TimeoutError:
                    break
                assert "interviewer.changed" not in seen and SECRET not in seen


def test_the_base_reads_as_the_page_holds_it(board: Board):
    """The browser posts a textarea's line breaks as CRLF and its page copy has LF; a
    leading line break survives the panel's HTML (a textarea drops its first one)."""
    client = client_as(board, "interviewer")
    url = f"/b/{board.public_id}/interviewer/notes"
    sent = "\nfirst line\r\nsecond"
    assert client.post(url, {"private_notes": sent, "base": SECRET}).status_code == 200
    panel = client.get(f"/b/{board.public_id}/interviewer").content.decode()
    assert 'data-base-param="base">\n\nfirst line\nsecond</textarea>' in panel
    page_copy = "\nfirst line\nsecond"
    assert client.post(url, {"private_notes": "x", "base": page_copy}).status_code == 200
