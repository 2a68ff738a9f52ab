"""`manage.py export_design`: formats, options, stdin/stdout, exit codes 0, 1 and 2."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from components import export, graphviz
from components.document import dump
from components.drawing import ERROR_COLOUR
from components.report import validate
from tests.conftest import DESIGNS, load_design

ROOT = Path(__file__).resolve().parents[1]
GOOD = DESIGNS / "video_recommendation.json"
FAILING = DESIGNS / "video_recommendation_no_response.json"
SVG = "{http://www.w3.org/2000/svg}"

needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz missing")


def run(*args: str, stdin: bytes | None = None, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "export_design", *args],
        cwd=ROOT,
        env=environment,
        input=stdin,
        capture_output=True,
        timeout=60,
    )


def texts(svg: bytes) -> list[str]:
    return ["".join(t.itertext()) for t in ElementTree.fromstring(svg).iter(f"{SVG}text")]


@needs_graphviz
def test_svg_to_a_file(tmp_path):
    out = tmp_path / "board.svg"
    result = run(str(GOOD), "--format", "svg", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""
    board = load_design("video_recommendation")
    found = " ".join(texts(out.read_bytes()))
    assert all(word in found for node in board.nodes for word in node.label.split())


@needs_graphviz
def test_png_to_stdout_is_binary_and_untouched():
    result = run(str(GOOD), "--format", "png", "--layout", "auto", "-o", "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"\x89PNG\r\n\x1a\n")


def call(*args: str, stdin: bytes | None = None, monkeypatch=None) -> bytes:
    """Run the command in-process; standard output captured as bytes."""
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    call_command("export_design", *args, stdout=out)
    out.flush()
    return out.buffer.getvalue()


def test_json_from_stdin_to_stdout_is_the_canonical_document(monkeypatch):
    first = call(
        "-", "--format", "json", "-o", "-", stdin=GOOD.read_bytes(), monkeypatch=monkeypatch
    )
    assert first == dump(load_design("video_recommendation")).encode("utf-8")
    again = call("-", "--format", "json", stdin=first, monkeypatch=monkeypatch)
    assert again == first


def test_dot_with_options_matches_the_library():
    source = call(
        str(FAILING), "--format", "dot", "--layout", "auto", "--legend", "--findings"
    ).decode("utf-8")
    board = load_design("video_recommendation_no_response")
    assert source == export.to_dot(board, layout="auto", legend=True, findings=validate(board))
    assert "Legend" in source and "Findings" in source
    assert ERROR_COLOUR in source  # serving-loop names the app and the ranker
    plain = call(str(FAILING), "--format", "dot").decode("utf-8")
    assert ERROR_COLOUR not in plain and "Legend" not in plain


@needs_graphviz
def test_the_format_follows_the_output_suffix(tmp_path):
    out = tmp_path / "board.png"
    call(str(GOOD), "-o", str(out))
    assert out.read_bytes().startswith(b"\x89PNG")


def test_a_refused_document_exits_2_with_a_message_and_no_traceback(tmp_path):
    out = tmp_path / "never.svg"
    result = run("-", "--format", "svg", "-o", str(out), stdin=b"{")
    assert result.returncode == 2
    stderr = result.stderr.decode("utf-8")
    assert "not valid JSON" in stderr and "Traceback" not in stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "text, message",
    [
        (b'{"format": "mlsd-studio/board", "version": 2}', "version"),
        (
            b'{"format": "mlsd-studio/board", "version": 1, "nodes": [{"id": "a", "type": "x"}]}',
            'unknown component type "x"',
        ),
    ],
)
def test_refusals_carry_the_document_error_and_return_code_2(text, message, monkeypatch):
    with pytest.raises(CommandError) as refused:
        call("-", "--format", "svg", stdin=text, monkeypatch=monkeypatch)
    assert refused.value.returncode == 2
    assert message in str(refused.value)


def test_an_unreadable_path_exits_2(tmp_path):
    with pytest.raises(CommandError) as refused:
        call(str(tmp_path / "missing.json"), "--format", "svg")
    assert refused.value.returncode == 2
    assert "cannot read" in str(refused.value)


def test_missing_graphviz_exits_1_with_the_install_hint():
    result = run(str(GOOD), "--format", "svg", MLSD_GRAPHVIZ_DOT="/nonexistent/dot")
    assert result.returncode == 1
    stderr = result.stderr.decode("utf-8")
    assert "Graphviz is not installed: apt-get install graphviz" in stderr
    assert "Traceback" not in stderr and result.stdout == b""


@needs_graphviz
def test_a_layout_over_the_time_limit_exits_1():
    result = run(str(GOOD), "--format", "svg", "--layout", "auto", "--timeout", "0.001")
    assert result.returncode == 1
    assert b"the layout took longer than 0.001 seconds" in result.stderr
    assert b"Traceback" not in result.stderr


def test_an_unwritable_output_exits_1(tmp_path):
    with pytest.raises(CommandError) as failed:
        call(str(GOOD), "--format", "json", "-o", str(tmp_path / "no" / "dir.json"))
    assert failed.value.returncode == 1
    assert "cannot write" in str(failed.value)


def test_export_errors_in_process_return_code_1(monkeypatch):
    monkeypatch.setattr(graphviz, "DOT_BINARY", "/nonexistent/dot")
    with pytest.raises(CommandError) as failed:
        call(str(GOOD), "--format", "svg")
    assert failed.value.returncode == 1
    assert str(failed.value) == "export failed: Graphviz is not installed: apt-get install graphviz"


@needs_graphviz
def test_png_cannot_go_to_a_text_only_stream():
    with pytest.raises(CommandError, match="PNG is binary"):
        call_command("export_design", str(GOOD), "--format", "png", stdout=io.StringIO())


def test_call_command_writes_text_formats_to_a_text_stream():
    out = io.StringIO()
    call_command("export_design", str(GOOD), "--format", "dot", stdout=out)
    assert out.getvalue().startswith("// MLSD Studio board export")
    assert out.getvalue() == export.to_dot(load_design("video_recommendation"))
