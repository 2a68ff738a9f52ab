"""A strict Content-Security-Policy, and the friendly 404 page in every mode."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from studio.headers import POLICY


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response


class FriendlyNotFoundMiddleware:
    """Answer every 404 with templates/404.html (how to get in: a link from the
    interviewer), also with DEBUG on: Django's debug 404 page lists every URL pattern
    to whoever mistypes an address or opens a board without a link under `make run`.
    An Http404 raised by a view reaches `process_exception`; an address no URL pattern
    matches fails in the resolver, before any view, and comes back as a 404 response
    with no `resolver_match` on the request. A view's own 404 page (an invalid link) is
    left as it is. Placed outside CommonMiddleware, so APPEND_SLASH redirects first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return render(request, "404.html", status=404)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return render(request, "404.html", status=404)
        return None
