"""Rate limits of one connection: a token bucket for edits, a throttle for cursors, and
the count of invalid frames that ends a connection.

A rate-limited edit is refused ("rate_limited") but is not held against the client: an
honest client that types fast is slowed, never disconnected. Only invalid frames (bad
JSON, unknown types, malformed fields, refused operations) count toward ABUSE_LIMIT; a
successful edit resets the count.
"""

from __future__ import annotations

import time

OPS_PER_SECOND = 30
OPS_BURST = 60
ABUSE_LIMIT = 200  # invalid frames in a row before the connection is closed (4408)
CURSOR_INTERVAL = 1 / 30


class TokenBucket:
    """Allows `rate` events a second on average, bursts of `burst`."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Limits:
    """The limits one connection is held to."""

    def __init__(self) -> None:
        self.ops = TokenBucket(OPS_PER_SECOND, OPS_BURST)
        self.invalid = 0
        self.last_cursor = 0.0

    def allow_op(self) -> bool:
        return self.ops.take()

    def allow_cursor(self) -> bool:
        """At most one cursor frame per CURSOR_INTERVAL; the others are dropped silently."""
        now = time.monotonic()
        if now - self.last_cursor < CURSOR_INTERVAL:
            return False
        self.last_cursor = now
        return True

    def note_invalid(self) -> bool:
        """Count an invalid frame; True when the connection should now be closed."""
        self.invalid += 1
        return self.invalid >= ABUSE_LIMIT

    def note_valid(self) -> None:
        self.invalid = 0
