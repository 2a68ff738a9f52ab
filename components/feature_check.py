"""feature-consistency for one (training pipeline, predictor) pair (framework.md §4,
rev. 2): do training and serving see the same features?

The pair is sound when their feature sources share a provider (a feature store, a
feature pipeline, a shared encoder), when the pipeline learns from the predictor's own
prediction log ("log and wait"), when both see the same request-time features, or when
neither reads a store or pipeline and the predictor serves every feature the pipeline
lists (both read the raw input). Two different stores on the two sides are skew whatever
else is shared. Then the listed features must be served, and a shared store that lists
features must hold the trained ones. docs/rules.md explains the reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from components.graph import DesignGraph

STORES = frozenset({"feature_store", "feature_pipeline"})


@dataclass(frozen=True)
class FeatureIssue:
    message: str
    nodes: tuple[str, ...]
    pipeline: str
    rank: tuple[int, int]  # lower is closer to sound: picks the model source to report


def _names(design: DesignGraph, node_ids: Iterable[str]) -> str:
    return ", ".join(design.name(n) for n in sorted(node_ids))


def feature_consistency_issue(
    design: DesignGraph, pipeline: str, predictor: str
) -> FeatureIssue | None:
    """What is wrong with the features of `pipeline` as served by `predictor`, or None.
    Computed once per board and pair: feature-consistency and logged-features-served both
    ask."""
    key = ("feature-consistency", pipeline, predictor)
    if key not in design.memo:
        design.memo[key] = _pair_issue(design, pipeline, predictor)
    return design.memo[key]  # type: ignore[return-value]


def _pair_issue(design: DesignGraph, pipeline: str, predictor: str) -> FeatureIssue | None:
    if _learns_from_log(design, pipeline, predictor):
        return None  # log and wait: training reads exactly what the predictor served
    trained_from = design.feature_sources_of(pipeline)
    served_from = design.feature_sources_of(predictor)
    types = design.types
    stores_t = {s for s in trained_from if types[s] in STORES}
    stores_p = {s for s in served_from if types[s] in STORES}
    trained = design.features(pipeline)
    served = design.features(predictor)
    rt_p = design.request_features_of_predictor(predictor)
    towers = _other_towers(design, pipeline, predictor)
    recomputed = {f for s in stores_t for f in design.features(s) or ()}
    shared = trained_from & served_from
    raw = (
        not stores_t
        and not stores_p
        and not (trained_from and served_from)
        and (trained is None or (served is not None and set(trained) <= set(served) | towers))
    )
    involved = (pipeline, predictor)
    rt_t: frozenset[str] = frozenset()
    rt_shared: frozenset[str] = frozenset()
    if not shared and not raw and rt_p and not (stores_t and stores_p):
        rt_t = design.logged_features_feeding(pipeline) - recomputed
        rt_shared = rt_t & rt_p
        if rt_shared and stores_p and not stores_t and trained is None:
            if _served_unseen(design, pipeline, predictor, rt_p | towers):
                rt_shared = frozenset()
    if not (shared or raw or rt_shared):
        return _no_shared_source(design, pipeline, predictor, stores_t, stores_p, trained, served)
    if not shared and not raw and trained and all(design.features(s) is not None for s in stores_t):
        # Only the request is shared: every feature training lists must come from the
        # logged request or a store of its own, or it is recomputed some other way.
        unsourced = [f for f in trained if f not in rt_t and f not in recomputed]
        if unsourced:
            where = f" (serving reads them from {_names(design, stores_p)})" if stores_p else ""
            return FeatureIssue(
                f"Training {design.name(pipeline)} lists {', '.join(unsourced)}, but nothing it "
                f"reads provides them{where}: feed it from the same feature store as "
                f"{design.name(predictor)}, so both see the same values.",
                (pipeline, predictor, *sorted(stores_p)),
                pipeline,
                (1, len(unsourced)),
            )
    if trained is not None and served is not None:
        serving_set = set(served) | rt_p | towers
        missing = [f for f in trained if f not in serving_set]
        if missing:
            return FeatureIssue(
                f"{design.name(predictor)} does not serve features its model was trained on "
                f"by {design.name(pipeline)}: {', '.join(missing)}. Add them to the "
                f"predictor's features{_shared_instead(design, shared, rt_shared)}.",
                involved,
                pipeline,
                (0, len(missing)),
            )
    listing = sorted(
        s for s in shared if types[s] == "feature_store" and design.features(s) is not None
    )
    if trained and listing:
        needed = [f for f in trained if f not in rt_p and f not in towers]
        if served is not None:
            # Training also reads a log the predictor writes that says what it carries: a
            # bandit's decisions with their context (all it lists), or features it names.
            logged = _logged_by_name(design, pipeline, predictor, served)
            needed = [f for f in needed if f not in logged]
        gaps = {s: [f for f in needed if f not in set(design.features(s) or ())] for s in listing}
        best = min(listing, key=lambda s: len(gaps[s]))
        if gaps[best] and not rt_t:  # logged request-time features need no store either
            rt_t = design.logged_features_feeding(pipeline) - recomputed
            gaps = {s: [f for f in gaps[s] if f not in rt_t] for s in listing}
            best = min(listing, key=lambda s: len(gaps[s]))
        if gaps[best]:
            return FeatureIssue(
                f"No shared feature store holds every feature {design.name(pipeline)} "
                f"trains on; {design.name(best)} lacks {', '.join(gaps[best])}. Add them to "
                "the feature store (request-time features need not be stored).",
                (*involved, best),
                pipeline,
                (0, len(gaps[best])),
            )
    return None


def logged_but_unserved(design: DesignGraph, predictor: str) -> tuple[str, list[str]] | None:
    """Features a log-and-wait pipeline trains on that its predictor never serves, as
    (pipeline, features), or None.

    framework.md spares a pipeline that learns from a predictor's own prediction log (and
    reads no store, pipeline or encoder) the listed-features checks: it learns from what was
    served. When both list features and training lists some the predictor neither lists
    nor gets with the request, they came from elsewhere: an outcome joined in later (label
    leakage) or a value only training computes. Of several such pipelines (a shared
    registry) the one whose list shares most with the predictor's is taken as its own. None
    when a model source fits without the exemption.
    """
    served = design.features(predictor)
    if served is None:
        return None
    serving_set = set(served) | design.request_features_of_predictor(predictor)
    logged = []
    for pipeline in sorted(design.model_sources_of(predictor)):
        if not _learns_from_log(design, pipeline, predictor):
            if feature_consistency_issue(design, pipeline, predictor) is None:
                return None
            continue
        trained = design.features(pipeline)
        if trained:
            shared = len(set(trained) & set(served))
            logged.append((-shared, pipeline, [f for f in trained if f not in serving_set]))
    if not logged:
        return None
    _, pipeline, missing = min(logged)
    return (pipeline, missing) if missing else None


def _learns_from_log(design: DesignGraph, pipeline: str, predictor: str) -> bool:
    """Log and wait: `pipeline` reads `predictor`'s prediction log and no store, pipeline
    or encoder, so it learns from exactly the features that predictor served."""
    return not design.feature_sources_of(pipeline) and predictor in design.logs_feeding(pipeline)


def _other_towers(design: DesignGraph, pipeline: str, predictor: str) -> set[str]:
    """For one tower (an embedding model) of a model: the features listed where else the
    model is deployed (its other towers, or a ranker behind the same registry that scores
    with it). A two-tower model splits its features: the item tower reads the catalogue,
    the query tower the request, so neither tower nor a store need hold the other's. When
    another tower lists nothing, how the model splits its features is unknown: every
    feature the pipeline lists may be that tower's."""
    if design.types[predictor] != "embedding_model":
        return set()
    found: set[str] = set()
    for other in design.deployments_of(pipeline) - {predictor}:
        listed = design.features(other)
        if listed is None and design.types[other] == "embedding_model":
            return set(design.features(pipeline) or ())
        found.update(listed or ())
    return found


