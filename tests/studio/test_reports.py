"""Findings after an edit are sent only when they changed (studio.live.reports)."""

from __future__ import annotations

import pytest

from components.document import parse
from components.operations import apply_operation
from components.report import validate
from studio.live import reports
from tests.conftest import DESIGNS


@pytest.fixture(autouse=True)
def empty_memory():
    reports.forget_all()
    yield
    reports.forget_all()


@pytest.fixture
def board():
    return parse((DESIGNS / "video_recommendation.json").read_text())


def test_a_move_or_a_rename_that_keeps_the_findings_sends_none(board):
    moved = apply_operation(board, {"op": "move_node", "id": "rank", "x": 5, "y": 5})
    assert reports.changed_report("b", 2, board, moved) is None
    renamed = apply_operation(
        moved, {"op": "update_node", "id": "rank", "changes": {"label": "Ranker"}}
    )
    assert reports.changed_report("b", 3, moved, renamed) is None


def test_a_change_of_findings_is_sent_and_remembered(board):
    broken = apply_operation(board, {"op": "delete_edge", "id": "e9"})
    report = reports.changed_report("b", 2, board, broken)
    assert report == validate(broken).to_dict()
    assert report_rules(report) == ["serving-loop"]
    # The next edit compares with what was just sent, not with the first report.
    moved = apply_operation(broken, {"op": "move_node", "id": "rank", "x": 1, "y": 1})
    assert reports.changed_report("b", 3, broken, moved) is None
    assert reports.report_at("b", 3, moved) == report


def test_without_memory_the_previous_report_is_computed(board):
    """Another process applied the previous edit: the memory has nothing for it, and the
    answer must be the same as with it."""
    broken = apply_operation(board, {"op": "delete_edge", "id": "e9"})
    fixed = apply_operation(
        broken, {"op": "add_edge", "edge": {"id": "e9", "source": "rerank", "target": "gw"}}
    )
    reports.forget_all()
    assert reports.changed_report("b", 7, broken, broken) is None
    assert reports.changed_report("b", 8, broken, fixed) == validate(fixed).to_dict()
    reports.forget_all()
    relabelled = apply_operation(
        broken, {"op": "update_node", "id": "rank", "changes": {"label": "Ranker"}}
    )
    assert reports.changed_report("b", 9, broken, relabelled) is None


def test_a_stale_memory_is_not_trusted(board):
    """A remembered report for another revision is ignored."""
    broken = apply_operation(board, {"op": "delete_edge", "id": "e9"})
    reports.report_at("b", 1, board)  # remembered: passing, at revision 1
    # Revision 5 was made by another process from a broken board; ours is revision 6.
    relabelled = apply_operation(
        broken, {"op": "update_node", "id": "rank", "changes": {"label": "Ranker"}}
    )
    assert reports.changed_report("b", 6, broken, relabelled) is None


def test_the_memory_is_bounded(board, monkeypatch):
    """At most MEMORY_SIZE boards, the least recently used forgotten first."""
    monkeypatch.setattr(reports, "MEMORY_SIZE", 3)
    for n in range(10):
        reports.report_at(f"b{n}", 1, board)
    assert list(reports._memory) == ["b7", "b8", "b9"]


def report_rules(report: dict) -> list[str]:
    return [f["rule"] for f in report["findings"]]
