// The design canvas on @joint/core: draws the view document, and turns pointer gestures
// into operations (move, connect, select, pan, zoom, rename).
//
// The JointJS graph is a projection of the store's view: render() reconciles it with the
// view (by object identity, so it is cheap to call after every change). Gestures change
// the graph only while they last (a drag, a link being drawn); the operation they end in
// comes back through the view and leaves the graph as it already is.

import { h, newId } from "./dom.js";
import { edgeKey, nodeKey } from "./doc.js";

const joint = window.joint;
const { dia, shapes } = joint;

// The server's exports and auto-layout assume components of 150 x 60 canvas pixels
// (components/export.py CANVAS_NODE_WIDTH/HEIGHT): keep the cards that size.
export const CARD_SIZE = { width: 150, height: 60 };
export const NOTE_SIZE = { width: 150, height: 60 };
const MIN_SCALE = 0.2;
const MAX_SCALE = 2.5;
const COLOURS = {
  ink: "#1f2433",
  line: "#8b95a7",
  accent: "#4f46e5",
  error: "#dc2626",
  warning: "#d97706",
};

// Suggestions for the category pairs framework.md forbids outright.
const WHY_NOT = {
  "client>training": "log the client's events to an event stream or data lake, which training reads",
  "data>client": "data stores do not answer clients; serve through an API gateway or a predictor",
  "training>client": "deploy the model through a registry to a predictor that answers the client",
};

function ring(pad, radius) {
  return {
    x: -pad, y: -pad, width: `calc(w+${2 * pad})`, height: `calc(h+${2 * pad})`,
    rx: radius, ry: radius, fill: "none", stroke: "transparent", strokeWidth: 2,
    pointerEvents: "none",
  };
}

const RINGS = {
  remote: { ...ring(10, 17), strokeDasharray: "5 4" },
  selection: { ...ring(6, 14), strokeWidth: 2.5 },
  status: { ...ring(3, 12), strokeWidth: 2.5 },
};

const HANDLE = {
  r: 6, cx: "calc(w)", cy: "calc(0.5*h)", fill: "#ffffff", strokeWidth: 2,
  magnet: true, cursor: "crosshair", class: "handle",
};

const FLAG = {
  flag: { transform: "translate(calc(w), 0)", class: "flag", display: "none" },
  flagDot: { r: 9, cx: 0, cy: 0, stroke: "#ffffff", strokeWidth: 2 },
  flagText: {
    x: 0, y: 0.5, textAnchor: "middle", textVerticalAnchor: "middle", fontSize: 11,
    fontWeight: 700, fill: "#ffffff", pointerEvents: "none",
  },
};

const FLAG_MARKUP = {
  tagName: "g", selector: "flag",
  children: [{ tagName: "circle", selector: "flagDot" }, { tagName: "text", selector: "flagText" }],
};
// The tooltip and the three rings (someone else's selection, ours, the findings' status)
// that every element draws under its body.
const RING_MARKUP = [
  { tagName: "title", selector: "tip" },
  { tagName: "rect", selector: "remote" },
  { tagName: "rect", selector: "selection" },
  { tagName: "rect", selector: "status" },
];

const Card = dia.Element.define("mlsd.Card", {
  size: { ...CARD_SIZE },
  z: 2,
  attrs: {
    ...RINGS,
    body: { width: "calc(w)", height: "calc(h)", rx: 10, ry: 10, fill: "#64748b" },
    face: { x: 5, width: "calc(w-5)", height: "calc(h)", rx: 9, ry: 9, fill: "#ffffff" },
    frame: {
      width: "calc(w)", height: "calc(h)", rx: 10, ry: 10, fill: "none",
      stroke: "rgba(15, 23, 42, 0.14)", strokeWidth: 1, pointerEvents: "none",
    },
    label: {
      x: 15, y: 23, fontSize: 12.5, fontWeight: 600, fill: COLOURS.ink, textVerticalAnchor: "middle",
      textWrap: { width: -24, maxLineCount: 1, ellipsis: true }, pointerEvents: "none",
    },
    kind: {
      x: 15, y: 41, fontSize: 10.5, fontWeight: 500, fill: "#64748b", textVerticalAnchor: "middle",
      textWrap: { width: -24, maxLineCount: 1, ellipsis: true }, pointerEvents: "none",
    },
    handle: { ...HANDLE },
    ...FLAG,
  },
}, {
  markup: [
    ...RING_MARKUP,
    { tagName: "rect", selector: "body" },
    { tagName: "rect", selector: "face" },
    { tagName: "rect", selector: "frame" },
    { tagName: "text", selector: "label" },
    { tagName: "text", selector: "kind" },
    { tagName: "circle", selector: "handle" },
    FLAG_MARKUP,
  ],
});

