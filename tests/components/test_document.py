"""The board document (framework.md §3): every refusal names its culprit; dumps round-trip."""

from __future__ import annotations

import copy
import json

import pytest

from components.document import (
    MAX_EDGES,
    MAX_NODES,
    Board,
    DocumentError,
    Edge,
    Node,
    dump,
    parse,
)
from components.steps import STEP_KEYS
from tests.conftest import DESIGNS

EXAMPLES = sorted(p.stem for p in DESIGNS.glob("*.json"))


def _doc(**top) -> dict:
    """A small valid document; keyword arguments replace top-level keys."""
    data = {
        "format": "mlsd-studio/board",
        "version": 1,
        "title": "Fraud detection",
        "level": "senior",
        "notes": {"requirements": "10k TPS"},
        "nodes": [
            {
                "id": "api",
                "type": "inference_service",
                "label": "Scorer",
                "x": 10,
                "y": 20,
                "props": {"features": ["amount"], "replicas": 3},
            },
            {
                "id": "train",
                "type": "training_pipeline",
                "x": 0.5,
                "y": -4,
                "props": {"task": "classification"},
            },
            {"id": "reg", "type": "model_registry"},
        ],
        "edges": [
            {"id": "e1", "source": "train", "target": "reg"},
            {"id": "e2", "source": "reg", "target": "api", "label": "model"},
        ],
    }
    data.update(top)
    return data


def _refused(source) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        parse(source)
    return caught.value


def _with_node_field(field: str, value) -> dict:
    data = _doc()
    data["nodes"][0][field] = value
    return data


def _with_prop(node_index: int, name: str, value) -> dict:
    data = _doc()
    data["nodes"][node_index].setdefault("props", {})[name] = value
    return data


# --- accepted documents -----------------------------------------------------------------


def test_valid_document_parses():
    board = parse(json.dumps(_doc()))
    assert board.title == "Fraud detection"
    assert [n.id for n in board.nodes] == ["api", "train", "reg"]
    assert board.node("api").props == {"features": ["amount"], "replicas": 3}
    assert board.node("train").x == 0.5 and board.node("train").y == -4
    assert board.edge("e2").label == "model"
    assert board.notes["requirements"] == "10k TPS"
    assert set(board.notes) == set(STEP_KEYS)


def test_text_bytes_and_decoded_object_give_the_same_board():
    text = json.dumps(_doc())
    assert parse(text) == parse(text.encode()) == parse(_doc())
    assert parse(b"\xef\xbb\xbf" + text.encode()) == parse(text)  # UTF-8 BOM is accepted


def test_defaults():
    board = parse({"format": "mlsd-studio/board", "version": 1})
    assert board.level == "senior"
    assert board.title == ""
    assert board.nodes == [] and board.edges == []
    assert board.notes == {key: "" for key in STEP_KEYS}
    node = parse(_doc(nodes=[{"id": "n", "type": "cache"}], edges=[])).nodes[0]
    assert (node.label, node.x, node.y, node.props) == ("", 0, 0, {})


def test_unknown_props_are_kept_as_short_flat_strings():
    data = _with_prop(0, "owner", "risk team")
    data["nodes"][2]["props"] = {"backend": "mlflow"}
    board = parse(data)
    assert board.node("api").props["owner"] == "risk team"
    assert board.node("reg").props == {"backend": "mlflow"}
    again = parse(dump(board))
    assert again.node("api").props["owner"] == "risk team"
    assert again.node("reg").props["backend"] == "mlflow"


@pytest.mark.parametrize(
    "value",
    [{"kind": "mlflow"}, [1, 2], ["a"], 3, True, None, "x" * 201],
)
def test_unknown_props_that_are_not_short_strings_are_refused(value):
    error = _refused(_with_prop(2, "backend", value))
    assert '"reg"' in str(error) and "backend" in str(error)


