"""How the exports draw cards, notes, finding badges, the legend and the findings list.

Graphviz HTML-like labels that look like the canvas (static/js/shapes.js): a white card
with a rounded frame and the category's colour as a stripe on its left edge, the label in
bold on up to two lines and the type's title below it when it says something more, all
sized and wrapped exactly as components/cards.py says. Every piece of user text passes
through `html_text`.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from components.cards import (
    FONT_FAMILY,
    LABEL_SIZE,
    LINK_LABEL_HEIGHT,
    LINK_LABEL_PAD,
    LINK_LABEL_SIZE,
    NOTE_SIZE,
    PAD_LEFT,
    STRIPE,
    TYPE_SIZE,
    CardGeometry,
    collapse,
    text_width,
)
from components.graphviz import Html, fmt, html_text, xml_safe

FONT = "DejaVu Sans"  # what Graphviz renders with; the SVG names the whole FONT_FAMILY
SVG_FONT_FAMILY = FONT_FAMILY
INK = "#1f2433"
MUTED = "#64748b"
FRAME = "#cbd2dd"
NOTE_FILL = "#fef3c7"
NOTE_BORDER = "#f3d36b"
NOTE_INK = "#5b4510"
EDGE_COLOUR = "#8b95a7"
EDGE_LABEL_INK = "#374151"
EDGE_LABEL_FRAME = "#dfe3ec"
ERROR_COLOUR = "#dc2626"
WARNING_COLOUR = "#b45309"
SEVERITY_COLOUR = {"error": ERROR_COLOUR, "warning": WARNING_COLOUR}
BADGE_SIZE = 18
PANEL_TEXT_SIZE = 11
PANEL_WIDTH = 300  # text width of the findings list, points


def _lines(lines: tuple[str, ...] | list[str]) -> str:
    return "".join(f'{html_text(line)}<BR ALIGN="LEFT"/>' for line in lines)


def card_label(card: CardGeometry, colour: str) -> Html:
    """A component card's content: the category's colour as a rounded bar down its left
    edge, then the label (bold, up to two lines) and the type line, sized as `card`.

    The card itself (white, rounded, framed) is the node's shape: see `card_style`.
    """
    text = f'<FONT POINT-SIZE="{fmt(LABEL_SIZE)}" COLOR="{INK}"><B>{_lines(card.lines)}</B></FONT>'
    if card.type_line:
        text += (
            f'<FONT POINT-SIZE="{fmt(TYPE_SIZE)}" COLOR="{colour}">'
            f"{_lines([card.type_line])}</FONT>"
        )
    inset, bar = 3, STRIPE - 1
    height = card.height - 4  # inside the frame
    return Html(
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0" FIXEDSIZE="TRUE" '
        f'WIDTH="{card.width - 4}" HEIGHT="{height}"><TR>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="{inset}" HEIGHT="{height}"></TD>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="{bar}" HEIGHT="{height}"><TABLE BORDER="0" CELLSPACING="0" '
        f'CELLPADDING="0"><TR><TD BGCOLOR="{colour}" STYLE="rounded" FIXEDSIZE="TRUE" '
        f'WIDTH="{bar}" HEIGHT="{height - 14}"></TD></TR></TABLE></TD>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="{PAD_LEFT - inset - bar - 2}" HEIGHT="{height}"></TD>'
        f'<TD ALIGN="LEFT" BALIGN="LEFT" FIXEDSIZE="TRUE" '
        f'WIDTH="{card.width - PAD_LEFT - 2}" HEIGHT="{height}">{text}</TD>'
        "</TR></TABLE>"
    )


def card_style(outline: str | None) -> dict[str, str]:
    """The node attributes that draw a card: white, rounded, framed (or outlined)."""
    return {
        "style": "rounded,filled",
        "fillcolor": "white",
        "color": outline or FRAME,
        "penwidth": "2.5" if outline else "1",
    }


def note_label(card: CardGeometry) -> Html:
    """A sticky note's text from the top-left, wrapped as `card` says."""
    text = _lines(card.lines) if card.lines else "&#160;"
    return Html(
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="8" FIXEDSIZE="TRUE" '
        f'WIDTH="{card.width - 4}" HEIGHT="{card.height - 4}"><TR>'
        '<TD ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP">'
        f'<FONT POINT-SIZE="{fmt(NOTE_SIZE)}" COLOR="{NOTE_INK}">{text}</FONT></TD></TR></TABLE>'
    )


def note_style(outline: str | None) -> dict[str, str]:
    return {
        "style": "filled",
        "fillcolor": NOTE_FILL,
        "color": outline or NOTE_BORDER,
        "penwidth": "2.5" if outline else "1",
    }


def link_label_size(label: str) -> tuple[float, float]:
    """A link label's tag, as the canvas sizes it (static/js/canvas.js `setEdgeLabel`):
    the text at 11 px plus 12, by 20."""
    return (
        math.ceil(text_width(collapse(label), LINK_LABEL_SIZE)) + LINK_LABEL_PAD,
        LINK_LABEL_HEIGHT,
    )