const Note = dia.Element.define("mlsd.Note", {
  size: { ...NOTE_SIZE },
  z: 2,
  attrs: {
    ...RINGS,
    body: {
      width: "calc(w)", height: "calc(h)", rx: 4, ry: 4, fill: "#fef3c7",
      stroke: "#f3d36b", strokeWidth: 1,
    },
    fold: { d: "M calc(w-14) calc(h) L calc(w) calc(h-14) L calc(w-14) calc(h-14) Z", fill: "#f7dc83" },
    label: {
      x: 10, y: 8, fontSize: 12, lineHeight: 15, fill: "#5b4510", textVerticalAnchor: "top",
      textWrap: { width: -20, height: -14, ellipsis: true }, pointerEvents: "none",
    },
    handle: { ...HANDLE, stroke: "#b7791f" },
    ...FLAG,
  },
}, {
  markup: [
    ...RING_MARKUP,
    { tagName: "rect", selector: "body" },
    { tagName: "path", selector: "fold" },
    { tagName: "text", selector: "label" },
    { tagName: "circle", selector: "handle" },
    FLAG_MARKUP,
  ],
});

const Flow = shapes.standard.Link.define("mlsd.Flow", {
  z: 1,
  attrs: {
    line: {
      stroke: COLOURS.line, strokeWidth: 1.75,
      targetMarker: { type: "path", d: "M 9 -4.5 0 0 9 4.5 z" },
    },
    wrapper: { strokeWidth: 14, cursor: "pointer" },
  },
}, {
  defaultLabel: {
    markup: [{ tagName: "rect", selector: "labelBody" }, { tagName: "text", selector: "labelText" }],
    attrs: {
      labelText: {
        fill: "#374151", fontSize: 11, textAnchor: "middle", textVerticalAnchor: "middle",
        pointerEvents: "none",
      },
      labelBody: {
        ref: "labelText", x: "calc(x-6)", y: "calc(y-3)", width: "calc(w+12)", height: "calc(h+6)",
        rx: 6, ry: 6, fill: "#ffffff", stroke: "#dfe3ec", strokeWidth: 1,
      },
    },
  },
});

const cellNamespace = { ...shapes, mlsd: { Card, Note, Flow } };

const docId = (key) => key.slice(2);
const isNodeKey = (key) => typeof key === "string" && key.startsWith("n:");

function clientPoint(evt) {
  const e = evt.originalEvent || evt;
  const touch = e.touches && e.touches[0];
  return touch ? { x: touch.clientX, y: touch.clientY } : { x: e.clientX, y: e.clientY };
}

export class Canvas extends EventTarget {
  /**
   * @param {object} opts
   * @param {HTMLElement} opts.el the paper's element (#canvas)
   * @param {HTMLElement} opts.stage the positioned box around it (overlays live here)
   * @param {object} opts.catalogue catalogue_as_json()
   * @param {import("./store.js").Store} opts.store
   * @param {boolean} opts.editable false for viewers
   * @param {(op: object) => unknown} opts.edit makes an undoable edit
   * @param {(message: string, kind?: string) => void} opts.hint
   */
  constructor({ el, stage, catalogue, store, editable, edit, hint }) {
    super();
    this.el = el;
    this.stage = stage;
    this.catalogue = catalogue;
    this.store = store;
    this.editable = editable;
    this.edit = edit;
    this.hint = hint;
    this.rendered = new Map(); // cell id -> node/edge object last drawn
    this.selection = new Set(); // cell ids ("n:<id>", "e:<id>")
    this.status = new Map(); // cell id -> "error" | "warning"
    this.remote = new Map(); // participant id -> {keys: Set, colour}
    this.dragging = new Set(); // cell ids moved by a gesture in progress
    this.drag = null;
    this.pan = null;
    this.band = null;
    this.connecting = null;
    this.editor = null;
    this.transformSource = "user";

    this.graph = new dia.Graph({}, { cellNamespace });
    this.paper = new dia.Paper({
      el,
      model: this.graph,
      width: "100%",
      height: "100%",
      gridSize: 8,
      drawGrid: { name: "dot", args: { color: "#c9cfdc", thickness: 1 } },
      drawGridSize: 24,
      background: { color: "transparent" },
      cellViewNamespace: cellNamespace,
      async: false,
      sorting: dia.Paper.sorting.APPROX,
      clickThreshold: 4,
      magnetThreshold: "onleave",
      linkPinning: false,
      multiLinks: false,
      snapLinks: { radius: 24 },
      markAvailable: false,
      defaultAnchor: { name: "center" },
      defaultConnectionPoint: { name: "bbox" },
      defaultConnector: { name: "rounded" },
      defaultLink: () => new Flow({ temp: true, attrs: { line: { stroke: COLOURS.accent, strokeDasharray: "6 4" } } }),
      highlighting: {
        connecting: { name: "addClass", options: { className: "is-drop-target" } },
        default: { name: "addClass", options: { className: "is-highlighted" } },
      },
      interactive: (view) => {
        if (!this.editable) return false;
        if (view.model.isLink()) {
          return {
            linkMove: false, labelMove: false, arrowheadMove: false, vertexAdd: false,
            vertexMove: false, vertexRemove: false, useLinkTools: false,
          };
        }
        return { elementMove: true, addLinkFromMagnet: true };
      },
      validateMagnet: () => this.editable,
      validateConnection: (sourceView, _sm, targetView, _tm, end) => {
        if (end !== "target" || !targetView || targetView.model.isLink()) return false;
        const source = sourceView.model.id;
        const target = targetView.model.id;
        return isNodeKey(source) && isNodeKey(target)
          && !this.connectionRefusal(docId(source), docId(target));
      },
    });

    this.bindPaper();
    this.bindStage();
  }

