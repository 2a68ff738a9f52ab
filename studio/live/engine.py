"""Edits in memory, made durable by group commit: the live path of the embedded default.

Why: an edit used to take the board's row lock, rewrite the whole document, insert its log
row and commit (an fsync) on Channels' single database thread *before* it was broadcast.
On a disk whose fsync takes 0.7 ms at the median and 80-170 ms at worst, every edit of every
board queued behind a stalled commit, and reconnects with them (docs/benchmarks.md).

When one process is the only writer of its database (no REDIS_URL: `settings.LIVE_ORDERING`
is "memory"), this engine keeps each open board's document in memory and orders, validates
and applies an edit there, so it can be broadcast at once. The edit's log row is written by
one committer thread with a database connection of its own, many edits to one transaction
(one fsync for everything queued while the previous commit ran). The sender is acknowledged
only after that commit, so every acknowledged edit is durable; a crash loses only edits not
acknowledged yet, which clients resend (static/js/connection.js), and a client that saw an
edit the restarted server never stored is ahead of it and gets a snapshot.

Each edit writes its log row and the board's revision; the whole document is written as a
snapshot every SNAPSHOT_EVERY revisions (studio.models.Board.to_document replays the rest).

With several processes (REDIS_URL), PostgreSQL orders each board's edits across processes:
`studio.services.apply` then runs under the row lock, on a thread pool so that boards do not
wait for each other, and also writes only the log row and the revision.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import weakref
from collections import OrderedDict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from components.document import Board as Document
from components.operations import OperationError, apply_operation
from studio.interview import ended_state
from studio.models import Board, Operation, snapshot_of
from studio.services import RESYNC_LIMIT, SNAPSHOT_EVERY, Applied, BoardEnded, normalise_author

logger = logging.getLogger(__name__)

MAX_BOARDS = 2000  # boards kept in memory; the least recently used idle ones are let go


@dataclass
class BoardState:
    """One board as this process knows it: the document at `revision`, and its latest
    operations (committed or not) for clients that resync."""

    public_id: str
    pk: int
    document: Document
    revision: int
    snapshot_revision: int
    recent: deque[Applied] = field(default_factory=lambda: deque(maxlen=RESYNC_LIMIT))
    unsaved: int = 0  # edits applied here whose commit has not finished
    # The interview's end ({at, revision}) once it ended: no edit is ordered after it.
    ended: dict[str, Any] | None = None
    ended_seq: int = 0  # the number of the `board.ended` event `ended` is from
    # Names this run of the board in memory: a client whose revisions came from another
    # run (before a restart or a failed commit) is sent a snapshot, not operations.
    epoch: str = field(default_factory=lambda: secrets.token_hex(6))

    def since(self, revision: int) -> list[Applied] | None:
        """The operations after `revision`, or None when they are no longer all here."""
        if revision >= self.revision:
            return []
        if not self.recent or self.recent[0].revision > revision + 1:
            return None
        return [a for a in self.recent if a.revision > revision]


@dataclass
class Write:
    """An applied edit waiting for its commit."""

    state: BoardState
    applied: Applied
    document: Document  # the board after the edit
    columns: frozenset[str]  # board columns the edit changed: title, level, notes
    done: asyncio.Future[None]


class Committer:
    """Writes queued edits from one thread with its own database connection.

    Edits queue while a commit runs; the next commit takes all of them (group commit), so
    a slow fsync delays acknowledgements but never ordering or broadcasting, and commits
    keep pace with any edit rate the disk's fsync latency allows.
    """

    def __init__(self) -> None:
        self.queue: list[Write] = []
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="board-commit")
        self.task: asyncio.Task[None] | None = None
        self.batches = 0  # commits made (tests and benchmarks)

    def enqueue(self, write: Write) -> None:
        self.queue.append(write)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self.queue:
            batch, self.queue = self.queue, []
            try:
                snapshots = await loop.run_in_executor(self.executor, write_batch, batch)
            except Exception as exc:
                logger.exception("commit of %d edits failed", len(batch))
                for write in batch:
                    if not write.done.done():
                        write.done.set_exception(exc)
            else:
                self.batches += 1
                for write in batch:
                    if write.state.pk in snapshots:
                        write.state.snapshot_revision = snapshots[write.state.pk]
                for write in batch:
                    if not write.done.done():
                        write.done.set_result(None)


def write_batch(batch: list[Write]) -> dict[int, int]:
    """Store the edits of `batch` in one transaction: their log rows, and per board the
    revision, the columns they changed, and a snapshot when one is due. Returns the new
    snapshot revision of each board that got one.

    Plain SQL through Django's cursor (each value prepared by its model field, so JSON and
    dates are stored exactly as the ORM would): building the two queries through the ORM
    cost ~1.5 ms of CPU a commit, most of an edit's fixed cost (bench/relay.py).
    """
    close_old_connections()
    now = timezone.now()
    last: dict[int, Write] = {}
    columns: dict[int, set[str]] = {}
    for write in batch:
        last[write.state.pk] = write
        columns.setdefault(write.state.pk, set()).update(write.columns)
    snapshots: dict[int, int] = {}
    rows = [
        (
            w.state.pk,
            w.applied.revision,
            _prep(Operation, "op", w.applied.op),
            w.applied.author,
            w.applied.cid,
            _prep(Operation, "created_at", w.applied.at),
        )
        for w in batch
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(INSERT_OPERATION, rows)
        for pk, write in last.items():
            document, revision = write.document, write.applied.revision
            changes: dict[str, Any] = {"revision": revision, "updated_at": now}
            for name in columns[pk]:
                value = getattr(document, name)
                changes[name] = dict(value) if name == "notes" else value
            if revision - write.state.snapshot_revision >= SNAPSHOT_EVERY:
                changes["document"] = snapshot_of(document)
                changes["snapshot_revision"] = snapshots[pk] = revision
            names = list(changes)
            assignments = ", ".join(f"{connection.ops.quote_name(n)} = %s" for n in names)
            cursor.execute(
                f"UPDATE {BOARD_TABLE} SET {assignments} WHERE id = %s",
                [*(_prep(Board, n, changes[n]) for n in names), pk],
            )
    return snapshots


BOARD_TABLE = Board._meta.db_table
INSERT_OPERATION = (
    f"INSERT INTO {Operation._meta.db_table} "
    "(board_id, revision, op, author, cid, created_at) VALUES (%s, %s, %s, %s, %s, %s)"
)


def _prep(model: Any, name: str, value: Any) -> Any:
    """`value` as the model's field stores it (JSON encoded, dates made aware...)."""
    return model._meta.get_field(name).get_db_prep_save(value, connection)


