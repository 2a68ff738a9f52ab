"""Benchmark the validator on large realistic designs.

Run from the repository root:

    .venv/bin/python bench/validate.py

Each board chains realistic designs: the example design
(tests/fixtures/designs/video_recommendation.json) and the ten case-study reference
designs (components/case_studies/), taken in turn, every copy's ids prefixed with
`c<k>-`, until the board holds at least the size asked for (whole designs only, so the
boards hold a few components more: their sizes are printed). Copy k's data lake (or
event stream, object store, NoSQL store) feeds copy k+1's.
Boards are built as `Board` objects directly: what is measured is the validator, not
the parser.

Two designs per size:
- `passing`: the copies as they are.
- `failing`: no edge into any client app: no answer travels back, so `serving-loop`
  takes its failing path.

Printed: for each design and size, validate(board, "staff") timings (median and min of
repeated runs after a warm-up, the sizes interleaved; wall-clock time, and the median
CPU time of the process beside it) and the ratio of the 2,000 median to the 200 median;
the cost of building the DesignGraph alone; and a per-rule breakdown at 2,000
components. Exits with status 1 when a target is missed (200 components: median <= 5
ms; 2,000 components: median <= 60 ms; 2,000 / 200 <= 15).

Timings on a shared machine are noisy: when other work loads it, wall-clock times
suffer most; the CPU column is the steadier figure, and a miss with a high load average
(see `uptime`) is worth a second run.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import components.case_studies as case_studies  # noqa: E402
from components.document import Board, Edge, Node, parse  # noqa: E402
from components.graph import DesignGraph  # noqa: E402
from components.report import validate  # noqa: E402
from components.rules import profile  # noqa: E402

EXAMPLE = ROOT / "tests" / "fixtures" / "designs" / "video_recommendation.json"
SIZES = (200, 2_000)
KINDS = ("passing", "failing")
ROUNDS = 21  # timed runs of every size, interleaved (see time_interleaved)
LEVEL = "staff"
MIN_EDGES_PER_COMPONENT = 1.4
CHAIN_TYPES = ("data_lake", "event_stream", "object_store", "nosql_db")
TARGET_SMALL_MS = 5.0
TARGET_LARGE_MS = 60.0
TARGET_RATIO = 15.0


def load_example() -> Board:
    return parse(EXAMPLE.read_text())


def templates() -> list[Board]:
    """The realistic designs boards are made of: the example, then the case studies."""
    studies = case_studies.load_all()
    return [load_example(), *(studies[slug].reference for slug in sorted(studies))]


def copy_prefix(k: int) -> str:
    return f"c{k}-"


def _chain_node(board: Board) -> str:
    for type_id in CHAIN_TYPES:
        for node in board.nodes:
            if node.type == type_id:
                return node.id
    raise ValueError(f"{board.title}: no data store to chain")


def synthetic_board(size: int, *, failing: bool = False, designs=None) -> Board:
    """`size` components: realistic designs in turn, re-id'd per copy and chained."""
    designs = designs or templates()
    nodes: list[Node] = []
    edges: list[Edge] = []
    previous: str | None = None
    k = 0
    while len(nodes) < size:
        template = designs[k % len(designs)]
        pre = copy_prefix(k)
        types = {n.id: n.type for n in template.nodes}
        for n in template.nodes:
            nodes.append(
                Node(
                    id=pre + n.id,
                    type=n.type,
                    label=n.label,
                    x=n.x + 3_000 * k,
                    y=n.y,
                    props={
                        key: (list(value) if isinstance(value, list) else value)
                        for key, value in n.props.items()
                    },
                )
            )
        for e in template.edges:
            if failing and types[e.target] == "client_app":
                continue
            edges.append(
                Edge(id=pre + e.id, source=pre + e.source, target=pre + e.target, label=e.label)
            )
        chain = pre + _chain_node(template)
        if previous:
            edges.append(Edge(id=f"{pre}chain", source=previous, target=chain))
        previous = chain
        k += 1
    title = f"{k} chained realistic designs"
    return Board(title=title, level=LEVEL, notes=dict(designs[0].notes), nodes=nodes, edges=edges)


def time_interleaved(jobs: dict, rounds: int) -> tuple[dict, dict]:
    """Wall-clock and CPU milliseconds per call of each job over `rounds` rounds, after
    one warm-up call each.

    Each round calls every job once, so a burst of load from elsewhere on the machine
    slows every size alike rather than one size's runs: the 10,000 / 1,000 ratio stays
    meaningful on a shared machine.
    """
    for fn in jobs.values():
        fn()  # warm-up
    wall: dict = {key: [] for key in jobs}
    cpu: dict = {key: [] for key in jobs}
    for _ in range(rounds):
        for key, fn in jobs.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            wall[key].append((time.perf_counter() - start) * 1_000)
            cpu[key].append((time.process_time() - start_cpu) * 1_000)
    return wall, cpu


def check_board(board: Board, size: int, failing: bool) -> None:
    assert size <= len(board.nodes) < size + 40, (len(board.nodes), size)
    ratio = len(board.edges) / len(board.nodes)
    assert ratio >= MIN_EDGES_PER_COMPONENT, (
        f"{size} components: {ratio:.2f} edges per component, below {MIN_EDGES_PER_COMPONENT}"
    )
    report = validate(board, LEVEL)
    errors = {f.rule for f in report.findings if f.severity == "error"}
    if failing:
        assert "serving-loop" in errors, errors
    else:
        assert report.passed, errors


