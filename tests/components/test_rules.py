"""Every rule of framework.md §4 (and the project's own) on tiny hand-built designs.

Each rule gets designs where it holds and designs where it fails; a failure is checked for
its rule id, severity, step and the component ids it names. Cyclic designs, where the
serving loop feeds the training loop, check that the walks stay local.
"""

from __future__ import annotations

import pytest

from components.document import Board, Edge, Node
from components.graph import DesignGraph
from components.metrics import offline_names
from components.report import validate
from components.rules import RULES, normalise_metric, profile
from tests.conftest import build, finding_ids, rule_findings

# rule id -> (severity, step, lowest level), transcribed from framework.md §4 and docs/rules.md.
EXPECTED = {
    "training-loop": ("error", "model", "mid"),
    "serving-loop": ("error", "serving", "mid"),
    "model-deployed": ("error", "serving", "mid"),
    "feature-consistency": ("error", "data", "mid"),
    "batch-predictions-served": ("error", "serving", "mid"),
    "connection-allowed": ("error", None, "mid"),
    "isolated-component": ("warning", None, "mid"),
    "feedback-loop": ("warning", "monitoring", "senior"),
    "drift-monitoring": ("warning", "monitoring", "senior"),
    "offline-metrics": ("warning", "evaluation", "senior"),
    "cache-on-read-path": ("warning", "serving", "senior"),
    "labels-available": ("info", "data", "senior"),
    "online-metrics": ("info", "evaluation", "staff"),
    "replicas-load-balanced": ("warning", "serving", "staff"),
    "logged-features-served": ("warning", "data", "senior"),
    # rev. 2
    "evaluation-gates-deploy": ("warning", "evaluation", "senior"),
    "retraining-closes-loop": ("warning", "monitoring", "senior"),
    "monitoring-has-input": ("warning", "monitoring", "senior"),
}

ERRORS = {r for r, (severity, _, _) in EXPECTED.items() if severity == "error"}
SENIOR_EXTRAS = {
    "feedback-loop",
    "drift-monitoring",
    "offline-metrics",
    "cache-on-read-path",
    "labels-available",
    "evaluation-gates-deploy",
    "retraining-closes-loop",
    "monitoring-has-input",
    "logged-features-served",
}


def fails(board: Board, rule_id: str, *nodes: str, count: int = 1):
    """Assert `rule_id` gives `count` findings on `board`, the first naming `nodes`."""
    found = rule_findings(board, rule_id)
    assert len(found) == count, [f.message for f in found]
    severity, step, _ = EXPECTED[rule_id]
    for finding in found:
        assert finding.rule == rule_id
        assert finding.severity == severity
        assert finding.step == step
        assert finding.message
    assert found[0].nodes == nodes, found[0].nodes
    return found[0]


def holds(board: Board, rule_id: str) -> None:
    found = rule_findings(board, rule_id)
    assert found == [], [f.message for f in found]


def test_every_rule_is_registered_with_its_metadata():
    assert set(RULES) == set(EXPECTED)
    for rule_id, (severity, step, level) in EXPECTED.items():
        rule = RULES[rule_id]
        assert (rule.id, rule.severity, rule.step, rule.level) == (rule_id, severity, step, level)
        assert rule.title


# --- shared designs -------------------------------------------------------------------------

# The serving loop feeds the training loop: app -> gw -> rank -> gw -> app and
# app -> events -> train -> reg -> rank.
CYCLE_NODES = {
    "app": "client_app",
    "gw": "api_gateway",
    "rank": "ranking_service",
    "events": "event_stream",
    "train": "training_pipeline",
    "reg": "model_registry",
}
CYCLE_EDGES = [
    ("app", "gw"),
    ("gw", "rank"),
    ("rank", "gw"),
    ("gw", "app"),
    ("app", "events"),
    ("events", "train"),
    ("train", "reg"),
    ("reg", "rank"),
]


def cycle(extra_nodes=None, extra_edges=(), **kwargs) -> Board:
    return build({**CYCLE_NODES, **(extra_nodes or {})}, [*CYCLE_EDGES, *extra_edges], **kwargs)


# --- training-loop --------------------------------------------------------------------------


def test_training_loop_holds():
    holds(
        build(
            {"lake": "data_lake", "train": "training_pipeline", "reg": "model_registry"},
            [("lake", "train"), ("train", "reg")],
        ),
        "training-loop",
    )
    # Directly to a predictor, and a data source far upstream.
    holds(
        build(
            {
                "events": "event_stream",
                "etl": "batch_etl",
                "fp": "feature_pipeline",
                "train": "training_pipeline",
                "inf": "inference_service",
            },
            [("events", "etl"), ("etl", "fp"), ("fp", "train"), ("train", "inf")],
        ),
        "training-loop",
    )
    holds(cycle(), "training-loop")


def test_training_loop_fails_without_a_pipeline():
    finding = fails(build({"lake": "data_lake"}, []), "training-loop")
    assert "training pipeline" in finding.message


def test_training_loop_fails_without_a_data_source():
    finding = fails(
        build(
            {"fp": "feature_pipeline", "train": "training_pipeline", "reg": "model_registry"},
            [("fp", "train"), ("train", "reg")],
        ),
        "training-loop",
        "train",
    )
    assert "no data source" in finding.message and '"Training pipeline"' in finding.message


def test_training_loop_fails_without_an_output():
    finding = fails(
        build(
            {"lake": "data_lake", "train": "training_pipeline", "eval": "offline_evaluation"},
            [("lake", "train"), ("train", "eval")],
        ),
        "training-loop",
        "train",
    )
    assert "neither a model registry nor a predictor" in finding.message


def test_training_loop_needs_one_pipeline_with_both_ends():
    fails(
        build(
            {
                "lake": "data_lake",
                "t1": "training_pipeline",
                "t2": "training_pipeline",
                "reg": "model_registry",
            },
            [("lake", "t1"), ("t2", "reg")],
        ),
        "training-loop",
        "t1",
        "t2",
    )


# --- serving-loop ---------------------------------------------------------------------------


def test_serving_loop_holds_online():
    holds(
        build(
            {"app": "client_app", "gw": "api_gateway", "inf": "inference_service"},
            [("app", "gw"), ("gw", "inf"), ("inf", "gw"), ("gw", "app")],
        ),
        "serving-loop",
    )


def test_serving_loop_holds_in_a_cycle_with_training():
    holds(cycle(), "serving-loop")


