"""Shared live boards: cursors, private notes, the name prompt, follow mode and notices.

Each person is a separate browser context (its own session cookie) at 1280 x 800.
"""

from __future__ import annotations

import itertools
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import (
    answer_name_prompt,
    gateway_and_scorer,
    name_prompt,
    nodes_of_type,
    open_board,
    open_link,
    screenshot,
    wait_live,
    wait_saved,
)

pytestmark = pytest.mark.browser

BOARD = gateway_and_scorer("Feed ranking")

# Records when the page sends a viewport frame (performance.now()), to check the rate.
RECORD_VIEWPORT_SENDS = """
window.__viewportSends = [];
const originalSend = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  if (typeof data === "string" && data.startsWith('{"type":"viewport"')) {
    window.__viewportSends.push(performance.now());
  }
  return originalSend.call(this, data);
};
"""


def participant(page: Page, name: str) -> Locator:
    return page.locator(f'#participants .participant[data-name="{name}"]')


def paper_transform(page: Page) -> Locator:
    """The paper's viewport group: its transform attribute is the pan and zoom."""
    return page.locator("#canvas .joint-layers")


def add_by_keyboard(page: Page, type_id: str) -> None:
    page.locator(f'.palette-item[data-type="{type_id}"]').focus()
    page.keyboard.press("Enter")


def pan(page: Page, dx: float, dy: float) -> None:
    """Drag the empty lower right part of the canvas by (dx, dy)."""
    box = page.locator("#stage").bounding_box()
    assert box
    x, y = box["x"] + box["width"] - 90, box["y"] + box["height"] - 90
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=12)
    page.mouse.move(x + dx, y + dy, steps=12)
    page.mouse.up()


# The visible area's centre in canvas coordinates and the scale (follow mode shares these,
# and a follower with another stage size shows the same centre).
VIEW_CENTRE = """() => {
    const stage = document.getElementById('stage');
    const layers = document.querySelector('#canvas .joint-layers');
    const { a, e, f } = layers.transform.baseVal.consolidate().matrix;
    return [(stage.clientWidth / 2 - e) / a, (stage.clientHeight / 2 - f) / a, a];
}"""


def expect_same_view(follower: Page, leader: Page) -> None:
    """Wait until `follower` shows `leader`'s centre of view at the same scale."""
    follower.wait_for_function(
        f"""(want) => {{
            const got = ({VIEW_CENTRE})();
            return got.every((v, i) => Math.abs(v - want[i]) < 0.01);
        }}""",
        arg=leader.evaluate(VIEW_CENTRE),
    )


def colour(locator: Locator) -> str:
    return locator.evaluate("el => el.style.getPropertyValue('--c')")


def test_each_sees_the_others_edits_and_cursor(page: Page, person, server_url: str) -> None:
    _, created = open_board(page, server_url, BOARD, name="Ivy")
    candidate = person()
    open_link(candidate, server_url, created["links"]["candidate"], "Cleo")
    expect(page.locator("#participants .participant")).to_have_count(2)
    expect(candidate.locator("#participants .participant")).to_have_count(2)

    # Edits, both ways.
    add_by_keyboard(candidate, "cache")
    expect(nodes_of_type(page, "cache")).to_have_count(1)
    add_by_keyboard(page, "alerting")
    expect(nodes_of_type(candidate, "alerting")).to_have_count(1)
    wait_saved(page)
    wait_saved(candidate)

    # The candidate's pointer over their canvas shows as a cursor for the interviewer, in
    # the candidate's colour and with their name.
    box = candidate.locator("#stage").bounding_box()
    assert box
    candidate.mouse.move(box["x"] + 200, box["y"] + 160)
    candidate.mouse.move(box["x"] + 260, box["y"] + 220, steps=6)
    cursor = page.locator("#cursors .cursor", has_text="Cleo")
    expect(cursor.locator(".cursor-name")).to_be_visible()
    expect(cursor.locator(".cursor-name")).to_have_text("Cleo")
    cleo = colour(candidate.locator("#participants .participant.is-you"))
    assert cleo.startswith("#")
    assert colour(cursor) == cleo == colour(participant(page, "Cleo"))

    # And the other way round.
    box = page.locator("#stage").bounding_box()
    assert box
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.move(box["x"] + 340, box["y"] + 260, steps=6)
    cursor = candidate.locator("#cursors .cursor", has_text="Ivy")
    expect(cursor.locator(".cursor-name")).to_be_visible()
    assert colour(cursor) == colour(page.locator("#participants .participant.is-you"))
    assert not page.locator("#cursors .cursor", has_text="Ivy").count()  # never our own
    screenshot(page, "20-remote-cursor")


