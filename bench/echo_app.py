"""The baseline for bench/live.py: a bare echo-to-group WebSocket app.

Every connection joins one channel group; every text frame it receives is group_sent,
unchanged, to that group, and every group message is written to the socket. No
authentication, no database, no JSON decoding: what is left is the cost of Daphne and
the channel layer, which is what the live board is compared with.

Served by Daphne (`python -m daphne bench.echo_app:application`), configured from the
environment, not from studio.settings:

    ECHO_REDIS_URL   channels_redis pub/sub layer on this Redis (as studio.settings does
                     with REDIS_URL); unset: the in-memory layer
    ECHO_GROUP       the group every connection joins (default "echo")

The WebSocket path is /ws/echo/.
"""

from __future__ import annotations

import os
from typing import ClassVar

import django
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.conf import settings
from django.urls import path

REDIS_URL = os.environ.get("ECHO_REDIS_URL", "")
GROUP = os.environ.get("ECHO_GROUP", "echo")

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-echo-only",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        INSTALLED_APPS=["channels"],
        USE_TZ=True,
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [{"address": REDIS_URL, "max_connections": 20}]},
            }
            if REDIS_URL
            else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
        },
    )
    django.setup()


class EchoConsumer(AsyncWebsocketConsumer):
    """Joins GROUP on connect (the `groups` attribute); echoes every frame to it."""

    groups: ClassVar[list[str]] = [GROUP]

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is not None:
            await self.channel_layer.group_send(GROUP, {"type": "echo.frame", "text": text_data})

    async def echo_frame(self, event: dict[str, str]) -> None:
        await self.send(text_data=event["text"])


application = ProtocolTypeRouter(
    {
        "websocket": URLRouter([path("ws/echo/", EchoConsumer.as_asgi())]),
    }
)
