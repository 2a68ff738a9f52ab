"""The canvas as people use it (issue 12): the wheel pans and Ctrl+wheel zooms, connections
start from any side and are drawn from the side facing the other end, sidebars collapse and
stay collapsed, labels wrap, a fresh component is not flagged isolated while it is being
connected, a selected card has one ring, big boards mount only what is in view, and the
auto-layout limit is checked before asking the server."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from components.graphviz import DEFAULT_TIMEOUT
from tests.browser.helpers import (
    ROOT,
    api_board,
    centre,
    drag_from_palette,
    elements,
    links,
    node,
    open_board,
    screenshot,
    set_name,
    wait_saved,
)

pytestmark = pytest.mark.browser

LARGE = {"width": 1440, "height": 900}
SMALL = {"width": 1280, "height": 800}

MATRIX = """() => {
    const m = document.querySelector('#canvas .joint-layers').transform.baseVal.consolidate();
    const { a, e, f } = m ? m.matrix : { a: 1, e: 0, f: 0 };
    return { a, e, f };
}"""


def two_cards(title: str) -> dict:
    return {
        "title": title,
        "nodes": [
            {"id": "gw", "type": "api_gateway", "label": "Gateway", "x": 200, "y": 200},
            {"id": "svc", "type": "inference_service", "label": "Scorer", "x": 560, "y": 200},
        ],
        "edges": [],
    }


def test_wheel_pans_and_ctrl_wheel_zooms(page: Page, server_url: str) -> None:
    page.set_viewport_size(LARGE)
    open_board(page, server_url, two_cards("Wheel"))
    zoom = page.locator("#zoom-level")
    level = zoom.inner_text()
    stage = page.locator("#stage").bounding_box()
    page.mouse.move(stage["x"] + 300, stage["y"] + 300)
    before = page.evaluate(MATRIX)
    page.mouse.wheel(0, 90)  # two fingers up a trackpad, or a wheel notch: the view pans
    page.mouse.wheel(60, 0)
    page.wait_for_function(f"() => ({MATRIX})().f !== {before['f']}")
    after = page.evaluate(MATRIX)
    assert round(after["e"] - before["e"]) == -60 and round(after["f"] - before["f"]) == -90
    assert after["a"] == before["a"]
    expect(zoom).to_have_text(level)
    # Shift+wheel pans sideways.
    page.keyboard.down("Shift")
    page.mouse.wheel(0, 50)
    page.keyboard.up("Shift")
    page.wait_for_function(f"() => ({MATRIX})().e !== {after['e']}")
    assert round(page.evaluate(MATRIX)["e"] - after["e"]) == -50
    # Ctrl+wheel (and a pinch, which Chromium reports the same way) zooms around the pointer.
    gw = node(page, "gw")
    x, y = centre(gw)
    width = gw.bounding_box()["width"]
    page.mouse.move(x, y)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -120)
    page.keyboard.up("Control")
    expect(zoom).not_to_have_text(level)
    box = gw.bounding_box()
    assert box["width"] > width * 1.5
    assert abs(box["x"] + box["width"] / 2 - x) < 2 and abs(box["y"] + box["height"] / 2 - y) < 2


def link_ends(page: Page, edge_id: str) -> tuple[dict, dict]:
    return page.evaluate(
        """(id) => {
        const link = document.querySelector(`#canvas .joint-link[data-id="${id}"]`);
        const path = link.querySelector('[joint-selector="line"]');  // canvas coordinates
        const n = path.getTotalLength();
        const a = path.getPointAtLength(0), b = path.getPointAtLength(n);
        return [{ x: a.x, y: a.y }, { x: b.x, y: b.y }];
    }""",
        edge_id,
    )


def test_connect_from_any_side_and_the_nearest_sides_are_used(page: Page, server_url: str) -> None:
    page.set_viewport_size(LARGE)
    # The scorer is left of the gateway: a connection leftwards.
    doc = two_cards("Sides")
    doc["nodes"][0]["x"], doc["nodes"][1]["x"] = 560, 200
    public_id, _ = open_board(page, server_url, doc)
    gw = node(page, "gw")
    gw.hover()
    for selector in ("handle", "handleLeft", "handleTop", "handleBottom"):
        expect(gw.locator(f'[joint-selector="{selector}"]')).to_be_visible()
    # Start from the left handle (the side facing the target) and drop on the scorer.
    hx, hy = centre(gw.locator('[joint-selector="handleLeft"]'))
    tx, ty = centre(node(page, "svc"))
    page.mouse.move(hx, hy)
    page.mouse.down()
    page.mouse.move(hx - 30, hy + 5, steps=4)
    page.mouse.move(tx, ty, steps=10)
    page.mouse.up()
    expect(links(page)).to_have_count(1)
    wait_saved(page)
    edge = page.locator("#canvas .joint-link").first.get_attribute("data-id")
    start, end = link_ends(page, edge)
    # Drawn from the gateway's left side (x = 560) to the scorer's right side (x = 200 + 150).
    assert abs(start["x"] - 560) < 1 and 200 < start["y"] < 260, start
    assert abs(end["x"] - 350) < 1 and 200 < end["y"] < 260, end

    # Moved below the scorer, the connection leaves from the bottom and enters the top.
    gx, gy = centre(gw)
    page.mouse.move(gx, gy)
    page.mouse.down()
    page.mouse.move(gx - 200, gy + 120, steps=5)
    page.mouse.move(gx - 360, gy + 240, steps=5)
    page.mouse.up()
    wait_saved(page)
    start, end = link_ends(page, edge)
    box = gw.locator('[joint-selector="body"]').bounding_box()
    m = page.evaluate(MATRIX)
    top = (box["y"] - page.locator("#canvas").bounding_box()["y"] - m["f"]) / m["a"]
    assert abs(start["y"] - top) < 1.5, (start, top)
    assert abs(end["y"] - 260) < 1, end
    screenshot(page, "canvas-four-sides")


def test_sidebars_collapse_and_stay_collapsed(page: Page, server_url: str) -> None:
    page.set_viewport_size(SMALL)
    open_board(page, server_url, two_cards("Sidebars"))
    stage = page.locator("#stage")
    width = stage.bounding_box()["width"]
    gw_x = node(page, "gw").bounding_box()["x"]
    toggle = page.locator("#toggle-left")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(page.locator(".sidebar-left")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.wait_for_function(f"() => document.getElementById('stage').clientWidth > {width + 150}")
    # The diagram stays where it was on the screen.
    assert abs(node(page, "gw").bounding_box()["x"] - gw_x) < 1
    page.locator("#canvas").focus()
    page.keyboard.press("]")
    expect(page.locator(".sidebar-right")).to_be_hidden()
    wide = stage.bounding_box()["width"]
    assert wide >= 1280 - 4, wide
    screenshot(page, "canvas-sidebars-collapsed-1280")
    # Remembered in this browser: a reload keeps both collapsed.
    page.reload()
    expect(page.locator("#conn-state")).to_have_attribute("data-state", "online")
    expect(page.locator(".sidebar-left")).to_be_hidden()
    expect(page.locator(".sidebar-right")).to_be_hidden()
    page.locator("#toggle-left").click()
    page.locator("#toggle-right").click()
    expect(page.locator(".sidebar-left")).to_be_visible()
    expect(page.locator(".sidebar-right")).to_be_visible()
    assert abs(stage.bounding_box()["width"] - width) < 2


def test_notices_sit_under_the_canvas(page: Page, server_url: str) -> None:
    page.set_viewport_size(SMALL)
    open_board(page, server_url, two_cards("Notices"))
    page.locator("#canvas").focus()
    page.keyboard.press("Control+z")  # nothing to undo: a notice
    hint = page.locator("#hint")
    page.evaluate("document.getElementById('hint').textContent = 'A notice'")
    expect(hint).to_be_visible()
    stage = page.locator("#stage").bounding_box()
    box = hint.bounding_box()
    assert box["y"] >= stage["y"] + stage["height"] - 1, (box, stage)


def test_a_long_label_wraps_onto_two_lines(page: Page, server_url: str) -> None:
    page.set_viewport_size(LARGE)
    doc = two_cards("Wrap")
    doc["nodes"][0]["label"] = "Click/impression joiner (Flink)"
    doc["nodes"][0]["type"] = "stream_processor"
    doc["nodes"][1]["label"] = "Inference service"  # equal to the type: no type line
    open_board(page, server_url, doc)
    card = node(page, "gw")
    expect(card).to_have_attribute("data-lines", "2")
    expect(card).to_have_attribute("data-truncated", "false")
    lines = card.locator('[joint-selector="label"] tspan')
    expect(lines).to_have_count(2)
    text = " ".join(lines.all_text_contents())
    assert text.replace("/ ", "/") in ("Click/impression joiner (Flink)",), text
    assert card.locator('[joint-selector="kind"]').text_content() == "Stream processor"
    body = card.locator('[joint-selector="body"]').bounding_box()
    for i in range(2):
        line = lines.nth(i).bounding_box()
        assert body["x"] < line["x"] and line["x"] + line["width"] < body["x"] + body["width"]
    expect(node(page, "svc").locator('[joint-selector="kind"]')).to_be_hidden()
    screenshot(page, "canvas-wrapped-label")


def test_a_card_renamed_longer_grows_away_from_its_neighbour(page: Page, server_url: str) -> None:
    """A card grows right from its corner; grown into the card beside it, it would hide
    that card's text. It keeps its right edge instead (one undo step, with the rename)."""
    page.set_viewport_size(LARGE)
    doc = two_cards("Grow")
    doc["nodes"][1]["x"] = 370  # 20 px right of the gateway's card (150 px wide)
    public_id, _ = open_board(page, server_url, doc)
    card, neighbour = node(page, "gw"), node(page, "svc")
    body = card.locator('[joint-selector="body"]')
    before = body.bounding_box()
    card.dblclick()
    editor = page.locator(".label-editor")
    editor.fill("Edge gateway (auth, rate limits, routing)")
    editor.press("Enter")
    expect(card).to_have_attribute("data-lines", "2")
    wait_saved(page)
    grown = body.bounding_box()
    other = neighbour.locator('[joint-selector="body"]').bounding_box()
    assert grown["width"] > before["width"]
    assert grown["x"] + grown["width"] <= other["x"] + 1, (grown, other)  # clear of it
    assert abs(grown["x"] + grown["width"] - (before["x"] + before["width"])) < 2
    stored = {n["id"]: n for n in api_board(page, server_url, public_id)["nodes"]}
    assert stored["gw"]["x"] < 200 and stored["svc"]["x"] == 370
    screenshot(page, "canvas-renamed-card-grows-left")
    # One undo takes back the rename and the move together.
    page.keyboard.press("Control+z")
    wait_saved(page)
    stored = {n["id"]: n for n in api_board(page, server_url, public_id)["nodes"]}
    assert stored["gw"]["x"] == 200 and stored["gw"]["label"] == "Gateway"


