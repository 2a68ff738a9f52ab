"""Two Daphne processes on one PostgreSQL and one Redis serve one board consistently."""

from __future__ import annotations

import asyncio
import json
import random

import pytest

from components.document import parse
from components.operations import apply_operation
from tests.conftest import DESIGNS
from tests.live.client import Browser, run
from tests.live.conftest import needs_services

pytestmark = [pytest.mark.services, needs_services]

OPS_PER_CLIENT = 25


def edits(client_no: int, node_ids: list[str]) -> list[dict]:
    """Interleaving-prone edits: moves of shared nodes, labels, notes, one add per client."""
    rng = random.Random(client_no)
    ops: list[dict] = [
        {
            "op": "add_node",
            "node": {"id": f"extra{client_no}", "type": "cache", "x": client_no * 50, "y": 700},
        }
    ]
    for n in range(OPS_PER_CLIENT - 1):
        target = rng.choice(node_ids)
        kind = n % 3
        if kind == 0:
            ops.append(
                {
                    "op": "move_node",
                    "id": target,
                    "x": rng.randint(0, 900),
                    "y": rng.randint(0, 600),
                }
            )
        elif kind == 1:
            ops.append(
                {"op": "update_node", "id": target, "changes": {"label": f"c{client_no}-{n}"}}
            )
        else:
            ops.append({"op": "update_notes", "step": "data", "text": f"c{client_no}-{n}"})
    return ops


async def run_session(bases: list[str]) -> tuple[list[list[dict]], dict, int, str]:
    design = json.loads((DESIGNS / "video_recommendation.json").read_text())
    owner = Browser(bases[0])
    created = owner.create_board(design)
    public_id = created["id"]
    browsers = []
    for n in range(4):
        browser = Browser(bases[n % 2])
        browser.open_link(created["links"]["candidate" if n % 2 else "interviewer"])
        browsers.append(browser)
    clients = [await b.connect(public_id) for b in browsers]
    for client in clients:
        await client.next("welcome")
        await client.send({"type": "sync", "since": 0})
        await client.next("snapshot")
    node_ids = [n["id"] for n in design["nodes"]]

    async def drive(no: int) -> None:
        for k, op in enumerate(edits(no, node_ids)):
            await clients[no].send({"type": "op", "cid": f"{no}-{k}", "base": 1, "op": op})
            await asyncio.sleep(0.005)

    await asyncio.gather(*(drive(n) for n in range(len(clients))))
    final = 1 + OPS_PER_CLIENT * len(clients)
    received: list[list[dict]] = []
    for client in clients:
        seen = [f for f in client.frames if f["type"] == "op"]
        # Each process writes its own clients' operations at once and the other's after
        # a trip through Redis, so revisions may arrive out of order: wait for all.
        while len({f["revision"] for f in seen}) < final - 1:
            seen.append(await client.next("op", timeout=30))
        received.append(seen)
        await client.close()
    stored = json.loads(owner.get(f"/api/boards/{public_id}"))
    return received, stored, final, public_id


def test_two_daphne_processes_converge_on_one_board(daphne_pair):
    bases, _procs, _env = daphne_pair
    received, stored, final, _ = run(run_session(bases))
    start = parse((DESIGNS / "video_recommendation.json").read_text())
    for ops in received:
        revisions = sorted(f["revision"] for f in ops)
        assert revisions == list(range(2, final + 1)), "every client sees every revision once"
        document = start
        for frame in sorted(ops, key=lambda f: f["revision"]):
            document = apply_operation(document, frame["op"])
        assert document.to_dict() == stored, "each client's document equals the database's"
