"""Practice mode: one person works through a case study alone.

A practice board has no role links: its creator holds the candidate role (they edit, as a
candidate would) and reveals clarifying answers and hints themselves, each reveal logged
with its wall-clock time and the practice timer's elapsed seconds. Their own timer is the
board's countdown (the interviewer's in a shared session). Finishing unlocks what a
candidate never sees in a shared session: the reference design, the comparison, the
rubric's expectations and the study's interviewer material, and a self-assessment of 1-4
per step. Sharing turns the board into an ordinary shared one: role links are made then,
and the creator becomes its interviewer; the practice data then stays out of every page.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from components import case_studies
from components.document import LEVELS
from components.steps import STEP_KEYS, STEPS
from studio import interview, services
from studio.models import ROLES, Board

PRACTICE_ROLE = "candidate"  # what the person practising holds on their own board


class PracticeError(ValueError):
    """A practice action was refused; nothing was stored."""


def is_practising(board: Board, role: str) -> bool:
    """The session is the practising person on a practice board."""
    return board.practice and role == PRACTICE_ROLE


def is_finished(board: Board) -> bool:
    return board.practice_finished_at is not None


def kind_of(study: case_studies.CaseStudy, item: str) -> str | None:
    """ "question" or "hint" for an id of `study`, None for an unknown id."""
    found = study.items.get(item)
    return found.kind if found is not None else None


def next_hints(study: case_studies.CaseStudy, revealed: set[str]) -> dict[str, str | None]:
    """The id of the next hint to take per step (general before specific), None when the
    step's hints are all taken: a person takes them in order, as an interviewer gives them."""
    return {
        step: next((h["id"] for h in study.hints[step] if h["id"] not in revealed), None)
        for step in STEP_KEYS
    }


def record_reveal(board: Board, study: case_studies.CaseStudy, item: str) -> None:
    """Reveal a question's answer or take a hint, logging when. Taking a hint out of order
    is refused (the next one of its step is offered); revealing twice changes nothing.
    The row is locked while the log grows, so two tabs cannot drop each other's reveal."""
    kind = kind_of(study, item)
    if kind is None:
        raise PracticeError("unknown question or hint")
    with transaction.atomic():
        locked = Board.objects.select_for_update().get(pk=board.pk)
        if is_finished(locked):
            raise PracticeError("this practice session is finished")
        revealed = set(locked.revealed)
        if item in revealed:
            board.revealed, board.practice_log = locked.revealed, locked.practice_log
            return
        if kind == "hint" and item not in next_hints(study, revealed).values():
            raise PracticeError("take the hints of a step in order")
        now = timezone.now()
        locked.revealed = [*locked.revealed, item]
        locked.practice_log = [
            *locked.practice_log,
            {
                "item": item,
                "kind": kind,
                "at": now.isoformat(),
                "elapsed": round(interview.elapsed_seconds(locked, now)),
            },
        ]
        locked.save(update_fields=["revealed", "practice_log", "updated_at"])
    board.revealed, board.practice_log = locked.revealed, locked.practice_log


def finish(board: Board) -> None:
    """End the session: the timer stops where it is and the review opens."""
    if is_finished(board):
        return
    if board.timer_started_at is not None:
        interview.control_timer(board, "pause")
    board.practice_finished_at = timezone.now()
    board.save(update_fields=["practice_finished_at", "updated_at"])


def assess(board: Board, step: str, score: Any) -> None:
    """The person's own score for a step, 1-4, or cleared with an empty score."""
    if not is_finished(board):
        raise PracticeError("finish the session before assessing it")
    if step not in STEP_KEYS:
        raise PracticeError(f"unknown step {step!r}")
    try:
        value = case_studies.read_score(score)
    except ValueError as exc:
        raise PracticeError(str(exc)) from None
    if value is None:
        board.self_assessment = {k: v for k, v in board.self_assessment.items() if k != step}
    else:
        board.self_assessment = {**board.self_assessment, step: value}
    board.save(update_fields=["self_assessment", "updated_at"])


def share(board: Board) -> dict[str, str]:
    """Turn a practice board into a shared one: a fresh link per role (returned, never
    stored), and no longer a practice board."""
    tokens = {role: services.issue_token(board, role) for role in ROLES}
    board.practice = False
    board.save(
        update_fields=[
            "practice",
            *(f"{role}_token_hash" for role in ROLES),
            "link_seeds",  # the Share dialog shows these links again (services.current_tokens)
            "updated_at",
        ]
    )
    return tokens


def minutes(seconds: float) -> str:
    """ "m:ss" for a number of seconds."""
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def timer_used(board: Board) -> str | None:
    """ "m:ss" of the practice timer used, or None when it never ran (never started, or
    reset to nothing): "0:00 used" would read as if it had."""
    if board.timer_started_at is None and not board.timer_elapsed:
        return None
    return minutes(interview.elapsed_seconds(board))


def reference_level_gap(board_level: str, reference_level: str) -> str:
    """How the reference design's level compares with the practice's: "same", "above" (it
    covers more than the practice's level needs) or "below"."""
    gap = LEVELS.index(reference_level) - LEVELS.index(board_level)
    return "same" if gap == 0 else "above" if gap > 0 else "below"


def reveals(board: Board, study: case_studies.CaseStudy) -> list[dict[str, Any]]:
    """The log, readable: each reveal with its question or hint text and the step."""
    rows = []
    for entry in board.practice_log:
        item = study.items.get(entry["item"])
        if item is None:
            continue  # a study updated since: the id is gone
        rows.append(
            {
                **entry,
                "minute": minutes(entry["elapsed"]),
                "text": item.text,
                "answer": item.answer,
                "step": item.step,
            }
        )
    return rows


def review_steps(board: Board, study: case_studies.CaseStudy) -> list[dict[str, Any]]:
    """Per step: the rubric's expectations at the board's level, the study's must-hits,
    red flags and follow-ups for that step, the hints taken there, and the self-score."""
    rubric = case_studies.rubric()
    taken = {row["item"] for row in board.practice_log}
    return [
        {
            "step": s,
            "expected": rubric["steps"][s.key][board.level],
            "material": study.material(board.level, s.key),
            "hints_taken": [h["text"] for h in study.hints[s.key] if h["id"] in taken],
            "score": board.self_assessment.get(s.key),
            "reference_note": study.reference.notes.get(s.key, ""),
        }
        for s in STEPS
    ]
