"""The bare relay of bench/relay_server.py as an ASGI application served by Daphne.

bench/relay.py runs it beside the live board and the `websockets` relay to measure what
Daphne itself costs: the same rooms (`/room/<name>`), every message written unchanged to
every other client of the room, the room's membership to every member on each join and
leave (excalidraw-room's `room-user-change`), no Django, no Channels, no persistence, no
validation, no acknowledgement. Whatever the live board spends beyond this is our code;
whatever this spends beyond the `websockets` relay is the server the architecture chose
(Twisted's reads and writes, Autobahn's framing, Daphne's ASGI queues). It gets the same
Daphne tuning as the live board (studio.live.daphne_tuning: listen backlog, lazy debug
text), which imports no Django.

    python -m daphne -b 127.0.0.1 -p PORT bench.daphne_relay:application
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from studio.live import daphne_tuning

daphne_tuning.apply()

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

rooms: defaultdict[str, set[Send]] = defaultdict(set)
ids: dict[Send, str] = {}
_serial = itertools.count(1)


async def members_changed(room: set[Send]) -> None:
    """excalidraw-room's `room-user-change`: the room's member ids, to every member."""
    text = json.dumps({"type": "room-user-change", "users": [ids[s] for s in room]})
    for member in list(room):
        with contextlib.suppress(Exception):  # a member closing meanwhile
            await member({"type": "websocket.send", "text": text})


async def application(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "websocket":
        return
    path = scope["path"]
    if not path.startswith("/room/"):
        await send({"type": "websocket.close", "code": 4404})
        return
    room = rooms[path]
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
                room.add(send)
                ids[send] = f"u{next(_serial)}"
                await members_changed(room)
            elif message["type"] == "websocket.receive":
                frame = {"type": "websocket.send", "text": message.get("text")}
                if frame["text"] is None:
                    frame = {"type": "websocket.send", "bytes": message.get("bytes")}
                for other in [s for s in room if s is not send]:
                    await other(frame)
            elif message["type"] == "websocket.disconnect":
                return
    finally:
        room.discard(send)
        ids.pop(send, None)
        if room:
            await members_changed(room)
        else:
            rooms.pop(path, None)
