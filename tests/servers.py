"""Process helpers for tests that need a real server: free ports, Daphne, waiting, stopping.

Used by the browser tests and meant for the multi-process tests and benchmarks too:

    port = free_port()
    proc = start_daphne(port, env=server_env(sqlite_path=path))
    wait_for_port(port, proc=proc)
    ...
    stop(proc)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))

# Variables that would point a child server at shared services; tests opt back in.
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL")
# A throwaway key long enough for DEBUG off (studio/settings.py refuses shorter ones).
TEST_SECRET_KEY = "test-secret-key-for-child-servers-only-0123456789"

_collected: Path | None = None


def collected_static() -> Path:
    """A STATIC_ROOT filled by `collectstatic` (hashed, compressed files, as in
    production), made once per test process and shared by every server it starts."""
    global _collected
    if _collected is None:
        root = Path(tempfile.mkdtemp(prefix="mlsd-static-"))
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "studio.settings",
                "DJANGO_SECRET_KEY": TEST_SECRET_KEY,
                "DJANGO_DEBUG": "0",
                "DJANGO_STATIC_ROOT": str(root),
            }
        )
        for name in SERVICE_VARIABLES:
            env.pop(name, None)
        result = subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(f"collectstatic failed:\n{result.stdout}\n{result.stderr}")
        _collected = root
    return _collected


def collect_static_of(directory: Path, root: Path) -> None:
    """`collectstatic` of another checkout (its own .venv) into `root`, for a benchmark
    that serves that checkout next to this one: set DJANGO_STATIC_ROOT to `root` in that
    server's environment (server_env() points at this checkout's files)."""
    env = server_env()
    env["DJANGO_STATIC_ROOT"] = str(root)
    subprocess.run(
        [str(directory / ".venv" / "bin" / "python"), "manage.py", "collectstatic"]
        + ["--noinput", "-v", "0"],
        cwd=directory,
        env=env,
        check=True,
        timeout=300,
    )


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def server_env(
    *,
    sqlite_path: str | os.PathLike | None = None,
    extra: Mapping[str, str] | None = None,
    keep_services: bool = False,
) -> dict[str, str]:
    """The environment for a child Django process: production-like settings (DEBUG off),
    a throwaway secret key, static files collected as in production, SQLite at
    `sqlite_path` unless `extra` selects a database, and no DATABASE_URL/REDIS_URL
    inherited unless `keep_services` is true."""
    env = dict(os.environ)
    if not keep_services:
        for name in SERVICE_VARIABLES:
            env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "studio.settings",
            "DJANGO_SECRET_KEY": TEST_SECRET_KEY,
            "DJANGO_DEBUG": "0",
            "DJANGO_STATIC_ROOT": str(collected_static()),
            "PYTHONUNBUFFERED": "1",
        }
    )
    if sqlite_path is not None:
        env["SQLITE_PATH"] = str(sqlite_path)
    if extra:
        env.update(extra)
    return env


def migrate(env: Mapping[str, str], timeout: float = 120) -> None:
    """Run `manage.py migrate` with `env`; raise with its output if it fails."""
    result = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"migrate failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )


def start_daphne(
    port: int,
    env: Mapping[str, str],
    *,
    host: str = "127.0.0.1",
    log_path: str | os.PathLike | None = None,
    application: str = "studio.asgi:application",
) -> subprocess.Popen:
    """Start `daphne -b host -p port application` in its own process group.

    Output goes to `log_path` (appended) or is discarded; read the log when a test fails.
    """
    log = open(log_path, "ab") if log_path is not None else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            [PYTHON, "-m", "daphne", "-b", host, "-p", str(port), application],
            cwd=ROOT,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        if log is not subprocess.DEVNULL:
            log.close()  # the child keeps its own descriptor


def wait_for_port(
    port: int, *, host: str = "127.0.0.1", timeout: float = 30, proc: subprocess.Popen | None = None
) -> None:
    """Block until something accepts TCP connections on host:port.

    Raises RuntimeError early if `proc` exits, TimeoutError after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(
                f"server process exited with code {proc.returncode} before "
                f"listening on {host}:{port}"
            )
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout} s")


def stop(proc: subprocess.Popen | None, timeout: float = 10) -> None:
    """Terminate a process started by `start_daphne` (its whole group), then kill it if
    it does not exit within `timeout` seconds."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        proc.wait(timeout=timeout)
