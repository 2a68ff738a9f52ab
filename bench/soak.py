"""A long session under steady load: does anything grow, and does latency hold?

    .venv/bin/python bench/soak.py                 # 15 minutes (the figures in docs/)
    .venv/bin/python bench/soak.py --minutes 2     # a short look

One Daphne process (the embedded default: SQLite, in-memory layer), --boards boards with
--people people each; on every board the people take turns sending --rate edits a second
in total (moves, renames and worksheet notes, so findings change too), everyone sends a
cursor position twice a second, and every minute each person drops their socket and
reconnects with a resync, as a laptop on flaky Wi-Fi does. Each minute the run samples
the server's resident memory, open file descriptors and threads, the database's size
per stored edit, and the p99 of edit latency (send -> receipt at every other person) over
that minute. At the end: the samples, and each one's growth a minute (least squares over
the minutes after the first, when caches and pools have filled).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.relay import Ours, open_socket, percentile, table  # noqa: E402
from tests.servers import free_port, migrate, server_env, start_daphne, stop, wait_for_port  # noqa: E402


def proc_sample(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    values = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {
        "rss_kb": float(values["VmRSS"].split()[0]),
        "threads": float(values["Threads"].strip()),
        "fds": float(len(os.listdir(f"/proc/{pid}/fd"))),
    }


def stored_bytes(db: Path) -> int:
    """The database's logical size: its pages, committed ones in the WAL included."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        return pages * conn.execute("PRAGMA page_size").fetchone()[0]


def slope(values: Sequence[float]) -> float:
    """Least-squares growth per step."""
    n = len(values)
    if n < 2:
        return 0.0
    mean_x, mean_y = (n - 1) / 2, statistics.fmean(values)
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    return num / sum((i - mean_x) ** 2 for i in range(n))


class Person:
    def __init__(self, url: str, cookie: str, port: int, latencies: list[float]) -> None:
        self.url, self.cookie, self.port, self.latencies = url, cookie, port, latencies
        self.socket = None
        self.revision = 0
        self.epoch = ""
        self.reader: asyncio.Task | None = None

    async def connect(self) -> None:
        self.socket = await open_socket(self.url, self.cookie, self.port)
        await self.socket.send(
            json.dumps({"type": "sync", "since": self.revision, "epoch": self.epoch})
        )
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        with contextlib.suppress(Exception):
            async for message in self.socket:
                now = time.perf_counter()
                frame = json.loads(message)
                kind = frame.get("type")
                if kind == "welcome":
                    self.epoch = frame.get("epoch", "")
                elif kind in ("snapshot", "ops", "op"):
                    self.revision = max(self.revision, frame.get("revision", 0))
                    cid = str(frame.get("cid") or "")
                    if kind == "op" and ":" in cid:
                        self.latencies.append((now - float(cid.split(":", 1)[1])) * 1000)

    async def reconnect(self) -> None:
        if self.reader:
            self.reader.cancel()
        with contextlib.suppress(Exception):
            await self.socket.close()
        await self.connect()

    async def send(self, frame: dict) -> None:
        with contextlib.suppress(Exception):
            await self.socket.send(json.dumps(frame))


def edit(k: int) -> dict:
    kind = k % 10
    if kind == 0:
        return {"op": "update_notes", "step": "data", "text": "" if k % 20 else "Logs, labels"}
    if kind == 5:
        return {"op": "update_node", "id": "rank", "changes": {"label": f"Ranker v{k % 7}"}}
    return {"op": "move_node", "id": "rank", "x": 200 + k % 300, "y": 40 + k % 50}


async def board_load(people: list[Person], rate: float, stop_at: float, counter: list[int]) -> None:
    k = 0
    start = time.perf_counter()
    while time.perf_counter() < stop_at:
        wait = start + k / rate - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        sender = people[k % len(people)]
        op = edit(k)
        await sender.send({"type": "op", "cid": f"{k}:{time.perf_counter()}", "op": op})
        counter[0] += 1
        k += 1


async def cursors(people: list[Person], stop_at: float) -> None:
    while time.perf_counter() < stop_at:
        for person in people:
            await person.send(
                {"type": "cursor", "x": random.random() * 900, "y": random.random() * 500}
            )
        await asyncio.sleep(0.5)


async def soak(args: argparse.Namespace, ours: Ours, pid: int, db: Path) -> list[str]:
    boards = []
    for _ in range(args.boards):
        joins = await ours.room(args.people, editors=args.people)
        latencies: list[float] = []
        people = [Person(url, cookie, ours.port, latencies) for url, cookie in joins]
        for person in people:
            await person.connect()
        boards.append((people, latencies))
    edits = [0]
    base_size = stored_bytes(db)
    stop_at = time.perf_counter() + args.minutes * 60
    tasks = [asyncio.create_task(board_load(p, args.rate, stop_at, edits)) for p, _ in boards]
    tasks += [asyncio.create_task(cursors(p, stop_at)) for p, _ in boards]
    rows, samples = [], {"rss_kb": [], "fds": [], "threads": [], "bytes_per_edit": [], "p99": []}
    for minute in range(1, args.minutes + 1):
        await asyncio.sleep(
            max(0.0, stop_at - args.minutes * 60 + minute * 60 - time.perf_counter())
        )
        for people, _ in boards:  # everyone drops and comes back once a minute
            for person in people:
                await person.reconnect()
        sample = proc_sample(pid)
        per_edit = (stored_bytes(db) - base_size) / max(1, edits[0])
        minute_latencies = [v for _, lat in boards for v in lat]
        for _, lat in boards:
            lat.clear()
        p99 = percentile(minute_latencies, 0.99)
        for key, value in (*sample.items(), ("bytes_per_edit", per_edit), ("p99", p99)):
            samples[key].append(value)
        rows.append(
            [
                minute,
                f"{sample['rss_kb'] / 1024:.1f}",
                int(sample["fds"]),
                int(sample["threads"]),
                edits[0],
                f"{per_edit:.0f}",
                f"{p99:.1f}",
            ]
        )
        print(f"minute {minute}: {rows[-1]}", file=sys.stderr)
    for task in tasks:
        task.cancel()
    out = [
        table(
            f"Soak: {args.boards} boards x {args.people} people, {args.rate} edits/s per board, "
            "cursors, reconnect every minute",
            ["minute", "RSS MB", "fds", "threads", "edits", "DB bytes/edit", "p99 ms"],
            rows,
        )
    ]
    later = slice(1, None)
    out.append(
        table(
            "Growth a minute (least squares, minutes 2 on)",
            ["RSS KB/min", "fds/min", "threads/min", "p99 ms/min"],
            [
                [
                    f"{slope(samples['rss_kb'][later]):.1f}",
                    f"{slope(samples['fds'][later]):.2f}",
                    f"{slope(samples['threads'][later]):.2f}",
                    f"{slope(samples['p99'][later]):.2f}",
                ]
            ],
        )
    )
    out.append(
        f"\nload average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; cores: {os.cpu_count()}"
    )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=int, default=15)
    parser.add_argument("--boards", type=int, default=4)
    parser.add_argument("--people", type=int, default=5)
    parser.add_argument("--rate", type=float, default=5, help="edits a second per board")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mlsd-soak-") as work:
        db = Path(work) / "soak.sqlite3"
        env = server_env(sqlite_path=db, extra={"DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"})
        migrate(env)
        port = free_port()
        proc = start_daphne(port, env, log_path=Path(work) / "daphne.log")
        try:
            wait_for_port(port, proc=proc, timeout=90)
            lines = asyncio.run(soak(args, Ours("ours", port, proc.pid), proc.pid, db))
        finally:
            stop(proc)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
