"""Benchmark the SVG export: boards of 50, 200 and 1,000 components, both layouts.

A board of N components is made of copies of tests/fixtures/designs/video_recommendation.json
(20 components, 27 edges): each copy is re-ided (`c3.rank`), moved to its own block of a
grid of blocks for the drawn layout, and chained to the previous copy by an edge from that
copy's event stream to this copy's; the last copy is cut to N components (edges to cut
components dropped). The time measured is components.export.render(board, "svg", ...): DOT
generation, the Graphviz process and the SVG check.

Run from the repository root:  .venv/bin/python bench/export.py
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.document import Board, Edge, Node, parse  # noqa: E402
from components.export import render  # noqa: E402

DESIGN = ROOT / "tests" / "fixtures" / "designs" / "video_recommendation.json"
SIZES = (50, 200, 1000)
RUNS = {50: 9, 200: 7, 1000: 3}
LAYOUTS = ("drawn", "auto")
TARGET_MS = 150  # 200 components, SVG, median
BLOCK_GAP = 200


def chained_board(size: int) -> Board:
    base = parse(DESIGN.read_text())
    width = max(n.x for n in base.nodes) - min(n.x for n in base.nodes) + 150 + BLOCK_GAP
    height = max(n.y for n in base.nodes) - min(n.y for n in base.nodes) + 60 + BLOCK_GAP
    copies = math.ceil(size / len(base.nodes))
    columns = math.ceil(math.sqrt(copies))
    nodes: list[Node] = []
    edges: list[Edge] = []
    for copy in range(copies):
        dx, dy = (copy % columns) * width, (copy // columns) * height
        kept = set()
        for node in base.nodes:
            if len(nodes) == size:
                break
            new_id = f"c{copy}.{node.id}"
            kept.add(new_id)
            nodes.append(Node(new_id, node.type, node.label, node.x + dx, node.y + dy,
                              dict(node.props)))
        for edge in base.edges:
            source, target = f"c{copy}.{edge.source}", f"c{copy}.{edge.target}"
            if source in kept and target in kept:
                edges.append(Edge(f"c{copy}.{edge.id}", source, target, edge.label))
        if copy and f"c{copy}.events" in kept:
            edges.append(Edge(f"chain{copy}", f"c{copy - 1}.events", f"c{copy}.events",
                              "replica"))
    return Board(title=f"Benchmark board ({size} components)", nodes=nodes, edges=edges)


def median_ms(board: Board, layout: str, runs: int) -> float:
    render(board, "svg", layout=layout, timeout=60)  # warm-up (font cache, page cache)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        render(board, "svg", layout=layout, timeout=60)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    started = time.perf_counter()
    boards = {size: chained_board(size) for size in SIZES}
    results: dict[tuple[int, str], float] = {}
    header = f"{'components':>10} {'edges':>6} {'layout':>6} {'runs':>4} {'median ms':>10} " \
             f"{'x prev size':>11}"
    print(header)
    print("-" * len(header))
    for layout in LAYOUTS:
        previous = None
        for size in SIZES:
            board = boards[size]
            ms = median_ms(board, layout, RUNS[size])
            results[(size, layout)] = ms
            ratio = f"{ms / previous:.1f}x" if previous else "-"
            print(f"{len(board.nodes):>10} {len(board.edges):>6} {layout:>6} {RUNS[size]:>4} "
                  f"{ms:>10.1f} {ratio:>11}")
            previous = ms
    print()
    ok = True
    for layout in LAYOUTS:
        ms = results[(200, layout)]
        verdict = "ok" if ms <= TARGET_MS else "OVER TARGET"
        ok = ok and ms <= TARGET_MS
        print(f"target: 200 components, {layout} layout, SVG median {ms:.1f} ms "
              f"<= {TARGET_MS} ms: {verdict}")
    print(f"total time {time.perf_counter() - started:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
