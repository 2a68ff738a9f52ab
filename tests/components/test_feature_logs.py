"""feature-consistency where training reads what the predictor logged or wrote, and a
shared store misses a feature (components/feature_check.py).

Boards drawn by a review of two readings (2026-12-05): five sound designs that a first,
wider form of the "training lists nothing and sees only the request" reading failed, and
two flawed designs that a first form of the "a decision log carries the predictor's
features" reading missed. The readings kept pass the five and fail the two.
"""

from __future__ import annotations

import re

import pytest

from components.document import parse
from components.report import validate
from tests.fixtures.realistic.generate import Draw, notes

BOARDS: list[tuple[Draw, bool, str]] = []


def _plumbing(b: Draw, train: str, predictor: str, col: int, row: int, metrics: list[str]) -> None:
    """Evaluation, registry, drift monitor with alerting and retraining."""
    b.n("eval", "offline_evaluation", "Offline evaluation", col, row, metrics=metrics)
    b.n("reg", "model_registry", "Model registry", col + 1, row)
    b.n("drift", "drift_monitor", "Drift monitor", col - 2, row + 1)
    b.n("alert", "alerting", "Alerting", col - 1, row + 1)
    b.n("retrain", "retraining_trigger", "Drift retrain", col, row + 1)
    b.e(
        f"{train}>eval",
        "eval>reg",
        f"reg>{predictor}",
        f"{predictor}>drift",
        "drift>alert",
        "drift>retrain",
        f"retrain>{train}",
    )


# --- Reading 1: false errors -------------------------------------------------------------

# R1-a. The served feature vector is logged into an object store (parquet snapshots), the
# textbook "log features at serving time" design; the ranker lists what it serves,
# training (which lists nothing) reads those snapshots joined with clicks. The validator
# does not count an object store as a prediction log (only streams and lakes), so this is
# not "log and wait"; before the patch the shared request-time features let it pass.
b = Draw(
    "red_featlog_object_store",
    "Shop search ranking (served features snapshotted to S3)",
    "senior",
    notes(
        requirements="Product search, 3k QPS, p99 < 150 ms.",
        framing="Learning to rank: p(click | query, product).",
        data="The ranker writes every served feature vector to S3 (parquet); a Spark job "
        "joins the snapshots with clicks and purchases as labels. Training never recomputes "
        "a feature: it reads exactly what was served.",
    ),
)
SHOP_STORE = ["product_ctr_7d", "product_price_rank", "user_brand_affinity_90d"]
b.n("app", "client_app", "Shop app", 0, 0)
b.n("gw", "api_gateway", "API gateway", 1, 0, features=["query_text", "device_type"])
b.n("svc", "backend_service", "Search service", 2, 0)
b.n("es", "search_index", "Product index (BM25)", 3, 0)
b.n(
    "rank",
    "ranking_service",
    "LTR ranker",
    4,
    0,
    features=["query_text", "device_type", *SHOP_STORE],
)
b.n("fs", "feature_store", "Feature store", 4, 1, features=SHOP_STORE)
b.n("fp", "feature_pipeline", "Daily product/user features", 3, 1, mode="batch")
b.n("snap", "object_store", "Served feature snapshots (S3 parquet)", 5, 1)
b.n("clicks", "event_stream", "Click + purchase events", 0, 1)
b.n("lake", "data_lake", "Events lake", 1, 1)
b.n("join", "labeling", "Snapshot x outcome joiner (Spark)", 5, 2)
b.n("train", "training_pipeline", "LambdaMART training", 4, 2, task="ranking")
_plumbing(b, "train", "rank", 6, 2, ["NDCG@10"])
b.e(
    "app>gw",
    "gw>svc",
    "svc>es",
    "es>rank",
    "fs>rank",
    "rank>svc",
    "svc>gw",
    "gw>app",
    "app>clicks:clicks, purchases",
    "clicks>lake",
    "lake>fp",
    "fp>fs",
    "rank>snap:served feature vectors",
    "snap>join",
    "lake>join:outcomes",
    "join>train",
)
BOARDS.append(
    (
        b,
        True,
        "Training reads the exact feature vectors the ranker served "
        "(snapshotted at serving time), joined with outcomes: no skew possible.",
    )
)

