"""The component catalogue (framework.md §2): types, categories, props and connections.

Type ids are part of the board format, so they never change. The table of allowed
connections is the category table of §2 refined per type where §2 leaves a pair to
our judgement (a dash); docs/rules.md lists those refinements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from components.cards import cards_as_json

PropKind = Literal["string", "string_list", "choice", "integer"]


@dataclass(frozen=True)
class PropSpec:
    """One optional setting of a component: its kind and, for choices, the values."""

    name: str
    kind: PropKind
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None


@dataclass(frozen=True)
class Category:
    key: str
    title: str
    colour: str


@dataclass(frozen=True)
class ComponentType:
    id: str
    category: str
    title: str
    description: str
    step: str | None
    props: tuple[PropSpec, ...] = field(default=())

    @property
    def props_by_name(self) -> dict[str, PropSpec]:
        return {spec.name: spec for spec in self.props}


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category("client", "Client", "#4f46e5"),
        Category("data", "Data", "#0369a1"),
        Category("features", "Features", "#0f766e"),
        Category("training", "Training", "#7c3aed"),
        Category("serving", "Serving", "#15803d"),
        Category("monitoring", "Monitoring", "#be185d"),
        Category("annotation", "Annotation", "#a16207"),
    )
}

_FEATURES = PropSpec("features", "string_list", "Feature names this component reads or holds.")
_REPLICAS = PropSpec("replicas", "integer", "Number of serving replicas.", minimum=1)
_METRICS = PropSpec("metrics", "string_list", "Metric names, e.g. NDCG or CTR.")
_REQUEST_FEATURES = PropSpec(
    "features",
    "string_list",
    "Request-time features that arrive with the request (query text, device, the upload).",
)
_SERVED_MODEL = PropSpec(
    "model",
    "string",
    "The model it serves when no training pipeline here trains it (pretrained or hosted).",
)
_SCHEDULE = PropSpec("schedule", "string", "When it runs, e.g. hourly.")
TASKS = (
    "classification",
    "regression",
    "ranking",
    "retrieval",
    "detection",
    "segmentation",
    "generation",
    "other",
)


def _t(
    type_id: str, category: str, title: str, description: str, step: str | None, *props: PropSpec
) -> ComponentType:
    return ComponentType(type_id, category, title, description, step, tuple(props))


COMPONENT_TYPES: dict[str, ComponentType] = {
    t.id: t
    for t in (
        _t(
            "client_app",
            "client",
            "Client app",
            "The user-facing app or caller that sends requests and shows results.",
            "serving",
            _REQUEST_FEATURES,
        ),
        _t(
            "event_stream",
            "data",
            "Event stream",
            "A log or broker of events (Kafka, Kinesis).",
            "data",
        ),
        _t(
            "stream_processor",
            "data",
            "Stream processor",
            "Streaming computation over events (Flink, Spark Streaming).",
            "data",
        ),
        _t(
            "data_lake",
            "data",
            "Data lake",
            "Historical raw data and logs (data lake, warehouse).",
            "data",
        ),
        _t(
            "nosql_db",
            "data",
            "NoSQL store",
            "Key-value or document store for entities (user profiles, item metadata).",
            "data",
        ),
        _t("object_store", "data", "Object store", "Blob storage for media.", "data"),
        _t(
            "batch_etl",
            "data",
            "Batch ETL",
            "Batch jobs that clean, join and aggregate data (Spark).",
            "data",
        ),
        _t(
            "labeling",
            "data",
            "Labeling",
            "A label source: human annotation or labels joined from logs.",
            "data",
        ),
        _t(
            "feature_pipeline",
            "features",
            "Feature pipeline",
            "Computes features.",
            "data",
            PropSpec(
                "mode", "choice", "Batch or streaming computation.", choices=("batch", "streaming")
            ),
            _FEATURES,
        ),
        _t(
            "feature_store",
            "features",
            "Feature store",
            "One store of feature values for training (offline) and serving (online), e.g. Feast.",
            "data",
            _FEATURES,
        ),
        _t(
            "embedding_model",
            "features",
            "Embedding model",
            "Turns items, users or queries into embeddings.",
            "data",
            _FEATURES,
            _REPLICAS,
            _SERVED_MODEL,
        ),
        _t(
            "vector_index",
            "features",
            "Vector index",
            "Approximate nearest-neighbour index (FAISS, ScaNN).",
            "data",
        ),
        _t(
            "training_pipeline",
            "training",
            "Training pipeline",
            "Trains a model.",
            "model",
            PropSpec("task", "choice", "The ML task the model solves.", choices=TASKS),
            PropSpec(
                "mode",
                "choice",
                "Batch (scheduled retraining) or online (continual updates).",
                choices=("batch", "online"),
            ),
            PropSpec("model", "string", "Model family or architecture."),
            _FEATURES,
        ),
        _t(
            "hyperparameter_tuning",
            "training",
            "Hyperparameter tuning",
            "Searches hyperparameters.",
            "model",
        ),
        _t(
            "offline_evaluation",
            "training",
            "Offline evaluation",
            "Scores a trained model on held-out data.",
            "evaluation",
            _METRICS,
        ),
        _t("model_registry", "training", "Model registry", "Versioned trained models.", "model"),
        _t(
            "api_gateway",
            "serving",
            "API gateway",
            "The entry point for online requests.",
            "serving",
            _REQUEST_FEATURES,
        ),
        _t(
            "load_balancer",
            "serving",
            "Load balancer",
            "Spreads requests over replicas.",
            "serving",
        ),
        _t(
            "inference_service",
            "serving",
            "Inference service",
            "Online (real-time) prediction.",
            "serving",
            _FEATURES,
            _REPLICAS,
            _SERVED_MODEL,
        ),
        _t(
            "batch_scorer",
            "serving",
            "Batch scorer",
            "Offline prediction on a schedule.",
            "serving",
            _SCHEDULE,
            _FEATURES,
            _SERVED_MODEL,
        ),
        _t(
            "prediction_store",
            "serving",
            "Prediction store",
            "Precomputed predictions, looked up at request time.",
            "serving",
        ),
        _t(
            "cache",
            "serving",
            "Cache",
            "Low-latency cache (Redis).",
            "serving",
            PropSpec("ttl_seconds", "integer", "Time to live of an entry.", minimum=0),
        ),
        _t(
            "candidate_generation",
            "serving",
            "Candidate generation",
            "Retrieval stage: millions of items down to hundreds.",
            "serving",
        ),
        _t(
            "ranking_service",
            "serving",
            "Ranking service",
            "Scores and orders candidates with a model.",
            "serving",
            _FEATURES,
            _REPLICAS,
            _SERVED_MODEL,
        ),
        _t(
            "reranking_service",
            "serving",
            "Re-ranking service",
            "Business rules, diversity, filtering after ranking.",
            "serving",
        ),
        _t(
            "drift_monitor",
            "monitoring",
            "Drift monitor",
            "Watches feature and prediction distributions for drift.",
            "monitoring",
        ),
        _t(
            "metrics_dashboard",
            "monitoring",
            "Metrics dashboard",
            "Operational and business metrics.",
            "monitoring",
        ),
        _t(
            "ab_testing",
            "monitoring",
            "A/B testing",
            "Experimentation platform for online metrics.",
            "evaluation",
            _METRICS,
        ),
        _t(
            "feedback_collector",
            "monitoring",
            "Feedback collector",
            "Captures user outcomes (clicks, reports) as labels.",
            "monitoring",
        ),
        _t(
            "retraining_trigger",
            "monitoring",
            "Retraining trigger",
            "Starts retraining on a schedule or on drift.",
            "monitoring",
        ),
        _t("alerting", "monitoring", "Alerting", "Pages a person.", "monitoring"),
        _t(
            "backend_service",
            "serving",
            "Backend service",
            "An application service that handles requests and calls the rest "
            "(feed service, ad server, search service).",
            "serving",
            _REQUEST_FEATURES,
        ),
        _t(
            "search_index",
            "features",
            "Search index",
            "An inverted or text index (Elasticsearch, Lucene).",
            "data",
        ),
        _t(
            "data_validation",
            "monitoring",
            "Data validation",
            "Schema and value checks on data before training or serving "
            "(TFDV, Great Expectations).",
            "data",
        ),
        _t(
            "orchestrator",
            "training",
            "Orchestrator",
            "Schedules and runs pipelines (Airflow, Kubeflow).",
            "model",
            _SCHEDULE,
        ),
        _t("note", "annotation", "Note", "A free-text sticky note; the rules ignore it.", None),
    )
}

NOTE = "note"

# Roles used by the rules (framework.md §2, revision 2). These are the types that always
# play the role; components/graph.py adds those that play it by their connections (an
# embedding model that serves requests is a predictor; a holder type is a prediction
# holder only when predictions are written into it).
PREDICTORS = frozenset({"inference_service", "ranking_service", "batch_scorer"})
DATA_SOURCES = frozenset(
    {"event_stream", "data_lake", "nosql_db", "object_store", "labeling", "feedback_collector"}
)
FEATURE_PROVIDERS = frozenset({"feature_store", "feature_pipeline", "embedding_model"})
# Types that hold predictions when a predictor writes into them (or a holder fills them).
HOLDER_TYPES = frozenset({"prediction_store", "cache", "nosql_db", "feature_store"})
# Monitoring components that carry a control signal, not data: they end data walks.
MONITORING_SIGNALS = frozenset(
    {"retraining_trigger", "alerting", "metrics_dashboard", "ab_testing", "drift_monitor"}
)
# Types whose `features` are request-time features.
REQUEST_FEATURE_TYPES = frozenset({"client_app", "api_gateway", "backend_service"})
LABEL_SOURCES = frozenset({"labeling", "feedback_collector"})

# Predictors drawn pulling their model: an edge from one of these to a `model_registry`
# ("fetch latest model") is allowed, and the graph reads it as the model's flow, registry
# to predictor (components/graph.py).
MODEL_PULLERS = frozenset({"inference_service", "ranking_service", "batch_scorer"})

# Category pairs (source, target): True allowed, False forbidden. Pairs missing from this
# table are the dashes of framework.md §2, decided per type in _JUDGED below.
_CATEGORY_PAIRS: dict[tuple[str, str], bool] = {
    ("client", "data"): True,
    ("client", "training"): False,
    ("client", "serving"): True,
    ("client", "monitoring"): True,
    ("data", "client"): False,
    ("data", "data"): True,
    ("data", "features"): True,
    ("data", "training"): True,
    ("data", "serving"): True,
    ("data", "monitoring"): True,
    ("features", "features"): True,
    ("features", "training"): True,
    ("features", "serving"): True,
    ("features", "monitoring"): True,
    ("training", "client"): False,
    ("training", "data"): True,  # rev. 2: outputs written back (embeddings to a table)
    ("training", "features"): True,  # rev. 2: learned embeddings become features
    ("training", "training"): True,
    ("training", "serving"): True,
    ("training", "monitoring"): True,
    ("serving", "client"): True,
    ("serving", "data"): True,
    ("serving", "features"): True,
    ("serving", "serving"): True,
    ("serving", "monitoring"): True,
    ("monitoring", "data"): True,
    ("monitoring", "training"): True,
    ("monitoring", "serving"): True,
    ("monitoring", "monitoring"): True,
}

# Our judgement on the dashes: the type pairs allowed inside an otherwise closed cell.
_JUDGED: dict[tuple[str, str], frozenset[str]] = {
    # Features written back to storage: offline snapshots, published embeddings.
    ("feature_pipeline", "data"): frozenset(
        {"data_lake", "nosql_db", "event_stream", "object_store"}
    ),
    ("feature_store", "data"): frozenset({"data_lake"}),
    ("embedding_model", "data"): frozenset({"nosql_db", "object_store", "data_lake"}),
    ("vector_index", "data"): frozenset(),
    ("search_index", "data"): frozenset(),
    # Engagement outcomes turned into features; client-side experiment assignment.
    ("feedback_collector", "features"): frozenset({"feature_pipeline", "feature_store"}),
    ("ab_testing", "client"): frozenset({"client_app"}),
    # A validation step drawn inline passes on what it checks.
    ("data_validation", "features"): frozenset({"feature_pipeline", "feature_store"}),
    # An app that embeds its query (or photo) by calling the encoder directly.
    ("client_app", "features"): frozenset({"embedding_model"}),
    # A predictor that pulls its model: "fetch latest model" drawn as a request arrow
    # (MODEL_PULLERS). A drawing habit, not a wrong flow.
    **{(puller, "training"): frozenset({"model_registry"}) for puller in MODEL_PULLERS},
}

_REFUSAL_HINTS: dict[tuple[str, str], str] = {
    ("client", "training"): "a client app never feeds training directly: log its events to an "
    "event stream or data lake, which training reads",
    ("data", "client"): "data stores do not answer clients: serve through an API gateway or a "
    "predictor",
    ("training", "client"): "training does not answer clients: deploy the model through a "
    "registry to a predictor",
}


def category_of(type_id: str) -> str:
    return COMPONENT_TYPES[type_id].category


def connection_refusal(source_type: str, target_type: str) -> str | None:
    """Why an edge from `source_type` to `target_type` is not allowed, or None if it is.

    Notes connect to anything. Unknown types are refused with a message naming them.
    """
    for type_id in (source_type, target_type):
        if type_id not in COMPONENT_TYPES:
            return f'unknown component type "{type_id}"'
    if NOTE in (source_type, target_type):
        return None
    src_cat, dst_cat = category_of(source_type), category_of(target_type)
    verdict = _CATEGORY_PAIRS.get((src_cat, dst_cat))
    if verdict is None:
        verdict = target_type in _JUDGED.get((source_type, dst_cat), frozenset())
    if verdict:
        return None
    hint = _REFUSAL_HINTS.get((src_cat, dst_cat))
    src, dst = COMPONENT_TYPES[source_type].title, COMPONENT_TYPES[target_type].title
    reason = f"{src} ({src_cat}) cannot connect to {dst} ({dst_cat})"
    return f"{reason}: {hint}" if hint else reason


def allowed_targets(source_type: str) -> frozenset[str]:
    """Every type an edge from `source_type` may point to (used by the canvas)."""
    return frozenset(t for t in COMPONENT_TYPES if connection_refusal(source_type, t) is None)


ALLOWED_CONNECTIONS: dict[str, frozenset[str]] = {
    source: allowed_targets(source) for source in COMPONENT_TYPES
}


def types_by_category() -> dict[str, list[ComponentType]]:
    """The palette: catalogue types grouped by category, in catalogue order."""
    grouped: dict[str, list[ComponentType]] = {key: [] for key in CATEGORIES}
    for component_type in COMPONENT_TYPES.values():
        grouped[component_type.category].append(component_type)
    return grouped


def catalogue_as_json() -> dict[str, Any]:
    """The catalogue as plain data for the browser (palette, inspector, connection hints).

    Also every rule the editor checks before sending (limits, levels, rubric scores and
    the refusal hints of connections), so the browser never keeps its own copy of them:
    the board page embeds this as `catalogue-data`. "cards" carries the card geometry
    (components/cards.py): its constants and the font's width table.
    """
    # Imported here: document, operations and case_studies import this module.
    from components import document
    from components.case_studies import SCORES
    from components.operations import MAX_BATCH

    return {
        "cards": cards_as_json(),
        "limits": {
            "batch": MAX_BATCH,
            "nodes": document.MAX_NODES,
            "edges": document.MAX_EDGES,
            "label": document.MAX_LABEL,
            "note": document.MAX_NOTE,
            "prop_text": document.MAX_PROP_TEXT,
            "list_items": document.MAX_LIST_ITEMS,
            "coordinate": document.MAX_COORD,
        },
        "levels": list(document.LEVELS),
        "default_level": document.DEFAULT_LEVEL,
        "scores": list(SCORES),
        # "source category>target category": why such a connection is refused.
        "refusal_hints": {f"{a}>{b}": hint for (a, b), hint in _REFUSAL_HINTS.items()},
        "categories": {k: {"title": c.title, "colour": c.colour} for k, c in CATEGORIES.items()},
        "types": {
            t.id: {
                "category": t.category,
                "title": t.title,
                "description": t.description,
                "step": t.step,
                "colour": CATEGORIES[t.category].colour,
                "props": [
                    {
                        "name": p.name,
                        "kind": p.kind,
                        "help": p.help,
                        "choices": list(p.choices),
                        "minimum": p.minimum,
                    }
                    for p in t.props
                ],
                "targets": sorted(ALLOWED_CONNECTIONS[t.id]),
            }
            for t in COMPONENT_TYPES.values()
        },
    }
