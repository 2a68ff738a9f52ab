"""Export a board as DOT source, SVG, PNG (through Graphviz) or its JSON document.

Two layouts:

- ``"drawn"`` keeps the user's canvas positions. Every component gets a pinned ``pos`` in
  points and Graphviz runs as ``neato -n2`` (no layout, no overlap removal; only the edges
  are routed, orthogonally). The canvas y axis points down and Graphviz's points up, so y
  is flipped. A board position ``(x, y)`` is the top-left corner of a canvas box of
  ``CANVAS_NODE_WIDTH`` x ``CANVAS_NODE_HEIGHT`` pixels; one canvas pixel is one point.
  The DOT also carries ``layout=neato`` and ``inputscale=72``, so a plain ``dot -Tsvg``
  of the exported source draws the same picture.
- ``"auto"`` lets ``dot`` lay the board out left to right (``rankdir=LR``).

Escaping. Every piece of user text (labels, edge labels, the title) goes into an HTML-like
label, escaped by `html_text`: ``& < > " '`` become entities, a backslash is doubled
(Graphviz runs its ``\\N``/``\\G``/``\\E``/``\\\\`` substitution over HTML-like labels too,
after decoding entities), a line break becomes ``<BR/>`` and characters XML cannot carry
(control characters, lone surrogates) become U+FFFD. Ids are written as DOT quoted strings
by `quote`, which escapes ``\\`` and ``"`` and never lets a raw line break through. So
no label or id can close its string, open a subgraph, add an attribute or inject markup:
it renders literally.

Why ``subprocess.run`` and not the graphviz package's ``pipe``: ``graphviz.pipe`` (0.21)
offers no time limit, and a layout of a large or adversarial board can run for minutes.
``subprocess.run(..., timeout=...)`` kills the Graphviz process when the limit passes and
reaps it, and it tells a missing executable (``FileNotFoundError``) apart from a failed
layout, so both become an `ExportError` with a message a user can act on. The DOT source
is built here as text, so the package's graph builder would add nothing but another layer.

The SVG is post-checked: the DOCTYPE (an external DTD reference) is removed, and the
result must parse as XML with no script, foreignObject, event attribute or href.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from components.catalogue import CATEGORIES, COMPONENT_TYPES, NOTE
from components.document import Board, dump

FORMATS = ("svg", "png", "dot", "json")
LAYOUTS = ("drawn", "auto")
DEFAULT_TIMEOUT = 10.0
# The Graphviz executable; MLSD_GRAPHVIZ_DOT overrides it (tests monkeypatch this name).
DOT_BINARY = os.environ.get("MLSD_GRAPHVIZ_DOT", "dot")
INSTALL_HINT = "Graphviz is not installed: apt-get install graphviz"

CANVAS_NODE_WIDTH = 150
CANVAS_NODE_HEIGHT = 60

FONT = "Helvetica,Arial,sans-serif"
ERROR_COLOUR = "#dc2626"
WARNING_COLOUR = "#f59e0b"
NOTE_FILL = "#fef08a"
NOTE_BORDER = "#ca8a04"
TEXT_COLOUR = "#1f2937"
SUBTITLE_COLOUR = "#e5e7eb"
EDGE_COLOUR = "#4b5563"
OUTLINE_WIDTH = 4

# Speed-ups for `dot` on large boards (see docs/export.md): fewer network-simplex and
# crossing-minimisation iterations. From 150 components: about 1.7x faster at 200, with
# a few more crossings, so small boards keep the full-quality layout. From 800: the
# x-coordinate pass is cut harder (nslimit 0.5): boxes sit less straight, but 2,000
# components take 1.6 s instead of 8-10 s.
DOT_SPEED_TIERS: tuple[tuple[int, dict[str, str]], ...] = (
    (800, {"nslimit": "0.5", "nslimit1": "0.5", "mclimit": "0.3", "searchsize": "20"}),
    (150, {"nslimit": "2", "nslimit1": "2", "mclimit": "0.3", "searchsize": "20"}),
)
# PNG: bitmaps wider or taller than this many inches are scaled down to fit (cairo takes
# seconds to paint the tens of megapixels of a large board; use SVG for those).
PNG_MAX_INCHES = 50
# Edge routing in the drawn layout. Orthogonal routing avoids the boxes and stays fast
# (neato's spline router, splines=true, took 12 s for 200 components); when boxes touch,
# Graphviz itself falls back to straight lines. Should the orthogonal router fail, the
# export is retried once with straight lines (FALLBACK_SPLINES).
DRAWN_SPLINES = "ortho"
FALLBACK_SPLINES = "line"


class ExportError(Exception):
    """An export failed: Graphviz missing, too slow, or failing; the message says which."""


class ExportTimeout(ExportError):
    """Graphviz took longer than the time limit and was killed."""


class GraphvizFailed(ExportError):
    """Graphviz ran but exited with an error (or was killed by a signal)."""


# --- escaping --------------------------------------------------------------------------

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


def quote(identifier: str) -> str:
    """`identifier` as a DOT double-quoted string.

    Backslashes and double quotes are escaped, line breaks written as ``\\n``/``\\r`` and
    characters XML cannot carry as ``\\uXXXX``, so the string always closes where it
    should, keywords lose their meaning, and distinct ids stay distinct.
    """
    escaped = _ID_SPECIAL.sub(lambda m: _ID_ESCAPES[m.group()], identifier)
    escaped = _NOT_XML.sub(lambda m: "\\u%04x" % ord(m.group()), escaped)
    return f'"{escaped}"'


def graphviz_name(identifier: str) -> str:
    """The node name Graphviz reports (json, <title>) for an id written by `quote`.

    Graphviz keeps a quoted string's backslash escapes, except ``\\"`` which becomes
    ``"``: the id ``a\\`` is named ``a\\\\``. Use it to map Graphviz output back to
    board ids.
    """
    return quote(identifier)[1:-1].replace('\\"', '"')


class Html(str):
    """An HTML-like label assembled here from escaped text; written between < and >."""


def _attrs(attrs: dict[str, Any]) -> str:
    """A DOT attribute list: `Html` values as HTML-like labels, anything else quoted."""
    parts = []
    for key, value in attrs.items():
        if isinstance(value, Html):
            parts.append(f"{key}=<{value}>")
        else:
            parts.append(f"{key}={quote(str(value))}")
    return "[" + ", ".join(parts) + "]"


# --- findings --------------------------------------------------------------------------


def outline_severities(findings: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Node and edge ids mapped to the worst severity ("error" or "warning") naming them.

    `findings` is a Report (its ``findings`` are used) or an iterable of findings, each
    with ``severity``, ``nodes`` and ``edges``. Info findings draw nothing.
    """
    if findings is None:
        return {}, {}
    items: Iterable[Any] = getattr(findings, "findings", findings)
    nodes: dict[str, str] = {}
    edges: dict[str, str] = {}
    for finding in items:
        severity = finding.severity
        if severity not in ("error", "warning"):
            continue
        for target, ids in ((nodes, finding.nodes), (edges, finding.edges)):
            for item in ids:
                if target.get(item) != "error":
                    target[item] = severity
    return nodes, edges


