"""tests/fixtures/ops/ is what components/operations.py makes today.

The same files drive tests/js/doc.test.mjs (static/js/doc.js under `node --test`), so a
change to operations.py that the browser's copy does not follow fails one of the two.
"""

from __future__ import annotations

import json

import pytest

from tests import op_fixtures


@pytest.mark.parametrize("name", sorted(op_fixtures.CASES))
def test_the_fixture_is_what_operations_py_makes(name):
    path = op_fixtures.FOLDER / f"{name}.json"
    assert path.exists(), "run: .venv/bin/python -m tests.op_fixtures"
    assert path.read_text() == op_fixtures.render(name), (
        f"{path.name} is stale: run .venv/bin/python -m tests.op_fixtures, then node --test "
        "tests/js/ (static/js/doc.js must follow)"
    )


def test_the_catalogue_and_connection_fixtures_are_fresh():
    """What tests/js/connections.test.mjs checks static/js/connections.js against."""
    assert op_fixtures.CATALOGUE.read_text() == op_fixtures.render_catalogue()
    assert op_fixtures.CONNECTIONS.read_text() == op_fixtures.render_connections()


def test_no_stray_fixture_files():
    names = {path.stem for path in op_fixtures.FOLDER.glob("*.json")}
    assert names == set(op_fixtures.CASES)


@pytest.mark.parametrize("name", sorted(op_fixtures.CASES))
def test_refused_cases_are_named_so(name):
    """The intent is in the name: a case meant to apply must apply, and the reverse."""
    data = json.loads(op_fixtures.render(name))
    assert ("refused" in data) == name.startswith("refused_"), data.get("refused")
