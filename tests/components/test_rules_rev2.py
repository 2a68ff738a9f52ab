"""Every clause framework.md marks "rev. 2", on tiny hand-built boards: each gets a board
where it holds and one where it fails, plus the pitfalls a reviewer found in an earlier
attempt (docs/rules.md, "Interpretations and extensions")."""

from __future__ import annotations

import pytest

from components.catalogue import COMPONENT_TYPES, catalogue_as_json, connection_refusal
from components.graph import DesignGraph
from components.metrics import fits, is_online, offline_names
from components.report import validate
from tests.components.test_rules import fails, holds
from tests.conftest import build, rule_findings

# --- roles ----------------------------------------------------------------------------------


def visual_search(**props):
    """Query encoder -> ANN index -> filter -> back to the app."""
    return build(
        {
            "app": "client_app",
            "gw": "api_gateway",
            "enc": "embedding_model",
            "idx": "vector_index",
            "filter": "reranking_service",
        },
        [
            ("app", "gw"),
            ("gw", "enc"),
            ("enc", "idx"),
            ("idx", "filter"),
            ("filter", "gw"),
            ("gw", "app"),
        ],
        props=props,
    )


def test_an_embedding_model_that_serves_requests_is_a_predictor():
    board = visual_search()
    assert DesignGraph(board).predictors == {"enc"}
    holds(board, "serving-loop")  # a vector index may sit on the way back
    # Fed by a data store only, it is a feature provider, not a predictor.
    offline = build(
        {"app": "client_app", "lake": "data_lake", "enc": "embedding_model", "idx": "vector_index"},
        [("lake", "enc"), ("enc", "idx"), ("app", "lake")],
    )
    assert DesignGraph(offline).predictors == frozenset()
    fails(offline, "serving-loop", "app")


def test_a_search_index_may_sit_on_the_way_back():
    board = build(
        {
            "app": "client_app",
            "svc": "backend_service",
            "enc": "embedding_model",
            "idx": "search_index",
        },
        [("app", "svc"), ("svc", "enc"), ("enc", "idx"), ("idx", "svc"), ("svc", "app")],
    )
    holds(board, "serving-loop")
    # A data store on the way back is not: it answers nobody.
    board = build(
        {
            "app": "client_app",
            "svc": "backend_service",
            "enc": "embedding_model",
            "lake": "data_lake",
        },
        [("app", "svc"), ("svc", "enc"), ("enc", "lake"), ("lake", "svc"), ("svc", "app")],
    )
    fails(board, "serving-loop", "app", "enc")


def test_with_no_client_app_a_page_acted_on_is_the_answer():
    nodes = {
        "events": "event_stream",
        "scorer": "inference_service",
        "page": "alerting",
        "buttons": "feedback_collector",
    }
    edges = [("events", "scorer"), ("scorer", "page")]
    holds(build(nodes, [*edges, ("page", "buttons")]), "serving-loop")
    # A page nobody answers is not a serving loop; nor is a drift page.
    fails(build(nodes, edges), "serving-loop")
    drift = {**nodes, "drift": "drift_monitor"}
    fails(
        build(
            drift,
            [("events", "scorer"), ("scorer", "drift"), ("drift", "page"), ("page", "buttons")],
        ),
        "serving-loop",
    )


def test_an_async_classifier_updating_a_status_store_answers():
    nodes = {
        "app": "client_app",
        "gw": "api_gateway",
        "events": "event_stream",
        "clf": "inference_service",
        "status": "nosql_db",
    }
    edges = [
        ("app", "events"),
        ("events", "clf"),
        ("app", "gw"),
        ("gw", "status"),
        ("status", "gw"),
        ("gw", "app"),
    ]
    holds(build(nodes, [*edges, ("clf", "status")]), "serving-loop")
    assert "status" in DesignGraph(build(nodes, [*edges, ("clf", "status")])).prediction_holders
    fails(build(nodes, edges), "serving-loop", "app", "clf")


def test_holders_filled_from_a_holder_through_data_components():
    nodes = {
        "batch": "batch_scorer",
        "ps": "prediction_store",
        "etl": "batch_etl",
        "cdn": "cache",
        "gw": "api_gateway",
        "app": "client_app",
    }
    board = build(
        nodes,
        [
            ("batch", "ps"),
            ("ps", "etl"),
            ("etl", "cdn"),
            ("app", "gw"),
            ("gw", "cdn"),
            ("cdn", "gw"),
            ("gw", "app"),
        ],
    )
    assert {"ps", "cdn"} <= DesignGraph(board).prediction_holders
    holds(board, "serving-loop")
    # The same cache filled only by the gateway holds nothing (a serving-loop error).
    board = build(
        nodes, [("batch", "ps"), ("app", "gw"), ("gw", "cdn"), ("cdn", "gw"), ("gw", "app")]
    )
    assert "cdn" not in DesignGraph(board).prediction_holders
    fails(board, "serving-loop", "app")


def test_batch_scores_copied_into_a_crm_are_held_there():
    # Reverse ETL: scores table (a warehouse) -> sync job -> the CRM's contact fields,
    # which the marketer's UI reads. The CRM holds the scores.
    nodes = {
        "batch": "batch_scorer",
        "table": "data_lake",
        "sync": "batch_etl",
        "crm": "backend_service",
        "ui": "client_app",
    }
    edges = [("batch", "table"), ("table", "sync"), ("sync", "crm"), ("ui", "crm"), ("crm", "ui")]
    board = build(nodes, edges)
    assert "crm" in DesignGraph(board).prediction_holders
    holds(board, "serving-loop")
    holds(board, "batch-predictions-served")
    # A scores table that nothing copies onward is read by nobody.
    unread = build(nodes, [("batch", "table"), ("ui", "crm"), ("crm", "ui")])
    assert "crm" not in DesignGraph(unread).prediction_holders
    fails(unread, "batch-predictions-served", "batch")
    # Only batch scores: an online predictor's log copied to a service answers nothing.
    online = build(
        {**nodes, "batch": "inference_service"},
        [*edges],
    )
    assert "crm" not in DesignGraph(online).prediction_holders


def test_a_challenger_scored_in_shadow_is_read_by_its_dashboard():
    nodes = {
        "app": "client_app",
        "gw": "api_gateway",
        "live": "inference_service",
        "shadow": "batch_scorer",
        "ps": "prediction_store",
        "dash": "metrics_dashboard",
        "opens": "event_stream",
        "drift": "drift_monitor",
    }
    edges = [("app", "gw"), ("gw", "live"), ("live", "gw"), ("gw", "app"), ("shadow", "ps")]
    # The dashboard compares the shadow's predictions with what happened.
    holds(
        build(nodes, [*edges, ("ps", "dash"), ("app", "opens"), ("opens", "dash")]),
        "batch-predictions-served",
    )
    # A dashboard of the shadow's output alone compares nothing; a drift monitor watching
    # the store is monitoring, not a reason to score.
    fails(build(nodes, [*edges, ("ps", "dash")]), "batch-predictions-served", "shadow", "ps")
    fails(build(nodes, [*edges, ("ps", "drift")]), "batch-predictions-served", "shadow", "ps")
    # Read by nothing at all: an error still.
    fails(build(nodes, edges), "batch-predictions-served", "shadow", "ps")
    # With no other predictor answering the clients, a dashboard is not serving.
    alone = {k: v for k, v in nodes.items() if k != "live"}
    fails(
        build(alone, [("app", "gw"), ("gw", "app"), ("shadow", "ps"), ("ps", "dash")]),
        "batch-predictions-served",
        "shadow",
        "ps",
    )


