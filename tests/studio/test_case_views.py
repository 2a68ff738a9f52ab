"""Interview mode over HTTP: start from a case study, reveal, reference and comparison."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from components import case_studies
from studio import services
from studio.models import Board
from tests.studio.conftest import client_as, receive_until, ws_client

pytestmark = pytest.mark.django_db
SLUG = "video-recommendation"


@pytest.fixture
def started(client: Client) -> tuple[Board, Client]:
    response = client.post(f"/cases/{SLUG}/start", {"level": "staff"})
    assert response.status_code == 302
    return Board.objects.get(), client


def test_the_home_page_lists_all_ten_case_studies(client: Client):
    page = client.get("/").content.decode()
    for study in case_studies.load_all().values():
        assert f"/cases/{study.slug}/start" in page


def test_starting_a_case_study_makes_a_titled_board(started):
    board, _ = started
    study = case_studies.get(SLUG)
    assert (board.title, board.level, board.case_study) == (study.title, "staff", SLUG)
    assert board.to_document().nodes == []


def test_an_unknown_case_study_is_refused(client: Client):
    assert client.post("/cases/teleportation/start").status_code == 404
    assert Board.objects.count() == 0


def test_everyone_sees_the_prompt_but_only_the_interviewer_sees_hidden_items(started):
    board, interviewer = started
    study = case_studies.get(SLUG)
    question, hint = study.questions[0], study.hints["data"][0]
    mine = interviewer.get(f"/b/{board.public_id}/case").content.decode()
    assert study.prompt["goal"] in mine
    assert question["answer"] in mine and hint["text"] in mine
    assert "Reference design" in mine and f"/b/{board.public_id}/case/reference.svg" in mine
    for role in ("candidate", "viewer"):
        theirs = client_as(board, role).get(f"/b/{board.public_id}/case").content.decode()
        assert study.prompt["goal"] in theirs
        assert question["answer"] not in theirs and hint["text"] not in theirs
        assert "Reference design" not in theirs
        assert (
            client_as(board, role).get(f"/b/{board.public_id}/case/reference.svg").status_code
            == 404
        )


def test_a_revealed_item_reaches_the_candidate_and_nothing_else_does(started):
    board, interviewer = started
    study = case_studies.get(SLUG)
    shown, hidden = study.questions[0], study.questions[1]
    assert interviewer.post(f"/b/{board.public_id}/case/reveal/{shown['id']}").status_code == 200
    theirs = client_as(board, "candidate").get(f"/b/{board.public_id}/case").content.decode()
    assert shown["answer"] in theirs and hidden["answer"] not in theirs


def test_only_the_interviewer_reveals_and_only_known_items(started):
    board, interviewer = started
    study = case_studies.get(SLUG)
    candidate = client_as(board, "candidate")
    assert (
        candidate.post(f"/b/{board.public_id}/case/reveal/{study.questions[0]['id']}").status_code
        == 404
    )
    assert interviewer.post(f"/b/{board.public_id}/case/reveal/nope").status_code == 400
    board.refresh_from_db()
    assert board.revealed == []


def test_the_comparison_names_what_the_board_lacks(started):
    board, interviewer = started
    panel = interviewer.get(f"/b/{board.public_id}/case").content.decode()
    assert "Missing components: " in panel and "Feature store" in panel
    # Requirements and framing have no components to compare: the worksheet says.
    assert 'id="case-compare-requirements" data-status="empty"' in panel
    assert "not written yet" in panel.split('id="case-compare-framing"', 1)[1].split("</li>")[0]
    # The reference thumbnail opens full size.
    assert f'<a href="/b/{board.public_id}/case/reference.svg" target="_blank"' in panel
    svg = interviewer.get(f"/b/{board.public_id}/case/reference.svg")
    assert svg.status_code == 200 and svg.content.startswith(b"<?xml")
    # Fitted (no fixed size: it scales to the window) and laid out by the auto-layout.
    root = ElementTree.fromstring(svg.content)
    assert root.get("viewBox") and root.get("width") is None and root.get("height") is None
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "Legend" in titles and not any(t and re.fullmatch(r"n\d+", t) for t in titles)


def test_the_comparison_counts_what_the_board_has_of_a_type_the_reference_has_more_of(started):
    board, interviewer = started
    services.apply(
        board.public_id,
        {"op": "add_node", "node": {"id": "tp", "type": "training_pipeline"}},
        "test",
    )
    panel = interviewer.get(f"/b/{board.public_id}/case").content.decode()
    assert "Training pipeline (1 of 2)" in panel  # the reference has two


@pytest.mark.django_db(transaction=True)
async def test_a_reveal_frame_carries_no_hidden_text():
    client = Client()
    await database_sync_to_async(client.post)(f"/cases/{SLUG}/start")
    board = await database_sync_to_async(Board.objects.get)()
    study = case_studies.get(SLUG)
    async with ws_client(board.public_id, "candidate") as candidate:
        await receive_until(candidate, "welcome")
        await database_sync_to_async(client.post)(
            f"/b/{board.public_id}/case/reveal/{study.questions[2]['id']}"
        )
        frame = await receive_until(candidate, "case.revealed")
    assert frame == {"type": "case.revealed"}


def test_the_shipped_studies_are_loaded_by_migrate_and_the_command_adds_more(tmp_path):
    from django.core.management import call_command

    from studio.models import CaseStudy

    assert CaseStudy.objects.count() == 10  # post_migrate loaded them
    custom = case_studies.get(SLUG).to_dict()
    custom.update(slug="fraud-detection", title="Card fraud detection")
    (tmp_path / "fraud-detection.json").write_text(json.dumps(custom))
    call_command("load_case_studies", str(tmp_path / "fraud-detection.json"))
    assert CaseStudy.objects.get(slug="fraud-detection").title == "Card fraud detection"
    assert "/cases/fraud-detection/start" in Client().get("/").content.decode()


def test_a_bad_case_study_file_is_refused_and_changes_nothing(tmp_path):
    from django.core.management import CommandError, call_command

    from studio.models import CaseStudy

    bad = case_studies.get(SLUG).to_dict()
    bad["slug"] = "broken"
    bad["reference"]["nodes"][0]["type"] = "teleporter"
    (tmp_path / "broken.json").write_text(json.dumps(bad))
    with pytest.raises(CommandError, match="broken.json.*unknown component type"):
        call_command("load_case_studies", str(tmp_path))
    assert not CaseStudy.objects.filter(slug="broken").exists()


def test_the_comparison_matches_by_role_and_names_the_reference_types(started):
    board, interviewer = started
    services.apply(
        board.public_id,
        {"op": "add_node", "node": {"id": "inf", "type": "inference_service"}},
        "test",
    )
    panel = interviewer.get(f"/b/{board.public_id}/case").content.decode()
    # The inference service stands for one of the reference's two predictors (the
    # ranker and the user tower that serves requests); their types are suggested.
    assert "Predictor (1 of 2)" in panel
    assert "(the reference uses Embedding model, Ranking service)" in panel
    assert "Ranking service (" not in panel


def test_the_report_says_who_did_what_on_which_case_study_and_what_was_revealed(started):
    board, interviewer = started
    study = case_studies.get(SLUG)
    asked, hint = study.questions[1], study.hints["data"][0]
    for item in (asked["id"], hint["id"]):
        assert interviewer.post(f"/b/{board.public_id}/case/reveal/{item}").status_code == 200
    services.apply(board.public_id, {"op": "update_board", "changes": {"title": "One"}}, "Ivy")
    services.apply(
        board.public_id, {"op": "update_notes", "step": "data", "text": "logs"}, "<Cleo>"
    )
    for role in ("interviewer", "candidate"):
        page = client_as(board, role).get(f"/b/{board.public_id}/report").content.decode()
        session = page.split('<section class="session"', 1)[1].split("</section>", 1)[0]
        assert study.title in session
        assert "Ivy, &lt;Cleo&gt;" in session  # in order of first edit, escaped
        assert re.search(r"\(\d+ min\)", session)
        revealed = re.findall(r"<li>.*?</li>", session.split('class="revealed"', 1)[1])
        assert len(revealed) == 2 and "question:" in revealed[0] and "hint:" in revealed[1]
    markdown = client_as(board, "viewer").get(f"/b/{board.public_id}/report.md").content.decode()
    part = markdown.split("## Session", 1)[1].split("## Coverage", 1)[0]
    assert f"- Case study: {study.title}" in part and "- People: Ivy, \\<Cleo>" in part
    assert "1. question: " in part and "2. hint: " in part
