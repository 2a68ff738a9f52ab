// The canvas router (static/js/routing.js) against tests/fixtures/routes.json, the lines
// components/routes.py draws for the exports too (tests/components/test_routes.py): a
// change to the router that moves a line must regenerate the fixture on purpose
// (node tests/js/routes-fixture.mjs > tests/fixtures/routes.json), and the Python then
// follows. Run: node --test tests/js/   (make test runs it)

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const { routed } = await import("./routes-fixture.mjs");
const fixture = JSON.parse(readFileSync(new URL("../fixtures/routes.json", import.meta.url), "utf8"));

for (const board of fixture.boards) {
  test(`the router draws the lines of tests/fixtures/routes.json: ${board.name}`, () => {
    const { lines, shapes } = routed(board);
    assert.deepEqual(shapes, board.shapes);
    assert.deepEqual(lines, board.lines);
  });
}

test("a board's lines do not depend on the order its links arrived in", () => {
  // Two clients may hold a board's links in different orders (an edit of their own
  // applied before someone else's). Ports and lanes start from one order, so every Z, L
  // and C is drawn the same (a searched path's small shifts still follow the order).
  for (const board of fixture.boards) {
    const forwards = routed(board);
    const backwards = routed({ ...board, links: [...board.links].reverse() });
    for (const [id, shape] of Object.entries(forwards.shapes)) {
      assert.equal(backwards.shapes[id], shape, `${board.name} ${id}`);
      if (shape !== "path") assert.deepEqual(backwards.lines[id], forwards.lines[id], `${board.name} ${id}`);
    }
  }
});