def test_scores_stacked_as_features_are_read():
    nodes = {"batch": "batch_scorer", "fs": "feature_store", "rank": "ranking_service"}
    holds(build(nodes, [("batch", "fs"), ("fs", "rank")]), "batch-predictions-served")
    fails(build(nodes, [("batch", "fs")]), "batch-predictions-served", "batch", "fs")


def test_monitoring_signals_end_data_walks():
    # A retraining trigger is no data: it does not feed training.
    nodes = {
        "lake": "data_lake",
        "drift": "drift_monitor",
        "trig": "retraining_trigger",
        "train": "training_pipeline",
        "reg": "model_registry",
    }
    board = build(
        nodes, [("lake", "drift"), ("drift", "trig"), ("trig", "train"), ("train", "reg")]
    )
    finding = fails(board, "training-loop", "train")
    assert "signal" in finding.message
    holds(build(nodes, [("lake", "train"), ("trig", "train"), ("train", "reg")]), "training-loop")
    # Nor does it carry features: a store behind a drift monitor is no feature source.
    board = build(
        {
            "fs": "feature_store",
            "drift": "drift_monitor",
            "trig": "retraining_trigger",
            "train": "training_pipeline",
        },
        [("fs", "drift"), ("drift", "trig"), ("trig", "train")],
    )
    assert DesignGraph(board).feature_sources_of("train") == frozenset()
    # A validation step drawn inline passes on what it checks.
    board = build(
        {"fs": "feature_store", "dv": "data_validation", "train": "training_pipeline"},
        [("fs", "dv"), ("dv", "train")],
    )
    assert DesignGraph(board).feature_sources_of("train") == {"fs"}


def test_a_model_source_through_an_orchestrator():
    board = build(
        {"train": "training_pipeline", "orch": "orchestrator", "inf": "inference_service"},
        [("train", "orch"), ("orch", "inf")],
    )
    assert DesignGraph(board).model_sources_of("inf") == {"train"}
    holds(board, "model-deployed")
    fails(build({"inf": "inference_service"}, []), "model-deployed", "inf")


# --- feature-consistency --------------------------------------------------------------------


def shared_registry(t1_source: str, t2_source: str):
    """Two pipelines into one registry that serves one ranker, which reads the store."""
    return build(
        {
            "fs": "feature_store",
            "fp": "feature_pipeline",
            "t1": "training_pipeline",
            "t2": "training_pipeline",
            "reg": "model_registry",
            "rank": "ranking_service",
        },
        [
            (t1_source, "t1"),
            (t2_source, "t2"),
            ("t1", "reg"),
            ("t2", "reg"),
            ("reg", "rank"),
            ("fs", "rank"),
        ],
    )


def test_a_shared_registry_needs_one_sound_model_source():
    holds(shared_registry("fs", "fp"), "feature-consistency")
    finding = fails(shared_registry("fp", "fp"), "feature-consistency", "t1", "rank", "fp", "fs")
    # It names the other candidate instead of prescribing one pipeline's fix as the truth.
    assert '"Training pipeline" (t2)' in finding.message


def log_and_wait(train_sources=(), more_nodes=None, **props):
    nodes = {
        **(more_nodes or {}),
        "app": "client_app",
        "gw": "api_gateway",
        "rank": "ranking_service",
        "log": "event_stream",
        "lake": "data_lake",
        "train": "training_pipeline",
        "reg": "model_registry",
        "fp": "feature_pipeline",
    }
    edges = [
        ("app", "gw"),
        ("gw", "rank"),
        ("rank", "gw"),
        ("gw", "app"),
        ("rank", "log"),
        ("log", "lake"),
        ("lake", "train"),
        ("train", "reg"),
        ("reg", "rank"),
        *train_sources,
    ]
    return build(nodes, edges, props=props)


def test_log_and_wait_is_not_skew():
    props = {"train": {"features": ["a", "b"]}, "rank": {"features": ["a"]}}
    board = log_and_wait(**props)
    assert DesignGraph(board).logs_feeding("train") == {"rank"}
    holds(board, "feature-consistency")  # the listed-features checks do not apply
    # With a feature pipeline of its own, training reads the log for labels only, and the
    # ordinary checks apply: serving reads nothing the pipeline computes.
    fails(log_and_wait([("fp", "train")], **props), "feature-consistency", "train", "rank", "fp")


def test_logged_training_lists_only_what_was_served():
    # The spared pair (log and wait) still gets a warning for what only training has.
    props = {"train": {"features": ["a", "leak"]}, "rank": {"features": ["a"]}}
    finding = fails(log_and_wait(**props), "logged-features-served", "train", "rank")
    assert finding.severity == "warning" and "leak" in finding.message
    holds(log_and_wait(**props), "feature-consistency")
    # Served (listed, or with the request), or not listed on either side: nothing to say.
    served = {
        "train": {"features": ["a", "q"]},
        "rank": {"features": ["a"]},
        "gw": {"features": ["q"]},
    }
    holds(log_and_wait(**served), "logged-features-served")
    holds(log_and_wait(train={"features": ["a", "b"]}), "logged-features-served")
    holds(log_and_wait(), "logged-features-served")
    # A pipeline with a feature pipeline of its own is judged by feature-consistency.
    fails(log_and_wait([("fp", "train")], **props), "feature-consistency", "train", "rank", "fp")
    holds(log_and_wait([("fp", "train")], **props), "logged-features-served")


def test_logged_features_take_the_pipeline_most_like_the_predictor():
    # A registry shared by two log-fed pipelines: the one whose features the predictor
    # mostly serves is its own (the other's extra feature is not the predictor's concern).
    board = log_and_wait(
        [("lake", "other"), ("other", "reg")],
        {"other": "training_pipeline"},
        train={"features": ["a", "b", "c", "outcome"]},
        other={"features": ["a", "transcript"]},
        rank={"features": ["a", "b", "c"]},
    )
    finding = fails(board, "logged-features-served", "train", "rank")
    assert "outcome" in finding.message and "transcript" not in finding.message
    # A model source that fits without the exemption settles it.
    fitted = log_and_wait(
        [("lake", "other"), ("other", "reg"), ("fp", "other"), ("fp", "rank")],
        {"other": "training_pipeline"},
        train={"features": ["a", "outcome"]},
        rank={"features": ["a"]},
    )
    holds(fitted, "feature-consistency")
    holds(fitted, "logged-features-served")


def request_time(store_lists: list[str]):
    nodes = {
        "app": "client_app",
        "gw": "api_gateway",
        "rank": "ranking_service",
        "events": "event_stream",
        "train": "training_pipeline",
        "reg": "model_registry",
        "fs": "feature_store",
    }
    edges = [
        ("app", "gw"),
        ("gw", "rank"),
        ("rank", "gw"),
        ("gw", "app"),
        ("gw", "events"),
        ("events", "train"),
        ("fs", "train"),
        ("train", "reg"),
        ("reg", "rank"),
    ]
    props = {
        "gw": {"features": ["query_text"]},
        "fs": {"features": store_lists},
        "train": {"features": ["query_text", "user_age"]},
        "rank": {"features": ["user_age"]},
    }
    return build(nodes, edges, props=props)


