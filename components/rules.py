"""The validator's rules (framework.md §4, revision 2): data with stable ids, one
function each.

Adding a rule is one function decorated with `@rule(...)`: the decorator records its id,
severity, step and the lowest level whose profile runs it. A check receives the
`DesignGraph` and returns findings; an empty list means the rule holds. Every message
names the component to change (its ids go in `nodes`, so the board highlights them) and
says how to fix it. docs/rules.md describes each rule and where we read the spec.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Literal

import networkx as nx

from components.catalogue import (
    COMPONENT_TYPES,
    DATA_SOURCES,
    LABEL_SOURCES,
    connection_refusal,
)
from components.feature_check import feature_consistency_issue, logged_but_unserved
from components.graph import DesignGraph, reach
from components.metrics import SUGGESTIONS, fits, is_online, normalise_metric

__all__ = ["RULES", "Finding", "Issue", "Rule", "normalise_metric", "profile", "rule"]

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

    def to_dict(self) -> dict[str, object]:
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


def rule(
    rule_id: str, severity: Severity, step: str | None, level: str, title: str
) -> Callable[[Check], Check]:
    """Register a check as the rule `rule_id`."""

    def register(check: Check) -> Check:
        RULES[rule_id] = Rule(rule_id, severity, step, level, title, check)
        return check

    return register


def _names(design: DesignGraph, node_ids: Iterable[str]) -> str:
    return ", ".join(design.name(n) for n in sorted(node_ids))


def _pipelines(design: DesignGraph) -> list[str]:
    return sorted(design.trainers)


# Words in a predictor's label that say its model comes from outside ("Hosted LLM (vendor
# API)", "Pretrained CLIP"): a strong interviewer reads the label too.
OUTSIDE_MODEL_WORDS = frozenset(
    {
        "hosted",
        "vendor",
        "pretrained",
        "pre-trained",
        "off-the-shelf",
        "frozen",
        "third-party",
        "external",
        "foundation",
        "llm",
        "gpt",
        "openai",
        "claude",
        "gemini",
    }
)


# Of those, the words that say the model runs elsewhere (believed even beside a pipeline
# of the board whose model goes nowhere).
HOSTED_MODEL_WORDS = frozenset(
    {"hosted", "vendor", "third-party", "external", "openai", "claude", "gemini", "gpt"}
)


# Words that say the opposite: the board's own training produces the model.
OWN_MODEL_WORDS = frozenset(
    {"fine-tuned", "finetuned", "fine-tune", "trained", "in-house", "custom", "our", "own"}
)


def _label_words(label: str) -> set[str]:
    """The words of a component's label, lower-case ("Pre-trained" stays one word)."""
    return set(re.findall(r"[a-z][a-z-]*", label.lower()))


def _all_models_from_outside(design: DesignGraph) -> bool:
    """Whether the board has predictors and every one serves a model from outside the
    board (hosted, pretrained, open weights): nothing of ours to train."""
    predictors = design.predictors
    return bool(predictors) and all(_served_elsewhere(design, p) for p in predictors)


def _served_elsewhere(design: DesignGraph, predictor: str) -> bool:
    """Whether a predictor's model comes from outside the board (docs/rules.md,
    interpretations): a label that says hosted or pretrained, a registry no pipeline
    trains into, model files in an object store nothing writes into, a pretrained
    encoder (when the board trains no encoder), or a model
    named in its `model` setting, unless a pipeline of the board trains a model that
    goes nowhere (a name like "GBDT" does not say whose model it is)."""
    node = design.nodes[predictor]
    dead_ends = set(design.trainers) - design.deployed_somewhere
    words = _label_words(node.label)
    if words & OUTSIDE_MODEL_WORDS and not words & OWN_MODEL_WORDS:
        # While a pipeline of the board trains a model that goes nowhere, "pretrained" may
        # well be that model's starting point: only a hosted or vendor model is believed.
        if not dead_ends or words & HOSTED_MODEL_WORDS:
            return True
    if predictor in design.supplied_by_registry:
        return True
    if not dead_ends and any(
        _weights_from_outside(design, u) for u in design.predecessors(predictor)
    ):
        return True
    if design.type_of(predictor) == "embedding_model" and not design.trained_encoders:
        return True
    named = node.props.get("model")
    return isinstance(named, str) and bool(named.strip()) and not dead_ends


