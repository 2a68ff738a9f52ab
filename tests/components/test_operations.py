"""Editor operations: each one applied, each refusal named, the input board never mutated."""

from __future__ import annotations

import copy

import pytest

from components.document import MAX_EDGES, MAX_NODES, Board, Edge, Node, dump, parse
from components.operations import (
    OPERATION_NAMES,
    OperationError,
    apply_all,
    apply_operation,
    normalise,
)
from tests.conftest import load_design


@pytest.fixture
def board() -> Board:
    return Board(
        title="Fraud",
        nodes=[
            Node("lake", "data_lake", "Lake", 0, 0),
            Node(
                "train",
                "training_pipeline",
                "Train",
                100,
                0,
                {"task": "classification", "owner": "ml-team"},
            ),
            Node("reg", "model_registry", "", 200, 0),
            Node(
                "inf",
                "inference_service",
                "Scorer",
                300,
                0,
                {"features": ["amount"], "replicas": 2},
            ),
        ],
        edges=[
            Edge("e1", "lake", "train"),
            Edge("e2", "train", "reg", "model"),
            Edge("e3", "reg", "inf"),
        ],
    )


def apply(board: Board, op: dict) -> Board:
    """apply_operation, checking that the input board is left exactly as it was."""
    before = copy.deepcopy(board)
    try:
        return apply_operation(board, op)
    finally:
        assert board == before, "apply_operation mutated its input"


def refused(board: Board, op: dict) -> str:
    with pytest.raises(OperationError) as caught:
        apply(board, op)
    return str(caught.value)


# --- each operation -------------------------------------------------------------------------


def test_add_node(board):
    new = apply(
        board,
        {
            "op": "add_node",
            "node": {
                "id": "fs",
                "type": "feature_store",
                "label": "Feast",
                "x": 5,
                "y": 6,
                "props": {"features": ["amount"]},
            },
        },
    )
    assert [n.id for n in new.nodes] == ["lake", "train", "reg", "inf", "fs"]
    assert new.node("fs") == Node("fs", "feature_store", "Feast", 5, 6, {"features": ["amount"]})
    assert board.node("fs") is None


def test_add_node_defaults(board):
    node = apply(board, {"op": "add_node", "node": {"id": "n", "type": "note"}}).node("n")
    assert (node.label, node.x, node.y, node.props) == ("", 0, 0, {})


def test_update_node_label_and_props(board):
    new = apply(
        board,
        {
            "op": "update_node",
            "id": "train",
            "changes": {"label": "Trainer", "props": {"task": "ranking", "features": ["a", "b"]}},
        },
    )
    node = new.node("train")
    assert node.label == "Trainer"
    assert node.props == {"task": "ranking", "owner": "ml-team", "features": ["a", "b"]}
    assert board.node("train").props == {"task": "classification", "owner": "ml-team"}


def test_update_node_removes_props_set_to_null(board):
    new = apply(
        board,
        {
            "op": "update_node",
            "id": "inf",
            "changes": {"props": {"replicas": None, "features": ["x"]}},
        },
    )
    assert new.node("inf").props == {"features": ["x"]}
    # Unknown props kept from an import can be removed, and removing an absent one is fine.
    new = apply(
        board,
        {"op": "update_node", "id": "train", "changes": {"props": {"owner": None, "model": None}}},
    )
    assert new.node("train").props == {"task": "classification"}


def test_update_node_only_label(board):
    new = apply(board, {"op": "update_node", "id": "reg", "changes": {"label": "MLflow"}})
    assert new.node("reg").label == "MLflow" and new.node("reg").props == {}


def test_move_node(board):
    new = apply(board, {"op": "move_node", "id": "reg", "x": -40.5, "y": 1e5})
    assert (new.node("reg").x, new.node("reg").y) == (-40.5, 1e5)
    assert (board.node("reg").x, board.node("reg").y) == (200, 0)


