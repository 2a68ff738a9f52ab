"""The JSON API: boards in the board format of framework.md §3.

POST requires Content-Type: application/json, which a cross-site form cannot send
without a CORS preflight; that, not a CSRF token, protects it from forged requests.
"""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from components.document import DocumentError, dump, parse
from studio import case_library, services
from studio.access import links_for, with_board
from studio.models import Board
from studio.sessions import display_name
from studio.views import MAX_UPLOAD_BYTES, grant_from_link


def error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_GET
@with_board
def get_board(request: HttpRequest, board: Board, role: str) -> HttpResponse:
    response = HttpResponse(dump(board.to_document()), content_type="application/json")
    response["X-Board-Revision"] = str(board.revision)
    return response


@csrf_exempt
@require_POST
def create_board(request: HttpRequest) -> HttpResponse:
    """201 with the board's links; 415 for any other content type (a form, multipart),
    413 over 5 MB (judged by Content-Length before the body is read, and by the body
    itself), 400 naming what the document gets wrong. Always JSON."""
    if request.content_type != "application/json":
        return error("send the board as Content-Type: application/json", 415)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return error("Content-Length is not a number", 400)
    if declared > MAX_UPLOAD_BYTES:
        return error("the board is over 5 MB", 413)
    try:
        body = request.body
    except RequestDataTooBig:
        return error("the board is over 5 MB", 413)
    if len(body) > MAX_UPLOAD_BYTES:
        return error("the board is over 5 MB", 413)
    try:
        document = parse(body)
    except DocumentError as exc:
        return error(f"board refused: {exc}", 400)
    # A case board's study comes along when this server has it (as on import, views.py).
    if document.case_study and case_library.get(document.case_study) is None:
        document = replace(document, case_study="")  # a new Board: see Board.measured_size
    board, tokens = services.create_board(
        document, author=display_name(request.session), case_study=document.case_study
    )
    grant_from_link(request, board, "interviewer", tokens["interviewer"])
    links = links_for(request, board, tokens)
    url = request.build_absolute_uri(f"/b/{board.public_id}/")
    response = JsonResponse({"id": board.public_id, "url": url, "links": links}, status=201)
    response["Location"] = url
    return response
