"""The Case panel keeps its place: a reveal (the interviewer's Reveal answer / Reveal hint,
the practice's Ask / Take a hint) re-renders the whole panel, which used to throw the
panel to its bottom ("Compared with the board") and drop the keyboard focus on <body>."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import BOARD_URL, set_name, wait_live

pytestmark = pytest.mark.browser

STUDY = "Harmful content detection"

# Counts the Case panel's swaps (the reveal's answer, then the refresh every reveal
# broadcasts), so that a test can wait for the refresh too.
COUNT_SWAPS = """() => { window.caseSwaps = 0;
  document.getElementById('case').addEventListener('htmx:afterSettle', (e) => {
    if (e.detail.elt.id === 'case') window.caseSwaps += 1; }); }"""


def scroll_top(page: Page) -> float:
    return page.evaluate("() => document.getElementById('case-tab').scrollTop")


def scroll_to_middle(page: Page, target: Locator) -> float:
    """Scroll the Case panel so that `target` sits in its middle; the new scroll top."""
    target.evaluate("el => el.scrollIntoView({block: 'center'})")
    top = scroll_top(page)
    assert top > 200, f"the panel barely scrolled ({top} px): the test would prove nothing"
    return top


def start(page: Page, base: str, button: str) -> Locator:
    """Start STUDY from the home page (Interview or Practise); the Case panel."""
    page.goto(base + "/")
    set_name(page, base, "Ivy")
    page.locator(".case-card", has_text=STUDY).get_by_role("button", name=button).click()
    expect(page).to_have_url(BOARD_URL)
    share = page.locator("#share-dialog")
    if button == "Interview":
        expect(share).to_be_visible()
        share.get_by_role("button", name="Close").click()
    wait_live(page)
    case = page.locator("#case")
    expect(case.locator(".case-item").first).to_be_visible()
    if button == "Interview":
        page.wait_for_function(
            "() => document.querySelector('#case img.reference')?.naturalWidth > 0"
        )
    page.evaluate(COUNT_SWAPS)
    return case


def swaps(page: Page) -> int:
    return page.evaluate("() => window.caseSwaps")


def test_reveal_keeps_the_case_panel_where_it_was_and_focuses_the_item(
    page: Page, server_url: str
) -> None:
    case = start(page, server_url, "Interview")
    button = case.get_by_role("button", name="Reveal answer").nth(1)
    question = button.locator("xpath=..").locator(".case-q").inner_text()
    item = case.locator(".case-item", has_text=question)
    top = scroll_to_middle(page, button)

    button.click()
    expect(item).to_have_class(re.compile(r"\brevealed\b"))
    expect(item.locator(".badge")).to_have_text("revealed")
    # The panel did not move; the focus is on the item just revealed, not on <body>.
    assert abs(scroll_top(page) - top) <= 2, (top, scroll_top(page))
    expect(item).to_be_focused()

    # The refresh every reveal broadcasts waits while the focus is in the panel; once the
    # focus leaves, it comes, and the panel still does not move.
    page.locator("#canvas").focus()
    page.wait_for_function("() => window.caseSwaps >= 2")
    assert abs(scroll_top(page) - top) <= 2, (top, scroll_top(page))

    # The keyboard: Tab to the next reveal button, Enter; the focus follows the reveal.
    hint_button = case.get_by_role("button", name="Reveal hint").nth(2)
    hint_text = hint_button.locator("xpath=..").locator("p").first.inner_text()
    hint_item = case.locator(".case-item", has_text=hint_text)
    top = scroll_to_middle(page, hint_button)
    hint_button.focus()
    page.keyboard.press("Enter")
    expect(hint_item).to_have_class(re.compile(r"\brevealed\b"))
    expect(hint_item).to_be_focused()
    assert abs(scroll_top(page) - top) <= 2, (top, scroll_top(page))


def test_ask_and_take_a_hint_keep_the_practice_panel_in_place(page: Page, server_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 700})
    case = start(page, server_url, "Practise")
    button = case.get_by_role("button", name="Ask").nth(1)
    question = button.locator("xpath=..").locator(".case-q").inner_text()
    item = case.locator(".case-item", has_text=question)
    top = scroll_to_middle(page, button)

    button.click()
    expect(item.locator(".case-a")).to_be_visible()
    assert abs(scroll_top(page) - top) <= 2, (top, scroll_top(page))
    expect(item).to_be_focused()

    # A hint: the one taken appears where the button was, and takes the focus.
    take = case.get_by_role("button", name="Take a hint for Model")
    top = scroll_to_middle(page, take)
    before = case.locator(".case-item.revealed").count()
    take.click()
    expect(case.locator(".case-item.revealed")).to_have_count(before + 1)
    # The focus moves once htmx has settled the swapped panel (20 ms after the swap).
    focused = page.wait_for_function(
        "() => document.activeElement.matches('#case .case-item.revealed')"
        " && document.activeElement.textContent.trim()",
        timeout=3_000,
    ).json_value()
    assert focused, "the focus did not go to the hint just taken"
    assert abs(scroll_top(page) - top) <= 2, (top, scroll_top(page))
