"""The live board consumer, through Channels' WebsocketCommunicator."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from components.document import dump
from studio import interview, services
from studio.live import consumers, presence
from studio.live.frames import MAX_FRAME_BYTES
from studio.live.ratelimit import OPS_BURST
from studio.models import Board
from studio.services import document_at
from tests.studio.conftest import (
    make_board,
    receive_until,
    refused_with,
    session_cookie,
    ws_client,
    ws_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def new_board(design: str | None = "video_recommendation") -> Board:
    board, _tokens = await database_sync_to_async(make_board)(design)
    return board


@database_sync_to_async
def reload(board: Board) -> Board:
    """The board as stored, its document read here on the database thread (it may replay
    the operations after the snapshot: a query, which async code may not make)."""
    stored = Board.objects.get(pk=board.pk)
    document = stored.to_document()
    stored.to_document = lambda: document  # type: ignore[method-assign]
    return stored


async def send_op(client, op: dict, cid: str = "c1", base: int = 1) -> None:
    await client.send_json_to({"type": "op", "cid": cid, "base": base, "op": op})


async def test_a_session_without_a_role_is_refused():
    board = await new_board()
    async with ws_client(board.public_id, None) as client:
        assert await refused_with(client) == 4403


async def test_a_deleted_board_is_refused_as_deleted_to_those_who_had_it_only():
    board = await new_board()
    cookie = await database_sync_to_async(session_cookie)(board.public_id, "candidate")
    await database_sync_to_async(Board.objects.filter(pk=board.pk).delete)()
    async with ws_cookie(board.public_id, cookie) as client:
        assert await refused_with(client) == 4404
    # To anyone else, no board looks like a board they may not open: no existence oracle.
    async with ws_cookie("no-such-board", "") as client:
        assert await refused_with(client) == 4403


async def test_a_session_is_refused_once_its_link_is_rotated_after_it_connected():
    """Admission keeps a board's link generations in memory (studio.live.admission): a
    rotation must still refuse the old link's sessions at their next connect."""
    board = await new_board()
    cookie = await database_sync_to_async(session_cookie)(board.public_id, "candidate")
    async with ws_cookie(board.public_id, cookie) as before:
        # The grant is recorded on the link's generation.
        assert await receive_until(before, "welcome")
    async with ws_cookie(board.public_id, cookie) as again:
        assert await receive_until(again, "welcome")  # the generations come from memory now

    @database_sync_to_async
    def rotate() -> None:
        services.rotate_token(Board.objects.get(pk=board.pk), "candidate")

    await rotate()
    async with ws_cookie(board.public_id, cookie) as after:
        assert await refused_with(after) == 4403


async def test_an_interviewer_connecting_after_the_countdown_started_sees_it_running():
    board = await new_board()
    async with ws_client(board.public_id, "interviewer") as first:
        assert (await receive_until(first, "welcome"))["timer"]["running"] is False

    @database_sync_to_async
    def start() -> None:
        interview.control_timer(Board.objects.get(pk=board.pk), "start", 1800)

    await start()
    async with ws_client(board.public_id, "interviewer") as second:
        timer = (await receive_until(second, "welcome"))["timer"]
        assert timer["running"] is True and timer["duration"] == 1800


async def test_a_foreign_origin_is_refused():
    board = await new_board()
    async with ws_client(board.public_id, "candidate", origin="http://evil.example") as client:
        assert client.connected_ok is False


async def test_welcome_then_snapshot_equal_to_the_database():
    board = await new_board()
    async with ws_client(board.public_id, "candidate", name="Ada") as client:
        welcome = await receive_until(client, "welcome")
        assert welcome["role"] == "candidate"
        assert welcome["you"]["name"] == "Ada"
        await client.send_json_to({"type": "sync", "since": 0})
        snapshot = await receive_until(client, "snapshot")
        assert snapshot["revision"] == 1
        assert snapshot["board"] == (await reload(board)).to_document().to_dict()
        assert snapshot["report"]["passed"] is True


async def test_an_operation_is_acknowledged_broadcast_and_stored():
    board = await new_board()
    async with (
        ws_client(board.public_id, "candidate") as alice,
        ws_client(board.public_id, "interviewer") as bob,
    ):
        await send_op(alice, {"op": "move_node", "id": "rank", "x": 900, "y": 40}, cid="m1")
        ack = await receive_until(alice, "ack")
        assert ack == {"type": "ack", "cid": "m1", "revision": 2}
        seen = await receive_until(bob, "op")
        assert seen["revision"] == 2 and seen["op"]["id"] == "rank" and seen["cid"] == "m1"
    stored = await reload(board)
    assert stored.revision == 2
    assert stored.to_document().node("rank").x == 900