def test_serving_loop_through_a_prediction_store_and_a_cache():
    nodes = {
        "app": "client_app",
        "gw": "api_gateway",
        "ps": "prediction_store",
        "batch": "batch_scorer",
    }
    holds(
        build(nodes, [("batch", "ps"), ("app", "gw"), ("gw", "ps"), ("ps", "gw"), ("gw", "app")]),
        "serving-loop",
    )
    # rev. 2: a cache nothing but the client fills holds no predictions; one a
    # predictor fills does.
    fails(
        build({"app": "client_app", "cache": "cache"}, [("app", "cache"), ("cache", "app")]),
        "serving-loop",
        "app",
    )
    holds(
        build(
            {"app": "client_app", "cache": "cache", "batch": "batch_scorer"},
            [("batch", "cache"), ("app", "cache"), ("cache", "app")],
        ),
        "serving-loop",
    )
    # The answer may come back through a cache in front of the predictor.
    holds(
        build(
            {
                "app": "client_app",
                "gw": "api_gateway",
                "inf": "inference_service",
                "cache": "cache",
            },
            [("app", "gw"), ("gw", "inf"), ("inf", "cache"), ("cache", "gw"), ("gw", "app")],
        ),
        "serving-loop",
    )


def test_serving_loop_through_a_nosql_store_a_batch_scorer_fills():
    nodes = {"app": "client_app", "gw": "api_gateway", "db": "nosql_db", "batch": "batch_scorer"}
    edges = [("app", "gw"), ("gw", "db"), ("db", "gw"), ("gw", "app")]
    holds(build(nodes, [("batch", "db"), *edges]), "serving-loop")
    # Without the scorer writing into it, a NoSQL store holds no predictions.
    fails(build(nodes, edges), "serving-loop", "app")


def test_serving_loop_fails_without_a_client():
    finding = fails(build({"inf": "inference_service"}, []), "serving-loop")
    assert "client app" in finding.message


def test_serving_loop_fails_when_requests_reach_no_predictor():
    finding = fails(
        build({"app": "client_app", "gw": "api_gateway"}, [("app", "gw"), ("gw", "app")]),
        "serving-loop",
        "app",
    )
    assert "never reach" in finding.message


def test_serving_loop_fails_without_a_response():
    finding = fails(
        build(
            {"app": "client_app", "gw": "api_gateway", "inf": "inference_service"},
            [("app", "gw"), ("gw", "inf")],
        ),
        "serving-loop",
        "app",
        "inf",
    )
    assert "never travel back" in finding.message
    assert "add a path from the predictor to the client app" in finding.message


def test_serving_loop_names_the_missing_hop_back_to_the_client():
    # The answer reaches the gateway the client calls: only gateway -> client is missing.
    finding = fails(
        build(
            {"app": "client_app", "gw": "api_gateway", "inf": "inference_service"},
            [("app", "gw"), ("gw", "inf"), ("inf", "gw")],
        ),
        "serving-loop",
        "app",
        "inf",
    )
    assert 'connect "API gateway" back to "Client app"' in finding.message


def test_serving_loop_never_suggests_a_connection_the_catalogue_refuses():
    # The client reads a NoSQL store a batch scorer fills; a store cannot answer a client
    # directly, so the generic fix is given rather than "connect the store back".
    finding = fails(
        build(
            {"app": "client_app", "kv": "nosql_db", "batch": "batch_scorer"},
            [("app", "kv"), ("batch", "kv")],
        ),
        "serving-loop",
        "app",
        "kv",
    )
    assert '"NoSQL store" back to' not in finding.message
    assert "add a path from the predictor to the client app" in finding.message


def test_names_carry_ids_only_when_two_components_share_one():
    board = build(
        {"a": "training_pipeline", "b": "training_pipeline", "reg": "model_registry"},
        [("a", "reg"), ("b", "reg")],
    )
    design = DesignGraph(board)
    assert design.name("a") == '"Training pipeline" (a)'
    assert design.name("reg") == '"Model registry"'


def test_serving_loop_answer_must_come_back_through_serving_only():
    # The answer returns through an A/B testing component (monitoring): not a serving path.
    fails(
        build(
            {
                "app": "client_app",
                "gw": "api_gateway",
                "inf": "inference_service",
                "ab": "ab_testing",
            },
            [("app", "gw"), ("gw", "inf"), ("inf", "ab"), ("ab", "app")],
        ),
        "serving-loop",
        "app",
        "inf",
    )


def test_serving_loop_answer_must_come_back_to_the_same_client():
    fails(
        build(
            {
                "web": "client_app",
                "gw": "api_gateway",
                "inf": "inference_service",
                "tv": "client_app",
            },
            [("web", "gw"), ("gw", "inf"), ("inf", "tv")],
        ),
        "serving-loop",
        "inf",
        "tv",
        "web",
    )
    holds(
        build(
            {
                "web": "client_app",
                "gw": "api_gateway",
                "inf": "inference_service",
                "tv": "client_app",
            },
            [("web", "gw"), ("gw", "inf"), ("inf", "tv"), ("tv", "gw")],
        ),
        "serving-loop",
    )


def test_serving_loop_response_that_only_reaches_back_through_the_training_loop():
    # rank's output goes to the event log and on to training, never back to the app.
    fails(
        build(
            CYCLE_NODES,
            [
                ("app", "gw"),
                ("gw", "rank"),
                ("rank", "events"),
                ("app", "events"),
                ("events", "train"),
                ("train", "reg"),
                ("reg", "rank"),
            ],
        ),
        "serving-loop",
        "app",
        "rank",
    )


# --- model-deployed -------------------------------------------------------------------------


def test_model_deployed_holds():
    holds(
        build(
            {"train": "training_pipeline", "reg": "model_registry", "inf": "inference_service"},
            [("train", "reg"), ("reg", "inf")],
        ),
        "model-deployed",
    )
    holds(
        build(
            {
                "train": "training_pipeline",
                "hpt": "hyperparameter_tuning",
                "eval": "offline_evaluation",
                "reg": "model_registry",
                "batch": "batch_scorer",
                "rank": "ranking_service",
            },
            [
                ("train", "hpt"),
                ("hpt", "eval"),
                ("eval", "reg"),
                ("reg", "batch"),
                ("train", "rank"),
            ],
        ),
        "model-deployed",
    )
    holds(build({"lake": "data_lake"}, []), "model-deployed")  # no predictor, nothing to check
    holds(cycle(), "model-deployed")


