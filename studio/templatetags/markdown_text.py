"""Filters that keep user text from becoming Markdown structure in report.md.

A label, note or finding message is the user's text; in the Markdown report it must stay
text. Without escaping, a label holding a line break and "## Interviewer only" forged a
heading in a viewer's report. `md_inline` (table cells, headings, list items) puts text on
one line and escapes what Markdown reads there; `md_block` (worksheet notes, comments)
keeps the line breaks but escapes every line that would start a block: headings, quotes,
lists, fences, tables, rules, setext underlines, and indented code.

The escapes are Markdown's own backslashes, never HTML entities: report.md is rendered
with autoescaping off (it is pasted into notes and trackers as plain text), so `<` is
escaped here as `\\<` (no raw HTML, no autolink once rendered) and `&` only where it
would start an entity. The results are plain strings, not marked safe: used in an HTML
template by mistake, they are still HTML-escaped there.
"""

from __future__ import annotations

import re

from django import template

register = template.Library()

# What Markdown reads specially inside a line: backslash escapes, code spans, emphasis,
# links and images ([ ]; "![" is harmless once its "[" is escaped), table pipes, raw HTML
# and autolinks (<), strikethrough (~), # (headings, closing sequences); "&" only where
# it starts an entity ("&amp;", "&#60;") that Markdown would decode; and "_" runs.
_INLINE = re.compile(r"[\\`*\[\]|<#~]|&#?(?=[A-Za-z0-9]+;)|_+")
# A line that would open a block: #, - + * lists and rules, 1. / 1) lists, ``` and
# ~~~ fences, | tables, = underlines, > quotes.
_BLOCK_START = re.compile(r"^[#+\-*=|`~>]")
_ORDERED = re.compile(r"^(\d+)([.)])")


def _escape_one(match: re.Match[str]) -> str:
    found = match.group()
    if found[0] == "_":
        # An "_" run makes emphasis only at a word's edge: inside a word (feature_store)
        # it is text, left alone.
        text, start, end = match.string, match.start(), match.end()
        if 0 < start and end < len(text) and text[start - 1].isalnum() and text[end].isalnum():
            return found
        return "\\_" * len(found)
    return "\\" + found  # "&#" stays together: "\&#60;" is text, its "#" needs nothing


def _escape_inline(text: str) -> str:
    return _INLINE.sub(_escape_one, text)


def _escape_line_start(line: str) -> str:
    stripped = line.lstrip(" \t")
    if not stripped:
        return ""
    # Indentation would make an indented code block or continue a list item: dropped.
    if _BLOCK_START.match(stripped):
        return "\\" + stripped
    return _ORDERED.sub(r"\1\\\2", stripped)  # "1. x" -> "1\. x"


@register.filter
def md_inline(value: object) -> str:
    """One line of text, with Markdown's inline and line-start syntax escaped."""
    return _escape_inline(" ".join(str(value).split()))


@register.filter
def md_block(value: object) -> str:
    """Lines of text that start no Markdown block (inline syntax escaped too)."""
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(_escape_line_start(_escape_inline(line)) for line in lines)
