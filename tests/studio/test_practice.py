"""Practice mode over HTTP: start alone, reveal and take hints (logged with times), the own
timer, finish, the review (reference, comparison, rubric, material, self-assessment), the
report, sharing later; and the interviewer material never reaching a candidate in a
shared session."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from components import case_studies
from studio import practice, services
from studio.models import Board
from tests.studio.conftest import client_as

pytestmark = pytest.mark.django_db
SLUG = "harmful-content-detection"


def study():
    return case_studies.get(SLUG)


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def material_texts(slug: str = SLUG) -> list[str]:
    found = case_studies.get(slug)
    texts = [a["why"] for a in found.acknowledged]
    for level in case_studies.LEVELS:
        for items in found.material(level).values():
            texts.extend(items)
    return texts


@pytest.fixture
def practising(client: Client) -> tuple[Board, Client]:
    response = client.post(f"/cases/{SLUG}/practice", {"level": "senior"})
    assert response.status_code == 302
    board = Board.objects.get()
    assert response["Location"] == f"/b/{board.public_id}/"
    return board, client


def url(board: Board, tail: str) -> str:
    return f"/b/{board.public_id}/{tail}"


def test_home_offers_practice_and_interview_for_every_study(client: Client):
    page = client.get("/").content.decode()
    for slug in case_studies.load_all():
        assert f"/cases/{slug}/practice" in page and f"/cases/{slug}/start" in page


def test_a_practice_board_has_no_links_and_the_person_edits_as_candidate(practising):
    board, client = practising
    assert board.practice and board.case_study == SLUG and board.level == "senior"
    assert not (
        board.interviewer_token_hash or board.candidate_token_hash or board.viewer_token_hash
    )
    page = client.get(url(board, "")).content.decode()
    assert 'id="my-role">candidate<' in page
    assert 'id="share-button"' not in page and 'id="tab-interviewer"' not in page
    assert 'id="timer"' in page  # their own timer


def test_starting_or_sharing_practice_gives_the_browser_a_new_session_key(client: Client):
    """A role is granted both times: a session planted before must not gain it."""
    client.get("/")
    client.session.save()
    planted = client.cookies["sessionid"].value
    response = client.post(f"/cases/{SLUG}/practice", {"level": "senior"})
    assert response.status_code == 302
    started = client.cookies["sessionid"].value
    assert started != planted
    public_id = response.url.strip("/").split("/")[-1]
    assert client.post(f"/b/{public_id}/practice/share").status_code in (204, 302)
    assert client.cookies["sessionid"].value != started
    assert client.get(f"/b/{public_id}/").status_code == 200  # the new key keeps the role


def test_practice_start_refuses_unknown_study_and_level(client: Client):
    assert client.post("/cases/teleportation/practice").status_code == 404
    assert client.post(f"/cases/{SLUG}/practice", {"level": "guru"}).status_code == 400
    assert Board.objects.count() == 0


def test_questions_show_but_answers_and_hints_wait_until_revealed(practising):
    board, client = practising
    panel = text_of(client.get(url(board, "case")))
    for q in study().questions:
        assert q["question"] in panel and q["answer"] not in panel
    for hints in study().hints.values():
        for hint in hints:
            assert hint["text"] not in panel
    assert "Reference design" not in panel
    for text in material_texts():
        assert text not in panel


def test_each_reveal_is_logged_with_its_time_and_hints_come_in_order(practising):
    board, client = practising
    q = study().questions[1]
    first, second = study().hints["data"][0], study().hints["data"][1]
    assert client.post(url(board, f"practice/reveal/{second['id']}")).status_code == 400
    panel = text_of(client.post(url(board, f"practice/reveal/{q['id']}")))
    assert q["answer"] in panel
    panel = text_of(client.post(url(board, f"practice/reveal/{first['id']}")))
    assert first["text"] in panel and second["text"] not in panel
    assert client.post(url(board, f"practice/reveal/{first['id']}")).status_code == 200  # again
    assert client.post(url(board, "practice/reveal/nope")).status_code == 400
    board.refresh_from_db()
    assert [(e["item"], e["kind"]) for e in board.practice_log] == [
        (q["id"], "question"),
        (first["id"], "hint"),
    ]
    assert all(
        re.match(r"\d{4}-\d\d-\d\dT", e["at"]) and e["elapsed"] >= 0 for e in board.practice_log
    )
    assert board.revealed == [q["id"], first["id"]]


def test_the_own_timer_runs_and_its_elapsed_time_is_logged(practising):
    board, client = practising
    assert (
        client.post(url(board, "practice/timer"), {"action": "start", "minutes": "30"}).status_code
        == 204
    )
    board.refresh_from_db()
    assert board.timer_duration == 30 * 60 and board.timer_started_at is not None
    assert client.post(url(board, "practice/timer"), {"action": "explode"}).status_code == 400
    board.timer_elapsed, board.timer_started_at = 125, None
    board.save()
    client.post(url(board, f"practice/reveal/{study().hints['serving'][0]['id']}"))
    board.refresh_from_db()
    assert board.practice_log[-1]["elapsed"] == 125


def test_nobody_else_uses_practice_endpoints(practising):
    board, _ = practising
    stranger = Client()
    interviewer = client_as(board, "interviewer")
    for who in (stranger, interviewer):
        assert (
            who.post(url(board, f"practice/reveal/{study().questions[0]['id']}")).status_code == 404
        )
        assert who.post(url(board, "practice/finish")).status_code == 404
    board.refresh_from_db()
    assert board.practice_log == [] and board.practice_finished_at is None


def test_review_waits_for_finish_then_shows_reference_rubric_and_material(practising):
    board, client = practising
    assert client.get(url(board, "practice/review")).status_code == 404
    assert client.get(url(board, "practice/reference.svg")).status_code == 404
    assert client.post(url(board, "practice/assess/data"), {"score": "3"}).status_code == 404
    client.post(url(board, f"practice/reveal/{study().hints['model'][0]['id']}"))
    response = client.post(url(board, "practice/finish"))
    assert response.status_code == 302 and response["Location"] == url(board, "practice/review")
    review = text_of(client.get(url(board, "practice/review")))
    assert url(board, "practice/reference.svg") in review
    for text in study().material("senior")["must_hit"] + study().material("senior")["red_flags"]:
        assert text in review
    assert study().material("staff")["must_hit"][0] not in review  # only their level
    rubric = case_studies.rubric()
    assert rubric["steps"]["serving"]["senior"][0] in review
    assert study().reference.notes["serving"] in review
    assert "Hints you took here: 1." in review
    svg = client.get(url(board, "practice/reference.svg"))
    assert svg.status_code == 200 and b"<svg" in svg.content
    # No more reveals once finished.
    assert (
        client.post(url(board, f"practice/reveal/{study().questions[0]['id']}")).status_code == 400
    )


def test_self_assessment_is_one_to_four_per_step(practising):
    board, client = practising
    client.post(url(board, "practice/finish"))
    assert client.post(url(board, "practice/assess/data"), {"score": "3"}).status_code == 200
    assert client.post(url(board, "practice/assess/data"), {"score": "5"}).status_code == 400
    assert client.post(url(board, "practice/assess/nowhere"), {"score": "2"}).status_code == 400
    assert client.post(url(board, "practice/assess/model"), {"score": "1"}).status_code == 200
    assert client.post(url(board, "practice/assess/model"), {"score": ""}).status_code == 200
    board.refresh_from_db()
    assert board.self_assessment == {"data": 3}


def test_the_report_lists_hints_taken_in_html_and_markdown(practising):
    board, client = practising
    hint = study().hints["serving"][0]
    client.post(url(board, f"practice/reveal/{hint['id']}"))
    before = text_of(client.get(url(board, "report")))
    assert hint["text"] not in before  # the practice section comes with the finish
    client.post(url(board, "practice/finish"))
    client.post(url(board, "practice/assess/serving"), {"score": "2"})
    report = text_of(client.get(url(board, "report")))
    assert hint["text"] in report and 'id="hints-taken">1<' in report
    markdown = client.get(url(board, "report.md")).content.decode()
    assert "## Practice" in markdown and "Hints taken: 1" in markdown
    assert html.unescape(markdown).count(hint["text"]) == 1
    assert "| 6. Serving | 2 | 1 |" in markdown
    assert "; |" not in markdown  # what is missing is a list, with no trailing separator
    assert "Predictor (" in markdown  # a role names the reference's own types


def test_sharing_makes_links_then_and_the_person_becomes_interviewer(practising):
    board, client = practising
    panel = client.get(url(board, "case")).content.decode()
    # The confirmation says what goes: the review and the practice part of the report.
    assert "Your practice review and its place in the report go" in panel
    client.post(url(board, f"practice/reveal/{study().hints['data'][0]['id']}"))
    response = client.post(url(board, "practice/share"))
    assert response.status_code == 302
    board.refresh_from_db()
    assert not board.practice
    assert board.interviewer_token_hash and board.candidate_token_hash and board.viewer_token_hash
    page = client.get(url(board, "")).content.decode()
    assert 'id="my-role">interviewer<' in page and "/join/" in page  # links shown once
    assert client.get(url(board, "interviewer")).status_code == 200
    assert client.post(url(board, "practice/finish")).status_code == 404  # no longer practice


def test_interviewer_material_shows_in_the_interviewer_panel_at_the_board_level(client: Client):
    client.post(f"/cases/{SLUG}/start", {"level": "staff"})
    board = Board.objects.get()
    panel = text_of(client.get(url(board, "interviewer")))
    for kind, items in study().material("staff").items():
        assert items and all(text in panel for text in items), kind
    assert study().material("mid")["must_hit"][0] not in panel


def test_no_interviewer_material_reaches_a_candidate_in_a_shared_session(client: Client):
    client.post(f"/cases/{SLUG}/start", {"level": "senior"})
    board = Board.objects.get()
    for q in study().questions:
        client.post(url(board, f"case/reveal/{q['id']}"))
    services.apply(
        board.public_id, {"op": "add_node", "node": {"id": "n1", "type": "client_app"}}, "t"
    )
    candidate = client_as(board, "candidate")
    pages = [
        text_of(candidate.get(url(board, tail)))
        for tail in ("", "case", "report", "report.md", "findings", "replay", "replay/2")
    ]
    for tail in ("interviewer", "practice/review", "practice/reference.svg", "case/reference.svg"):
        assert candidate.get(url(board, tail)).status_code == 404
    secret = material_texts() + [study().reference.notes["serving"]]
    for page in pages:
        for text in secret:
            assert text not in page
        assert "Must-hit" not in page and "Red flags" not in page


def test_a_board_shared_after_practice_keeps_practice_data_from_its_candidate(practising):
    board, client = practising
    hint = study().hints["data"][0]
    client.post(url(board, f"practice/reveal/{hint['id']}"))
    client.post(url(board, "practice/finish"))
    client.post(url(board, "practice/assess/data"), {"score": "4"})
    client.post(url(board, "practice/share"))
    candidate = client_as(Board.objects.get(), "candidate")
    for tail in ("report", "report.md", "case"):
        page = text_of(candidate.get(url(board, tail)))
        assert "## Practice" not in page and 'id="hints-taken"' not in page
        for text in material_texts():
            assert text not in page


def test_acknowledged_findings_show_to_the_interviewer_and_the_finished_practiser_only(
    client: Client,
):
    street = case_studies.get("street-view-blurring")
    (why,) = [a["why"] for a in street.acknowledged]
    client.post("/cases/street-view-blurring/start", {"level": "staff"})
    board = Board.objects.get()
    assert why in text_of(client.get(url(board, "case")))
    assert why not in text_of(client_as(board, "candidate").get(url(board, "case")))
    practiser = Client()
    practiser.post("/cases/street-view-blurring/practice", {"level": "staff"})
    mine = Board.objects.get(practice=True)
    assert why not in text_of(practiser.get(url(mine, "case")))
    practiser.post(url(mine, "practice/finish"))
    assert why in text_of(practiser.get(url(mine, "practice/review")))


def comparison_line(review: str, step_title: str) -> str:
    """The text of one step's line in the review's comparison list."""
    block = review.split('<ul class="comparison">', 1)[1].split("</ul>", 1)[0]
    (line,) = [li for li in block.split("<li")[1:] if f". {step_title}</strong>" in li]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line.split(">", 1)[1])).strip()


def test_review_says_a_worksheet_step_with_no_components_is_empty_or_written(practising):
    """Requirements and framing have no components: the comparison with the reference
    finds nothing missing there whatever the board holds, so those lines follow the
    worksheet instead (an empty step is "not written yet", never a green "nothing
    missing"); steps with components still compare them."""
    board, client = practising
    services.apply(
        board.public_id,
        {"op": "update_notes", "step": "framing", "text": "Binary classification"},
        "Pat",
    )
    services.apply(
        board.public_id, {"op": "update_notes", "step": "requirements", "text": "  \n"}, "Pat"
    )
    client.post(url(board, "practice/finish"))
    response = client.get(url(board, "practice/review"))
    review = text_of(response)
    requirements = comparison_line(review, "Requirements")
    assert "not written yet" in requirements and "nothing missing" not in requirements
    assert 'id="compare-requirements" data-status="empty"' in review
    framing = comparison_line(review, "Framing")
    assert "written in your worksheet" in framing and "nothing missing" not in framing
    assert 'id="compare-framing" data-status="written"' in review
    assert 'class="ok"' not in review.split('id="compare-data"', 1)[0]  # neither is green
    # An empty board misses the reference's data components: listed as before.
    assert "Missing components:" in comparison_line(review, "Data")


def test_review_loads_the_stylesheet_of_the_score_meanings_and_links_the_reference(practising):
    board, client = practising
    client.post(url(board, "practice/finish"))
    review = text_of(client.get(url(board, "practice/review")))
    assert 'class="score-meanings"' in review
    assert re.search(r'<link rel="stylesheet" href="[^"]*/css/panels(\.\w+)?\.css">', review)
    reference = url(board, "practice/reference.svg")
    link = re.search(
        rf'<a class="btn[^"]*" id="reference-full-size" href="{reference}"[^>]*>', review
    )
    assert link and 'target="_blank"' in link.group(0)


def review_head(review: str) -> str:
    return re.search(r'<header class="report-head">(.*?)</header>', review, re.S).group(1)


def reference_intro(review: str) -> str:
    section = review.split("<h2>Reference design</h2>", 1)[1]
    return re.sub(r"\s+", " ", re.search(r'<p class="muted">(.*?)</p>', section, re.S).group(1))


def test_review_says_the_timer_was_not_used_when_it_never_ran(practising):
    board, client = practising
    client.post(url(board, "practice/finish"))
    head = review_head(text_of(client.get(url(board, "practice/review"))))
    assert "timer not used" in head
    assert "used of a" not in head and "0:00" not in head


def test_review_gives_the_time_used_of_a_timer_that_ran(practising):
    board, client = practising
    client.post(url(board, "practice/timer"), {"action": "start", "minutes": "30"})
    Board.objects.filter(pk=board.pk).update(timer_started_at=None, timer_elapsed=754)
    client.post(url(board, "practice/finish"))
    head = review_head(text_of(client.get(url(board, "practice/review"))))
    assert "12:34 used of a 30-minute timer" in head and "not used" not in head


def test_review_names_the_reference_level_against_the_practice_level(client: Client):
    # The reference design is written (and checked) at staff level: a senior practice is
    # told so, and that it covers more than senior needs; a staff one is not.
    assert study().reference.level == "staff"
    for level in ("mid", "senior"):
        practiser = Client()
        practiser.post(f"/cases/{SLUG}/practice", {"level": level})
        board = Board.objects.get(level=level)
        practiser.post(url(board, "practice/finish"))
        intro = reference_intro(text_of(practiser.get(url(board, "practice/review"))))
        assert "written at staff level" in intro
        assert f"more than a {level} answer needs" in intro
    practiser = Client()
    practiser.post(f"/cases/{SLUG}/practice", {"level": "staff"})
    board = Board.objects.get(level="staff")
    practiser.post(url(board, "practice/finish"))
    intro = reference_intro(text_of(practiser.get(url(board, "practice/review"))))
    assert intro.startswith("One sound answer at staff level,")
    assert "more than" not in intro


def test_reference_level_gap_orders_levels():
    assert practice.reference_level_gap("senior", "staff") == "above"
    assert practice.reference_level_gap("staff", "staff") == "same"
    assert practice.reference_level_gap("staff", "mid") == "below"