def test_model_deployed_fails_for_each_predictor_without_a_model():
    board = build(
        {"inf": "inference_service", "rank": "ranking_service", "batch": "batch_scorer"}, []
    )
    found = rule_findings(board, "model-deployed")
    assert [f.nodes for f in found] == [("batch",), ("inf",), ("rank",)]
    assert all(f.severity == "error" and f.step == "serving" for f in found)
    assert '"Inference service"' in found[1].message


def test_model_deployed_ignores_pipelines_reached_through_serving_components():
    # train -> reg -> rank -> gw -> inf: inf is downstream of training only via serving.
    board = build(
        {
            "train": "training_pipeline",
            "reg": "model_registry",
            "rank": "ranking_service",
            "gw": "api_gateway",
            "inf": "inference_service",
        },
        [("train", "reg"), ("reg", "rank"), ("rank", "gw"), ("gw", "inf")],
    )
    fails(board, "model-deployed", "inf")
    fails(
        build(
            {"train": "training_pipeline", "gw": "api_gateway", "inf": "inference_service"},
            [("train", "gw"), ("gw", "inf")],
        ),
        "model-deployed",
        "inf",
    )


def test_model_deployed_in_a_cycle_counts_only_the_model_path():
    # A second ranker inside the cycle: the training pipeline reaches it only through
    # app -> gw (serving and client), never through model plumbing.
    board = cycle({"rank2": "ranking_service"}, [("gw", "rank2"), ("rank2", "gw")])
    fails(board, "model-deployed", "rank2")
    design = DesignGraph(board)
    assert design.model_sources_of("rank") == {"train"}
    assert design.model_sources_of("rank2") == frozenset()


def test_model_sources_stop_at_other_training_pipelines():
    board = build(
        {
            "t1": "training_pipeline",
            "t2": "training_pipeline",
            "reg": "model_registry",
            "inf": "inference_service",
        },
        [("t1", "t2"), ("t2", "reg"), ("reg", "inf")],
    )
    assert DesignGraph(board).model_sources_of("inf") == {"t2"}


# --- feature-consistency --------------------------------------------------------------------

SERVE = {"train": "training_pipeline", "reg": "model_registry", "inf": "inference_service"}
SERVE_EDGES = [("train", "reg"), ("reg", "inf")]


def serve(extra_nodes, extra_edges, **kwargs) -> Board:
    return build({**SERVE, **extra_nodes}, [*SERVE_EDGES, *extra_edges], **kwargs)


def test_feature_consistency_holds_with_one_feature_store():
    holds(serve({"fs": "feature_store"}, [("fs", "train"), ("fs", "inf")]), "feature-consistency")


def test_feature_consistency_walks_through_other_components():
    # The pipeline behind the store is a source of both; the walk passes through the
    # store, candidate generation and data components.
    holds(
        serve(
            {
                "fp": "feature_pipeline",
                "fs": "feature_store",
                "lake": "data_lake",
                "cg": "candidate_generation",
            },
            [("fp", "lake"), ("lake", "train"), ("fp", "fs"), ("fs", "cg"), ("cg", "inf")],
        ),
        "feature-consistency",
    )


def test_feature_consistency_fails_without_a_shared_source():
    finding = fails(
        serve({"fs": "feature_store", "fp": "feature_pipeline"}, [("fp", "train"), ("fs", "inf")]),
        "feature-consistency",
        "train",
        "inf",
        "fp",
        "fs",
    )
    assert "skew" in finding.message and '"Training pipeline"' in finding.message
    assert '"Inference service"' in finding.message


def test_feature_consistency_without_any_feature_source():
    # rev. 2: both read the raw input (no store or pipeline on either side) and the
    # predictor serves every listed feature: no shared provider is needed.
    holds(serve({}, []), "feature-consistency")
    holds(
        serve({}, [], props={"train": {"features": ["q"]}, "inf": {"features": ["q"]}}),
        "feature-consistency",
    )
    # A feature the model trains on that the predictor does not list is still skew.
    fails(
        serve({}, [], props={"train": {"features": ["q", "x"]}, "inf": {"features": ["q"]}}),
        "feature-consistency",
        "train",
        "inf",
    )


def test_feature_consistency_is_local_in_a_cycle():
    # Serving reads the feature store; training reads a pipeline of its own. Through the
    # cycle the store is "upstream" of training (fs -> rank -> gw -> app -> events ->
    # train), but the walk stops at the ranker and the client app.
    board = cycle(
        {"fs": "feature_store", "fp": "feature_pipeline"},
        [("fs", "rank"), ("events", "fp"), ("fp", "train")],
    )
    fails(board, "feature-consistency", "train", "rank", "fp", "fs")
    design = DesignGraph(board)
    assert design.feature_sources_of("train") == {"fp"}
    assert design.feature_sources_of("rank") == {"fs"}
    assert "fs" in design.reaching(["train"])  # "upstream" alone would have been fooled
    # Sharing the store fixes it.
    holds(
        cycle(
            {"fs": "feature_store", "fp": "feature_pipeline"},
            [("fs", "rank"), ("events", "fp"), ("fp", "fs"), ("fs", "train")],
        ),
        "feature-consistency",
    )


def test_feature_sources_stop_at_predictors_pipelines_registries_and_clients():
    board = build(
        {
            "fs": "feature_store",
            "fs2": "feature_store",
            "r1": "ranking_service",
            "r2": "ranking_service",
            "t": "training_pipeline",
            "reg": "model_registry",
            "t2": "training_pipeline",
            "gw": "api_gateway",
            "app": "client_app",
            "ev": "event_stream",
            "t3": "training_pipeline",
        },
        [
            ("fs", "r1"),
            ("r1", "r2"),
            ("fs2", "t"),
            ("t", "reg"),
            ("reg", "t2"),
            ("fs", "gw"),
            ("gw", "app"),
            ("app", "ev"),
            ("ev", "t3"),
        ],
    )
    design = DesignGraph(board)
    assert design.feature_sources_of("r1") == {"fs"}
    assert design.feature_sources_of("r2") == frozenset()
    assert design.feature_sources_of("t") == {"fs2"}
    assert design.feature_sources_of("t2") == frozenset()
    assert design.feature_sources_of("t3") == frozenset()


def test_feature_lists_training_feature_missing_from_the_predictor():
    board = serve(
        {"fs": "feature_store"},
        [("fs", "train"), ("fs", "inf")],
        props={
            "train": {"features": ["age", "clicks_7d", "country"]},
            "inf": {"features": ["age", "clicks_7d"]},
        },
    )
    finding = fails(board, "feature-consistency", "train", "inf")
    assert "country" in finding.message
    assert "age" not in finding.message