def test_the_candidate_never_sees_the_private_notes(page: Page, person, server_url: str) -> None:
    public_id, created = open_board(page, server_url, BOARD, name="Ivy")
    candidate = person()
    received: list[str] = []

    def watch(ws) -> None:
        ws.on(
            "framereceived",
            lambda payload: received.append(
                payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            ),
        )

    candidate.on("websocket", watch)
    open_link(candidate, server_url, created["links"]["candidate"], "Cleo")

    secret = f"private-{uuid.uuid4().hex}"
    page.get_by_role("tab", name="Interviewer").click()
    notes = page.locator('#interviewer textarea[name="private_notes"]')
    notes.fill(f"Weak on caching; {secret}")
    expect(page.locator("#private-status")).to_have_text("Saved")

    # Something broadcast after the save reaches the candidate: whatever the save might
    # have sent them arrived before it.
    add_by_keyboard(page, "cache")
    expect(nodes_of_type(candidate, "cache")).to_have_count(1)
    assert any('"type": "op"' in frame for frame in received)
    assert not [frame for frame in received if secret in frame]

    assert secret not in candidate.content()
    expect(candidate.locator("#interviewer")).to_have_count(0)
    expect(candidate.get_by_role("tab", name="Interviewer")).to_have_count(0)

    # The candidate's own requests: the board API and page answer without it, the
    # private panel does not exist for them.
    api = candidate.request.get(f"{server_url}/api/boards/{public_id}")
    assert api.ok and secret not in api.text()
    board_page = candidate.request.get(f"{server_url}/b/{public_id}/")
    assert board_page.ok and secret not in board_page.text()
    panel = candidate.request.get(f"{server_url}/b/{public_id}/interviewer")
    assert panel.status == 404 and secret not in panel.text()
    # (The interviewer's own request does carry it: the checks above look at real data.)
    mine = page.request.get(f"{server_url}/b/{public_id}/interviewer")
    assert mine.ok and secret in mine.text()

    # A reload of the candidate's page changes nothing.
    candidate.reload()
    wait_live(candidate)
    expect(nodes_of_type(candidate, "cache")).to_have_count(1)
    assert secret not in candidate.content()
    assert not [frame for frame in received if secret in frame]


def test_the_name_is_asked_once_and_shown_to_the_others(
    page: Page, person, server_url: str
) -> None:
    _, created = open_board(page, server_url, BOARD, name="Ivy")
    candidate = person()
    candidate.goto(created["links"]["candidate"])
    dialog = name_prompt(candidate)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("What should others call you?")
    field = dialog.locator("input[name=name]")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("maxlength", "40")
    expect(dialog).to_contain_text("Press Escape to stay “Candidate”.")
    wait_live(candidate)  # the board connects behind the dialog, as "Candidate"
    expect(participant(page, "Candidate")).to_have_count(1)
    screenshot(candidate, "21-name-prompt")

    # An empty name is not sent.
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator(".name-error")).to_be_visible()
    expect(dialog).to_be_visible()

    answer_name_prompt(candidate, "Ada Lovelace")
    expect(participant(page, "Ada Lovelace")).to_have_count(1)
    expect(participant(page, "Candidate")).to_have_count(0)
    expect(page.locator("#participants .participant")).to_have_count(2)
    # The reconnect that carried the new name is announced as a rename, not leave + join.
    expect(page.locator("#toasts")).to_contain_text("Candidate is now Ada Lovelace")

    # Remembered by the session: a reload does not ask again.
    candidate.reload()
    wait_live(candidate)
    expect(candidate.locator("#participants .participant.is-you")).to_have_attribute(
        "data-name", "Ada Lovelace"
    )
    expect(dialog).to_be_hidden()
    expect(participant(page, "Ada Lovelace")).to_have_count(1)
    expect(page.locator("#participants .participant")).to_have_count(2)

    # Clicking your own avatar changes it.
    candidate.locator("#participants .participant.is-you button.avatar").click()
    expect(dialog).to_be_visible()
    expect(field).to_have_value("Ada Lovelace")
    expect(dialog.locator(".name-fallback")).to_be_hidden()
    answer_name_prompt(candidate, "Ada L.")
    expect(participant(page, "Ada L.")).to_have_count(1)
    expect(participant(page, "Ada Lovelace")).to_have_count(0)
    # The candidate's colour stayed the same through the reconnects (same person).
    expect(participant(page, "Ada L.")).to_have_attribute(
        "style", candidate.locator("#participants .participant.is-you").get_attribute("style")
    )

    # Escape keeps the role's name, and the same tab is not asked again.
    viewer = person()
    open_link(viewer, server_url, created["links"]["viewer"], name=None)
    expect(participant(page, "Viewer")).to_have_count(1)
    viewer.reload()
    wait_live(viewer)
    expect(name_prompt(viewer)).to_be_hidden()


