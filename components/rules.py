"""The validator's rules (framework.md §4): data with stable ids, one function each.

Adding a rule is one function decorated with `@rule(...)`: the decorator records its id,
severity, step and the lowest level whose profile runs it. A check receives the
`DesignGraph` and returns findings; an empty list means the rule holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from operator import add, eq, mul
from typing import Literal

from components.catalogue import (
    ALLOWED_CONNECTIONS,
    COMPONENT_TYPES,
    DATA_SOURCES,
    FEATURE_PROVIDERS,
    PREDICTORS,
    connection_refusal,
)
from components.document import Edge
from components.graph import SERVING_TYPES, DesignGraph

Severity = Literal["error", "warning", "info"]
LEVEL_ORDER = {"mid": 0, "senior": 1, "staff": 2}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    step: str | None
    message: str
    nodes: tuple[str, ...] = ()
    edges: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """The rule's short name for people ("A serving loop exists")."""
        return RULES[self.rule].title

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "step": self.step,
            "message": self.message,
            "nodes": list(self.nodes),
            "edges": list(self.edges),
        }


Check = Callable[[DesignGraph], list["Issue"]]


@dataclass(frozen=True)
class Issue:
    """What a check returns: the message and the components involved (no metadata)."""

    message: str
    nodes: tuple[str, ...] = ()
    edges: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    step: str | None
    level: str
    title: str
    check: Check = field(repr=False)

    def runs_at(self, level: str) -> bool:
        return LEVEL_ORDER[self.level] <= LEVEL_ORDER[level]

    def findings(self, design: DesignGraph) -> list[Finding]:
        return [
            Finding(self.id, self.severity, self.step, i.message, i.nodes, i.edges)
            for i in self.check(design)
        ]


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, step: str | None, level: str, title: str):
    """Register a check as the rule `rule_id`."""

    def register(check: Check) -> Check:
        RULES[rule_id] = Rule(rule_id, severity, step, level, title, check)
        return check

    return register


def _names(design: DesignGraph, node_ids) -> str:
    return ", ".join(design.name(n) for n in sorted(node_ids))


# --- errors -------------------------------------------------------------------------------


@rule("training-loop", "error", "model", "mid", "A training loop exists")
def training_loop(design: DesignGraph) -> list[Issue]:
    """Some training pipeline has a data source upstream of it, and a path from it to a
    model registry or a predictor."""
    pipelines = design.by_type.get("training_pipeline", [])
    if not pipelines:
        return [
            Issue(
                "There is no training loop: add a training pipeline fed by a data source "
                "(event stream, data lake, ...) that writes to a model registry."
            )
        ]
    fed = design.reachable(design.of_types(DATA_SOURCES))
    delivers = design.reaching(design.of_types(PREDICTORS | {"model_registry"}))
    if any(p in fed and p in delivers for p in pipelines):
        return []
    problems = []
    if not any(p in fed for p in pipelines):
        problems.append(
            "no data source (event stream, data lake, NoSQL store, object store, "
            "labeling or feedback collector) feeds it"
        )
    if not any(p in delivers for p in pipelines):
        problems.append("its model reaches neither a model registry nor a predictor")
    return [
        Issue(
            f"The training loop is incomplete: {'; '.join(problems)}. Connect a data "
            f"source to {_names(design, pipelines)} and its output to a model registry.",
            tuple(sorted(pipelines)),
        )
    ]


@rule("serving-loop", "error", "serving", "mid", "A serving loop exists")
def serving_loop(design: DesignGraph) -> list[Issue]:
    """Some client app has a path to a predictor or prediction holder, and from it a path
    back to the same client through serving components and prediction holders only."""
    clients = design.by_type.get("client_app", [])
    if not clients:
        return [
            Issue(
                "There is no serving loop: add a client app whose requests reach a "
                "predictor (through an API gateway) and whose answers come back."
            )
        ]
    answerers = set(design.of_types(PREDICTORS)) | design.prediction_holders
    corridor = set(design.of_types(SERVING_TYPES)) | design.prediction_holders
    # A client is answered when some answerer in its strong component (the request reaches
    # it) has a path back to it through the corridor.
    if design.returns_within_component(clients, corridor, answerers):
        return []
    reached = design.reachable(clients) & answerers
    if not reached:
        return [
            Issue(
                f"Requests from {_names(design, clients)} never reach a predictor or "
                "prediction store: route them through an API gateway to an inference or "
                "ranking service, or to precomputed predictions.",
                tuple(sorted(clients)),
            )
        ]
    # Name the missing hop when the answer gets as far as a component the client sends its
    # requests to (typically the API gateway): that component must answer the client.
    answered_so_far = design.walk_from(reached, corridor) | set(reached)
    hops = sorted(
        (hop, client)
        for client in clients
        for hop in design.successors(client)
        if hop in answered_so_far and connection_refusal(design.type_of(hop), "client_app") is None
    )
    fix = (
        f"connect {design.name(hops[0][0])} back to {design.name(hops[0][1])}"
        if hops
        else "add a path from the predictor to the client app through serving components"
    )
    return [
        Issue(
            f"Answers from {_names(design, reached)} never travel back to the client: "
            f"{fix} (answers return the way requests came, e.g. ranking service -> "
            "API gateway -> client app).",
            tuple(sorted(set(clients) | reached)),
        )
    ]