def test_a_deeply_nested_unknown_prop_is_refused_not_kept():
    deep: object = "x"
    for _ in range(900):
        deep = {"a": deep}
    error = _refused(_with_prop(2, "junk", deep))
    assert "junk" in str(error) and "only as text" in str(error)


def test_too_many_unknown_props_are_refused():
    data = _doc()
    data["nodes"][2]["props"] = {f"p{i}": "v" for i in range(21)}
    assert "more than 20" in str(_refused(data))
    data["nodes"][2]["props"] = {f"p{i}": "v" for i in range(20)}
    assert len(parse(data).node("reg").props) == 20


def test_component_and_board_size_limits():
    from components.document import MAX_BOARD_BYTES, MAX_COMPONENT_BYTES, board_size

    data = _doc()
    data["nodes"][0]["props"] = {
        "features": ["f" * 200] * 100  # 20 KB: each item is valid, the component is not
    }
    error = _refused(data)
    assert '"api"' in str(error) and str(MAX_COMPONENT_BYTES) in str(error)
    # A board of components each under the limit, whose export would pass the board limit.
    nodes = [
        {"id": f"n{i}", "type": "feature_store", "props": {"features": ["f" * 190] * 70}}
        for i in range(400)
    ]
    error = _refused(_doc(nodes=nodes, edges=[]))
    assert str(MAX_BOARD_BYTES) in str(error)
    ok = parse(_doc(nodes=nodes[:250], edges=[]))
    text = dump(ok)
    assert board_size(ok) == len(text.encode()) <= MAX_BOARD_BYTES
    assert parse(text) == ok  # the export imports back


@pytest.mark.parametrize("bad", ["&x;", "&#0;", "&#x1;", "&bogus;", "a b", "<n>", 'a"', "é", "a/b"])
def test_ids_outside_the_safe_set_are_refused(bad):
    error = _refused(_doc(nodes=[{"id": bad, "type": "cache"}], edges=[]))
    assert "not a valid id" in str(error) and "letters, digits" in str(error)


def test_ids_may_use_letters_digits_and_dash_underscore_dot_colon():
    board = parse(_doc(nodes=[{"id": "Aa-0_.:z", "type": "cache"}], edges=[]))
    assert board.nodes[0].id == "Aa-0_.:z"


def test_limits_are_inclusive():
    data = _doc(title="t" * 200)
    data["nodes"][0]["label"] = "l" * 200
    assert parse(data).node("api").label == "l" * 200
    nodes = [{"id": f"n{i}", "type": "note"} for i in range(MAX_NODES)]
    edges = [{"id": f"e{i}", "source": "n0", "target": "n1"} for i in range(MAX_EDGES)]
    board = parse(_doc(nodes=nodes, edges=edges))
    assert len(board.nodes) == MAX_NODES and len(board.edges) == MAX_EDGES


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["{", "", "nodes: []", '{"format": "mlsd-studio/board",}'])
def test_not_json(text):
    assert "not valid JSON" in str(_refused(text))


def test_not_utf8():
    assert "UTF-8" in str(_refused(b'{"title": "\xff"}'))


@pytest.mark.parametrize(
    "value,kind",
    [("[1, 2]", "a list"), ('"board"', "a string"), ("3", "a number"), ("null", "null")],
)
def test_not_a_json_object(value, kind):
    error = _refused(value)
    assert "JSON object" in str(error) and kind in str(error)
    decoded = json.loads(value)
    if not isinstance(decoded, str):  # a str would be read as JSON text
        assert kind in str(_refused(decoded))


@pytest.mark.parametrize("value", ["mlsd-studio/diagram", None, 1])
def test_wrong_format(value):
    data = _doc(format=value)
    if value is None:
        del data["format"]
    error = _refused(data)
    assert error.path == "format"
    assert json.dumps(value) in str(error)


