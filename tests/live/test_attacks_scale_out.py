"""Issue 13's attacks on two Daphne processes over PostgreSQL and Redis: the frames that
crashed the socket only there (NUL in a cid or an ignored field), and a rotated link
whose sockets sit on the other process."""

from __future__ import annotations

import pytest

from tests.live.client import Browser, run
from tests.live.conftest import needs_services
from tests.live.test_attacks import (
    closed_with,
    connect,
    create,
    fetch,
    frames_attack,
    joined,
    post_form,
    still_open,
)

pytestmark = [needs_services, pytest.mark.services]


def test_bad_text_junk_and_nan_frames_are_refused_on_postgresql(daphne_pair):
    bases, _, _ = daphne_pair
    frames_attack(bases[0])


def test_rotation_closes_the_old_links_sockets_on_every_process(daphne_pair):
    (first, second), _, _ = daphne_pair
    owner, created = create(first)
    public_id = created["id"]
    # The candidate's browser talks to the second process; the rotation happens on the first.
    candidate = joined(second, created, "candidate")
    viewer = joined(second, created, "viewer")

    async def scenario() -> None:
        theirs = await connect(candidate, public_id)
        watching = await connect(viewer, public_id)
        assert post_form(owner, f"/b/{public_id}/links/candidate") == 200
        assert await closed_with(theirs, timeout=15) == 4403
        assert await still_open(watching)
        await watching.close()

    run(scenario())
    assert fetch(candidate, f"/b/{public_id}/")[0] == 404
    assert fetch(Browser(first), f"/b/{public_id}/")[0] == 404