@rule("model-deployed", "error", "serving", "mid", "Every predictor has a model")
def model_deployed(design: DesignGraph) -> list[Issue]:
    """Every predictor has at least one model source (a training pipeline reaching it
    through registries, offline evaluations and hyperparameter tuning only)."""
    return [
        Issue(
            f"{design.name(p)} has no trained model: connect a training pipeline to it, "
            "directly or through a model registry.",
            (p,),
        )
        for p in sorted(design.of_types(PREDICTORS))
        if not design.model_sources_of(p)
    ]


@rule("feature-consistency", "error", "data", "mid", "Training and serving share features")
def feature_consistency(design: DesignGraph) -> list[Issue]:
    """For every predictor P and model source T of P: their feature sources share a
    provider; T's listed features are all in P's list; and some shared feature store that
    lists features lists every feature of T."""
    issues = []
    for predictor in sorted(design.of_types(PREDICTORS)):
        serving_sources = design.feature_sources_of(predictor)
        for pipeline in sorted(design.model_sources_of(predictor)):
            issue = _feature_issue(design, pipeline, predictor, serving_sources)
            if issue:
                issues.append(issue)
    return issues


def _feature_issue(
    design: DesignGraph, pipeline: str, predictor: str, serving_sources: frozenset[str]
) -> Issue | None:
    involved = (pipeline, predictor)
    shared = design.feature_sources_of(pipeline) & serving_sources
    if not shared:
        return Issue(
            f"Training {design.name(pipeline)} and serving {design.name(predictor)} "
            "read no common feature source, so their features can drift apart "
            "(training/serving skew): feed both from the same feature store.",
            involved,
        )
    trained = _listed_features(design, pipeline)
    served = _listed_features(design, predictor)
    if trained is not None and served is not None:
        serving_set = set(served)
        missing = [f for f in trained if f not in serving_set]
        if missing:
            return Issue(
                f"{design.name(predictor)} does not serve features its model was "
                f"trained on by {design.name(pipeline)}: {', '.join(missing)}. Add "
                "them to the predictor's features.",
                involved,
            )
    stores = [
        s
        for s in shared
        if design.type_of(s) == "feature_store" and _listed_features(design, s) is not None
    ]
    if trained and stores:
        gaps = {s: _absent(trained, _listed_features(design, s)) for s in sorted(stores)}
        best = min(gaps, key=lambda s: len(gaps[s]))
        if gaps[best]:
            return Issue(
                f"No shared feature store holds every feature {design.name(pipeline)} "
                f"trains on; {design.name(best)} lacks {', '.join(gaps[best])}. Add "
                "them to the feature store.",
                (*involved, best),
            )
    return None


def _absent(wanted: list[str], listed: list[str]) -> list[str]:
    present = set(listed)
    return [f for f in wanted if f not in present]


def _listed_features(design: DesignGraph, node_id: str) -> list[str] | None:
    features = design.nodes[node_id].props.get("features")
    return features if isinstance(features, list) else None


@rule("batch-predictions-served", "error", "serving", "mid", "Batch predictions are served")
def batch_predictions_served(design: DesignGraph) -> list[Issue]:
    """Every batch scorer has a path to a prediction holder that has a path to a client."""
    scorers = design.by_type.get("batch_scorer", [])
    if not scorers:
        return []
    to_client = design.reaching(design.by_type.get("client_app", []))
    served_holders = [h for h in design.prediction_holders if h in to_client]
    feeds_served = design.reaching(served_holders)
    return [
        Issue(
            f"Batch scorer {design.name(s)} writes predictions nobody reads: connect it to "
            "a prediction store, cache or NoSQL store that a client reads through serving.",
            (s,),
        )
        for s in sorted(scorers)
        if s not in feeds_served
    ]