def test_request_time_features_are_not_skew():
    board = request_time(["user_age"])
    design = DesignGraph(board)
    assert design.request_features_of_predictor("rank") == {"query_text"}
    assert design.logged_features_feeding("train") == {"query_text"}
    # Serving does not read the store but both see the query: shared, and query_text is
    # available to the ranker at request time.
    holds(board, "feature-consistency")
    # Training recomputes the query feature from the store offline: that is skew.
    fails(request_time(["user_age", "query_text"]), "feature-consistency", "train", "rank", "fs")


def recomputed_offline(recompute: bool):
    """The ranker reads a shared store and gets bm25 with the request; training reads the
    store and the logged requests, and (with `recompute`) a pipeline of its own that lists
    bm25 over the logged queries."""
    nodes = {
        "app": "client_app",
        "gw": "api_gateway",
        "rank": "ranking_service",
        "events": "event_stream",
        "fs": "feature_store",
        "train": "training_pipeline",
        "reg": "model_registry",
    }
    edges = [
        ("app", "gw"),
        ("gw", "rank"),
        ("rank", "gw"),
        ("gw", "app"),
        ("gw", "events"),
        ("events", "train"),
        ("fs", "rank"),
        ("fs", "train"),
        ("train", "reg"),
        ("reg", "rank"),
    ]
    props = {
        "gw": {"features": ["query_text", "bm25"]},
        "fs": {"features": ["user_age"]},
        "train": {"features": ["bm25", "user_age"]},
        "rank": {"features": ["bm25", "user_age"]},
    }
    if recompute:
        nodes["redo"] = "feature_pipeline"
        edges += [("events", "redo"), ("redo", "train")]
        props["redo"] = {"features": ["bm25"]}
    return build(nodes, edges, props=props)


def test_a_pipeline_listing_request_time_features_on_the_training_side_is_not_skew():
    """A training-side pipeline that lists a feature the predictor gets with the request
    looks the same on the graph whether it recomputes the value (skew) or passes the
    logged value through (a training-set builder joining the log with the store: the way
    to avoid skew). Failing it failed sound designs in review, so it holds (docs/rules.md)."""
    holds(recomputed_offline(recompute=False), "feature-consistency")
    holds(recomputed_offline(recompute=True), "feature-consistency")


def test_request_time_features_logged_by_the_client_itself():
    # The app tracks searches and clicks itself (no service writes a log): the query it
    # sends is still what training learns from. Requiring a log the serving path writes
    # failed such boards (client-side tracking, a feedback collector) in review.
    nodes = {
        "app": "client_app",
        "gw": "api_gateway",
        "rank": "ranking_service",
        "fs": "feature_store",
        "events": "event_stream",
        "train": "training_pipeline",
        "reg": "model_registry",
    }
    edges = [
        ("app", "gw"),
        ("gw", "rank"),
        ("rank", "gw"),
        ("gw", "app"),
        ("fs", "rank"),
        ("fs", "train"),
        ("app", "events"),
        ("events", "train"),
        ("train", "reg"),
        ("reg", "rank"),
    ]
    props = {
        "gw": {"features": ["query"]},
        "fs": {"features": ["user_age"]},
        "train": {"features": ["query", "user_age"]},
        "rank": {"features": ["query", "user_age"]},
    }
    holds(build(nodes, edges, props=props), "feature-consistency")


def test_an_asynchronous_predictor_gets_what_its_stream_carries():
    # The comment service writes each new comment (its text) into a topic; the classifier
    # consumes it and archives what it scored; training reads the archive and the author
    # store. The text arrives with the event, as with a request: no store need hold it.
    nodes = {
        "app": "client_app",
        "svc": "backend_service",
        "topic": "event_stream",
        "clf": "inference_service",
        "lake": "data_lake",
        "fs": "feature_store",
        "train": "training_pipeline",
        "reg": "model_registry",
    }
    edges = [
        ("app", "svc"),
        ("svc", "app"),
        ("svc", "topic"),
        ("topic", "clf"),
        ("clf", "lake"),
        ("lake", "train"),
        ("fs", "clf"),
        ("fs", "train"),
        ("train", "reg"),
        ("reg", "clf"),
    ]
    props = {
        "svc": {"features": ["comment_text"]},
        "fs": {"features": ["author_strikes"]},
        "train": {"features": ["comment_text", "author_strikes"]},
        "clf": {"features": ["comment_text", "author_strikes"]},
    }
    design = DesignGraph(build(nodes, edges, props=props))
    assert "comment_text" in design.request_features_of_predictor("clf")
    holds(build(nodes, edges, props=props), "feature-consistency")
    # Not a feature the stream does not carry.
    props["train"] = {"features": ["comment_text", "author_strikes", "reply_count"]}
    fails(build(nodes, edges, props=props), "feature-consistency", "train", "clf")


def test_request_time_features_on_a_client_and_a_backend_service():
    board = build(
        {"app": "client_app", "svc": "backend_service", "inf": "inference_service"},
        [("app", "svc"), ("svc", "inf")],
        props={"app": {"features": ["device"]}, "svc": {"features": ["placement"]}},
    )
    assert DesignGraph(board).request_features_of_predictor("inf") == {"device", "placement"}
    board = build(
        {"app": "client_app", "lake": "data_lake", "inf": "inference_service"},
        [("app", "lake"), ("lake", "inf")],
        props={"app": {"features": ["device"]}},
    )
    assert DesignGraph(board).request_features_of_predictor("inf") == frozenset()


def chained(delivery_features, train_features):
    """A prep-time model's estimate fed to a delivery-time model; the service logs the
    quote with its inputs, and delivery training reads that log."""
    nodes = {
        "app": "client_app",
        "svc": "backend_service",
        "prep": "inference_service",
        "dlv": "inference_service",
        "fs": "feature_store",
        "log": "event_stream",
        "train": "training_pipeline",
        "reg": "model_registry",
    }
    edges = [
        ("app", "svc"),
        ("svc", "prep"),
        ("prep", "dlv"),
        ("dlv", "svc"),
        ("svc", "app"),
        ("fs", "prep"),
        ("fs", "dlv"),
        ("svc", "log"),
        ("log", "train"),
        ("fs", "train"),
        ("train", "reg"),
        ("reg", "dlv"),
    ]
    props = {
        "fs": {"features": ["kitchen_load"]},
        "dlv": {"features": delivery_features},
        "train": {"features": train_features},
    }
    return build(nodes, edges, props=props)


def test_a_chained_model_input_arrives_with_the_request():
    board = chained(["prep_estimate", "kitchen_load"], ["prep_estimate", "kitchen_load"])
    design = DesignGraph(board)
    assert "prep_estimate" in design.request_features_of_predictor("dlv")
    assert "kitchen_load" not in design.request_features_of_predictor("dlv")  # stored
    assert "prep_estimate" in design.logged_features_feeding("train")
    holds(board, "feature-consistency")
    # Training on a feature serving never has (the actual prep time) is still skew.
    fails(
        chained(["prep_estimate", "kitchen_load"], ["actual_prep", "kitchen_load"]),
        "feature-consistency",
        "train",
        "dlv",
    )


