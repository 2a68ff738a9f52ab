"""The browser's card geometry (static/js/cards.js) matches components/cards.py.

Runs `node --test tests/browser/cards.test.mjs` with the catalogue's card data, so the two
implementations are checked against the same expected results (tests/fixtures/cards.json).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from components.catalogue import catalogue_as_json

ROOT = Path(__file__).resolve().parents[2]


def test_browser_cards_match_the_fixture(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to test static/js/cards.js (make installs it)")
    config = tmp_path / "cards.json"
    config.write_text(json.dumps(catalogue_as_json()["cards"]), encoding="utf-8")
    result = subprocess.run(
        [node, "--test", str(ROOT / "tests/browser/cards.test.mjs")],
        env={**os.environ, "CARDS_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