@rule("connection-allowed", "error", None, "mid", "Connections are allowed")
def connection_allowed(design: DesignGraph) -> list[Issue]:
    """No self-loop, no second edge with the same source and target, and every edge a
    pair the catalogue allows."""
    if _edges_all_clear(design):
        return []
    edges = design.board.edges
    # Edge numbers of the first edge of each (source, target) pair, keyed by the pair's
    # node numbers when both ends are components (the usual case, and the cheap one: the
    # edge objects are not even read), by ids otherwise.
    first_by_number: dict[int, int] = {}
    first_by_id: dict[tuple[str, str], int] = {}
    types: dict[str, str] | None = None  # every node's type, notes too, built if needed
    size = len(design.ids)
    kinds = design.kinds
    if design.unique_ids:
        ends = zip(design.edge_sources, design.edge_targets)
    else:  # ids repeat: trust only the ids
        ends = repeat((-1, -1), len(edges))
    refused: list[tuple[int, str]] = []  # (edge number, reason)
    for number, (source, target) in enumerate(ends):
        if source >= 0 and target >= 0:
            if source == target:
                refused.append((number, _SELF_LOOP))
                continue
            known = len(first_by_number)
            first = first_by_number.setdefault(source * size + target, number)
            if len(first_by_number) == known:
                refused.append((number, _repeat(edges[first])))
            elif kinds[target] not in ALLOWED_CONNECTIONS.get(kinds[source], ()):
                reason = _refusal(kinds[source], kinds[target])
                if reason:
                    refused.append((number, reason))
            continue
        edge = edges[number]
        if edge.source == edge.target:
            refused.append((number, _SELF_LOOP))
            continue
        known = len(first_by_id)
        first = first_by_id.setdefault((edge.source, edge.target), number)
        if len(first_by_id) == known:
            refused.append((number, _repeat(edges[first])))
            continue
        if types is None:
            types = {n.id: n.type for n in design.board.nodes}
        reason = _refusal(types[edge.source], types[edge.target])
        if reason:
            refused.append((number, reason))
    issues = []
    for number, reason in refused:
        edge = edges[number]
        issues.append(
            Issue(
                f'Edge "{edge.id}" {reason}. Remove it or route the flow '
                "through an allowed component.",
                (edge.source, edge.target),
                (edge.id,),
            )
        )
    return issues


def _edges_all_clear(design: DesignGraph) -> bool:
    """Whether connection-allowed has nothing to say, found with whole-list operations
    (the usual case on a large board); False means: go edge by edge."""
    sources, targets = design.edge_sources, design.edge_targets
    if not design.unique_ids or -1 in sources or -1 in targets:
        return False  # ids repeat, or an edge touches a note
    if any(map(eq, sources, targets)):
        return False  # a self-loop
    size = len(design.ids)
    if len(set(map(add, map(mul, sources, repeat(size)), targets))) != len(sources):
        return False  # a repeated (source, target) pair
    kinds = design.kinds
    type_pairs = set(zip(map(kinds.__getitem__, sources), map(kinds.__getitem__, targets)))
    return all(target in ALLOWED_CONNECTIONS.get(source, ()) for source, target in type_pairs)


_SELF_LOOP = "connects a component to itself"


def _repeat(first: Edge) -> str:
    return f'repeats edge "{first.id}" between the same components'


def _refusal(source_type: str, target_type: str) -> str:
    refusal = connection_refusal(source_type, target_type)
    return f"is not allowed: {refusal}" if refusal else ""


# --- warnings -----------------------------------------------------------------------------


@rule("isolated-component", "warning", None, "mid", "No isolated components")
def isolated_component(design: DesignGraph) -> list[Issue]:
    """Every component other than a note has at least one edge (to another non-note)."""
    return [
        Issue(f"{design.name(n)} is not connected to anything: connect it or remove it.", (n,))
        for n in sorted(design.unconnected())
    ]


LOGGING_SINKS = frozenset({"event_stream", "data_lake", "feedback_collector", "labeling"})


