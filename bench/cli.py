"""Benchmark the command-line lint: a new process validating one 50-component design.

Run from the repository root:  .venv/bin/python bench/cli.py [--runs 10]

What a CI job or a pre-commit hook pays per call: interpreter start-up, imports, parsing
and validating the file. The design is bench/export.py's chained board of 50 components
(copies of tests/fixtures/designs/video_recommendation.json), written to a temporary file.
Three ways of running it, interleaved, each as a fresh process (wall clock, median of
`--runs`):

- `mlsd`: what the console script runs (`from components.cli import main`);
- `manage.py validate_design`: the checkout's command, which dispatches to the same code
  before Django loads;
- `manage.py via Django`: the path before issue #14 (Django set up first, then the
  management command), kept for the ratio.

Exits 1 when the `mlsd` median is over the target (300 ms). On a loaded machine (the
load average is printed), the CPU-time column (user + system of the process) is the
steadier figure; run it again before believing a miss.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 300.0
SIZE = 50
CONSOLE_SCRIPT = "import sys; from components.cli import main; sys.exit(main())"
THROUGH_DJANGO = (
    "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'studio.settings'); "
    "from django.core.management import execute_from_command_line; "
    "execute_from_command_line(['manage.py', 'validate_design', sys.argv[1]])"
)


def design_file(folder: Path) -> Path:
    """The 50-component design, as a board file."""
    from bench.export import chained_board  # bench/export.py builds the chained board
    from components.document import dump

    board = chained_board(SIZE)
    assert len(board.nodes) == SIZE
    path = folder / "design-50.json"
    path.write_text(dump(board))
    return path


def commands(path: Path) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "mlsd": [python, "-c", CONSOLE_SCRIPT, "validate", str(path)],
        "manage.py validate_design": [python, "manage.py", "validate_design", str(path)],
        "manage.py via Django": [python, "-c", THROUGH_DJANGO, str(path)],
    }


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of one run (CPU: less skewed by a loaded machine)."""
    cpu = children_cpu()
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, timeout=120)
    elapsed = (time.perf_counter() - started) * 1000
    if result.returncode not in (0, 1) or b"Traceback" in result.stderr:
        raise SystemExit(f"{argv[:3]} exited {result.returncode}: {result.stderr.decode()}")
    return elapsed, (children_cpu() - cpu) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    # The Django path needs a secret key (DEBUG is off by default); the others need nothing.
    # A key long enough for the settings' check (32 characters or more with DEBUG off).
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SECRET_KEY": "bench-only-" + "k" * 32}
    with tempfile.TemporaryDirectory() as folder:
        jobs = commands(design_file(Path(folder)))
        times: dict[str, list[float]] = {name: [] for name in jobs}
        cpus: dict[str, list[float]] = {name: [] for name in jobs}
        for argv in jobs.values():  # warm-up: the file system cache and .pyc files
            time_once(argv, env)
        for _ in range(runs):
            for name, argv in jobs.items():
                wall, cpu = time_once(argv, env)
                times[name].append(wall)
                cpus[name].append(cpu)
    medians = {name: statistics.median(values) for name, values in times.items()}
    baseline = medians["manage.py via Django"]
    print(f"Lint of one {SIZE}-component design in a new process, median of {runs} (ms)")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'command':<28}{'median':>9}{'min':>9}{'CPU median':>12}{'vs Django':>11}")
    for name, median in medians.items():
        cpu = statistics.median(cpus[name])
        print(
            f"{name:<28}{median:>9.0f}{min(times[name]):>9.0f}{cpu:>12.0f}"
            f"{median / baseline:>10.2f}x"
        )
    ok = medians["mlsd"] <= TARGET_MS
    print(f"target: mlsd <= {TARGET_MS:.0f} ms: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
