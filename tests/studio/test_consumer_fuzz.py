"""Fuzzing the live protocol: random and mutated frames never crash the consumer, never
change a board through an invalid operation, and leave every client consistent with the
database."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.catalogue import COMPONENT_TYPES
from components.document import Board as Document
from components.document import dump, parse
from components.operations import apply_operation
from studio.services import document_at
from tests.conftest import DESIGNS
from tests.live.client import run
from tests.studio.conftest import make_board, receive_until, ws_client
from tests.studio.test_consumer import reload

DESIGN = json.loads((DESIGNS / "video_recommendation.json").read_text())
NODE_IDS = [n["id"] for n in DESIGN["nodes"]] + ["ghost", "new1", "new2"]
EDGE_IDS = [e["id"] for e in DESIGN["edges"]] + ["ghost-edge", "x1"]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

node_id = st.sampled_from(NODE_IDS)
valid_ops = st.one_of(
    st.builds(
        lambda i, x, y: {"op": "move_node", "id": i, "x": x, "y": y},
        node_id,
        st.integers(-500, 2000),
        st.integers(-500, 2000),
    ),
    st.builds(
        lambda i, label: {"op": "update_node", "id": i, "changes": {"label": label}},
        node_id,
        st.text(max_size=30),
    ),
    st.builds(
        lambda i, t: {"op": "add_node", "node": {"id": i, "type": t, "x": 1, "y": 2}},
        st.sampled_from(["new1", "new2", "app"]),
        st.sampled_from(sorted(COMPONENT_TYPES)),
    ),
    st.builds(
        lambda i, s, t: {"op": "add_edge", "edge": {"id": i, "source": s, "target": t}},
        st.sampled_from(EDGE_IDS),
        node_id,
        node_id,
    ),
    st.builds(lambda i: {"op": "delete_node", "id": i}, node_id),
    st.builds(lambda i: {"op": "delete_edge", "id": i}, st.sampled_from(EDGE_IDS)),
    st.builds(
        lambda step, text: {"op": "update_notes", "step": step, "text": text},
        st.sampled_from(["data", "model", "nope"]),
        st.text(max_size=40),
    ),
)


@st.composite
def mutated(draw, base):
    """A valid operation with one key dropped or one value replaced by random JSON."""
    op = json.loads(json.dumps(draw(base)))
    target = op
    while True:
        keys = list(target)
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        if isinstance(target[key], dict) and draw(st.booleans()):
            target = target[key]
            continue
        if draw(st.booleans()):
            del target[key]
        else:
            target[key] = draw(json_values)
        break
    return op


frames = st.one_of(
    st.builds(
        lambda op, n: {"type": "op", "cid": f"c{n}", "base": 1, "op": op},
        valid_ops,
        st.integers(0, 10**6),
    ),
    st.builds(
        lambda op, n: {"type": "op", "cid": f"m{n}", "base": 1, "op": op},
        mutated(valid_ops),
        st.integers(0, 10**6),
    ),
    st.builds(lambda v: {"type": "op", "op": v}, json_values),
    st.dictionaries(
        st.sampled_from(["type", "op", "cid", "since", "x", "y", "ids", "box"]),
        json_values,
        max_size=4,
    ),
    st.builds(
        lambda t: {"type": t},
        st.sampled_from(["sync", "cursor", "select", "viewport", "ping", "timer", "import"]),
    ),
    json_values,
)


async def scenario(messages: list) -> None:
    board, _ = await database_sync_to_async(make_board)()
    start = parse(json.dumps(DESIGN))
    async with (
        ws_client(board.public_id, "candidate") as sender,
        ws_client(board.public_id, "viewer") as watcher,
    ):
        await receive_until(watcher, "welcome")
        for message in messages:
            await sender.send_to(text_data=json.dumps(message))
        # Frames are handled in order per connection: this answer comes after all of them.
        await sender.send_json_to({"type": "sync", "since": 0})
        received = []
        while True:
            frame = json.loads(await sender.receive_from(timeout=10))
            received.append(frame)
            if frame["type"] == "snapshot":
                break
        snapshot = frame
        # An acknowledgement follows its commit, so it may come after the snapshot: every
        # operation in the snapshot is acknowledged, and only those are stored.
        acks = [f for f in received if f["type"] == "ack"]
        while len(acks) < snapshot["revision"] - 1:
            frame = json.loads(await sender.receive_from(timeout=10))
            if frame["type"] == "ack":
                acks.append(frame)
        stored = await reload(board)
        assert stored.revision == 1 + len(acks), "only acknowledged operations change the board"
        assert snapshot["board"] == stored.to_document().to_dict()
        replayed: Document = await database_sync_to_async(document_at)(stored, stored.revision)
        assert dump(replayed) == dump(stored.to_document())
        # The watcher applies the broadcasts in revision order and ends where the database is.
        seen: dict[int, dict] = {}
        while len(seen) < len(acks):
            frame = json.loads(await watcher.receive_from(timeout=10))
            if frame["type"] == "op":
                seen[frame["revision"]] = frame["op"]
        document = start
        for revision in sorted(seen):
            document = apply_operation(document, seen[revision])
        assert document.to_dict() == stored.to_document().to_dict()


@pytest.mark.django_db(transaction=True)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(frames, min_size=1, max_size=12))
def test_random_frames_never_break_the_board_or_the_clients(messages):
    run(scenario(messages))
