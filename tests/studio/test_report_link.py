"""The report link: the interviewer's report for a hiring team, and nothing else.

A report link (`/report/<board>/<token>/`) carries its token on every request and grants
no role (studio/report_link_views.py). These tests open it, then try everything a board
session could open with the same browser, rotate it, and check that only the interviewer
ever gets it.
"""

from __future__ import annotations

import re

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from components.steps import STEPS
from studio import services
from studio.logredact import redact
from studio.models import Board
from tests.studio.conftest import client_as, make_board, refused_with, ws_cookie

pytestmark = pytest.mark.django_db

SLUG = "video-recommendation"  # a case study, so that the case panel has something to open


def report_path(board: Board, token: str | None = None) -> str:
    token = token or services.current_report_token(board)
    assert token, "the board has a report link"
    return f"/report/{board.public_id}/{token}/"


@pytest.fixture
def board() -> Board:
    """A case board whose interviewer hid the findings from the others and wrote a rubric
    and private notes: the report link must show all three as the interviewer sees them."""
    board, _ = make_board()
    board.case_study = SLUG
    board.findings_hidden = True
    board.private_notes = "Strong on data; weak on monitoring."
    board.rubric = {STEPS[0].key: {"score": 3, "comment": "Asked about latency first."}}
    board.save()
    return board


def _main(html: str) -> str:
    """The report's <main>, with what legitimately differs between the two ways in (where
    the diagram is served from, and the minute the report was generated) taken out."""
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r'(src|href)="[^"]*"', r'\1=""', main)
    return re.sub(r"<time[^>]*>[^<]*</time>", "<time/>", main)


def test_the_report_link_shows_the_interviewers_report_exactly(board: Board):
    page = Client().get(report_path(board))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Strong on data; weak on monitoring." in html  # private notes
    assert "Asked about latency first." in html  # the rubric
    assert "hidden by the interviewer" not in html  # hidden from the others, not from her
    own = client_as(board, "interviewer").get(f"/b/{board.public_id}/report").content.decode()
    assert _main(html) == _main(own)
    # A candidate's report is not what the link gives (the fixture makes them differ).
    theirs = client_as(board, "candidate").get(f"/b/{board.public_id}/report").content.decode()
    assert _main(html) != _main(theirs)
    assert page.headers["Cache-Control"].count("no-store") == 1
    # Kept out of search engines; a HEAD (link checkers, chat previews) is answered.
    assert '<meta name="robots" content="noindex">' in html
    head = Client().head(report_path(board))
    assert head.status_code == 200 and head.content == b""
    assert Client().post(report_path(board)).status_code == 405


