"""Layout at the widths people use (1024 and 1440 px): nothing clipped, nothing overlapping,
dialogs that fit, and lists that are not pretend buttons (the UX review's findings)."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import (
    BOARD_URL,
    close_share_links,
    gateway_and_scorer,
    open_board,
    open_link,
    screenshot,
    set_name,
    wait_live,
)
from tests.conftest import DESIGNS

pytestmark = pytest.mark.browser

SMALL = {"width": 1024, "height": 700}
LARGE = {"width": 1440, "height": 900}

# Bounding boxes (x, y, width, height) of every selector that is displayed; rounding
# slack of half a pixel.
BOXES_JS = """(selectors) => selectors.flatMap((s) => [...document.querySelectorAll(s)]
  .filter((e) => e.getClientRects().length && e.getBoundingClientRect().width > 1)
  .map((e) => { const r = e.getBoundingClientRect();
                return {sel: s, x: r.left, y: r.top, w: r.width, h: r.height,
                        clipped: e.scrollWidth > e.clientWidth + 1}; }))"""


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] + 0.5 < b["x"] + b["w"]
        and b["x"] + 0.5 < a["x"] + a["w"]
        and a["y"] + 0.5 < b["y"] + b["h"]
        and b["y"] + 0.5 < a["y"] + a["h"]
    )


def _inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + 0.5
        and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + 0.5
    )


@pytest.fixture
def small_page(person) -> Page:
    """One more person, in a 1024 x 700 window (their own browser context and session)."""
    return person(SMALL)


def start_case_study(page: Page, base: str) -> str:
    """Start the first case study from the home page as interviewer (five side tabs) and
    close the share dialog that shows the new links; return the board URL."""
    page.goto(base + "/")
    set_name(page, base, "Ivy")
    page.locator(".case-card").first.get_by_role("button", name="Interview").click()
    expect(page).to_have_url(BOARD_URL)
    close_share_links(page)
    wait_live(page)
    return page.url


def test_every_side_tab_is_readable_and_clickable(page: Page, server_url: str) -> None:
    start_case_study(page, server_url)
    tabs = page.locator(".tabs [role=tab]")
    expect(tabs).to_have_count(6)  # Case, Findings, Inspector, Worksheet, Outline, Interviewer
    for viewport in (SMALL, LARGE):
        page.set_viewport_size(viewport)
        strip = page.evaluate(BOXES_JS, [".tabs"])[0]
        assert not strip["clipped"], "the tab strip scrolls or clips"
        for box in page.evaluate(BOXES_JS, [".tabs [role=tab]"]):
            assert _inside(box, strip), f"a tab sticks out of the strip at {viewport}: {box}"
            assert not box["clipped"], f"a tab label is clipped at {viewport}"
        for name in ("Interviewer", "Outline", "Worksheet", "Inspector", "Findings", "Case"):
            tab = page.get_by_role("tab", name=re.compile(f"^{name}"))
            tab.click()
            expect(tab).to_have_attribute("aria-selected", "true")
    page.set_viewport_size(SMALL)
    screenshot(page, "layout-tabs-1024")


def test_the_top_bar_never_overlaps_at_1024(page: Page, server_url: str) -> None:
    start_case_study(page, server_url)
    page.set_viewport_size(SMALL)
    # The longest texts the bar shows: a running timer with its step, and the connection
    # status while offline with edits waiting.
    page.evaluate("""() => {
      const timer = document.getElementById('timer');
      timer.hidden = false; timer.textContent = '44:42 · Requirements';
      document.getElementById('conn-state').textContent =
        'Offline — 12 edits waiting';
    }""")
    parts = [
        ".topbar .brand",
        "#board-title",
        "#board-level",
        "#my-role",
        "#timer",
        "#conn-state",
        "#participants",
        ".topbar .menu > summary",
        "#share-button",
        "#help-button",
    ]
    boxes = page.evaluate(BOXES_JS, parts)
    assert {b["sel"] for b in boxes} == set(parts), "every part of the bar is displayed"
    bar = page.evaluate(BOXES_JS, [".topbar"])[0]
    assert not bar["clipped"]
    for box in boxes:
        assert _inside(box, bar), f"{box['sel']} leaves the top bar"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlap(a, b), f"{a['sel']} overlaps {b['sel']}"
    title = next(b for b in boxes if b["sel"] == "#board-title")
    assert title["w"] >= 100, "the title keeps room for a few words"
    screenshot(page, "layout-topbar-1024")


def test_step_coverage_chips_show_whole_titles(page: Page, server_url: str) -> None:
    open_board(page, server_url, gateway_and_scorer("Coverage"))
    page.set_viewport_size(SMALL)
    panel = page.evaluate(BOXES_JS, ["#findings"])[0]
    chips = page.evaluate(BOXES_JS, ["#findings .cov"])
    assert len(chips) == 7
    for chip in chips:
        assert _inside(chip, panel) and not chip["clipped"], chip
    titles = page.locator("#findings .cov-title")
    for i in range(7):
        assert page.evaluate(
            "(e) => e.scrollWidth <= e.clientWidth", titles.nth(i).element_handle()
        )
    expect(titles.nth(0)).to_have_text("Requirements")
    # "0 info" (and every other count) never breaks over two lines.
    for count in page.evaluate(BOXES_JS, ["#findings .count"]):
        assert count["h"] < 24, count


def test_share_dialog_lists_the_candidate_first_with_whole_links(
    page: Page, server_url: str
) -> None:
    page.set_viewport_size(SMALL)
    start = page.goto(server_url + "/")
    assert start and start.ok
    set_name(page, server_url, "Ivy")
    page.get_by_label("Title").fill("Sharing")
    page.get_by_role("button", name="Create board").click()
    dialog = page.locator("#share-dialog")
    expect(dialog).to_be_visible()
    rows = page.evaluate(BOXES_JS, ["#link-candidate", "#link-viewer", "#link-interviewer"])
    tops = {r["sel"]: r["y"] for r in rows}
    assert tops["#link-candidate"] < tops["#link-viewer"] < tops["#link-interviewer"]
    expect(page.locator("#link-candidate .share-url")).to_be_focused()
    for url in page.evaluate(BOXES_JS, ["#share-dialog .share-url"]):
        assert not url["clipped"], "a link is cut"
        assert url["w"] >= 400
    expect(page.locator("#link-interviewer")).to_contain_text("keep it private")
    copy = page.locator("#link-candidate .copy-link")
    expect(copy).to_be_visible()
    close = dialog.get_by_role("button", name="Close")
    expect(close).to_be_in_viewport()
    screenshot(page, "layout-share-1024")
    close.click()
    expect(dialog).to_be_hidden()


def test_shortcuts_help_fits_a_short_window(page: Page, server_url: str) -> None:
    open_board(page, server_url, gateway_and_scorer("Help"))
    page.set_viewport_size(SMALL)
    page.locator("#help-button").click()
    dialog = page.locator("#help-dialog")
    expect(dialog).to_be_visible()
    close = dialog.get_by_role("button", name="Close")
    expect(close).to_be_in_viewport(ratio=1)
    # Two columns: each key sits on the same line as its description, to its left.
    keys = page.evaluate(BOXES_JS, ["#help-dialog dt"])
    meanings = page.evaluate(BOXES_JS, ["#help-dialog dd"])
    assert len(keys) == len(meanings) > 10
    for key, meaning in zip(keys, meanings, strict=True):
        assert abs(key["y"] - meaning["y"]) < 1 and key["x"] + key["w"] <= meaning["x"] + 0.5
        assert meaning["w"] >= 240, "descriptions are not squeezed"
    page.set_viewport_size({"width": 1024, "height": 480})
    expect(close).to_be_in_viewport(ratio=1)
    close.click()
    expect(dialog).to_be_hidden()


def test_join_notice_and_follow_pill_do_not_overlap(
    page: Page, small_page: Page, browser: Browser, server_url: str
) -> None:
    _, created = open_board(page, server_url, gateway_and_scorer("Follow"))
    viewer = small_page
    candidate = browser.new_context(viewport=LARGE)
    latecomer = browser.new_context(viewport=LARGE)
    try:
        open_link(candidate.new_page(), server_url, created["links"]["candidate"], "Carla")
        open_link(viewer, server_url, created["links"]["viewer"], "Vic")
        pill = viewer.locator("#follow-pill")
        expect(pill).to_be_visible()  # a viewer follows the candidate by itself
        open_link(latecomer.new_page(), server_url, created["links"]["candidate"], "Dan")
        toast = viewer.locator("#toasts .toast").filter(has_text="Dan")
        expect(toast).to_be_visible()
        a, b = pill.bounding_box(), toast.bounding_box()
        assert a and b
        box = lambda r: {"x": r["x"], "y": r["y"], "w": r["width"], "h": r["height"]}  # noqa: E731
        assert not _overlap(box(a), box(b)), (a, b)
        screenshot(viewer, "layout-follow-toast-1024")
    finally:
        latecomer.close()
        candidate.close()


def test_viewers_get_the_canvas_without_a_palette(
    page: Page, small_page: Page, server_url: str
) -> None:
    _, created = open_board(page, server_url, gateway_and_scorer("Watch"))
    viewer = small_page
    open_link(viewer, server_url, created["links"]["viewer"], "Vic")
    expect(viewer.locator(".sidebar-left")).to_be_hidden()
    stage = viewer.locator("#stage").bounding_box()
    assert stage and stage["x"] < 2, "the canvas starts at the left edge"
    # Editors keep their palette.
    page.set_viewport_size(SMALL)
    expect(page.locator(".sidebar-left")).to_be_visible()


def test_replay_frames_keep_one_diagram_box_and_a_plain_findings_list(
    page: Page, server_url: str
) -> None:
    public_id, _ = open_board(page, server_url, gateway_and_scorer("Replay"))
    page.locator('.palette-item[data-type="cache"]').focus()
    page.keyboard.press("Enter")
    page.locator('.palette-item[data-type="drift_monitor"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("body")).to_have_attribute("data-revision", "3")
    page.set_viewport_size(SMALL)
    page.goto(f"{server_url}/b/{public_id}/replay")
    boxes = []
    for revision in (1, 3, 2):
        slider = page.locator("#replay-slider")
        slider.fill(str(revision))
        frame = page.locator(f'#replay-frame .replay-frame[data-revision="{revision}"]')
        expect(frame).to_be_visible()
        image = frame.locator("img")
        expect(image).to_have_js_property("complete", True)
        stage = frame.locator(".replay-stage").bounding_box()
        drawn = image.bounding_box()
        assert stage and drawn
        assert drawn["width"] <= stage["width"] + 0.5 and drawn["height"] <= stage["height"] + 0.5
        boxes.append((round(stage["y"]), round(stage["height"])))
        # The findings are a list to read, not buttons that do nothing.
        expect(frame.locator("[tabindex], [role=button], button")).to_have_count(0)
        expect(frame.locator(".replay-finding").first).to_be_visible()
    assert len(set(boxes)) == 1, f"the diagram box moved or changed size: {boxes}"
    screenshot(page, "layout-replay-1024")


def test_home_catalogue_is_a_plain_list_and_start_buttons_line_up(
    page: Page, server_url: str
) -> None:
    page.set_viewport_size(LARGE)
    page.goto(server_url + "/")
    items = page.locator(".catalogue .palette-item")
    assert items.count() > 30
    expect(
        page.locator(".catalogue [tabindex], .catalogue [role=button], .catalogue [draggable=true]")
    ).to_have_count(0)
    assert items.first.evaluate("(e) => getComputedStyle(e).cursor") == "default"
    # Each card has two start buttons (Practise, Interview) side by side.
    practise = page.evaluate(BOXES_JS, [".case-card button[type=submit]:first-of-type"])
    interview = page.evaluate(BOXES_JS, [".case-card button[type=submit]:last-of-type"])
    assert len(practise) >= 4
    rows: dict[int, set[int]] = {}
    cards = page.evaluate(BOXES_JS, [".case-card"])
    for card, first, second in zip(cards, practise, interview, strict=True):
        rows.setdefault(round(card["y"]), set()).update({round(first["y"]), round(second["y"])})
    assert all(len(tops) == 1 for tops in rows.values()), f"Start buttons do not line up: {rows}"


# Per case card: its content box (inside border and padding) and the boxes of everything
# in it (title, summary, level, buttons), with whether any of them cuts its own text.
CASE_CARDS_JS = """() => [...document.querySelectorAll('.case-card')].map((card) => {
  const r = card.getBoundingClientRect(), cs = getComputedStyle(card);
  const px = (name) => parseFloat(cs[name]);
  const box = {x: r.left + px('borderLeftWidth') + px('paddingLeft'),
               y: r.top + px('borderTopWidth') + px('paddingTop'),
               w: r.width - px('borderLeftWidth') - px('borderRightWidth') - px('paddingLeft')
                  - px('paddingRight'),
               h: r.height - px('borderTopWidth') - px('borderBottomWidth') - px('paddingTop')
                  - px('paddingBottom')};
  const parts = [...card.querySelectorAll('h3, p, .case-start, select, button')].map((e) => {
    const b = e.getBoundingClientRect();
    return {sel: e.tagName + (e.textContent.trim() ? ' ' + e.textContent.trim().slice(0, 30) : ''),
            x: b.left, y: b.top, w: b.width, h: b.height,
            clipped: e.scrollWidth > e.clientWidth + 1};
  });
  return {title: card.querySelector('h3').textContent, box, parts};
})"""


@pytest.mark.parametrize(
    "viewport",
    [LARGE, {"width": 1280, "height": 800}, {"width": 1920, "height": 1080}],
    ids=["1440", "1280", "1920"],
)
def test_case_study_cards_hold_their_whole_content(
    page: Page, server_url: str, viewport: dict
) -> None:
    """At 1440 and 1280 px each card was 259 px wide with 276 px of content: summaries ran
    under the next card ("that ea") and "Interview" showed as "Intervie". Every title,
    summary, level and button now lies inside its card's content box, none cut."""
    page.set_viewport_size(viewport)
    page.goto(server_url + "/")
    cards = page.evaluate(CASE_CARDS_JS)
    assert len(cards) == 10
    for card in cards:
        for part in card["parts"]:
            assert _inside(part, card["box"]), (
                f"{part['sel']!r} sticks out of the card {card['title']!r} at "
                f"{viewport['width']} px: {part} not in {card['box']}"
            )
            assert not part["clipped"], f"{part['sel']!r} cuts its text in {card['title']!r}"
    page.locator(".case-grid").scroll_into_view_if_needed()
    screenshot(page, f"layout-home-cases-{viewport['width']}")


