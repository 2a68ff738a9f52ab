"""axe-core in the browser tests: inject the pinned copy from node_modules and list what it
finds.

axe-core comes from npm (package.json devDependencies, `make test` installs it). It is read
from disk and evaluated in the page with Playwright, which the Content-Security-Policy does
not govern (it is the browser's debugging protocol, not a page script), so the pages under
test keep their strict policy.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Every WCAG A/AA rule plus axe's best practices (landmarks, one h1, ...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@cache
def _source() -> str:
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `npm ci` (make deps)")
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page: Page, context: str | dict | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now and return its violations (every impact)."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(_source())
    return page.evaluate(
        """async ([context, tags]) => {
            const result = await window.axe.run(context || document, {
                runOnly: { type: "tag", values: tags }, resultTypes: ["violations"],
            });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({
                    target: n.target.join(" "), summary: n.failureSummary,
                })),
            }));
        }""",
        [context, TAGS],
    )


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable list of violations for an assertion message."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for n in v["nodes"][:6]:
            summary = (n["summary"] or "").replace("\n", " ")[:300]
            lines.append(f"    {n['target']}: {summary}")
    return "\n".join(lines)


def assert_no_violations(page: Page, where: str) -> None:
    """Fail with axe's list when anything is found on the page, at any impact."""
    violations = run_axe(page)
    assert not violations, f"axe-core on {where}:\n{describe(violations)}"