def test_follow_mode(page: Page, person, server_url: str) -> None:
    _, created = open_board(page, server_url, BOARD, name="Ivy")
    candidate = person()
    candidate.add_init_script(RECORD_VIEWPORT_SENDS)
    open_link(candidate, server_url, created["links"]["candidate"], "Cleo")
    viewer = person()
    sockets = []
    viewer.on("websocket", lambda ws: sockets.append(ws))
    open_link(viewer, server_url, created["links"]["viewer"], name=None)

    # The viewer follows the candidate by itself.
    pill = viewer.locator("#follow-pill")
    expect(pill).to_be_visible()
    expect(pill).to_contain_text("Following Cleo")
    expect(participant(viewer, "Cleo")).to_have_class("participant is-followed")
    expect(participant(viewer, "Cleo").locator("button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#follow-pill")).to_be_hidden()  # editors follow nobody at first

    # The candidate zooms and pans: the viewer shows the same centre of view and scale.
    candidate.locator("#zoom-in").click()
    candidate.locator("#zoom-in").click()
    candidate.evaluate("window.__viewportSends.length = 0")
    pan(candidate, -140, -70)
    wanted = paper_transform(candidate).get_attribute("transform")
    assert wanted and wanted.startswith("matrix(")
    expect_same_view(viewer, candidate)
    expect(viewer.locator("#zoom-level")).to_have_text(
        candidate.locator("#zoom-level").text_content() or ""
    )
    expect(pill).to_be_visible()
    screenshot(viewer, "22-following")

    # A pan of 24 small moves sent at most 5 frames a second.
    sends = candidate.evaluate("window.__viewportSends")
    assert 1 <= len(sends) < 24
    gaps = [b - a for a, b in itertools.pairwise(sends)]
    assert all(gap >= 190 for gap in gaps), gaps

    # The viewer zooms by itself: following stops, and the candidate's next move is not
    # mirrored any more.
    stage = viewer.locator("#stage").bounding_box()
    assert stage
    viewer.mouse.move(stage["x"] + 200, stage["y"] + 200)
    viewer.mouse.wheel(0, -240)
    expect(pill).to_be_hidden()
    expect(participant(viewer, "Cleo")).to_have_class("participant")
    own = paper_transform(viewer).get_attribute("transform")
    with sockets[-1].expect_event(
        "framereceived", predicate=lambda p: '"type": "viewport"' in str(p)
    ):
        candidate.locator("#zoom-out").click()
    moved = paper_transform(candidate).get_attribute("transform")
    assert moved != own
    viewer.evaluate("0")  # let the page handle the frame just received
    expect(paper_transform(viewer)).to_have_attribute("transform", own)

    # Clicking the candidate's avatar follows again, at once, from their last view.
    participant(viewer, "Cleo").locator("button").click()
    expect(pill).to_be_visible()
    expect_same_view(viewer, candidate)
    # The pill's Stop button stops it.
    pill.get_by_role("button", name="Stop").click()
    expect(pill).to_be_hidden()
    expect(participant(viewer, "Cleo").locator("button")).to_have_attribute("aria-pressed", "false")

    # An editor can follow too; its own zoom stops it.
    participant(page, "Cleo").locator("button").click()
    expect(page.locator("#follow-pill")).to_contain_text("Following Cleo")
    expect(paper_transform(page)).to_have_attribute("transform", moved)
    pan(candidate, 80, 40)
    expect(paper_transform(page)).to_have_attribute(
        "transform", paper_transform(candidate).get_attribute("transform") or ""
    )
    page.locator("#zoom-in").click()
    expect(page.locator("#follow-pill")).to_be_hidden()


