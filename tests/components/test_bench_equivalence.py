"""The validator's NetworkX walks give the answers of plain, obviously-correct walks.

components/graph.py answers "which X reach which Y" with label passes over condensations
and multi-source searches on views, finds answered clients per strongly connected
component, and checks connections edge by edge; bench/validate.py times them on large
boards. Here they are compared with naive per-node walks (tests/components/naive.py) on
random boards, and the benchmark's boards are checked to give the findings their design
implies.
"""

from __future__ import annotations

import importlib.util
import random
from collections import deque
from pathlib import Path

import networkx as nx
import pytest

from components.catalogue import COMPONENT_TYPES, NOTE, connection_refusal
from components.document import Board, Edge, Node
from components.graph import DesignGraph
from components.report import validate
from components.rules import Issue, connection_allowed, serving_loop
from tests.components.naive import Naive

TYPES = sorted(COMPONENT_TYPES)
BENCH = Path(__file__).resolve().parents[2] / "bench" / "validate.py"


def random_board(rng: random.Random, *, repeat_ids: bool = False) -> Board:
    size = rng.randint(1, 30)
    nodes = [Node(id=f"n{k}", type=rng.choice(TYPES)) for k in range(size)]
    if repeat_ids:
        for node in nodes:
            if rng.random() < 0.3:
                node.id = f"n{rng.randrange(size)}"
    ids = [n.id for n in nodes]
    edges = [
        Edge(id=f"e{k}", source=rng.choice(ids), target=rng.choice(ids))
        for k in range(rng.randint(0, 3 * size))
    ]
    return Board(nodes=nodes, edges=edges)


def boards(count: int, seed: int, **options) -> list[Board]:
    rng = random.Random(seed)
    return [random_board(rng, **options) for _ in range(count)]


def reference_graph(board: Board) -> nx.DiGraph:
    kept = {n.id for n in board.nodes if n.type != NOTE}
    graph = nx.DiGraph()
    graph.add_nodes_from(n.id for n in board.nodes if n.type != NOTE)
    graph.add_edges_from(
        (e.source, e.target) for e in board.edges if e.source in kept and e.target in kept
    )
    return graph


