"""Auto-layout: canvas positions that show a design's structure.

One layout for everything: the editor's "Auto-layout" button applies these positions (one
batch of moves, so one undo), and the report, the replay, the reference view and the
"auto" exports draw the board at them (components/export.py).

Two placements. A board of 2 to ``ANNEAL_LIMIT`` components with links gets the grid
placement (components/placement.py): cards in the slots of a six-column grid, placed by
simulated annealing (components/anneal.py) to cross little, keep bands together and the
serving loop a row; the run whose routed drawing crosses least is kept, then settled
by its routed drawing. Measured on the 13 bench boards (docs/benchmarks.md): 196
crossings in the editor's routes with dot's placement below, 23 with the grid's
(exported: 185 and 22); every board fits at 0.62 or more. It takes 1–5 s, so it is
remembered per board content (`auto_positions`). Larger boards, and
boards without links, get dot's placement (`dot_positions`), described in the rest of
this docstring.

How dot's placement is made. `dot` lays the board out left to right (``rankdir=LR``),
with one cluster per band: the serving loop (client and serving components), features,
data, training and monitoring.
Inside a band, links are ordinary constraints, so each band reads as a row in the
direction of its flow (client → gateway → … → predictor → back). Links between bands are
weakened so that they do not push the bands into one long strip:

- a link "downstream" in the ML flow (data → features → training → serving → monitoring)
  keeps its direction but may stay in the same column (``minlen=0``);
- a link back "upstream" (serving logs to data, monitoring triggers training) does not
  constrain the columns at all (``constraint=false``).

Every link still takes part in dot's crossing minimisation, which orders the bands and
the cards inside them, though it misses most of the crossings drawn (see "Untangling").
A two-way pair (a → b and b → a) is laid out as one link, so the pair stays side by
side. Cards have the size components/cards.py gives them.

A board too big for the editor. The editor should show a whole board at 60% zoom or more
in a 1440×900 window: the layout must fit ``FIT_BOX``. Boards miss it by being too wide
(every board measured so far): the chain data → features → training → serving →
monitoring adds up the columns of every band on it (harmful-content-detection: eight).
Such a board (up to ``RETRY_LIMIT`` components) is laid out again, and a retry is kept
only if it fits; otherwise the first layout stands:

1. the same layout with smaller gaps: the gap between columns shrunk just enough
   (``RANKSEP`` down to ``RANKSEP_FLOOR``), or between the cards of a column for a board
   too tall; nothing else changes;
2. if that does not fit: one link inside a band other than serving, on the longest chain
   of columns, may stay in its column (``minlen=0``), so its target sits above or below
   its source and the chain is one column shorter. Each such link is tried; a try is
   dropped if, with the links drawn straight between card centres, it puts fewer serving
   links level (the loop stops being a row), runs more links through cards, or crosses
   more than ``CROSSING_SLACK`` more (at least 2). Of the rest, the one with the fewest
   straight crossings among those that fit is kept; if none fits, the one with the
   fewest is laid out again with step 1's smaller gaps, and kept if it then fits.

No link loses its direction and no band its cluster. Measured (docs/benchmarks.md): it
fits harmful-content-detection at 0.60 (0.53 before) with the same 40 crossings, leaves the
twelve other boards of bench/layout.py as they were, and fits 122 of the 135 realistic
boards (tests/fixtures/realistic) instead of 86, with as many crossings in total (2,684).
A board that needs a retry takes 7–10 runs of dot (about 65 ms) instead of one. Laying a
too-big board out again with the links between a pair of bands unconstrained was tried
before and taken back: it knotted the realistic search-ranking board, which this keeps in
its rows. Changing the order of the flow for every board fits harmful-content-detection
too, but adds 40–250 crossings on the 13 boards.

Untangling. dot counts crossings between neighbouring columns only, and most of ours are
elsewhere: the positions are untangled afterwards (components/untangle.py), then polished
with moves scored by the editor's routes themselves (components/polish.py).

Measured (bench/layout.py, docs/benchmarks.md): on the ten case-study references and the
three example designs this gives a two-dimensional drawing (aspect 1.0–1.5 instead of
4.6–14 for plain ``rankdir=LR``) that the editor fits at a median zoom of 0.61 instead of
0.22, at the cost of more crossings than the one-row strip (237 against 90; drawn the
way our exports draw, the strip's layout has 131). Bands as hard rank rows
(``rank=same``) were tried first: far more crossings and wider drawings, because every
link between non-adjacent rows is routed through the rows between.

Graphviz never sees a board id: nodes are named ``n0``, ``n1``, … in board order.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from components.cards import MIN_HEIGHT, card_geometry
from components.catalogue import COMPONENT_TYPES, NOTE
from components.document import Board, Node
from components.graphviz import (
    DEFAULT_TIMEOUT,
    ExportError,
    ExportTimeout,
    attrs,
    fmt,
    run_graphviz,
    too_slow,
)
from components.labels import segment_inside

MARGIN = 40  # canvas pixels between the layout and the origin
NODESEP = 0.5  # inches between cards in a column (36 px: room for an arrow between bands)
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

# The box a layout should fit in, in canvas pixels: what the editor shows at 60% zoom in a
# 1440x900 window (its stage is 880x804, less 56 px of padding on each side; bench/layout.py
# reads the stage from static/css). A layout bigger than this is made again (see the
# module docstring); a retry is kept only if it fits.
FIT_BOX = (1280, 1153)
RETRY_LIMIT = 60  # components: larger boards do not fit FIT_BOX, so are laid out once
ANNEAL_LIMIT = 30  # components: larger boards get dot's placement (the grid's takes 2 s at 30)
GRID_CACHE_SIZE = 128  # boards whose grid placement a process remembers
_GRID_CACHE: OrderedDict[str, Positions] = OrderedDict()
_GRID_LOCK = threading.Lock()  # guards the two dicts
_GRID_BUSY: dict[str, threading.Lock] = {}  # held while a board is being placed
RANKSEP_FLOOR = 0.3  # inches: the narrowest gap between columns a retry may use
NODESEP_FLOOR = 0.2  # inches: the narrowest gap between the cards of a column
CROSSING_SLACK = 0.1  # a stacked link may add this share of straight crossings (at least 2)

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


def card_box(node: Node, positions: Positions) -> tuple[float, float, float, float]:
    """The card of `node` where `positions` (top-left canvas positions by id) put it:
    (left, top, right, bottom) on the canvas."""
    width, height = card_size(node)
    x, y = positions[node.id]["x"], positions[node.id]["y"]
    return (float(x), float(y), float(x + width), float(y + height))


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


Link = tuple[str, str]  # (source id, target id) of a link as laid out
Point = tuple[float, float]
Positions = dict[str, dict[str, float]]


def laid_links(board: Board) -> list[Link]:
    """The links dot lays out, in board order: one per two-way pair, no loops."""
    laid: set[frozenset[str]] = set()
    links = []
    for edge in board.edges:
        pair = frozenset((edge.source, edge.target))
        if len(pair) < 2 or pair in laid:
            continue
        laid.add(pair)
        links.append((edge.source, edge.target))
    return links


@dataclass(frozen=True)
class LayoutOptions:
    """What a retry changes (see the module docstring): the gaps, in inches, and the links
    inside a band that may stay in one column."""

    ranksep: float = RANKSEP
    nodesep: float = NODESEP
    stacked: frozenset[Link] = frozenset()


def layout_dot(board: Board, options: LayoutOptions = LayoutOptions()) -> str:
    """The board as the DOT that dot lays out (see the module docstring)."""
    band = bands(board)
    graph: dict[str, Any] = {
        "rankdir": "LR",
        "newrank": "true",
        "nodesep": fmt(options.nodesep),
        "ranksep": fmt(options.ranksep),
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

    # A two-way pair is laid out as one link, and a loop not at all.
    for source, target in laid_links(board):
        values = _edge_constraint(band[source], band[target])
        if (source, target) in options.stacked:
            values = {"minlen": "0"}
        suffix = f" {attrs(values)}" if values else ""
        lines.append(f"  {node_name(index[source])} -> {node_name(index[target])}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def positions_from_json(board: Board, data: dict[str, Any]) -> Positions:
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


@dataclass(frozen=True)
class Laid:
    """One layout pass: its options and positions, and what the retries compare."""

    board: Board
    options: LayoutOptions
    positions: Positions

    @cached_property
    def boxes(self) -> dict[str, tuple[float, float, float, float]]:
        """Each card's rectangle (left, top, right, bottom) in canvas pixels (measured once
        per layout: every comparison of a retry reads it, and card sizes cost text
        measuring)."""
        size = {node.id: card_size(node) for node in self.board.nodes}
        return {
            i: (p["x"], p["y"], p["x"] + size[i][0], p["y"] + size[i][1])
            for i, p in self.positions.items()
        }

    def size(self) -> tuple[float, float]:
        """Width and height of the cards' bounding box."""
        boxes = self.boxes.values()
        return max(b[2] for b in boxes) - MARGIN, max(b[3] for b in boxes) - MARGIN

    def fits(self) -> bool:
        width, height = self.size()
        return width <= FIT_BOX[0] and height <= FIT_BOX[1]

    @cached_property
    def centres(self) -> dict[str, Point]:
        return {i: ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for i, b in self.boxes.items()}

    def columns(self) -> dict[str, int]:
        """Each card's column (dot's rank), from 0 at the left."""
        xs = {i: round(x) for i, (x, _) in self.centres.items()}
        order = sorted(set(xs.values()))
        return {i: order.index(x) for i, x in xs.items()}

    def serving_row(self) -> int:
        """How many links inside the serving band are drawn level (the loop as a row)."""
        band = bands(self.board)
        centre = self.centres
        return sum(
            abs(centre[s][1] - centre[t][1]) < MIN_HEIGHT / 3
            for s, t in laid_links(self.board)
            if band[s] == band[t] == "serving"
        )

    def straight(self) -> tuple[int, int]:
        """Crossings, and links through a card, with every link drawn straight between
        card centres: a cheap measure, without routing, of how tangled the placement is."""
        centre = self.centres
        boxes = self.boxes
        links = laid_links(self.board)
        crossings = through = 0
        for k, (s, t) in enumerate(links):
            a, b = centre[s], centre[t]
            through += sum(
                segment_inside(a, b, box) > 1e-6 for i, box in boxes.items() if i not in (s, t)
            )
            for s2, t2 in links[k + 1 :]:
                if not {s, t} & {s2, t2}:
                    crossings += _segments_cross(a, b, centre[s2], centre[t2])
        return crossings, through


