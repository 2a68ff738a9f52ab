// static/js/doc.js (the browser's operations) against the server's: every case of
// tests/fixtures/ops/, written by components/operations.py (python -m tests.op_fixtures).
// Run: node --test tests/js/   (make test runs it)
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

import {
  applyOp, canApply, cloneDoc, fromBoard, invertOp, OpError, seemsApplied, toBoard,
} from "../../static/js/doc.js";

// An undo re-adds what it restores at the end: compare contents, not order.
const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const unordered = (board) => ({
  ...board, nodes: [...board.nodes].sort(byId), edges: [...board.edges].sort(byId),
});

const folder = new URL("../fixtures/ops/", import.meta.url);
const cases = readdirSync(folder)
  .filter((name) => name.endsWith(".json"))
  .sort()
  .map((name) => ({ name, ...JSON.parse(readFileSync(new URL(name, folder), "utf8")) }));

test("the fixtures are there", () => {
  assert.ok(cases.length >= 20, `only ${cases.length} fixtures in ${folder}`);
  assert.ok(cases.some((c) => c.refused) && cases.some((c) => c.after));
});

test("a board survives fromBoard and toBoard unchanged", () => {
  for (const c of cases) assert.deepEqual(toBoard(fromBoard(c.before)), c.before, c.name);
});

for (const c of cases.filter((one) => one.after)) {
  test(`${c.name}: ${c.shows}`, () => {
    const doc = fromBoard(c.before);
    applyOp(doc, c.op);
    assert.deepEqual(toBoard(doc), c.after);
  });

  if (c.op.op !== "import") {
    test(`${c.name}: undone by its inverse (up to order)`, () => {
      const before = fromBoard(c.before);
      const inverse = invertOp(before, c.op);
      const doc = fromBoard(c.after);
      applyOp(doc, inverse);
      assert.deepEqual(unordered(toBoard(doc)), unordered(c.before));
    });
  }
}

for (const c of cases.filter((one) => one.refused)) {
  test(`${c.name}: refused, and the document is unchanged`, () => {
    const doc = fromBoard(c.before);
    const copy = cloneDoc(doc);
    assert.throws(() => applyOp(doc, c.op), OpError, `the server refuses it: ${c.refused}`);
    assert.deepEqual(toBoard(doc), toBoard(copy));
    assert.equal(canApply(fromBoard(c.before), c.op), false);
  });
}

test("an applied add or delete is recognised after a resync", () => {
  for (const c of cases.filter((one) => one.after && /^(add|delete)_/.test(one.op.op))) {
    assert.equal(seemsApplied(fromBoard(c.after), c.op), true, c.name);
    assert.equal(seemsApplied(fromBoard(c.before), c.op), false, c.name);
  }
});

test("undoing a move made only where the sender saw the card leaves someone else's move", () => {
  const c = cases.find((one) => one.name === "move_node_from_here.json");
  const before = fromBoard(c.before);
  const inverse = invertOp(before, c.op);
  assert.deepEqual(inverse.from, { x: c.op.x, y: c.op.y });
  // Applied, then someone else moved the card: the undo does not move it back.
  const doc = fromBoard(c.after);
  applyOp(doc, { op: "move_node", id: c.op.id, x: 500, y: 300 });
  applyOp(doc, inverse);
  const node = toBoard(doc).nodes.find((n) => n.id === c.op.id);
  assert.deepEqual([node.x, node.y], [500, 300]);
});
