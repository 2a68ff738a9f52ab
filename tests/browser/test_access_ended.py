"""The interviewer ends someone's access by making a new link for their role: the server
closes that person's socket (4403). Their page used to stay editable, saying only
"Disconnected" and promising to save the worksheet "when the connection is back", and
lost whatever was typed after. It now turns read-only at once, says why, and stops."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    SocketSwitch,
    api_board,
    drag_by,
    gateway_and_scorer,
    node,
    open_board,
    open_link,
    wait_saved,
)

pytestmark = pytest.mark.browser

ENDED = "Your access to this board has ended. Ask the interviewer for a new link."


def test_a_candidate_whose_link_is_replaced_gets_a_read_only_page(
    page: Page, person, server_url: str
) -> None:
    public_id, created = open_board(page, server_url, gateway_and_scorer("Ended"))
    candidate = person()
    sockets: list[str] = []
    candidate.on("websocket", lambda ws: sockets.append(ws.url))
    open_link(candidate, server_url, created["links"]["candidate"], "Cleo")
    assert len(sockets) == 1

    # The candidate is working: a note in the worksheet, a component in the inspector.
    candidate.get_by_role("tab", name="Worksheet").click()
    notes = candidate.locator('#worksheet textarea[name="requirements"]')
    notes.fill("p99 under 100 ms")
    expect(candidate.locator("#ws-status")).to_have_text("Saved")
    node(candidate, "svc").click()
    candidate.get_by_role("tab", name="Inspector").click()
    label = candidate.locator('#inspector input[name="label"]')
    expect(label).to_be_enabled()

    # The interviewer makes a new candidate link: the old one, and Cleo's access, end.
    page.get_by_role("button", name="Share links").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#link-candidate").get_by_role("button", name="New candidate link").click()
    expect(page.locator("#link-candidate .share-url")).not_to_have_value(
        created["links"]["candidate"]
    )

    banner = candidate.locator("#ended-banner")
    expect(banner).to_have_text(ENDED)
    expect(banner).to_have_attribute("role", "alert")
    expect(candidate.locator("#conn-state")).to_have_text("Access ended")
    expect(candidate.locator("#hint")).not_to_contain_text("role link")

    # Read-only at once: the inspector, the worksheet, the title and the palette...
    expect(label).to_be_disabled()
    expect(candidate.locator("#inspector .insp-delete")).to_have_count(0)
    candidate.get_by_role("tab", name="Worksheet").click()
    expect(notes).not_to_be_editable()
    expect(notes).to_have_value("p99 under 100 ms")
    expect(candidate.locator("#ws-status")).not_to_contain_text("Offline")
    expect(candidate.locator("#ws-status")).not_to_contain_text("will be saved")
    expect(candidate.locator("#board-title")).not_to_be_editable()
    expect(candidate.locator(".palette-item").first).to_have_attribute("aria-disabled", "true")
    expect(candidate.locator("#undo")).to_be_hidden()
    expect(candidate.locator("#auto-layout")).to_be_hidden()

    # ...and the canvas: no drag, no label editor, no delete, no component added.
    before = node(candidate, "svc").get_attribute("transform")
    drag_by(candidate, node(candidate, "svc"), 0, 140)
    expect(node(candidate, "svc")).to_have_attribute("transform", before or "")
    node(candidate, "gw").dblclick()
    expect(candidate.locator(".label-editor")).to_have_count(0)
    node(candidate, "gw").click()
    candidate.keyboard.press("Delete")
    candidate.locator('.palette-item[data-type="cache"]').focus()
    candidate.keyboard.press("Enter")
    expect(candidate.locator("#canvas .joint-element")).to_have_count(2)
    expect(candidate.locator("body")).to_have_attribute("data-pending", "0")
    expect(candidate.locator("#conn-state")).not_to_contain_text("waiting")

    # It stops: no reconnect, even when the browser says the network came back.
    candidate.evaluate("() => window.dispatchEvent(new Event('online'))")
    candidate.wait_for_timeout(2_500)  # longer than the first retries' backoff
    assert len(sockets) == 1, sockets
    expect(banner).to_have_text(ENDED)

    # The board itself is as it was; the interviewer is still live and editing.
    wait_saved(page)
    stored = api_board(page, server_url, public_id)
    assert sorted(n["id"] for n in stored["nodes"]) == ["gw", "svc"]
    assert stored["notes"]["requirements"] == "p99 under 100 ms"
    expect(page.locator("#ended-banner")).to_have_count(0)
    expect(page.locator("#conn-state")).to_have_text("Live")


def test_notes_typed_but_not_saved_when_access_ends_are_not_promised_to_be_saved(
    page: Page, person, server_url: str
) -> None:
    _public_id, created = open_board(page, server_url, gateway_and_scorer("Ended mid-edit"))
    candidate = person()
    held: list[str] = []

    def route(ws) -> None:  # the candidate's edits never reach the server
        server = ws.connect_to_server()
        ws.on_message(lambda m: held.append(m) if '"op"' in str(m) else server.send(m))

    candidate.route_web_socket("**/ws/boards/**", route)
    open_link(candidate, server_url, created["links"]["candidate"], "Cleo")
    candidate.get_by_role("tab", name="Worksheet").click()
    notes = candidate.locator('#worksheet textarea[name="serving"]')
    notes.fill("Online, one region")
    notes.blur()  # sent now (and held)
    expect(candidate.locator("body")).to_have_attribute("data-pending", "1")

    page.get_by_role("button", name="Share links").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#link-candidate").get_by_role("button", name="New candidate link").click()

    expect(candidate.locator("#ended-banner")).to_have_text(
        ENDED + " Your last change was not saved."
    )
    status = candidate.locator("#ws-status")
    expect(status).to_have_text("Not saved: your access to this board has ended.")
    # What was typed stays there, to be copied, but no more can be typed.
    expect(notes).to_have_value("Online, one region")
    expect(notes).not_to_be_editable()
    assert held, "the note was sent"


def test_a_candidate_offline_while_the_link_is_replaced_is_told_on_reconnecting(
    page: Page, person, server_url: str
) -> None:
    """The server refused the reconnect before accepting it, which a browser reads as a
    network failure (1006): the page kept retrying and said "Offline" for ever. It now
    accepts and closes with 4403, and the page turns read-only as above."""
    _public_id, created = open_board(page, server_url, gateway_and_scorer("Ended offline"))
    candidate = person()
    switch = SocketSwitch(candidate)
    open_link(candidate, server_url, created["links"]["candidate"], "Cleo")
    expect(candidate.locator("#conn-state")).to_have_text("Live")
    switch.off()
    expect(candidate.locator("#conn-state")).not_to_have_text("Live")

    page.get_by_role("button", name="Share links").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#link-candidate").get_by_role("button", name="New candidate link").click()
    expect(page.locator("#link-candidate .share-url")).not_to_have_value(
        created["links"]["candidate"]
    )

    switch.on()
    candidate.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(candidate.locator("#ended-banner")).to_have_text(ENDED)
    expect(candidate.locator("#conn-state")).to_have_text("Access ended")
    expect(candidate.locator(".palette-item").first).to_have_attribute("aria-disabled", "true")
