"""Section 4 of bench/live.py: simultaneous connects (a connect storm).

Run alone:  .venv/bin/python bench/live_storm.py [--connects 200 --rounds 5]
(the same as `bench/live.py --sections storm ...`).
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
    STORM_PER_BOARD,
    Client,
    Recorder,
    boards_with_cookies,
    close_clients,
    fmt,
    log,
    median,
    open_client,
    percentile,
    settle,
    wait_idle,
)


async def timed_connect(
    url: str, cookie: str, recorder: Recorder, began: float
) -> tuple[Client, float]:
    client = await open_client(url, cookie, recorder, welcome=True)
    return client, time.perf_counter() - began


async def storm_section(
    port: int, pid: int, design: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    rounds = []
    for number in range(args.rounds):
        boards = await boards_with_cookies(port, design, math.ceil(args.connects / STORM_PER_BOARD))
        endpoints = [
            (f"ws://{HOST}:{port}/ws/boards/{b}/", c)
            for b, c in (boards[k % len(boards)] for k in range(args.connects))
        ]
        recorder = Recorder()
        began = time.perf_counter()
        results = await asyncio.gather(
            *(timed_connect(u, c, recorder, began) for u, c in endpoints), return_exceptions=True
        )
        done = [r for r in results if isinstance(r, tuple)]
        failures = [r for r in results if not isinstance(r, tuple)]
        times = [t * 1000 for _, t in done]
        rounds.append(
            {
                "errors": len(failures),
                "all_ms": max(times) if times else math.nan,
                "p50": median(times),
                "p99": percentile(times, 99),
                "first_error": repr(failures[0]) if failures else "",
            }
        )
        log(
            f"storm {number + 1}: {len(done)}/{args.connects} connected in "
            f"{fmt(rounds[-1]['all_ms'], 0)} ms, {len(failures)} errors"
        )
        await close_clients([c for c, _ in done])
        await settle(recorder, limit=10)
        await wait_idle([pid])
    return {
        "rounds": rounds,
        "errors": sum(r["errors"] for r in rounds),
        "all_ms": median([r["all_ms"] for r in rounds]),
        "p50": median([r["p50"] for r in rounds]),
        "p99": median([r["p99"] for r in rounds]),
        "worst": max((r["all_ms"] for r in rounds), default=math.nan),
        "first_error": next((r["first_error"] for r in rounds if r["first_error"]), ""),
    }


if __name__ == "__main__":
    from bench.live import main

    sys.exit(main(["--sections", "storm", *sys.argv[1:]]))