@rule("feedback-loop", "warning", "monitoring", "senior", "Serving feeds training")
def feedback_loop(design: DesignGraph) -> list[Issue]:
    """A client app or predictor has a path to an event stream, data lake, feedback
    collector or labeling that has a path to a training pipeline."""
    to_training = design.reaching(design.by_type.get("training_pipeline", []))
    sinks = [s for s in design.of_types(LOGGING_SINKS) if s in to_training]
    feeding = design.reaching(sinks)
    origins = design.of_types(PREDICTORS | {"client_app"})
    if any(o in feeding for o in origins):
        return []
    return [
        Issue(
            "Nothing that happens at serving time becomes training data: log the "
            "client's interactions or the predictions to an event stream, data lake or "
            "feedback collector that feeds the training pipeline.",
            tuple(sorted(origins)),
        )
    ]


@rule("drift-monitoring", "warning", "monitoring", "senior", "Drift is monitored")
def drift_monitoring(design: DesignGraph) -> list[Issue]:
    """Some drift monitor reads a predictor, feature provider or prediction holder, and has
    a path to a retraining trigger, training pipeline or alerting."""
    monitors = design.by_type.get("drift_monitor", [])
    if not monitors:
        return [
            Issue(
                "No drift monitor: add one that reads the predictions or features and "
                "triggers retraining or alerting."
            )
        ]
    watched = set(design.of_types(PREDICTORS | FEATURE_PROVIDERS)) | design.prediction_holders
    acting = design.reaching(
        design.of_types({"retraining_trigger", "training_pipeline", "alerting"})
    )
    for monitor in monitors:
        if any(p in watched for p in design.predecessors(monitor)) and monitor in acting:
            return []
    return [
        Issue(
            f"{_names(design, monitors)} does not close the loop: feed it from a "
            "predictor, feature store or prediction store, and connect it to a retraining "
            "trigger, training pipeline or alerting.",
            tuple(sorted(monitors)),
        )
    ]


TASK_METRICS: dict[str, frozenset[str]] = {
    # NDCG@10, MRR@10, mAP@10 and HitRate@10 are the same metrics at a cutoff.
    "ranking": frozenset(
        {
            "ndcg",
            "mrr",
            "map",
            "recall@k",
            "precision@k",
            "hitrate",
            "ndcg@k",
            "mrr@k",
            "map@k",
            "hitrate@k",
        }
    ),
    "classification": frozenset(
        {"precision", "recall", "f1", "rocauc", "prauc", "accuracy", "logloss"}
    ),
    "regression": frozenset({"mae", "mse", "rmse", "mape"}),
}
TASK_METRICS["retrieval"] = TASK_METRICS["ranking"]
ONLINE_METRICS = frozenset(
    {"ctr", "conversionrate", "revenueperuser", "retention", "watchtime", "dwelltime", "engagement"}
)


# Common spellings of the same metric (after folding), read as the framework's name.
METRIC_SYNONYMS = {
    "auc": "rocauc",
    "aucroc": "rocauc",
    "auprc": "prauc",
    "aucpr": "prauc",
    "clickthroughrate": "ctr",
    "crossentropy": "logloss",
    "f1score": "f1",
    "meanaverageprecision": "map",
    "meanreciprocalrank": "mrr",
}


@lru_cache(maxsize=4096)  # boards repeat a handful of metric names many times
def normalise_metric(name: str) -> str:
    """Compare metric names case-, space-, hyphen- and underscore-insensitively, read
    `recall@10` as `recall@k`, and common synonyms (AUC, click-through rate) as the
    framework's names (extensions documented in docs/rules.md)."""
    folded = re.sub(r"[\s_\-]+", "", name.lower())
    folded = re.sub(r"@\d+$", "@k", folded)
    return METRIC_SYNONYMS.get(folded, folded)


def _metrics(design: DesignGraph, node_id: str) -> set[str]:
    metrics = design.nodes[node_id].props.get("metrics")
    if not isinstance(metrics, list):
        return set()
    return {normalise_metric(m) for m in metrics if isinstance(m, str)}


