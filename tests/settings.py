"""Test settings: the embedded default (SQLite, in-memory channel layer) with DEBUG off.

DATABASE_URL and REDIS_URL are deliberately ignored here: the tests that exercise
PostgreSQL and Redis read them and start their own server processes with them.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production")
_saved = {name: os.environ.pop(name, None) for name in ("DATABASE_URL", "REDIS_URL")}
try:
    from studio.settings import *  # noqa: F403
    from studio.settings import BASE_DIR
finally:
    for _name, _value in _saved.items():
        if _value is not None:
            os.environ[_name] = _value

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# As in production (studio/settings.py): connections kept open, in WAL mode.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(BASE_DIR / "test.sqlite3"),
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
        },
        # TEST_DB_NAME lets two test runs share a checkout (each its own database file).
        "TEST": {"NAME": BASE_DIR / os.environ.get("TEST_DB_NAME", "test-run.sqlite3")},
    }
}
CHANNEL_LAYERS = {"default": {"BACKEND": "studio.live.layers.SweepingInMemoryChannelLayer"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Pages rendered by the test client link static files by their plain names (no manifest
# to build); the served, hashed files are tested against real servers (tests/servers.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # type: ignore[assignment]  # nothing collected: WhiteNoise serves the sources through the finders
WHITENOISE_USE_FINDERS = True
