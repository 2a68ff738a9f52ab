"""Browser test fixtures: a real Daphne server on SQLite and Debian's Chromium via Playwright.

The server runs with production-like settings (DEBUG off) on a throwaway SQLite file,
migrated first; DATABASE_URL and REDIS_URL are not passed on. Chromium is the system one
(/usr/bin/chromium): Playwright never downloads a browser here.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import servers
from tests.browser.helpers import ARTIFACTS

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}


# Package scope: the server and Playwright stop when the browser tests end. Playwright's
# sync API keeps an event loop running in the main thread while it is open, which would
# break every asyncio test that runs after these.
@pytest.fixture(scope="package")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a Daphne process serving studio.asgi on a fresh SQLite file."""
    workdir = tmp_path_factory.mktemp("server")
    env = servers.server_env(sqlite_path=workdir / "studio.sqlite3")
    servers.migrate(env)
    port = servers.free_port()
    log = workdir / "daphne.log"
    proc = servers.start_daphne(port, env, log_path=log)
    try:
        servers.wait_for_port(port, proc=proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        servers.stop(proc)
        ARTIFACTS.mkdir(exist_ok=True)
        if log.exists():
            (ARTIFACTS / "daphne.log").write_bytes(log.read_bytes())


@pytest.fixture(scope="package")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        yield ctx
    finally:
        ctx.close()


# What Playwright's own WebSocket routing (page.route_web_socket) logs when the server
# closes a routed socket while the page writes to it: the routing's script (no URL), not
# the page's. Seen when a server accepts a socket only to close it (a refused reconnect).
_ROUTING_NOISE = "WebSocket is already in CLOSING or CLOSED state."


def _page_error(msg) -> bool:
    """Whether a console message is an error of the page's own (routing noise is not)."""
    if msg.type != "error":
        return False
    return not (msg.text == _ROUTING_NOISE and not (msg.location or {}).get("url"))


@pytest.fixture
def page(context, request: pytest.FixtureRequest):
    """A page that records uncaught script errors and CSP violations; a test fails if any
    happened (they are listed), and a screenshot of the last state is kept on failure."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))

    def on_console(msg) -> None:
        if _page_error(msg):
            url = (msg.location or {}).get("url", "")
            problems.append(f"console error: {msg.text} ({url})")

    page.on("console", on_console)
    page.problems = problems
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS / f"failed-{name}.png"))
        except Exception:  # noqa: BLE001 - best effort
            pass
    assert not problems, "the page reported errors:\n" + "\n".join(problems)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def person(browser) -> Iterator[Callable[..., object]]:
    """Another person on demand: `person()` or `person({"width": 1024, "height": 700})` is
    a page in a browser context of their own (their own session cookie). A test fails if
    any of their pages raised a script error or logged a console error."""
    contexts = []
    problems: list[str] = []

    def make(viewport: dict | None = None):
        ctx = browser.new_context(viewport=viewport or VIEWPORT)
        contexts.append(ctx)
        other = ctx.new_page()
        other.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        other.on(
            "console",
            lambda msg: problems.append(f"console error: {msg.text}") if _page_error(msg) else None,
        )
        return other

    yield make
    for ctx in contexts:
        with contextlib.suppress(Exception):  # some are closed by the test already
            ctx.close()
    assert not problems, "\n".join(problems)
