"""The live board beside a bare relay: latency, CPU per delivery and connect storms.

    .venv/bin/python bench/relay.py                       # 10, 50, 200 clients, 3 rounds
    .venv/bin/python bench/relay.py --sizes 10 --rounds 1 --seconds 3   # a quick look

Both servers are started here and stopped at the end:

- ours: one Daphne process serving the board (the embedded default: SQLite in WAL with
  synchronous=FULL, in-memory channel layer), through bench/live_asgi.py so one board can
  take 200 connections;
- relay: bench/relay_server.py, a bare WebSocket room relay of the same shape as
  excalidraw-room (no persistence, no validation, no acknowledgements), on the
  `websockets` library;
- daphne: bench/daphne_relay.py, the same bare relay as an ASGI application under Daphne
  (no Django, no Channels): the least any application served by Daphne can cost, so
  ours - daphne is our code and daphne - relay is the server the architecture chose.

For each client count, one client sends --rate edits a second for --seconds (a `move_node`
or, with --ops rename, an `update_node` of a label, which is validated) and every other
client records when the frame arrives; latency is send -> receipt for every (edit,
receiver) pair. Rounds interleave the two servers and the sizes, so a burst of load on the
machine hits all three. Per round: p50 and p99; CPU per delivery is the server process's CPU
time over the round divided by the deliveries. A last table gives the medians over rounds
and the ratios to the relay. Then --connects simultaneous connects to each, per round: the
time until every one is admitted (ours: its `welcome`; the relays: the first membership
frame, `room-user-change`, which excalidraw-room sends on each join), 40 to a
board (--per-room; a board takes at most 50 connections).

Our clients join through the viewer link (the sender through the candidate link), each
with its own session cookie, as browsers do; the relays' clients just connect.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import ClientConnection, connect  # noqa: E402

from tests.live.client import Browser  # noqa: E402
from tests.servers import (  # noqa: E402
    PYTHON,
    free_port,
    migrate,
    server_env,
    start_daphne,
    stop,
    wait_for_port,
)

DESIGN = json.loads(
    (ROOT / "tests" / "fixtures" / "designs" / "video_recommendation.json").read_text()
)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its reaped children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        padded = (
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([f"\n{title}", line(cells[0]), rule, *map(line, cells[1:])])


@dataclass
class Target:
    """A server under test: how to make a room for n clients and connect to it."""

    name: str
    port: int
    pid: int

    async def room(self, size: int) -> list[Any]:
        raise NotImplementedError

    def frame(self, k: int, kind: str, sent: float) -> str:
        raise NotImplementedError


@dataclass
class Ours(Target):
    async def room(self, size: int, editors: int = 1) -> list[tuple[str, str]]:
        """(websocket url, cookie) for `size` clients of a new board; the first `editors`
        may edit (candidate and interviewer links in turn), the others watch."""
        base = f"http://127.0.0.1:{self.port}"
        loop = asyncio.get_running_loop()
        created = await loop.run_in_executor(None, Browser(base).create_board, DESIGN)
        url = f"ws://127.0.0.1:{self.port}/ws/boards/{created['id']}/"

        def join(role: str) -> tuple[str, str]:
            browser = Browser(base)
            browser.open_link(created["links"][role])
            return url, browser.cookie_header()

        roles = [("candidate", "interviewer")[i % 2] for i in range(editors)]
        roles += ["viewer"] * (size - editors)
        return list(await asyncio.gather(*(loop.run_in_executor(None, join, r) for r in roles)))

    def frame(self, k: int, kind: str, sent: float) -> str:
        if kind == "rename":
            op = {"op": "update_node", "id": "rank", "changes": {"label": f"Ranker {k}"}}
        else:
            op = {"op": "move_node", "id": "rank", "x": k % 900, "y": 40}
        return json.dumps({"type": "op", "cid": f"{k}:{sent}", "base": 1, "op": op})


@dataclass
class Relay(Target):  # bench/relay_server.py and bench/daphne_relay.py alike
    async def room(self, size: int, editors: int = 1) -> list[tuple[str, str]]:
        url = f"ws://127.0.0.1:{self.port}/room/{os.urandom(6).hex()}"
        return [(url, "")] * size

    def frame(self, k: int, kind: str, sent: float) -> str:
        # The same bytes a client sends us: the relay forwards it unchanged.
        return Ours.frame(self, k, kind, sent)  # type: ignore[arg-type]


async def open_socket(url: str, cookie: str, port: int) -> ClientConnection:
    headers = {"Cookie": cookie} if cookie else {}
    return await connect(
        url,
        origin=f"http://127.0.0.1:{port}",
        additional_headers=headers,
        compression=None,
        max_size=2**22,
        open_timeout=60,
        ping_interval=None,
    )


@dataclass
class Round:
    latencies: list[float] = field(default_factory=list)
    delivered: int = 0
    cpu: float = 0.0


async def receive(socket: ClientConnection, result: Round, done: asyncio.Event) -> None:
    with contextlib.suppress(Exception):
        async for message in socket:
            now = time.perf_counter()
            if '"op"' not in message:
                continue
            frame = json.loads(message)
            if frame.get("type") != "op" or ":" not in str(frame.get("cid")):
                continue
            sent = float(frame["cid"].split(":", 1)[1])
            result.latencies.append((now - sent) * 1000)
            result.delivered += 1
            if done.is_set():
                return


async def load(target: Target, size: int, kind: str, rate: float, seconds: float) -> Round:
    """One run: `size` clients on a fresh room, the first sending `rate` edits a second."""
    joins = await target.room(size)
    sockets = await asyncio.gather(*(open_socket(u, c, target.port) for u, c in joins))
    if isinstance(target, Ours):  # as a browser does: sync, and wait for the snapshot
        await asyncio.gather(*(settled(s) for s in sockets))
    result, done = Round(), asyncio.Event()
    await asyncio.sleep(1.0)  # presence frames settle: the CPU measured is the edits'
    readers = [asyncio.create_task(receive(s, result, done)) for s in sockets[1:]]
    sender = sockets[0]
    drain = asyncio.create_task(_drain(sender))
    edits = int(rate * seconds)
    before = cpu_seconds(target.pid)
    start = time.perf_counter()
    for k in range(edits):
        wait = start + k / rate - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        await sender.send(target.frame(k, kind, time.perf_counter()))
    expected = edits * (size - 1)
    deadline = time.perf_counter() + 20
    while result.delivered < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    result.cpu = cpu_seconds(target.pid) - before
    done.set()
    drain.cancel()
    for task in readers:
        task.cancel()
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    return result


async def settled(socket: ClientConnection) -> None:
    await socket.send(json.dumps({"type": "sync", "since": 0}))
    async for message in socket:
        if '"snapshot"' in message and json.loads(message).get("type") == "snapshot":
            return


async def _drain(socket: ClientConnection) -> None:
    with contextlib.suppress(Exception):
        async for _ in socket:
            pass


async def storm(target: Target, connects: int, per_room: int) -> float:
    """Seconds until `connects` simultaneous connects (rooms of `per_room`) are admitted."""
    joins: list[tuple[str, str]] = []
    while len(joins) < connects:
        joins += await target.room(min(per_room, connects - len(joins)))
    start = time.perf_counter()

    async def one(url: str, cookie: str) -> ClientConnection:
        socket = await open_socket(url, cookie, target.port)
        admitted = '"welcome"' if isinstance(target, Ours) else '"room-user-change"'
        async for message in socket:
            if admitted in message:
                break
        return socket

    sockets = await asyncio.gather(*(one(u, c) for u, c in joins))
    elapsed = time.perf_counter() - start
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    return elapsed


def start_servers(work: Path) -> tuple[list[Target], list[Any]]:
    env = server_env(
        sqlite_path=work / "bench.sqlite3",
        extra={
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "BENCH_MAX_CONNECTIONS_PER_BOARD": "1000",
            "LIVE_ORDERING": os.environ.get("LIVE_ORDERING", "memory"),
        },
    )
    migrate(env)
    ours_port, relay_port, floor_port = free_port(), free_port(), free_port()
    ours = start_daphne(
        ours_port, env, log_path=work / "daphne.log", application="bench.live_asgi:application"
    )
    floor = start_daphne(
        floor_port, env, log_path=work / "floor.log", application="bench.daphne_relay:application"
    )
    import subprocess

    relay = subprocess.Popen(
        [PYTHON, str(ROOT / "bench" / "relay_server.py"), str(relay_port)],
        start_new_session=True,
        cwd=ROOT,
    )
    wait_for_port(ours_port, proc=ours, timeout=90)
    wait_for_port(relay_port, proc=relay, timeout=30)
    wait_for_port(floor_port, proc=floor, timeout=30)
    targets = [
        Ours("ours", ours_port, ours.pid),
        Relay("relay", relay_port, relay.pid),
        Relay("daphne", floor_port, floor.pid),
    ]
    return targets, [ours, relay, floor]


def in_turn(targets: list[Target], number: int) -> list[Target]:
    """The targets in round `number`'s order: each goes first in a round of its own."""
    k = number % len(targets)
    return targets[k:] + targets[:k]