def test_a_fresh_component_is_not_flagged_isolated_until_something_else_is_selected(
    page: Page, server_url: str
) -> None:
    page.set_viewport_size(LARGE)
    open_board(page, server_url, two_cards("Fresh"))
    # The gateway and scorer are isolated too: outlined as such.
    expect(node(page, "gw")).to_have_attribute("data-status", "warning")
    revision = int(page.locator("body").get_attribute("data-report-revision") or 0)
    drag_from_palette(page, "data_lake", 300, 500)
    fresh = page.locator('#canvas .joint-element[data-kind="data_lake"]')
    expect(fresh).to_have_count(1)
    wait_saved(page)
    page.wait_for_function(f"() => Number(document.body.dataset.reportRevision) > {revision}")
    expect(fresh).to_have_attribute("data-selected", "true")
    expect(fresh).to_have_attribute("data-status", "")
    # Selecting something else: now it is flagged.
    page.locator("#canvas").click(position={"x": 40, "y": 40})
    expect(fresh).to_have_attribute("data-status", "warning")
    # One ring on a selected, flagged card: the selection's.
    node(page, "gw").click()
    gw = node(page, "gw")
    expect(gw).to_have_attribute("data-selected", "true")
    assert gw.locator('[joint-selector="status"]').get_attribute("stroke") == "transparent"
    assert gw.locator('[joint-selector="selection"]').get_attribute("stroke") != "transparent"
    expect(gw.locator(".flag")).to_be_visible()


