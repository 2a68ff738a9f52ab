"""Shared fixtures: the example designs and small board builders."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.document import Board, Edge, Node, parse

DESIGNS = Path(__file__).parent / "fixtures" / "designs"


def load_design(name: str) -> Board:
    return parse((DESIGNS / f"{name}.json").read_text())


def build(
    nodes: dict[str, str],
    edges: list[tuple[str, str]],
    *,
    props: dict[str, dict] | None = None,
    level: str = "senior",
    notes: dict[str, str] | None = None,
) -> Board:
    """A tiny board from {id: type} and [(source, target)], for rule tests."""
    props = props or {}
    board = Board(
        level=level,
        nodes=[Node(id=i, type=t, props=dict(props.get(i, {}))) for i, t in nodes.items()],
        edges=[Edge(id=f"e{k}", source=s, target=t) for k, (s, t) in enumerate(edges)],
    )
    if notes:
        board.notes.update(notes)
    return board


@pytest.fixture
def design():
    return load_design


def rule_findings(board: Board, rule_id: str) -> list:
    """The findings of one rule on `board`, whatever the board's level."""
    from components.graph import DesignGraph
    from components.rules import RULES

    return RULES[rule_id].findings(DesignGraph(board))


def finding_ids(report) -> list[str]:
    """The rule ids of a report's findings, in report order."""
    return [f.rule for f in report.findings]