def test_feature_lists_predictor_may_serve_more():
    holds(
        serve(
            {"fs": "feature_store"},
            [("fs", "train"), ("fs", "inf")],
            props={
                "train": {"features": ["age"]},
                "inf": {"features": ["age", "extra"]},
                "fs": {"features": ["age", "extra"]},
            },
        ),
        "feature-consistency",
    )


def test_feature_lists_only_one_side_listing_is_not_compared():
    holds(
        serve(
            {"fs": "feature_store"},
            [("fs", "train"), ("fs", "inf")],
            props={"train": {"features": ["age", "country"]}},
        ),
        "feature-consistency",
    )


def test_shared_feature_store_missing_a_feature():
    board = serve(
        {"fs": "feature_store"},
        [("fs", "train"), ("fs", "inf")],
        props={
            "train": {"features": ["age", "country"]},
            "inf": {"features": ["age", "country"]},
            "fs": {"features": ["age"]},
        },
    )
    finding = fails(board, "feature-consistency", "train", "inf", "fs")
    assert "country" in finding.message and '"Feature store"' in finding.message


def test_one_of_several_shared_stores_must_hold_every_feature():
    nodes = {"fs1": "feature_store", "fs2": "feature_store"}
    edges = [("fs1", "train"), ("fs1", "inf"), ("fs2", "train"), ("fs2", "inf")]
    holds(
        serve(
            nodes,
            edges,
            props={
                "train": {"features": ["a", "b"]},
                "fs1": {"features": ["a"]},
                "fs2": {"features": ["a", "b"]},
            },
        ),
        "feature-consistency",
    )
    # Split across the two stores is not enough: the closer one is named.
    finding = fails(
        serve(
            nodes,
            edges,
            props={
                "train": {"features": ["a", "b", "c"]},
                "fs1": {"features": ["a", "b"]},
                "fs2": {"features": ["c"]},
            },
        ),
        "feature-consistency",
        "train",
        "inf",
        "fs1",
    )
    assert "lacks c" in finding.message


def test_unshared_or_unlisted_stores_are_not_checked_for_features():
    # A pipeline is shared; the store only feeds serving, and lists nothing for training.
    holds(
        serve(
            {"fp": "feature_pipeline", "fs": "feature_store"},
            [("fp", "train"), ("fp", "fs"), ("fs", "inf")],
            props={"train": {"features": ["a", "b"]}, "fs": {"features": ["a"]}},
        ),
        "feature-consistency",
    )


def test_feature_consistency_one_finding_per_unshared_model_source():
    board = build(
        {
            "t1": "training_pipeline",
            "t2": "training_pipeline",
            "reg": "model_registry",
            "inf": "inference_service",
            "fs": "feature_store",
            "fp": "feature_pipeline",
        },
        [("t1", "reg"), ("t2", "reg"), ("reg", "inf"), ("fs", "t1"), ("fs", "inf"), ("fp", "t2")],
    )
    # rev. 2: a registry shared by two pipelines; inf is assumed to serve t1's model,
    # which shares its features. Only when no model source shares them is it skew.
    holds(board, "feature-consistency")
    board = build(
        {
            "t1": "training_pipeline",
            "t2": "training_pipeline",
            "reg": "model_registry",
            "inf": "inference_service",
            "fs": "feature_store",
            "fp": "feature_pipeline",
            "fp2": "feature_pipeline",
        },
        [("t1", "reg"), ("t2", "reg"), ("reg", "inf"), ("fp2", "t1"), ("fs", "inf"), ("fp", "t2")],
    )
    finding = fails(board, "feature-consistency", "t1", "inf", "fp2", "fs")
    assert '"Training pipeline" (t2)' in finding.message


# --- batch-predictions-served ---------------------------------------------------------------


def test_batch_predictions_served_holds():
    holds(
        build(
            {
                "batch": "batch_scorer",
                "ps": "prediction_store",
                "gw": "api_gateway",
                "app": "client_app",
            },
            [("batch", "ps"), ("ps", "gw"), ("gw", "app")],
        ),
        "batch-predictions-served",
    )
    holds(
        build(
            {"batch": "batch_scorer", "cache": "cache", "app": "client_app"},
            [("batch", "cache"), ("cache", "app")],
        ),
        "batch-predictions-served",
    )
    holds(build({"lake": "data_lake"}, []), "batch-predictions-served")


def test_batch_scorer_writing_to_a_nosql_db_a_client_reads_through_serving():
    nodes = {"batch": "batch_scorer", "db": "nosql_db", "gw": "api_gateway", "app": "client_app"}
    holds(
        build(nodes, [("batch", "db"), ("app", "gw"), ("gw", "db"), ("db", "gw"), ("gw", "app")]),
        "batch-predictions-served",
    )
    # The same store filled through an ETL job is not a prediction holder.
    fails(
        build(
            {**nodes, "etl": "batch_etl"},
            [("batch", "etl"), ("etl", "db"), ("db", "gw"), ("gw", "app")],
        ),
        "batch-predictions-served",
        "batch",
    )


def test_batch_predictions_served_fails_when_nobody_reads():
    finding = fails(
        build({"batch": "batch_scorer", "ps": "prediction_store"}, [("batch", "ps")]),
        "batch-predictions-served",
        "batch",
        "ps",
    )
    assert '"Batch scorer"' in finding.message
    # rev. 2: it never says the scores go nowhere when a store is in plain sight.
    assert '"Prediction store"' in finding.message and "nobody" not in finding.message


def test_batch_predictions_served_needs_a_holder():
    fails(
        build(
            {"batch": "batch_scorer", "gw": "api_gateway", "app": "client_app"},
            [("batch", "gw"), ("gw", "app")],
        ),
        "batch-predictions-served",
        "batch",
    )


def test_batch_predictions_served_one_finding_per_scorer():
    board = build(
        {
            "b1": "batch_scorer",
            "b2": "batch_scorer",
            "ps": "prediction_store",
            "app": "client_app",
            "lake": "data_lake",
        },
        [("b1", "ps"), ("ps", "app"), ("b2", "lake")],
    )
    fails(board, "batch-predictions-served", "b2")


# --- connection-allowed ---------------------------------------------------------------------


def test_connection_allowed_holds():
    holds(
        build(
            {
                "lake": "data_lake",
                "train": "training_pipeline",
                "note": "note",
                "app": "client_app",
            },
            [("lake", "train"), ("note", "train"), ("app", "note"), ("train", "note")],
        ),
        "connection-allowed",
    )


