"""Security settings and boundaries seen from outside: settings, cookies, CSP, escaping."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from components.document import parse
from studio import services
from studio.headers import POLICY
from tests.conftest import DESIGNS
from tests.studio.conftest import session_cookie

ROOT = Path(__file__).resolve().parents[2]


def settings_value(expression: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="studio.settings")
    code = f"from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_is_off_by_default_and_a_secret_key_is_then_required():
    refused = settings_value("settings.DEBUG")
    assert refused.returncode != 0 and "DJANGO_SECRET_KEY must be set" in refused.stderr
    production = settings_value(
        "settings.DEBUG, settings.ALLOWED_HOSTS",
        DJANGO_SECRET_KEY="s3cret-" + "k" * 32,
        DJANGO_ALLOWED_HOSTS="studio.example",
    )
    assert production.stdout.strip() == "False ['studio.example']"


@pytest.mark.parametrize("key", ["x", " " * 40, "short-key-of-31-characters-abcd"])
def test_a_short_or_blank_secret_key_is_refused_with_debug_off(key):
    refused = settings_value("settings.DEBUG", DJANGO_SECRET_KEY=key)
    assert refused.returncode != 0
    assert "DJANGO_SECRET_KEY must be" in refused.stderr
    accepted = settings_value("settings.DEBUG", DJANGO_SECRET_KEY=key, DJANGO_DEBUG="1")
    assert accepted.stdout.strip() == "True"


def test_services_are_selected_by_the_environment():
    chosen = settings_value(
        "settings.DATABASES['default']['ENGINE'], settings.CHANNEL_LAYERS['default']['BACKEND']",
        DJANGO_SECRET_KEY="x" * 40,
        DATABASE_URL="postgres://u@db:5432/mlsd",
        REDIS_URL="redis://cache:6379/0",
    )
    assert "postgresql" in chosen.stdout and "RedisPubSubChannelLayer" in chosen.stdout
    default = settings_value(
        "settings.DATABASES['default']['ENGINE'], settings.CHANNEL_LAYERS['default']['BACKEND']",
        DJANGO_SECRET_KEY="x" * 40,
    )
    assert "sqlite3" in default.stdout and "SweepingInMemoryChannelLayer" in default.stdout


@pytest.mark.django_db
def test_session_cookies_are_httponly_and_samesite(client: Client):
    response = client.post("/boards/new", {"title": "T"})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_every_page_sends_a_csp_that_allows_only_our_scripts(client: Client):
    url = client.post("/boards/new", {"title": "T"}).url
    for path in ("/", url):
        response = client.get(path)
        assert response["Content-Security-Policy"] == POLICY
        assert "script-src 'self';" in POLICY and "unsafe-eval" not in POLICY
        html = response.content.decode()
        assert "<script>" not in html  # no inline scripts: every script has a src
        assert " onclick=" not in html and " onload=" not in html


@pytest.mark.django_db
def test_labels_and_notes_are_escaped_on_every_page():
    nasty = "<img src=x onerror=alert(1)>\"'&"
    document = parse((DESIGNS / "video_recommendation.json").read_text())
    document.title = nasty
    document.notes["requirements"] = nasty
    document.nodes[0].label = nasty
    board, _ = services.create_board(document)
    client = Client()
    client.cookies["sessionid"] = session_cookie(board.public_id, "interviewer").split("=", 1)[1]
    for path in (
        f"/b/{board.public_id}/",
        f"/b/{board.public_id}/report",
        f"/b/{board.public_id}/findings",
        f"/b/{board.public_id}/replay/1",
    ):
        html = client.get(path).content.decode()
        assert "<img src=x onerror" not in html, path
    dot = client.get(f"/b/{board.public_id}/export.dot").content.decode()
    assert "<img src=x" not in dot and "&lt;img src=x onerror=alert(1)&gt;" in dot
    svg = client.get(f"/b/{board.public_id}/export.svg").content.decode()
    assert "<img" not in svg and "&lt;img src=x onerror=alert(1)&gt;" in svg


@pytest.mark.django_db
def test_clickjacking_and_sniffing_are_prevented(client: Client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
