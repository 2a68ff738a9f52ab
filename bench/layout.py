"""Benchmark the auto-layout's readability against plain ``dot -Grankdir=LR``.

For the ten case-study reference designs and the three example designs: auto-layout each
board (components.layout.auto_positions), draw it as the exports do (cards pinned where
the layout put them, links routed orthogonally by Graphviz) and measure the drawing:

- fit: the zoom at which the editor's "fit" shows the whole board in a 1440x900 window.
  The canvas area is the window minus the sidebars, the top bar and the toolbar, read
  from static/css (board.css --left, --right, --topbar; .toolbar height), minus the
  56 px padding canvas.fit() keeps on each side; the zoom is capped at 1.
- crossings: points where two links cross (links sharing an end are not counted there).
- through: links passing through a card that is not one of their ends.
- shared: pairs of links running along the same segment (overlapping for >= 10 px).
- truncated: cards whose label is cut (components/cards.py).
- aspect: width / height of the drawing's bounding box.
- link labels, read from the exported SVG itself (components.export.render): "on card",
  labels whose box overlaps a card, a finding badge or a panel; "on label", pairs of
  labels that overlap; "on link", labels whose box lies on a link other than their own
  (box against the link's polyline and arrowhead); "away", labels more than
  `LABEL_REACH` points from their own link. Measured on the "auto" export, and totalled
  over the 13 boards for the "drawn" export and for both layouts with legend and findings.
  The baseline's labels are dot's own (``label``, placed as part of its layout), their
  boxes estimated from the text (dot's JSON gives only their centre).

The drawing measured is the "auto" export's (components/export.py): cards pinned where
the layout put them, links routed orthogonally by Graphviz, or as polylines around the
cards where its orthogonal router fails. The baseline is
``dot -Grankdir=LR`` with the same card sizes and link labels, measured on dot's own
drawing (splines); the last column ("base pinned") counts the crossings of the
baseline's layout drawn the way our exports draw (cards pinned, the same routing), which
separates what the routing adds from what the placement costs.
Run:  .venv/bin/python bench/layout.py [--json]
"""

from __future__ import annotations

import json
import math
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.cards import card_geometry, text_width  # noqa: E402
from components.case_studies import load_all  # noqa: E402
from components.catalogue import COMPONENT_TYPES, NOTE  # noqa: E402
from components.document import Board, parse  # noqa: E402
from components.drawing import EDGE_LABEL_FRAME, SEVERITY_COLOUR  # noqa: E402
from components.export import (  # noqa: E402
    around_cards,
    fallback_splines,
    render,
    route_pos,
    to_dot,
)
from components.graphviz import GraphvizFailed, attrs, fmt, run_graphviz  # noqa: E402
from components.labels import segment_inside  # noqa: E402
from components.layout import (  # noqa: E402
    Positions,
    auto_positions,
    card_size,
    positions_from_json,
)
from components.report import validate  # noqa: E402
from components.routes import board_routes  # noqa: E402

DESIGNS = ROOT / "tests" / "fixtures" / "designs"
WINDOW = (1440, 900)
FIT_PADDING = 56  # static/js/viewport.js fit()
LABEL_REACH = 8  # points: a label farther than this from its own link is "away"
EDITOR_FIGURES = (("crossings", "crossings"), ("through", "through"), ("shared", "shared"))
TARGETS = {"fit": 0.6, "through": 0, "truncated": 0, "crossing_ratio": 0.6, "aspect": (0.6, 2.2)}
FIT_LIMIT = 25  # components: the fit target applies to boards up to this size (issue #12)