@pytest.mark.parametrize(
    "source,target",
    [
        ("client_app", "training_pipeline"),
        ("data_lake", "client_app"),
        ("model_registry", "client_app"),
        ("inference_service", "training_pipeline"),
    ],
)
def test_connection_allowed_fails_for_refused_pairs(source, target):
    finding = fails(build({"a": source, "b": target}, [("a", "b")]), "connection-allowed", "a", "b")
    assert finding.edges == ("e0",)
    assert '"e0"' in finding.message and "not allowed" in finding.message


def test_connection_allowed_fails_for_a_self_loop():
    finding = fails(build({"c": "cache"}, [("c", "c")]), "connection-allowed", "c", "c")
    assert finding.edges == ("e0",) and "itself" in finding.message


def test_connection_allowed_fails_for_a_second_edge_between_the_same_pair():
    board = build(
        {"lake": "data_lake", "train": "training_pipeline"},
        [("lake", "train"), ("lake", "train"), ("train", "lake")],
    )
    finding = fails(board, "connection-allowed", "lake", "train")
    assert finding.edges == ("e1",) and '"e0"' in finding.message


# --- isolated-component ---------------------------------------------------------------------


def test_isolated_component_holds():
    holds(
        build(
            {"lake": "data_lake", "train": "training_pipeline", "note": "note"}, [("lake", "train")]
        ),
        "isolated-component",
    )
    holds(build({}, []), "isolated-component")


def test_isolated_component_fails_for_each_lone_component():
    board = build(
        {"lake": "data_lake", "train": "training_pipeline", "cache": "cache", "alert": "alerting"},
        [("lake", "train")],
    )
    found = rule_findings(board, "isolated-component")
    assert [f.nodes for f in found] == [("alert",), ("cache",)]
    assert all(f.severity == "warning" and f.step is None for f in found)


def test_isolated_component_ignores_edges_to_notes():
    fails(
        build({"cache": "cache", "note": "note"}, [("note", "cache"), ("cache", "note")]),
        "isolated-component",
        "cache",
    )


# --- feedback-loop --------------------------------------------------------------------------


def test_feedback_loop_holds():
    holds(cycle(), "feedback-loop")
    holds(
        build(
            {
                "inf": "inference_service",
                "lake": "data_lake",
                "etl": "batch_etl",
                "fp": "feature_pipeline",
                "train": "training_pipeline",
            },
            [("inf", "lake"), ("lake", "etl"), ("etl", "fp"), ("fp", "train")],
        ),
        "feedback-loop",
    )
    holds(
        build(
            {"app": "client_app", "fb": "feedback_collector", "train": "training_pipeline"},
            [("app", "fb"), ("fb", "train")],
        ),
        "feedback-loop",
    )


def test_feedback_loop_fails_when_serving_never_reaches_training_data():
    board = build(
        {
            "app": "client_app",
            "gw": "api_gateway",
            "inf": "inference_service",
            "events": "event_stream",
            "train": "training_pipeline",
        },
        [("app", "gw"), ("gw", "inf"), ("events", "train")],
    )
    finding = fails(board, "feedback-loop", "app", "inf")
    assert "training data" in finding.message


def test_feedback_loop_fails_when_the_log_goes_nowhere():
    fails(
        build(
            {"app": "client_app", "events": "event_stream", "train": "training_pipeline"},
            [("app", "events")],
        ),
        "feedback-loop",
        "app",
    )


def test_feedback_loop_needs_a_logging_sink():
    # A NoSQL store is a data source but not a log of what happened at serving time.
    fails(
        build(
            {"app": "client_app", "db": "nosql_db", "train": "training_pipeline"},
            [("app", "db"), ("db", "train")],
        ),
        "feedback-loop",
        "app",
    )


# --- drift-monitoring -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "watched,action",
    [
        ("inference_service", "retraining_trigger"),
        ("feature_store", "alerting"),
        ("feature_pipeline", "training_pipeline"),
        ("prediction_store", "alerting"),
        ("cache", "retraining_trigger"),
    ],
)
def test_drift_monitoring_holds(watched, action):
    # rev. 2: a store or cache holds predictions when a predictor writes into it.
    holds(
        build(
            {"w": watched, "drift": "drift_monitor", "act": action, "batch": "batch_scorer"},
            [("w", "drift"), ("drift", "act"), ("batch", "w")],
        ),
        "drift-monitoring",
    )


def test_drift_monitoring_action_may_be_indirect():
    holds(
        build(
            {
                "inf": "ranking_service",
                "drift": "drift_monitor",
                "dash": "metrics_dashboard",
                "alert": "alerting",
            },
            [("inf", "drift"), ("drift", "dash"), ("dash", "alert")],
        ),
        "drift-monitoring",
    )


def test_drift_monitoring_watches_a_nosql_store_only_if_it_holds_predictions():
    nodes = {
        "batch": "batch_scorer",
        "db": "nosql_db",
        "drift": "drift_monitor",
        "alert": "alerting",
    }
    holds(build(nodes, [("batch", "db"), ("db", "drift"), ("drift", "alert")]), "drift-monitoring")
    fails(build(nodes, [("db", "drift"), ("drift", "alert")]), "drift-monitoring", "drift")


def test_drift_monitoring_fails_without_a_monitor():
    finding = fails(build({"inf": "inference_service"}, []), "drift-monitoring")
    assert "drift monitor" in finding.message.lower()


def test_drift_monitoring_fails_when_watching_raw_data():
    fails(
        build(
            {"lake": "data_lake", "drift": "drift_monitor", "alert": "alerting"},
            [("lake", "drift"), ("drift", "alert")],
        ),
        "drift-monitoring",
        "drift",
    )


def test_drift_monitoring_fails_without_action():
    fails(
        build(
            {"inf": "inference_service", "drift": "drift_monitor", "dash": "metrics_dashboard"},
            [("inf", "drift"), ("drift", "dash")],
        ),
        "drift-monitoring",
        "drift",
    )


def test_drift_monitoring_needs_a_direct_feed():
    fails(
        build(
            {
                "inf": "inference_service",
                "dash": "metrics_dashboard",
                "drift": "drift_monitor",
                "alert": "alerting",
            },
            [("inf", "dash"), ("dash", "drift"), ("drift", "alert")],
        ),
        "drift-monitoring",
        "drift",
    )


def test_drift_monitoring_one_good_monitor_is_enough():
    holds(
        build(
            {
                "inf": "inference_service",
                "d1": "drift_monitor",
                "d2": "drift_monitor",
                "alert": "alerting",
            },
            [("inf", "d1"), ("d1", "alert")],
        ),
        "drift-monitoring",
    )


