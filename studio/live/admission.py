"""What admitting a WebSocket needs of its board, read once per process and kept.

Every connect checks the session's role against the generation of its link (the token
hashes) and gives interviewers the countdown (the timer columns): a second query on
Channels' single database thread, after the session's, for each connect. In a connect
storm those queries queue one behind another (docs/benchmarks.md), so with
`LIVE_ORDERING = "memory"` -- one process, the only one writing its database, as the
engine (studio.live.engine) already assumes -- the few columns admission reads are kept
in memory per board.

Whatever saves or deletes a board in this process (rotating a link, starting the
countdown...) drops its entry, at once and again when the transaction commits, so a
connect never sees a link generation older than the database's once the change is
committed. An entry read while some board changed is not kept (the read may predate the
change). With several processes (`LIVE_ORDERING = "database"`) another process may change
a board unseen, so nothing is kept and every connect reads the columns.

The session itself is read on every connect: it may change on any request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from studio.models import Board

# The columns studio.access.role_on, services.link_generation, interview.timer_state and
# interview.ended_event read.
FIELDS = (
    "public_id",
    "interviewer_token_hash",
    "candidate_token_hash",
    "viewer_token_hash",
    "timer_duration",
    "timer_started_at",
    "timer_elapsed",
    "ended_at",
    "ended_revision",
    "ended_changes",
    "findings_hidden",
)
MAX_BOARDS = 2000

_lock = threading.Lock()
_boards: OrderedDict[str, Board] = OrderedDict()
_changes = 0  # boards saved or deleted so far (an entry read meanwhile is not kept)


def board(public_id: str) -> Board:
    """The board with FIELDS loaded (others deferred: read no other); raises
    Board.DoesNotExist. Shared between connects: never change it."""
    keep = settings.LIVE_ORDERING == "memory"
    if keep:
        with _lock:
            found = _boards.get(public_id)
            if found is not None:
                _boards.move_to_end(public_id)
                return found
            seen = _changes
    loaded = Board.objects.only(*FIELDS).get(public_id=public_id)
    if keep:
        with _lock:
            if _changes == seen:
                _boards[public_id] = loaded
                while len(_boards) > MAX_BOARDS:
                    _boards.popitem(last=False)
    return loaded


def kept(public_id: str) -> Board | None:
    """The entry kept for the board, without reading the database (None when there is
    none): as fresh as `board`, since a save drops it."""
    with _lock:
        return _boards.get(public_id)


def forget(public_id: str) -> None:
    global _changes
    with _lock:
        _changes += 1
        _boards.pop(public_id, None)


def clear() -> None:
    with _lock:
        _boards.clear()


def _changed(sender: Any, instance: Board, using: str, **kwargs: Any) -> None:
    public_id = instance.public_id
    forget(public_id)
    # Again once committed: a connect reading in between saw the old row.
    transaction.on_commit(lambda: forget(public_id), using=using)


post_save.connect(_changed, sender=Board, dispatch_uid="studio.live.admission")
post_delete.connect(_changed, sender=Board, dispatch_uid="studio.live.admission.delete")
