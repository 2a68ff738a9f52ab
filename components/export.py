"""Export a board as DOT source, SVG, PNG (through Graphviz) or its JSON document.

Every drawing puts the cards where a layout says and lets Graphviz route the links
(``neato -n2``: no layout, no overlap removal; links orthogonal, or as polylines around
the cards should the orthogonal router fail, which it does on some inputs):

- ``"drawn"`` keeps the user's canvas positions;
- ``"auto"`` uses components/layout.py's `auto_positions`, the same positions the
  editor's "Auto-layout" applies.

One canvas pixel is one point; the canvas y axis points down and Graphviz's up, so y is
flipped. The DOT carries ``layout=neato`` and ``inputscale=72``, so a plain
``dot -Tsvg`` of an exported source draws the same picture.

The cards look like the canvas's (components/drawing.py), sized and wrapped by
components/cards.py. With findings, the cards and links they name are outlined (red for
errors, amber for warnings), each finding gets a number, every card it names a badge
with that number at its top-right corner (where the canvas shows its flag), and the
numbered messages are listed beside the drawing. Graphviz never sees a board id (nodes
are ``n0``, ``n1``, …); the SVG's tooltips (``<title>``) are rewritten to the labels.

The SVG is post-checked: the DOCTYPE (an external DTD reference) is removed, and the
result must parse as XML with no script, foreignObject, event attribute or href.
"""

from __future__ import annotations

import html
import json
import math
import re
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from components import labels
from components.cards import card_geometry, collapse, text_width, wrap
from components.catalogue import CATEGORIES, COMPONENT_TYPES, NOTE
from components.detour import Budget, around
from components.document import Board, dump
from components.drawing import (
    BADGE_SIZE,
    EDGE_COLOUR,
    FONT,
    INK,
    SEVERITY_COLOUR,
    SVG_FONT_FAMILY,
    Numbered,
    badge_label,
    badge_text,
    badge_width,
    card_label,
    card_style,
    edge_label,
    findings_label,
    findings_size,
    legend_label,
    legend_size,
    link_label_size,
    link_list_label,
    link_list_size,
    note_label,
    note_style,
    svg_link_label,
    svg_link_list,
)
from components.graphviz import (
    DEFAULT_TIMEOUT,
    ExportError,
    ExportTimeout,
    GraphvizFailed,
    Html,
    attrs,
    fmt,
    html_text,
    quote,
    run_graphviz,
    too_slow,
    xml_safe,
)
from components.layout import auto_positions, card_box, card_size, node_name
from components.routes import board_routes

__all__ = [
    "DEFAULT_TIMEOUT",
    "ExportError",
    "ExportTimeout",
    "GraphvizFailed",
    "FORMATS",
    "LAYOUTS",
    "html_text",
    "quote",
    "render",
    "to_dot",
]

FORMATS = ("svg", "png", "dot", "json")
LAYOUTS = ("drawn", "auto")
# PNG: bitmaps wider or taller than this many inches are scaled down to fit (cairo takes
# seconds to paint the tens of megapixels of a large board; use SVG for those).
PNG_MAX_INCHES = 50
TITLE_SIZE = 18  # pt, bold
TITLE_WIDTH = 640  # pt: a longer title wraps, then is cut
DRAWN_SPLINES = "ortho"
# When the orthogonal router fails: polylines routed around the cards, but their router is
# super-linear (0.05 s at 20 components, 0.2 s at 50, 1.4 s at 100, over 10 s at 200), so
# larger boards fall back to straight lines, as fast as the orthogonal router.
FALLBACK_SPLINES = "polyline"
POLYLINE_LIMIT = 30
LARGE_FALLBACK_SPLINES = "line"
# Boards up to this many components have their routes checked for links through cards,
# and those links routed around them (components/detour.py); larger ones keep Graphviz's.
REPAIR_LIMIT = 60
# The work the detours of one drawing may do in all (components/detour.py Budget): about
# 0.3 s; a board with more links through cards keeps Graphviz's routes for the rest. A
# board with more links than REPAIR_LINKS is not checked (each search looks at them all).
REPAIR_POPS = 15_000
REPAIR_LINKS = 150
ARROW_LENGTH = 7  # points: Graphviz's arrowhead at the edges' arrowsize 0.7
PANEL_GAP = 56  # points between the drawing and the legend / findings list
PANEL_SPACING = 24  # points between two panels
PAD_INCHES = 0.4  # the margin around the drawing
BOUNDS_SLACK = 8  # points a link label may reach past the drawing, into its margin

