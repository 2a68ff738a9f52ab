"""The embedded channel layer: Channels' in-memory layer with expiry swept once a second.

The stock layer scans every channel queue for expired messages on every receive and
group_send. Queues of connections that closed with messages still in flight linger until
those messages expire (60 s), so after many people leave at once each message costs a
scan of all the leftovers, and new WebSocket handshakes then outlast Daphne's 5-second
limit (bench/live.py, docs/benchmarks.md). Expiry is time-based, so sweeping at most once
a second loses nothing but the cost.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer

SWEEP_INTERVAL = 1.0  # seconds


class SweepingInMemoryChannelLayer(InMemoryChannelLayer):
    _last_sweep = float("-inf")

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep >= SWEEP_INTERVAL:
            self._last_sweep = now
            super()._clean_expired()
