"""Measured changes to how Autobahn (Daphne's WebSocket library) opens and reads sockets.

Found profiling bench/relay.py's connect storm (py-spy, docs/benchmarks.md): Autobahn
pretty-prints its whole configuration for a debug log line as each WebSocket opens,
whether or not debug logging is on (about a seventh of the CPU of admitting 200
simultaneous connects). Likewise it colours the names of a method and a peer for a debug
line on every read from a socket (`hltype`, `hlval`: cProfile of the live path). These
are made lazy: the text is built only if a debug message is ever rendered. Behaviour is
unchanged.

(Writing frames to the socket at once instead of through Twisted's buffered write was
measured too: it did not lower the CPU per delivery and broke handshakes, so it is not
done.)

Also the listen backlog. `daphne -b HOST -p PORT` listens with Twisted's default backlog of
50 connections waiting to be accepted; when more arrive at once (a connect storm, every
client of a blipped network reconnecting), the kernel drops the extra handshakes and
the clients retry after a second (their SYN timeout): bench/relay.py's storms took 1.1 s
instead of 0.3 whenever that happened. The TCP endpoints Daphne builds from -b/-p get
LISTEN_BACKLOG instead (the kernel caps it at net.core.somaxconn); an endpoint given with
`-e` keeps what it says. This takes effect because Daphne's command line imports the
application (studio.asgi, which calls `apply`) before it builds its endpoints.
"""

from __future__ import annotations

import functools
import pprint
from collections.abc import Callable
from typing import Any

_applied = False

LISTEN_BACKLOG = 1024  # as many as Node's or nginx's default (511) and then some


class _Lazy:
    """`render(*args)`, made only when the log line is actually rendered."""

    __slots__ = ("render", "args")

    def __init__(self, render: Callable[..., Any], *args: Any) -> None:
        self.render, self.args = render, args

    def __str__(self) -> str:
        return str(self.render(*self.args))

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def apply() -> None:
    """Install both changes (idempotent; a no-op where Autobahn or Daphne is absent)."""
    global _applied
    if _applied:
        return
    _applied = True
    try:
        from autobahn.websocket import protocol as autobahn_protocol
    except ImportError:  # pragma: no cover - Daphne brings both
        return
    from autobahn.twisted import websocket as autobahn_twisted

    autobahn_protocol.pformat = lazy(pprint.pformat)  # type: ignore[assignment]
    for module in (autobahn_protocol, autobahn_twisted):
        module.hltype = lazy(module.hltype)  # type: ignore[attr-defined]
        module.hlval = lazy(module.hlval)  # type: ignore[attr-defined]
    try:
        from daphne import cli
    except ImportError:  # pragma: no cover
        return
    build = cli.build_endpoint_description_strings

    def with_backlog(*args: Any, **kwargs: Any) -> list[str]:
        return [with_listen_backlog(d) for d in build(*args, **kwargs)]

    cli.build_endpoint_description_strings = with_backlog


def lazy(render: Callable[..., Any]) -> Callable[..., _Lazy]:
    """`render`, put off until its result is shown (see _Lazy)."""
    return functools.partial(_Lazy, render)


def with_listen_backlog(description: str) -> str:
    """A Twisted TCP endpoint description with LISTEN_BACKLOG unless it sets one."""
    if not description.startswith("tcp:") or ":backlog=" in description:
        return description
    return f"{description}:backlog={LISTEN_BACKLOG}"
