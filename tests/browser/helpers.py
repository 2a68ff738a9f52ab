"""Helpers for the browser tests: boards, canvas gestures and API checks.

Every wait goes through Playwright's auto-waiting `expect`; nothing sleeps.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
BOARD_URL = re.compile(r"/b/([^/]+)/$")


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot of the page under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def board_id(page: Page) -> str:
    match = BOARD_URL.search(page.url)
    assert match, f"not on a board page: {page.url}"
    return match.group(1)


def wait_live(page: Page) -> None:
    """Wait until the board's socket is connected and caught up with the server."""
    expect(page.locator("#conn-state")).to_have_attribute("data-state", "online")


def wait_saved(page: Page) -> None:
    """Wait until the server has applied every edit this page made."""
    expect(page.locator("body")).to_have_attribute("data-pending", "0")


def set_name(page: Page, base: str, name: str) -> None:
    """Store a display name in this browser context's session (POST /name, as the name
    prompt does), so board pages open without asking for it."""

    def token() -> str | None:
        return next(
            (c["value"] for c in page.context.cookies(base) if c["name"] == "csrftoken"), None
        )

    if token() is None:
        assert page.request.get(base + "/").ok  # any page sets the CSRF cookie
    response = page.request.post(
        base + "/name", form={"name": name}, headers={"X-CSRFToken": token() or ""}
    )
    assert response.status == 204, response.text()


def open_link(page: Page, base: str, url: str, name: str | None = "Cleo") -> None:
    """Open a role link (or board URL) as a person named `name` and wait until live.
    With name=None the name prompt is expected and dismissed with Escape."""
    if name is not None:
        set_name(page, base, name)
    page.goto(url)
    if name is None:
        dismiss_name_prompt(page)
    wait_live(page)


def name_prompt(page: Page) -> Locator:
    return page.locator("#name-dialog")


def dismiss_name_prompt(page: Page) -> None:
    """Close the name prompt with Escape (keeping the role's default name)."""
    dialog = name_prompt(page)
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[name=name]")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def answer_name_prompt(page: Page, name: str) -> None:
    """Type `name` into the name prompt and save it; wait for the reconnect that follows."""
    dialog = name_prompt(page)
    expect(dialog).to_be_visible()
    dialog.locator("input[name=name]").fill(name)
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    wait_live(page)
    expect(page.locator("#participants .participant.is-you")).to_have_attribute("data-name", name)


def create_board_from_home(page: Page, base: str, title: str, name: str = "Ivy") -> str:
    page.goto(base + "/")
    set_name(page, base, name)
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Create board").click()
    expect(page).to_have_url(BOARD_URL)
    close_share_links(page)
    wait_live(page)
    return board_id(page)


def close_share_links(page: Page) -> None:
    """A new board shows its share links in a dialog: close it."""
    share = page.locator("#share-dialog")
    expect(share).to_be_visible()
    share.get_by_role("button", name="Close").click()
    expect(share).to_be_hidden()


def open_board(
    page: Page, base: str, document: dict[str, Any], name: str | None = "Ivy"
) -> tuple[str, dict]:
    """Create a board from a document through the JSON API (which grants this browser
    context the interviewer role), open it as `name` and wait until it is live (name=None:
    the name prompt shows and is dismissed)."""
    if name is not None:
        set_name(page, base, name)
    doc = {"format": "mlsd-studio/board", "version": 1, **document}
    response = page.request.post(
        base + "/api/boards", data=json.dumps(doc), headers={"Content-Type": "application/json"}
    )
    assert response.status == 201, response.text()
    created = response.json()
    page.goto(created["url"])
    if name is None:
        dismiss_name_prompt(page)
    wait_live(page)
    return created["id"], created


def api_board(page: Page, base: str, public_id: str) -> dict[str, Any]:
    """The board as the server stores it (GET /api/boards/<id>, same session)."""
    response = page.request.get(f"{base}/api/boards/{public_id}")
    assert response.ok, response.text()
    return response.json()


def api_revision(page: Page, base: str, public_id: str) -> int:
    """The board's current revision (X-Board-Revision of GET /api/boards/<id>)."""
    response = page.request.get(f"{base}/api/boards/{public_id}")
    assert response.ok, response.text()
    return int(response.headers["x-board-revision"])


def positions(page: Page, base: str, public_id: str) -> dict[str, tuple[float, float]]:
    return {n["id"]: (n["x"], n["y"]) for n in api_board(page, base, public_id)["nodes"]}


def node(page: Page, node_id: str) -> Locator:
    return page.locator(f'#canvas .joint-element[data-id="{node_id}"]')


def nodes_of_type(page: Page, type_id: str) -> Locator:
    return page.locator(f'#canvas .joint-element[data-kind="{type_id}"]')


def links(page: Page) -> Locator:
    """The board's connections on the canvas (not a link still being drawn)."""
    return page.locator('#canvas .joint-link[model-id^="e:"]')


def elements(page: Page) -> Locator:
    return page.locator("#canvas .joint-element")


def centre(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box, "element is not displayed"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag_from_palette(page: Page, type_id: str, x: float, y: float) -> None:
    """Drag a palette item onto the canvas at (x, y) relative to the canvas box."""
    item = page.locator(f'.palette-item[data-type="{type_id}"]')
    item.scroll_into_view_if_needed()
    item.drag_to(page.locator("#stage"), target_position={"x": x, "y": y})


def connect(page: Page, source: Locator, target: Locator) -> None:
    """Draw a connection from `source`'s handle to the middle of `target` with the mouse."""
    source.hover()
    handle = source.locator('[joint-selector="handle"]')
    hx, hy = centre(handle)
    tx, ty = centre(target)
    page.mouse.move(hx, hy)
    page.mouse.down()
    page.mouse.move(hx + 30, hy + 10, steps=4)
    page.mouse.move(tx, ty, steps=12)
    page.mouse.up()


def drag_by(page: Page, locator: Locator, dx: float, dy: float) -> None:
    x, y = centre(locator)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=5)
    page.mouse.move(x + dx, y + dy, steps=5)
    page.mouse.up()


def gateway_and_scorer(title: str) -> dict:
    """A two-component board (API gateway -> inference service) for collaboration tests."""
    return {
        "title": title,
        "nodes": [
            {"id": "gw", "type": "api_gateway", "label": "Gateway", "x": 40, "y": 80},
            {"id": "svc", "type": "inference_service", "label": "Scorer", "x": 340, "y": 80},
        ],
        "edges": [{"id": "e1", "source": "gw", "target": "svc"}],
    }


class SocketSwitch:
    """Routes a page's board sockets through the test so that it can cut them: `off()`
    closes the open ones and refuses new ones (the page goes offline and keeps retrying),
    `on()` lets the next retry through."""

    def __init__(self, page: Page) -> None:
        self.offline = False
        self.routes: list[Any] = []
        page.route_web_socket("**/ws/boards/**", self._route)

    def _route(self, ws: Any) -> None:
        if self.offline:
            ws.close()
            return
        ws.connect_to_server()
        self.routes.append(ws)

    def off(self) -> None:
        self.offline = True
        for ws in self.routes:
            ws.close()

    def on(self) -> None:
        self.offline = False
