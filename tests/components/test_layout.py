"""Auto-layout positions from Graphviz dot."""

from components.layout import auto_positions
from tests.conftest import build, load_design


def test_every_component_gets_a_position_left_to_right():
    board = load_design("video_recommendation")
    positions = auto_positions(board)
    assert set(positions) == {n.id for n in board.nodes}
    assert positions["app"]["x"] < positions["gw"]["x"] < positions["rank"]["x"]


def test_awkward_ids_are_mapped_back():
    board = build(
        {"a\\b": "client_app", 'q"uote': "api_gateway", "sp ace": "inference_service"},
        [("a\\b", 'q"uote'), ('q"uote', "sp ace")],
    )
    positions = auto_positions(board)
    assert set(positions) == {"a\\b", 'q"uote', "sp ace"}
    assert positions["a\\b"]["x"] < positions['q"uote']["x"] < positions["sp ace"]["x"]


def test_an_empty_board_has_no_positions():
    assert auto_positions(build({}, [])) == {}
