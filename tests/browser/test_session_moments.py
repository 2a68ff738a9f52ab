"""A three-person interview played moment by moment (issue 17): the places where a person
stumbled, each played the way it was found. Every person is a browser context of their
own (their own session cookie)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    BOARD_URL,
    answer_name_prompt,
    open_link,
    screenshot,
    set_name,
    wait_live,
)

pytestmark = pytest.mark.browser

LARGE = {"width": 1440, "height": 900}


def start_case(page: Page, base: str) -> dict[str, str]:
    """Start the first case study as interviewer "Ivy"; return the share dialog's links
    (role -> URL) and close it."""
    page.goto(base + "/")
    set_name(page, base, "Ivy")
    page.locator(".case-card").first.get_by_role("button", name="Start").click()
    expect(page).to_have_url(BOARD_URL)
    share = page.locator("#share-dialog")
    expect(share).to_be_visible()
    links = {
        role: share.locator(f"#link-{role} .share-url").input_value()
        for role in ("candidate", "viewer", "interviewer")
    }
    share.get_by_role("button", name="Close").click()
    wait_live(page)
    return links


def test_a_candidate_on_another_tab_is_told_of_a_reveal(
    page: Page, person, server_url: str
) -> None:
    links = start_case(page, server_url)
    candidate = person(LARGE)
    open_link(candidate, server_url, links["candidate"], name="Cleo")
    case_tab = candidate.get_by_role("tab", name=re.compile("^Case"))
    # The candidate works on the worksheet while the interviewer reveals a hint.
    candidate.get_by_role("tab", name=re.compile("^Worksheet")).click()
    expect(case_tab).to_have_attribute("aria-selected", "false")
    expect(case_tab.locator(".tab-dot")).to_be_hidden()
    page.locator("#case").get_by_role("button", name="Reveal hint").first.click()
    expect(page.locator("#case .badge", has_text="revealed").first).to_be_visible()

    toast = candidate.locator("#toasts .toast", has_text="revealed something new")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("Case tab")
    expect(case_tab.locator(".tab-dot")).to_be_visible()
    expect(case_tab).to_have_attribute("data-unseen", "true")
    screenshot(candidate, "reveal-notice-1440")
    candidate.set_viewport_size({"width": 1280, "height": 800})
    screenshot(candidate, "reveal-notice-1280")
    # Opening the Case tab shows the hint and clears the dot.
    case_tab.click()
    expect(case_tab.locator(".tab-dot")).to_be_hidden()
    expect(candidate.locator("#case .case-item.revealed").first).to_be_visible()
    # The interviewer who revealed it is not told about their own click.
    expect(page.locator("#toasts .toast", has_text="revealed something new")).to_have_count(0)

    # A reveal while the candidate looks at the Case tab: the panel refreshes in place,
    # no toast and no dot.
    before = candidate.locator("#case .case-item.revealed").count()
    page.locator("#case").get_by_role("button", name="Reveal hint").first.click()
    expect(candidate.locator("#case .case-item.revealed")).to_have_count(before + 1)
    expect(case_tab.locator(".tab-dot")).to_be_hidden()
