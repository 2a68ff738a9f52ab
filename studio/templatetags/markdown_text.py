"""Filters that keep user text from becoming Markdown structure in report.md.

A label, note or finding message is the user's text; in the Markdown report it must stay
text. Without escaping, a label holding a line break and "## Interviewer only" forged a
heading in a viewer's report. `md_inline` (table cells, headings, list items) puts text on
one line and escapes what Markdown reads there; `md_block` (worksheet notes, comments)
keeps the line breaks but escapes every line that would start a block: headings, quotes,
lists, fences, tables, rules, setext underlines, and indented code. HTML is already
escaped by the template's autoescaping.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# What Markdown reads specially inside a line: emphasis, code, links, images, pipes
# (< and > are HTML-escaped, and an entity starts no structure).
_INLINE = re.compile(r"([\\`*_\[\]|!#~])")
# A line that would open a block: #, - + * lists and rules, 1. / 1) lists, ``` and
# ~~~ fences, | tables, = underlines.
_BLOCK_START = re.compile(r"^[#+\-*=|`~]")
_ORDERED = re.compile(r"^(\d+)([.)])")


def _escape_line_start(line: str) -> str:
    stripped = line.lstrip(" \t")
    if not stripped:
        return ""
    # Indentation would make an indented code block or continue a list item: dropped.
    if _BLOCK_START.match(stripped):
        return "\\" + stripped
    return _ORDERED.sub(r"\1\\\2", stripped)  # "1. x" -> "1\. x"


@register.filter
def md_inline(value: object) -> SafeString:
    """One line of text, with Markdown's inline and line-start syntax escaped."""
    text = " ".join(str(value).split())
    escaped = str(conditional_escape(_INLINE.sub(r"\\\1", text)))
    return mark_safe(escaped)


@register.filter
def md_block(value: object) -> SafeString:
    """Lines of text that start no Markdown block (inline syntax escaped too)."""
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    escaped = [_escape_line_start(_INLINE.sub(r"\\\1", line)) for line in lines]
    return mark_safe(str(conditional_escape("\n".join(escaped))))
