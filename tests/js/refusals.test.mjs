// A refused edit of something someone else deleted is told in words, by the name this
// client knew it by, never by its id (static/js/store.js: namesIn, refusalMessage).

import assert from "node:assert/strict";
import { test } from "node:test";

import { namesIn, refusalMessage, Store } from "../../static/js/store.js";
import { fromBoard } from "../../static/js/doc.js";

const TYPES = { data_lake: { title: "Data lake" }, feature_store: { title: "Feature store" } };
const LAKE = "n-819cdd6cbb";
const board = (nodes, edges = []) => ({ format: "mlsd-studio/board", version: 1, nodes, edges });
const lake = { id: LAKE, type: "data_lake", label: "Data lake", x: 0, y: 0 };
const features = { id: "fs", type: "feature_store", label: "", x: 300, y: 0 };
const BEFORE = board([lake, features], [{ id: "e1", source: LAKE, target: "fs" }]);
const AFTER = board([features]); // someone else deleted the lake (and its connection)

/** A stand-in for connection.js: a state, its listeners, and the outbox calls. */
class FakeConnection {
  constructor() {
    this.state = "online";
    this.listeners = [];
    this.sent = [];
  }
  onState(fn) { this.listeners.push(fn); }
  setState(state) {
    this.state = state;
    for (const fn of this.listeners) fn(state);
  }
  submit(edit) { this.sent.push(edit); }
  discard() {}
  sync() { return true; }
  synced() {}
}

function storeWith(conn) {
  const store = new Store({ types: TYPES });
  store.attach(conn);
  store.handle({ type: "snapshot", revision: 3, board: BEFORE });
  const problems = [];
  const refused = [];
  store.addEventListener("problem", (e) => problems.push(e.detail.message));
  store.addEventListener("refused", (e) => refused.push(e.detail.message));
  return { store, problems, refused };
}

const gone = (cid, id = LAKE, kind = "component") => ({
  type: "error", cid, code: "refused",
  message: `${kind} '${id}' does not exist (it may have just been deleted by someone else)`,
  missing: { kind, id },
});

test("an edit queued offline and refused after the reconnect names the component by its label", () => {
  const conn = new FakeConnection();
  const { store, problems, refused } = storeWith(conn);
  conn.setState("offline");
  const edit = store.submit({ op: "update_node", id: LAKE, changes: { label: "Raw events" } });
  assert.ok(edit);
  // Back online: the snapshot no longer holds the lake; the queued rename is refused.
  conn.setState("syncing");
  store.handle({ type: "snapshot", revision: 5, board: AFTER });
  store.handle(gone(edit.cid));
  const words = "“Data lake” was deleted by someone else while you were offline; your change to it was dropped.";
  assert.deepEqual(problems, [words]);
  assert.deepEqual(refused, [words]);
  assert.ok(!problems[0].includes(LAKE));
  assert.equal(store.pending.length, 0);
});

test("an edit sent just before the connection dropped counts as made offline", () => {
  const conn = new FakeConnection();
  const { store, problems } = storeWith(conn);
  const edit = store.submit({ op: "move_node", id: LAKE, x: 40, y: 40 });
  conn.setState("offline"); // unanswered when the socket dropped: sent again later
  conn.setState("syncing");
  store.handle({ type: "snapshot", revision: 5, board: AFTER });
  store.handle(gone(edit.cid));
  assert.match(problems[0], /^“Data lake” was deleted by someone else while you were offline;/);
});

test("online, the refusal says it was just deleted; a connection to it, that the connection was dropped", () => {
  const conn = new FakeConnection();
  const { store, problems } = storeWith(conn);
  const move = store.submit({ op: "move_node", id: LAKE, x: 40, y: 40 });
  store.handle(gone(move.cid));
  assert.equal(problems[0], "“Data lake” was just deleted by someone else; your change to it was dropped.");

  store.handle({ type: "snapshot", revision: 3, board: BEFORE });
  const link = store.submit({ op: "add_edge", edge: { id: "e2", source: "fs", target: LAKE, label: "" } });
  assert.ok(link, "the feature store -> data lake connection applies to the view");
  store.handle(gone(link.cid));
  assert.equal(problems[1], "“Data lake” was just deleted by someone else; your connection to it was dropped.");
});

test("an unlabelled component is named by its type, a connection by its ends, never by an id", () => {
  const doc = fromBoard(BEFORE);
  const names = namesIn(doc, {
    op: "batch",
    ops: [
      { op: "move_node", id: "fs", x: 1, y: 1 },
      { op: "update_edge", id: "e1", changes: { label: "daily" } },
    ],
  }, TYPES);
  assert.equal(names.get("n:fs"), "“Feature store”");
  assert.equal(names.get("e:e1"), "The connection from “Data lake” to “Feature store”");
  const edit = { op: { op: "update_edge", id: "e1", changes: { label: "daily" } }, names, waited: true };
  assert.equal(
    refusalMessage({ kind: "edge", id: "e1" }, edit),
    "The connection from “Data lake” to “Feature store” was deleted by someone else while you were offline; "
      + "your change to it was dropped.",
  );
  // Nothing known about it (not one of our edits): still no id.
  assert.equal(
    refusalMessage({ kind: "component", id: LAKE }, null),
    "A component was just deleted by someone else; your change to it was dropped.",
  );
  assert.equal(
    refusalMessage({ kind: "component", id: LAKE }, { op: { op: "delete_node", id: LAKE }, names, waited: true }),
    "A component was already deleted by someone else while you were offline.",
  );
});

test("an error without `missing` keeps the server's message", () => {
  const conn = new FakeConnection();
  const { store, problems } = storeWith(conn);
  const edit = store.submit({ op: "update_board", changes: { title: "T" } });
  store.handle({ type: "error", cid: edit.cid, code: "refused", message: "title: too long" });
  assert.deepEqual(problems, ["title: too long"]);
});
