"""Every frame of the live protocol, typed, and the one place client frames are checked.

docs/protocol.md describes the frames for people; this module is their description for
the code. `parse` turns the text of a client frame into one of the `ClientFrame` classes
below or raises `FrameError`; nothing else in the consumer reads raw client JSON. What it
guarantees, for every frame type:

- the frame is at most MAX_FRAME_BYTES and a JSON object with a known "type";
- every string anywhere in it is storable text: no NUL, no unpaired surrogate (either
  would crash PostgreSQL's jsonb or the UTF-8 encoder later, and close the socket);
- every number is finite (NaN and Infinity are not JSON and browsers drop frames that
  hold them), and `encode` refuses to send one;
- only the fields named here are kept: an operation is reduced to its own fields
  (components.operations.normalise) before it is applied, logged or broadcast.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, TypedDict

from components.document import MAX_ID
from components.operations import SERVER_ONLY, normalise

MAX_FRAME_BYTES = 64 * 1024
MAX_CID = 64
MAX_SELECTION = 500
MAX_POSITION = 1e7  # cursor and viewport coordinates, in canvas units


class FrameError(ValueError):
    """A client frame was refused; `cid` echoes the sender's id when it was readable."""

    def __init__(self, message: str, cid: str | int | None = None) -> None:
        super().__init__(message)
        self.cid = cid


# --- client -> server -------------------------------------------------------------------


@dataclass(frozen=True)
class Ping:
    t: float | int | str | None


@dataclass(frozen=True)
class Sync:
    since: int
    epoch: str | None = None  # the run of the board the client's revisions come from


@dataclass(frozen=True)
class Op:
    cid: str
    op: dict[str, Any]  # normalised: only the operation's own fields


@dataclass(frozen=True)
class Cursor:
    x: float
    y: float


@dataclass(frozen=True)
class Select:
    ids: list[str]


@dataclass(frozen=True)
class Viewport:
    box: dict[str, float]  # x, y, zoom; w and h when the sender gave them


ClientFrame = Ping | Sync | Op | Cursor | Select | Viewport


# --- server -> client (built by the consumer, checked by `encode`) ------------------------


class Welcome(TypedDict, total=False):
    type: Literal["welcome"]
    you: dict[str, Any]
    role: str
    timer: dict[str, Any]  # interviewers only
    ended: dict[str, Any] | None  # {at, revision} once the interviewer ended the interview
    ended_seq: int  # how many times it was ended or reopened (board.ended's `seq`)


class Ack(TypedDict):
    type: Literal["ack"]
    cid: str
    revision: int


class Missing(TypedDict):
    kind: Literal["component", "edge"]
    id: str


class Error(TypedDict):
    type: Literal["error"]
    cid: str | int | None
    code: Literal["refused", "rate_limited", "board_full", "ended"]
    message: str
    # A refused operation named a component or edge the board no longer holds
    # (components.operations.OperationError.missing): the client names it by its label.
    missing: NotRequired[Missing]


# The other server frames (op, ops, snapshot, pong, cursor, selection, viewport,
# presence.*, timer, case.revealed, board.ended) are listed with examples in docs/protocol.md.


# --- checks -------------------------------------------------------------------------------

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _refuse_constant(name: str) -> None:
    raise FrameError(f"{name} is not a JSON number; numbers must be finite")


def _finite_float(text: str) -> float:
    """A JSON number with a fraction or exponent, refused when it overflows to infinity
    (`1e999`): the decoder's hook, so no walk over the frame is needed for numbers."""
    number = float(text)
    if not math.isfinite(number):
        raise FrameError("numbers must be finite")
    return number


# One decoder and one encoder for every frame: `json.loads` and `json.dumps` with options
# build a new one per call, a cost paid on every edit of the live path.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)
_ENCODER = json.JSONEncoder(allow_nan=False)


def might_hold_unstorable(text: str) -> bool:
    """False when no string decoded from the JSON `text` can hold NUL or a surrogate: the
    text has none itself and no `\\u` escape that could make one. Most frames (a drag's
    moves) pass this and skip the walk of `check_values`."""
    return "\\u" in text or _UNSTORABLE.search(text) is not None


