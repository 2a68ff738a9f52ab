// The client store's findings: which report it keeps (static/js/store.js).

import assert from "node:assert/strict";
import { test } from "node:test";

import { Store } from "../../static/js/store.js";

const BOARD = { format: "mlsd-studio/board", version: 1, nodes: [], edges: [] };
const report = (name) => ({ passed: true, level: "senior", findings: [{ rule: name }], steps: {} });

test("findings follow in a report frame or inside an op; an older one is ignored", () => {
  const store = new Store({});
  store.handle({ type: "snapshot", revision: 1, board: BOARD, report: report("start") });
  store.handle({ type: "op", cid: "a", by: "x", revision: 2, op: { op: "update_board", changes: { title: "T" } } });
  store.handle({ type: "report", cid: "a", revision: 2, report: report("after a") });
  assert.equal(store.report.findings[0].rule, "after a");
  store.handle({ type: "report", cid: "z", revision: 1, report: report("stale") });
  assert.equal(store.report.findings[0].rule, "after a");
  store.handle({
    type: "op", cid: "b", by: "x", revision: 3, op: { op: "update_board", changes: { title: "U" } }, report: report("inside b"),
  });
  assert.equal(store.report.findings[0].rule, "inside b");
});

test("a snapshot's findings replace those of a revision the server never stored", () => {
  const store = new Store({});
  store.handle({ type: "snapshot", revision: 4, board: BOARD, report: report("at 4") });
  store.handle({ type: "report", cid: "c", revision: 5, report: report("edit 5, lost in a crash") });
  store.handle({ type: "snapshot", revision: 4, board: BOARD, report: report("server at 4") });
  assert.equal(store.report.findings[0].rule, "server at 4");
  assert.equal(store.reportRevision, 4);
});

test("the welcome passes on the interview's end with its number, and whether findings are hidden", () => {
  const store = new Store({});
  const heard = [];
  store.addEventListener("welcome", (e) => heard.push(e.detail));
  const you = { id: "me", name: "Ada", role: "candidate" };
  store.handle({ type: "welcome", you, role: "candidate", epoch: "e1", ended: null, ended_seq: 2, findings_hidden: true });
  store.handle({ type: "welcome", you, role: "candidate", epoch: "e1", ended: { at: "t", revision: 3 }, ended_seq: 3 });
  assert.deepEqual(heard.map((d) => [d.ended_seq, d.findings_hidden]), [[2, true], [3, false]]);
  assert.equal(heard[1].ended.revision, 3);
});
