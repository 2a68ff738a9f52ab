"""Auto-layout: canvas positions for every component from Graphviz's dot, left to right.

The editor sends the result as one batch of moves, so one undo restores the drawing.
"""

from __future__ import annotations

import json
from dataclasses import replace

from components.document import Board
from components.export import (
    CANVAS_NODE_HEIGHT,
    CANVAS_NODE_WIDTH,
    DEFAULT_TIMEOUT,
    ExportError,
    graphviz_name,
    run_graphviz,
    to_dot,
)

MARGIN = 40  # canvas pixels between the layout and the origin


def auto_positions(board: Board, timeout: float = DEFAULT_TIMEOUT) -> dict[str, dict[str, float]]:
    """Top-left canvas positions by node id, as `dot -Kdot` (rankdir=LR) places them."""
    if not board.nodes:
        return {}
    source = to_dot(replace(board, title=""), layout="auto")
    try:
        data = json.loads(run_graphviz(source, "json0", "auto", timeout))
        height = float(data["bb"].split(",")[3])
        centres = {obj["name"]: obj["pos"] for obj in data.get("objects", []) if "pos" in obj}
    except (ValueError, KeyError, IndexError) as exc:
        raise ExportError(f"could not read Graphviz's layout: {exc}") from None
    positions = {}
    for node in board.nodes:
        name = graphviz_name(node.id)
        if name not in centres:
            continue
        x, y = (float(v) for v in centres[name].split(","))
        positions[node.id] = {
            "x": round(MARGIN + x - CANVAS_NODE_WIDTH / 2),
            "y": round(MARGIN + (height - y) - CANVAS_NODE_HEIGHT / 2),
        }
    return positions