def encoders(serving_encoder: str):
    nodes = {
        "lake": "data_lake",
        "enc": "embedding_model",
        "enc2": "embedding_model",
        "train": "training_pipeline",
        "reg": "model_registry",
        "rank": "ranking_service",
    }
    edges = [
        ("lake", "enc"),
        ("lake", "enc2"),
        ("enc", "train"),
        (serving_encoder, "rank"),
        ("train", "reg"),
        ("reg", "rank"),
    ]
    return build(nodes, edges)


def test_a_shared_encoder_is_shared_preprocessing():
    holds(encoders("enc"), "feature-consistency")
    finding = fails(encoders("enc2"), "feature-consistency", "train", "rank")
    assert "encoder" in finding.message


def test_a_serving_tower_reading_another_store_is_still_skew():
    # Pitfall (1): relaxing the listed-features check keeps the shared-source check.
    nodes = {
        "fs": "feature_store",
        "profiles": "feature_store",
        "train": "training_pipeline",
        "reg": "model_registry",
        "gw": "api_gateway",
        "tower": "embedding_model",
    }
    edges = [("fs", "train"), ("train", "reg"), ("reg", "tower"), ("gw", "tower")]
    props = {"train": {"features": ["q"]}, "tower": {"features": ["q"]}}
    fails(
        build(nodes, [*edges, ("profiles", "tower")], props=props),
        "feature-consistency",
        "train",
        "tower",
        "fs",
        "profiles",
    )
    holds(build(nodes, [*edges, ("fs", "tower")], props=props), "feature-consistency")


def test_two_towers_split_the_features_of_one_model():
    nodes = {
        "fs": "feature_store",
        "train": "training_pipeline",
        "reg": "model_registry",
        "gw": "api_gateway",
        "qtower": "embedding_model",
        "itower": "embedding_model",
    }
    edges = [
        ("fs", "train"),
        ("train", "reg"),
        ("reg", "qtower"),
        ("reg", "itower"),
        ("gw", "qtower"),
        ("fs", "qtower"),
        ("fs", "itower"),
    ]
    props = {
        "train": {"features": ["query", "item_title"]},
        "qtower": {"features": ["query"]},
        "itower": {"features": ["item_title"]},
    }
    holds(build(nodes, edges, props=props), "feature-consistency")
    props["itower"] = {"features": []}
    finding = fails(build(nodes, edges, props=props), "feature-consistency", "train", "qtower")
    assert "item_title" in finding.message


def test_the_message_says_what_is_shared_when_the_fix_is_not_a_store():
    board = encoders("enc")
    board.nodes[[n.id for n in board.nodes].index("train")].props["features"] = ["emb", "x"]
    board.nodes[[n.id for n in board.nodes].index("rank")].props["features"] = ["emb"]
    (finding,) = rule_findings(board, "feature-consistency")
    assert (
        "already share" in finding.message
        and "encoder" not in finding.message.split("already share")[0]
    )
    assert '"Embedding model" (enc)' in finding.message


# --- connections ----------------------------------------------------------------------------


def test_training_may_write_features_and_data_back():
    assert connection_refusal("training_pipeline", "feature_store") is None
    assert connection_refusal("training_pipeline", "nosql_db") is None
    holds(
        build({"t": "training_pipeline", "fs": "feature_store"}, [("t", "fs")]),
        "connection-allowed",
    )
    fails(
        build({"t": "training_pipeline", "app": "client_app"}, [("t", "app")]),
        "connection-allowed",
        "t",
        "app",
    )


def test_new_types_are_in_the_catalogue_and_its_json():
    data = catalogue_as_json()
    for type_id, category in (
        ("backend_service", "serving"),
        ("search_index", "features"),
        ("data_validation", "monitoring"),
        ("orchestrator", "training"),
    ):
        assert COMPONENT_TYPES[type_id].category == category
        assert data["types"][type_id]["colour"] == data["categories"][category]["colour"]
    tasks = next(p for p in data["types"]["training_pipeline"]["props"] if p["name"] == "task")
    assert {"detection", "segmentation"} <= set(tasks["choices"])
    mode = next(p for p in data["types"]["training_pipeline"]["props"] if p["name"] == "mode")
    assert mode["choices"] == ["batch", "online"]


def test_stream_consumers_are_not_told_to_add_a_balancer():
    nodes = {"events": "event_stream", "clf": "inference_service", "app": "client_app"}
    props = {"clf": {"replicas": 4}}
    holds(
        build(nodes, [("app", "events"), ("events", "clf")], props=props), "replicas-load-balanced"
    )
    # Also called straight from the app: a request path with no balancer.
    fails(
        build(nodes, [("events", "clf"), ("app", "clf")], props=props),
        "replicas-load-balanced",
        "clf",
    )


def test_a_stream_consumer_behind_a_consumer_service_needs_no_balancer():
    """Kafka → "Note intake consumer" (a backend service) → model pods: still a stream
    consumer; the same pods behind a service the app calls are on a request path."""
    nodes = {
        "ehr": "client_app",
        "events": "event_stream",
        "intake": "backend_service",
        "clf": "inference_service",
    }
    props = {"clf": {"replicas": 4}}
    consumer = [("ehr", "events"), ("events", "intake"), ("intake", "clf")]
    holds(build(nodes, consumer, props=props), "replicas-load-balanced")
    called = [("ehr", "intake"), ("intake", "clf"), ("events", "clf")]
    fails(build(nodes, called, props=props), "replicas-load-balanced", "clf")
    # A cache between the stream and the model is a lookup: the model is still called,
    # by someone not drawn, and needs a balancer.
    cached = {**nodes, "intake": "cache"}
    fails(build(cached, consumer, props=props), "replicas-load-balanced", "clf")


def test_a_predictor_may_point_at_its_registry_to_pull_the_model():
    """framework.md leaves serving → training to the catalogue; a "fetch model" arrow
    from a predictor to its registry is a drawing habit, refused for other pairs."""
    for predictor in ("inference_service", "ranking_service", "batch_scorer"):
        assert connection_refusal(predictor, "model_registry") is None
        assert connection_refusal(predictor, "training_pipeline") is not None
    assert connection_refusal("api_gateway", "model_registry") is not None


PULLED = {
    "app": "client_app",
    "gw": "api_gateway",
    "inf": "inference_service",
    "lake": "data_lake",
    "train": "training_pipeline",
    "reg": "model_registry",
}
SERVED = [("app", "gw"), ("gw", "inf"), ("inf", "gw"), ("gw", "app"), ("inf", "lake")]


def test_a_pulled_model_reads_as_flowing_from_the_registry():
    """The walks read a predictor's arrow to its registry as the model's flow, registry to
    predictor: a model only pulled is deployed, and the arrow makes no path onwards."""
    pulled = build(PULLED, [*SERVED, ("lake", "train"), ("train", "reg"), ("inf", "reg")])
    assert ("reg", "inf") in DesignGraph(pulled).graph.edges
    holds(pulled, "model-deployed")
    # A training pipeline fed only by the registry (a warm start) has no data, although
    # data -> predictor -> registry -> training would be a path read as drawn.
    warm = build(
        {**PULLED, "db": "nosql_db"},
        [
            *SERVED,
            ("db", "inf"),
            ("reg", "train"),
            ("train", "reg"),
            ("reg", "inf"),
            ("inf", "reg"),
        ],
        level="mid",
    )
    fails(warm, "training-loop", "train")