def main() -> int:
    designs = templates()
    started = time.perf_counter()
    boards = {}
    for kind in KINDS:
        for size in SIZES:
            board = synthetic_board(size, failing=kind == "failing", designs=designs)
            check_board(board, size, kind == "failing")
            boards[(kind, size)] = board
    jobs = {
        ("validate", kind, size): (lambda b=board: validate(b, LEVEL))
        for (kind, size), board in boards.items()
    }
    jobs.update(
        {
            ("graph", "passing", size): (lambda b=boards[("passing", size)]: DesignGraph(b))
            for size in SIZES
        }
    )
    samples, cpu = time_interleaved(jobs, ROUNDS)

    small, large = SIZES
    rows = []
    medians: dict[tuple[str, int], float] = {}
    cpu_medians: dict[tuple[str, int], float] = {}
    for (kind, size), board in boards.items():
        timing = samples[("validate", kind, size)]
        medians[(kind, size)] = statistics.median(timing)
        cpu_medians[(kind, size)] = statistics.median(cpu[("validate", kind, size)])
        rows.append(
            (
                kind,
                size,
                len(board.edges),
                len(board.edges) / len(board.nodes),
                medians[(kind, size)],
                min(timing),
                cpu_medians[(kind, size)],
                len(timing),
            )
        )
    graph_rows = [
        (
            size,
            statistics.median(samples[("graph", "passing", size)]),
            min(samples[("graph", "passing", size)]),
        )
        for size in SIZES
    ]

    print(f'validate(board, "{LEVEL}") - all rules; {len(profile(LEVEL))} rules')
    print(
        f"{'design':<8} {'components':>10} {'edges':>7} {'edges/comp':>10} "
        f"{'median ms':>10} {'min ms':>8} {'cpu ms':>8} {'runs':>5}"
    )
    for kind, size, n_edges, per, median, low, cpu_median, runs in rows:
        count = len(boards[(kind, size)].nodes)
        print(
            f"{kind:<8} {count:>10,} {n_edges:>7,} {per:>10.2f} {median:>10.2f} "
            f"{low:>8.2f} {cpu_median:>8.2f} {runs:>5}"
        )
    verdicts = []
    for kind in KINDS:
        ratio = medians[(kind, large)] / medians[(kind, small)]
        cpu_ratio = cpu_medians[(kind, large)] / cpu_medians[(kind, small)]
        verdicts.append((kind, medians[(kind, small)], medians[(kind, large)], ratio))
        print(f"{kind}: median {large:,} / median {small:,} = {ratio:.2f} (cpu {cpu_ratio:.2f})")

    print()
    print("DesignGraph(board) construction alone (passing design)")
    print(f"{'components':>10} {'median ms':>10} {'min ms':>8}")
    for size, median, low in graph_rows:
        print(f"{size:>10,} {median:>10.2f} {low:>8.2f}")

    for kind in KINDS:
        print()
        print(
            f"Per rule at {large:,} components ({kind} design), median ms over "
            f"{ROUNDS} runs; rules run in profile order on one DesignGraph, so a "
            "shared walk is charged to the first rule that needs it"
        )
        _per_rule(boards[(kind, large)], ROUNDS)

    print()
    ok = True
    for kind, median_small, median_large, ratio in verdicts:
        fast = median_small <= TARGET_SMALL_MS and median_large <= TARGET_LARGE_MS
        linear = ratio <= TARGET_RATIO
        ok = ok and fast and linear
        print(
            f"{kind}: {small:,} components {median_small:.2f} ms (target <= "
            f"{TARGET_SMALL_MS:g}), {large:,} components {median_large:.2f} ms (target <= "
            f"{TARGET_LARGE_MS:g}) {'ok' if fast else 'MISSED'}; ratio {ratio:.2f} "
            f"(target <= {TARGET_RATIO:g}) {'ok' if linear else 'MISSED'}"
        )
    print(f"total benchmark time {time.perf_counter() - started:.1f} s")
    return 0 if ok else 1


def _per_rule(board: Board, runs: int) -> None:
    rules = profile(LEVEL)
    samples: dict[str, list[float]] = {"DesignGraph(board)": []}
    samples.update({r.id: [] for r in rules})
    for attempt in range(runs + 1):  # the first pass is a warm-up
        start = time.perf_counter()
        design = DesignGraph(board)
        elapsed = [("DesignGraph(board)", time.perf_counter() - start)]
        for r in rules:
            start = time.perf_counter()
            r.findings(design)
            elapsed.append((r.id, time.perf_counter() - start))
        if attempt:
            for key, seconds in elapsed:
                samples[key].append(seconds * 1_000)
    medians = {key: statistics.median(values) for key, values in samples.items()}
    total = sum(medians.values())
    print(f"{'step':<26} {'median ms':>10} {'share':>6}")
    for key, median in sorted(medians.items(), key=lambda item: -item[1]):
        print(f"{key:<26} {median:>10.3f} {median / total:>6.1%}")
    print(f"{'sum':<26} {total:>10.3f}")


if __name__ == "__main__":
    sys.exit(main())