async def test_findings_are_sent_only_when_they_change():
    """A move and a rename leave this board's findings as they were: no report follows
    them. Deleting an edge breaks the serving loop: a `report` frame follows its op."""
    board = await new_board()
    async with (
        ws_client(board.public_id, "candidate") as alice,
        ws_client(board.public_id, "interviewer") as bob,
    ):
        await send_op(alice, {"op": "move_node", "id": "rank", "x": 900, "y": 40}, cid="m1")
        await send_op(
            alice, {"op": "update_node", "id": "rank", "changes": {"label": "Ranker v2"}}, cid="m2"
        )
        await send_op(alice, {"op": "delete_edge", "id": "e9"}, cid="m3")
        seen = []
        while not seen or seen[-1]["type"] != "report":
            frame = json.loads(await bob.receive_from(timeout=3))
            if frame["type"] in ("op", "report"):
                seen.append(frame)
        assert [(f["type"], f["revision"]) for f in seen] == [
            ("op", 2),
            ("op", 3),
            ("op", 4),
            ("report", 4),
        ]
        assert not any("report" in f for f in seen[:3])  # an op frame never carries one
        assert seen[-1]["cid"] == "m3"  # the edit whose findings these are
        assert [f["rule"] for f in seen[-1]["report"]["findings"]] == ["serving-loop"]


async def test_a_deleted_edge_makes_the_findings_change():
    """The editor gets the new findings too, without waiting for its acknowledgement."""
    board = await new_board()
    async with ws_client(board.public_id, "candidate") as client:
        await send_op(client, {"op": "delete_edge", "id": "e9"})
        findings = await receive_until(client, "report")
        assert findings["revision"] == 2
        assert findings["report"]["passed"] is False
        assert [f["rule"] for f in findings["report"]["findings"]] == ["serving-loop"]


@pytest.mark.parametrize(
    "op, message",
    [
        ({"op": "move_node", "id": "ghost", "x": 1, "y": 2}, "'ghost' does not exist"),
        (
            {"op": "add_edge", "edge": {"id": "bad", "source": "app", "target": "train"}},
            "cannot connect",
        ),
        (
            {"op": "update_node", "id": "train", "changes": {"props": {"task": "dancing"}}},
            "must be one of",
        ),
        ({"op": "update_node", "id": "app", "changes": {"label": "x" * 201}}, "limit is 200"),
        ({"op": "explode"}, "unknown operation"),
        ({"op": "import", "document": {}}, "cannot be sent by a client"),
        ("not an object", "is a JSON object"),
    ],
)
async def test_an_invalid_operation_is_refused_and_changes_nothing(op, message):
    board = await new_board()
    before = dump((await reload(board)).to_document())
    async with ws_client(board.public_id, "candidate") as client:
        await send_op(client, op, cid="bad1")
        error = await receive_until(client, "error")
        assert error["cid"] == "bad1"
        assert message in error["message"]
    after = await reload(board)
    assert after.revision == 1
    assert dump(after.to_document()) == before


async def test_a_viewer_cannot_edit():
    board = await new_board()
    async with ws_client(board.public_id, "viewer") as client:
        await send_op(client, {"op": "move_node", "id": "rank", "x": 0, "y": 0})
        error = await receive_until(client, "error")
        assert "viewers cannot edit" in error["message"]
    assert (await reload(board)).revision == 1


@pytest.mark.parametrize(
    "raw, message",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"type": "shout"}', "unknown frame type"),
        ('{"type": "sync", "since": "yesterday"}', "revision number"),
    ],
)
async def test_malformed_frames_get_an_error(raw, message):
    board = await new_board()
    async with ws_client(board.public_id, "candidate") as client:
        await client.send_to(text_data=raw)
        error = await receive_until(client, "error")
        assert message in error["message"]


async def test_a_frame_over_64_kib_is_refused():
    board = await new_board()
    async with ws_client(board.public_id, "candidate") as client:
        label = "x" * (MAX_FRAME_BYTES + 10)
        await send_op(client, {"op": "update_node", "id": "app", "changes": {"label": label}})
        error = await receive_until(client, "error")
        assert "limit" in error["message"] and "bytes" in error["message"]
    assert (await reload(board)).revision == 1


