"""The interview case studies: all ten load, each reference design passes the staff profile
with no finding but the ones it acknowledges (each with a reason), its notes show rollout,
fallback, sizing and data pitfalls, every level has the interviewer's material, the
questions, hints and rubric are complete, and compare() tells what a candidate's board
lacks, by role."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import components.case_studies as case_studies
from components.case_studies import (
    DATA_DIR,
    LEVELS,
    CaseStudyError,
    compare,
    load_directory,
    load_file,
    load_rubric,
)
from components.catalogue import COMPONENT_TYPES, PREDICTORS
from components.document import Board, dump
from components.report import validate
from components.rules import RULES
from components.steps import STEP_KEYS
from tests.conftest import build

SLUGS = (
    "visual-search",
    "street-view-blurring",
    "video-search",
    "harmful-content-detection",
    "video-recommendation",
    "event-recommendation",
    "ad-click-prediction",
    "similar-listings",
    "personalized-news-feed",
    "people-you-may-know",
)
# The grid reference designs are drawn on (docs/case_studies.md): cards are 184 x 60 px.
GRID_X, GRID_Y, ORIGIN = 220, 140, 80
MAX_LABEL = 20  # longer labels are cut off on a card


def study(slug: str):
    found = case_studies.get(slug)
    assert found is not None, slug
    return found


# --- loading ------------------------------------------------------------------------------


def test_all_ten_load():
    studies = case_studies.load_all()
    assert sorted(studies) == sorted(SLUGS)
    for slug, loaded in studies.items():
        assert loaded.slug == slug
        assert isinstance(loaded.reference, Board)


def test_load_all_is_cached_but_hands_out_its_own_dict():
    first, second = case_studies.load_all(), case_studies.load_all()
    assert first is not second
    assert all(first[slug] is second[slug] for slug in SLUGS)
    first.clear()
    assert sorted(case_studies.load_all()) == sorted(SLUGS)


def test_get_unknown_slug_is_none():
    assert case_studies.get("no-such-problem") is None


def test_fresh_reference_is_a_private_copy():
    loaded = study("visual-search")
    copy = loaded.fresh_reference()
    assert dump(copy) == dump(loaded.reference)
    copy.nodes.clear()
    assert loaded.reference.nodes


def test_to_dict_is_plain_json():
    data = study("ad-click-prediction").to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "slug",
        "title",
        "summary",
        "prompt",
        "questions",
        "hints",
        "reference",
        "acknowledged",
        "interviewer",
    }
    assert "reference" not in study("ad-click-prediction").to_dict(with_reference=False)


# --- reference designs --------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_reference_passes_staff_with_only_acknowledged_findings(slug):
    loaded = study(slug)
    report = validate(loaded.reference, "staff")
    acknowledged = {a["rule"] for a in loaded.acknowledged}
    unexpected = [(f.rule, f.message) for f in report.findings if f.rule not in acknowledged]
    assert unexpected == []
    # Each acknowledged finding still fires (no stale excuse) and is not an error.
    assert acknowledged <= {f.rule for f in report.findings}
    assert all(RULES[rule].severity != "error" for rule in acknowledged)
    assert all(len(a["why"]) > 40 for a in loaded.acknowledged)
    assert report.passed
    assert all(step.covered for step in report.steps), [
        s.key for s in report.steps if not s.covered
    ]


@pytest.mark.parametrize("slug", SLUGS)
def test_reference_notes_show_rollout_fallback_sizing_and_pitfalls(slug):
    notes = study(slug).reference.notes
    serving = notes["serving"].lower()
    for word in ("sizing", "rollout", "shadow", "rollback", "fallback"):
        assert word in serving, word
    # The arithmetic starts from the prompt's own load figure.
    assert re.search(r"\d[\d,.]*(k|m)? [a-z ]*(/s|a day)", serving), serving
    assert "pitfall" in notes["data"].lower()


def test_references_differ_where_problems_differ():
    """No two references are the same skeleton: their (source type, target type) edge
    sets overlap by less than 80%."""
    pairs = {}
    for slug in SLUGS:
        board = study(slug).reference
        types = {n.id: n.type for n in board.nodes}
        pairs[slug] = {(types[e.source], types[e.target]) for e in board.edges}
    for i, a in enumerate(SLUGS):
        for b in SLUGS[i + 1 :]:
            overlap = len(pairs[a] & pairs[b]) / len(pairs[a] | pairs[b])
            assert overlap < 0.8, (a, b, round(overlap, 2))


def test_the_named_revision_2_fixes_hold():
    street = study("street-view-blurring")
    assert "ab_testing" not in {n.type for n in street.reference.nodes}
    assert "classification" not in street.reference.notes["framing"].lower().split("not ")[0]
    evaluation = street.reference.notes["evaluation"]
    assert "No A/B test" in evaluation and "engagement with the imagery" not in evaluation
    harmful = study("harmful-content-detection")
    (ab,) = [n for n in harmful.reference.nodes if n.type == "ab_testing"]
    assert not any("engagement" in m for m in ab.props["metrics"])
    assert "request time" in harmful.reference.notes["data"]
    events = study("event-recommendation")
    text = " ".join(events.reference.notes.values()) + json.dumps(
        [n.props for n in events.reference.nodes]
    )
    assert "lambdarank" not in text.lower() and "pointwise" in text
    for slug in ("video-search", "visual-search", "ad-click-prediction"):
        stores = [
            n
            for n in study(slug).reference.nodes
            if n.type in ("feature_store", "feature_pipeline")
        ]
        request_time = {"query_text", "bm25_score", "placement", "crop_box", "device_type"}
        for n in stores:
            assert not request_time & set(n.props.get("features", [])), (slug, n.id)


# --- interviewer material -----------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_every_level_has_must_hits_red_flags_and_follow_ups(slug):
    loaded = study(slug)
    assert set(loaded.interviewer) == set(LEVELS)
    for level in LEVELS:
        material = loaded.material(level)
        for kind in case_studies.MATERIAL_KINDS:
            assert len(material[kind]) >= 2, (level, kind)
        steps = {i["step"] for items in loaded.interviewer[level].values() for i in items}
        assert steps <= set(STEP_KEYS) and len(steps) >= 3, (level, steps)
    # Levels differ: staff is not mid repeated.
    assert loaded.material("mid")["must_hit"] != loaded.material("staff")["must_hit"]


def test_material_by_step_filters():
    loaded = study("ad-click-prediction")
    serving = loaded.material("staff", "serving")
    assert serving["must_hit"] and all(
        text in loaded.material("staff")["must_hit"] for text in serving["must_hit"]
    )
    assert all(
        item["step"] == "serving"
        for item in loaded.interviewer["staff"]["must_hit"]
        if item["text"] in serving["must_hit"]
    )


@pytest.mark.parametrize("slug", SLUGS)
def test_reference_is_a_complete_staff_board(slug):
    loaded = study(slug)
    board = loaded.reference
    assert board.level == "staff"
    assert board.title == loaded.title
    assert [key for key in STEP_KEYS if not board.notes[key].strip()] == []
    for node in board.nodes:
        assert node.label, node.id
        if node.type == "training_pipeline":
            assert node.props.get("task") and node.props.get("features"), node.id
        if node.type in PREDICTORS:
            assert node.props.get("features"), node.id
        if node.type in ("inference_service", "ranking_service"):
            assert node.props.get("replicas", 1) > 1, node.id
        if node.type in ("offline_evaluation", "ab_testing"):
            assert node.props.get("metrics"), node.id


@pytest.mark.parametrize("slug", SLUGS)
def test_reference_layout_is_a_tidy_grid(slug):
    nodes = study(slug).reference.nodes
    positions = [(n.x, n.y) for n in nodes]
    assert len(set(positions)) == len(positions), "two components share a cell"
    off_grid = [n.id for n in nodes if (n.x - ORIGIN) % GRID_X or (n.y - ORIGIN) % GRID_Y]
    assert off_grid == []
    assert [n.label for n in nodes if len(n.label) > MAX_LABEL] == []


# --- prompt, questions and hints ----------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_prompt_questions_and_hints(slug):
    loaded = study(slug)
    assert loaded.title and loaded.summary and "\n" not in loaded.summary
    assert set(loaded.prompt) == {"goal", "scale", "latency", "details"}
    assert all(text.strip() for text in loaded.prompt.values())

    assert 5 <= len(loaded.questions) <= 8
    ids = [question["id"] for question in loaded.questions]
    assert len(set(ids)) == len(ids)
    assert ids == [f"q{k}" for k in range(1, len(ids) + 1)]

    assert list(loaded.hints) == list(STEP_KEYS)
    for step in STEP_KEYS:
        hints = loaded.hints[step]
        assert 1 <= len(hints) <= 3, step
        assert [h["id"] for h in hints] == [f"{step}-{k}" for k in range(1, len(hints) + 1)]
        assert all(h["text"].strip() for h in hints)
    all_hints = [hint for hint, item in loaded.items.items() if item.kind == "hint"]
    assert len(set(all_hints)) == len(all_hints)
    assert all_hints[0] == "requirements-1"


# --- rubric -------------------------------------------------------------------------------


def test_rubric_covers_every_step_and_level():
    rubric = case_studies.rubric()
    assert rubric["levels"] == ["mid", "senior", "staff"]
    assert list(rubric["steps"]) == list(STEP_KEYS)
    for step in STEP_KEYS:
        assert list(rubric["steps"][step]) == list(LEVELS)
        for level in LEVELS:
            bullets = rubric["steps"][step][level]
            assert 2 <= len(bullets) <= 4, (step, level)
            assert all(isinstance(b, str) and b.strip() for b in bullets)


def test_rubric_scores_one_to_four():
    scores = case_studies.rubric()["scores"]
    assert [s["score"] for s in scores] == [1, 2, 3, 4]
    assert [s["label"] for s in scores] == ["No signal", "Below bar", "At bar", "Above bar"]
    assert all(s["description"].strip() for s in scores)


def test_rubric_has_a_signal_for_every_rule():
    signals = case_studies.rubric()["signals"]
    assert set(signals) == set(RULES)
    for rule_id, signal in signals.items():
        assert signal["step"] == RULES[rule_id].step, rule_id
        assert signal["look"].strip()


def test_rubric_hands_out_a_copy():
    case_studies.rubric()["signals"].clear()
    assert set(case_studies.rubric()["signals"]) == set(RULES)


# --- malformed files ----------------------------------------------------------------------


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    """A copy of visual-search.json in a temporary folder, to break."""
    shutil.copy(DATA_DIR / "visual-search.json", tmp_path)
    return tmp_path / "visual-search.json"


def _rewrite(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_a_copy_loads(copied: Path):
    assert load_file(copied).slug == "visual-search"
    assert list(load_directory(copied.parent)) == ["visual-search"]


def test_a_team_study_may_leave_out_the_optional_keys(copied: Path):
    _rewrite(copied, lambda d: (d.pop("interviewer"), d.pop("acknowledged")))
    loaded = load_file(copied)
    assert loaded.interviewer == {} and loaded.acknowledged == ()
    assert loaded.material("senior") == {kind: [] for kind in case_studies.MATERIAL_KINDS}


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda d: d.pop("hints"), 'missing key "hints"'),
        (lambda d: d.update(extra=1), 'unknown key "extra"'),
        (lambda d: d.update(slug="other"), 'slug: slug "other" does not match the file name'),
        (lambda d: d["hints"].pop("monitoring"), 'hints: missing key "monitoring"'),
        (lambda d: d["hints"]["data"][0].update(id="model-9"), "hints.data[0].id: id must start"),
        (lambda d: d["questions"].append(dict(d["questions"][0])), 'duplicate id "q1"'),
        (lambda d: d["prompt"].update(goal=""), "prompt.goal: must be a non-empty string"),
        (lambda d: d.update(summary="two\nlines"), "summary: must be a single line"),
        (
            lambda d: d["reference"]["nodes"][0].update(type="robot"),
            'reference: nodes[0] (id "app").type: unknown component type "robot"',
        ),
        (
            lambda d: d.update(acknowledged=[{"rule": "no-such-rule", "why": "x"}]),
            'acknowledged[0].rule: unknown rule "no-such-rule"',
        ),
        (
            lambda d: d.update(acknowledged=[{"rule": "online-metrics"}]),
            'acknowledged[0]: missing key "why"',
        ),
        (lambda d: d["interviewer"].pop("mid"), 'interviewer: missing key "mid"'),
        (
            lambda d: d["interviewer"]["staff"].update(red_flags=[]),
            "interviewer.staff.red_flags: must be a non-empty list",
        ),
        (
            lambda d: d["interviewer"]["senior"]["must_hit"][0].update(step="lunch"),
            "interviewer.senior.must_hit[0].step: step must be one of",
        ),
    ],
)
def test_malformed_files_name_the_file_and_the_problem(copied: Path, change, expected):
    _rewrite(copied, change)
    with pytest.raises(ValueError) as caught:
        load_file(copied)
    assert isinstance(caught.value, CaseStudyError)
    assert str(caught.value).startswith("visual-search.json: ")
    assert expected in str(caught.value)


def test_invalid_json_names_the_file(copied: Path):
    copied.write_text("{not json")
    with pytest.raises(ValueError, match=r"^visual-search\.json: not valid JSON"):
        load_file(copied)


def test_malformed_rubric_names_the_file(tmp_path: Path):
    data = json.loads((DATA_DIR / "rubric.json").read_text())
    data["steps"]["serving"].pop("staff")
    data["scores"][0]["score"] = 0
    path = tmp_path / "rubric.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r'^rubric\.json: steps\.serving: missing key "staff"'):
        load_rubric(path)


# --- compare ------------------------------------------------------------------------------

NOTHING = {step: {"missing_components": [], "missing_connections": []} for step in STEP_KEYS}

REF_NODES = {
    "app": "client_app",
    "gw": "api_gateway",
    "inf": "inference_service",
    "fs": "feature_store",
    "train": "training_pipeline",
}
REF_EDGES = [
    ("app", "gw"),
    ("gw", "inf"),
    ("inf", "gw"),
    ("gw", "app"),
    ("fs", "inf"),
    ("fs", "train"),
    ("train", "inf"),
]


def reference_board() -> Board:
    return build(REF_NODES, REF_EDGES)


def expect(**steps) -> dict:
    result = json.loads(json.dumps(NOTHING))
    for step, changes in steps.items():
        result[step].update(changes)
    return result


def test_compare_identical_boards_misses_nothing():
    assert compare(reference_board(), reference_board()) == NOTHING


def test_compare_missing_type():
    nodes = {k: v for k, v in REF_NODES.items() if k != "fs"}
    edges = [e for e in REF_EDGES if "fs" not in e]
    assert compare(reference_board(), build(nodes, edges)) == expect(
        data={
            "missing_components": [
                {"role": "feature_provider", "count": 1, "have": 0, "suggest": ["feature_store"]}
            ]
        },
        serving={
            "missing_connections": [
                {
                    "source": "feature_provider",
                    "target": "predictor",
                    "suggest": ["feature_store", "inference_service"],
                }
            ]
        },
        model={
            "missing_connections": [
                {
                    "source": "feature_provider",
                    "target": "training_pipeline",
                    "suggest": ["feature_store", "training_pipeline"],
                }
            ]
        },
    )


def test_compare_missing_connection():
    edges = [e for e in REF_EDGES if e != ("train", "inf")]
    assert compare(reference_board(), build(REF_NODES, edges)) == expect(
        serving={
            "missing_connections": [
                {
                    "source": "training_pipeline",
                    "target": "predictor",
                    "suggest": ["training_pipeline", "inference_service"],
                }
            ]
        },
    )


def test_compare_counts_the_shortfall_per_role():
    reference = build(
        {"a": "feature_pipeline", "b": "feature_pipeline", "c": "feature_pipeline", "x": "cache"},
        [("a", "x"), ("b", "x"), ("c", "x")],
    )
    candidate = build({"p": "feature_pipeline", "x": "cache"}, [("p", "x")])
    assert compare(reference, candidate) == expect(
        data={
            "missing_components": [
                {
                    "role": "feature_provider",
                    "count": 2,
                    "have": 1,
                    "suggest": ["feature_pipeline"],
                }
            ]
        }
    )


def test_compare_matches_any_predictor_and_any_feature_provider():
    """A ranking service stands for the reference's inference service, a streaming
    feature pipeline for its feature store: nothing is missing."""
    nodes = dict(REF_NODES, inf="ranking_service", fs="feature_pipeline")
    assert compare(reference_board(), build(nodes, REF_EDGES)) == NOTHING


def test_compare_names_the_reference_types_as_a_suggestion():
    reference = build(
        {"app": "client_app", "rank": "ranking_service", "bs": "batch_scorer", "c": "cache"},
        [("app", "rank"), ("rank", "app"), ("bs", "c"), ("c", "app")],
    )
    candidate = build({"app": "client_app", "inf": "inference_service"}, [("app", "inf")])
    result = compare(reference, candidate)
    (predictors,) = [m for m in result["serving"]["missing_components"] if m["role"] == "predictor"]
    assert predictors == {
        "role": "predictor",
        "count": 1,
        "have": 1,
        "suggest": ["batch_scorer", "ranking_service"],  # catalogue order
    }


def test_an_embedding_model_serving_requests_is_a_predictor():
    reference = build(
        {"app": "client_app", "gw": "api_gateway", "enc": "embedding_model", "idx": "vector_index"},
        [("app", "gw"), ("gw", "enc"), ("enc", "idx")],
    )
    assert case_studies.roles(reference)["enc"] == "predictor"
    offline = build({"enc": "embedding_model", "idx": "vector_index"}, [("enc", "idx")])
    assert case_studies.roles(offline)["enc"] == "feature_provider"
    candidate = build(
        {"app": "client_app", "gw": "api_gateway", "inf": "inference_service"},
        [("app", "gw"), ("gw", "inf")],
    )
    assert compare(reference, candidate)["serving"]["missing_components"] == []


def test_compare_matches_by_type_not_by_id():
    renamed = {f"my_{k}": v for k, v in REF_NODES.items()}
    edges = [(f"my_{s}", f"my_{t}") for s, t in REF_EDGES]
    assert compare(reference_board(), build(renamed, edges)) == NOTHING


def test_compare_does_not_penalise_extra_components():
    nodes = dict(REF_NODES, drift="drift_monitor", cache="cache", extra="inference_service")
    edges = REF_EDGES + [("inf", "drift"), ("gw", "cache"), ("cache", "gw"), ("gw", "extra")]
    assert compare(reference_board(), build(nodes, edges)) == NOTHING


def test_compare_ignores_notes():
    reference = build(dict(REF_NODES, memo="note"), REF_EDGES + [("memo", "inf")])
    assert compare(reference, reference_board()) == NOTHING


def test_compare_against_an_empty_board_lists_the_whole_reference():
    reference = study("street-view-blurring").reference
    result = compare(reference, Board())
    roles = case_studies.roles(reference)
    missing = {
        m["role"]: m["count"] for step in result.values() for m in step["missing_components"]
    }
    assert sum(missing.values()) == len([n for n in reference.nodes if n.type != "note"])
    types = {n.id: n.type for n in reference.nodes}
    for step, found in result.items():
        for m in found["missing_components"]:
            assert COMPONENT_TYPES[m["suggest"][0]].step == step
            assert set(m["suggest"]) == {types[i] for i, r in roles.items() if r == m["role"]}
        assert all(
            COMPONENT_TYPES[c["suggest"][1]].step == step for c in found["missing_connections"]
        )
    pairs = {
        (c["source"], c["target"]) for step in result.values() for c in step["missing_connections"]
    }
    assert pairs == {(roles[e.source], roles[e.target]) for e in reference.edges}


def test_compare_is_pure():
    reference, candidate = study("video-search").reference, reference_board()
    before = dump(reference), dump(candidate)
    compare(reference, candidate)
    assert (dump(reference), dump(candidate)) == before


@pytest.mark.parametrize(
    ("sent", "score"), [("3", 3), (1, 1), (" 4 ", 4), ("", None), (None, None)]
)
def test_read_score_takes_form_and_frame_values(sent, score):
    assert case_studies.read_score(sent) == score


@pytest.mark.parametrize("sent", ["0", "5", "two", 2.5, [], "3.0", True])
def test_read_score_refuses_anything_else(sent):
    with pytest.raises(ValueError, match="1, 2, 3 or 4"):
        case_studies.read_score(sent)


def test_items_read_every_question_and_hint_back_by_id():
    study = case_studies.load_all()["video-recommendation"]
    question = study.questions[0]
    item = study.items[question["id"]]
    assert (item.kind, item.text, item.answer, item.step) == (
        "question",
        question["question"],
        question["answer"],
        None,
    )
    hint = study.hints["serving"][0]
    item = study.items[hint["id"]]
    assert (item.kind, item.text, item.step.key if item.step else None) == (
        "hint",
        hint["text"],
        "serving",
    )
    total = len(study.questions) + sum(len(h) for h in study.hints.values())
    assert len(study.items) == total and study.items.get("gone-since") is None
