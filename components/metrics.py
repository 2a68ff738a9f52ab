"""Metric names (framework.md §4, rev. 2): which listed metric is which known one.

A known name matches when it appears in the listed name as whole words, case-
insensitively, ignoring `@…` cut-offs, hyphens and qualifiers: `NDCG@10`, `ROC-AUC per
head` and `log loss (calibrated)` are NDCG, ROC-AUC and log loss. On an A/B test the
online reading wins: a metric there is offline only when its head (the words before a
qualifier such as "per", "of", "@" or a parenthesis) *is* a known offline name, so
"auction win rate" or "precision of the feed as users rate it" stay online.
docs/rules.md lists the vocabulary and our additions to framework.md's.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Canonical offline metric -> the spellings read as it (each a phrase of words).
OFFLINE_SPELLINGS: dict[str, tuple[str, ...]] = {
    "precision": ("precision",),
    "recall": ("recall",),
    "F1": ("f1", "f1 score", "f score", "f measure"),
    "ROC-AUC": ("roc auc", "rocauc", "auc roc", "aucroc", "auroc", "auc"),
    "PR-AUC": ("pr auc", "prauc", "auc pr", "aucpr", "auprc", "average precision"),
    "accuracy": ("accuracy", "top k accuracy", "top 1 accuracy"),
    "log loss": ("log loss", "logloss", "cross entropy", "crossentropy", "bce"),
    "normalized entropy": (
        "normalized entropy",
        "normalised entropy",
        "normalized cross entropy",
        "normalised cross entropy",
        "ne",
        "nce",
    ),
    "calibration": ("calibration", "calibration error", "ece", "expected calibration error"),
    "Brier score": ("brier", "brier score"),
    # Detection-as-classification rates (wake words, alarms): misses and false alarms.
    "false reject rate": (
        "false reject rate",
        "false rejection rate",
        "frr",
        "miss rate",
        "false negative rate",
        "fnr",
    ),
    "false accept rate": (
        "false accept rate",
        "false acceptance rate",
        "far",
        "false accepts",
        "false alarm rate",
        "false alarms",
        "false positive rate",
        "fpr",
    ),
    "DET curve": ("det", "det curve", "eer", "equal error rate"),
    "NDCG": ("ndcg", "normalized discounted cumulative gain", "dcg"),
    "MRR": ("mrr", "mean reciprocal rank"),
    "mAP": ("map", "mean average precision"),
    "hit rate": ("hit rate", "hitrate", "hits"),
    "MAE": ("mae", "mean absolute error"),
    "MSE": ("mse", "mean squared error", "mean square error"),
    "RMSE": ("rmse", "root mean squared error", "root mean square error", "rmsle"),
    "MAPE": ("mape", "mean absolute percentage error"),
    "sMAPE": ("smape", "symmetric mape"),
    "WAPE": ("wape", "wmape", "weighted absolute percentage error"),
    "MASE": ("mase",),
    "R2": ("r2", "r²", "r squared"),
    "pinball loss": ("pinball loss", "pinball", "quantile loss"),
    "AP": ("ap",),
    "IoU": ("iou", "miou", "intersection over union"),
    "Dice": ("dice", "dice score"),
    "BLEU": ("bleu",),
    "ROUGE": ("rouge", "rouge l"),
    "perplexity": ("perplexity",),
    "human evaluation": ("human evaluation", "human eval", "human rating", "human ratings"),
    "BERTScore": ("bertscore",),
    "exact match": ("exact match",),
    "faithfulness": ("faithfulness", "groundedness"),
    "WER": ("wer", "word error rate"),
    "CER": ("cer", "character error rate"),
    "chrF": ("chrf", "chrf++", "comet", "ter"),
    "CIDEr": ("cider",),
    "SPICE": ("spice",),
    "METEOR": ("meteor",),
    # Uplift (treatment-effect) models: not bare "uplift", which on an A/B test is the
    # online effect being measured ("conversion uplift").
    "Qini": ("qini", "qini coefficient", "qini curve", "auuc", "area under the uplift curve"),
    "uplift at k": ("uplift at k", "uplift in top decile", "top decile uplift", "uplift curve"),
}

_RANKING = ("NDCG", "MRR", "mAP", "recall", "precision", "hit rate", "ROC-AUC")
_CLASSIFICATION = (
    "precision",
    "recall",
    "F1",
    "ROC-AUC",
    "PR-AUC",
    "accuracy",
    "log loss",
    "normalized entropy",
    "calibration",
    "Brier score",
    "false reject rate",
    "false accept rate",
    "DET curve",
    "Qini",
    "uplift at k",
)
_DETECTION = ("mAP", "AP", "IoU", "Dice", "precision", "recall", "F1")
# Task -> the canonical metrics fit for it; a task missing here accepts any metric.
TASK_METRICS: dict[str, tuple[str, ...]] = {
    # A pointwise classifier that ranks is judged by ranking metrics too, and a pointwise
    # ranker by the classification ones (log loss, NE, calibration of a CTR model).
    "classification": _CLASSIFICATION + ("NDCG", "MRR", "mAP", "hit rate"),
    "ranking": _RANKING + ("log loss", "normalized entropy", "calibration", "PR-AUC"),
    "retrieval": _RANKING,
    "regression": ("MAE", "MSE", "RMSE", "MAPE", "sMAPE", "WAPE", "MASE", "R2", "pinball loss"),
    "detection": _DETECTION,
    "segmentation": _DETECTION,
    "generation": (
        "BLEU",
        "ROUGE",
        "perplexity",
        "human evaluation",
        "BERTScore",
        "exact match",
        "faithfulness",
        "WER",
        "CER",
        "chrF",
        "CIDEr",
        "SPICE",
        "METEOR",
    ),
}
# What the offline-metrics message suggests per task (a few, most common first).
SUGGESTIONS: dict[str, tuple[str, ...]] = {
    "classification": ("ROC-AUC", "PR-AUC", "log loss"),
    "ranking": ("NDCG@k", "MRR", "ROC-AUC"),
    "retrieval": ("recall@k", "NDCG@k", "MRR"),
    "regression": ("MAE", "RMSE", "MAPE"),
    "detection": ("mAP", "IoU", "recall"),
    "segmentation": ("IoU", "Dice", "mAP"),
    "generation": ("human evaluation", "ROUGE", "perplexity"),
}

# Spelling (as a tuple of words) -> canonical name.
_PHRASES: dict[tuple[str, ...], str] = {
    tuple(spelling.split()): canonical
    for canonical, spellings in OFFLINE_SPELLINGS.items()
    for spelling in spellings
}
_LONGEST = max(len(p) for p in _PHRASES)
_CUTOFF = re.compile(r"@\s*[\w.]+")
_QUALIFIER = re.compile(r"\(|\[|,|;|@|\b(?:per|of|on|for|by|at|in|over|across|vs)\b")


def words(name: str) -> tuple[str, ...]:
    """The words of a metric name: lower case, cut-offs (`@10`) dropped, hyphens,
    underscores, slashes and other punctuation read as spaces."""
    text = _CUTOFF.sub(" ", name.lower())
    return tuple(re.findall(r"[^\W_]+", text))


@lru_cache(maxsize=4096)  # boards repeat a handful of metric names many times
def offline_names(name: str) -> frozenset[str]:
    """The known offline metrics named in `name` as whole words (canonical names)."""
    found: set[str] = set()
    seq = words(name)
    for start in range(len(seq)):
        for size in range(1, min(_LONGEST, len(seq) - start) + 1):
            canonical = _PHRASES.get(seq[start : start + size])
            if canonical:
                found.add(canonical)
    return frozenset(found)


@lru_cache(maxsize=4096)
def is_online(name: str) -> bool:
    """Whether a metric listed on an A/B test is an online one: anything but a metric
    whose head (before any qualifier) is exactly a known offline name."""
    head = _QUALIFIER.split(_CUTOFF.sub("@", name.lower()), maxsplit=1)[0]
    seq = words(head)
    return bool(words(name)) and seq not in _PHRASES


def fits(task: str | None, name: str) -> bool:
    """Whether a listed metric fits a training task (any metric for a task with no
    vocabulary: `other`, none, or one we do not know)."""
    family = TASK_METRICS.get(task) if isinstance(task, str) else None
    if family is None:
        return bool(words(name))
    return bool(offline_names(name) & set(family))


def normalise_metric(name: str) -> str:
    """A metric name as a plain comparable string (lower-case words joined by spaces)."""
    return " ".join(words(name))