def _shared_instead(
    design: DesignGraph, shared: AbstractSet[str], rt_shared: AbstractSet[str]
) -> str:
    """What the two sides already share, when it is not a feature store (so the fix is
    to the predictor's list, not a new store)."""
    encoders = sorted(s for s in shared if design.type_of(s) not in STORES)
    if shared and not encoders:
        return ""
    if encoders:
        return f" (training and serving already share {_names(design, encoders)})"
    if rt_shared:
        return (
            " (training and serving already share the request-time features "
            f"{', '.join(sorted(rt_shared))}, logged at serving time)"
        )
    return " (both read the raw input; no feature store is needed for that)"


def _no_shared_source(
    design: DesignGraph,
    pipeline: str,
    predictor: str,
    stores_t: set[str],
    stores_p: set[str],
    trained: list[str] | None,
    served: list[str] | None,
) -> FeatureIssue:
    t, p = design.name(pipeline), design.name(predictor)
    if stores_t and stores_p:
        fix = (
            f"training {t} reads {_names(design, stores_t)} but serving {p} reads "
            f"{_names(design, stores_p)}: feed both from the same feature store"
        )
        nodes = (pipeline, predictor, *sorted(stores_t | stores_p))
    elif stores_t:
        fix = (
            f"training {t} reads {_names(design, stores_t)}, which serving {p} never "
            "reads: read the same features at serving time (online store), or train on "
            "what the predictor logs"
        )
        nodes = (pipeline, predictor, *sorted(stores_t))
    elif stores_p:
        fix = (
            f"serving {p} reads {_names(design, stores_p)}, which training {t} never "
            "reads: train from the same store (its offline side)"
        )
        nodes = (pipeline, predictor, *sorted(stores_p))
    elif trained is not None and (served is None or not set(trained) <= set(served)):
        listed = ", ".join(f for f in trained if served is None or f not in set(served))
        fix = (
            f"{p} does not list {listed}, which {t} trains on: add them to the predictor's "
            "features, or feed both from one feature store"
        )
        nodes = (pipeline, predictor)
    else:
        fix = (
            f"training {t} and serving {p} read different encoders: share one encoder, or "
            "feed both from the same feature store"
        )
        nodes = (pipeline, predictor)
    return FeatureIssue(
        f"Training and serving read no common feature source, so their features can drift "
        f"apart (training/serving skew): {fix}.",
        nodes,
        pipeline,
        (1, 0),
    )


