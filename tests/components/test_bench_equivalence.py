"""The validator's fast paths give the answers of plain, obviously-correct walks.

components/graph.py answers "is x upstream of y" with budgeted local looks, finds
answered clients per strongly connected component, and checks connections on node
numbers; bench/validate.py times them on large boards. Here they are compared with
straightforward reference versions (networkx and set-based breadth-first walks) on
random boards, with the look budget as set and with it forced to run out at once, and
the benchmark's synthetic boards are checked to give the findings their design implies.
"""

from __future__ import annotations

import importlib.util
import random
from collections import deque
from pathlib import Path

import networkx as nx
import pytest

from components.catalogue import COMPONENT_TYPES, NOTE, PREDICTORS, connection_refusal
from components.document import Board, Edge, Node
from components.graph import SERVING_TYPES, DesignGraph, Reach
from components.report import validate
from components.rules import Issue, connection_allowed, serving_loop

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


@pytest.mark.parametrize("budget", [None, 0])
def test_reach_answers_like_a_full_walk(budget):
    rng = random.Random(3)
    for board in boards(100, seed=1):
        design = DesignGraph(board)
        graph = reference_graph(board)
        ids = list(graph.nodes)
        for backward in (False, True):
            ends = rng.sample(ids, rng.randint(0, min(4, len(ids))))
            expected = closure(graph, ends, backward=backward)
            reach = design.reaching(ends) if backward else design.reachable(ends)
            if budget is not None:
                reach._budget = budget
            asked = ids * 2
            rng.shuffle(asked)
            assert {x for x in asked if x in reach} == expected
            assert "no such node" not in reach
            assert set(reach) == expected and len(reach) == len(expected)
            assert isinstance(reach, Reach)


def test_strong_components_match_networkx():
    for board in boards(150, seed=2):
        design = DesignGraph(board)
        ours: dict[int, set[str]] = {}
        for node_id, number in design.scc_index.items():
            ours.setdefault(number, set()).add(node_id)
        theirs = nx.strongly_connected_components(reference_graph(board))
        assert sorted(map(sorted, ours.values())) == sorted(map(sorted, theirs))


def reference_serving_loop(board: Board) -> list[Issue]:
    """serving-loop as framework.md §4 words it, one client at a time."""
    graph = reference_graph(board)
    types = {n.id: n.type for n in board.nodes if n.type != NOTE}
    clients = [n for n in graph if types[n] == "client_app"]
    if not clients:
        return serving_loop(DesignGraph(board))  # the no-client message: nothing to walk
    holders = {n for n in graph if types[n] in ("prediction_store", "cache")}
    holders |= {
        t
        for s in graph
        if types[s] == "batch_scorer"
        for t in graph.successors(s)
        if types[t] == "nosql_db"
    }
    answerers = {n for n in graph if types[n] in PREDICTORS} | holders
    corridor = {n for n in graph if types[n] in SERVING_TYPES} | holders
    component = {}
    for number, members in enumerate(nx.strongly_connected_components(graph)):
        component.update(dict.fromkeys(members, number))
    reached: set[str] = set()
    for client in clients:
        back = closure(graph.subgraph(corridor | {client}), [client], backward=True)
        if any(component[h] == component[client] for h in back & answerers):
            return []
        reached |= closure(graph, [client], backward=False) & answerers
    design = DesignGraph(board)
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
    example = bench.load_example()
    assert validate(example, "staff").findings == ()
    for size in (100, 1_000):
        passing = bench.synthetic_board(example, size)
        failing = bench.synthetic_board(example, size, failing=True)
        for board in (passing, failing):
            assert len(board.nodes) == size
            assert len(board.edges) / size >= bench.MIN_EDGES_PER_COMPONENT
        for level in ("mid", "senior", "staff"):
            assert validate(passing, level).findings == ()
            findings = validate(failing, level).findings
            assert [f.rule for f in findings] == ["serving-loop"]
            copies = size // len(example.nodes)
            assert findings[0].nodes == tuple(
                sorted(f"c{k}-{n}" for k in range(copies) for n in ("app", "rank"))
            )
