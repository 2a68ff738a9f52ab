"""Auto-layout: canvas positions that show a design's structure, from Graphviz's dot.

One layout for everything: the editor's "Auto-layout" button applies these positions (one
batch of moves, so one undo), and the report, the replay, the reference view and the
"auto" exports draw the board at them (components/export.py).

How. `dot` lays the board out left to right (``rankdir=LR``), with one cluster per band:
the serving loop (client and serving components), features, data, training and monitoring.
Inside a band, links are ordinary constraints, so each band reads as a row in the
direction of its flow (client → gateway → … → predictor → back). Links between bands are
weakened so that they do not push the bands into one long strip:

- a link "downstream" in the ML flow (data → features → training → serving → monitoring)
  keeps its direction but may stay in the same column (``minlen=0``);
- a link back "upstream" (serving logs to data, monitoring triggers training) does not
  constrain the columns at all (``constraint=false``).

Every link still takes part in dot's crossing minimisation, which orders the bands and
the cards inside them. A two-way pair (a → b and b → a) is laid out as one link, so the
pair stays side by side. Cards have the size components/cards.py gives them.

Measured (bench/layout.py, docs/benchmarks.md): on the ten case-study references and the
three example designs this gives a two-dimensional drawing (aspect 1.2–1.9 instead of
4.6–14 for plain ``rankdir=LR``) that the editor fits at a median zoom of 0.61 instead of
0.22, at the cost of more crossings than the one-row strip (450 against 90; drawn the
way our exports draw, the strip's layout has 131). Laying a board that is too big for
the editor out again with one pair of bands unconstrained was tried and taken back: it
fit one more board but knotted others (docs/benchmarks.md). Bands as
hard rank rows (``rank=same``) were tried first: far more crossings and wider drawings,
because every link between non-adjacent rows is routed through the rows between.

Graphviz never sees a board id: nodes are named ``n0``, ``n1``, … in board order.
"""

from __future__ import annotations

import json
from typing import Any

from components.cards import card_geometry
from components.catalogue import COMPONENT_TYPES, NOTE
from components.document import Board, Node
from components.graphviz import DEFAULT_TIMEOUT, ExportError, attrs, fmt, run_graphviz

MARGIN = 40  # canvas pixels between the layout and the origin
NODESEP = 0.3  # inches between cards in a column
RANKSEP = 0.5  # inches between columns
CLUSTER_MARGIN = 6  # points around a band

# Bands by category, and the order of the ML flow that decides which cross-band links
# constrain the columns (see the module docstring).
BAND_OF = {
    "client": "serving",
    "serving": "serving",
    "features": "features",
    "data": "data",
    "training": "training",
    "monitoring": "monitoring",
}
BANDS = ("serving", "data", "features", "monitoring", "training")  # the order written
FLOW = {"data": 0, "features": 1, "training": 2, "serving": 3, "monitoring": 4}

# Speed-ups for large boards: fewer network-simplex and crossing-minimisation iterations.
# From 150 components: about 1.7x faster at 200, with a few more crossings; from 800 the
# x-coordinate pass is cut harder, so 2,000 components take seconds, not tens of them.
DOT_SPEED_TIERS: tuple[tuple[int, dict[str, str]], ...] = (
    (800, {"nslimit": "0.5", "nslimit1": "0.5", "mclimit": "0.3", "searchsize": "20"}),
    (150, {"nslimit": "2", "nslimit1": "2", "mclimit": "0.3", "searchsize": "20"}),
)


def node_name(index: int) -> str:
    """The Graphviz name of the board's `index`-th node (never the id: ids stay out)."""
    return f"n{index}"


def card_size(node: Node) -> tuple[int, int]:
    """A component's card width and height in canvas pixels (components/cards.py)."""
    card = card_geometry(node.label, COMPONENT_TYPES[node.type].title, node.type == NOTE)
    return card.width, card.height