  // --- drawing ------------------------------------------------------------------------

  /** Reconcile the graph with the view document. */
  render(view = this.store.view) {
    const { graph, paper } = this;
    paper.freeze();
    try {
      const seen = new Set();
      for (const node of view.nodes.values()) {
        const key = nodeKey(node.id);
        seen.add(key);
        const cell = graph.getCell(key);
        if (!cell) {
          graph.addCell(this.makeNode(node));
        } else if (this.rendered.get(key) !== node) {
          this.updateNode(cell, node, this.rendered.get(key));
        }
        this.rendered.set(key, node);
      }
      for (const edge of view.edges.values()) {
        const key = edgeKey(edge.id);
        seen.add(key);
        const cell = graph.getCell(key);
        const previous = this.rendered.get(key);
        if (cell && previous && (previous.source !== edge.source || previous.target !== edge.target)) {
          cell.remove();
        }
        if (!graph.getCell(key)) {
          graph.addCell(this.makeEdge(edge));
        } else if (previous !== edge) {
          this.setEdgeLabel(graph.getCell(key), edge.label);
        }
        this.rendered.set(key, edge);
      }
      for (const cell of graph.getCells()) {
        if (cell.get("temp") || seen.has(cell.id)) continue;
        this.rendered.delete(cell.id);
        cell.remove();
      }
      for (const key of this.rendered.keys()) if (!seen.has(key)) this.rendered.delete(key);
      let lost = false;
      for (const key of [...this.selection]) {
        if (!seen.has(key)) {
          this.selection.delete(key);
          lost = true;
        }
      }
      this.restyleAll();
      if (lost) this.selectionChanged();
    } finally {
      paper.unfreeze();
    }
    if (this.editor && !graph.getCell(this.editor.key)) this.closeEditor(false, true);
    this.el.dataset.nodes = String(view.nodes.size);
    this.el.dataset.edges = String(view.edges.size);
  }

  typeInfo(type) {
    return this.catalogue.types[type] || { title: type, colour: "#64748b", category: "", targets: [] };
  }

  makeNode(node) {
    const info = this.typeInfo(node.type);
    const Shape = node.type === "note" ? Note : Card;
    const cell = new Shape({
      id: nodeKey(node.id),
      position: { x: node.x, y: node.y },
      docType: node.type,
    });
    cell.attr({
      body: node.type === "note" ? {} : { fill: info.colour },
      kind: { text: info.title, fill: info.colour },
      handle: node.type === "note" ? {} : { stroke: info.colour },
      label: { text: this.nodeText(node), opacity: node.label || node.type !== "note" ? 1 : 0.55 },
      tip: { text: this.tooltip(node) },
      root: { "data-id": node.id, "data-kind": node.type },
    });
    return cell;
  }

  tooltip(node) {
    const title = this.typeInfo(node.type).title;
    return node.label && node.label !== title ? `${node.label} (${title})` : title;
  }

  nodeText(node) {
    if (node.label) return node.label;
    return node.type === "note" ? "Double-click to write a note" : this.typeInfo(node.type).title;
  }

  updateNode(cell, node, previous) {
    if (!this.dragging.has(cell.id)) {
      const pos = cell.position();
      if (pos.x !== node.x || pos.y !== node.y) cell.position(node.x, node.y);
    }
    if (!previous || previous.label !== node.label) {
      cell.attr({
        label: { text: this.nodeText(node), opacity: node.label || node.type !== "note" ? 1 : 0.55 },
        tip: { text: this.tooltip(node) },
      });
    }
  }

  makeEdge(edge) {
    const link = new Flow({
      id: edgeKey(edge.id),
      source: { id: nodeKey(edge.source) },
      target: { id: nodeKey(edge.target) },
    });
    link.attr("root/data-id", edge.id);
    this.setEdgeLabel(link, edge.label);
    return link;
  }

  setEdgeLabel(link, label) {
    link.labels(label ? [{ attrs: { labelText: { text: label } } }] : []);
  }

