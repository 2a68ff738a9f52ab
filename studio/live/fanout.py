"""Board frames to every connection: written in-process, one layer message per process.

Channels' usual way makes every connection a member of the board's group, so a broadcast
to N connections is N channel-layer messages: N deep copies, N consumer wake-ups through
`await_many_dispatch`, about 200 µs per delivery here (bench/live.py). Instead each event
loop keeps one `Hub`: the connections it serves, by group, and a layer channel of its own
that joins the groups those connections are in. A broadcast writes the frame straight to
the hub's own connections, then sends one layer message that every other hub (the other
Daphne processes, over Redis) hands to its connections; a hub skips its own messages.
Frames from synchronous code (views) go through the layer only, to every hub.

With the in-memory layer and one hub in the process (the embedded default), no other hub
exists to tell, so a broadcast sends no layer message at all.

The hub also publishes how many connections each board has here (studio.live.occupancy), so
the per-board connection limit counts every process's.

Joins are announced in batches (`announce`): when many people connect at once (a network
blip, a class opening its boards), each join announced to everyone already there is n²
frames and as many socket writes. A join is delivered at once when the board announced
none in the last ANNOUNCE_WINDOW seconds; the joins that follow within the window go out
together at its end, one write per connection for all of them. Each connection still gets
every join announced after it joined the group, its own excepted, in order, and anything
else broadcast to the group waits for the pending joins (a `presence.left` never overtakes
its `presence.joined`). The other processes are told of each join at once, as before.
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import weakref
from typing import Any, Protocol

from channels.layers import InMemoryChannelLayer

from studio.live.occupancy import REFRESH, Alone, Occupancy, occupancy_for

logger = logging.getLogger(__name__)

ANNOUNCE_WINDOW = 0.02  # seconds: joins of one board announced together (see `announce`)


class Member(Protocol):
    """What a hub needs of a connection (studio.live.consumers.BoardConsumer). A member
    may also take several events in one call, `async def board_events(events)`, which
    `announce` uses for a batch of joins (one write for all of them), and an event at
    once, `def take_now(event) -> bool` (False: it needs `board_event`), which `deliver`
    tries first so that a broadcast is one plain loop of socket writes."""

    channel_name: str

    async def board_event(self, event: dict[str, Any]) -> None: ...


class Hub:
    """The connections one event loop serves, by group, and their share of the layer."""

    def __init__(
        self, layer: Any, occupancy: Occupancy | None = None, hub_id: str | None = None
    ) -> None:
        self.layer = layer
        self.id = hub_id or secrets.token_hex(8)
        self.occupancy = occupancy or Alone()
        self.rooms: dict[str, dict[str, Member]] = {}
        self.counts: dict[str, int] = {}  # board public id -> connections here
        self.channel: str | None = None
        self._listener: asyncio.Task[None] | None = None
        self._refresher: asyncio.Task[None] | None = None
        self._last_send: asyncio.Task[None] | None = None
        self._changing = asyncio.Lock()  # joins and leaves, one at a time
        self._counting = asyncio.Lock()  # count publishes, in order
        self._pending: set[asyncio.Task[None]] = set()  # clean-ups after `forget`
        # Joins waiting to be announced, by group: (sequence, joiner's channel, event); the
        # sequence number each member had when it joined the group; when each group last
        # announced joins, and the timers of the batches waiting for the window's end.
        self._sequence = 0
        self._announcing: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
        self._joined_at: dict[tuple[str, str], int] = {}
        self._announced_at: dict[str, float] = {}
        self._announce_timers: dict[str, asyncio.TimerHandle] = {}

    # --- connection counts --------------------------------------------------------------------

    async def others(self, public_id: str) -> int:
        """Connections on the board in the other processes."""
        return await self.occupancy.others(public_id)

    async def set_count(self, public_id: str, count: int) -> None:
        """This process now has `count` connections on the board: tell the others."""
        self._note_count(public_id, count)
        await self._publish_count(public_id)

    def _note_count(self, public_id: str, count: int) -> None:
        if count:
            self.counts[public_id] = count
        else:
            self.counts.pop(public_id, None)

    async def _publish_count(self, public_id: str) -> None:
        """Publish the board's count as it is when its turn comes: publishes go out one
        at a time, so the last one to arrive is the latest count."""
        async with self._counting:
            await self.occupancy.publish(public_id, self.counts.get(public_id, 0))

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(REFRESH)
            for public_id in list(self.counts):
                await self._publish_count(public_id)

    # --- membership -------------------------------------------------------------------------

    async def join(self, group: str, member: Member) -> None:
        """Add `member` to `group`. The layer membership is renewed on every join: the
        in-memory layer drops members after a day (group_expiry), even of a room that
        never emptied."""
        async with self._changing:
            try:
                await self._subscribe(group)
            except BaseException:
                if not self.rooms:
                    self._stop()
                raise
            self.rooms.setdefault(group, {})[member.channel_name] = member
            self._joined_at[(group, member.channel_name)] = self._sequence

    async def leave(self, group: str, member: Member) -> None:
        async with self._changing:
            room = self.rooms.get(group)
            if room is None or room.pop(member.channel_name, None) is None:
                return
            self._joined_at.pop((group, member.channel_name), None)
            if room:
                return
            del self.rooms[group]
            self._emptied(group)
            await self._discard([group])

    def forget(self, member: Member, public_id: str, count: int) -> None:
        """Take `member` out of every room at once, without waiting: for a consumer that
        is going away, even cancelled (it must not stay a member, nor be counted, for
        good). The layer and the other processes are told in the background."""
        emptied = []
        for group, room in list(self.rooms.items()):
            if room.get(member.channel_name) is member:
                del room[member.channel_name]
                self._joined_at.pop((group, member.channel_name), None)
                if not room:
                    del self.rooms[group]
                    self._emptied(group)
                    emptied.append(group)
        self._note_count(public_id, count)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop left (interpreter shutdown): nothing to tell
            return
        task = loop.create_task(self._after_forget(emptied, public_id))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _after_forget(self, emptied: list[str], public_id: str) -> None:
        try:
            await self._publish_count(public_id)
            async with self._changing:
                await self._discard([g for g in emptied if g not in self.rooms])
        except Exception:  # the layer forgets on its own, counts expire
            logger.warning("clean-up after a connection left failed", exc_info=True)

    async def _discard(self, groups: list[str]) -> None:
        """Leave the layer groups of rooms that emptied (the caller holds _changing)."""
        if self.channel is not None:
            for group in groups:
                await self.layer.group_discard(group, self.channel)
        if not self.rooms:
            self._stop()

    async def _subscribe(self, group: str) -> None:
        if self.channel is None:
            self.channel = await self.layer.new_channel("hub.")
            loop = asyncio.get_running_loop()
            self._listener = loop.create_task(
                self._listen(self.channel), name=f"board hub {self.id}"
            )
            if not isinstance(self.occupancy, Alone):
                self._refresher = loop.create_task(
                    self._refresh(), name=f"board hub {self.id} counts"
                )
        await self.layer.group_add(group, self.channel)

    def _stop(self) -> None:
        """No connections left: stop listening (the layer forgets the channel)."""
        for task in (self._listener, self._refresher):
            if task is not None:
                task.cancel()
        self._listener, self._refresher, self.channel = None, None, None

    # --- delivery ---------------------------------------------------------------------------

    async def broadcast(self, group: str, event: dict[str, Any]) -> None:
        """Deliver `event` to the group's connections here and to the other hubs.

        The layer message is started first, so that the other processes write to their
        connections while this one writes to its own; the local writes never wait for
        Redis. A failed send is raised once the local writes are done.
        """
        sending = None
        if self._has_peers():
            sending = self._publish(group, {**event, "group": group, "origin": self.id})
            await asyncio.sleep(0)  # let the send reach the wire before the local writes
        await self.deliver(group, event)
        if sending is not None:
            # Shielded: a caller cancelled now must not take the other processes' copy.
            await asyncio.shield(sending)

    def _publish(self, group: str, message: dict[str, Any]) -> asyncio.Task[None]:
        """Send `message` through the layer after this hub's previous one (in order)."""
        previous = self._last_send

        async def send() -> None:
            if previous is not None and not previous.done():
                await asyncio.wait([previous])
            await self.layer.group_send(group, message)

        task = self._last_send = asyncio.get_running_loop().create_task(send())
        task.add_done_callback(self._sent)
        return task

    def _sent(self, task: asyncio.Task[None]) -> None:
        # Drop the finished task: it holds the loop, which keys this hub in _HUBS. Its
        # error, if any, went to the broadcaster (or nobody, if it was cancelled).
        if not task.cancelled():
            task.exception()
        if self._last_send is task:
            self._last_send = None

    async def announce(self, group: str, member: Member, event: dict[str, Any]) -> None:
        """Broadcast `member`'s join (`event`, a `presence.joined`) to the group, batched
        with the joins that follow it closely (see the module's docstring): the other
        processes at once, this process's connections at once or at the window's end."""
        sending = None
        if self._has_peers():
            sending = self._publish(group, {**event, "group": group, "origin": self.id})
        self._sequence += 1
        self._announcing.setdefault(group, []).append((self._sequence, member.channel_name, event))
        if group not in self._announce_timers:
            loop = asyncio.get_running_loop()
            wait = self._announced_at.get(group, -math.inf) + ANNOUNCE_WINDOW - loop.time()
            if wait <= 0:
                await self._announce(group)
            else:
                self._announce_timers[group] = loop.call_later(wait, self._announce_later, group)
        if sending is not None:
            await asyncio.shield(sending)

    def _announce_later(self, group: str) -> None:
        self._announce_timers.pop(group, None)
        task = asyncio.get_running_loop().create_task(self._announce(group))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _announce(self, group: str) -> None:
        """Deliver the group's waiting joins: to each member, in one batch, those queued
        after it joined the group, except its own."""
        timer = self._announce_timers.pop(group, None)
        if timer is not None:
            timer.cancel()
        queued = self._announcing.pop(group, None)
        if not queued:
            return
        self._announced_at[group] = asyncio.get_running_loop().time()
        for member in list(self.rooms.get(group, {}).values()):
            since = self._joined_at.get((group, member.channel_name), 0)
            events = [e for n, by, e in queued if n > since and by != member.channel_name]
            if not events:
                continue
            try:
                batch = getattr(member, "board_events", None)
                if batch is not None:
                    await batch(events)
                else:
                    for event in events:
                        await member.board_event(event)
            except Exception:  # one broken socket must not starve the rest
                logger.warning("delivery to %s failed", member.channel_name, exc_info=True)

    def _emptied(self, group: str) -> None:
        """The group has no connection here any more: drop its join batches."""
        self._announcing.pop(group, None)
        self._announced_at.pop(group, None)
        timer = self._announce_timers.pop(group, None)
        if timer is not None:
            timer.cancel()

    async def deliver(self, group: str, event: dict[str, Any]) -> None:
        """Hand `event` to each connection of `group` on this loop; one that fails (it is
        closing) is logged and the others still get it. Joins still waiting to be
        announced go first."""
        if group in self._announcing:
            await self._announce(group)
        for member in list(self.rooms.get(group, {}).values()):
            try:
                take_now = getattr(member, "take_now", None)
                if take_now is not None and take_now(event):
                    continue
                await member.board_event(event)
            except Exception:  # one broken socket must not starve the rest
                logger.warning("delivery to %s failed", member.channel_name, exc_info=True)

    async def _listen(self, channel: str) -> None:
        while True:
            message = await self.layer.receive(channel)
            if message.get("origin") != self.id and isinstance(message.get("group"), str):
                await self.deliver(message["group"], message)

    def _has_peers(self) -> bool:
        if not isinstance(self.layer, InMemoryChannelLayer):
            return True
        return any(
            other is not self and other.layer is self.layer and other.channel
            for other in _HUBS.values()
        )


_HUBS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub(layer: Any) -> Hub:
    """The running event loop's hub on `layer` (one per loop: Daphne has one loop; tests
    may run several in turn)."""
    loop = asyncio.get_running_loop()
    found = _HUBS.get(loop)
    if found is None or found.layer is not layer:
        from django.conf import settings

        hub_id = secrets.token_hex(8)
        found = _HUBS[loop] = Hub(layer, occupancy_for(settings.REDIS_URL, hub_id), hub_id)
    return found


def sync_event(group: str, event: dict[str, Any]) -> dict[str, Any]:
    """A layer message for every hub, from code that has no hub (a view's thread)."""
    return {**event, "group": group, "origin": None}
