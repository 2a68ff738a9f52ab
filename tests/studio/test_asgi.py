"""The ASGI entry point (studio/asgi.py)."""

from __future__ import annotations

import subprocess

from tests.servers import PYTHON, ROOT, server_env


def test_what_the_server_loads_at_start_is_frozen_out_of_garbage_collection():
    """Run in a fresh interpreter, as Daphne imports it: everything loaded by then is moved
    to the permanent generation, so full collections do not walk it on the live path."""
    code = "import gc, studio.asgi; print(gc.get_freeze_count(), len(gc.get_objects(generation=2)))"
    out = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=server_env(), capture_output=True, text=True, check=True
    )
    frozen, oldest = (int(n) for n in out.stdout.split()[-2:])
    assert frozen > 50_000  # Django, Channels, the catalogue and the validator's modules
    assert oldest < frozen / 10  # what full collections still walk
