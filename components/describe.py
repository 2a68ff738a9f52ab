"""Operations in words, for people: what the replay says each revision did.

The log stores operations (components/operations.py, docs/protocol.md); the replay shows
"moved Feature store" or "connected Mobile app → API gateway", never "move_node".
Components are named by their label, else their type's title, as they were just before
the operation (a deleted component still has its name); text someone typed (a new
label, a title) is quoted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from components.catalogue import COMPONENT_TYPES
from components.document import Board
from components.steps import STEPS

MAX_NAME = 40
_STEPS = {step.key: step for step in STEPS}


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_NAME else text[: MAX_NAME - 1].rstrip() + "…"


def _quoted(text: Any) -> str:
    return f"“{_short(str(text))}”"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _node_name(board: Board, node_id: Any) -> str:
    node = board.node(node_id) if isinstance(node_id, str) else None
    return _short(node.name) if node is not None else "a component"


def _new_node_name(node: Any) -> str:
    if not isinstance(node, dict):
        return "a component"
    label, type_id = node.get("label"), node.get("type")
    if isinstance(label, str) and label.strip():
        return _short(label)
    component_type = COMPONENT_TYPES.get(type_id) if isinstance(type_id, str) else None
    return component_type.title if component_type else "a component"


def _link(board: Board, source: Any, target: Any) -> str:
    return f"{_node_name(board, source)} → {_node_name(board, target)}"


def _edge_link(board: Board, edge_id: Any) -> str:
    edge = board.edge(edge_id) if isinstance(edge_id, str) else None
    return _link(board, edge.source, edge.target) if edge else "a connection"


def _changes(op: dict[str, Any]) -> dict[str, Any]:
    changes = op.get("changes")
    return changes if isinstance(changes, dict) else {}


def _import(op: dict[str, Any], before: Board) -> str:
    document = op.get("document")
    nodes = document.get("nodes") if isinstance(document, dict) else None
    edges = document.get("edges") if isinstance(document, dict) else None
    if not nodes:
        return "started the board"
    links = len(edges) if isinstance(edges, list) else 0
    return (
        f"started the board with {_plural(len(nodes), 'component')} "
        f"and {_plural(links, 'connection')}"
    )


def _add_node(op: dict[str, Any], before: Board) -> str:
    return f"added {_new_node_name(op.get('node'))}"


def _update_node(op: dict[str, Any], before: Board) -> str:
    name, changes = _node_name(before, op.get("id")), _changes(op)
    if "label" in changes:
        label = changes["label"]
        said = (
            f"renamed {name} to {_quoted(label)}"
            if isinstance(label, str) and label.strip()
            else f"cleared the label of {name}"
        )
        return f"{said} and edited its properties" if "props" in changes else said
    return f"edited the properties of {name}"


def _move_node(op: dict[str, Any], before: Board) -> str:
    return f"moved {_node_name(before, op.get('id'))}"


def _delete_node(op: dict[str, Any], before: Board) -> str:
    node_id = op.get("id")
    said = f"deleted {_node_name(before, node_id)}"
    links = sum(1 for e in before.edges if node_id in (e.source, e.target))
    return f"{said} and its {_plural(links, 'connection')}" if links else said


def _add_edge(op: dict[str, Any], before: Board) -> str:
    edge = op.get("edge")
    if not isinstance(edge, dict):
        return "added a connection"
    said = f"connected {_link(before, edge.get('source'), edge.get('target'))}"
    label = edge.get("label")
    return f"{said} ({_quoted(label)})" if isinstance(label, str) and label.strip() else said


def _update_edge(op: dict[str, Any], before: Board) -> str:
    link, label = _edge_link(before, op.get("id")), _changes(op).get("label")
    if isinstance(label, str) and label.strip():
        return f"labelled {link} {_quoted(label)}"
    return f"cleared the label of {link}"


def _delete_edge(op: dict[str, Any], before: Board) -> str:
    return f"disconnected {_edge_link(before, op.get('id'))}"


def _update_notes(op: dict[str, Any], before: Board) -> str:
    step = _STEPS.get(str(op.get("step")))
    return f"edited the worksheet ({step.number}. {step.title})" if step else "edited the worksheet"


def _update_board(op: dict[str, Any], before: Board) -> str:
    changes, said = _changes(op), []
    if "title" in changes:
        title = changes["title"]
        said.append(
            f"renamed the board to {_quoted(title)}"
            if isinstance(title, str) and title.strip()
            else "cleared the board's title"
        )
    if "level" in changes:
        said.append(f"set the level to {changes['level']}")
    return " and ".join(said) or "edited the board"


def _id_of(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else None


# A batch of several operations is told as counts: (verb, noun, the key that counts once).
_COUNTED: dict[str, tuple[str, str, Callable[[dict[str, Any]], Any]]] = {
    "add_node": ("added", "component", lambda op: _id_of(op.get("node"))),
    "add_edge": ("added", "connection", lambda op: _id_of(op.get("edge"))),
    "delete_node": ("deleted", "component", lambda op: op.get("id")),
    "delete_edge": ("deleted", "connection", lambda op: op.get("id")),
    "move_node": ("moved", "component", lambda op: op.get("id")),
    "update_node": ("edited", "component", lambda op: op.get("id")),
    "update_edge": ("edited", "connection", lambda op: op.get("id")),
    "update_notes": ("edited", "worksheet step", lambda op: op.get("step")),
    "update_board": ("edited", "board setting", lambda op: tuple(sorted(_changes(op)))),
}


def _batch(op: dict[str, Any], before: Board) -> str:
    ops = [inner for inner in op.get("ops") or () if isinstance(inner, dict)]
    if len(ops) == 1:
        return describe_operation(ops[0], before)
    counted: dict[str, dict[str, set[str]]] = {}  # verb -> noun -> keys, in order met
    for inner in ops:
        kind = _COUNTED.get(str(inner.get("op")))
        if kind is not None:
            verb, noun, key = kind
            counted.setdefault(verb, {}).setdefault(noun, set()).add(repr(key(inner)))
    phrases = [
        f"{verb} " + " and ".join(_plural(len(keys), noun) for noun, keys in nouns.items())
        for verb, nouns in counted.items()
    ]
    return ", ".join(phrases) or "made several edits at once"


_DESCRIBERS: dict[str, Callable[[dict[str, Any], Board], str]] = {
    "import": _import,
    "add_node": _add_node,
    "update_node": _update_node,
    "move_node": _move_node,
    "delete_node": _delete_node,
    "add_edge": _add_edge,
    "update_edge": _update_edge,
    "delete_edge": _delete_edge,
    "update_notes": _update_notes,
    "update_board": _update_board,
    "batch": _batch,
}


def describe_operation(op: Any, before: Board) -> str:
    """What `op` did, in words, given the board just before it (lower case, no full stop):
    "moved Feature store", "connected Mobile app → API gateway", "edited the worksheet
    (1. Requirements)", "moved 12 components" (an auto-layout)."""
    if not isinstance(op, dict) or not isinstance(op.get("op"), str):
        return "made an edit"
    describer = _DESCRIBERS.get(op["op"])
    return describer(op, before) if describer else "made an edit"
