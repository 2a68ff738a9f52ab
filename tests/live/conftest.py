"""Services for the multi-process tests: a fresh PostgreSQL database, Redis, Daphne.

They read DATABASE_URL and REDIS_URL (set by .ci/run) and are skipped without them.
"""

from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.servers import free_port, migrate, server_env, start_daphne, stop, wait_for_port

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

needs_services = pytest.mark.skipif(
    not (DATABASE_URL and REDIS_URL),
    reason="set DATABASE_URL (PostgreSQL) and REDIS_URL to run the multi-process tests "
    "(.ci/run sets both)",
)


@pytest.fixture
def postgres_url():
    """A new, empty, migrated database on the DATABASE_URL server; dropped afterwards."""
    import psycopg

    name = f"mlsd_test_{secrets.token_hex(4)}"
    with psycopg.connect(DATABASE_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(DATABASE_URL)
    url = urlunsplit(parts._replace(path=f"/{name}"))
    migrate(server_env(extra={"DATABASE_URL": url}))
    yield url
    with psycopg.connect(DATABASE_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def daphne_pair(postgres_url, tmp_path):
    """Two Daphne processes sharing one PostgreSQL database and one Redis."""
    env = server_env(
        extra={
            "DATABASE_URL": postgres_url,
            "REDIS_URL": REDIS_URL,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
    )
    ports = [free_port(), free_port()]
    procs = [start_daphne(p, env, log_path=tmp_path / f"daphne-{p}.log") for p in ports]
    try:
        for port, proc in zip(ports, procs, strict=True):
            wait_for_port(port, proc=proc)
        yield [f"http://127.0.0.1:{p}" for p in ports], procs, env
    finally:
        for proc in procs:
            stop(proc)