def _served_unseen(
    design: DesignGraph, pipeline: str, predictor: str, known: AbstractSet[str]
) -> bool:
    """Only the logged request is shared, training lists nothing, and serving also reads
    stores: whether the predictor lists features (besides `known`, the request-time ones
    and other towers') that training cannot have seen. It can have, and this is False,
    when training reads the predictor's own prediction log or anything else the predictor
    writes (a feature snapshot in an object store, a scored-rows joiner): those carry what
    was served. Only the predictor's own list is read: a store's list names what every
    reader of the store gets, not what this model uses."""
    served = design.features(predictor)
    if not served or not [f for f in served if f not in known]:
        return False
    if predictor in design.logs_feeding(pipeline):
        return False
    return not design.written_by(predictor) & design.feature_walk(pipeline)


# What a log's name or its edge's label says when it carries a decision's inputs.
CONTEXT_WORDS = ("context", "feature", "propensit", "decision")


def _logged_by_name(
    design: DesignGraph, pipeline: str, predictor: str, served: list[str]
) -> set[str]:
    """The features the predictor lists that a log it writes says it carries: it writes,
    by a direct edge, into an event stream or data lake that training's walk meets, and
    the edge's label or the log's name says so. All of them when it names the decision's
    context ("decision log (context, action, propensity)", "score + features"); those it
    names otherwise ("scores + bm25 per result": bm25_score). An impression log (ids,
    scores, positions) carries none: a feature training computes that the shared store
    lacks is then skew, as it is without a log."""
    walk = design.feature_walk(pipeline)
    found: set[str] = set()
    for edge in design.board.edges:
        if edge.source != predictor or edge.target not in walk:
            continue
        if design.type_of(edge.target) not in ("event_stream", "data_lake"):
            continue
        text = f"{edge.label} {design.nodes[edge.target].label}".lower()
        if any(word in text for word in CONTEXT_WORDS):
            return set(served)
        words = set(re.findall(r"[a-z0-9]+", text))
        found.update(f for f in served if _named(f, text, words))
    return found


def _named(feature: str, text: str, words: set[str]) -> bool:
    """Whether `text` names the feature: whole (with "_" or spaces), or every part of its
    name as a word, singular or plural ("scores + bm25 per result": bm25_score; "listing
    ids" names no listing_ctr_30d)."""
    name = feature.lower()
    if name in text or name.replace("_", " ") in text:
        return True
    parts = [part for part in re.split(r"[_\s]+", name) if part]
    return bool(parts) and all(
        part in words or f"{part}s" in words or (part.endswith("s") and part[:-1] in words)
        for part in parts
    )
