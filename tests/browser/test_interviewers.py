"""Two interviewers on one board (or one with two tabs): the private panel.

Each person is a separate browser context (its own session); the second joins with the
interviewer link. Nobody's private notes or rubric edits are lost silently, and the
timer's per-step split follows the duration at once.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    board_id,
    gateway_and_scorer,
    open_board,
    open_link,
    screenshot,
)

pytestmark = pytest.mark.browser

BOARD = gateway_and_scorer("Two interviewers")


def two_interviewers(page: Page, person, server_url: str) -> Page:
    """`page` creates the board as Ivy; a second interviewer (Omar) joins with the
    interviewer link. Both open the Interviewer tab; returns Omar's page."""
    _, created = open_board(page, server_url, BOARD, name="Ivy")
    other = person()
    open_link(other, server_url, created["links"]["interviewer"], "Omar")
    for p in (page, other):
        p.get_by_role("tab", name="Interviewer").click()
        expect(p.get_by_label("Private notes")).to_be_visible()
        settled(p)
    return other


def leave_panel(page: Page) -> None:
    page.locator("#board-title").focus()


def settled(page: Page) -> None:
    """Wait until a panel htmx has just swapped in is wired (its saves start on input):
    htmx hooks new content up when it settles, 20 ms after the swap."""
    expect(page.locator("#interviewer.htmx-settling")).to_have_count(0)


def test_the_other_interviewer_sees_notes_and_scores_and_keeps_them(
    page: Page, person, server_url: str
) -> None:
    other = two_interviewers(page, person, server_url)

    # Ivy's notes reach Omar's panel (he is not typing there).
    page.get_by_label("Private notes").fill("Ivy: probes on freshness")
    expect(page.locator("#private-status")).to_have_text("Saved")
    expect(other.get_by_label("Private notes")).to_have_value("Ivy: probes on freshness")

    # Ivy scores Serving 1: Omar's panel shows it.
    page.get_by_label("Score for Serving").select_option("1")
    expect(page.locator('.rubric-row[data-step="serving"] .rubric-status')).to_have_text("Saved")
    leave_panel(page)
    expect(other.get_by_label("Score for Serving")).to_have_value("1")
    settled(other)

    # Omar comments on Serving: the comment is saved alone, Ivy's score stays.
    comment = other.get_by_label("Comment for Serving")
    comment.fill("caching discussed")
    expect(other.locator('.rubric-row[data-step="serving"] .rubric-status')).to_have_text("Saved")
    leave_panel(other)
    expect(page.get_by_label("Comment for Serving")).to_have_value("caching discussed")
    expect(page.get_by_label("Score for Serving")).to_have_value("1")
    # Both reload: what the server holds is both edits.
    for p in (page, other):
        p.reload()
        p.get_by_role("tab", name="Interviewer").click()
        expect(p.get_by_label("Score for Serving")).to_have_value("1")
        expect(p.get_by_label("Comment for Serving")).to_have_value("caching discussed")
        expect(p.get_by_label("Private notes")).to_have_value("Ivy: probes on freshness")


def test_a_save_over_newer_notes_is_refused_and_nothing_is_lost(
    page: Page, person, server_url: str
) -> None:
    other = two_interviewers(page, person, server_url)
    public_id = board_id(page)
    ivy, omar = page.get_by_label("Private notes"), other.get_by_label("Private notes")

    # Ivy is in the notes when Omar saves his: her field is left alone, she is told.
    ivy.click()
    omar.fill("Omar: strong on data")
    expect(other.locator("#private-status")).to_have_text("Saved")
    expect(page.locator("#interviewer .iv-notice")).to_contain_text("Updated by someone else")
    expect(ivy).to_have_value("")
    expect(ivy).to_be_focused()

    # She types on from the text she had: the save is refused, not stored over Omar's.
    ivy.press_sequentially("Ivy: weak on metrics")
    conflict = page.locator("#private-status .iv-conflict")
    expect(conflict).to_contain_text("Not saved: someone else changed these notes")
    expect(conflict.get_by_label("Their version")).to_have_value("Omar: strong on data")
    expect(ivy).to_have_value("Ivy: weak on metrics")
    screenshot(page, "interviewers-conflict")
    stored = page.request.get(f"{server_url}/b/{public_id}/interviewer").text()
    assert "Omar: strong on data" in stored and "Ivy: weak on metrics" not in stored

    # Leaving the panel does not throw her text away for the refresh that is owed.
    leave_panel(page)
    expect(page.locator("#interviewer")).to_have_attribute("data-stale", "false")
    expect(ivy).to_have_value("Ivy: weak on metrics")
    expect(conflict).to_be_visible()

    # She keeps both: takes his line into hers, then saves hers over his.
    ivy.fill("Omar: strong on data\nIvy: weak on metrics")
    conflict.get_by_role("button", name="Save mine over theirs").click()
    expect(page.locator("#private-status")).to_have_text("Saved")
    leave_panel(other)
    expect(omar).to_have_value("Omar: strong on data\nIvy: weak on metrics")
    settled(other)

    # Or she drops hers: "Use theirs" puts the stored text in the field.
    omar.fill("Omar: final")
    expect(other.locator("#private-status")).to_have_text("Saved")
    ivy.press_sequentially(" (Ivy)")
    conflict.get_by_role("button", name="Use theirs").click()
    expect(ivy).to_have_value("Omar: final")
    expect(conflict).to_have_count(0)
    leave_panel(page)
    expect(page.locator("#interviewer .iv-notice")).to_have_count(0)  # refreshed
    expect(ivy).to_have_value("Omar: final")

    # The browser logs each refused save (HTTP 409) as a console error: those two, and
    # nothing else, are expected here.
    refused = [e for e in page.problems if "status of 409 (Conflict)" in e]
    assert len(refused) == 2, page.problems
    page.problems[:] = [e for e in page.problems if e not in refused]


