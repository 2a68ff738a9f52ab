"""The design as a directed graph, plus the walks the rules share (framework.md §4).

Every function here is linear in the size of the graph, or linear per provider or
training pipeline over a bounded part of it, so validation stays near-linear on large
boards: no per-node ancestor sets, no unbounded per-predictor walks, no cycle listing.

The walks run over integer adjacency lists (node number -> neighbour numbers) and mark
what they meet in byte arrays: on boards of thousands of components that keeps their
memory small and their time linear (bench/validate.py measures it). Node ids stay the
currency of the public methods; the dict views `succ` and `pred` and the NetworkX view
`graph` of the same graph are built only when something asks for them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from functools import cached_property
from itertools import compress

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
# Each type's category, looked up once instead of through the catalogue entry.
CATEGORY_OF: dict[str, str] = {t.id: t.category for t in COMPONENT_TYPES.values()}
SERVING_TYPES = frozenset(t for t, category in CATEGORY_OF.items() if category == "serving")


class Reach(AbstractSet):
    """The nodes with a path (of length zero or more) from one of `ends` along
    `adjacency`, as a read-only set of ids, worked out only as far as it is asked.

    `x in reach` first looks for a path locally, breadth first from x against the
    direction of the walk, and stops at the nearest end: in a sound design the answer is
    a few edges away. What a look learns serves the next ones (a node found to lead to an
    end counts as an end; the nodes of a look that found nothing are skipped). All the
    looks of one Reach share a budget of one visit per node and edge; past it, the whole
    set is computed once (a linear walk) and answers the rest. Either way the answers are
    exactly those of the full walk, and the cost stays linear. Iterating, `len`, `&` and
    comparisons work as for a frozenset (`&` and the like return a plain set).
    """

    __slots__ = (
        "_graph",
        "_adjacency",
        "_reverse",
        "_starts",
        "_ends",
        "_dead",
        "_mask",
        "_budget",
    )

    def __init__(
        self,
        graph: DesignGraph,
        adjacency: list[list[int]],
        reverse: list[list[int]],
        ends: Iterable[str],
    ) -> None:
        self._graph = graph
        self._adjacency = adjacency  # the walk's direction
        self._reverse = reverse  # the direction of the looks
        index = graph.index
        self._starts = [index[node_id] for node_id in ends]
        # _ends: the ends, and the nodes looks found to lead to one; _dead: the nodes
        # looks found to lead to none.
        self._ends = bytearray(len(graph.ids))
        for number in self._starts:
            self._ends[number] = 1
        self._dead = bytearray(len(graph.ids))
        self._mask: bytearray | None = None  # the whole set, once computed
        self._budget = len(graph.ids) + len(graph.board.edges) + 64

    def __contains__(self, node_id: object) -> bool:
        number = self._graph.index.get(node_id)  # type: ignore[call-overload]
        if number is None:
            return False
        if self._mask is None:
            found = self._look(number)
            if found is not None:
                return found
        return self._whole()[number] == 1

    def _look(self, start: int) -> bool | None:
        """Whether `start` meets an end going against the walk; None past the budget."""
        ends, dead = self._ends, self._dead
        if ends[start]:
            return True
        if dead[start]:
            return False
        reverse = self._reverse
        budget = self._budget
        seen = {start}
        frontier = [start]
        while frontier:
            ahead = []
            for node in frontier:
                near = reverse[node]
                budget -= len(near) + 1
                for nxt in near:
                    if ends[nxt]:
                        self._budget = budget
                        ends[start] = 1
                        return True
                    if nxt not in seen and not dead[nxt]:
                        seen.add(nxt)
                        ahead.append(nxt)
                if budget < 0:
                    self._budget = budget
                    return None
            frontier = ahead
        self._budget = budget
        for node in seen:  # a whole region without an end
            dead[node] = 1
        return False

    def _whole(self) -> bytearray:
        if self._mask is None:
            self._mask = _closure(self._adjacency, self._starts, len(self._graph.ids))
        return self._mask

    def __iter__(self) -> Iterator[str]:
        return compress(self._graph.ids, self._whole())

    def __len__(self) -> int:
        return self._whole().count(1)

    @classmethod
    def _from_iterable(cls, items: Iterable[str]) -> set[str]:
        return set(items)

    def __repr__(self) -> str:
        return f"Reach({sorted(self)!r})"


class DesignGraph:
    """A board's components (notes left out) as a directed graph, with cached walks."""

    def __init__(self, board: Board) -> None:
        self.board = board
        nodes: dict[str, Node] = {}
        notes: list[str] = []
        for node in board.nodes:
            if node.type == NOTE:
                notes.append(node.id)
            else:
                nodes[node.id] = node
        self.nodes = nodes
        # Whether every node of the board (notes too) has an id of its own. The document
        # parser ensures it; a Board built by hand may break it.
        self.unique_ids = (
            len(notes) + len(nodes) == len(board.nodes)
            and len(set(notes)) == len(notes)
            and not any(note_id in nodes for note_id in notes)
        )
        # Node numbers: ids[k] is node k, index[id] its number, kinds[k] its type.
        self.ids: list[str] = list(nodes)
        self.index: dict[str, int] = dict(zip(self.ids, range(len(self.ids))))
        self.kinds: list[str] = [n.type for n in nodes.values()]
        # out[k] / into[k]: numbers of the nodes node k has an edge to / from, in edge
        # order (a repeated edge is listed again; the walks do not mind).
        out: list[list[int]] = [[] for _ in self.ids]
        into: list[list[int]] = [[] for _ in self.ids]
        # edge_sources[e] / edge_targets[e]: the numbers of the ends of board.edges[e],
        # or -1 for an end that is no component (a note, or a missing id).
        number = self.index.get
        self.edge_sources: list[int] = [number(e.source, -1) for e in board.edges]
        self.edge_targets: list[int] = [number(e.target, -1) for e in board.edges]
        ends = zip(self.edge_sources, self.edge_targets)
        if -1 in self.edge_sources or -1 in self.edge_targets:
            ends = ((s, t) for s, t in ends if s >= 0 and t >= 0)
        for source, target in ends:
            out[source].append(target)
            into[target].append(source)
        self.out = out
        self.into = into
        self.by_type: dict[str, list[str]] = defaultdict(list)
        for node_id, type_id in zip(self.ids, self.kinds):
            self.by_type[type_id].append(node_id)

    # --- views --------------------------------------------------------------------------

    @cached_property
    def succ(self) -> dict[str, dict[str, None]]:
        """Node id -> {successor id: None}, without repeats (a dict view for callers)."""
        return self._adjacency(self.out)

    @cached_property
    def pred(self) -> dict[str, dict[str, None]]:
        """Node id -> {predecessor id: None}, without repeats (a dict view for callers)."""
        return self._adjacency(self.into)

    def _adjacency(self, lists: list[list[int]]) -> dict[str, dict[str, None]]:
        ids = self.ids
        return {ids[k]: dict.fromkeys(ids[j] for j in near) for k, near in enumerate(lists)}

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The same graph as a NetworkX DiGraph (the rules themselves do not need it)."""
        graph = nx.DiGraph()
        graph.add_nodes_from(self.ids)
        graph.add_edges_from(
            (e.source, e.target)
            for e in self.board.edges
            if e.source in self.index and e.target in self.index
        )
        return graph

    def successors(self, node_id: str) -> list[str]:
        """The ids `node_id` has an edge to, without repeats, in edge order."""
        ids = self.ids
        return list(dict.fromkeys(ids[j] for j in self.out[self.index[node_id]]))

    def predecessors(self, node_id: str) -> list[str]:
        """The ids with an edge to `node_id`, without repeats, in edge order."""
        ids = self.ids
        return list(dict.fromkeys(ids[j] for j in self.into[self.index[node_id]]))

    def degree(self, node_id: str) -> int:
        """Incoming plus outgoing edges (each repeat and each end of a self-loop counted)."""
        number = self.index[node_id]
        return len(self.out[number]) + len(self.into[number])

    def unconnected(self) -> list[str]:
        """The ids of the components with no edge at all (to another component)."""
        return [
            node_id
            for node_id, out, into in zip(self.ids, self.out, self.into)
            if not out and not into
        ]

    def type_of(self, node_id: str) -> str:
        return self.nodes[node_id].type

    def of_types(self, types: Iterable[str]) -> list[str]:
        return [node_id for t in types for node_id in self.by_type.get(t, ())]

    def name(self, node_id: str) -> str:
        """How a message names a component: its label (or type title), quoted, plus its id
        only when another component goes by the same name (ids mean nothing to people,
        and the finding lists its components' ids anyway)."""
        shown = self._shown_name(node_id)
        return f'"{shown}" ({node_id})' if self._shown_names[shown] > 1 else f'"{shown}"'

    def _shown_name(self, node_id: str) -> str:
        node = self.nodes[node_id]
        return node.label or COMPONENT_TYPES[node.type].title

    @cached_property
    def _shown_names(self) -> Counter[str]:
        return Counter(self._shown_name(n) for n in self.nodes)

    def category(self, node_id: str) -> str:
        return CATEGORY_OF[self.nodes[node_id].type]

    @cached_property
    def prediction_holders(self) -> frozenset[str]:
        """Prediction stores and caches, and NoSQL stores a batch scorer writes into."""
        holders = set(self.of_types(PREDICTION_STORES))
        for scorer in self.by_type.get("batch_scorer", ()):
            holders.update(
                self.ids[t] for t in self.out[self.index[scorer]] if self.kinds[t] == "nosql_db"
            )
        return frozenset(holders)

    @cached_property
    def components(self) -> frozenset[str]:
        return frozenset(self.ids)

    # --- walks --------------------------------------------------------------------------

    def reaching(self, targets: Iterable[str]) -> Reach:
        """Every node with a path (of length zero or more) to one of `targets`."""
        return Reach(self, self.into, self.out, targets)

    def reachable(self, sources: Iterable[str]) -> Reach:
        """Every node one of `sources` has a path (of length zero or more) to."""
        return Reach(self, self.out, self.into, sources)

    @cached_property
    def feature_sources(self) -> dict[str, frozenset[str]]:
        """Feature sources of every walk-stopping node (predictors, pipelines, ...).

        The feature sources of X are the providers met walking upstream from X through
        any component except predictors, training pipelines, registries and client apps.
        Equivalently: provider p is a source of X when a path p -> ... -> X has no
        walk-stopping component before X. We walk downstream from each provider instead,
        which touches each provider's reach once rather than every node's ancestry.
        """
        out, ids, index, kinds = self.out, self.ids, self.index, self.kinds
        sources: dict[int, set[str]] = defaultdict(set)
        walked = [-1] * len(ids)  # walked[k] == w: node k was met by walk number w
        for walk, provider in enumerate(self.of_types(FEATURE_PROVIDERS)):
            start = index[provider]
            walked[start] = walk
            stack = [start]
            while stack:
                for nxt in out[stack.pop()]:
                    if kinds[nxt] in FEATURE_WALK_STOPS:
                        sources[nxt].add(provider)
                    elif walked[nxt] != walk:
                        walked[nxt] = walk
                        stack.append(nxt)
        return {ids[number]: frozenset(found) for number, found in sources.items()}

    def feature_sources_of(self, node_id: str) -> frozenset[str]:
        return self.feature_sources.get(node_id, frozenset())

    @cached_property
    def model_sources(self) -> dict[str, frozenset[str]]:
        """Model sources of every predictor.

        A training pipeline T is a model source of predictor P when a path T -> ... -> P
        passes only through registries, offline evaluations and hyperparameter tuning.
        """
        out, ids, index, kinds = self.out, self.ids, self.index, self.kinds
        sources: dict[int, set[str]] = defaultdict(set)
        for pipeline in self.by_type.get("training_pipeline", ()):
            seen: set[int] = set()
            stack = [index[pipeline]]
            while stack:
                for nxt in out[stack.pop()]:
                    kind = kinds[nxt]
                    if kind in PREDICTORS:
                        sources[nxt].add(pipeline)
                    elif kind in MODEL_PLUMBING and nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
        return {ids[number]: frozenset(found) for number, found in sources.items()}

    def model_sources_of(self, predictor: str) -> frozenset[str]:
        return self.model_sources.get(predictor, frozenset())

    @cached_property
    def scc_numbers(self) -> list[int]:
        """For node k, the number of the strongly connected component it belongs to."""
        return _strong_components(self.out)

    @cached_property
    def scc_index(self) -> dict[str, int]:
        """The strongly connected component each node belongs to, as an index."""
        return dict(zip(self.ids, self.scc_numbers))

    def walk_back(self, start: str, allowed: frozenset[str] | set[str]) -> set[str]:
        """Nodes in `allowed` with a path to `start` whose every node lies in `allowed`."""
        return self.walk_back_from((start,), allowed)

    def walk_back_from(self, starts: Iterable[str], allowed: frozenset[str] | set[str]) -> set[str]:
        """`walk_back` from several starts at once: the union of their walks."""
        seen = self._walk_back(self._mask(allowed), [self.index[s] for s in starts])
        return set(compress(self.ids, seen))

    def walk_from(self, starts: Iterable[str], allowed: Iterable[str]) -> set[str]:
        """Nodes in `allowed` that one of `starts` has a path to whose every node after the
        start lies in `allowed` (a start is included only when such a path returns to it)."""
        passable = self._mask(allowed)
        out = self.out
        seen = bytearray(len(self.ids))
        stack = [self.index[s] for s in starts]
        while stack:
            for nxt in out[stack.pop()]:
                if passable[nxt] and not seen[nxt]:
                    seen[nxt] = 1
                    stack.append(nxt)
        return set(compress(self.ids, seen))

    def returns_within_component(
        self, starts: Iterable[str], allowed: Iterable[str], targets: Iterable[str]
    ) -> bool:
        """Whether some start s has a target t in its own strongly connected component
        with a path t -> ... -> s whose every node but s lies in `allowed`; a target
        outside `allowed` never counts.

        Linear, however many starts: every node of a path from t to s lies in their
        shared component, so one walk back from all the starts of a component, kept
        inside it, finds exactly what the walks back from each of them would find.
        """
        index = self.index
        passable = self._mask(allowed)
        wanted = self._mask(targets)
        starts = [index[s] for s in starts]
        if not starts or not _meet(self._walk_back(passable, starts), wanted):
            return False  # no target has such a path to any start, component or not
        # Often the first start settles it: a target that walks back to it and that it
        # reaches shares its component. One look from it (linear at worst, and done
        # once), then the general method.
        first = starts[0]
        returning = self._walk_back(passable, [first])
        if _meet(returning, wanted) and self._reaches(first, returning, wanted):
            return True
        component = self.scc_numbers
        groups: dict[int, list[int]] = defaultdict(list)
        for start in starts:
            groups[component[start]].append(start)
        into = self.into
        seen = bytearray(len(self.ids))  # the walks stay in distinct components
        for number, stack in groups.items():
            while stack:
                for prev in into[stack.pop()]:
                    if passable[prev] and not seen[prev] and component[prev] == number:
                        if wanted[prev]:
                            return True
                        seen[prev] = 1
                        stack.append(prev)
        return False

    def _reaches(self, start: int, marked: bytearray, wanted: bytearray) -> bool:
        """Whether `start` has a path to a node both `marked` and `wanted` (breadth first,
        so a nearby node is found without walking the whole graph)."""
        if marked[start] and wanted[start]:
            return True
        out = self.out
        seen = bytearray(len(self.ids))
        seen[start] = 1
        frontier = [start]
        while frontier:
            ahead = []
            for node in frontier:
                for nxt in out[node]:
                    if not seen[nxt]:
                        if marked[nxt] and wanted[nxt]:
                            return True
                        seen[nxt] = 1
                        ahead.append(nxt)
            frontier = ahead
        return False

    def _mask(self, node_ids: Iterable[str]) -> bytearray:
        mask = bytearray(len(self.ids))
        index = self.index
        for node_id in node_ids:
            number = index.get(node_id)
            if number is not None:
                mask[number] = 1
        return mask

    def _walk_back(self, passable: bytearray, starts: list[int]) -> bytearray:
        into = self.into
        seen = bytearray(len(self.ids))
        stack = list(starts)
        while stack:
            for prev in into[stack.pop()]:
                if passable[prev] and not seen[prev]:
                    seen[prev] = 1
                    stack.append(prev)
        return seen


def _closure(adjacency: list[list[int]], starts: list[int], size: int) -> bytearray:
    """The nodes reached from `starts` along `adjacency` (the starts included)."""
    seen = bytearray(size)
    stack = list(starts)
    for number in stack:
        seen[number] = 1
    pop, push = stack.pop, stack.append
    while stack:
        for nxt in adjacency[pop()]:
            if not seen[nxt]:
                seen[nxt] = 1
                push(nxt)
    return seen


def _meet(first: bytearray, second: bytearray) -> bool:
    """Whether two node masks of the same design share a node."""
    return int.from_bytes(first, "little") & int.from_bytes(second, "little") != 0


def _strong_components(out: list[list[int]]) -> list[int]:
    """Tarjan's algorithm without recursion: node k -> number of its strong component."""
    size = len(out)
    unseen = -1
    order = [unseen] * size  # discovery number
    low = [0] * size
    component = [unseen] * size
    path: list[int] = []  # Tarjan's stack: discovered nodes not yet given a component
    counter = 0
    found = 0
    for root in range(size):
        if order[root] != unseen:
            continue
        order[root] = low[root] = counter
        counter += 1
        path.append(root)
        work = [(root, iter(out[root]))]
        while work:
            node, pending = work[-1]
            for nxt in pending:
                if order[nxt] == unseen:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    path.append(nxt)
                    work.append((nxt, iter(out[nxt])))
                    break
                if component[nxt] == unseen and order[nxt] < low[node]:
                    low[node] = order[nxt]
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    if low[node] < low[parent]:
                        low[parent] = low[node]
                if low[node] == order[node]:
                    while True:
                        member = path.pop()
                        component[member] = found
                        if member == node:
                            break
                    found += 1
    return component
