// The client's copy of the board, kept in step with the server.
//
// `model` is the board at `revision`, changed ONLY by server frames (snapshot, ops, op), in
// revision order: duplicates are ignored, a gap asks for a sync. `view` is what the user
// sees: the model with this client's edits that the server has not applied yet (pending)
// replayed on top, so a dragged or added component stays put while its op travels.
//
// Events (CustomEvent on the store):
//   change   {keys: Set|null, remoteKeys: Set, revision}   the view changed (keys null:
//            anything may have); remoteKeys: what other people changed in this frame
//   report   {report, revision}                            validator report
//   welcome  {you, role, timer, ended}                     timer: interviewers only
//   ack      {cid, revision}
//   refused  {cid, message, code}                          one of our edits was refused
//            (a component or connection deleted meanwhile is named by the label this
//            client knew when the edit was made: refusalMessage)
//   problem  {message}                                     something to tell the user
//   presence {frame}                                       presence.*, cursor, selection
//   synced   {}                                            caught up after (re)connecting
//   frame    {frame}                                       every frame, before handling

import { nodeName } from "./connections.js";
import {
  applyOp, canApply, differences, edgeKey, emptyDoc, fromBoard, keysOf, nodeKey, OpError, replayPending,
  seemsApplied,
} from "./doc.js";
import { sameJSON } from "./dom.js";

const NONE = new Set();

export class Store extends EventTarget {
  /**
   * @param {{maxBatch?: number, types?: object}} opts `maxBatch`: operations in one batch,
   *   the catalogue's limits.batch (without it, only the server refuses a batch that is too
   *   long); `types`: the catalogue's types, whose titles name unlabelled components
   */
  constructor({ maxBatch = Infinity, types = {} } = {}) {
    super();
    this.maxBatch = maxBatch;
    this.types = types;
    this.model = emptyDoc();
    this.view = emptyDoc();
    this.revision = 0;
    this.loaded = false;
    // Our edits not yet applied to the model, in order: {cid, op, revision?, names, waited}
    // (names: what the edit's components and connections were called when it was made;
    // waited: it was made, or still unanswered, while the connection was down).
    this.pending = [];
    this.me = null;
    this.role = null;
    this.conn = null;
    this.syncing = false;
    this.report = null;
    this.reportRevision = -1;
    this.counter = 0;
    this.session = Math.random().toString(36).slice(2, 8);
    this.ended = false; // this page can no longer edit the board (end())
  }

  /**
   * This page's access to the board ended for good (the server closed the socket with
   * 4403 or 4404): no edit is made or queued from now on, since none could be saved.
   */
  end() {
    this.ended = true;
  }