def test_unread_batch_scores_stay_unread_through_a_pull_arrow():
    """A nightly scorer's scores that nothing reads are not "served" by way of its pull
    arrow to a registry that also deploys an online model whose answers are cached."""
    nodes = {**PULLED, "cache": "cache", "nightly": "batch_scorer", "s3": "object_store"}
    edges = [
        ("app", "gw"),
        ("gw", "cache"),
        ("cache", "gw"),
        ("gw", "inf"),
        ("inf", "cache"),
        ("gw", "app"),
        ("inf", "lake"),
        ("lake", "train"),
        ("train", "reg"),
        ("reg", "inf"),
        ("reg", "nightly"),
        ("lake", "nightly"),
        ("nightly", "s3"),
        ("nightly", "reg"),
    ]
    fails(build(nodes, edges), "batch-predictions-served", "nightly")


# --- metrics --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, known",
    [
        ("NDCG@10", "NDCG"),
        ("ROC-AUC per head", "ROC-AUC"),
        ("log loss (calibrated)", "log loss"),
        ("Normalized Entropy", "normalized entropy"),
        ("NE", "normalized entropy"),
        ("mAP@0.5", "mAP"),
        ("box AP", "AP"),
        ("mIoU", "IoU"),
        ("WAPE", "WAPE"),
        ("sMAPE", "sMAPE"),
        ("pinball loss (p90)", "pinball loss"),
        ("quantile loss", "pinball loss"),
        ("ECE", "calibration"),
    ],
)
def test_metric_names_match_as_words(written, known):
    assert known in offline_names(written)


def test_words_not_substrings():
    assert offline_names("mapping quality") == frozenset()  # "map" is not a word in it
    assert offline_names("auction win rate") == frozenset()


@pytest.mark.parametrize(
    "task, metric",
    [
        ("classification", "normalized entropy"),
        ("classification", "NDCG@10"),  # a pointwise classifier that ranks
        ("ranking", "log loss"),
        ("detection", "mAP@0.5"),
        ("segmentation", "mIoU"),
        ("regression", "WAPE"),
        ("regression", "pinball loss"),
        ("generation", "ROUGE-L"),
        ("generation", "CIDEr"),  # captioning
        ("generation", "SPICE"),
        ("generation", "METEOR"),
        ("classification", "Qini coefficient"),  # uplift models
        ("classification", "AUUC"),
        ("classification", "uplift in top decile"),
        ("classification", "false reject rate @ 1 FA / 48 h"),  # wake words
        ("classification", "false accepts per hour"),
        ("classification", "EER"),
        ("other", "anything at all"),
    ],
)
def test_vocabularies_grow(task, metric):
    assert fits(task, metric)


def test_unfit_metrics_still_fail():
    assert not fits("regression", "ROC-AUC")
    assert not fits("detection", "NDCG")
    assert not fits("classification", "RMSE")


@pytest.mark.parametrize(
    "metric, online",
    [
        ("CTR", True),
        ("auction win rate", True),
        ("accepted invitations per user", True),
        ("prevalence", True),
        ("precision of the feed as users rate it", False),
        ("NDCG@10", False),
        ("ROC-AUC per head", False),
        ("conversion uplift", True),  # the effect an A/B test measures, not a model metric
        ("uplift", True),
        ("Qini coefficient", False),
    ],
)
def test_online_metrics_are_anything_not_offline(metric, online):
    assert is_online(metric) == online


def ab_board(metrics):
    return build(
        {"gw": "api_gateway", "ab": "ab_testing"},
        [("gw", "ab")],
        props={"ab": {"metrics": metrics}},
    )


def test_an_online_metric_on_an_ab_test():
    holds(ab_board(["auction win rate"]), "online-metrics")
    finding = fails(ab_board(["NDCG@10"]), "online-metrics", "ab")
    # It never asks for an A/B test that exists: it asks for an online metric on it.
    assert "add an A/B testing" not in finding.message and "online one" in finding.message


# --- the three new rules --------------------------------------------------------------------


def gated(edges):
    nodes = {
        "t": "training_pipeline",
        "ev": "offline_evaluation",
        "reg": "model_registry",
        "inf": "inference_service",
        "t2": "training_pipeline",
    }
    return build(nodes, edges, props={"ev": {"metrics": ["AUC"]}})


def test_evaluation_gates_deploy():
    holds(gated([("t", "ev"), ("ev", "reg"), ("reg", "inf")]), "evaluation-gates-deploy")
    fails(gated([("t", "reg"), ("reg", "inf")]), "evaluation-gates-deploy", "t", "inf")
    # A registry an evaluation of this model writes into is gated, even if the model is
    # also written straight into it (the evaluation decides what is promoted).
    holds(
        gated([("t", "reg"), ("t", "ev"), ("ev", "reg"), ("reg", "inf")]), "evaluation-gates-deploy"
    )


def test_evaluation_of_another_model_does_not_gate():
    # Pitfall (2): the evaluation writing into the registry evaluates t2, not t.
    board = gated([("t", "reg"), ("t2", "ev"), ("ev", "reg"), ("reg", "inf")])
    fails(board, "evaluation-gates-deploy", "t", "inf")


def test_retraining_closes_loop():
    nodes = {
        "trig": "retraining_trigger",
        "orch": "orchestrator",
        "t": "training_pipeline",
        "reg": "model_registry",
        "inf": "inference_service",
    }
    holds(
        build(nodes, [("trig", "orch"), ("orch", "t"), ("t", "reg"), ("reg", "inf")]),
        "retraining-closes-loop",
    )
    fails(
        build(nodes, [("trig", "orch"), ("t", "reg"), ("reg", "inf")]),
        "retraining-closes-loop",
        "trig",
    )
    finding = fails(
        build(nodes, [("trig", "t"), ("t", "reg")]), "retraining-closes-loop", "trig", "t"
    )
    assert "never reaches serving" in finding.message


def test_retraining_of_a_retrieval_tower_closes_the_loop():
    # Pitfall (6): two stages, each with its own pipeline; the retrieval model reaches
    # candidate generation through its item tower and the index.
    nodes = {
        "trig": "retraining_trigger",
        "t_ret": "training_pipeline",
        "t_rank": "training_pipeline",
        "reg": "model_registry",
        "tower": "embedding_model",
        "idx": "vector_index",
        "cg": "candidate_generation",
        "rank": "ranking_service",
    }
    edges = [
        ("trig", "t_ret"),
        ("trig", "t_rank"),
        ("t_ret", "tower"),
        ("tower", "idx"),
        ("idx", "cg"),
        ("cg", "rank"),
        ("t_rank", "reg"),
        ("reg", "rank"),
    ]
    holds(build(nodes, edges), "retraining-closes-loop")
    holds(build(nodes, [e for e in edges if e != ("trig", "t_rank")]), "retraining-closes-loop")


def test_monitoring_has_input():
    nodes = {"inf": "inference_service", "dash": "metrics_dashboard", "alert": "alerting"}
    holds(build(nodes, [("inf", "dash"), ("dash", "alert")]), "monitoring-has-input")
    fails(build(nodes, [("dash", "alert"), ("alert", "inf")]), "monitoring-has-input", "dash")


