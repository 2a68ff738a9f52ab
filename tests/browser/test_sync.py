"""Ordering and recovery: gaps in the revision sequence, and refused operations.

The page's WebSocket is routed through Playwright (page.route_web_socket) so a test can
hold back or drop individual frames between the page and the real server.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    SocketSwitch,
    api_board,
    drag_by,
    node,
    nodes_of_type,
    open_board,
    open_link,
    wait_live,
    wait_saved,
)

pytestmark = pytest.mark.browser

BOARD = {
    "nodes": [
        {"id": "gw", "type": "api_gateway", "label": "Gateway", "x": 40, "y": 80},
        {"id": "svc", "type": "inference_service", "label": "Scorer", "x": 340, "y": 80},
    ],
    "edges": [{"id": "e1", "source": "gw", "target": "svc"}],
}


class Tap:
    """Routes the page's board socket through the test: records frames both ways and can
    hold back the page's `op` frames or drop the server's `op` frames."""

    def __init__(self, page: Page) -> None:
        self.sent: list[dict] = []
        self.received: list[dict] = []
        self.hold_ops = False
        self.held: list[str] = []
        self.drop_next_op = False
        self.server = None
        page.route_web_socket("**/ws/boards/**", self.route)

    def route(self, ws) -> None:
        server = ws.connect_to_server()
        self.server = server

        def to_server(message) -> None:
            frame = json.loads(message)
            self.sent.append(frame)
            if self.hold_ops and frame.get("type") == "op":
                self.held.append(message)
            else:
                server.send(message)

        def to_page(message) -> None:
            frame = json.loads(message)
            if self.drop_next_op and frame.get("type") == "op":
                self.drop_next_op = False
                return
            self.received.append(frame)
            ws.send(message)

        ws.on_message(to_server)
        server.on_message(to_page)

    def release(self) -> None:
        self.hold_ops = False
        for message in self.held:
            self.server.send(message)
        self.held.clear()


@pytest.fixture
def other(browser):
    from tests.browser.conftest import VIEWPORT

    context = browser.new_context(viewport=VIEWPORT)
    yield context.new_page()
    context.close()


def add_by_keyboard(page: Page, type_id: str) -> None:
    page.locator(f'.palette-item[data-type="{type_id}"]').focus()
    page.keyboard.press("Enter")


def test_a_missed_operation_is_fetched_with_sync(page: Page, other: Page, server_url: str) -> None:
    tap = Tap(page)
    public_id, created = open_board(page, server_url, BOARD)
    revision = int(page.locator("body").get_attribute("data-revision"))
    open_link(other, server_url, created["links"]["candidate"])

    tap.drop_next_op = True  # the page never sees the next op frame
    add_by_keyboard(other, "cache")
    wait_saved(other)
    add_by_keyboard(other, "alerting")
    wait_saved(other)

    # The second op reveals the gap: the page asks for what it missed and shows both.
    expect(nodes_of_type(page, "cache")).to_have_count(1)
    expect(nodes_of_type(page, "alerting")).to_have_count(1)
    syncs = [f for f in tap.sent if f.get("type") == "sync"]
    assert any(f["since"] == revision and f.get("epoch") for f in syncs)
    assert any(f.get("type") == "ops" for f in tap.received)
    expect(page.locator("body")).to_have_attribute("data-revision", str(revision + 2))
    assert len(api_board(page, server_url, public_id)["nodes"]) == 4


def test_a_refused_edit_shows_why_and_returns_to_the_server_state(
    page: Page, other: Page, server_url: str
) -> None:
    tap = Tap(page)
    public_id, created = open_board(page, server_url, BOARD)
    open_link(other, server_url, created["links"]["candidate"])

    # Our move of "svc" is held back while someone else deletes "svc".
    tap.hold_ops = True
    drag_by(page, node(page, "svc"), 0, 160)
    other.locator('.joint-element[data-id="svc"]').click()
    other.keyboard.press("Delete")
    wait_saved(other)
    expect(node(page, "svc")).to_have_count(0)  # the delete arrived; our move cannot apply
    assert len(tap.held) == 1 and json.loads(tap.held[0])["op"]["op"] == "move_node"

    tap.release()
    hint = page.locator("#hint")
    # In words, by the label the page knew: not "component 'svc' does not exist".
    expect(hint).to_have_text(
        "“Scorer” was just deleted by someone else; your change to it was dropped."
    )
    # The client resynced from a snapshot and holds nothing pending.
    expect(page.locator("body")).to_have_attribute("data-pending", "0")
    assert any(f == {"type": "sync", "since": 0} for f in tap.sent)
    expect(node(page, "svc")).to_have_count(0)
    expect(node(page, "gw")).to_have_count(1)
    stored = api_board(page, server_url, public_id)
    assert [n["id"] for n in stored["nodes"]] == ["gw"]
    # The refused move left no undo step behind.
    expect(page.locator("#undo")).to_be_disabled()


def test_an_edit_made_offline_to_a_component_deleted_meanwhile_is_told_in_words(
    page: Page, other: Page, server_url: str
) -> None:
    """The socket drops; someone else deletes the data lake; we move it while offline. After
    the reconnect the server refuses the queued move, and the page says so by the lake's
    label: never "component 'n-819cdd6cbb' does not exist"."""
    lake = "n-819cdd6cbb"
    switch = SocketSwitch(page)
    board = {
        "nodes": [
            {"id": lake, "type": "data_lake", "label": "Data lake", "x": 40, "y": 80},
            {"id": "train", "type": "training_pipeline", "label": "", "x": 340, "y": 80},
        ],
        "edges": [{"id": "e1", "source": lake, "target": "train"}],
    }
    public_id, created = open_board(page, server_url, board)
    open_link(other, server_url, created["links"]["candidate"])

    switch.off()
    expect(page.locator("#conn-state")).to_have_attribute("data-state", "offline")
    other.locator(f'.joint-element[data-id="{lake}"]').click()
    other.keyboard.press("Delete")
    wait_saved(other)
    drag_by(page, node(page, lake), 0, 160)
    expect(page.locator("#conn-state")).to_contain_text("1 edit waiting")

    switch.on()
    hint = page.locator("#hint")
    expect(hint).to_have_text(
        "“Data lake” was deleted by someone else while you were offline; "
        "your change to it was dropped.",
        timeout=20_000,
    )
    wait_live(page)
    wait_saved(page)
    expect(node(page, lake)).to_have_count(0)
    assert [n["id"] for n in api_board(page, server_url, public_id)["nodes"]] == ["train"]