async def test_operations_are_rate_limited(monkeypatch):
    # A near-zero refill rate makes the burst the exact budget, whatever the machine's speed.
    monkeypatch.setattr("studio.live.ratelimit.OPS_PER_SECOND", 0.001)
    board = await new_board()
    async with ws_client(board.public_id, "candidate") as client:
        for n in range(OPS_BURST + 5):
            await send_op(
                client, {"op": "update_notes", "step": "data", "text": str(n)}, cid=f"n{n}"
            )
        answers = {}  # an acknowledgement waits for the commit, a refusal does not
        for _ in range(OPS_BURST + 5):
            frame = json.loads(await client.receive_from(timeout=5))
            while frame["type"] not in ("ack", "error"):
                frame = json.loads(await client.receive_from(timeout=5))
            answers[int(frame["cid"][1:])] = frame.get("code", "ok")
        codes = [answers[n] for n in range(OPS_BURST + 5)]
        assert codes == ["ok"] * OPS_BURST + ["rate_limited"] * 5
    assert (await reload(board)).revision == 1 + OPS_BURST


async def test_resync_sends_the_missed_operations_in_order():
    board = await new_board()
    async with ws_client(board.public_id, "candidate") as client:
        for n, x in enumerate((10, 20, 30)):
            await send_op(client, {"op": "move_node", "id": "app", "x": x, "y": 0}, cid=f"m{n}")
            await receive_until(client, "ack")
    async with ws_client(board.public_id, "viewer") as late:
        await late.send_json_to({"type": "sync", "since": 2})
        missed = await receive_until(late, "ops")
        assert [o["revision"] for o in missed["ops"]] == [3, 4]
        assert missed["revision"] == 4
        assert [o["op"]["x"] for o in missed["ops"]] == [20, 30]
        assert [o["cid"] for o in missed["ops"]] == ["m1", "m2"]  # a client spots its own edits


async def test_an_edit_of_a_component_deleted_meanwhile_is_refused():
    board = await new_board()
    async with (
        ws_client(board.public_id, "candidate") as alice,
        ws_client(board.public_id, "interviewer") as bob,
    ):
        await send_op(alice, {"op": "delete_node", "id": "cache"}, cid="d1")
        await send_op(alice, {"op": "delete_node", "id": "drift"}, cid="d2")
        await receive_until(alice, "ack")
        await send_op(
            bob, {"op": "update_node", "id": "drift", "changes": {"label": "x"}}, cid="late", base=1
        )
        error = await receive_until(bob, "error")
        assert error["cid"] == "late" and "deleted by someone else" in error["message"]
        # What is gone, for the client to name by the label it knew (not by this id).
        assert error["missing"] == {"kind": "component", "id": "drift"}


@pytest.mark.parametrize("ordering", ["memory", "database"])
async def test_a_refusal_says_what_was_missing_only_when_something_was(settings, ordering):
    settings.LIVE_ORDERING = ordering
    board = await new_board()
    async with ws_client(board.public_id, "candidate") as client:
        await send_op(client, {"op": "delete_node", "id": "drift"}, cid="d1")
        await receive_until(client, "ack")
        batch = {
            "op": "batch",
            "ops": [
                {"op": "move_node", "id": "app", "x": 1, "y": 1},
                {"op": "add_edge", "edge": {"id": "e-new", "source": "drift", "target": "app"}},
            ],
        }
        await send_op(client, batch, cid="b1")
        error = await receive_until(client, "error")
        assert error["cid"] == "b1" and error["code"] == "refused"
        assert error["missing"] == {"kind": "component", "id": "drift"}
        await send_op(client, {"op": "delete_edge", "id": "e-gone"}, cid="e1")
        error = await receive_until(client, "error")
        assert error["missing"] == {"kind": "edge", "id": "e-gone"}
        await send_op(client, {"op": "update_node", "id": "app", "changes": {"x": 1}}, cid="u1")
        error = await receive_until(client, "error")
        assert error["cid"] == "u1" and "missing" not in error


