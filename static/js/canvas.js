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
// The paper's translation is kept on a 1/64 px grid (invisible): follow mode sends the view
// as a centre in canvas coordinates, and a follower with the same window size must land on
// exactly the leader's translation after the round trip through floating point. (Chromium
// keeps the matrix in single precision: multiples of 1/64 are exact below 2^18 px.)
const TRANSLATE_GRID = 64;
const snapTranslate = (v) => (Math.abs(v) < 2 ** 18 ? Math.round(v * TRANSLATE_GRID) / TRANSLATE_GRID : v);

// Connections go around the components in their way. A connection whose straight line
// between its two components crosses no other component is drawn straight, as before;
// one that would cross a component is routed around it by JointJS's manhattan router
// (orthogonal, A* over a 16 px grid, components padded by 12 px, rounded corners). Only
// blocked connections pay for the search. Measured in Chromium on 200 components and 300
// connections laid out left to right, medians: a full render takes 0.57 s (0.49 s with no
// router, 0.68 s with manhattan on every connection); re-routing every connection after
// all components moved takes 0.09 s (0.03 s; 0.20 s). A search gives up after 400 steps
// and falls back to the plain orthogonal route rather than freeze a crowded board.
const ROUTER = { name: "avoid", args: { step: 16, padding: 12, maximumLoops: 400 } };
const CONNECTOR = { name: "rounded", args: { radius: 8 } };
// A->B and B->A both drawn: each runs in its own lane, this far to the right of the line
// between the two components' centres (see laneAnchor), so the two arrows are side by side.
const PAIR_OFFSET = 7;

/** True when the straight line from the link's source anchor to its target anchor passes
 * through a component other than its two ends (with a few pixels to spare). */
function blocked(linkView) {
  const a = linkView.sourceAnchor;
  const b = linkView.targetAnchor;
  const graph = linkView.paper.model;
  if (!a || !b) return false;
  const line = new joint.g.Line(a, b);
  const ends = [linkView.model.source().id, linkView.model.target().id];
  for (const element of graph.findElementsInArea(line.bbox().inflate(4))) {
    if (ends.includes(element.id)) continue;
    const box = element.getBBox().inflate(4);
    if (box.containsPoint(a) || box.containsPoint(b) || box.intersectionWithLine(line)) return true;
  }
  return false;
}

/** The "avoid" router: straight (through the link's own vertices) unless that line is
 * blocked, else manhattan. */
function avoidRouter(vertices, args, linkView) {
  if (vertices.length || !linkView.model.target().id || !blocked(linkView)) return vertices;
  return joint.routers.manhattan(vertices, args, linkView);
}

/**
 * The "lane" anchor: the element's centre moved `args.offset` pixels to the right of the
 * direction from the link's source centre to its target centre, at both ends. A->B and
 * B->A go in opposite directions, so each keeps to its own side.
 */
function laneAnchor(view, _magnet, _ref, args, endType, linkView) {
  const graph = linkView.paper.model;
  const source = graph.getCell(linkView.model.source().id);
  const target = graph.getCell(linkView.model.target().id);
  const mine = view.model.getBBox().center();
  if (!source || !target) return mine;
  const from = source.getBBox().center();
  const to = target.getBBox().center();
  const length = from.distance(to) || 1;
  const offset = args.offset || 0;
  return mine.offset((from.y - to.y) / length * offset, (to.x - from.x) / length * offset);
}

