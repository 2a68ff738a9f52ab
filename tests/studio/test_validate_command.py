"""`manage.py validate_design`: text and JSON output, exit codes 0, 1 and 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DESIGNS

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "validate_design", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_passing_design_exits_0_with_a_summary():
    result = run(str(DESIGNS / "video_recommendation.json"))
    assert result.returncode == 0, result.stderr
    assert "PASSED" in result.stdout


def test_a_failing_design_exits_1_and_groups_findings_by_step():
    result = run(str(DESIGNS / "video_recommendation_skew.json"))
    assert result.returncode == 1
    assert "3. Data" in result.stdout and "[feature-consistency]" in result.stdout


def test_json_output_has_the_documented_shape():
    result = run(
        str(DESIGNS / "video_recommendation_no_response.json"), "--format", "json", "--level", "mid"
    )
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert report["passed"] is False and report["level"] == "mid"
    assert report["findings"][0]["rule"] == "serving-loop"
    assert set(report["findings"][0]) == {"rule", "severity", "step", "message", "nodes", "edges"}
    assert list(report["steps"]) == [
        "requirements",
        "framing",
        "data",
        "model",
        "evaluation",
        "serving",
        "monitoring",
    ]


def test_stdin_is_read_with_a_dash():
    result = run("-", "--format", "json", stdin=(DESIGNS / "video_recommendation.json").read_text())
    assert result.returncode == 0 and json.loads(result.stdout)["passed"] is True


@pytest.mark.parametrize(
    "text, message",
    [
        ("{", "not valid JSON"),
        ('{"format": "mlsd-studio/board", "version": 2}', "version"),
    ],
)
def test_a_refused_document_exits_2_with_a_message_and_no_traceback(text, message):
    result = run("-", stdin=text)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_missing_file_exits_2():
    result = run("/nonexistent/design.json")
    assert result.returncode == 2 and "cannot read" in result.stderr