def edge_label(label: str) -> Html:
    """A link's label on a white, framed tag of the canvas's size, its text centred."""
    width, height = link_label_size(label)
    return Html(
        f'<TABLE BORDER="1" STYLE="rounded" COLOR="{EDGE_LABEL_FRAME}" BGCOLOR="white" '
        'CELLBORDER="0" CELLPADDING="0" CELLSPACING="0"><TR>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="{fmt(width - 2)}" HEIGHT="{fmt(height - 2)}">'
        f'<FONT POINT-SIZE="{fmt(LINK_LABEL_SIZE)}" COLOR="{EDGE_LABEL_INK}">'
        f"{html_text(collapse(label))}</FONT></TD></TR></TABLE>"
    )


def svg_link_label(
    number: int, label: str, tip: str, box: tuple[float, float, float, float]
) -> str:
    """A link label's tag as SVG, centred at (`x`, `y`) and `width` x `height` (`box`, in
    the SVG's user units): the canvas's tag (static/js/shapes.js: white, rounded, framed),
    for exports that place the labels after Graphviz has drawn the links. `tip` is its
    tooltip."""
    x, y, width, height = box
    return (
        f'<g id="label{number}" class="label">\n<title>{html.escape(xml_safe(tip), quote=False)}'
        f"</title>\n{_svg_tag(x, y, width, height, collapse(label))}</g>\n"
    )


def _svg_tag(x: float, y: float, width: float, height: float, text: str) -> str:
    """A tag centred at (`x`, `y`): the canvas's white, rounded, framed box and its text."""
    return (
        f'<rect x="{fmt(x - width / 2)}" y="{fmt(y - height / 2)}" width="{fmt(width)}" '
        f'height="{fmt(height)}" rx="6" ry="6" fill="white" stroke="{EDGE_LABEL_FRAME}"/>\n'
    ) + _svg_text(
        x, y + LINK_LABEL_SIZE * 0.36, text, LINK_LABEL_SIZE, EDGE_LABEL_INK, anchor="middle"
    )


def badge_text(numbers: list[int]) -> str:
    return ",".join(str(n) for n in numbers)


def badge_width(numbers: list[int]) -> float:
    """A badge is a circle for one number, a pill for several."""
    return max(BADGE_SIZE, text_width(badge_text(numbers), 10, "bold") + 10)


def badge_label(numbers: list[int], colour: str) -> Html:
    """The numbers of the findings naming a card, white on the severity's colour."""
    return Html(
        f'<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0"><TR><TD BGCOLOR="{colour}" '
        f'STYLE="rounded" FIXEDSIZE="TRUE" WIDTH="{fmt(badge_width(numbers))}" '
        f'HEIGHT="{BADGE_SIZE}"><FONT POINT-SIZE="10" COLOR="white"><B>{badge_text(numbers)}'
        "</B></FONT></TD></TR></TABLE>"
    )


def legend_label(entries: list[tuple[str, str]]) -> Html:
    """A key of the categories used: (title, colour) pairs."""
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>']
    for title, colour in entries:
        rows.append(
            f'<TR><TD BGCOLOR="{colour}" WIDTH="16" HEIGHT="12" FIXEDSIZE="TRUE"></TD>'
            f'<TD ALIGN="LEFT">{html_text(title)}</TD></TR>'
        )
    return Html(
        f'<TABLE BORDER="1" STYLE="rounded" COLOR="{FRAME}" BGCOLOR="white" CELLBORDER="0" '
        f'CELLSPACING="4" CELLPADDING="2"><TR><TD><TABLE BORDER="0" CELLSPACING="2" '
        f'CELLPADDING="1">{"".join(rows)}</TABLE></TD></TR></TABLE>'
    )


def legend_size(entries: list[tuple[str, str]]) -> tuple[float, float]:
    """An estimate of the legend's size in points, to place it beside the drawing."""
    longest = max((text_width(t, 14) for t, _ in entries), default=0)
    return 16 + 30 + max(longest, text_width("Legend", 14, "bold")), 24 + 22 * (len(entries) + 1)


@dataclass(frozen=True)
class Numbered:
    """One line of the findings list: its number, severity, what it concerns, message."""

    number: int
    severity: str
    subject: str  # the components it names, by label; "" for the whole design
    message: str


def _wrapped(text: str, size: float, style: str = "regular") -> list[str]:
    """`text` wrapped at spaces only (a message's "->" must not break), PANEL_WIDTH wide."""
    text = collapse(text)
    if text_width(text, size, style) <= PANEL_WIDTH:
        return [text]
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", size, style) <= PANEL_WIDTH:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def findings_label(items: list[Numbered]) -> Html:
    """The numbered findings, each beside a badge like the ones on the cards."""
    rows = [
        '<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="13"><B>Findings</B></FONT></TD></TR>'
    ]
    for item in items:
        colour = SEVERITY_COLOUR.get(item.severity, MUTED)
        text = ""
        if item.subject:
            text += f"<B>{_lines(_wrapped(item.subject, PANEL_TEXT_SIZE, 'bold'))}</B>"
        text += _lines(_wrapped(item.message, PANEL_TEXT_SIZE))
        rows.append(
            f'<TR><TD VALIGN="TOP"><TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0">'
            f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{BADGE_SIZE}" HEIGHT="{BADGE_SIZE}" '
            f'BGCOLOR="{colour}" STYLE="rounded"><FONT POINT-SIZE="10" COLOR="white"><B>'
            f"{item.number}</B></FONT></TD></TR></TABLE></TD>"
            f'<TD ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP"><FONT POINT-SIZE="{PANEL_TEXT_SIZE}" '
            f'COLOR="{INK}">{text}</FONT></TD></TR>'
        )
    return _panel(rows)


