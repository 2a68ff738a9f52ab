"""The harness of the live benchmarks (bench/live.py and its sections): servers, clients,
timing and tables.

- Servers: `Fleet` starts Daphne processes (tests/servers.py) on migrated SQLite files or a
  fresh PostgreSQL database and stops them all, even on error or Ctrl-C.
- HTTP: boards are created and joined with tests/live/client.py's `Browser` (the same
  client the multi-process tests use), so the role rides in the session cookie.
- WebSockets: `open_clients` connects many clients; a `Recorder` matches broadcast `op`
  frames to their send time by cid, without decoding the JSON.
- Figures: percentiles, medians, process CPU and memory, Markdown tables.

The sections: bench/live_latency.py (op latency and the echo baseline), bench/live_idle.py
(idle connection memory), bench/live_storm.py (simultaneous connects).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import math
import os
import resource
import secrets
import socket
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# Run as a script: the repository root goes on the path before its packages are imported.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.live.client import Browser
from tests.servers import (
    free_port,
    migrate,
    server_env,
    start_daphne,
    stop,
    wait_for_port,
)

ROOT = Path(__file__).resolve().parent.parent
DESIGN = ROOT / "tests" / "fixtures" / "designs" / "video_recommendation.json"
HOST = "127.0.0.1"
PER_BOARD = 50  # studio.live.consumers.MAX_CONNECTIONS_PER_BOARD
STORM_PER_BOARD = 40  # connections per board in the connect storm (under the limit)
OPEN_CONCURRENCY = 50  # connects in flight while setting up a latency run
TICKS = os.sysconf("SC_CLK_TCK")

# Broadcast frames start with these bytes (json.dumps keeps "type" then "cid" first, in
# studio.live.consumers and in the frames the benchmark sends to the echo), so receipts are
# matched without decoding the JSON in the client.
OP_PREFIX = '{"type": "op", "cid": "'
REPORT_PREFIX = '{"type": "report", "cid": "'  # the findings that follow an edit
WELCOME_PREFIX = '{"type": "welcome"'
ERROR_PREFIX = '{"type": "error"'

TARGETS = {"p50_ms": 10.0, "p99_ms": 40.0, "ratio": 0.80, "kb_per_conn": 50.0}
TARGET_CLIENTS = 50

# --- small utilities ------------------------------------------------------------------------

_STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"  {time.monotonic() - _STARTED:6.1f}s · {message}", flush=True)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def fmt(value: float, digits: int = 1) -> str:
    return (
        "–"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:,.{digits}f}"
    )


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], note: str = "") -> str:
    """A Markdown pipe table, aligned for the terminal too."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return (
            "| "
            + " | ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
            + " |"
        )

    out = [
        f"### {title}",
        "",
        line(cells[0]),
        "|"
        + "|".join("-" * (w + 1) + ":" if i else "-" * (w + 2) for i, w in enumerate(widths))
        + "|",
    ]
    out += [line(row) for row in cells[1:]]
    if note:
        out += ["", note]
    return "\n".join(out)


def load_average() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def raise_open_files(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))  # children inherit it
        soft = new
    return soft


def process_cpu(pids: Sequence[int]) -> float:
    """CPU seconds (user + system) used so far by these processes, all threads."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / TICKS


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for row in f:
            if row.startswith("VmRSS:"):
                return int(row.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


async def wait_idle(
    pids: Sequence[int], *, below: float = 0.05, window: float = 0.2, limit: float = 20.0
) -> None:
    """Wait (at most `limit` s) until the servers use under `below` of a core."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = process_cpu(pids)
        await asyncio.sleep(window)
        if (process_cpu(pids) - before) / window < below:
            return


# --- HTTP: boards and role links (tests/live/client.py) -------------------------------------


def create_board(port: int, document: dict[str, Any]) -> dict[str, Any]:
    """A new board through POST /api/boards: {"id", "links": {role: url}}."""
    return Browser(f"http://{HOST}:{port}").create_board(document)


def join(port: int, link: str) -> str:
    """Open a role link as a new browser would; return its session cookie header."""
    browser = Browser(f"http://{HOST}:{port}")
    browser.open_link(link)
    cookie = browser.cookie_header()
    if "sessionid=" not in cookie:
        raise RuntimeError(f"joining {link} gave no session")
    return cookie


async def boards_with_cookies(
    port: int, design: dict[str, Any], count: int
) -> list[tuple[str, str]]:
    """`count` new boards, each with a candidate session cookie."""

    def one(_: int) -> tuple[str, str]:
        created = create_board(port, design)
        return created["id"], join(port, created["links"]["candidate"])

    def all_of() -> list[tuple[str, str]]:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            return list(pool.map(one, range(count)))

    return await asyncio.to_thread(all_of)


# --- WebSocket clients ------------------------------------------------------------------------


class Recorder:
    """Everything the clients of one run saw; shared by their reader tasks."""

    def __init__(self, prefix: str = OP_PREFIX) -> None:
        """`prefix`: the frames whose arrival is timed (an edit's, or its findings')."""
        self.prefix = prefix
        self.frames = 0
        self.last_frame = time.perf_counter()
        self.errors: list[str] = []
        self.reset()

    def reset(self) -> None:
        self.sent: dict[str, float] = {}
        self.latencies: list[float] = []
        self.received: dict[str, int] = {}
        self.slowest: dict[str, float] = {}
        self.delivered = 0
        self.last_receipt = 0.0

    def on_text(self, text: str) -> None:
        now = time.perf_counter()
        self.frames += 1
        self.last_frame = now
        if text.startswith(self.prefix):
            start = len(self.prefix)
            cid = text[start : text.find('"', start)]
            sent = self.sent.get(cid)
            if sent is None:
                return
            latency = now - sent
            self.latencies.append(latency)
            self.received[cid] = self.received.get(cid, 0) + 1
            if latency > self.slowest.get(cid, 0.0):
                self.slowest[cid] = latency
            self.delivered += 1
            self.last_receipt = now
        elif text.startswith(ERROR_PREFIX) and len(self.errors) < 1000:
            self.errors.append(json.loads(text).get("code", "?"))


