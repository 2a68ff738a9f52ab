"""Who may see a board: the role a session holds on it, checked on every request.

A session holds a role on a board after opening one of its role links (or creating it);
without one every board URL answers 404, so ids cannot be probed. The grant records the
generation of the link it came from (studio.sessions); when the interviewer rotates a
link, `board_for` takes the role back from every session on the old generation at its
next request, and `revoke_sockets` closes their open sockets (4403) on every process.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from studio import services
from studio.models import REPORT_LINK, Board
from studio.services import link_generation
from studio.sessions import board_grant, grant_role, revoke_role

P = ParamSpec("P")
NOT_HERE = "No board here, or you have no link to it."


def role_on(session: Any, board: Board) -> str | None:
    """The session's role on `board`, or None (also when its link was rotated since).

    A grant recorded before link generations existed is taken to be of the current
    generation and recorded as such: the next rotation then revokes it.
    """
    role, link = board_grant(session, board.public_id)
    if role is None:
        return None
    current = link_generation(board, role)
    if not link:
        grant_role(session, board.public_id, role, current)
        return role
    if link != current:
        revoke_role(session, board.public_id)
        return None
    return role


def board_for(request: HttpRequest, public_id: str) -> tuple[Board, str]:
    """The board and the session's role on it, or 404 without a (current) role."""
    role, _ = board_grant(request.session, public_id)
    if role is None:
        raise Http404(NOT_HERE)
    board = get_object_or_404(Board, public_id=public_id)
    role = role_on(request.session, board)
    if role is None:
        raise Http404(NOT_HERE)
    return board, role


def with_board(
    view: Callable[Concatenate[HttpRequest, Board, str, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, str, P], HttpResponse]:
    """Call `view(request, board, role, ...)` for a session with a role on the board."""

    @functools.wraps(view)
    def wrapper(
        request: HttpRequest, public_id: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        board, role = board_for(request, public_id)
        return view(request, board, role, *args, **kwargs)

    return wrapper


def interviewer_only(
    view: Callable[Concatenate[HttpRequest, Board, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, str, P], HttpResponse]:
    """Call `view(request, board, ...)` for the board's interviewers; 404 to anyone else,
    so private data cannot leak through a guessed URL."""

    @functools.wraps(view)
    def wrapper(
        request: HttpRequest, public_id: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        board, role = board_for(request, public_id)
        if role != "interviewer":
            raise Http404("No such panel.")
        return view(request, board, *args, **kwargs)

    return wrapper


def links_for(request: HttpRequest, board: Board, tokens: dict[str, str]) -> dict[str, str]:
    """Absolute role links (https behind a proxy configured in settings)."""
    return {
        role: request.build_absolute_uri(reverse("join", args=[board.public_id, token]))
        for role, token in tokens.items()
    }


def report_url(request: HttpRequest, board: Board, token: str) -> str:
    """The absolute report link (studio/report_link_views.py) for a report token."""
    return request.build_absolute_uri(reverse("report_link", args=[board.public_id, token]))


def share_links(request: HttpRequest, board: Board) -> dict[str, str]:
    """What the interviewer's Share dialog lists: every role link that works, and the report
    link, derived again from their seeds (a link that cannot be is missing: the dialog
    offers to make a new one)."""
    links = links_for(request, board, services.current_tokens(board))
    token = services.current_report_token(board)
    if token is not None:
        links[REPORT_LINK] = report_url(request, board, token)
    return links
