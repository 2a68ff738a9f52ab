"""What the browser session remembers: roles per board, the person's name and id.

A role link stores the role here and redirects to the clean board URL, so neither the
page nor the WebSocket ever carries a token.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from studio.models import ROLES

MAX_REMEMBERED_BOARDS = 100


def board_role(session: Any, public_id: str) -> str | None:
    entry = session.get("boards", {}).get(public_id)
    role = entry.get("role") if isinstance(entry, dict) else None
    return role if role in ROLES else None


def grant_role(session: Any, public_id: str, role: str) -> None:
    """Remember `role` on a board; a stronger role is never downgraded by a weaker link."""
    boards = dict(session.get("boards", {}))
    current = board_role(session, public_id)
    if current is not None and ROLES.index(current) < ROLES.index(role):
        role = current
    boards[public_id] = {"role": role, "opened": time.time()}
    if len(boards) > MAX_REMEMBERED_BOARDS:
        oldest = sorted(boards, key=lambda k: boards[k]["opened"])
        for key in oldest[: len(boards) - MAX_REMEMBERED_BOARDS]:
            del boards[key]
    session["boards"] = boards


def touch_board(session: Any, public_id: str) -> None:
    boards = dict(session.get("boards", {}))
    if public_id in boards:
        boards[public_id] = {**boards[public_id], "opened": time.time()}
        session["boards"] = boards


def opened_boards(session: Any) -> list[str]:
    """Public ids of the boards this browser opened, newest first."""
    boards = session.get("boards", {})
    return sorted(boards, key=lambda k: boards[k].get("opened", 0), reverse=True)


def participant_id(session: Any) -> str:
    if "pid" not in session:
        session["pid"] = secrets.token_hex(6)
    return session["pid"]


def display_name(session: Any) -> str:
    return session.get("name", "")


def set_display_name(session: Any, name: str) -> None:
    session["name"] = name.strip()[:40]
