"""Who is connected to which board, in this process.

Each Daphne process counts its own connections (the per-board connection limit) and
describes its participants; other processes' participants are learnt from the
"presence.joined" / "presence.here" frames exchanged over the channel layer.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict

# Participant colours: ten clearly different hues (rose, blue, emerald, gold, violet, sky,
# pink, lime, orange, fuchsia), each dark enough for white text at WCAG AA (4.5:1; checked by
# tests/studio/test_presence_palette.py): names are written in white on them.
PALETTE = ("#e11d48", "#2563eb", "#047857", "#a16207", "#7c3aed", "#0369a1", "#db2777",
           "#4d7c0f", "#c2410c", "#a21caf")

_connections: dict[str, dict[str, dict]] = defaultdict(dict)


def colour_for(person: str) -> str:
    digest = hashlib.sha256(person.encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def join(public_id: str, channel_name: str, role: str, name: str, person: str) -> dict:
    """Register a connection; return the participant as every client sees it."""
    participant = {
        "id": secrets.token_hex(4),
        "person": person,
        "name": name or f"{role.capitalize()}",
        "role": role,
        "colour": colour_for(person),
    }
    _connections[public_id][channel_name] = participant
    return participant


def leave(public_id: str, channel_name: str) -> None:
    board = _connections.get(public_id)
    if board is not None:
        board.pop(channel_name, None)
        if not board:
            del _connections[public_id]


def count(public_id: str) -> int:
    return len(_connections.get(public_id, {}))
