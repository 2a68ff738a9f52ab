"""Card geometry: the one definition of how big a component's card is and how its text wraps.

The canvas (static/js), the auto-layout (components/layout.py) and every export
(components/export.py) draw the same cards, so they must agree on a card's size and on
where its label breaks without measuring text in a browser or a font renderer. They do it
with a width table: the advance widths of the card font (DejaVu Sans Book and Bold, in
thousandths of an em), measured once from the font files by bench/measure_font.py and
stored in components/card_font.json. The browser gets the table and the constants below
through the catalogue JSON (``catalogue_as_json()["cards"]``) and implements the same
algorithm; tests/fixtures/cards.json holds expected results that both sides test against.
DejaVu Sans is wider than the other sans fonts a browser may substitute (Inter, Segoe UI,
Helvetica, Arial), so text that fits by this estimate fits when drawn.

The algorithm, precisely (the browser must match it step for step):

1. Text. Card labels: runs of ``[ \\t\\n\\r\\f\\v]`` become one space, ends trimmed; an
   empty label shows the type's title. The type line is shown only when the label says
   something else: the trimmed label is not empty and its lower case differs from the
   type title's. Notes keep their line breaks (``\\r\\n``, ``\\r``, ``\\n``): each
   paragraph is collapsed like a label and wrapped on its own.
2. Width of a string: the sum over its code points (not UTF-16 units) of the advance in
   the style's table, `UNKNOWN_ADVANCE` for a character missing from it, an integer;
   then ``sum * size / 1000`` in floating point.
3. Wrapping at an available width ``A``. Words are split at spaces, and each word into
   pieces after every run of ``/`` or ``-`` (regex ``[^/-]*[/-]+|[^/-]+``), so
   "Click/impression" may break after the slash. Lines are filled greedily: a piece joins
   the line (after a space if it starts a new word and the line is not empty) while the
   line's width stays ``<= A``; a note's paragraph always starts a new line. A piece that
   does not fit on an empty line is broken by code points (as many as fit, at least one)
   — a "hard break" — and the rest of it continues on the next line. When text is left
   after the last allowed line, the last line is re-made from its own text plus
   everything left (pieces joined by a space where they start a word or a paragraph),
   cut to the longest code-point prefix whose right-trimmed text plus "…" fits in ``A``:
   the card is "truncated".
4. Card width. Try the widths ``MIN_WIDTH, MIN_WIDTH + WIDTH_STEP, …, MAX_WIDTH`` with
   ``A = width - PAD_LEFT - PAD_RIGHT``; take the first where the label wraps into at most
   ``max_lines`` lines with neither truncation nor a hard break and the type line (if
   shown) fits on one line. If there is none, the first without truncation (hard breaks
   allowed); if there is none, ``MAX_WIDTH`` truncated. So a label wraps to two lines
   before the card grows, and grows before it is cut.
5. Card height: ``PAD_Y * 2 + lines * line_height`` (+ ``TYPE_GAP + TYPE_LINE`` with a
   type line), at least ``MIN_HEIGHT``. The text block is centred vertically; the
   ``*_y`` values are the vertical centres of each line, from the card's top.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

FONT_FILE = Path(__file__).with_name("card_font.json")
# The family the cards are drawn in; the widths are DejaVu Sans's, the widest of these.
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
UNKNOWN_ADVANCE = 1000  # a character missing from the table counts as a full em
ELLIPSIS = "\u2026"

MIN_WIDTH = 150
MAX_WIDTH = 260
WIDTH_STEP = 10
MIN_HEIGHT = 60
STRIPE = 5  # the coloured category stripe on the card's left edge
PAD_LEFT = 15  # stripe + gap: where the text starts
PAD_RIGHT = 12
PAD_Y = 12

LABEL_STYLE = "bold"
LABEL_SIZE = 12.5
LABEL_LINE = 16
LABEL_MAX_LINES = 2
TYPE_STYLE = "regular"
TYPE_SIZE = 10.5
TYPE_LINE = 14
TYPE_GAP = 4

NOTE_STYLE = "regular"
NOTE_SIZE = 12
NOTE_LINE = 15
NOTE_MAX_LINES = 6
# A link label's tag: text size, horizontal padding (both sides together) and height, as
# the canvas draws it (static/js/canvas.js reads these from cards_as_json) and the exports.
LINK_LABEL_SIZE = 11
LINK_LABEL_PAD = 12
LINK_LABEL_HEIGHT = 20

_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_BREAK = re.compile(r"\r\n|\r|\n")
_PIECE = re.compile(r"[^/-]*[/-]+|[^/-]+")


@lru_cache(maxsize=1)
def font_widths() -> dict[str, dict[str, int]]:
    """The width tables by style ("regular", "bold"): character -> advance in 1/1000 em."""
    widths: dict[str, dict[str, int]] = json.loads(FONT_FILE.read_text(encoding="utf-8"))["widths"]
    return widths


def text_width(text: str, size: float, style: str = "regular") -> float:
    """The estimated width in pixels of `text` at font `size` in `style` (step 2)."""
    table = font_widths()[style]
    total = sum(table.get(char, UNKNOWN_ADVANCE) for char in text)
    return total * size / 1000


def collapse(text: str) -> str:
    """`text` with whitespace runs made one space and the ends trimmed (step 1)."""
    return _SPACE.sub(" ", text).strip(" ")


@dataclass(frozen=True)
class Wrapped:
    lines: tuple[str, ...]
    truncated: bool
    hard_break: bool


def _pieces(paragraphs: list[str]) -> list[tuple[str, str]]:
    """(piece, separator before it): "" inside a word, " " between words, "\n" forced."""
    pieces: list[tuple[str, str]] = []
    for p, paragraph in enumerate(paragraphs):
        parts: list[tuple[str, str]] = []
        for w, word in enumerate(paragraph.split(" ") if paragraph else []):
            for k, piece in enumerate(_PIECE.findall(word)):
                parts.append((piece, " " if w and not k else ""))
        if not parts:
            parts = [("", "")]
        pieces.append((parts[0][0], "\n" if p else ""))
        pieces.extend(parts[1:])
    return pieces


def wrap(paragraphs: list[str], avail: float, size: float, style: str, max_lines: int) -> Wrapped:
    """Collapsed paragraphs wrapped into at most `max_lines` lines of width `avail` (step 3).

    Each paragraph starts a new line; labels are one paragraph.
    """
    pieces = _pieces(paragraphs)
    lines: list[str] = []
    hard = False
    i = 0
    while i < len(pieces) and len(lines) < max_lines:
        line = ""
        start = i
        while i < len(pieces):
            piece, sep = pieces[i]
            if sep == "\n" and i > start:
                break
            candidate = line + (" " if sep == " " and line else "") + piece
            if text_width(candidate, size, style) > avail:
                break
            line = candidate
            i += 1
        if i == start:  # one piece wider than a line: break it by code points
            piece = pieces[i][0]
            k = 1
            while k < len(piece) and text_width(piece[: k + 1], size, style) <= avail:
                k += 1
            line = piece[:k]
            pieces[i] = (piece[k:], "")
            hard = True
        lines.append(line)
    if i >= len(pieces):
        return Wrapped(tuple(lines), False, hard)
    rest = lines[-1]
    for piece, sep in pieces[i:]:
        rest += (" " if sep and rest else "") + piece
    cut = ELLIPSIS
    for k in range(len(rest), -1, -1):
        candidate = rest[:k].rstrip(" ") + ELLIPSIS
        if text_width(candidate, size, style) <= avail:
            cut = candidate
            break
    lines[-1] = cut
    return Wrapped(tuple(lines), True, hard)


@dataclass(frozen=True)
class CardGeometry:
    """A card's size and text: what the canvas draws and the exports reproduce."""

    width: int
    height: int
    lines: tuple[str, ...]
    line_ys: tuple[float, ...]
    type_line: str | None
    type_y: float | None
    truncated: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "lines": list(self.lines),
            "line_ys": list(self.line_ys),
            "type_line": self.type_line,
            "type_y": self.type_y,
            "truncated": self.truncated,
        }


