"""Board services: creation, role links, and the ordered application of operations.

All writes to a board's document go through `apply`, which takes a row lock on the
board (PostgreSQL `SELECT ... FOR UPDATE`; SQLite serialises writers with IMMEDIATE
transactions), applies the operation to the current document, stores it with the next
revision and commits. Broadcasting happens after commit, in the consumer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from components.document import Board as Document
from components.operations import OperationError, apply_all, apply_operation
from studio.models import ROLES, Board, Operation

RESYNC_LIMIT = 500  # beyond this many missed operations a client gets a snapshot
EDIT_FIELDS = ("public_id", "title", "level", "notes", "document", "revision", "updated_at")


@dataclass(frozen=True)
class Applied:
    """An operation as stored in the log and broadcast to the board."""

    revision: int
    op: dict[str, Any]
    author: str
    at: datetime
    cid: str = ""

    def to_message(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "op": self.op,
            "author": self.author,
            "at": self.at.isoformat(),
            "cid": self.cid,
        }


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token_field(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return f"{role}_token_hash"


def link_generation(board: Board, role: str) -> str:
    """The generation of `role`'s current link: a fingerprint of its token hash, which
    changes when the link is rotated (studio.access compares grants against it)."""
    return getattr(board, _token_field(role))[:16]


def token_generation(token: str) -> str:
    """The generation a link token belongs to (equals `link_generation` while current)."""
    return hash_token(token)[:16]


def issue_token(board: Board, role: str) -> str:
    """A new random link token for `role` (the old one stops working); only its hash is kept."""
    token = secrets.token_urlsafe(24)  # 192 bits
    setattr(board, _token_field(role), hash_token(token))
    return token


def role_for_token(board: Board, token: str) -> str | None:
    """The role a link token grants on `board`, compared in constant time."""
    digest = hash_token(token)
    found = None
    for role in ROLES:
        stored = getattr(board, _token_field(role))
        if stored and hmac.compare_digest(stored, digest):
            found = role
    return found


def create_board(
    document: Document, *, author: str = "", case_study: str = ""
) -> tuple[Board, dict[str, str]]:
    """Create a board whose first logged operation imports `document`; return its tokens."""
    with transaction.atomic():
        board = Board(case_study=case_study)
        tokens = {role: issue_token(board, role) for role in ROLES}
        board.store_document(document)
        board.revision = 1
        board.save()
        Operation.objects.create(
            board=board,
            revision=1,
            author=author,
            op={"op": "import", "document": document.to_dict()},
        )
    return board, tokens


def rotate_token(board: Board, role: str) -> str:
    token = issue_token(board, role)
    board.save(update_fields=[_token_field(role), "updated_at"])
    return token


def apply(
    public_id: str, op: dict[str, Any], author: str, cid: str = "", *, can_set_level: bool = True
) -> tuple[Applied, Document, Document]:
    """Apply `op` to the board as its next revision; raise OperationError if refused
    (also when it changes the level and `can_set_level` is false: the level sets the bar
    the candidate is held to, so only the interviewer moves it).

    Returns the stored operation and the documents before and after it. Raises
    Board.DoesNotExist.
    """
    with transaction.atomic():
        # Only what an edit reads and writes: not the interviewer's notes, rubric or links.
        board = Board.objects.select_for_update().only(*EDIT_FIELDS).get(public_id=public_id)
        current = board.to_document()
        document = apply_operation(current, op)
        if not can_set_level and document.level != current.level:
            raise OperationError("only the interviewer can change the board's level")
        board.store_document(document)
        board.revision += 1
        # Write only the columns the operation changed (a move leaves the notes, which
        # may be long, and the title alone).
        changed = [
            name
            for name, before, after in (
                ("title", current.title, document.title),
                ("level", current.level, document.level),
                ("notes", current.notes, document.notes),
                ("document", (current.nodes, current.edges), (document.nodes, document.edges)),
            )
            if before != after
        ]
        board.save(update_fields=[*changed, "revision", "updated_at"])
        stored = Operation.objects.create(
            board=board, revision=board.revision, op=op, author=author[:80], cid=cid[:64]
        )
    return (
        Applied(stored.revision, op, stored.author, stored.created_at, stored.cid),
        current,
        document,
    )


def operations_since(board: Board, revision: int) -> list[Applied] | None:
    """The operations after `revision`, or None when a snapshot is cheaper."""
    if board.revision - revision > RESYNC_LIMIT:
        return None
    rows = board.operations.filter(revision__gt=revision).order_by("revision")
    return [Applied(r.revision, r.op, r.author, r.created_at, r.cid) for r in rows]


def document_at(board: Board, revision: int) -> Document:
    """The board as it was at `revision`: its first `revision` operations replayed."""
    ops = board.operations.filter(revision__lte=revision).order_by("revision")
    return apply_all(Document(), [row.op for row in ops])