  attach(conn) {
    this.conn = conn;
    conn.onState((state) => {
      if (state === "syncing") this.syncing = true;
      if (state === "offline" || state === "closed") {
        this.syncing = false;
        for (const edit of this.pending) edit.waited = true;
      }
    });
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // --- local edits ------------------------------------------------------------------

  /**
   * Apply our own edit to the view at once and queue it for the server. Returns the edit
   * ({cid, op}) or null when the edit cannot apply (the view is left as it was).
   */
  submit(op) {
    if (this.ended) return null;
    if (op && op.op === "batch" && Array.isArray(op.ops) && op.ops.length > this.maxBatch) {
      this.emit("problem", {
        message: `That change has ${op.ops.length} steps; at most ${this.maxBatch} can be made at once.`,
      });
      return null;
    }
    const names = namesIn(this.view, op, this.types); // before the edit changes them
    let keys;
    try {
      keys = applyOp(this.view, op);
    } catch (err) {
      if (!(err instanceof OpError)) throw err;
      this.emit("problem", { message: "That edit no longer applies: " + err.message });
      return null;
    }
    this.counter += 1;
    const edit = {
      cid: `${this.session}-${this.counter}`, op, revision: null, names,
      waited: Boolean(this.conn) && this.conn.state !== "online",
    };
    this.pending.push(edit);
    this.emit("change", { keys, remoteKeys: NONE, revision: this.revision });
    if (this.conn) this.conn.submit(edit);
    return edit;
  }

  wouldApply(op) {
    return canApply(this.view, op);
  }

  // --- server frames ------------------------------------------------------------------

  handle(frame) {
    this.emit("frame", { frame }); // every frame, for features that add their own types
    switch (frame.type) {
      case "welcome":
        this.me = frame.you || null;
        this.role = frame.role || null;
        this.emit("welcome", {
          you: this.me, role: this.role, timer: frame.timer, ended: frame.ended,
          ended_seq: frame.ended_seq, findings_hidden: Boolean(frame.findings_hidden),
        });
        break;
      case "snapshot":
        this.onSnapshot(frame);
        break;
      case "ops":
        this.onOps(frame);
        break;
      case "op":
        this.onOp(frame);
        // With several server processes the findings an op changed travel inside it.
        if (frame.report) this.setReport(frame.report, frame.revision);
        break;
      case "report":
        // Findings follow the op that changed them (older revisions' are ignored).
        this.setReport(frame.report, frame.revision);
        break;
      case "ack":
        this.onAck(frame);
        break;
      case "error":
        this.onError(frame);
        break;
      case "presence.joined":
      case "presence.here":
      case "presence.left":
      case "cursor":
      case "selection":
      case "viewport":
        this.emit("presence", { frame });
        break;
      default:
        break;
    }
  }

  requestSync(since) {
    if (this.syncing || !this.conn) return;
    if (this.conn.sync(since)) this.syncing = true;
  }

  onSnapshot(frame) {
    this.syncing = false;
    const before = this.model;
    this.model = fromBoard(frame.board || {});
    this.revision = frame.revision;
    // Our acknowledged edits are in the snapshot; uncertain ones are judged by effect.
    const ours = new Set();
    for (const edit of this.pending) {
      if (edit.revision != null || edit.uncertain) for (const key of keysOf(edit.op)) ours.add(key);
    }
    this.settle((edit) => (edit.revision != null && edit.revision <= this.revision)
      || (edit.uncertain && seemsApplied(this.model, edit.op)));
    // A snapshot does not say who changed what: count every difference not explained by
    // our own edits as someone else's (undo then skips rather than overwrites).
    const remote = this.loaded ? differences(before, this.model, ours) : NONE;
    this.loaded = true;
    this.rebuild(remote);
    // The snapshot's findings are the server's: they replace any of a later revision
    // (an edit the server never stored, when it restarted before committing it).
    if (frame.report) this.setReport(frame.report, frame.revision, true);
    this.finishSync();
  }

  onOps(frame) {
    this.syncing = false;
    const remoteKeys = new Set();
    let broken = false;
    for (const entry of frame.ops || []) {
      if (entry.revision <= this.revision) continue;
      if (entry.revision !== this.revision + 1) {
        broken = true;
        break;
      }
      const keys = this.applyToModel(entry.op, entry.revision);
      if (keys === null) {
        broken = true;
        break;
      }
      const mine = this.pending.find((edit) => edit.revision === entry.revision)
        || this.pending.find((edit) => edit.uncertain && sameJSON(edit.op, entry.op));
      if (mine) this.settle((edit) => edit === mine);
      else for (const key of keys) remoteKeys.add(key);
    }
    this.settle((edit) => edit.revision != null && edit.revision <= this.revision);
    this.loaded = true;
    this.rebuild(remoteKeys);
    if (frame.report && frame.revision >= this.revision) this.setReport(frame.report, frame.revision);
    if (broken) {
      this.requestSync(0);
      return;
    }
    this.finishSync();
  }

  finishSync() {
    this.emit("synced", {});
    if (this.conn) this.conn.synced();
  }

  onOp(frame) {
    const mine = frame.by && this.me && frame.by === this.me.id
      ? this.pending.find((edit) => edit.cid === frame.cid) : null;
    if (frame.revision <= this.revision) {
      if (mine) this.settle((edit) => edit === mine);
      return;
    }
    if (frame.revision !== this.revision + 1) {
      this.requestSync(this.revision);
      return;
    }
    const fastPath = this.pending.length === 0 || (mine && this.pending[0] === mine);
    const keys = this.applyToModel(frame.op, frame.revision);
    if (keys === null) return;
    if (mine) this.settle((edit) => edit === mine);
    const remoteKeys = mine ? NONE : keys;
    if (fastPath && mine) {
      // The view already shows our edit; nothing moves.
      this.emit("change", { keys, remoteKeys, revision: this.revision });
    } else if (fastPath && !this.pending.length) {
      try {
        applyOp(this.view, frame.op);
        this.emit("change", { keys, remoteKeys, revision: this.revision });
      } catch {
        this.rebuild(remoteKeys);
      }
    } else {
      this.rebuild(remoteKeys);
    }
  }

  /** Apply a server operation to the model; null (and a full resync) if it does not fit. */
  applyToModel(op, revision) {
    try {
      const keys = applyOp(this.model, op);
      this.revision = revision;
      return keys;
    } catch (err) {
      if (!(err instanceof OpError)) throw err;
      // Our copy drifted from the server's: start again from a snapshot.
      this.syncing = false;
      this.requestSync(0);
      return null;
    }
  }

  onAck(frame) {
    const edit = this.pending.find((e) => e.cid === frame.cid);
    if (edit) {
      edit.revision = frame.revision;
      if (frame.revision <= this.revision) this.settle((e) => e === edit);
    }
    this.emit("ack", { cid: frame.cid, revision: frame.revision });
  }

  onError(frame) {
    const edit = frame.cid != null ? this.pending.find((e) => e.cid === frame.cid) : null;
    const message = frame.missing ? refusalMessage(frame.missing, edit)
      : frame.message || "The server refused that.";
    if (edit) {
      this.settle((e) => e === edit);
      this.emit("refused", { cid: edit.cid, message, code: frame.code });
      this.rebuild(NONE);
    } else if (this.syncing && frame.cid == null) {
      this.syncing = false;
    }
    this.emit("problem", { message, code: frame.code });
    if (frame.code !== "board_full") {
      // Return to the server's truth: a fresh snapshot replaces whatever we guessed.
      this.syncing = false;
      this.requestSync(0);
    }
  }

  /** An edit the client could not send (too large for one frame): drop it like a refusal. */
  refuseLocally(edit, message) {
    this.settle((e) => e === edit);
    this.emit("refused", { cid: edit.cid, message, code: "too_large" });
    this.rebuild(NONE);
    this.emit("problem", { message });
  }

  /** Drop pending edits matching `predicate` (applied or refused), here and in the outbox. */
  settle(predicate) {
    const gone = this.pending.filter(predicate);
    if (!gone.length) return;
    this.pending = this.pending.filter((edit) => !gone.includes(edit));
    if (this.conn) this.conn.discard((edit) => gone.includes(edit));
  }

  /** view = model + our pending edits (those that no longer apply are left out). */
  rebuild(remoteKeys) {
    this.view = replayPending(this.model, this.pending.map((edit) => edit.op));
    this.emit("change", { keys: null, remoteKeys, revision: this.revision });
  }

  /** Drop the findings kept (the interviewer hid them): the next report is taken whatever
   * its revision. */
  forgetReport() {
    this.report = null;
    this.reportRevision = -1;
  }

  setReport(report, revision, authoritative = false) {
    if (!report || (!authoritative && revision < this.reportRevision)) return;
    this.report = report;
    this.reportRevision = revision;
    this.emit("report", { report, revision });
  }
}

// --- refusals in words ----------------------------------------------------------------

const clip = (text) => (text.length > 40 ? `${text.slice(0, 39).trimEnd()}…` : text);

/** A component's label as the canvas shows it (its type's title when it has none). */
const shown = (node, types) => `“${clip(nodeName({ types }, node))}”`;

/** What a component is called at the start of a sentence: “Data lake”. */
function subjectName(node, types) {
  if (node.type === "note") return node.label ? `The note “${clip(node.label)}”` : "An empty note";
  return shown(node, types);
}

/** What a connection is called: its label, else its two ends. */
function edgeName(edge, doc, types) {
  if (edge.label) return `The connection “${clip(edge.label)}”`;
  const end = (id) => (doc.nodes.has(id) ? shown(doc.nodes.get(id), types) : "a component");
  return `The connection from ${end(edge.source)} to ${end(edge.target)}`;
}

/**
 * The names (node/edge key -> words) of the components and connections `op` names, as
 * `doc` has them: kept with the edit, so that a refusal can name what it was about even
 * once that is gone from the board (a snapshot after a reconnect no longer holds it).
 */
export function namesIn(doc, op, types = {}) {
  const names = new Map();
  const node = (id) => {
    const found = typeof id === "string" ? doc.nodes.get(id) : null;
    if (found) names.set(nodeKey(id), subjectName(found, types));
  };
  const visit = (one) => {
    if (!one || typeof one !== "object") return;
    if (one.op === "batch") {
      if (Array.isArray(one.ops)) one.ops.forEach(visit);
    } else if (one.op === "add_edge") {
      node(one.edge?.source);
      node(one.edge?.target);
    } else if (typeof one.op === "string" && one.op.endsWith("_edge")) {
      const found = typeof one.id === "string" ? doc.edges.get(one.id) : null;
      if (found) names.set(edgeKey(one.id), edgeName(found, doc, types));
    } else if (typeof one.op === "string" && one.op.endsWith("_node") && one.op !== "add_node") {
      node(one.id);
    }
  };
  visit(op);
  return names;
}

/**
 * Why an edit was refused when it named a component or connection that someone else
 * deleted (`missing`: the error frame's {kind, id}), in words and by the name the edit
 * knew, never the id: "“Data lake” was deleted by someone else while you were offline;
 * your change to it was dropped."
 */
export function refusalMessage(missing, edit) {
  const key = missing.kind === "edge" ? edgeKey(missing.id) : nodeKey(missing.id);
  const what = edit?.names?.get(key) || (missing.kind === "edge" ? "A connection" : "A component");
  const offline = edit?.waited ? " while you were offline" : "";
  const op = edit?.op?.op;
  if (op === "delete_node" || op === "delete_edge") {
    return `${what} was already deleted by someone else${offline}.`;
  }
  const when = edit?.waited ? "was deleted by someone else while you were offline"
    : "was just deleted by someone else";
  let dropped = "your change to it was dropped";
  if (op === "add_edge") dropped = "your connection to it was dropped";
  else if (op === "batch") dropped = "your change to it was dropped, with the rest of that edit";
  return `${what} ${when}; ${dropped}.`;
}
