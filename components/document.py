"""The board document (framework.md §3): parse with precise errors, dump canonically.

`parse` accepts JSON text or an already-decoded object and either returns a `Board` or
raises `DocumentError` whose message names the offending key, id or value; it never
lets another exception escape. `dump(parse(text))` is canonical: dumping the result of
parsing a dump gives the same bytes, which is what export/import round-trips rely on.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from components.cards import collapse
from components.catalogue import COMPONENT_TYPES, PropSpec
from components.steps import STEP_KEYS

FORMAT = "mlsd-studio/board"
VERSION = 1
LEVELS = ("mid", "senior", "staff")
DEFAULT_LEVEL = "senior"

MAX_NODES = 2_000
MAX_EDGES = 6_000
MAX_LABEL = 200
MAX_ID = 64
MAX_NOTE = 20_000
MAX_PROP_TEXT = 200
MAX_LIST_ITEMS = 200
MAX_COORD = 1_000_000
MAX_PROP_INTEGER = 10**12
# Props no catalogue type defines (framework.md §3 keeps them): flat strings only, a few
# per component, so a board cannot be inflated through them.
MAX_UNKNOWN_PROPS = 20
MAX_PROP_NAME = 64
# Serialized sizes, in UTF-8 bytes: one component as compact JSON, and the whole board
# as its canonical export (`dump`). Import, the API and every operation enforce both, and
# the board limit sits below the 5 MB upload limit, so an export always imports back.
MAX_COMPONENT_BYTES = 16 * 1024
MAX_BOARD_BYTES = 4 * 1024 * 1024
# Ids of components and edges: letters, digits and - _ . : only (no markup, no entities,
# nothing a DOT, SVG or Markdown writer must escape).
ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]+")

_TOP_KEYS = frozenset(
    {"format", "version", "title", "level", "notes", "nodes", "edges", "case_study"}
)
# A case study's slug (docs/case_studies.md): lower-case words joined by hyphens.
_CASE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_CASE_SLUG = 64  # studio.models.Board.case_study
_NODE_KEYS = frozenset({"id", "type", "label", "x", "y", "props"})
_EDGE_KEYS = frozenset({"id", "source", "target", "label"})


class DocumentError(ValueError):
    """A board document was refused; `path` locates the problem (e.g. `nodes[3].x`)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.detail = message


@dataclass
class Node:
    id: str
    type: str
    label: str = ""
    x: float = 0
    y: float = 0
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """How people know the component, in messages, exports and the replay: its label
        (whitespace runs made one space), else its type's title. Never its id."""
        component_type = COMPONENT_TYPES.get(self.type)
        return collapse(self.label) or (component_type.title if component_type else self.type)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "label": self.label,
            "x": self.x,
            "y": self.y,
        }
        if self.props:
            data["props"] = self.props
        return data


@dataclass
class Edge:
    id: str
    source: str
    target: str
    label: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "source": self.source, "target": self.target}
        if self.label:
            data["label"] = self.label
        return data


def empty_notes() -> dict[str, str]:
    return {key: "" for key in STEP_KEYS}


@dataclass
class Board:
    title: str = ""
    level: str = DEFAULT_LEVEL
    notes: dict[str, str] = field(default_factory=empty_notes)
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    # The case study the board was started from (its slug), "" for none: an export keeps
    # it so that importing the board back restores its Case tab.
    case_study: str = ""
    # The compact size board_size measured, kept so that an edit replacing one component
    # or link measures only what it changed (components.operations): on the live path a
    # drag's every move re-measured the whole board. Not part of the value; a Board is
    # not changed in place once measured (edits make new ones).
    measured_size: int | None = field(default=None, init=False, repr=False, compare=False)

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def edge(self, edge_id: str) -> Edge | None:
        return next((e for e in self.edges if e.id == edge_id), None)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "title": self.title,
            "level": self.level,
        }
        if self.case_study:  # only when set: other boards' documents stay as they were
            data["case_study"] = self.case_study
        data["notes"] = {key: self.notes.get(key, "") for key in STEP_KEYS}
        data["nodes"] = [n.to_dict() for n in self.nodes]
        data["edges"] = [e.to_dict() for e in self.edges]
        return data


