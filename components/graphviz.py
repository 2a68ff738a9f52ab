"""Running Graphviz, and writing user text into DOT so that it renders literally.

Shared by the auto-layout (components/layout.py) and the exports (components/export.py).

Escaping. Every piece of user text (labels, edge labels, the title) goes into an HTML-like
label, escaped by `html_text`: ``& < > " '`` become entities, a backslash is doubled
(Graphviz runs its ``\\N``/``\\G``/``\\E``/``\\\\`` substitution over HTML-like labels too,
after decoding entities), a line break becomes ``<BR/>`` and characters XML cannot carry
(control characters, lone surrogates) become U+FFFD. Graphviz never sees a board id: nodes
are named ``n0``, ``n1``, … in board order, and those names are mapped back to ids. Other
strings (attribute values) are written by `quote`, which escapes ``\\`` and ``"`` and never
lets a raw line break through.

Why ``subprocess.run`` and not the graphviz package's ``pipe``: ``graphviz.pipe`` (0.21)
offers no time limit, and a layout of a large or adversarial board can run for minutes.
``subprocess.run(..., timeout=...)`` kills the Graphviz process when the limit passes and
reaps it, and it tells a missing executable (``FileNotFoundError``) apart from a failed
layout, so both become an `ExportError` with a message a user can act on.
"""

from __future__ import annotations

import os
import re
import subprocess
from typing import Any

DEFAULT_TIMEOUT = 10.0
# The Graphviz executable; MLSD_GRAPHVIZ_DOT overrides it (tests monkeypatch this name).
DOT_BINARY = os.environ.get("MLSD_GRAPHVIZ_DOT", "dot")
INSTALL_HINT = "Graphviz is not installed: apt-get install graphviz"


class ExportError(Exception):
    """An export failed: Graphviz missing, too slow, or failing; the message says which."""


class ExportTimeout(ExportError):
    """Graphviz took longer than the time limit and was killed."""


class GraphvizFailed(ExportError):
    """Graphviz ran but exited with an error (or was killed by a signal)."""


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAK = re.compile("\r\n|\r|\n")
_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "\\": "\\\\"}
_HTML_SPECIAL = re.compile(r"[&<>\"'\\]")


def xml_safe(text: str) -> str:
    """`text` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def html_text(text: str) -> str:
    """`text` as the content of a Graphviz HTML-like label, rendering literally.

    Line breaks become ``<BR/>``; everything else is escaped (see the module docstring).
    """
    lines = _LINE_BREAK.split(xml_safe(text))
    return "<BR/>".join(
        _HTML_SPECIAL.sub(lambda m: _HTML_ENTITIES[m.group()], line) for line in lines
    )


_ID_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_ID_SPECIAL = re.compile(r'[\\"\n\r]')


def quote(text: str) -> str:
    """`text` as a DOT double-quoted string that always closes where it should."""
    escaped = _ID_SPECIAL.sub(lambda m: _ID_ESCAPES[m.group()], text)
    escaped = _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'


class Html(str):
    """An HTML-like label assembled here from escaped text; written between < and >."""


def attrs(values: dict[str, Any]) -> str:
    """A DOT attribute list: `Html` values as HTML-like labels, anything else quoted."""
    parts = []
    for key, value in values.items():
        if isinstance(value, Html):
            parts.append(f"{key}=<{value}>")
        else:
            parts.append(f"{key}={quote(str(value))}")
    return "[" + ", ".join(parts) + "]"


def fmt(number: float) -> str:
    """A number for DOT: at most two decimals, no trailing zeros."""
    return f"{number:.2f}".rstrip("0").rstrip(".")


def too_slow(timeout: float) -> str:
    """The message of an ExportTimeout after `timeout` seconds."""
    unit = "second" if timeout == 1 else "seconds"
    return f"the layout took longer than {timeout:g} {unit}"


def run_graphviz(
    source: str, output: str, engine: list[str], timeout: float = DEFAULT_TIMEOUT
) -> bytes:
    """Run Graphviz (`engine` flags, e.g. ``["-Kdot"]``) on DOT `source`, giving `output`.

    Raises ExportError (or a subclass) with a message a user can act on.
    """
    command = [DOT_BINARY, f"-T{output}", *engine]
    try:
        proc = subprocess.run(
            command, input=source.encode("utf-8"), capture_output=True, timeout=timeout, check=False
        )
    except FileNotFoundError:
        raise ExportError(INSTALL_HINT) from None
    except subprocess.TimeoutExpired:
        raise ExportTimeout(too_slow(timeout)) from None
    except OSError as exc:
        raise ExportError(f"could not run Graphviz ({DOT_BINARY}): {exc.strerror}") from None
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        if detail:
            reason = detail[-1] if detail[0].startswith("Warning") else detail[0]
        elif proc.returncode < 0:
            reason = f"killed by signal {-proc.returncode}"
        else:
            reason = f"exit status {proc.returncode}"
        raise GraphvizFailed(f"Graphviz failed: {reason}")
    return proc.stdout
