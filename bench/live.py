"""Hold under load: the live board's latency, throughput, idle memory and connect storms.

Run from the repository root (docs/benchmarks.md has the figures):

    .venv/bin/python bench/live.py            # the full run (about 4 minutes)
    .venv/bin/python bench/live.py --quick    # a short run (about a minute)
    .venv/bin/python bench/live.py --sizes 2,10,50,200 --rate 20 --seconds 5
    .venv/bin/python bench/live.py --sections latency --setups embedded --sizes 50

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
import contextlib
import http.client
import json
import math
import os
import resource
import secrets
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.servers import (
    free_port,
    migrate,
    server_env,
    start_daphne,
    stop,
    wait_for_port,
)

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
                c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))
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


# --- HTTP: boards and role links -------------------------------------------------------------


def http_call(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.msg, response.read()
    finally:
        conn.close()


def create_board(port: int, document: dict[str, Any]) -> dict[str, Any]:
    status, _, body = http_call(
        port,
        "POST",
        "/api/boards",
        json.dumps(document).encode(),
        {"Content-Type": "application/json"},
    )
    if status != 201:
        raise RuntimeError(f"POST /api/boards answered {status}: {body[:200]!r}")
    return json.loads(body)


def join(port: int, link: str) -> str:
    """Open a role link (without following its redirect); return the session cookie."""
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    status, headers, _ = http_call(port, "GET", path)
    cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []]
    if status not in (301, 302) or not any(c.startswith("sessionid=") for c in cookies):
        raise RuntimeError(f"joining {path} answered {status} without a session")
    return "; ".join(cookies)


# --- WebSocket clients ------------------------------------------------------------------------


class Recorder:
    """Everything the clients of one run saw; shared by their reader tasks."""

    def __init__(self) -> None:
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
        if text.startswith(OP_PREFIX):
            start = len(OP_PREFIX)
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
    recorder = Recorder()
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


# --- idle memory and connect storms -----------------------------------------------------------


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
