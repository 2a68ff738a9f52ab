"""The interviewer keeps the validator's findings from the candidate and the viewers
(studio/interview.py set_findings_hidden): the findings panel, exports, report, replay
and the live connection of those roles go without them; the interviewer keeps them."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async

from studio import interview, services
from studio.models import Board
from tests.studio.conftest import client_as, make_board, receive_until, ws_client

HIDDEN = "The interviewer has hidden the validator's findings for this interview."
CUT = {"op": "delete_edge", "id": "e9"}  # the answer no longer reaches the client


@pytest.fixture
def board(db) -> Board:
    board, _ = make_board()
    services.apply(board.public_id, CUT, "Ada")  # a board with an error to show or hide
    board.refresh_from_db()
    return board


def hide(board: Board, hidden: str = "1", role: str = "interviewer"):
    url = f"/b/{board.public_id}/interviewer/findings"
    return client_as(board, role).post(url, {"hidden": hidden})


def test_only_the_interviewer_hides_them_on_an_interview_board(board: Board):
    assert hide(board, role="candidate").status_code == 404  # as every interviewer URL
    assert hide(board, "maybe").status_code == 400
    response = hide(board)
    assert response.status_code == 200 and "Show them the findings" in response.content.decode()
    board.refresh_from_db()
    assert board.findings_hidden
    assert "Hide findings from the candidate" in hide(board, "0").content.decode()
    board.refresh_from_db()
    assert not board.findings_hidden
    board.practice = True
    board.save()
    assert hide(board).status_code == 400


def test_every_page_of_a_candidate_or_viewer_goes_without_them(board: Board):
    hide(board)
    for role in ("candidate", "viewer"):
        client = client_as(board, role)
        base = f"/b/{board.public_id}"
        panel = client.get(f"{base}/findings").content.decode()
        assert HIDDEN in panel and "serving-loop" not in panel
        svg = client.get(f"{base}/export.svg?findings=1").content
        assert b'id="findings"' not in svg and b'fill="#dc2626"' not in svg
        report = client.get(f"{base}/report").content.decode()
        assert HIDDEN in report and "serving-loop" not in report
        assert "findings hidden by the interviewer" in report
        markdown = client.get(f"{base}/report.md").content.decode()
        assert HIDDEN in markdown and "serving-loop" not in markdown
        frame = client.get(f"{base}/replay/2").content.decode()
        assert HIDDEN in frame and "serving-loop" not in frame
        data = client.get(f"{base}/replay/2", HTTP_ACCEPT="application/json").json()
        assert data["report"] is None
    interviewer = client_as(board, "interviewer")
    assert "serving-loop" in interviewer.get(f"/b/{board.public_id}/findings").content.decode()
    assert (
        b'id="findings"' in interviewer.get(f"/b/{board.public_id}/export.svg?findings=1").content
    )
    assert "serving-loop" in interviewer.get(f"/b/{board.public_id}/report").content.decode()


@pytest.mark.django_db(transaction=True)
async def test_the_live_connection_of_a_candidate_carries_no_findings_while_hidden():
    board, _ = await database_sync_to_async(make_board)()
    await database_sync_to_async(interview.set_findings_hidden)(board, True)
    async with (
        ws_client(board.public_id, "candidate") as candidate,
        ws_client(board.public_id, "interviewer") as interviewer,
    ):
        assert (await receive_until(candidate, "welcome"))["findings_hidden"] is True
        assert (await receive_until(interviewer, "welcome"))["findings_hidden"] is False
        await candidate.send_json_to({"type": "sync", "since": 0})
        snapshot = await receive_until(candidate, "snapshot")
        assert "report" not in snapshot
        await candidate.send_json_to({"type": "op", "cid": "c1", "base": 1, "op": CUT})
        report = await receive_until(interviewer, "report")  # the interviewer's findings
        assert [f["rule"] for f in report["report"]["findings"]] == ["serving-loop"]
        # Frames reach a socket in order: had a report followed c1, it would come before
        # the acknowledgement of a move sent after it.
        move = {"op": "move_node", "id": "app", "x": 5, "y": 5}
        await candidate.send_json_to({"type": "op", "cid": "c2", "base": 2, "op": move})
        seen = []
        while not (seen and seen[-1].get("type") == "ack" and seen[-1].get("cid") == "c2"):
            seen.append(json.loads(await candidate.receive_from(timeout=3)))
        assert any(f["type"] == "ack" and f["cid"] == "c1" for f in seen)
        assert not any(f["type"] == "report" or "report" in f for f in seen)

        # Shown again: the frame says so, and the findings flow again.
        await database_sync_to_async(interview.set_findings_hidden)(board, False)
        from channels.db import database_sync_to_async as in_thread

        from studio.live.broadcast import send_to_board

        await in_thread(send_to_board)(
            board.public_id, {"type": "findings.visibility", "hidden": False}
        )
        assert (await receive_until(candidate, "findings.visibility"))["hidden"] is False
        await candidate.send_json_to(
            {
                "type": "op",
                "cid": "c2",
                "base": 2,
                "op": {"op": "add_edge", "edge": {"id": "e9", "source": "rerank", "target": "gw"}},
            }
        )
        assert (await receive_until(candidate, "report"))["report"]["findings"] == []


@pytest.mark.django_db(transaction=True)
async def test_under_database_ordering_the_findings_inside_an_op_are_kept_out(settings):
    """With several processes the findings travel inside the op frame: a candidate's copy
    of the interviewer's edit arrives without them."""
    settings.LIVE_ORDERING = "database"
    board, _ = await database_sync_to_async(make_board)()
    await database_sync_to_async(interview.set_findings_hidden)(board, True)
    async with (
        ws_client(board.public_id, "candidate") as candidate,
        ws_client(board.public_id, "interviewer") as interviewer,
    ):
        await receive_until(candidate, "welcome")
        await receive_until(interviewer, "welcome")
        await interviewer.send_json_to({"type": "op", "cid": "i1", "base": 1, "op": CUT})
        op = await receive_until(candidate, "op")
        assert op["cid"] == "i1" and "report" not in op