def load_state(public_id: str) -> BoardState:
    """The board as stored (raises Board.DoesNotExist)."""
    close_old_connections()
    board = Board.objects.get(public_id=public_id)
    return BoardState(
        public_id=public_id,
        pk=board.pk,
        document=board.to_document(),
        revision=board.revision,
        snapshot_revision=board.snapshot_revision,
        ended=ended_state(board),
        ended_seq=board.ended_changes,
    )


class Engine:
    """The boards this process orders in memory, and their committer (one per event loop)."""

    def __init__(self) -> None:
        self.boards: OrderedDict[str, BoardState] = OrderedDict()
        self.loading: dict[str, asyncio.Future[BoardState]] = {}
        self.committer = Committer()
        self.reader = ThreadPoolExecutor(max_workers=2, thread_name_prefix="board-load")

    async def state(self, public_id: str) -> BoardState:
        """The board's state, loaded from the database the first time it is needed."""
        found = self.boards.get(public_id)
        if found is not None:
            self.boards.move_to_end(public_id)
            return found
        pending = self.loading.get(public_id)
        if pending is None:
            loop = asyncio.get_running_loop()
            pending = loop.run_in_executor(self.reader, load_state, public_id)
            self.loading[public_id] = pending
            try:
                loaded = await pending
            finally:
                self.loading.pop(public_id, None)
            self.boards[public_id] = loaded
            self._let_go()
            return loaded
        return await asyncio.shield(pending)

    def submit(
        self,
        state: BoardState,
        op: dict[str, Any],
        author: str,
        cid: str,
        *,
        can_set_level: bool,
    ) -> tuple[Applied, Document, Document, asyncio.Future[None]]:
        """Apply `op` as the board's next revision, now (no await: edits of one board are
        ordered by the event loop). Returns the applied operation, the documents before
        and after it, and a future done when the edit is durable. Raises OperationError."""
        if state.ended is not None:
            raise BoardEnded()
        current = state.document
        document = apply_operation(current, op)
        if not can_set_level and document.level != current.level:
            raise OperationError("only the interviewer can change the board's level")
        state.revision += 1
        state.document = document
        applied = Applied(state.revision, op, normalise_author(author), timezone.now(), cid[:64])
        state.recent.append(applied)
        changed = frozenset(
            name
            for name in ("title", "level", "notes")
            if getattr(current, name) != getattr(document, name)
        )
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        state.unsaved += 1
        done.add_done_callback(lambda _: self._saved(state))
        self.committer.enqueue(Write(state, applied, document, changed, done))
        return applied, current, document, done

    def _saved(self, state: BoardState) -> None:
        state.unsaved -= 1

    def forget(self, public_id: str) -> None:
        """Drop the board's state (after a failed commit: the database is the truth)."""
        self.boards.pop(public_id, None)

    def _let_go(self) -> None:
        """Keep at most MAX_BOARDS boards, dropping the least recently used idle ones."""
        for public_id in list(self.boards):
            if len(self.boards) <= MAX_BOARDS:
                return
            if self.boards[public_id].unsaved == 0:
                del self.boards[public_id]


_engines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Engine] = weakref.WeakKeyDictionary()
_engines_lock = threading.Lock()


def engine() -> Engine:
    """The engine of the running event loop (Daphne runs one; tests start several)."""
    loop = asyncio.get_running_loop()
    with _engines_lock:
        found = _engines.get(loop)
        if found is None:
            found = _engines[loop] = Engine()
        return found
