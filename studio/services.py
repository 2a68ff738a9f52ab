"""Board services: creation, role links, and the ordered application of operations.

Edits are ordered in one of two ways (settings.LIVE_ORDERING). With one process (the
embedded default) studio.live.engine orders them in memory and commits them in groups.
With several processes, `apply` takes a row lock on the board (PostgreSQL
`SELECT ... FOR UPDATE`), applies the operation to the current document, stores its log
row with the next revision and commits; broadcasting happens after commit, in the
consumer. Either way an edit writes its log row and the revision, not the whole document:
that is snapshotted every SNAPSHOT_EVERY revisions (studio.models.Board.to_document).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from components.document import Board as Document
from components.operations import OperationError, apply_all, apply_operation
from studio.models import LINKS, REPORT_LINK, ROLES, Board, Operation, snapshot_of

RESYNC_LIMIT = 500  # beyond this many missed operations a client gets a snapshot
SNAPSHOT_EVERY = 100  # revisions between snapshots of the whole document
EDIT_FIELDS = ("public_id", "title", "level", "revision", "snapshot_revision", "ended_at")


class BoardEnded(OperationError):
    """An edit after the interviewer ended the interview (studio/interview.py): refused
    where edits are ordered, the row lock here or the engine in memory, so none slips in
    between the end's commit and its event reaching every connection."""

    def __init__(self) -> None:
        super().__init__("the interview has ended: the board is read-only")


CACHE_SIZE = 256  # boards whose latest document this process remembers
CATCH_UP_LIMIT = 20  # operations a cached document is brought forward by, at most


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


def normalise_author(author: str) -> str:
    return author[:80]


class DocumentCache:
    """The latest document this process wrote for each board, keyed by revision.

    A revision number names one document for good (the log has one row per board and
    revision), so a cached entry is exactly the board at that revision; under the row lock
    `apply` starts from it (current_document) instead of loading and replaying the
    snapshot.
    """

    def __init__(self) -> None:
        self.entries: OrderedDict[str, tuple[int, Document]] = OrderedDict()
        self.lock = threading.Lock()

    def latest(self, public_id: str) -> tuple[int, Document] | None:
        """The newest (revision, document) this process holds for the board, if any."""
        with self.lock:
            return self.entries.get(public_id)

    def put(self, public_id: str, revision: int, document: Document) -> None:
        with self.lock:
            self.entries[public_id] = (revision, document)
            self.entries.move_to_end(public_id)
            while len(self.entries) > CACHE_SIZE:
                self.entries.popitem(last=False)


documents = DocumentCache()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token_field(link: str) -> str:
    """The column holding the hash of `link`'s token: a role's, or the report link's."""
    if link not in LINKS:
        raise ValueError(f"unknown link {link!r}")
    return f"{link}_token_hash"


def link_token(board: Board, role: str, seed: str) -> str:
    """The link token for `role` derived from `seed` with the server's key (SECRET_KEY):
    HMAC-SHA256 over the board, the role and the seed, 192 bits in URL-safe base64."""
    mac = salted_hmac(
        "studio.services.link_token", f"{board.public_id}:{role}:{seed}", algorithm="sha256"
    )
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode()  # 32 characters, no padding


def link_generation(board: Board, role: str) -> str:
    """The generation of `role`'s current link: a fingerprint of its token hash, which
    changes when the link is rotated (studio.access compares grants against it)."""
    return getattr(board, _token_field(role))[:16]


def token_generation(token: str) -> str:
    """The generation a link token belongs to (equals `link_generation` while current)."""
    return hash_token(token)[:16]


def issue_token(board: Board, role: str) -> str:
    """A new link token for `role` (the old one stops working). Its hash is kept to check
    links, and the random seed it was derived from so that `current_tokens` can show it
    again; neither gives the token without the server's key."""
    seed = secrets.token_urlsafe(24)  # 192 random bits
    token = link_token(board, role, seed)
    setattr(board, _token_field(role), hash_token(token))
    board.link_seeds = {**board.link_seeds, role: seed}
    return token