def test_the_report_link_downloads_the_interviewers_markdown(board: Board):
    response = Client().get(report_path(board) + "report.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode()
    own = client_as(board, "interviewer").get(f"/b/{board.public_id}/report.md").content.decode()
    generated = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")  # the minute it was made
    assert generated.sub("", text, count=1) == generated.sub("", own, count=1)
    assert "## Interviewer only" in text and "Strong on data" in text


def test_the_report_page_leads_nowhere_but_its_own_files(board: Board):
    html = Client().get(report_path(board)).content.decode()
    assert "Back to the board" not in html
    assert f"/b/{board.public_id}/" not in html  # no board URL at all, not even the diagram's
    urls = set(re.findall(r'(?:src|href)="(/report/[^"]+)"', html))
    base = report_path(board)
    assert urls == {base + "report.md", base + "diagram.svg", base + "diagram.svg?fit=1"}
    diagram = Client().get(base + "diagram.svg?fit=1")
    assert diagram.status_code == 200 and diagram["Content-Type"] == "image/svg+xml"
    assert b"<svg" in diagram.content


def test_the_report_link_opens_nothing_a_board_link_opens(board: Board):
    visitor = Client()
    assert visitor.get(report_path(board)).status_code == 200
    token = services.current_report_token(board)
    assert token is not None
    pid = board.public_id
    gets = [
        f"/b/{pid}/",
        f"/b/{pid}/findings",
        f"/b/{pid}/interviewer",
        f"/b/{pid}/export.svg",
        f"/b/{pid}/export.json",
        f"/b/{pid}/layout",
        f"/b/{pid}/report",
        f"/b/{pid}/report.md",
        f"/b/{pid}/replay",
        f"/b/{pid}/replay/1",
        f"/b/{pid}/case",
        f"/b/{pid}/case/reference.svg",
        f"/api/boards/{pid}",
        # The token where a role link's goes, and beside the report's own files.
        f"/join/{pid}/{token}/",
        f"/report/{pid}/{token}/export.json",
        f"/report/{pid}/{token}/replay",
    ]
    posts = [
        f"/b/{pid}/links/viewer",
        f"/b/{pid}/links/report",
        f"/b/{pid}/interviewer/notes",
        f"/b/{pid}/interviewer/end",
        f"/b/{pid}/interviewer/findings",
        f"/b/{pid}/interviewer/timer",
        f"/b/{pid}/interviewer/score/{STEPS[0].key}",
        f"/b/{pid}/case/reveal/anything",
    ]
    answers = {url: visitor.get(url).status_code for url in gets}
    answers |= {url: visitor.post(url, {"notes": "x", "score": "1"}).status_code for url in posts}
    assert {url: code for url, code in answers.items() if code != 404} == {}
    # The link's browser holds no role, and nothing changed on the board.
    assert "boards" not in visitor.session or visitor.session["boards"] == {}
    board.refresh_from_db()
    assert board.private_notes == "Strong on data; weak on monitoring." and not board.ended_at
    assert services.current_report_token(board) == token  # not rotated by the POST above


@pytest.mark.django_db(transaction=True)
async def test_the_report_links_browser_gets_no_websocket():
    board, _ = await database_sync_to_async(make_board)()
    path = await database_sync_to_async(report_path)(board)
    visitor = Client()
    assert (await database_sync_to_async(visitor.get)(path)).status_code == 200
    cookie = visitor.cookies.get("sessionid")
    header = f"sessionid={cookie.value}" if cookie else ""
    async with ws_cookie(board.public_id, header) as socket:
        assert await refused_with(socket) == 4403


def test_a_wrong_or_rotated_token_gets_the_dead_link_page(board: Board):
    old = services.current_report_token(board)
    assert old is not None
    tokens = services.current_tokens(board)
    dead = [
        f"/report/{board.public_id}/not-the-token/",
        f"/report/{board.public_id}/{tokens['interviewer']}/",  # a role's token is not it
        f"/report/nosuchboard/{old}/",
    ]
    # Rotating it, as the interviewer does from the Share dialog:
    interviewer = client_as(board, "interviewer")
    fresh = interviewer.post(f"/b/{board.public_id}/links/report")
    assert fresh.status_code == 200
    board.refresh_from_db()
    new = services.current_report_token(board)
    assert new is not None and new != old
    assert f'value="http://testserver/report/{board.public_id}/{new}/"' in fresh.content.decode()
    dead += [report_path(board, old), report_path(board, old) + "report.md"]
    dead.append(report_path(board, old) + "diagram.svg")
    for url in dead:
        response = Client().get(url)
        html = response.content.decode()
        assert response.status_code == 404, url
        assert "This link does not open a report." in html, url
        assert "Traceback" not in html and old not in html.replace(url, ""), url
    assert Client().get(report_path(board, new)).status_code == 200
    # The role links were left alone.
    assert services.current_tokens(board) == tokens
    assert Client().get(f"/join/{board.public_id}/{tokens['viewer']}/").status_code == 302


def test_only_the_interviewer_can_rotate_the_report_link(board: Board):
    token = services.current_report_token(board)
    for role in ("candidate", "viewer"):
        assert client_as(board, role).post(f"/b/{board.public_id}/links/report").status_code == 404
    board.refresh_from_db()
    assert services.current_report_token(board) == token


def test_only_the_interviewer_is_shown_the_report_link(board: Board):
    token = services.current_report_token(board)
    assert token is not None
    pid = board.public_id
    page = client_as(board, "interviewer").get(f"/b/{pid}/").content.decode()
    assert f'value="http://testserver/report/{pid}/{token}/"' in page
    assert "Read-only report for the hiring team" in page
    assert f'data-copy="http://testserver/report/{pid}/{token}/"' in page  # the Copy button
    urls = [
        f"/b/{pid}/",
        f"/b/{pid}/findings",
        f"/b/{pid}/report",
        f"/b/{pid}/report.md",
        f"/b/{pid}/replay",
        f"/b/{pid}/replay/{board.revision}",
        f"/b/{pid}/case",
        f"/b/{pid}/export.json",
        f"/api/boards/{pid}",
    ]
    for role in ("candidate", "viewer"):
        client = client_as(board, role)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            body = response.content.decode()
            assert token not in body, (role, url)
            assert f"/report/{pid}/" not in body, (role, url)
            assert "hiring team" not in body, (role, url)


def test_a_board_without_a_report_link_offers_to_make_one(board: Board):
    # A board made before report links: no hash, no seed.
    board.report_token_hash = ""
    board.link_seeds = {k: v for k, v in board.link_seeds.items() if k != "report"}
    board.save()
    interviewer = client_as(board, "interviewer")
    page = interviewer.get(f"/b/{board.public_id}/").content.decode()
    assert f'hx-post="/b/{board.public_id}/links/report"' in page
    assert "New report link" in page
    assert Client().get(f"/report/{board.public_id}/x/").status_code == 404
    made = interviewer.post(f"/b/{board.public_id}/links/report").content.decode()
    board.refresh_from_db()
    assert report_path(board) in made


def test_the_report_link_page_escapes_what_people_wrote(board: Board):
    board.title = "<script>alert('title')</script>"
    board.private_notes = "<img src=x onerror=alert(1)>"
    board.rubric = {STEPS[0].key: {"score": 2, "comment": "<b>bold</b>"}}
    board.save()
    html = Client().get(report_path(board)).content.decode()
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold" not in html


def test_times_read_locally_on_pages_and_say_utc_in_markdown(board: Board):
    board.ended_at = board.created_at
    board.ended_revision = board.revision
    board.save()
    html = Client().get(report_path(board)).content.decode()
    stamps = re.findall(
        r'<time datetime="([^"]+)" data-local-time(?:="(\w+)")?>([^<]+)</time>', html
    )
    # Generated, the edits' start and end, the end of the interview: each with its UTC text.
    assert len(stamps) == 4
    assert all(text.endswith(" UTC") and "+00:00" in when for when, _, text in stamps)
    assert [form for _, form, _ in stamps] == ["date", "date", "", "date"]
    assert 'src="/static/js/report.js"' in html or "js/report." in html
    text = Client().get(report_path(board) + "report.md").content.decode()
    assert re.search(r"revision \d+ · \d{4}-\d\d-\d\d \d\d:\d\d UTC ·", text)
    assert re.search(r"- Edits: \S+ \S+ to \d\d:\d\d UTC \(", text)
    assert re.search(r"- Ended: by the interviewer, \S+ \S+ UTC,", text)
    assert "<time" not in text
    frame = client_as(board, "interviewer").get(f"/b/{board.public_id}/replay/1").content
    assert re.search(
        rb'<time datetime="[^"]+" data-local-time="seconds">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC',
        frame,
    )


def test_report_link_tokens_never_reach_a_log():
    line = '"GET /report/AbC123/s3cr3t-Token_x/report.md HTTP/1.1" 200'
    assert redact(line) == '"GET /report/AbC123/[token]/report.md HTTP/1.1" 200'
    assert redact("Not Found: /report/AbC123/s3cr3t/") == "Not Found: /report/AbC123/[token]/"
    # The interviewer's own report is not a report link: nothing to redact.
    assert redact("/b/AbC123/report.md") == "/b/AbC123/report.md"
