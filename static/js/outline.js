// The Outline tab (#outline): the diagram as text, for screen readers and keyboards. The
// canvas SVG is hidden from assistive technology (canvas.js); this tree says the same
// thing: components by framework step with their type, where each sends to and receives
// from, and its findings. It follows the store (every change) and the validator's report,
// and is linked to the canvas selection both ways: the focused item is selected on the
// canvas, and a selection made on the canvas becomes the tree's Tab stop.
//
// WAI-ARIA tree pattern with a roving tabindex: one item has tabindex 0. Up/Down move
// through the visible items, Right opens an item or enters it, Left closes it or goes to
// its parent, Home/End jump; Enter opens the inspector (a finding: shows its components),
// Delete removes the focused component or connection (editors only).
//
// The step items are server-rendered (board.html, one per step plus "Notes and other
// components"); this module puts each step's components after it. The tree is flat (each
// item says its aria-level), so an item's accessible name is its own text only. Rendering
// waits while the tab is hidden.

import { nodeName } from "./connections.js";
import { edgeKey, nodeKey } from "./doc.js";
import { clear, h } from "./dom.js";

const SEVERITY = { error: "Error", warning: "Warning", info: "Info" };
const BAND = 80; // reading order: rows of about a card's height, then left to right

export class Outline {
  /**
   * @param {object} opts
   * @param {HTMLElement} opts.tree #outline (role=tree)
   * @param {HTMLElement} opts.panel its tab panel (rendering waits while it is hidden)
   * @param {HTMLElement} [opts.empty] shown when nothing is drawn
   * @param {import("./store.js").Store} opts.store
   * @param {import("./canvas.js").Canvas} opts.canvas
   * @param {object} opts.catalogue
   * @param {boolean} opts.editable
   * @param {(key: string) => void} opts.onOpen open the inspector for a selected cell
   */
  constructor({ tree, panel, empty, store, canvas, catalogue, editable, onOpen }) {
    Object.assign(this, { tree, panel, empty, store, canvas, catalogue, editable, onOpen });
    this.expanded = new Set(); // keys of open component items
    this.current = null; // key of the item with tabindex 0
    this.dirty = true;
    this.steps = new Map([...tree.querySelectorAll(":scope > .ol-step")].map((li) => [li.dataset.step, li]));
    // At most one rebuild a frame (a drag sends a move per frame); none while hidden.
    let frame = 0;
    const later = () => {
      this.dirty = true;
      if (this.panel.hidden || frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (this.dirty && !this.panel.hidden) this.render();
      });
    };
    store.addEventListener("change", later);
    store.addEventListener("report", later);
    new MutationObserver(() => {
      if (!this.panel.hidden && this.dirty) this.render();
    }).observe(panel, { attributes: true, attributeFilter: ["hidden"] });
    canvas.addEventListener("selection", (e) => this.selectionChanged(e.detail.keys));
    tree.addEventListener("keydown", (e) => this.key(e));
    tree.addEventListener("click", (e) => {
      const item = e.target.closest?.("[role=treeitem]");
      if (!item || !tree.contains(item)) return;
      if (e.target.closest(".ol-toggle")) this.toggle(item);
      this.focus(item);
    });
    tree.addEventListener("focusin", (e) => {
      const item = e.target.closest?.("[role=treeitem]");
      if (item) this.follow(item);
    });
  }

  // --- text ---------------------------------------------------------------------------

  typeTitle(node) {
    return this.catalogue.types[node.type]?.title || node.type;
  }

  name(node) {
    if (!node) return "a removed component";
    if (node.type === "note") return node.label ? `Note: ${node.label}` : "Empty note";
    return nodeName(this.catalogue, node);
  }

  // --- rendering ----------------------------------------------------------------------

  render() {
    this.dirty = false;
    const view = this.store.view;
    const hadFocus = this.tree.contains(document.activeElement);
    const focusedKey = hadFocus ? document.activeElement.dataset.key : null;
    const order = hadFocus ? this.visible().map((i) => i.dataset.key) : [];

    const findings = new Map(); // node id -> findings naming it (or one of its connections)
    for (const f of this.store.report?.findings || []) {
      const ids = new Set(f.nodes || []);
      for (const eid of f.edges || []) {
        const edge = view.edges.get(eid);
        if (edge) ids.add(edge.source);
      }
      for (const id of ids) {
        if (!findings.has(id)) findings.set(id, []);
        findings.get(id).push(f);
      }
    }
    const out = new Map();
    const inc = new Map();
    for (const edge of view.edges.values()) {
      if (!out.has(edge.source)) out.set(edge.source, []);
      if (!inc.has(edge.target)) inc.set(edge.target, []);
      out.get(edge.source).push(edge);
      inc.get(edge.target).push(edge);
    }
    const byStep = new Map([...this.steps.keys()].map((k) => [k, []]));
    for (const node of view.nodes.values()) {
      const step = this.catalogue.types[node.type]?.step || "";
      (byStep.get(step) || byStep.get("")).push(node);
    }
    // A flat tree (aria-level on each item) so that each item's name is its own text.
    for (const item of this.tree.querySelectorAll(":scope > :not(.ol-step)")) item.remove();
    const selected = this.canvas.selection;
    for (const [step, li] of this.steps) {
      const nodes = byStep.get(step).sort((a, b) => Math.round(a.y / BAND) - Math.round(b.y / BAND) || a.x - b.x);
      li.hidden = nodes.length === 0;
      li.dataset.key = `s:${step}`;
      if (!li.dataset.title) li.dataset.title = li.textContent.trim();
      clear(li);
      li.append(li.dataset.title, h("span", { class: "sr-only" }, `: ${nodes.length} component${nodes.length === 1 ? "" : "s"}`));
      const open = li.getAttribute("aria-expanded") === "true";
      let after = li;
      for (const node of nodes) {
        for (const item of this.nodeItems(node, out.get(node.id) || [], inc.get(node.id) || [], findings.get(node.id) || [], selected)) {
          if (!open) item.hidden = true;
          after.after(item);
          after = item;
        }
      }
    }
    if (this.empty) this.empty.hidden = view.nodes.size > 0;

    // Keep the Tab stop (and the focus) where it was; a removed item hands them to the
    // item that took its place in the visible order.
    const items = this.visible();
    let next = items.find((i) => i.dataset.key === (focusedKey || this.current));
    if (!next && focusedKey) {
      const at = order.indexOf(focusedKey);
      next = items[Math.min(Math.max(at, 0), items.length - 1)] || null;
    }
    this.rove(next || items.find((i) => i.classList.contains("ol-node")) || items[0] || null);
    if (hadFocus && next && document.activeElement !== next) next.focus({ preventScroll: false });
  }

  /** A component's item (level 2) and, after it, its connections and findings (level 3,
   * hidden while it is closed). */
  nodeItems(node, out, inc, findings, selected) {
    const key = nodeKey(node.id);
    const open = this.expanded.has(key);
    const view = this.store.view;
    const sr = (text) => h("span", { class: "sr-only" }, text);
    const children = [];
    const child = (props, ...content) => h("li", {
      role: "treeitem", "aria-level": 3, tabindex: -1, hidden: !open, "data-parent": key, ...props,
    }, ...content);
    for (const edge of out) {
      children.push(this.linkItem(child, edge, "ol-out", `Sends to ${this.name(view.nodes.get(edge.target))}`, selected));
    }
    for (const edge of inc) {
      children.push(this.linkItem(child, edge, "ol-in", `Receives from ${this.name(view.nodes.get(edge.source))}`, selected));
    }
    if (!out.length && !inc.length) {
      children.push(child({ class: "ol-none muted", "data-key": `x:${node.id}` }, "No connections"));
    }
    for (const [i, f] of findings.entries()) {
      children.push(child({
        class: `ol-finding ol-finding-${f.severity}`, "data-key": `f:${node.id}:${i}`,
        "data-keys": [...(f.nodes || []).map(nodeKey), ...(f.edges || []).map(edgeKey)].join(" "),
      }, h("span", { class: "ol-sev" }, `${SEVERITY[f.severity] || f.severity}:`), ` ${f.message}`));
    }
    const item = h("li", {
      role: "treeitem", "aria-level": 2, tabindex: -1, class: "ol-node", "data-key": key,
      "aria-expanded": open ? "true" : "false", "aria-selected": selected.has(key) ? "true" : "false",
    },
    h("span", { class: "ol-toggle", "aria-hidden": "true" }, open ? "▾" : "▸"),
    h("span", { class: "ol-name" }, this.name(node)),
    node.type === "note" ? null : [sr(", "), h("span", { class: "ol-type" }, this.typeTitle(node))],
    sr(`, sends to ${out.length}, receives from ${inc.length}`),
    findings.length ? [sr(", "), h("span", { class: "ol-count" }, String(findings.length)),
      sr(` finding${findings.length === 1 ? "" : "s"}`)] : null);
    return [item, ...children];
  }

  linkItem(child, edge, kind, text, selected) {
    const key = edgeKey(edge.id);
    return child({ class: `ol-link ${kind}`, "data-key": key, "aria-selected": selected.has(key) ? "true" : "false" },
      text + (edge.label ? ` (${edge.label})` : ""));
  }

  // --- focus and keys -----------------------------------------------------------------

  /** The items a person can move to (not under a closed item). */
  visible() {
    return [...this.tree.querySelectorAll(":scope > [role=treeitem]")].filter((i) => !i.hidden);
  }

  /** The item one level up (flat tree: the nearest earlier item of a lower level). */
  parentOf(item) {
    const level = Number(item.getAttribute("aria-level"));
    for (let el = item.previousElementSibling; el; el = el.previousElementSibling) {
      if (Number(el.getAttribute("aria-level")) < level) return el;
    }
    return null;
  }

  /** The items under `item` (its subtree), in order. */
  under(item) {
    const level = Number(item.getAttribute("aria-level"));
    const items = [];
    for (let el = item.nextElementSibling; el; el = el.nextElementSibling) {
      if (Number(el.getAttribute("aria-level")) <= level) break;
      items.push(el);
    }
    return items;
  }

  rove(item) {
    for (const i of this.tree.querySelectorAll("[role=treeitem][tabindex='0']")) i.tabIndex = -1;
    this.current = item ? item.dataset.key : null;
    if (item) item.tabIndex = 0;
  }

  focus(item) {
    if (!item) return;
    this.rove(item);
    item.focus();
  }

  /** The focused item is the canvas selection (components and connections). */
  follow(item) {
    this.rove(item);
    const key = item.dataset.key || "";
    if (!key.startsWith("n:") && !key.startsWith("e:")) return;
    if (this.canvas.selection.size === 1 && this.canvas.selection.has(key)) return;
    this.canvas.select([key]);
    const cell = this.canvas.graph.getCell(key);
    if (cell && cell.isElement()) this.canvas.bringIntoView(cell);
  }

  selectionChanged(keys) {
    const set = new Set(keys);
    for (const item of this.tree.querySelectorAll("[aria-selected]")) {
      item.setAttribute("aria-selected", set.has(item.dataset.key) ? "true" : "false");
    }
    // A selection made on the canvas becomes the tree's Tab stop.
    if (keys.length === 1 && !this.tree.contains(document.activeElement)) {
      const item = this.visible().find((i) => i.dataset.key === keys[0]);
      if (item) this.rove(item);
      else if (keys[0].startsWith("n:")) this.current = keys[0];
    }
  }

  toggle(item, open = item.getAttribute("aria-expanded") !== "true") {
    if (!item.hasAttribute("aria-expanded")) return false;
    if (item.classList.contains("ol-node")) {
      if (open) this.expanded.add(item.dataset.key);
      else this.expanded.delete(item.dataset.key);
    }
    item.setAttribute("aria-expanded", open ? "true" : "false");
    const toggle = item.querySelector(".ol-toggle");
    if (toggle) toggle.textContent = open ? "▾" : "▸";
    // Show the subtree, except what sits under a closed component inside it.
    let closed = null;
    for (const el of this.under(item)) {
      if (closed && Number(el.getAttribute("aria-level")) > closed) continue;
      closed = null;
      el.hidden = !open;
      if (open && el.getAttribute("aria-expanded") === "false") closed = Number(el.getAttribute("aria-level"));
    }
    return true;
  }

  key(e) {
    const item = e.target.closest?.("[role=treeitem]");
    if (!item || e.altKey || e.ctrlKey || e.metaKey) return;
    const items = this.visible();
    const at = items.indexOf(item);
    const expanded = item.getAttribute("aria-expanded");
    let handled = true;
    switch (e.key) {
      case "ArrowDown":
        this.focus(items[at + 1]);
        break;
      case "ArrowUp":
        this.focus(items[at - 1]);
        break;
      case "Home":
        this.focus(items[0]);
        break;
      case "End":
        this.focus(items[items.length - 1]);
        break;
      case "ArrowRight":
        if (expanded === "false") this.toggle(item, true);
        else if (expanded === "true") this.focus(this.visible()[at + 1]);
        break;
      case "ArrowLeft":
        if (expanded === "true") this.toggle(item, false);
        else this.focus(this.parentOf(item));
        break;
      case "Enter":
      case " ":
        this.activate(item);
        break;
      case "Delete":
      case "Backspace":
        if (!this.editable || !/^[ne]:/.test(item.dataset.key || "")) {
          handled = false;
          break;
        }
        this.canvas.select([item.dataset.key]);
        this.canvas.deleteSelection();
        break;
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation(); // board.js's shortcuts are for the canvas
    }
  }

  activate(item) {
    const key = item.dataset.key || "";
    if (item.classList.contains("ol-finding")) {
      const keys = (item.dataset.keys || "").split(" ").filter(Boolean);
      if (keys.length) this.canvas.reveal(keys);
    } else if (key.startsWith("n:") || key.startsWith("e:")) {
      this.canvas.select([key]);
      this.onOpen(key);
    } else {
      this.toggle(item);
    }
  }
}
