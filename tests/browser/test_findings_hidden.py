"""The interviewer hides the validator's findings from the candidate (Interviewer panel):
the candidate's findings panel says so and no card is outlined; shown again, both come
back without a reload. The interviewer keeps seeing them throughout."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import gateway_and_scorer, open_board, open_link, screenshot

pytestmark = pytest.mark.browser


def test_hiding_the_findings_from_the_candidate_and_showing_them_again(
    page: Page, person, server_url: str
) -> None:
    _public_id, created = open_board(page, server_url, gateway_and_scorer("Hidden findings"))
    candidate = person()
    open_link(candidate, server_url, created["links"]["candidate"], "Cleo")
    # The board has no client and no training: errors, and outlined cards.
    outlined = candidate.locator('#canvas [data-status="error"]')
    expect(outlined.first).to_be_visible()
    expect(candidate.locator("#findings")).to_contain_text("Does not pass")

    page.get_by_role("tab", name="Interviewer").click()
    panel = page.locator("#interviewer")
    panel.get_by_role("button", name="Hide findings from the candidate").click()
    expect(panel.locator("#iv-findings")).to_contain_text("do not see the validator's findings")

    expect(candidate.locator("#findings")).to_contain_text(
        "The interviewer has hidden the validator's findings for this interview."
    )
    expect(outlined).to_have_count(0)
    expect(page.locator('#canvas [data-status="error"]').first).to_be_visible()  # not hers
    screenshot(candidate, "findings-hidden-candidate")

    # A page opened while they are hidden shows none either.
    candidate.reload()
    expect(candidate.locator("#findings")).to_contain_text("has hidden the validator's findings")
    expect(candidate.locator("#canvas .joint-element").first).to_be_visible()
    expect(outlined).to_have_count(0)

    # Another interviewer's panel follows.
    other = person()
    open_link(other, server_url, created["links"]["interviewer"], "Iris")
    other.get_by_role("tab", name="Interviewer").click()
    other_panel = other.locator("#interviewer #iv-findings")
    expect(other_panel).to_contain_text("do not see the validator's findings")

    panel.get_by_role("button", name="Show them the findings").click()
    expect(other_panel).to_contain_text("Hide findings from the candidate")
    expect(candidate.locator("#findings")).to_contain_text("Does not pass")
    expect(outlined.first).to_be_visible()