def canvas_area(window: tuple[int, int] = WINDOW) -> tuple[float, float]:
    """The editor's stage size at `window`, from the CSS the page uses."""
    css = (ROOT / "static" / "css" / "board.css").read_text()

    def var(name: str) -> float:
        match = re.search(rf"--{name}:\s*(\d+(?:\.\d+)?)px", css)
        if not match:
            raise SystemExit(f"board.css has no --{name}")
        return float(match.group(1))

    toolbar = re.search(r"\.toolbar\s*\{[^}]*?height:\s*(\d+)px", css)
    bar = float(toolbar.group(1)) if toolbar else 44.0
    return window[0] - var("left") - var("right"), window[1] - var("topbar") - bar


def boards() -> list[tuple[str, Board]]:
    result = [(s.slug, s.fresh_reference()) for s in load_all().values()]
    for path in sorted(DESIGNS.glob("*.json")):
        result.append((path.stem, parse(path.read_text())))
    return result


# --- drawing ---------------------------------------------------------------------------


def _baseline_dot(board: Board) -> str:
    size = {n.id: card_size(n) for n in board.nodes}
    lines = ["digraph d {", '  graph [rankdir="LR"];', '  node [shape="box", fixedsize="true"];']
    for k, node in enumerate(board.nodes):
        w, h = size[node.id]
        lines.append(f"  n{k} {attrs({'width': fmt(w / 72), 'height': fmt(h / 72)})};")
    index = {n.id: k for k, n in enumerate(board.nodes)}
    for edge in board.edges:
        label = {"label": edge.label} if edge.label else {}
        lines.append(f"  n{index[edge.source]} -> n{index[edge.target]} {attrs(label)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


def _bezier(points: list[Point], steps: int = 8) -> list[Point]:
    """A Graphviz B-spline (p0 c c p1 c c p2 ...) sampled into a polyline."""
    out = [points[0]]
    for i in range(0, len(points) - 3, 3):
        p0, c1, c2, p1 = points[i : i + 4]
        for s in range(1, steps + 1):
            t = s / steps
            u = 1 - t
            out.append(
                (
                    u**3 * p0[0] + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t**3 * p1[0],
                    u**3 * p0[1] + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t**3 * p1[1],
                )
            )
    return out


def _edge_path(pos: str) -> list[Point]:
    parts = pos.split()
    end = None
    points: list[Point] = []
    for part in parts:
        if part.startswith("e,"):
            x, y = part[2:].split(",")
            end = (float(x), float(y))
        elif part.startswith("s,"):
            continue
        else:
            x, y = part.split(",")
            points.append((float(x), float(y)))
    path = _bezier(points)
    if end:
        path.append(end)
    return path


def read_drawing(data: dict[str, Any], board: Board) -> tuple[list[Rect], list[tuple]]:
    """Card rectangles (board order) and (source, target, polyline) per link, in points."""
    objects = data.get("objects", [])
    rects: list[Rect] = []
    by_name = {o["name"]: o for o in objects if "pos" in o}
    for k in range(len(board.nodes)):
        o = by_name[f"n{k}"]
        x, y = (float(v) for v in o["pos"].split(","))
        w, h = float(o["width"]) * 72 / 2, float(o["height"]) * 72 / 2
        rects.append((x - w, y - h, x + w, y + h))
    gvid = {o["_gvid"]: int(o["name"][1:]) for o in objects if re.fullmatch(r"n\d+", o["name"])}
    links = []
    for e in data.get("edges", []):
        if "pos" in e and e["tail"] in gvid and e["head"] in gvid:
            links.append((gvid[e["tail"]], gvid[e["head"]], _edge_path(e["pos"])))
    return rects, links


# --- metrics ---------------------------------------------------------------------------


def _cross(a: Point, b: Point, c: Point, d: Point) -> Point | None:
    """The proper intersection point of segments ab and cd, if any."""
    r = (b[0] - a[0], b[1] - a[1])
    s = (d[0] - c[0], d[1] - c[1])
    den = r[0] * s[1] - r[1] * s[0]
    if abs(den) < 1e-9:
        return None
    t = ((c[0] - a[0]) * s[1] - (c[1] - a[1]) * s[0]) / den
    u = ((c[0] - a[0]) * r[1] - (c[1] - a[1]) * r[0]) / den
    if 1e-6 < t < 1 - 1e-6 and 1e-6 < u < 1 - 1e-6:
        return (a[0] + t * r[0], a[1] + t * r[1])
    return None


def _inside(p: Point, rect: Rect, pad: float = 0) -> bool:
    return rect[0] - pad <= p[0] <= rect[2] + pad and rect[1] - pad <= p[1] <= rect[3] + pad


def _segment_hits_rect(a: Point, b: Point, rect: Rect) -> bool:
    """Does segment ab pass through the interior of `rect` (shrunk by 3 points)?"""
    x0, y0, x1, y1 = rect[0] + 3, rect[1] + 3, rect[2] - 3, rect[3] - 3
    if x0 >= x1 or y0 >= y1:
        return False
    return segment_inside(a, b, (x0, y0, x1, y1)) > 1e-6


def _overlap(a: Point, b: Point, c: Point, d: Point, tol: float = 1.5) -> float:
    """Length over which two axis-parallel segments run on top of each other."""
    if abs(a[1] - b[1]) < tol and abs(c[1] - d[1]) < tol and abs(a[1] - c[1]) < tol:
        lo = max(min(a[0], b[0]), min(c[0], d[0]))
        hi = min(max(a[0], b[0]), max(c[0], d[0]))
        return max(0.0, hi - lo)
    if abs(a[0] - b[0]) < tol and abs(c[0] - d[0]) < tol and abs(a[0] - c[0]) < tol:
        lo = max(min(a[1], b[1]), min(c[1], d[1]))
        hi = min(max(a[1], b[1]), max(c[1], d[1]))
        return max(0.0, hi - lo)
    return 0.0


def measure(board: Board, data: dict[str, Any]) -> dict[str, Any]:
    rects, links = read_drawing(data, board)
    return measure_lines(board, rects, links)


def measure_lines(board: Board, rects: list[Rect], links: list[tuple]) -> dict[str, Any]:
    """The figures of a drawing: card rectangles (board order) and (source, target,
    polyline) per link."""
    crossings = through = shared = 0
    for i, (s1, t1, p1) in enumerate(links):
        for k, rect in enumerate(rects):
            if k in (s1, t1):
                continue
            if any(_segment_hits_rect(p1[j], p1[j + 1], rect) for j in range(len(p1) - 1)):
                through += 1
                break
        for s2, t2, p2 in links[i + 1 :]:
            ends = {s1, t1} & {s2, t2}
            overlap = 0.0
            for j in range(len(p1) - 1):
                for m in range(len(p2) - 1):
                    point = _cross(p1[j], p1[j + 1], p2[m], p2[m + 1])
                    if point and not any(_inside(point, rects[e], 4) for e in ends):
                        crossings += 1
                    overlap += _overlap(p1[j], p1[j + 1], p2[m], p2[m + 1])
            if overlap >= 10:
                shared += 1
    x0 = min(r[0] for r in rects)
    y0 = min(r[1] for r in rects)
    x1 = max(r[2] for r in rects)
    y1 = max(r[3] for r in rects)
    width, height = x1 - x0, y1 - y0
    stage_w, stage_h = canvas_area()
    fit = min(1.0, (stage_w - 2 * FIT_PADDING) / width, (stage_h - 2 * FIT_PADDING) / height)
    truncated = sum(
        card_geometry(n.label, COMPONENT_TYPES[n.type].title, n.type == NOTE).truncated
        for n in board.nodes
    )
    return {
        "components": len(board.nodes),
        "fit": round(fit, 3),
        "crossings": crossings,
        "through": through,
        "shared": shared,
        "truncated": truncated,
        "aspect": round(width / height, 2),
        "size": [round(width), round(height)],
    }


# --- link labels ---------------------------------------------------------------------

SVG_NS = "{http://www.w3.org/2000/svg}"
LABEL_KEYS = ("on_card", "on_label", "on_link", "away", "tags")
# A label drawn as a numbered tag: its text is a number (components/export.py).
TAG = re.compile(rb'class="label">\n<title>[^<]*</title>\n<rect[^>]*/>\n<text[^>]*>\d+</text>')


def _numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def _shape_box(element: Any) -> Rect | None:
    """The bounding box of an SVG path, polygon or rect, in the SVG's user units."""
    tag = element.tag.rsplit("}", 1)[-1]
    if tag == "rect":
        x, y = float(element.get("x")), float(element.get("y"))
        return (x, y, x + float(element.get("width")), y + float(element.get("height")))
    values = _numbers(element.get("d") or element.get("points") or "")
    if tag not in ("path", "polygon") or len(values) < 4:
        return None
    xs, ys = values[0::2], values[1::2]
    return (min(xs), min(ys), max(xs), max(ys))


def read_svg(svg: bytes) -> tuple[list[Rect], dict[int, list[list[Point]]], dict[int, Rect]]:
    """Obstacles (cards, badges, panels), each link's polylines (route and arrowhead) and
    each link label's box, read from an exported SVG, keyed by the link's number."""
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.fromstring(svg)
    obstacles: list[Rect] = []
    links: dict[int, list[list[Point]]] = {}
    labels: dict[int, Rect] = {}
    badge_fills = set(SEVERITY_COLOUR.values())
    for group in root.iter(f"{SVG_NS}g"):
        gid = group.get("id") or ""
        shapes = [e for e in group if e.tag.rsplit("}", 1)[-1] in ("path", "polygon", "rect")]
        match = re.fullmatch(r"(link|label)(\d+)", gid)
        if gid.startswith("card") and shapes:
            obstacles.extend(
                box
                for k, e in enumerate(shapes)
                if (k == 0 or e.get("fill") in badge_fills) and (box := _shape_box(e))
            )
        elif gid in ("legend", "findings"):
            boxes = [b for e in shapes if (b := _shape_box(e))]
            if boxes:
                obstacles.append(
                    (
                        min(b[0] for b in boxes),
                        min(b[1] for b in boxes),
                        max(b[2] for b in boxes),
                        max(b[3] for b in boxes),
                    )
                )
        elif match:
            number = int(match.group(2))
            for e in shapes:
                if e.get("stroke") == EDGE_LABEL_FRAME:
                    box = _shape_box(e)
                    if box:
                        labels[number] = box
                elif match.group(1) == "link" and e.tag.endswith("path"):
                    values = _numbers(e.get("d") or "")
                    points = list(zip(values[0::2], values[1::2], strict=False))
                    links.setdefault(number, []).append(_bezier(points))
                elif match.group(1) == "link" and e.tag.endswith("polygon"):
                    values = _numbers(e.get("points") or "")
                    links.setdefault(number, []).append(
                        list(zip(values[0::2], values[1::2], strict=False))
                    )
    return obstacles, links, labels


def _boxes_overlap(a: Rect, b: Rect, tol: float = 0.5) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > tol and min(a[3], b[3]) - max(a[1], b[1]) > tol


def _segment_box_distance(a: Point, b: Point, box: Rect) -> float:
    """Distance from segment ab to `box` (0 when it touches or crosses it), sampled."""
    best = math.inf
    steps = max(1, int(math.hypot(b[0] - a[0], b[1] - a[1]) / 2))
    for s in range(steps + 1):
        t = s / steps
        x, y = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
        dx = max(box[0] - x, 0.0, x - box[2])
        dy = max(box[1] - y, 0.0, y - box[3])
        best = min(best, math.hypot(dx, dy))
    return best


def _lies_on(lines: list[list[Point]], box: Rect) -> bool:
    """Does any of `lines` run through `box` (shrunk by half a point)?"""
    # _segment_hits_rect shrinks the box it is given by 3 points.
    grown = (box[0] - 2.5, box[1] - 2.5, box[2] + 2.5, box[3] + 2.5)
    return any(
        _segment_hits_rect(line[j], line[j + 1], grown)
        for line in lines
        for j in range(len(line) - 1)
    )


def label_counts(
    obstacles: list[Rect], links: dict[int, list[list[Point]]], labels: dict[int, Rect]
) -> dict[str, int]:
    """The label measures of one drawing (see the module docstring)."""
    counts = dict.fromkeys(LABEL_KEYS, 0)
    items = sorted(labels.items())
    for i, (number, box) in enumerate(items):
        counts["on_card"] += any(_boxes_overlap(box, o) for o in obstacles)
        counts["on_label"] += sum(_boxes_overlap(box, other) for _, other in items[i + 1 :])
        counts["on_link"] += any(
            _lies_on(lines, box) for other, lines in links.items() if other != number
        )
        own = links.get(number, [])
        reach = min(
            (
                _segment_box_distance(line[j], line[j + 1], box)
                for line in own
                for j in range(len(line) - 1)
            ),
            default=math.inf,
        )
        counts["away"] += reach > LABEL_REACH
    return counts


def export_labels(board: Board, layout: str, findings: bool = False) -> dict[str, int]:
    """The label measures of the SVG export (`findings`: with legend and findings), and
    how many labels are drawn as numbered tags (their text listed beside the drawing)."""
    extra: dict[str, Any] = {"legend": True, "findings": validate(board)} if findings else {}
    svg = render(board, "svg", layout=layout, **extra)
    counts = label_counts(*read_svg(svg))
    counts["tags"] = len(TAG.findall(svg))
    return counts


def baseline_labels(board: Board, data: dict[str, Any]) -> dict[str, int]:
    """The label measures of plain dot's own drawing: boxes estimated around ``lp``."""
    rects, links = read_drawing(data, board)
    lines = {i: [path] for i, (_, _, path) in enumerate(links)}
    labels: dict[int, Rect] = {}
    # dot's edges come in board order (see _baseline_dot).
    for i, (edge, e) in enumerate(zip(board.edges, data.get("edges", []), strict=False)):
        if "lp" in e and edge.label:
            x, y = (float(v) for v in e["lp"].split(","))
            w, h = text_width(edge.label, 14) + 4, 19.0
            labels[i] = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    return label_counts(rects, lines, labels)


def pinned_drawing(
    board: Board, positions: dict[str, dict[str, float]], graphviz_routes: bool = False
) -> dict[str, Any]:
    """Cards at `positions`, drawn as the exports draw them (components/export.py): the
    canvas's routes (components/routes.py) pinned; or, with `graphviz_routes` (as the
    exports drew before, and still do for boards over routes.ROUTE_LIMIT components), links
    routed orthogonally by Graphviz around the pinned cards, polylines where that fails."""
    options: dict[str, Any] = {"layout": "auto", "positions": positions}
    canvas = None if graphviz_routes else board_routes(board, positions)
    if canvas is not None:
        options["routes"] = {number: route_pos(line) for number, line in canvas.items()}
        source = to_dot(board, **options)
        return json.loads(run_graphviz(source, "json", ["-Kneato", "-n2"]))  # type: ignore[no-any-return]
    try:
        data = json.loads(run_graphviz(to_dot(board, **options), "json", ["-Kneato", "-n2"]))
    except GraphvizFailed:
        options["splines"] = fallback_splines(board)
        data = json.loads(run_graphviz(to_dot(board, **options), "json", ["-Kneato", "-n2"]))
    # Links run through a card are routed around the cards, as the export does.
    repaired = around_cards(board, data, positions)
    if repaired is None:
        return data  # type: ignore[no-any-return]
    source = to_dot(board, **options, routes=repaired)
    return json.loads(run_graphviz(source, "json", ["-Kneato", "-n2"]))  # type: ignore[no-any-return]


def canvas_drawings(laid: list[tuple[Board, Positions]]) -> list[dict[str, Any]] | str:
    """Each board at its positions as the editor draws it: static/js/routing.js run in
    node (bench/canvas_routes.mjs), measured as the exports are; or why it could not run."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "@joint" / "core").is_dir():
        return "node or node_modules/@joint/core missing (make dev-deps)"
    sent = []
    for board, positions in laid:
        cards = []
        for node_ in board.nodes:
            width, height = card_size(node_)
            x, y = positions[node_.id]["x"], positions[node_.id]["y"]
            cards.append({"id": node_.id, "x": x, "y": y, "w": width, "h": height})
        links = [{"id": e.id, "s": e.source, "t": e.target} for e in board.edges]
        sent.append({"cards": cards, "links": links})
    script = ROOT / "bench" / "canvas_routes.mjs"
    done = subprocess.run(
        [node, str(script)], input=json.dumps(sent), capture_output=True, text=True, check=False
    )
    if done.returncode:
        return f"node failed: {done.stderr.strip()[-300:]}"
    measured = []
    for (board, _), board_in, lines in zip(laid, sent, json.loads(done.stdout), strict=True):
        index = {node_.id: k for k, node_ in enumerate(board.nodes)}
        rects = [(c["x"], c["y"], c["x"] + c["w"], c["y"] + c["h"]) for c in board_in["cards"]]
        links = [
            (index[e.source], index[e.target], [tuple(p) for p in lines[e.id]]) for e in board.edges
        ]
        measured.append(measure_lines(board, rects, links))
    return measured


def ours(board: Board) -> tuple[dict[str, Any], float, Positions]:
    started = time.perf_counter()
    positions = auto_positions(board)
    elapsed = time.perf_counter() - started
    # Drawn exactly as the "auto" export draws it (components/export.py).
    measured = measure(board, pinned_drawing(board, positions))
    measured["graphviz_crossings"] = measure(board, pinned_drawing(board, positions, True))[
        "crossings"
    ]
    measured["labels"] = export_labels(board, "auto")
    return measured, elapsed, positions


def baseline(board: Board) -> tuple[dict[str, Any], int]:
    """Plain dot's drawing, and the crossings of its layout drawn as our exports draw."""
    data = json.loads(run_graphviz(_baseline_dot(board), "json", ["-Kdot"]))
    pinned = pinned_drawing(board, positions_from_json(board, data))
    measured = measure(board, data)
    measured["labels"] = baseline_labels(board, data)
    return measured, measure(board, pinned)["crossings"]


def main() -> None:
    rows = []
    pinned = {}
    variants = {"drawn": ("drawn", False), "auto+findings": ("auto", True)}
    variants["drawn+findings"] = ("drawn", True)
    others: dict[str, dict[str, int]] = {v: dict.fromkeys(LABEL_KEYS, 0) for v in variants}
    laid = []
    for name, board in boards():
        mine, elapsed, positions = ours(board)
        laid.append((board, positions))
        base, pinned[name] = baseline(board)
        rows.append((name, mine, base, elapsed))
        for variant, (layout, findings) in variants.items():
            for key, value in export_labels(board, layout, findings).items():
                others[variant][key] += value
    in_editor = canvas_drawings(laid)
    if "--json" in sys.argv:
        print(
            json.dumps(
                {
                    "boards": [{"board": n, "ours": m, "baseline": b} for n, m, b, _ in rows],
                    "labels": others,
                    "editor": in_editor,
                }
            )
        )
        return
    head = f"{'board':28} {'n':>3} {'fit':>5} {'cross':>5} {'thru':>4} {'shar':>4} "
    head += f"{'trunc':>5} {'aspect':>6}"
    print(head + "  | baseline fit cross thru shar aspect | cross ratio | base pinned")
    ratios = []
    for name, m, b, _ in rows:
        # none against none is met (0 <= 60% of 0); some against none is not
        ratio = m["crossings"] / b["crossings"] if b["crossings"] else math.inf
        if not m["crossings"]:
            ratio = 0.0
        ratios.append(ratio)
        print(
            f"{name[:28]:28} {m['components']:>3} {m['fit']:>5.2f} {m['crossings']:>5} "
            f"{m['through']:>4} {m['shared']:>4} {m['truncated']:>5} {m['aspect']:>6.2f}  | "
            f"{b['fit']:>12.2f} {b['crossings']:>5} {b['through']:>4} {b['shared']:>4} "
            f"{b['aspect']:>6.2f} | {ratio:>5.2f} | {pinned[name]:>5}"
        )
    fits = [m["fit"] for _, m, _, _ in rows]
    small = [m for _, m, _, _ in rows if m["components"] <= FIT_LIMIT]
    passed = {
        f"fit>=0.6 (<= {FIT_LIMIT} components)": f"{sum(m['fit'] >= TARGETS['fit'] for m in small)}"
        f" of {len(small)}",
        "fit>=0.6 (all)": sum(m["fit"] >= TARGETS["fit"] for _, m, _, _ in rows),
        "through=0": sum(m["through"] == 0 for _, m, _, _ in rows),
        "aspect ok": sum(0.6 <= m["aspect"] <= 2.2 for _, m, _, _ in rows),
        "cross<=60%": sum(r <= 0.6 for r in ratios),
    }
    total_m = sum(m["crossings"] for _, m, _, _ in rows)
    total_b = sum(b["crossings"] for _, _, b, _ in rows)
    print(
        f"median fit {statistics.median(fits):.2f} (baseline "
        f"{statistics.median(b['fit'] for _, _, b, _ in rows):.2f}); crossings {total_m} vs "
        f"{total_b} ({total_m / max(1, total_b):.2f}x); median layout time "
        f"{1000 * statistics.median(t for *_, t in rows):.0f} ms"
    )
    print(f"boards meeting each target (of {len(rows)}): {passed}")
    print(
        f"baseline's layout drawn as our exports draw (cards pinned, the canvas's routes): "
        f"{sum(pinned.values())} crossings"
    )
    print(
        "our layout with Graphviz's routing (the exports before components/routes.py): "
        f"{sum(m['graphviz_crossings'] for _, m, _, _ in rows)} crossings"
    )
    if isinstance(in_editor, str):
        print(f"as the editor draws it: not measured ({in_editor})")
    else:
        print(
            "as the editor draws our layout (static/js/routing.js in node): "
            + ", ".join(f"{r[0]} {sum(m[r[1]] for m in in_editor)}" for r in EDITOR_FIGURES)
            + "; by board: "
            + " ".join(str(m["crossings"]) for m in in_editor)
        )
    print()
    labelled = sum(1 for _, b in boards() for e in b.edges if e.label)
    print(
        f"link labels ({labelled} on the 13 boards): on card / on label / on link / away / "
        "drawn as numbered tags"
    )
    print(f"{'board':28} {'ours (auto export)':>22}  | {'baseline (dot)':>18}")
    totals = {"ours": dict.fromkeys(LABEL_KEYS, 0), "baseline": dict.fromkeys(LABEL_KEYS, 0)}
    for name, m, b, _ in rows:
        for side, counts in (("ours", m["labels"]), ("baseline", b["labels"])):
            for key in LABEL_KEYS:
                totals[side][key] += counts[key]
        print(f"{name[:28]:28} {_label_cells(m['labels']):>22}  | {_label_cells(b['labels']):>18}")
    print(
        f"{'total':28} {_label_cells(totals['ours']):>22}  | {_label_cells(totals['baseline']):>18}"
    )
    for variant, counts in others.items():
        print(f"{'total, ' + variant + ' export':28} {_label_cells(counts):>22}")


def _label_cells(counts: dict[str, int]) -> str:
    return " / ".join(str(counts[key]) for key in LABEL_KEYS)


if __name__ == "__main__":
    main()
