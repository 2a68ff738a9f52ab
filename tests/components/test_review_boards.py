"""Sound designs drawn to break the feature-consistency readings (tests/fixtures/review):
none may get an error. A false error costs more than a missed flaw."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.document import load_json, parse
from components.report import validate

BOARDS = sorted((Path(__file__).parent.parent / "fixtures" / "review").glob("*.json"))


def test_the_review_boards_are_here():
    assert len(BOARDS) == 15


@pytest.mark.parametrize("path", BOARDS, ids=lambda p: p.stem)
def test_a_sound_review_board_gets_no_error(path: Path) -> None:
    board = parse(load_json(path.read_text()))
    report = validate(board, board.level)
    errors = [f"{f.rule}: {f.message}" for f in report.findings if f.severity == "error"]
    assert not errors
