"""The design as a NetworkX directed graph, plus the roles and walks the rules share
(framework.md §2 and §4, revision 2; docs/rules.md says how we read them).

One `nx.DiGraph` is built per validation. Role-restricted walks run on
`nx.subgraph_view` filters of it; questions of the form "which X reach which Y", asked
for every node at once, are answered by one label pass over the condensation of a view
(its strongly connected components in topological order, each component's label the
union of its own seeds and its predecessors' labels). Every walk is a multi-source
breadth-first search or such a pass, so validation stays linear in the board (bench/
validate.py measures it): no walk per component over the whole graph, no cycle listing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from functools import cached_property
from typing import Any

import networkx as nx

from components.catalogue import (
    COMPONENT_TYPES,
    FEATURE_PROVIDERS,
    HOLDER_TYPES,
    LABEL_SOURCES,
    MODEL_PULLERS,
    MONITORING_SIGNALS,
    NOTE,
    PREDICTORS,
    REQUEST_FEATURE_TYPES,
)
from components.document import Board, Node

# Each type's category, looked up once instead of through the catalogue entry.
CATEGORY_OF: dict[str, str] = {t.id: t.category for t in COMPONENT_TYPES.values()}
SERVING_TYPES = frozenset(t for t, category in CATEGORY_OF.items() if category == "serving")
DATA_TYPES = frozenset(t for t, category in CATEGORY_OF.items() if category == "data")
FEATURE_TYPES = frozenset(t for t, category in CATEGORY_OF.items() if category == "features")
# The model-source walk only passes through these types (rev. 2 adds the orchestrator).
MODEL_PLUMBING = frozenset(
    {"model_registry", "offline_evaluation", "hyperparameter_tuning", "orchestrator"}
)
# Our reading (docs/rules.md): model files in an object store that a predictor loads are
# a model source too, so the model walk also passes object stores that a pipeline or
# model plumbing writes into.
MODEL_STORES = frozenset({"object_store"})
# Likewise a backend service a pipeline, an evaluation or a registry writes into delivers
# the model on (an over-the-air rollout service pushing each release to devices).
MODEL_DELIVERY = frozenset({"backend_service"})
# Types that are always predictors; an embedding model is one when it serves requests.
FIXED_PREDICTORS = PREDICTORS
# The feature-source walk ends at these types (and at every predictor).
FEATURE_WALK_STOPS = (
    FIXED_PREDICTORS | {"training_pipeline", "model_registry", "client_app"} | MONITORING_SIGNALS
)
# Data written by a predictor into one of these starts its prediction log.
LOG_TYPES = frozenset({"event_stream", "data_lake"})

Label = frozenset[Any]


def reach(view: nx.DiGraph, sources: Iterable[Hashable]) -> set[Any]:
    """Every node of `view` with a path (of length zero or more) from one of `sources`
    that lies in `view`: one multi-source breadth-first search."""
    starts = [s for s in dict.fromkeys(sources) if s in view]
    return {node for layer in nx.bfs_layers(view, starts) for node in layer} if starts else set()


def label_pass(graph: nx.DiGraph, seeds: Callable[[Any], Label]) -> dict[Any, Label]:
    """For every node v of `graph`, the union of `seeds(u)` over every u with a path
    u -> ... -> v in it (u = v included): one pass over its condensation.

    `nx.strongly_connected_components` (Tarjan's algorithm) yields every component after
    the components it reaches, so the reverse of its order is a topological order of the
    condensation; the pass checks that as it goes and falls back on `nx.condensation`
    and `nx.topological_sort` if a predecessor's label is ever missing. A component with
    one labelled predecessor and no seed of its own shares that predecessor's frozenset,
    so chains cost nothing per node. Give it a graph, not a filtered view: the pass reads
    each adjacency a few times (DesignGraph.restricted makes one).
    """
    components = list(nx.strongly_connected_components(graph))
    components.reverse()
    labels = _label_components(graph, components, seeds)
    if labels is None:
        dag = nx.condensation(graph, components)
        order = [dag.nodes[c]["members"] for c in nx.topological_sort(dag)]
        labels = _label_components(graph, order, seeds)
        assert labels is not None  # a topological order always labels predecessors first
    return labels


def _label_components(
    graph: nx.DiGraph, order: list[Any], seeds: Callable[[Any], Label]
) -> dict[Any, Label] | None:
    """The labels of `label_pass`, components taken in `order`; None if a component
    comes before one of its predecessors."""
    pred = graph.pred
    labels: dict[Any, Label] = {}
    empty: Label = frozenset()
    for members in order:
        parts = []
        for node in members:
            own = seeds(node)
            if own:
                parts.append(own)
            for u in pred[node]:
                if u in members:
                    continue
                if u not in labels:
                    return None
                if labels[u]:
                    parts.append(labels[u])
        if not parts:
            label = empty
        elif len(parts) == 1:
            label = parts[0]
        else:
            largest = max(parts, key=len)
            label = largest.union(*(p for p in parts if p is not largest))
            if len(label) == len(largest):
                label = largest
        for node in members:
            labels[node] = label
    return labels


def _flow(source: str, target: str, types: dict[str, str]) -> tuple[str, str]:
    """The direction a walk reads an edge in. A predictor's arrow to a model registry is
    a request for the model ("fetch latest model"): the model flows from the registry to
    the predictor, so that is how the rules read it. Read as drawn, it made paths that are
    not there (a batch scorer's unread scores "served" through the registry to another
    predictor, a training loop fed by a predictor) and left a model pulled, not pushed,
    undeployed."""
    if types[source] in MODEL_PULLERS and types[target] == "model_registry":
        return target, source
    return source, target


class DesignGraph:
    """A board's components (notes left out) as a `nx.DiGraph`, with the roles of
    framework.md §2 and the walks of §4 computed once, when a rule first asks."""

    def __init__(self, board: Board) -> None:
        self.board = board
        nodes: dict[str, Node] = {}
        notes: set[str] = set()
        for node in board.nodes:
            if node.type == NOTE:
                notes.add(node.id)
            else:
                nodes[node.id] = node
        self.nodes = nodes
        # Whether every node of the board (notes too) has an id of its own. The document
        # parser ensures it; a Board built by hand may break it.
        self.unique_ids = len(notes) + len(nodes) == len(board.nodes) and not (notes & nodes.keys())
        self.types: dict[str, str] = {node_id: n.type for node_id, n in nodes.items()}
        graph = nx.DiGraph()
        graph.add_nodes_from(nodes)
        graph.add_edges_from(
            _flow(e.source, e.target, self.types)
            for e in board.edges
            if e.source in nodes and e.target in nodes
        )
        self.graph = graph
        self.by_type: dict[str, list[str]] = defaultdict(list)
        for node_id, type_id in self.types.items():
            self.by_type[type_id].append(node_id)
        # Answers that more than one rule needs (feature_check's per-pair verdict), kept
        # for this board by whoever computes them, keyed by what they answer.
        self.memo: dict[tuple[str, ...], object] = {}

    # --- basics -------------------------------------------------------------------------

    def type_of(self, node_id: str) -> str:
        return self.types[node_id]

    def category(self, node_id: str) -> str:
        return CATEGORY_OF[self.types[node_id]]

    def of_types(self, types: Iterable[str]) -> list[str]:
        return [node_id for t in types for node_id in self.by_type.get(t, ())]

    def successors(self, node_id: str) -> list[str]:
        return list(self.graph.succ[node_id])

    def predecessors(self, node_id: str) -> list[str]:
        return list(self.graph.pred[node_id])

    def unconnected(self) -> list[str]:
        """The components with no edge at all (to another component)."""
        return [n for n, degree in self.graph.degree if degree == 0]

    def features(self, node_id: str) -> list[str] | None:
        """The node's listed `features`, or None when it lists none."""
        listed = self.nodes[node_id].props.get("features")
        if not isinstance(listed, list):
            return None
        return [f for f in listed if isinstance(f, str)]

    def name(self, node_id: str) -> str:
        """How a message names a component: its label (or type title), quoted, plus its id
        only when another component goes by the same name."""
        shown = self._shown_name(node_id)
        return f'"{shown}" ({node_id})' if self._shown_names[shown] > 1 else f'"{shown}"'

    def _shown_name(self, node_id: str) -> str:
        return self.nodes[node_id].name

    @cached_property
    def _shown_names(self) -> Counter[str]:
        return Counter(self._shown_name(n) for n in self.nodes)

    # --- views and walks ----------------------------------------------------------------

    def view(self, passable: Iterable[str] | set[str] | frozenset[str]) -> nx.DiGraph:
        """The subgraph of the given nodes (a live view, nothing copied)."""
        keep = passable if isinstance(passable, set | frozenset) else set(passable)
        return nx.subgraph_view(self.graph, filter_node=keep.__contains__)

    def restricted(
        self, keep: set[str] | frozenset[str], edge: Callable[[str, str], bool] | None = None
    ) -> nx.DiGraph:
        """A copy of the graph on `keep` (and, if given, only the edges `edge` accepts),
        for the label passes, which read adjacencies several times."""
        graph = nx.DiGraph()
        graph.add_nodes_from(keep)
        adjacency = self.graph.succ
        graph.add_edges_from(
            (u, v) for u in keep for v in adjacency[u] if v in keep and (edge is None or edge(u, v))
        )
        return graph

    def seeded_pass(
        self, passable: set[str] | frozenset[str], seeds: dict[str, Label]
    ) -> dict[Any, Label]:
        """`label_pass` over the nodes of `passable`, seeded with `seeds` (node -> label),
        run only on the part the seeds reach (a walk on a view finds it): every other
        node's label is empty, and is left out of the result."""
        if not seeds:
            return {}
        region = reach(self.view(passable), seeds)
        empty: Label = frozenset()
        return label_pass(self.restricted(region), lambda n: seeds.get(n, empty))

    @cached_property
    def reverse(self) -> nx.DiGraph:
        return self.graph.reverse(copy=False)

    def near(
        self, node: str, *, backward: bool = False, through: Callable[[str], bool] | None = None
    ) -> set[str]:
        """The nodes one or two edges from `node` (downstream, or upstream when
        `backward`), the one between passing `through` if given. The rules look here
        first: a sound design usually settles them within two edges, and a walk over the
        whole graph is left for the boards that need it."""
        adjacency = self.graph.pred if backward else self.graph.succ
        first = adjacency[node]
        found = set(first)
        for middle in first:
            if through is None or through(middle):
                found.update(adjacency[middle])
        return found

    @cached_property
    def data_view(self) -> nx.DiGraph:
        """The graph without monitoring signals: data walks stop at them (rev. 2)."""
        signals = self.signals
        return nx.subgraph_view(self.graph, filter_node=lambda n: n not in signals)

    @cached_property
    def data_view_reversed(self) -> nx.DiGraph:
        signals = self.signals
        return nx.subgraph_view(self.reverse, filter_node=lambda n: n not in signals)

    def reachable(self, sources: Iterable[str]) -> set[str]:
        """Every node one of `sources` has a path (of length zero or more) to."""
        return reach(self.graph, sources)

    def reaching(self, targets: Iterable[str]) -> set[str]:
        """Every node with a path (of length zero or more) to one of `targets`."""
        return reach(self.reverse, targets)

    def through(
        self, sources: Iterable[str], passable: set[str] | frozenset[str], backward: bool = False
    ) -> set[str]:
        """Every node with a path from one of `sources` (to one, when `backward`) of length
        one or more whose every node between the ends lies in `passable`."""
        starts = set(sources)
        graph = self.reverse if backward else self.graph
        inner = reach(
            nx.subgraph_view(graph, filter_node=lambda n: n in passable or n in starts), starts
        )
        adjacency = graph.adj
        return {v for u in inner if u in passable or u in starts for v in adjacency[u]}

    # --- roles (framework.md §2, rev. 2) ------------------------------------------------

    @cached_property
    def serving_nodes(self) -> frozenset[str]:
        return frozenset(self.of_types(SERVING_TYPES))

    @cached_property
    def entry_points(self) -> frozenset[str]:
        """API gateways and load balancers: where requests enter and answers leave."""
        return frozenset(self.of_types({"api_gateway", "load_balancer"}))

    @cached_property
    def predictors(self) -> frozenset[str]:
        """Inference, ranking and batch scorers, and every embedding model that serves
        requests: a client app or a serving component has an edge into it (a client
        reaching it through serving components has such an edge on the way)."""
        found = set(self.of_types(FIXED_PREDICTORS))
        pred = self.graph.pred
        for model in self.by_type.get("embedding_model", ()):
            if any(u in self.serving_nodes or self.types[u] == "client_app" for u in pred[model]):
                found.add(model)
        return frozenset(found)

    @cached_property
    def signals(self) -> frozenset[str]:
        return frozenset(self.of_types(MONITORING_SIGNALS))

    @cached_property
    def data_nodes(self) -> frozenset[str]:
        return frozenset(self.of_types(DATA_TYPES))

    @cached_property
    def prediction_holders(self) -> frozenset[str]:
        """Holder-type components a predictor writes into, directly or through serving
        components (and a review queue that publishes what it approves), and those
        filled from another holder, directly or through data components; and the serving
        components (not gateways or balancers) that a batch scorer's output reaches
        through data components only. A cache that only a gateway fills holds nothing."""
        holder_types = HOLDER_TYPES
        written = self.through(self.predictors, self.serving_nodes)
        first = {n for n in written if self.types[n] in holder_types}
        # Our reading (docs/rules.md): a review queue holds the predictions until a person
        # approves them, and the stores it publishes them to (through streams) hold them.
        reviews = {n for n in written if self.types[n] == "labeling" and self._publishes(n)}
        if reviews:
            streams_and_holders = set(self.of_types(holder_types | {"event_stream"}))
            published = self.through(reviews, streams_and_holders)
            first |= reviews | {n for n in published if self.types[n] in holder_types}
        # Filled from a holder through data components and holders: one walk covers
        # every chain (a holder-type component filled from a holder is a holder).
        passable = self.data_nodes | set(self.of_types(holder_types))
        filled = self.through(first - reviews, passable)
        holders = first | {n for n in filled if self.types[n] in holder_types}
        # Our reading (docs/rules.md): batch scores copied through data components into a
        # serving component (a scores table, reverse ETL, the CRM's contact fields) are
        # held by that component, which serves them.
        scorers = self.by_type.get("batch_scorer", [])
        if scorers:
            skip = self.entry_points | self.predictors
            copied = self.through(scorers, self.data_nodes)
            holders |= {n for n in copied if n in self.serving_nodes and n not in skip}
        return frozenset(holders)

    def _publishes(self, review: str) -> bool:
        """Whether a review queue publishes what it approves: an edge into a prediction
        store, cache or NoSQL store, onto a stream, or to a serving component that does
        not write back into it (an annotation tool reads and writes its queue). A queue
        that only feeds training is a label source, not a holder."""
        published = {"prediction_store", "cache", "nosql_db", "event_stream"}
        return any(
            self.types[v] in published
            or (v in self.serving_nodes and review not in self.graph.succ[v])
            for v in self.graph.succ[review]
        )

    @cached_property
    def logged_by(self) -> dict[str, frozenset[str]]:
        """Data component -> the predictors whose prediction log it belongs to: an event
        stream or data lake a predictor writes into, by a direct edge or through serving
        components (the ad server that logs the impression after the auction), and every
        data component reached from it through data components."""
        answers = self.serving_answers
        pred = self.graph.pred
        frozen: dict[str, Label] = {}
        for log in self.of_types(LOG_TYPES):
            found = [answers[u] for u in pred[log] if u in answers and answers[u]]
            if found:
                frozen[log] = frozenset().union(*found)
        labels = self.seeded_pass(self.data_nodes, frozen)
        return {node: label for node, label in labels.items() if label}

    @cached_property
    def serving_answers(self) -> dict[str, frozenset[str]]:
        """Serving component or predictor -> the predictors whose answers pass through it
        (it is one, or they reach it through serving components). An answer stops at
        the API gateway or a load balancer: past them is the next request, and what a
        service logs there is the raw request, not what a model served."""
        nodes = (self.serving_nodes - self.entry_points) | self.predictors
        return self.seeded_pass(nodes, {p: frozenset((p,)) for p in self.predictors})

    @cached_property
    def request_corridor(self) -> frozenset[str]:
        """What a request travels through: serving components, predictors, and the
        vector and search indexes looked up on the way."""
        return (
            self.serving_nodes
            | self.predictors
            | frozenset(self.of_types({"vector_index", "search_index"}))
        )

    @cached_property
    def prediction_logs(self) -> frozenset[str]:
        return frozenset(self.logged_by)

    @cached_property
    def request_features_at(self) -> dict[str, frozenset[str]]:
        """Client or serving component -> the request-time features that reach it: those
        listed on client apps, gateways and backend services that reach it through
        serving components, predictors and indexes (its own included)."""
        own = {
            n: frozenset(self.features(n) or ())
            for n in self.of_types(REQUEST_FEATURE_TYPES)
            if self.features(n)
        }
        own.update(self._chained_inputs)
        if not own:
            return {}
        clients = set(self.by_type.get("client_app", ()))
        region = reach(self.view(self.request_corridor | own.keys()), own)
        graph = self.restricted(region, lambda u, v: v not in clients)
        empty: Label = frozenset()
        return label_pass(graph, lambda n: own.get(n, empty))

    @cached_property
    def _chained_inputs(self) -> dict[str, frozenset[str]]:
        """Predictor fed by another predictor (directly or through a serving component)
        -> the features it lists that no feature store or pipeline lists: the upstream
        model's answer (a prep-time estimate fed to the delivery-time model) arrives with
        the request, like a request-time feature (our reading, docs/rules.md)."""
        predictors = self.predictors
        stored: set[str] = set()
        for store in self.of_types({"feature_store", "feature_pipeline"}):
            stored.update(self.features(store) or ())
        found = {}
        # The link between the two models: serving components, not a gateway or balancer
        # (two unrelated models behind one gateway are not a chain).
        links = self.serving_nodes - self.entry_points
        for q in predictors:
            listed = self.features(q)
            if not listed:
                continue
            upstream = self.near(q, backward=True, through=links.__contains__)
            if any(u in predictors and u != q for u in upstream):
                inputs = frozenset(listed) - stored
                if inputs:
                    found[q] = inputs
        return found

    def request_features_of_predictor(self, predictor: str) -> frozenset[str]:
        """Request-time features available to a predictor: reached through serving, or
        carried by an event stream it consumes that a client or serving component writes
        them into (an asynchronous request: the post's text arrives with its event; our
        reading, docs/rules.md)."""
        at = self.request_features_at
        pred = self.graph.pred[predictor]
        reached = [predictor] if predictor in at else pred
        found = {f for u in reached for f in at.get(u, ())}
        logged = self.logged_request_features
        found.update(f for u in pred if self.types[u] == "event_stream" for f in logged.get(u, ()))
        return frozenset(found)

    @cached_property
    def logged_request_features(self) -> dict[str, frozenset[str]]:
        """Data component -> request-time features logged into it: a client or serving
        component writes into it, directly or through data components, and carries
        them (the logged source of framework.md §2)."""
        at = self.request_features_at
        if not at:
            return {}
        pred = self.graph.pred
        own: dict[str, Label] = {}
        for node in self.data_nodes:
            carried = [at[u] for u in pred[node] if u in at and at[u]]
            if carried:
                own[node] = frozenset().union(*carried)
        labels = self.seeded_pass(self.data_nodes, own)
        return {node: label for node, label in labels.items() if label}

    # --- feature sources (framework.md §4) ----------------------------------------------

    @cached_property
    def _feature_passable(self) -> frozenset[str]:
        stops = self.predictors | set(self.of_types(FEATURE_WALK_STOPS)) | self.trainers
        return frozenset(self.graph) - stops

    @cached_property
    def _provider_labels(self) -> dict[str, Label]:
        """Node of the feature walk -> the providers a walk up from just below it meets."""
        passable = self._feature_passable
        providers = set(self.of_types(FEATURE_PROVIDERS))
        pred, succ = self.graph.pred, self.graph.succ
        seeds: dict[str, set[Any]] = defaultdict(set)
        for node in providers & passable:
            seeds[node].add(node)
        # Providers that end the walk (serving encoders) are still met: seed them into
        # the nodes they feed.
        for provider in providers - passable:
            for v in succ[provider]:
                if v in passable:
                    seeds[v].update(u for u in pred[v] if u in providers and u not in passable)
        return self.seeded_pass(passable, {n: frozenset(found) for n, found in seeds.items()})

    @cached_property
    def _log_labels(self) -> dict[str, Label]:
        """Node of the feature walk -> the predictors whose prediction log a walk up from
        just below it meets (worked out only when a rule asks)."""
        return self.seeded_pass(self._feature_passable, self.logged_by)

    @cached_property
    def _request_labels(self) -> dict[str, Label]:
        """Node of the feature walk -> the request-time features logged into a source a
        walk up from just below it meets (worked out only when a rule asks)."""
        return self.seeded_pass(self._feature_passable, self.logged_request_features)

    def _walk_up(self, labels: dict[str, Label], node_id: str) -> set[Any]:
        found: set[Any] = set()
        for u in self.graph.pred[node_id]:
            if u in labels:
                found |= labels[u]
        return found

    def feature_sources_of(self, node_id: str) -> frozenset[str]:
        """The feature providers met walking upstream from the node (framework.md §4)."""
        found = self._walk_up(self._provider_labels, node_id)
        providers = FEATURE_PROVIDERS
        passable = self._feature_passable
        types = self.types
        found.update(
            u for u in self.graph.pred[node_id] if u not in passable and types[u] in providers
        )
        return frozenset(found)

    def logs_feeding(self, node_id: str) -> frozenset[str]:
        """The predictors whose prediction log the node's feature walk meets."""
        return frozenset(self._walk_up(self._log_labels, node_id))

    def feature_walk(self, node_id: str) -> frozenset[str]:
        """What a walk up from the node meets: its predecessors, and the components
        upstream of them through the walk's passable components (the walks stop at
        providers, predictors, trainers and monitoring signals)."""
        passable = self._feature_passable
        view = nx.subgraph_view(self.reverse, filter_node=lambda n: n == node_id or n in passable)
        return frozenset((reach(view, [node_id]) - {node_id}) | set(self.graph.pred[node_id]))

    def written_by(self, predictor: str) -> frozenset[str]:
        """The data components a predictor writes into, by a direct edge or through serving
        components its answer passes (as a prediction log is read), whatever their type:
        a feature log in an object store, a scored-rows joiner."""
        answers = self.serving_answers
        pred = self.graph.pred
        return frozenset(
            d for d in self.data_nodes if any(predictor in answers.get(u, ()) for u in pred[d])
        )

    def logged_features_feeding(self, node_id: str) -> frozenset[str]:
        """The request-time features logged into a source the node's feature walk meets."""
        return frozenset(self._walk_up(self._request_labels, node_id))

    # --- model sources (framework.md §4) ------------------------------------------------

    @cached_property
    def trainers(self) -> frozenset[str]:
        """What trains models: the training pipelines; on a board with none, the
        orchestrators that features or labels feed directly (one "ML platform" box that
        trains and deploys, our reading: docs/rules.md). Raw data alone does not make one:
        Airflow moving a lake's files trains nothing."""
        pipelines = self.by_type.get("training_pipeline", [])
        if pipelines:
            return frozenset(pipelines)
        fed = FEATURE_TYPES | LABEL_SOURCES
        return frozenset(
            o
            for o in self.by_type.get("orchestrator", ())
            if any(self.types[u] in fed for u in self.graph.pred[o])
        )

    @cached_property
    def plumbing_view(self) -> nx.DiGraph:
        """Training pipelines, model plumbing and predictors, joined by the edges a model
        travels along: out of a pipeline or plumbing, into plumbing or a predictor (a
        small copy: the model walks run on it many times)."""
        plumbing = set(self.of_types(MODEL_PLUMBING))
        pipelines = set(self.trainers)
        predictors = self.predictors
        succ = self.graph.succ
        writers = pipelines | plumbing
        # Model files written by a pipeline, an evaluation or a registry, and the services
        # that roll its releases out.
        plumbing |= {v for t in writers for v in succ[t] if self._carries_models(v)}
        return self.restricted(
            plumbing | pipelines | predictors,
            lambda u, v: (u in plumbing or u in pipelines) and (v in plumbing or v in predictors),
        )

    def _carries_models(self, node: str) -> bool:
        """Model files in an object store, or a rollout service: a backend service off the
        request path (no client or serving component sends to it; one that does is a
        service polling the registry for its own use)."""
        type_id = self.types[node]
        if type_id in MODEL_STORES:
            return True
        if type_id not in MODEL_DELIVERY:
            return False
        serving = self.serving_nodes
        return not any(u in serving or self.types[u] == "client_app" for u in self.graph.pred[node])

    def deployments_of(self, pipeline: str) -> set[str]:
        """The predictors and embedding models (serving or not: a two-tower model's item
        tower) that a pipeline's model reaches through model plumbing."""
        plumbing = set(self.of_types(MODEL_PLUMBING))
        ends = self.predictors | set(self.by_type.get("embedding_model", ()))
        view = nx.subgraph_view(
            self.graph,
            filter_node=lambda n: n == pipeline or n in plumbing or n in ends,
            filter_edge=lambda u, v: u not in ends,
        )
        return {n for n in reach(view, [pipeline]) if n in ends}

    @cached_property
    def model_sources(self) -> dict[str, frozenset[str]]:
        """Predictor -> the training pipelines that reach it through model plumbing."""
        empty: Label = frozenset()
        labels = label_pass(
            self.plumbing_view,
            lambda n: frozenset((n,)) if n in self.trainers else empty,
        )
        return {p: labels.get(p, empty) for p in self.predictors}

    def model_sources_of(self, predictor: str) -> frozenset[str]:
        return self.model_sources.get(predictor, frozenset())

    @cached_property
    def pretrained_registries(self) -> frozenset[str]:
        """Model registries no training pipeline reaches through plumbing: they hold
        pretrained or hosted models (our reading, docs/rules.md)."""
        registries = self.by_type.get("model_registry", ())
        if not registries:
            return frozenset()
        trained = reach(self.plumbing_view, self.trainers)
        return frozenset(r for r in registries if r not in trained)

    @cached_property
    def supplied_by_registry(self) -> frozenset[str]:
        """Predictors a pretrained registry reaches through plumbing."""
        return frozenset(
            n for n in reach(self.plumbing_view, self.pretrained_registries) if n in self.predictors
        )

    @cached_property
    def deployed_pipelines(self) -> frozenset[str]:
        """Training pipelines whose model reaches serving: a predictor or a serving
        component, through plumbing and feature-layer components (a retrieval tower
        published to an index that candidate generation reads counts)."""
        targets = self.predictors | self.serving_nodes
        passable = frozenset(self.of_types(MODEL_PLUMBING | FEATURE_TYPES)) - targets
        pipelines = set(self.trainers)
        reaching = self.through(targets, passable, backward=True)
        return frozenset(p for p in pipelines if p in reaching)

    @cached_property
    def _deploy_labels(self) -> dict[str, Label]:
        """Predictor or embedding model -> the pipelines whose model reaches it through
        model plumbing (a tower counts: an item encoder a pipeline deploys)."""
        pipelines = set(self.trainers)
        ends = self.predictors | set(self.by_type.get("embedding_model", ()))
        plumbing = set(self.plumbing_view) - self.predictors - pipelines
        graph = self.restricted(
            plumbing | pipelines | ends,
            lambda u, v: (u in plumbing or u in pipelines) and (v in plumbing or v in ends),
        )
        empty: Label = frozenset()
        labels = label_pass(graph, lambda n: frozenset((n,)) if n in pipelines else empty)
        return {n: labels[n] for n in ends if labels.get(n)}

    @cached_property
    def deployed_somewhere(self) -> frozenset[str]:
        """Training pipelines whose model reaches a predictor or an embedding model: the
        others' models go nowhere."""
        return frozenset().union(*self._deploy_labels.values())

    @cached_property
    def trained_encoders(self) -> frozenset[str]:
        """Embedding models some training pipeline's model reaches through plumbing."""
        return frozenset(n for n in self._deploy_labels if self.types[n] == "embedding_model")

    @cached_property
    def model_source_set(self) -> frozenset[str]:
        """Every training pipeline that is a model source of some predictor."""
        return frozenset().union(*self.model_sources.values())

    @cached_property
    def reader_ends(self) -> frozenset[str]:
        """Client apps and predictors: what reads answers."""
        return frozenset(self.of_types({"client_app"})) | self.predictors

    @cached_property
    def reaching_readers(self) -> set[str]:
        """Every node with a path to a client app or a predictor."""
        return self.reaching(self.reader_ends)