# --- offline-metrics ------------------------------------------------------------------------


def evaluated(task, metrics, *, path=()) -> Board:
    props = {"eval": {"metrics": metrics}} if metrics is not None else {}
    if task is not None:
        props["train"] = {"task": task}
    nodes = {
        "train": "training_pipeline",
        "eval": "offline_evaluation",
        "hpt": "hyperparameter_tuning",
    }
    edges = list(path) or [("train", "eval")]
    return build(nodes, edges, props=props)


@pytest.mark.parametrize(
    "task,metrics",
    [
        ("ranking", ["NDCG"]),
        ("ranking", ["ndcg"]),
        ("retrieval", ["Recall@K"]),
        ("retrieval", ["recall@10"]),
        ("ranking", ["Hit Rate"]),
        ("ranking", ["MAP"]),
        ("ranking", ["precision@5"]),
        ("ranking", ["NDCG@10"]),
        ("retrieval", ["MRR@100"]),
        ("ranking", ["mAP@20"]),
        ("retrieval", ["hit rate@50"]),
        ("classification", ["ROC-AUC"]),
        ("classification", ["roc auc"]),
        ("classification", ["Log_Loss"]),
        ("classification", ["PR-AUC", "f1"]),
        ("regression", ["RMSE"]),
        ("regression", ["mape"]),
        ("generation", ["BLEU"]),
        ("other", ["custom score"]),
        (None, ["anything"]),
    ],
)
def test_offline_metrics_holds(task, metrics):
    holds(evaluated(task, metrics), "offline-metrics")


def test_offline_metrics_path_may_be_indirect():
    holds(
        evaluated("regression", ["MAE"], path=[("train", "hpt"), ("hpt", "eval")]),
        "offline-metrics",
    )


@pytest.mark.parametrize(
    "task,metrics",
    [
        ("ranking", ["accuracy"]),
        ("regression", ["F1"]),
        ("retrieval", []),
        ("ranking", None),
        ("generation", []),
        (None, None),
        ("classification", ["MAE"]),
    ],
)
def test_offline_metrics_fails_for_unfit_metrics(task, metrics):
    # rev. 2: the finding highlights the evaluation to change, then the pipeline.
    finding = fails(evaluated(task, metrics), "offline-metrics", "eval", "train")
    if task in ("ranking", "retrieval"):
        assert "NDCG" in finding.message


def test_offline_metrics_fails_without_evaluation():
    fails(
        build({"train": "training_pipeline", "reg": "model_registry"}, [("train", "reg")]),
        "offline-metrics",
        "train",
    )


def test_offline_metrics_fails_when_evaluation_is_upstream_only():
    fails(evaluated("ranking", ["NDCG"], path=[("eval", "train")]), "offline-metrics", "train")


def test_offline_metrics_per_pipeline_task():
    board = build(
        {"rank": "training_pipeline", "clf": "training_pipeline", "eval": "offline_evaluation"},
        [("rank", "eval"), ("clf", "eval")],
        props={
            "rank": {"task": "regression"},
            "clf": {"task": "classification"},
            "eval": {"metrics": ["MAE"]},
        },
    )
    fails(board, "offline-metrics", "eval", "clf")


def test_metric_name_normalisation():
    # rev. 2: names are read as words, cut-offs dropped (components/metrics.py).
    assert normalise_metric("ROC-AUC") == normalise_metric("roc_auc") == "roc auc"
    assert normalise_metric("Recall@10") == "recall"
    assert normalise_metric("Conversion Rate") == "conversion rate"
    assert normalise_metric("  Watch-time ") == "watch time"


# --- cache-on-read-path ---------------------------------------------------------------------


def test_cache_on_read_path_holds():
    holds(
        build(
            {"batch": "batch_scorer", "cache": "cache", "gw": "api_gateway", "app": "client_app"},
            [("batch", "cache"), ("cache", "gw"), ("gw", "app")],
        ),
        "cache-on-read-path",
    )
    holds(
        build(
            {"db": "nosql_db", "cache": "cache", "inf": "inference_service"},
            [("db", "cache"), ("cache", "inf")],
        ),
        "cache-on-read-path",
    )
    holds(build({"lake": "data_lake"}, []), "cache-on-read-path")


def test_cache_on_read_path_fails_without_input():
    fails(
        build({"cache": "cache", "app": "client_app"}, [("cache", "app")]),
        "cache-on-read-path",
        "cache",
    )


def test_cache_on_read_path_fails_without_output():
    fails(
        build({"inf": "inference_service", "cache": "cache"}, [("inf", "cache")]),
        "cache-on-read-path",
        "cache",
    )


def test_cache_on_read_path_fails_when_no_reader_downstream():
    finding = fails(
        build(
            {"db": "nosql_db", "cache": "cache", "dash": "metrics_dashboard"},
            [("db", "cache"), ("cache", "dash")],
        ),
        "cache-on-read-path",
        "cache",
    )
    assert '"Cache"' in finding.message


# --- labels-available -----------------------------------------------------------------------


@pytest.mark.parametrize("task", ["classification", "regression", "ranking"])
def test_labels_available_fails_for_supervised_tasks(task):
    board = build(
        {"lake": "data_lake", "train": "training_pipeline"},
        [("lake", "train")],
        props={"train": {"task": task}},
    )
    finding = fails(board, "labels-available", "train")
    assert task in finding.message


@pytest.mark.parametrize("task", ["retrieval", "generation", "other", None])
def test_labels_available_ignores_other_tasks(task):
    props = {"train": {"task": task}} if task else {}
    holds(
        build(
            {"lake": "data_lake", "train": "training_pipeline"}, [("lake", "train")], props=props
        ),
        "labels-available",
    )


def test_labels_available_holds_with_a_label_source_upstream():
    holds(
        build(
            {"lab": "labeling", "train": "training_pipeline"},
            [("lab", "train")],
            props={"train": {"task": "classification"}},
        ),
        "labels-available",
    )
    holds(
        build(
            {"fb": "feedback_collector", "lake": "data_lake", "train": "training_pipeline"},
            [("fb", "lake"), ("lake", "train")],
            props={"train": {"task": "ranking"}},
        ),
        "labels-available",
    )


@pytest.mark.parametrize(
    "name, labelled",
    [
        ("Licensed labelled corpus (S3)", True),
        ("Annotated images", True),
        ("Ground-truth table", True),
        ("Gold labels", True),
        ("Raw clickstream (S3)", False),
        ("Label-free crawl", False),
    ],
)
def test_labels_available_reads_a_dataset_named_as_labelled(name, labelled):
    # A bought or public labelled dataset, drawn as storage: its name says it holds labels.
    board = build(
        {"corpus": "object_store", "train": "training_pipeline"},
        [("corpus", "train")],
        props={"train": {"task": "classification"}},
    )
    board.nodes[0].label = name
    (holds if labelled else fails)(board, "labels-available", *(() if labelled else ("train",)))


