"""Faults: a Daphne process killed mid-session, Redis restarted under two processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from components.document import parse
from components.operations import apply_operation
from tests.conftest import DESIGNS
from tests.live.client import Browser, run
from tests.live.conftest import needs_services
from tests.servers import free_port, migrate, server_env, start_daphne, stop, wait_for_port

DESIGN = json.loads((DESIGNS / "video_recommendation.json").read_text())


async def join(base: str, created: dict, role: str = "candidate"):
    browser = Browser(base)
    browser.open_link(created["links"][role])
    client = await browser.connect(created["id"])
    await client.next("welcome")
    return browser, client


async def converge(client, since: int, document, public_id: str, browser: Browser):
    """Resync from `since` and return the document the client ends with, and the DB's."""
    await client.send({"type": "sync", "since": since})
    # Operations, or a snapshot when the restarted server no longer holds them in memory
    # (edits in flight at the kill that were committed put it past `since`).
    frame = await client.next("ops", 15, "snapshot")
    if frame["type"] == "snapshot":
        return parse(json.dumps(frame["board"])), json.loads(
            browser.get(f"/api/boards/{public_id}")
        )
    for item in frame["ops"]:
        document = apply_operation(document, item["op"])
    return document, json.loads(browser.get(f"/api/boards/{public_id}"))


