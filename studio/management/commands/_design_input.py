"""Reading a design file for the command-line tools (`-` reads standard input)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError

from components.document import Board, DocumentError, parse

REFUSED = 2  # exit code when the document is refused


def read_design(path: str) -> Board:
    """Parse the design at `path`, or stop with exit code 2 and a one-line message."""
    try:
        if path == "-":
            text = sys.stdin.buffer.read()
        else:
            text = Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=REFUSED) from None
    try:
        return parse(text)
    except DocumentError as exc:
        raise CommandError(f"{path}: refused: {exc}", returncode=REFUSED) from None
