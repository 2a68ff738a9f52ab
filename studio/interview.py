"""The interviewer's tools: the countdown, private notes and rubric scores.

The countdown is stored as "running since timer_started_at, plus timer_elapsed seconds
before that", so every interviewer's browser derives the same remaining time from the
server's clock and a reload keeps it. All three are interviewer-only: nothing here is
ever rendered for, or sent to, a candidate or viewer.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from components import case_studies
from components.steps import STEPS
from studio.models import Board

# Suggested minutes per step of a 45-minute interview; scaled to other durations.
SPLIT_MINUTES = {
    "requirements": 5,
    "framing": 4,
    "data": 8,
    "model": 8,
    "evaluation": 6,
    "serving": 8,
    "monitoring": 6,
}
MIN_DURATION, MAX_DURATION = 60, 4 * 60 * 60
MAX_PRIVATE_NOTES = 20_000
MAX_COMMENT = 2_000


class InterviewError(ValueError):
    """A timer or rubric change was refused; nothing was stored."""


class StaleEdit(InterviewError):
    """A save of private notes or a comment based on a text that another interviewer has
    changed since: nothing was stored; `current` is the text stored now."""

    def __init__(self, current: str) -> None:
        super().__init__("someone else changed this since you started: nothing was saved")
        self.current = current


# What a locked read of the board loads besides the field it changes (post_save uses
# public_id).
_LOCKED = ("id", "public_id")


def elapsed_seconds(board: Board, now=None) -> float:
    now = now or timezone.now()
    running = (now - board.timer_started_at).total_seconds() if board.timer_started_at else 0
    return board.timer_elapsed + max(0.0, running)


def timer_state(board: Board, now=None) -> dict[str, Any]:
    """What every client needs to show the countdown, on the server's clock.

    `running` stays true past the duration: the clock goes on counting the overtime (an
    interview that runs long is worth knowing about), until someone pauses or resets it.
    `elapsed` tells a paused clock from one never started; `remaining` stops at 0."""
    now = now or timezone.now()
    elapsed = elapsed_seconds(board, now)
    total = sum(SPLIT_MINUTES.values())
    return {
        "duration": board.timer_duration,
        "running": board.timer_started_at is not None,
        "elapsed": elapsed,
        "remaining": max(0.0, board.timer_duration - elapsed),
        "server_time": now.timestamp(),
        "split": [
            {
                "step": s.key,
                "title": s.title,
                "seconds": round(board.timer_duration * SPLIT_MINUTES[s.key] / total),
            }
            for s in STEPS
        ],
    }


def control_timer(board: Board, action: Any, duration: Any = None) -> None:
    """Start, pause or reset the countdown. `duration` (seconds), when given with start or
    reset, is the interview's new length: typing 30 minutes and pressing Start runs a
    30-minute interview (time already spent still counts). Every action is refused once
    the interview has ended."""
    now = timezone.now()
    if action not in ("start", "pause", "reset"):
        raise InterviewError('timer action must be "start", "pause" or "reset"')
    # Ending stopped the clock at the time the interview took (the report keeps it): no
    # action may run, pause, reset or lengthen it until the board is reopened.
    if Board.objects.filter(pk=board.pk, ended_at__isnull=False).exists():
        raise InterviewError("the interview has ended: reopen the board to use the timer")
    if duration is not None and action != "pause":
        if type(duration) is not int or not MIN_DURATION <= duration <= MAX_DURATION:
            raise InterviewError(
                f"duration must be whole seconds from {MIN_DURATION} to {MAX_DURATION}"
            )
        board.timer_duration = duration
    if action == "start":
        if board.timer_started_at is None:
            board.timer_started_at = now
    elif action == "pause":
        board.timer_elapsed = elapsed_seconds(board, now)
        board.timer_started_at = None
    else:
        board.timer_started_at = None
        board.timer_elapsed = 0
    board.save(update_fields=["timer_duration", "timer_started_at", "timer_elapsed", "updated_at"])


def save_private_notes(board: Board, text: str, base: str | None = None) -> bool:
    """Store the private notes; True when the stored text changed.

    `base` is the text the edit started from (what the person's panel showed). When
    another interviewer has saved since (the stored text is neither `base` nor `text`),
    nothing is stored and StaleEdit carries the stored text: two panels never overwrite
    each other silently. Without a base (a script) the text is stored as it is. The row
    is locked while the text is compared, so two saves at once are ordered."""
    if len(text) > MAX_PRIVATE_NOTES:
        raise InterviewError(f"private notes are limited to {MAX_PRIVATE_NOTES} characters")
    # A form sends a textarea's line breaks as CRLF, the page's own copy has LF.
    text = text.replace("\r\n", "\n")
    with transaction.atomic():
        locked = Board.objects.select_for_update().only(*_LOCKED, "private_notes").get(pk=board.pk)
        current = locked.private_notes
        stored = current.replace("\r\n", "\n")
        if stored == text:
            board.private_notes = current
            return False
        if base is not None and stored != base.replace("\r\n", "\n"):
            board.private_notes = current
            raise StaleEdit(current)
        locked.private_notes = text
        locked.save(update_fields=["private_notes", "updated_at"])
    board.private_notes = text
    return True


def save_score(
    board: Board,
    step: str,
    score: Any = None,
    comment: str | None = None,
    *,
    comment_base: str | None = None,
) -> bool:
    """Score one step 1-4 (an empty score clears it) and/or set its comment; True when
    something changed.

    Only what is given changes: a score leaves the step's comment as stored, a comment
    leaves its score (None: not given), so a panel that has not seen another
    interviewer's score cannot send it back stale. `comment_base`, like the private
    notes' base, is the comment the edit started from: StaleEdit when another interviewer
    has changed it since. The row is locked while the rubric is read and written, so two
    saves of different steps keep each other."""
    if step not in SPLIT_MINUTES:
        raise InterviewError(f"unknown step {step!r}")
    if score is None and comment is None:
        raise InterviewError("send a score or a comment")
    value = None
    if score is not None:
        try:
            value = case_studies.read_score(score)
        except ValueError as exc:
            raise InterviewError(str(exc)) from None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise InterviewError(f"a comment is limited to {MAX_COMMENT} characters")
    with transaction.atomic():
        locked = Board.objects.select_for_update().only(*_LOCKED, "rubric").get(pk=board.pk)
        stored = locked.rubric.get(step, {})
        entry = {"score": stored.get("score"), "comment": stored.get("comment", "")}
        if score is not None:
            entry["score"] = value
        if comment is not None and comment != entry["comment"]:
            if comment_base is not None and entry["comment"] != comment_base:
                board.rubric = locked.rubric
                raise StaleEdit(entry["comment"])
            entry["comment"] = comment
        if locked.rubric.get(step) == entry:
            board.rubric = locked.rubric
            return False
        locked.rubric = {**locked.rubric, step: entry}
        locked.save(update_fields=["rubric", "updated_at"])
    board.rubric = locked.rubric
    return True


def set_findings_hidden(board: Board, hidden: bool) -> bool:
    """Keep the validator's findings from the candidate and the viewers, or show them
    again; True when that changed. The interviewer always sees them."""
    with transaction.atomic():
        locked = (
            Board.objects.select_for_update().only(*_LOCKED, "findings_hidden").get(pk=board.pk)
        )
        board.findings_hidden = locked.findings_hidden
        if locked.findings_hidden == hidden:
            return False
        locked.findings_hidden = hidden
        # save(), not update(): studio.live.admission forgets what it kept of the board.
        locked.save(update_fields=["findings_hidden", "updated_at"])
    board.findings_hidden = hidden
    return True


def findings_shown_to(board: Board, role: str) -> bool:
    """Whether a page of `role` gets the validator's findings: always the interviewer's;
    the candidate's and the viewers' unless the interviewer hid them."""
    return role == "interviewer" or not board.findings_hidden


def ended_state(board: Board) -> dict[str, Any] | None:
    """What every page needs to know of an ended interview, or None while it runs."""
    if board.ended_at is None:
        return None
    return {"at": board.ended_at.isoformat(), "revision": board.ended_revision}


def ended_event(board: Board) -> dict[str, Any]:
    """The `board.ended` frame every page of the board hears when the interview ends or
    reopens: the state, and its number (`seq`: Board.ended_changes), by which a page that
    hears two of them out of order keeps the later."""
    return {"type": "board.ended", "ended": ended_state(board), "seq": board.ended_changes}


def end_interview(board: Board) -> bool:
    """End the interview: the board turns read-only for everyone (the consumers refuse
    edits from then on) and the countdown stops; the report keeps the board as it is at
    this revision. False when it had already ended (nothing changes)."""
    with transaction.atomic():
        locked = Board.objects.select_for_update().get(pk=board.pk)
        board.ended_at, board.ended_revision = locked.ended_at, locked.ended_revision
        if locked.ended_at is not None:
            return False
        now = timezone.now()
        locked.ended_at, locked.ended_revision = now, locked.revision
        locked.ended_changes += 1
        if locked.timer_started_at is not None:
            locked.timer_elapsed = elapsed_seconds(locked, now)
            locked.timer_started_at = None
        locked.save(
            update_fields=[
                "ended_at",
                "ended_revision",
                "ended_changes",
                "timer_started_at",
                "timer_elapsed",
                "updated_at",
            ]
        )
    board.ended_at, board.ended_revision = locked.ended_at, locked.ended_revision
    board.ended_changes = locked.ended_changes
    board.timer_started_at, board.timer_elapsed = locked.timer_started_at, locked.timer_elapsed
    return True


def reopen_interview(board: Board) -> bool:
    """Undo an end (pressed by mistake, or the interview goes on): editable again. False
    when it was not ended."""
    with transaction.atomic():
        locked = (
            Board.objects.select_for_update()
            .only(*_LOCKED, "ended_at", "ended_changes")
            .get(pk=board.pk)
        )
        if locked.ended_at is None:
            board.ended_at = board.ended_revision = None
            return False
        locked.ended_at = locked.ended_revision = None
        locked.ended_changes += 1
        # save(), not update(): studio.live.admission forgets what it kept of the board.
        locked.save(update_fields=["ended_at", "ended_revision", "ended_changes", "updated_at"])
    board.ended_at = board.ended_revision = None
    board.ended_changes = locked.ended_changes
    return True
