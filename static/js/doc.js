// The board document in the browser, and the operations of docs/protocol.md applied to it.
//
// A document is {title, level, notes, nodes: Map, edges: Map}. Node and edge objects are
// never mutated: an operation replaces the object it changes, so copying a document is a
// cheap copy of its two Maps, and the canvas can tell what changed by object identity.

export class OpError extends Error {}

export function emptyDoc() {
  return { title: "", level: "senior", notes: {}, nodes: new Map(), edges: new Map() };
}

function nodeFrom(raw) {
  return Object.freeze({
    id: raw.id, type: raw.type, label: raw.label ?? "", x: raw.x ?? 0, y: raw.y ?? 0,
    props: Object.freeze({ ...(raw.props || {}) }),
  });
}

function edgeFrom(raw) {
  return Object.freeze({ id: raw.id, source: raw.source, target: raw.target, label: raw.label ?? "" });
}

/** A document from the board JSON of a snapshot (framework.md §3). */
export function fromBoard(board) {
  const doc = emptyDoc();
  doc.title = board.title ?? "";
  doc.level = board.level ?? "senior";
  doc.notes = { ...(board.notes || {}) };
  for (const n of board.nodes || []) doc.nodes.set(n.id, nodeFrom(n));
  for (const e of board.edges || []) doc.edges.set(e.id, edgeFrom(e));
  return doc;
}

/**
 * The board JSON of a document, exactly as the server writes it (Board.to_dict in
 * components/document.py): an edge's empty label and a node's empty props are left out.
 */
export function toBoard(doc) {
  return {
    format: "mlsd-studio/board", version: 1, title: doc.title, level: doc.level,
    notes: { ...doc.notes },
    nodes: [...doc.nodes.values()].map(nodeJSON),
    edges: [...doc.edges.values()].map((edge) => {
      const data = { id: edge.id, source: edge.source, target: edge.target };
      if (edge.label) data.label = edge.label;
      return data;
    }),
  };
}

export function cloneDoc(doc) {
  return {
    title: doc.title, level: doc.level, notes: { ...doc.notes },
    nodes: new Map(doc.nodes), edges: new Map(doc.edges),
  };
}

/** A node or edge as plain JSON, the way operations carry it. */
function nodeJSON(node) {
  const data = { id: node.id, type: node.type, label: node.label, x: node.x, y: node.y };
  if (Object.keys(node.props).length) data.props = { ...node.props };
  return data;
}

function edgeJSON(edge) {
  return { id: edge.id, source: edge.source, target: edge.target, label: edge.label };
}

// Cell keys on the canvas: "n:<id>" for a component, "e:<id>" for a connection, and back.
export const nodeKey = (id) => "n:" + id;
export const edgeKey = (id) => "e:" + id;
export const docId = (key) => key.slice(2);
export const isNodeKey = (key) => typeof key === "string" && key.startsWith("n:");

function needNode(doc, id) {
  const node = doc.nodes.get(id);
  if (!node) throw new OpError(`component ${JSON.stringify(id)} does not exist`);
  return node;
}

function needEdge(doc, id) {
  const edge = doc.edges.get(id);
  if (!edge) throw new OpError(`connection ${JSON.stringify(id)} does not exist`);
  return edge;
}

function changesOf(op) {
  if (!op.changes || typeof op.changes !== "object" || !Object.keys(op.changes).length) {
    throw new OpError('"changes" must be a non-empty object');
  }
  return op.changes;
}

