"""The design as a NetworkX graph, plus the walks the rules share (framework.md §4).

Every function here is linear in the size of the graph, or linear per provider or
training pipeline over a bounded part of it, so validation stays near-linear on large
boards: no per-node ancestor sets, no unbounded per-predictor walks, no cycle listing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property

import networkx as nx

from components.catalogue import (
    COMPONENT_TYPES,
    FEATURE_PROVIDERS,
    NOTE,
    PREDICTION_STORES,
    PREDICTORS,
)
from components.document import Board, Node

# The feature-source walk stops at these types (they are never walked through).
FEATURE_WALK_STOPS = PREDICTORS | {"training_pipeline", "model_registry", "client_app"}
# The model-source walk only passes through these types.
MODEL_PLUMBING = frozenset({"model_registry", "offline_evaluation", "hyperparameter_tuning"})


class DesignGraph:
    """A board's components (notes left out) as a directed graph, with cached walks."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.nodes: dict[str, Node] = {n.id: n for n in board.nodes if n.type != NOTE}
        self.graph = nx.DiGraph()
        self.graph.add_nodes_from(self.nodes)
        self.graph.add_edges_from(
            (e.source, e.target) for e in board.edges
            if e.source in self.nodes and e.target in self.nodes
        )
        self.succ = self.graph.succ
        self.pred = self.graph.pred
        self.by_type: dict[str, list[str]] = defaultdict(list)
        for node in self.nodes.values():
            self.by_type[node.type].append(node.id)

    def type_of(self, node_id: str) -> str:
        return self.nodes[node_id].type

    def of_types(self, types: Iterable[str]) -> list[str]:
        return [node_id for t in types for node_id in self.by_type.get(t, ())]

    def name(self, node_id: str) -> str:
        """How a message names a component: its label (or type title) and its id."""
        node = self.nodes[node_id]
        return f'"{node.label or COMPONENT_TYPES[node.type].title}" ({node_id})'

    def category(self, node_id: str) -> str:
        return COMPONENT_TYPES[self.type_of(node_id)].category

    @cached_property
    def prediction_holders(self) -> frozenset[str]:
        """Prediction stores and caches, and NoSQL stores a batch scorer writes into."""
        holders = set(self.of_types(PREDICTION_STORES))
        for scorer in self.by_type.get("batch_scorer", ()):
            holders.update(t for t in self.succ[scorer] if self.type_of(t) == "nosql_db")
        return frozenset(holders)

    @cached_property
    def components(self) -> frozenset[str]:
        return frozenset(self.graph.nodes)

    def reaching(self, targets: Iterable[str]) -> set[str]:
        """Every node with a path (of length zero or more) to one of `targets`."""
        return _closure(self.pred, targets)

    def reachable(self, sources: Iterable[str]) -> set[str]:
        """Every node one of `sources` has a path (of length zero or more) to."""
        return _closure(self.succ, sources)

    @cached_property
    def feature_sources(self) -> dict[str, frozenset[str]]:
        """Feature sources of every walk-stopping node (predictors, pipelines, ...).

        The feature sources of X are the providers met walking upstream from X through
        any component except predictors, training pipelines, registries and client apps.
        Equivalently: provider p is a source of X when a path p -> ... -> X has no
        walk-stopping component before X. We walk downstream from each provider instead,
        which touches each provider's reach once rather than every node's ancestry.
        """
        sources: dict[str, set[str]] = defaultdict(set)
        for provider in self.of_types(FEATURE_PROVIDERS):
            seen = {provider}
            stack = [provider]
            while stack:
                for nxt in self.succ[stack.pop()]:
                    if self.type_of(nxt) in FEATURE_WALK_STOPS:
                        sources[nxt].add(provider)
                    elif nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
        return {node_id: frozenset(found) for node_id, found in sources.items()}

    def feature_sources_of(self, node_id: str) -> frozenset[str]:
        return self.feature_sources.get(node_id, frozenset())

    @cached_property
    def model_sources(self) -> dict[str, frozenset[str]]:
        """Model sources of every predictor.

        A training pipeline T is a model source of predictor P when a path T -> ... -> P
        passes only through registries, offline evaluations and hyperparameter tuning.
        """
        sources: dict[str, set[str]] = defaultdict(set)
        for pipeline in self.by_type.get("training_pipeline", ()):
            seen: set[str] = set()
            stack = [pipeline]
            while stack:
                for nxt in self.succ[stack.pop()]:
                    kind = self.type_of(nxt)
                    if kind in PREDICTORS:
                        sources[nxt].add(pipeline)
                    elif kind in MODEL_PLUMBING and nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
        return {node_id: frozenset(found) for node_id, found in sources.items()}

    def model_sources_of(self, predictor: str) -> frozenset[str]:
        return self.model_sources.get(predictor, frozenset())

    @cached_property
    def scc_index(self) -> dict[str, int]:
        """The strongly connected component each node belongs to, as an index."""
        index: dict[str, int] = {}
        for number, members in enumerate(nx.strongly_connected_components(self.graph)):
            for member in members:
                index[member] = number
        return index

    def walk_back(self, start: str, allowed: frozenset[str] | set[str]) -> set[str]:
        """Nodes in `allowed` with a path to `start` whose every node lies in `allowed`."""
        seen: set[str] = set()
        stack = [start]
        while stack:
            for prev in self.pred[stack.pop()]:
                if prev in allowed and prev not in seen:
                    seen.add(prev)
                    stack.append(prev)
        return seen


def _closure(adjacency, starts: Iterable[str]) -> set[str]:
    seen = set(starts)
    stack = list(seen)
    while stack:
        for nxt in adjacency[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