def _fit(
    paragraphs: list[str], size: float, style: str, max_lines: int, need: float
) -> tuple[int, Wrapped]:
    """The card width chosen by step 4 and the text wrapped at that width."""
    tried = []
    for width in range(MIN_WIDTH, MAX_WIDTH + 1, WIDTH_STEP):
        avail = width - PAD_LEFT - PAD_RIGHT
        wrapped = wrap(paragraphs, avail, size, style, max_lines)
        if not wrapped.truncated and not wrapped.hard_break and need <= avail:
            return width, wrapped
        tried.append((width, wrapped))
    for width, wrapped in tried:
        if not wrapped.truncated:
            return width, wrapped
    return tried[-1]


def card_geometry(label: str, type_title: str, is_note: bool = False) -> CardGeometry:
    """The card of a component labelled `label` whose type is titled `type_title`."""
    if is_note:
        paragraphs = [collapse(p) for p in _BREAK.split(label)]
        while paragraphs and not paragraphs[-1]:
            paragraphs.pop()
        width, wrapped = _fit(paragraphs, NOTE_SIZE, NOTE_STYLE, NOTE_MAX_LINES, 0)
        return _place(width, wrapped, NOTE_LINE, None)
    text = collapse(label)
    show_type = bool(text) and text.lower() != type_title.lower()
    need = text_width(type_title, TYPE_SIZE, TYPE_STYLE) if show_type else 0.0
    width, wrapped = _fit([text or type_title], LABEL_SIZE, LABEL_STYLE, LABEL_MAX_LINES, need)
    type_line = None
    if show_type:
        avail = width - PAD_LEFT - PAD_RIGHT
        type_line = wrap([type_title], avail, TYPE_SIZE, TYPE_STYLE, 1).lines[0]
    return _place(width, wrapped, LABEL_LINE, type_line)


