"""Pages over HTTP: home, board creation and import, role links, the findings panel."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from components.catalogue import COMPONENT_TYPES
from studio.models import Board, Operation
from tests.conftest import DESIGNS
from tests.studio.conftest import client_as

pytestmark = pytest.mark.django_db


def test_home_explains_the_studio_and_shows_the_whole_palette(client: Client):
    page = client.get("/").content.decode()
    assert "Design machine learning systems together" in page
    for component_type in COMPONENT_TYPES.values():
        assert f'data-type="{component_type.id}"' in page
    assert "Content-Security-Policy" in client.get("/").headers
    assert "script-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_creating_a_board_makes_the_creator_interviewer_and_logs_revision_one(client: Client):
    response = client.post("/boards/new", {"title": "Ads <ranking>", "level": "staff"})
    board = Board.objects.get()
    assert response.status_code == 302 and response.url == f"/b/{board.public_id}/"
    assert (board.title, board.level, board.revision) == ("Ads <ranking>", "staff", 1)
    assert Operation.objects.get(board=board).op["op"] == "import"
    page = client.get(response.url).content.decode()
    assert "Ads &lt;ranking&gt;" in page and "Ads <ranking>" not in page
    assert 'id="my-role">interviewer' in page
    assert client.get("/").content.decode().count(f"/b/{board.public_id}/") == 1


def test_the_creator_sees_three_role_links_once(client: Client):
    url = client.post("/boards/new", {"title": "T"}).url
    page = client.get(url).content.decode()
    links = re.findall(r'value="(http://testserver/join/[^"]+)"', page)
    assert len(links) == 3
    assert "/join/" not in client.get(url).content.decode()  # shown once, then gone


def test_a_bad_level_is_refused_without_creating_a_board(client: Client):
    response = client.post("/boards/new", {"title": "T", "level": "principal"})
    assert response.status_code == 400 and Board.objects.count() == 0


def test_importing_a_design_creates_the_board_as_drawn(client: Client):
    with open(DESIGNS / "video_recommendation.json", "rb") as handle:
        response = client.post("/boards/import", {"file": handle})
    board = Board.objects.get()
    assert response.status_code == 302
    assert len(board.to_document().nodes) == 20


def test_a_refused_import_shows_the_validator_message_and_creates_nothing(client: Client, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"format": "mlsd-studio/board", "version": 1, '
        '"nodes": [{"id": "a", "type": "teleporter"}]}'
    )
    with open(bad, "rb") as handle:
        response = client.post("/boards/import", {"file": handle})
    assert response.status_code == 400
    assert "unknown component type" in response.content.decode()
    assert "teleporter" in response.content.decode()
    assert Board.objects.count() == 0


def test_a_board_is_hidden_without_a_role(client: Client):
    client.post("/boards/new", {"title": "Secret"})
    board = Board.objects.get()
    stranger = Client()
    page = stranger.get(f"/b/{board.public_id}/")
    assert page.status_code == 404 and "Share links" in page.content.decode()
    assert stranger.get(f"/api/boards/{board.public_id}").status_code == 404
    assert stranger.get(f"/b/{board.public_id}/findings").status_code == 404


def test_role_links_grant_their_role_and_redirect_to_the_clean_url(client: Client):
    page = client.get(client.post("/boards/new", {"title": "T"}).url).content.decode()
    links = dict(
        re.findall(
            r'badge-(\w+)">\w+</span>\s*<input class="share-url" readonly value="(http://testserver/join/[^"]+)"',
            page,
        )
    )
    board = Board.objects.get()
    for role in ("candidate", "viewer"):
        visitor = Client()
        response = visitor.get(links[role].replace("http://testserver", ""))
        assert response.status_code == 302 and response.url == f"/b/{board.public_id}/"
        board_page = visitor.get(response.url).content.decode()
        assert f'id="my-role">{role}' in board_page
        # Only the interviewer sets the level.
        assert '<select id="board-level" aria-label="Level" disabled' in board_page
    assert '<select id="board-level" aria-label="Level">' in page


def test_a_rotated_link_stops_working(client: Client):
    page = client.get(client.post("/boards/new", {"title": "T"}).url).content.decode()
    old = re.search(r'value="http://testserver(/join/[^"]+)"', page).group(1)
    board = Board.objects.get()
    fresh = client.post(f"/b/{board.public_id}/links/viewer").content.decode()
    assert "/join/" in fresh
    visitor = Client()
    old_viewer = [link for link in re.findall(r'value="http://testserver(/join/[^"]+)"', page)]
    assert old in old_viewer
    responses = [visitor.get(link).status_code for link in old_viewer]
    assert responses.count(404) == 1  # only the viewer link was rotated


def test_only_the_interviewer_can_rotate_links(client: Client):
    client.post("/boards/new", {"title": "T"})
    board = Board.objects.get()
    candidate = client_as(board, "candidate")
    assert candidate.post(f"/b/{board.public_id}/links/viewer").status_code == 404


def test_forms_require_a_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/boards/new", {"title": "T"}).status_code == 403
    assert Board.objects.count() == 0


def test_findings_panel_groups_findings_by_step(client: Client):
    with open(DESIGNS / "video_recommendation_skew.json", "rb") as handle:
        url = client.post("/boards/import", {"file": handle}).url
    panel = client.get(url + "findings").content.decode()
    assert "Does not pass" in panel
    assert "3. Data" in panel and "feature-consistency" in panel
    assert 'data-nodes="train rank fpb fps fpt fs"' in panel  # rev. 2: the stores too
    staff = client.get(url + "findings?level=mid").content.decode()
    assert "at mid level" in staff
