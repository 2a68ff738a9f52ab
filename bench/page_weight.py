"""Bytes transferred for the board page: first view (empty cache) and repeat view.

Starts a production-like Daphne (DEBUG off, static files collected and served by
WhiteNoise), creates a board from the example design and opens it in Chromium twice in
the same browser context, summing each response's transfer size (headers and body as
sent, compressed) from the Chrome DevTools protocol.

    .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright

from tests.conftest import DESIGNS
from tests.live.client import Browser
from tests.servers import free_port, migrate, server_env, start_daphne, stop, wait_for_port

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def view(page, cdp, url: str) -> tuple[int, int]:
    """(bytes transferred, requests that went to the network) for one load of `url`."""
    sizes: dict[str, int] = {}
    cached: set[str] = set()

    def received(event: dict) -> None:
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromMemoryCache"):
            cached.add(event["requestId"])

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(1000)
    fetched = {k: v for k, v in sizes.items() if k not in cached}
    return sum(fetched.values()), len(fetched)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = server_env(sqlite_path=Path(tmp) / "db.sqlite3")
        migrate(env)
        port = free_port()
        proc = start_daphne(port, env)
        try:
            wait_for_port(port, proc=proc)
            base = f"http://127.0.0.1:{port}"
            created = Browser(base).create_board(
                json.loads((DESIGNS / "video_recommendation.json").read_text())
            )
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                context = browser.new_context()
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                page.goto(created["links"]["candidate"], wait_until="networkidle")
                # The join redirected to the board: that was the first view. Measure anew
                # in a fresh context for the first view, then the repeat view.
                context.close()
                context = browser.new_context()
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                join = created["links"]["viewer"]
                first, first_requests = view(page, cdp, join)
                page2 = context.new_page()
                cdp2 = context.new_cdp_session(page2)
                cdp2.send("Network.enable")
                repeat, repeat_requests = view(page2, cdp2, f"{base}/b/{created['id']}/")
                browser.close()
        finally:
            stop(proc)
    print("| view | bytes transferred | network requests |")
    print("|---|---|---|")
    print(f"| first (empty cache, via the role link) | {first:,} | {first_requests} |")
    print(f"| repeat (same browser) | {repeat:,} | {repeat_requests} |")


if __name__ == "__main__":
    main()
