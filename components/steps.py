"""The seven steps of an ML system design interview (framework.md §1).

Every worksheet section and every validator finding is keyed by one of these steps.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    title: str
    prompt: str


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "requirements",
        "Requirements",
        "Business goal, users, scale (QPS, data volume), latency budget, constraints.",
    ),
    Step(
        2,
        "framing",
        "Framing",
        "Input and output, the ML category (classification, ranking, ...), the objective.",
    ),
    Step(
        3,
        "data",
        "Data",
        "Sources and storage, labels, static and dynamic features, pipelines, feature store.",
    ),
    Step(4, "model", "Model", "Model choice and architecture, training pipeline, model registry."),
    Step(
        5,
        "evaluation",
        "Evaluation",
        "Offline metrics (NDCG, ROC-AUC, RMSE, ...) and online metrics from A/B tests.",
    ),
    Step(6, "serving", "Serving", "Online versus batch prediction, API gateway, caching, scaling."),
    Step(
        7,
        "monitoring",
        "Monitoring",
        "Drift monitoring, dashboards, alerting, feedback collection and retraining.",
    ),
)

STEP_KEYS: tuple[str, ...] = tuple(step.key for step in STEPS)
