"""Downloads of a board (SVG, PNG, DOT, JSON), the session report, and the replay.

Every view needs a role on the board. The interviewer's report adds rubric scores and
private notes; a candidate's or viewer's never does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import count
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from components.describe import describe_operation
from components.document import Board as Document
from components.export import FORMATS, LAYOUTS, ExportError, link_ends
from components.export import render as render_export
from components.layout import auto_positions
from components.operations import apply_all
from components.report import validate
from components.steps import STEPS
from studio import case_library, interview, practice
from studio.access import with_board
from studio.case_views import review_comparison, study_for
from studio.models import Board
from studio.services import document_at

CONTENT_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "dot": "text/vnd.graphviz; charset=utf-8",
    "json": "application/json",
}


def file_stem(board: Board) -> str:
    """A safe file name from the board title."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", board.title).strip("-").lower()[:60]
    return stem or "board"


def download_name(
    board: Board,
    fmt: str,
    layout: str = "drawn",
    findings: bool = False,
    revision: int | None = None,
) -> str:
    """The file name of a download, telling its variants apart: "<stem>.svg",
    "<stem>-auto-layout.svg", "<stem>-findings.svg", "<stem>-revision-12.png", ...
    (layout and findings do not apply to JSON, components.export.render)."""
    parts = [file_stem(board)]
    if fmt != "json":
        if layout == "auto":
            parts.append("auto-layout")
        if findings:
            parts.append("findings")
    if revision is not None:
        parts.append(f"revision-{revision}")
    return f"{'-'.join(parts)}.{fmt}"


class BadQuery(ValueError):
    """A query value that is not what the view accepts: answered 400 with the message."""


# ASCII digits only (str.isdigit also accepts "²"), and few enough for int() to be cheap.
_REVISION = re.compile(r"[0-9]{1,10}")


def _revision(request: HttpRequest, board: Board) -> int | None:
    raw = request.GET.get("revision")
    if raw is None:
        return None
    if not _REVISION.fullmatch(raw):
        raise BadQuery("revision must be a whole number (digits 0-9)")
    if not 1 <= int(raw) <= board.revision:
        raise Http404("No such revision.")
    return int(raw)


def _flag(request: HttpRequest, name: str) -> bool:
    """An on/off query value: absent, "0" or "1"."""
    raw = request.GET.get(name, "0")
    if raw not in ("0", "1"):
        raise BadQuery(f"{name} must be 0 or 1")
    return raw == "1"


@require_GET
@with_board
def export(request: HttpRequest, board: Board, role: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("Unknown format.")
    layout = request.GET.get("layout", "drawn")
    try:
        if layout not in LAYOUTS:
            raise BadQuery(f"layout must be one of {', '.join(LAYOUTS)}")
        revision = _revision(request, board)
        legend, download, fit = (_flag(request, name) for name in ("legend", "download", "fit"))
        # findings=badges: outlined and numbered cards without the list (a page that
        # lists the findings itself, the replay's).
        badges_only = request.GET.get("findings") == "badges"
        with_findings = badges_only or _flag(request, "findings")
    except BadQuery as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    document = document_at(board, revision) if revision else board.to_document()
    shown = with_findings and interview.findings_shown_to(board, role)
    findings = validate(document) if shown else None
    response = exported(
        document,
        fmt,
        layout=layout,
        legend=legend,
        findings=findings,
        fit=fit,
        findings_list=not badges_only,
    )
    if download and response.status_code == 200:
        name = download_name(board, fmt, layout, with_findings, revision)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def exported(document: Document, fmt: str, **options: Any) -> HttpResponse:
    """`document` exported as `fmt` (components.export.render with `options`), served so
    that an SVG can run nothing; an export Graphviz could not make is a 422 saying why."""
    try:
        body = render_export(document, fmt, **options)
    except ExportError as exc:
        return HttpResponse(f"Export failed: {exc}", status=422, content_type="text/plain")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def session_facts(board: Board) -> dict[str, Any]:
    """What a hiring team keeps besides the design: the case study, who edited (in the
    order they first did), when the edits ran, and what the interviewer revealed (the
    questions answered and the hints given, in the order revealed)."""
    edits = list(board.operations.order_by("revision").values_list("author", "created_at"))
    people = list(dict.fromkeys(author for author, _ in edits if author))
    started, ended = (edits[0][1], edits[-1][1]) if edits else (None, None)
    minutes = round((edits[-1][1] - edits[0][1]).total_seconds() / 60) if edits else 0
    facts: dict[str, Any] = {
        "people": people,
        "started": started,
        "ended": ended,
        "minutes": minutes,
        "study": None,
        "revealed": [],
    }
    study = case_library.get(board.case_study) if board.case_study else None
    if study is not None:
        facts["study"] = study.title
    if study is not None and not board.practice:  # practice lists its own, with times
        items = [study.items.get(i) for i in board.revealed]
        facts["revealed"] = [(item.kind, item.text) for item in items if item is not None]
    return facts


def report_context(board: Board, role: str) -> dict:
    document = board.to_document()
    report = validate(document)
    context = {
        "board": board,
        "document": document,
        "report": report,
        "findings_shown": interview.findings_shown_to(board, role),
        "role": role,
        "notes": [(s, document.notes.get(s.key, "")) for s in STEPS],
        # "Source → Target" and the label of each connection: how the design is wired.
        "connections": [
            (ends, edge.label)
            for ends, edge in zip(link_ends(document), document.edges, strict=True)
        ],
        "generated": timezone.now(),
        "session": session_facts(board),
    }
    if role == "interviewer":
        context["rubric"] = [(s, board.rubric.get(s.key, {})) for s in STEPS]
        context["private_notes"] = board.private_notes
    if practice.is_practising(board, role) and practice.is_finished(board):
        # Only the practising person, only after finishing: a candidate in a shared
        # session (and a board shared later) never gets this section.
        study = study_for(board)
        context["practice"] = {
            "reveals": practice.reveals(board, study),
            "hints_taken": sum(1 for r in board.practice_log if r["kind"] == "hint"),
            "steps": practice.review_steps(board, study),
            "comparison": review_comparison(study, document),
        }
    return context


def report_page(
    request: HttpRequest, board: Board, role: str, urls: Mapping[str, str | None]
) -> HttpResponse:
    """The report page; `urls` says where its buttons and diagram point (`board`,
    `markdown`, `diagram`, `diagram_fit`), as they differ for a session with a role and
    for the report link (studio/report_link_views.py: no way back to the board)."""
    return render(request, "report.html", {**report_context(board, role), "urls": urls})


def report_markdown(board: Board, role: str) -> HttpResponse:
    """The report as a Markdown download (its times in UTC, said so)."""
    text = render_to_string("report.md", report_context(board, role))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_stem(board)}-report.md"'
    return response