# --- online-metrics -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metrics",
    [
        ["CTR"],
        ["conversion rate"],
        ["Revenue per user"],
        ["retention"],
        ["Watch-Time"],
        ["dwell_time"],
        ["NDCG", "engagement"],
    ],
)
def test_online_metrics_holds(metrics):
    holds(
        build(
            {"gw": "api_gateway", "ab": "ab_testing"},
            [("gw", "ab")],
            props={"ab": {"metrics": metrics}},
        ),
        "online-metrics",
    )


def test_online_metrics_edge_from_ab_to_serving_counts():
    holds(
        build(
            {"ab": "ab_testing", "rank": "ranking_service"},
            [("ab", "rank")],
            props={"ab": {"metrics": ["CTR"]}},
        ),
        "online-metrics",
    )


def test_online_metrics_fails_without_ab_testing():
    fails(build({"gw": "api_gateway"}, []), "online-metrics")


def test_online_metrics_fails_without_an_online_metric():
    fails(
        build(
            {"gw": "api_gateway", "ab": "ab_testing"},
            [("gw", "ab")],
            props={"ab": {"metrics": ["NDCG"]}},
        ),
        "online-metrics",
        "ab",
    )
    fails(build({"gw": "api_gateway", "ab": "ab_testing"}, [("gw", "ab")]), "online-metrics", "ab")


def test_online_metrics_fails_off_the_serving_path():
    fails(
        build(
            {"lake": "data_lake", "ab": "ab_testing", "dash": "metrics_dashboard"},
            [("lake", "ab"), ("ab", "dash")],
            props={"ab": {"metrics": ["CTR"]}},
        ),
        "online-metrics",
        "ab",
    )
    # rev. 2: client-side assignment counts (the app talks to the A/B test directly).
    holds(
        build(
            {"app": "client_app", "ab": "ab_testing", "dash": "metrics_dashboard"},
            [("app", "ab"), ("ab", "dash")],
            props={"ab": {"metrics": ["CTR"]}},
        ),
        "online-metrics",
    )


# --- replicas-load-balanced (project extension) ---------------------------------------------


def test_replicas_load_balanced_holds():
    holds(
        build(
            {"lb": "load_balancer", "inf": "inference_service"},
            [("lb", "inf")],
            props={"inf": {"replicas": 3}},
        ),
        "replicas-load-balanced",
    )
    holds(
        build(
            {"gw": "api_gateway", "cg": "candidate_generation", "rank": "ranking_service"},
            [("gw", "cg"), ("cg", "rank")],
            props={"rank": {"replicas": 4}},
        ),
        "replicas-load-balanced",
    )
    holds(
        build({"inf": "inference_service"}, [], props={"inf": {"replicas": 1}}),
        "replicas-load-balanced",
    )
    holds(build({"inf": "inference_service"}, []), "replicas-load-balanced")


def test_replicas_load_balanced_fails_without_a_balancer():
    board = build(
        {"app": "client_app", "inf": "inference_service"},
        [("app", "inf")],
        props={"inf": {"replicas": 3}},
    )
    finding = fails(board, "replicas-load-balanced", "inf")
    assert "3 replicas" in finding.message


def test_replicas_load_balanced_balancer_after_the_predictor_does_not_count():
    fails(
        build(
            {"inf": "inference_service", "lb": "load_balancer"},
            [("inf", "lb")],
            props={"inf": {"replicas": 2}},
        ),
        "replicas-load-balanced",
        "inf",
    )


def test_replicas_load_balanced_is_local_in_a_cycle():
    # The gateway reaches the ranker only through the client, the event log, training
    # and the registry: it does not spread requests over the ranker's replicas.
    board = build(
        CYCLE_NODES,
        [
            ("app", "gw"),
            ("gw", "app"),
            ("app", "rank"),
            ("rank", "app"),
            ("app", "events"),
            ("events", "train"),
            ("train", "reg"),
            ("reg", "rank"),
        ],
        props={"rank": {"replicas": 5}},
    )
    fails(board, "replicas-load-balanced", "rank")
    holds(cycle(props={"rank": {"replicas": 5}}), "replicas-load-balanced")


def test_replicas_on_a_type_without_that_prop_are_ignored():
    # batch_scorer declares no `replicas`: an unknown prop is kept but ignored by the rules.
    holds(
        build({"batch": "batch_scorer"}, [], props={"batch": {"replicas": 8}}),
        "replicas-load-balanced",
    )


# --- profiles and the report ----------------------------------------------------------------


def test_level_profiles():
    mid = {r.id for r in profile("mid")}
    senior = {r.id for r in profile("senior")}
    staff = {r.id for r in profile("staff")}
    assert mid == ERRORS | {"isolated-component"}
    assert senior == mid | SENIOR_EXTRAS
    assert staff == set(EXPECTED)
    assert [r.id for r in profile("staff")] == list(RULES)


def test_validate_runs_the_profile_of_the_level():
    empty = build({"cache": "cache"}, [], props={"cache": {}})
    mid = set(finding_ids(validate(empty, "mid")))
    senior = set(finding_ids(validate(empty, "senior")))
    staff = set(finding_ids(validate(empty, "staff")))
    assert mid == {"training-loop", "serving-loop", "isolated-component"}
    assert senior == mid | {"feedback-loop", "drift-monitoring", "cache-on-read-path"}
    assert staff == senior | {"online-metrics"}  # a lone cache: no monitor, trigger or eval


def test_validate_defaults_to_the_boards_level():
    board = build({"cache": "cache"}, [], level="mid")
    report = validate(board)
    assert report.level == "mid"
    assert "cache-on-read-path" not in finding_ids(report)
    assert validate(board, "senior").level == "senior"


def test_findings_are_sorted_by_severity():
    board = build(
        {"cache": "cache", "train": "training_pipeline"}, [], props={"train": {"task": "ranking"}}
    )
    report = validate(board, "staff")
    order = {"error": 0, "warning": 1, "info": 2}
    ranks = [order[f.severity] for f in report.findings]
    assert ranks == sorted(ranks) and len(set(ranks)) == 3


