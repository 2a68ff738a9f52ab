"""Property tests: random valid boards never crash the validator and round-trip; broken
documents and random junk only ever raise DocumentError; operations only OperationError."""

from __future__ import annotations

import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.catalogue import COMPONENT_TYPES, PropSpec
from components.document import Board, DocumentError, dump, parse
from components.operations import OperationError, apply_operation
from components.report import findings_unchanged, validate
from components.rules import RULES
from components.steps import STEP_KEYS

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TYPES = sorted(COMPONENT_TYPES)
LEVELS = ["mid", "senior", "staff"]

# Storable text: no NUL and no unpaired surrogates (document.check_text refuses them).
STORABLE = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
short_text = st.text(STORABLE, max_size=12)
label_text = st.text(STORABLE, max_size=40) | st.just("x" * 200)
coordinate = st.integers(-1_000_000, 1_000_000) | st.floats(
    -1e6, 1e6, allow_nan=False, allow_infinity=False
)
json_scalar = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | short_text
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(short_text, inner, max_size=3),
    max_leaves=8,
)


def prop_value(spec: PropSpec):
    if spec.kind == "string":
        return label_text
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    if spec.kind == "integer":
        return st.integers(spec.minimum or 0, 1000)
    # Feature and metric names from a small pool, so that lists overlap between nodes.
    pool = [
        "age",
        "clicks",
        "country",
        "NDCG",
        "ctr",
        "ROC-AUC",
        "rmse",
        "recall@10",
        "watch time",
        "mAP@5",
    ]
    return st.lists(st.sampled_from(pool) | short_text, max_size=5)


# Keys that are no prop of any type: kept as unknown props (short flat strings only).
UNKNOWN_PROP_KEYS = st.sampled_from(["owner", "zz", "notes 2", "ΔΔ", ""])


def _merge(parts: tuple[dict, dict]) -> dict:
    known, extra = parts
    return {**extra, **known}


# Strategies built once per type (building them per draw dominated the run time).
PROPS: dict[str, st.SearchStrategy[dict]] = {
    t: st.tuples(
        st.fixed_dictionaries(
            {}, optional={spec.name: prop_value(spec) for spec in COMPONENT_TYPES[t].props}
        ),
        st.dictionaries(UNKNOWN_PROP_KEYS, label_text, max_size=1),
    ).map(_merge)
    for t in TYPES
}
NODE_BODIES: dict[str, st.SearchStrategy[dict]] = {
    t: st.fixed_dictionaries(
        {"type": st.just(t)},
        optional={"label": label_text, "x": coordinate, "y": coordinate, "props": PROPS[t]},
    )
    for t in TYPES
}
CORE_TYPES = [
    "client_app",
    "api_gateway",
    "ranking_service",
    "inference_service",
    "batch_scorer",
    "feature_store",
    "feature_pipeline",
    "training_pipeline",
    "model_registry",
    "event_stream",
    "nosql_db",
    "cache",
    "prediction_store",
    "drift_monitor",
    "offline_evaluation",
    "ab_testing",
    "load_balancer",
    "retraining_trigger",
    "feedback_collector",
]
ANY_NODE = st.sampled_from(TYPES).flatmap(NODE_BODIES.__getitem__)
CORE_NODE = st.sampled_from(CORE_TYPES).flatmap(NODE_BODIES.__getitem__)
NODE_IDS = st.text("abcXYZ019-_.:", min_size=1, max_size=8)
TOP_OPTIONAL = {
    "level": st.sampled_from(LEVELS),
    "title": label_text,
    "notes": st.dictionaries(st.sampled_from(STEP_KEYS), st.text(STORABLE, max_size=30)),
}


@st.composite
def documents(
    draw, max_nodes: int = 20, node=ANY_NODE, edge_factor: int = 3, min_nodes: int = 0
) -> dict:
    """A valid board document (as decoded JSON): random types, random edges."""
    ids = draw(st.lists(NODE_IDS, min_size=min_nodes, max_size=max_nodes, unique=True))
    bodies = draw(st.lists(node, min_size=len(ids), max_size=len(ids)))
    nodes = [{"id": node_id, **body} for node_id, body in zip(ids, bodies, strict=True)]
    edges = []
    if ids:
        index = st.integers(0, len(ids) - 1)
        pairs = draw(
            st.lists(
                st.tuples(index, index, st.none() | label_text),
                min_size=min(min_nodes, 1) * 2 * len(ids),
                max_size=edge_factor * len(ids),
            )
        )
        for number, (source, target, label) in enumerate(pairs):
            edge = {"id": f"e{number}", "source": ids[source], "target": ids[target]}
            if label is not None:
                edge["label"] = label
            edges.append(edge)
    doc = {"format": "mlsd-studio/board", "version": 1, "nodes": nodes, "edges": edges}
    doc.update(draw(st.fixed_dictionaries({}, optional=TOP_OPTIONAL)))
    return doc