def test_acknowledged_operations_survive_sigkill_and_clients_converge(tmp_path):
    env = server_env(sqlite_path=tmp_path / "db.sqlite3")
    migrate(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_daphne(port, env, log_path=tmp_path / "daphne.log")
    try:
        wait_for_port(port, proc=proc)

        async def session() -> None:
            owner = Browser(base)
            created = owner.create_board(DESIGN)
            browser, client = await join(base, created)
            document = parse(json.dumps(DESIGN))
            acked = 1
            possible: dict[str, set[float]] = {}  # positions each node may have after the kill
            for n in range(40):
                node_id = DESIGN["nodes"][n % 20]["id"]
                op = {"op": "move_node", "id": node_id, "x": n, "y": n}
                await client.send({"type": "op", "cid": str(n), "base": acked, "op": op})
                if n < 30:  # the last ten are in flight when the process dies
                    acked = (await client.next("ack"))["revision"]
                    document = apply_operation(document, op)
                    possible[node_id] = {n}
                else:
                    possible[node_id].add(n)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            restarted = start_daphne(port, env, log_path=tmp_path / "daphne2.log")
            try:
                wait_for_port(port, proc=restarted)
                stored = json.loads(owner.get(f"/api/boards/{created['id']}"))
                board = parse(json.dumps(stored))
                for node_id, xs in possible.items():  # every acknowledged move is kept
                    assert board.node(node_id).x in xs
                _, again = await join(base, created)
                mine, theirs = await converge(again, acked, document, created["id"], browser)
                assert mine.to_dict() == theirs
                await again.close()
            finally:
                stop(restarted)

        run(session())
    finally:
        stop(proc)


@pytest.mark.services
@needs_services
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_broadcasts_resume_after_redis_restarts(tmp_path, postgres_url):
    redis_port = free_port()
    command = [
        "redis-server",
        "--port",
        str(redis_port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(tmp_path),
    ]
    redis = subprocess.Popen(command, stdout=subprocess.DEVNULL, start_new_session=True)
    wait_for_port(redis_port, proc=redis)
    env = server_env(
        extra={"DATABASE_URL": postgres_url, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}
    )
    ports = [free_port(), free_port()]
    procs = [start_daphne(p, env, log_path=tmp_path / f"d{p}.log") for p in ports]
    try:
        for port, proc in zip(ports, procs, strict=True):
            wait_for_port(port, proc=proc)
        bases = [f"http://127.0.0.1:{p}" for p in ports]

        async def session() -> None:
            created = Browser(bases[0]).create_board(DESIGN)
            _, writer = await join(bases[0], created)
            browser, reader = await join(bases[1], created, "viewer")
            await writer.send(
                {
                    "type": "op",
                    "cid": "a",
                    "base": 1,
                    "op": {"op": "move_node", "id": "app", "x": 1, "y": 1},
                }
            )
            assert (await writer.next("ack"))["revision"] == 2
            assert (await reader.next("op"))["revision"] == 2
            os.killpg(redis.pid, signal.SIGKILL)
            redis.wait(timeout=10)
            restarted = subprocess.Popen(command, stdout=subprocess.DEVNULL, start_new_session=True)
            try:
                wait_for_port(redis_port, proc=restarted)
                deadline = time.monotonic() + 30
                revision, received = 2, None
                while received is None and time.monotonic() < deadline:
                    # Edits keep committing; broadcasts resume once the layer reconnects.
                    await writer.send(
                        {
                            "type": "op",
                            "cid": f"r{revision}",
                            "base": revision,
                            "op": {"op": "move_node", "id": "app", "x": revision, "y": 1},
                        }
                    )
                    revision = (await writer.next("ack", timeout=15))["revision"]
                    try:
                        received = await reader.next("op", timeout=2)
                    except TimeoutError:
                        continue
                assert received is not None, "broadcasts did not resume after Redis restarted"
                # The reader resyncs what it missed and matches the database.
                await reader.send({"type": "sync", "since": 2})
                missed = await reader.next("ops", timeout=15)
                assert [o["revision"] for o in missed["ops"]] == list(range(3, revision + 1))
                stored = json.loads(browser.get(f"/api/boards/{created['id']}"))
                assert stored["nodes"][0]["x"] == missed["ops"][-1]["op"]["x"]
            finally:
                os.killpg(restarted.pid, signal.SIGTERM)
                restarted.wait(timeout=10)

        run(session())
    finally:
        for proc in procs:
            stop(proc)
        if redis.poll() is None:
            os.killpg(redis.pid, signal.SIGKILL)


def test_a_burst_from_two_editors_killed_midway_keeps_every_acknowledged_edit(tmp_path):
    """Edits are broadcast before their commit (studio/live/engine.py): a SIGKILL in the
    middle of a burst loses no acknowledged edit, and a viewer that saw edits the killed
    process never stored is sent a snapshot of the database when it comes back."""
    env = server_env(sqlite_path=tmp_path / "db.sqlite3")
    migrate(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_daphne(port, env, log_path=tmp_path / "daphne.log")
    try:
        wait_for_port(port, proc=proc)

        async def session() -> None:
            owner = Browser(base)
            created = owner.create_board(DESIGN)
            _, alice = await join(base, created, "candidate")
            _, bob = await join(base, created, "interviewer")
            watcher_browser, watcher = await join(base, created, "viewer")
            epoch = watcher.frames[-1]["epoch"]
            for k in range(50):  # interleaved, nobody waits for acknowledgements
                await alice.send({"type": "op", "cid": f"a{k}", "op": _move("rank", k)})
                await bob.send({"type": "op", "cid": f"b{k}", "op": _move("app", 1000 + k)})
            acked: dict[str, int] = {}
            for name, client in (("a", alice), ("b", bob)):
                frame = await client.next("ack")  # at least one edit each is durable
                acked[name] = int(frame["cid"][1:])
            seen = (await watcher.next("op"))["revision"]
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            for name, client in (("a", alice), ("b", bob)):  # what arrived before the kill
                for frame in client.frames:
                    if frame["type"] == "ack":
                        acked[name] = max(acked[name], int(frame["cid"][1:]))
            restarted = start_daphne(port, env, log_path=tmp_path / "daphne2.log")
            try:
                wait_for_port(port, proc=restarted)
                stored = json.loads(owner.get(f"/api/boards/{created['id']}"))
                board = parse(json.dumps(stored))
                assert board.node("rank").x in range(acked["a"], 50)
                assert board.node("app").x in range(1000 + acked["b"], 1050)
                again = await watcher_browser.connect(created["id"])
                await again.next("welcome")
                await again.send({"type": "sync", "since": seen, "epoch": epoch})
                snapshot = await again.next("snapshot", timeout=15)
                assert snapshot["board"] == stored_board(stored)
                await again.close()
            finally:
                stop(restarted)

        run(session())
    finally:
        stop(proc)


def _move(node: str, x: int) -> dict:
    return {"op": "move_node", "id": node, "x": x, "y": 5}


def stored_board(exported: dict) -> dict:
    """The board part of a snapshot, from the API's export of the same board."""
    return parse(json.dumps(exported)).to_dict()
