"""Section 3 of bench/live.py: the server memory of idle WebSocket connections.

Run alone:  .venv/bin/python bench/live_idle.py [--idle 1000 --idle-steps 5]
(the same as `bench/live.py --sections idle ...`).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live_harness import (
    HOST,
    PER_BOARD,
    Client,
    Recorder,
    boards_with_cookies,
    close_clients,
    log,
    median,
    open_clients,
    rss_kb,
    settle,
    wait_idle,
)


async def idle_section(
    port: int, pid: int, design: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    total, steps = args.idle, args.idle_steps
    boards = await boards_with_cookies(port, design, math.ceil(total / PER_BOARD))
    urls = [(f"ws://{HOST}:{port}/ws/boards/{b}/", cookie) for b, cookie in boards]
    recorder = Recorder()
    clients: list[Client] = []
    # Warm-up: a few connections opened and closed, so the first step does not pay for
    # imports, the database connection and the first allocations.
    warm_board = (await boards_with_cookies(port, design, 1))[0]
    warm = await open_clients(
        [(f"ws://{HOST}:{port}/ws/boards/{warm_board[0]}/", warm_board[1])] * 10,
        recorder,
        welcome=True,
    )
    await close_clients(warm)
    await settle(recorder, limit=10)
    await wait_idle([pid])
    start_rss = rss_kb(pid)
    readings = [(0, start_rss)]
    began = time.monotonic()
    per_step = []
    try:
        for step in range(steps):
            lo, hi = total * step // steps, total * (step + 1) // steps
            # Connection k goes to board k mod boards: every board fills evenly.
            batch = [urls[k % len(urls)] for k in range(lo, hi)]
            clients += await open_clients(batch, recorder, welcome=True)
            await settle(recorder, quiet=0.5, limit=30)
            await wait_idle([pid])
            await asyncio.sleep(0.3)
            rss = rss_kb(pid)
            per_step.append((rss - readings[-1][1]) / (hi - lo))
            readings.append((hi, rss))
            log(f"idle: {hi:,} connections, server RSS {rss / 1024:,.1f} MB")
        opened = time.monotonic()
    finally:
        await close_clients(clients)
        await settle(recorder, limit=10)
        await wait_idle([pid])
    end_rss = readings[-1][1]
    return {
        "connections": readings[-1][0],
        "boards": len(boards),
        "start": start_rss,
        "seconds": opened - began,
        "end": end_rss,
        "after_close": rss_kb(pid),
        "per_step": per_step,
        "median": median(per_step),
        "overall": (end_rss - start_rss) / max(1, readings[-1][0]),
    }


if __name__ == "__main__":
    from bench.live import main

    sys.exit(main(["--sections", "idle", *sys.argv[1:]]))
