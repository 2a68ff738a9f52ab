// The design canvas on @joint/core: draws the view document, and turns pointer gestures
// into operations (move, connect, select, pan, zoom, rename).
//
// The JointJS graph is a projection of the store's view: render() reconciles it with the
// view (by object identity, so it is cheap to call after every change). Gestures change
// the graph only while they last (a drag, a link being drawn); the operation they end in
// comes back through the view and leaves the graph as it already is.
//
// This module owns the graph and the paper: drawing, outlines, selection, edits and the
// pointer gestures. Around it: shapes.js (what is drawn), routing.js (how connections go
// around components), and three sets of Canvas methods kept in their own files and
// installed on the class below: viewport.js (zoom, pan, follow mode's view), keyboard.js
// (Tab selection, keyboard connect, announcements) and label-editor.js (in-place labels).

import { connectionRefusal, typeInfo } from "./connections.js";
import { docId, edgeKey, isNodeKey, nodeKey } from "./doc.js";
import { h, newId, nextTask } from "./dom.js";
import { keyboardMethods } from "./keyboard.js";
import { labelEditorMethods } from "./label-editor.js";
import {
  ANCHOR, anchorNamespace, CONNECTION_POINT, CONNECTOR, placeLabels, ROUTER, Router, routerNamespace,
} from "./routing.js";
import { Cards } from "./cards.js";
import { grownX } from "./room.js";
import { Card, CARD_SIZE, cellNamespace, COLOURS, Flow, Note, NOTE_SIZE } from "./shapes.js";
import { MIN_SCALE, viewportMethods } from "./viewport.js";

const joint = window.joint;
const { dia } = joint;

// Boards of this many components mount only the cells in view (cellVisible()).
const CULL_FROM = 150;
// Below this zoom, cards are drawn simply (no type line, handles or shadows).
const FAR_ZOOM = 0.4;
// Below this zoom, text would be under 3 px tall: cards and connections lose their text.
const TINY_ZOOM = 0.24;
// A render that adds this many cells at once (opening a board, a paste) makes and draws
// them in slices of at most about MOUNT_SLICE ms, in separate tasks, rather than in one
// long task that would keep the page from answering (drawing a card takes 2-3 ms on a
// laptop, four times that on a phone): see render().
const STAGE_FROM = 12;
const MOUNT_SLICE = 6;

