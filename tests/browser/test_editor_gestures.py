"""Moving, renaming, auto-layout, findings, worksheet and board settings in the editor."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    api_board,
    api_revision,
    centre,
    drag_by,
    links,
    node,
    open_board,
    positions,
    screenshot,
    wait_saved,
)

pytestmark = pytest.mark.browser

THREE = {
    "title": "Three in a row",
    "nodes": [
        {"id": "app", "type": "client_app", "label": "App", "x": 40, "y": 240},
        {"id": "gw", "type": "api_gateway", "label": "Gateway", "x": 40, "y": 40},
        {"id": "svc", "type": "inference_service", "label": "Scorer", "x": 320, "y": 400},
    ],
    "edges": [
        {"id": "e1", "source": "app", "target": "gw"},
        {"id": "e2", "source": "gw", "target": "svc", "label": "score"},
    ],
}


def test_a_drag_is_one_move_and_a_group_drag_is_one_batch(page: Page, server_url: str) -> None:
    public_id, _ = open_board(page, server_url, THREE)
    before = positions(page, server_url, public_id)
    revision = api_revision(page, server_url, public_id)

    drag_by(page, node(page, "svc"), 160, -80)
    wait_saved(page)
    after = positions(page, server_url, public_id)
    assert api_revision(page, server_url, public_id) == revision + 1  # one op for the drag
    dx, dy = after["svc"][0] - before["svc"][0], after["svc"][1] - before["svc"][1]
    assert abs(dx - 160) <= 8 and abs(dy + 80) <= 8, (dx, dy)
    assert after["gw"] == before["gw"] and after["app"] == before["app"]

    # Two selected components move together, as one batch.
    node(page, "app").click()
    node(page, "gw").click(modifiers=["Shift"])
    drag_by(page, node(page, "gw"), 120, 40)
    wait_saved(page)
    moved = positions(page, server_url, public_id)
    assert api_revision(page, server_url, public_id) == revision + 2
    for key in ("app", "gw"):
        assert moved[key][0] - after[key][0] == moved["gw"][0] - after["gw"][0] > 100
        assert moved[key][1] - after[key][1] == moved["gw"][1] - after["gw"][1] > 20
    assert moved["svc"] == after["svc"]

    # One undo puts both back.
    page.keyboard.press("Control+z")
    wait_saved(page)
    assert positions(page, server_url, public_id) == after


def test_arrow_keys_move_the_selection_as_one_move(page: Page, server_url: str) -> None:
    public_id, _ = open_board(page, server_url, THREE)
    before = positions(page, server_url, public_id)
    revision = api_revision(page, server_url, public_id)
    node(page, "gw").click()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    expect(page.locator("body")).to_have_attribute("data-revision", str(revision + 1))
    wait_saved(page)
    after = positions(page, server_url, public_id)
    assert after["gw"] == (before["gw"][0] + 24, before["gw"][1] + 40)
    assert api_revision(page, server_url, public_id) == revision + 1


def test_double_click_edits_labels_in_place(page: Page, server_url: str) -> None:
    public_id, _ = open_board(page, server_url, THREE)
    node(page, "gw").dblclick()
    editor = page.locator(".label-editor")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Gateway")
    editor.fill("Edge gateway")
    editor.press("Enter")
    expect(editor).to_have_count(0)
    expect(node(page, "gw").locator('[joint-selector="label"]')).to_have_text("Edge gateway")

    # Escape cancels.
    node(page, "svc").dblclick()
    expect(editor).to_be_focused()
    editor.fill("Something else")
    editor.press("Escape")
    expect(editor).to_have_count(0)
    expect(node(page, "svc").locator('[joint-selector="label"]')).to_have_text("Scorer")

    # A connection's label, from a double-click on the line.
    link = page.locator('#canvas .joint-link[model-id="e:e1"]')
    x, y = centre(link)
    page.mouse.dblclick(x, y)
    expect(editor).to_be_focused()
    editor.fill("requests")
    editor.press("Enter")
    expect(link).to_contain_text("requests")

    wait_saved(page)
    stored = api_board(page, server_url, public_id)
    labels = {n["id"]: n["label"] for n in stored["nodes"]}
    assert labels == {"app": "App", "gw": "Edge gateway", "svc": "Scorer"}
    assert {e["id"]: e.get("label", "") for e in stored["edges"]} == {
        "e1": "requests",
        "e2": "score",
    }


def test_auto_layout_is_one_undoable_batch(page: Page, server_url: str) -> None:
    public_id, _ = open_board(page, server_url, THREE)
    button = page.locator("#auto-layout")
    expect(button).to_be_visible()
    before = positions(page, server_url, public_id)
    revision = api_revision(page, server_url, public_id)

    button.click()
    expect(page.locator("body")).to_have_attribute("data-revision", str(revision + 1))
    wait_saved(page)
    laid = positions(page, server_url, public_id)
    assert api_revision(page, server_url, public_id) == revision + 1
    assert laid != before
    # Left to right along the flow: app -> gateway -> scorer.
    assert laid["app"][0] < laid["gw"][0] < laid["svc"][0]

    page.locator("#undo").click()
    wait_saved(page)
    assert positions(page, server_url, public_id) == before
    assert api_revision(page, server_url, public_id) == revision + 2


def test_a_slow_auto_layout_says_so_and_clears_the_notice_when_done(
    page: Page, server_url: str
) -> None:
    """The placement can take a second or more (components/anneal.py): held here until
    the notice shows, the answer then lands as usual and the notice goes."""
    public_id, _ = open_board(page, server_url, THREE)
    held = []
    page.route("**/layout", lambda route: held.append(route))
    revision = api_revision(page, server_url, public_id)
    page.locator("#auto-layout").click()
    expect(page.locator("#hint")).to_have_text("Arranging the board\u2026")
    expect(page.locator("#auto-layout")).to_have_attribute("aria-busy", "true")
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("body")).to_have_attribute("data-revision", str(revision + 1))
    expect(page.locator("#hint")).to_have_text("")
    expect(page.locator("#auto-layout")).not_to_have_attribute("aria-busy", "true")


def test_findings_outline_and_select_components(page: Page, server_url: str) -> None:
    open_board(
        page,
        server_url,
        {
            "nodes": [
                {"id": "app", "type": "client_app", "label": "App", "x": 40, "y": 40},
                {"id": "gw", "type": "api_gateway", "label": "Gateway", "x": 320, "y": 40},
                {"id": "lonely", "type": "cache", "label": "Lonely cache", "x": 180, "y": 260},
            ],
            "edges": [{"id": "e1", "source": "app", "target": "gw"}],
        },
    )
    lonely = node(page, "lonely")
    expect(lonely).to_have_attribute("data-status", "warning")
    expect(node(page, "app")).to_have_attribute("data-status", "error")  # serving-loop error
    finding = page.locator('#findings .finding[data-rule="isolated-component"]')
    expect(finding).to_have_count(1)
    expect(finding).to_have_attribute("data-nodes", "lonely")
    finding.click()
    expect(lonely).to_have_attribute("data-selected", "true")
    expect(node(page, "gw")).to_have_attribute("data-selected", "false")
    expect(finding).to_contain_class("is-active")

    # Keyboard: Enter on a focused finding selects its components too.
    serving = page.locator('#findings .finding[data-rule="serving-loop"]')
    serving.focus()
    page.keyboard.press("Enter")
    expect(node(page, "app")).to_have_attribute("data-selected", "true")
    expect(lonely).to_have_attribute("data-selected", "false")
    screenshot(page, "06-findings-select")


def test_worksheet_title_and_level_are_saved(page: Page, server_url: str) -> None:
    public_id, _ = open_board(page, server_url, {"title": "Draft", "level": "senior"})
    page.get_by_role("tab", name="Worksheet").click()
    requirements = page.locator('#worksheet textarea[name="requirements"]')
    requirements.fill("1B users, 200 ms p99 latency")
    expect(page.locator("#ws-status")).to_have_text("Saved")
    framing = page.locator('#worksheet textarea[name="framing"]')
    framing.press_sequentially("Rank videos by P(watch)", delay=5)
    expect(page.locator("#ws-status")).to_have_text("Saved")

    title = page.locator("#board-title")
    title.fill("Video recommendation")
    title.press("Enter")
    expect(page).to_have_title("Video recommendation · MLSD Studio")

    page.get_by_role("tab", name="Findings").click()
    expect(page.locator("#findings .findings")).to_have_attribute("data-level", "senior")
    page.locator("#board-level").select_option("mid")
    expect(page.locator("#findings .findings")).to_have_attribute("data-level", "mid")

    wait_saved(page)
    stored = api_board(page, server_url, public_id)
    assert stored["title"] == "Video recommendation"
    assert stored["level"] == "mid"
    assert stored["notes"]["requirements"] == "1B users, 200 ms p99 latency"
    assert stored["notes"]["framing"] == "Rank videos by P(watch)"

    page.reload()
    page.get_by_role("tab", name="Worksheet").click()
    expect(page.locator('#worksheet textarea[name="requirements"]')).to_have_value(
        "1B users, 200 ms p99 latency"
    )
    expect(page.locator("#board-level")).to_have_value("mid")


def test_zoom_fit_and_help(page: Page, server_url: str) -> None:
    open_board(page, server_url, THREE)
    zoom = page.locator("#zoom-level")
    start = zoom.inner_text()
    page.locator("#zoom-in").click()
    expect(zoom).not_to_have_text(start)
    page.locator("#canvas").focus()
    page.keyboard.press("-")
    page.keyboard.press("-")
    page.keyboard.press("f")
    # Fit shows every component inside the canvas.
    stage = page.locator("#stage").bounding_box()
    for key in ("app", "gw", "svc"):
        box = node(page, key).bounding_box()
        assert stage["x"] <= box["x"] and box["x"] + box["width"] <= stage["x"] + stage["width"]
        assert stage["y"] <= box["y"] and box["y"] + box["height"] <= stage["y"] + stage["height"]
    expect(links(page)).to_have_count(2)

    # Dragging empty space pans; the wheel pans too, Ctrl+wheel zooms around the pointer.
    before = node(page, "gw").bounding_box()
    x, y = stage["x"] + stage["width"] - 30, stage["y"] + stage["height"] - 30
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 100, y - 50, steps=6)
    page.mouse.up()
    after = node(page, "gw").bounding_box()
    assert (round(after["x"] - before["x"]), round(after["y"] - before["y"])) == (-100, -50)
    level = zoom.inner_text()
    page.mouse.wheel(0, 120)
    page.wait_for_timeout(100)
    panned = node(page, "gw").bounding_box()
    assert round(panned["y"] - after["y"]) == -120 and round(panned["x"] - after["x"]) == 0
    expect(zoom).to_have_text(level)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -300)
    page.keyboard.up("Control")
    expect(zoom).not_to_have_text(level)
    assert node(page, "gw").bounding_box()["width"] > after["width"]

    page.keyboard.press("?")
    expect(page.locator("#help-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help-dialog")).to_be_hidden()


def test_undoing_an_auto_layout_fits_the_view_to_the_drawing_it_restores(
    page: Page, server_url: str
) -> None:
    far = {
        **THREE,
        "nodes": [*THREE["nodes"][:2], {**THREE["nodes"][2], "x": 2600, "y": 1900}],
    }
    open_board(page, server_url, far)
    canvas = page.locator("#canvas")

    def all_in_view() -> bool:
        area = canvas.bounding_box()
        assert area is not None
        for card_id in ("app", "gw", "svc"):
            box = node(page, card_id).bounding_box()
            if box is None or not (
                area["x"] <= box["x"]
                and box["x"] + box["width"] <= area["x"] + area["width"]
                and area["y"] <= box["y"]
                and box["y"] + box["height"] <= area["y"] + area["height"]
            ):
                return False
        return True

    page.locator("#auto-layout").click()
    wait_saved(page)
    page.wait_for_function("() => new Promise((done) => requestAnimationFrame(() => done(true)))")
    assert all_in_view()  # fitted to the compact layout: the far card came close
    page.locator("#undo").click()
    wait_saved(page)
    page.wait_for_timeout(300)  # the fit runs on the next frame
    assert all_in_view()  # the far card is back far away, and the view follows it
