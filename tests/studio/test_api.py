"""The JSON API: GET a board in the board format, POST one to create a board."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from components.document import dump, parse
from studio.models import Board
from tests.conftest import DESIGNS

pytestmark = pytest.mark.django_db

EXAMPLE = (DESIGNS / "video_recommendation.json").read_text()


def test_post_creates_a_board_and_get_returns_it_in_the_board_format(client: Client):
    response = client.post("/api/boards", EXAMPLE, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["url"] == f"http://testserver/b/{body['id']}/"
    assert set(body["links"]) == {"interviewer", "candidate", "viewer"}
    fetched = client.get(f"/api/boards/{body['id']}")
    assert fetched.status_code == 200 and fetched["Content-Type"] == "application/json"
    assert fetched.content.decode() == dump(parse(EXAMPLE))
    assert fetched["X-Board-Revision"] == "1"


def test_post_refuses_a_broken_board_with_the_validators_message(client: Client):
    broken = json.loads(EXAMPLE)
    broken["edges"].append({"id": "e99", "source": "app", "target": "nowhere"})
    response = client.post("/api/boards", json.dumps(broken), content_type="application/json")
    assert response.status_code == 400
    assert 'names missing component "nowhere"' in response.json()["error"]
    assert Board.objects.count() == 0


def test_post_needs_a_json_content_type(client: Client):
    response = client.post("/api/boards", EXAMPLE, content_type="text/plain")
    assert response.status_code == 415 and Board.objects.count() == 0


def test_post_refuses_invalid_json(client: Client):
    response = client.post("/api/boards", "{nope", content_type="application/json")
    assert response.status_code == 400 and "not valid JSON" in response.json()["error"]