  /** Outline components with findings: errors red, warnings amber. */
  setReport(report) {
    const status = new Map();
    const rank = { error: 2, warning: 1 };
    for (const finding of (report && report.findings) || []) {
      const level = rank[finding.severity];
      if (!level) continue;
      for (const id of finding.nodes || []) {
        const key = nodeKey(id);
        if ((rank[status.get(key)] || 0) < level) status.set(key, finding.severity);
      }
      for (const id of finding.edges || []) {
        const key = edgeKey(id);
        if ((rank[status.get(key)] || 0) < level) status.set(key, finding.severity);
      }
    }
    this.status = status;
    this.restyleAll();
  }

  restyleAll() {
    for (const cell of this.graph.getCells()) if (!cell.get("temp")) this.restyle(cell);
  }

  remoteColour(key) {
    for (const { keys, colour } of this.remote.values()) if (keys.has(key)) return colour;
    return null;
  }

  /** Selection, finding and presence outlines of one cell. */
  restyle(cell) {
    const key = cell.id;
    const selected = this.selection.has(key);
    const status = this.status.get(key) || null;
    const remote = this.remoteColour(key);
    const style = `${selected}|${status}|${remote}`;
    if (cell.get("styled") === style) return;
    cell.set("styled", style, { silent: true });
    if (cell.isLink()) {
      let stroke = COLOURS.line;
      if (status) stroke = COLOURS[status];
      if (remote) stroke = remote;
      if (selected) stroke = COLOURS.accent;
      cell.attr("line", { stroke, strokeWidth: selected || status ? 2.5 : 1.75 });
      return;
    }
    cell.attr({
      selection: { stroke: selected ? COLOURS.accent : "transparent" },
      status: { stroke: status ? COLOURS[status] : "transparent" },
      remote: { stroke: remote || "transparent" },
      flag: { display: status ? "inline" : "none" },
      flagDot: { fill: status ? COLOURS[status] : "transparent" },
      flagText: { text: status === "error" ? "✕" : "!" },
      root: { "data-status": status || "", "data-selected": selected ? "true" : "false" },
    });
  }

  // --- selection ----------------------------------------------------------------------

  /** Select cells by key ("n:<id>", "e:<id>"); `add` keeps the current selection. */
  select(keys, { add = false } = {}) {
    const next = new Set(add ? this.selection : []);
    for (const key of keys) if (this.graph.getCell(key)) next.add(key);
    this.setSelection(next);
  }

  toggle(key) {
    const next = new Set(this.selection);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    this.setSelection(next);
  }

  clearSelection() {
    if (this.selection.size) this.setSelection(new Set());
  }

  setSelection(next) {
    const changed = new Set([...this.selection, ...next]);
    const same = next.size === this.selection.size && [...next].every((k) => this.selection.has(k));
    this.selection = next;
    for (const key of changed) {
      const cell = this.graph.getCell(key);
      if (cell) this.restyle(cell);
    }
    if (!same) this.selectionChanged();
  }

  selectionChanged() {
    this.dispatchEvent(new CustomEvent("selection", { detail: { keys: [...this.selection] } }));
  }

  setRemoteSelection(participant, ids, colour) {
    const keys = new Set();
    const view = this.store.view;
    for (const id of ids || []) {
      if (view.nodes.has(id)) keys.add(nodeKey(id));
      if (view.edges.has(id)) keys.add(edgeKey(id));
    }
    if (keys.size) this.remote.set(participant, { keys, colour });
    else this.remote.delete(participant);
    this.restyleAll();
  }

  /** Select the given components/edges, bring them into view and flash them. */
  reveal(keys) {
    const cells = keys.map((k) => this.graph.getCell(k)).filter(Boolean);
    this.select(cells.map((c) => c.id));
    if (!cells.length) return;
    const box = this.graph.getCellsBBox(cells);
    const visible = this.visibleArea();
    if (!visible.containsRect(box)) {
      const scale = this.paper.scale().sx;
      const fits = box.width * scale < visible.width * scale * 0.9
        && box.height * scale < visible.height * scale * 0.9;
      if (!fits) {
        this.paper.transformToFitContent({
          contentArea: box.clone().inflate(60), maxScale: 1, minScale: MIN_SCALE,
          horizontalAlign: "middle", verticalAlign: "middle",
        });
      } else {
        this.centreOn(box.center());
      }
    }
    for (const cell of cells) {
      const view = this.paper.findViewByModel(cell);
      if (!view) continue;
      view.el.classList.remove("is-flash");
      void view.el.getBoundingClientRect();
      view.el.classList.add("is-flash");
      setTimeout(() => view.el.classList.remove("is-flash"), 1600);
    }
  }

  // --- viewport -----------------------------------------------------------------------