# R1-b. Same with the ranker writing its feature vectors straight to the label joiner
# (a `labeling` component), the way many candidates draw "log features, join labels".
b2 = Draw(
    "red_featlog_label_joiner",
    "Notification ranking (ranker logs features to the label joiner)",
    "senior",
    notes(
        data="The ranker sends each scored (user, notification, feature vector) to the "
        "label joiner, which waits 1 h for an open and emits training rows.",
    ),
)
NOTIF_STORE = ["user_open_rate_7d", "hours_since_last_push", "sender_affinity"]
b2.n("app", "client_app", "Mobile app", 0, 0)
b2.n("gw", "api_gateway", "API gateway", 1, 0, features=["notification_type", "local_hour"])
b2.n(
    "rank",
    "ranking_service",
    "p(open) ranker",
    2,
    0,
    features=["notification_type", "local_hour", *NOTIF_STORE],
)
b2.n("fs", "feature_store", "Feature store", 2, 1, features=NOTIF_STORE)
b2.n("fp", "feature_pipeline", "Recency counters (Flink)", 1, 1, mode="streaming")
b2.n("opens", "event_stream", "Opens / dismissals", 0, 1)
b2.n("join", "labeling", "Open-within-1h joiner", 3, 1)
b2.n("train", "training_pipeline", "GBDT training", 3, 2, task="classification")
_plumbing(b2, "train", "rank", 5, 2, ["ROC-AUC", "log loss"])
b2.e(
    "app>gw",
    "gw>rank",
    "fs>rank",
    "rank>gw",
    "gw>app",
    "app>opens",
    "opens>fp",
    "fp>fs",
    "rank>join:scored rows + features",
    "opens>join:opens",
    "join>train",
)
BOARDS.append(
    (
        b2,
        True,
        "The label joiner receives the served feature vectors: training "
        "sees exactly what the ranker saw.",
    )
)

# R1-c. A fine-tuned text classifier whose pipeline starts from a pretrained encoder
# checkpoint (drawn as an embedding model feeding training). Everything the classifier
# serves, store features included, is in its own decision log, which training reads.
# Without the encoder edge this is log and wait; the encoder makes training read a
# provider, so only the shared request kept it passing.
b3 = Draw(
    "red_finetune_backbone_log",
    "Comment moderation (fine-tuned from a pretrained encoder)",
    "senior",
    notes(
        data="The moderation service logs each decision with every feature it used "
        "(comment text, author features from the store) to the decision lake; reviewers "
        "label a sample. Training fine-tunes XLM-R from its public checkpoint on those rows.",
    ),
)
MOD_STORE = ["author_strikes_90d", "author_account_age_days"]
b3.n("app", "client_app", "Community app", 0, 0)
b3.n("gw", "api_gateway", "API gateway", 1, 0, features=["comment_text", "locale"])
b3.n(
    "mod",
    "inference_service",
    "Moderation classifier",
    2,
    0,
    features=["comment_text", "locale", *MOD_STORE],
)
b3.n("fs", "feature_store", "Author feature store", 2, 1, features=MOD_STORE)
b3.n("fp", "feature_pipeline", "Author features (daily)", 1, 1, mode="batch")
b3.n("lake", "data_lake", "Decision log (lake)", 3, 1)
b3.n("rev", "labeling", "Reviewer labels", 3, 2)
b3.n(
    "ckpt", "embedding_model", "XLM-R base (pretrained checkpoint)", 1, 2, model="xlm-roberta-base"
)
b3.n("train", "training_pipeline", "Fine-tuning", 2, 2, task="classification")
_plumbing(b3, "train", "mod", 5, 2, ["PR-AUC", "ROC-AUC"])
b3.e(
    "app>gw",
    "gw>mod",
    "fs>mod",
    "mod>gw",
    "gw>app",
    "mod>lake:decision + features",
    "lake>fp",
    "fp>fs",
    "lake>rev",
    "rev>train",
    "lake>train",
    "ckpt>train:initial weights",
)
BOARDS.append(
    (
        b3,
        True,
        "Training reads the classifier's own decision log (every served "
        "feature) and starts from public weights: the same model is served.",
    )
)

