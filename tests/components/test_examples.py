"""The example designs give exactly the findings their README lists (level senior)."""

from __future__ import annotations

import re

import pytest

from components.report import validate
from tests.conftest import DESIGNS, finding_ids, load_design

# The README's table, read rather than copied, so the two cannot drift apart.
_ROW = re.compile(r"^\| (\S+\.json) \| (.*) \|$")


def _readme_expectations() -> dict[str, list[str]]:
    expected = {}
    for line in (DESIGNS / "README.md").read_text().splitlines():
        match = _ROW.match(line)
        if match:
            name, findings = match.groups()
            expected[name.removesuffix(".json")] = re.findall(r"`([a-z-]+)` \(", findings)
    return expected


EXPECTED = _readme_expectations()


def test_readme_covers_every_example():
    assert set(EXPECTED) == {p.stem for p in DESIGNS.glob("*.json")}
    assert EXPECTED == {
        "video_recommendation": [],
        "video_recommendation_no_response": ["serving-loop"],
        "video_recommendation_skew": ["feature-consistency"],
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_findings_at_senior(name):
    board = load_design(name)
    assert board.level == "senior"
    report = validate(board)
    assert report.level == "senior"
    assert finding_ids(report) == EXPECTED[name], [f.message for f in report.findings]
    assert report.passed == (not EXPECTED[name])


def test_complete_example_passes_at_staff_too():
    report = validate(load_design("video_recommendation"), "staff")
    assert report.findings == ()
    assert all(step.covered for step in report.steps)


def test_no_response_example_names_the_app_and_the_predictors_reached():
    (finding,) = validate(load_design("video_recommendation_no_response")).findings
    assert finding.severity == "error" and finding.step == "serving"
    assert set(finding.nodes) >= {"app", "rank"}
    assert "never travel back" in finding.message


def test_skew_example_names_training_and_serving():
    (finding,) = validate(load_design("video_recommendation_skew")).findings
    assert finding.severity == "error" and finding.step == "data"
    # The pair first, then the providers each side reads (rev. 2: highlight what to change).
    assert finding.nodes[:2] == ("train", "rank")
    assert set(finding.nodes[2:]) == {"fpb", "fps", "fpt", "fs"}
    assert '"Ranker training"' in finding.message and '"Ranker"' in finding.message
    assert "(train)" not in finding.message  # ids only when two components share a name


def test_examples_at_mid_keep_their_errors():
    for name, rules in EXPECTED.items():
        assert finding_ids(validate(load_design(name), "mid")) == rules