async def run(args: argparse.Namespace, targets: list[Target]) -> list[str]:
    results: dict[tuple[str, int, str], list[Round]] = {}
    storms: dict[str, list[float]] = {t.name: [] for t in targets}
    for number in range(args.rounds):
        for size in args.sizes:
            for kind in args.ops:
                for target in in_turn(targets, number):
                    outcome = await load(target, size, kind, args.rate, args.seconds)
                    results.setdefault((target.name, size, kind), []).append(outcome)
                    print(
                        f"round {number + 1} {target.name:6} {size:4} clients {kind:6}: "
                        f"p50 {percentile(outcome.latencies, 0.5):6.1f} ms  "
                        f"p99 {percentile(outcome.latencies, 0.99):6.1f} ms",
                        file=sys.stderr,
                    )
        if args.connects:
            for target in in_turn(targets, number):
                storms[target.name].append(await storm(target, args.connects, args.per_room))
    out = []
    rows = []
    for (name, size, kind), rounds in sorted(
        results.items(), key=lambda i: (i[0][1], i[0][2], i[0][0])
    ):
        per = [
            f"{percentile(r.latencies, 0.5):.1f} / {percentile(r.latencies, 0.99):.1f}"
            for r in rounds
        ]
        deliveries = sum(r.delivered for r in rounds)
        cpu_us = sum(r.cpu for r in rounds) / deliveries * 1e6 if deliveries else float("nan")
        rows.append([f"{name} {size} {kind}", *per, f"{cpu_us:.0f}"])
    headers = ["server, clients, edit"] + [
        f"round {i + 1} p50 / p99 ms" for i in range(args.rounds)
    ]
    out.append(
        table(
            "Latency per round (send -> receipt, every receiver)",
            headers + ["CPU µs/delivery"],
            rows,
        )
    )
    med = lambda rs, q: statistics.median(percentile(r.latencies, q) for r in rs)  # noqa: E731
    worst = lambda rs: max(percentile(r.latencies, 0.99) for r in rs)  # noqa: E731
    cpu = lambda rs: sum(r.cpu for r in rs) / max(1, sum(r.delivered for r in rs))  # noqa: E731
    ratio_rows = []
    for size in args.sizes:
        for kind in args.ops:
            theirs = results[("relay", size, kind)]
            for name in ("ours", "daphne"):
                mine = results[(name, size, kind)]
                ratio_rows.append(
                    [
                        f"{size} {kind} {name}",
                        f"{med(mine, 0.5):.1f} / {med(theirs, 0.5):.1f}",
                        f"{med(mine, 0.5) / med(theirs, 0.5):.2f}",
                        f"{med(mine, 0.99):.1f} / {med(theirs, 0.99):.1f}",
                        f"{med(mine, 0.99) / med(theirs, 0.99):.2f}",
                        f"{worst(mine):.1f} / {worst(theirs):.1f}",
                        f"{cpu(mine) / cpu(theirs):.2f}" if cpu(theirs) else "-",
                    ]
                )
    out.append(
        table(
            "Against the relay (medians over rounds; daphne = the same relay under Daphne)",
            [
                "clients, edit, server",
                "p50 server / relay",
                "ratio",
                "p99 server / relay",
                "ratio",
                "worst-round p99",
                "CPU/delivery ratio",
            ],
            ratio_rows,
        )
    )
    if args.connects:
        out.append(
            table(
                f"{args.connects} simultaneous connects: seconds until all admitted",
                ["server", *[f"round {i + 1}" for i in range(args.rounds)], "median"],
                [
                    [name, *[f"{t:.2f}" for t in times], f"{statistics.median(times):.2f}"]
                    for name, times in storms.items()
                ],
            )
        )
    out.append(
        f"\nload average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; cores: {os.cpu_count()}"
    )
    return out


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        default="10,50,200",
        type=lambda s: [int(v) for v in s.split(",") if v],
        help='client counts ("" for the connect storm alone)',
    )
    parser.add_argument("--ops", default="move,rename", type=lambda s: s.split(","))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=20, help="edits a second (one sender)")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connects", type=int, default=200)
    parser.add_argument("--per-room", type=int, default=40, help="connects per board/room")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mlsd-relay-") as work:
        targets, procs = start_servers(Path(work))
        try:
            lines = asyncio.run(run(args, targets))
        except BaseException:
            log = Path(work) / "daphne.log"
            if log.exists():
                text = log.read_text(errors="replace")
                problems = [
                    ln
                    for ln in text.splitlines()
                    if "WSREJECT" in ln or "Error" in ln or "Traceback" in ln
                ]
                print("\n".join(problems[:30]), file=sys.stderr)
            raise
        finally:
            for proc in procs:
                stop(proc)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
