"""The component catalogue against framework.md §2: types, categories, props, connections."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from components.catalogue import (
    ALLOWED_CONNECTIONS,
    CATEGORIES,
    COMPONENT_TYPES,
    DATA_SOURCES,
    FEATURE_PROVIDERS,
    HOLDER_TYPES,
    MONITORING_SIGNALS,
    PREDICTORS,
    REQUEST_FEATURE_TYPES,
    allowed_targets,
    catalogue_as_json,
    category_of,
    connection_refusal,
    types_by_category,
)
from components.steps import STEP_KEYS

# framework.md §2, written out independently of the catalogue: type id -> category.
FRAMEWORK_TYPES = {
    "client_app": "client",
    "event_stream": "data",
    "stream_processor": "data",
    "data_lake": "data",
    "nosql_db": "data",
    "object_store": "data",
    "batch_etl": "data",
    "labeling": "data",
    "feature_pipeline": "features",
    "feature_store": "features",
    "embedding_model": "features",
    "vector_index": "features",
    "training_pipeline": "training",
    "hyperparameter_tuning": "training",
    "offline_evaluation": "training",
    "model_registry": "training",
    "api_gateway": "serving",
    "load_balancer": "serving",
    "inference_service": "serving",
    "batch_scorer": "serving",
    "prediction_store": "serving",
    "cache": "serving",
    "candidate_generation": "serving",
    "ranking_service": "serving",
    "reranking_service": "serving",
    "drift_monitor": "monitoring",
    "metrics_dashboard": "monitoring",
    "ab_testing": "monitoring",
    "feedback_collector": "monitoring",
    "retraining_trigger": "monitoring",
    "alerting": "monitoring",
    # rev. 2
    "backend_service": "serving",
    "search_index": "features",
    "data_validation": "monitoring",
    "orchestrator": "training",
    "note": "annotation",
}

# framework.md §2 props column: type id -> {prop: kind}.
FRAMEWORK_PROPS = {
    "client_app": {"features": "string_list"},
    "feature_pipeline": {"mode": "choice", "features": "string_list"},
    "feature_store": {"features": "string_list"},
    "embedding_model": {"features": "string_list", "replicas": "integer"},
    "training_pipeline": {
        "task": "choice",
        "mode": "choice",
        "model": "string",
        "features": "string_list",
    },
    "offline_evaluation": {"metrics": "string_list"},
    "api_gateway": {"features": "string_list"},
    "inference_service": {"features": "string_list", "replicas": "integer"},
    "batch_scorer": {"schedule": "string", "features": "string_list"},
    "cache": {"ttl_seconds": "integer"},
    "ranking_service": {"features": "string_list", "replicas": "integer"},
    "ab_testing": {"metrics": "string_list"},
    "backend_service": {"features": "string_list"},
    "orchestrator": {"schedule": "string"},
}
# The project's extension (docs/rules.md): a predictor may name the pretrained or hosted
# model it serves when no training pipeline on the board trains it.
for _type in ("inference_service", "ranking_service", "batch_scorer", "embedding_model"):
    FRAMEWORK_PROPS[_type] = {**FRAMEWORK_PROPS[_type], "model": "string"}

# framework.md §2 category table: "allowed", "forbidden" or "-" (the catalogue's call).
_ROWS = ["client", "data", "features", "training", "serving", "monitoring"]
_TABLE = """
client     -  A  -  F  A  A
data       F  A  A  A  A  A
features   -  -  A  A  A  A
training   F  A  A  A  A  A
serving    A  A  A  -  A  A
monitoring -  A  -  A  A  A
"""
CATEGORY_TABLE: dict[tuple[str, str], str] = {}
for _line in _TABLE.strip().splitlines():
    _source, *_cells = _line.split()
    for _target, _cell in zip(_ROWS, _cells, strict=True):
        CATEGORY_TABLE[(_source, _target)] = _cell

REAL_TYPES = [t for t in FRAMEWORK_TYPES if t != "note"]


def _types_in(category: str) -> list[str]:
    return [t for t, c in FRAMEWORK_TYPES.items() if c == category]


def _pairs(mark: str) -> list[tuple[str, str]]:
    return [
        (s, t)
        for (sc, tc), cell in CATEGORY_TABLE.items()
        if cell == mark
        for s in _types_in(sc)
        for t in _types_in(tc)
    ]


def test_table_transcription_is_complete():
    assert len(CATEGORY_TABLE) == 36
    assert sum(cell == "F" for cell in CATEGORY_TABLE.values()) == 3


def test_every_framework_type_exists_with_its_category():
    for type_id, category in FRAMEWORK_TYPES.items():
        assert type_id in COMPONENT_TYPES, type_id
        assert COMPONENT_TYPES[type_id].category == category, type_id
        assert category_of(type_id) == category


def test_catalogue_has_no_types_beyond_the_framework():
    assert set(COMPONENT_TYPES) == set(FRAMEWORK_TYPES)


def test_every_type_has_a_known_category_title_and_step():
    for component_type in COMPONENT_TYPES.values():
        assert component_type.category in CATEGORIES
        assert component_type.title and component_type.description
        if component_type.id == "note":
            assert component_type.step is None
        else:
            assert component_type.step in STEP_KEYS, component_type.id


@pytest.mark.parametrize("type_id", sorted(FRAMEWORK_TYPES))
def test_props_match_the_framework(type_id):
    expected = FRAMEWORK_PROPS.get(type_id, {})
    actual = {name: spec.kind for name, spec in COMPONENT_TYPES[type_id].props_by_name.items()}
    assert actual == expected


def test_prop_choices():
    specs = COMPONENT_TYPES["training_pipeline"].props_by_name
    assert set(specs["task"].choices) == {
        "classification",
        "regression",
        "ranking",
        "retrieval",
        "detection",
        "segmentation",
        "generation",
        "other",
    }
    assert set(specs["mode"].choices) == {"batch", "online"}
    assert set(COMPONENT_TYPES["feature_pipeline"].props_by_name["mode"].choices) == {
        "batch",
        "streaming",
    }
    assert COMPONENT_TYPES["inference_service"].props_by_name["replicas"].minimum == 1


def test_roles():
    assert PREDICTORS == {"inference_service", "ranking_service", "batch_scorer"}
    assert DATA_SOURCES == {
        "event_stream",
        "data_lake",
        "nosql_db",
        "object_store",
        "labeling",
        "feedback_collector",
    }
    # rev. 2: a shared encoder is shared preprocessing.
    assert FEATURE_PROVIDERS == {"feature_store", "feature_pipeline", "embedding_model"}
    assert HOLDER_TYPES == {"prediction_store", "cache", "nosql_db", "feature_store"}
    assert MONITORING_SIGNALS == {
        "retraining_trigger",
        "alerting",
        "metrics_dashboard",
        "ab_testing",
        "drift_monitor",
    }
    assert REQUEST_FEATURE_TYPES == {"client_app", "api_gateway", "backend_service"}


@pytest.mark.parametrize("source,target", _pairs("A"))
def test_allowed_category_pairs_are_allowed_for_every_type_pair(source, target):
    assert connection_refusal(source, target) is None
    assert target in ALLOWED_CONNECTIONS[source]
    assert target in allowed_targets(source)


@pytest.mark.parametrize("source,target", _pairs("F"))
def test_forbidden_category_pairs_are_refused(source, target):
    refusal = connection_refusal(source, target)
    assert refusal is not None
    assert COMPONENT_TYPES[source].title in refusal
    assert COMPONENT_TYPES[target].title in refusal
    assert target not in ALLOWED_CONNECTIONS.get(source, ())
    assert target not in allowed_targets(source)


def test_forbidden_pairs_explain_how_to_fix():
    assert "event stream" in connection_refusal("client_app", "training_pipeline")
    assert "predictor" in connection_refusal("data_lake", "client_app")
    assert "registry" in connection_refusal("model_registry", "client_app")


def test_the_forbidden_pairs_the_rules_name():
    # connection-allowed (§4): client -> training, training/data -> client.
    for training in _types_in("training"):
        assert training not in ALLOWED_CONNECTIONS.get("client_app", ())
        assert "client_app" not in ALLOWED_CONNECTIONS.get(training, ())
    for data in _types_in("data"):
        assert "client_app" not in ALLOWED_CONNECTIONS.get(data, ())


@pytest.mark.parametrize("other", sorted(FRAMEWORK_TYPES))
def test_notes_connect_to_anything(other):
    assert connection_refusal("note", other) is None
    assert connection_refusal(other, "note") is None
    assert "note" in ALLOWED_CONNECTIONS[other]
    assert other in ALLOWED_CONNECTIONS["note"]


def test_dash_cells_are_decided_per_type():
    # Judged dashes: some type pairs allowed, others refused in the same cell.
    assert connection_refusal("feature_store", "data_lake") is None
    assert connection_refusal("feature_store", "event_stream") is not None
    assert connection_refusal("ab_testing", "client_app") is None
    assert connection_refusal("alerting", "client_app") is not None
    assert connection_refusal("client_app", "embedding_model") is None
    assert connection_refusal("client_app", "feature_store") is not None
    assert connection_refusal("data_validation", "feature_pipeline") is None
    assert connection_refusal("data_validation", "vector_index") is not None
    # Dashes with no judged exception stay closed.
    assert connection_refusal("client_app", "client_app") is not None
    assert connection_refusal("inference_service", "training_pipeline") is not None
    assert connection_refusal("feature_store", "client_app") is not None


def test_unknown_types_are_refused_by_name():
    assert "warp_drive" in connection_refusal("warp_drive", "cache")
    assert "warp_drive" in connection_refusal("cache", "warp_drive")
    assert "cache" not in ALLOWED_CONNECTIONS.get("warp_drive", ())


def test_allowed_connections_agree_with_refusal():
    for source in COMPONENT_TYPES:
        for target in COMPONENT_TYPES:
            assert (target in ALLOWED_CONNECTIONS[source]) == (
                connection_refusal(source, target) is None
            )


def test_palette_groups_every_type_once():
    grouped = types_by_category()
    assert set(grouped) == set(CATEGORIES)
    listed = [t.id for group in grouped.values() for t in group]
    assert sorted(listed) == sorted(COMPONENT_TYPES)
    assert all(t.category == key for key, group in grouped.items() for t in group)


def test_catalogue_as_json_is_serialisable_and_complete():
    data = catalogue_as_json()
    decoded = json.loads(json.dumps(data))
    assert decoded == data
    assert set(decoded["types"]) == set(COMPONENT_TYPES)
    assert set(decoded["categories"]) == set(CATEGORIES)
    for type_id, entry in decoded["types"].items():
        assert entry["category"] == FRAMEWORK_TYPES[type_id]
        assert entry["colour"] == decoded["categories"][entry["category"]]["colour"]
        assert entry["targets"] == sorted(ALLOWED_CONNECTIONS[type_id])
        assert {p["name"] for p in entry["props"]} == set(FRAMEWORK_PROPS.get(type_id, {}))
    assert decoded["types"]["training_pipeline"]["props"][0]["choices"][0] == "classification"


def test_the_browser_gets_limits_levels_scores_and_hints_from_here():
    """One source of truth: what the editor checks before sending comes from Python."""
    from components import document
    from components.case_studies import SCORES
    from components.operations import MAX_BATCH

    data = catalogue_as_json()
    assert data["limits"]["batch"] == MAX_BATCH
    assert data["limits"]["label"] == document.MAX_LABEL
    assert data["limits"]["list_items"] == document.MAX_LIST_ITEMS
    assert data["levels"] == list(document.LEVELS) and data["scores"] == list(SCORES)
    refused = connection_refusal("client_app", "training_pipeline")
    assert refused is not None and refused.endswith(data["refusal_hints"]["client>training"])


def test_no_browser_module_keeps_its_own_copy_of_a_limit():
    """static/js reads limits from the catalogue JSON; a literal copy would drift."""
    static = Path(__file__).resolve().parents[2] / "static" / "js"
    for path in static.glob("*.js"):
        text = path.read_text()
        assert "MAX_BATCH =" not in text and "const LEVELS" not in text, path.name
        assert "WHY_NOT" not in text, f"{path.name} keeps its own refusal hints"
        # A field's length limit is the catalogue's too (the label editor had maxlength 200).
        literal = re.search(r"maxlength[\"']?\s*[:=]\s*[\"']?\d", text, re.I)
        assert literal is None, f"{path.name} writes a length limit of its own"


def test_docs_list_the_judged_dash_cells():
    """docs/rules.md's table of dash-cell refinements matches the catalogue."""
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "rules.md").read_text()
    table = text.split("## The catalogue's refinement of the dash cells", 1)[1]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert rows
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        source = cells[0].split("`")[1]
        category = cells[1]
        documented = {t.strip("` ") for t in cells[2].split(",") if t.strip() != "none"}
        actual = {
            t for t in ALLOWED_CONNECTIONS[source] if category_of(t) == category and t != "note"
        }
        assert documented == actual, (source, category)
        assert CATEGORY_TABLE[(category_of(source), category)] == "-"
