"""A whole practice session in a real browser: start alone from the home page, ask a
question, take a hint, run the own timer, draw with live findings, finish, review the
reference, the comparison and the rubric, score oneself, and read the report."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    BOARD_URL,
    board_id,
    connect,
    drag_from_palette,
    nodes_of_type,
    screenshot,
    set_name,
    wait_live,
    wait_saved,
)

STUDY = "Harmful content detection"


def test_a_whole_practice_session_from_start_to_report(page: Page, server_url: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(server_url + "/")
    set_name(page, server_url, "Pat")
    card = page.locator(".case-card", has_text=STUDY)
    card.get_by_label(f"Level for {STUDY}").select_option("staff")
    card.get_by_role("button", name="Practise").click()
    expect(page).to_have_url(BOARD_URL)
    public_id = board_id(page)
    wait_live(page)
    expect(page.locator("#share-dialog")).to_have_count(0)  # no links on a practice board
    expect(page.locator("#my-role")).to_have_text("candidate")
    case = page.locator("#case")
    expect(case.locator(".practice-tools")).to_be_visible()

    # Their own timer, split over the seven steps.
    case.get_by_role("button", name="Start timer").click()
    expect(page.locator("#timer")).to_have_attribute("data-state", "running")
    expect(page.locator("#timer")).to_contain_text("Requirements")
    expect(case.locator(".timer-split li")).to_have_count(7)

    # Ask a clarifying question: its answer appears.
    first_question = case.locator(".case-item").first
    expect(first_question.locator(".case-a")).to_have_count(0)
    first_question.get_by_role("button", name="Ask").click()
    expect(case.locator(".case-item").first.locator(".case-a")).to_be_visible()

    # Take a hint for the data step: it appears, and one fewer is left.
    hint_button = case.get_by_role("button", name="Take a hint for Data")
    before = hint_button.inner_text()
    hint_button.click()
    expect(case.locator(".case-item.revealed")).to_have_count(2)
    assert case.get_by_role("button", name="Take a hint for Data").inner_text() != before

    # Draw: the findings update live as usual.
    drag_from_palette(page, "client_app", 160, 260)
    drag_from_palette(page, "inference_service", 460, 260)
    expect(nodes_of_type(page, "inference_service")).to_have_count(1)
    connect(page, nodes_of_type(page, "client_app"), nodes_of_type(page, "inference_service"))
    wait_saved(page)
    page.locator("#tab-findings").click()
    expect(page.locator("#findings .finding").first).to_be_visible()
    expect(page.locator("#findings .findings")).to_have_attribute("data-level", "staff")
    page.locator("#tab-case").click()
    screenshot(page, "practice-01-session")

    # Finish (a confirm dialog asks first) and land on the review.
    page.once("dialog", lambda dialog: dialog.accept())
    case.get_by_role("button", name="Finish and review").click()
    expect(page).to_have_url(re.compile(rf"/b/{public_id}/practice/review$"))
    expect(page.get_by_role("heading", name=f"{STUDY}: your practice review")).to_be_visible()
    reference = page.locator("img.reference")
    expect(reference).to_be_visible()
    page.wait_for_function("() => document.querySelector('img.reference').naturalWidth > 0")
    comparison = page.locator(".comparison")
    expect(comparison).to_contain_text("Feature provider")
    expect(page.locator(".must-hit").first).to_be_visible()
    expect(page.locator(".red-flags").first).to_be_visible()
    expect(page.locator(".follow-ups").first).to_be_visible()
    expect(page.locator("#review-data")).to_contain_text("Hints you took here: 1.")

    # Score every step 1-4.
    for index, step in enumerate(page.locator(".review-step").all()):
        step.locator("select[name=score]").select_option(str(1 + index % 4))
        expect(step.locator(".rubric-status")).to_have_text("Saved")
    screenshot(page, "practice-02-review-1440")
    page.locator("#review-data").scroll_into_view_if_needed()
    screenshot(page, "practice-02b-review-rubric")
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "practice-03-review-1280")

    # The report lists the hint taken, and the scores; so does its Markdown.
    page.locator("#practice-report").click()
    expect(page).to_have_url(re.compile(rf"/b/{public_id}/report$"))
    expect(page.locator("#hints-taken")).to_have_text("1")
    expect(page.locator(".practice-report .reveal-hint")).to_have_count(1)
    expect(page.locator(".practice-report .reveal-question")).to_have_count(1)
    screenshot(page, "practice-04-report")
    markdown = page.request.get(f"{server_url}/b/{public_id}/report.md").text()
    assert "## Practice" in markdown and "Hints taken: 1" in markdown
    assert "| 1. Requirements | 1 |" in markdown and "| 3. Data | 3 | 1 |" in markdown

    # Back on the board, the session is over: no more hints, a link to the review.
    page.goto(f"{server_url}/b/{public_id}/")
    wait_live(page)
    expect(page.locator("#case .practice-done")).to_be_visible()
    expect(page.locator("#case").get_by_role("button", name="Ask")).to_have_count(0)


def test_the_interviewer_sees_the_study_material_in_the_rubric(page: Page, server_url: str) -> None:
    page.goto(server_url + "/")
    set_name(page, server_url, "Ivy")
    card = page.locator(".case-card", has_text=STUDY)
    card.get_by_label(f"Level for {STUDY}").select_option("senior")
    card.get_by_role("button", name="Interview").click()
    expect(page).to_have_url(BOARD_URL)
    page.locator("#share-dialog").get_by_role("button", name="Close").click()
    wait_live(page)
    page.locator("#tab-interviewer").click()
    data = page.locator(".rubric-row").nth(2)  # 3. Data
    data.locator("summary").click()
    expect(data.locator(".must-hit li").first).to_be_visible()
    expect(data.locator(".red-flags li").first).to_be_visible()
    expect(data.locator(".must-hit")).to_contain_text("request time")
    screenshot(page, "practice-05-interviewer-material")


def test_a_practice_board_turns_into_a_shared_board(page: Page, server_url: str) -> None:
    page.goto(server_url + "/")
    set_name(page, server_url, "Pat")
    page.locator(".case-card", has_text="Visual search").get_by_role(
        "button", name="Practise"
    ).click()
    expect(page).to_have_url(BOARD_URL)
    public_id = board_id(page)
    wait_live(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#case").get_by_role("button", name="Turn into a shared board").click()
    # Back on the board as its interviewer, with the new links shown once.
    share = page.locator("#share-dialog")
    expect(share).to_be_visible()
    # The three role links and the hiring team's report link.
    expect(share.locator(".share-link")).to_have_count(4)
    expect(share.locator(".share-link-candidate .share-url")).to_have_value(
        re.compile(rf"/join/{public_id}/[^/]+/$")
    )
    share.get_by_role("button", name="Close").click()
    wait_live(page)
    expect(page.locator("#my-role")).to_have_text("interviewer")
    expect(page.locator("#case .practice-tools")).to_have_count(0)
    expect(page.locator("#tab-interviewer")).to_be_visible()


def test_practising_alone_does_not_ask_for_a_name(page: Page, server_url: str) -> None:
    # Nobody else is on a practice board: the page goes straight to the board (the avatar
    # still opens the name dialog for someone who wants to set one).
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(server_url + "/")
    card = page.locator(".case-card", has_text=STUDY)
    card.get_by_role("button", name="Practise").click()
    expect(page).to_have_url(BOARD_URL)
    wait_live(page)
    expect(page.locator("#name-dialog")).not_to_have_attribute("open", "")
    page.locator("#case").get_by_role("button", name="Start timer").click()  # not blocked
    expect(page.locator("#timer")).to_have_attribute("data-state", "running")


# The reference image's drawn width over the width of its drawing (the SVG's viewBox).
REFERENCE_SCALE_JS = """async () => {
  const img = document.querySelector('img.reference');
  const svg = await (await fetch(img.src)).text();
  const viewBox = svg.match(/viewBox="([^"]+)"/)[1].split(/\\s+/).map(Number);
  return img.getBoundingClientRect().width / viewBox[2];
}"""


def test_the_review_shows_a_legible_reference_a_styled_rubric_and_empty_steps(
    page: Page, server_url: str
) -> None:
    """The UX review: the reference was drawn 440 px tall (half its size, ~5 px text) with no
    visible way to a larger view; the score meanings were unstyled (panels.css not loaded);
    steps 1 and 2, which have no components, said a green "nothing missing" when empty."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(server_url + "/")
    set_name(page, server_url, "Pat")
    page.locator(".case-card", has_text=STUDY).get_by_role("button", name="Practise").click()
    expect(page).to_have_url(BOARD_URL)
    public_id = board_id(page)
    wait_live(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#case").get_by_role("button", name="Finish and review").click()
    expect(page).to_have_url(re.compile(rf"/b/{public_id}/practice/review$"))
    page.wait_for_function("() => document.querySelector('img.reference').naturalWidth > 0")

    for width, height in ((1440, 900), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        scale = page.evaluate(REFERENCE_SCALE_JS)
        assert scale >= 0.7, f"the reference is drawn at {scale:.0%} of its size at {width} px"
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no page scroll
        page.locator(".reference-scroll").scroll_into_view_if_needed()
        screenshot(page, f"practice-06-review-reference-{width}")

    # A plain link opens the reference alone, full size, in a new tab.
    full = page.get_by_role("link", name=re.compile("reference design full size"))
    expect(full).to_be_visible()
    expect(full).to_have_attribute("target", "_blank")
    with page.context.expect_page() as opened:
        full.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url.endswith(f"/b/{public_id}/practice/reference.svg")
    expect(tab.locator("svg")).to_have_count(1)
    tab.close()

    # Each score sits beside its meaning, as in the interviewer's rubric.
    meanings = page.locator(".score-meanings")
    expect(meanings.locator("dt")).to_have_count(4)
    for dt, dd in zip(meanings.locator("dt").all(), meanings.locator("dd").all(), strict=True):
        score, meaning = dt.bounding_box(), dd.bounding_box()
        assert score and meaning
        assert abs(score["y"] - meaning["y"]) < 2 and score["x"] + score["width"] <= meaning["x"]

    # Nothing was written in the worksheet: steps 1 and 2 say so, and not in green.
    green = "rgb(21, 128, 61)"
    for key in ("requirements", "framing"):
        line = page.locator(f"#compare-{key}")
        expect(line).to_contain_text("not written yet")
        expect(line).not_to_contain_text("nothing missing")
        expect(line.locator(".empty")).not_to_have_css("color", green)
    page.locator(".comparison").scroll_into_view_if_needed()
    screenshot(page, "practice-07-review-comparison")