def diagram_svg(board: Board, findings_shown: bool, fit: bool) -> HttpResponse:
    """The report's diagram: the board as drawn, with a legend and (when shown) findings."""
    document = board.to_document()
    findings = validate(document) if findings_shown else None
    return exported(document, "svg", legend=True, findings=findings, fit=fit)


@require_GET
@with_board
def session_report(request: HttpRequest, board: Board, role: str) -> HttpResponse:
    shown = "1" if interview.findings_shown_to(board, role) else "0"
    diagram = f"{reverse('export', args=[board.public_id, 'svg'])}?findings={shown}&legend=1"
    urls = {
        "board": reverse("board", args=[board.public_id]),
        "markdown": reverse("report_markdown", args=[board.public_id]),
        "diagram": diagram,
        "diagram_fit": f"{diagram}&fit=1",
    }
    return report_page(request, board, role, urls)


@require_GET
@with_board
def session_report_markdown(request: HttpRequest, board: Board, role: str) -> HttpResponse:
    return report_markdown(board, role)


@require_GET
@with_board
def layout(request: HttpRequest, board: Board, role: str) -> HttpResponse:
    """Auto-layout positions (components/layout.py) for the editor to apply."""
    try:
        positions = auto_positions(board.to_document())
    except ExportError as exc:
        return JsonResponse({"error": f"Auto-layout failed: {exc}"}, status=422)
    return JsonResponse({"positions": positions})


@require_GET
@with_board
def replay(request: HttpRequest, board: Board, role: str) -> HttpResponse:
    return render(request, "replay.html", {"board": board, "role": role})


@require_GET
@with_board
def replay_frame(request: HttpRequest, board: Board, role: str, revision: int) -> HttpResponse:
    """The board at `revision` (its first `revision` operations replayed) and its findings."""
    if not 1 <= revision <= board.revision:
        raise Http404("No such revision.")
    operation = board.operations.get(revision=revision)
    before = document_at(board, revision - 1)  # for the words: what the edit changed
    document = apply_all(before, [operation.op])
    report = validate(document)
    description = describe_operation(operation.op, before)
    # The numbers the drawing's badges give the errors and warnings (export.number_findings
    # numbers them in report order), shown beside the same findings in the list.
    badge = count(1)
    numbers = {id(f): next(badge) for f in report.findings if f.severity in ("error", "warning")}
    numbered = [
        (heading, [(numbers.get(id(f)), f) for f in group])
        for _, heading, group in report.by_step()
    ]
    context = {
        "board": board,
        "revision": revision,
        "operation": operation,
        "description": description,
        "report": report,
        "numbered": numbered,
        "findings_shown": interview.findings_shown_to(board, role),
        "document": document,
        "steps": STEPS,
        "notes": [(s, document.notes.get(s.key, "")) for s in STEPS],
        "notes_edited": operation.op.get("op") == "update_notes",
    }
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(
            {
                "revision": revision,
                "at": operation.created_at.isoformat(),
                "author": operation.author,
                "description": description,
                "board": document.to_dict(),
                "report": report.to_dict() if context["findings_shown"] else None,
            }
        )
    return render(request, "partials/replay_frame.html", context)
