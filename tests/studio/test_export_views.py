"""Downloads, the session report by role, and the replay of the operation log."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ElementTree

import pytest
from django.test import Client

from components.document import dump, parse
from components.operations import apply_operation
from studio import interview, services
from studio.models import Board
from tests.conftest import DESIGNS
from tests.studio.conftest import client_as, make_board

pytestmark = pytest.mark.django_db
SECRET = "private: strong on serving, weak on metrics"


@pytest.fixture
def board() -> Board:
    board, _ = make_board()
    interview.save_private_notes(board, SECRET)
    interview.save_score(board, "serving", "4", "excellent caching answer")
    return board


@pytest.mark.parametrize(
    "fmt, content_type, starts",
    [
        ("svg", "image/svg+xml", b"<?xml"),
        ("png", "image/png", b"\x89PNG"),
        ("dot", "text/vnd.graphviz; charset=utf-8", b"// MLSD Studio board export"),
        ("json", "application/json", b"{"),
    ],
)
def test_every_format_downloads(board: Board, fmt: str, content_type: str, starts: bytes):
    response = client_as(board, "viewer").get(f"/b/{board.public_id}/export.{fmt}?download=1")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.lstrip().startswith(starts)
    assert response["Content-Disposition"] == f'attachment; filename="video-recommendation.{fmt}"'


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("export.svg?download=1&legend=1", "video-recommendation.svg"),
        ("export.svg?download=1&layout=auto&legend=1", "video-recommendation-auto-layout.svg"),
        ("export.svg?download=1&legend=1&findings=1", "video-recommendation-findings.svg"),
        (
            "export.png?download=1&layout=auto&findings=1",
            "video-recommendation-auto-layout-findings.png",
        ),
        ("export.dot?download=1&layout=drawn", "video-recommendation.dot"),
        (
            "export.svg?download=1&revision=1&findings=1",
            "video-recommendation-findings-revision-1.svg",
        ),
        ("export.json?download=1&layout=auto&findings=1", "video-recommendation.json"),
        ("export.json?download=1&revision=1", "video-recommendation-revision-1.json"),
    ],
)
def test_each_export_variant_downloads_under_its_own_name(board: Board, path: str, name: str):
    response = client_as(board, "viewer").get(f"/b/{board.public_id}/{path}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_the_export_menu_downloads_every_item_under_a_different_name(board: Board):
    client = client_as(board, "candidate")
    page = client.get(f"/b/{board.public_id}/").content.decode()
    hrefs = [
        html.unescape(href)
        for href in re.findall(r'<a role="menuitem" href="([^"]+)"', page)
        if "download=1" in href
    ]
    assert len(hrefs) >= 6  # SVG as drawn, auto-laid out, with findings; PNG; DOT; JSON
    names = [client.get(href)["Content-Disposition"] for href in hrefs]
    assert len(set(names)) == len(names), names


def test_the_svg_export_is_plain_xml_with_every_label(board: Board):
    svg = (
        client_as(board, "candidate")
        .get(f"/b/{board.public_id}/export.svg?layout=auto&legend=1&findings=1")
        .content
    )
    root = ElementTree.fromstring(svg)
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for node in board.to_document().nodes:
        assert all(word in text for word in node.label.split())
    assert b"<script" not in svg
    assert root.get("width")  # a download keeps its natural size...
    fitted = client_as(board, "candidate").get(f"/b/{board.public_id}/export.svg?fit=1")
    assert ElementTree.fromstring(fitted.content).get("width") is None  # ...fit=1 scales


def test_the_json_export_imports_back_identically(board: Board, client: Client):
    exported = client_as(board, "viewer").get(f"/b/{board.public_id}/export.json").content
    created = client.post("/api/boards", exported, content_type="application/json").json()
    again = client.get(f"/b/{created['id']}/export.json").content
    assert again == exported


def test_an_unknown_format_or_layout_is_refused(board: Board):
    client = client_as(board, "viewer")
    assert client.get(f"/b/{board.public_id}/export.gif").status_code == 404
    assert client.get(f"/b/{board.public_id}/export.svg?layout=spiral").status_code == 400


def test_exports_need_a_role(board: Board):
    assert Client().get(f"/b/{board.public_id}/export.json").status_code == 404


def test_the_interviewer_report_adds_rubric_and_private_notes(board: Board):
    html = client_as(board, "interviewer").get(f"/b/{board.public_id}/report").content.decode()
    assert SECRET in html and "excellent caching answer" in html
    assert "Home feed for 1B users" in html  # the worksheet notes
    markdown = (
        client_as(board, "interviewer").get(f"/b/{board.public_id}/report.md").content.decode()
    )
    assert SECRET in markdown and "| 6. Serving | 4 | excellent caching answer |" in markdown


@pytest.mark.parametrize("role", ["candidate", "viewer"])
def test_other_reports_never_show_interviewer_data(board: Board, role: str):
    for path in ("report", "report.md"):
        body = client_as(board, role).get(f"/b/{board.public_id}/{path}").content.decode()
        assert SECRET not in body and "excellent caching answer" not in body
        assert "Interviewer only" not in body
        assert "Worksheet" in body


def test_report_text_is_escaped(db):
    document = parse((DESIGNS / "video_recommendation.json").read_text())
    document.title = '<script>alert("x")</script>'
    board, _ = services.create_board(document)
    html = client_as(board, "candidate").get(f"/b/{board.public_id}/report").content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_replay_shows_the_board_at_each_revision(board: Board):
    ops = [
        {"op": "delete_edge", "id": "e9"},
        {"op": "move_node", "id": "app", "x": 5, "y": 5},
        {"op": "add_edge", "edge": {"id": "e9b", "source": "rerank", "target": "gw"}},
    ]
    for op in ops:
        services.apply(board.public_id, op, "Ada")
    board.refresh_from_db()
    client = client_as(board, "viewer")
    expected = parse((DESIGNS / "video_recommendation.json").read_text())
    for k, op in enumerate(ops, start=2):
        expected = apply_operation(expected, op)
        frame = client.get(
            f"/b/{board.public_id}/replay/{k}", HTTP_ACCEPT="application/json"
        ).json()
        assert frame["board"] == expected.to_dict()
        assert frame["author"] == "Ada"
    broken = client.get(f"/b/{board.public_id}/replay/2", HTTP_ACCEPT="application/json").json()
    assert broken["report"]["passed"] is False  # the serving loop was cut at revision 2
    assert client.get(f"/b/{board.public_id}/replay/4").status_code == 200
    assert client.get(f"/b/{board.public_id}/replay/5").status_code == 404
    page = client.get(f"/b/{board.public_id}/replay").content.decode()
    assert 'max="4"' in page
    svg = client.get(f"/b/{board.public_id}/export.svg?revision=2&findings=1")
    assert svg.status_code == 200


def test_every_revision_replays_to_a_prefix_of_the_log(board: Board):
    for n in range(5):
        services.apply(board.public_id, {"op": "update_notes", "step": "data", "text": str(n)}, "x")
    board.refresh_from_db()
    for k in range(1, board.revision + 1):
        assert services.document_at(board, k).notes["data"] == ("" if k == 1 else str(k - 2))
    assert dump(services.document_at(board, board.revision)) == dump(board.to_document())


def test_auto_layout_places_every_component_left_to_right(board: Board):
    positions = (
        client_as(board, "candidate").get(f"/b/{board.public_id}/layout").json()["positions"]
    )
    document = board.to_document()
    assert set(positions) == {n.id for n in document.nodes}
    # The request enters on the left and flows right: app before gateway before ranker.
    assert positions["app"]["x"] < positions["gw"]["x"] < positions["rank"]["x"]
    assert all(p["x"] >= 0 and p["y"] >= 0 for p in positions.values())


@pytest.mark.parametrize(
    ("design", "badges"), [("video_recommendation", False), ("video_recommendation_skew", True)]
)
def test_the_report_explains_badges_only_when_the_diagram_has_findings(db, design, badges):
    board, _ = make_board(design)
    html = client_as(board, "viewer").get(f"/b/{board.public_id}/report").content.decode()
    assert ("Numbered badges on the components" in html) is badges
    assert "Click the diagram to open it on its own." in html


def test_replay_frames_say_what_each_edit_did_in_words(board: Board):
    ops = [
        {"op": "update_notes", "step": "data", "text": "logs"},
        {"op": "move_node", "id": "fs", "x": 5, "y": 5},
        {"op": "delete_edge", "id": "e9"},
        {"op": "add_edge", "edge": {"id": "e9b", "source": "rerank", "target": "gw"}},
        {"op": "delete_node", "id": "vi"},
    ]
    for op in ops:
        services.apply(board.public_id, op, "Cleo")
    board.refresh_from_db()
    client = client_as(board, "viewer")
    said = {
        2: "Cleo edited the worksheet (3. Data)",
        3: "Cleo moved Feature store",
        4: "Cleo disconnected Re-ranker (freshness, diversity) → API gateway",
        5: "Cleo connected Re-ranker (freshness, diversity) → API gateway",
        6: "Cleo deleted ANN index and its 2 connections",  # named as it was before
    }
    for revision, words in said.items():
        frame = client.get(f"/b/{board.public_id}/replay/{revision}").content.decode()
        meta = html.unescape(re.search(r'<p class="muted replay-meta">(.*?)</p>', frame)[1])
        assert meta.endswith(f" · {words}"), meta
        assert ops[revision - 2]["op"] not in frame
        data = client.get(
            f"/b/{board.public_id}/replay/{revision}", HTTP_ACCEPT="application/json"
        ).json()
        assert f"Cleo {data['description']}" == words
    first = client.get(f"/b/{board.public_id}/replay/1").content.decode()
    assert "started the board with 20 components and 27 connections" in html.unescape(first)


def test_a_replay_frame_shows_the_worksheet_at_that_revision(board: Board):
    services.apply(
        board.public_id, {"op": "update_notes", "step": "data", "text": "a <b>\nb"}, "Cleo"
    )
    services.apply(board.public_id, {"op": "update_notes", "step": "data", "text": "later"}, "Cleo")
    client = client_as(board, "viewer")
    frame = client.get(f"/b/{board.public_id}/replay/2").content.decode()
    worksheet = frame.split('<details class="replay-worksheet" open>', 1)[1].split("</details>")[0]
    assert "a &lt;b&gt;<br>b" in worksheet and "later" not in worksheet  # escaped, as it was
    moved = client.get(f"/b/{board.public_id}/replay/3").content.decode()
    assert "later" in moved.split('class="replay-worksheet"', 1)[1]


def test_a_replay_frame_numbers_its_findings_as_the_diagrams_badges(board: Board):
    """The replay lists the findings in HTML; its diagram (findings=badges) outlines and
    numbers the cards without a list of its own, drawn too small to read in the frame."""
    services.apply(board.public_id, {"op": "delete_edge", "id": "e9"}, "Ada")  # no answer
    client = client_as(board, "viewer")
    frame = client.get(f"/b/{board.public_id}/replay/2").content.decode()
    assert "findings=badges" in frame
    numbers = re.findall(r'<span class="replay-num"[^>]*>(\d+)</span>', frame)
    assert numbers and sorted(int(n) for n in numbers) == list(range(1, len(numbers) + 1))
    badges = client.get(f"/b/{board.public_id}/export.svg?revision=2&findings=badges")
    listed = client.get(f"/b/{board.public_id}/export.svg?revision=2&findings=1")
    assert badges.status_code == listed.status_code == 200
    assert b'id="findings"' in listed.content and b'id="findings"' not in badges.content
    assert b'fill="#dc2626"' in badges.content  # the red badges (and outlines) are drawn
    bad = client.get(f"/b/{board.public_id}/export.svg?findings=some")
    assert bad.status_code == 400
