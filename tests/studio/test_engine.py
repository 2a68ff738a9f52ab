"""Edits ordered in memory and made durable by group commit (studio/live/engine.py)."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from components.document import dump
from studio.live import engine as engine_module
from studio.models import Board, Operation
from studio.services import SNAPSHOT_EVERY, document_at
from tests.studio.conftest import make_board, receive_until, ws_client
from tests.studio.test_consumer import reload

pytestmark = pytest.mark.django_db(transaction=True)


async def new_board() -> Board:
    board, _tokens = await database_sync_to_async(make_board)("video_recommendation")
    return board


def move(node: str, x: int, cid: str) -> dict:
    return {
        "type": "op",
        "cid": cid,
        "base": 1,
        "op": {"op": "move_node", "id": node, "x": x, "y": 0},
    }


class Gate:
    """Holds every commit until opened: a disk whose fsync has stalled."""

    def __init__(self, monkeypatch) -> None:
        self.open_event = threading.Event()
        self.batches: list[int] = []
        real = engine_module.write_batch

        def gated(batch):
            self.open_event.wait(timeout=10)
            self.batches.append(len(batch))
            return real(batch)

        monkeypatch.setattr(engine_module, "write_batch", gated)

    def open(self) -> None:
        self.open_event.set()


@database_sync_to_async
def stored_revisions(board: Board) -> list[int]:
    return list(
        Operation.objects.filter(board=board)
        .order_by("revision")
        .values_list("revision", flat=True)
    )


async def test_others_see_an_edit_before_its_commit_and_the_sender_only_after(monkeypatch):
    gate = Gate(monkeypatch)
    board = await new_board()
    async with (
        ws_client(board.public_id, "candidate") as sender,
        ws_client(board.public_id, "viewer") as watcher,
    ):
        await receive_until(watcher, "welcome")
        await sender.send_json_to(move("rank", 500, "m1"))
        seen = await receive_until(watcher, "op")
        assert seen["revision"] == 2 and seen["cid"] == "m1"
        # Not durable yet: nothing stored, no acknowledgement.
        assert await stored_revisions(board) == [1]
        while not await sender.receive_nothing(timeout=0.3):
            assert json.loads(await sender.receive_from())["type"] != "ack"
        gate.open()
        ack = await receive_until(sender, "ack")
        assert ack == {"type": "ack", "cid": "m1", "revision": 2}
        own = await receive_until(sender, "op")  # its own operation, after the ack
        assert own["revision"] == 2
        assert await stored_revisions(board) == [1, 2]


async def test_edits_queued_behind_a_slow_commit_share_the_next_one(monkeypatch):
    gate = Gate(monkeypatch)
    board = await new_board()
    async with ws_client(board.public_id, "candidate") as sender:
        await receive_until(sender, "welcome")
        for n in range(12):
            await sender.send_json_to(move("rank", n, f"m{n}"))
        await asyncio.sleep(0.3)  # all twelve applied in memory, the first commit stalled
        gate.open()
        acks = [await receive_until(sender, "ack") for _ in range(12)]
    assert [a["revision"] for a in acks] == list(range(2, 14))
    assert sum(gate.batches) == 12
    assert len(gate.batches) <= 2, gate.batches  # the first, then all the others at once
    stored = await reload(board)
    assert stored.revision == 13 and stored.to_document().node("rank").x == 11


async def test_the_sender_gets_every_revision_in_order_while_its_own_waits(monkeypatch):
    """Someone else's later edit reaches the sender only after the sender's own earlier
    one, which waits for its commit: the client never sees a gap in revisions."""
    gate = Gate(monkeypatch)
    board = await new_board()
    async with (
        ws_client(board.public_id, "candidate") as alice,
        ws_client(board.public_id, "interviewer") as bob,
    ):
        await receive_until(alice, "welcome")
        await receive_until(bob, "welcome")
        await alice.send_json_to(move("rank", 1, "a1"))
        await receive_until(bob, "op")  # alice's, revision 2
        await bob.send_json_to(move("app", 2, "b1"))
        gate.open()
        order = []
        while len(order) < 2:
            frame = json.loads(await alice.receive_from(timeout=3))
            if frame["type"] == "op":
                order.append(frame["revision"])
    assert order == [2, 3]


async def test_a_stalled_commit_does_not_stop_broadcasts_on_other_boards(monkeypatch):
    gate = Gate(monkeypatch)
    first, second = await new_board(), await new_board()
    async with (
        ws_client(first.public_id, "candidate") as a,
        ws_client(second.public_id, "candidate") as b,
        ws_client(second.public_id, "viewer") as b_watcher,
    ):
        await receive_until(b_watcher, "welcome")
        await a.send_json_to(move("rank", 1, "a1"))
        await b.send_json_to(move("rank", 2, "b1"))
        seen = await receive_until(b_watcher, "op", timeout=1)
        assert seen["cid"] == "b1"
        gate.open()
        await receive_until(a, "ack")
        await receive_until(b, "ack")


async def test_a_failed_commit_refuses_and_closes_and_the_database_stays_the_truth(monkeypatch):
    def broken(batch):
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine_module, "write_batch", broken)
    board = await new_board()
    async with ws_client(board.public_id, "candidate") as sender:
        await receive_until(sender, "welcome")
        await sender.send_json_to(move("rank", 700, "m1"))
        error = await receive_until(sender, "error")
        assert error["code"] == "not_saved"
        assert (await sender.receive_output(timeout=3))["type"] == "websocket.close"
    monkeypatch.undo()
    assert (await reload(board)).revision == 1
    # The board starts again from the database, in a new epoch.
    async with ws_client(board.public_id, "candidate") as again:
        welcome = await receive_until(again, "welcome")
        await again.send_json_to({"type": "sync", "since": 2, "epoch": "an-older-run"})
        snapshot = await receive_until(again, "snapshot")
        assert snapshot["revision"] == 1 and welcome["epoch"] != "an-older-run"
        assert (
            snapshot["board"]["nodes"][0]["x"] != 700
            or snapshot["board"]["nodes"][0]["id"] != "rank"
        )


async def test_a_sync_from_the_same_epoch_gets_only_the_missed_operations():
    board = await new_board()
    async with ws_client(board.public_id, "candidate") as client:
        welcome = await receive_until(client, "welcome")
        for n in range(3):
            await client.send_json_to(move("rank", n, f"m{n}"))
            await receive_until(client, "ack")
        await client.send_json_to({"type": "sync", "since": 2, "epoch": welcome["epoch"]})
        frame = await receive_until(client, "ops")
        assert [o["revision"] for o in frame["ops"]] == [3, 4]


async def test_an_edit_writes_its_row_and_the_document_only_every_so_often():
    board = await new_board()
    edits = SNAPSHOT_EVERY + 20
    async with ws_client(board.public_id, "candidate") as client:
        await receive_until(client, "welcome")
        for n in range(edits):
            await client.send_json_to(move("rank", n, f"m{n}"))
            if n % 25 == 24:  # stay under the rate limit's burst
                await receive_until(client, "ack")
                await asyncio.sleep(0.9)
        while True:
            ack = await receive_until(client, "ack")
            if ack["revision"] == 1 + edits:
                break
    stored = await reload(board)
    assert stored.revision == 1 + edits
    assert stored.snapshot_revision == 1 + SNAPSHOT_EVERY  # one snapshot, not one per edit
    assert stored.to_document().node("rank").x == edits - 1
    replayed = await database_sync_to_async(document_at)(stored, stored.revision)
    assert dump(replayed) == dump(stored.to_document())


@override_settings(LIVE_ORDERING="database")
async def test_database_ordering_commits_before_anyone_hears_and_writes_no_document():
    board = await new_board()
    async with (
        ws_client(board.public_id, "candidate") as sender,
        ws_client(board.public_id, "viewer") as watcher,
    ):
        await receive_until(watcher, "welcome")
        welcome = await receive_until(sender, "welcome")
        assert welcome["epoch"] == "db"
        await sender.send_json_to(move("rank", 321, "m1"))
        seen = await receive_until(watcher, "op")
        assert seen["revision"] == 2
        assert await stored_revisions(board) == [1, 2]
    stored = await reload(board)
    assert stored.snapshot_revision == 1  # the edit wrote its row, not the document
    assert stored.to_document().node("rank").x == 321
