"""The interviewer ends the interview from their panel: every page turns read-only at
once, saying so, and the timer stops; reopening makes the board editable again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import gateway_and_scorer, open_board, open_link, screenshot

pytestmark = pytest.mark.browser


def test_ending_the_interview_turns_every_page_read_only_until_reopened(
    page: Page, person, server_url: str
) -> None:
    _public_id, created = open_board(page, server_url, gateway_and_scorer("Ending"))
    candidate = person()
    open_link(candidate, server_url, created["links"]["candidate"], "Cleo")
    palette_item = candidate.locator(".palette-item").first
    expect(palette_item).not_to_have_attribute("aria-disabled", "true")

    page.get_by_role("tab", name="Interviewer").click()
    panel = page.locator("#interviewer")
    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="End interview").click()
    expect(panel.locator("#iv-end")).to_contain_text("Interview ended")

    banner = candidate.locator("#ended-banner")
    expect(banner).to_contain_text("The interviewer ended the interview at")
    expect(banner).to_contain_text("read-only")
    expect(palette_item).to_have_attribute("aria-disabled", "true")
    expect(candidate.locator("#board-title")).not_to_be_editable()
    # The interviewer's own page too; their notes stay editable.
    expect(page.locator("#ended-banner")).to_be_visible()
    expect(page.get_by_label("Private notes")).to_be_editable()
    expect(page.locator("#timer")).not_to_have_attribute("data-state", "running")
    # The panel follows the end at once: no timer control is left to press.
    timer_controls = panel.locator(".timer-controls").locator("button, input")
    expect(timer_controls).to_have_count(4)
    for i in range(4):
        expect(timer_controls.nth(i)).to_be_disabled()
    expect(panel).to_contain_text("The interview has ended: reopen the board to use the timer.")
    # The banner and the panel give the end the same way: the reader's local time.
    ended_at = panel.locator("#iv-end time")
    iso = ended_at.get_attribute("datetime")
    local = page.evaluate("iso => new Date(iso).toLocaleTimeString([], {timeStyle: 'short'})", iso)
    expect(ended_at).to_have_text(local)
    expect(page.locator("#ended-banner time")).to_have_text(local)
    expect(page.locator("#ended-banner time")).to_have_attribute("datetime", re.compile(r"\d{4}-"))
    expect(panel.locator("#iv-end")).not_to_contain_text("UTC")
    screenshot(candidate, "interview-ended-candidate")

    page.get_by_label("Private notes").fill("Strong on features; weak on monitoring")
    panel.get_by_role("button", name="Reopen the board").click()
    expect(panel.locator("#iv-end")).to_contain_text("End interview")
    # The interviewer's page does not reload under their typing: it offers to.
    expect(page.locator("#ended-banner")).to_contain_text("The interview was reopened.")
    expect(page.get_by_label("Private notes")).to_have_value(
        "Strong on features; weak on monitoring"
    )
    page.get_by_role("button", name="Reload to edit").click()
    expect(page.locator("#ended-banner")).to_have_count(0)
    page.get_by_role("tab", name="Interviewer").click()
    expect(panel.get_by_role("button", name="Pause")).to_be_enabled()
    expect(page.locator("#board-title")).to_be_editable()
    # Reopened: the candidate's page reloads, editable again.
    expect(candidate.locator("#ended-banner")).to_have_count(0)
    expect(candidate.locator(".palette-item").first).not_to_have_attribute("aria-disabled", "true")
    expect(candidate.locator("#board-title")).to_be_editable()
