"""frames.parse: every way text that cannot be stored reaches a frame is refused, whether
the decoded frame is walked or the raw text is enough to clear it (a drag's moves)."""

from __future__ import annotations

import re

import pytest

from studio.live import frames

MOVE = '{"type": "op", "cid": "c1", "op": {"op": "move_node", "id": "n1", "x": 1.5, "y": 2}}'


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"type": "op", "cid": "c\\u0000", "op": {}}', "U+0000"),
        ('{"type": "op", "cid": "c", "op": {"op": "x", "\\u0000": 1}}', "U+0000"),
        ('{"type": "op", "cid": "c\x00", "op": {}}', "not valid JSON"),  # a raw control
        ('{"type": "op", "cid": "c", "op": {"label": "\\ud800"}}', "U+D800"),
        ('{"type": "op", "cid": "c", "op": {"label": "\ud800"}}', "U+D800"),
        (b'{"type": "op", "cid": "c", "op": {"label": "\xed\xa0\x80"}}', "U+D800"),
        ('{"type": "cursor", "x": 1e999, "y": 1}', "finite"),
        ('{"type": "cursor", "x": -1E+999, "y": 1}', "finite"),
        ('{"type": "cursor", "x": NaN, "y": 1}', "finite"),
        ('{"type": "cursor", "x": 1, "y": -Infinity}', "finite"),
    ],
)
def test_unstorable_text_and_numbers_are_refused(raw: str | bytes, message: str) -> None:
    with pytest.raises(frames.FrameError, match=re.escape(message)):
        frames.parse(raw)


def test_a_raw_nul_outside_strings_is_refused_too() -> None:
    with pytest.raises(frames.FrameError):
        frames.parse('{"type": "ping",\x00 "t": 1}')


def test_a_plain_move_needs_no_walk_and_is_normalised() -> None:
    assert not frames.might_hold_unstorable(MOVE)
    frame = frames.parse(MOVE.replace('"y": 2', '"y": 2, "junk": "x"'))
    assert frame == frames.Op("c1", {"op": "move_node", "id": "n1", "x": 1.5, "y": 2})


def test_text_and_binary_frames_read_alike() -> None:
    assert frames.parse(MOVE.encode()) == frames.parse(MOVE)
    assert frames.parse(MOVE.encode("utf-16")) == frames.parse(MOVE)  # as json.loads reads


def test_encode_refuses_non_finite_numbers() -> None:
    with pytest.raises(ValueError):
        frames.encode({"type": "pong", "t": float("nan")})
    assert frames.encode({"type": "ack", "cid": "c", "revision": 3}) == (
        '{"type": "ack", "cid": "c", "revision": 3}'
    )


@pytest.mark.parametrize("t", [1_733_300_000_000, 1_733_300_000_000.5, 1, "k1", None])
def test_a_ping_carries_the_browsers_clock(t) -> None:
    # connection.js pings with Date.now(): a refused ping answered every heartbeat with an
    # error, and the client's error handling asked for the whole board again.
    raw = '{"type": "ping"' + ("" if t is None else f', "t": {t!r}'.replace("'", '"')) + "}"
    assert frames.parse(raw) == frames.Ping(t)


@pytest.mark.parametrize("t", [2**60, [1], {"a": 1}, True, "x" * 200])
def test_a_ping_refuses_what_is_not_a_clock(t) -> None:
    with pytest.raises(frames.FrameError, match='"t" must be'):
        frames.parse(frames.encode({"type": "ping", "t": t}))