@dataclass
class Client:
    socket: ClientConnection
    reader: asyncio.Task | None = None


async def open_client(
    url: str, cookie: str | None, recorder: Recorder, *, welcome: bool, timeout: float = 30
) -> Client:
    """Connect; for the board, wait for `welcome` (an error frame or a close raises)."""
    origin = "http://" + url.split("://", 1)[1].split("/", 1)[0]
    socket_ = await connect(
        url,
        origin=origin,
        additional_headers={"Cookie": cookie} if cookie else None,
        open_timeout=timeout,
        close_timeout=2,
        ping_interval=None,
        max_size=2**22,
    )
    try:
        if welcome:
            async with asyncio.timeout(timeout):
                while True:
                    text = await socket_.recv()
                    if not isinstance(text, str):
                        continue
                    if text.startswith(WELCOME_PREFIX):
                        break
                    if text.startswith(ERROR_PREFIX):
                        raise RuntimeError(f"refused: {json.loads(text).get('code')}")
                    recorder.on_text(text)
    except BaseException:
        await socket_.close()
        raise
    client = Client(socket_)
    client.reader = asyncio.create_task(read_all(client, recorder))
    return client


async def read_all(client: Client, recorder: Recorder) -> None:
    try:
        async for message in client.socket:
            if isinstance(message, str):
                recorder.on_text(message)
    except ConnectionClosed:
        pass


async def open_clients(
    endpoints: Sequence[tuple[str, str | None]],
    recorder: Recorder,
    *,
    welcome: bool,
    concurrency: int = OPEN_CONCURRENCY,
) -> list[Client]:
    gate = asyncio.Semaphore(concurrency)

    async def one(url: str, cookie: str | None) -> Client:
        async with gate:
            return await open_client(url, cookie, recorder, welcome=welcome)

    results = await asyncio.gather(*(one(u, c) for u, c in endpoints), return_exceptions=True)
    clients = [r for r in results if isinstance(r, Client)]
    failures = [r for r in results if not isinstance(r, Client)]
    if failures:
        await close_clients(clients)
        raise RuntimeError(
            f"{len(failures)} of {len(endpoints)} connections failed, first: {failures[0]!r}"
        )
    return clients


async def close_clients(clients: Sequence[Client]) -> None:
    async def one(client: Client) -> None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5):
                await client.socket.close()
        if client.reader is not None:
            client.reader.cancel()
            with contextlib.suppress(BaseException):
                await client.reader

    await asyncio.gather(*(one(c) for c in clients))


async def settle(recorder: Recorder, *, quiet: float = 0.3, limit: float = 60) -> None:
    """Wait until no frame arrived for `quiet` seconds (at most `limit` seconds)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and time.perf_counter() - recorder.last_frame < quiet:
        await asyncio.sleep(0.05)


# --- servers ----------------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    proc: Any
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid


@dataclass
class Fleet:
    """Every Daphne process and database this run started; `close` undoes them all."""

    logs: Path
    procs: list[Any] = field(default_factory=list)
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def launch(self, name: str, env: dict[str, str], application: str) -> Server:
        """Start a Daphne process; `ready` waits for it (start several, then wait)."""
        port = free_port()
        log_path = self.logs / f"{name}-{port}.log"
        proc = start_daphne(port, env, log_path=log_path, application=application)
        self.procs.append(proc)
        return Server(port, proc, log_path)

    @staticmethod
    def ready(servers: Sequence[Server]) -> None:
        for server in servers:
            try:
                wait_for_port(server.port, proc=server.proc, timeout=90)
            except Exception:
                print(server.log.read_text(errors="replace")[-3000:], file=sys.stderr)
                raise

    @staticmethod
    def stop(servers: Sequence[Server]) -> None:
        for server in servers:
            stop(server.proc)

    def close(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(Exception):
                stop(proc)
        for cleanup in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                cleanup()


def sqlite_env(fleet: Fleet, name: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = server_env(
        sqlite_path=fleet.logs / f"{name}.sqlite3",
        extra={"DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", **(extra or {})},
    )
    migrate(env)
    return env


def echo_env(redis_url: str = "") -> dict[str, str]:
    env = server_env()
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["ECHO_GROUP"] = f"echo.{secrets.token_hex(4)}"
    if redis_url:
        env["ECHO_REDIS_URL"] = redis_url
    return env


def redis_reachable(url: str) -> str | None:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or HOST, parts.port or 6379), timeout=2
        ) as sock:
            sock.sendall(b"PING\r\n")
            answer = sock.recv(64)
    except OSError as exc:
        return f"Redis at {url} is unreachable ({exc})"
    if not answer.startswith(b"+PONG"):
        return f"Redis at {url} answered {answer[:40]!r} to PING"
    return None


def fresh_postgres(fleet: Fleet, admin_url: str) -> str:
    """A new, migrated database on admin_url's server, dropped by fleet.close()."""
    import psycopg

    name = f"mlsd_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    fleet.cleanups.append(drop)
    url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    migrate(server_env(extra={"DATABASE_URL": url}))
    return url


def postgres_reachable(url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means: skip the section
        return f"PostgreSQL at {url} is unreachable ({str(exc).strip() or type(exc).__name__})"
    return None