def _current_token(board: Board, link: str) -> str | None:
    """`link`'s token derived again from its seed, or None when it cannot be: a board made
    before seeds (or that link) were kept, or a server key changed since (the token would
    not match its stored hash)."""
    seed = board.link_seeds.get(link)
    if not isinstance(seed, str):
        return None
    token = link_token(board, link, seed)
    stored = getattr(board, _token_field(link))
    return token if stored and hmac.compare_digest(stored, hash_token(token)) else None


def current_tokens(board: Board) -> dict[str, str]:
    """The role links' tokens that still work, derived again from their seeds (a role is
    missing when its token cannot be derived)."""
    tokens = {role: _current_token(board, role) for role in ROLES}
    return {role: token for role, token in tokens.items() if token is not None}


def current_report_token(board: Board) -> str | None:
    """The report link's token for the interviewer's Share dialog, or None (a board made
    before report links: the dialog offers to make one)."""
    return _current_token(board, REPORT_LINK)


def opens_report(board: Board, token: str) -> bool:
    """Whether `token` is the board's current report link, compared in constant time. The
    report token is never a role's: `role_for_token` does not look at it."""
    stored = board.report_token_hash
    return bool(stored) and hmac.compare_digest(stored, hash_token(token))


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
        issue_token(board, REPORT_LINK)  # shown in the Share dialog, never a role's link
        board.store_document(document, revision=1)
        board.save()
        Operation.objects.create(
            board=board,
            revision=1,
            author=author,
            op={"op": "import", "document": document.to_dict()},
        )
    return board, tokens


def rotate_token(board: Board, link: str) -> str:
    """A new token for `link` (a role or the report link), saved; the old one stops working."""
    token = issue_token(board, link)
    board.save(update_fields=[_token_field(link), "link_seeds", "updated_at"])
    return token


def apply(
    public_id: str, op: dict[str, Any], author: str, cid: str = "", *, can_set_level: bool = True
) -> tuple[Applied, Document, Document]:
    """Apply `op` to the board as its next revision under the board's row lock; raise
    OperationError if refused (also when it changes the level and `can_set_level` is false:
    the level sets the bar the candidate is held to, so only the interviewer moves it).

    Returns the stored operation and the documents before and after it. Raises
    Board.DoesNotExist.
    """
    with transaction.atomic():
        # Only what an edit reads: the document itself only when this process does not
        # already hold the board at its current revision.
        board = Board.objects.select_for_update().only(*EDIT_FIELDS).get(public_id=public_id)
        if board.ended_at is not None:
            raise BoardEnded()
        current = current_document(board)
        document = apply_operation(current, op)
        if not can_set_level and document.level != current.level:
            raise OperationError("only the interviewer can change the board's level")
        revision = board.revision + 1
        changes: dict[str, Any] = {"revision": revision, "updated_at": timezone.now()}
        for name in ("title", "level", "notes"):
            if getattr(current, name) != getattr(document, name):
                value = getattr(document, name)
                changes[name] = dict(value) if name == "notes" else value
        if revision - board.snapshot_revision >= SNAPSHOT_EVERY:
            changes["document"] = snapshot_of(document)
            changes["snapshot_revision"] = revision
        Board.objects.filter(pk=board.pk).update(**changes)
        stored = Operation.objects.create(
            board=board, revision=revision, op=op, author=normalise_author(author), cid=cid[:64]
        )
    documents.put(public_id, revision, document)
    return (
        Applied(stored.revision, op, stored.author, stored.created_at, stored.cid),
        current,
        document,
    )


def current_document(board: Board) -> Document:
    """The board's document at its current revision (call under its row lock).

    This process's cached copy when it is current; when other processes wrote since (with
    several processes each edit usually lands on the other one), the cached copy brought
    up to date with the few operations logged after it; otherwise the snapshot with the
    log replayed (Board.to_document), which also loads the snapshot and replays up to
    SNAPSHOT_EVERY operations.
    """
    cached = documents.latest(board.public_id)
    if cached is not None:
        revision, document = cached
        if revision == board.revision:
            return document
        behind = board.revision - revision
        if 0 < behind <= CATCH_UP_LIMIT:
            ops = list(
                Operation.objects.filter(
                    board=board, revision__gt=revision, revision__lte=board.revision
                )
                .order_by("revision")
                .values_list("op", flat=True)
            )
            if len(ops) == behind:  # the log holds every revision in between
                return apply_all(document, ops)
    return board.to_document()


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
