"""A three-person interview played moment by moment (issue 17): the places where a person
stumbled, each played the way it was found. Every person is a browser context of their
own (their own session cookie)."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    BOARD_URL,
    answer_name_prompt,
    board_id,
    open_board,
    open_link,
    screenshot,
    set_name,
    wait_live,
    wait_saved,
)

pytestmark = pytest.mark.browser

LARGE = {"width": 1440, "height": 900}

# Keep the text of every toast this page shows (they fade after a few seconds).
RECORD_TOASTS = """() => { window.toastLog = [];
  new MutationObserver((records) => { for (const r of records) for (const n of r.addedNodes)
    window.toastLog.push(n.textContent); }).observe(document.getElementById('toasts'),
    {childList: true}); }"""


def toast_log(page: Page) -> list[str]:
    return page.evaluate("() => window.toastLog")


def start_case(page: Page, base: str) -> dict[str, str]:
    """Start the first case study as interviewer "Ivy"; return the share dialog's links
    (role -> URL) and close it."""
    page.goto(base + "/")
    set_name(page, base, "Ivy")
    page.locator(".case-card").first.get_by_role(
        "button", name=re.compile("^Interview with")
    ).click()
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

    toast = candidate.locator("#toasts .toast", has_text="New from the interviewer")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("Case tab")
    expect(case_tab.locator(".tab-dot")).to_be_visible()
    expect(case_tab).to_have_attribute("data-unseen", "true")
    screenshot(candidate, "reveal-notice-1440")
    candidate.set_viewport_size({"width": 1280, "height": 800})
    screenshot(candidate, "reveal-notice-1280")
    # Whole at 1280 too (it was cut: "The interviewer revealed somethin…").
    text = toast.locator(".toast-text")
    assert text.evaluate("(e) => e.scrollWidth <= e.clientWidth"), text.inner_text()
    # Opening the Case tab shows the hint and clears the dot.
    case_tab.click()
    expect(case_tab.locator(".tab-dot")).to_be_hidden()
    expect(candidate.locator("#case .case-item.revealed").first).to_be_visible()
    # The interviewer who revealed it is not told about their own click.
    expect(page.locator("#toasts .toast", has_text="New from the interviewer")).to_have_count(0)

    # A reveal while the candidate looks at the Case tab: the panel refreshes in place,
    # no toast and no dot.
    before = candidate.locator("#case .case-item.revealed").count()
    page.locator("#case").get_by_role("button", name="Reveal hint").first.click()
    expect(candidate.locator("#case .case-item.revealed")).to_have_count(before + 1)
    expect(case_tab.locator(".tab-dot")).to_be_hidden()


def test_joining_is_one_notice_and_one_avatar_per_person(
    page: Page, person, server_url: str
) -> None:
    links = start_case(page, server_url)
    candidate = person(LARGE)
    open_link(candidate, server_url, links["candidate"], name="Cleo")
    toasts = page.locator("#toasts .toast")
    expect(toasts.filter(has_text="Cleo joined as candidate")).to_have_count(1)

    # A viewer without a name: the prompt comes first, and nobody hears of them until it
    # is answered; then one notice, with the name.
    for someone in (page, candidate):
        someone.evaluate(RECORD_TOASTS)
    viewer = person(LARGE)
    viewer.goto(links["viewer"])
    answer_name_prompt(viewer, "Vic Viewer")
    for someone in (page, candidate):
        expect(someone.locator("#participants .participant")).to_have_count(3)
        expect(someone.locator("#toasts")).to_contain_text("Vic Viewer joined as viewer")
        assert toast_log(someone) == ["Vic Viewer joined as viewer"]

    # Cleo opens the board in a second tab: still one avatar, which counts her tabs; and
    # nobody is told she joined again.
    second = candidate.context.new_page()
    second.goto(page.url)
    wait_live(second)
    cleo = page.locator('#participants .participant[data-name="Cleo"]')
    expect(cleo).to_have_count(1)
    expect(cleo).to_have_attribute("data-tabs", "2")
    expect(cleo.locator(".avatar-tabs")).to_have_text("2")
    expect(cleo.locator("button.avatar")).to_have_attribute(
        "aria-label", re.compile(r"^Cleo, candidate, 2 tabs")
    )
    expect(page.locator("#participants .participant")).to_have_count(3)
    assert toast_log(page) == ["Vic Viewer joined as viewer"]
    # Her own avatar counts her tabs too.
    mine = second.locator("#participants .participant.is-you")
    expect(mine).to_have_attribute("data-tabs", "2")
    page.set_viewport_size(LARGE)
    screenshot(page, "one-avatar-per-person-1440")
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "one-avatar-per-person-1280")

    # Closing one tab is no departure.
    second.close()
    expect(cleo).to_have_attribute("data-tabs", "1")
    expect(cleo.locator(".avatar-tabs")).to_have_count(0)
    page.wait_for_timeout(2_000)  # longer than a departure's grace (presence.js)
    assert toast_log(page) == ["Vic Viewer joined as viewer"]


def test_a_dead_network_shows_offline_with_the_waiting_edits_within_seconds(
    page: Page, server_url: str
) -> None:
    """The network goes silent (no close, no error: frames just stop) while the candidate
    edits: the status must not say "Live" while the edit waits unsent."""
    state = {"silent": False}

    def route(ws) -> None:
        if state["silent"]:
            ws.close()  # no network: a new socket fails
            return
        server = ws.connect_to_server()
        # Frames both ways are dropped while silent, as on a dead TCP connection.
        ws.on_message(lambda m: None if state["silent"] else server.send(m))
        server.on_message(lambda m: None if state["silent"] else ws.send(m))

    page.route_web_socket("**/ws/boards/**", route)
    open_board(page, server_url, {"title": "Dead network", "nodes": [], "edges": []})
    status = page.locator("#conn-state")
    expect(status).to_have_text("Live")

    state["silent"] = True
    page.locator('.palette-item[data-type="cache"]').focus()
    page.keyboard.press("Enter")
    started = page.evaluate("() => performance.now()")
    # Well before the 25 s idle heartbeat: the edit waits, so the socket is checked often.
    expect(status).to_have_text("Offline — 1 edit waiting", timeout=9_000)
    took = page.evaluate("() => performance.now()") - started
    assert took < 9_000, took
    expect(status).to_have_attribute("data-state", re.compile("offline|connecting"))
    page.set_viewport_size(LARGE)
    screenshot(page, "offline-edits-waiting-1440")
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "offline-edits-waiting-1280")

    state["silent"] = False
    expect(status).to_have_text("Live", timeout=30_000)  # retries with backoff
    wait_saved(page)
    expect(status).to_have_text("Live")


def test_the_browser_going_offline_shows_at_once(page: Page, server_url: str) -> None:
    open_board(page, server_url, {"title": "Offline event", "nodes": [], "edges": []})
    status = page.locator("#conn-state")
    expect(status).to_have_text("Live")
    page.context.set_offline(True)
    # The `offline` event drops the socket now, edits or not (timeout: 2 s, not 25 s).
    expect(status).to_have_attribute("data-state", "offline", timeout=2_000)
    page.locator('.palette-item[data-type="cache"]').focus()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Offline — 1 edit waiting", timeout=2_000)
    # Still offline a moment later: no retry succeeds while the browser has no network.
    page.wait_for_timeout(1_500)
    expect(status).to_have_text("Offline — 1 edit waiting")
    page.context.set_offline(False)
    expect(status).to_have_text("Live", timeout=10_000)
    wait_saved(page)


def test_a_case_board_exported_and_imported_back_is_told_apart_and_keeps_its_case(
    page: Page, server_url: str
) -> None:
    start_case(page, server_url)
    original = board_id(page)
    title = page.locator("#board-title").input_value()
    exported = page.request.get(f"{server_url}/b/{original}/export.json")
    assert exported.ok, exported.text()
    document = exported.json()
    assert document["case_study"] == "ad-click-prediction"

    page.goto(server_url + "/")
    page.get_by_label("File").set_input_files(
        {"name": "board.json", "mimeType": "application/json", "buffer": exported.body()}
    )
    page.get_by_role("button", name="Import").click()
    expect(page).to_have_url(BOARD_URL)
    page.locator("#share-dialog").get_by_role("button", name="Close").click()
    wait_live(page)
    assert board_id(page) != original
    expect(page.locator("#board-title")).to_have_value(f"{title} (imported)")
    # The Case tab came along: the prompt and the interviewer's reveal buttons.
    case_tab = page.get_by_role("tab", name=re.compile("^Case"))
    expect(case_tab).to_be_visible()
    expect(page.locator("#case")).to_contain_text(title)
    expect(page.locator("#case").get_by_role("button", name="Reveal hint").first).to_be_visible()

    # "Your boards" tells the two apart.
    page.goto(server_url + "/")
    names = page.locator(".recent li a").all_inner_texts()
    assert sorted(names) == sorted([title, f"{title} (imported)"]), names
    page.set_viewport_size(LARGE)
    screenshot(page, "imported-board-home-1440")

    # A case this server does not have: the board is imported without a Case tab.
    document["case_study"] = "no-such-case"
    page.get_by_label("File").set_input_files(
        {
            "name": "board.json",
            "mimeType": "application/json",
            "buffer": json.dumps(document).encode(),
        }
    )
    page.get_by_role("button", name="Import").click()
    expect(page).to_have_url(BOARD_URL)
    page.locator("#share-dialog").get_by_role("button", name="Close").click()
    wait_live(page)
    expect(page.get_by_role("tab", name=re.compile("^Case"))).to_have_count(0)


def test_share_links_can_be_seen_again_after_a_reload(page: Page, person, server_url: str) -> None:
    links = start_case(page, server_url)
    page.reload()
    wait_live(page)
    share = page.locator("#share-dialog")
    expect(share).to_be_hidden()  # it opens by itself only on a new board
    page.get_by_role("button", name="Share links").click()
    expect(share).to_be_visible()
    expect(share).to_contain_text("for as long as the board exists")
    for role, url in links.items():
        expect(share.locator(f"#link-{role} .share-url")).to_have_value(url)
    page.set_viewport_size(LARGE)
    screenshot(page, "share-links-after-reload-1440")
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "share-links-after-reload-1280")

    # The links shown again are the working ones: the candidate gets in with it.
    candidate = person(LARGE)
    open_link(candidate, server_url, links["candidate"], name="Cleo")

    # "New" makes another link (after a confirmation) and the old one stops working.
    page.once("dialog", lambda dialog: dialog.accept())
    share.locator("#link-viewer").get_by_role("button", name="New viewer link").click()
    new_viewer = share.locator("#link-viewer .share-url")
    expect(new_viewer).not_to_have_value(links["viewer"])
    rotated = new_viewer.input_value()
    assert "/join/" in rotated
    assert page.request.get(links["viewer"], max_redirects=0).status == 404
    assert page.request.get(rotated, max_redirects=0).status == 302
    page.reload()
    wait_live(page)
    page.get_by_role("button", name="Share links").click()
    expect(share.locator("#link-viewer .share-url")).to_have_value(rotated)
    expect(share.locator("#link-candidate .share-url")).to_have_value(links["candidate"])