def _segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


def _lay_out(board: Board, options: LayoutOptions, timeout: float) -> Laid:
    output = run_graphviz(layout_dot(board, options), "json0", ["-Kdot"], timeout)
    try:
        data = json.loads(output)
    except ValueError as exc:
        raise ExportError(f"could not read Graphviz's layout: {exc}") from None
    return Laid(board, options, positions_from_json(board, data))


def _tighter(laid: Laid) -> LayoutOptions:
    """`laid`'s options with the gaps shrunk just enough to fit FIT_BOX, floors allowing:
    the excess width taken from the gaps between columns, the excess height from the gaps
    between the cards of the fullest column."""
    width, height = laid.size()
    column = list(laid.columns().values())
    count = max(column) + 1
    fullest = max(column.count(c) for c in range(count))
    ranksep, nodesep = laid.options.ranksep, laid.options.nodesep
    if width > FIT_BOX[0] and count > 1:
        ranksep -= (width - FIT_BOX[0] + 2) / 72 / (count - 1)
    if height > FIT_BOX[1] and fullest > 1:
        nodesep -= (height - FIT_BOX[1] + 2) / 72 / (fullest - 1)
    return LayoutOptions(
        round(max(RANKSEP_FLOOR, ranksep), 3),
        round(max(NODESEP_FLOOR, nodesep), 3),
        laid.options.stacked,
    )