  visibleArea() {
    const r = this.stage.getBoundingClientRect();
    return this.paper.clientToLocalRect(r.left, r.top, r.width, r.height);
  }

  /** The centre of what is on screen, in canvas coordinates. */
  centre() {
    return this.visibleArea().center();
  }

  centreOn(point) {
    const { sx } = this.paper.scale();
    const size = this.stage.getBoundingClientRect();
    this.paper.translate(size.width / 2 - point.x * sx, size.height / 2 - point.y * sx);
  }

  clientToLocal(x, y) {
    return this.paper.clientToLocalPoint(x, y);
  }

  zoomAt(scale, clientX, clientY) {
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
    const point = this.paper.clientToLocalPoint(clientX, clientY);
    this.paper.scaleUniformAtPoint(next, point);
  }

  zoomBy(factor) {
    const r = this.stage.getBoundingClientRect();
    this.zoomAt(this.paper.scale().sx * factor, r.left + r.width / 2, r.top + r.height / 2);
  }

  fit() {
    if (!this.graph.getElements().length) {
      this.paper.scale(1, 1);
      this.paper.translate(0, 0);
      return;
    }
    this.paper.transformToFitContent({
      padding: 56, maxScale: 1, minScale: MIN_SCALE, useModelGeometry: true,
      horizontalAlign: "middle", verticalAlign: "middle",
    });
  }

  get zoom() {
    return this.paper.scale().sx;
  }

  /** The view as follow mode shares it: the paper's translate (px) and scale. */
  viewport() {
    const { a, e, f } = this.paper.matrix();
    return { x: e, y: f, zoom: a };
  }

  /** Show exactly the view `box` ({x, y, zoom}) of someone we follow. */
  setViewport(box) {
    if (!box || ![box.x, box.y, box.zoom].every(Number.isFinite)) return;
    const s = Math.min(MAX_SCALE, Math.max(MIN_SCALE, box.zoom));
    const x = Math.max(-1e6, Math.min(1e6, box.x));
    const y = Math.max(-1e6, Math.min(1e6, box.y));
    this.paper.matrix({ a: s, b: 0, c: 0, d: s, e: x, f: y }, { source: "remote" });
  }

  /** Run `fn` (which may move the view) without it counting as the user's own move. */
  automatically(fn) {
    const before = this.transformSource;
    this.transformSource = "auto";
    try {
      return fn();
    } finally {
      this.transformSource = before;
    }
  }

  // --- edits --------------------------------------------------------------------------

  /**
   * Top-left corner for a new component of `size` near (x, y) that overlaps nothing, trying
   * rings of neighbouring slots around it, nearest first.
   */
  freeSpot(x, y, size) {
    const gap = 24;
    const boxes = [...this.store.view.nodes.values()].map((n) => {
      const s = n.type === "note" ? NOTE_SIZE : CARD_SIZE;
      return { x: n.x, y: n.y, width: s.width, height: s.height };
    });
    const free = (px, py) => !boxes.some((b) => px < b.x + b.width + gap && px + size.width + gap > b.x
      && py < b.y + b.height + gap && py + size.height + gap > b.y);
    const snap = (v) => Math.round(v / 8) * 8;
    const stepX = size.width + 2 * gap;
    const stepY = size.height + 2 * gap;
    for (let ring = 0; ring <= 6; ring += 1) {
      const slots = [];
      for (let i = -ring; i <= ring; i += 1) {
        for (let j = -ring; j <= ring; j += 1) {
          if (Math.max(Math.abs(i), Math.abs(j)) === ring) slots.push([i, j]);
        }
      }
      slots.sort((a, b) => Math.hypot(a[0] * stepX, a[1] * stepY) - Math.hypot(b[0] * stepX, b[1] * stepY));
      for (const [i, j] of slots) {
        const px = snap(x + i * stepX);
        const py = snap(y + j * stepY);
        if (free(px, py)) return { x: px, y: py };
      }
    }
    return { x: snap(x), y: snap(y) };
  }

  /**
   * Add a component of `type` centred on `at` (canvas coordinates) and select it. With
   * `avoid`, it moves to the nearest free slot instead of overlapping another component.
   */
  addComponent(type, at, { avoid = false } = {}) {
    if (!this.editable) return null;
    const info = this.catalogue.types[type];
    if (!info) return null;
    const size = type === "note" ? NOTE_SIZE : CARD_SIZE;
    const [x, y] = [at.x - size.width / 2, at.y - size.height / 2];
    const spot = avoid ? this.freeSpot(x, y, size) : { x: Math.round(x / 8) * 8, y: Math.round(y / 8) * 8 };
    const id = newId(type === "note" ? "note" : "n");
    const node = { id, type, label: type === "note" ? "" : info.title, x: spot.x, y: spot.y };
    if (!this.edit({ op: "add_node", node })) return null;
    this.select([nodeKey(id)]);
    return id;
  }

