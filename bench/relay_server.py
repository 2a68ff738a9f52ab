"""A bare WebSocket relay: the baseline bench/relay.py measures the live board against.

The shape of excalidraw-room (the relay behind Excalidraw's collaboration), written here
on the `websockets` library: a client joins a room by its path (`/room/<name>`), and every
message it sends is written, unchanged, to every other client of that room. Like
excalidraw-room, whose join emits `room-user-change` (every member's id) to the whole
room, and again when one leaves, every member hears the room's membership on each join
and leave: the least presence a shared board has. No persistence, no validation, no
acknowledgement: the least a live board can do. Each message is encoded once and its bytes
written to every socket (`websockets.broadcast`). It listens with Node's default backlog
(511), as excalidraw-room does.

    python bench/relay_server.py PORT
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import sys
from collections import defaultdict

from websockets.asyncio.server import ServerConnection, broadcast, serve

rooms: defaultdict[str, set[ServerConnection]] = defaultdict(set)
ids: dict[ServerConnection, str] = {}
_serial = itertools.count(1)


def members_changed(room: set[ServerConnection]) -> None:
    """excalidraw-room's `room-user-change`: the room's member ids, to every member."""
    text = json.dumps({"type": "room-user-change", "users": [ids[s] for s in room]})
    broadcast(room, text)


async def relay(socket: ServerConnection) -> None:
    path = socket.request.path if socket.request else ""
    if not path.startswith("/room/"):
        await socket.close(code=4404)
        return
    room = rooms[path]
    room.add(socket)
    ids[socket] = f"u{next(_serial)}"
    members_changed(room)
    try:
        async for message in socket:
            broadcast([other for other in room if other is not socket], message)
    finally:
        room.discard(socket)
        ids.pop(socket, None)
        if room:
            members_changed(room)
        else:
            rooms.pop(path, None)


async def main(port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set_result, None)
    # backlog: Node's default for `server.listen`, which excalidraw-room keeps (asyncio's
    # would be 100, dropping handshakes of a 200-client storm: docs/benchmarks.md).
    async with serve(relay, "127.0.0.1", port, max_size=2**20, compression=None, backlog=511):
        await stop


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
