"""The report link in a real browser: the interviewer finds it under Share links and copies
it; someone else, in another time zone and with no other link, opens the report with it
(its times in their own clock) and cannot reach the board. Screenshots of both pages at
1440x900 and 1280x800 go to test-artifacts/ (report-link-*.png)."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_no_violations
from tests.browser.helpers import open_board, screenshot
from tests.conftest import DESIGNS

pytestmark = pytest.mark.browser

SIZES = ((1440, 900), (1280, 800))


def test_the_interviewer_copies_the_report_link_and_the_hiring_team_reads_it(
    page: Page, browser: Browser, server_url: str
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    design = json.loads((DESIGNS / "video_recommendation.json").read_text())
    public_id, _ = open_board(page, server_url, design)
    page.locator("#share-button").click()
    dialog = page.locator("#share-dialog")
    expect(dialog).to_be_visible()
    row = dialog.locator("#link-report")
    expect(row).to_contain_text("Read-only report for the hiring team")
    assert_no_violations(page, "share dialog with the report link")
    url = row.locator(".share-url").input_value()
    assert re.fullmatch(rf"{re.escape(server_url)}/report/{public_id}/[\w-]{{32}}/", url), url
    row.get_by_role("button", name="Copy").click()
    expect(row.locator(".copy-link")).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        expect(row).to_be_in_viewport()
        screenshot(page, f"report-link-share-{width}x{height}")

    team = browser.new_context(
        viewport={"width": 1440, "height": 900}, timezone_id="Asia/Kolkata", locale="en-GB"
    )
    try:
        reader = team.new_page()
        problems: list[str] = []
        reader.on("pageerror", lambda exc: problems.append(str(exc)))
        reader.goto(url)
        expect(reader.get_by_role("heading", level=1)).to_have_text(design["title"])
        expect(reader.get_by_role("link", name="Back to the board")).to_have_count(0)
        expect(reader.get_by_role("link", name="Download Markdown")).to_be_visible()
        # The diagram comes through the link too (a broken <img> has no natural width).
        diagram = reader.locator("img.diagram")
        expect(diagram).to_be_visible()
        reader.wait_for_function("() => document.querySelector('img.diagram').naturalWidth > 0")
        # Every time in the reader's zone (UTC+5:30: minutes that UTC never shows here).
        times = reader.locator("time[data-local-time]")
        expect(times.first).not_to_have_text(re.compile("UTC$"))
        for text in times.all_inner_texts():
            assert not text.endswith("UTC") and re.search(r"\d:\d\d", text), text
        assert re.search(r"GMT\+5:30|IST", times.first.get_attribute("title") or "")
        assert_no_violations(reader, "the report through its link")
        for width, height in SIZES:
            reader.set_viewport_size({"width": width, "height": height})
            screenshot(reader, f"report-link-page-{width}x{height}")
        with reader.expect_download() as download:
            reader.get_by_role("link", name="Download Markdown").click()
        assert download.value.suggested_filename.endswith("-report.md")
        assert not problems, problems
        # The same browser still has no way into the board.
        reader.goto(f"{server_url}/b/{public_id}/")
        expect(reader.get_by_role("heading", level=1)).to_have_text("Nothing here.")
    finally:
        team.close()