# --- messages a candidate can act on --------------------------------------------------------


def test_offline_metrics_names_the_evaluation_and_suggests():
    board = build(
        {"t": "training_pipeline", "ev": "offline_evaluation"},
        [("t", "ev")],
        props={"t": {"task": "regression"}, "ev": {"metrics": ["ROC-AUC", "F1"]}},
    )
    finding = fails(board, "offline-metrics", "ev", "t")
    assert "ROC-AUC, F1" in finding.message and "MAE" in finding.message
    assert "rocauc" not in finding.message and "@k" not in finding.message


def test_drift_monitoring_says_which_half_is_missing():
    nodes = {
        "inf": "inference_service",
        "drift": "drift_monitor",
        "alert": "alerting",
        "lake": "data_lake",
    }
    blind = fails(
        build(nodes, [("lake", "drift"), ("drift", "alert")]), "drift-monitoring", "drift"
    )
    assert "reads nothing" in blind.message and "raises nothing" not in blind.message
    idle = fails(build(nodes, [("inf", "drift")]), "drift-monitoring", "drift")
    assert "raises nothing" in idle.message and "reads nothing" not in idle.message
    # A prediction log (calibration needs the joined labels) is something to watch.
    holds(
        build(
            {**nodes, "log": "event_stream"}, [("inf", "log"), ("log", "drift"), ("drift", "alert")]
        ),
        "drift-monitoring",
    )


def test_labels_available_never_contradicts_a_visible_label_source():
    nodes = {"lab": "labeling", "t": "training_pipeline", "lake": "data_lake"}
    props = {"t": {"task": "detection"}}
    holds(build(nodes, [("lab", "lake"), ("lake", "t")], props=props), "labels-available")
    finding = fails(
        build(nodes, [("lake", "t"), ("t", "lab")], props=props), "labels-available", "t", "lab"
    )
    assert '"Labeling" is on the board' in finding.message
    # Clicks joined to impressions are labels: the app's outcomes reach training.
    holds(
        build(
            {"app": "client_app", "events": "event_stream", "t": "training_pipeline"},
            [("app", "events"), ("events", "t")],
            props=props,
        ),
        "labels-available",
    )


# --- pitfall (4): a hosted model, no training pipeline of ours ------------------------------


def rag(**props):
    return build(
        {
            "app": "client_app",
            "svc": "backend_service",
            "enc": "embedding_model",
            "idx": "vector_index",
            "llm": "inference_service",
            "docs": "object_store",
        },
        [
            ("app", "svc"),
            ("svc", "enc"),
            ("enc", "idx"),
            ("idx", "svc"),
            ("svc", "llm"),
            ("llm", "svc"),
            ("svc", "app"),
            ("docs", "enc"),
        ],
        props=props,
    )


def test_a_rag_design_with_a_hosted_llm():
    report = validate(rag(llm={"model": "hosted LLM (API)"}), "mid")
    assert report.passed, [f.message for f in report.findings]
    # Without saying so, the LLM has no model: the message says how to say so.
    finding = fails(rag(), "model-deployed", "llm")
    assert "`model`" in finding.message
    # A registry no pipeline trains into holds pretrained models: it is a model source.
    board = rag()
    board.nodes.append(type(board.nodes[0])("reg", "model_registry"))
    board.edges.append(type(board.edges[0])("e-reg", "reg", "llm"))
    holds(board, "model-deployed")


# --- refinements found on the realistic corpus ------------------------------------------------


def test_an_outside_model_is_never_claimed_while_a_pipeline_goes_nowhere():
    # The named model (or an "LLM" label) is the one the board's own dead-end pipeline
    # trains: naming it is not deploying it.
    extra = {"t": "training_pipeline", "ev": "offline_evaluation"}
    board = rag(llm={"model": "GBDT"})
    board.nodes.extend(type(board.nodes[0])(i, t) for i, t in extra.items())
    board.edges.append(type(board.edges[0])("e-t", "t", "ev"))
    finding = fails(board, "model-deployed", "llm")
    assert "`model`" in finding.message
    # A label that says the model is ours is no outside model either.
    board = rag()
    board.nodes[[n.id for n in board.nodes].index("llm")].label = "LLM reranker (fine-tuned)"
    fails(board, "model-deployed", "llm")
    # A label that says hosted is believed even beside an experiment that goes nowhere.
    board.nodes[[n.id for n in board.nodes].index("llm")].label = "Hosted LLM (vendor API)"
    board.nodes.extend(type(board.nodes[0])(i, t) for i, t in extra.items())
    board.edges.append(type(board.edges[0])("e-t", "t", "ev"))
    holds(board, "model-deployed")
    # "Pretrained" is not: it may be the dead-end fine-tune's starting point.
    board.nodes[[n.id for n in board.nodes].index("llm")].label = "Pretrained extractor"
    fails(board, "model-deployed", "llm")
    # Without the dead end, "pretrained" is believed.
    alone = rag()
    alone.nodes[[n.id for n in alone.nodes].index("llm")].label = "Pretrained extractor"
    holds(alone, "model-deployed")


def test_open_weights_loaded_from_an_object_store_are_a_model_from_outside():
    def weights(label, writer=False):
        board = rag()
        board.nodes.append(type(board.nodes[0])("s3", "object_store", label))
        board.edges.append(type(board.edges[0])("e-s3", "s3", "llm"))
        if writer:
            board.nodes.append(type(board.nodes[0])("etl", "batch_etl"))
            board.edges.append(type(board.edges[0])("e-etl", "etl", "s3"))
        return board

    holds(weights("Model weights (S3)"), "model-deployed")
    holds(weights("Model weights (S3)"), "training-loop")
    # A store of something else, or one something on the board fills, is not weights.
    fails(weights("Documents (S3)"), "model-deployed", "llm")
    fails(weights("Model weights (S3)", writer=True), "model-deployed", "llm")


def test_with_only_outside_models_the_log_feeds_the_evaluation():
    board = rag(llm={"model": "hosted LLM (API)"})
    board.nodes.extend(
        type(board.nodes[0])(i, t)
        for i, t in {"log": "data_lake", "gold": "labeling", "ev": "offline_evaluation"}.items()
    )
    edge = type(board.edges[0])
    board.edges.extend([edge("x1", "app", "log"), edge("x2", "log", "gold")])
    finding = fails(board, "feedback-loop", "app", "enc", "llm")
    assert "offline evaluation" in finding.message
    board.edges.append(edge("x3", "gold", "ev"))
    holds(board, "feedback-loop")


def test_one_ml_platform_box_trains_when_no_pipeline_is_drawn():
    nodes = {
        "app": "client_app",
        "rank": "ranking_service",
        "fs": "feature_store",
        "labels": "labeling",
        "platform": "orchestrator",
    }
    edges = [("app", "rank"), ("rank", "app"), ("fs", "rank"), ("fs", "platform")]
    board = build(nodes, [*edges, ("labels", "platform"), ("platform", "rank")])
    assert DesignGraph(board).trainers == {"platform"}
    holds(board, "training-loop")
    holds(board, "model-deployed")
    # Beside a training pipeline, an orchestrator only schedules it.
    board = build(
        {**nodes, "t": "training_pipeline"},
        [*edges, ("labels", "platform"), ("platform", "t"), ("platform", "rank")],
    )
    assert DesignGraph(board).trainers == {"t"}
    # An orchestrator nothing feeds data trains nothing.
    unfed = [("app", "rank"), ("rank", "app"), ("fs", "rank"), ("platform", "rank")]
    assert DesignGraph(build(nodes, unfed)).trainers == set()


