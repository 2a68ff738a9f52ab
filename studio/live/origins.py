"""Which web pages may open a board's WebSocket: the site's own origins only.

Channels' AllowedHostsOriginValidator compares only the host, so `http://127.0.0.1:9999`
or `https://127.0.0.1` passed for a site served at `http://127.0.0.1:8000`. Here the
whole origin (scheme, host and port) must match:

- DJANGO_ALLOWED_ORIGINS (settings.ALLOWED_ORIGINS), when set: exactly those origins,
  e.g. `https://studio.example.com` (docs/deploy.md);
- otherwise the request's own origin: the Host header (a host in ALLOWED_HOSTS, with its
  port) and the scheme the browser used, `https` when the socket is `wss` or when the
  configured proxy header (SECURE_PROXY_SSL_HEADER) says so, `http` otherwise.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise(origin: str) -> str | None:
    """`scheme://host:port` in lower case with the port made explicit, or None."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    if parts.username or parts.password or parts.query or parts.fragment:
        return None
    return f"{parts.scheme}://{parts.hostname}:{port or DEFAULT_PORTS[parts.scheme]}"


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _secure(scope: dict[str, Any]) -> bool:
    if scope.get("scheme") in ("wss", "https"):
        return True
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        header, expected = proxy
        name = header.removeprefix("HTTP_").replace("_", "-").lower().encode()
        value = _header(scope, name)
        return value is not None and value.split(",")[0].strip() == expected
    return False


def own_origin(scope: dict[str, Any]) -> str | None:
    """The origin a page of this site has when it opens the socket in `scope`."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    return normalise(f"{'https' if _secure(scope) else 'http'}://{host}")


def origin_allowed(scope: dict[str, Any]) -> bool:
    origin = _header(scope, b"origin")
    if origin is None:
        return False
    given = normalise(origin)
    if given is None:
        return False
    configured = [normalise(o) for o in getattr(settings, "ALLOWED_ORIGINS", [])]
    if configured:
        return given in configured
    return given == own_origin(scope)


class SameOriginValidator:
    """ASGI middleware: refuses (403 at the handshake) a socket from any other origin."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            denier = WebsocketDenier()
            return await denier(scope, receive, send)
        return await self.application(scope, receive, send)