# Words in an object store's label that say it holds a model's files.
WEIGHTS_WORDS = frozenset({"weights", "checkpoint", "checkpoints", "model", "models", "artifacts"})


def _weights_from_outside(design: DesignGraph, node: str) -> bool:
    """An object store that nothing on the board writes into and whose label says it
    holds model files ("Model weights (S3)"): open weights downloaded from outside."""
    if design.type_of(node) != "object_store" or design.predecessors(node):
        return False
    return bool(_label_words(design.nodes[node].label) & WEIGHTS_WORDS)


# --- errors -------------------------------------------------------------------------------


@rule("training-loop", "error", "model", "mid", "A training loop exists")
def training_loop(design: DesignGraph) -> list[Issue]:
    """Some training pipeline has a data source upstream of it along a path with no
    monitoring signal in it, and a path from it to a model registry or a predictor."""
    pipelines = _pipelines(design)
    if not pipelines:
        if _all_models_from_outside(design):
            return []  # every model is pretrained or hosted: nothing of ours to train
        return [
            Issue(
                "There is no training loop: add a training pipeline fed by a data source "
                "(event stream, data lake, ...) that writes to a model registry."
            )
        ]
    signals = design.signals
    deliverers = design.predictors | set(design.of_types({"model_registry"}))
    data_types = DATA_SOURCES
    for p in pipelines:  # the usual drawing settles it within two edges
        upstream = design.near(p, backward=True, through=lambda n: n not in signals)
        if any(design.type_of(u) in data_types and u not in signals for u in upstream) and any(
            v in deliverers for v in design.near(p)
        ):
            return []
    fed = reach(design.data_view, design.of_types(DATA_SOURCES))
    delivers = design.reaching(deliverers)
    if any(p in fed and p in delivers for p in pipelines):
        return []
    problems = []
    if not any(p in fed for p in pipelines):
        problems.append(
            "no data source (event stream, data lake, NoSQL store, object store, "
            "labeling or feedback collector) feeds it"
            + (" (a retraining trigger is a signal, not data)" if design.signals else "")
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
    back to the same client through serving components, prediction holders, vector and
    search indexes only."""
    clients = design.by_type.get("client_app", [])
    if not clients:
        if _answers_by_alert(design):
            return []
        return [
            Issue(
                "There is no serving loop: add a client app whose requests reach a "
                "predictor (through an API gateway) and whose answers come back."
            )
        ]
    answerers = design.predictors | design.prediction_holders
    corridor = (
        design.serving_nodes | answerers | set(design.of_types({"vector_index", "search_index"}))
    )
    # A path back from an answerer to a client it shares a strong component with: the
    # client's request reaches the answerer, and the answer comes back. One walk back
    # from every client, kept inside strong components, finds them all. The strong
    # components of the serving corridor (with the clients) settle a sound design;
    # those of the whole graph settle the rest.
    client_set = set(clients)
    corridor_graph = design.restricted(corridor | client_set)
    if _answered(corridor_graph, client_set, corridor, answerers):
        return []
    if _answered(design.graph, client_set, corridor, answerers):
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
    answered_so_far = reach(design.view(corridor), reached) | reached
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
            tuple(sorted(client_set | reached)),
        )
    ]


def _answers_by_alert(design: DesignGraph) -> bool:
    """A board with no client app whose answer is a page (our reading, docs/rules.md): a
    predictor writes into an alerting component whose people's verdicts come back (a path
    from it to a feedback collector or labeling), as anomaly detection is drawn."""
    verdicts = set(design.of_types({"feedback_collector", "labeling"}))
    if not verdicts:
        return False
    for alert in design.by_type.get("alerting", ()):
        if any(u in design.predictors for u in design.predecessors(alert)) and (
            design.reachable([alert]) & verdicts
        ):
            return True
    return False


def _answered(
    graph: nx.DiGraph,
    clients: set[str],
    corridor: AbstractSet[str],
    answerers: AbstractSet[str],
) -> bool:
    """Whether an answerer has a path back to a client through the corridor, inside a
    strong component of `graph` (so that client's requests reach it)."""
    component: dict[str, int] = {}
    for number, members in enumerate(nx.strongly_connected_components(graph)):
        component.update(dict.fromkeys(members, number))
    inside = nx.subgraph_view(
        graph,
        filter_node=lambda n: n in corridor or n in clients,
        filter_edge=lambda u, v: u in corridor and component[u] == component[v],
    )
    returning = reach(inside.reverse(copy=False), clients)
    return any(n in answerers for n in returning if n not in clients)


@rule("model-deployed", "error", "serving", "mid", "Every predictor has a model")
def model_deployed(design: DesignGraph) -> list[Issue]:
    """Every predictor has at least one model source (a training pipeline reaching it
    through registries, evaluations, tuning and orchestrators only), or serves a model
    from outside the board (see `_served_elsewhere`)."""
    return [
        Issue(
            f"{design.name(p)} has no trained model: connect a training pipeline to it, "
            "directly or through a model registry (or, if it serves a pretrained or hosted "
            "model, name that model in its `model` setting).",
            (p,),
        )
        for p in sorted(design.predictors)
        if not design.model_sources_of(p) and not _served_elsewhere(design, p)
    ]


@rule("feature-consistency", "error", "data", "mid", "Training and serving share features")
def feature_consistency(design: DesignGraph) -> list[Issue]:
    """For every predictor P with a model source: for at least one model source T of P,
    training and serving share their features (components/feature_check.py)."""
    issues = []
    for predictor in sorted(design.predictors):
        sources = sorted(design.model_sources_of(predictor))
        found = []
        for pipeline in sources:
            issue = feature_consistency_issue(design, pipeline, predictor)
            if issue is None:
                break
            found.append(issue)
        else:
            if found:
                best = min(found, key=lambda i: i.rank)
                message = best.message
                if len(sources) > 1:
                    others = _names(design, [s for s in sources if s != best.pipeline])
                    message += (
                        f" (It may serve a model from {others} instead, through the shared "
                        "registry; none of them shares features with it either.)"
                    )
                issues.append(Issue(message, best.nodes))
    return issues


@rule("batch-predictions-served", "error", "serving", "mid", "Batch predictions are served")
def batch_predictions_served(design: DesignGraph) -> list[Issue]:
    """Every batch scorer has a path to a prediction holder that has a path to a client
    app or to a predictor (scores stacked as features are read)."""
    scorers = design.by_type.get("batch_scorer", [])
    if not scorers:
        return []
    # An index a batch job fills with embeddings is read like a holder (our reading).
    holders = design.prediction_holders | set(design.of_types({"vector_index", "search_index"}))
    ends = design.reader_ends
    rest = [
        s
        for s in scorers
        if not any(h in holders and design.near(h) & ends for h in design.successors(s))
    ]
    if not rest:
        return []
    readers = design.reaching_readers
    served = [h for h in holders if h in readers]
    feeds_served = design.reaching(served)
    issues = []
    clients = design.by_type.get("client_app", [])
    answering = design.reaching(clients) & design.predictors if clients else set()
    for scorer in sorted(rest):
        if scorer in feeds_served or _teaches(design, scorer, answering):
            continue
        written = sorted(h for h in design.reachable([scorer]) if h in holders)
        if _in_shadow(design, scorer, written, answering):
            continue
        if written:
            message = (
                f"Batch scorer {design.name(scorer)} writes its predictions into "
                f"{_names(design, written)}, but nothing reads them on the way to a "
                "client: connect the store to the serving path (e.g. store -> API gateway "
                "or backend service -> client app), or to the predictor that uses them."
            )
            nodes = (scorer, *written)
        else:
            message = (
                f"Batch scorer {design.name(scorer)} writes predictions nobody reads: "
                "connect it to a prediction store, cache or NoSQL store that a client reads "
                "through serving."
            )
            nodes = (scorer,)
        issues.append(Issue(message, nodes))
    return issues


SHADOW_READERS = frozenset({"metrics_dashboard", "offline_evaluation"})


def _teaches(design: DesignGraph, scorer: str, answering: AbstractSet[str]) -> bool:
    """A teacher (our reading, docs/rules.md): the scorer writes a table of its own (a
    data component only batch scorers write into; a shared lake or stream is a log) that
    reaches, through data components, a training pipeline whose model another predictor
    serves to clients (soft labels for a distilled student, pseudo-labels)."""
    others = set(answering) - {scorer}
    scorers = set(design.by_type.get("batch_scorer", ()))
    tables = [
        d
        for d in design.successors(scorer)
        if d in design.data_nodes
        and design.type_of(d) != "labeling"
        and set(design.predecessors(d)) <= scorers
    ]
    trainers = [
        t
        for t in design.through(tables, design.data_nodes)
        if design.type_of(t) == "training_pipeline"
    ]
    return any(design.deployments_of(t) & others for t in trainers)


def _in_shadow(
    design: DesignGraph, scorer: str, written: list[str], answering: AbstractSet[str]
) -> bool:
    """A challenger scored in shadow (our reading, docs/rules.md): its predictions go into
    a holder that a dashboard or an evaluation reads together with something else to
    compare them with (the actual outcomes), while another predictor answers the clients."""
    if not any(p != scorer for p in answering):
        return False
    compared = [
        v for h in written for v in design.successors(h) if design.type_of(v) in SHADOW_READERS
    ]
    return any(u not in written for v in compared for u in design.predecessors(v))


@rule("connection-allowed", "error", None, "mid", "Connections are allowed")
def connection_allowed(design: DesignGraph) -> list[Issue]:
    """No self-loop, no second edge with the same source and target, and every edge a
    pair the catalogue allows."""
    types = {n.id: n.type for n in design.board.nodes}  # notes too; last id wins
    first: dict[tuple[str, str], str] = {}
    refusals: dict[tuple[str, str], str | None] = {}
    issues = []
    for edge in design.board.edges:
        pair = (edge.source, edge.target)
        reason: str | None
        if edge.source == edge.target:
            reason = "connects a component to itself"
        elif pair in first:
            reason = f'repeats edge "{first[pair]}" between the same components'
        else:
            first[pair] = edge.id
            kinds = (types.get(edge.source, "?"), types.get(edge.target, "?"))
            if kinds not in refusals:
                refusals[kinds] = connection_refusal(*kinds)
            refusal = refusals[kinds]
            reason = f"is not allowed: {refusal}" if refusal else None
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
    collector or labeling that has a path (with no monitoring signal on it: a retraining
    trigger carries no data) to a training pipeline; on a board with no training pipeline
    whose every model comes from outside, to an offline evaluation instead."""
    origins = design.of_types({"client_app"}) + sorted(design.predictors)
    signals = design.signals
    pipelines = set(_pipelines(design))
    target = "the training pipeline"
    if not pipelines and _all_models_from_outside(design):
        # Nothing of ours to train (hosted or open-weights models): what serving logs
        # should reach the offline evaluation (a golden set sampled from the log).
        pipelines = set(design.by_type.get("offline_evaluation", ()))
        target = "the offline evaluation (for example a golden set sampled from the log)"
    for origin in origins:  # the usual drawing settles it within a few edges
        for sink in design.near(origin):
            if design.type_of(sink) in LOGGING_SINKS and any(
                v in pipelines for v in design.near(sink, through=lambda n: n not in signals)
            ):
                return []
    to_training = reach(design.data_view_reversed, pipelines)
    sinks = [s for s in design.of_types(LOGGING_SINKS) if s in to_training]
    feeding = design.reaching(sinks)
    if any(o in feeding for o in origins):
        return []
    return [
        Issue(
            "Nothing that happens at serving time becomes training data: log the "
            "client's interactions or the predictions to an event stream, data lake or "
            f"feedback collector that feeds {target}.",
            tuple(sorted(origins)),
        )
    ]


@rule("drift-monitoring", "warning", "monitoring", "senior", "Drift is monitored")
def drift_monitoring(design: DesignGraph) -> list[Issue]:
    """Some drift monitor has an incoming edge from a predictor, feature provider,
    prediction holder or prediction log, and a path to a retraining trigger, training
    pipeline or alerting. The message says which half is missing."""
    monitors = sorted(design.by_type.get("drift_monitor", []))
    if not monitors:
        return [
            Issue(
                "No drift monitor: add one that reads the predictions or features and "
                "triggers retraining or alerting."
            )
        ]
    watched = (
        design.predictors
        | set(design.of_types({"feature_store", "feature_pipeline", "embedding_model"}))
        | design.prediction_holders
    )
    reads = {m: any(p in watched for p in design.predecessors(m)) for m in monitors}
    if not all(reads.values()):  # the prediction log, only when it matters
        logs = design.prediction_logs
        reads = {m: reads[m] or any(p in logs for p in design.predecessors(m)) for m in monitors}
    actors = set(design.of_types({"retraining_trigger", "alerting"})) | design.trainers
    acts = {m: bool(design.near(m) & actors) for m in monitors}
    if not any(reads[m] and acts[m] for m in monitors):
        acting = design.reaching(actors)
        acts = {m: m in acting for m in monitors}
    if any(reads[m] and acts[m] for m in monitors):
        return []
    parts = []
    blind = [m for m in monitors if not reads[m]]
    idle = [m for m in monitors if not acts[m]]
    if blind:
        parts.append(
            f"{_names(design, blind)} reads nothing the model sees or says: feed it from "
            "the predictor, the feature store, the prediction store or the prediction log"
        )
    if idle:
        parts.append(
            f"{_names(design, idle)} raises nothing: connect it to a retraining trigger, "
            "the training pipeline or alerting"
        )
    message = "Drift is watched but the loop is open: " + "; ".join(parts) + "."
    return [Issue(message, tuple(monitors))]


def _metrics(design: DesignGraph, node_id: str) -> list[str]:
    metrics = design.nodes[node_id].props.get("metrics")
    if not isinstance(metrics, list):
        return []
    return [m for m in metrics if isinstance(m, str) and m.strip()]


@rule("offline-metrics", "warning", "evaluation", "senior", "Models are evaluated offline")
def offline_metrics(design: DesignGraph) -> list[Issue]:
    """Every training pipeline has a path to an offline evaluation that lists a metric fit
    for its task (any metric for `other` or no task). The finding highlights the
    evaluation to change, lists the metrics it saw and suggests fitting ones."""
    evaluations = design.by_type.get("offline_evaluation", [])
    by_task: dict[str | None, list[str]] = {}
    for pipeline in _pipelines(design):
        task = design.nodes[pipeline].props.get("task")
        by_task.setdefault(task if isinstance(task, str) else None, []).append(pipeline)
    issues = []
    for task, pipelines in by_task.items():
        fitting = {e for e in evaluations if any(fits(task, m) for m in _metrics(design, e))}
        # The usual drawing settles it within two edges; walk only for the rest.
        rest = [p for p in pipelines if not design.near(p) & fitting]
        reaching = design.reaching(fitting) if rest and fitting else set()
        for pipeline in sorted(rest):
            if pipeline in reaching:
                continue
            issues.append(_offline_issue(design, pipeline, task))
    return sorted(issues, key=lambda i: i.nodes)


def _offline_issue(design: DesignGraph, pipeline: str, task: str | None) -> Issue:
    # The evaluations of this model: those its model reaches through model plumbing.
    near = sorted(
        n
        for n in reach(design.plumbing_view, [pipeline])
        if design.type_of(n) == "offline_evaluation"
    )
    suggest = ", ".join(SUGGESTIONS.get(task or "", ()))
    kind = f"a {task} model" if task and task in SUGGESTIONS else "this model"
    if not near:
        wanted = f" and list metrics such as {suggest}" if suggest else " and list its metrics"
        return Issue(
            f"{design.name(pipeline)} reaches no offline evaluation: connect it to an "
            f"offline evaluation{wanted}.",
            (pipeline,),
        )
    seen = list(dict.fromkeys(m for e in near for m in _metrics(design, e)))  # as listed
    saw = f"lists {', '.join(seen)}, none of which fits {kind}" if seen else "lists no metric"
    add = f"add one such as {suggest}" if suggest else "list the metrics it computes"
    return Issue(
        f"{_names(design, near)} evaluating {design.name(pipeline)} {saw}: {add}.",
        (*near, pipeline),
    )


@rule("cache-on-read-path", "warning", "serving", "senior", "Caches sit on a read path")
def cache_on_read_path(design: DesignGraph) -> list[Issue]:
    """Every cache has an incoming and an outgoing edge and a path to a client app or a
    predictor."""
    ends = design.reader_ends
    caches = design.by_type.get("cache", [])
    if all(design.predecessors(c) and design.near(c) & ends for c in caches):
        return []
    readers = design.reaching_readers
    return [
        Issue(
            f"Cache {design.name(c)} is not on a read path: connect what fills it and the "
            "serving component (or client) that reads it.",
            (c,),
        )
        for c in sorted(design.by_type.get("cache", []))
        if not design.predecessors(c) or not design.successors(c) or c not in readers
    ]


@rule("evaluation-gates-deploy", "warning", "evaluation", "senior", "Evaluation gates deployment")
def evaluation_gates_deploy(design: DesignGraph) -> list[Issue]:
    """Every path by which a training pipeline's model reaches a predictor (through
    registries, tuning and orchestrators) passes an offline evaluation. A registry counts
    as gated for a pipeline when an evaluation of that pipeline's model writes into it
    (the evaluation decides what the registry promotes)."""
    view = design.plumbing_view
    predictors = design.predictors
    issues = []
    for pipeline in sorted(_pipelines(design)):
        region = reach(view, [pipeline])
        if not any(n in predictors for n in region):
            continue
        evaluations = {n for n in region if design.type_of(n) == "offline_evaluation"}
        gated = {
            r
            for e in evaluations
            for r in design.successors(e)
            if design.type_of(r) == "model_registry"
        }
        open_nodes = (region - evaluations - gated) | {pipeline}
        open_view = nx.subgraph_view(view, filter_node=open_nodes.__contains__)
        ungated = sorted(n for n in reach(open_view, [pipeline]) if n in predictors)
        if ungated:
            issues.append(
                Issue(
                    f"The model of {design.name(pipeline)} reaches {_names(design, ungated)} "
                    "without passing an offline evaluation: put one on the way "
                    "(training pipeline -> offline evaluation -> model registry) so no model "
                    "ships unevaluated.",
                    (pipeline, *ungated),
                )
            )
    return issues


@rule("retraining-closes-loop", "warning", "monitoring", "senior", "Retraining closes the loop")
def retraining_closes_loop(design: DesignGraph) -> list[Issue]:
    """Every retraining trigger has a path to a training pipeline (directly or through
    orchestrators, tuning or data validation) whose model reaches serving."""
    triggers = sorted(design.by_type.get("retraining_trigger", []))
    if not triggers:
        return []
    relays = set(
        design.of_types({"orchestrator", "hyperparameter_tuning", "data_validation"})
    ) | set(triggers)
    serving = design.model_source_set  # pipelines whose model reaches a predictor
    issues = []
    for trigger in triggers:
        if any(n in serving for n in design.near(trigger, through=relays.__contains__)):
            continue  # the usual drawing: the trigger starts a deployed pipeline directly
        started = sorted(n for n in design.through([trigger], relays) if n in design.trainers)
        if any(p in serving or p in design.deployed_pipelines for p in started):
            continue
        if started:
            message = (
                f"Retraining trigger {design.name(trigger)} restarts {_names(design, started)}, "
                "whose model never reaches serving: connect that pipeline's model to the "
                "registry or predictor that serves it."
            )
            nodes = (trigger, *started)
        else:
            message = (
                f"Retraining trigger {design.name(trigger)} starts no training pipeline: "
                "connect it to the pipeline it retrains (directly or through an "
                "orchestrator)."
            )
            nodes = (trigger,)
        issues.append(Issue(message, nodes))
    return issues


WATCHERS = ("drift_monitor", "metrics_dashboard", "alerting", "data_validation")


@rule("monitoring-has-input", "warning", "monitoring", "senior", "Monitors watch something")
def monitoring_has_input(design: DesignGraph) -> list[Issue]:
    """Every drift monitor, metrics dashboard, alerting and data validation has an
    incoming edge: a monitor that watches nothing is theatre. (One with no edge at all
    is left to isolated-component, which says so already.)"""
    return [
        Issue(
            f"{design.name(n)} watches nothing: connect what it should watch into it "
            "(the predictions, features, data or metrics it checks).",
            (n,),
        )
        for n in sorted(design.of_types(WATCHERS))
        if not design.predecessors(n) and design.successors(n)  # isolated: said once, above
    ]


# --- info ---------------------------------------------------------------------------------

SUPERVISED = ("classification", "regression", "ranking", "detection", "segmentation")


@rule("labels-available", "info", "data", "senior", "Supervised training has labels")
def labels_available(design: DesignGraph) -> list[Issue]:
    """Every supervised training pipeline has a label source upstream of it: labeling, a
    feedback collector, or a client app whose outcomes reach it through data components
    (with no monitoring signal on the way)."""
    supervised = [p for p in _pipelines(design) if design.nodes[p].props.get("task") in SUPERVISED]
    if not supervised:
        return []
    signals = design.signals
    data = design.data_nodes

    def labelled_nearby(p: str) -> bool:
        for u in design.near(p, backward=True, through=lambda n: n not in signals):
            if design.type_of(u) in LABEL_SOURCES or (u in data and _says_labelled(design, u)):
                return True
        return any(
            design.type_of(c) == "client_app"
            for u in design.predecessors(p)
            if u in data
            for c in design.predecessors(u)
        )

    rest = [p for p in supervised if not labelled_nearby(p)]
    if not rest:
        return []
    labelled = reach(design.data_view, design.of_types(LABEL_SOURCES))
    labelled |= design.through(design.by_type.get("client_app", []), data)
    issues = []
    on_board = sorted(design.of_types(LABEL_SOURCES))
    for pipeline in sorted(rest):
        if pipeline in labelled:
            continue
        task = design.nodes[pipeline].props["task"]
        if on_board:
            message = (
                f"{design.name(pipeline)} learns a {task} task, and {_names(design, on_board)} "
                "is on the board, but its labels do not reach the pipeline: connect it "
                "upstream of the pipeline (through the data it labels)."
            )
            nodes = (pipeline, *on_board)
        else:
            message = (
                f"{design.name(pipeline)} learns a {task} task but no labels reach it: add a "
                "labeling source or a feedback collector upstream, or log the client's "
                "outcomes to the data it trains on."
            )
            nodes = (pipeline,)
        issues.append(Issue(message, nodes))
    return issues


# A data source whose name says it holds labels: a bought or public labelled dataset
# ("Licensed labelled corpus (S3)", "Annotated images", "Ground-truth table"; our reading).
_LABELLED_NAME = re.compile(
    r"\b(labell?ed|annotated|annotations|ground[ -]truth|gold(en)? (set|labels|data))\b",
    re.IGNORECASE,
)


def _says_labelled(design: DesignGraph, node_id: str) -> bool:
    return bool(_LABELLED_NAME.search(design.nodes[node_id].label or ""))


@rule("online-metrics", "info", "evaluation", "staff", "Online metrics are tracked")
def online_metrics(design: DesignGraph) -> list[Issue]:
    """Some A/B testing component lists an online metric (any metric that is not an
    offline one) and has an edge to or from a serving component or a client app."""
    tests = sorted(design.by_type.get("ab_testing", []))
    if not tests:
        return [
            Issue(
                "No A/B test tracks an online metric: add an A/B testing component "
                "connected to the serving path (or to the client app) and list the online "
                "metrics it tracks (CTR, conversion rate, retention, watch time, ...)."
            )
        ]
    tracking, wired = [], []
    for test in tests:
        if any(is_online(m) for m in _metrics(design, test)):
            tracking.append(test)
        neighbours = set(design.predecessors(test)) | set(design.successors(test))
        if any(n in design.serving_nodes or design.type_of(n) == "client_app" for n in neighbours):
            wired.append(test)
    if set(tracking) & set(wired):
        return []
    parts = []
    for test in tests:
        if test not in tracking:
            listed = _metrics(design, test)
            saw = "lists no metric"
            if listed:
                saw = f"lists only offline metrics ({', '.join(listed)})"
            parts.append(
                f"{design.name(test)} {saw}: add an online one such as CTR or conversion rate"
            )
        if test not in wired:
            parts.append(
                f"{design.name(test)} is not connected to serving: connect it to the API "
                "gateway, a serving component or the client app that assigns variants"
            )
    return [Issue("; ".join(parts) + ".", tuple(tests))]


# --- the project's own ----------------------------------------------------------------------


def _replicas(design: DesignGraph, node_id: str) -> int:
    value = design.nodes[node_id].props.get("replicas")
    return value if type(value) is int else 1


@rule("replicas-load-balanced", "warning", "serving", "staff", "Replicas sit behind a balancer")
def replicas_load_balanced(design: DesignGraph) -> list[Issue]:
    """Every predictor with more than one replica is reached from a load balancer or API
    gateway through serving components, unless it consumes a stream (directly, or through
    a consumer service: a backend service, not a cache or store) and no client reaches it
    through serving components: an asynchronous consumer scales by partitions."""
    replicated = [
        p
        for p in sorted(design.predictors)
        if "replicas" in COMPONENT_TYPES[design.type_of(p)].props_by_name
        and _replicas(design, p) > 1
    ]
    if not replicated:
        return []
    balancers = design.entry_points
    serving = design.serving_nodes
    replicated = [
        p
        for p in replicated
        if not balancers & design.near(p, backward=True, through=serving.__contains__)
    ]
    if not replicated:
        return []
    fronted = design.through(balancers, serving)
    requested = design.through(design.by_type.get("client_app", []), serving)
    streams = {"event_stream", "stream_processor"}
    issues = []
    # What may stand between a stream and the predictor it feeds: a Kafka consumer drawn
    # as a service of its own (a cache or store there is a lookup, not a consumer).
    consumer_services = set(design.by_type.get("backend_service", ()))
    for p in replicated:
        if p in fronted:
            continue
        upstream = design.near(p, backward=True, through=consumer_services.__contains__)
        consumer = any(design.type_of(u) in streams for u in upstream)
        if consumer and p not in requested:
            continue
        issues.append(
            Issue(
                f"{design.name(p)} runs {_replicas(design, p)} replicas but no load balancer "
                "or API gateway spreads requests over them: put one in front.",
                (p,),
            )
        )
    return issues


@rule("logged-features-served", "warning", "data", "senior", "Logged training sees what was served")
def logged_features_served(design: DesignGraph) -> list[Issue]:
    """A pipeline that learns from a predictor's prediction log ("log and wait") trains
    only on features that predictor serves (components/feature_check.py)."""
    issues = []
    for predictor in sorted(design.predictors):
        found = logged_but_unserved(design, predictor)
        if found:
            pipeline, missing = found
            issues.append(
                Issue(
                    f"{design.name(pipeline)} learns from what {design.name(predictor)} logs, "
                    f"but also trains on {', '.join(missing)}, which "
                    f"{design.name(predictor)} does not serve: a value known only after the "
                    "prediction leaks the label, and one only training computes is skew. "
                    "Serve them too, or train without them.",
                    (pipeline, predictor),
                )
            )
    return issues


def profile(level: str) -> list[Rule]:
    """The rules a board of `level` is checked against, in registry order."""
    return [r for r in RULES.values() if r.runs_at(level)]