_OUTLINE = {"error": ERROR_COLOUR, "warning": WARNING_COLOUR}


# --- DOT -------------------------------------------------------------------------------


def _node_label(label: str, type_title: str, is_note: bool) -> Html:
    if is_note:
        return Html(html_text(label) if label else "&#160;")
    title = html_text(type_title)
    if not label or label.strip().casefold() == type_title.casefold():
        return Html(f"<B>{title}</B>")  # a label that repeats the type is said once
    return Html(
        f'{html_text(label)}<BR/><FONT POINT-SIZE="9" COLOR="{SUBTITLE_COLOUR}">{title}</FONT>'
    )


def _legend_label(categories: list[str]) -> Html:
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>']
    for key in categories:
        category = CATEGORIES[key]
        rows.append(
            f'<TR><TD BGCOLOR="{category.colour}" WIDTH="16" HEIGHT="12" FIXEDSIZE="TRUE">'
            f'</TD><TD ALIGN="LEFT">{html_text(category.title)}</TD></TR>'
        )
    return Html(
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2">'
        + "".join(rows)
        + "</TABLE>"
    )


def _fresh_name(wanted: str, taken: set[str]) -> str:
    name = wanted
    while name in taken:
        name = "_" + name
    return name


def _fmt(number: float) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".")


