"""How many connections a board has in the other Daphne processes (the per-board limit).

Each process counts its own connections (studio.live.presence). With several processes behind
a load balancer the limit must count theirs too, so each process's hub keeps a Redis hash
per board up to date, one field per hub: "count:valid-until". A field is refreshed while
the hub has connections on the board and expires on its own (its deadline passes, or the
whole key's TTL) when a process dies without saying goodbye. Connects that race across
processes can overshoot the limit by the number of simultaneous connects; no lock is
taken, as a connect must not wait on another process.

Without REDIS_URL there is one process and nothing to count: `Alone`.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

logger = logging.getLogger(__name__)

TTL = 90.0  # seconds a published count stays valid without a refresh
REFRESH = 30.0  # seconds between refreshes of this process's counts


def key(public_id: str) -> str:
    return f"mlsd:occupancy:{public_id}"


class Occupancy(Protocol):
    async def others(self, public_id: str) -> int:
        """Connections on the board in the other processes."""

    async def publish(self, public_id: str, count: int) -> None:
        """This process now has `count` connections on the board."""

    async def close(self) -> None: ...


class Alone:
    """One process: the others have no connections."""

    async def others(self, public_id: str) -> int:
        return 0

    async def publish(self, public_id: str, count: int) -> None:
        return None

    async def close(self) -> None:
        return None


class Shared:
    """Counts shared through Redis (`me` is this process's hub id)."""

    def __init__(self, url: str, me: str) -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.me = me.encode()

    async def others(self, public_id: str) -> int:
        """Fails open: if Redis cannot be asked, count nobody (the connect goes ahead)."""
        try:
            entries = await self.redis.hgetall(key(public_id))
            now, total, stale = time.time(), 0, []
            for field, value in entries.items():
                if field == self.me:
                    continue
                text = value.decode() if isinstance(value, bytes) else value
                count, _, until = text.partition(":")
                if float(until) < now:
                    stale.append(field)
                else:
                    total += int(count)
            if stale:
                await self.redis.hdel(key(public_id), *stale)
            return total
        except Exception:  # Redis down: the limit falls back to this process
            logger.warning("occupancy of board %s unknown", public_id, exc_info=True)
            return 0

    async def publish(self, public_id: str, count: int) -> None:
        try:
            if count:
                async with self.redis.pipeline(transaction=False) as pipe:
                    pipe.hset(key(public_id), self.me, f"{count}:{time.time() + TTL:.0f}")
                    pipe.expire(key(public_id), int(TTL))
                    await pipe.execute()
            else:
                await self.redis.hdel(key(public_id), self.me)
        except Exception:  # counts are refreshed again in REFRESH seconds
            logger.warning("occupancy of board %s not published", public_id, exc_info=True)

    async def close(self) -> None:
        await self.redis.aclose()


def occupancy_for(redis_url: str, me: str) -> Occupancy:
    return Shared(redis_url, me) if redis_url else Alone()
