"""A board, its operation log, and who may do what on it.

The board row holds a snapshot of the document (`document`, as it was at
`snapshot_revision`), the current title, level and worksheet notes, and the current
revision; `Operation` rows are the ordered log that produced it. An edit writes only its
log row and the revision; the snapshot is rewritten every so often (studio.live.engine),
so the current document is the snapshot with the operations after it replayed. The
invariant "document == operations applied in order" is what replay and resync rely on.
"""

from __future__ import annotations

import secrets

from django.db import models

from components.document import DEFAULT_LEVEL, LEVELS, Edge, Node, empty_notes
from components.document import Board as Document
from components.operations import apply_all

ROLES = ("interviewer", "candidate", "viewer")
EDITING_ROLES = frozenset({"interviewer", "candidate"})
# The report link (studio/report_link_views.py): a secret like a role link, but it grants no
# role: it opens the interviewer's report of the board (page and Markdown) and nothing else.
REPORT_LINK = "report"
LINKS = (*ROLES, REPORT_LINK)  # every secret link a board has, each a `<name>_token_hash`
DEFAULT_TIMER_SECONDS = 45 * 60


def new_public_id() -> str:
    return secrets.token_urlsafe(9)  # 72 bits, 12 URL-safe characters


def empty_document() -> dict:
    return {"nodes": [], "edges": []}


class Board(models.Model):
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id)
    title = models.CharField(max_length=200, blank=True)
    level = models.CharField(
        max_length=8, choices=[(lv, lv) for lv in LEVELS], default=DEFAULT_LEVEL
    )
    notes = models.JSONField(default=empty_notes)
    document = models.JSONField(default=empty_document)
    revision = models.PositiveIntegerField(default=0)
    snapshot_revision = models.PositiveIntegerField(default=0)  # `document` is as of this
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Role links and the report link: SHA-256 of each token (the tokens are never stored).
    interviewer_token_hash = models.CharField(max_length=64, blank=True)
    candidate_token_hash = models.CharField(max_length=64, blank=True)
    viewer_token_hash = models.CharField(max_length=64, blank=True)
    report_token_hash = models.CharField(max_length=64, blank=True)
    # {link: seed} (a role or "report"): the random seed each current link token was derived
    # from with the server's key (studio/services.py link_token), so the interviewer can see
    # the links again; a seed alone does not give the token.
    link_seeds = models.JSONField(default=dict)

    # Interviewer-only data: never sent to a candidate or viewer.
    private_notes = models.TextField(blank=True)
    rubric = models.JSONField(default=dict)  # {step: {"score": 1-4, "comment": str}}
    case_study = models.CharField(max_length=64, blank=True)
    revealed = models.JSONField(default=list)  # ids of revealed hints and answers

    # Practice mode (studio/practice.py): one person alone, no role links until shared.
    practice = models.BooleanField(default=False)
    # Each reveal the person made: [{"item", "kind", "at" (ISO time), "elapsed" (s)}].
    practice_log = models.JSONField(default=list)
    practice_finished_at = models.DateTimeField(null=True, blank=True)
    self_assessment = models.JSONField(default=dict)  # {step: 1-4}

    # An interview the interviewer ended (studio/interview.py): read-only for everyone
    # from then on, and its report kept as the board was at `ended_revision`.
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_revision = models.PositiveIntegerField(null=True, blank=True)
    # How many times the interview was ended or reopened: numbers the `board.ended` events,
    # so that a page or a connection that hears two of them out of order (two interviewers
    # pressing End and Reopen within a moment) keeps the later one.
    ended_changes = models.PositiveIntegerField(default=0)
    # The interviewer keeps the validator's findings from the candidate and the viewers
    # (an interview, not a practice: the findings would coach the candidate).
    findings_hidden = models.BooleanField(default=False)

    # Countdown shared by everyone: running since timer_started_at, plus timer_elapsed.
    timer_duration = models.PositiveIntegerField(default=DEFAULT_TIMER_SECONDS)
    timer_started_at = models.DateTimeField(null=True, blank=True)
    timer_elapsed = models.FloatField(default=0)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title or self.public_id

    def to_document(self) -> Document:
        """The board in the domain's form at `revision`: the snapshot, with the operations
        logged after it replayed (trusted: they were checked when written)."""
        snap = self.document
        document = Document(
            title=snap.get("title", self.title),
            level=snap.get("level", self.level),
            notes={**empty_notes(), **snap.get("notes", self.notes)},
            nodes=[Node(**n) for n in snap.get("nodes", [])],
            edges=[Edge(**e) for e in snap.get("edges", [])],
            case_study=self.case_study,
        )
        if self.snapshot_revision < self.revision:
            tail = self.operations.filter(
                revision__gt=self.snapshot_revision, revision__lte=self.revision
            ).order_by("revision")
            document = apply_all(document, [row.op for row in tail])
            document.case_study = self.case_study
        return document

    def store_document(self, document: Document, revision: int) -> None:
        """Make `document` (the board at `revision`) the snapshot and the current state."""
        self.title = document.title
        self.level = document.level
        self.notes = dict(document.notes)
        self.document = snapshot_of(document)
        self.revision = self.snapshot_revision = revision


def snapshot_of(document: Document) -> dict:
    """What `Board.document` holds: the whole document, so replay can start from it."""
    return {
        "title": document.title,
        "level": document.level,
        "notes": dict(document.notes),
        "nodes": [n.to_dict() for n in document.nodes],
        "edges": [e.to_dict() for e in document.edges],
    }


class Operation(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="operations")
    revision = models.PositiveIntegerField()
    op = models.JSONField()
    author = models.CharField(max_length=80, blank=True)
    cid = models.CharField(max_length=64, blank=True)  # the sender's id for the edit
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["revision"]
        constraints = [
            models.UniqueConstraint(fields=["board", "revision"], name="one_op_per_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.board_id}@{self.revision}: {self.op.get('op')}"


class CaseStudy(models.Model):
    """An interview case study, loaded from a checked JSON file (components/case_studies/).

    `content` holds the whole study in the file format; `load_case_studies` (run after
    every migrate, and by hand for a team's own studies) keeps the table in step.
    """

    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    content = models.JSONField()
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