const APPLY = {
  add_node(doc, op, touched) {
    const node = op.node;
    if (!node || typeof node.id !== "string" || !node.id) throw new OpError("a component needs an id");
    if (doc.nodes.has(node.id)) throw new OpError(`component id ${JSON.stringify(node.id)} is already taken`);
    doc.nodes.set(node.id, nodeFrom(node));
    touched.add(nodeKey(node.id));
  },
  update_node(doc, op, touched) {
    const node = needNode(doc, op.id);
    const changes = changesOf(op);
    const next = { ...node, props: { ...node.props } };
    if ("label" in changes) next.label = changes.label;
    if (changes.props) {
      for (const [key, value] of Object.entries(changes.props)) {
        if (value === null) delete next.props[key];
        else next.props[key] = value;
      }
    }
    doc.nodes.set(node.id, nodeFrom(next));
    touched.add(nodeKey(node.id));
  },
  move_node(doc, op, touched) {
    const node = needNode(doc, op.id);
    // Made on the way (a renamed card keeps its right edge): only if the component is
    // still where the sender saw it (components/operations.py).
    if (op.from && (node.x !== op.from.x || node.y !== op.from.y)) return;
    doc.nodes.set(node.id, nodeFrom({ ...node, x: op.x, y: op.y }));
    touched.add(nodeKey(node.id));
  },
  delete_node(doc, op, touched) {
    const node = needNode(doc, op.id);
    doc.nodes.delete(node.id);
    touched.add(nodeKey(node.id));
    for (const edge of [...doc.edges.values()]) {
      if (edge.source === node.id || edge.target === node.id) {
        doc.edges.delete(edge.id);
        touched.add(edgeKey(edge.id));
      }
    }
  },
  add_edge(doc, op, touched) {
    const edge = op.edge;
    if (!edge || typeof edge.id !== "string" || !edge.id) throw new OpError("a connection needs an id");
    if (doc.edges.has(edge.id)) throw new OpError(`connection id ${JSON.stringify(edge.id)} is already taken`);
    needNode(doc, edge.source);
    needNode(doc, edge.target);
    if (edge.source === edge.target) throw new OpError("a component cannot connect to itself");
    for (const other of doc.edges.values()) {
      if (other.source === edge.source && other.target === edge.target) {
        throw new OpError("these components are already connected in that direction");
      }
    }
    doc.edges.set(edge.id, edgeFrom(edge));
    touched.add(edgeKey(edge.id));
  },
  update_edge(doc, op, touched) {
    const edge = needEdge(doc, op.id);
    const changes = changesOf(op);
    doc.edges.set(edge.id, edgeFrom({ ...edge, label: changes.label ?? edge.label }));
    touched.add(edgeKey(edge.id));
  },
  delete_edge(doc, op, touched) {
    const edge = needEdge(doc, op.id);
    doc.edges.delete(edge.id);
    touched.add(edgeKey(edge.id));
  },
  update_notes(doc, op, touched) {
    doc.notes = { ...doc.notes, [op.step]: op.text };
    touched.add("notes:" + op.step);
  },
  update_board(doc, op, touched) {
    const changes = changesOf(op);
    if ("title" in changes) { doc.title = changes.title; touched.add("board:title"); }
    if ("level" in changes) { doc.level = changes.level; touched.add("board:level"); }
  },
  batch(doc, op, touched) {
    if (!Array.isArray(op.ops) || !op.ops.length) throw new OpError('"ops" must be a non-empty list');
    const work = cloneDoc(doc);
    const inner = new Set();
    op.ops.forEach((one, index) => {
      if (one && one.op === "batch") throw new OpError("a batch cannot contain another batch");
      try {
        applyOp(work, one, inner);
      } catch (err) {
        throw new OpError(`operation ${index + 1} of the batch: ${err.message}`);
      }
    });
    Object.assign(doc, work);
    for (const key of inner) touched.add(key);
  },
  import(doc, op, touched) {
    const next = fromBoard(op.document || {});
    for (const id of doc.nodes.keys()) touched.add(nodeKey(id));
    for (const id of doc.edges.keys()) touched.add(edgeKey(id));
    Object.assign(doc, next);
    for (const id of doc.nodes.keys()) touched.add(nodeKey(id));
    for (const id of doc.edges.keys()) touched.add(edgeKey(id));
    touched.add("board:title");
    touched.add("board:level");
  },
};

/**
 * Apply `op` to `doc` in place; return the keys ("n:<id>", "e:<id>", "notes:<step>",
 * "board:<field>") it touched. Throws OpError (leaving `doc` unchanged) when the operation
 * cannot apply, e.g. it names a component that no longer exists.
 */
export function applyOp(doc, op, touched = new Set()) {
  const apply = op && APPLY[op.op];
  if (!apply) throw new OpError(`unknown operation ${JSON.stringify(op && op.op)}`);
  apply(doc, op, touched);
  return touched;
}

/** Whether `op` would apply to `doc` (tried on a copy). */
export function canApply(doc, op) {
  try {
    applyOp(cloneDoc(doc), op);
    return true;
  } catch (err) {
    if (err instanceof OpError) return false;
    throw err;
  }
}

