"""Database connections under ASGI: HTTP requests do not leave theirs open."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from channels.testing import HttpCommunicator
from django.db import connection

from studio.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def open_database_files() -> int:
    """File descriptors of this process open on the test database (or its WAL)."""
    name = str(connection.settings_dict["NAME"])
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith(name):
                count += 1
        except OSError:
            pass
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc (Linux)")
async def test_each_request_closes_its_threads_connection():
    """Every ASGI request runs its view on a new thread; with connections kept open for
    good, each would keep an open file until garbage collection (seen: 2,001 after
    1,000 requests with the collector off)."""
    gc.disable()
    try:
        before = open_database_files()
        for _ in range(30):
            request = HttpCommunicator(application, "GET", "/", headers=[(b"host", b"testserver")])
            assert (await request.get_response())["status"] == 200
            await request.wait()  # the handler closes the response after sending it
        assert open_database_files() <= before + 2  # not one more per request
    finally:
        gc.enable()
