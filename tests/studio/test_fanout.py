"""The per-loop hub: direct delivery here, one layer message for the other hubs."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from studio.live import fanout
from studio.live.fanout import Hub, hub, sync_event
from studio.live.layers import SweepingInMemoryChannelLayer


class Member:
    """A connection stand-in that records what the hub hands it."""

    def __init__(self, name: str, fail: bool = False) -> None:
        self.channel_name = name
        self.got: list[dict[str, Any]] = []
        self.fail = fail

    async def board_event(self, event: dict[str, Any]) -> None:
        if self.fail:
            raise ConnectionError("socket closed")
        self.got.append(event)


def texts(member: Member) -> list[str]:
    return [event["text"] for event in member.got]


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    """A registry of hubs of this test's own (loops stand for processes)."""
    hubs = fanout.weakref.WeakKeyDictionary()
    monkeypatch.setattr(fanout, "_HUBS", hubs)
    loops = []

    def register(hub: Hub) -> Hub:
        loops.append(asyncio.new_event_loop())
        hubs[loops[-1]] = hub
        return hub

    yield register
    for loop in loops:
        loop.close()


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_a_broadcast_reaches_every_member_once_on_this_and_other_hubs(registry):
    layer = SweepingInMemoryChannelLayer()
    here, there = registry(Hub(layer)), registry(Hub(layer))  # two processes, one layer
    a, b, c = Member("a"), Member("b"), Member("c")
    await here.join("board.x", a)
    await here.join("board.x", b)
    await there.join("board.x", c)
    await here.broadcast("board.x", {"text": "one"})
    assert texts(a) == texts(b) == ["one"]  # written before broadcast returns
    await settle()
    assert texts(c) == ["one"]
    assert texts(a) == ["one"]  # the hub skipped its own layer message
    await here.leave("board.x", a)
    await here.leave("board.x", b)
    await there.leave("board.x", c)


async def test_groups_are_separate():
    layer = SweepingInMemoryChannelLayer()
    only = Hub(layer)
    board, private = Member("all"), Member("interviewer")
    await only.join("board.x", board)
    await only.join("board.x.private", private)
    await only.broadcast("board.x.private", {"text": "secret"})
    await only.broadcast("board.y", {"text": "elsewhere"})
    assert texts(board) == [] and texts(private) == ["secret"]
    await only.leave("board.x", board)
    await only.leave("board.x.private", private)


async def test_a_failing_member_does_not_stop_the_others():
    layer = SweepingInMemoryChannelLayer()
    only = Hub(layer)
    broken, fine = Member("broken", fail=True), Member("fine")
    await only.join("board.x", broken)
    await only.join("board.x", fine)
    await only.broadcast("board.x", {"text": "still"})
    assert texts(fine) == ["still"]
    await only.leave("board.x", broken)
    await only.leave("board.x", fine)


async def test_the_last_leave_stops_listening_and_leaves_the_layer_group():
    layer = SweepingInMemoryChannelLayer()
    only = Hub(layer)
    member = Member("m")
    await only.join("board.x", member)
    channel, listener = only.channel, only._listener
    assert channel in layer.groups["board.x"]
    await only.leave("board.x", member)
    await settle()
    assert only.channel is None and listener.cancelled()
    assert channel not in layer.groups.get("board.x", {})
    again = Member("again")
    await only.join("board.x", again)  # listens anew
    await layer.group_send("board.x", sync_event("board.x", {"text": "back"}))
    await settle()
    assert texts(again) == ["back"]
    await only.leave("board.x", again)


async def test_the_only_hub_on_the_in_memory_layer_sends_no_layer_message(monkeypatch, registry):
    layer = SweepingInMemoryChannelLayer()
    mine = hub(layer)
    assert hub(layer) is mine
    sent = []
    original = layer.group_send

    async def counting(group, message):
        sent.append(group)
        await original(group, message)

    monkeypatch.setattr(layer, "group_send", counting)
    member = Member("m")
    await mine.join("board.x", member)
    await mine.broadcast("board.x", {"text": "local"})
    assert texts(member) == ["local"] and sent == []
    # A second hub on the same layer (another loop) makes messages necessary again.
    other = registry(Hub(layer))
    await other.join("board.x", Member("far"))
    await mine.broadcast("board.x", {"text": "shared"})
    assert sent == ["board.x"]
    await other.leave("board.x", other.rooms["board.x"]["far"])
    await mine.leave("board.x", member)


