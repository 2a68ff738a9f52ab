"""The README's command lines work for a new user: run exactly as written, with an
environment that holds nothing but PATH, and `pip install .` gives a working `mlsd`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DESIGNS = ROOT / "tests" / "fixtures" / "designs"
ONLY_PATH = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def readme_commands(prefix: str) -> list[tuple[str, int]]:
    """The README's `sh` lines starting with `prefix`, with the exit code their comment
    announces (`# exit 1`; 0 when it says nothing)."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S)
    commands = []
    for line in (line for block in blocks for line in block.splitlines()):
        if line.startswith(prefix):
            expected = re.search(r"#.*\bexit (\d)", line)
            commands.append((line, int(expected.group(1)) if expected else 0))
    return commands


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of what a checkout's command line reads, so outputs land in a temporary
    folder: manage.py, the packages (linked), .venv (linked) and the example designs."""
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    for name in ("components", "studio", ".venv"):
        (tmp_path / name).symlink_to(ROOT / name)
    shutil.copytree(DESIGNS, tmp_path / "tests" / "fixtures" / "designs")
    return tmp_path


MANAGE_COMMANDS = readme_commands(".venv/bin/python manage.py")


def test_the_readme_shows_the_manage_py_commands():
    assert len(MANAGE_COMMANDS) >= 3
    assert {code for _, code in MANAGE_COMMANDS} >= {0, 1}


@pytest.mark.skipif(shutil.which("dot") is None, reason="the export line needs Graphviz")
@pytest.mark.parametrize("command, expected", MANAGE_COMMANDS)
def test_a_readme_command_runs_as_written_with_only_path_set(checkout, command, expected):
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=checkout,
        env=ONLY_PATH,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == expected, result.stderr
    assert "Traceback" not in result.stderr and "ImproperlyConfigured" not in result.stderr
    assert result.stdout or "-o " in command
    output = re.search(r"-o (\S+)", command)
    if output:
        assert (checkout / output.group(1)).stat().st_size > 0


@pytest.mark.parametrize("command", ["validate_design", "export_design"])
def test_help_works_with_no_environment(command):
    result = subprocess.run(
        [sys.executable, "manage.py", command, "--help"],
        cwd=ROOT,
        env=ONLY_PATH,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--format" in result.stdout


def test_pip_install_gives_a_working_mlsd_with_only_the_domain(tmp_path):
    """`pip install .` into a fresh virtualenv (from a copy of the sources, so the build
    leaves nothing in the checkout): `mlsd` validates, and Django is not installed."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "components", source / "components", ignore=shutil.ignore_patterns("__pycache__")
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=60)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", source],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    env = {"PATH": f"{venv / 'bin'}:{ONLY_PATH['PATH']}"}
    good = subprocess.run(
        ["mlsd", "validate", DESIGNS / "video_recommendation.json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert good.returncode == 0, good.stderr
    assert "PASSED" in good.stdout
    failing = subprocess.run(
        ["mlsd", "validate", "--format", "github", DESIGNS / "video_recommendation_skew.json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failing.returncode == 1 and failing.stdout.startswith("::")
    django = subprocess.run([python, "-c", "import django"], capture_output=True, timeout=60)
    assert django.returncode != 0, "the linter must not pull in the web app"

    # The README's `mlsd` lines, as written, in a folder with the files they name.
    work = tmp_path / "work"
    (work / "designs").mkdir(parents=True)
    for name in ("video_recommendation", "video_recommendation_skew"):
        shutil.copy(DESIGNS / f"{name}.json", work / "designs" / f"{name}.json")
    shutil.copy(DESIGNS / "video_recommendation.json", work / "design.json")
    commands = readme_commands("mlsd ")
    assert len(commands) >= 3
    for command, _ in commands:
        if " export " in command and shutil.which("dot") is None:
            continue
        result = subprocess.run(
            ["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode in (0, 1), f"{command}: {result.stderr}"
        assert "Traceback" not in result.stderr
        output = re.search(r"-o (\S+)", command)
        assert (work / output.group(1)).stat().st_size > 0 if output else result.stdout