def _critical_links(laid: Laid) -> list[Link]:
    """The links inside a band other than serving on a longest chain of columns: stacking
    one of them may save a column."""
    band = bands(laid.board)
    column = laid.columns()
    tight = []  # (left end, right end, link) of links whose constraint has no slack
    for s, t in laid_links(laid.board):
        values = _edge_constraint(band[s], band[t])
        if values.get("constraint") == "false":
            continue
        minlen = 0 if (s, t) in laid.options.stacked else int(values.get("minlen", "1"))
        if column[t] - column[s] == minlen:
            tight.append((s, t, (s, t)))
        elif minlen and column[s] - column[t] == minlen:  # dot reversed it to break a cycle
            tight.append((t, s, (s, t)))
    last = max(column.values())
    from_first = {i for i, c in column.items() if c == 0}  # then all a tight chain reaches
    to_last = {i for i, c in column.items() if c == last}  # then all that reach it so
    grown = True
    while grown:
        grown = False
        for a, b, _ in tight:
            if a in from_first and b not in from_first:
                from_first.add(b)
                grown = True
            if b in to_last and a not in to_last:
                to_last.add(a)
                grown = True
    return [
        link
        for a, b, link in tight
        if a in from_first
        and b in to_last
        and band[a] == band[b]
        and band[a] not in (None, "serving")
    ]