def check_values(value: Any) -> None:
    """Refuse any string (keys included) holding NUL or an unpaired surrogate, and any
    non-finite number, anywhere in a decoded frame. Iterative: nesting depth is bounded
    by the decoder, not by this walk."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            bad = _UNSTORABLE.search(item)
            if bad:
                raise FrameError(
                    f"text holds the character U+{ord(bad.group()):04X}, which is not allowed"
                )
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise FrameError("numbers must be finite")
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())


def _number(value: Any) -> bool:
    return type(value) in (int, float) and abs(value) <= MAX_POSITION


def _cid(frame: dict[str, Any]) -> str | int | None:
    cid = frame.get("cid")
    if cid is None:
        return None
    if isinstance(cid, str) and len(cid) <= MAX_CID:
        return cid
    if type(cid) is int and abs(cid) < 2**53:
        return cid
    raise FrameError(f'"cid" must be a string of at most {MAX_CID} characters')


def parse(raw: str | bytes) -> ClientFrame:
    """The typed frame in `raw`, or FrameError with a message for the sender."""
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    if size > MAX_FRAME_BYTES:
        raise FrameError(f"frame of {size} bytes is over the {MAX_FRAME_BYTES}-byte limit")
    try:
        if isinstance(raw, bytes):  # as json.loads reads bytes
            raw = raw.decode(json.detect_encoding(raw), "surrogatepass")
        frame = _DECODER.decode(raw)
    except FrameError:
        raise
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise FrameError("frame is not valid JSON") from None
    if not isinstance(frame, dict):
        raise FrameError("frame must be a JSON object")
    if might_hold_unstorable(raw):
        check_values(frame)
    cid = _cid(frame)
    kind = frame.get("type")
    reader = _READERS.get(kind) if isinstance(kind, str) else None
    if reader is None:
        shown = kind if isinstance(kind, str) and len(kind) <= 40 else "…"
        raise FrameError(f"unknown frame type {shown!r}", cid)
    try:
        return reader(frame)
    except FrameError as exc:
        raise FrameError(str(exc), cid) from None


def _ping(frame: dict[str, Any]) -> Ping:
    # `t` is echoed in the pong: the browser sends its clock (Date.now(), ~1.8e12 ms), so
    # any whole number a double holds exactly, not only a canvas coordinate.
    t = frame.get("t")
    exact = (type(t) is int or type(t) is float) and abs(t) <= 2**53
    if not (t is None or exact or (isinstance(t, str) and len(t) <= MAX_CID)):
        raise FrameError('"t" must be a number or a short string')
    return Ping(t)


def _sync(frame: dict[str, Any]) -> Sync:
    since = frame.get("since", 0)
    if type(since) is not int or not 0 <= since < 2**53:
        raise FrameError('"since" must be a revision number')
    epoch = frame.get("epoch")
    if epoch is not None and not (isinstance(epoch, str) and len(epoch) <= MAX_CID):
        raise FrameError('"epoch" must be a short string')
    return Sync(since, epoch)


def _op(frame: dict[str, Any]) -> Op:
    cid = frame.get("cid", "")
    op = frame.get("op")
    if not isinstance(op, dict):
        raise FrameError('"op": an operation is a JSON object')
    if isinstance(op.get("op"), str) and op["op"] in SERVER_ONLY:
        raise FrameError(f"operation {op['op']!r} cannot be sent by a client")
    return Op(cid if isinstance(cid, str) else str(cid), normalise(op))


def _cursor(frame: dict[str, Any]) -> Cursor:
    x: Any = frame.get("x")
    y: Any = frame.get("y")
    if not (_number(x) and _number(y)):
        raise FrameError('"x" and "y" must be numbers')
    return Cursor(x, y)


def _select(frame: dict[str, Any]) -> Select:
    ids = frame.get("ids")
    if (
        not isinstance(ids, list)
        or len(ids) > MAX_SELECTION
        or not all(isinstance(i, str) and len(i) <= MAX_ID for i in ids)
    ):
        raise FrameError('"ids" must be a list of ids')
    return Select(list(ids))


def _viewport(frame: dict[str, Any]) -> Viewport:
    box = frame.get("box")
    if not isinstance(box, dict) or not all(_number(box.get(k)) for k in ("x", "y", "zoom")):
        raise FrameError('"box" needs numbers x, y and zoom')
    out = {k: box[k] for k in ("x", "y", "zoom")}
    for k in ("w", "h"):  # optional: the sender's visible size in canvas units
        if _number(box.get(k)) and box[k] > 0:
            out[k] = box[k]
    return Viewport(out)


_READERS: dict[str, Callable[[dict[str, Any]], ClientFrame]] = {
    "ping": _ping,
    "sync": _sync,
    "op": _op,
    "cursor": _cursor,
    "select": _select,
    "viewport": _viewport,
}


def encode(frame: dict[str, Any]) -> str:
    """JSON text of a server frame; ValueError rather than NaN or Infinity on the wire."""
    return _ENCODER.encode(frame)
