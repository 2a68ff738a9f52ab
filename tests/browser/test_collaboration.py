"""Several people on one board, the viewer role, and edits made while disconnected."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    SocketSwitch,
    api_board,
    drag_by,
    elements,
    gateway_and_scorer,
    node,
    nodes_of_type,
    open_board,
    open_link,
    screenshot,
    wait_live,
    wait_saved,
)

pytestmark = pytest.mark.browser

BOARD = gateway_and_scorer("Shared")


@pytest.fixture
def second_page(person, page):
    """Another person: a separate browser context (its own session cookie)."""
    return person()


def test_two_editors_see_each_other(page: Page, second_page: Page, server_url: str) -> None:
    public_id, created = open_board(page, server_url, BOARD)
    other = second_page
    open_link(other, server_url, created["links"]["candidate"])

    # Presence: both see two participants.
    expect(page.locator("#participants .participant")).to_have_count(2)
    expect(other.locator("#participants .participant")).to_have_count(2)
    expect(other.locator("#my-role")).to_have_text("candidate")

    # An edit by one appears for the other, live.
    other.locator('.palette-item[data-type="cache"]').focus()
    other.keyboard.press("Enter")
    expect(nodes_of_type(page, "cache")).to_have_count(1)
    # The findings that edit changed follow it (a `report` frame): the cache nobody
    # connected yet is flagged for the person who did not just add it.
    isolated = page.locator('#findings .finding[data-rule="isolated-component"]')
    expect(isolated).to_have_count(1)
    drag_by(page, node(page, "svc"), 0, 120)
    wait_saved(page)
    moved = {n["id"]: n for n in api_board(page, server_url, public_id)["nodes"]}["svc"]
    expect(node(other, "svc")).to_have_attribute(
        "transform", f"translate({moved['x']:g},{moved['y']:g})"
    )

    # What the other person selects is outlined in their colour.
    other.locator('.joint-element[data-id="gw"]').click()
    remote_ring = node(page, "gw").locator('[joint-selector="remote"]')
    expect(remote_ring).not_to_have_attribute("stroke", "transparent")

    # Undo skips a step when someone else changed that component since.
    node(page, "gw").dblclick()
    page.locator(".label-editor").fill("Front door")
    page.keyboard.press("Enter")
    expect(node(other, "gw").locator('[joint-selector="label"]')).to_have_text("Front door")
    other.locator('.joint-element[data-id="gw"]').dblclick()
    other.locator(".label-editor").fill("Edge gateway")
    other.keyboard.press("Enter")
    expect(node(page, "gw").locator('[joint-selector="label"]')).to_have_text("Edge gateway")
    page.locator("#canvas").focus()
    page.keyboard.press("Control+z")
    expect(page.locator("#hint")).to_contain_text("Skipped undo")
    expect(page.locator("#hint")).to_contain_text("changed by someone else")
    wait_saved(page)
    labels = {n["id"]: n["label"] for n in api_board(page, server_url, public_id)["nodes"]}
    assert labels["gw"] == "Edge gateway"
    screenshot(other, "07-second-person")

    # Worksheet notes typed by one person show up for the other.
    other.get_by_role("tab", name="Worksheet").click()
    other.locator('#worksheet textarea[name="serving"]').fill("Online, p99 under 100 ms")
    expect(other.locator("#ws-status")).to_have_text("Saved")
    page.get_by_role("tab", name="Worksheet").click()
    expect(page.locator('#worksheet textarea[name="serving"]')).to_have_value(
        "Online, p99 under 100 ms"
    )

    # Leaving removes the participant.
    other.context.close()
    expect(page.locator("#participants .participant")).to_have_count(1)


def test_viewer_is_read_only_but_live(page: Page, second_page: Page, server_url: str) -> None:
    public_id, created = open_board(page, server_url, BOARD)
    viewer = second_page
    open_link(viewer, server_url, created["links"]["viewer"], "Vic")
    expect(viewer.locator("#my-role")).to_have_text("viewer")
    expect(viewer.locator("#board-title")).to_have_attribute("readonly", "")
    expect(viewer.locator("#board-level")).to_be_disabled()
    expect(viewer.locator("#undo")).to_be_hidden()

    expect(viewer.locator(".sidebar-left")).to_be_hidden()  # viewers get no palette
    expect(elements(viewer)).to_have_count(2)

    # Selecting works, editing does not: inspector fields are disabled, Delete does nothing.
    viewer.locator('.joint-element[data-id="svc"]').click()
    viewer.get_by_role("tab", name="Inspector").click()
    expect(viewer.locator('#inspector input[name="label"]')).to_be_disabled()
    expect(viewer.locator('#inspector input[name="replicas"]')).to_be_disabled()
    viewer.keyboard.press("Delete")
    viewer.locator('.joint-element[data-id="svc"]').dblclick()
    expect(viewer.locator(".label-editor")).to_have_count(0)
    expect(elements(viewer)).to_have_count(2)
    viewer.get_by_role("tab", name="Worksheet").click()
    expect(viewer.locator('#worksheet textarea[name="requirements"]')).to_have_attribute(
        "readonly", ""
    )

    # Edits by others arrive live.
    page.locator('.palette-item[data-type="cache"]').focus()
    page.keyboard.press("Enter")
    expect(elements(viewer)).to_have_count(3)
    assert len(api_board(page, server_url, public_id)["nodes"]) == 3
    screenshot(viewer, "08-viewer")


def test_edits_made_offline_are_sent_on_reconnect(page: Page, server_url: str) -> None:
    """The socket drops; edits made meanwhile are queued, shown, and sent after the resync,
    together with what someone else did in the meantime."""
    switch = SocketSwitch(page)
    public_id, created = open_board(page, server_url, BOARD)

    switch.off()
    expect(page.locator("#conn-state")).to_have_attribute("data-state", "offline")

    # Someone else edits while we are away...
    other = page.context.browser.new_context()
    try:
        other_page = other.new_page()
        open_link(other_page, server_url, created["links"]["candidate"])
        other_page.locator('.palette-item[data-type="drift_monitor"]').focus()
        other_page.keyboard.press("Enter")
        wait_saved(other_page)
    finally:
        other.close()

    # ...and we keep editing: the edits show at once and wait in the queue.
    page.locator('.palette-item[data-type="cache"]').focus()
    page.keyboard.press("Enter")
    expect(nodes_of_type(page, "cache")).to_have_count(1)
    drag_by(page, node(page, "gw"), 0, 160)
    expect(page.locator("#conn-state")).to_contain_text("Offline — 2 edits waiting")
    screenshot(page, "09-offline")

    switch.on()
    wait_live(page)  # the client retries on its own (backoff with jitter)
    wait_saved(page)
    expect(nodes_of_type(page, "drift_monitor")).to_have_count(1)
    stored = api_board(page, server_url, public_id)
    assert sorted(n["type"] for n in stored["nodes"]) == [
        "api_gateway",
        "cache",
        "drift_monitor",
        "inference_service",
    ]
    gateway = {n["id"]: n for n in stored["nodes"]}["gw"]
    assert gateway["y"] > 80 + 100


def test_the_heartbeat_is_answered_without_an_error(page: Page, server_url: str) -> None:
    # The page pings with its clock (Date.now()); a server that refused the number answered
    # every heartbeat with an error, shown to the person, and the page fetched the whole
    # board again each time.
    page.clock.install()
    sent: list[str] = []
    received: list[str] = []

    def watch(ws) -> None:
        ws.on("framesent", lambda p: sent.append(p if isinstance(p, str) else p.decode()))
        ws.on("framereceived", lambda p: received.append(p if isinstance(p, str) else p.decode()))

    page.on("websocket", watch)
    open_board(page, server_url, BOARD)
    wait_live(page)
    syncs = sum('"type":"sync"' in f.replace(" ", "") for f in sent)
    page.clock.run_for(21_000)  # two heartbeats
    expect(page.locator("#hint")).not_to_contain_text("must be")
    for _ in range(40):
        if sum('"type": "pong"' in f for f in received) >= 2:
            break
        page.wait_for_timeout(50)
    pings = [f for f in sent if '"type":"ping"' in f.replace(" ", "")]
    assert len(pings) >= 2, sent
    assert sum('"type": "pong"' in f for f in received) >= 2, received
    assert not [f for f in received if '"type": "error"' in f], received
    assert sum('"type":"sync"' in f.replace(" ", "") for f in sent) == syncs