# R1-d. The predictor lists nothing and reads the store only through the search service,
# which fetches the ranker's features: the query-intent classifier behind the same service
# uses the query alone. With P listing nothing, the patch takes the store's list (the
# ranker's document features) as what the intent classifier is served.
b4 = Draw(
    "red_intent_behind_search_service",
    "Site search (query intent classifier + ranker behind one service)",
    "senior",
    notes(
        data="The search service fetches document features for the ranker from the "
        "feature store. The intent classifier reads only the query text; it is trained on "
        "the search events the app sends, labelled by raters.",
    ),
)
DOC_STORE = ["doc_quality", "doc_ctr_30d", "doc_freshness_days"]
b4.n("app", "client_app", "Search box", 0, 0, features=["query_text", "locale"])
b4.n("gw", "api_gateway", "API gateway", 1, 0)
b4.n("svc", "backend_service", "Search service", 2, 0)
b4.n("intent", "inference_service", "Query intent classifier", 3, 0)
b4.n(
    "rank",
    "ranking_service",
    "LTR ranker",
    4,
    0,
    features=["query_text", "locale", "query_intent", *DOC_STORE],
)
b4.n("fs", "feature_store", "Document feature store", 2, 1, features=DOC_STORE)
b4.n("fp", "feature_pipeline", "Doc features (daily)", 1, 1, mode="batch")
b4.n("qlog", "event_stream", "Search events (app)", 0, 1)
b4.n("qlake", "data_lake", "Query archive", 0, 2)
b4.n("lake", "data_lake", "Search logs", 5, 2)
b4.n("raters", "labeling", "Rater intent labels", 1, 2)
b4.n("itrain", "training_pipeline", "Intent training", 2, 2, task="classification")
b4.n(
    "rtrain",
    "training_pipeline",
    "Ranker training",
    3,
    2,
    task="ranking",
    features=["query_text", "locale", "query_intent", *DOC_STORE],
)
b4.n("ieval", "offline_evaluation", "Intent eval", 2, 3, metrics=["macro F1"])
b4.n("reval", "offline_evaluation", "Ranker eval", 3, 3, metrics=["NDCG@10"])
b4.n("ireg", "model_registry", "Intent registry", 1, 3)
b4.n("reg", "model_registry", "Ranker registry", 4, 3)
b4.n("slog", "event_stream", "Served results + clicks", 5, 1)
b4.e(
    "app>gw",
    "gw>svc",
    "fs>svc:doc features",
    "svc>intent",
    "intent>svc",
    "svc>rank",
    "rank>svc",
    "svc>gw",
    "gw>app",
    "app>qlog:search events",
    "qlog>qlake",
    "qlake>raters",
    "raters>itrain",
    "qlake>itrain",
    "itrain>ieval",
    "ieval>ireg",
    "ireg>intent",
    "reg>rank",
    "svc>slog",
    "app>slog:clicks",
    "slog>lake",
    "lake>fp",
    "fp>fs",
    "fs>rtrain",
    "lake>rtrain",
    "rtrain>reval",
    "reval>reg",
)
BOARDS.append(
    (
        b4,
        True,
        "The intent classifier is a text model on the logged query; the "
        "store feeds the ranker through the search service. Both models are sound.",
    )
)


# R1-e. Two-tower retrieval: the query tower (a serving embedding model) encodes the query
# text; the item tower reads the catalogue; the search service also fetches the ranker's
# features from the store. Neither the query tower nor its training lists features; the
# store reaches the query tower only round the search service. The patch takes the
# store's list (the ranker's features) as what the query tower is served.
b7 = Draw(
    "red_two_tower_query_tower",
    "Product search (two-tower retrieval + ranker)",
    "senior",
    notes(
        data="Two-tower training reads the app's search events (query, clicked product) and "
        "the catalogue; the item tower embeds the catalogue into the ANN index. The search "
        "service fetches ranking features from the store for the ranker only.",
    ),
)
RANK_STORE = ["product_ctr_7d", "user_brand_affinity_90d"]
b7.n("app", "client_app", "Shop app", 0, 0, features=["query_text", "locale"])
b7.n("gw", "api_gateway", "API gateway", 1, 0)
b7.n("svc", "backend_service", "Search service", 2, 0)
b7.n("qt", "embedding_model", "Query tower", 3, 0)
b7.n("ann", "vector_index", "Product ANN index", 4, 0)
b7.n("rank", "ranking_service", "Ranker", 5, 0, features=["query_text", "locale", *RANK_STORE])
b7.n("fs", "feature_store", "Feature store", 2, 1, features=RANK_STORE)
b7.n("fp", "feature_pipeline", "Daily features", 1, 1, mode="batch")
b7.n("cat", "nosql_db", "Product catalogue", 4, 1)
b7.n("it", "embedding_model", "Item tower", 3, 1, features=["product_title", "category"])
b7.n("ev", "event_stream", "Search events (app)", 0, 1)
b7.n("lake", "data_lake", "Events lake", 0, 2)
b7.n("tt", "training_pipeline", "Two-tower training", 3, 2, task="retrieval")
b7.n(
    "rt",
    "training_pipeline",
    "Ranker training",
    5,
    2,
    task="ranking",
    features=["query_text", "locale", *RANK_STORE],
)
b7.n("teval", "offline_evaluation", "Recall@100", 3, 3, metrics=["recall@100"])
b7.n("treg", "model_registry", "Tower registry", 2, 3)
b7.n("reval", "offline_evaluation", "Ranker eval", 5, 3, metrics=["NDCG@10"])
b7.n("rreg", "model_registry", "Ranker registry", 6, 3)
b7.n("slog", "event_stream", "Served results", 6, 1)
b7.n("slake", "data_lake", "Served-results lake", 6, 2)
b7.e(
    "app>gw",
    "gw>svc",
    "fs>svc:ranking features",
    "svc>qt:query",
    "qt>ann",
    "ann>svc",
    "svc>rank",
    "rank>svc",
    "svc>gw",
    "gw>app",
    "cat>it",
    "it>ann:item vectors",
    "app>ev:search events",
    "ev>lake",
    "lake>tt",
    "cat>tt",
    "tt>teval",
    "teval>treg",
    "treg>qt",
    "treg>it",
    "lake>fp",
    "fp>fs",
    "fs>rt",
    "rank>slog",
    "slog>slake",
    "app>slog:clicks",
    "slake>rt",
    "rt>reval",
    "reval>rreg",
    "rreg>rank",
)
BOARDS.append(
    (
        b7,
        True,
        "A textbook two-tower: the query tower encodes the query, the item "
        "tower the catalogue, both from one training run; the store serves the ranker.",
    )
)

