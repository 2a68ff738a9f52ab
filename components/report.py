"""Validate a board: run its level's rules and summarise findings and step coverage."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from components.catalogue import COMPONENT_TYPES
from components.document import Board
from components.graph import DesignGraph
from components.rules import Finding, profile
from components.steps import STEPS

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
STEP_OF: dict[str, str | None] = {t.id: t.step for t in COMPONENT_TYPES.values()}
NOTE_STEPS = ("requirements", "framing")


@dataclass(frozen=True)
class StepCoverage:
    """Whether a step is covered: steps 1-2 by their notes, 3-7 by components and rules."""

    key: str
    number: int
    title: str
    covered: bool
    status: str  # "covered", "error" (an error open), "partial" (warnings) or "missing"
    components: int
    findings: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "covered": self.covered,
            "status": self.status,
            "components": self.components,
            "findings": self.findings,
        }


@dataclass(frozen=True)
class Report:
    level: str
    findings: tuple[Finding, ...]
    steps: tuple[StepCoverage, ...]

    @property
    def passed(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def counts(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def by_step(self) -> list[tuple[str | None, str, list[Finding]]]:
        """Findings grouped by step in step order, then the general ones: (key, title, list)."""
        groups = [(s.key, f"{s.number}. {s.title}") for s in STEPS] + [(None, "General")]
        grouped = [
            (key, title, [f for f in self.findings if f.step == key]) for key, title in groups
        ]
        return [group for group in grouped if group[2]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "level": self.level,
            "findings": [f.to_dict() for f in self.findings],
            "steps": {s.key: s.to_dict() for s in self.steps},
        }


def validate(board: Board, level: str | None = None) -> Report:
    """Check `board` against the profile of `level` (default: the board's own level)."""
    level = level or board.level
    design = DesignGraph(board)
    findings = [f for rule in profile(level) for f in rule.findings(design)]
    findings.sort(key=lambda f: SEVERITY_ORDER[f.severity])
    return Report(level, tuple(findings), _coverage(board, findings, design))


def findings_unchanged(before: Board, after: Board) -> bool:
    """True when `after` can only have `before`'s findings: it differs at most in the
    title and the components' positions, which no rule and no step's coverage reads.

    The live board skips validating and re-sending findings after such an edit (a drag
    is the most frequent edit). tests/components/test_report.py checks the premise on
    random boards.
    """
    return (
        before.level == after.level
        and before.notes == after.notes
        and before.edges == after.edges
        and len(before.nodes) == len(after.nodes)
        and all(
            a.id == b.id and a.type == b.type and a.label == b.label and a.props == b.props
            for a, b in zip(before.nodes, after.nodes, strict=True)
        )
    )


def _coverage(
    board: Board, findings: list[Finding], design: DesignGraph | None = None
) -> tuple[StepCoverage, ...]:
    per_step_components = {step.key: 0 for step in STEPS}
    if design is not None and design.unique_ids:
        # Notes have no step, so counting the design's components by type is enough.
        for type_id, count in Counter(design.types.values()).items():
            step_key = STEP_OF[type_id]
            if step_key:
                per_step_components[step_key] += count
    else:
        for node in board.nodes:
            step_key = STEP_OF[node.type]
            if step_key:
                per_step_components[step_key] += 1
    blocking = {step.key: 0 for step in STEPS}
    errors = {step.key: 0 for step in STEPS}
    for finding in findings:
        if finding.step and finding.severity != "info":
            blocking[finding.step] += 1
            errors[finding.step] += finding.severity == "error"
    result = []
    for step in STEPS:
        if step.key in NOTE_STEPS:
            present = bool(board.notes.get(step.key, "").strip())
            status = "covered" if present else "missing"
            count = 0
        else:
            # The chip says the worst of the step: an error, then warnings (with or
            # without components: a warning names what to add), then what is drawn.
            count = per_step_components[step.key]
            present = count > 0 and blocking[step.key] == 0
            if errors[step.key]:
                status = "error"
            elif blocking[step.key]:
                status = "partial"
            else:
                status = "covered" if present else "missing"
        result.append(
            StepCoverage(
                step.key, step.number, step.title, present, status, count, blocking[step.key]
            )
        )
    return tuple(result)