def open_big_board(page: Page, base: str, document: dict) -> None:
    """open_board for boards that take a while to load on a busy machine."""
    doc = {"format": "mlsd-studio/board", "version": 1, **document}
    set_name(page, base, "Ivy")
    response = page.request.post(
        base + "/api/boards", data=json.dumps(doc), headers={"Content-Type": "application/json"}
    )
    assert response.status == 201, response.text()
    page.goto(response.json()["url"])
    expect(page.locator("body")).to_have_attribute("data-synced", "true", timeout=60_000)


def grid_board(count: int, title: str) -> dict:
    nodes = [
        {
            "id": f"n{i}",
            "type": "feature_store",
            "label": f"Store {i}",
            "x": (i % 25) * 220,
            "y": (i // 25) * 140,
        }
        for i in range(count)
    ]
    edges = [
        {"id": f"e{i}", "source": f"n{i}", "target": f"n{i + 1}"}
        for i in range(count - 1)
        if (i + 1) % 25
    ]
    return {"title": title, "nodes": nodes, "edges": edges}


def test_a_big_board_fits_whole_and_mounts_only_what_is_in_view(
    page: Page, server_url: str
) -> None:
    page.set_viewport_size(LARGE)
    open_big_board(page, server_url, grid_board(400, "Big"))
    # The first fit shows the whole board, below 20 % if need be.
    expect(elements(page)).to_have_count(400)
    expect(links(page)).to_have_count(384)
    zoom = page.evaluate(MATRIX)["a"]
    assert zoom < 0.2, zoom
    stage = page.locator("#stage").bounding_box()
    for key in ("n0", "n24", "n375", "n399"):
        box = node(page, key).bounding_box()
        assert stage["x"] <= box["x"] and box["x"] + box["width"] <= stage["x"] + stage["width"]
        assert stage["y"] <= box["y"] and box["y"] + box["height"] <= stage["y"] + stage["height"]
    # So far out, cards are drawn simply: no type line, no text.
    assert "is-far" in (page.locator("#stage").get_attribute("class") or "")
    expect(node(page, "n0").locator('[joint-selector="label"]')).to_be_hidden()
    # Zoomed in around the first card, far fewer cards are in the DOM.
    x, y = centre(node(page, "n0"))
    page.mouse.move(x, y)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -250)
    page.keyboard.up("Control")
    page.wait_for_function("() => document.querySelectorAll('#canvas .joint-element').length < 100")
    assert "is-far" not in (page.locator("#stage").get_attribute("class") or "")
    expect(node(page, "n0").locator('[joint-selector="label"]')).to_be_visible()
    expect(node(page, "n0")).to_be_visible()
    ids = "[...document.querySelectorAll('#canvas .joint-element')].map((e) => e.dataset.id)"
    first = set(page.evaluate(ids))
    # Panning brings the others in, and lets the first ones go.
    for _ in range(12):
        page.mouse.wheel(400, 0)
    expect(node(page, "n0")).to_have_count(0)
    later = set(page.evaluate(ids))
    assert later and not later & first, (first, later)
    assert len(later) < 100