def _complete_board(**kwargs) -> Board:
    """A small design that passes every rule at staff level."""
    nodes = {
        "app": "client_app",
        "gw": "api_gateway",
        "inf": "inference_service",
        "fs": "feature_store",
        "events": "event_stream",
        "fb": "feedback_collector",
        "train": "training_pipeline",
        "eval": "offline_evaluation",
        "reg": "model_registry",
        "drift": "drift_monitor",
        "retrain": "retraining_trigger",
        "ab": "ab_testing",
        "note": "note",
    }
    edges = [
        ("app", "gw"),
        ("gw", "inf"),
        ("inf", "gw"),
        ("gw", "app"),
        ("fs", "inf"),
        ("app", "events"),
        ("events", "fb"),
        ("fb", "train"),
        ("fs", "train"),
        ("train", "eval"),
        ("eval", "reg"),
        ("reg", "inf"),
        ("inf", "drift"),
        ("drift", "retrain"),
        ("retrain", "train"),
        ("gw", "ab"),
        ("note", "inf"),
    ]
    props = {
        "train": {"task": "classification", "features": ["amount"]},
        "inf": {"features": ["amount"], "replicas": 2},
        "fs": {"features": ["amount"]},
        "eval": {"metrics": ["ROC-AUC"]},
        "ab": {"metrics": ["conversion rate"]},
    }
    return build(nodes, edges, props=props, **kwargs)


def test_complete_board_passes_every_level():
    for level in ("mid", "senior", "staff"):
        report = validate(_complete_board(), level)
        assert report.findings == (), [f.message for f in report.findings]
        assert report.passed


def test_passed_depends_on_errors_only():
    board = _complete_board()
    board.nodes.append(Node("lonely", "alerting"))
    report = validate(board, "staff")
    assert finding_ids(report) == ["isolated-component"]
    assert report.passed
    board.edges.append(Edge("bad", "lonely", "app"))  # monitoring -> client: refused
    report = validate(board, "staff")
    assert "connection-allowed" in finding_ids(report)
    assert not report.passed
    assert report.to_dict()["passed"] is False
    assert report.counts()["error"] == 1


def test_step_coverage_by_notes_components_and_findings():
    notes = {"requirements": "1M users", "framing": "  "}
    report = validate(_complete_board(notes=notes), "staff")
    steps = {s.key: s for s in report.steps}
    assert [s.number for s in report.steps] == [1, 2, 3, 4, 5, 6, 7]
    assert steps["requirements"].covered and steps["requirements"].status == "covered"
    assert not steps["framing"].covered and steps["framing"].status == "missing"
    for key in ("data", "model", "evaluation", "serving", "monitoring"):
        assert steps[key].covered, key
        assert steps[key].components > 0


def test_step_coverage_partial_and_missing():
    # A predictor with no model: serving components exist but an error of step 6 is open.
    board = build(
        {"app": "client_app", "gw": "api_gateway", "inf": "inference_service"},
        [("app", "gw"), ("gw", "inf"), ("inf", "gw"), ("gw", "app")],
    )
    steps = {s.key: s for s in validate(board, "mid").steps}
    assert steps["serving"].status == "error" and not steps["serving"].covered
    assert steps["serving"].findings >= 1
    # Nothing of step 4 drawn, and its error (no training loop) shows on it.
    assert steps["model"].status == "error" and steps["model"].components == 0
    assert steps["monitoring"].status == "missing" and steps["evaluation"].status == "missing"
    # At senior level the monitoring warnings colour the step though nothing of it is
    # drawn (a warning names what to add); an error outranks warnings.
    steps = {s.key: s for s in validate(board, "senior").steps}
    assert steps["monitoring"].status == "partial" and steps["monitoring"].components == 0
    assert steps["serving"].status == "error"


def test_info_findings_do_not_block_coverage():
    board = build(
        {
            "lake": "data_lake",
            "train": "training_pipeline",
            "reg": "model_registry",
            "eval": "offline_evaluation",
        },
        [("lake", "train"), ("train", "eval"), ("eval", "reg")],
        props={"train": {"task": "regression"}, "eval": {"metrics": ["rmse"]}},
    )
    report = validate(board, "senior")
    assert "labels-available" in finding_ids(report)
    steps = {s.key: s for s in report.steps}
    assert steps["data"].covered  # only an info finding belongs to step 3
    assert steps["model"].covered


def test_report_to_dict_is_plain_data():
    import json

    report = validate(_complete_board(), "staff")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["passed"] is True and data["level"] == "staff"
    assert set(data["steps"]) == {
        "requirements",
        "framing",
        "data",
        "model",
        "evaluation",
        "serving",
        "monitoring",
    }


def test_docs_describe_every_rule_with_its_metadata():
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "rules.md").read_text()
    for rule_id, (severity, step, level) in EXPECTED.items():
        heading = f"### `{rule_id}`"
        assert heading in text, rule_id
        section = text.split(heading, 1)[1].split("\n### ", 1)[0]
        row = section.split("|---|---|---|\n", 1)[1].splitlines()[0]
        assert row.startswith(f"| {severity} | "), rule_id
        assert (f"`{step}`" if step else "| none |") in row, rule_id
        levels = {"mid": "mid, senior, staff", "senior": "senior, staff", "staff": "| staff |"}
        assert levels[level] in row, rule_id
        for part in ("**Holds when**", "**Why.**", "**Fix.**"):
            assert part in section, (rule_id, part)


@pytest.mark.parametrize(
    "written, read",
    [
        ("AUC", "ROC-AUC"),
        ("ROC AUC", "ROC-AUC"),
        ("AUC-PR", "PR-AUC"),
        ("cross_entropy", "log loss"),
        ("F1 score", "F1"),
        ("Mean Reciprocal Rank", "MRR"),
        ("NDCG@10", "NDCG"),
    ],
)
def test_metric_synonyms_are_read_as_the_framework_names(written, read):
    assert read in offline_names(written)


def test_an_auc_metric_satisfies_a_classification_pipeline():
    nodes = {
        "src": "data_lake",
        "t": "training_pipeline",
        "ev": "offline_evaluation",
        "reg": "model_registry",
    }
    edges = [("src", "t"), ("t", "ev"), ("ev", "reg")]
    board = build(nodes, edges, props={"t": {"task": "classification"}, "ev": {"metrics": ["AUC"]}})
    assert "offline-metrics" not in {f.rule for f in validate(board, "senior").findings}
    board = build(
        nodes, edges, props={"t": {"task": "classification"}, "ev": {"metrics": ["RMSE"]}}
    )
    assert "offline-metrics" in {f.rule for f in validate(board, "senior").findings}
