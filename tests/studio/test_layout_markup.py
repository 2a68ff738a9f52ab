"""Markup behind the layout fixes: plain lists where nothing is interactive, the board's
palette still interactive, and share links that say what they grant."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from components.catalogue import COMPONENT_TYPES
from tests.studio.conftest import client_as, make_board

pytestmark = pytest.mark.django_db


def _items(page: str) -> list[str]:
    return re.findall(r'<li class="palette-item[^"]*"[^>]*>', page)


def test_home_catalogue_is_a_plain_list(client: Client):
    page = client.get("/").content.decode()
    catalogue = page[page.index('class="catalogue"') :]
    items = _items(catalogue)
    assert len(items) == len(COMPONENT_TYPES)
    for item in items:
        assert "tabindex" not in item and 'role="button"' not in item and "draggable" not in item
        assert "palette-item-static" in item


def test_the_board_palette_stays_interactive():
    """Real buttons, draggable, one Tab stop for the whole palette (a roving tabindex set
    by static/js/palette.js: every button starts at -1 and the script lifts one)."""
    board, _ = make_board()
    page = client_as(board, "candidate").get(f"/b/{board.public_id}/").content.decode()
    items = re.findall(r'<button class="palette-item"[^>]*>', page)
    assert len(items) == len(COMPONENT_TYPES)
    for item in items:
        assert 'type="button"' in item and 'draggable="true"' in item
        assert 'tabindex="-1"' in item and 'role="button"' not in item
    assert 'class="board-page role-candidate"' in page  # the hook the layout uses per role


def test_share_links_say_what_they_grant(client: Client):
    page = client.get(client.post("/boards/new", {"title": "T"}).url).content.decode()
    for role in ("interviewer", "candidate", "viewer"):
        row = re.search(
            rf'<div class="share-link share-link-{role}" id="link-{role}">(.*?)</div>', page, re.S
        )
        assert row, role
        assert 'class="share-url" readonly value="http://testserver/join/' in row.group(1)
        assert f'aria-describedby="link-{role}-note"' in row.group(1)
        assert f'id="link-{role}-note"' in row.group(1)
    interviewer = re.search(r'id="link-interviewer">(.*?)</div>', page, re.S).group(1)
    assert "keep it private" in interviewer
    candidate = re.search(r'id="link-candidate">(.*?)</div>', page, re.S).group(1)
    assert "autofocus" in candidate


def test_replay_frame_findings_are_not_buttons():
    board, _ = make_board()
    page = client_as(board, "viewer").get(f"/b/{board.public_id}/replay/1").content.decode()
    assert 'class="replay-stage"' in page and 'class="replay-diagram"' in page
    assert "tabindex" not in page and 'role="button"' not in page and "<button" not in page
    assert 'class="replay-finding replay-finding-' in page or "No findings" in page
