// The store's reconciliation (static/js/doc.js: replayPending, keysOf, differences) on
// the op → document fixtures of tests/fixtures/ops/ (written by components/operations.py).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

import { applyOp, differences, fromBoard, keysOf, replayPending, toBoard } from "../../static/js/doc.js";

const folder = new URL("../fixtures/ops/", import.meta.url);
const cases = readdirSync(folder).filter((n) => n.endsWith(".json")).sort()
  .map((name) => ({ name, ...JSON.parse(readFileSync(new URL(name, folder), "utf8")) }));
const applied = cases.filter((c) => c.after);
const refused = cases.filter((c) => c.refused);

test("the view is the model with our pending edits on top, the model untouched", () => {
  for (const c of applied) {
    const model = fromBoard(c.before);
    const view = replayPending(model, [c.op]);
    assert.deepEqual(toBoard(view), c.after, c.name);
    assert.deepEqual(toBoard(model), c.before, `${c.name}: the model was changed`);
  }
});

test("pending edits that no longer apply are left out, the others kept", () => {
  const move = applied.find((c) => c.name === "move_node.json");
  for (const c of refused) {
    const view = replayPending(fromBoard(c.before), [c.op, move.op]);
    assert.deepEqual(toBoard(view), move.after, c.name);
  }
});

test("an edit replayed on a model that already has it is not applied twice", () => {
  const add = applied.find((c) => c.name === "add_node.json");
  const view = replayPending(fromBoard(add.after), [add.op]);
  assert.deepEqual(toBoard(view), add.after);
});

test("the keys an op names cover what it changes (imports and notes aside)", () => {
  for (const c of applied.filter((one) => !["import", "update_notes", "update_board"].includes(one.op.op))) {
    const changed = differences(fromBoard(c.before), fromBoard(c.after));
    const named = keysOf(c.op);
    const touched = applyOp(fromBoard(c.before), c.op);
    for (const key of changed) {
      assert.ok(touched.has(key), `${c.name}: applyOp did not report ${key}`);
      // A deleted component takes its connections along: those are not named by the op.
      if (c.op.op !== "delete_node") assert.ok(named.has(key), `${c.name}: ${key} not named`);
    }
  }
});

test("differences skips what it is told to, and two equal documents differ in nothing", () => {
  const c = applied.find((one) => one.name === "batch.json");
  const all = differences(fromBoard(c.before), fromBoard(c.after));
  assert.ok(all.size > 0);
  assert.equal(differences(fromBoard(c.before), fromBoard(c.after), all).size, 0);
  assert.equal(differences(fromBoard(c.before), fromBoard(c.before)).size, 0);
});