def test_move_node_from_applies_only_where_the_sender_saw_the_component(board):
    here = {"op": "move_node", "id": "reg", "x": 180, "y": 0, "from": {"x": 200, "y": 0}}
    assert apply(board, here).node("reg").x == 180
    moved_meanwhile = apply(board, {"op": "move_node", "id": "reg", "x": 260, "y": 40})
    assert apply(moved_meanwhile, here).node("reg").x == 260  # the earlier move stands


def test_move_node_from_keeps_only_its_position():
    op = {"op": "move_node", "id": "reg", "x": 1, "y": 2, "from": {"x": 0, "y": 0, "junk": "x"}}
    assert normalise(op)["from"] == {"x": 0, "y": 0}


@pytest.mark.parametrize("start", ["200,0", {"x": 200}, {"x": "200", "y": 0}, []])
def test_move_node_from_must_be_a_position(board, start):
    message = refused(board, {"op": "move_node", "id": "reg", "x": 0, "y": 0, "from": start})
    assert "from" in message


def test_delete_node_removes_its_edges(board):
    new = apply(board, {"op": "delete_node", "id": "train"})
    assert [n.id for n in new.nodes] == ["lake", "reg", "inf"]
    assert [e.id for e in new.edges] == ["e3"]
    assert len(board.edges) == 3


def test_add_edge(board):
    new = apply(
        board,
        {"op": "add_edge", "edge": {"id": "e4", "source": "lake", "target": "inf", "label": "raw"}},
    )
    assert new.edges[-1] == Edge("e4", "lake", "inf", "raw")
    assert len(board.edges) == 3


def test_add_edge_to_and_from_a_note(board):
    board = apply(board, {"op": "add_node", "node": {"id": "n", "type": "note"}})
    new = apply(board, {"op": "add_edge", "edge": {"id": "a", "source": "n", "target": "inf"}})
    new = apply(new, {"op": "add_edge", "edge": {"id": "b", "source": "inf", "target": "n"}})
    assert [e.id for e in new.edges][-2:] == ["a", "b"]


def test_reverse_direction_is_not_a_duplicate(board):
    new = apply(
        board, {"op": "add_edge", "edge": {"id": "back", "source": "reg", "target": "train"}}
    )
    assert new.edge("back").source == "reg"


def test_update_edge(board):
    new = apply(board, {"op": "update_edge", "id": "e1", "changes": {"label": "logs"}})
    assert new.edge("e1").label == "logs" and board.edge("e1").label == ""


def test_delete_edge(board):
    new = apply(board, {"op": "delete_edge", "id": "e2"})
    assert [e.id for e in new.edges] == ["e1", "e3"]
    assert [n.id for n in new.nodes] == ["lake", "train", "reg", "inf"]


def test_update_notes(board):
    new = apply(board, {"op": "update_notes", "step": "framing", "text": "Binary classifier"})
    assert new.notes["framing"] == "Binary classifier"
    assert board.notes["framing"] == ""
    assert new.notes["requirements"] == ""


def test_update_board(board):
    new = apply(board, {"op": "update_board", "changes": {"title": "Fraud v2"}})
    assert (new.title, new.level) == ("Fraud v2", "senior")
    new = apply(new, {"op": "update_board", "changes": {"level": "staff"}})
    assert (new.title, new.level) == ("Fraud v2", "staff")
    assert (board.title, board.level) == ("Fraud", "senior")


def test_batch_applies_all_in_order(board):
    new = apply(
        board,
        {
            "op": "batch",
            "ops": [
                {"op": "add_node", "node": {"id": "fs", "type": "feature_store"}},
                {"op": "add_edge", "edge": {"id": "e4", "source": "fs", "target": "train"}},
                {"op": "add_edge", "edge": {"id": "e5", "source": "fs", "target": "inf"}},
                {"op": "move_node", "id": "fs", "x": 1, "y": 2},
            ],
        },
    )
    assert new.node("fs").x == 1
    assert [e.id for e in new.edges] == ["e1", "e2", "e3", "e4", "e5"]


