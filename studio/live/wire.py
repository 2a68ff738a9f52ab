"""A broadcast frame encoded once and its bytes written to every socket; frames read
handed straight to the consumer.

Why: sending one text frame to one connection the usual way goes through Channels'
`send`, Daphne's `handle_reply`, and Autobahn's `sendMessage` (type assertions, traffic
statistics, UTF-8 encoding, header building, and debug-log arguments it formats whether
or not debug logging is on): most of the cost of each delivery (bench/relay.py). A
server's WebSocket frame is not masked, so the bytes of a frame are the same for every
recipient: `text_frame` builds them once per broadcast, and `DirectSocket.write` hands them
to the connection's transport, sending at once when nothing is buffered. It writes only
when Autobahn itself would send the frame as it is (connection open, no per-message
compression, nothing queued before it) and answers False otherwise, so the caller sends
the usual way; under any other server (the test communicator) there is no direct socket.
"""

from __future__ import annotations

import functools
import struct
import time
from collections.abc import Callable
from typing import Any


def text_frame(text: str) -> bytes:
    """One final, unmasked text frame (RFC 6455 §5.2) carrying `text`."""
    payload = text.encode("utf-8")
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


def frame_of(event: dict[str, Any]) -> bytes:
    """The event's frame bytes, built by the first recipient and shared by the rest."""
    frame = event.get("frame")
    if frame is None:
        frame = event["frame"] = text_frame(event["text"])
    return frame


class DirectSocket:
    """Writes ready-made frames to one Daphne connection's transport."""

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol

    @classmethod
    def of(cls, base_send: Any) -> DirectSocket | None:
        """The direct socket behind a consumer's `base_send`, when Daphne serves it
        (its send is `partial(server.handle_reply, protocol)`, under Channels' session
        middleware's own `send`, which only acts on the accept); None otherwise."""
        send = base_send
        for _ in range(4):  # Channels' session middleware wraps it: InstanceSessionWrapper
            if isinstance(send, functools.partial):
                break
            send = getattr(getattr(send, "__self__", None), "real_send", None)
        if not isinstance(send, functools.partial) or not send.args:
            return None
        protocol = send.args[0]
        needed = ("transport", "state", "STATE_OPEN", "send_queue", "_perMessageCompress")
        if not all(hasattr(protocol, name) for name in needed):
            return None
        return cls(protocol)

    def take_frames(self, handler: Callable[[str | bytes], None]) -> list[str | bytes] | None:
        """From now on, hand each frame (text as str, binary as bytes) to `handler` as soon
        as it is read, instead of queueing it for the consumer's dispatch loop (what
        Daphne's `onMessage` does besides is kept: a muted socket drops it, and it counts
        as a sign of life). Only the disconnect still goes through the queue; a frame read
        once the close has begun is dropped (it could not be answered). Returns the
        frames already queued, in order, for the caller to handle first; None (and
        nothing changed) when the protocol is not Daphne's WebSocket protocol."""
        protocol = self.protocol
        queue = getattr(protocol, "application_queue", None)
        usual = getattr(protocol, "onMessage", None)
        if queue is None or usual is None or not hasattr(protocol, "muted"):
            return None
        early: list[str | bytes] = []
        others = []
        while not queue.empty():
            message = queue.get_nowait()
            if message.get("type") == "websocket.receive":
                text = message.get("text")
                early.append(text if text is not None else message.get("bytes") or b"")
            else:
                others.append(message)
        for message in others:
            queue.put_nowait(message)

        def on_message(payload: bytes, is_binary: bool) -> None:
            if protocol.muted:
                return usual(payload, is_binary)
            if not self.open:
                return  # read after the close began: nothing can answer it any more
            protocol.last_ping = time.time()
            handler(payload if is_binary else payload.decode("utf8"))

        protocol.onMessage = on_message
        return early

    @property
    def open(self) -> bool:
        """Whether the WebSocket is open (no close begun by either side)."""
        return bool(self.protocol.state == self.protocol.STATE_OPEN)

    def write(self, frame: bytes) -> bool:
        """Write `frame`; False when it must go the usual way instead."""
        protocol = self.protocol
        if (
            protocol.state != protocol.STATE_OPEN
            or protocol._perMessageCompress is not None
            or protocol.send_queue
            or protocol.transport is None
        ):
            return False
        transport = protocol.transport
        if idle(transport):
            # Try the send now, as asyncio's own transports do: Twisted would first ask
            # the event loop to report the socket writable (two epoll calls and a loop
            # turn per recipient). Only what the kernel does not take is buffered.
            try:
                sent = transport.socket.send(frame)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                return False  # the connection is going: let the usual path find out
            if sent == len(frame):
                return True
            frame = frame[sent:]
        transport.write(frame)
        return True


def idle(transport: Any) -> bool:
    """True when a Twisted TCP transport has nothing waiting to be written (so a direct
    send keeps the order of bytes on the socket)."""
    try:
        return (
            transport.connected
            and not transport.disconnecting
            and not transport._tempDataBuffer
            and transport.offset == len(transport.dataBuffer)
            and transport.socket is not None
        )
    except AttributeError:  # not a plain TCP transport (TLS, a test double): buffer
        return False