def closure(graph: nx.DiGraph, starts, *, backward: bool) -> set[str]:
    step = graph.predecessors if backward else graph.successors
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for nxt in step(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def test_predictors_holders_and_walks_match_naive_walks():
    for board in boards(150, seed=2):
        design = DesignGraph(board)
        naive = Naive(board)
        predictors = naive.predictors()
        assert design.predictors == predictors
        assert design.prediction_holders == naive.holders()
        for node in design.graph:
            if node in predictors or design.type_of(node) == "training_pipeline":
                assert design.feature_sources_of(node) == naive.feature_sources(node)
            if node in predictors:
                assert design.model_sources_of(node) == naive.model_sources(node)


def test_reach_and_through_match_plain_walks():
    rng = random.Random(3)
    for board in boards(100, seed=1):
        design = DesignGraph(board)
        graph = reference_graph(board)
        ids = list(graph.nodes)
        naive = Naive(board)
        for backward in (False, True):
            ends = rng.sample(ids, rng.randint(0, min(4, len(ids))))
            expected = closure(graph, ends, backward=backward)
            found = design.reaching(ends) if backward else design.reachable(ends)
            assert found == expected
            passable = set(rng.sample(ids, len(ids) // 2))
            expected = set()
            for end in ends:
                expected |= naive.walk(end, passable.__contains__, backward=backward)
            assert design.through(ends, passable, backward=backward) == expected


def reference_serving_loop(board: Board) -> list[Issue]:
    """serving-loop as framework.md §4 words it, one client at a time."""
    design = DesignGraph(board)
    naive = Naive(board)
    graph = reference_graph(board)
    clients = [n for n in graph if naive.types[n] == "client_app"]
    if not clients:
        return serving_loop(design)  # the no-client message: nothing to walk
    if naive.serving_loop_holds():
        return []
    answerers = naive.predictors() | naive.holders()
    reached: set[str] = set()
    for client in clients:
        reached |= closure(graph, [client], backward=False) & answerers
    names = ", ".join(design.name(n) for n in sorted(reached or clients))
    if not reached:
        return [
            Issue(
                f"Requests from {names} never reach a predictor or prediction store: "
                "route them through an API gateway to an inference or ranking service, "
                "or to precomputed predictions.",
                tuple(sorted(clients)),
            )
        ]
    return [
        Issue(
            f"Answers from {names} never travel back to the client: add a path from "
            "the predictor to the client app through serving components (e.g. ranking "
            "service -> API gateway -> client app).",
            tuple(sorted(set(clients) | reached)),
        )
    ]


def serving_board(rng: random.Random) -> Board:
    """A random board rich in clients and serving components, so loops do form."""
    kinds = [
        "client_app",
        "api_gateway",
        "ranking_service",
        "cache",
        "batch_scorer",
        "nosql_db",
        "candidate_generation",
        "event_stream",
        "load_balancer",
        "embedding_model",
        "vector_index",
        "feature_store",
        "data_lake",
    ]
    size = rng.randint(2, 16)
    nodes = [Node(id=f"n{k}", type=rng.choice(kinds)) for k in range(size)]
    edges = [
        Edge(id=f"e{k}", source=f"n{rng.randrange(size)}", target=f"n{rng.randrange(size)}")
        for k in range(rng.randint(0, 3 * size))
    ]
    return Board(nodes=nodes, edges=edges)


def test_serving_loop_matches_the_per_client_walks():
    rng = random.Random(4)
    outcomes = set()
    for _ in range(300):
        board = serving_board(rng)
        expected = reference_serving_loop(board)
        # Same verdict, components and diagnosis (the text before the suggested fix).
        assert [(i.nodes, i.message.split(":")[0]) for i in serving_loop(DesignGraph(board))] == [
            (i.nodes, i.message.split(":")[0]) for i in expected
        ]
        outcomes.add(expected[0].message[:8] if expected else "passes")
    assert {"passes", "Answers ", "Requests"} <= outcomes  # every path was taken


def reference_connections(board: Board) -> list[Issue]:
    types = {n.id: n.type for n in board.nodes}
    first: dict[tuple[str, str], str] = {}
    issues = []
    for edge in board.edges:
        pair = (edge.source, edge.target)
        if edge.source == edge.target:
            reason = "connects a component to itself"
        elif pair in first:
            reason = f'repeats edge "{first[pair]}" between the same components'
        else:
            refusal = connection_refusal(types[edge.source], types[edge.target])
            reason = f"is not allowed: {refusal}" if refusal else ""
        first.setdefault(pair, edge.id)
        if reason:
            issues.append(
                Issue(
                    f'Edge "{edge.id}" {reason}. Remove it or route the flow '
                    "through an allowed component.",
                    pair,
                    (edge.id,),
                )
            )
    return issues


@pytest.mark.parametrize("repeat_ids", [False, True])
def test_connection_allowed_matches_the_pairwise_check(repeat_ids):
    for board in boards(200, seed=5, repeat_ids=repeat_ids):
        assert connection_allowed(DesignGraph(board)) == reference_connections(board)


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_validate", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_boards_give_the_findings_of_their_design():
    bench = load_bench()
    designs = bench.templates()
    assert validate(designs[0], "staff").findings == ()
    for size in bench.SIZES[:1]:
        passing = bench.synthetic_board(size, designs=designs)
        failing = bench.synthetic_board(size, failing=True, designs=designs)
        for board in (passing, failing):
            assert size <= len(board.nodes) < size + 40
            assert len(board.edges) / len(board.nodes) >= bench.MIN_EDGES_PER_COMPONENT
        for level in ("mid", "senior", "staff"):
            report = validate(passing, level)
            assert [f.rule for f in report.findings if f.severity != "info"] == []
            errors = {f.rule for f in validate(failing, level).findings if f.severity == "error"}
            assert "serving-loop" in errors
