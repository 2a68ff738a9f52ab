"""The per-board connection limit across processes: counts shared through Redis."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from pathlib import Path

from studio.live import occupancy
from studio.live.occupancy import Shared
from tests.live.client import Browser, run
from tests.live.conftest import REDIS_URL, needs_services

pytestmark = needs_services

DESIGN = (
    Path(__file__).resolve().parent.parent / "fixtures" / "designs" / "video_recommendation.json"
)


async def counts_in_redis() -> tuple[int, int, int, int]:
    board = f"test-{secrets.token_hex(4)}"
    one, two = Shared(REDIS_URL, "one"), Shared(REDIS_URL, "two")
    try:
        await one.publish(board, 3)
        await two.publish(board, 4)
        seen_by_one, seen_by_two = await one.others(board), await two.others(board)
        # A process that died: its deadline has passed, so it counts for nobody.
        await one.redis.hset(occupancy.key(board), "dead", f"9:{time.time() - 1:.0f}")
        after_death = await two.others(board)
        await one.publish(board, 0)  # the last connection on `one` left
        after_leaving = await two.others(board)
        assert not await one.redis.hexists(occupancy.key(board), "dead")
        assert 0 < await one.redis.ttl(occupancy.key(board)) <= occupancy.TTL
        return seen_by_one, seen_by_two, after_death, after_leaving
    finally:
        await one.redis.delete(occupancy.key(board))
        await one.close()
        await two.close()


def test_each_process_counts_the_others_not_itself_nor_the_dead():
    assert run(counts_in_redis()) == (4, 3, 3, 0)


async def unreachable() -> int:
    shared = Shared("redis://127.0.0.1:1/0", "me")
    try:
        return await shared.others("board")
    finally:
        await shared.close()


def test_an_unreachable_redis_counts_nobody_rather_than_refusing_everyone():
    assert run(unreachable()) == 0


async def fill_the_board(bases: list[str], limit: int) -> tuple[list[str], list[str]]:
    owner = Browser(bases[0])
    created = owner.create_board(json.loads(DESIGN.read_text()))
    clients, outcomes = [], []
    try:
        for k in range(limit + 2):  # alternately on each process
            browser = Browser(bases[k % 2])
            browser.open_link(created["links"]["viewer"])
            client = await browser.connect(created["id"])
            clients.append(client)
            first = json.loads(await client.socket.recv())
            outcomes.append(first["type"] if first["type"] == "welcome" else first["code"])
        # Someone leaves: there is room again, on either process.
        drop(clients[0])
        await asyncio.sleep(0.5)
        browser = Browser(bases[1])
        browser.open_link(created["links"]["viewer"])
        late = await browser.connect(created["id"])
        clients.append(late)
        again = [json.loads(await late.socket.recv())["type"]]
        return outcomes, again
    finally:
        for client in clients:
            drop(client)


def drop(client) -> None:
    """Leave at once: a polite close would first wait for every unread frame (presence
    frames pile up in these clients, which read only their welcome)."""
    client.socket.transport.abort()


def test_the_limit_holds_across_two_processes(daphne_pair):
    bases, _procs, _env = daphne_pair
    limit = 50  # studio.live.consumers.MAX_CONNECTIONS_PER_BOARD
    outcomes, again = run(fill_the_board(bases, limit))
    assert outcomes[:limit] == ["welcome"] * limit
    # 25 connections on each process: each alone would still admit 25 more.
    assert outcomes[limit:] == ["board_full", "board_full"]
    assert again == ["welcome"]
