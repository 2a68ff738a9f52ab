"""A real protocol client over HTTP and WebSocket, for multi-process tests and benchmarks.

It creates boards through the JSON API, joins them through role links (so the session
cookie carries the role, as in a browser) and speaks docs/protocol.md over `websockets`.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import threading
import urllib.request
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run `coroutine` to completion on a fresh event loop in its own thread.

    The main thread may already have a running loop (Playwright's sync API keeps one
    for the whole session once the browser tests have run), where asyncio.run fails.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="live-test-loop")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class Browser:
    """One browser: a cookie jar shared by its HTTP requests and WebSockets."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def create_board(self, document: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            self.base + "/api/boards",
            data=json.dumps(document).encode(),
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=30) as response:
            return json.loads(response.read())

    def open_link(self, url: str) -> None:
        path = url.split("://", 1)[1].split("/", 1)[1]
        with self.opener.open(f"{self.base}/{path}", timeout=30) as response:
            response.read()

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read()

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    async def connect(self, public_id: str) -> LiveClient:
        ws_url = self.base.replace("http://", "ws://") + f"/ws/boards/{public_id}/"
        socket = await connect(
            ws_url,
            origin=self.base,
            additional_headers={"Cookie": self.cookie_header()},
            max_size=2**22,
            open_timeout=30,
        )
        return LiveClient(socket)


@dataclass
class LiveClient:
    socket: ClientConnection
    frames: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(frame))

    async def next(self, frame_type: str, timeout: float = 10, *also: str) -> dict[str, Any]:
        """The next frame of `frame_type` or of one of `also` (others are kept in
        `frames`)."""
        wanted = {frame_type, *also}
        async with asyncio.timeout(timeout):
            while True:
                frame = json.loads(await self.socket.recv())
                self.frames.append(frame)
                if frame["type"] in wanted:
                    return frame

    async def close(self) -> None:
        await self.socket.close()