def test_batch_is_atomic(board):
    message = refused(
        board,
        {
            "op": "batch",
            "ops": [
                {"op": "add_node", "node": {"id": "fs", "type": "feature_store"}},
                {"op": "delete_node", "id": "lake"},
                {"op": "add_edge", "edge": {"id": "e4", "source": "fs", "target": "ghost"}},
            ],
        },
    )
    assert "operation 3 of the batch" in message and "'ghost'" in message
    assert board.node("fs") is None and board.node("lake") is not None


def test_apply_all_replays_a_log(board):
    new = apply_all(
        board,
        [{"op": "delete_edge", "id": "e1"}, {"op": "update_notes", "step": "data", "text": "logs"}],
    )
    assert [e.id for e in new.edges] == ["e2", "e3"] and new.notes["data"] == "logs"


def test_every_operation_name_is_tested():
    tested = {
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
    }
    assert set(OPERATION_NAMES) <= tested


def test_import_replaces_the_board(board):
    if "import" not in OPERATION_NAMES:
        pytest.skip("no import operation")
    example = load_design("video_recommendation")
    new = apply(board, {"op": "import", "document": example.to_dict()})
    assert dump(new) == dump(example)
    message = refused(board, {"op": "import", "document": {"format": "other", "version": 1}})
    assert "format" in message


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "op", [{"op": "rename_node", "id": "lake"}, {"op": None}, {}, {"op": ["add_node"]}]
)
def test_unknown_operation(board, op):
    message = refused(board, op)
    assert "unknown operation" in message
    assert "add_node" in message


@pytest.mark.parametrize("op", [None, "add_node", ["op"], 3])
def test_operation_not_an_object(board, op):
    assert "object" in refused(board, op)


@pytest.mark.parametrize(
    "op",
    [
        {"op": "update_node", "id": "ghost", "changes": {"label": "x"}},
        {"op": "move_node", "id": "ghost", "x": 0, "y": 0},
        {"op": "delete_node", "id": "ghost"},
        {"op": "update_edge", "id": "ghost", "changes": {"label": "x"}},
        {"op": "delete_edge", "id": "ghost"},
    ],
)
def test_unknown_ids(board, op):
    assert "'ghost' does not exist" in refused(board, op)


def test_ids_already_taken(board):
    assert "'reg' is already taken" in refused(
        board, {"op": "add_node", "node": {"id": "reg", "type": "cache"}}
    )
    assert "'e1' is already taken" in refused(
        board, {"op": "add_edge", "edge": {"id": "e1", "source": "lake", "target": "inf"}}
    )


@pytest.mark.parametrize("end", ["source", "target"])
def test_edge_to_a_missing_component(board, end):
    edge = {"id": "e9", "source": "lake", "target": "inf", end: "ghost"}
    message = refused(board, {"op": "add_edge", "edge": edge})
    assert "'ghost'" in message and end in message


def missing(board: Board, op: dict) -> tuple[str, str] | None:
    with pytest.raises(OperationError) as caught:
        apply(board, op)
    return caught.value.missing


@pytest.mark.parametrize(
    "op, expected",
    [
        ({"op": "update_node", "id": "ghost", "changes": {"label": "x"}}, ("component", "ghost")),
        ({"op": "move_node", "id": "ghost", "x": 0, "y": 0}, ("component", "ghost")),
        ({"op": "delete_node", "id": "ghost"}, ("component", "ghost")),
        ({"op": "update_edge", "id": "ghost", "changes": {"label": "x"}}, ("edge", "ghost")),
        ({"op": "delete_edge", "id": "ghost"}, ("edge", "ghost")),
        (
            {"op": "add_edge", "edge": {"id": "e9", "source": "ghost", "target": "inf"}},
            ("component", "ghost"),
        ),
        (
            {"op": "add_edge", "edge": {"id": "e9", "source": "lake", "target": "ghost"}},
            ("component", "ghost"),
        ),
        (
            {
                "op": "batch",
                "ops": [
                    {"op": "move_node", "id": "lake", "x": 5, "y": 5},
                    {"op": "move_node", "id": "ghost", "x": 5, "y": 5},
                ],
            },
            ("component", "ghost"),
        ),
        # Refused for another reason: nothing is missing.
        ({"op": "update_node", "id": "lake", "changes": {"colour": "red"}}, None),
        ({"op": "add_edge", "edge": {"id": "e9", "source": "reg", "target": "reg"}}, None),
        ({"op": "move_node", "id": "not an id!", "x": 0, "y": 0}, None),
    ],
)
def test_a_refusal_names_what_is_missing_for_the_client_to_word(board, op, expected):
    """The live protocol passes `missing` on (the error frame), so the editor can name a
    component someone else deleted by its label rather than by its id."""
    assert missing(board, op) == expected