def test_a_release_rolled_out_by_a_service_reaches_the_device_model():
    nodes = {
        "app": "client_app",
        "device": "inference_service",
        "t": "training_pipeline",
        "reg": "model_registry",
        "ota": "backend_service",
    }
    edges = [("app", "device"), ("device", "app"), ("t", "reg"), ("reg", "ota")]
    holds(build(nodes, [*edges, ("ota", "device")]), "model-deployed")
    assert DesignGraph(build(nodes, [*edges, ("ota", "device")])).model_sources_of("device") == {
        "t"
    }
    # A service the registry does not write into carries no model.
    fails(
        build(nodes, [("app", "device"), ("device", "app"), ("t", "reg"), ("ota", "device")]),
        "model-deployed",
        "device",
    )


def test_an_untrained_query_tower_beside_a_trained_item_tower():
    board = visual_search()
    assert not rule_findings(board, "model-deployed")  # a pretrained encoder
    extra = {"t": "training_pipeline", "reg": "model_registry", "item": "embedding_model"}
    board.nodes.extend(type(board.nodes[0])(i, t) for i, t in extra.items())
    board.edges.extend(
        type(board.edges[0])(f"x{k}", s, t)
        for k, (s, t) in enumerate([("t", "reg"), ("reg", "item"), ("item", "idx")])
    )
    fails(board, "model-deployed", "enc")  # the two towers embed into different spaces


def test_answers_stop_at_the_gateway():
    # What the payment service logs after the gateway is the raw request, not a
    # prediction log of the scorer behind it.
    nodes = {
        "gw": "api_gateway",
        "pay": "backend_service",
        "scorer": "inference_service",
        "rules": "reranking_service",
        "txn": "event_stream",
    }
    edges = [("gw", "pay"), ("pay", "scorer"), ("scorer", "rules"), ("rules", "gw"), ("pay", "txn")]
    assert DesignGraph(build(nodes, edges)).prediction_logs == frozenset()
    edges[-1] = ("rules", "txn")  # logged by the last serving step: a prediction log
    assert DesignGraph(build(nodes, edges)).prediction_logs == {"txn"}


def test_only_the_request_shared_needs_every_trained_feature_sourced():
    nodes = {
        "gw": "api_gateway",
        "scorer": "inference_service",
        "fs": "feature_store",
        "txn": "event_stream",
        "train": "training_pipeline",
        "reg": "model_registry",
    }
    edges = [
        ("gw", "scorer"),
        ("gw", "txn"),
        ("txn", "train"),
        ("fs", "scorer"),
        ("train", "reg"),
        ("reg", "scorer"),
    ]
    props = {
        "gw": {"features": ["amount"]},
        "fs": {"features": ["velocity_1h"]},
        "scorer": {"features": ["amount", "velocity_1h"]},
        "train": {"features": ["amount"]},
    }
    holds(build(nodes, edges, props=props), "feature-consistency")
    props["train"] = {"features": ["amount", "velocity_1h"]}
    finding = fails(
        build(nodes, edges, props=props), "feature-consistency", "train", "scorer", "fs"
    )
    assert "velocity_1h" in finding.message


# --- the readings above, held to their limits (found in review) ------------------------------


def test_a_scorer_that_reads_and_writes_one_lake_holds_nothing():
    nodes = {"app": "client_app", "gw": "api_gateway", "inf": "inference_service"}
    nodes |= {"lake": "data_lake", "scorer": "batch_scorer"}
    edges = [("app", "gw"), ("gw", "inf"), ("inf", "gw"), ("gw", "app")]
    board = build(nodes, [*edges, ("lake", "scorer"), ("scorer", "lake")])
    assert "scorer" not in DesignGraph(board).prediction_holders
    fails(board, "batch-predictions-served", "scorer")


def test_two_models_behind_one_gateway_are_not_a_chain():
    nodes = {
        "app": "client_app",
        "gw": "api_gateway",
        "fraud": "inference_service",
        "rank": "ranking_service",
        "fs": "feature_store",
        "t": "training_pipeline",
        "reg": "model_registry",
    }
    edges = [("app", "gw"), ("gw", "fraud"), ("fraud", "gw"), ("gw", "rank"), ("rank", "gw")]
    edges += [("gw", "app"), ("fs", "rank"), ("fs", "t"), ("t", "reg"), ("reg", "rank")]
    props = {
        "fs": {"features": ["user_ctr"]},
        "rank": {"features": ["user_ctr", "item_ctr"]},
        "t": {"features": ["user_ctr", "item_ctr"]},
    }
    board = build(nodes, edges, props=props)
    assert "item_ctr" not in DesignGraph(board).request_features_of_predictor("rank")
    fails(board, "feature-consistency", "t", "rank", "fs")


def test_an_orchestrator_moving_raw_data_trains_nothing():
    nodes = {"app": "client_app", "gw": "api_gateway", "svc": "backend_service"}
    nodes |= {"ps": "prediction_store", "lake": "data_lake", "orch": "orchestrator"}
    nodes |= {"scorer": "batch_scorer"}
    edges = [("app", "gw"), ("gw", "svc"), ("svc", "ps"), ("ps", "svc"), ("svc", "gw")]
    edges += [("gw", "app"), ("app", "lake"), ("lake", "orch"), ("orch", "scorer")]
    edges += [("lake", "scorer"), ("scorer", "ps")]
    board = build(nodes, edges)
    assert DesignGraph(board).trainers == set()
    fails(board, "training-loop")


def test_serving_does_not_read_trainings_store_through_the_platform_box():
    nodes = {
        "app": "client_app",
        "rank": "ranking_service",
        "offline": "feature_store",
        "online": "feature_store",
        "labels": "labeling",
        "platform": "orchestrator",
    }
    edges = [("app", "rank"), ("rank", "app"), ("offline", "platform"), ("labels", "platform")]
    edges += [("platform", "rank"), ("online", "rank")]
    fails(build(nodes, edges), "feature-consistency", "platform", "rank", "offline", "online")


def test_a_service_on_the_request_path_that_polls_the_registry_carries_no_model():
    nodes = {
        "app": "client_app",
        "gw": "api_gateway",
        "chat": "backend_service",
        "llm": "inference_service",
        "clf": "inference_service",
        "t": "training_pipeline",
        "reg": "model_registry",
    }
    edges = [("app", "gw"), ("gw", "chat"), ("chat", "llm"), ("llm", "chat"), ("chat", "gw")]
    edges += [("gw", "app"), ("chat", "clf"), ("clf", "chat"), ("t", "reg"), ("reg", "clf")]
    edges += [("reg", "chat")]
    design = DesignGraph(build(nodes, edges, props={"llm": {"model": "gpt-4o"}}))
    assert design.model_sources_of("llm") == frozenset()
    assert design.model_sources_of("clf") == {"t"}


# --- feature-consistency: whose model a shared registry serves ---------------------------