// The rule whose finding waits while a component is fresh (components/rules.py).
const ISOLATED = "isolated-component";

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
    // Card sizes and line breaks from the shared width table (components/cards.py).
    this.cards = catalogue.cards ? new Cards(catalogue.cards) : null;
    this.store = store;
    this.editable = editable;
    this.edit = edit;
    this.hint = hint;
    this.rendered = new Map(); // cell id -> node/edge object last drawn
    this.selection = new Set(); // cell ids ("n:<id>", "e:<id>")
    this.status = new Map(); // cell id -> "error" | "warning"
    this.report = null; // the last report, to outline again when `fresh` changes
    // Components added here a moment ago: not outlined as isolated while the person may
    // still be connecting them (until they select something else).
    this.fresh = new Set();
    this.remote = new Map(); // participant id -> {keys: Set, colour}
    this.dragging = new Set(); // cell ids moved by a gesture in progress
    // A staged render (see render()): cells still to make, views still to draw.
    this.behind = false;
    this.waiting = new Set(); // ids of cells in the graph whose views wait to be drawn
    this.drawing = false;
    this.drawTask = false;
    this.onComplete = []; // whenComplete()
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
      defaultAnchor: ANCHOR,
      defaultConnectionPoint: CONNECTION_POINT,
      routerNamespace,
      anchorNamespace,
      defaultRouter: ROUTER,
      defaultConnector: CONNECTOR,
      // The link being drawn follows the pointer straight: routing it on every mouse move
      // would be wasted work (and jumpy).
      defaultLink: () => new Flow({
        temp: true, router: { name: "normal" }, source: { anchor: { name: "center" } },
        attrs: { line: { stroke: COLOURS.accent, strokeDasharray: "6 4" } },
      }),
      highlighting: {
        connecting: { name: "addClass", options: { className: "is-drop-target" } },
        default: { name: "addClass", options: { className: "is-highlighted" } },
      },
      // Big boards mount only the cells in (or near) view: see cellVisible(). A cell's view
      // is made when it first comes into view (lazyInitialize).
      viewManagement: { lazyInitialize: true, disposeHidden: false },
      cellVisibility: (cell) => this.cellVisible(cell),
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

    // Orthogonal routing with ports and lanes (routing.js): while a component is dragged
    // only its own connections are routed again (JointJS does that); the rest once, on
    // the drop (settle()).
    this.router = new Router(this.graph, this.paper, this.dragging);
    this.graph.router = this.router;
    this.router.afterRetry = () => this.scheduleLabels();
    this.labelFrame = 0;
    this.culling = false; // set by render() for big boards
    this.viewArea = null; // what is on screen, in canvas coordinates, with a margin
    this.viewFrame = 0;
    // The drawing is hidden from assistive technology: the Outline tab (outline.js) is its
    // text alternative, and the live region announces what the keyboard does here.
    for (const child of el.children) child.setAttribute("aria-hidden", "true");

    this.bindPaper();
    this.bindStage();
    this.bindKeys();
  }

  // --- drawing ------------------------------------------------------------------------

  /**
   * Reconcile the graph with the view document.
   *
   * A render that would add STAGE_FROM cells or more (opening a board, a big paste or
   * undo) is staged, so that no task keeps the page busy for long: it makes new cells
   * until MOUNT_SLICE ms have passed and leaves the rest to the tasks that follow (a
   * connection waits for its two components), and the views of the cells it made are
   * drawn after it, a slice at a time (drawSlice()). Until the board is whole,
   * #canvas[data-drawing] is set; whenComplete() runs what needs every cell (the first fit).
   */
  render(view = this.store.view) {
    const { graph, paper } = this;
    let fresh = 0;
    for (const node of view.nodes.values()) if (!graph.getCell(nodeKey(node.id))) fresh += 1;
    for (const edge of view.edges.values()) if (!graph.getCell(edgeKey(edge.id))) fresh += 1;
    const staged = fresh >= STAGE_FROM || this.drawing;
    const deadline = staged ? performance.now() + MOUNT_SLICE : Infinity;
    let behind = false; // cells left for the next slice
    let made = 0; // at least one cell a slice, however long the checks took
    const late = () => made > 0 && performance.now() > deadline;
    paper.freeze();
    let moved = false; // the geometry changed: every connection is routed again
    // New cells are added together (the graph sorts its cells on each add).
    const added = [];
    const addedKeys = new Set();
    // Decided before the cells are drawn, so a big board draws only what is in view.
    const culling = view.nodes.size >= CULL_FROM;
    if (culling !== this.culling) {
      this.culling = culling;
      this.uncull = !culling; // mount what was left out
      if (!this.viewArea) this.measureView();
      this.viewChanged();
    }
    try {
      const seen = new Set();
      for (const node of view.nodes.values()) {
        const key = nodeKey(node.id);
        seen.add(key);
        const cell = graph.getCell(key);
        if (!cell) {
          if (late()) {
            behind = true;
            continue;
          }
          made += 1;
          // Styled now, so that the time it takes counts in this slice.
          added.push(this.restyle(this.makeNode(node)));
          addedKeys.add(key);
          moved = true;
        } else if (this.rendered.get(key) !== node) {
          const previous = this.rendered.get(key);
          if (!previous || previous.x !== node.x || previous.y !== node.y || previous.label !== node.label) moved = true;
          this.updateNode(cell, node, previous);
        }
        this.rendered.set(key, node);
      }
      // A component of the view not made yet (staged): its connections wait for it.
      const waitsFor = (id) => view.nodes.has(id) && !addedKeys.has(nodeKey(id)) && !graph.getCell(nodeKey(id));
      const newEdges = new Map();
      for (const edge of view.edges.values()) {
        const key = edgeKey(edge.id);
        seen.add(key);
        const cell = graph.getCell(key);
        const previous = this.rendered.get(key);
        if (cell && previous && (previous.source !== edge.source || previous.target !== edge.target)) {
          cell.remove();
        }
        if (!graph.getCell(key) && !newEdges.has(key)) {
          if (waitsFor(edge.source) || waitsFor(edge.target) || late()) {
            behind = true;
            this.rendered.delete(key);
            continue;
          }
          made += 1;
          newEdges.set(key, this.restyle(this.makeEdge(edge)));
          moved = true;
        } else if (previous !== edge && (!previous || previous.label !== edge.label)) {
          // Only a new text: setting the label again forgets where placeLabels put it (a
          // snapshot brings every connection anew, most with the same text).
          moved = true;
          this.setEdgeLabel(graph.getCell(key), edge.label);
        }
        this.rendered.set(key, edge);
      }
      // Staged: the views of the new cells are drawn by drawSlice(), after this task.
      if (staged) {
        for (const cell of added) this.waiting.add(cell.id);
        for (const cell of newEdges.values()) this.waiting.add(cell.id);
      }
      if (added.length) graph.addCells(added.splice(0));
      if (newEdges.size) graph.addCells([...newEdges.values()]);
      for (const cell of graph.getCells()) {
        if (cell.get("temp") || seen.has(cell.id)) continue;
        this.rendered.delete(cell.id);
        cell.remove();
        moved = true;
      }
      if (moved) this.router.settle();
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
    this.behind = behind;
    if (moved) this.scheduleLabels();
    if (this.editor && !graph.getCell(this.editor.key)) this.closeEditor(false, true);
    this.el.dataset.nodes = String(view.nodes.size);
    this.el.dataset.edges = String(view.edges.size);
    if (behind || this.waiting.size) this.scheduleDrawing();
    if (!behind) this.completed();
  }

  /** Go on with a staged render in the next task. */
  scheduleDrawing() {
    if (!this.drawing) {
      this.drawing = true;
      this.el.dataset.drawing = "true";
    }
    if (this.drawTask) return;
    this.drawTask = true;
    nextTask(() => {
      this.drawTask = false;
      this.drawSlice();
    });
  }

  /** One slice of a staged render: make more cells, or else draw waiting cells'
   * views (components first, then their connections, as they were made) for at most
   * MOUNT_SLICE ms. A cell out of view on a big board stays unmounted (cellVisible()). */
  drawSlice() {
    if (this.behind) {
      this.render();
      return;
    }
    const start = performance.now();
    for (const id of this.waiting) {
      this.waiting.delete(id);
      const cell = this.graph.getCell(id);
      if (cell) this.paper.updateCellVisibility(cell);
      if (performance.now() - start > MOUNT_SLICE) break;
    }
    if (this.waiting.size) {
      this.scheduleDrawing();
      return;
    }
    this.drawing = false;
    delete this.el.dataset.drawing;
    this.scheduleLabels();
  }

  /** Run `fn` once the graph holds every cell of the view: now, or when a staged render
   * has made the last of them (their views may still be drawn after). */
  whenComplete(fn) {
    if (this.behind) this.onComplete.push(fn);
    else fn();
  }

  completed() {
    for (const fn of this.onComplete.splice(0)) fn();
  }

  /**
   * Whether a cell is mounted (drawn in the DOM). On boards of CULL_FROM components or
   * more, only the cells in view (with a margin) are: drawing SVG for cards off screen was
   * most of the time a big board took to draw and to pan. Cells being dragged, and the
   * link being drawn, always are.
   */
  cellVisible(cell) {
    if (cell.get("temp") || this.dragging.has(cell.id)) return true;
    if (this.waiting.has(cell.id)) return false;
    if (!this.culling || !this.viewArea) return true;
    if (cell.isElement()) return this.viewArea.intersect(cell.getBBox()) !== null;
    const source = this.graph.getCell(cell.source().id);
    const target = this.graph.getCell(cell.target().id);
    if (!source || !target) return true;
    if (this.dragging.has(source.id) || this.dragging.has(target.id)) return true;
    // A route stays near the box around its two cards (a "C" goes a little outside it).
    return this.viewArea.intersect(source.getBBox().union(target.getBBox()).inflate(160)) !== null;
  }

  /** What is on screen (with a margin), in canvas coordinates; returns the zoom. */
  measureView() {
    const { a, e, f } = this.paper.matrix();
    const { width, height } = this.stageSize();
    const margin = 120 / a;
    this.viewArea = new joint.g.Rect(-e / a - margin, -f / a - margin, width / a + 2 * margin, height / a + 2 * margin);
    return a;
  }

  /** The view moved or was resized: once a frame, mount what came into view and unmount
   * what left it, and draw simple cards when zoomed far out. */
  viewChanged() {
    if (this.viewFrame) return;
    this.viewFrame = requestAnimationFrame(() => {
      this.viewFrame = 0;
      const a = this.measureView();
      this.stage.classList.toggle("is-far", a < FAR_ZOOM);
      this.stage.classList.toggle("is-tiny", a < TINY_ZOOM);
      if (this.culling || this.uncull) this.paper.updateCellsVisibility();
      this.uncull = false;
    });
  }

  /** Place the connections' labels off the other connections, once the routes settle. */
  scheduleLabels() {
    if (this.labelFrame) return;
    this.labelFrame = requestAnimationFrame(() => {
      this.labelFrame = 0;
      placeLabels(this.graph, this.paper, (text, size) => this.textWidth(text, size));
    });
  }

  /** The width of `text` at `size` px, from the shared width table (cards.js) when there
   * is one, else a fair estimate. */
  textWidth(text, size) {
    if (this.cards) return this.cards.width(text, size, "regular");
    return String(text).length * size * 0.56;
  }

  typeInfo(type) {
    return typeInfo(this.catalogue, type);
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
      kind: { fill: info.colour },
      ...(node.type === "note" ? {} : Object.fromEntries(["handle", "handleLeft", "handleTop", "handleBottom"]
        .map((selector) => [selector, { stroke: info.colour }]))),
      root: { "data-id": node.id, "data-kind": node.type },
    });
    this.setNodeText(cell, node);
    return cell;
  }

  /** The card's size, lines and type line (cards.js), its tooltip and its aria name. */
  setNodeText(cell, node) {
    const info = this.typeInfo(node.type);
    const note = node.type === "note";
    const text = this.nodeText(node);
    const attrs = {
      label: { opacity: node.label || !note ? 1 : 0.55 },
      tip: { text: this.tooltip(node) },
    };
    if (this.cards) {
      const geometry = this.cards.geometry(note ? text : node.label || "", info.title, note);
      const ys = geometry.line_ys;
      cell.resize(geometry.width, geometry.height);
      const family = this.catalogue.cards.font_family;
      attrs.label = {
        ...attrs.label, text: geometry.lines.join("\n"), y: (ys[0] + ys[ys.length - 1]) / 2,
        x: this.catalogue.cards.pad_left, fontFamily: family,
      };
      attrs.kind = {
        text: geometry.type_line || "", y: geometry.type_y ?? 0, fontFamily: family,
        display: geometry.type_line ? "inline" : "none",
      };
      attrs.root = { "data-truncated": geometry.truncated ? "true" : "false", "data-lines": String(ys.length) };
    } else {
      attrs.label = { ...attrs.label, text };
      attrs.kind = { text: info.title };
    }
    cell.attr(attrs);
  }

  /** A component's card size (cards.js), for placing new ones. */
  nodeSize(node) {
    const cell = node.id && this.graph.getCell(nodeKey(node.id));
    if (cell) return cell.size();
    if (!this.cards) return node.type === "note" ? NOTE_SIZE : CARD_SIZE;
    const note = node.type === "note";
    const { width, height } = this.cards.geometry(note ? this.nodeText(node) : node.label || "", this.typeInfo(node.type).title, note);
    return { width, height };
  }

  /** The edit that renames component `id` to `label`: with a move when the longer label
   * would make the card grow into a neighbour it was clear of (room.js), one undo step. */
  renameOp(id, label) {
    const rename = { op: "update_node", id, changes: { label } };
    const node = this.store.view.nodes.get(id);
    if (!node || node.type === "note" || !this.cards) return rename;
    const others = [...this.store.view.nodes.values()].filter((n) => n.id !== id)
      .map((n) => ({ x: n.x, y: n.y, ...this.nodeSize(n) }));
    const box = { x: node.x, y: node.y, ...this.nodeSize(node) };
    const x = grownX(box, this.nodeSize({ type: node.type, label }), others);
    return x === null ? rename : { op: "batch", ops: [rename, { op: "move_node", id, x, y: node.y, from: { x: node.x, y: node.y } }] };
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
    if (!previous || previous.label !== node.label) this.setNodeText(cell, node);
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
    if (!label) {
      link.labels([]);
      return;
    }
    const { size, pad, height } = this.cards.c.link_label; // the exports' tags too
    const width = Math.ceil(this.textWidth(label, size)) + pad;
    link.labels([{
      attrs: {
        labelText: { text: label },
        labelBody: { x: -width / 2, y: -height / 2, width, height },
      },
    }]);
  }

  /** Outline components with findings: errors red, warnings amber. A component just added
   * (this.fresh) is not outlined as isolated yet. */
  setReport(report) {
    this.report = report;
    const status = new Map();
    const rank = { error: 2, warning: 1 };
    for (const finding of (report && report.findings) || []) {
      const level = rank[finding.severity];
      if (!level) continue;
      const calm = finding.rule === ISOLATED;
      for (const id of finding.nodes || []) {
        const key = nodeKey(id);
        if (calm && this.fresh.has(key)) continue;
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

  /** Selection, finding and presence outlines of one cell; returns the cell. */
  restyle(cell) {
    const key = cell.id;
    const selected = this.selection.has(key);
    const status = this.status.get(key) || null;
    const remote = this.remoteColour(key);
    const style = `${selected}|${status}|${remote}`;
    if (cell.get("styled") === style) return cell;
    cell.set("styled", style, { silent: true });
    if (cell.isLink()) {
      let stroke = COLOURS.line;
      if (status) stroke = COLOURS[status];
      if (remote) stroke = remote;
      if (selected) stroke = COLOURS.accent;
      cell.attr("line", { stroke, strokeWidth: selected || status ? 2.5 : 1.75 });
      return cell;
    }
    cell.attr({
      selection: { stroke: selected ? COLOURS.accent : "transparent" },
      // One ring at a time: a selected card shows the selection's (its flag still tells
      // the finding's level).
      status: { stroke: status && !selected ? COLOURS[status] : "transparent" },
      remote: { stroke: remote || "transparent" },
      flag: { display: status ? "inline" : "none" },
      flagDot: { fill: status ? COLOURS[status] : "transparent" },
      flagText: { text: status === "error" ? "✕" : "!" },
      root: { "data-status": status || "", "data-selected": selected ? "true" : "false" },
    });
    return cell;
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
    // Selecting something else ends a fresh component's grace.
    let calmed = false;
    for (const key of [...this.fresh]) {
      if (!next.has(key)) {
        this.fresh.delete(key);
        calmed = true;
      }
    }
    if (calmed && this.report) this.setReport(this.report);
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

  // --- edits --------------------------------------------------------------------------

  /**
   * Top-left corner for a new component of `size` near (x, y) that overlaps nothing, trying
   * rings of neighbouring slots around it, nearest first.
   */
  freeSpot(x, y, size) {
    const gap = 24;
    const boxes = [...this.store.view.nodes.values()].map((n) => {
      const s = this.nodeSize(n);
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
    const size = this.nodeSize({ type, label: type === "note" ? "" : info.title });
    const [x, y] = [at.x - size.width / 2, at.y - size.height / 2];
    const spot = avoid ? this.freeSpot(x, y, size) : { x: Math.round(x / 8) * 8, y: Math.round(y / 8) * 8 };
    const id = newId(type === "note" ? "note" : "n");
    const node = { id, type, label: type === "note" ? "" : info.title, x: spot.x, y: spot.y };
    if (!this.edit({ op: "add_node", node })) return null;
    this.select([nodeKey(id)]);
    this.fresh.add(nodeKey(id));
    return id;
  }

  /** Why a connection from component `source` to `target` (ids) is not allowed, or "". */
  connectionRefusal(source, target) {
    return connectionRefusal(this.catalogue, this.store.view, source, target);
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
        this.router.startMoving(); // the index leaves the cards in motion out
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
      if (!this.dragging.has(key)) this.router.startMoving();
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
}

// The methods of viewport.js, keyboard.js and label-editor.js are the Canvas's own (they
// use its state through `this`); they are copied onto the prototype as class methods are
// defined: not enumerable, getters (zoom) kept as getters.
for (const methods of [viewportMethods, keyboardMethods, labelEditorMethods]) {
  for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(methods))) {
    Object.defineProperty(Canvas.prototype, name, { ...descriptor, enumerable: false });
  }
}
