"""Fixtures for the Django side: boards with role sessions, WebSocket clients."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore

from components.document import parse
from studio.asgi import application
from studio.services import create_board
from studio.sessions import grant_role, set_display_name
from tests.conftest import DESIGNS


def make_board(design: str | None = "video_recommendation"):
    """A board created from an example design (or blank), with its role tokens."""
    document = (
        parse((DESIGNS / f"{design}.json").read_text())
        if design
        else parse('{"format": "mlsd-studio/board", "version": 1}')
    )
    return create_board(document, author="test")


def session_cookie(public_id: str, role: str, name: str = "") -> str:
    session = SessionStore()
    grant_role(session, public_id, role)
    if name:
        set_display_name(session, name)
    session.save()
    return f"sessionid={session.session_key}"


def client_as(board, role: str):
    """A Django test client whose session holds `role` on `board`."""
    from django.test import Client

    client = Client()
    client.cookies["sessionid"] = session_cookie(board.public_id, role).split("=", 1)[1]
    return client


@asynccontextmanager
async def ws_client(
    public_id: str, role: str | None, name: str = "", origin: str = "http://testserver"
):
    """A connected WebSocket client holding `role` on the board (None: no role)."""
    cookie = await database_sync_to_async(session_cookie)(public_id, role, name) if role else ""
    async with ws_cookie(public_id, cookie, origin) as communicator:
        yield communicator


@asynccontextmanager
async def ws_cookie(public_id: str, cookie: str, origin: str = "http://testserver"):
    """A connected WebSocket client sending `cookie` (a session's, from session_cookie)."""
    headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, f"/ws/boards/{public_id}/", headers=headers)
    connected, code = await communicator.connect()
    communicator.connected_ok = connected
    communicator.close_code = code
    try:
        yield communicator
    finally:
        try:
            await communicator.disconnect()
        except asyncio.CancelledError:
            pass  # a receive that timed out already stopped the application


async def refused_with(communicator, timeout: float = 3) -> int | None:
    """The close code of a connection the server accepted only to refuse (as it does, so
    that the browser learns why), or None when it sent a frame instead."""
    message = await communicator.receive_output(timeout=timeout)
    return message["code"] if message["type"] == "websocket.close" else None


async def receive_until(communicator, frame_type: str, timeout: float = 3) -> dict:
    """Frames arrive interleaved (presence, findings...): skip to the first of `frame_type`."""
    while True:
        frame = json.loads(await communicator.receive_from(timeout=timeout))
        if frame["type"] == frame_type:
            return frame


@pytest.fixture
def board_factory(db):
    return make_board