def dump(board: Board) -> str:
    """The canonical JSON text of a board (two-space indent, trailing newline)."""
    return json.dumps(board.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _refuse_constant(name: str) -> None:
    raise DocumentError(f"{name} is not a valid JSON number")


def load_json(text: str | bytes) -> Any:
    """Decode JSON text, turning every decoding failure into a DocumentError."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DocumentError(f"not valid UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise DocumentError("not valid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer beyond Python's 4,300-digit conversion limit
        raise DocumentError(f"not valid JSON: {exc}") from None


def parse(source: object) -> Board:
    """Parse and check a board document (JSON text, or a decoded object of any kind);
    raise DocumentError naming what is wrong."""
    if isinstance(source, (str, bytes)):
        data = load_json(source)
    else:
        data = source
    if not isinstance(data, dict):
        raise DocumentError(f"a board document is a JSON object, got {_kind(data)}")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise DocumentError(f'unknown top-level key "{unknown[0]}"', unknown[0])
    if data.get("format") != FORMAT:
        raise DocumentError(f'must be "{FORMAT}", got {_show(data.get("format"))}', "format")
    version = data.get("version")
    if type(version) is not int or version != VERSION:
        raise DocumentError(f"must be {VERSION}, got {_show(version)}", "version")
    title = check_text(data.get("title", ""), "title", MAX_LABEL)
    level = check_level(data.get("level", DEFAULT_LEVEL))
    notes = check_notes(data.get("notes", {}))
    nodes = _parse_nodes(data.get("nodes", []))
    edges = _parse_edges(data.get("edges", []), {n.id for n in nodes})
    case_study = check_case_slug(data.get("case_study", ""))
    return check_board_size(
        Board(
            title=title,
            level=level,
            notes=notes,
            nodes=nodes,
            edges=edges,
            case_study=case_study,
        )
    )


def check_case_slug(value: Any) -> str:
    """An optional case study slug: "" or lower-case words joined by hyphens. Whether the
    case exists is the importer's question, not the format's."""
    text = check_text(value, "case_study", MAX_CASE_SLUG)
    if text and not _CASE_SLUG.fullmatch(text):
        raise DocumentError(
            f"must be a case study slug (lower-case words joined by hyphens), got {_show(text)}",
            "case_study",
        )
    return text


def check_level(level: Any) -> str:
    if not isinstance(level, str) or level not in LEVELS:
        raise DocumentError(f"must be one of {', '.join(LEVELS)}, got {_show(level)}", "level")
    return level


def check_notes(notes: Any, path: str = "notes") -> dict[str, str]:
    if not isinstance(notes, dict):
        raise DocumentError(f"must be an object keyed by step, got {_kind(notes)}", path)
    result = empty_notes()
    for key, value in notes.items():
        if key not in result:
            raise DocumentError(
                f'unknown step "{key}"; steps are {", ".join(STEP_KEYS)}', f"{path}.{key}"
            )
        result[key] = check_text(value, f"{path}.{key}", MAX_NOTE)
    return result


# NUL and unpaired surrogates cannot be encoded as UTF-8 or stored in PostgreSQL's jsonb.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def check_text(value: Any, path: str, limit: int) -> str:
    if not isinstance(value, str):
        raise DocumentError(f"must be a string, got {_kind(value)}", path)
    if len(value) > limit:
        raise DocumentError(f"is {len(value)} characters long; the limit is {limit}", path)
    bad = _UNSTORABLE.search(value)
    if bad:
        raise DocumentError(
            f"holds the character U+{ord(bad.group()):04X} at position "
            f"{bad.start()}, which cannot be stored",
            path,
        )
    return value


def check_id(value: Any, path: str) -> str:
    """A component or edge id: 1-64 of the characters A-Z a-z 0-9 - _ . : only."""
    if not isinstance(value, str) or not value:
        raise DocumentError(f"must be a non-empty string, got {_show(value)}", path)
    check_text(value, path, MAX_ID)
    if not ID_PATTERN.fullmatch(value):
        raise DocumentError(
            f"{_show(value)} is not a valid id: use only letters, digits and - _ . :", path
        )
    return value


def check_coordinate(value: Any, path: str) -> float:
    # Finiteness is tested on floats only: math.isfinite overflows on huge ints.
    if type(value) not in (int, float) or (type(value) is float and not math.isfinite(value)):
        raise DocumentError(f"must be a number, got {_show(value)}", path)
    if abs(value) > MAX_COORD:
        raise DocumentError(f"must lie within ±{MAX_COORD}, got {_show(value)}", path)
    return float(value) if type(value) is float else int(value)


def check_type(value: Any, path: str) -> str:
    if not isinstance(value, str) or value not in COMPONENT_TYPES:  # lists are unhashable
        raise DocumentError(f"unknown component type {_show(value)}", path)
    return value


def check_props(type_id: str, props: Any, path: str) -> dict[str, Any]:
    """Check props against the catalogue's schema of `type_id`.

    Known props follow their spec. Unknown keys are kept (framework.md §3) only as flat
    strings of at most MAX_PROP_TEXT characters, at most MAX_UNKNOWN_PROPS of them: no
    nesting, so nothing an importer or an operation sends can grow a board's export
    beyond its own size.
    """
    if not isinstance(props, dict):
        raise DocumentError(f"must be an object, got {_kind(props)}", path)
    specs = COMPONENT_TYPES[type_id].props_by_name
    unknown = 0
    for name, value in props.items():
        spec = specs.get(name)
        if spec is not None:
            check_prop(spec, value, f"{path}.{name}")
            continue
        unknown += 1
        check_unknown_prop(type_id, name, value, f"{path}.{name}")
        if unknown > MAX_UNKNOWN_PROPS:
            raise DocumentError(
                f"has more than {MAX_UNKNOWN_PROPS} props the catalogue does not define", path
            )
    return dict(props)


def check_unknown_prop(type_id: str, name: str, value: Any, path: str) -> str:
    """An unknown prop: a short name and a flat string (the only form kept)."""
    check_text(name, path, MAX_PROP_NAME)
    if not isinstance(value, str):
        known = ", ".join(COMPONENT_TYPES[type_id].props_by_name) or "none"
        raise DocumentError(
            f"is not a prop of {type_id} (its props: {known}); other props are kept "
            f"only as text, got {_kind(value)}",
            path,
        )
    return check_text(value, path, MAX_PROP_TEXT)


def component_size(node: Node) -> int:
    """A component's serialized size: UTF-8 bytes of its compact JSON."""
    return compact_size(node.to_dict())


def check_component_size(node: Node, path: str, size: int | None = None) -> Node:
    """`node`, refused if its JSON is over MAX_COMPONENT_BYTES (`size`: already measured)."""
    if size is None:
        size = component_size(node)
    if size > MAX_COMPONENT_BYTES:
        raise DocumentError(
            f"is {size} bytes as JSON; a component may take at most {MAX_COMPONENT_BYTES}",
            path,
        )
    return node


def board_size(board: Board) -> int:
    """The UTF-8 size of the board's canonical export (`dump`).

    The compact form is measured first (fast, in C; or already known:
    `Board.measured_size`); the indented export adds at most a few bytes of line break
    and indent per value, under 8 times the compact size whatever the content, so only a
    board past MAX_BOARD_BYTES / 8 compact is dumped in full to be measured exactly.
    """
    compact = board.measured_size
    if compact is None:
        compact = compact_size(board.to_dict())
    if compact * 8 <= MAX_BOARD_BYTES:
        board.measured_size = compact
        return compact
    return len(dump(board).encode())


# Built once: json.dumps with options builds an encoder per call, on every edit's check.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def compact_size(value: Any) -> int:
    """The UTF-8 size of `value` as compact JSON: a component's or link's share of its
    board's compact size (it is written the same inside the board as alone)."""
    if type(value) in (int, float):
        return len(repr(value))  # how json writes a number (its repr), without the encoder
    return len(_COMPACT.encode(value).encode())


def check_board_size(board: Board) -> Board:
    size = board_size(board)
    if size > MAX_BOARD_BYTES:
        raise DocumentError(
            f"the board would take {size} bytes as JSON; the limit is {MAX_BOARD_BYTES}"
        )
    return board


def check_prop(spec: PropSpec, value: Any, path: str) -> Any:
    if spec.kind == "string":
        return check_text(value, path, MAX_PROP_TEXT)
    if spec.kind == "choice":
        if value not in spec.choices:
            raise DocumentError(
                f"must be one of {', '.join(spec.choices)}, got {_show(value)}", path
            )
        return value
    if spec.kind == "integer":
        if type(value) is not int:
            raise DocumentError(f"must be a whole number, got {_show(value)}", path)
        if spec.minimum is not None and value < spec.minimum:
            raise DocumentError(f"must be at least {spec.minimum}, got {value}", path)
        if abs(value) > MAX_PROP_INTEGER:
            raise DocumentError(f"must lie within ±{MAX_PROP_INTEGER}, got {_show(value)}", path)
        return value
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DocumentError(f"must be a list of strings, got {_show(value)}", path)
    if len(value) > MAX_LIST_ITEMS:
        raise DocumentError(f"has {len(value)} items; the limit is {MAX_LIST_ITEMS}", path)
    for index, item in enumerate(value):
        check_text(item, f"{path}[{index}]", MAX_PROP_TEXT)
    return value


def parse_node(data: Any, path: str) -> Node:
    if not isinstance(data, dict):
        raise DocumentError(f"a component is an object, got {_kind(data)}", path)
    node_id = check_id(data.get("id"), f"{path}.id")
    where = f'{path} (id "{node_id}")'
    unknown = sorted(set(data) - _NODE_KEYS)
    if unknown:
        raise DocumentError(f'unknown key "{unknown[0]}"', where)
    type_id = check_type(data.get("type"), f"{where}.type")
    node = Node(
        id=node_id,
        type=type_id,
        label=check_text(data.get("label", ""), f"{where}.label", MAX_LABEL),
        x=check_coordinate(data.get("x", 0), f"{where}.x"),
        y=check_coordinate(data.get("y", 0), f"{where}.y"),
        props=check_props(type_id, data.get("props", {}), f"{where}.props"),
    )
    return check_component_size(node, where)


def parse_edge(data: Any, path: str) -> Edge:
    if not isinstance(data, dict):
        raise DocumentError(f"an edge is an object, got {_kind(data)}", path)
    edge_id = check_id(data.get("id"), f"{path}.id")
    where = f'{path} (id "{edge_id}")'
    unknown = sorted(set(data) - _EDGE_KEYS)
    if unknown:
        raise DocumentError(f'unknown key "{unknown[0]}"', where)
    return Edge(
        id=edge_id,
        source=check_id(data.get("source"), f"{where}.source"),
        target=check_id(data.get("target"), f"{where}.target"),
        label=check_text(data.get("label", ""), f"{where}.label", MAX_LABEL),
    )


def _parse_nodes(items: Any) -> list[Node]:
    if not isinstance(items, list):
        raise DocumentError(f"must be a list, got {_kind(items)}", "nodes")
    if len(items) > MAX_NODES:
        raise DocumentError(f"has {len(items)} components; the limit is {MAX_NODES}", "nodes")
    nodes: list[Node] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        node = parse_node(item, f"nodes[{index}]")
        if node.id in seen:
            raise DocumentError(f'duplicate component id "{node.id}"', f"nodes[{index}].id")
        seen.add(node.id)
        nodes.append(node)
    return nodes


def _parse_edges(items: Any, node_ids: set[str]) -> list[Edge]:
    if not isinstance(items, list):
        raise DocumentError(f"must be a list, got {_kind(items)}", "edges")
    if len(items) > MAX_EDGES:
        raise DocumentError(f"has {len(items)} edges; the limit is {MAX_EDGES}", "edges")
    edges: list[Edge] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        edge = parse_edge(item, f"edges[{index}]")
        if edge.id in seen:
            raise DocumentError(f'duplicate edge id "{edge.id}"', f"edges[{index}].id")
        for end in ("source", "target"):
            if getattr(edge, end) not in node_ids:
                raise DocumentError(
                    f'names missing component "{getattr(edge, end)}"',
                    f'edges[{index}] (id "{edge.id}").{end}',
                )
        seen.add(edge.id)
        edges.append(edge)
    return edges


def _kind(value: Any) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    """A short, safe rendering of a JSON value for an error message."""
    try:
        text = json.dumps(value, ensure_ascii=True) if _is_plain(value) else _kind(value)
    except (ValueError, TypeError, RecursionError):  # huge ints, non-JSON contents
        text = _kind(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, list, dict))