async def test_presence_is_announced_and_answered():
    board = await new_board()
    async with ws_client(board.public_id, "interviewer", name="Grace") as grace:
        await receive_until(grace, "welcome")
        async with ws_client(board.public_id, "candidate", name="Ada") as ada:
            joined = await receive_until(grace, "presence.joined")
            assert joined["participant"]["name"] == "Ada"
            here = await receive_until(ada, "presence.here")
            assert here["participant"]["name"] == "Grace"
            await ada.send_json_to({"type": "cursor", "x": 10, "y": 20})
            cursor = await receive_until(grace, "cursor")
            assert (cursor["x"], cursor["y"]) == (10, 20)
        left = await receive_until(grace, "presence.left")
        assert left["participant"]["name"] == "Ada"


async def test_people_connecting_at_once_each_learn_of_everyone_else():
    """Joins close together are announced in batches (studio.live.fanout.Hub.announce):
    still, every connection hears of every other one, by `presence.here` or
    `presence.joined`, and of nobody twice by `presence.joined` nor of itself."""
    board = await new_board()
    async with contextlib.AsyncExitStack() as stack:
        clients = await asyncio.gather(
            *(stack.enter_async_context(ws_client(board.public_id, "viewer")) for _ in range(8))
        )
        welcomes = [await receive_until(c, "welcome") for c in clients]
        ids = {w["you"]["id"] for w in welcomes}
        assert len(ids) == 8
        for client, welcome in zip(clients, welcomes, strict=True):
            me, known, announced = welcome["you"]["id"], set(), []
            while known != ids - {me}:
                frame = json.loads(await client.receive_from(timeout=3))
                if frame["type"] in ("presence.here", "presence.joined"):
                    known.add(frame["participant"]["id"])
                if frame["type"] == "presence.joined":
                    announced.append(frame["participant"]["id"])
            assert me not in known and len(announced) == len(set(announced))


async def test_a_viewport_carries_its_visible_size_only_when_it_is_sane():
    board = await new_board()
    async with (
        ws_client(board.public_id, "interviewer") as grace,
        ws_client(board.public_id, "candidate") as ada,
    ):
        await receive_until(grace, "welcome")
        await receive_until(ada, "welcome")
        await ada.send_json_to(
            {
                "type": "viewport",
                "box": {"x": 640, "y": 360, "zoom": 0.8, "w": 1500, "h": 900, "extra": "dropped"},
            }
        )
        seen = await receive_until(grace, "viewport")
        assert seen["box"] == {"x": 640, "y": 360, "zoom": 0.8, "w": 1500, "h": 900}
        await ada.send_json_to(
            {"type": "viewport", "box": {"x": 1, "y": 2, "zoom": 1, "w": -5, "h": "tall"}}
        )
        seen = await receive_until(grace, "viewport")
        assert seen["box"] == {"x": 1, "y": 2, "zoom": 1}


async def test_only_the_interviewer_changes_the_level():
    board = await new_board()
    async with (
        ws_client(board.public_id, "candidate") as ada,
        ws_client(board.public_id, "interviewer") as grace,
    ):
        await send_op(ada, {"op": "update_board", "changes": {"level": "mid"}}, cid="l1")
        error = await receive_until(ada, "error")
        assert error["cid"] == "l1" and "only the interviewer" in error["message"]
        # Hidden in a batch it is refused too, with the rest of the batch.
        await send_op(
            ada,
            {
                "op": "batch",
                "ops": [
                    {"op": "update_board", "changes": {"title": "Mine"}},
                    {"op": "update_board", "changes": {"level": "staff"}},
                ],
            },
            cid="l2",
        )
        assert (await receive_until(ada, "error"))["cid"] == "l2"
        assert (await reload(board)).revision == 1
        # The title is the candidate's to change; the level the interviewer's.
        await send_op(ada, {"op": "update_board", "changes": {"title": "Mine"}}, cid="t1")
        assert (await receive_until(ada, "ack"))["revision"] == 2
        await send_op(grace, {"op": "update_board", "changes": {"level": "staff"}}, cid="l3")
        assert (await receive_until(grace, "ack"))["revision"] == 3
    stored = (await reload(board)).to_document()
    assert (stored.title, stored.level) == ("Mine", "staff")