  /** Why a connection from component `source` to `target` (ids) is not allowed, or "". */
  connectionRefusal(source, target) {
    const view = this.store.view;
    const from = view.nodes.get(source);
    const to = view.nodes.get(target);
    if (!from || !to) return "That component no longer exists.";
    const a = this.typeInfo(from.type);
    const b = this.typeInfo(to.type);
    const nameA = from.label || a.title;
    const nameB = to.label || b.title;
    if (source === target) return "A component cannot connect to itself.";
    for (const edge of view.edges.values()) {
      if (edge.source === source && edge.target === target) {
        return `${nameA} is already connected to ${nameB}.`;
      }
    }
    if ((a.targets || []).includes(to.type)) return "";
    const why = WHY_NOT[`${a.category}>${b.category}`];
    return `${a.title} cannot connect to ${b.title}${why ? `: ${why}` : ""}.`;
  }

  deleteSelection() {
    if (!this.editable || !this.selection.size) return;
    const view = this.store.view;
    const nodes = [...this.selection].filter(isNodeKey).map(docId).filter((id) => view.nodes.has(id));
    const gone = new Set(nodes);
    const edges = [...this.selection].filter((k) => k.startsWith("e:")).map(docId)
      .filter((id) => {
        const edge = view.edges.get(id);
        return edge && !gone.has(edge.source) && !gone.has(edge.target);
      });
    const ops = [
      ...edges.map((id) => ({ op: "delete_edge", id })),
      ...nodes.map((id) => ({ op: "delete_node", id })),
    ];
    if (!ops.length) return;
    this.edit(ops.length === 1 ? ops[0] : { op: "batch", ops });
  }

  // --- in-place label editor ----------------------------------------------------------