def test_disallowed_connection(board):
    board = apply(board, {"op": "add_node", "node": {"id": "app", "type": "client_app"}})
    message = refused(
        board, {"op": "add_edge", "edge": {"id": "e9", "source": "app", "target": "train"}}
    )
    # Named as people know them, never by id (the label, else the type's title).
    assert "'app'" not in message and "'train'" not in message
    assert message.startswith("cannot connect “Client app” to “")
    assert "Training pipeline" in message
    assert "cannot connect" in refused(
        board, {"op": "add_edge", "edge": {"id": "e9", "source": "lake", "target": "app"}}
    )


def test_self_loop(board):
    message = refused(
        board, {"op": "add_edge", "edge": {"id": "e9", "source": "reg", "target": "reg"}}
    )
    assert "itself" in message and "'reg'" not in message and "“Model registry”" in message


def test_duplicate_pair(board):
    message = refused(
        board, {"op": "add_edge", "edge": {"id": "e9", "source": "lake", "target": "train"}}
    )
    assert "already connected" in message


@pytest.mark.parametrize(
    "props,name",
    [
        ({"task": "clustering"}, "task"),
        ({"features": "amount"}, "features"),
        ({"features": [1]}, "features"),
        ({"model": 3}, "model"),
    ],
)
def test_bad_prop_on_update(board, props, name):
    message = refused(board, {"op": "update_node", "id": "train", "changes": {"props": props}})
    assert f"props.{name}" in message


def test_bad_replicas_on_update(board):
    for value in (0, 1.5, "2", True):
        assert "props.replicas" in refused(
            board, {"op": "update_node", "id": "inf", "changes": {"props": {"replicas": value}}}
        )


def test_unknown_prop_cannot_be_set(board):
    message = refused(
        board, {"op": "update_node", "id": "reg", "changes": {"props": {"colour": "red"}}}
    )
    assert "'colour'" in message and "Model registry" in message


def test_bad_prop_on_add(board):
    message = refused(
        board,
        {"op": "add_node", "node": {"id": "x", "type": "cache", "props": {"ttl_seconds": "soon"}}},
    )
    assert '"x"' in message and "ttl_seconds" in message
    assert "warp" in refused(board, {"op": "add_node", "node": {"id": "x", "type": "warp"}})


def test_label_too_long(board):
    long = "x" * 201
    assert "200" in refused(board, {"op": "update_node", "id": "reg", "changes": {"label": long}})
    assert "200" in refused(board, {"op": "update_edge", "id": "e1", "changes": {"label": long}})
    assert "200" in refused(
        board, {"op": "add_node", "node": {"id": "n", "type": "note", "label": long}}
    )
    assert "200" in refused(board, {"op": "update_board", "changes": {"title": long}})
    assert (
        apply(board, {"op": "update_node", "id": "reg", "changes": {"label": "x" * 200}})
        .node("reg")
        .label
        == "x" * 200
    )


def test_nested_batch(board):
    message = refused(
        board,
        {
            "op": "batch",
            "ops": [
                {"op": "delete_edge", "id": "e1"},
                {"op": "batch", "ops": [{"op": "delete_edge", "id": "e2"}]},
            ],
        },
    )
    assert "another batch" in message