async def test_messages_from_code_without_a_hub_reach_every_hub():
    layer = SweepingInMemoryChannelLayer()
    first, second = Hub(layer), Hub(layer)
    a, b = Member("a"), Member("b")
    await first.join("board.x", a)
    await second.join("board.x", b)
    await layer.group_send("board.x", sync_event("board.x", {"text": "timer"}))
    await settle()
    assert texts(a) == texts(b) == ["timer"]
    await first.leave("board.x", a)
    await second.leave("board.x", b)


class SlowLayer(SweepingInMemoryChannelLayer):
    """A layer whose sends take a random while, as a busy Redis would."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        import random

        self.random = random.Random(seed)

    async def group_send(self, group, message):
        await asyncio.sleep(self.random.random() / 200)
        await super().group_send(group, message)


async def test_broadcasts_reach_the_other_hubs_in_order_even_when_sends_are_slow(registry):
    layer = SlowLayer(seed=7)
    here, there = registry(Hub(layer)), registry(Hub(layer))
    local, far = Member("local"), Member("far")
    await here.join("board.x", local)
    await there.join("board.x", far)
    await asyncio.gather(*(here.broadcast("board.x", {"text": str(n)}) for n in range(30)))
    for _ in range(50):
        if len(far.got) == 30:
            break
        await asyncio.sleep(0.01)
    assert texts(far) == [str(n) for n in range(30)]
    assert texts(local) == [str(n) for n in range(30)]
    await here.leave("board.x", local)
    await there.leave("board.x", far)


async def test_local_connections_do_not_wait_for_the_layer(registry):
    class StuckLayer(SweepingInMemoryChannelLayer):
        async def group_send(self, group, message):
            await asyncio.Event().wait()  # Redis hangs

    layer = StuckLayer()
    here, there = registry(Hub(layer)), registry(Hub(layer))
    local = Member("local")
    await here.join("board.x", local)
    await there.join("board.x", Member("far"))
    sending = asyncio.ensure_future(here.broadcast("board.x", {"text": "now"}))
    await settle()
    assert texts(local) == ["now"] and not sending.done()
    sending.cancel()
    here._last_send.cancel()
    for hub_, room in ((here, "local"), (there, "far")):
        await hub_.leave("board.x", hub_.rooms["board.x"][room])


async def test_forget_takes_a_member_out_at_once_and_tidies_up_later(registry):
    layer = SweepingInMemoryChannelLayer()
    only = registry(Hub(layer))
    member = Member("m")
    await only.join("board.x", member)
    await only.join("board.x.private", member)
    await only.set_count("x", 1)
    channel = only.channel
    only.forget(member, "x", 0)  # synchronous: a cancelled consumer's last act
    assert only.rooms == {} and only.counts == {}
    await settle()
    assert only.channel is None and channel not in layer.groups.get("board.x", {})
    only.forget(member, "x", 0)  # twice is harmless


async def test_a_cancelled_broadcaster_still_reaches_the_other_processes(registry):
    class SlowLayer(SweepingInMemoryChannelLayer):
        async def group_send(self, group, message):
            await asyncio.sleep(0.05)
            await super().group_send(group, message)

    layer = SlowLayer()
    here, there = registry(Hub(layer)), registry(Hub(layer))
    local, far = Member("local"), Member("far")
    await here.join("board.x", local)
    await there.join("board.x", far)
    sending = asyncio.ensure_future(here.broadcast("board.x", {"text": "op 7"}))
    await settle()
    sending.cancel()  # e.g. Daphne cancels the sender's consumer
    await asyncio.sleep(0.2)
    assert texts(local) == ["op 7"] and texts(far) == ["op 7"]
    await here.leave("board.x", local)
    await there.leave("board.x", far)


async def test_every_join_renews_the_layer_membership(registry, monkeypatch):
    """The in-memory layer forgets members after group_expiry (a day): a room that
    never empties must still hear frames sent from views after that."""
    layer = SweepingInMemoryChannelLayer(group_expiry=60)
    only = registry(Hub(layer))
    first, later = Member("first"), Member("later")
    await only.join("board.x", first)
    joined_at = layer.groups["board.x"][only.channel]
    monkeypatch.setattr("channels.layers.time.time", lambda: joined_at + 30)
    await only.join("board.x", later)
    monkeypatch.setattr("channels.layers.time.time", lambda: joined_at + 70)
    layer._last_sweep = float("-inf")
    await layer.group_send("board.x", sync_event("board.x", {"text": "timer"}))
    await settle()
    assert texts(first) == texts(later) == ["timer"]
    await only.leave("board.x", first)
    await only.leave("board.x", later)


async def test_a_hub_lets_go_of_its_last_send(registry):
    """The finished send task would keep the loop (the hub's key in _HUBS) alive."""
    layer = SweepingInMemoryChannelLayer()
    here, there = registry(Hub(layer)), registry(Hub(layer))
    a, b = Member("a"), Member("b")
    await here.join("board.x", a)
    await there.join("board.x", b)
    await here.broadcast("board.x", {"text": "x"})
    await settle()
    assert here._last_send is None
    await here.leave("board.x", a)
    await there.leave("board.x", b)


class BatchMember(Member):
    """A connection that takes a batch of events at once, recording each batch."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.batches: list[list[str]] = []

    async def board_events(self, events: list[dict[str, Any]]) -> None:
        self.batches.append([event["text"] for event in events])
        self.got.extend(events)


def joined(name: str) -> dict[str, Any]:
    return {"type": "board.event", "kind": "presence.joined", "by": name, "text": f"+{name}"}


async def test_joins_close_together_are_announced_in_one_batch_each_to_those_there_before():
    hub = Hub(SweepingInMemoryChannelLayer())
    early = BatchMember("early")
    await hub.join("board.x", early)
    members = [BatchMember(f"m{k}") for k in range(4)]
    for member in members:
        await hub.join("board.x", member)
        await hub.announce("board.x", member, joined(member.channel_name))
    # The first join went out at once (the board had announced none lately)...
    assert early.batches == [["+m0"]]
    # ...the others wait for the window's end, then go out together.
    await asyncio.sleep(fanout.ANNOUNCE_WINDOW * 3)
    assert early.batches == [["+m0"], ["+m1", "+m2", "+m3"]]
    # Each member hears the joins after its own, in order, and never its own.
    assert [texts(m) for m in members] == [["+m1", "+m2", "+m3"], ["+m2", "+m3"], ["+m3"], []]
    assert [len(m.batches) for m in members] == [1, 1, 1, 0]


async def test_a_broadcast_waits_for_the_joins_announced_before_it():
    hub = Hub(SweepingInMemoryChannelLayer())
    here, first, second = Member("here"), Member("first"), Member("second")  # no batches
    for member in (here, first, second):
        await hub.join("board.x", member)
    await hub.announce("board.x", first, joined("first"))
    await hub.announce("board.x", second, joined("second"))  # waits for the window
    left = {"type": "board.event", "kind": "presence.left", "by": "second", "text": "-second"}
    await hub.broadcast("board.x", left)
    assert texts(here) == ["+first", "+second", "-second"]
    assert texts(first) == ["+second", "-second"]
    await asyncio.sleep(fanout.ANNOUNCE_WINDOW * 3)  # nothing is delivered twice
    assert texts(here) == ["+first", "+second", "-second"]


async def test_joins_waiting_for_a_board_that_empties_are_dropped():
    hub = Hub(SweepingInMemoryChannelLayer())
    a, b = Member("a"), Member("b")
    await hub.join("board.x", a)
    await hub.announce("board.x", a, joined("a"))
    await hub.join("board.x", b)
    await hub.announce("board.x", b, joined("b"))
    hub.forget(a, "x", 1)
    hub.forget(b, "x", 0)
    await asyncio.sleep(fanout.ANNOUNCE_WINDOW * 3)
    await settle()
    assert a.got == b.got == [] and not hub._announcing and not hub._announce_timers
