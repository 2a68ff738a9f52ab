"""The report link: a hiring team reads the interviewer's report without any role.

A report link is `/report/<board>/<token>/`, a secret made and rotated like a role link
(studio/services.py), shown only in the interviewer's Share dialog. Unlike a role link it
is never exchanged for a session grant: every request carries the token and is checked
against the board's current report token, so the link opens the report page, its diagram
and its Markdown download, and nothing that a board session opens (the board, its socket,
the panels, edits, the other links). The report is the interviewer's own, rubric and
private notes included: that is what a hiring team keeps. A wrong or rotated token gets
the same page as a dead role link (templates/link_invalid.html), 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from studio import export_views, interview, services
from studio.models import Board

P = ParamSpec("P")
# Whose report the link shows: the interviewer's, exactly as the interviewer opens it.
REPORT_ROLE = "interviewer"


def with_report_token(
    view: Callable[Concatenate[HttpRequest, Board, str, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, str, str, P], HttpResponse]:
    """Call `view(request, board, token, ...)` when `token` is the board's current report
    link; otherwise the dead-link page. Responses are never cached: the URL is a secret."""

    @functools.wraps(view)
    def wrapper(
        request: HttpRequest, public_id: str, token: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        board = Board.objects.filter(public_id=public_id).first()
        if board is None or not services.opens_report(board, token):
            return render(request, "link_invalid.html", {"what": "report"}, status=404)
        return view(request, board, token, *args, **kwargs)

    return never_cache(require_safe(wrapper))


@with_report_token
def report(request: HttpRequest, board: Board, token: str) -> HttpResponse:
    diagram = reverse("report_link_diagram", args=[board.public_id, token])
    urls = {
        "board": None,  # the report link never leads to the board
        "markdown": reverse("report_link_markdown", args=[board.public_id, token]),
        "diagram": diagram,
        "diagram_fit": f"{diagram}?fit=1",
    }
    return export_views.report_page(request, board, REPORT_ROLE, urls)


@with_report_token
def markdown(request: HttpRequest, board: Board, token: str) -> HttpResponse:
    return export_views.report_markdown(board, REPORT_ROLE)


@with_report_token
def diagram(request: HttpRequest, board: Board, token: str) -> HttpResponse:
    """The report page's diagram (an <img> there), fitted to the window with ?fit=1."""
    shown = interview.findings_shown_to(board, REPORT_ROLE)
    return export_views.diagram_svg(board, shown, fit=request.GET.get("fit") == "1")
