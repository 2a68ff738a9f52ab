"""Hold under load: the live board's latency, throughput, idle memory and connect storms.

Run from the repository root (docs/benchmarks.md has the figures):

    .venv/bin/python bench/live.py            # the full run (about 4 minutes)
    .venv/bin/python bench/live.py --quick    # a short run (about a minute)
    .venv/bin/python bench/live.py --sizes 2,10,50,200 --rate 20 --seconds 5
    .venv/bin/python bench/live.py --sections latency --setups embedded --sizes 50

This file runs the sections and prints the tables; the code is split by section:
bench/live_harness.py (servers, clients over tests/live/client.py, timing, tables),
bench/live_latency.py (1-2), bench/live_idle.py (3), bench/live_storm.py (4). Each section
file also runs alone with the same options (`bench/live_storm.py --connects 100`).

It starts every server itself and stops them all at the end, even on error or Ctrl-C:

- embedded: one Daphne process, SQLite (a migrated temporary file) and the in-memory
  channel layer, as `make run` without DEBUG;
- scale-out: two Daphne processes over Redis (channels_redis pub/sub) and PostgreSQL (a
  fresh temporary database, created, migrated and dropped here). Clients alternate
  between the two processes. Skipped, with the reason printed, when Redis or PostgreSQL
  cannot be reached (--redis-url, --database-url; defaults: REDIS_URL / DATABASE_URL,
  else the local servers on 127.0.0.1; only servers on this machine are accepted).

Sections (--sections latency,idle,storm), one table each:

1. Op latency (--setups embedded,scale-out). For each client count (--sizes), a new
   board is created through POST /api/boards and every client joins it through the
   interviewer or candidate link (its own session cookie), then opens the board's
   WebSocket. Up to --senders clients send operations at a steady total --rate, each
   with a unique cid and its send time; every client records when the `op` broadcast
   with that cid arrives (matched on the cid). --ops picks the edits, one run each:
   `move` (move_node, a drag: not even validated, positions cannot change findings),
   `rename` (update_node of a label: validated; this board's findings stay the same, so
   the op frame carries no report) and `findings` (update_notes that fills and empties
   step 1's note in turn: every edit changes the step coverage, so every op frame
   carries the new report, about 0.9 KB). Latency is send -> receipt for
   every (operation, client) pair: p50 (the median) and p99, plus the p99 of the time
   until the last client had it, and delivered/expected broadcasts.
   Fan-out to 200 clients needs more than the 50 connections per board and process that
   studio.live.consumers allows, so these runs serve bench/live_asgi.py: studio.asgi with
   only MAX_CONNECTIONS_PER_BOARD raised.
2. Echo baseline: the same load, same clients and frames, on bench/echo_app.py (a bare
   Channels consumer that group_sends each frame it receives, over the same channel
   layer). Deliveries a second of the board vs the echo and their ratio; also per
   CPU-second of the servers, which the other programs on the machine do not skew.
3. Idle memory: --idle idle WebSocket connections (50 per board, the limit: 20 boards
   for 1,000) to a fresh embedded server serving studio.asgi, opened in --idle-steps
   equal steps; the server's VmRSS is read from /proc before and after each step.
   Reported: KB per connection, the median of the steps and over the whole.
4. Connect storm: --connects simultaneous connects (asyncio.gather, 40 per board) to the
   same server, --rounds times on fresh boards; errors, and the median over the rounds
   of the time until every connection had its `welcome`.

A table of the targets closes the run. Latencies are in milliseconds; every timing is a
median or a percentile over many samples (a median over rounds for the storms), never
a single measurement. The benchmark's client runs in this process, on the same machine
as the servers: its CPU use is reported next to theirs, and so is the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import math
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Run as a script: the repository root goes on the path before its packages are imported.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live_harness import (
    DESIGN,
    PER_BOARD,
    STORM_PER_BOARD,
    TARGET_CLIENTS,
    TARGETS,
    Fleet,
    Server,
    echo_env,
    fmt,
    fresh_postgres,
    load_average,
    log,
    postgres_reachable,
    raise_open_files,
    redis_reachable,
    sqlite_env,
    table,
)
from bench.live_idle import idle_section
from bench.live_latency import (
    LATENCY_HEADERS,
    OP_KINDS,
    BoardTarget,
    EchoTarget,
    latency_rows,
    latency_section,
)
from bench.live_storm import storm_section
from tests.servers import server_env

# --- the run ----------------------------------------------------------------------------------


@dataclass
class Plan:
    """The servers of the whole run, started together before the first measurement."""

    embedded: Server | None = None
    echo: Server | None = None
    pair: list[Server] = field(default_factory=list)
    echo_pair: list[Server] = field(default_factory=list)
    idle: Server | None = None  # idle memory, then a storm after they close
    storm: Server | None = None  # a storm on a fresh server
    skipped: str = ""


def start_servers(args: argparse.Namespace, fleet: Fleet) -> Plan:
    """Migrate the databases (in parallel), then start every Daphne process and wait
    for all of them: the idle ones use no CPU while the others are measured."""
    plan = Plan()
    latency = "latency" in args.sections
    if not latency:
        plan.skipped = "the latency section was not asked for"
    elif "scale-out" not in args.setups:
        plan.skipped = "not in --setups"
    else:
        plan.skipped = (
            redis_reachable(args.redis_url) or postgres_reachable(args.database_url) or ""
        )
    limit = str(max(max(args.sizes), PER_BOARD))
    jobs: dict[str, Callable[[], Any]] = {}
    if latency and "embedded" in args.setups:
        jobs["embedded"] = lambda: sqlite_env(
            fleet, "embedded", {"BENCH_MAX_CONNECTIONS_PER_BOARD": limit}
        )
    if "idle" in args.sections:
        jobs["idle"] = lambda: sqlite_env(fleet, "idle")
    if "storm" in args.sections:
        jobs["storm"] = lambda: sqlite_env(fleet, "storm")
    if latency and not plan.skipped:
        jobs["postgres"] = lambda: fresh_postgres(fleet, args.database_url)
    with concurrent.futures.ThreadPoolExecutor(len(jobs) or 1) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        done = {name: future.result() for name, future in futures.items()}
    if "embedded" in done:
        plan.embedded = fleet.launch("embedded", done["embedded"], "bench.live_asgi:application")
        plan.echo = fleet.launch("echo", echo_env(), "bench.echo_app:application")
    if "postgres" in done:
        env = server_env(
            extra={
                "DATABASE_URL": done["postgres"],
                "REDIS_URL": args.redis_url,
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "BENCH_MAX_CONNECTIONS_PER_BOARD": limit,
            }
        )
        plan.pair = [
            fleet.launch(f"scale-out-{k}", env, "bench.live_asgi:application") for k in range(2)
        ]
        echo = echo_env(args.redis_url)
        plan.echo_pair = [
            fleet.launch(f"echo-redis-{k}", echo, "bench.echo_app:application") for k in range(2)
        ]
    if "idle" in done:
        plan.idle = fleet.launch("idle", done["idle"], "studio.asgi:application")
    if "storm" in done:
        plan.storm = fleet.launch("storm", done["storm"], "studio.asgi:application")
    fleet.ready(
        [
            s
            for s in (plan.embedded, plan.echo, *plan.pair, *plan.echo_pair, plan.idle, plan.storm)
            if s is not None
        ]
    )
    return plan


def load_tables(
    args: argparse.Namespace, setups: Sequence[str], loads: dict[str, Any]
) -> list[str]:
    note = (
        f"{args.rate:g} ops/s in total for {args.seconds:g} s, from up to "
        f"{args.senders} senders (op: move = move_node; rename = update_node of a "
        "label; findings = update_notes that changes the findings, so each op "
        "frame carries the report); latency from send to each client's receipt of the "
        "`op` broadcast (every client, the sender included), p50 = median; all-clients: "
        "until the last client had it. Server CPU: ms per operation (all its processes "
        "and threads) and share of one core; client CPU: this benchmark's share of one "
        "core."
    )
    tables = []
    for label, title in (
        ("board", "Op latency: live board"),
        ("echo", "Same load on the echo baseline (bench/echo_app.py)"),
    ):
        rows = []
        for name in setups:
            rows += latency_rows(name, loads.get(name, {}).get(label, []))
        tables.append(table(title, LATENCY_HEADERS, rows, note if label == "board" else ""))
    rows = []
    for name in setups:
        echoes = {r.clients: r for r in loads.get(name, {}).get("echo", [])}
        for b in loads.get(name, {}).get("board", []):
            e = echoes.get(b.clients)
            if b.failure or e is None or e.failure:
                rows.append([name, b.op, b.clients] + ["–"] * 7)
                continue
            ratio = b.per_second / e.per_second if e.per_second else math.nan
            per_cpu = b.per_cpu_second / e.per_cpu_second if e.per_cpu_second else math.nan
            rows.append(
                [
                    name,
                    b.op,
                    b.clients,
                    fmt(b.per_second, 0),
                    fmt(e.per_second, 0),
                    f"{ratio:.0%}",
                    "yes" if ratio >= TARGETS["ratio"] else "NO",
                    fmt(b.per_cpu_second, 0),
                    fmt(e.per_cpu_second, 0),
                    f"{per_cpu:.0%}",
                ]
            )
    tables.append(
        table(
            "Deliveries a second: live board vs echo",
            [
                "setup",
                "op",
                "clients",
                "board /s",
                "echo /s",
                "ratio",
                "≥ 80%",
                "board per CPU-s",
                "echo per CPU-s",
                "ratio per CPU-s",
            ],
            rows,
            "Deliveries: `op` broadcasts received, from the first send to the last receipt. "
            "Per CPU-s: deliveries per CPU-second of the server processes, i.e. what one fully "
            "busy core would deliver; it does not depend on what else the machine runs.",
        )
    )
    return tables


async def run(args: argparse.Namespace, fleet: Fleet) -> list[str]:
    design = json.loads(DESIGN.read_text())
    tables: list[str] = []
    loads: dict[str, Any] = {}
    setups: list[str] = []
    log("migrating and starting the servers")
    plan = await asyncio.to_thread(start_servers, args, fleet)
    idle: dict[str, Any] | None = None

    if plan.embedded and plan.echo:
        print("\n== Embedded: one Daphne, SQLite, in-memory layer ==", flush=True)
        setups.append("embedded")
        await latency_section(
            "embedded",
            BoardTarget([plan.embedded.port], [plan.embedded.pid], design),
            EchoTarget([plan.echo.port], [plan.echo.pid]),
            args,
            loads,
        )
        fleet.stop([plan.embedded, plan.echo])
    if plan.pair:
        print("\n== Scale-out: two Daphne processes, Redis pub/sub, PostgreSQL ==", flush=True)
        setups.append("scale-out")
        await latency_section(
            "scale-out",
            BoardTarget([s.port for s in plan.pair], [s.pid for s in plan.pair], design),
            EchoTarget([s.port for s in plan.echo_pair], [s.pid for s in plan.echo_pair]),
            args,
            loads,
        )
        fleet.stop(plan.pair + plan.echo_pair)
    elif "latency" in args.sections:
        print(f"\n== Scale-out skipped: {plan.skipped} ==", flush=True)
    if setups:
        tables += load_tables(args, setups, loads)

    storms: dict[str, dict[str, Any]] = {}
    if plan.idle or plan.storm:
        print(
            "\n== Idle connections and connect storms: embedded servers (studio.asgi) ==",
            flush=True,
        )
    try:
        if plan.storm:
            storms["fresh server"] = await storm_section(
                plan.storm.port, plan.storm.pid, design, args
            )
            fleet.stop([plan.storm])
        if plan.idle:
            idle = await idle_section(plan.idle.port, plan.idle.pid, design, args)
            if "storm" in args.sections:
                # As after a network blip: everyone reconnects at once, right after the
                # mass disconnect.
                storms[
                    f"right after {idle['connections']:,} connections closed"
                ] = await storm_section(plan.idle.port, plan.idle.pid, design, args)
            fleet.stop([plan.idle])
    except Exception as exc:  # noqa: BLE001 - print the tables measured so far
        print(f"  !! idle/storm section failed: {type(exc).__name__}: {exc}", flush=True)
    if idle:
        rows = [
            [
                f"{idle['connections']:,} over {idle['boards']} boards",
                f"{idle['start'] / 1024:,.1f}",
                f"{idle['end'] / 1024:,.1f}",
                f"{idle['after_close'] / 1024:,.1f}",
                ", ".join(f"{v:.1f}" for v in idle["per_step"]),
                fmt(idle["median"]),
                fmt(idle["overall"]),
                fmt(idle["seconds"], 1),
            ]
        ]
        tables.append(
            table(
                "Idle connections: server memory",
                [
                    "connections",
                    "RSS before MB",
                    "RSS with all MB",
                    "RSS after closing MB",
                    "KB/conn per step",
                    "median KB/conn",
                    "overall KB/conn",
                    "s to open and settle",
                ],
                rows,
                f"Opened in {args.idle_steps} equal steps, at most {PER_BOARD} "
                "per board (the limit); VmRSS of the Daphne process once the "
                "presence frames settled.",
            )
        )
    if storms:
        rows = [
            [
                when,
                args.connects,
                len(st["rounds"]),
                st["errors"],
                fmt(st["all_ms"], 0),
                fmt(st["p50"], 0),
                fmt(st["p99"], 0),
                fmt(st["worst"], 0),
            ]
            for when, st in storms.items()
        ]
        errors = [
            f"{when}: {st['first_error']}" for when, st in storms.items() if st["first_error"]
        ]
        tables.append(
            table(
                "Simultaneous connects",
                [
                    "when",
                    "connects",
                    "rounds",
                    "errors",
                    "median time to all ms",
                    "median p50 ms",
                    "median p99 ms",
                    "slowest round ms",
                ],
                rows,
                f"asyncio.gather of {args.connects} connects, {STORM_PER_BOARD} "
                "per board, on new boards each round; a connect ends with its "
                "`welcome`. Medians over the rounds."
                + (" First error: " + "; ".join(errors) if errors else ""),
            )
        )
    tables.append(targets_table(args, setups, loads, idle, storms, plan.skipped))
    return tables


def targets_table(
    args: argparse.Namespace,
    setups: Sequence[str],
    loads: dict[str, Any],
    idle: dict[str, Any] | None,
    storms: dict[str, dict[str, Any]],
    skipped: str,
) -> str:
    rows = []
    for name, kind in [(name, kind) for name in setups for kind in args.ops]:
        board = next(
            (
                r
                for r in loads.get(name, {}).get("board", [])
                if r.clients == TARGET_CLIENTS and r.op == kind and not r.failure
            ),
            None,
        )
        if board is None:
            continue
        ok = board.p50 <= TARGETS["p50_ms"] and board.p99 <= TARGETS["p99_ms"] and board.lost == 0
        rows.append(
            [
                f"{name}: {TARGET_CLIENTS} clients at {args.rate:g} ops/s ({kind})",
                "p50 ≤ 10 ms, p99 ≤ 40 ms, none lost",
                f"p50 {fmt(board.p50)}, p99 {fmt(board.p99)}, lost {board.lost:,}",
                "yes" if ok else "NO",
            ]
        )
        echo = next(
            (
                r
                for r in loads[name].get("echo", [])
                if r.clients == TARGET_CLIENTS and not r.failure
            ),
            None,
        )
        if echo and echo.per_second:
            ratio = board.per_second / echo.per_second
            per_cpu = board.per_cpu_second / echo.per_cpu_second
            rows.append(
                [
                    f"{name}: {TARGET_CLIENTS} clients vs echo ({kind})",
                    "≥ 80% of the echo's deliveries/s",
                    f"{ratio:.0%} (per CPU-second: {per_cpu:.0%})",
                    "yes" if ratio >= TARGETS["ratio"] else "NO",
                ]
            )
    if idle:
        rows.append(
            [
                "idle connection memory",
                "≤ 50 KB each",
                f"{fmt(idle['median'])} KB",
                "yes" if idle["median"] <= TARGETS["kb_per_conn"] else "NO",
            ]
        )
    for when, storm in storms.items():
        rows.append(
            [
                f"{args.connects} simultaneous connects, {when}",
                "no error",
                f"{storm['errors']} errors",
                "yes" if storm["errors"] == 0 else "NO",
            ]
        )
    return table(
        "Targets",
        ["what", "target", "measured", "met"],
        rows,
        f"Scale-out not run: {skipped}." if skipped and "latency" in args.sections else "",
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a short run: 10 and 50 clients for 1.5 s, 200 idle connections, 3 connect rounds",
    )
    parser.add_argument(
        "--sections",
        default="latency,idle,storm",
        help="what to run, among latency (with the echo), idle and storm (default: all)",
    )
    parser.add_argument("--sizes", help="client counts (default 2,10,50,200)")
    parser.add_argument("--rate", type=float, default=20.0, help="operations a second in all")
    parser.add_argument("--seconds", type=float, help="measured seconds per run (default 5)")
    parser.add_argument(
        "--ops",
        default=",".join(OP_KINDS),
        help=f"edits to send, one run each: {', '.join(OP_KINDS)} (default: all)",
    )
    parser.add_argument(
        "--senders", type=int, default=10, help="clients that send operations (at most; default 10)"
    )
    parser.add_argument("--idle", type=int, help="idle connections (default 1000)")
    parser.add_argument(
        "--idle-steps", type=int, help="steps the idle connections are opened in (default 5)"
    )
    parser.add_argument(
        "--connects", type=int, default=200, help="simultaneous connects (default 200)"
    )
    parser.add_argument("--rounds", type=int, help="connect-storm rounds (default 5)")
    parser.add_argument(
        "--setups",
        default="embedded,scale-out",
        help="latency setups to run: embedded, scale-out (default: both)",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server where a temporary database is created",
    )
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)
    quick = args.quick
    args.sizes = [
        int(s)
        for s in (args.sizes or ("10,50" if quick else "2,10,50,200")).split(",")
        if s.strip()
    ]
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    args.setups = [s.strip() for s in args.setups.split(",") if s.strip()]
    args.ops = [s.strip() for s in args.ops.split(",") if s.strip()]
    if not args.ops or set(args.ops) - set(OP_KINDS):
        parser.error(f"--ops takes {', '.join(OP_KINDS)}")
    if set(args.setups) - {"embedded", "scale-out"}:
        parser.error("--setups: embedded and/or scale-out")
    unknown = set(args.sections) - {"latency", "idle", "storm"}
    if unknown or not args.sections:
        parser.error(f"--sections: unknown {', '.join(sorted(unknown)) or 'empty list'}")
    args.seconds = args.seconds or (1.5 if quick else 5.0)
    args.idle = args.idle or (200 if quick else 1000)
    args.idle_steps = args.idle_steps or (4 if quick else 5)
    args.rounds = args.rounds or (3 if quick else 5)
    if (
        args.rate <= 0
        or args.seconds <= 0
        or args.senders < 1
        or min(args.sizes) < 1
        or args.idle_steps < 1
        or args.idle < args.idle_steps
        or args.rounds < 1
    ):
        parser.error(
            "--rate, --seconds, --senders, --sizes, --idle, --idle-steps and --rounds "
            "must be positive"
        )
    if args.rate / min(args.senders, min(args.sizes)) > 30:
        parser.error("each sender is limited to 30 ops/s: lower --rate or add --senders")
    for url in (args.redis_url, args.database_url):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
            parser.error(f"{url}: the benchmark only talks to servers on this machine")
    return args


def interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Stop the servers on SIGTERM too (as on Ctrl-C), not only on a normal exit.
    signal.signal(signal.SIGTERM, interrupt)
    raise_open_files(4 * args.idle + 4096)
    started = time.monotonic()
    print(
        f"bench/live.py: sizes {args.sizes}, {args.rate:g} ops/s for {args.seconds:g} s, "
        f"{args.idle} idle, {args.connects} connects x {args.rounds}; "
        f"{os.cpu_count()} CPUs, load average {load_average()}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="mlsd-bench-") as tmp:
        fleet = Fleet(Path(tmp))
        try:
            tables = asyncio.run(run(args, fleet))
        except KeyboardInterrupt as exc:
            print(f"\ninterrupted ({exc or 'Ctrl-C'}): stopping the servers", flush=True)
            return 130
        finally:
            fleet.close()
    text = "\n\n".join(tables)
    print("\n" + text)
    print(
        f"\n(total {time.monotonic() - started:,.0f} s; {os.cpu_count()} CPUs; load average "
        f"at the end {load_average()})"
    )
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