const routerNamespace = { ...joint.routers, avoid: avoidRouter };
const anchorNamespace = { ...joint.anchors, lane: laneAnchor };
const COLOURS = {
  ink: "#1f2433",
  line: "#8b95a7",
  accent: "#4f46e5",
  error: "#dc2626",
  warning: "#b45309",
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
      routerNamespace,
      anchorNamespace,
      defaultRouter: ROUTER,
      defaultConnector: CONNECTOR,
      // The link being drawn follows the pointer straight: routing it on every mouse move
      // would be wasted work (and jumpy).
      defaultLink: () => new Flow({
        temp: true, router: { name: "normal" },
        attrs: { line: { stroke: COLOURS.accent, strokeDasharray: "6 4" } },
      }),
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

    this.reroute = { rects: [], ids: new Set(), frame: 0 };
    this.graph.on("change:position", (cell) => this.noteMove(cell));

    this.bindPaper();
    this.bindStage();
    this.bindKeys();
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
      const pairs = new Set();
      for (const edge of view.edges.values()) pairs.add(`${edge.source}\n${edge.target}`);
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
        this.setPairOffset(graph.getCell(key), edge, pairs.has(`${edge.target}\n${edge.source}`));
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

  /**
   * A component moved. JointJS re-routes only the connections that end at it; once a
   * frame, the others that now cross it (straight ones whose line meets its box) or may
   * no longer need to go around it (routed ones whose detour's box meets its old or new
   * box) are routed again, so no connection is left drawn through a component moved onto
   * it, nor bent around one that has gone.
   */
  noteMove(cell) {
    if (!cell.isElement()) return;
    const pad = ROUTER.args.padding + 4;
    const { width, height } = cell.size();
    const now = cell.position();
    const before = cell.previous("position") || now;
    const { rects, ids } = this.reroute;
    rects.push(new joint.g.Rect(now.x, now.y, width, height).inflate(pad));
    rects.push(new joint.g.Rect(before.x, before.y, width, height).inflate(pad));
    ids.add(cell.id);
    if (!this.reroute.frame) this.reroute.frame = requestAnimationFrame(() => this.rerouteAround());
  }

  rerouteAround() {
    const { rects, ids } = this.reroute;
    this.reroute = { rects: [], ids: new Set(), frame: 0 };
    if (!rects.length) return;
    const crosses = (a, b) => {
      const seg = new joint.g.Rect(Math.min(a.x, b.x), Math.min(a.y, b.y), Math.abs(a.x - b.x), Math.abs(a.y - b.y));
      return rects.some((r) => r.intersect(seg));
    };
    for (const link of this.graph.getLinks()) {
      if (link.get("temp") || ids.has(link.source().id) || ids.has(link.target().id)) continue;
      const view = this.paper.findViewByModel(link);
      if (!view || !view.sourcePoint || !view.targetPoint) continue;
      const route = view.route || [];
      if (route.length) {
        // A detour encloses what it goes around: look at its whole box, so that it
        // straightens again once that component has moved away.
        const box = new joint.g.Polyline([view.sourcePoint, ...route, view.targetPoint]).bbox().inflate(1);
        if (rects.some((r) => r.intersect(box))) view.requestConnectionUpdate();
      } else if (crosses(view.sourcePoint, view.targetPoint)) {
        view.requestConnectionUpdate();
      }
    }
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

  /** Draw A->B beside B->A: while both exist, their ends use the lane anchor. */
  setPairOffset(link, edge, paired) {
    if (Boolean(link.get("paired")) === paired) return;
    link.set("paired", paired);
    const anchor = paired ? { name: "lane", args: { offset: PAIR_OFFSET } } : undefined;
    link.source(anchor ? { id: nodeKey(edge.source), anchor } : { id: nodeKey(edge.source) });
    link.target(anchor ? { id: nodeKey(edge.target), anchor } : { id: nodeKey(edge.target) });
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

  /** The stage's size in CSS pixels (the paper is kept exactly this size). */
  stageSize() {
    return { width: this.stage.clientWidth, height: this.stage.clientHeight };
  }

  /**
   * The view as follow mode shares it: the centre of what is on screen in canvas
   * coordinates (x, y), the scale (zoom), and the visible width and height in canvas units
   * (w, h), so that a follower with another window size can fit the same area.
   */
  viewport() {
    const { a, e, f } = this.paper.matrix();
    const { width, height } = this.stageSize();
    return { x: (width / 2 - e) / a, y: (height / 2 - f) / a, zoom: a, w: width / a, h: height / a };
  }

  /**
   * Show the view `box` of someone we follow: their centre at the centre of our stage. With
   * their visible size (w, h), that area is fitted into our window (a smaller window zooms
   * out rather than crop); without it, their scale is kept.
   */
  setViewport(box) {
    if (!box || ![box.x, box.y, box.zoom].every(Number.isFinite) || box.zoom <= 0) return;
    const { width, height } = this.stageSize();
    if (!width || !height) return;
    let scale = box.zoom;
    if (Number.isFinite(box.w) && Number.isFinite(box.h) && box.w > 0 && box.h > 0) {
      const fit = Math.min(width / box.w, height / box.h);
      // The same window size gives the leader's scale back but for rounding: keep it exact.
      if (Math.abs(fit - scale) > scale * 1e-9) scale = fit;
    }
    const s = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
    const x = Math.max(-1e6, Math.min(1e6, box.x));
    const y = Math.max(-1e6, Math.min(1e6, box.y));
    const e = snapTranslate(width / 2 - x * s);
    const f = snapTranslate(height / 2 - y * s);
    this.paper.matrix({ a: s, b: 0, c: 0, d: s, e, f }, { source: "remote" });
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
      if (!this.connecting || this.connecting.keyboard) return;
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
    paper.on("transform", (matrix, data) => {
      const [e, f] = [snapTranslate(matrix.e), snapTranslate(matrix.f)];
      if (e !== matrix.e || f !== matrix.f) {
        paper.translate(e, f, data); // comes back here, on the grid
        return;
      }
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

  /**
   * End a connection gesture: add the edge to `connecting.target` if there is one and it is
   * allowed (else say why), or, from the mouse, say why the component under (x, y) refused.
   * Returns the new edge's id, or null.
   */
  finishConnecting(x, y) {
    const connecting = this.connecting;
    this.connecting = null;
    this.stage.classList.remove("is-connecting");
    for (const el of this.el.querySelectorAll(".is-valid-target, .is-invalid-target")) {
      el.classList.remove("is-valid-target", "is-invalid-target");
    }
    for (const link of this.graph.getLinks()) if (link.get("temp")) link.remove();
    if (!connecting) return null;
    if (connecting.keyboard) this.markTarget(null);
    const source = docId(connecting.source);
    if (connecting.target) {
      const target = docId(connecting.target);
      const refusal = this.connectionRefusal(source, target);
      if (refusal) {
        this.hint(refusal, "warning");
        return null;
      }
      const id = newId("e");
      if (this.edit({ op: "add_edge", edge: { id, source, target, label: "" } })) {
        this.hint("");
        return id;
      }
      return null;
    }
    if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
    const under = this.paper.findElementViewsAtPoint({ x, y })
      .filter((v) => v.model.id !== connecting.source);
    if (under.length) {
      const refusal = this.connectionRefusal(source, docId(under[under.length - 1].model.id));
      if (refusal) this.hint(refusal, "warning");
    }
    return null;
  }

  // --- keyboard -----------------------------------------------------------------------
  // With the canvas focused: Tab / Shift+Tab select the next / previous component (in
  // reading order; past either end the focus leaves the canvas as usual, so it is never
  // trapped), Enter and F2 are board.js's (inspector, label). C starts a connection from
  // the selected component: only the targets the mouse would accept (connectionRefusal)
  // are offered, nearest first; Tab or the arrow keys choose, Enter connects, Escape
  // cancels. Each step is announced in a live region.

  bindKeys() {
    this.live = h("div", { class: "canvas-live", role: "status", "aria-live": "polite" });
    const about = h("p", { id: "canvas-keys", hidden: true },
      "Tab and Shift+Tab select components. Enter opens the inspector, F2 edits the label. "
      + "C connects the selected component to another.");
    this.stage.append(this.live, about);
    this.el.setAttribute("aria-describedby", "canvas-keys");

    this.el.addEventListener("keydown", (e) => {
      if (e.defaultPrevented || e.target !== this.el || e.altKey || e.ctrlKey || e.metaKey) return;
      if (this.connecting && this.connecting.keyboard) {
        this.connectKey(e);
        return;
      }
      if (e.key === "Tab") {
        if (this.step(e.shiftKey ? -1 : 1)) e.preventDefault();
      } else if (e.key === "c" || e.key === "C") {
        e.preventDefault();
        this.startKeyboardConnect();
      }
    });
    // A click or leaving the canvas ends a keyboard connection (the mouse starts its own).
    this.el.addEventListener("pointerdown", () => {
      this.cancelKeyboardConnect();
      // The focus ring is for the keyboard (keyboard.css). Chromium counts our own
      // focus() in the pointerdown handlers as a keyboard-like focus, so say which it was.
      this.el.dataset.focusBy = "pointer";
    }, true);
    document.addEventListener("keydown", (e) => {
      if (!["Shift", "Control", "Alt", "Meta"].includes(e.key)) this.el.dataset.focusBy = "keyboard";
    }, true);
    this.el.addEventListener("blur", () => this.cancelKeyboardConnect());
  }

  say(message) {
    this.live.textContent = message;
  }

  /** "Gateway (API gateway)" for a component key. */
  describe(key) {
    const node = this.store.view.nodes.get(docId(key));
    if (!node) return "";
    const title = this.typeInfo(node.type).title;
    if (node.type === "note") return node.label ? `Note: ${node.label}` : "Empty note";
    return node.label && node.label !== title ? `${node.label} (${title})` : title;
  }

  /** The components in reading order: rows from the top (bands of a card's height), then
   * left to right. */
  orderedElements() {
    const band = CARD_SIZE.height;
    return this.graph.getElements()
      .map((cell) => ({ cell, c: cell.getBBox().center() }))
      .sort((a, b) => Math.round(a.c.y / band) - Math.round(b.c.y / band) || a.c.x - b.c.x || a.c.y - b.c.y)
      .map((o) => o.cell);
  }

  /** Pan so the cell is on screen (when it is not already). */
  bringIntoView(cell) {
    const box = cell.getBBox();
    if (!this.visibleArea().containsRect(box.clone().inflate(12))) this.centreOn(box.center());
  }

  /** Select the next (dir 1) or previous (-1) component; false when there is none, so that
   * Tab goes on to the next control. */
  step(dir) {
    const order = this.orderedElements();
    const current = [...this.selection].filter(isNodeKey);
    const at = current.length ? order.findIndex((c) => c.id === current[current.length - 1]) : -1;
    const next = at < 0 ? (dir > 0 ? 0 : -1) : at + dir;
    if (next < 0 || next >= order.length) return false;
    const cell = order[next];
    this.select([cell.id]);
    this.bringIntoView(cell);
    this.say(`${this.describe(cell.id)}, ${next + 1} of ${order.length}.`
      + (this.editable ? " Enter: inspector. C: connect." : ""));
    return true;
  }

  startKeyboardConnect() {
    if (!this.editable) {
      this.hint("You are viewing this board: editing is off.");
      return;
    }
    const keys = [...this.selection].filter(isNodeKey);
    if (keys.length !== 1) {
      this.hint("Select one component first (Tab), then press C to connect it.", "info");
      return;
    }
    const source = keys[0];
    const from = this.graph.getCell(source);
    if (!from) return;
    const centre = from.getBBox().center();
    const targets = this.graph.getElements()
      .filter((c) => c.id !== source && !this.connectionRefusal(docId(source), docId(c.id)))
      .sort((a, b) => a.getBBox().center().distance(centre) - b.getBBox().center().distance(centre));
    if (!targets.length) {
      this.hint(`${this.describe(source)} cannot connect to any component on the board.`, "info");
      return;
    }
    this.startConnecting(source);
    Object.assign(this.connecting, { keyboard: true, targets: targets.map((c) => c.id), at: 0 });
    this.hint(`Connect ${this.describe(source)} to…  Tab or arrow keys: choose · Enter: connect · Escape: cancel`, "info");
    this.chooseTarget(0);
  }

  /** Mark the `at`-th allowed target (wrapping around) and announce it. */
  chooseTarget(at) {
    const c = this.connecting;
    const n = c.targets.length;
    c.at = ((at % n) + n) % n;
    c.target = c.targets[c.at];
    const cell = this.graph.getCell(c.target);
    this.markTarget(c.target);
    if (cell) this.bringIntoView(cell);
    this.say(`Connect to ${this.describe(c.target)}? ${c.at + 1} of ${n}. Enter connects, Escape cancels.`);
  }

  /** Outline the keyboard's chosen target like a drop target of the mouse (null: none). */
  markTarget(key) {
    for (const el of this.el.querySelectorAll(".is-key-target")) el.classList.remove("is-key-target", "is-drop-target");
    const cell = key && this.graph.getCell(key);
    const view = cell && this.paper.findViewByModel(cell);
    if (view) view.el.classList.add("is-key-target", "is-drop-target");
  }

  connectKey(e) {
    const c = this.connecting;
    const back = e.key === "ArrowUp" || e.key === "ArrowLeft" || (e.key === "Tab" && e.shiftKey);
    const forth = e.key === "ArrowDown" || e.key === "ArrowRight" || (e.key === "Tab" && !e.shiftKey);
    if (back || forth) {
      e.preventDefault();
      this.chooseTarget(c.at + (forth ? 1 : -1));
    } else if (e.key === "Enter") {
      e.preventDefault();
      const source = c.source;
      const target = c.target;
      if (this.finishConnecting()) {
        this.say(`Connected ${this.describe(source)} to ${this.describe(target)}.`);
        this.hint(`Connected ${this.describe(source)} to ${this.describe(target)}.`, "info");
      }
    } else if (e.key === "Escape") {
      e.preventDefault();
      this.cancelKeyboardConnect();
      this.hint("");
      this.say("Connection cancelled.");
    } else if (e.key.length === 1 || e.key === "Delete" || e.key === "Backspace") {
      this.cancelKeyboardConnect(); // any other command ends the connection first
    }
  }

  cancelKeyboardConnect() {
    if (!this.connecting || !this.connecting.keyboard) return;
    this.connecting.target = null;
    this.finishConnecting();
  }

  bindStage() {
    const { stage } = this;
    // Keep the paper exactly the size of its box (the grid and hit areas follow it).
    const fitPaper = () => {
      const { width, height } = stage.getBoundingClientRect();
      if (!width || !height) return;
      this.paper.setDimensions(Math.round(width), Math.round(height));
      // Follow mode fits the leader's view to our size, and shares ours when it changes.
      this.dispatchEvent(new CustomEvent("resize", { detail: this.stageSize() }));
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