def _place(width: int, wrapped: Wrapped, line_height: int, type_line: str | None) -> CardGeometry:
    block = len(wrapped.lines) * line_height + (TYPE_GAP + TYPE_LINE if type_line else 0)
    height = max(MIN_HEIGHT, 2 * PAD_Y + block)
    top = (height - block) / 2
    line_ys = tuple(top + line_height * (k + 0.5) for k in range(len(wrapped.lines)))
    type_y = top + len(wrapped.lines) * line_height + TYPE_GAP + TYPE_LINE / 2
    return CardGeometry(
        width=width,
        height=height,
        lines=wrapped.lines,
        line_ys=line_ys,
        type_line=type_line,
        type_y=type_y if type_line else None,
        truncated=wrapped.truncated,
    )


def cards_as_json() -> dict[str, Any]:
    """The constants and width tables the browser needs to compute the same cards."""
    return {
        "font_family": FONT_FAMILY,
        "unknown_advance": UNKNOWN_ADVANCE,
        "ellipsis": ELLIPSIS,
        "min_width": MIN_WIDTH,
        "max_width": MAX_WIDTH,
        "width_step": WIDTH_STEP,
        "min_height": MIN_HEIGHT,
        "stripe": STRIPE,
        "pad_left": PAD_LEFT,
        "pad_right": PAD_RIGHT,
        "pad_y": PAD_Y,
        "label": {
            "style": LABEL_STYLE,
            "size": LABEL_SIZE,
            "line": LABEL_LINE,
            "max_lines": LABEL_MAX_LINES,
        },
        "type": {"style": TYPE_STYLE, "size": TYPE_SIZE, "line": TYPE_LINE, "gap": TYPE_GAP},
        "note": {
            "style": NOTE_STYLE,
            "size": NOTE_SIZE,
            "line": NOTE_LINE,
            "max_lines": NOTE_MAX_LINES,
        },
        "link_label": {"size": LINK_LABEL_SIZE, "pad": LINK_LABEL_PAD, "height": LINK_LABEL_HEIGHT},
        "widths": font_widths(),
    }