def two_models(rank_train: list[str] | None, **more):
    """One registry for a ranker's pipeline and an encoder's; both predictors and both
    pipelines read the store, and the gateway sends the uploaded image to both."""
    props = {"rank_train": {"features": rank_train}} if rank_train is not None else {}
    props.update(more)
    return build(
        {
            "app": "client_app",
            "gw": "api_gateway",
            "rank": "ranking_service",
            "enc": "inference_service",
            "fs": "feature_store",
            "rank_train": "training_pipeline",
            "enc_train": "training_pipeline",
            "reg": "model_registry",
        },
        [
            ("app", "gw"),
            ("gw", "rank"),
            ("gw", "enc"),
            ("rank", "gw"),
            ("gw", "app"),
            ("fs", "rank"),
            ("fs", "enc"),
            ("fs", "rank_train"),
            ("fs", "enc_train"),
            ("rank_train", "reg"),
            ("enc_train", "reg"),
            ("reg", "rank"),
            ("reg", "enc"),
        ],
        props=props,
    )


def test_a_shared_registry_serves_any_fitting_model_even_beside_a_listed_one():
    # One pipeline lists the ranker's features and one it never serves; the other lists
    # nothing. Reading the lists as "whose model is whose" caught a real flaw in review but
    # failed sound boards too: a distilled student whose pipeline lists nothing beside its
    # listed teacher, a fine-tune after a listed pretraining. framework.md's reading stays:
    # the ranker may serve the pipeline that fits.
    board = two_models(["a", "b", "c", "offline_only"], rank={"features": ["a", "b", "c"]})
    holds(board, "feature-consistency")
    # When every pipeline lists what the ranker never serves, it fails.
    failing = two_models(
        ["a", "b", "c", "offline_only"],
        rank={"features": ["a", "b", "c"]},
        enc_train={"features": ["image"]},
    )
    finding = fails(failing, "feature-consistency", "enc_train", "rank")
    assert '"Training pipeline" (rank_train)' in finding.message  # the other candidate


# --- teachers and review queues (docs/rules.md, interpretations) ------------------------------

TEACHER = {
    "app": "client_app",
    "gw": "api_gateway",
    "student": "ranking_service",
    "lake": "data_lake",
    "teacher": "batch_scorer",
    "soft": "data_lake",
    "ttrain": "training_pipeline",
    "strain": "training_pipeline",
    "reg": "model_registry",
}
TAUGHT = [
    ("app", "gw"),
    ("gw", "student"),
    ("student", "gw"),
    ("gw", "app"),
    ("student", "lake"),
    ("lake", "ttrain"),
    ("ttrain", "reg"),
    ("reg", "teacher"),
    ("lake", "teacher"),
    ("teacher", "soft"),
    ("strain", "reg"),
    ("reg", "student"),
]


def test_a_teachers_scores_read_by_a_served_students_training_are_served():
    """Soft labels for a distilled student: the teacher's batch scores are read by the
    training of a model a predictor serves."""
    holds(build(TEACHER, [*TAUGHT, ("soft", "strain")]), "batch-predictions-served")
    # Written and never read by anything: still unread.
    fails(build(TEACHER, TAUGHT), "batch-predictions-served", "teacher")
    # Logged into the lake the student's log goes to (and its training reads): a log,
    # not a teacher's table; the scores are still unread (review, 2026-12-04).
    logged = [*TAUGHT, ("teacher", "lake"), ("lake", "strain")]
    fails(build(TEACHER, logged), "batch-predictions-served", "teacher")


def test_a_review_queue_holds_predictions_until_approved():
    """Drafts go from the generator to a human review queue; approved ones land in the
    listings table the service reads back to the seller: the answer comes back."""
    nodes = {
        "app": "client_app",
        "gw": "api_gateway",
        "svc": "backend_service",
        "gen": "inference_service",
        "review": "labeling",
        "db": "nosql_db",
    }
    edges = [("app", "gw"), ("gw", "svc"), ("svc", "gen"), ("gen", "review"), ("db", "svc")]
    edges += [("svc", "gw"), ("gw", "app")]
    holds(build(nodes, [*edges, ("review", "db")]), "serving-loop")
    # Through a stream, too; but a queue that only feeds training publishes nothing.
    streamed = {**nodes, "bus": "event_stream"}
    holds(build(streamed, [*edges, ("review", "bus"), ("bus", "db")]), "serving-loop")
    trained = {**nodes, "lake": "data_lake", "train": "training_pipeline"}
    joined = [*edges, ("review", "train"), ("review", "lake"), ("lake", "db")]
    fails(build(trained, joined), "serving-loop", "app", "gen")
    # The reviewed drafts never land where the service reads: no answer.
    fails(build(nodes, edges), "serving-loop", "app", "gen")


# --- log and wait through a service's log, with other tables (review, 2026-12-04) -------------

SERVED_LOG = {
    "app": "client_app",
    "gw": "api_gateway",
    "svc": "backend_service",
    "rank": "ranking_service",
    "imp": "event_stream",
    "clicks": "event_stream",
    "join": "stream_processor",
    "lake": "data_lake",
    "train": "training_pipeline",
    "reg": "model_registry",
    "fpipe": "feature_pipeline",
    "fs": "feature_store",
}
SERVED_LOG_EDGES = [
    ("app", "gw"),
    ("gw", "svc"),
    ("svc", "rank"),
    ("rank", "svc"),
    ("svc", "gw"),
    ("gw", "app"),
    ("svc", "imp"),  # the service logs the impression after the ranker answered
    ("app", "clicks"),
    ("imp", "join"),
    ("clicks", "join"),
    ("join", "lake"),
    ("lake", "train"),
    ("train", "reg"),
    ("reg", "rank"),
    ("fpipe", "fs"),
    ("fs", "rank"),
]


@pytest.mark.parametrize(
    "extra_nodes, extra_edges",
    [
        # An orders table joined in as labels.
        ({"orders": "nosql_db", "etl": "batch_etl"}, [("orders", "etl"), ("etl", "train")]),
        # The catalogue, read by the ranker and by training alike.
        (
            {"cat": "nosql_db", "etl": "batch_etl"},
            [("cat", "rank"), ("cat", "etl"), ("etl", "train")],
        ),
        # Images in an object store, read on both sides by id.
        ({"img": "object_store"}, [("img", "rank"), ("img", "train")]),
        # A user-profile table the service and training both read.
        ({"prof": "nosql_db"}, [("prof", "svc"), ("prof", "train")]),
        # A blocklist the service applies and training filters by.
        (
            {"bl": "nosql_db", "etl": "batch_etl"},
            [("bl", "svc"), ("bl", "etl"), ("etl", "train")],
        ),
    ],
    ids=["orders-as-labels", "shared-catalogue", "images", "user-profiles", "blocklist"],
)
def test_training_from_a_services_log_may_join_other_tables(extra_nodes, extra_edges):
    """Training from the impression log a service writes after the ranker answered is
    log and wait, and stays so when it also joins a table: an entity table upstream
    cannot tell recomputed features from labels, raw input or filters. Ending the
    exemption there failed these sound designs in review (docs/rules.md)."""
    board = build({**SERVED_LOG, **extra_nodes}, SERVED_LOG_EDGES + extra_edges)
    holds(board, "feature-consistency")
