"""Pages over HTTP: home, board creation and import, role links, the findings panel."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from components.catalogue import COMPONENT_TYPES
from studio import services
from studio.models import Board, Operation
from studio.views import imported_title
from tests.conftest import DESIGNS
from tests.studio.conftest import client_as, make_board

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


def test_the_creator_sees_the_same_three_role_links_on_every_visit(client: Client):
    url = client.post("/boards/new", {"title": "T"}).url
    page = client.get(url).content.decode()
    links = re.findall(r'value="(http://testserver/join/[^"]+)"', page)
    assert len(links) == 3 and "data-open-on-load" in page
    # After a reload the same links are there again, and the dialog no longer opens by itself.
    again = client.get(url).content.decode()
    assert re.findall(r'value="(http://testserver/join/[^"]+)"', again) == links
    assert "data-open-on-load" not in again
    for link in links:
        assert Client().get(link).status_code == 302  # they work
    # A candidate's page never holds them.
    board = Board.objects.get()
    assert "/join/" not in client_as(board, "candidate").get(url).content.decode()


def test_links_cannot_be_shown_again_once_the_server_key_changed(client: Client, settings):
    url = client.post("/boards/new", {"title": "T"}).url
    page = client.get(url).content.decode()
    token = re.search(r'value="http://testserver/join/[^/"]+/([^/"]+)/"', page).group(1)
    board = Board.objects.get()
    assert token in services.current_tokens(board).values()
    settings.SECRET_KEY = "another-key-" + "x" * 40
    # The issued link still works, but cannot be derived again (the dialog offers a new one).
    assert services.current_tokens(board) == {}
    assert services.role_for_token(board, token) is not None


def test_an_import_is_titled_imported_and_keeps_a_known_case_study(client: Client):
    started = client.post("/cases/ad-click-prediction/start", {"level": "staff"})
    original = Board.objects.get()
    exported = client.get(f"/b/{original.public_id}/export.json").content
    assert b'"case_study": "ad-click-prediction"' in exported
    client.post("/boards/import", {"file": SimpleUploadedFile("b.json", exported)})
    copy = Board.objects.exclude(pk=original.pk).get()
    assert copy.title == f"{original.title} (imported)" and copy.case_study == original.case_study
    assert client.get(f"/b/{copy.public_id}/case").status_code == 200
    unknown = exported.replace(b"ad-click-prediction", b"no-such-case")
    client.post("/boards/import", {"file": SimpleUploadedFile("b.json", unknown)})
    third = Board.objects.exclude(pk__in=[original.pk, copy.pk]).get()
    assert third.case_study == "" and third.title.endswith(" (imported)")
    assert started.status_code == 302


def test_a_long_title_keeps_its_imported_mark():
    assert imported_title("x" * 200) == "x" * 189 + " (imported)"
    assert imported_title("Ads (imported)") == "Ads (imported)"
    assert imported_title("  ") == "Untitled design (imported)"


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
    page = response.content.decode()
    assert "unknown component type" in page and "teleporter" in page
    # Said in the import form, next to the file it is about, not at the top of the page.
    form = page[
        page.index("<h2>Import a design</h2>") : page.index("</form>", page.index("<h2>Import"))
    ]
    assert 'id="import-error"' in form and "teleporter" in form
    assert 'aria-describedby="import-error"' in form
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


def test_no_template_comment_spans_lines():
    # Django's {# #} comment ends at the line's end: one spanning lines is printed on the
    # page as text. Longer comments use {% comment %}.
    templates = Path(__file__).resolve().parents[2] / "templates"
    open_comments = [
        f"{path.relative_to(templates)}:{number}"
        for path in templates.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert open_comments == []


def test_the_board_page_prints_no_template_syntax(client: Client):
    board, _ = make_board()
    page = client_as(board, "interviewer").get(f"/b/{board.public_id}/").content.decode()
    assert "{#" not in page and "#}" not in page and "{%" not in page


def _upload(design: dict) -> SimpleUploadedFile:
    return SimpleUploadedFile("design.json", json.dumps(design).encode(), "application/json")


def test_the_verdict_says_when_a_pass_has_warnings(client: Client):
    design = json.loads((DESIGNS / "video_recommendation.json").read_text())
    url = client.post("/boards/import", {"file": _upload(design)}).url
    clean = client.get(url + "findings").content.decode()
    assert "<strong>Passes</strong>" in clean and "verdict-pass" in clean
    drift = [n["id"] for n in design["nodes"] if n["type"] == "drift_monitor"]
    design["nodes"] = [n for n in design["nodes"] if n["id"] not in drift]
    design["edges"] = [
        e for e in design["edges"] if e["source"] not in drift and e["target"] not in drift
    ]
    url = client.post("/boards/import", {"file": _upload(design)}).url
    warned = client.get(url + "findings").content.decode()
    assert "<strong>Passes, with warnings</strong>" in warned and "verdict-warn" in warned
    assert "drift-monitoring" in warned