# --- Reading 2: new misses -----------------------------------------------------------------

# R2-a. The ranker computes user_ctr_7d itself from a Redis counter on the request path,
# training recomputes it in a Spark job over the lake; the store holds the other features.
# The impression log the ranker writes feeds the same lake, so the patch counts the ranker's
# list as "logged" and drops the store gap.
b5 = Draw(
    "red_store_gap_with_impression_log",
    "Feed ranking (a feature the store never holds, impression log beside it)",
    "senior",
    notes(
        data="user_ctr_7d is computed by the ranker from a Redis counter at request time; "
        "training computes it from the lake in Spark. The ranker logs impressions (item "
        "ids, scores, position) to Kafka.",
    ),
)
FEED = ["item_ctr_7d", "author_follower_count", "user_topic_affinity", "user_ctr_7d"]
b5.n("app", "client_app", "Feed app", 0, 0)
b5.n("gw", "api_gateway", "API gateway", 1, 0, features=["device_type", "local_hour"])
b5.n("rank", "ranking_service", "Feed ranker", 2, 0, features=["device_type", "local_hour", *FEED])
b5.n("fs", "feature_store", "Feature store", 2, 1, features=FEED[:3])
b5.n("fp", "feature_pipeline", "Daily features", 1, 1, mode="batch")
b5.n("imp", "event_stream", "Impression log (Kafka)", 3, 1)
b5.n("lake", "data_lake", "Events lake", 0, 1)
b5.n("join", "labeling", "Click labels", 3, 2)
b5.n(
    "train",
    "training_pipeline",
    "GBDT training",
    2,
    2,
    task="classification",
    features=["device_type", "local_hour", *FEED],
)
_plumbing(b5, "train", "rank", 5, 2, ["ROC-AUC", "log loss"])
b5.e(
    "app>gw",
    "gw>rank",
    "fs>rank",
    "rank>gw",
    "gw>app",
    "rank>imp:impressions",
    "app>lake:clicks",
    "imp>lake",
    "lake>fp",
    "fp>fs",
    "lake>join",
    "join>train",
    "fs>train",
)
BOARDS.append(
    (
        b5,
        False,
        "user_ctr_7d is computed one way by the ranker and another by "
        "training: the shared store does not hold it. The impression log carries ids "
        "and scores, not that feature.",
    )
)

