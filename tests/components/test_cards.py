"""Card geometry (components/cards.py) and the shared fixture the browser tests against.

tests/fixtures/cards.json is the contract between server and browser: label -> card size
and lines. Regenerate it after a deliberate change with
``python -m tests.components.test_cards --write`` and review the diff.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from components.cards import (
    ELLIPSIS,
    LABEL_SIZE,
    LABEL_STYLE,
    MAX_WIDTH,
    MIN_HEIGHT,
    MIN_WIDTH,
    PAD_LEFT,
    PAD_RIGHT,
    card_geometry,
    cards_as_json,
    text_width,
)
from components.catalogue import COMPONENT_TYPES, catalogue_as_json

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cards.json"

# (label, type id, is a note): what the fixture covers and why.
CASES: list[tuple[str, str, bool]] = [
    ("", "metrics_dashboard", False),  # empty: the type title, no type line
    ("Metrics dashboard", "metrics_dashboard", False),  # equal to the type: said once
    ("metrics DASHBOARD", "metrics_dashboard", False),  # equal ignoring case
    ("  Retraining\n\ttrigger ", "retraining_trigger", False),  # whitespace collapsed
    ("Click/impression joiner (Flink)", "stream_processor", False),  # break after "/"
    ("Real-time feature store (Redis, online)", "feature_store", False),  # grows
    ("Two-tower candidate generation with ANN lookup", "candidate_generation", False),
    ("Ranker", "ranking_service", False),  # short, type line shown
    ("Supercalifragilisticexpialidocious", "cache", False),  # hard break, no truncation
    ("x" * 200, "cache", False),  # truncated with an ellipsis
    ("Café crème brûlée — naïve façade", "data_lake", False),  # Latin-1 and punctuation
    ("推荐服务 ranking 🚀 service", "ranking_service", False),  # unknown chars, astral
    ("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t", "batch_etl", False),  # many break points
    ("Hyperparameter tuning", "hyperparameter_tuning", False),
    ("", "note", True),
    ("Risks:\n- cold start\n\n- latency", "note", True),  # paragraphs and a blank line
    ("word " * 60, "note", True),  # truncated note
    ("one\ntwo\nthree\nfour\nfive\nsix\nseven", "note", True),  # cut between paragraphs
]


def _geometry(label: str, type_id: str, is_note: bool) -> dict:
    return card_geometry(label, COMPONENT_TYPES[type_id].title, is_note).to_dict()


def fixture_data() -> dict:
    return {
        "about": "Expected card geometry (components/cards.py); the browser's cards must match.",
        "cases": [
            {
                "label": label,
                "type": type_id,
                "type_title": COMPONENT_TYPES[type_id].title,
                "note": is_note,
                "expected": _geometry(label, type_id, is_note),
            }
            for label, type_id, is_note in CASES
        ],
    }


def test_the_fixture_matches_the_python_implementation():
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert stored == json.loads(json.dumps(fixture_data()))


@pytest.mark.parametrize("type_id", sorted(COMPONENT_TYPES))
def test_every_type_title_fits_the_default_card_untruncated(type_id):
    title = COMPONENT_TYPES[type_id].title
    card = card_geometry("", title, type_id == "note")
    if type_id == "note":
        assert card.lines == ()
    else:
        assert (card.width, card.height, card.truncated) == (MIN_WIDTH, MIN_HEIGHT, False)
        assert " ".join(card.lines).replace("- ", "-") == title
        assert card.type_line is None


def test_a_label_equal_to_its_type_is_said_once():
    card = card_geometry("Metrics Dashboard", "Metrics dashboard")
    assert card.type_line is None
    assert card_geometry("Dashboard", "Metrics dashboard").type_line == "Metrics dashboard"


def test_labels_wrap_before_the_card_grows_and_grow_before_truncating():
    two_lines = card_geometry("Click/impression joiner (Flink)", "Stream processor")
    assert two_lines.width == MIN_WIDTH and len(two_lines.lines) == 2
    assert two_lines.lines == ("Click/impression", "joiner (Flink)")
    grown = card_geometry("Two-tower candidate generation with ANN lookup", "Candidate generation")
    assert MIN_WIDTH < grown.width < MAX_WIDTH and not grown.truncated
    cut = card_geometry("x" * 200, "Cache")
    assert cut.width == MAX_WIDTH and cut.truncated and cut.lines[-1].endswith(ELLIPSIS)


@pytest.mark.parametrize(
    "label",
    [
        "Click/impression joiner (Flink)",
        "Real-time feature store (Redis, online)",
        "Nearline user-embedding refresher (Beam)",
        "Kafka topic: impressions, clicks, dwell",
        "Candidate retrieval (two-tower + HNSW)",
    ],
)
def test_realistic_labels_up_to_40_characters_are_not_truncated(label):
    assert len(label) <= 40
    card = card_geometry(label, "Inference service")
    assert not card.truncated
    assert " ".join(card.lines).replace("/ ", "/").replace("- ", "-") == label


def test_every_line_fits_its_card():
    for label, type_id, is_note in CASES:
        card = card_geometry(label, COMPONENT_TYPES[type_id].title, is_note)
        avail = card.width - PAD_LEFT - PAD_RIGHT
        style, size = ("regular", 12) if is_note else (LABEL_STYLE, LABEL_SIZE)
        for line in card.lines:
            assert text_width(line, size, style) <= avail, (label, line)
        assert card.height >= MIN_HEIGHT
        assert all(0 < y < card.height for y in card.line_ys)


def test_text_width_counts_code_points_and_unknown_characters_as_an_em():
    assert text_width("🚀", 10) == 10.0  # one code point (two UTF-16 units), unknown
    assert text_width("", 12) == 0
    assert text_width("MM", 10, "bold") == 2 * text_width("M", 10, "bold")
    assert text_width("i", 10) < text_width("M", 10)


def test_the_catalogue_json_carries_the_card_constants_and_widths():
    cards = catalogue_as_json()["cards"]
    assert cards == cards_as_json()
    assert cards["min_width"] == MIN_WIDTH and cards["max_width"] == MAX_WIDTH
    assert set(cards["widths"]) == {"regular", "bold"}
    assert all(len(ch) == 1 for ch in cards["widths"]["bold"])
    json.dumps(cards)  # serialisable


if __name__ == "__main__" and "--write" in sys.argv:
    FIXTURE.write_text(json.dumps(fixture_data(), ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {FIXTURE}")