def test_batch_cannot_smuggle_a_server_only_operation(board):
    if "import" not in OPERATION_NAMES:
        pytest.skip("no import operation")
    document = load_design("video_recommendation").to_dict()
    message = refused(board, {"op": "batch", "ops": [{"op": "import", "document": document}]})
    assert "'import'" in message


@pytest.mark.parametrize("ops", [[], None, "add_node", {"op": "delete_edge"}])
def test_batch_needs_a_list_of_ops(board, ops):
    assert '"ops"' in refused(board, {"op": "batch", "ops": ops})


def test_batch_too_long(board):
    ops = [{"op": "update_notes", "step": "data", "text": str(i)} for i in range(501)]
    assert "at most" in refused(board, {"op": "batch", "ops": ops})


@pytest.mark.parametrize("changes", [None, {}, [], {"colour": "red"}, {"id": "new"}])
def test_update_node_changes_must_be_known(board, changes):
    message = refused(board, {"op": "update_node", "id": "reg", "changes": changes})
    assert "changes" in message or "cannot change" in message


def test_update_node_props_must_be_an_object(board):
    assert '"props"' in refused(
        board, {"op": "update_node", "id": "reg", "changes": {"props": ["a"]}}
    )


def test_update_edge_changes_only_the_label(board):
    assert "'source'" in refused(
        board, {"op": "update_edge", "id": "e1", "changes": {"source": "inf"}}
    )


@pytest.mark.parametrize(
    "x,y",
    [("1", 0), (0, None), (True, 0), (float("nan"), 0), (0, float("inf")), (10**400, 0), (2e6, 0)],
)
def test_move_node_needs_finite_numbers(board, x, y):
    message = refused(board, {"op": "move_node", "id": "reg", "x": x, "y": y})
    assert "x" in message or "y" in message


def test_update_notes_refusals(board):
    assert "'deployment'" in refused(
        board, {"op": "update_notes", "step": "deployment", "text": ""}
    )
    assert "string" in refused(board, {"op": "update_notes", "step": "data", "text": 5})
    assert "limit" in refused(board, {"op": "update_notes", "step": "data", "text": "x" * 20_001})


def test_update_board_refusals(board):
    assert "principal" in refused(board, {"op": "update_board", "changes": {"level": "principal"}})
    assert "'notes'" in refused(board, {"op": "update_board", "changes": {"notes": {}}})


def test_node_and_edge_limits():
    full = Board(nodes=[Node(f"n{i}", "note") for i in range(MAX_NODES)])
    assert str(MAX_NODES) in refused(
        full, {"op": "add_node", "node": {"id": "one-more", "type": "note"}}
    )
    two = Board(
        nodes=[Node("a", "note"), Node("b", "note")],
        edges=[Edge(f"e{i}", "a", "b") for i in range(MAX_EDGES)],
    )
    assert str(MAX_EDGES) in refused(
        two, {"op": "add_edge", "edge": {"id": "x", "source": "b", "target": "a"}}
    )


def test_malformed_node_and_edge_payloads(board):
    assert "object" in refused(board, {"op": "add_node", "node": "cache"})
    assert "object" in refused(board, {"op": "add_edge", "edge": None})
    message = refused(board, {"op": "add_node", "node": {"id": "x", "type": "note", "colour": "y"}})
    assert '"colour"' in message and '"x"' in message
    assert "node.id" in refused(board, {"op": "add_node", "node": {"type": "note"}})


def test_operations_on_a_parsed_example_do_not_touch_it():
    example = load_design("video_recommendation")
    text = dump(example)
    for op in (
        {"op": "delete_node", "id": "gw"},
        {"op": "update_node", "id": "rank", "changes": {"props": {"features": None}}},
        {"op": "update_node", "id": "fs", "changes": {"props": {"features": ["a"]}}},
        {"op": "update_notes", "step": "requirements", "text": ""},
        {
            "op": "batch",
            "ops": [{"op": "delete_edge", "id": "e1"}, {"op": "delete_node", "id": "ghost"}],
        },
    ):
        try:
            apply(example, op)
        except OperationError:
            pass
    assert dump(example) == text
    assert parse(text) == example


