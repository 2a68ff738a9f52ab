"""The embedded channel layer sweeps expired messages at most once a second."""

from __future__ import annotations

import pytest

from studio.live import layers
from studio.live.layers import SweepingInMemoryChannelLayer


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 1000.0}
    monkeypatch.setattr(layers.time, "monotonic", lambda: now["t"])
    return now


async def test_expiry_is_swept_at_most_once_a_second(clock, monkeypatch):
    layer = SweepingInMemoryChannelLayer(expiry=60)
    sweeps = []
    monkeypatch.setattr(
        layers.InMemoryChannelLayer, "_clean_expired", lambda self: sweeps.append(clock["t"])
    )
    for _ in range(50):
        await layer.group_send("board.x", {"type": "board.event"})
    assert sweeps == [1000.0]
    clock["t"] += 1.0
    await layer.group_send("board.x", {"type": "board.event"})
    assert sweeps == [1000.0, 1001.0]


async def test_messages_still_flow_between_sweeps(clock):
    layer = SweepingInMemoryChannelLayer()
    channel = await layer.new_channel()
    await layer.group_add("board.y", channel)
    await layer.group_send("board.y", {"type": "board.event", "n": 1})
    await layer.group_send("board.y", {"type": "board.event", "n": 2})
    assert [(await layer.receive(channel))["n"] for _ in range(2)] == [1, 2]