def _panel(rows: list[str]) -> Html:
    """The framed white table the findings and link label lists sit in."""
    return Html(
        f'<TABLE BORDER="1" STYLE="rounded" COLOR="{FRAME}" BGCOLOR="white" CELLBORDER="0" '
        f'CELLSPACING="6" CELLPADDING="2">{"".join(rows)}</TABLE>'
    )


def _text_lines(items: list[Numbered]) -> int:
    """How many lines a list's items take: the subject (bold), then the message."""
    lines = 0
    for item in items:
        lines += len(_wrapped(item.message, PANEL_TEXT_SIZE))
        lines += len(_wrapped(item.subject, PANEL_TEXT_SIZE, "bold")) if item.subject else 0
    return lines


def findings_size(items: list[Numbered]) -> tuple[float, float]:
    """An estimate of the findings list's size in points."""
    return PANEL_WIDTH + BADGE_SIZE + 40, 40 + 14 * _text_lines(items) + 14 * len(items)


def link_list_label(items: list[Numbered]) -> Html:
    """The labels that did not fit along their links, each after the numbered tag that
    stands for it on the drawing: the link's ends (the subject) and the label."""
    rows = [
        '<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="13"><B>Link labels</B></FONT></TD></TR>'
    ]
    for item in items:
        text = f"<B>{_lines(_wrapped(item.subject, PANEL_TEXT_SIZE, 'bold'))}</B>"
        text += _lines(_wrapped(item.message, PANEL_TEXT_SIZE))
        rows.append(
            f'<TR><TD VALIGN="TOP">{edge_label(str(item.number))}</TD>'
            f'<TD ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP"><FONT POINT-SIZE="{PANEL_TEXT_SIZE}" '
            f'COLOR="{INK}">{text}</FONT></TD></TR>'
        )
    return _panel(rows)


def link_list_size(items: list[Numbered]) -> tuple[float, float]:
    """An estimate of the link label list's size in points."""
    return PANEL_WIDTH + LINK_LABEL_HEIGHT + 40, 40 + 14 * _text_lines(items) + 16 * len(items)


def svg_link_list(items: list[Numbered], x: float, y: float) -> tuple[str, float, float]:
    """The link label list (see `link_list_label`) as SVG, its top-left corner at (`x`,
    `y`), for an SVG whose drawing is already made; with its width and height."""
    pad, gap, line = 10.0, 8.0, 14.0
    tag_width = max(link_label_size(str(item.number))[0] for item in items)
    text_x = x + pad + tag_width + 8
    parts: list[str] = []
    widths = [text_width("Link labels", 13, "bold")]
    cursor = y + pad + 13
    parts.append(_svg_text(x + pad, cursor, "Link labels", 13, INK, bold=True))
    cursor += gap
    for item in items:
        number = str(item.number)
        tag_w, tag_h = link_label_size(number)
        parts.append(_svg_tag(x + pad + tag_w / 2, cursor + tag_h / 2, tag_w, tag_h, number))
        row = cursor + 11
        for text, bold in [(t, True) for t in _wrapped(item.subject, PANEL_TEXT_SIZE, "bold")] + [
            (t, False) for t in _wrapped(item.message, PANEL_TEXT_SIZE)
        ]:
            parts.append(_svg_text(text_x, row, text, PANEL_TEXT_SIZE, INK, bold=bold))
            widths.append(
                text_x - x - pad + text_width(text, PANEL_TEXT_SIZE, "bold" if bold else "regular")
            )
            row += line
        cursor = max(row - 11 + 2, cursor + tag_h) + gap
    width = max(widths) + 2 * pad
    height = cursor - y + pad - gap
    frame = (
        f'<rect x="{fmt(x)}" y="{fmt(y)}" width="{fmt(width)}" height="{fmt(height)}" rx="8" '
        f'ry="8" fill="white" stroke="{FRAME}"/>\n'
    )
    markup = (
        f'<g id="links" class="node">\n<title>Link labels</title>\n{frame}{"".join(parts)}</g>\n'
    )
    return markup, width, height


def _svg_text(
    x: float,
    y: float,
    text: str,
    size: float,
    colour: str,
    bold: bool = False,
    anchor: str = "start",
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    content = html.escape(xml_safe(text), quote=False)
    return (
        f'<text text-anchor="{anchor}" x="{fmt(x)}" y="{fmt(y)}" font-family="{FONT}"{weight} '
        f'font-size="{fmt(size)}" fill="{colour}">{content}</text>\n'
    )
