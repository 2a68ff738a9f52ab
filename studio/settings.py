"""Settings for MLSD Studio, read from the environment.

Embedded default: SQLite and the in-memory channel layer, one Daphne process.
SQLITE_PATH moves the SQLite file. Scale-out: DATABASE_URL selects PostgreSQL and REDIS_URL
selects channels_redis's pub/sub layer. DEBUG is off unless DJANGO_DEBUG=1 (`make run`
sets it); with DEBUG off, DJANGO_SECRET_KEY is required, at least 32 characters.
Behind an HTTPS proxy: DJANGO_PROXY_SSL_HEADER and DJANGO_HTTPS (HSTS, secure cookies).
docs/deploy.md lists every variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from studio.headers import static_file_headers

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes")


DEBUG = env_bool("DJANGO_DEBUG")
MIN_SECRET_KEY = 32
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"
elif len(SECRET_KEY) < MIN_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY must be at least {MIN_SECRET_KEY} characters when DJANGO_DEBUG "
        "is off (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')."
    )

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# Origins allowed to open a board's WebSocket (scheme://host[:port]); empty: the site's
# own origin only, as the request reached it (studio.live.origins).
ALLOWED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_ALLOWED_ORIGINS", "").split(",") if o.strip()
]

# Behind a proxy that terminates TLS: the header it sets on HTTPS requests, e.g.
# DJANGO_PROXY_SSL_HEADER=X-Forwarded-Proto (only when the proxy always sets or strips
# it: a client could send it too). Requests then count as HTTPS: https:// role links.
_PROXY_HEADER = os.environ.get("DJANGO_PROXY_SSL_HEADER", "").strip()
if _PROXY_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_HEADER.upper().replace("-", "_"), "https")
# DJANGO_HTTPS=1: the site is served over HTTPS only: HSTS, secure cookies, and plain
# HTTP redirected (unless the proxy already does it: DJANGO_SSL_REDIRECT=0).
HTTPS = env_bool("DJANGO_HTTPS")
if HTTPS:
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=True)

INSTALLED_APPS = [
    "daphne",
    "whitenoise.runserver_nostatic",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "studio.storage.StaticFilesConfig",  # django.contrib.staticfiles, minus unused files
    "channels",
    "django_htmx",
    "studio",
]

MIDDLEWARE = [
    # Static files answer first, with the headers studio.middleware.static_file_headers
    # gives them (scripts and stylesheets need no page headers), before sessions are loaded.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Pages compressed (the board page embeds the catalogue: 52 KB -> ~10 KB). Django's
    # GZipMiddleware pads each response at random against BREACH, and CSRF tokens are
    # masked per response. Static files arrive precompressed from WhiteNoise.
    "django.middleware.gzip.GZipMiddleware",
    "studio.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "studio.middleware.FriendlyNotFoundMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "studio.urls"
ASGI_APPLICATION = "studio.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)
    if os.environ.get("DATABASE_URL")
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        # One connection kept open for good on the thread where Channels runs the live
        # board's queries: opening one per operation cost ~0.6 ms. HTTP requests each
        # run on a thread of their own, whose connection closes with the request
        # (studio.apps.close_request_connections). WAL with synchronous=FULL still
        # syncs the log before each commit returns, so an acknowledged edit survives a
        # crash or power loss, and commits ~0.7 ms sooner than the rollback journal.
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
        },
    },
}

REDIS_URL = os.environ.get("REDIS_URL", "")
# Who orders a board's edits: "memory" (this process, the only one writing its database:
# broadcast at once, acknowledged after a group commit) or "database" (the board's row
# lock, for several processes). studio/live/engine.py explains both.
LIVE_ORDERING = os.environ.get("LIVE_ORDERING") or ("database" if REDIS_URL else "memory")
if LIVE_ORDERING not in ("memory", "database"):
    raise ImproperlyConfigured('LIVE_ORDERING must be "memory" or "database"')
REDIS_POOL_SIZE = int(os.environ.get("REDIS_POOL_SIZE", "20"))
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [{"address": REDIS_URL, "max_connections": REDIS_POOL_SIZE}]},
    }
    if REDIS_URL
    else {"BACKEND": "studio.live.layers.SweepingInMemoryChannelLayer"},
}

# Every WebSocket connect reads its session. With one process (LIVE_ORDERING "memory") a
# session is kept in this process's memory as well as in the database (cached_db), so a
# connect storm does not queue a database read per connection on Channels' single database
# thread: 200 simultaneous connects 0.43 -> 0.28 s, CPU -44 % (docs/benchmarks.md). With
# several processes each would keep a copy of its own and could miss another's change (a
# role granted through one, a connect served by the other), so sessions stay in the
# database alone.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "sessions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "sessions",
        "OPTIONS": {"MAX_ENTRIES": 20_000},  # ~200 bytes each; the rest are read from the DB
    },
}
if LIVE_ORDERING == "memory":
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# `manage.py collectstatic` writes hashed, compressed copies (studio.storage); WhiteNoise
# serves them with a year's cache. With DEBUG on, files are served from the sources.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "studio.storage.StaticStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_ADD_HEADERS_FUNCTION = static_file_headers
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/joint", BASE_DIR / "node_modules" / "@joint" / "core" / "dist"),
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