def to_dot(
    board: Board,
    layout: str = "drawn",
    legend: bool = False,
    findings: Any = None,
    *,
    splines: str | None = None,
    max_inches: float | None = None,
    raw_ids: bool = True,
) -> str:
    """The board as Graphviz DOT source for `layout` ("drawn" or "auto").

    `legend` adds a key of the categories used; `findings` (a Report or findings) outlines
    the components and edges they name: thick red for errors, amber for warnings.
    `splines` overrides the edge routing of the drawn layout (default DRAWN_SPLINES);
    `max_inches` scales a drawing larger than that down to fit (Graphviz `size`).
    `raw_ids=False` names the nodes n0, n1, … instead of by their ids: what SVG and PNG
    rendering uses, so Graphviz never sees a board's ids (whatever an old board holds).
    """
    if layout not in LAYOUTS:
        raise ExportError(f'unknown layout "{layout}"; layouts are {", ".join(LAYOUTS)}')
    drawn = layout == "drawn"
    node_outline, edge_outline = outline_severities(findings)
    names = {n.id: n.id if raw_ids else f"n{i}" for i, n in enumerate(board.nodes)}

    lines = ["// MLSD Studio board export"]
    graph: dict[str, Any] = {"charset": "UTF-8", "fontname": FONT, "bgcolor": "white", "pad": "0.3"}
    if drawn:
        lines.append("// drawn layout: render with  neato -n2 -Tsvg  (positions in points)")
        graph.update(
            {
                "layout": "neato",
                "inputscale": "72",
                "overlap": "true",
                "splines": splines or DRAWN_SPLINES,
                "outputorder": "nodesfirst",
            }
        )
    else:
        graph.update({"layout": "dot", "rankdir": "LR", "nodesep": "0.35", "ranksep": "0.6"})
        for threshold, attrs in DOT_SPEED_TIERS:
            if len(board.nodes) >= threshold:
                graph.update(attrs)
                break
    if max_inches:
        graph["size"] = f"{_fmt(max_inches)},{_fmt(max_inches)}"
    if board.title:
        graph.update(
            {"label": Html(f"<B>{html_text(board.title)}</B>"), "labelloc": "t", "fontsize": "18"}
        )

    lines.append('digraph "board" {')
    lines.append(f"  graph {_attrs(graph)};")
    lines.append(
        "  "
        + "node "
        + _attrs(
            {
                "shape": "box",
                "style": "rounded,filled",
                "fontname": FONT,
                "fontsize": "12",
                "fontcolor": "white",
                "penwidth": "1.2",
                "margin": "0.15,0.08",
                "width": _fmt(CANVAS_NODE_WIDTH / 72),
                "height": _fmt(CANVAS_NODE_HEIGHT / 72),
            }
        )
        + ";"
    )
    lines.append(
        "  edge "
        + _attrs(
            {
                "fontname": FONT,
                "fontsize": "10",
                "color": EDGE_COLOUR,
                "fontcolor": TEXT_COLOUR,
                "arrowsize": "0.8",
            }
        )
        + ";"
    )

    used: list[str] = []
    max_x = max_y_top = None
    for node in board.nodes:
        component = COMPONENT_TYPES[node.type]
        is_note = node.type == NOTE
        if component.category not in used and not is_note:
            used.append(component.category)
        colour = CATEGORIES[component.category].colour
        attrs: dict[str, Any] = {"label": _node_label(node.label, component.title, is_note)}
        if is_note:
            attrs.update(
                {
                    "shape": "note",
                    "style": "filled",
                    "fillcolor": NOTE_FILL,
                    "color": NOTE_BORDER,
                    "fontcolor": TEXT_COLOUR,
                }
            )
        else:
            attrs.update({"fillcolor": colour, "color": colour})
        severity = node_outline.get(node.id)
        if severity:
            attrs.update({"color": _OUTLINE[severity], "penwidth": str(OUTLINE_WIDTH)})
        if drawn:
            cx = node.x + CANVAS_NODE_WIDTH / 2
            cy = -(node.y + CANVAS_NODE_HEIGHT / 2)
            attrs["pos"] = f"{_fmt(cx)},{_fmt(cy)}!"
            right = node.x + CANVAS_NODE_WIDTH
            max_x = right if max_x is None else max(max_x, right)
            max_y_top = -node.y if max_y_top is None else max(max_y_top, -node.y)
        lines.append(f"  {quote(names[node.id])} {_attrs(attrs)};")

    for edge in board.edges:
        attrs = {}
        if edge.label:
            # A white-backed cell keeps the label readable where it crosses a box.
            attrs["label"] = Html(
                '<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="1" '
                f'BGCOLOR="white"><TR><TD>{html_text(edge.label)}</TD></TR>'
                "</TABLE>"
            )
        severity = edge_outline.get(edge.id)
        if severity:
            attrs.update({"color": _OUTLINE[severity], "penwidth": "2.5"})
        suffix = f" {_attrs(attrs)}" if attrs else ""
        source, target = (names.get(end, end) for end in (edge.source, edge.target))
        lines.append(f"  {quote(source)} -> {quote(target)}{suffix};")

    if legend and used:
        ordered = [key for key in CATEGORIES if key in used]
        name = _fresh_name("legend", set(names.values()))
        attrs = {
            "label": _legend_label(ordered),
            "shape": "box",
            "style": "rounded",
            "color": "#9ca3af",
            "fontcolor": TEXT_COLOUR,
            "fontsize": "11",
            "margin": "0.05",
        }
        if drawn:
            # Right of the drawing, top-aligned; the width is estimated from the titles.
            longest = max(len(CATEGORIES[key].title) for key in ordered)
            width = 40 + 7 * longest
            height = 24 + 20 * (len(ordered) + 1)
            x = (max_x if max_x is not None else 0) + 60 + width / 2
            y = (max_y_top if max_y_top is not None else 0) - height / 2
            attrs["pos"] = f"{_fmt(x)},{_fmt(y)}!"
            lines.append(f"  {quote(name)} {_attrs(attrs)};")
        else:
            lines.append('  subgraph "legend" {')
            lines.append('    graph [rank="sink"];')
            lines.append(f"    {quote(name)} {_attrs(attrs)};")
            lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- rendering -------------------------------------------------------------------------


