"""`manage.py validate_design PATH`: lint a design file, e.g. in CI.

Exit 0 when no error finding, 1 with one, 2 when the document is refused.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from components.document import LEVELS
from components.report import Report, validate
from studio.management.commands._design_input import read_design

ICONS = {"error": "✗", "warning": "!", "info": "i"}


class Command(BaseCommand):
    help = "Validate an MLSD Studio board file against the framework's rules."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="board JSON file, or - for standard input")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument(
            "--level",
            choices=LEVELS,
            default=None,
            help="rule profile (default: the board's own level)",
        )

    def handle(self, *args, path: str, format: str, level: str | None, **options) -> None:
        board = read_design(path)
        report = validate(board, level)
        if format == "json":
            self.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(render_text(board.title or path, report))
        if not report.passed:
            raise SystemExit(1)


def render_text(title: str, report: Report) -> str:
    """Findings grouped by step, for people."""
    counts = report.counts()
    verdict = "PASSED" if report.passed else "FAILED"
    lines = [
        f"{title} — level {report.level}: {verdict} "
        f"({counts['error']} errors, {counts['warning']} warnings, {counts['info']} info)"
    ]
    for _key, heading, findings in report.by_step():
        lines.append("")
        lines.append(heading)
        lines.extend(f"  {ICONS[f.severity]} [{f.rule}] {f.message}" for f in findings)
    lines.append("")
    lines.append(
        "Coverage: "
        + "  ".join(
            f"{s.number}{'✓' if s.covered else ('~' if s.status == 'partial' else '·')}"
            for s in report.steps
        )
    )
    return "\n".join(lines)