async def test_the_log_replays_to_the_stored_document():
    board = await new_board()
    async with ws_client(board.public_id, "candidate") as client:
        ops = [
            {"op": "add_node", "node": {"id": "c2", "type": "cache", "x": 5, "y": 5}},
            {"op": "add_edge", "edge": {"id": "ce", "source": "gw", "target": "c2"}},
            {"op": "update_node", "id": "c2", "changes": {"props": {"ttl_seconds": 30}}},
            {
                "op": "batch",
                "ops": [
                    {"op": "move_node", "id": "c2", "x": 9, "y": 9},
                    {"op": "update_edge", "id": "ce", "changes": {"label": "l"}},
                ],
            },
            {"op": "delete_node", "id": "fb"},
            {"op": "update_notes", "step": "model", "text": "GBDT"},
        ]
        for n, op in enumerate(ops):
            await send_op(client, op, cid=f"o{n}")
            await receive_until(client, "ack")
    stored = await reload(board)
    assert stored.revision == 1 + len(ops)
    replayed = await database_sync_to_async(document_at)(stored, stored.revision)
    assert dump(replayed) == dump(stored.to_document())


async def test_a_full_board_refuses_another_connection(monkeypatch):
    monkeypatch.setattr("studio.live.consumers.MAX_CONNECTIONS_PER_BOARD", 2)
    board = await new_board()
    async with (
        ws_client(board.public_id, "candidate") as first,
        ws_client(board.public_id, "viewer") as second,
    ):
        await receive_until(first, "welcome")
        await receive_until(second, "welcome")
        async with ws_client(board.public_id, "viewer") as third:
            error = await receive_until(third, "error")
            assert error["code"] == "board_full"
            assert (await third.receive_output(timeout=3))["type"] == "websocket.close"
    # Once someone leaves there is room again.
    async with ws_client(board.public_id, "viewer") as again:
        assert (await receive_until(again, "welcome"))["role"] == "viewer"


async def test_a_cancelled_connection_is_not_left_listed_or_counted():
    """Daphne cancels an application that outlives its socket: the consumer never runs
    disconnect(), and must still leave presence, the hub's rooms and the count."""
    from studio.live import fanout

    board = await new_board()
    async with ws_client(board.public_id, "candidate") as client:
        await receive_until(client, "welcome")
        hub = fanout.hub(get_channel_layer())
        assert presence.count(board.public_id) == 1 and hub.counts[board.public_id] == 1
        client.future.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await client.future
        assert presence.count(board.public_id) == 0
        assert board.public_id not in hub.counts
        assert not any(board.public_id in group for group in hub.rooms)


async def test_a_refused_connection_leaves_the_published_count_right(monkeypatch):
    """Two connects wait for the other processes' count; the one refused must not stay
    in the count this process publishes."""
    from studio.live import fanout

    monkeypatch.setattr("studio.live.consumers.MAX_CONNECTIONS_PER_BOARD", 2)
    board = await new_board()
    published = []

    class Elsewhere:
        async def others(self, public_id):
            return 1  # one connection in another process

        async def publish(self, public_id, count):
            published.append(count)

    async with ws_client(board.public_id, "candidate") as first:
        await receive_until(first, "welcome")
        monkeypatch.setattr(fanout.hub(get_channel_layer()), "occupancy", Elsewhere())
        async with ws_client(board.public_id, "viewer") as second:
            assert (await receive_until(second, "error"))["code"] == "board_full"
            await asyncio.sleep(0.05)
            assert published[-1] == presence.count(board.public_id) == 1


async def test_sustained_abuse_closes_the_connection(monkeypatch):
    monkeypatch.setattr("studio.live.ratelimit.ABUSE_LIMIT", 5)
    board = await new_board()
    async with ws_client(board.public_id, "candidate") as client:
        for _ in range(5):
            await client.send_to(text_data="garbage")
        closed = None
        for _ in range(10):
            output = await client.receive_output(timeout=3)
            if output["type"] == "websocket.close":
                closed = output
                break
        assert closed is not None and closed["code"] == 4408


class ReadStraight:
    """Stands in for Daphne's direct socket: frames are handed to the consumer from a
    socket's read callback (`take_frames`), written back the usual way."""

    open = True
    handler = None

    def take_frames(self, handler):
        ReadStraight.handler = handler
        return []

    def write(self, frame: bytes) -> bool:
        return False


