"""What an edit stores, on PostgreSQL: its log row, not the whole document each time."""

from __future__ import annotations

import asyncio
import json

import psycopg
import pytest

from components.document import parse
from components.operations import apply_operation
from tests.conftest import DESIGNS
from tests.live.client import Browser, run
from tests.live.conftest import needs_services
from tests.servers import free_port, server_env, start_daphne, stop, wait_for_port

DESIGN = json.loads((DESIGNS / "video_recommendation.json").read_text())
EDITS = 130  # past one snapshot (every 100 revisions)


@pytest.mark.services
@needs_services
@pytest.mark.parametrize("ordering", ["memory", "database"])
def test_edits_store_rows_and_snapshots_and_the_board_reads_back_whole(
    tmp_path, postgres_url, ordering
):
    env = server_env(
        extra={
            "DATABASE_URL": postgres_url,
            "LIVE_ORDERING": ordering,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
    )
    port = free_port()
    proc = start_daphne(port, env, log_path=tmp_path / "daphne.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port, proc=proc)

        async def session() -> dict:
            owner = Browser(base)
            created = owner.create_board(DESIGN)
            client = await owner.connect(created["id"])
            await client.next("welcome")
            for n in range(EDITS):
                op = {"op": "move_node", "id": "rank", "x": n, "y": n % 7}
                if n % 10 == 9:
                    op = {"op": "update_notes", "step": "data", "text": f"note {n}"}
                await client.send({"type": "op", "cid": f"c{n}", "op": op})
                await client.next("ack")
                await asyncio.sleep(0.04)  # within the rate limit (30 a second)
            await client.close()
            return {
                "id": created["id"],
                "board": json.loads(owner.get(f"/api/boards/{created['id']}")),
            }

        outcome = run(session())
    finally:
        stop(proc)
    expected = parse(json.dumps(DESIGN))
    for n in range(EDITS):
        op = {"op": "move_node", "id": "rank", "x": n, "y": n % 7}
        if n % 10 == 9:
            op = {"op": "update_notes", "step": "data", "text": f"note {n}"}
        expected = apply_operation(expected, op)
    assert parse(json.dumps(outcome["board"])).to_dict() == expected.to_dict()
    with psycopg.connect(postgres_url) as db:
        revision, snapshot_revision, snapshot = db.execute(
            "SELECT revision, snapshot_revision, document FROM studio_board WHERE public_id = %s",
            (outcome["id"],),
        ).fetchone()
        rows = db.execute("SELECT count(*) FROM studio_operation").fetchone()[0]
    assert revision == 1 + EDITS and rows == 1 + EDITS
    assert snapshot_revision == 101  # one snapshot, at revision 101
    # The snapshot is the board after edit 100 (n = 99, a note): the last move was n = 98.
    assert [n["x"] for n in snapshot["nodes"] if n["id"] == "rank"] == [98]
    assert snapshot["notes"]["data"] == "note 99"