def _fitted(first: Laid, deadline: float, timeout: float) -> Laid | None:
    """A retry of `first`, which does not fit FIT_BOX, that fits; or None."""

    def run(options: LayoutOptions) -> Laid | None:
        left = deadline - time.monotonic()
        if left < timeout / 2:
            return None  # keep the first layout rather than run out of time
        return _lay_out(first.board, options, left)

    tight = run(_tighter(first))
    if tight is None or tight.fits():
        return tight
    width = first.size()[0]
    if width <= FIT_BOX[0]:
        return None  # too tall: stacking would not help
    crossings, through = first.straight()
    row = first.serving_row()
    best: tuple[tuple[bool, int], Laid] | None = None
    for link in _critical_links(first):
        stacked = run(LayoutOptions(stacked=frozenset({link})))
        if stacked is None:
            break
        if stacked.size()[0] >= width:
            continue  # no column saved
        more, more_through = stacked.straight()
        if (
            stacked.serving_row() < row
            or more_through > through
            or more > crossings + max(2, CROSSING_SLACK * crossings)
        ):
            continue  # it costs more than it saves
        rank = (not stacked.fits(), more)
        if best is None or rank < best[0]:
            best = (rank, stacked)
    if best is None or best[1].fits():
        return best[1] if best else None
    both = run(_tighter(best[1]))
    return both if both is not None and both.fits() else None


def auto_positions(board: Board, timeout: float = DEFAULT_TIMEOUT) -> Positions:
    """Top-left canvas positions by node id: the grid placement (components/placement.py)
    for a board of 2 to ANNEAL_LIMIT components with links, else dot's (`dot_positions`).

    The grid placement takes 1-5 s, so it is remembered per board content, and a board
    is placed by one thread at a time (another asking for it waits, then reads it). It
    is all or nothing: a placement not done within `timeout` raises ExportTimeout, so
    the editor, the report and the exports never show two placements of one board."""
    if not (2 <= len(board.nodes) <= ANNEAL_LIMIT and laid_links(board)):
        return dot_positions(board, timeout)
    from components.placement import grid_positions  # it builds on this module's cards

    deadline = time.monotonic() + timeout
    key = _content_key(board)
    with _GRID_LOCK:  # views run in threads
        positions = _GRID_CACHE.get(key)
        busy = _GRID_BUSY.setdefault(key, threading.Lock())
    if positions is None:
        if not busy.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise ExportTimeout(too_slow(timeout))
        try:
            with _GRID_LOCK:
                positions = _GRID_CACHE.get(key)
            if positions is None:
                try:
                    positions = grid_positions(board, deadline)
                except TimeoutError:
                    raise ExportTimeout(too_slow(timeout)) from None
                with _GRID_LOCK:
                    _GRID_CACHE[key] = positions
                    while len(_GRID_CACHE) > GRID_CACHE_SIZE:
                        _GRID_CACHE.popitem(last=False)
        finally:
            busy.release()
    with _GRID_LOCK:
        if key in _GRID_CACHE:  # (another thread may have trimmed it since)
            _GRID_CACHE.move_to_end(key)
        if not busy.locked():
            _GRID_BUSY.pop(key, None)
    return copy.deepcopy(positions)


def _content_key(board: Board) -> str:
    """What the auto-layout of `board` depends on: its components (id, type, label) and
    links (id, ends), in board order; not where the components are."""
    nodes = [(n.id, n.type, n.label) for n in board.nodes]
    edges = [(e.id, e.source, e.target) for e in board.edges]
    return json.dumps([nodes, edges])


def dot_positions(board: Board, timeout: float = DEFAULT_TIMEOUT) -> Positions:
    """Top-left canvas positions by node id, as dot places them, untangled and polished
    (the module docstring)."""
    # Imported here: the untangling and polishing passes build on this module's bands,
    # cards and links.
    from components.polish import polished
    from components.untangle import untangled

    if not board.nodes:
        return {}
    deadline = time.monotonic() + timeout
    first = _lay_out(board, LayoutOptions(), timeout)
    if not first.positions or first.fits() or len(board.nodes) > RETRY_LIMIT:
        return polished(board, untangled(board, first.positions))
    try:
        retry = _fitted(first, deadline, timeout)
    except ExportTimeout:
        retry = None
    return polished(board, untangled(board, (retry or first).positions))
