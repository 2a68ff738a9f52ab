"""Accessibility: axe-core finds nothing (at any impact) on the home page, the board page of
each role (a dozen components, each side tab and each dialog open), the report and the
replay; and a keyboard-only person can select and delete a connection and read a
component's connections through the diagram's text alternative (the Outline tab)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_no_violations
from tests.browser.helpers import (
    BOARD_URL,
    close_share_links,
    links,
    open_board,
    open_link,
    screenshot,
    set_name,
    wait_live,
    wait_saved,
)

pytestmark = pytest.mark.browser


def dozen(title: str = "Fraud scoring") -> dict:
    """Twelve components in a plausible serving and training loop, with a note."""
    nodes = [
        ("app", "client_app", "Checkout app", 40, 60),
        ("gw", "api_gateway", "Gateway", 280, 60),
        ("svc", "inference_service", "Scorer", 520, 60),
        ("preds", "prediction_store", "Scores", 760, 60),
        ("events", "event_stream", "Payments stream", 40, 260),
        ("lake", "data_lake", "Lake", 280, 260),
        ("fp", "feature_pipeline", "Features job", 520, 260),
        ("fs", "feature_store", "Feature store", 760, 260),
        ("train", "training_pipeline", "Training", 280, 460),
        ("reg", "model_registry", "Registry", 520, 460),
        ("drift", "drift_monitor", "Drift", 760, 460),
        ("memo", "note", "Latency budget 50 ms", 40, 460),
    ]
    edges = [
        ("app", "gw"),
        ("gw", "svc"),
        ("svc", "preds"),
        ("events", "lake"),
        ("lake", "fp"),
        ("fp", "fs"),
        ("fs", "svc"),
        ("lake", "train"),
        ("train", "reg"),
        ("reg", "svc"),
        ("svc", "drift"),
    ]
    return {
        "title": title,
        "nodes": [
            {"id": i, "type": t, "label": label, "x": x, "y": y} for i, t, label, x, y in nodes
        ],
        "edges": [
            {"id": f"e{n}", "source": s, "target": t, "label": "scores" if n == 2 else ""}
            for n, (s, t) in enumerate(edges)
        ],
    }


def check_board(page: Page, where: str) -> None:
    """axe on the board as loaded, with each side tab open, a component and a connection
    selected, the Export menu and each dialog this role can open."""
    expect(page.locator("body")).to_have_attribute("data-synced", "true")
    expect(page.locator("#canvas .joint-element")).to_have_count(12)
    assert_no_violations(page, f"{where}, as loaded")
    for tab in page.locator(".tabs [role=tab]").all():
        tab.click()
        panel = page.locator("#" + (tab.get_attribute("aria-controls") or ""))
        expect(panel).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert_no_violations(page, f"{where}, {tab.inner_text().strip()} tab")
    page.get_by_role("tab", name="Inspector").click()
    page.locator('#canvas .joint-element[data-id="svc"]').click()
    expect(page.locator("#inspector .insp-title")).to_be_visible()
    assert_no_violations(page, f"{where}, a component in the inspector")
    page.locator("#inspector .insp-links button").first.click()
    expect(page.locator("#inspector .insp-title")).to_have_text("Connection")
    assert_no_violations(page, f"{where}, a connection in the inspector")
    page.keyboard.press("Escape")
    page.locator("details.menu summary").click()
    expect(page.locator(".menu-items")).to_be_visible()
    assert_no_violations(page, f"{where}, Export menu open")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(page.locator("#help-dialog")).to_be_visible()
    assert_no_violations(page, f"{where}, shortcuts dialog")
    page.keyboard.press("Escape")
    expect(page.locator("#help-dialog")).to_be_hidden()
    share = page.locator("#share-button")
    if share.count():
        share.click()
        expect(page.locator("#share-dialog")).to_be_visible()
        assert_no_violations(page, f"{where}, share dialog")
        page.locator("#share-dialog").get_by_role("button", name="Close").click()
        expect(share).to_be_focused()  # the focus goes back to the button that opened it


def test_home_page_has_no_axe_violations(page: Page, server_url: str) -> None:
    page.goto(server_url + "/")
    assert_no_violations(page, "home")


def test_board_page_has_no_axe_violations_for_each_role(
    page: Page, person, server_url: str
) -> None:
    _, created = open_board(page, server_url, dozen())
    check_board(page, "interviewer")
    candidate = person()
    open_link(candidate, server_url, created["links"]["candidate"], "Cleo")
    check_board(candidate, "candidate")
    viewer = person()
    open_link(viewer, server_url, created["links"]["viewer"], "Vic")
    check_board(viewer, "viewer")


def test_new_case_board_name_prompt_and_share_dialog_have_no_axe_violations(
    page: Page, server_url: str
) -> None:
    page.goto(server_url + "/")
    page.locator(".case-card").first.get_by_role("button", name="Interview").click()
    expect(page).to_have_url(BOARD_URL)
    expect(page.locator("#name-dialog")).to_be_visible()
    assert_no_violations(page, "a new case board, name prompt")
    page.keyboard.press("Escape")
    expect(page.locator("#share-dialog")).to_be_visible()
    assert_no_violations(page, "a new case board, share links")
    close_share_links(page)
    # The links opened by themselves: the focus goes to a control, not to <body>. The
    # dialog's close event (which moves the focus) comes in a task after it closes, and
    # the page may still be drawing the board in slices: wait for it.
    page.wait_for_function("() => ['share-button', 'canvas'].includes(document.activeElement?.id)")
    wait_live(page)
    page.get_by_role("tab", name="Case").click()
    page.wait_for_load_state("networkidle")
    assert_no_violations(page, "a new case board, Case tab")


def test_report_and_replay_have_no_axe_violations(page: Page, server_url: str) -> None:
    public_id, _ = open_board(page, server_url, dozen())
    page.goto(f"{server_url}/b/{public_id}/report")
    assert_no_violations(page, "report")
    page.goto(f"{server_url}/b/{public_id}/replay")
    page.wait_for_load_state("networkidle")
    assert_no_violations(page, "replay")


def test_palette_is_one_tab_stop(page: Page, server_url: str) -> None:
    open_board(page, server_url, dozen())
    page.locator("#palette-search").focus()
    page.keyboard.press("Tab")
    first = page.locator(".palette-item").first
    expect(first).to_be_focused()
    page.keyboard.press("ArrowDown")
    second = page.locator(".palette-item").nth(1)
    expect(second).to_be_focused()
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.closest('.palette-groups') === null")
    assert focused, "one Tab from the palette leaves it"
    page.keyboard.press("Shift+Tab")
    expect(second).to_be_focused()  # the roving stop remembers the last item


def test_keyboard_only_select_and_delete_a_connection_and_read_the_outline(
    page: Page, server_url: str
) -> None:
    public_id, _ = open_board(page, server_url, dozen())
    expect(links(page)).to_have_count(11)
    # Read the Scorer's connections in the text alternative.
    tab = page.get_by_role("tab", name="Outline")
    tab.focus()
    page.keyboard.press("Enter")
    tree = page.get_by_role("tree", name="Diagram outline")
    expect(tree).to_be_visible()
    # Tab into the tree: one stop, then arrows down to the Scorer.
    page.keyboard.press("Tab")
    for _ in range(6):
        if page.evaluate("() => document.activeElement.getAttribute('role')") == "treeitem":
            break
        page.keyboard.press("Tab")
    scorer = tree.locator("[role=treeitem][data-key='n:svc']")
    for _ in range(40):
        if page.evaluate("() => document.activeElement.dataset.key") == "n:svc":
            break
        page.keyboard.press("ArrowDown")
    expect(scorer).to_be_focused()
    expect(scorer).to_contain_text("Inference service")
    # The focused item is the canvas selection.
    expect(page.locator('#canvas .joint-element[data-id="svc"]')).to_have_attribute(
        "data-selected", "true"
    )
    page.keyboard.press("ArrowRight")  # open it: its connections and findings follow it
    expect(scorer).to_have_attribute("aria-expanded", "true")
    children = tree.locator("[role=treeitem][data-parent='n:svc']")
    expect(children.first).to_be_visible()
    said = " | ".join(children.all_inner_texts())
    for text in (
        "Sends to Scores (scores)",
        "Sends to Drift",
        "Receives from Gateway",
        "Receives from Registry",
    ):
        assert text in said, said
    screenshot(page, "outline-tab")
    page.keyboard.press("ArrowDown")
    expect(children.first).to_be_focused()
    page.keyboard.press("ArrowLeft")  # back to the component
    expect(scorer).to_be_focused()
    # Select the Gateway -> Scorer connection from the inspector, with the keyboard only.
    page.keyboard.press("Enter")  # open the inspector for the focused component
    receives = page.locator("#inspector .insp-links button", has_text="Gateway")
    expect(receives).to_be_visible()
    for _ in range(30):
        if page.evaluate("() => document.activeElement.textContent") == "Gateway":
            break
        page.keyboard.press("Tab")
    expect(receives).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#inspector .insp-title")).to_have_text("Connection")
    expect(page.locator("#inspector .insp-sub")).to_have_text("Gateway → Scorer")
    page.keyboard.press("Delete")
    expect(links(page)).to_have_count(10)
    wait_saved(page)
    board = page.request.get(f"{server_url}/api/boards/{public_id}").json()
    assert not [e for e in board["edges"] if e["source"] == "gw" and e["target"] == "svc"]
    # The outline follows: the Scorer no longer receives from the Gateway.
    page.get_by_role("tab", name="Outline").click()
    receives = page.locator("#outline [data-parent='n:svc'].ol-in")
    expect(receives).to_have_count(2)
    expect(receives).to_have_text(["Receives from Feature store", "Receives from Registry"])


def test_practice_board_review_and_report_have_no_axe_violations(
    page: Page, server_url: str
) -> None:
    page.goto(server_url + "/")
    set_name(page, server_url, "Pat")
    page.locator(".case-card").first.get_by_role("button", name="Practise").click()
    expect(page).to_have_url(BOARD_URL)
    wait_live(page)
    case = page.locator("#case")
    case.get_by_role("button", name="Ask").first.click()
    expect(case.locator(".case-a").first).to_be_visible()
    assert_no_violations(page, "a practice board, Case tab")
    page.once("dialog", lambda dialog: dialog.accept())
    case.get_by_role("button", name="Finish and review").click()
    expect(page).to_have_url(re.compile(r"/practice/review$"))
    assert_no_violations(page, "the practice review")
    page.locator("#practice-report").click()
    expect(page.locator("#hints-taken")).to_have_text("0")
    assert_no_violations(page, "a practice report")