def wired_documents():
    """Valid documents of the rules' types only, so the walks have work to do."""
    return documents(max_nodes=16, node=CORE_NODE, edge_factor=4, min_nodes=6)


def props_for(type_id: str) -> st.SearchStrategy[dict]:
    return PROPS[type_id]


def _check_report(board: Board) -> None:
    for level in LEVELS:
        report = validate(board, level)
        assert report.level == level
        assert {f.rule for f in report.findings} <= set(RULES)
        ids = {n.id for n in board.nodes}
        for finding in report.findings:
            assert set(finding.nodes) <= ids
            assert finding.message
        assert report.passed == (not any(f.severity == "error" for f in report.findings))
        assert [s.number for s in report.steps] == list(range(1, 8))
        json.dumps(report.to_dict())


@SETTINGS
@given(documents())
def test_valid_documents_parse_validate_and_round_trip(doc):
    text = json.dumps(doc)
    board = parse(text)
    assert [n.id for n in board.nodes] == [n["id"] for n in doc["nodes"]]
    _check_report(board)
    once = dump(board)
    assert dump(parse(once)) == once
    assert parse(once) == board


@SETTINGS
@given(wired_documents())
def test_rule_heavy_documents_never_crash_the_validator(doc):
    board = parse(doc)
    _check_report(board)
    assert parse(dump(board)) == board


# --- broken documents -----------------------------------------------------------------------

WRONG = st.sampled_from([None, True, 3, 2.5, "text", [], {}, ["a"], {"k": "v"}])


@st.composite
def broken_documents(draw) -> dict:
    """A valid document with one mutation that always makes it invalid."""
    doc = draw(documents(max_nodes=8))
    nodes, edges = doc["nodes"], doc["edges"]
    choices = ["drop_top", "top_type", "unknown_top", "junk_level", "notes_step"]
    if nodes:
        choices += [
            "drop_node_key",
            "node_type",
            "node_field",
            "duplicate_node",
            "unknown_node_key",
            "bad_prop",
            "long_label",
            "dangling_edge",
        ]
    if edges:
        choices += ["drop_edge_key", "edge_field", "duplicate_edge", "unknown_edge_key"]
    mutation = draw(st.sampled_from(choices))
    node = draw(st.sampled_from(nodes)) if nodes else None
    edge = draw(st.sampled_from(edges)) if edges else None
    if mutation == "drop_top":
        del doc[draw(st.sampled_from(["format", "version"]))]
    elif mutation == "top_type":
        key = draw(
            st.sampled_from(["format", "version", "title", "level", "notes", "nodes", "edges"])
        )
        value = draw(WRONG.filter(lambda v: not _fits_top(key, v, doc)))
        doc[key] = value
    elif mutation == "unknown_top":
        doc[draw(short_text.filter(lambda k: k not in doc and k not in _TOP))] = 1
    elif mutation == "junk_level":
        doc["level"] = draw(short_text.filter(lambda v: v not in LEVELS))
    elif mutation == "notes_step":
        doc["notes"] = {draw(short_text.filter(lambda k: k not in STEP_KEYS)): ""}
    elif mutation == "drop_node_key":
        del node[draw(st.sampled_from(["id", "type"]))]
    elif mutation == "node_type":
        node["type"] = draw(short_text.filter(lambda t: t not in COMPONENT_TYPES) | WRONG)
    elif mutation == "node_field":
        key = draw(st.sampled_from(["id", "label", "x", "y", "props"]))
        node[key] = draw(WRONG.filter(lambda v: not _fits_node(key, v)))
    elif mutation == "duplicate_node":
        nodes.append(copy.deepcopy(node))
    elif mutation == "unknown_node_key":
        node["colour"] = "red"
    elif mutation == "bad_prop":
        specs = [s for t in TYPES for s in COMPONENT_TYPES[t].props]
        spec = draw(st.sampled_from(specs))
        node["type"] = next(t for t in TYPES if spec in COMPONENT_TYPES[t].props)
        node["props"] = {spec.name: draw(WRONG.filter(lambda v: not _fits_prop(spec, v)))}
    elif mutation == "long_label":
        node["label"] = "x" * 201
    elif mutation == "dangling_edge":
        missing = "missing"
        while any(n["id"] == missing for n in nodes):
            missing += "!"
        ends = [node["id"], missing]
        if draw(st.booleans()):
            ends.reverse()
        edges.append({"id": "dangling", "source": ends[0], "target": ends[1]})
    elif mutation == "drop_edge_key":
        del edge[draw(st.sampled_from(["id", "source", "target"]))]
    elif mutation == "edge_field":
        key = draw(st.sampled_from(["id", "source", "target", "label"]))
        edge[key] = draw(WRONG.filter(lambda v: not isinstance(v, str)))
    elif mutation == "duplicate_edge":
        edges.append(copy.deepcopy(edge))
    elif mutation == "unknown_edge_key":
        edge["weight"] = 1
    return doc