def _too_slow(timeout: float) -> str:
    unit = "second" if timeout == 1 else "seconds"
    return f"the layout took longer than {timeout:g} {unit}"


def run_graphviz(source: str, fmt: str, layout: str, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Run Graphviz on DOT `source`, returning its `fmt` output; ExportError on failure."""
    command = [DOT_BINARY, f"-T{fmt}"]
    command += ["-Kneato", "-n2"] if layout == "drawn" else ["-Kdot"]
    try:
        proc = subprocess.run(
            command, input=source.encode("utf-8"), capture_output=True, timeout=timeout, check=False
        )
    except FileNotFoundError:
        raise ExportError(INSTALL_HINT) from None
    except subprocess.TimeoutExpired:
        raise ExportTimeout(_too_slow(timeout)) from None
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


_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*>\s*")
_FORBIDDEN_ELEMENTS = {
    "script",
    "foreignObject",
    "iframe",
    "object",
    "embed",
    "image",
    "use",
    "a",
    "style",
}


def clean_svg(svg: bytes) -> bytes:
    """Graphviz's SVG without the DOCTYPE, checked to be plain and self-contained."""
    svg = _DOCTYPE.sub(b"", svg, count=1)
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as exc:
        raise ExportError(f"Graphviz produced SVG that is not valid XML: {exc}") from None
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1]
        if local in _FORBIDDEN_ELEMENTS:
            raise ExportError(f"refusing SVG with a <{local}> element")
        for attr in element.attrib:
            name = attr.rsplit("}", 1)[-1].lower()
            if name.startswith("on") or name == "href":
                raise ExportError(f'refusing SVG with a "{name}" attribute')
    return svg


_TITLE = re.compile(rb"<title>([^<]*)</title>")
_ARROW = b"&#45;&gt;"


def titles_by_id(svg: bytes, board: Board) -> bytes:
    """Put the board's ids back in the SVG's <title>s (a tooltip, and what tools key the
    node groups by), escaped here: Graphviz itself saw only the positional names."""
    ids = {f"n{i}".encode(): node.id for i, node in enumerate(board.nodes)}

    def shown(name: bytes) -> bytes:
        if name not in ids:
            return name
        return xml_escape(_NOT_XML.sub("\ufffd", ids[name])).encode()

    def title(match: re.Match[bytes]) -> bytes:
        ends = match.group(1).split(_ARROW)
        return b"<title>" + _ARROW.join(shown(end) for end in ends) + b"</title>"

    return _TITLE.sub(title, svg)


def render(
    board: Board,
    fmt: str = "svg",
    layout: str = "drawn",
    legend: bool = False,
    findings: Any = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> bytes:
    """The board exported as `fmt`: "svg", "png", "dot" (UTF-8 source) or "json".

    JSON is the canonical board document (components.document.dump); layout, legend and
    findings do not apply to it. Graphviz gets `timeout` seconds.
    """
    if fmt not in FORMATS:
        raise ExportError(f'unknown format "{fmt}"; formats are {", ".join(FORMATS)}')
    if layout not in LAYOUTS:
        raise ExportError(f'unknown layout "{layout}"; layouts are {", ".join(LAYOUTS)}')
    if fmt == "json":
        return dump(board).encode("utf-8")
    options: dict[str, Any] = {"layout": layout, "legend": legend, "findings": findings}
    if fmt == "png":
        options["max_inches"] = PNG_MAX_INCHES
    if fmt == "dot":
        return to_dot(board, **options).encode("utf-8")
    options["raw_ids"] = False  # Graphviz renders positional names, never the ids
    source = to_dot(board, **options)
    started = time.monotonic()
    try:
        output = run_graphviz(source, fmt, layout, timeout)
    except GraphvizFailed:
        if layout != "drawn":
            raise
        # The orthogonal router has failed on some inputs in some Graphviz releases. The
        # retry gets what is left of the time limit, so the whole export keeps to it.
        left = timeout - (time.monotonic() - started)
        if left <= 0:
            raise ExportTimeout(_too_slow(timeout)) from None
        source = to_dot(board, splines=FALLBACK_SPLINES, **options)
        try:
            output = run_graphviz(source, fmt, layout, left)
        except ExportTimeout:
            raise ExportTimeout(_too_slow(timeout)) from None
    return titles_by_id(clean_svg(output), board) if fmt == "svg" else output