def test_auto_layout_over_the_limit_is_refused_without_asking_the_server(
    page: Page, server_url: str
) -> None:
    page.set_viewport_size(LARGE)
    open_big_board(page, server_url, grid_board(501, "Too big"))
    catalogue = json.loads(page.locator("#catalogue-data").text_content())
    limit = catalogue["limits"]["batch"]
    assert limit == 500
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/layout" in r.url else None)
    page.locator("#auto-layout").click()
    expect(page.locator("#hint")).to_contain_text(f"at most {limit} components")
    page.wait_for_timeout(300)
    assert not asked, asked


def test_screenshots_of_a_real_design(page: Page, server_url: str) -> None:
    design = json.loads((ROOT / "tests/fixtures/designs/video_recommendation.json").read_text())
    design.pop("format", None)
    design.pop("version", None)
    for size, name in ((LARGE, "1440"), (SMALL, "1280")):
        page.set_viewport_size(size)
        open_board(page, server_url, {**design, "title": f"Design {name}"})
        expect(links(page)).to_have_count(len(design["edges"]))
        page.keyboard.press("f")
        screenshot(page, f"canvas-design-{name}")


def open_labelled_link(page: Page, server_url: str, label: str, scorer_x: int = 560):
    """Gateway and Scorer (at `scorer_x`) joined by e1 labelled `label`, opened at 1440x900;
    returns a function giving the part of e1's label with a JointJS selector."""
    board = two_cards(f"Label {label} at {scorer_x}")
    board["nodes"][1]["x"] = scorer_x
    board["edges"] = [{"id": "e1", "source": "gw", "target": "svc", "label": label}]
    page.set_viewport_size(LARGE)
    open_board(page, server_url, board)
    return lambda tag, part: (
        page.locator(f'#canvas [data-id="e1"] {tag}[joint-selector="{part}"]').first
    )