# R2-b. The corpus's own flaw (notifications_ranking_store_gap): the push sender logs the
# sends after the ranker's answer passed through it, which the patch reads as a decision
# log holding the ranker's features.
b6 = Draw(
    "red_notif_store_gap_sends_log",
    "Push ranking (hours_since_last_push in no store; the sender logs sends)",
    "senior",
    notes(data="hours_since_last_push is computed by the Flink job on the fly."),
)
NF = ["user_open_rate_7d", "sender_affinity", "hours_since_last_push"]
b6.n("events", "event_stream", "Activity events", 0, 0)
b6.n("svc", "backend_service", "Notification service", 1, 0)
b6.n("rank", "ranking_service", "p(open) ranker", 2, 0, features=NF)
b6.n("push", "backend_service", "Push sender", 3, 0)
b6.n("app", "client_app", "Mobile app", 4, 0)
b6.n("fs", "feature_store", "Feature store", 2, 1, features=NF[:2])
b6.n("fp", "feature_pipeline", "Recency counters (Flink)", 1, 1, mode="streaming")
b6.n("opens", "event_stream", "Sends, opens", 0, 1)
b6.n("lake", "data_lake", "Engagement lake", 0, 2)
b6.n("join", "labeling", "Open joiner", 1, 2)
b6.n("train", "training_pipeline", "GBDT training", 2, 2, task="classification", features=NF)
_plumbing(b6, "train", "rank", 4, 2, ["ROC-AUC"])
b6.e(
    "app>events",
    "events>svc",
    "svc>rank",
    "fs>rank",
    "rank>push",
    "push>app",
    "push>opens:sent",
    "app>opens:opens",
    "opens>fp",
    "fp>fs",
    "opens>lake",
    "lake>join",
    "join>train",
    "fs>train",
)
BOARDS.append(
    (
        b6,
        False,
        "Training and the ranker both use hours_since_last_push; the "
        "shared store does not hold it, so the two can compute it differently.",
    )
)


@pytest.mark.parametrize("board,sound,why", BOARDS, ids=[b.slug for b, _, _ in BOARDS])
def test_feature_consistency_on_logged_and_written_features(board, sound, why):
    report = validate(parse(board.document()), board.level)
    found = [f.message for f in report.findings if f.rule == "feature-consistency"]
    if sound:
        assert not found, why
    else:
        assert found, why


@pytest.mark.parametrize(
    "feature,text,named",
    [
        ("bm25_score", "scores + bm25 per result", True),
        ("bm25_score", "bm25 per result", False),  # "score" is part of the name too
        ("listing_ctr_30d", "listing ids, positions", False),
        ("listing_ctr_30d", "served listing_ctr_30d", True),
        ("seller rating", "seller rating per row", True),
    ],
)
def test_a_log_names_a_feature_only_by_every_part_of_its_name(feature, text, named):
    from components.feature_check import _named

    words = set(re.findall(r"[a-z0-9]+", text))
    assert _named(feature, text, words) is named


def _ranker_logging(label: str) -> Draw:
    """A ranker that computes bm25_score on the request path and logs it into the stream
    training reads, beside a shared store that lists only the listing features."""
    b = Draw("log_names", "Search ranking, bm25 logged", "senior", notes())
    b.n("app", "client_app", "App", 0, 0)
    b.n("gw", "api_gateway", "Gateway", 1, 0)
    b.n("rank", "ranking_service", "Ranker", 2, 0, features=["bm25_score", "listing_ctr_30d"])
    b.n("fs", "feature_store", "Feature store", 2, 1, features=["listing_ctr_30d"])
    b.n("fp", "feature_pipeline", "Daily job", 3, 1, mode="batch", features=["listing_ctr_30d"])
    b.n("ev", "event_stream", "Kafka", 1, 2)
    b.n("lake", "data_lake", "Search log", 2, 2)
    b.n(
        "train",
        "training_pipeline",
        "LTR training",
        3,
        2,
        task="ranking",
        features=["bm25_score", "listing_ctr_30d"],
    )
    b.n("eval", "offline_evaluation", "Eval", 4, 2, metrics=["NDCG"])
    b.n("reg", "model_registry", "Registry", 4, 0)
    b.e(
        "app>gw",
        "gw>rank",
        "fs>rank",
        "rank>gw",
        "gw>app",
        f"rank>ev:{label}",
        "app>ev:clicks",
        "ev>lake",
        "lake>fp",
        "fp>fs",
        "lake>train",
        "fs>train",
        "train>eval",
        "eval>reg",
        "reg>rank",
    )
    return b


@pytest.mark.parametrize("label,skew", [("scores + bm25 per result", False), ("impressions", True)])
def test_a_feature_the_log_names_needs_no_store(label, skew):
    board = _ranker_logging(label)
    report = validate(parse(board.document()), board.level)
    found = [f.message for f in report.findings if f.rule == "feature-consistency"]
    assert bool(found) is skew, found
