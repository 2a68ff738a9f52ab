"""Operation → document fixtures, made by components/operations.py, shared with the browser.

Each case is a board, an operation, and what the server makes of it: the board after it
(`after`), or the refusal (`refused`, the server's message). They are written to
tests/fixtures/ops/<name>.json:

    .venv/bin/python -m tests.op_fixtures      # after changing operations.py

tests/components/test_op_fixtures.py checks the files are what operations.py makes today,
and tests/js/doc.test.mjs (`node --test tests/js/`) applies every case with
static/js/doc.js, the browser's copy of the operations: so doc.js cannot drift from
operations.py without a test failing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from components.catalogue import COMPONENT_TYPES, catalogue_as_json, connection_refusal
from components.document import Board, dump, parse
from components.operations import OperationError, apply_operation

FOLDER = Path(__file__).parent / "fixtures" / "ops"
# The catalogue JSON the board page embeds, and the server's verdict on every pair of
# types: tests/js/connections.test.mjs checks static/js/connections.js against both.
CATALOGUE = Path(__file__).parent / "fixtures" / "catalogue.json"
CONNECTIONS = Path(__file__).parent / "fixtures" / "connections.json"

BASE: dict[str, Any] = {
    "format": "mlsd-studio/board",
    "version": 1,
    "title": "Fixture board",
    "level": "senior",
    "notes": {"requirements": "p99 under 100 ms"},
    "nodes": [
        {"id": "app", "type": "client_app", "label": "Mobile app", "x": 0, "y": 0},
        {"id": "gw", "type": "api_gateway", "label": "", "x": 200, "y": 0},
        {"id": "pred", "type": "inference_service", "x": 400, "y": 0, "props": {"replicas": 3}},
        {"id": "fs", "type": "feature_store", "label": "Features", "x": 400, "y": 200},
        {"id": "memo", "type": "note", "label": "Ask about cold start", "x": 0, "y": 200},
    ],
    "edges": [
        {"id": "e1", "source": "app", "target": "gw"},
        {"id": "e2", "source": "gw", "target": "pred", "label": "HTTP"},
        {"id": "e3", "source": "fs", "target": "pred"},
    ],
}

IMPORTED: dict[str, Any] = {
    "format": "mlsd-studio/board",
    "version": 1,
    "title": "Imported",
    "level": "staff",
    "nodes": [{"id": "lake", "type": "data_lake", "label": "Lake", "x": 10, "y": 20}],
    "edges": [],
}

# name: (what it shows, the operation, whether the browser's doc.js refuses it too)
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "add_node": (
        "a component is appended",
        {"op": "add_node", "node": {"id": "n9", "type": "cache", "x": 5, "y": 6}},
    ),
    "add_node_with_props": (
        "props come along",
        {
            "op": "add_node",
            "node": {
                "id": "tp",
                "type": "training_pipeline",
                "label": "Train",
                "x": 1,
                "y": 2,
                "props": {"task": "ranking"},
            },
        },
    ),
    "update_node_label": (
        "a label changes in place",
        {"op": "update_node", "id": "gw", "changes": {"label": "Edge gateway"}},
    ),
    "update_node_props": (
        "a prop is set and a prop set to null is removed",
        {"op": "update_node", "id": "pred", "changes": {"props": {"replicas": None}}},
    ),
    "update_node_label_and_props": (
        "label and props in one change",
        {
            "op": "update_node",
            "id": "fs",
            "changes": {"label": "Online features", "props": {"features": ["age", "country"]}},
        },
    ),
    "move_node": ("a move", {"op": "move_node", "id": "app", "x": -40, "y": 12.5}),
    "move_node_from_here": (
        "a move made only if the component is where the sender saw it: it is",
        {"op": "move_node", "id": "gw", "x": 180, "y": 0, "from": {"x": 200, "y": 0}},
    ),
    "move_node_from_elsewhere": (
        "a move made only if the component is where the sender saw it: moved meanwhile, "
        "it stays where it is",
        {
            "op": "batch",
            "ops": [
                {"op": "update_node", "id": "gw", "changes": {"label": "Edge gateway (Envoy)"}},
                {"op": "move_node", "id": "gw", "x": 180, "y": 0, "from": {"x": 240, "y": 0}},
            ],
        },
    ),
    "delete_node": (
        "deleting a component deletes its connections",
        {"op": "delete_node", "id": "pred"},
    ),
    "add_edge": (
        "a connection is appended",
        {"op": "add_edge", "edge": {"id": "e4", "source": "memo", "target": "fs", "label": "?"}},
    ),
    "update_edge": (
        "a connection's label",
        {"op": "update_edge", "id": "e1", "changes": {"label": "events"}},
    ),
    "delete_edge": ("a connection goes", {"op": "delete_edge", "id": "e2"}),
    "update_notes": (
        "a step's notes",
        {"op": "update_notes", "step": "framing", "text": "Rank videos by watch time"},
    ),
    "update_board_title": (
        "the title",
        {"op": "update_board", "changes": {"title": "Renamed"}},
    ),
    "update_board_level": ("the level", {"op": "update_board", "changes": {"level": "staff"}}),
    "batch": (
        "a batch applies in order",
        {
            "op": "batch",
            "ops": [
                {"op": "add_node", "node": {"id": "c1", "type": "cache", "x": 0, "y": 0}},
                {"op": "add_edge", "edge": {"id": "e9", "source": "pred", "target": "c1"}},
                {"op": "move_node", "id": "c1", "x": 600, "y": 0},
                {"op": "delete_edge", "id": "e1"},
            ],
        },
    ),
    # As studio/services.py sends it: the canonical document (every step's notes present).
    "import": (
        "an import replaces everything",
        {"op": "import", "document": parse(IMPORTED).to_dict()},
    ),
    # Refused by both: the structural checks the browser repeats.
    "refused_update_missing": (
        "a component that does not exist",
        {"op": "update_node", "id": "ghost", "changes": {"label": "x"}},
    ),
    "refused_move_missing": (
        "moving a deleted component",
        {"op": "move_node", "id": "ghost", "x": 0, "y": 0},
    ),
    "refused_add_node_taken": (
        "an id already taken",
        {"op": "add_node", "node": {"id": "gw", "type": "cache", "x": 0, "y": 0}},
    ),
    "refused_self_connection": (
        "a component connected to itself",
        {"op": "add_edge", "edge": {"id": "e8", "source": "gw", "target": "gw"}},
    ),
    "refused_duplicate_connection": (
        "the same direction twice",
        {"op": "add_edge", "edge": {"id": "e8", "source": "app", "target": "gw"}},
    ),
    "refused_edge_to_nothing": (
        "a connection to a missing component",
        {"op": "add_edge", "edge": {"id": "e8", "source": "app", "target": "ghost"}},
    ),
    "refused_delete_edge_missing": ("a missing connection", {"op": "delete_edge", "id": "e77"}),
    "refused_empty_changes": (
        "changes must say something",
        {"op": "update_node", "id": "gw", "changes": {}},
    ),
    "refused_nested_batch": (
        "batches do not nest",
        {"op": "batch", "ops": [{"op": "batch", "ops": [{"op": "delete_edge", "id": "e1"}]}]},
    ),
    "refused_empty_batch": ("a batch holds something", {"op": "batch", "ops": []}),
    "refused_batch_is_atomic": (
        "one refused step refuses the batch, and nothing changes",
        {
            "op": "batch",
            "ops": [
                {"op": "delete_edge", "id": "e1"},
                {"op": "delete_node", "id": "ghost"},
            ],
        },
    ),
    "refused_unknown_op": ("an operation nobody knows", {"op": "teleport", "id": "gw"}),
}


def case(name: str) -> dict[str, Any]:
    """One fixture: what operations.py makes of the case's operation on BASE."""
    shows, op = CASES[name]
    before = parse(BASE)
    data: dict[str, Any] = {"shows": shows, "before": before.to_dict(), "op": op}
    try:
        after: Board = apply_operation(before, op)
    except OperationError as exc:
        data["refused"] = str(exc)
    else:
        data["after"] = after.to_dict()
    return data


def render(name: str) -> str:
    return json.dumps(case(name), indent=2, ensure_ascii=False) + "\n"


def render_catalogue() -> str:
    return json.dumps(catalogue_as_json(), indent=2, ensure_ascii=False) + "\n"


def render_connections() -> str:
    """{source type: {target type: the server's refusal, or null when allowed}}."""
    verdicts = {
        source: {target: connection_refusal(source, target) for target in COMPONENT_TYPES}
        for source in COMPONENT_TYPES
    }
    return json.dumps(verdicts, indent=1, ensure_ascii=False) + "\n"


def write() -> list[Path]:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for old in FOLDER.glob("*.json"):
        old.unlink()
    paths = []
    for name in CASES:
        path = FOLDER / f"{name}.json"
        path.write_text(render(name))
        paths.append(path)
    CATALOGUE.write_text(render_catalogue())
    CONNECTIONS.write_text(render_connections())
    return [*paths, CATALOGUE, CONNECTIONS]


if __name__ == "__main__":
    written = write()
    assert dump(parse(BASE))  # the base board is itself a valid document
    print(f"wrote {len(written)} files: {FOLDER}/, {CATALOGUE.name}, {CONNECTIONS.name}")