_TOP = {"format", "version", "title", "level", "notes", "nodes", "edges"}


def _fits_top(key, value, doc) -> bool:
    """Whether `value` would still be valid for top-level `key` (then it is no mutation)."""
    if key == "title":
        return isinstance(value, str)
    if key == "notes":
        return value == {}
    if key == "nodes":
        return value == [] and not doc["edges"]
    if key == "edges":
        return value == []
    return False


def _fits_node(key, value) -> bool:
    if key == "label":
        return isinstance(value, str)
    if key == "id":
        return isinstance(value, str) and value != ""
    if key == "props":
        return value == {} or value == {"k": "v"}
    if key in ("x", "y"):
        return type(value) in (int, float)
    return False


def _fits_prop(spec: PropSpec, value) -> bool:
    if spec.kind == "string":
        return isinstance(value, str)
    if spec.kind == "string_list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if spec.kind == "integer":
        return type(value) is int and value >= (spec.minimum or 0)
    return value in spec.choices


def _must_refuse(source) -> DocumentError:
    try:
        parse(source)
    except DocumentError as error:
        assert str(error)
        return error
    raise AssertionError("parse accepted a broken document")


@SETTINGS
@given(broken_documents())
def test_broken_documents_raise_document_error(doc):
    _must_refuse(doc)
    _must_refuse(json.dumps(doc))


@SETTINGS
@given(json_value)
def test_random_json_is_refused(value):
    _must_refuse(json.dumps(value))
    if not isinstance(value, str):  # a str would be read as JSON text
        _must_refuse(value)


@SETTINGS
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_random_text_is_refused(text):
    _must_refuse(text)


@SETTINGS
@given(documents(max_nodes=6), st.data())
def test_corrupted_json_text_never_raises_anything_else(doc, data):
    text = json.dumps(doc)
    position = data.draw(st.integers(0, len(text) - 1))
    action = data.draw(st.sampled_from(["delete", "insert", "replace", "truncate"]))
    junk = data.draw(st.sampled_from(list('{}[]",:0-9eE.\\ntfa') + ["NaN", "1e999", "9" * 5000]))
    if action == "delete":
        text = text[:position] + text[position + 1 :]
    elif action == "insert":
        text = text[:position] + junk + text[position:]
    elif action == "replace":
        text = text[:position] + junk + text[position + 1 :]
    else:
        text = text[:position]
    try:
        board = parse(text)
    except DocumentError:
        return
    # Some corruptions leave a valid document (a changed label, say): it must then behave.
    assert parse(dump(board)) == board


# --- operations -----------------------------------------------------------------------------

PROP_CHANGES = st.dictionaries(
    st.sampled_from(["features", "task", "replicas", "metrics", "ttl_seconds", "owner"]),
    st.none()
    | st.sampled_from(["ranking", "batch"])
    | st.integers(0, 5)
    | st.lists(st.sampled_from(["a", "b"]), max_size=2)
    | json_value,
    max_size=2,
)
NODE_CHANGES = st.dictionaries(
    st.sampled_from(["label", "props", "colour"]),
    label_text | PROP_CHANGES | json_value,
    max_size=2,
)