  editLabel(key) {
    if (!this.editable) return;
    const view = this.store.view;
    const isEdge = key.startsWith("e:");
    const item = isEdge ? view.edges.get(docId(key)) : view.nodes.get(docId(key));
    const cell = this.graph.getCell(key);
    if (!item || !cell) return;
    this.closeEditor(false);
    const input = h("input", {
      class: "label-editor", type: "text", maxlength: 200, value: item.label,
      "aria-label": isEdge ? "Connection label" : "Component label",
      placeholder: isEdge ? "Label this connection" : "Label",
    });
    this.editor = { key, input, original: item.label, isEdge };
    input.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter") {
        e.preventDefault();
        this.closeEditor(true);
      } else if (e.key === "Escape") {
        e.preventDefault();
        this.closeEditor(false);
      }
    });
    input.addEventListener("blur", () => this.closeEditor(true, false));
    this.stage.append(input);
    this.placeEditor();
    input.focus();
    input.select();
  }

  placeEditor() {
    if (!this.editor) return;
    const { key, input, isEdge } = this.editor;
    const cell = this.graph.getCell(key);
    if (!cell) return;
    const scale = this.zoom;
    let rect;
    if (isEdge) {
      const view = this.paper.findViewByModel(cell);
      const mid = view.getPointAtRatio(0.5);
      const p = this.paper.localToPaperPoint(mid);
      rect = { x: p.x - 90, y: p.y - 16, width: 180, height: 32 };
    } else {
      const box = this.paper.localToPaperRect(cell.getBBox());
      const height = Math.max(32, Math.min(box.height, 36 * scale));
      const width = Math.max(box.width + 40, 220);
      rect = { x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width, height };
    }
    Object.assign(input.style, {
      left: `${rect.x}px`, top: `${rect.y}px`, width: `${rect.width}px`, height: `${rect.height}px`,
      fontSize: `${Math.max(12, Math.min(16, 13 * scale))}px`,
    });
  }

  /** Close the label editor, saving its text if `save`; `refocus` returns to the canvas. */
  closeEditor(save, refocus = true) {
    const editor = this.editor;
    if (!editor) return;
    this.editor = null;
    const value = editor.input.value;
    editor.input.remove();
    if (save && value !== editor.original) {
      const id = docId(editor.key);
      const op = editor.isEdge
        ? { op: "update_edge", id, changes: { label: value } }
        : { op: "update_node", id, changes: { label: value } };
      this.edit(op);
    }
    if (refocus) this.el.focus({ preventScroll: true });
  }

  // --- gestures -----------------------------------------------------------------------

  bindPaper() {
    const { paper } = this;

    paper.on("element:pointerdown", (view, evt) => {
      this.el.focus({ preventScroll: true });
      if (this.connecting) return;
      const key = view.model.id;
      if (!this.selection.has(key) && !evt.shiftKey) this.select([key]);
      const group = this.selection.has(key)
        ? [...this.selection].filter(isNodeKey) : [key];
      const start = new Map();
      for (const k of group) {
        const cell = this.graph.getCell(k);
        if (cell) start.set(k, cell.position());
      }
      this.drag = { key, start, moved: false };
    });

    paper.on("element:pointermove", (view) => {
      const drag = this.drag;
      if (!drag || this.connecting || !this.editable) return;
      const origin = drag.start.get(drag.key);
      const now = view.model.position();
      const dx = now.x - origin.x;
      const dy = now.y - origin.y;
      if (!drag.moved && (dx || dy)) {
        drag.moved = true;
        for (const k of drag.start.keys()) this.dragging.add(k);
        this.stage.classList.add("is-dragging");
      }
      for (const [k, pos] of drag.start) {
        if (k === drag.key) continue;
        const cell = this.graph.getCell(k);
        if (cell) cell.position(pos.x + dx, pos.y + dy);
      }
    });

    paper.on("element:pointerup", () => this.endDrag());

    paper.on("element:pointerclick", (view, evt) => {
      if (evt.shiftKey) this.toggle(view.model.id);
      else this.select([view.model.id]);
    });

    paper.on("link:pointerclick", (view, evt) => {
      if (view.model.get("temp")) return;
      if (evt.shiftKey) this.toggle(view.model.id);
      else this.select([view.model.id]);
    });

    paper.on("element:pointerdblclick", (view) => this.editLabel(view.model.id));
    paper.on("link:pointerdblclick", (view) => {
      if (!view.model.get("temp")) this.editLabel(view.model.id);
    });

    paper.on("blank:pointerdown", (evt, x, y) => {
      this.el.focus({ preventScroll: true });
      const c = clientPoint(evt);
      if (evt.shiftKey) {
        const box = h("div", { class: "rubber-band" });
        this.stage.append(box);
        this.band = { x0: x, y0: y, x1: x, y1: y, box };
        this.placeBand();
      } else {
        const t = paper.translate();
        this.pan = { cx: c.x, cy: c.y, tx: t.tx, ty: t.ty };
        this.stage.classList.add("is-panning");
      }
    });

    paper.on("blank:pointermove", (evt, x, y) => {
      if (this.band) {
        Object.assign(this.band, { x1: x, y1: y });
        this.placeBand();
      } else if (this.pan) {
        const c = clientPoint(evt);
        paper.translate(this.pan.tx + c.x - this.pan.cx, this.pan.ty + c.y - this.pan.cy);
      }
    });

    paper.on("blank:pointerup", () => {
      if (this.band) {
        const { x0, y0, x1, y1, box } = this.band;
        box.remove();
        this.band = null;
        const area = new joint.g.Rect(Math.min(x0, x1), Math.min(y0, y1),
          Math.abs(x1 - x0), Math.abs(y1 - y0));
        if (area.width > 2 || area.height > 2) {
          const keys = paper.findElementViewsInArea(area).map((v) => v.model.id);
          this.select(keys, { add: true });
        }
      }
      if (this.pan) {
        this.pan = null;
        this.stage.classList.remove("is-panning");
      }
    });

    paper.on("blank:pointerclick", (evt) => {
      if (!evt.shiftKey) this.clearSelection();
    });

    // Connecting: highlight valid targets while a link is drawn from a handle.
    paper.on("element:magnet:pointerdown", (view) => {
      if (!this.editable) return;
      this.startConnecting(view.model.id);
    });
    paper.on("link:connect", (linkView, _evt, targetView, _magnet, arrowhead) => {
      if (this.connecting && arrowhead === "target" && targetView) {
        this.connecting.target = targetView.model.id;
      }
    });
    // The end of a connection gesture: JointJS finishes (or drops) the link in its
    // document-level mouseup/touchend handler; window hears the same event right after
    // (bubbling), so the result is there to look at. The timer is a fallback in case the
    // event does not bubble that far.
    const ended = (e) => {
      if (!this.connecting) return;
      const point = e.changedTouches ? e.changedTouches[0] : e;
      const p = this.paper.clientToLocalPoint(point.clientX, point.clientY);
      if (e.currentTarget === window) this.finishConnecting(p.x, p.y);
      else setTimeout(() => this.finishConnecting(p.x, p.y), 0);
    };
    for (const type of ["mouseup", "touchend", "touchcancel"]) {
      window.addEventListener(type, ended);
      document.addEventListener(type, ended, true);
    }

    // detail.source says who moved the view: "user" (a gesture, a button, a key),
    // "remote" (follow mode mirroring someone) or "auto" (the first fit after loading).
    paper.on("transform", (_matrix, data) => {
      this.placeEditor();
      const source = (data && data.source) || this.transformSource;
      this.dispatchEvent(new CustomEvent("transform", { detail: { source } }));
    });
  }

  placeBand() {
    const { x0, y0, x1, y1, box } = this.band;
    const a = this.paper.localToPaperPoint(Math.min(x0, x1), Math.min(y0, y1));
    const b = this.paper.localToPaperPoint(Math.max(x0, x1), Math.max(y0, y1));
    Object.assign(box.style, {
      left: `${a.x}px`, top: `${a.y}px`, width: `${b.x - a.x}px`, height: `${b.y - a.y}px`,
    });
  }

  endDrag() {
    const drag = this.drag;
    this.drag = null;
    this.stage.classList.remove("is-dragging");
    if (!drag || !drag.moved) {
      this.dragging.clear();
      return;
    }
    const ops = [];
    for (const k of drag.start.keys()) {
      const cell = this.graph.getCell(k);
      if (!cell || !this.store.view.nodes.has(docId(k))) continue;
      const { x, y } = cell.position();
      const node = this.store.view.nodes.get(docId(k));
      if (node.x !== x || node.y !== y) ops.push({ op: "move_node", id: docId(k), x, y });
    }
    this.dragging.clear();
    // Forget what was drawn for the moved cells, so that if the move is not accepted
    // the next render puts them back where the view has them.
    for (const k of drag.start.keys()) this.rendered.delete(k);
    if (ops.length) this.edit(ops.length === 1 ? ops[0] : { op: "batch", ops });
    this.render();
  }

  /**
   * Move the selected components by (dx, dy) from the keyboard. Repeated presses are
   * gathered into one move (sent when the keys rest), like a drag.
   */
  nudge(dx, dy) {
    if (!this.editable) return false;
    const keys = [...this.selection].filter(isNodeKey);
    if (!keys.length) return false;
    if (!this.nudging) this.nudging = { start: new Map(), timer: null };
    for (const key of keys) {
      const cell = this.graph.getCell(key);
      if (!cell) continue;
      if (!this.nudging.start.has(key)) this.nudging.start.set(key, cell.position());
      this.dragging.add(key);
      const p = cell.position();
      cell.position(p.x + dx, p.y + dy);
    }
    clearTimeout(this.nudging.timer);
    this.nudging.timer = setTimeout(() => this.commitNudge(), 400);
    return true;
  }

  commitNudge() {
    const nudging = this.nudging;
    this.nudging = null;
    if (!nudging) return;
    clearTimeout(nudging.timer);
    this.drag = { key: null, start: nudging.start, moved: true };
    this.endDrag();
  }

  startConnecting(sourceKey) {
    this.connecting = { source: sourceKey, target: null };
    this.drag = null;
    this.stage.classList.add("is-connecting");
    const source = docId(sourceKey);
    for (const element of this.graph.getElements()) {
      if (element.id === sourceKey) continue;
      const view = this.paper.findViewByModel(element);
      if (!view) continue;
      const ok = !this.connectionRefusal(source, docId(element.id));
      view.el.classList.add(ok ? "is-valid-target" : "is-invalid-target");
    }
  }

  finishConnecting(x, y) {
    const connecting = this.connecting;
    this.connecting = null;
    this.stage.classList.remove("is-connecting");
    for (const el of this.el.querySelectorAll(".is-valid-target, .is-invalid-target")) {
      el.classList.remove("is-valid-target", "is-invalid-target");
    }
    for (const link of this.graph.getLinks()) if (link.get("temp")) link.remove();
    if (!connecting) return;
    const source = docId(connecting.source);
    if (connecting.target) {
      const target = docId(connecting.target);
      const refusal = this.connectionRefusal(source, target);
      if (refusal) {
        this.hint(refusal, "warning");
        return;
      }
      const id = newId("e");
      if (this.edit({ op: "add_edge", edge: { id, source, target, label: "" } })) {
        this.hint("");
      }
      return;
    }
    const under = this.paper.findElementViewsAtPoint({ x, y })
      .filter((v) => v.model.id !== connecting.source);
    if (under.length) {
      const refusal = this.connectionRefusal(source, docId(under[under.length - 1].model.id));
      if (refusal) this.hint(refusal, "warning");
    }
  }

  bindStage() {
    const { stage } = this;
    // Keep the paper exactly the size of its box (the grid and hit areas follow it).
    const fitPaper = () => {
      const { width, height } = stage.getBoundingClientRect();
      if (width && height) this.paper.setDimensions(Math.round(width), Math.round(height));
    };
    new ResizeObserver(fitPaper).observe(stage);
    fitPaper();
    stage.addEventListener("wheel", (e) => {
      e.preventDefault();
      const factor = Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015));
      this.zoomAt(this.zoom * factor, e.clientX, e.clientY);
    }, { passive: false });
    stage.addEventListener("pointermove", (e) => {
      const p = this.paper.clientToLocalPoint(e.clientX, e.clientY);
      this.dispatchEvent(new CustomEvent("pointer", { detail: { x: Math.round(p.x), y: Math.round(p.y) } }));
    });
    window.addEventListener("resize", () => this.placeEditor());
  }
}