def test_a_link_label_tag_has_the_size_the_exports_give_it(page: Page, server_url: str) -> None:
    # One size for the tag on the canvas and in the exports (components/cards.py).
    from components.cards import LINK_LABEL_HEIGHT
    from components.drawing import link_label_size

    body = open_labelled_link(page, server_url, "features")("rect", "labelBody")
    expect(body).to_have_attribute("height", str(LINK_LABEL_HEIGHT))
    width = float(body.get_attribute("width") or 0)
    assert (width, LINK_LABEL_HEIGHT) == link_label_size("features")


def test_a_label_too_wide_for_its_gap_sits_beside_the_cards_with_a_leader(
    page: Page, server_url: str
) -> None:
    # Two cards 40 px apart in a row: "class scores" is wider than the gap, so anywhere on
    # its link it would hide part of a card; it goes above or below them instead, with a
    # leader line back to the link.
    part = open_labelled_link(page, server_url, "class scores", scorer_x=200 + 160 + 40)
    label = part("rect", "labelBody")
    expect(label).to_be_visible()
    expect(part("path", "labelLeader")).not_to_have_attribute("d", "M 0 0")
    box = label.bounding_box()
    assert box is not None
    for card in ("gw", "svc"):
        other = node(page, card).locator('rect[joint-selector="body"]').bounding_box()
        assert other is not None
        apart = (
            box["x"] + box["width"] <= other["x"]
            or other["x"] + other["width"] <= box["x"]
            or box["y"] + box["height"] <= other["y"]
            or other["y"] + other["height"] <= box["y"]
        )
        assert apart, f"the label {box} covers card {card} {other}"
    screenshot(page, "canvas-label-beside-cards")


def test_a_label_with_room_stays_on_its_link(page: Page, server_url: str) -> None:
    part = open_labelled_link(page, server_url, "class scores")
    expect(part("path", "labelLeader")).to_have_attribute("d", "M 0 0")


def path_points(d: str) -> list[tuple[float, float]]:
    """The corners of a link's drawn path (its rounded corners' end points)."""
    import re

    points = []
    for numbers in re.findall(r"[MLC]([^MLC]*)", d):
        values = [float(v) for v in numbers.replace(",", " ").split()]
        points.append((values[-2], values[-1]))
    return points


def crosses_box(points: list[tuple[float, float]], box: dict) -> bool:
    """Whether the polyline through `points` (axis-parallel segments) passes through the
    inside of `box` (x, y, width, height; 1 px in from its edges)."""
    left, top = box["x"] + 1, box["y"] + 1
    right, bottom = box["x"] + box["width"] - 1, box["y"] + box["height"] - 1
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        if max(x1, x2) >= left and min(x1, x2) <= right:
            if max(y1, y2) >= top and min(y1, y2) <= bottom:
                return True
    return False


def test_a_link_goes_around_a_card_between_its_ends(page: Page, server_url: str) -> None:
    # Decisions above Safety on-call above the Actions dashboard, in one column (as the
    # harmful-content reference is laid out): Decisions -> dashboard goes around on-call.
    board = {
        "title": "One column",
        "nodes": [
            {"id": "decisions", "type": "prediction_store", "label": "Decisions", "y": 42},
            {"id": "alert", "type": "alerting", "label": "Safety on-call", "y": 642},
            {"id": "dash", "type": "metrics_dashboard", "label": "Actions dashboard", "y": 724},
        ],
        "edges": [
            {"id": "e1", "source": "decisions", "target": "dash"},
            {"id": "e2", "source": "dash", "target": "alert"},
        ],
    }
    for card in board["nodes"]:
        card["x"] = 1166
    page.set_viewport_size(LARGE)
    open_board(page, server_url, board)
    expect(links(page)).to_have_count(2)
    line = page.locator('#canvas [data-id="e1"] path[joint-selector="line"]').first
    points = path_points(line.get_attribute("d") or "")
    assert len(points) >= 2
    for card in ("decisions", "alert", "dash"):
        box = {"x": 1166.0, "y": float(next(n["y"] for n in board["nodes"] if n["id"] == card))}
        size = node(page, card).locator('rect[joint-selector="body"]')
        box["width"] = float(size.get_attribute("width") or 0)
        box["height"] = float(size.get_attribute("height") or 0)
        inner = points[1:-1] if card in ("decisions", "dash") else points
        # Its own cards only at its ends: the path between them stays outside all three.
        assert not crosses_box(inner, box), f"e1 {points} passes through {card} {box}"