def test_side_tabs_keep_one_row_and_do_not_move_when_the_count_changes(
    page: Page, server_url: str
) -> None:
    """Issue 17: a two-digit findings count wrapped "Worksheet" to a second row and moved
    the panel; the interviewer's six tabs (with the Outline) now keep one row at 1280 px
    and above, and adding findings moves nothing."""
    start_case_study(page, server_url)
    tabs = page.locator(".tabs [role=tab]")
    expect(tabs).to_have_count(6)  # Case, Findings, Inspector, Worksheet, Outline, Interviewer
    page.get_by_role("tab", name=re.compile("^Worksheet")).click()

    def layout() -> list[tuple[float, float]]:
        boxes = page.evaluate(BOXES_JS, [".tabs [role=tab]", ".tab-panel.active"])
        return [(round(b["x"]), round(b["y"])) for b in boxes]

    for viewport in (LARGE, {"width": 1280, "height": 800}):
        page.set_viewport_size(viewport)
        strip = page.evaluate(BOXES_JS, [".tabs"])[0]
        boxes = page.evaluate(BOXES_JS, [".tabs [role=tab]"])
        assert len({round(b["y"]) for b in boxes}) == 1, f"the tabs take two rows at {viewport}"
        for box in boxes:
            assert _inside(box, strip), f"a tab sticks out of the strip at {viewport}: {box}"
    before = layout()
    badge = page.locator("#tab-findings .tab-count")
    # Eleven components with nothing connected: a two-digit count of things to fix.
    first = page.locator(".palette-item").first
    first.focus()
    for _ in range(11):
        page.keyboard.press("Enter")
        page.keyboard.press("ArrowDown")
    expect(page.locator("#canvas .joint-element")).to_have_count(11)
    expect(badge).to_have_text(re.compile(r"^\d\d$"))
    assert layout() == before, "a tab or the panel moved when the findings count changed"
    screenshot(page, "layout-tabs-1280")


def test_the_report_diagram_is_full_width_with_numbered_findings(
    page: Page, server_url: str
) -> None:
    design = json.loads((DESIGNS / "video_recommendation_no_response.json").read_text())
    public_id, _ = open_board(page, server_url, design)
    page.set_viewport_size(LARGE)
    page.goto(f"{server_url}/b/{public_id}/report")
    image = page.locator("img.diagram")
    expect(image).to_have_js_property("complete", True)
    box = image.bounding_box()
    assert box and box["width"] >= 0.95 * (LARGE["width"] - 48)  # wider than the text
    assert box["x"] >= 0 and box["x"] + box["width"] <= LARGE["width"]
    svg = page.request.get(f"{server_url}/b/{public_id}/export.svg?findings=1&legend=1").text()
    assert "Findings" in svg and ">1</text>" in svg  # numbered badge and list
    screenshot(page, "report-diagram-1440")
