"""What the browser session remembers: roles per board, the person's name and id.

A role link stores the role here and redirects to the clean board URL, so neither the
page nor the WebSocket ever carries a token. Each grant also records the generation of
the link it came from (`link`, a fingerprint of that link's token hash): rotating a link
changes its generation, and studio.access then takes the role back from every session
that joined through the old one.
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


def board_grant(session: Any, public_id: str) -> tuple[str | None, str]:
    """The role on a board and the generation of the link that granted it ("" when the
    grant predates generations)."""
    entry = session.get("boards", {}).get(public_id)
    role = board_role(session, public_id)
    link = entry.get("link", "") if isinstance(entry, dict) and role else ""
    return role, link if isinstance(link, str) else ""


def grant_role(session: Any, public_id: str, role: str, link: str = "") -> None:
    """Remember `role` on a board, from the link of generation `link`; a stronger role is
    never downgraded by a weaker link."""
    boards = dict(session.get("boards", {}))
    current, current_link = board_grant(session, public_id)
    if current is not None and ROLES.index(current) < ROLES.index(role):
        role, link = current, current_link
    boards[public_id] = {"role": role, "link": link, "opened": time.time()}
    if len(boards) > MAX_REMEMBERED_BOARDS:
        oldest = sorted(boards, key=lambda k: boards[k]["opened"])
        for key in oldest[: len(boards) - MAX_REMEMBERED_BOARDS]:
            del boards[key]
    session["boards"] = boards


def revoke_role(session: Any, public_id: str) -> None:
    """Forget the role on a board (its link was rotated)."""
    boards = dict(session.get("boards", {}))
    if boards.pop(public_id, None) is not None:
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
