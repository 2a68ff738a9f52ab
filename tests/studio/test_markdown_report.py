"""The Markdown session report is plain Markdown: no HTML entities anywhere (it is pasted
into notes and trackers), with the user's text kept from making Markdown structure; the
HTML report still escapes for HTML."""

from __future__ import annotations

import re

import pytest

from studio import interview, services
from studio.templatetags.markdown_text import md_block, md_inline
from tests.studio.conftest import client_as, make_board

pytestmark = pytest.mark.django_db
ENTITY = re.compile(r"(?<!\\)&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
LABEL = '<img src=x onerror=alert(1)> | #1 `ranker` it\'s "quoted" & more -> next'


def report_md(board, role: str = "candidate") -> str:
    response = client_as(board, role).get(f"/b/{board.public_id}/report.md")
    assert response.status_code == 200
    return response.content.decode()


def test_the_apps_own_finding_text_has_no_html_entities():
    board, _ = make_board("video_recommendation_skew")
    markdown = report_md(board)
    assert ENTITY.findall(markdown) == []
    # A finding message, as the validator wrote it (quotes and all).
    assert 'training "Ranker training" reads "Training-only features"' in markdown


def test_user_text_is_plain_markdown_with_its_special_characters_escaped():
    board, _ = make_board()
    ops = [
        {"op": "update_node", "id": "rank", "changes": {"label": LABEL}},
        {"op": "update_board", "changes": {"title": "# Q3 <b>loop</b> & 'co'"}},
        {
            "op": "update_notes",
            "step": "serving",
            "text": "> not a quote\n<div>raw</div>\n# not a heading\n| a | b |\n2) two\n"
            "p99 < 200 ms, feature_store -> cache &amp; more",
        },
    ]
    for op in ops:
        services.apply(board.public_id, op, "Ada")
    board.refresh_from_db()
    interview.save_private_notes(board, "<b>hire</b> & don't\n> strong")
    interview.save_score(board, "serving", "4", "cache | <i>good</i>")
    markdown = report_md(board, "interviewer")
    assert ENTITY.findall(markdown) == []
    lines = markdown.splitlines()
    assert lines[0] == "# \\# Q3 \\<b>loop\\</b> & 'co'"
    row = next(line for line in lines if line.startswith("| rank |"))
    assert row == (
        "| rank | ranking_service | \\<img src=x onerror=alert(1)> \\| \\#1 \\`ranker\\` "
        'it\'s "quoted" & more -> next |'
    )
    assert row.count("|") - row.count("\\|") == 4  # still four cells' borders
    for line in (
        "\\> not a quote",
        "\\<div>raw\\</div>",
        "\\# not a heading",
        "\\| a \\| b \\|",
        "2\\) two",
        "p99 \\< 200 ms, feature_store -> cache \\&amp; more",
        "\\<b>hire\\</b> & don't",
        "\\> strong",
        "| 6. Serving | 4 | cache \\| \\<i>good\\</i> |",
    ):
        assert line in lines, line
    # Nothing the user wrote opens a block or raw HTML.
    assert not [line for line in lines if line.startswith(("<", ">"))]


def test_the_html_report_still_escapes_the_same_text():
    board, _ = make_board()
    for op in (
        {"op": "update_board", "changes": {"title": LABEL}},
        {"op": "update_notes", "step": "data", "text": "<b>bold</b> & 'co'"},
    ):
        services.apply(board.public_id, op, "Ada")
    html = client_as(board, "viewer").get(f"/b/{board.public_id}/report").content.decode()
    assert "<img src=x" not in html and "<b>bold" not in html
    assert (
        "<h1>&lt;img src=x onerror=alert(1)&gt; | #1 `ranker` it&#x27;s &quot;quoted&quot; " in html
    )
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &#x27;co&#x27;" in html


@pytest.mark.parametrize(
    ("text", "inline"),
    [
        ("training pipeline -> offline evaluation", "training pipeline -> offline evaluation"),
        ("\"quoted\" and 'single'", "\"quoted\" and 'single'"),
        ("a < b > c", "a \\< b > c"),
        ("<https://example.com>", "\\<https://example.com>"),
        ("R&D, &amp; and &#60;", "R&D, \\&amp; and \\&#60;"),
        ("feature_store and snake_case_id", "feature_store and snake_case_id"),
        ("_emphasis_ __init__ x_", "\\_emphasis\\_ \\_\\_init\\_\\_ x\\_"),
        (
            "*bold* [link](x) ![img](y) `code` ~~s~~",
            ("\\*bold\\* \\[link\\](x) !\\[img\\](y) \\`code\\` \\~\\~s\\~\\~"),
        ),
        ("back\\slash | pipe", "back\\\\slash \\| pipe"),
        ("two\nlines", "two lines"),
    ],
)
def test_md_inline_escapes_markdown_never_html(text: str, inline: str):
    assert md_inline(text) == inline
    assert type(md_inline(text)) is str  # not marked safe: an HTML template escapes it


def test_md_block_escapes_each_line_start():
    text = "> q\n- item\n+ item\n* item\n1. one\n---\n===\n```\n    code\n#tag\nplain"
    assert md_block(text).splitlines() == [
        "\\> q",
        "\\- item",
        "\\+ item",
        "\\* item",
        "1\\. one",
        "\\---",
        "\\===",
        "\\`\\`\\`",
        "code",
        "\\#tag",
        "plain",
    ]


def test_the_markdown_report_lists_how_the_design_is_wired():
    board, _ = make_board("video_recommendation")
    markdown = report_md(board)
    wiring = markdown.split("## Connections", 1)[1].split("## Findings", 1)[0]
    document = board.to_document()
    assert wiring.count("\n| ") == len(document.edges) + 1  # the header, then one per link
    assert "| Two-tower retrieval → ANN index | query |" in wiring
