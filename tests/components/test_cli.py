"""`mlsd` (components/cli.py): formats, several files, exit codes 0/1/2/70, no Django."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from components import cli
from tests.conftest import DESIGNS

ROOT = Path(__file__).resolve().parents[2]
GOOD = str(DESIGNS / "video_recommendation.json")
SKEW = str(DESIGNS / "video_recommendation_skew.json")


def run_main(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_several_files_in_one_run_the_worst_code_wins(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    code, out, err = run_main("validate", GOOD, SKEW, capsys=capsys)
    assert code == 1
    assert f"{GOOD}: Video recommendation" in out and "PASSED" in out and "FAILED" in out
    code, out, err = run_main("validate", str(broken), SKEW, capsys=capsys)
    assert code == 2, "a refused file outranks an error finding"
    assert "FAILED" in out, "the other files are still checked"
    assert f"{broken}: refused" in err and "not valid JSON" in err


def test_json_for_several_files_is_a_list_naming_each_file(tmp_path, capsys):
    missing = str(tmp_path / "missing.json")
    code, out, _ = run_main("validate", GOOD, missing, "--format", "json", capsys=capsys)
    results = json.loads(out)
    assert code == 2
    assert [r["file"] for r in results] == [GOOD, missing]
    assert results[0]["passed"] is True and "cannot read" in results[1]["refused"]


def test_github_annotations_name_the_file_the_line_and_the_rule(capsys):
    code, out, _ = run_main("validate", SKEW, "--format", "github", capsys=capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    skew = next(line for line in lines if "feature-consistency" in line)
    assert skew.startswith(f"::error file={SKEW},line=")
    line = int(skew.split("line=")[1].split(",")[0])
    assert '"id"' in Path(SKEW).read_text().splitlines()[line - 1]


def test_github_annotations_escape_what_would_end_the_command():
    text = cli.annotation("warning", "a%b\nc", "x,y:z.json", None, "t,1")
    assert text == "::warning file=x%2Cy%3Az.json,title=t%2C1::a%25b%0Ac"


def test_a_crash_exits_70_never_1(monkeypatch, capsys):
    import components.report

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(components.report, "validate", explode)
    code, _, err = run_main("validate", GOOD, capsys=capsys)
    assert code == cli.CRASHED == 70
    assert "internal error" in err and "boom" in err


def test_usage_errors_exit_2_and_help_exits_0(capsys):
    assert cli.main(["validate"]) == 2
    assert cli.main(["validate", GOOD, "--level", "principal"]) == 2
    assert cli.main(["export", GOOD, "--format", "pdf"]) == 2
    assert cli.main(["--help"]) == 0
    assert "validate" in capsys.readouterr().out


def test_export_writes_text_formats_to_a_text_stream(tmp_path):
    out = io.StringIO()
    cli.export_file(GOOD, "json", "-", out)
    assert json.loads(out.getvalue())["title"] == "Video recommendation"
    with pytest.raises(cli.CliError) as refused:
        cli.export_file(str(tmp_path / "none.json"), "json", "-", out)
    assert refused.value.code == 2


def test_the_command_line_never_imports_django():
    script = (
        "import sys; from components.cli import main; code = main(['validate', sys.argv[1]]); "
        "assert 'django' not in sys.modules, 'django imported'; sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, SKEW], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1, result.stderr
    assert "feature-consistency" in result.stdout
