"""Edits as operations: check one against the current board and apply it.

Every change to a board, from the editor, an import or a replay, is one of the
operations below (docs/protocol.md shows each). `apply_operation` never mutates its
input: it returns a new `Board` that shares unchanged nodes with the old one, so a
batch can be applied atomically by simply discarding the result on error. A refused
operation raises `OperationError` with a message naming the offending id or value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from components.catalogue import COMPONENT_TYPES, connection_refusal
from components.document import (
    MAX_EDGES,
    MAX_LABEL,
    MAX_NODES,
    MAX_NOTE,
    Board,
    DocumentError,
    Edge,
    Node,
    check_board_size,
    check_component_size,
    check_coordinate,
    check_id,
    check_level,
    check_prop,
    check_text,
    compact_size,
    component_size,
    parse,
    parse_edge,
    parse_node,
)
from components.steps import STEP_KEYS

MAX_BATCH = 500


class OperationError(ValueError):
    """An operation was refused; the board is unchanged.

    `missing` is set when the reason is that the operation names a component or an edge
    the board does not hold (someone deleted it meanwhile): `("component" | "edge", id)`.
    The live protocol passes it on (the `error` frame's `missing`), so that the client,
    which knows what it called that thing, can say so in words rather than by its id.
    """

    def __init__(self, message: str, missing: tuple[str, str] | None = None) -> None:
        super().__init__(message)
        self.missing = missing


Applier = Callable[[Board, dict[str, Any]], Board]
_APPLIERS: dict[str, Applier] = {}


def _applies(name: str) -> Callable[[Applier], Applier]:
    def register(func: Applier) -> Applier:
        _APPLIERS[name] = func
        return func

    return register


OPERATION_NAMES = (
    "add_node",
    "update_node",
    "move_node",
    "delete_node",
    "add_edge",
    "update_edge",
    "delete_edge",
    "update_notes",
    "update_board",
    "batch",
    "import",
)
# Written by the server only (board creation from a file), never accepted from a client.
SERVER_ONLY = frozenset({"import"})


def apply_operation(board: Board, op: Any) -> Board:
    """Return the board with `op` applied, or raise OperationError naming the problem.

    The result is held to the same serialized-size limit as an imported board
    (components.document.MAX_BOARD_BYTES), so whatever an edit makes exports and
    imports back.
    """
    result = _apply_one(board, op)
    try:
        return check_board_size(result)
    except DocumentError as exc:
        raise OperationError(str(exc)) from None


def _apply_one(board: Board, op: Any) -> Board:
    """`apply_operation` without the board size check (a batch checks once, at its end)."""
    if not isinstance(op, dict):
        raise OperationError("an operation is a JSON object")
    name = op.get("op")
    applier = _APPLIERS.get(name) if isinstance(name, str) else None
    if applier is None:
        raise OperationError(f"unknown operation {name!r}; known: {', '.join(OPERATION_NAMES)}")
    try:
        return applier(board, op)
    except DocumentError as exc:
        raise OperationError(str(exc)) from None


def apply_all(board: Board, ops: list[dict[str, Any]]) -> Board:
    """Apply operations in order (a replay of the log); the size is checked at the end."""
    for op in ops:
        board = _apply_one(board, op)
    try:
        return check_board_size(board)
    except DocumentError as exc:
        raise OperationError(str(exc)) from None


def _refuse_invalid_id(value: Any) -> None:
    """Name the problem when an id that matched nothing is not even a valid id. (Lookups
    come first: a board stored before ids were restricted keeps its ids editable.)"""
    try:
        check_id(value, "id")
    except DocumentError as exc:
        raise OperationError(str(exc)) from None


def _node_index(board: Board, node_id: Any) -> int:
    for index, node in enumerate(board.nodes):
        if node.id == node_id:
            return index
    _refuse_invalid_id(node_id)
    raise OperationError(
        f"component {node_id!r} does not exist (it may have just been deleted by someone else)",
        missing=("component", node_id),
    )


def _edge_index(board: Board, edge_id: Any) -> int:
    for index, edge in enumerate(board.edges):
        if edge.id == edge_id:
            return index
    _refuse_invalid_id(edge_id)
    raise OperationError(
        f"edge {edge_id!r} does not exist (it may have just been deleted by someone else)",
        missing=("edge", edge_id),
    )


def _changes(op: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    changes = op.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise OperationError('"changes" must be a non-empty object')
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise OperationError(
            f"cannot change {unknown[0]!r}; changeable: {', '.join(sorted(allowed))}"
        )
    return changes


def _with_node(
    board: Board, index: int, node: Node, grown: Callable[[], int] | None = None
) -> Board:
    """The board with its `index`-th component replaced by `node` (its measured size, if
    known, carried over by the difference: components.document.board_size). `grown`, when
    the caller can tell the difference more cheaply, is asked only if the size is known."""
    nodes = list(board.nodes)
    old, nodes[index] = nodes[index], node
    result = replace(board, nodes=nodes)
    if board.measured_size is not None:
        difference = (
            grown() if grown else compact_size(node.to_dict()) - compact_size(old.to_dict())
        )
        result.measured_size = board.measured_size + difference
    return result


@_applies("add_node")
def _add_node(board: Board, op: dict[str, Any]) -> Board:
    node = parse_node(op.get("node"), "node")
    if board.node(node.id) is not None:
        raise OperationError(f"component id {node.id!r} is already taken")
    if len(board.nodes) >= MAX_NODES:
        raise OperationError(f"a board holds at most {MAX_NODES} components")
    return replace(board, nodes=[*board.nodes, node])


@_applies("update_node")
def _update_node(board: Board, op: dict[str, Any]) -> Board:
    """Change the label and/or props; a prop set to null is removed (last writer wins per
    field, so concurrent edits of different props both survive)."""
    index = _node_index(board, op.get("id"))
    node = board.nodes[index]
    changes = _changes(op, frozenset({"label", "props"}))
    label = node.label
    if "label" in changes:
        label = check_text(changes["label"], "label", MAX_LABEL)
    props = dict(node.props)
    if "props" in changes:
        if not isinstance(changes["props"], dict):
            raise OperationError('"props" must be an object')
        specs = COMPONENT_TYPES[node.type].props_by_name
        for key, value in changes["props"].items():
            if value is None:
                props.pop(key, None)
            elif key in specs:
                props[key] = check_prop(specs[key], value, f"props.{key}")
            else:
                raise OperationError(f"{COMPONENT_TYPES[node.type].title} has no prop {key!r}")
    updated = replace(node, label=label, props=props)
    size = component_size(updated)  # measured once: for the limit and the board's size
    check_component_size(updated, f"component {node.id!r}", size)
    return _with_node(board, index, updated, lambda: size - component_size(node))


@_applies("move_node")
def _move_node(board: Board, op: dict[str, Any]) -> Board:
    index = _node_index(board, op.get("id"))
    x, y = check_coordinate(op.get("x"), "x"), check_coordinate(op.get("y"), "y")
    node = board.nodes[index]
    start = op.get("from")
    if start is not None:
        # A move made on the way (a renamed card keeps its right edge): it applies only
        # if the component is still where the sender saw it, so that it cannot undo
        # someone else's move ordered first; the rest of its batch applies all the same.
        if not isinstance(start, dict):
            raise OperationError('"from" must be an object with x and y')
        seen_x = check_coordinate(start.get("x"), "from.x")
        seen_y = check_coordinate(start.get("y"), "from.y")
        if (node.x, node.y) != (seen_x, seen_y):
            return board

    def grown() -> int:  # only the coordinates change size (a drag sends many moves)
        return compact_size(x) + compact_size(y) - compact_size(node.x) - compact_size(node.y)

    return _with_node(board, index, replace(node, x=x, y=y), grown)


@_applies("delete_node")
def _delete_node(board: Board, op: dict[str, Any]) -> Board:
    """Remove a component and every edge that touches it."""
    index = _node_index(board, op.get("id"))
    node_id = board.nodes[index].id
    return replace(
        board,
        nodes=board.nodes[:index] + board.nodes[index + 1 :],
        edges=[e for e in board.edges if node_id not in (e.source, e.target)],
    )


def edge_refusal(board: Board, edge: Edge) -> str | None:
    """Why `edge` cannot be added to `board`, or None. The editor only makes connections the
    catalogue allows; imported documents may hold others, which the validator reports."""
    source, target = board.node(edge.source), board.node(edge.target)
    for end, node in (("source", source), ("target", target)):
        if node is None:
            return f"{end} component {getattr(edge, end)!r} does not exist"
    if source is None or target is None:  # for the type checker: refused just above
        return None
    if edge.source == edge.target:
        return "a component cannot connect to itself"
    if any(e.source == edge.source and e.target == edge.target for e in board.edges):
        return "these components are already connected in that direction"
    return connection_refusal(source.type, target.type)


def _called(board: Board, node_id: str) -> str:
    """A component as a refusal names it to people: its name, quoted; its id only when
    it is not on the board (that is the refusal)."""
    node = board.node(node_id)
    return f"“{node.name}”" if node is not None else repr(node_id)


@_applies("add_edge")
def _add_edge(board: Board, op: dict[str, Any]) -> Board:
    edge = parse_edge(op.get("edge"), "edge")
    if board.edge(edge.id) is not None:
        raise OperationError(f"edge id {edge.id!r} is already taken")
    if len(board.edges) >= MAX_EDGES:
        raise OperationError(f"a board holds at most {MAX_EDGES} edges")
    refusal = edge_refusal(board, edge)
    if refusal:
        gone = next((end for end in (edge.source, edge.target) if board.node(end) is None), None)
        raise OperationError(
            f"cannot connect {_called(board, edge.source)} to {_called(board, edge.target)}: "
            f"{refusal}",
            missing=("component", gone) if gone is not None else None,
        )
    return replace(board, edges=[*board.edges, edge])


@_applies("update_edge")
def _update_edge(board: Board, op: dict[str, Any]) -> Board:
    index = _edge_index(board, op.get("id"))
    changes = _changes(op, frozenset({"label"}))
    edges = list(board.edges)
    edges[index] = replace(edges[index], label=check_text(changes["label"], "label", MAX_LABEL))
    return replace(board, edges=edges)


@_applies("delete_edge")
def _delete_edge(board: Board, op: dict[str, Any]) -> Board:
    index = _edge_index(board, op.get("id"))
    return replace(board, edges=board.edges[:index] + board.edges[index + 1 :])


@_applies("update_notes")
def _update_notes(board: Board, op: dict[str, Any]) -> Board:
    step = op.get("step")
    if step not in STEP_KEYS:
        raise OperationError(f"unknown step {step!r}; steps are {', '.join(STEP_KEYS)}")
    text = check_text(op.get("text"), "text", MAX_NOTE)
    return replace(board, notes={**board.notes, step: text})


@_applies("update_board")
def _update_board(board: Board, op: dict[str, Any]) -> Board:
    changes = _changes(op, frozenset({"title", "level"}))
    title = check_text(changes.get("title", board.title), "title", MAX_LABEL)
    level = check_level(changes.get("level", board.level))
    return replace(board, title=title, level=level)


@_applies("batch")
def _batch(board: Board, op: dict[str, Any]) -> Board:
    """Several operations applied atomically: all of them, or none if one is refused."""
    ops = op.get("ops")
    if not isinstance(ops, list) or not ops:
        raise OperationError('"ops" must be a non-empty list')
    if len(ops) > MAX_BATCH:
        raise OperationError(f"a batch holds at most {MAX_BATCH} operations")
    for position, inner in enumerate(ops):
        if isinstance(inner, dict) and inner.get("op") == "batch":
            raise OperationError("a batch cannot contain another batch")
        if (
            isinstance(inner, dict)
            and isinstance(inner.get("op"), str)
            and inner["op"] in SERVER_ONLY
        ):
            # Clients may not send these; a batch must not smuggle one past that check.
            raise OperationError(f"a batch cannot contain {inner['op']!r}")
        try:
            board = _apply_one(board, inner)
        except OperationError as exc:
            raise OperationError(
                f"operation {position + 1} of the batch: {exc}", missing=exc.missing
            ) from None
    return board


@_applies("import")
def _import(board: Board, op: dict[str, Any]) -> Board:
    """Replace the whole board with a checked board document (framework.md §3)."""
    return parse(op.get("document"))


# The fields each operation is made of; `normalise` keeps these and drops the rest.
OPERATION_FIELDS: dict[str, tuple[str, ...]] = {
    "add_node": ("node",),
    "update_node": ("id", "changes"),
    "move_node": ("id", "x", "y", "from"),
    "delete_node": ("id",),
    "add_edge": ("edge",),
    "update_edge": ("id", "changes"),
    "delete_edge": ("id",),
    "update_notes": ("step", "text"),
    "update_board": ("changes",),
    "batch": ("ops",),
    "import": ("document",),
}


def normalise(op: Any) -> Any:
    """`op` reduced to its operation's known fields (a batch's operations too).

    Unknown keys sent by a client are dropped here, before the operation is applied,
    logged or broadcast, so they can neither be stored nor reach other connections.
    What is not an operation object is returned as it is, for `apply_operation` to
    refuse with its own message.
    """
    if not isinstance(op, dict) or not isinstance(op.get("op"), str):
        return op
    fields = OPERATION_FIELDS.get(op["op"])
    if fields is None:
        return op
    clean = {"op": op["op"], **{key: op[key] for key in fields if key in op}}
    if op["op"] == "batch" and isinstance(clean.get("ops"), list):
        clean["ops"] = [normalise(inner) for inner in clean["ops"]]
    start = clean.get("from")
    if op["op"] == "move_node" and isinstance(start, dict):
        clean["from"] = {key: start[key] for key in ("x", "y") if key in start}
    return clean
