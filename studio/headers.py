"""The security headers: the pages' Content-Security-Policy, and the headers static files
get from WhiteNoise (which answers before the other middleware). No Django import, so the
settings can name `static_file_headers` directly."""

from __future__ import annotations

from typing import Any

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # JointJS writes style attributes on SVG
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Scripts, stylesheets and fonts are not documents: a policy, frame or referrer header on
# them does nothing, and the board page loads about 35 of them (some 470 bytes of headers
# each, 7% of a first view). Every other static file (an SVG opened on its own, say)
# gets the headers the pages get.
SUBRESOURCES = (".js", ".mjs", ".css", ".woff", ".woff2", ".map")


def static_file_headers(headers: Any, path: str, url: str) -> None:
    """WhiteNoise's WHITENOISE_ADD_HEADERS_FUNCTION: the security headers a static file
    needs. WhiteNoise answers before the rest of the middleware, so these are all it gets."""
    headers["X-Content-Type-Options"] = "nosniff"
    if not url.endswith(SUBRESOURCES):
        headers["Content-Security-Policy"] = POLICY
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
