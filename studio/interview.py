"""The interviewer's tools: the countdown, private notes and rubric scores.

The countdown is stored as "running since timer_started_at, plus timer_elapsed seconds
before that", so every interviewer's browser derives the same remaining time from the
server's clock and a reload keeps it. All three are interviewer-only: nothing here is
ever rendered for, or sent to, a candidate or viewer.
"""

from __future__ import annotations

from typing import Any

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


def elapsed_seconds(board: Board, now=None) -> float:
    now = now or timezone.now()
    running = (now - board.timer_started_at).total_seconds() if board.timer_started_at else 0
    return board.timer_elapsed + max(0.0, running)


def timer_state(board: Board, now=None) -> dict[str, Any]:
    """What every client needs to show the countdown, on the server's clock."""
    now = now or timezone.now()
    elapsed = elapsed_seconds(board, now)
    total = sum(SPLIT_MINUTES.values())
    return {
        "duration": board.timer_duration,
        "running": board.timer_started_at is not None and elapsed < board.timer_duration,
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
    30-minute interview (time already spent still counts)."""
    now = timezone.now()
    if action not in ("start", "pause", "reset"):
        raise InterviewError('timer action must be "start", "pause" or "reset"')
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


def save_private_notes(board: Board, text: str) -> None:
    if len(text) > MAX_PRIVATE_NOTES:
        raise InterviewError(f"private notes are limited to {MAX_PRIVATE_NOTES} characters")
    board.private_notes = text
    board.save(update_fields=["private_notes", "updated_at"])


def save_score(board: Board, step: str, score: Any, comment: str) -> None:
    """Score one step 1-4 (or clear it with an empty score) with a comment."""
    if step not in SPLIT_MINUTES:
        raise InterviewError(f"unknown step {step!r}")
    try:
        value = case_studies.read_score(score)
    except ValueError as exc:
        raise InterviewError(str(exc)) from None
    if len(comment) > MAX_COMMENT:
        raise InterviewError(f"a comment is limited to {MAX_COMMENT} characters")
    board.rubric = {**board.rubric, step: {"score": value, "comment": comment}}
    board.save(update_fields=["rubric", "updated_at"])