@pytest.mark.parametrize("value", [2, 0, "1", True, 1.0, None])
def test_wrong_version(value):
    error = _refused(_doc(version=value))
    assert error.path == "version"
    assert json.dumps(value) in str(error)


def test_missing_version():
    data = _doc()
    del data["version"]
    assert _refused(data).path == "version"


def test_unknown_top_level_key():
    error = _refused(_doc(colour="blue"))
    assert '"colour"' in str(error)
    assert error.path == "colour"


def test_unknown_level():
    error = _refused(_doc(level="principal"))
    assert error.path == "level"
    assert "principal" in str(error)
    assert "mid, senior, staff" in str(error)


def test_unknown_type():
    error = _refused(_with_node_field("type", "warp_drive"))
    assert "warp_drive" in str(error)
    assert '"api"' in str(error)
    assert error.path.endswith(".type")


@pytest.mark.parametrize("value", [[], {}, ["cache"], 3, None])
def test_type_that_is_not_a_string(value):
    error = _refused(_with_node_field("type", value))
    assert '"api"' in str(error) and error.path.endswith(".type")


def test_missing_type():
    data = _doc()
    del data["nodes"][1]["type"]
    assert '"train"' in str(_refused(data))


def test_duplicate_node_id():
    data = _doc()
    data["nodes"].append({"id": "reg", "type": "cache"})
    error = _refused(data)
    assert 'duplicate component id "reg"' in str(error)
    assert error.path == "nodes[3].id"


def test_duplicate_edge_id():
    data = _doc()
    data["edges"].append({"id": "e1", "source": "api", "target": "reg"})
    error = _refused(data)
    assert 'duplicate edge id "e1"' in str(error)
    assert error.path == "edges[2].id"


@pytest.mark.parametrize("end", ["source", "target"])
def test_edge_naming_a_missing_node(end):
    data = _doc()
    data["edges"][1][end] = "ghost"
    error = _refused(data)
    assert '"ghost"' in str(error)
    assert '"e2"' in str(error)
    assert error.path.endswith(f".{end}")


@pytest.mark.parametrize("field", ["x", "y"])
@pytest.mark.parametrize(
    "value", ["120", True, None, [1], {"v": 1}, float("nan"), float("inf"), -float("inf")]
)
def test_non_numeric_position(field, value):
    error = _refused(_with_node_field(field, value))
    assert '"api"' in str(error)
    assert error.path.endswith(f".{field}")
    assert "number" in str(error)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_position_in_json_text(literal):
    text = json.dumps(_doc()).replace('"x": 10', f'"x": {literal}')
    assert literal in text
    assert literal in str(_refused(text))


@pytest.mark.parametrize("value", [10**400, 1e300, -2_000_000])
def test_position_out_of_range(value):
    error = _refused(_with_node_field("x", value))
    assert error.path.endswith(".x") and '"api"' in str(error)


def test_huge_integer_in_json_text():
    digits = "9" * 5000
    text = json.dumps(_doc()).replace('"x": 10', f'"x": {digits}')
    _refused(text)
    _refused(text.replace(f'"x": {digits}', '"x": 1e400'))


@pytest.mark.parametrize("value", ["amount", [1], ["amount", None], {"a": 1}, 3])
def test_features_not_a_list_of_strings(value):
    error = _refused(_with_prop(0, "features", value))
    assert error.path.endswith(".props.features")
    assert '"api"' in str(error)
    assert "list of strings" in str(error)


@pytest.mark.parametrize("value", ["clustering", "Ranking", 1, None, ["ranking"]])
def test_task_not_a_choice(value):
    error = _refused(_with_prop(1, "task", value))
    assert error.path.endswith(".props.task")
    assert '"train"' in str(error)
    assert json.dumps(value) in str(error)
    assert "classification" in str(error)


@pytest.mark.parametrize("value", [2.5, "3", True, None, [3]])
def test_replicas_not_an_integer(value):
    error = _refused(_with_prop(0, "replicas", value))
    assert error.path.endswith(".props.replicas")
    assert '"api"' in str(error)
    assert json.dumps(value) in str(error)


