"""The interviewer's private panel: timer controls, private notes, rubric scores.

Every view here answers 404 to anyone but an interviewer of the board, so private data
cannot leak through a guessed URL.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from components import case_studies
from components.report import validate
from components.steps import STEPS
from studio import case_library, interview
from studio.access import interviewer_only
from studio.live.broadcast import send_to_board
from studio.models import Board


def panel_context(board: Board) -> dict:
    """Scores, the level's expectations per step, the case study's must-hits, red flags
    and follow-ups for that step at the board's level, and where the findings suggest
    looking."""
    report = validate(board.to_document())
    rubric = case_studies.rubric()
    study = case_library.get(board.case_study) if board.case_study else None
    looks: dict[str, list[str]] = {s.key: [] for s in STEPS}
    for finding in report.findings:
        signal = rubric["signals"].get(finding.rule)
        # Rules of no particular step (connection-allowed, isolated-component) point nowhere.
        if signal and signal["step"] in looks and signal["look"] not in looks[signal["step"]]:
            looks[signal["step"]].append(signal["look"])
    return {
        "board": board,
        "steps": [
            {
                "step": s,
                "score": board.rubric.get(s.key, {}).get("score"),
                "comment": board.rubric.get(s.key, {}).get("comment", ""),
                "expected": rubric["steps"][s.key][board.level],
                "looks": looks[s.key],
                "material": study.material(board.level, s.key) if study else {},
            }
            for s in STEPS
        ],
        "score_meanings": rubric["scores"],
        "scores": case_studies.SCORES,
        "timer": interview.timer_state(board),
    }


@require_GET
@interviewer_only
def panel(request: HttpRequest, board: Board) -> HttpResponse:
    return render(request, "partials/interviewer.html", panel_context(board))


@require_POST
@interviewer_only
def timer(request: HttpRequest, board: Board) -> HttpResponse:
    duration = request.POST.get("minutes")
    try:
        seconds = int(float(duration) * 60) if duration else None
    except ValueError:
        return HttpResponse("Minutes must be a number.", status=400)
    try:
        interview.control_timer(board, request.POST.get("action"), seconds)
    except interview.InterviewError as exc:
        return HttpResponse(str(exc), status=400)
    state = interview.timer_state(board)
    send_to_board(board.public_id, {"type": "timer", "timer": state}, private=True)
    return HttpResponse(status=204)


@require_POST
@interviewer_only
def private_notes(request: HttpRequest, board: Board) -> HttpResponse:
    try:
        interview.save_private_notes(board, request.POST.get("private_notes", ""))
    except interview.InterviewError as exc:
        return HttpResponse(str(exc), status=400)
    return HttpResponse("Saved")


@require_POST
@interviewer_only
def score(request: HttpRequest, board: Board, step: str) -> HttpResponse:
    try:
        interview.save_score(
            board, step, request.POST.get("score"), request.POST.get("comment", "")
        )
    except interview.InterviewError as exc:
        return HttpResponse(str(exc), status=400)
    return HttpResponse("Saved")