def test_legacy_ids_stay_editable_but_new_ones_must_be_safe():
    from components.document import Board as Doc
    from components.document import Node as N

    legacy = Doc(nodes=[N(id="é x", type="cache")])
    moved = apply_operation(legacy, {"op": "move_node", "id": "é x", "x": 1, "y": 2})
    assert moved.nodes[0].x == 1
    with pytest.raises(OperationError, match="not a valid id"):
        apply_operation(legacy, {"op": "add_node", "node": {"id": "&x;", "type": "cache"}})
    with pytest.raises(OperationError, match="not a valid id"):
        apply_operation(legacy, {"op": "delete_node", "id": "&gone;"})


def test_normalise_drops_unknown_fields_everywhere():
    from components.operations import normalise

    op = {"op": "batch", "junk": 1, "ops": [{"op": "move_node", "id": "a", "x": 1, "y": 2, "z": 3}]}
    assert normalise(op) == {"op": "batch", "ops": [{"op": "move_node", "id": "a", "x": 1, "y": 2}]}
    assert normalise("x") == "x" and normalise({"op": "nope", "a": 1}) == {"op": "nope", "a": 1}


def test_size_carried_by_difference_matches_a_fresh_measure() -> None:
    """A move or an update of one component measures only its difference from the board's
    known size (Board.measured_size); after a run of such edits, with labels and
    coordinates whose JSON lengths change, the size is what measuring afresh gives."""
    from components.document import board_size, compact_size

    board = load_design("video_recommendation")
    assert board_size(board) == compact_size(board.to_dict())
    ids = [n.id for n in board.nodes]
    edits: list[dict] = []
    for k, node_id in enumerate(ids):
        edits.append({"op": "move_node", "id": node_id, "x": -12345.678 * k, "y": 7})
        label = "Ünïcode ✓ " * (k % 3) + "x" * k
        edits.append({"op": "update_node", "id": node_id, "changes": {"label": label}})
    for op in edits:
        board = apply_operation(board, op)
        assert board.measured_size is not None, op
        fresh = compact_size(board.to_dict())
        assert board_size(board) == fresh, op


def test_size_limit_still_refuses_an_update_carried_by_difference() -> None:
    """The carried size never lets an edit past the limit: the board measured before the
    edit is refused an update whose export would be one byte over."""
    from components import document

    board = load_design("video_recommendation")
    document.board_size(board)
    assert board.measured_size is not None
    op = {"op": "update_node", "id": board.nodes[0].id, "changes": {"label": "y" * 90}}
    exact = len(dump(apply_operation(board, op)).encode())
    limit = document.MAX_BOARD_BYTES
    try:
        document.MAX_BOARD_BYTES = exact - 1
        with pytest.raises(OperationError, match="bytes as JSON"):
            apply_operation(board, op)
        document.MAX_BOARD_BYTES = exact
        assert document.board_size(apply_operation(board, op)) == exact
    finally:
        document.MAX_BOARD_BYTES = limit


def test_an_update_past_the_component_limit_is_refused(monkeypatch) -> None:
    """An update is held to the component size limit, measured once for the limit and
    the board's carried size: one byte over is refused, exactly at it is accepted."""
    from components import document

    board = load_design("video_recommendation")
    document.board_size(board)  # measured: the update carries the size by difference
    node = board.nodes[0]
    op = {"op": "update_node", "id": node.id, "changes": {"label": node.label + "0123456789"}}
    size = document.component_size(apply_operation(board, op).nodes[0])
    monkeypatch.setattr(document, "MAX_COMPONENT_BYTES", size - 1)
    with pytest.raises(OperationError, match="a component may take at most"):
        apply_operation(board, op)
    monkeypatch.setattr(document, "MAX_COMPONENT_BYTES", size)
    after = apply_operation(board, op)
    assert after.nodes[0].label == node.label + "0123456789"
    assert after.measured_size == document.compact_size(after.to_dict())