def test_replicas_below_minimum():
    error = _refused(_with_prop(0, "replicas", 0))
    assert "at least 1" in str(error)


def test_props_not_an_object():
    error = _refused(_with_node_field("props", ["features"]))
    assert error.path.endswith(".props") and '"api"' in str(error)


def test_mode_choice_and_string_prop():
    assert "streaming" in str(
        _refused(
            _doc(
                nodes=[{"id": "fp", "type": "feature_pipeline", "props": {"mode": "hourly"}}],
                edges=[],
            )
        )
    )
    assert '"train"' in str(_refused(_with_prop(1, "model", 42)))


@pytest.mark.parametrize("where", ["node", "edge", "title"])
def test_label_over_200_characters(where):
    data = _doc()
    if where == "node":
        data["nodes"][1]["label"] = "x" * 201
    elif where == "edge":
        data["edges"][0]["label"] = "x" * 201
    else:
        data["title"] = "x" * 201
    error = _refused(data)
    assert "201" in str(error) and "200" in str(error)
    if where == "node":
        assert '"train"' in str(error) and error.path.endswith(".label")
    elif where == "edge":
        assert '"e1"' in str(error) and error.path.endswith(".label")
    else:
        assert error.path == "title"


def test_label_not_a_string():
    error = _refused(_with_node_field("label", 7))
    assert '"api"' in str(error) and "string" in str(error)


def test_more_than_2000_components():
    nodes = [{"id": f"n{i}", "type": "note"} for i in range(MAX_NODES + 1)]
    error = _refused(_doc(nodes=nodes, edges=[]))
    assert error.path == "nodes"
    assert str(MAX_NODES + 1) in str(error) and str(MAX_NODES) in str(error)


def test_more_than_6000_edges():
    edges = [{"id": f"e{i}", "source": "api", "target": "reg"} for i in range(MAX_EDGES + 1)]
    error = _refused(_doc(edges=edges))
    assert error.path == "edges"
    assert str(MAX_EDGES + 1) in str(error) and str(MAX_EDGES) in str(error)


def test_unknown_step_in_notes():
    error = _refused(_doc(notes={"requirements": "", "deployment": "k8s"}))
    assert '"deployment"' in str(error)
    assert error.path == "notes.deployment"


def test_notes_must_be_strings_in_an_object():
    assert _refused(_doc(notes=["requirements"])).path == "notes"
    assert _refused(_doc(notes={"framing": 3})).path == "notes.framing"


@pytest.mark.parametrize("value", [None, "", 5, "x" * 65])
def test_bad_node_id(value):
    data = _doc(edges=[])
    data["nodes"][2]["id"] = value
    error = _refused(data)
    assert error.path == "nodes[2].id"


def test_bad_edge_endpoint_and_id():
    data = _doc()
    data["edges"][0]["source"] = 3
    assert '"e1"' in str(_refused(data))
    data = _doc()
    data["edges"][0]["id"] = ""
    assert _refused(data).path == "edges[0].id"


def test_unknown_node_and_edge_keys():
    error = _refused(_with_node_field("colour", "red"))
    assert '"colour"' in str(error) and '"api"' in str(error)
    data = _doc()
    data["edges"][1]["weight"] = 2
    error = _refused(data)
    assert '"weight"' in str(error) and '"e2"' in str(error)


@pytest.mark.parametrize(
    "key,value", [("nodes", {}), ("edges", "e1"), ("nodes", [3]), ("edges", [None])]
)
def test_lists_of_objects(key, value):
    data = _doc(**{key: value})
    if key == "nodes":
        data["edges"] = []
    assert _refused(data).path.startswith(key)