def bands(board: Board) -> dict[str, str | None]:
    """The band of each component; a note takes the band of a neighbour, if it has one."""
    result: dict[str, str | None] = {
        node.id: BAND_OF.get(COMPONENT_TYPES[node.type].category) for node in board.nodes
    }
    for edge in board.edges:
        for a, b in ((edge.source, edge.target), (edge.target, edge.source)):
            if result.get(a) is None and result.get(b):
                result[a] = result[b]
    return result


def _edge_constraint(source_band: str | None, target_band: str | None) -> dict[str, str]:
    if source_band == target_band:
        return {}
    if source_band is None or target_band is None or FLOW[target_band] < FLOW[source_band]:
        return {"constraint": "false"}
    return {"minlen": "0"}


def layout_dot(board: Board) -> str:
    """The board as the DOT that dot lays out (see the module docstring)."""
    band = bands(board)
    graph: dict[str, Any] = {
        "rankdir": "LR",
        "newrank": "true",
        "nodesep": fmt(NODESEP),
        "ranksep": fmt(RANKSEP),
        "splines": "false",
    }
    for threshold, speed in DOT_SPEED_TIERS:
        if len(board.nodes) >= threshold:
            graph.update(speed)
            break
    lines = ["digraph layout {", f"  graph {attrs(graph)};"]
    lines.append('  node [shape="box", fixedsize="true", label=""];')
    index = {node.id: k for k, node in enumerate(board.nodes)}

    def node_line(node: Node) -> str:
        width, height = card_size(node)
        size = {"width": fmt(width / 72), "height": fmt(height / 72)}
        return f"{node_name(index[node.id])} {attrs(size)};"

    for name in BANDS:
        members = [node for node in board.nodes if band[node.id] == name]
        if not members:
            continue
        lines.append(f"  subgraph cluster_{name} {{")
        lines.append(f'    graph [margin="{CLUSTER_MARGIN}"];')
        lines.extend(f"    {node_line(node)}" for node in members)
        lines.append("  }")
    lines.extend(f"  {node_line(node)}" for node in board.nodes if band[node.id] is None)

    laid: set[frozenset[str]] = set()
    for edge in board.edges:
        pair = frozenset((edge.source, edge.target))
        if len(pair) < 2 or pair in laid:
            continue  # a two-way pair is laid out as one link, and a loop not at all
        laid.add(pair)
        values = _edge_constraint(band[edge.source], band[edge.target])
        suffix = f" {attrs(values)}" if values else ""
        lines.append(
            f"  {node_name(index[edge.source])} -> {node_name(index[edge.target])}{suffix};"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def positions_from_json(board: Board, data: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Top-left canvas positions by node id from dot's json output, shifted to MARGIN."""
    try:
        centres = {o["name"]: o["pos"] for o in data.get("objects", []) if "pos" in o}
        found = {}
        for k, node in enumerate(board.nodes):
            pos = centres.get(node_name(k))
            if pos:
                x, y = (float(v) for v in pos.split(","))
                found[node.id] = (x, -y)  # Graphviz's y points up, the canvas's down
    except (ValueError, KeyError, AttributeError) as exc:
        raise ExportError(f"could not read Graphviz's layout: {exc}") from None
    if not found:
        return {}
    size = {node.id: card_size(node) for node in board.nodes}
    left = min(x - size[i][0] / 2 for i, (x, _) in found.items())
    top = min(y - size[i][1] / 2 for i, (_, y) in found.items())
    return {
        i: {
            "x": round(MARGIN + x - size[i][0] / 2 - left),
            "y": round(MARGIN + y - size[i][1] / 2 - top),
        }
        for i, (x, y) in found.items()
    }


def auto_positions(board: Board, timeout: float = DEFAULT_TIMEOUT) -> dict[str, dict[str, float]]:
    """Top-left canvas positions by node id, as the layout described above places them."""
    if not board.nodes:
        return {}
    output = run_graphviz(layout_dot(board), "json0", ["-Kdot"], timeout)
    try:
        data = json.loads(output)
    except ValueError as exc:
        raise ExportError(f"could not read Graphviz's layout: {exc}") from None
    return positions_from_json(board, data)
