"""The board editor in a real browser against a real server (issue "The board editor")."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    api_board,
    connect,
    create_board_from_home,
    drag_from_palette,
    elements,
    links,
    node,
    nodes_of_type,
    open_board,
    screenshot,
    wait_live,
    wait_saved,
)

pytestmark = pytest.mark.browser


def isolated(page: Page):
    return page.locator('#findings .finding[data-rule="isolated-component"]')


def test_drag_connect_undo_and_reload(page: Page, server_url: str) -> None:
    public_id = create_board_from_home(page, server_url, "Online scoring")
    expect(page.locator("#board-title")).to_have_value("Online scoring")
    expect(elements(page)).to_have_count(0)
    expect(page.locator(".empty-state")).to_be_visible()
    screenshot(page, "00-empty-board")

    drag_from_palette(page, "api_gateway", 200, 260)
    expect(nodes_of_type(page, "api_gateway")).to_have_count(1)
    expect(page.locator(".empty-state")).to_be_hidden()
    drag_from_palette(page, "inference_service", 480, 260)
    expect(nodes_of_type(page, "inference_service")).to_have_count(1)

    # Both components sit unconnected: two isolated-component warnings, amber outlines.
    expect(isolated(page)).to_have_count(2)
    gateway = nodes_of_type(page, "api_gateway")
    service = nodes_of_type(page, "inference_service")
    expect(gateway).to_have_attribute("data-status", "warning")
    screenshot(page, "01-two-components")

    connect(page, gateway, service)
    expect(links(page)).to_have_count(1)
    expect(isolated(page)).to_have_count(0)
    expect(gateway).not_to_have_attribute("data-status", "warning")
    wait_saved(page)
    stored = api_board(page, server_url, public_id)
    assert len(stored["edges"]) == 1
    by_id = {n["id"]: n["type"] for n in stored["nodes"]}
    edge = stored["edges"][0]
    assert (by_id[edge["source"]], by_id[edge["target"]]) == ("api_gateway", "inference_service")
    screenshot(page, "02-connected")

    # Undo removes the connection (an inverse op to the server), and the warnings return.
    page.locator("#canvas").focus()
    page.keyboard.press("Control+z")
    expect(links(page)).to_have_count(0)
    expect(isolated(page)).to_have_count(2)
    wait_saved(page)
    assert api_board(page, server_url, public_id)["edges"] == []

    # Redo brings it back; undo again so the board is left with two loose components.
    page.keyboard.press("Control+Shift+z")
    expect(links(page)).to_have_count(1)
    page.locator("#undo").click()
    expect(links(page)).to_have_count(0)
    wait_saved(page)

    page.reload()
    wait_live(page)
    expect(nodes_of_type(page, "api_gateway")).to_have_count(1)
    expect(nodes_of_type(page, "inference_service")).to_have_count(1)
    expect(links(page)).to_have_count(0)
    expect(isolated(page)).to_have_count(2)
    stored = api_board(page, server_url, public_id)
    assert sorted(n["type"] for n in stored["nodes"]) == ["api_gateway", "inference_service"]
    assert stored["edges"] == []


def test_keyboard_only_adds_a_component(page: Page, server_url: str) -> None:
    public_id = create_board_from_home(page, server_url, "Keyboard only")
    # Tab from the top of the page until a palette item has focus.
    focused_item = page.locator(".palette-item:focus")
    for _ in range(40):
        page.keyboard.press("Tab")
        if focused_item.count():
            break
    expect(focused_item).to_have_count(1)
    first_type = focused_item.get_attribute("data-type")
    page.keyboard.press("ArrowDown")
    expect(focused_item).not_to_have_attribute("data-type", first_type)
    chosen = focused_item.get_attribute("data-type")
    page.keyboard.press("Enter")

    added = nodes_of_type(page, chosen)
    expect(added).to_have_count(1)
    expect(page.locator("#hint")).to_contain_text("Added")
    # The new component is placed in view and selected.
    expect(added).to_have_attribute("data-selected", "true")
    box = added.bounding_box()
    stage = page.locator("#stage").bounding_box()
    assert stage["x"] <= box["x"] and box["x"] + box["width"] <= stage["x"] + stage["width"]
    assert stage["y"] <= box["y"] and box["y"] + box["height"] <= stage["y"] + stage["height"]

    # A second Enter adds another one next to it, not on top of it.
    page.keyboard.press("Enter")
    expect(nodes_of_type(page, chosen)).to_have_count(2)
    first, second = (nodes_of_type(page, chosen).nth(i).bounding_box() for i in (0, 1))
    overlap_x = min(first["x"] + first["width"], second["x"] + second["width"]) - max(
        first["x"], second["x"]
    )
    overlap_y = min(first["y"] + first["height"], second["y"] + second["height"]) - max(
        first["y"], second["y"]
    )
    assert overlap_x <= 0 or overlap_y <= 0

    wait_saved(page)
    stored = api_board(page, server_url, public_id)
    assert [n["type"] for n in stored["nodes"]] == [chosen, chosen]
    screenshot(page, "03-keyboard-add")


def test_delete_removes_selection_and_its_edges(page: Page, server_url: str) -> None:
    public_id, _ = open_board(
        page,
        server_url,
        {
            "title": "Delete me",
            "nodes": [
                {"id": "gw", "type": "api_gateway", "label": "Gateway", "x": 40, "y": 80},
                {"id": "svc", "type": "inference_service", "label": "Scorer", "x": 320, "y": 80},
                {"id": "fs", "type": "feature_store", "label": "Features", "x": 600, "y": 80},
                {"id": "app", "type": "client_app", "label": "App", "x": 40, "y": 260},
            ],
            "edges": [
                {"id": "e1", "source": "gw", "target": "svc"},
                {"id": "e2", "source": "fs", "target": "svc"},
                {"id": "e3", "source": "app", "target": "gw"},
            ],
        },
    )
    expect(elements(page)).to_have_count(4)
    expect(links(page)).to_have_count(3)

    node(page, "svc").click()
    expect(node(page, "svc")).to_have_attribute("data-selected", "true")
    page.keyboard.press("Delete")
    expect(node(page, "svc")).to_have_count(0)
    expect(links(page)).to_have_count(1)  # e1 and e2 went with it
    wait_saved(page)
    stored = api_board(page, server_url, public_id)
    assert sorted(n["id"] for n in stored["nodes"]) == ["app", "fs", "gw"]
    assert [e["id"] for e in stored["edges"]] == ["e3"]

    # One undo brings the component back with both of its connections.
    page.keyboard.press("Control+z")
    expect(node(page, "svc")).to_have_count(1)
    expect(links(page)).to_have_count(3)
    wait_saved(page)
    stored = api_board(page, server_url, public_id)
    assert sorted(e["id"] for e in stored["edges"]) == ["e1", "e2", "e3"]

    # Shift+click adds to the selection; Backspace deletes both and their edges at once.
    node(page, "gw").click()
    node(page, "fs").click(modifiers=["Shift"])
    expect(node(page, "gw")).to_have_attribute("data-selected", "true")
    expect(node(page, "fs")).to_have_attribute("data-selected", "true")
    page.keyboard.press("Backspace")
    expect(elements(page)).to_have_count(2)
    expect(links(page)).to_have_count(0)
    wait_saved(page)
    stored = api_board(page, server_url, public_id)
    assert sorted(n["id"] for n in stored["nodes"]) == ["app", "svc"]
    assert stored["edges"] == []

    # Shift+drag on empty space selects by rubber band.
    stage = page.locator("#stage").bounding_box()
    page.keyboard.down("Shift")
    page.mouse.move(stage["x"] + stage["width"] - 10, stage["y"] + stage["height"] - 10)
    page.mouse.down()
    page.mouse.move(stage["x"] + 5, stage["y"] + 5, steps=8)
    page.mouse.up()
    page.keyboard.up("Shift")
    expect(page.locator('#canvas .joint-element[data-selected="true"]')).to_have_count(2)
    page.keyboard.press("Delete")
    expect(elements(page)).to_have_count(0)
    wait_saved(page)
    assert api_board(page, server_url, public_id)["nodes"] == []


def test_invalid_connection_is_refused_with_a_hint(page: Page, server_url: str) -> None:
    public_id, _ = open_board(
        page,
        server_url,
        {
            "nodes": [
                {"id": "app", "type": "client_app", "label": "Mobile app", "x": 60, "y": 120},
                {
                    "id": "train",
                    "type": "training_pipeline",
                    "label": "Trainer",
                    "x": 420,
                    "y": 120,
                },
                {"id": "gw", "type": "api_gateway", "label": "Gateway", "x": 240, "y": 320},
            ],
        },
    )
    app, train, gw = node(page, "app"), node(page, "train"), node(page, "gw")

    # While drawing, valid targets are marked and the others faded.
    app.hover()
    handle = app.locator('[joint-selector="handle"]').bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + 60, handle["y"] + 30, steps=5)
    expect(train).to_contain_class("is-invalid-target")
    expect(gw).to_contain_class("is-valid-target")
    box = train.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=10)
    page.mouse.up()

    hint = page.locator("#hint")
    expect(hint).to_contain_text("Client app cannot connect to Training pipeline")
    expect(links(page)).to_have_count(0)
    expect(train).not_to_contain_class("is-invalid-target")
    screenshot(page, "04-invalid-connection")
    assert api_board(page, server_url, public_id)["edges"] == []

    # The allowed direction works.
    connect(page, app, gw)
    expect(links(page)).to_have_count(1)
    wait_saved(page)
    edges = api_board(page, server_url, public_id)["edges"]
    assert [(e["source"], e["target"]) for e in edges] == [("app", "gw")]


def test_inspector_edits_persist(page: Page, server_url: str) -> None:
    public_id, _ = open_board(
        page,
        server_url,
        {
            "nodes": [
                {"id": "svc", "type": "inference_service", "label": "Scorer", "x": 80, "y": 100},
                {
                    "id": "train",
                    "type": "training_pipeline",
                    "label": "Trainer",
                    "x": 380,
                    "y": 100,
                    "props": {"task": "ranking"},
                },
            ],
        },
    )
    node(page, "svc").click()
    page.get_by_role("tab", name="Inspector").click()
    inspector = page.locator("#inspector")
    expect(inspector.locator(".insp-title")).to_have_text("Inference service")

    replicas = inspector.locator('input[name="replicas"]')
    expect(replicas).to_have_attribute("min", "1")
    replicas.fill("0")
    replicas.press("Enter")
    expect(inspector.locator('[data-field="replicas"] .field-error')).to_have_text(
        "Must be at least 1."
    )
    replicas.fill("3")
    replicas.press("Enter")
    expect(inspector.locator('[data-field="replicas"] .field-error')).to_be_hidden()

    features = inspector.locator('input[name="features"]')
    features.fill("user_age")
    features.press("Enter")
    features.fill("watch_history_30d")
    features.press("Enter")
    features.fill("user_age")
    features.press("Enter")
    expect(inspector.locator('[data-field="features"] .field-error')).to_contain_text(
        "already listed"
    )
    expect(inspector.locator('[data-field="features"] .tag')).to_have_count(2)
    inspector.get_by_role("button", name="Remove feature user_age").click()
    expect(inspector.locator('[data-field="features"] .tag')).to_have_text(["watch_history_30d×"])

    label = inspector.locator('input[name="label"]')
    label.fill("Ranker API")
    label.press("Enter")
    expect(node(page, "svc").locator('[joint-selector="label"]')).to_contain_text("Ranker API")

    wait_saved(page)
    svc = {n["id"]: n for n in api_board(page, server_url, public_id)["nodes"]}["svc"]
    assert svc["label"] == "Ranker API"
    assert svc["props"] == {"replicas": 3, "features": ["watch_history_30d"]}

    # A choice prop: "not set" removes it.
    node(page, "train").click()
    expect(inspector.locator(".insp-title")).to_have_text("Training pipeline")
    task = inspector.locator('select[name="task"]')
    expect(task).to_have_value("ranking")
    task.select_option("")
    wait_saved(page)
    train = {n["id"]: n for n in api_board(page, server_url, public_id)["nodes"]}["train"]
    assert "task" not in train.get("props", {})
    task.select_option("classification")
    wait_saved(page)
    train = {n["id"]: n for n in api_board(page, server_url, public_id)["nodes"]}["train"]
    assert train["props"]["task"] == "classification"
    screenshot(page, "05-inspector")


def test_palette_search_filters_items(page: Page, server_url: str) -> None:
    open_board(page, server_url, {"title": "Search"})
    search = page.locator("#palette-search")
    items = page.locator(".sidebar-left .palette-item")
    total = items.count()
    assert total >= 30
    search.fill("feature store")
    expect(page.locator('.palette-item[data-type="feature_store"]')).to_be_visible()
    expect(page.locator('.palette-item[data-type="client_app"]')).to_be_hidden()
    expect(page.locator('.sidebar-left .palette-group[data-category="client"]')).to_be_hidden()
    visible = page.locator(".sidebar-left .palette-item:visible")
    for text in visible.evaluate_all("els => els.map(e => e.dataset.search)"):
        assert "feature" in text and "store" in text
    search.fill("no such thing")
    expect(visible).to_have_count(0)
    expect(page.locator(".palette-empty")).to_be_visible()
    search.press("Escape")
    expect(search).to_have_value("")
    expect(visible).to_have_count(total)
    # Arrow down from the search box reaches the first item, Enter adds it.
    search.fill("cache")
    search.press("ArrowDown")
    expect(page.locator('.palette-item[data-type="cache"]')).to_be_focused()
    page.keyboard.press("Enter")
    expect(nodes_of_type(page, "cache")).to_have_count(1)