@pytest.mark.parametrize("ordering", ["memory", "database"])
async def test_frames_read_from_one_socket_callback_are_answered_every_time(
    settings, monkeypatch, ordering
):
    """Twisted reads a socket in one callback with one context, reused for every read; a
    frame whose handler waits for the database (a `sync` under database ordering) must not
    leave anything behind in that context for the next one (studio/live/eager.py)."""
    import socket

    from studio.live import consumers

    settings.LIVE_ORDERING = ordering
    monkeypatch.setattr(consumers.DirectSocket, "of", classmethod(lambda cls, s: ReadStraight()))
    board = await new_board()
    loop = asyncio.get_running_loop()
    ours, theirs = socket.socketpair()
    ours.setblocking(False)

    def read() -> None:
        ReadStraight.handler(ours.recv(65536).decode())

    answers = []
    async with ws_client(board.public_id, "candidate") as client:
        await receive_until(client, "welcome")
        loop.add_reader(ours.fileno(), read)
        try:
            for _ in range(3):
                theirs.send(json.dumps({"type": "sync", "since": 1}).encode())
                while True:
                    out = await client.receive_output(timeout=3)
                    if out["type"] == "websocket.close":
                        answers.append(("closed", out.get("code")))
                        break
                    frame = json.loads(out["text"])
                    if frame["type"] in ("ops", "snapshot"):
                        answers.append(frame["type"])
                        break
        finally:
            loop.remove_reader(ours.fileno())
            ours.close()
            theirs.close()
    assert answers == ["ops", "ops", "ops"]


async def test_with_several_processes_the_findings_travel_inside_the_op(settings):
    """Database ordering: one channel-layer message carries the edit and its findings, so
    no process can get one without the other (docs/protocol.md)."""
    settings.LIVE_ORDERING = "database"
    board = await new_board()
    async with (
        ws_client(board.public_id, "candidate") as alice,
        ws_client(board.public_id, "interviewer") as bob,
    ):
        await send_op(alice, {"op": "delete_edge", "id": "e9"}, cid="d1")
        seen = await receive_until(bob, "op")
        assert seen["cid"] == "d1"
        assert [f["rule"] for f in seen["report"]["findings"]] == ["serving-loop"]


async def test_a_connection_forgotten_during_its_broadcast_is_sent_no_acknowledgement(
    monkeypatch,
):
    # A close that lands while the edit is being broadcast (the broadcast awaits) cancels
    # the task that would acknowledge it: nothing is written to a connection that is gone.
    # Simulated by forgetting the connection inside the broadcast (the socket itself stays
    # open here, so a stray acknowledgement would arrive).
    from studio.live.consumers import BoardConsumer

    usual = BoardConsumer._broadcast_event

    async def forget_then_broadcast(self, event, private=False):
        if event["kind"] == "op":
            self._forget()
        await usual(self, event, private)

    monkeypatch.setattr(BoardConsumer, "_broadcast_event", forget_then_broadcast)
    board = await new_board()
    async with ws_client(board.public_id, "candidate") as alice:
        await send_op(alice, {"op": "move_node", "id": "rank", "x": 900, "y": 40}, cid="m1")
        frames = []
        with contextlib.suppress(asyncio.TimeoutError):
            while True:
                frames.append(await alice.receive_json_from(timeout=1))
        assert [f["type"] for f in frames if f["type"] in ("ack", "op")] == []
    assert (await reload(board)).revision == 2  # the edit itself was still stored


async def test_the_findings_are_computed_a_moment_after_the_op_and_a_move_does_not_wait(
    monkeypatch,
):
    """The validator runs REPORT_PAUSE after the broadcast, so the kernel delivers the op
    frames first (bench/relay.py); an edit that cannot change the findings does not wait.
    The pause is made long here to be seen."""
    monkeypatch.setattr(consumers, "REPORT_PAUSE", 2.0)
    board = await new_board()
    async with (
        ws_client(board.public_id, "candidate") as alice,
        ws_client(board.public_id, "interviewer") as bob,
    ):
        loop = asyncio.get_running_loop()
        sent = loop.time()
        await send_op(alice, {"op": "move_node", "id": "rank", "x": 900, "y": 40}, cid="m1")
        await send_op(alice, {"op": "move_node", "id": "rank", "x": 910, "y": 40}, cid="m2")
        assert (await receive_until(bob, "op"))["cid"] == "m1"
        assert (await receive_until(bob, "op"))["cid"] == "m2"
        assert loop.time() - sent < 2.0  # neither move waited
        sent = loop.time()
        await send_op(alice, {"op": "delete_edge", "id": "e9"}, cid="m3")
        assert (await receive_until(bob, "op"))["cid"] == "m3"
        report = await receive_until(bob, "report", timeout=5)
        assert report["cid"] == "m3"
        assert loop.time() - sent >= 1.9