CARD_BOXES = """() => Object.fromEntries([...document.querySelectorAll('#canvas .joint-element')]
    .map((e) => {
        const at = /translate\\(([-\\d.]+),\\s*([-\\d.]+)\\)/.exec(e.getAttribute('transform'));
        const body = e.querySelector('rect[joint-selector=body]');
        return [e.dataset.id, { x: +at[1], y: +at[2], width: +body.getAttribute('width'),
                                height: +body.getAttribute('height') }];
    }))"""


def click_auto_layout_and_wait(page: Page) -> None:
    """Press Auto-layout and wait until the cards have moved: the server may take up to
    its layout time limit (the grid placement, components/placement.py, takes seconds on
    a board of 30), so the wait is that limit and a little more; AssertionError if
    nothing moved."""
    before = page.evaluate(CARD_BOXES)
    page.get_by_role("button", name="Auto-layout").click()
    for _ in range(int((DEFAULT_TIMEOUT + 5) * 10)):
        if page.evaluate(CARD_BOXES) != before:
            return
        page.wait_for_timeout(100)
    raise AssertionError("Auto-layout moved no card")


def links_through_cards(page: Page, edges: list[dict]) -> list[tuple[str, str]]:
    """(link, card) for each card a drawn link passes through (its own two cards: anywhere
    but at its ends), read from the canvas's SVG."""
    boxes = page.evaluate(CARD_BOXES)
    found = []
    for edge in edges:
        line = page.locator(f'#canvas [data-id="{edge["id"]}"] path[joint-selector="line"]')
        points = path_points(line.first.get_attribute("d") or "")
        for card, box in boxes.items():
            inner = points[1:-1] if card in (edge["source"], edge["target"]) else points
            if crosses_box(inner, box):
                found.append((edge["id"], card))
    return found


REFERENCE_BOARDS = sorted(
    p for p in (ROOT / "components/case_studies").glob("*.json") if p.stem != "rubric"
) + sorted((ROOT / "tests/fixtures/designs").glob("*.json"))


@pytest.mark.parametrize("path", REFERENCE_BOARDS, ids=lambda p: p.stem)
def test_no_link_runs_through_a_card_as_drawn_or_laid_out(
    page: Page, server_url: str, path
) -> None:
    # The ten case-study references and the three example designs (bench/layout.py's
    # boards), as their authors placed them and after Auto-layout.
    data = json.loads(path.read_text())
    drawn = data.get("reference", data)
    design = {k: v for k, v in drawn.items() if k not in ("format", "version")}
    page.set_viewport_size(LARGE)
    open_board(page, server_url, {**design, "title": path.stem})
    expect(links(page)).to_have_count(len(design["edges"]))
    assert links_through_cards(page, design["edges"]) == []
    click_auto_layout_and_wait(page)
    wait_saved(page)
    page.wait_for_timeout(300)  # the routes settle on the next frames
    assert links_through_cards(page, design["edges"]) == []


LABEL_SPOTS = """() => Object.fromEntries([...document.querySelectorAll('#canvas .joint-link')]
    .filter((e) => e.querySelector('[joint-selector=labelBody]'))
    .map((e) => [e.dataset.id, e.querySelector('.label').getAttribute('transform')]))"""


