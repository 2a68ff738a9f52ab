"""Participant colours (studio.live.presence.PALETTE) carry white text: avatars' initials, cursor
name tags, the follow pill. Each must reach WCAG AA for normal text against white, and the
colours must be told apart at a glance."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from studio.live.presence import PALETTE, colour_for

WHITE = "#ffffff"


def _channels(colour: str) -> tuple[float, float, float]:
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", colour), colour
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    r, g, b = (_linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio, from 1 (same) to 21 (black on white)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def lab(colour: str) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB colour, for the perceptual distance between two colours."""
    r, g, b = (_linear(c) for c in _channels(colour))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_the_contrast_formula_matches_known_values():
    assert contrast_ratio("#000000", WHITE) == pytest.approx(21)
    assert contrast_ratio(WHITE, WHITE) == pytest.approx(1)
    assert contrast_ratio("#767676", WHITE) == pytest.approx(4.54, abs=0.01)  # the AA grey
    # Colours the UX review measured as failing.
    assert contrast_ratio("#d97706", WHITE) < 4.5
    assert contrast_ratio("#65a30d", WHITE) < 4.5


def test_the_palette_has_ten_colours():
    assert len(PALETTE) == 10


@pytest.mark.parametrize("colour", PALETTE)
def test_white_text_on_every_participant_colour_passes_wcag_aa(colour: str):
    ratio = contrast_ratio(colour, WHITE)
    assert ratio >= 4.5, f"white on {colour} is {ratio:.2f}:1, below 4.5:1"


def test_participant_colours_are_distinct():
    assert len({c.lower() for c in PALETTE}) == len(PALETTE)
    # CIE76 distance: about 2.3 is a just-noticeable difference; insist on far more, so no
    # two people on a board get colours that are easy to confuse.
    closest = min(
        ((math.dist(lab(a), lab(b)), a, b) for a, b in itertools.combinations(PALETTE, 2))
    )
    assert closest[0] >= 20, f"{closest[1]} and {closest[2]} are too alike (ΔE {closest[0]:.1f})"


def test_colour_for_picks_from_the_palette_and_is_stable():
    people = [f"person-{i}" for i in range(200)]
    assert all(colour_for(p) in PALETTE for p in people)
    assert [colour_for(p) for p in people] == [colour_for(p) for p in people]
    assert len({colour_for(p) for p in people}) == len(PALETTE)


def test_people_on_one_board_get_different_colours_and_keep_theirs():
    from studio.live import presence

    board = "colours-test"
    try:
        # Ten people whose hashes all point at the same colour still get ten colours.
        people = [p for p in (f"person-{n}" for n in range(2000)) if colour_for(p) == PALETTE[0]][
            :10
        ]
        colours = [
            presence.join(board, f"ch{n}", "viewer", "", person)["colour"]
            for n, person in enumerate(people)
        ]
        assert sorted(colours) == sorted(PALETTE)
        # The same person in a second tab wears the colour they already have.
        again = presence.join(board, "tab2", "viewer", "", people[3])
        assert again["colour"] == colours[3]
        # An eleventh person gets their own hashed colour, shared once all are taken.
        assert presence.join(board, "ch-extra", "viewer", "", "someone")["colour"] == colour_for(
            "someone"
        )
    finally:
        for channel in [f"ch{n}" for n in range(10)] + ["tab2", "ch-extra"]:
            presence.leave(board, channel)
    assert presence.count(board) == 0
