"""Editor usability: one dialog at a time on a new board, the Export menu, follow mode across
window sizes, routed connections, panels that follow the findings, and the keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    BOARD_URL,
    api_board,
    dismiss_name_prompt,
    gateway_and_scorer,
    links,
    name_prompt,
    node,
    open_board,
    open_link,
    screenshot,
    wait_live,
    wait_saved,
)

pytestmark = pytest.mark.browser

# The visible area of a page's canvas: its centre in canvas coordinates and the scale,
# from the paper's transform and the stage's size.
VIEW = """() => {
    const stage = document.getElementById('stage');
    const m = document.querySelector('#canvas .joint-layers').transform.baseVal.consolidate();
    const { a, e, f } = m ? m.matrix : { a: 1, e: 0, f: 0 };
    return { x: (stage.clientWidth / 2 - e) / a, y: (stage.clientHeight / 2 - f) / a, zoom: a,
             width: stage.clientWidth, height: stage.clientHeight };
}"""


def selected(page: Page) -> list[str]:
    return page.evaluate(
        "[...document.querySelectorAll('#canvas .joint-element[data-selected=true]')]"
        ".map((el) => el.dataset.id)"
    )


def test_new_board_shows_one_dialog_at_a_time_and_keeps_its_links(
    page: Page, server_url: str
) -> None:
    page.goto(server_url + "/")
    page.get_by_label("Title").fill("Ads CTR")
    page.get_by_role("button", name="Create board").click()
    expect(page).to_have_url(BOARD_URL)
    prompt = name_prompt(page)
    share = page.locator("#share-dialog")
    # The name first, alone: the links wait for it.
    expect(prompt).to_be_visible()
    expect(share).to_be_hidden()

    # One Escape closes the name prompt only; the links come next.
    dismiss_name_prompt(page)
    wait_live(page)
    expect(share).to_be_visible()
    urls = share.locator(".share-url")
    # Three role links and the hiring team's report link.
    expect(urls).to_have_count(4)
    shown = [urls.nth(i).input_value() for i in range(4)]
    assert sum("/join/" in url for url in shown) == 3, shown
    assert sum("/report/" in url for url in shown) == 1, shown
    screenshot(page, "polish-01-share-links-after-name")

    # Escape on the links does not lose them: the top bar's button brings them back.
    page.keyboard.press("Escape")
    expect(share).to_be_hidden()
    button = page.locator("#share-button")
    expect(button).to_have_text("Share links")
    expect(page.locator("#hint")).to_contain_text("Share links")
    button.click()
    expect(share).to_be_visible()
    assert [urls.nth(i).input_value() for i in range(4)] == shown
    share.get_by_role("button", name="Close").click()
    expect(share).to_be_hidden()

    # The links live in the page only, never in storage.
    stored = page.evaluate(
        "JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})"
    )
    for url in shown:
        assert url.rstrip("/").rsplit("/", 1)[-1] not in stored

    # Skipping the name holds for this browser, in a new tab too.
    other = page.context.new_page()
    other.goto(page.url)
    wait_live(other)
    expect(name_prompt(other)).to_be_hidden()
    expect(other.locator("#share-dialog")).to_be_hidden()
    other.close()


def test_export_menu_closes_and_moves_with_the_arrow_keys(page: Page, server_url: str) -> None:
    open_board(
        page,
        server_url,
        {
            "title": "Export me",
            "nodes": [{"id": "gw", "type": "api_gateway", "label": "Gateway", "x": 40, "y": 80}],
        },
    )
    menu = page.locator("details.menu")
    summary = menu.locator("summary")
    first = page.get_by_role("menuitem", name="SVG, as drawn")
    second = page.get_by_role("menuitem", name="SVG, auto-laid out")
    last = page.get_by_role("menuitem", name="Replay")
    expect(summary).to_have_attribute("aria-expanded", "false")

    # Open with the mouse, walk with the arrows, close with Escape back on the button.
    summary.click()
    expect(first).to_be_visible()
    expect(summary).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(second).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(first).to_be_focused()
    page.keyboard.press("ArrowUp")  # wraps around
    expect(last).to_be_focused()
    page.keyboard.press("Escape")
    expect(first).to_be_hidden()
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("aria-expanded", "false")

    # From the keyboard: Enter opens it on the first item; Tab leaves and closes it.
    page.keyboard.press("Enter")
    expect(first).to_be_focused()
    page.keyboard.press("Tab")
    expect(first).to_be_hidden()

    # A click elsewhere closes it.
    summary.click()
    expect(first).to_be_visible()
    page.locator("#board-title").click()
    expect(first).to_be_hidden()

    # Choosing an item downloads and closes it.
    summary.click()
    with page.expect_download() as download:
        page.get_by_role("menuitem", name="JSON (board file)").click()
    assert download.value.suggested_filename.endswith(".json")
    expect(first).to_be_hidden()
    expect(summary).to_be_focused()


def test_follow_mode_centres_the_leaders_view_in_a_smaller_window(
    page: Page, person, server_url: str
) -> None:
    board = {
        "title": "Wide design",
        "nodes": [
            {
                "id": f"n{i}",
                "type": "api_gateway",
                "label": f"Gateway {i}",
                "x": 40 + 220 * i,
                "y": 80 + 90 * (i % 3),
            }
            for i in range(7)
        ],
        "edges": [],
    }
    _, created = open_board(page, server_url, board, name="Ivy")
    candidate = person()  # 1280 x 800
    open_link(candidate, server_url, created["links"]["candidate"], "Cleo")
    viewer = person({"width": 900, "height": 560})  # a smaller stage, palette or not
    open_link(viewer, server_url, created["links"]["viewer"], name=None)
    expect(viewer.locator("#follow-pill")).to_contain_text("Following Cleo")

    # The candidate zooms and pans; the viewer ends up with the candidate's centre of view
    # at the centre of its own, smaller stage (not the candidate's raw pixel offset).
    candidate.locator("#zoom-in").click()
    candidate.locator("#zoom-in").click()
    box = candidate.locator("#stage").bounding_box()
    assert box
    x, y = box["x"] + box["width"] - 90, box["y"] + box["height"] - 90
    candidate.mouse.move(x, y)
    candidate.mouse.down()
    candidate.mouse.move(x - 150, y - 60, steps=10)
    candidate.mouse.up()
    lead = candidate.evaluate(VIEW)
    viewer.wait_for_function(
        f"([x, y]) => {{ const v = ({VIEW})(); "
        "return Math.abs(v.x - x) < 0.5 && Math.abs(v.y - y) < 0.5; }",
        arg=[lead["x"], lead["y"]],
    )
    seen = viewer.evaluate(VIEW)
    assert seen["width"] < lead["width"] and seen["height"] < lead["height"]
    assert seen["zoom"] <= lead["zoom"] + 1e-9  # never more zoomed in than the leader
    assert viewer.locator("#canvas .joint-layers").get_attribute("transform") != candidate.locator(
        "#canvas .joint-layers"
    ).get_attribute("transform")

    # The component in the middle of the candidate's view is in the middle of the viewer's.
    def centre_offset(p: Page, node_id: str) -> tuple[float, float]:
        stage = p.locator("#stage").bounding_box()
        card = node(p, node_id).locator('[joint-selector="body"]').bounding_box()
        assert stage and card
        return (
            card["x"] + card["width"] / 2 - (stage["x"] + stage["width"] / 2),
            card["y"] + card["height"] / 2 - (stage["y"] + stage["height"] / 2),
        )

    middle = min(
        board["nodes"], key=lambda n: abs(n["x"] + 75 - lead["x"]) + abs(n["y"] + 30 - lead["y"])
    )
    lx, ly = centre_offset(candidate, middle["id"])
    vx, vy = centre_offset(viewer, middle["id"])
    ratio = seen["zoom"] / lead["zoom"]
    assert abs(vx - lx * ratio) < 2 and abs(vy - ly * ratio) < 2, (lx, ly, vx, vy)
    screenshot(viewer, "polish-02-follow-smaller-window")


def test_connections_go_around_components_and_pairs_run_side_by_side(
    page: Page, server_url: str
) -> None:
    open_board(
        page,
        server_url,
        {
            "title": "Routing",
            "nodes": [
                {"id": "gw", "type": "api_gateway", "label": "API gateway", "x": 240, "y": 160},
                {
                    "id": "rank",
                    "type": "ranking_service",
                    "label": "Ranking service",
                    "x": 440,
                    "y": 160,
                },
                {"id": "fs", "type": "feature_store", "label": "Feature store", "x": 440, "y": 344},
                {
                    "id": "reg",
                    "type": "model_registry",
                    "label": "Model registry",
                    "x": 440,
                    "y": 512,
                },
            ],
            "edges": [
                {"id": "e1", "source": "gw", "target": "rank"},
                {"id": "e2", "source": "rank", "target": "gw"},
                {"id": "e3", "source": "reg", "target": "rank"},
            ],
        },
    )
    expect(links(page)).to_have_count(3)
    samples = page.evaluate("""() => {
        const out = {};
        for (const id of ['e1', 'e2', 'e3']) {
            const path = document.querySelector(
                `#canvas .joint-link[data-id="${id}"] [joint-selector="line"]`);
            const n = 40, length = path.getTotalLength();
            out[id] = Array.from({ length: n + 1 }, (_, i) => {
                const p = path.getPointAtLength(length * i / n);
                return [p.x, p.y];
            });
        }
        return out;
    }""")
    # Model registry -> Ranking service goes around the Feature store between them.
    fs = {"x": 440, "y": 344, "w": 150, "h": 60}
    inside = [
        p
        for p in samples["e3"]
        if fs["x"] < p[0] < fs["x"] + fs["w"] and fs["y"] < p[1] < fs["y"] + fs["h"]
    ]
    assert not inside, inside
    # A->B and B->A are both visible: their middles are apart.
    (ax, ay), (bx, by) = samples["e1"][20], samples["e2"][20]
    assert ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 >= 10, (samples["e1"][20], samples["e2"][20])
    screenshot(page, "polish-03-routed")


def test_keyboard_selects_and_connects_components(page: Page, server_url: str) -> None:
    public_id, _ = open_board(
        page,
        server_url,
        {
            "title": "Keyboard",
            "nodes": [
                {"id": "app", "type": "client_app", "label": "App", "x": 40, "y": 80},
                {"id": "train", "type": "training_pipeline", "label": "Train", "x": 300, "y": 80},
                {"id": "gw", "type": "api_gateway", "label": "Gateway", "x": 40, "y": 300},
            ],
            "edges": [],
        },
    )
    canvas = page.locator("#canvas")
    # The skip link is the first Tab stop, before the brand: Tab then Enter reaches the
    # canvas without leaving the board.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to canvas")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # shown while focused
    page.keyboard.press("Enter")
    expect(canvas).to_be_focused()
    ring = canvas.evaluate("el => getComputedStyle(el, '::after').borderTopWidth")
    assert ring == "3px", ring

    # Tab and Shift+Tab walk the components in reading order.
    page.keyboard.press("Tab")
    assert selected(page) == ["app"]
    expect(page.locator(".canvas-live")).to_contain_text("App (Client app), 1 of 3")
    page.keyboard.press("Tab")
    assert selected(page) == ["train"]
    page.keyboard.press("Shift+Tab")
    assert selected(page) == ["app"]
    expect(canvas).to_be_focused()

    # C connects: only the allowed targets are offered (a client app cannot feed training).
    page.keyboard.press("c")
    expect(page.locator("#hint")).to_contain_text("Connect App (Client app) to")
    expect(node(page, "train")).to_have_class(re.compile(r"\bis-invalid-target\b"))
    expect(node(page, "gw")).to_have_class(re.compile(r"\bis-key-target\b"))
    page.keyboard.press("Tab")  # the only allowed target stays chosen
    expect(node(page, "gw")).to_have_class(re.compile(r"\bis-key-target\b"))
    page.keyboard.press("Enter")
    expect(links(page)).to_have_count(1)
    wait_saved(page)
    edges = api_board(page, server_url, public_id)["edges"]
    assert [(e["source"], e["target"]) for e in edges] == [("app", "gw")]
    expect(node(page, "gw")).not_to_have_class(re.compile(r"\bis-key-target\b"))

    # Nothing left to connect to: said so, and nothing changes.
    page.keyboard.press("c")
    expect(page.locator("#hint")).to_contain_text("cannot connect to any component")
    # Escape cancels a connection without clearing the selection.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert selected(page) == ["gw"]
    page.keyboard.press("c")
    expect(page.locator(".is-key-target")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator(".is-key-target")).to_have_count(0)
    assert selected(page) == ["gw"]
    assert len(api_board(page, server_url, public_id)["edges"]) == 1

    # Past the last component, Tab leaves the canvas: the focus is never trapped.
    page.keyboard.press("Tab")
    expect(canvas).not_to_be_focused()


def test_interviewer_panel_follows_the_findings_but_not_while_typing(
    page: Page, person, server_url: str
) -> None:
    _, created = open_board(
        page,
        server_url,
        {
            "title": "Rubric",
            "nodes": [{"id": "gw", "type": "api_gateway", "label": "Gateway", "x": 40, "y": 80}],
            "edges": [],
        },
        name="Ivy",
    )
    page.get_by_role("tab", name="Interviewer").click()
    notes = page.get_by_label("Private notes")
    expect(notes).to_be_visible()
    candidate = person()
    open_link(candidate, server_url, created["links"]["candidate"], "Cleo")

    def panel_get(request) -> bool:
        return request.method == "GET" and request.url.endswith("/interviewer")

    # A candidate's edit changes the findings: the panel is fetched again.
    with page.expect_request(panel_get):
        candidate.locator('.palette-item[data-type="inference_service"]').focus()
        candidate.keyboard.press("Enter")
        wait_saved(candidate)

    # While the interviewer types, an edit does not wipe the notes; leaving the field does
    # the refresh that was put off.
    notes.click()
    notes.press_sequentially("strong on serving")
    candidate.locator('.palette-item[data-type="cache"]').focus()
    candidate.keyboard.press("Enter")
    wait_saved(candidate)
    panel = page.locator("#interviewer")
    expect(panel).to_have_attribute("data-stale", "true")  # the refresh was put off
    expect(page.locator("#private-status")).not_to_be_empty()  # the notes were saved
    expect(notes).to_be_focused()
    expect(notes).to_have_value("strong on serving")
    with page.expect_request(panel_get):
        page.locator("#board-title").focus()
    expect(panel).to_have_attribute("data-stale", "false")
    expect(page.get_by_label("Private notes")).to_have_value("strong on serving")


def test_a_label_pasted_too_long_is_cut_at_a_word_and_the_strip_says_so(
    page: Page, server_url: str
) -> None:
    """The label editor's limit (the server's, 200 characters) never cuts a paste silently
    in the middle of a word: it is cut after the last whole word, the notice strip under the
    canvas says how much was left out, and counts the characters near the limit."""
    public_id, _ = open_board(page, server_url, gateway_and_scorer("Long label"))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    words = " ".join(f"segment{i}" for i in range(30))[:208]  # 208 characters, mid-word
    page.evaluate("text => navigator.clipboard.writeText(text)", words)
    node(page, "gw").dblclick()
    editor = page.locator(".label-editor")
    editor.press("Control+a")
    editor.press("Control+v")
    kept = editor.input_value()
    assert len(kept) <= 200 and words.startswith(kept) and words[len(kept)] == " ", kept
    hint = page.locator("#hint")
    expect(hint).to_contain_text(f"{208 - len(kept)} characters were left out")
    expect(hint).to_contain_text(f"({len(kept)}/200)")
    # Typing on near the limit keeps counting; at the limit the field stops, and says why.
    editor.press("End")
    editor.press_sequentially("x" * (200 - len(kept)))
    expect(editor).to_have_value(kept + "x" * (200 - len(kept)))
    expect(hint).to_contain_text("(200/200)")
    editor.press("Backspace")
    editor.press("Backspace")
    expect(hint).to_contain_text("(198/200)")
    editor.press("Enter")
    wait_saved(page)
    stored = {n["id"]: n for n in api_board(page, server_url, public_id)["nodes"]}
    assert stored["gw"]["label"] == (kept + "x" * (200 - len(kept)))[:198]
    # An editor opened on a label near the limit counts from the start; closing it clears.
    node(page, "gw").dblclick()
    expect(hint).to_have_text("198/200 characters")
    page.locator(".label-editor").press("Escape")
    expect(hint).to_have_text("")


def test_the_inspector_cuts_a_long_pasted_label_at_a_word_and_says_so(
    page: Page, server_url: str
) -> None:
    """The inspector's label field keeps the server's limit as the label editor does: a
    paste too long is cut after the last whole word, and the field says so."""
    public_id, _ = open_board(page, server_url, gateway_and_scorer("Long label, inspector"))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    words = " ".join(f"segment{i}" for i in range(30))[:208]  # 208 characters, mid-word
    page.evaluate("text => navigator.clipboard.writeText(text)", words)
    node(page, "gw").click()
    page.locator("#tab-inspector").click()
    field = page.locator('#inspector input[name="label"]')
    field.focus()
    field.press("Control+a")
    field.press("Control+v")
    kept = field.input_value()
    assert len(kept) <= 200 and words.startswith(kept) and words[len(kept)] == " ", kept
    note = page.locator('#inspector [data-field="label"] .field-note')
    expect(note).to_have_text(
        f"The paste was cut to fit: {208 - len(kept)} characters were left out (at most 200)."
    )
    field.press("Enter")
    wait_saved(page)
    stored = {n["id"]: n for n in api_board(page, server_url, public_id)["nodes"]}
    assert stored["gw"]["label"] == kept