def test_join_and_leave_notices(page: Page, person, server_url: str) -> None:
    _, created = open_board(page, server_url, BOARD, name="Ivy")
    candidate = person()
    open_link(candidate, server_url, created["links"]["candidate"], "Cleo")
    notices = page.locator("#toasts")
    expect(notices.locator(".toast", has_text="Cleo joined as candidate")).to_be_visible()
    # Nobody is announced to themselves, nor are the people already there.
    expect(candidate.locator("#participants .participant")).to_have_count(2)
    assert candidate.locator("#toasts .toast").count() == 0

    viewer = person()
    open_link(viewer, server_url, created["links"]["viewer"], name=None)
    expect(notices.locator(".toast", has_text="Viewer joined")).to_be_visible()
    expect(candidate.locator("#toasts .toast", has_text="Viewer joined")).to_be_visible()
    assert viewer.locator("#toasts .toast").count() == 0

    # 3 avatars, the Export menu and the Share button fit the top bar at 1280 px.
    expect(page.locator("#participants .participant")).to_have_count(3)
    page.locator(".menu summary", has_text="Export").click()
    expect(page.get_by_role("menuitem", name="PNG")).to_be_visible()
    screenshot(page, "23-joined-three-people")
    fits = page.evaluate("""() => {
        const bar = document.querySelector('.topbar');
        const right = (el) => el.getBoundingClientRect().right;
        return {
            overflow: bar.scrollWidth - bar.clientWidth,
            share: right(document.getElementById('share-button')),
            help: right(document.getElementById('help-button')),
            menu: right(document.querySelector('.menu-items')),
            width: window.innerWidth,
        };
    }""")
    assert fits["overflow"] <= 0, fits
    assert max(fits["share"], fits["help"], fits["menu"]) <= fits["width"], fits
    page.locator(".menu summary", has_text="Export").click()
    expect(page.get_by_role("menuitem", name="PNG")).to_be_hidden()

    # A reload is no departure; closing the page is.
    candidate.reload()
    wait_live(candidate)
    expect(page.locator("#participants .participant")).to_have_count(3)
    candidate.context.close()
    expect(notices.locator(".toast", has_text="Cleo left")).to_be_visible()
    assert notices.locator(".toast", has_text="Cleo left").count() == 1
    expect(page.locator("#participants .participant")).to_have_count(2)
    screenshot(page, "24-left")


def test_a_new_board_asks_the_name_before_its_share_links(page: Page, server_url: str) -> None:
    """Creating a board asks the name first, then shows the links once: one dialog at a time
    (a single Escape must not close both)."""
    page.goto(server_url + "/")
    page.get_by_label("Title").fill("Ads CTR")
    page.get_by_role("button", name="Create board").click()
    prompt = name_prompt(page)
    share = page.locator("#share-dialog")
    expect(prompt).to_be_visible()
    expect(share).to_be_hidden()
    expect(prompt).to_contain_text("Press Escape to stay “Interviewer”.")
    wait_live(page)
    screenshot(page, "25-name-before-share-links")
    answer_name_prompt(page, "Grace Hopper")
    expect(share).to_be_visible()
    share.get_by_role("button", name="Close").click()
    expect(share).to_be_hidden()
    expect(page.locator("#participants .participant.is-you button")).to_have_attribute(
        "aria-label", "Grace Hopper (you), interviewer: change your name"
    )