@st.composite
def operations(draw, board: Board) -> dict:
    node_ids = [n.id for n in board.nodes] + ["ghost"]
    edge_ids = [e.id for e in board.edges] + ["ghost"]
    name = draw(
        st.sampled_from(
            [
                "add_node",
                "update_node",
                "move_node",
                "delete_node",
                "add_edge",
                "update_edge",
                "delete_edge",
                "update_notes",
                "update_board",
                "junk",
            ]
        )
    )
    if name == "add_node":
        type_id = draw(st.sampled_from(TYPES))
        return {
            "op": name,
            "node": {
                "id": draw(st.text(min_size=1, max_size=4)),
                "type": type_id,
                "props": draw(props_for(type_id)),
            },
        }
    if name == "update_node":
        changes = draw(NODE_CHANGES)
        return {"op": name, "id": draw(st.sampled_from(node_ids)), "changes": changes}
    if name == "move_node":
        return {
            "op": name,
            "id": draw(st.sampled_from(node_ids)),
            "x": draw(coordinate | WRONG),
            "y": draw(coordinate),
        }
    if name in ("delete_node",):
        return {"op": name, "id": draw(st.sampled_from(node_ids))}
    if name == "add_edge":
        return {
            "op": name,
            "edge": {
                "id": draw(st.text(min_size=1, max_size=4)),
                "source": draw(st.sampled_from(node_ids)),
                "target": draw(st.sampled_from(node_ids)),
            },
        }
    if name == "update_edge":
        return {
            "op": name,
            "id": draw(st.sampled_from(edge_ids)),
            "changes": {"label": draw(label_text | WRONG)},
        }
    if name == "delete_edge":
        return {"op": name, "id": draw(st.sampled_from(edge_ids))}
    if name == "update_notes":
        return {
            "op": name,
            "step": draw(st.sampled_from([*STEP_KEYS, "other"])),
            "text": draw(st.text(max_size=10) | WRONG),
        }
    if name == "update_board":
        return {
            "op": name,
            "changes": draw(
                st.dictionaries(
                    st.sampled_from(["title", "level"]), st.sampled_from(LEVELS) | WRONG, max_size=2
                )
            ),
        }
    return draw(json_value)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(documents(max_nodes=8), st.data())
def test_operations_refuse_cleanly_and_never_mutate(doc, data):
    board = parse(doc)
    for _ in range(6):
        op = data.draw(operations(board))
        if data.draw(st.booleans()):
            op = {"op": "batch", "ops": [op, data.draw(operations(board))]}
        before = copy.deepcopy(board)
        try:
            result = apply_operation(board, op)
        except OperationError as error:
            assert str(error)
            continue
        finally:
            assert board == before
        # Whatever an accepted operation produced is a valid document again.
        assert parse(dump(result)) == result
        board = result


# --- the NetworkX walks against naive transcriptions of framework.md §2 and §4 -------------


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(wired_documents())
def test_walks_match_the_framework_definitions(doc):
    from components.graph import DesignGraph
    from tests.components.naive import Naive

    board = parse(doc)
    design = DesignGraph(board)
    naive = Naive(board)
    predictors = naive.predictors()
    assert design.predictors == predictors
    assert design.prediction_holders == naive.holders()
    for node in board.nodes:
        if node.id in predictors or node.type == "training_pipeline":
            assert design.feature_sources_of(node.id) == naive.feature_sources(node.id), node.id
        if node.id in predictors:
            assert design.model_sources_of(node.id) == naive.model_sources(node.id), node.id
    holds = not RULES["serving-loop"].findings(design)
    assert holds == naive.serving_loop_holds()


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(wired_documents(), st.randoms(use_true_random=False))
def test_findings_do_not_depend_on_component_order(doc, random):
    board = parse(doc)
    shuffled = Board(board.title, board.level, board.notes, list(board.nodes), board.edges)
    random.shuffle(shuffled.nodes)
    for level in LEVELS:
        assert validate(board, level).findings == validate(shuffled, level).findings


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(wired_documents(), st.lists(st.tuples(coordinate, coordinate), min_size=1), short_text)
def test_moves_and_titles_never_change_the_report(doc, positions, title):
    """The premise of findings_unchanged: no rule and no step's coverage reads a
    component's position or the board's title."""
    board = parse(doc)
    moved = copy.deepcopy(board)
    moved.title = title
    for node, (x, y) in zip(moved.nodes, positions, strict=False):  # any number of moves
        node.x, node.y = x, y
    assert findings_unchanged(board, moved)
    for level in LEVELS:
        assert validate(board, level).to_dict() == validate(moved, level).to_dict()


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(wired_documents(), st.data())
def test_findings_unchanged_only_when_the_report_is_unchanged(doc, data):
    """Whatever an operation does, findings_unchanged never hides a change of report;
    and anything beyond moves and titles counts as a possible change."""
    board = parse(doc)
    for _ in range(6):
        try:
            after = apply_operation(board, data.draw(operations(board)))
        except OperationError:
            continue
        if findings_unchanged(board, after):
            assert validate(board).to_dict() == validate(after).to_dict()
        else:
            content = [(n.id, n.type, n.label, n.props) for n in board.nodes]
            assert (board.level, board.notes, board.edges, content) != (
                after.level,
                after.notes,
                after.edges,
                [(n.id, n.type, n.label, n.props) for n in after.nodes],
            )
        board = after
