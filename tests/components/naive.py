"""Naive transcriptions of framework.md §2 and §4 (revision 2): one plain walk per node,
no views, no condensation. Slow and obviously right; components/graph.py must agree
with them on random boards (test_properties.py, test_bench_equivalence.py)."""

from __future__ import annotations

from components.catalogue import COMPONENT_TYPES, NOTE
from components.document import Board

FIXED_PREDICTORS = {"inference_service", "ranking_service", "batch_scorer"}
PROVIDERS = {"feature_store", "feature_pipeline", "embedding_model"}
SIGNALS = {"retraining_trigger", "alerting", "metrics_dashboard", "ab_testing", "drift_monitor"}
PLUMBING = {"model_registry", "offline_evaluation", "hyperparameter_tuning", "orchestrator"}
HOLDER_TYPES = {"prediction_store", "cache", "nosql_db", "feature_store"}
LABELS = {"labeling", "feedback_collector"}


class Naive:
    def __init__(self, board: Board) -> None:
        self.types = {n.id: n.type for n in board.nodes if n.type != NOTE}
        self.succ: dict[str, set[str]] = {n: set() for n in self.types}
        self.pred: dict[str, set[str]] = {n: set() for n in self.types}
        for e in board.edges:
            if e.source in self.types and e.target in self.types:
                source, target = e.source, e.target
                # The project's extension (docs/rules.md, "Pulling the model"): a
                # predictor's arrow to a registry is read as the model flowing back.
                if (
                    self.types[source] in FIXED_PREDICTORS
                    and self.types[target] == "model_registry"
                ):
                    source, target = target, source
                self.succ[source].add(target)
                self.pred[target].add(source)

    def category(self, node: str) -> str:
        return COMPONENT_TYPES[self.types[node]].category

    def walk(self, start: str, passable, *, backward: bool = False) -> set[str]:
        """Nodes met from `start` (length one or more), going on only through passable."""
        step = self.pred if backward else self.succ
        met, walked, frontier = set(), {start}, [start]
        while frontier:
            for nxt in step[frontier.pop()]:
                met.add(nxt)
                if nxt not in walked and passable(nxt):
                    walked.add(nxt)
                    frontier.append(nxt)
        return met

    def predictors(self) -> set[str]:
        found = {n for n, t in self.types.items() if t in FIXED_PREDICTORS}
        for n, t in self.types.items():
            if t == "embedding_model" and any(
                self.category(u) in ("serving", "client") for u in self.pred[n]
            ):
                found.add(n)
        return found

    def holders(self) -> set[str]:
        first, reviews = set(), set()
        for p in self.predictors():
            written = self.walk(p, lambda n: self.category(n) == "serving")
            first |= {n for n in written if self.types[n] in HOLDER_TYPES}
            # A review queue that publishes what it approves holds them (docs/rules.md).
            reviews |= {n for n in written if self.types[n] == "labeling" and self.publishes(n)}
        found = first | reviews
        for r in reviews:
            published = self.walk(
                r, lambda n: self.types[n] in HOLDER_TYPES or self.types[n] == "event_stream"
            )
            first |= {n for n in published if self.types[n] in HOLDER_TYPES}
        found |= first
        for h in first:
            found |= {
                n
                for n in self.walk(
                    h, lambda n: self.category(n) == "data" or self.types[n] in HOLDER_TYPES
                )
                if self.types[n] in HOLDER_TYPES
            }
        # Batch scores copied through data components into a serving component.
        for scorer in (n for n, t in self.types.items() if t == "batch_scorer"):
            found |= {
                n
                for n in self.walk(scorer, lambda n: self.category(n) == "data")
                if self.category(n) == "serving"
                and self.types[n] not in ("api_gateway", "load_balancer")
                and n not in self.predictors()
            }
        return found

    def publishes(self, review: str) -> bool:
        for v in self.succ[review]:
            if self.types[v] in ("prediction_store", "cache", "nosql_db", "event_stream"):
                return True
            if self.category(v) == "serving" and review not in self.succ[v]:
                return True
        return False

    def feature_sources(self, node: str) -> set[str]:
        predictors = self.predictors()
        trainers = self.trainers()
        stops = {"training_pipeline", "model_registry", "client_app"} | SIGNALS

        def passable(n: str) -> bool:
            return n not in predictors and n not in trainers and self.types[n] not in stops

        return {m for m in self.walk(node, passable, backward=True) if self.types[m] in PROVIDERS}

    def trainers(self) -> set[str]:
        pipelines = {n for n, t in self.types.items() if t == "training_pipeline"}
        if pipelines:
            return pipelines
        # No training pipeline: an orchestrator fed data, features or labels trains.
        return {
            n
            for n, t in self.types.items()
            if t == "orchestrator"
            and any(self.category(u) == "features" or self.types[u] in LABELS for u in self.pred[n])
        }

    def model_sources(self, node: str) -> set[str]:
        trainers = self.trainers()
        writers = {n for n, t in self.types.items() if t in PLUMBING} | trainers
        # Object stores (model files) and backend services (rollouts) a writer writes into.
        carriers = {
            n
            for n, t in self.types.items()
            if self.pred[n] & writers
            and (
                t == "object_store"
                or t == "backend_service"
                and not any(self.category(u) in ("serving", "client") for u in self.pred[n])
            )
        }
        return {
            m
            for m in self.walk(
                node, lambda n: self.types[n] in PLUMBING or n in carriers, backward=True
            )
            if m in trainers
        }

    def serving_loop_holds(self) -> bool:
        predictors = self.predictors()
        holders = self.holders()
        answerers = predictors | holders
        corridor = (
            holders
            | predictors
            | {n for n in self.types if self.category(n) == "serving"}
            | {n for n, t in self.types.items() if t in ("vector_index", "search_index")}
        )
        for client in (n for n, t in self.types.items() if t == "client_app"):
            for answerer in self.walk(client, lambda n: True) & answerers:
                if client in self.walk(answerer, lambda n: n in corridor):
                    return True
        return False