def test_the_board_page_of_a_candidate_comes_without_them(board: Board):
    interview.set_findings_hidden(board, True)
    page = client_as(board, "candidate").get(f"/b/{board.public_id}/").content.decode()
    assert "serving-loop" not in page and HIDDEN in page
    page = client_as(board, "interviewer").get(f"/b/{board.public_id}/").content.decode()
    assert "serving-loop" in page


async def _interviewer_edits_unseen_findings(board: Board, candidate) -> None:
    """An interviewer joins and makes an edit that changes the findings, then a move: the
    interviewer gets the findings, the hidden candidate none up to the move."""
    async with ws_client(board.public_id, "interviewer") as interviewer:
        await receive_until(interviewer, "welcome")
        await interviewer.send_json_to({"type": "op", "cid": "i1", "base": 1, "op": CUT})
        await receive_until(interviewer, "report")
        move = {"op": "move_node", "id": "app", "x": 5, "y": 5}
        await interviewer.send_json_to({"type": "op", "cid": "i2", "base": 2, "op": move})
        await _no_report_until_op(candidate, "i2")


async def _no_report_until_op(client, cid: str) -> list[dict]:
    """The frames up to the op `cid` (frames reach a socket in order): none may be a
    report or carry one."""
    seen: list[dict] = []
    while not (seen and seen[-1].get("type") == "op" and seen[-1].get("cid") == cid):
        seen.append(json.loads(await client.receive_from(timeout=3)))
    assert not any(f["type"] == "report" or "report" in f for f in seen), seen
    return seen


