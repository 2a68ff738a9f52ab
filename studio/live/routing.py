"""WebSocket routes: one consumer per board, authenticated by the session."""

from django.urls import path

from studio.live.consumers import BoardConsumer

websocket_urlpatterns = [
    path("ws/boards/<str:public_id>/", BoardConsumer.as_asgi()),
]