Positions = dict[str, dict[str, float]]
Point = tuple[float, float]
PANEL = {"shape": "plain", "fixedsize": "false"}


# --- findings --------------------------------------------------------------------------


def outline_severities(findings: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Node and edge ids mapped to the worst severity ("error" or "warning") naming them."""
    nodes: dict[str, str] = {}
    edges: dict[str, str] = {}
    for finding in _items(findings):
        for target, ids in ((nodes, finding.nodes), (edges, finding.edges)):
            for item in ids:
                if target.get(item) != "error":
                    target[item] = finding.severity
    return nodes, edges


def _items(findings: Any) -> list[Any]:
    """The error and warning findings of a Report or an iterable of findings."""
    if findings is None:
        return []
    items: Iterable[Any] = getattr(findings, "findings", findings)
    return [f for f in items if f.severity in ("error", "warning")]


def number_findings(board: Board, findings: Any) -> tuple[list[Numbered], dict[str, list[int]]]:
    """The findings list (numbered from 1, in report order) and each node's numbers."""
    by_id = {node.id: node for node in board.nodes}
    listed: list[Numbered] = []
    numbers: dict[str, list[int]] = {}
    for number, finding in enumerate(_items(findings), start=1):
        names = [by_id[i].name for i in finding.nodes if i in by_id]
        for item in finding.nodes:
            if item in by_id:
                numbers.setdefault(item, []).append(number)
        listed.append(Numbered(number, finding.severity, ", ".join(names), finding.message))
    return listed, numbers


# --- DOT -------------------------------------------------------------------------------


def to_dot(
    board: Board,
    layout: str = "drawn",
    legend: bool = False,
    findings: Any = None,
    *,
    splines: str | None = None,
    max_inches: float | None = None,
    positions: Positions | None = None,
    link_labels: bool = True,
    routes: dict[int, str] | None = None,
    label_spots: dict[int, tuple[Point, str]] | None = None,
    link_list: list[Numbered] | None = None,
    findings_list: bool = True,
) -> str:
    """The board as Graphviz DOT source, cards placed per `layout` ("drawn" or "auto").

    `legend` adds a key of the categories used; `findings` (a Report or findings) outlines,
    numbers and lists what they name. `splines` overrides the link routing (default
    DRAWN_SPLINES); `max_inches` scales a larger drawing down to fit (Graphviz `size`).
    `positions` (top-left canvas positions by id) saves recomputing an auto layout.

    Link labels are external labels that Graphviz places (the DOT format), or, without
    `link_labels`, left out (the first pass of a picture). `routes` (Graphviz ``pos``
    values by link number, in this source's points) pins the links as already routed, and
    `label_spots` puts their labels at those centres with the text given there, a label or
    a numbered tag (the second pass of a PNG); `link_list` lists what those tags stand for
    beside the drawing. Without `findings_list`, findings outline and number the cards but
    their list is left to the page showing the drawing (the replay's, in HTML).
    """
    if layout not in LAYOUTS:
        raise ExportError(f'unknown layout "{layout}"; layouts are {", ".join(LAYOUTS)}')
    if positions is None:
        if layout == "auto":
            positions = auto_positions(board)
        else:
            positions = {node.id: {"x": node.x, "y": node.y} for node in board.nodes}
    node_outline, edge_outline = outline_severities(findings)
    listed, numbers = number_findings(board, findings)

    graph: dict[str, Any] = {
        "charset": "UTF-8",
        "fontname": FONT,
        "bgcolor": "white",
        "pad": fmt(PAD_INCHES),
        "layout": "neato",
        "inputscale": "72",
        "overlap": "true",
        "splines": splines or DRAWN_SPLINES,
        "outputorder": "nodesfirst",
        "esep": "+6",
        "forcelabels": "true",
    }
    if max_inches:
        graph["size"] = f"{fmt(max_inches)},{fmt(max_inches)}"
    if board.title:
        title = '<BR ALIGN="LEFT"/>'.join(html_text(line) for line in title_lines(board))
        graph.update(
            {
                "label": Html(f"<B>{title}</B>"),
                "labelloc": "t",
                "labeljust": "l",
                "fontsize": str(TITLE_SIZE),
                "fontcolor": INK,
            }
        )
    lines = [
        "// MLSD Studio board export: render with  neato -n2 -Tsvg  (positions in points)",
        'digraph "board" {',
        f"  graph {attrs(graph)};",
        # Boxes of the card's exact size: the router avoids them.
        f'  node [shape="box", fixedsize="true", margin="0", fontname={quote(FONT)}];',
        "  edge "
        + attrs(
            {
                "fontname": FONT,
                "fontsize": "10",
                "color": EDGE_COLOUR,
                "penwidth": "1.5",
                "arrowsize": "0.7",
            }
        )
        + ";",
    ]

    right = top = None
    used: list[str] = []
    index = {node.id: k for k, node in enumerate(board.nodes)}
    for k, node in enumerate(board.nodes):
        component = COMPONENT_TYPES[node.type]
        is_note = node.type == NOTE
        card = card_geometry(node.label, component.title, is_note)
        outline = SEVERITY_COLOUR.get(node_outline.get(node.id, ""))
        colour = CATEGORIES[component.category].colour
        if not is_note and component.category not in used:
            used.append(component.category)
        label = note_label(card) if is_note else card_label(card, colour)
        style = note_style(outline) if is_note else card_style(outline)
        x, y = positions[node.id]["x"], positions[node.id]["y"]
        pos = f"{fmt(x + card.width / 2)},{fmt(-(y + card.height / 2))}!"
        values: dict[str, Any] = {"label": label, "pos": pos, "id": f"card{k}", **style}
        values.update(width=fmt(card.width / 72), height=fmt(card.height / 72))
        if node.id in numbers:
            # The finding numbers as an external label: Graphviz places it beside the card
            # without letting it overlap anything, and the router does not see it.
            severity = "error" if node_outline.get(node.id) == "error" else "warning"
            values["xlabel"] = badge_label(numbers[node.id], SEVERITY_COLOUR[severity])
        lines.append(f"  {node_name(k)} {attrs(values)};")
        right = max(right, x + card.width) if right is not None else x + card.width
        top = min(top, y) if top is not None else y

    for number, edge in enumerate(board.edges):
        values = {}
        if routes is not None and number in routes:
            values["pos"] = routes[number]
            spot = (label_spots or {}).get(number)
            if spot and edge.label:
                (x, y), text = spot
                values["label"] = edge_label(text)
                values["lp"] = f"{fmt(x)},{fmt(y)}"
        elif edge.label and link_labels:
            # An external label: placed beside its link where it overlaps no card, if it can.
            values["xlabel"] = edge_label(edge.label)
        edge_severity = edge_outline.get(edge.id)
        if edge_severity:
            values.update({"color": SEVERITY_COLOUR[edge_severity], "penwidth": "2.5"})
        values["id"] = f"link{number}"
        lines.append(
            f"  {node_name(index[edge.source])} -> {node_name(index[edge.target])} {attrs(values)};"
        )

    # The legend and the findings list, top-aligned right of the drawing.
    panel_x = (right or 0) + PANEL_GAP
    panel_top = top or 0
    panels: list[tuple[str, tuple[float, float], Any]] = []
    if legend and used:
        entries = [(CATEGORIES[c].title, CATEGORIES[c].colour) for c in CATEGORIES if c in used]
        panels.append(("legend", legend_size(entries), legend_label(entries)))
    if listed and findings_list:
        panels.append(("findings", findings_size(listed), findings_label(listed)))
    if link_list:
        panels.append(("links", link_list_size(link_list), link_list_label(link_list)))
    for name, (width, height), label in panels:  # stacked right of the drawing
        pos = f"{fmt(panel_x + width / 2)},{fmt(-(panel_top + height / 2))}!"
        lines.append(f"  {name} {attrs({'label': label, 'pos': pos, 'id': name, **PANEL})};")
        panel_top += height + PANEL_SPACING
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- SVG -------------------------------------------------------------------------------

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


def title_lines(board: Board) -> tuple[str, ...]:
    """The board's title as drawn above the diagram: wrapped to TITLE_WIDTH points, at
    most two lines, cut with an ellipsis (a long title would widen the whole picture)."""
    return wrap([collapse(board.title)], TITLE_WIDTH, TITLE_SIZE, "bold", 2).lines


def tooltips(board: Board, findings: Any = None) -> dict[str, str]:
    """The tooltip of every Graphviz name in an export: labels, never ids."""
    _, numbers = number_findings(board, findings)
    names = [node.name for node in board.nodes]
    tips = {"board": collapse(board.title) or "Board", "legend": "Legend", "findings": "Findings"}
    tips["links"] = "Link labels"
    for k, node in enumerate(board.nodes):
        title = COMPONENT_TYPES[node.type].title
        tips[node_name(k)] = names[k] if names[k] == title else f"{names[k]} ({title})"
        if node.id in numbers:
            tips[f"b{k}"] = f"Findings {badge_text(numbers[node.id])}: {names[k]}"
    index = {node.id: k for k, node in enumerate(board.nodes)}
    for edge in board.edges:
        a, b = index[edge.source], index[edge.target]
        tip = f"{names[a]} \u2192 {names[b]}"
        tips[f"{node_name(a)}->{node_name(b)}"] = tip + (f": {edge.label}" if edge.label else "")
    return {name: xml_safe(tip) for name, tip in tips.items()}


def clean_svg(svg: bytes, tips: dict[str, str] | None = None, fit: bool = False) -> bytes:
    """Graphviz's SVG checked to be plain and self-contained, with readable tooltips.

    The DOCTYPE goes; `tips` replaces each ``<title>`` naming a Graphviz node or edge;
    the font is named with its fallbacks. `fit` drops the fixed width and height, so the
    drawing scales to its box (or to the browser window, opened on its own).
    """
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
    if tips is None and not fit:
        return svg
    # Rewritten as text, not re-serialised: Graphviz's output is regular, and this is
    # several times faster than writing the tree back on large boards.
    text = svg.decode("utf-8")
    if fit:
        text = _SVG_SIZE.sub(r"\1", text, count=1)
    if tips:

        def title(match: re.Match[str]) -> str:
            tip = tips.get(html.unescape(match.group(1)))
            return match.group(0) if tip is None else f"<title>{html.escape(tip, False)}</title>"

        text = _TITLE.sub(title, text)
    text = text.replace(f'font-family="{FONT}"', f'font-family="{SVG_FONT_FAMILY}"')
    return text.encode("utf-8")


_TITLE = re.compile(r"<title>([^<]*)</title>")
_SVG_SIZE = re.compile(r'(<svg\b[^>]*?)\s+width="[^"]*"\s+height="[^"]*"')


# --- rendering -------------------------------------------------------------------------


def render(
    board: Board,
    fmt: str = "svg",
    layout: str = "drawn",
    legend: bool = False,
    findings: Any = None,
    timeout: float = DEFAULT_TIMEOUT,
    fit: bool = False,
    findings_list: bool = True,
) -> bytes:
    """The board exported as `fmt`: "svg", "png", "dot" (UTF-8 source) or "json".

    JSON is the canonical board document (components.document.dump); layout, legend and
    findings do not apply to it. Graphviz gets `timeout` seconds in all. `fit` makes an
    SVG scale to its container (see `clean_svg`).
    """
    if fmt not in FORMATS:
        raise ExportError(f'unknown format "{fmt}"; formats are {", ".join(FORMATS)}')
    if layout not in LAYOUTS:
        raise ExportError(f'unknown layout "{layout}"; layouts are {", ".join(LAYOUTS)}')
    if fmt == "json":
        return dump(board).encode("utf-8")
    started = time.monotonic()
    positions = auto_positions(board, timeout) if layout == "auto" else None
    options: dict[str, Any] = {
        "layout": layout,
        "legend": legend,
        "findings": findings,
        "positions": positions,
        "findings_list": findings_list,
    }
    if fmt == "png":
        options["max_inches"] = PNG_MAX_INCHES
    if fmt == "dot":
        return to_dot(board, **options).encode("utf-8")

    def run(source: str, output: str, flags: list[str]) -> bytes:
        """Graphviz with what is left of the time limit; a timeout names the whole limit."""
        left = timeout - (time.monotonic() - started)
        try:
            if left <= 0:
                raise ExportTimeout(too_slow(timeout))
            return run_graphviz(source, output, ["-Kneato", "-n2", *flags], left)
        except ExportTimeout:
            raise ExportTimeout(too_slow(timeout)) from None

    # A picture with link labels is drawn in two steps: Graphviz routes the links (no
    # labels), then the labels are placed along them (components/labels.py). An SVG gets
    # them written into Graphviz's drawing, with the list of the labels drawn as numbered
    # tags (no room along their link) beside it; a PNG is drawn again by Graphviz with the
    # links pinned as routed and the labels, tags and list where they were placed.
    placing = any(edge.label for edge in board.edges)
    options["link_labels"] = not placing
    # The links take the canvas's routes (components/routes.py), pinned; Graphviz routes
    # those of a board too big for them.
    canvas = board_routes(board, positions_of(board, layout, positions)) if board.edges else None
    if canvas is not None:
        options["routes"] = {number: route_pos(line) for number, line in canvas.items()}
    # The routes are read back (json0) to place the labels and to check that no link runs
    # through a card (repaired: `around_cards`); a board too large for the check is drawn
    # in one run.
    checking = bool(board.edges) and len(board.nodes) <= REPAIR_LIMIT
    checking = checking and len(board.edges) <= REPAIR_LINKS
    reading = placing or checking
    first = "json0" if reading and fmt == "png" else fmt
    flags = ["-Tjson0"] if reading and fmt == "svg" else []
    try:
        output = run(to_dot(board, **options), first, flags)
    except GraphvizFailed:
        # The orthogonal router fails on some inputs, often only because of a card with
        # no link (a note, a component just dropped). Routed without those, the links
        # are pinned where Graphviz put them, if none runs through a card left out; else
        # the retry routes polylines around the cards (straight lines on large boards),
        # within what is left of the limit.
        routes = _routes_without_loose(board, options, run)
        if routes is None:
            options["splines"] = fallback_splines(board)
        else:
            options["routes"] = routes
        output = run(to_dot(board, **options), first, flags)
    if checking:
        routed = _split_json(output)[1] if fmt == "svg" else _parse_json(output)
        repaired = around_cards(board, routed, positions_of(board, layout, positions))
        if repaired is not None:
            options["routes"] = repaired
            output = run(to_dot(board, **options), first, flags)
    tips = tooltips(board, findings)
    if not placing:
        if fmt == "png":
            return run(to_dot(board, **options), "png", []) if reading else output
        return clean_svg(_split_json(output)[0] if reading else output, tips, fit)
    svg, routed = _split_json(output) if fmt == "svg" else (b"", _parse_json(output))
    plan = plan_labels(board, routed, positions_of(board, layout, positions), findings)
    if plan is None:
        return clean_svg(svg, tips, fit) if fmt == "svg" else run(to_dot(board, **options), fmt, [])
    if fmt == "svg":
        return clean_svg(_with_labels(svg, board, plan), tips, fit)
    options.update(routes=plan.source_routes(), link_list=plan.listed(board))
    options["label_spots"] = {n: ((p.x, -p.y), plan.text(board, n)) for n, p in plan.placed.items()}
    return run(to_dot(board, **options), "png", [])


def positions_of(board: Board, layout: str, positions: Positions | None) -> Positions:
    """The top-left canvas position of every card, as `to_dot` places them."""
    if positions is not None:
        return positions
    if layout == "auto":
        return auto_positions(board)
    return {node.id: {"x": node.x, "y": node.y} for node in board.nodes}


# --- link labels -----------------------------------------------------------------------


@dataclass
class LabelPlan:
    """Where the link labels go, in canvas coordinates (y down, the cards' positions), and
    the routes Graphviz gave the links."""

    placed: dict[int, labels.Placed]
    tagged: set[int]  # links whose label is a numbered tag, listed beside the drawing
    routes: dict[int, str]  # as Graphviz wrote them, moved by `offset`
    offset: Point  # the first drawing's SVG coordinates minus canvas coordinates
    list_at: Point  # where the list of tagged labels goes (its top-left corner)

    def source_routes(self) -> dict[int, str]:
        """The routes in the DOT source's points, to pin them in a second drawing."""
        return {n: _shifted(pos, self.offset[0], -self.offset[1]) for n, pos in self.routes.items()}

    @cached_property
    def tag_numbers(self) -> dict[int, int]:
        """Tagged link -> its number in the list, from 1 in board order."""
        return {link: k for k, link in enumerate(sorted(self.tagged), start=1)}

    def listed(self, board: Board) -> list[Numbered]:
        """The tagged labels, numbered from 1 in board order."""
        ends = link_ends(board)
        return [
            Numbered(number, "", ends[link], collapse(board.edges[link].label))
            for link, number in self.tag_numbers.items()
        ]

    def text(self, board: Board, link: int) -> str:
        """What the tag of `link` says: its label, or its number in the list."""
        number = self.tag_numbers.get(link)
        return board.edges[link].label if number is None else str(number)


def link_ends(board: Board) -> list[str]:
    """Each link (by number) named by its ends: "Ranker → API gateway"."""
    names = {node.id: node.name for node in board.nodes}
    return [f"{names[edge.source]} \u2192 {names[edge.target]}" for edge in board.edges]


def _parse_json(data: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(data)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _split_json(output: bytes) -> tuple[bytes, dict[str, Any] | None]:
    """Graphviz's SVG and, after it, its JSON (``-Tsvg -Tjson0`` in one run)."""
    end = output.rfind(b"</svg>")
    if end < 0:
        return output, None
    end += len(b"</svg>")
    return output[:end] + b"\n", _parse_json(output[end:])


def _box(x: float, y: float, width: float, height: float) -> labels.Rect:
    return (x - width / 2, y - height / 2, x + width / 2, y + height / 2)


def _point(text: str) -> Point:
    x, y = text.split(",")
    return float(x), float(y)


def _offset(board: Board, routed: dict[str, Any] | None, positions: Positions) -> Point | None:
    """How far Graphviz moved the drawing (it starts it at 0, 0), in SVG coordinates: the
    first card's centre in its output less the same centre on the canvas."""
    if not routed or not board.nodes:
        return None
    first = next((o for o in routed.get("objects", []) if o.get("name") == "n0"), None)
    if first is None or "pos" not in first:
        return None
    node = board.nodes[0]
    width, height = card_size(node)
    x, y = _point(first["pos"])
    return (
        x - (positions[node.id]["x"] + width / 2),
        -y - (positions[node.id]["y"] + height / 2),
    )


def plan_labels(
    board: Board, routed: dict[str, Any] | None, positions: Positions, findings: Any = None
) -> LabelPlan | None:
    """Where each link label goes on Graphviz's routed drawing (its ``json0`` output)."""
    offset = _offset(board, routed, positions)
    if routed is None or offset is None:
        return None
    ox, oy = offset

    def box(x: float, y: float, width: float, height: float) -> labels.Rect:
        """A box around a Graphviz point (y up), in canvas coordinates."""
        return _box(x - ox, -y - oy, width, height)

    _, numbers = number_findings(board, findings)
    badges = {f"n{k}": numbers[node.id] for k, node in enumerate(board.nodes) if node.id in numbers}
    obstacles: list[labels.Rect] = []
    right, top, below = -math.inf, math.inf, -math.inf
    for item in routed.get("objects", []):
        if "pos" not in item or "width" not in item:
            continue
        width, height = float(item["width"]) * 72, float(item["height"]) * 72
        obstacles.append(box(*_point(item["pos"]), width, height))
        if item.get("name") in ("legend", "findings"):
            below = max(below, obstacles[-1][3] + PANEL_SPACING)
        else:
            right, top = max(right, obstacles[-1][2]), min(top, obstacles[-1][1])
        if "xlp" in item and item.get("name") in badges:
            badge = badge_width(badges[item["name"]])
            obstacles.append(box(*_point(item["xlp"]), badge, BADGE_SIZE))
    if "lp" in routed and board.title:
        # The title: its size estimated (Graphviz gives its centre only).
        lines = title_lines(board)
        width = max(text_width(line, TITLE_SIZE, "bold") for line in lines) + 8
        obstacles.append(box(*_point(routed["lp"]), width, 26 * len(lines)))
    routes: dict[int, list[Point]] = {}
    pinned: dict[int, str] = {}
    for number, pos in _link_routes(routed):
        routes[number] = [(x - ox, y - oy) for x, y in labels.route_points(pos)]
        pinned[number] = pos
    sizes = {
        number: link_label_size(edge.label)
        for number, edge in enumerate(board.edges)
        if edge.label and number in routes
    }
    tags = {number: link_label_size(str(len(sizes))) for number in sizes}
    bounds = None
    if "bb" in routed:
        x0, y0, x1, y1 = (float(v) for v in routed["bb"].split(","))
        slack = BOUNDS_SLACK
        bounds = (x0 - ox - slack, -y1 - oy - slack, x1 - ox + slack, -y0 - oy + slack)
    placed, tagged = labels.place_labels(routes, sizes, obstacles, bounds, tags)
    return LabelPlan(placed, tagged, pinned, offset, (right + PANEL_GAP, max(top, below)))


def _with_labels(svg: bytes, board: Board, plan: LabelPlan) -> bytes:
    """Graphviz's SVG with the link labels written on top where they were placed, and
    the list of the labels drawn as tags right of the drawing (the SVG grown to hold it)."""
    if not plan.placed:
        return svg
    ox, oy = plan.offset
    ends = link_ends(board)
    tags = []
    for number, spot in sorted(plan.placed.items()):
        tip = f"{ends[number]}: {board.edges[number].label}"
        box = (spot.x + ox, spot.y + oy, spot.width, spot.height)
        tags.append(svg_link_label(number, plan.text(board, number), tip, box))
    if plan.tagged:
        x, y = plan.list_at[0] + ox, plan.list_at[1] + oy
        markup, width, height = svg_link_list(plan.listed(board), x, y)
        tags.append(markup)
        svg = _grown_svg(svg, x + width, y + height)
    # The graph's group closes just before the end of the document.
    end = svg.rfind(b"</g>")
    if end < 0:
        return svg
    return svg[:end] + "".join(tags).encode("utf-8") + svg[end:]


_SVG_HEAD = re.compile(
    rb'<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="[^"]*"(.*?)'
    rb'transform="scale\(1 1\) rotate\(0\) translate\(([-\d.]+) ([-\d.]+)\)">(.*?)'
    rb'<polygon fill="white" stroke="transparent" points="[^"]*"/>',
    re.S,
)


def _grown_svg(svg: bytes, right: float, bottom: float) -> bytes:
    """Graphviz's SVG made large enough to show the point (`right`, `bottom`) of its
    drawing with the margin: its size, view box and white background grow right and down."""
    match = _SVG_HEAD.search(svg)
    if not match:
        return svg
    width, height = float(match.group(1)), float(match.group(2))
    tx, ty = float(match.group(4)), float(match.group(5))
    margin = PAD_INCHES * 72
    grown_width = max(width, right + tx + margin)
    grown_height = max(height, bottom + ty + margin)
    if (grown_width, grown_height) == (width, height):
        return svg
    x0, y0 = fmt(-tx), fmt(-ty)
    x1, y1 = fmt(grown_width - tx), fmt(grown_height - ty)
    points = f"{x0},{y1} {x0},{y0} {x1},{y0} {x1},{y1} {x0},{y1}"
    head = (
        f'<svg width="{math.ceil(grown_width)}pt" height="{math.ceil(grown_height)}pt"\n'
        f' viewBox="0.00 0.00 {grown_width:.2f} {grown_height:.2f}"'.encode()
        + match.group(3)
        + f'transform="scale(1 1) rotate(0) translate({fmt(tx)} {fmt(ty)})">'.encode()
        + match.group(6)
        + f'<polygon fill="white" stroke="transparent" points="{points}"/>'.encode()
    )
    return svg[: match.start()] + head + svg[match.end() :]


def _shifted(pos: str, dx: float, dy: float) -> str:
    """A Graphviz edge ``pos`` moved by (-dx, -dy)."""
    parts = []
    for part in pos.split():
        prefix = part[:2] if part.startswith(("e,", "s,")) else ""
        x, y = _point(part[len(prefix) :])
        parts.append(f"{prefix}{fmt(x - dx)},{fmt(y - dy)}")
    return " ".join(parts)


def _routes_without_loose(board: Board, options: dict[str, Any], run: Any) -> dict[int, str] | None:
    """The links routed orthogonally on `board` without its cards that have no link, in
    the DOT source's points (to pin), or None: no such card, Graphviz fails again, or a
    link runs through one of the cards left out."""
    linked = {edge.source for edge in board.edges} | {edge.target for edge in board.edges}
    loose = [node for node in board.nodes if node.id not in linked]
    if not loose or not board.edges:
        return None
    kept = Board(
        title=board.title,
        level=board.level,
        nodes=[node for node in board.nodes if node.id in linked],
        edges=board.edges,
    )
    positions = positions_of(board, options["layout"], options["positions"])
    source = to_dot(kept, options["layout"], positions=positions, link_labels=False)
    try:
        routed = _parse_json(run(source, "json0", []))
    except GraphvizFailed:
        return None
    offset = _offset(kept, routed, positions)
    if routed is None or offset is None:
        return None
    ox, oy = offset
    cards = [card_box(node, positions) for node in loose]
    routes: dict[int, str] = {}
    for number, pos in _link_routes(routed):
        points = [(x - ox, y - oy) for x, y in labels.route_points(pos)]
        if any(
            labels.segment_inside(a, b, card) > 0
            for a, b in zip(points, points[1:], strict=False)
            for card in cards
        ):
            return None
        routes[number] = _shifted(pos, ox, -oy)
    return routes if len(routes) == len(board.edges) else None


def around_cards(
    board: Board, routed: dict[str, Any] | None, positions: Positions
) -> dict[int, str] | None:
    """Every link's route in the DOT source's points, with each link that Graphviz ran
    through a card other than its own two (its polyline router leaves a link straight when
    cards sit on its line) routed around the cards instead (components/detour.py); None
    when no link needs it, or when the routes cannot be read."""
    offset = _offset(board, routed, positions)
    if routed is None or offset is None:
        return None
    ox, oy = offset
    index = {node.id: k for k, node in enumerate(board.nodes)}
    cards = [card_box(node, positions) for node in board.nodes]
    inner = [(x0 + 2, y0 + 2, x1 - 2, y1 - 2) for x0, y0, x1, y1 in cards]  # a touch is no crossing
    routes: dict[int, str] = {}
    lines: dict[int, list[Point]] = {}
    for number, pos in _link_routes(routed):
        routes[number] = _shifted(pos, ox, -oy)
        lines[number] = [(x - ox, y - oy) for x, y in labels.route_points(pos)]
    repaired = False
    budget = Budget(REPAIR_POPS)
    # The links through the most cards first: the budget goes where it helps most.
    through: list[tuple[int, int]] = []
    for number, points in lines.items():
        edge = board.edges[number] if number < len(board.edges) else None
        if edge is not None and edge.source != edge.target:
            crossed = _cards_crossed(points, inner, (index[edge.source], index[edge.target]))
            if crossed:
                through.append((-crossed, number))
    for _, number in sorted(through):
        if budget.left <= 0:
            break  # the rest keep Graphviz's routes
        edge = board.edges[number]
        ends = (index[edge.source], index[edge.target])
        path = around(cards[ends[0]], cards[ends[1]], cards, budget)
        if path is not None and len(path) >= 2:
            routes[number] = route_pos(path)
            lines[number] = path
            repaired = True
    return routes if repaired and len(routes) == len(board.edges) else None


def _cards_crossed(points: list[Point], boxes: list[labels.Rect], ends: tuple[int, int]) -> int:
    """How many of the cards' `boxes` other than the link's own two the polyline passes
    through."""
    return sum(
        any(labels.segment_inside(a, b, box) > 0 for a, b in zip(points, points[1:], strict=False))
        for k, box in enumerate(boxes)
        if k not in ends
    )


def route_pos(path: list[Point]) -> str:
    """A canvas polyline (y down) as a Graphviz edge ``pos`` in the DOT source's points:
    straight B-spline pieces, ending an arrowhead's length before the tip (``e,``)."""
    points = [(x, -y) for x, y in path]
    (px, py), (qx, qy) = points[-2], points[-1]
    length = math.hypot(qx - px, qy - py)
    if length > ARROW_LENGTH:
        points[-1] = (
            qx - (qx - px) * ARROW_LENGTH / length,
            qy - (qy - py) * ARROW_LENGTH / length,
        )
    spline = [points[0]]
    for before, point in zip(points, points[1:], strict=False):
        spline += [before, point, point]
    body = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in spline)
    return f"e,{fmt(qx)},{fmt(qy)} {body}"


def _link_routes(routed: dict[str, Any]) -> Iterable[tuple[int, str]]:
    """Each routed link of Graphviz's ``json0`` output: its number (the DOT id
    ``link<number>``) and its ``pos``."""
    for item in routed.get("edges", []):
        name = str(item.get("id", ""))
        if name.startswith("link") and "pos" in item:
            yield int(name[4:]), item["pos"]


def fallback_splines(board: Board) -> str:
    """How links are routed when the orthogonal router fails on `board`."""
    return FALLBACK_SPLINES if len(board.nodes) <= POLYLINE_LIMIT else LARGE_FALLBACK_SPLINES