def test_the_timer_split_follows_the_duration_at_once(page: Page, person, server_url: str) -> None:
    other = two_interviewers(page, person, server_url)
    split = page.locator("#interviewer ol.timer-split li")
    expect(split.nth(0)).to_have_text("Requirements: 5 min")
    expect(split.nth(2)).to_have_text("Data: 8 min")

    minutes = page.get_by_label("Minutes")
    minutes.fill("30")
    page.locator("#interviewer").get_by_role("button", name="Start").click()
    expect(page.locator("#timer")).to_contain_text("· Requirements")
    # 30 minutes in the 45-minute proportions: 5 -> 3:20, 8 -> 5:20.
    expect(split.nth(0)).to_have_text("Requirements: 3 min")
    expect(split.nth(2)).to_have_text("Data: 5 min")
    # The other interviewer's panel follows too, minutes field included.
    other_split = other.locator("#interviewer ol.timer-split li")
    expect(other_split.nth(2)).to_have_text("Data: 5 min")
    expect(other.get_by_label("Minutes")).to_have_value("30")

    minutes.fill("10")
    page.locator("#interviewer").get_by_role("button", name="Reset").click()
    expect(split.nth(2)).to_have_text("Data: 2 min")
    expect(split.nth(6)).to_have_text("Monitoring: 1 min")
    expect(other_split.nth(2)).to_have_text("Data: 2 min")
    # The same as the server renders it.
    page.reload()
    page.get_by_role("tab", name="Interviewer").click()
    expect(split.nth(2)).to_have_text("Data: 2 min")
    expect(split.nth(6)).to_have_text("Monitoring: 1 min")


def test_the_timer_tells_unstarted_paused_and_overtime_apart(page: Page, server_url: str) -> None:
    """Never started shows the full length; paused says so; past the end the clock counts
    the overtime instead of stopping at "Time is up"."""
    page.clock.install()
    open_board(page, server_url, BOARD, name="Ivy")
    timer = page.locator("#timer")
    expect(timer).to_have_text("45:00 · not started")
    page.get_by_role("tab", name="Interviewer").click()
    settled(page)
    page.get_by_label("Minutes").fill("1")
    panel = page.locator("#interviewer")
    panel.get_by_role("button", name="Start").click()
    expect(timer).to_have_attribute("data-state", "running")
    page.clock.run_for(20_000)
    panel.get_by_role("button", name="Pause").click()
    expect(timer).to_have_attribute("data-state", "paused")
    expect(timer).to_contain_text("Paused ·")
    expect(timer).to_contain_text("left")
    panel.get_by_role("button", name="Start").click()
    expect(timer).to_have_attribute("data-state", "running")
    # 95 s on the page's clock, in steps that let each heartbeat's pong come back (a jump
    # of 95 s at once would miss them, reconnect, and restart from the server's clock).
    for _ in range(10):
        page.clock.run_for(9_500)
        page.wait_for_timeout(150)
    expect(timer).to_have_attribute("data-state", "over")
    expect(timer).to_contain_text("Time is up · +0:")
    screenshot(page, "timer-overtime")