@pytest.mark.django_db(transaction=True)
async def test_findings_hidden_between_admission_and_joining_are_heard(monkeypatch):
    """Hidden after this connection read the board and before it joined the board's group
    (the frame went to the group without it): it learns of it all the same, as of an end."""
    from studio.live import consumers
    from studio.live.broadcast import send_to_board

    board, _ = await database_sync_to_async(make_board)()
    original = consumers.BoardConsumer._settle_end
    fired: list[int] = []

    async def settle_then_hide(self):
        await original(self)
        if self.role == "candidate" and not fired:
            fired.append(1)
            await database_sync_to_async(interview.set_findings_hidden)(board, True)
            frame = {"type": "findings.visibility", "hidden": True}
            await database_sync_to_async(send_to_board)(board.public_id, frame)

    monkeypatch.setattr(consumers.BoardConsumer, "_settle_end", settle_then_hide)
    async with ws_client(board.public_id, "candidate") as candidate:
        assert (await receive_until(candidate, "welcome"))["findings_hidden"] is False
        assert (await receive_until(candidate, "findings.visibility"))["hidden"] is True
        await _interviewer_edits_unseen_findings(board, candidate)


@pytest.mark.django_db(transaction=True)
async def test_findings_held_behind_a_candidates_own_edit_are_dropped_when_hidden(monkeypatch):
    """In memory ordering another's edit and its findings wait behind this connection's
    uncommitted edit (`held`); hidden meanwhile, the findings never go out."""
    import asyncio
    import time

    from studio.live import engine as engine_module
    from studio.live.broadcast import send_to_board

    board, _ = await database_sync_to_async(make_board)()
    real = engine_module.write_batch
    slow: list[int] = []
    monkeypatch.setattr(
        engine_module,
        "write_batch",
        lambda batch: (time.sleep(0.4) if slow else None, real(batch))[1],
    )
    async with (
        ws_client(board.public_id, "candidate") as candidate,
        ws_client(board.public_id, "interviewer") as interviewer,
    ):
        await receive_until(candidate, "welcome")
        await receive_until(interviewer, "welcome")
        slow.append(1)
        move = {"op": "move_node", "id": "app", "x": 5, "y": 5}
        await candidate.send_json_to({"type": "op", "cid": "c1", "base": 1, "op": move})
        await asyncio.sleep(0.05)
        await interviewer.send_json_to({"type": "op", "cid": "i1", "base": 2, "op": CUT})
        await receive_until(interviewer, "report")
        await database_sync_to_async(interview.set_findings_hidden)(board, True)
        frame = {"type": "findings.visibility", "hidden": True}
        await database_sync_to_async(send_to_board)(board.public_id, frame)
        slow.clear()
        again = {"op": "move_node", "id": "gw", "x": 9, "y": 9}
        await interviewer.send_json_to({"type": "op", "cid": "i2", "base": 3, "op": again})
        seen = []
        while not (seen and seen[-1].get("type") == "op" and seen[-1].get("cid") == "i2"):
            seen.append(json.loads(await candidate.receive_from(timeout=3)))
        after = seen[[f["type"] for f in seen].index("findings.visibility") :]
        assert not any(f["type"] == "report" or "report" in f for f in after), after


@pytest.mark.django_db(transaction=True)
async def test_a_visibility_frame_arriving_late_is_read_from_the_board():
    """Hide and show pressed within a moment can deliver their frames in either order: a
    connection takes the frame as a cue and reads the stored setting."""
    from studio.live.broadcast import send_to_board

    board, _ = await database_sync_to_async(make_board)()
    async with ws_client(board.public_id, "candidate") as candidate:
        await receive_until(candidate, "welcome")
        await database_sync_to_async(interview.set_findings_hidden)(board, True)
        stale = {"type": "findings.visibility", "hidden": False}  # the earlier "show"
        await database_sync_to_async(send_to_board)(board.public_id, stale)
        assert (await receive_until(candidate, "findings.visibility"))["hidden"] is True
        await _interviewer_edits_unseen_findings(board, candidate)