def test_unknown_prop_with_non_finite_number():
    # Unknown props are strings: numbers, finite or not, are refused.
    for value in (float("nan"), float("inf"), [1, {"deep": -float("inf")}]):
        error = _refused(_with_prop(2, "weight", value))
        assert '"reg"' in str(error) and "weight" in str(error)
    text = json.dumps(_doc()).replace('"replicas": 3', '"replicas": 3, "score": 1e999')
    assert "score" in str(_refused(text))


def test_error_messages_stay_short_for_huge_values():
    error = _refused(_doc(level="x" * 10_000))
    assert len(str(error)) < 300


# --- canonical dump -----------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_round_trip(name):
    text = (DESIGNS / f"{name}.json").read_text()
    board = parse(text)
    once = dump(board)
    assert dump(parse(once)) == once
    assert parse(once) == board
    assert once.endswith("\n") and '\n  "format": "mlsd-studio/board"' in once


def test_dump_is_canonical_for_equivalent_inputs():
    data = _doc()
    reordered = {key: data[key] for key in reversed(list(data))}
    reordered["nodes"][2]["props"] = {}
    reordered["edges"][0]["label"] = ""
    assert dump(parse(data)) == dump(parse(reordered))


def test_dump_keeps_every_field():
    board = parse(_with_prop(0, "owner", "team"))
    out = json.loads(dump(board))
    assert out["format"] == "mlsd-studio/board" and out["version"] == 1
    assert out["level"] == "senior" and out["title"] == "Fraud detection"
    assert list(out["notes"]) == list(STEP_KEYS)
    assert out["nodes"][0] == {
        "id": "api",
        "type": "inference_service",
        "label": "Scorer",
        "x": 10,
        "y": 20,
        "props": {"features": ["amount"], "replicas": 3, "owner": "team"},
    }
    assert out["edges"][1] == {"id": "e2", "source": "reg", "target": "api", "label": "model"}


def test_dump_keeps_non_ascii_text():
    board = Board(
        title="Empfehlungen für Nutzer 🎬", nodes=[Node("n", "note", label="日本語")], edges=[]
    )
    text = dump(board)
    assert "für" in text and "日本語" in text
    assert parse(text) == board


def test_parse_does_not_alias_or_mutate_its_input():
    data = _doc()
    original = copy.deepcopy(data)
    board = parse(data)
    assert data == original
    board.node("api").props["owner"] = "changed"
    assert "owner" not in data["nodes"][0]["props"]


def test_board_helpers():
    board = parse(_doc())
    assert board.node("missing") is None and board.edge("missing") is None
    assert isinstance(board.edge("e1"), Edge) and board.edge("e1").target == "reg"


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "x\udfffy"])
def test_text_that_cannot_be_stored_is_refused_with_its_position(text):
    board = {
        "format": "mlsd-studio/board",
        "version": 1,
        "nodes": [{"id": "n", "type": "cache", "label": text}],
    }
    with pytest.raises(DocumentError, match=r"holds the character U\+[0-9A-F]{4} at position"):
        parse(board)
    board["nodes"][0] = {"id": "n", "type": "cache", "props": {"extra": {"deep": [text]}}}
    with pytest.raises(DocumentError, match="props.extra"):
        parse(board)


def test_a_case_study_slug_round_trips_and_is_written_only_when_set():
    data = {"format": "mlsd-studio/board", "version": 1, "title": "T", "case_study": "ad-click"}
    board = parse(data)
    assert board.case_study == "ad-click"
    assert parse(dump(board)).case_study == "ad-click"
    assert "case_study" not in parse({**data, "case_study": ""}).to_dict()


@pytest.mark.parametrize("bad", ["Ad Click", "ad--click", "-ad", 7, "a" * 65])
def test_a_case_study_that_is_not_a_slug_is_refused(bad):
    data = {"format": "mlsd-studio/board", "version": 1, "case_study": bad}
    with pytest.raises(DocumentError) as refused:
        parse(data)
    assert "case_study" in str(refused.value)
