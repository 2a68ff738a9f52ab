"""Frames to every connection on a board, from a consumer or from a view.

A board event carries the frame already encoded (`text`), so a broadcast to N
connections encodes JSON once, plus the frame's type and sender for filtering.
Consumers broadcast through their loop's hub (studio.live.fanout); synchronous code (views)
sends one channel-layer message that every hub delivers to its connections.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from studio.live.fanout import sync_event
from studio.live.frames import encode


def group_name(public_id: str, private: bool = False) -> str:
    """The board's group; the private group holds its interviewer connections only."""
    return f"board.{public_id}.private" if private else f"board.{public_id}"


def event(frame: dict[str, Any], reply_to: str | None = None) -> dict[str, Any]:
    return {
        "type": "board.event",
        "kind": frame["type"],
        "by": frame.get("by"),
        "reply_to": reply_to,
        "text": encode(frame),  # never NaN or Infinity on the wire
    }


def send_to_board(public_id: str, frame: dict[str, Any], private: bool = False) -> None:
    """Broadcast from synchronous code (a view) after its transaction committed."""
    layer = get_channel_layer()
    if layer is not None:
        group = group_name(public_id, private)
        async_to_sync(layer.group_send)(group, sync_event(group, event(frame)))
