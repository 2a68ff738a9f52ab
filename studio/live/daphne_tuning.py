"""A measured change to how Autobahn (Daphne's WebSocket library) opens every socket.

Found profiling bench/relay.py's connect storm (py-spy, docs/benchmarks.md): Autobahn
pretty-prints its whole configuration for a debug log line as each WebSocket opens,
whether or not debug logging is on (about a seventh of the CPU of admitting 200
simultaneous connects). `pformat` there is made lazy: the text is built only if a debug
message is ever rendered. Behaviour is unchanged.

(Writing frames to the socket at once instead of through Twisted's buffered write was
measured too: it did not lower the CPU per delivery and broke handshakes, so it is not
done.)
"""

from __future__ import annotations

import pprint
from typing import Any

_applied = False


class _Lazy:
    """Formats `value` with pprint only when the log line is actually rendered."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __str__(self) -> str:
        return pprint.pformat(self.value)

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def apply() -> None:
    """Install the change (idempotent; a no-op where Autobahn is absent)."""
    global _applied
    if _applied:
        return
    _applied = True
    try:
        from autobahn.websocket import protocol as autobahn_protocol
    except ImportError:  # pragma: no cover - Daphne brings both
        return
    autobahn_protocol.pformat = _Lazy  # type: ignore[assignment]
