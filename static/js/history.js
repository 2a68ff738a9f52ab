// Undo and redo of this user's own edits, by sending inverse operations.
//
// Each step remembers the operation, its inverse (computed on the view just before the
// edit), the components/edges it touched and the revision it was applied at. A step is
// skipped, with a notice, when someone else has changed one of those since, or when the
// inverse no longer applies (e.g. the other end of a re-added connection was deleted).

import { nodeName } from "./connections.js";
import { invertOp, OpError } from "./doc.js";

const LIMIT = 200;

export class History {
  /**
   * @param {import("./store.js").Store} store
   * @param {(message: string) => void} notify shows a notice to the user (#hint)
   */
  constructor(store, notify) {
    this.store = store;
    this.notify = notify;
    this.undoStack = [];
    this.redoStack = [];
    this.othersChanged = new Map(); // key -> last revision at which someone else changed it
    this.listeners = new Set();
    store.addEventListener("change", (e) => {
      for (const key of e.detail.remoteKeys || []) this.othersChanged.set(key, e.detail.revision);
    });
    store.addEventListener("ack", (e) => {
      for (const step of [...this.undoStack, ...this.redoStack]) {
        if (step.cid === e.detail.cid) step.revision = e.detail.revision;
      }
    });
    store.addEventListener("refused", (e) => {
      const keep = (step) => step.cid !== e.detail.cid;
      this.undoStack = this.undoStack.filter(keep);
      this.redoStack = this.redoStack.filter(keep);
      this.changed();
    });
  }

  onChange(fn) {
    this.listeners.add(fn);
  }

  changed() {
    for (const fn of this.listeners) fn(this);
  }

  get canUndo() {
    return this.undoStack.length > 0;
  }

  get canRedo() {
    return this.redoStack.length > 0;
  }

  /**
   * Make an edit: submit `op` and remember how to undo it. `record: false` submits
   * without a history step (e.g. worksheet typing, which has the textarea's own undo).
   * `after` runs once the edit is made, and again each time it is undone or redone (an
   * auto-layout fits the view to the drawing it made, and to the one it undid).
   * Returns the submitted edit or null.
   */
  edit(op, { record = true, after = null } = {}) {
    if (!record) return this.store.submit(op);
    let inverse;
    try {
      inverse = invertOp(this.store.view, op);
    } catch (err) {
      if (!(err instanceof OpError)) throw err;
      this.notify("That edit no longer applies: " + err.message);
      return null;
    }
    const step = this.perform(op, inverse, after);
    if (step) {
      if (after) after();
      this.undoStack.push(step);
      if (this.undoStack.length > LIMIT) this.undoStack.shift();
      this.redoStack = [];
      this.changed();
    }
    return step;
  }

  perform(op, inverse, after = null) {
    const revision = this.store.revision;
    const edit = this.store.submit(op);
    if (!edit) return null;
    return { op, inverse, keys: touchedKeys(this.store, op, inverse), cid: edit.cid, revision, after };
  }

  undo() {
    return this.travel(this.undoStack, this.redoStack, "undo");
  }

  redo() {
    return this.travel(this.redoStack, this.undoStack, "redo");
  }

  travel(from, to, word) {
    const step = from.pop();
    if (!step) {
      this.notify(`Nothing to ${word}.`);
      return false;
    }
    const conflict = this.conflict(step);
    if (conflict) {
      this.notify(`Skipped ${word}: ${conflict}`);
      this.changed();
      return false;
    }
    let back;
    try {
      back = invertOp(this.store.view, step.inverse);
    } catch (err) {
      if (!(err instanceof OpError)) throw err;
      this.notify(`Skipped ${word}: ${err.message}`);
      this.changed();
      return false;
    }
    const done = this.perform(step.inverse, back, step.after);
    if (done) {
      to.push(done);
      if (done.after) done.after();
    }
    this.changed();
    return Boolean(done);
  }

  /** Why `step` cannot be reverted now, or "" if it can. */
  conflict(step) {
    for (const key of step.keys) {
      const changedAt = this.othersChanged.get(key);
      if (changedAt !== undefined && changedAt > step.revision) {
        return `${describeKey(this.store, key)} was changed by someone else since your edit.`;
      }
    }
    if (!this.store.wouldApply(step.inverse)) {
      return "the components it involves have changed since (one may have been deleted).";
    }
    return "";
  }
}

/** Keys of the components and connections an edit and its inverse touch. */
function touchedKeys(store, op, inverse) {
  const keys = new Set();
  const visit = (one) => {
    if (one.op === "batch") return one.ops.forEach(visit);
    if (one.node) keys.add("n:" + one.node.id);
    else if (one.edge) keys.add("e:" + one.edge.id);
    else if (one.op.endsWith("_node")) keys.add("n:" + one.id);
    else if (one.op.endsWith("_edge")) keys.add("e:" + one.id);
    else if (one.op === "update_notes") keys.add("notes:" + one.step);
    else if (one.op === "update_board") for (const k of Object.keys(one.changes)) keys.add("board:" + k);
    return undefined;
  };
  visit(op);
  visit(inverse);
  return keys;
}

function describeKey(store, key) {
  const [kind, id] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
  if (kind === "n") {
    const node = store.view.nodes.get(id) || store.model.nodes.get(id);
    return node ? `“${nodeName({ types: store.types || {} }, node)}”` : "a component";
  }
  if (kind === "e") return "a connection";
  if (kind === "board") return `the board ${id}`;
  return "the worksheet";
}
