"""Practice mode over HTTP (studio/practice.py holds the rules).

Every view answers 404 unless the session is the practising person on a practice board,
and the review, its reference design and the self-assessment also wait for the session
to be finished: the reference and the interviewer's material are never rendered before.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from components import case_studies
from components.document import Board as Document
from studio import practice, services
from studio.access import board_for, links_for
from studio.case_views import (
    chosen_study,
    reference_response,
    render_panel,
    review_comparison,
    study_for,
)
from studio.interview import InterviewError, control_timer, timer_state
from studio.live.broadcast import send_to_board
from studio.models import Board
from studio.sessions import display_name, grant_role


def practice_board(request: HttpRequest, public_id: str, *, finished: bool = False) -> Board:
    board, role = board_for(request, public_id)
    if not practice.is_practising(board, role) or (finished and not practice.is_finished(board)):
        raise Http404("No practice session here.")
    return board


@require_POST
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """A practice board for `slug` at the chosen level, with no role links."""
    chosen = chosen_study(request, slug)
    if isinstance(chosen, HttpResponse):
        return chosen
    study, level = chosen
    board, _ = services.create_board(
        Document(title=study.title, level=level),
        author=display_name(request.session),
        case_study=slug,
    )
    board.practice = True
    for role in ("interviewer", "candidate", "viewer"):
        setattr(board, f"{role}_token_hash", "")  # no links until it is shared
    board.save()
    request.session.cycle_key()  # a role is granted: no planted session gains it (fixation)
    grant_role(request.session, board.public_id, practice.PRACTICE_ROLE)
    return redirect("board", board.public_id)


@require_POST
def reveal(request: HttpRequest, public_id: str, item: str) -> HttpResponse:
    board = practice_board(request, public_id)
    try:
        practice.record_reveal(board, study_for(board), item)
    except practice.PracticeError as exc:
        return HttpResponse(str(exc), status=400)
    return render_panel(request, board, practice.PRACTICE_ROLE)


@require_POST
def timer(request: HttpRequest, public_id: str) -> HttpResponse:
    board = practice_board(request, public_id)
    if practice.is_finished(board):
        return HttpResponse("This practice session is finished.", status=400)
    minutes = request.POST.get("minutes")
    try:
        seconds = int(float(minutes) * 60) if minutes else None
    except ValueError:
        return HttpResponse("Minutes must be a number.", status=400)
    try:
        control_timer(board, request.POST.get("action"), seconds)
    except InterviewError as exc:
        return HttpResponse(str(exc), status=400)
    # The board has no links, so its only connections are this person's own tabs.
    send_to_board(public_id, {"type": "timer", "timer": timer_state(board)})
    return HttpResponse(status=204)


@require_POST
def finish(request: HttpRequest, public_id: str) -> HttpResponse:
    board = practice_board(request, public_id)
    practice.finish(board)
    url = reverse("practice_review", args=[public_id])
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def review_context(board: Board) -> dict:
    study = study_for(board)
    return {
        "board": board,
        "study": study,
        "steps": practice.review_steps(board, study),
        "comparison": review_comparison(study, board.to_document()),
        "reveals": practice.reveals(board, study),
        "acknowledged": study.acknowledged,
        "scores": case_studies.SCORES,
        "score_meanings": case_studies.rubric()["scores"],
        "timer": timer_state(board),
        "used": practice.timer_used(board),
        "reference_level": study.reference.level,
        "reference_gap": practice.reference_level_gap(board.level, study.reference.level),
    }


@require_GET
def review(request: HttpRequest, public_id: str) -> HttpResponse:
    board = practice_board(request, public_id, finished=True)
    return render(request, "practice_review.html", review_context(board))


@require_GET
def reference_svg(request: HttpRequest, public_id: str) -> HttpResponse:
    board = practice_board(request, public_id, finished=True)
    return reference_response(study_for(board))


@require_POST
def assess(request: HttpRequest, public_id: str, step: str) -> HttpResponse:
    board = practice_board(request, public_id, finished=True)
    try:
        practice.assess(board, step, request.POST.get("score"))
    except practice.PracticeError as exc:
        return HttpResponse(str(exc), status=400)
    return HttpResponse("Saved")


@require_POST
def share(request: HttpRequest, public_id: str) -> HttpResponse:
    """Make role links now; the person becomes the board's interviewer and sees them."""
    board = practice_board(request, public_id)
    tokens = practice.share(board)
    request.session.cycle_key()
    grant_role(
        request.session, public_id, "interviewer", services.token_generation(tokens["interviewer"])
    )
    request.session[f"links:{public_id}"] = links_for(request, board, tokens)
    url = reverse("board", args=[public_id])
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)
