"""Role link tokens never reach a log.

A role link is `/join/<board>/<token>/`; whoever reads the token can take the role (and a
report link, `/report/<board>/<token>/...`, can read the interviewer's report). Three
things print request paths: Daphne's access log (`daphne … --access-log`, and stdout by
default), the development server's request log (`django.channels.server`), and Django's
`django.request` warnings ("Not Found: /join/…" for a mistyped or rotated link). `install`
makes all of them print `/join/<board>/[token]/` (and `/report/<board>/[token]/`)
instead; it runs at start-up (studio.apps) in every process that serves requests.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_JOIN = re.compile(r"(/(?:join|report)/[^/?#\s]*/)[^/?#\s\"]+")
REDACTED = "[token]"
LOGGERS = ("django.request", "django.server", "django.channels.server", "daphne")


def redact(text: str) -> str:
    """`text` with the token of every join or report-link path in it replaced by [token]."""
    return _JOIN.sub(lambda m: m.group(1) + REDACTED, text)


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Rewrites a record's message and arguments before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: _redact_value(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact_value(v) for v in record.args)
        return True


def _patch_daphne_access_log() -> None:
    """Daphne writes its access log itself (daphne.access.AccessLogGenerator), from the
    `details` of each request; the path is redacted before it is written."""
    try:
        from daphne.access import AccessLogGenerator
    except ImportError:  # pragma: no cover - Daphne is a dependency
        return
    if getattr(AccessLogGenerator, "_redacts_tokens", False):
        return
    original = AccessLogGenerator.__call__

    def __call__(self: Any, protocol: str, action: str, details: dict[str, Any]) -> None:
        if isinstance(details.get("path"), str):
            details = {**details, "path": redact(details["path"])}
        original(self, protocol, action, details)

    AccessLogGenerator.__call__ = __call__
    AccessLogGenerator._redacts_tokens = True


def install() -> None:
    _patch_daphne_access_log()
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
