"""The interviewer's private panel: timer controls, private notes, rubric scores.

Every view here answers 404 to anyone but an interviewer of the board, so private data
cannot leak through a guessed URL.
"""

from __future__ import annotations

import re

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

# The id a panel's page sends with its saves (static/js/interviewer.js).
PAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


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
def end(request: HttpRequest, board: Board) -> HttpResponse:
    """End the interview (read-only for everyone, the report kept at this revision) or
    reopen it. Every page of the board hears it (`board.ended`): the candidate's and the
    viewers' turn read-only, or reload when it reopens."""
    action = request.POST.get("action")
    if board.practice:
        return HttpResponse("A practice board is finished from its Case tab.", status=400)
    if action == "end":
        changed_now = interview.end_interview(board)
    elif action == "reopen":
        changed_now = interview.reopen_interview(board)
    else:
        return HttpResponse('action must be "end" or "reopen"', status=400)
    if changed_now:
        send_to_board(board.public_id, interview.ended_event(board))
        timer_frame = {"type": "timer", "timer": interview.timer_state(board)}
        send_to_board(board.public_id, timer_frame, private=True)
    return render(request, "partials/interviewer_end.html", {"board": board})


@require_POST
@interviewer_only
def findings_visibility(request: HttpRequest, board: Board) -> HttpResponse:
    """Hide the validator's findings from the candidate and the viewers (they coach the
    candidate during an interview), or show them again. Every page of the board hears it
    (`findings.visibility`); the connections of candidates and viewers stop or start
    carrying the findings."""
    hidden = request.POST.get("hidden")
    if board.practice:
        return HttpResponse("A practice board always shows its findings.", status=400)
    if hidden not in ("0", "1"):
        return HttpResponse('hidden must be "0" or "1"', status=400)
    if interview.set_findings_hidden(board, hidden == "1"):
        frame = {"type": "findings.visibility", "hidden": board.findings_hidden}
        send_to_board(board.public_id, frame)
    return render(request, "partials/interviewer_findings.html", {"board": board})


def changed(request: HttpRequest, board: Board, part: str, step: str | None = None) -> None:
    """Tell the board's other interviewer panels that `part` changed, so they fetch the
    panel again (static/js/interviewer.js). The frame carries no text, and goes to the
    private group only: a candidate or viewer never gets it. `page` is the saving page's
    id (the X-Interviewer-Page header), which that page ignores."""
    page = request.headers.get("X-Interviewer-Page", "")
    frame = {"type": "interviewer.changed", "part": part, "step": step}
    frame["page"] = page if PAGE_ID.fullmatch(page) else ""
    send_to_board(board.public_id, frame, private=True)


def stale(request: HttpRequest, exc: interview.StaleEdit, what: str, rows: int) -> HttpResponse:
    """409: the save was refused because someone else changed the text since; the page
    shows the stored text beside the person's own, kept in the field, to choose from."""
    return render(
        request,
        "partials/interviewer_conflict.html",
        {"current": exc.current, "what": what, "rows": rows},
        status=409,
    )


@require_POST
@interviewer_only
def private_notes(request: HttpRequest, board: Board) -> HttpResponse:
    try:
        saved = interview.save_private_notes(
            board, request.POST.get("private_notes", ""), request.POST.get("base")
        )
    except interview.StaleEdit as exc:
        return stale(request, exc, "these notes", 4)
    except interview.InterviewError as exc:
        return HttpResponse(str(exc), status=400)
    if saved:
        changed(request, board, "notes")
    return HttpResponse("Saved")


@require_POST
@interviewer_only
def score(request: HttpRequest, board: Board, step: str) -> HttpResponse:
    """A score or a comment (or both), each changed alone: the panel sends only the field
    that changed, with `comment_base`, the comment it started from."""
    try:
        saved = interview.save_score(
            board,
            step,
            request.POST.get("score"),
            request.POST.get("comment"),
            comment_base=request.POST.get("comment_base"),
        )
    except interview.StaleEdit as exc:
        return stale(request, exc, "this comment", 2)
    except interview.InterviewError as exc:
        return HttpResponse(str(exc), status=400)
    if saved:
        changed(request, board, "rubric", step)
    return HttpResponse("Saved")
