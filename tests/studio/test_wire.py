"""Frames encoded once for every recipient (studio/live/wire.py)."""

from __future__ import annotations

import functools

import pytest
from websockets.frames import OP_TEXT, Frame
from websockets.streams import StreamReader

from studio.live.wire import DirectSocket, frame_of, text_frame


def parse(data: bytes) -> Frame:
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        return done.value
    raise AssertionError("incomplete frame")


@pytest.mark.parametrize("size", [0, 5, 125, 126, 65535, 65536, 200_000])
def test_text_frames_of_every_length_class_parse_back(size):
    text = ("é" * size)[:size]  # two bytes each in UTF-8: lengths cross the boundaries
    frame = parse(text_frame(text))
    assert frame.opcode == OP_TEXT and frame.fin
    assert frame.data.decode() == text


def test_the_frame_is_built_once_and_shared():
    event = {"text": '{"type": "op"}'}
    first = frame_of(event)
    assert frame_of(event) is first


class FakeProtocol:
    STATE_OPEN = 3

    def __init__(self) -> None:
        self.state = self.STATE_OPEN
        self.send_queue: list = []
        self._perMessageCompress = None
        self.written: list[bytes] = []
        self.transport = self

    def write(self, data: bytes) -> None:
        self.written.append(data)


def handle_reply(protocol, message):  # the shape of Daphne's Server.handle_reply
    raise AssertionError("not called")


def test_a_direct_socket_writes_only_when_autobahn_would_send_as_is():
    protocol = FakeProtocol()
    direct = DirectSocket.of(functools.partial(handle_reply, protocol))
    assert direct is not None
    assert direct.write(b"x") and protocol.written == [b"x"]
    protocol._perMessageCompress = object()  # compressed: the frame must be rebuilt
    assert not direct.write(b"y")
    protocol._perMessageCompress = None
    protocol.send_queue.append((b"z", False))  # something is queued before it
    assert not direct.write(b"y")
    protocol.send_queue.clear()
    protocol.state = 4  # closing
    assert not direct.write(b"y")
    assert protocol.written == [b"x"]


def test_no_direct_socket_outside_daphne():
    async def send(message):
        return None

    assert DirectSocket.of(send) is None
    assert DirectSocket.of(functools.partial(handle_reply, object())) is None


def test_the_socket_is_found_under_the_session_middlewares_send():
    class SessionWrapper:  # the shape of channels.sessions.InstanceSessionWrapper
        def __init__(self, real_send):
            self.real_send = real_send

        async def send(self, message):
            return await self.real_send(message)

    protocol = FakeProtocol()
    wrapped = SessionWrapper(functools.partial(handle_reply, protocol)).send
    direct = DirectSocket.of(wrapped)
    assert direct is not None and direct.protocol is protocol


class FakeSocket:
    def __init__(self, takes: int | None) -> None:
        self.takes, self.sent = takes, []

    def send(self, data: bytes) -> int:
        if self.takes == 0:
            raise BlockingIOError
        n = len(data) if self.takes is None else min(self.takes, len(data))
        self.sent.append(bytes(data[:n]))
        return n


class FakeTransport:
    def __init__(self, socket: FakeSocket) -> None:
        self.socket, self.connected, self.disconnecting = socket, 1, False
        self._tempDataBuffer: list[bytes] = []
        self.dataBuffer, self.offset = b"", 0
        self.buffered: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.buffered.append(data)
        self._tempDataBuffer.append(data)


def test_an_idle_socket_is_written_at_once_and_a_full_one_buffers_the_rest():
    protocol = FakeProtocol()
    protocol.transport = FakeTransport(FakeSocket(takes=3))
    direct = DirectSocket(protocol)
    assert direct.write(b"abcdef")
    assert protocol.transport.socket.sent == [b"abc"]
    assert protocol.transport.buffered == [b"def"]
    # Something is buffered now: the next frame queues behind it, never ahead.
    assert direct.write(b"gh")
    assert protocol.transport.socket.sent == [b"abc"]
    assert protocol.transport.buffered == [b"def", b"gh"]


def test_a_socket_that_takes_nothing_buffers_everything():
    protocol = FakeProtocol()
    protocol.transport = FakeTransport(FakeSocket(takes=0))
    assert DirectSocket(protocol).write(b"abc")
    assert protocol.transport.buffered == [b"abc"]


class FakeDaphneProtocol(FakeProtocol):
    """The parts of Daphne's WebSocketProtocol that `take_frames` replaces and keeps."""

    def __init__(self) -> None:
        import asyncio

        super().__init__()
        self.application_queue: asyncio.Queue = asyncio.Queue()
        self.muted = False
        self.last_ping = 0.0

    def onMessage(self, payload: bytes, is_binary: bool) -> None:
        if self.muted:
            return
        kind = "bytes" if is_binary else "text"
        body = payload if is_binary else payload.decode()
        self.application_queue.put_nowait({"type": "websocket.receive", kind: body})


def test_frames_read_go_to_the_handler_in_order_and_the_queue_keeps_the_rest():
    protocol = FakeDaphneProtocol()
    queue = protocol.application_queue
    queue.put_nowait({"type": "websocket.receive", "text": "early 1"})
    queue.put_nowait({"type": "websocket.receive", "bytes": b"\x00"})
    queue.put_nowait({"type": "websocket.receive", "text": "early 2"})
    queue.put_nowait({"type": "websocket.disconnect", "code": 1000})
    direct = DirectSocket.of(functools.partial(handle_reply, protocol))
    assert direct is not None
    handled: list[str | bytes] = []
    assert direct.take_frames(handled.append) == ["early 1", b"\x00", "early 2"]
    assert [queue.get_nowait() for _ in range(queue.qsize())] == [
        {"type": "websocket.disconnect", "code": 1000}  # the disconnect stays queued
    ]
    protocol.onMessage('{"type": "ping"} é'.encode(), False)
    protocol.onMessage(b"\x01\x02", True)  # binary: handed on as bytes, in order
    assert handled == ['{"type": "ping"} é', b"\x01\x02"] and protocol.last_ping > 0
    assert queue.empty()
    protocol.state = 4  # closing: read too late to be answered, dropped
    protocol.onMessage(b"late", False)
    assert len(handled) == 2 and queue.empty()
    protocol.state = protocol.STATE_OPEN
    protocol.muted = True  # Daphne drops what a muted socket reads
    protocol.onMessage(b"dropped", False)
    assert len(handled) == 2 and queue.empty()


def test_no_frame_handler_without_daphnes_queue():
    protocol = FakeProtocol()
    direct = DirectSocket.of(functools.partial(handle_reply, protocol))
    assert direct is not None and direct.take_frames(lambda frame: None) is None
