"""Pages and panels: thin views over `services` and the domain.

Every board view needs a role on that board in the session (granted by a role link or
by creating the board); without one the answer is 404, so ids cannot be probed.
"""

from __future__ import annotations

import json
from dataclasses import replace

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from components.catalogue import CATEGORIES, catalogue_as_json, types_by_category
from components.document import DEFAULT_LEVEL, LEVELS, MAX_LABEL, DocumentError, parse
from components.document import Board as Document
from components.report import validate
from components.steps import STEPS
from studio import case_library, interview, services
from studio.access import interviewer_only, links_for, report_url, share_links, with_board
from studio.interview import timer_state
from studio.live.broadcast import send_to_board
from studio.models import LINKS, REPORT_LINK, Board
from studio.sessions import (
    board_role,
    display_name,
    grant_role,
    opened_boards,
    participant_id,
    set_display_name,
    touch_board,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

# The share dialog lists the link most often shared first, the all-powerful one last; the
# report link (for the hiring team, no role) before it.
SHARE_ORDER = ("candidate", "viewer", REPORT_LINK, "interviewer")


def palette() -> list[dict]:
    grouped = types_by_category()
    return [
        {"key": key, "category": CATEGORIES[key], "types": types}
        for key, types in grouped.items()
        if types
    ]


def grant_from_link(request: HttpRequest, board: Board, role: str, token: str) -> None:
    """Give this browser `role` on `board` from a link token. The session key is cycled
    first: a session someone else planted (or saw) before the link was opened must not be
    the one that gains the role (session fixation)."""
    request.session.cycle_key()
    grant_role(request.session, board.public_id, role, services.token_generation(token))


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render_home(request)


def render_home(
    request: HttpRequest, error: str = "", status: int = 200, *, import_error: str = ""
) -> HttpResponse:
    """The home page; `error` shown at its top, `import_error` in the import form, next to
    the file it is about."""
    ids = opened_boards(request.session)
    boards = {b.public_id: b for b in Board.objects.filter(public_id__in=ids)}
    recent = [(boards[i], board_role(request.session, i)) for i in ids if i in boards]
    return render(
        request,
        "home.html",
        {
            "palette": palette(),
            "levels": LEVELS,
            "default_level": DEFAULT_LEVEL,
            "recent": recent,
            "error": error,
            "import_error": import_error,
            "max_title": MAX_LABEL,
            "case_studies": case_library.listing(),
        },
        status=status,
    )


def start(request: HttpRequest, document: Document, case_study: str = "") -> HttpResponse:
    """Create a board, make this browser its interviewer and open it."""
    board, tokens = services.create_board(
        document, author=display_name(request.session), case_study=case_study
    )
    grant_from_link(request, board, "interviewer", tokens["interviewer"])
    request.session[f"links:{board.public_id}"] = links_for(request, board, tokens)
    return redirect("board", board.public_id)


@require_POST
def create_board(request: HttpRequest) -> HttpResponse:
    title = request.POST.get("title", "").strip()[:MAX_LABEL] or "Untitled design"
    level = request.POST.get("level", "senior")
    if level not in LEVELS:
        return render_home(request, f"Unknown level {level!r}.", status=400)
    return start(request, Document(title=title, level=level))


@require_POST
def import_board(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        refusal = "Choose a board JSON file to import."
        return render_home(request, status=400, import_error=refusal)
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        refusal = "That file is over 5 MB; a board file is much smaller."
        return render_home(request, status=400, import_error=refusal)
    try:
        document = parse(upload.read())
    except DocumentError as exc:
        refusal = f"{upload.name} was refused: {exc}"
        return render_home(request, status=400, import_error=refusal)
    # "(imported)": the copy is not mistaken for its original in "Your boards". A case
    # board keeps its Case tab if that case study exists on this server. (A new Board,
    # not changed in place: components.document.Board.measured_size.)
    known = bool(document.case_study) and case_library.get(document.case_study) is not None
    document = replace(
        document,
        title=imported_title(document.title),
        case_study=document.case_study if known else "",
    )
    return start(request, document, case_study=document.case_study)


def imported_title(title: str) -> str:
    """The title of an imported copy: "<title> (imported)" within MAX_LABEL characters
    (the original title is shortened, never the mark); a title already marked stays."""
    mark = " (imported)"
    base = title.strip() or "Untitled design"
    if base.endswith(mark):
        return base
    return base[: MAX_LABEL - len(mark)].rstrip() + mark


@require_GET
def join(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
    board = Board.objects.filter(public_id=public_id).first()
    role = services.role_for_token(board, token) if board else None
    if board is None or role is None:
        return render(request, "link_invalid.html", status=404)
    grant_from_link(request, board, role, token)
    return redirect("board", public_id)


@require_GET
@with_board
def board_page(request: HttpRequest, board: Board, role: str) -> HttpResponse:
    public_id = board.public_id
    touch_board(request.session, public_id)
    # A stable person id for the board's socket (studio/live/consumers.py reads "pid"): the
    # same colour, and no "left"/"joined" notices, when this browser reconnects.
    participant_id(request.session)
    interviewer = role == "interviewer"
    return render(
        request,
        "board.html",
        {
            "board": board,
            "role": role,
            "roles": SHARE_ORDER,
            "steps": STEPS,
            "palette": palette(),
            "levels": LEVELS,
            "catalogue": catalogue_as_json(),
            # The role links and the report link that work, for the interviewer's Share
            # dialog, for the board's whole life (derived again from their seeds); the
            # dialog opens by itself once, on a new board.
            "links": share_links(request, board) if interviewer else None,
            "fresh_links": interviewer
            and request.session.pop(f"links:{public_id}", None) is not None,
            "name": display_name(request.session),
            "report": validate(board.to_document()),
            "findings_shown": interview.findings_shown_to(board, role),
            # The countdown is the interviewer's alone (a candidate never sees it), or the
            # practising person's own on a practice board.
            "timer_json": json.dumps(timer_state(board))
            if role == "interviewer" or board.practice
            else "",
            "config": {
                "publicId": board.public_id,
                "role": role,
                "wsPath": f"/ws/boards/{board.public_id}/",
                "findingsUrl": reverse("findings", args=[public_id]),
                "nameUrl": reverse("set_name"),
                "layoutUrl": reverse("layout", args=[public_id]),
                "name": display_name(request.session),
                "practice": board.practice,
            },
        },
    )


@require_GET
@with_board
def findings_panel(request: HttpRequest, board: Board, role: str) -> HttpResponse:
    level = request.GET.get("level") or None
    if level is not None and level not in LEVELS:
        return HttpResponse(
            f"level must be one of {', '.join(LEVELS)}",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    wants_json = request.headers.get("Accept") == "application/json"
    if not interview.findings_shown_to(board, role):
        if wants_json:
            return JsonResponse({"revision": board.revision, "report": None, "hidden": True})
        return render(request, "partials/findings_hidden.html", {"board": board})
    report = validate(board.to_document(), level)
    if wants_json:  # the page's findings again, once the interviewer shows them
        return JsonResponse({"revision": board.revision, "report": report.to_dict()})
    return render(
        request, "partials/findings.html", {"report": report, "board": board, "steps": STEPS}
    )


@require_POST
@interviewer_only
def rotate_link(request: HttpRequest, board: Board, role: str) -> HttpResponse:
    """A new link for `role`; the old one stops working, and so does every grant made
    through it: those sessions lose the role at their next request, and their open
    sockets are closed (4403) on every process. The report link grants no role and opens
    no socket: its old token just stops opening the report."""
    if role not in LINKS:
        raise Http404()
    token = services.rotate_token(board, role)
    if role == REPORT_LINK:
        url = report_url(request, board, token)
        return render(request, "partials/link.html", {"role": role, "url": url, "board": board})
    generation = services.token_generation(token)
    if role == "interviewer":  # whoever rotates keeps the role, on the new generation
        grant_role(request.session, board.public_id, role, generation)
    send_to_board(
        board.public_id,
        {
            "type": "links.revoked",
            "role": role,
            "generation": generation,
            "keep": participant_id(request.session),
        },
    )
    links = links_for(request, board, {role: token})
    return render(request, "partials/link.html", {"role": role, "url": links[role], "board": board})


@require_POST
def set_name(request: HttpRequest) -> HttpResponse:
    set_display_name(request.session, request.POST.get("name", ""))
    return HttpResponse(status=204)
