"""Section 1 of bench/live.py: op latency on the live board, and the echo baseline.

Run alone:  .venv/bin/python bench/live_latency.py [bench/live.py's options]
(the same as `bench/live.py --sections latency ...`; bench/live.py's docstring describes
the load, the setups and what the tables show).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.exceptions import ConnectionClosed

from bench.live_harness import (
    HOST,
    OP_PREFIX,
    REPORT_PREFIX,
    Client,
    Recorder,
    close_clients,
    create_board,
    fmt,
    join,
    log,
    median,
    open_clients,
    own_cpu,
    percentile,
    process_cpu,
    settle,
    wait_idle,
)

# --- targets of a latency run: the live board or the echo -------------------------------------


@dataclass
class BoardTarget:
    ports: list[int]
    pids: list[int]
    design: dict[str, Any]

    label = "board"
    welcome = True

    def node_ids(self) -> list[str]:
        return [n["id"] for n in self.design["nodes"]]

    def endpoints(self, n: int) -> list[tuple[str, str | None]]:
        """A new board and n clients, joined alternately as interviewer and candidate on
        the process each will connect to (client k uses process k mod processes)."""
        created = create_board(self.ports[0], self.design)
        public_id, links = created["id"], created["links"]

        def one(k: int) -> tuple[str, str]:
            port = self.ports[k % len(self.ports)]
            cookie = join(port, links["candidate" if k % 2 else "interviewer"])
            return f"ws://{HOST}:{port}/ws/boards/{public_id}/", cookie

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            return list(pool.map(one, range(n)))


@dataclass
class EchoTarget:
    ports: list[int]
    pids: list[int]

    label = "echo"
    welcome = False

    def endpoints(self, n: int) -> list[tuple[str, str | None]]:
        return [(f"ws://{HOST}:{self.ports[k % len(self.ports)]}/ws/echo/", None) for k in range(n)]


@dataclass
class LoadResult:
    target: str
    clients: int
    senders: int = 0
    sent: int = 0
    delivered: int = 0
    expected: int = 0
    p50: float = math.nan
    p99: float = math.nan
    worst: float = math.nan
    all_p50: float = math.nan
    all_p99: float = math.nan
    per_second: float = math.nan
    elapsed: float = math.nan
    server_cpu_s: float = math.nan  # CPU seconds of the server processes over `elapsed`
    client_cpu: float = math.nan  # share of one core used by this process
    errors: list[str] = field(default_factory=list)
    failure: str = ""
    op: str = ""  # the edit sent (OP_KINDS), "" for the echo

    @property
    def lost(self) -> int:
        return self.expected - self.delivered

    @property
    def cpu_ms_per_op(self) -> float:
        return self.server_cpu_s * 1000 / self.sent if self.sent else math.nan

    @property
    def per_cpu_second(self) -> float:
        """Deliveries per CPU-second of the servers: what one busy core would deliver."""
        return self.delivered / self.server_cpu_s if self.server_cpu_s > 0 else math.nan


def edit(kind: str, k: int, cid: str, node_ids: Sequence[str]) -> dict[str, Any]:
    """The k-th operation of kind `kind` (OP_KINDS)."""
    node_id = node_ids[k % len(node_ids)]
    if kind == "rename":
        return {"op": "update_node", "id": node_id, "changes": {"label": f"Part {cid}"}}
    if kind == "findings":
        return {
            "op": "update_notes",
            "step": "requirements",
            "text": "" if k % 2 else f"Requirements, take {cid}",
        }
    return {"op": "move_node", "id": node_id, "x": 100 + (k * 37) % 800, "y": 80 + (k * 53) % 500}


OP_KINDS = ("move", "rename", "findings")


async def drive(
    recorder: Recorder,
    senders: Sequence[Client],
    *,
    rate: float,
    count: int,
    prefix: str,
    node_ids: Sequence[str],
    kind: str = "move",
) -> int:
    """Send `count` ops of `kind` at `rate` a second in total, round-robin over senders,
    on an absolute schedule (a late send does not shift the next ones)."""
    start = time.perf_counter() + 0.02
    sent = 0
    for k in range(count):
        delay = start + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        cid = f"{prefix}{k}"
        text = json.dumps({"type": "op", "cid": cid, "base": 0, "op": edit(kind, k, cid, node_ids)})
        recorder.sent[cid] = time.perf_counter()
        try:
            await senders[k % len(senders)].socket.send(text)
            sent += 1
        except ConnectionClosed:
            recorder.sent.pop(cid, None)
    return sent


async def wait_delivered(recorder: Recorder, expected: int, limit: float) -> None:
    deadline = time.monotonic() + limit
    while recorder.delivered < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


async def load_run(
    target: BoardTarget | EchoTarget,
    n: int,
    args: argparse.Namespace,
    node_ids: Sequence[str],
    kind: str = "",
) -> LoadResult:
    result = LoadResult(target.label, n, op=kind)
    # A findings-changing edit is timed until its findings arrive (the `report` frame).
    recorder = Recorder(REPORT_PREFIX if kind == "findings" else OP_PREFIX)
    clients: list[Client] = []
    endpoints = await asyncio.to_thread(target.endpoints, n)
    try:
        clients = await open_clients(endpoints, recorder, welcome=target.welcome)
        await settle(recorder, limit=60)
        await wait_idle(target.pids)
        senders = clients[: max(1, min(n, args.senders))]
        result.senders = len(senders)
        # Warm-up (imports, database connections, caches): not measured.
        warm = max(len(senders), 6)
        warm += warm % 2  # even: the measured `findings` edits start by filling the note
        await drive(
            recorder,
            senders,
            rate=min(25.0 * len(senders), 100.0),
            count=warm,
            prefix="w",
            node_ids=node_ids,
            kind=kind or "move",
        )
        await wait_delivered(recorder, warm * n, limit=15)
        await settle(recorder, limit=15)
        await wait_idle(target.pids)
        recorder.reset()
        recorder.errors.clear()
        cpu_server, cpu_client = process_cpu(target.pids), own_cpu()
        began = time.perf_counter()
        count = max(1, round(args.rate * args.seconds))
        result.sent = await drive(
            recorder,
            senders,
            rate=args.rate,
            count=count,
            prefix="m",
            node_ids=node_ids,
            kind=kind or "move",
        )
        result.expected = result.sent * n
        await wait_delivered(recorder, result.expected, limit=max(5.0, 2 * args.seconds))
        ended = max(recorder.last_receipt, began + count / args.rate)
        elapsed = ended - began
        result.elapsed = elapsed
        result.server_cpu_s = process_cpu(target.pids) - cpu_server
        result.client_cpu = (own_cpu() - cpu_client) / elapsed
        result.delivered = recorder.delivered
        lat_ms = [v * 1000 for v in recorder.latencies]
        result.p50, result.p99 = median(lat_ms), percentile(lat_ms, 99)
        result.worst = max(lat_ms) if lat_ms else math.nan
        complete = [recorder.slowest[c] * 1000 for c, got in recorder.received.items() if got == n]
        result.all_p50, result.all_p99 = median(complete), percentile(complete, 99)
        result.per_second = recorder.delivered / elapsed if recorder.delivered else 0.0
        result.errors = list(recorder.errors)
    except Exception as exc:  # noqa: BLE001 - report the row and go on with the next
        result.failure = f"{type(exc).__name__}: {exc}"
    finally:
        await close_clients(clients)
        await wait_idle(target.pids)
    return result


def latency_rows(setup: str, results: Sequence[LoadResult]) -> list[list[str]]:
    rows = []
    for r in results:
        if r.failure:
            rows.append([setup, r.op or "any", r.clients, "failed: " + r.failure[:60]] + [""] * 9)
            continue
        errors = (
            f" ({len(r.errors)} errors: {', '.join(sorted(set(r.errors)))})" if r.errors else ""
        )
        rows.append(
            [
                setup,
                r.op or "any",
                r.clients,
                r.senders,
                f"{r.delivered:,}/{r.expected:,}{errors}",
                fmt(r.p50),
                fmt(r.p99),
                fmt(r.worst),
                fmt(r.all_p99),
                fmt(r.per_second, 0),
                fmt(r.cpu_ms_per_op),
                f"{r.server_cpu_s / r.elapsed:.0%}",
                f"{r.client_cpu:.0%}",
            ]
        )
    return rows


LATENCY_HEADERS = [
    "setup",
    "op",
    "clients",
    "senders",
    "delivered/expected",
    "p50 ms",
    "p99 ms",
    "max ms",
    "all-clients p99 ms",
    "deliveries/s",
    "server CPU ms/op",
    "server CPU",
    "client CPU",
]


async def latency_section(
    name: str, board: BoardTarget, echo: EchoTarget, args: argparse.Namespace, out: dict[str, Any]
) -> None:
    node_ids = board.node_ids()
    for n in args.sizes:
        for target, kind in [(board, kind) for kind in args.ops] + [(echo, "")]:
            log(
                f"{name}: {target.label}{f' ({kind})' if kind else ''}, {n} clients, "
                f"{args.rate:g} ops/s for {args.seconds:g} s"
            )
            result = await load_run(target, n, args, node_ids, kind)
            log(
                f"  -> {result.delivered:,}/{result.expected:,} delivered, "
                f"p50 {fmt(result.p50)} ms, p99 {fmt(result.p99)} ms"
                + (f" FAILED {result.failure}" if result.failure else "")
            )
            out.setdefault(name, {}).setdefault(target.label, []).append(result)


if __name__ == "__main__":
    from bench.live import main

    sys.exit(main(["--sections", "latency", *sys.argv[1:]]))
