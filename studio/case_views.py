"""Interview mode: boards started from a case study, reveals, reference and comparison.

The case panel is rendered per role: everyone sees the prompt; candidates and viewers
see only the questions and hints the interviewer revealed; the interviewer sees all of
them with reveal buttons, the reference design and its comparison with the board.
A reveal is broadcast as a bare "case.revealed" frame with no content: each client then
fetches its own role's panel, so hidden text never travels to a candidate.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from components import case_studies
from components.catalogue import COMPONENT_TYPES
from components.document import LEVELS
from components.document import Board as Document
from components.export import ExportError
from components.export import render as render_export
from components.steps import STEPS
from studio import case_library, practice
from studio.access import interviewer_only, with_board
from studio.interview import timer_state
from studio.live.broadcast import send_to_board
from studio.models import Board
from studio.views import render_home, start


def study_for(board: Board) -> case_studies.CaseStudy:
    study = case_library.get(board.case_study) if board.case_study else None
    if study is None:
        raise Http404("This board has no case study.")
    return study


def item_ids(study: case_studies.CaseStudy) -> set[str]:
    return set(study.items)


def chosen_study(
    request: HttpRequest, slug: str
) -> tuple[case_studies.CaseStudy, str] | HttpResponse:
    """The case study and level a home-page form chose, or the home page saying what was
    wrong (interviews and practice sessions start from the same form)."""
    study = case_library.get(slug)
    if study is None:
        return render_home(request, "Unknown case study.", status=404)
    level = request.POST.get("level", "senior")
    if level not in LEVELS:
        return render_home(request, f"Unknown level {level!r}.", status=400)
    return study, level


@require_POST
def start_case(request: HttpRequest, slug: str) -> HttpResponse:
    chosen = chosen_study(request, slug)
    if isinstance(chosen, HttpResponse):
        return chosen
    study, level = chosen
    return start(
        request, Document(title=study.title, level=level, case_study=slug), case_study=slug
    )


@require_GET
@with_board
def case_panel(request: HttpRequest, board: Board, role: str) -> HttpResponse:
    return render_panel(request, board, role)


def comparison_rows(study: case_studies.CaseStudy, document: Document) -> list[tuple]:
    """(step, components, connections) per step, for people: a component is (role title,
    how many more the reference has, how many the board has, the reference's own type
    titles when they differ from the role's); a connection is (source, target, the
    reference's own "Type → Type" when the roles are wider than the types)."""
    comparison = case_studies.compare(study.reference, document)
    rows = []
    for s in STEPS:
        components = []
        for m in comparison[s.key]["missing_components"]:
            title = case_studies.role_title(m["role"])
            suggest = ", ".join(COMPONENT_TYPES[t].title for t in m["suggest"])
            components.append((title, m["count"], m["have"], "" if suggest == title else suggest))
        connections: list[Any] = []
        for c in comparison[s.key]["missing_connections"]:
            source, target = (case_studies.role_title(r) for r in (c["source"], c["target"]))
            types = " → ".join(COMPONENT_TYPES[t].title for t in c["suggest"])
            connections.append((source, target, "" if types == f"{source} → {target}" else types))
        rows.append((s, components, connections))
    return rows


# Steps no component belongs to (requirements, framing): the board has nothing there to
# compare with the reference, so only the worksheet says whether the step was done.
WORKSHEET_ONLY_STEPS = frozenset(
    s.key for s in STEPS if all(t.step != s.key for t in COMPONENT_TYPES.values())
)


def review_comparison(study: case_studies.CaseStudy, document: Document) -> list[dict]:
    """comparison_rows as dicts, each with what its step's line says (`status`):
    "missing" (components or connections listed), "ok" (nothing missing), or, for a step
    no component belongs to, "written" or "empty" after the board's worksheet: an empty
    requirements step is not "nothing missing"."""
    rows = []
    for step, components, connections in comparison_rows(study, document):
        if step.key in WORKSHEET_ONLY_STEPS and not (components or connections):
            status = "written" if document.notes.get(step.key, "").strip() else "empty"
        else:
            status = "missing" if components or connections else "ok"
        rows.append(
            {"step": step, "components": components, "connections": connections, "status": status}
        )
    return rows


def render_panel(request: HttpRequest, board: Board, role: str) -> HttpResponse:
    study = study_for(board)
    revealed = set(board.revealed)
    interviewer = role == "interviewer"
    practising = practice.is_practising(board, role)
    # A practising person sees every question (answers stay hidden until they ask) and
    # takes hints step by step; everyone else sees what the interviewer revealed.
    questions = [q for q in study.questions if interviewer or practising or q["id"] in revealed]
    hints = [
        (s, [h for h in study.hints.get(s.key, ()) if interviewer or h["id"] in revealed])
        for s in STEPS
    ]
    context = {
        "board": board,
        "study": study,
        "role": role,
        "revealed": revealed,
        "questions": questions,
        "hints": [(s, h) for s, h in hints if h],
        "practising": practising,
    }
    if practising:
        following = practice.next_hints(study, revealed)
        context["practice_hints"] = [
            (
                s,
                [h for h in study.hints[s.key] if h["id"] in revealed],
                following[s.key],
                sum(1 for h in study.hints[s.key] if h["id"] not in revealed),
            )
            for s in STEPS
        ]
        context["finished"] = practice.is_finished(board)
        context["timer"] = timer_state(board)
    if interviewer:
        context["comparison"] = review_comparison(study, board.to_document())
        context["acknowledged"] = study.acknowledged
    return render(request, "partials/case.html", context)


@require_POST
@interviewer_only
def reveal(request: HttpRequest, board: Board, item: str) -> HttpResponse:
    study = study_for(board)
    if item not in item_ids(study):
        return HttpResponse("Unknown question or hint.", status=400)
    if item not in board.revealed:
        board.revealed = [*board.revealed, item]
        board.save(update_fields=["revealed", "updated_at"])
        send_to_board(board.public_id, {"type": "case.revealed"})
    return render_panel(request, board, "interviewer")


@require_GET
@interviewer_only
def reference_svg(request: HttpRequest, board: Board) -> HttpResponse:
    return reference_response(study_for(board))


def reference_response(study: case_studies.CaseStudy) -> HttpResponse:
    try:
        # Laid out as the editor's auto-layout would, and scaled to fit where it opens.
        svg = render_export(study.reference, "svg", layout="auto", legend=True, fit=True)
    except ExportError as exc:
        return HttpResponse(f"Export failed: {exc}", status=422, content_type="text/plain")
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