function invertOne(doc, op) {
  switch (op.op) {
    case "add_node":
      return [{ op: "delete_node", id: op.node.id }];
    case "delete_node": {
      const node = needNode(doc, op.id);
      const edges = [...doc.edges.values()].filter((e) => e.source === op.id || e.target === op.id);
      return [{ op: "add_node", node: nodeJSON(node) },
        ...edges.map((e) => ({ op: "add_edge", edge: edgeJSON(e) }))];
    }
    case "move_node": {
      const node = needNode(doc, op.id);
      // A move made only where the sender saw the card is undone the same way: back only
      // from where it put the card, so that undoing it never undoes someone else's move.
      if (op.from) return [{ op: "move_node", id: op.id, x: node.x, y: node.y, from: { x: op.x, y: op.y } }];
      return [{ op: "move_node", id: op.id, x: node.x, y: node.y }];
    }
    case "update_node": {
      const node = needNode(doc, op.id);
      const changes = {};
      if ("label" in op.changes) changes.label = node.label;
      if (op.changes.props) {
        changes.props = {};
        for (const key of Object.keys(op.changes.props)) {
          changes.props[key] = key in node.props ? node.props[key] : null;
        }
      }
      return [{ op: "update_node", id: op.id, changes }];
    }
    case "add_edge":
      return [{ op: "delete_edge", id: op.edge.id }];
    case "delete_edge":
      return [{ op: "add_edge", edge: edgeJSON(needEdge(doc, op.id)) }];
    case "update_edge":
      return [{ op: "update_edge", id: op.id, changes: { label: needEdge(doc, op.id).label } }];
    case "update_notes":
      return [{ op: "update_notes", step: op.step, text: doc.notes[op.step] ?? "" }];
    case "update_board": {
      const changes = {};
      if ("title" in op.changes) changes.title = doc.title;
      if ("level" in op.changes) changes.level = doc.level;
      return [{ op: "update_board", changes }];
    }
    default:
      throw new OpError(`cannot invert ${JSON.stringify(op.op)}`);
  }
}

/**
 * The operation that undoes `op`, computed on `doc` as it is before `op` applies.
 * A batch inverts to the batch of its inverses in reverse order (flattened: batches do
 * not nest). Throws OpError when `op` does not apply to `doc`.
 */
export function invertOp(doc, op) {
  let inverses;
  if (op.op === "batch") {
    const work = cloneDoc(doc);
    const parts = [];
    for (const one of op.ops) {
      parts.push(invertOne(work, one));
      applyOp(work, one);
    }
    inverses = parts.reverse().flat();
  } else {
    inverses = invertOne(doc, op);
  }
  return inverses.length === 1 ? inverses[0] : { op: "batch", ops: inverses };
}

/**
 * Whether an operation we sent but never saw acknowledged (the connection dropped) is
 * already part of `doc`, judged from its effects. Used after a snapshot resync; moves and
 * updates are idempotent, so re-sending them is harmless.
 */
export function seemsApplied(doc, op) {
  switch (op.op) {
    case "add_node": return doc.nodes.has(op.node.id);
    case "add_edge": return doc.edges.has(op.edge.id);
    case "delete_node": return !doc.nodes.has(op.id);
    case "delete_edge": return !doc.edges.has(op.id);
    case "batch": {
      const adds = op.ops.filter((o) => o.op === "add_node" || o.op === "add_edge");
      if (adds.length) return seemsApplied(doc, adds[0]);
      const deletes = op.ops.filter((o) => o.op === "delete_node" || o.op === "delete_edge");
      return deletes.length > 0 && deletes.every((o) => seemsApplied(doc, o));
    }
    default: return false;
  }
}

// --- reconciliation: pure functions the store (store.js) keeps its view with ----------

/** view = `model` + our `pending` operations replayed on a copy, in order; those that no
 * longer apply (someone deleted what they change) are left out. `model` is untouched. */
export function replayPending(model, pending) {
  const view = cloneDoc(model);
  for (const op of pending) {
    try {
      applyOp(view, op);
    } catch (err) {
      if (!(err instanceof OpError)) throw err;
    }
  }
  return view;
}

/** Keys ("n:<id>", "e:<id>", ...) an operation touches, judged from the op alone. */
export function keysOf(op) {
  const keys = new Set();
  const visit = (one) => {
    if (one.op === "batch") return one.ops.forEach(visit);
    if (one.node) keys.add(nodeKey(one.node.id));
    else if (one.edge) keys.add(edgeKey(one.edge.id));
    else if (one.op.endsWith("_node")) keys.add(nodeKey(one.id));
    else if (one.op.endsWith("_edge")) keys.add(edgeKey(one.id));
    return undefined;
  };
  visit(op);
  return keys;
}

/** Keys of the components and edges that differ between two documents, minus `skip`. */
export function differences(a, b, skip = []) {
  const keys = new Set();
  const compare = (mapA, mapB, key) => {
    for (const [id, item] of mapA) {
      const other = mapB.get(id);
      if (!other || JSON.stringify(other) !== JSON.stringify(item)) keys.add(key(id));
    }
    for (const id of mapB.keys()) if (!mapA.has(id)) keys.add(key(id));
  };
  compare(a.nodes, b.nodes, nodeKey);
  compare(a.edges, b.edges, edgeKey);
  for (const k of skip) keys.delete(k);
  return keys;
}