@rule("offline-metrics", "warning", "evaluation", "senior", "Models are evaluated offline")
def offline_metrics(design: DesignGraph) -> list[Issue]:
    """Every training pipeline has a path to an offline evaluation listing metrics fit for
    its task; a task with no metric family (generation, other, unset) accepts any metric."""
    evaluations = design.by_type.get("offline_evaluation", [])
    reach_cache: dict[frozenset[str] | None, set[str]] = {}
    issues = []
    for pipeline in sorted(design.by_type.get("training_pipeline", [])):
        task = design.nodes[pipeline].props.get("task")
        family = TASK_METRICS.get(task) if isinstance(task, str) else None
        if family not in reach_cache:
            fit = [
                e
                for e in evaluations
                if (_metrics(design, e) & family if family else _metrics(design, e))
            ]
            reach_cache[family] = design.reaching(fit)
        if pipeline in reach_cache[family]:
            continue
        wanted = f"{task} metrics such as {', '.join(sorted(family))}" if family else "metrics"
        issues.append(
            Issue(
                f"{design.name(pipeline)} reaches no offline evaluation that lists "
                f"{wanted}: connect it to an offline evaluation and list them in "
                "its metrics.",
                (pipeline,),
            )
        )
    return issues


@rule("cache-on-read-path", "warning", "serving", "senior", "Caches sit on a read path")
def cache_on_read_path(design: DesignGraph) -> list[Issue]:
    """Every cache has an incoming and an outgoing edge and a path to a client app or a
    predictor."""
    readers = design.reaching(design.of_types(PREDICTORS | {"client_app"}))
    return [
        Issue(
            f"Cache {design.name(c)} is not on a read path: connect what fills it and the "
            "serving component (or client) that reads it.",
            (c,),
        )
        for c in sorted(design.by_type.get("cache", []))
        if not design.predecessors(c) or not design.successors(c) or c not in readers
    ]


# --- info ---------------------------------------------------------------------------------


@rule("labels-available", "info", "data", "senior", "Supervised training has labels")
def labels_available(design: DesignGraph) -> list[Issue]:
    """Every classification, regression or ranking pipeline has a labeling or feedback
    collector upstream of it."""
    labelled = design.reachable(design.of_types({"labeling", "feedback_collector"}))
    return [
        Issue(
            f"{design.name(p)} learns a {design.nodes[p].props['task']} task but no labels "
            "reach it: add a labeling source or a feedback collector upstream.",
            (p,),
        )
        for p in sorted(design.by_type.get("training_pipeline", []))
        if design.nodes[p].props.get("task") in ("classification", "regression", "ranking")
        and p not in labelled
    ]


@rule("online-metrics", "info", "evaluation", "staff", "Online metrics are tracked")
def online_metrics(design: DesignGraph) -> list[Issue]:
    """Some A/B testing component lists an online metric and has an edge to or from a
    serving component."""
    tests = design.by_type.get("ab_testing", [])
    for test in tests:
        neighbours = set(design.predecessors(test)) | set(design.successors(test))
        if _metrics(design, test) & ONLINE_METRICS and any(
            design.category(n) == "serving" for n in neighbours
        ):
            return []
    return [
        Issue(
            "No A/B test tracks an online metric (CTR, conversion rate, revenue per user, "
            "retention, watch time, dwell time, engagement) on the serving path: add an "
            "A/B testing component connected to serving and list the metrics.",
            tuple(sorted(tests)),
        )
    ]


# Predictors whose catalogue entry declares `replicas` (on others it is an unknown prop,
# which the rules ignore: framework.md §3).
_REPLICATED = frozenset(t for t in PREDICTORS if "replicas" in COMPONENT_TYPES[t].props_by_name)


@rule("replicas-load-balanced", "warning", "serving", "staff", "Replicas sit behind a balancer")
def replicas_load_balanced(design: DesignGraph) -> list[Issue]:
    """Every predictor with more than one replica has a load balancer or API gateway in
    front of it: a path from it to the predictor through serving components only
    (project extension; see docs/rules.md)."""
    # Local, like the walks of §4: a gateway that reaches the predictor only round the
    # training loop (client -> events -> training -> registry) spreads no requests over it.
    replicated = [
        p
        for p in sorted(design.of_types(_REPLICATED))
        if type(design.nodes[p].props.get("replicas")) is int
        and design.nodes[p].props["replicas"] > 1
    ]
    if not replicated:
        return []
    fronted = design.walk_from(
        design.of_types({"load_balancer", "api_gateway"}), design.of_types(SERVING_TYPES)
    )
    return [
        Issue(
            f"{design.name(p)} runs {design.nodes[p].props['replicas']} replicas but no "
            "load balancer or API gateway spreads requests over them: put one in front.",
            (p,),
        )
        for p in replicated
        if p not in fronted
    ]


def profile(level: str) -> list[Rule]:
    """The rules a board of `level` is checked against, in registry order."""
    return [r for r in RULES.values() if r.runs_at(level)]