def test_labels_keep_their_places_when_the_board_is_fetched_again(
    page: Page, server_url: str
) -> None:
    # After an error the page fetches the whole board again (a snapshot): every connection
    # arrives anew, with the same text, and used to lose the place its label was given,
    # most of them landing on cards.
    sockets = []
    frames: list[str] = []

    def relay(ws) -> None:
        server = ws.connect_to_server()

        def forward(message) -> None:  # what the page sends, noted on its way
            frames.append(str(message))
            server.send(message)

        ws.on_message(forward)
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/ws/"), relay)
    design = json.loads((ROOT / "tests/fixtures/designs/video_recommendation.json").read_text())
    design = {k: v for k, v in design.items() if k not in ("format", "version")}
    page.set_viewport_size(LARGE)
    open_board(page, server_url, {**design, "title": "Labels after a snapshot"})
    expect(links(page)).to_have_count(len(design["edges"]))
    page.wait_for_timeout(1500)  # the routes settle and the labels are placed
    placed = page.evaluate(LABEL_SPOTS)
    assert len(placed) == sum(1 for e in design["edges"] if e.get("label"))
    sockets[-1].send(json.dumps({"type": "error", "code": "bad_frame", "message": "Test"}))
    expect(page.locator("#hint")).to_contain_text("Test")
    page.wait_for_timeout(1500)  # the snapshot is asked for, comes, and is drawn
    assert any('"since": 0' in f or '"since":0' in f for f in frames), frames
    assert page.evaluate(LABEL_SPOTS) == placed


LABEL_COVERS = """() => {
  // For each link label (its box on screen, 1 px in): the other links whose drawn line
  // passes under it, and whether it covers a card.
  const lines = [...document.querySelectorAll('#canvas .joint-link')].map((el) => {
    const path = el.querySelector('path[joint-selector=line]');
    const m = path.getScreenCTM();
    const nums = (path.getAttribute('d') || '').match(/-?[\\d.]+/g) || [];
    const pts = [];
    for (let i = 0; i + 1 < nums.length; i += 2) {
      const p = new DOMPoint(+nums[i], +nums[i + 1]).matrixTransform(m);
      pts.push([p.x, p.y]);
    }
    return { id: el.dataset.id, pts };
  });
  const cards = [...document.querySelectorAll('#canvas .joint-element rect[joint-selector=body]')]
    .map((c) => c.getBoundingClientRect());
  const out = [];
  for (const el of document.querySelectorAll('#canvas .joint-link')) {
    const body = el.querySelector('rect[joint-selector=labelBody]');
    if (!body) continue;
    const r = body.getBoundingClientRect();
    const [l, t, rr, b] = [r.left + 1, r.top + 1, r.right - 1, r.bottom - 1];
    const under = lines.filter((o) => o.id !== el.dataset.id && o.pts.some((_, i) => {
      if (!i) return false;
      const [[x1, y1], [x2, y2]] = [o.pts[i - 1], o.pts[i]];
      for (let s = 0; s <= 20; s += 1) {
        const x = x1 + (x2 - x1) * s / 20;
        const y = y1 + (y2 - y1) * s / 20;
        if (x > l && x < rr && y > t && y < b) return true;
      }
      return false;
    })).length;
    const onCard = cards.some((q) => q.right > l && q.left < rr && q.bottom > t && q.top < b);
    out.push({ id: el.dataset.id, under, onCard });
  }
  return out;
}"""


def test_link_labels_keep_off_other_links_after_auto_layout(page: Page, server_url: str) -> None:
    # Three dense references laid out: a label sits on a stretch of its link that no other
    # line runs under, or just beside its own line, before it covers other lines (placing
    # on a line that any other crossed used to leave 31 of these 83 labels on lines).
    found = []
    for slug in ("harmful-content-detection", "visual-search", "video-search"):
        design = json.loads((ROOT / f"components/case_studies/{slug}.json").read_text())
        drawn = {k: v for k, v in design["reference"].items() if k not in ("format", "version")}
        page.set_viewport_size(LARGE)
        open_board(page, server_url, {**drawn, "title": slug})
        expect(links(page)).to_have_count(len(drawn["edges"]))
        click_auto_layout_and_wait(page)
        wait_saved(page)
        page.wait_for_timeout(1000)  # the routes settle, then the labels are placed
        found += page.evaluate(LABEL_COVERS)
    assert len(found) == 83
    on_lines = [f for f in found if f["under"]]
    assert len(on_lines) <= len(found) // 4, on_lines
    assert sum(f["onCard"] for f in found) <= 1, found
