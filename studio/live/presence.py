"""Who is connected to which board, in this process.

Each Daphne process counts its own connections (the per-board connection limit) and
describes its participants. A new connection is told who is here by its own consumer
(one `presence.here` frame per participant of this process); the participants of other
processes answer its "presence.joined" over the channel layer.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict

# Participant colours: ten clearly different hues (rose, blue, emerald, gold, violet, sky,
# pink, lime, orange, fuchsia), each dark enough for white text at WCAG AA (4.5:1; checked by
# tests/studio/test_presence_palette.py): names are written in white on them.
PALETTE = (
    "#e11d48",
    "#2563eb",
    "#047857",
    "#a16207",
    "#7c3aed",
    "#0369a1",
    "#db2777",
    "#4d7c0f",
    "#c2410c",
    "#a21caf",
)

_connections: dict[str, dict[str, dict]] = defaultdict(dict)
_here: dict[str, str] = {}  # channel name -> its participant's `presence.here` frame (JSON)


def colour_for(person: str, taken: frozenset[str] | set[str] = frozenset()) -> str:
    """The person's colour: from a hash of their id (the same on every visit), moved on
    to the next colour nobody in `taken` wears, while one is left."""
    start = hashlib.sha256(person.encode()).digest()[0] % len(PALETTE)
    for step in range(len(PALETTE)):
        colour = PALETTE[(start + step) % len(PALETTE)]
        if colour not in taken:
            return colour
    return PALETTE[start]


def join(public_id: str, channel_name: str, role: str, name: str, person: str) -> dict:
    """Register a connection; return the participant as every client sees it.

    A person keeps the colour they already wear on this board (another tab, a
    reconnect); a newcomer avoids the colours of the others connected to this process.
    """
    here = _connections[public_id].values()
    same = next((p["colour"] for p in here if p["person"] == person), None)
    participant = {
        "id": secrets.token_hex(4),
        "person": person,
        "name": name or f"{role.capitalize()}",
        "role": role,
        "colour": same or colour_for(person, {p["colour"] for p in here}),
    }
    _connections[public_id][channel_name] = participant
    _here[channel_name] = json.dumps(
        {"type": "presence.here", "by": participant["id"], "participant": participant}
    )
    return participant


def leave(public_id: str, channel_name: str) -> None:
    board = _connections.get(public_id)
    if board is not None:
        if board.pop(channel_name, None) is not None:
            _here.pop(channel_name, None)
        if not board:
            del _connections[public_id]


def count(public_id: str) -> int:
    return len(_connections.get(public_id, {}))


def participants(public_id: str) -> list[dict]:
    """The participants connected to the board in this process."""
    return list(_connections.get(public_id, {}).values())


def here_frames(public_id: str, but: str) -> list[str]:
    """The `presence.here` frame of each participant connected to the board in this
    process but the connection `but`, each encoded once when it joined."""
    return [_here[channel] for channel in _connections.get(public_id, {}) if channel != but]
