// The board editor: wires the store, the connection, the canvas and the side panels.
// Loaded as an ES module by templates/board.html (CSP: script-src 'self', no inline code).
//
// How an edit travels:
//   gesture (canvas.js, inspector.js, palette.js, ...) -> history.edit(op) records the
//   inverse (history.js) -> store.submit(op) applies it to the *view* at once and queues it
//   (store.js) -> connection.js sends it when live -> the server answers `ack`, then
//   broadcasts `op` + `findings` -> store applies the op to the *model* in revision order
//   and drops it from the pending list -> `change` -> canvas.render() reconciles JointJS
//   with the view (canvas.js), the inspector/worksheet refresh, findings.js outlines the
//   components and asks htmx to re-render the findings panel.
// The model changes only through server frames; the view is the model plus our pending
// edits, so optimistic changes reconcile idempotently and a refused edit simply vanishes
// (after a snapshot resync).
//
// Modules: dom.js (helpers), doc.js (document + operations + inverses), store.js,
// connection.js, history.js, canvas.js (+ shapes.js, routing.js, viewport.js,
// keyboard.js, label-editor.js), palette.js, inspector.js, worksheet.js, findings.js,
// presence.js (+ toasts.js, follow.js, name.js), share.js, timer.js, menu.js (the Export
// menu), panels.js (sidebar tabs, refresh guard).

import { Canvas } from "./canvas.js";
import { Connection } from "./connection.js";
import { h, isTyping, readJSON } from "./dom.js";
import { setupFindings } from "./findings.js";
import { Follow } from "./follow.js";
import { History } from "./history.js";
import { Inspector } from "./inspector.js";
import { setupMenu } from "./menu.js";
import { setupName } from "./name.js";
import { setupPalette } from "./palette.js";
import { keepPanelWhileInUse, setupSidebarToggles, setupTabs } from "./panels.js";
import { Presence } from "./presence.js";
import { setupShare } from "./share.js";
import { setupTimer } from "./timer.js";
import { Store } from "./store.js";
import { Toasts } from "./toasts.js";
import { Worksheet } from "./worksheet.js";


const $ = (id) => document.getElementById(id);

function main() {
  const config = readJSON("board-config");
  const catalogue = readJSON("catalogue-data");
  if (!config || !catalogue || !window.joint) return;
  const editable = config.role !== "viewer";
  document.body.classList.toggle("is-readonly", !editable);

  // --- notices (#hint) ----------------------------------------------------------------
  const hintEl = $("hint");
  let hintTimer = null;
  const hint = (message, kind = "warning") => {
    clearTimeout(hintTimer);
    hintEl.textContent = message || "";
    hintEl.dataset.kind = message ? kind : "";
    if (message) hintTimer = setTimeout(() => hint(""), kind === "error" ? 12_000 : 8_000);
  };

  // --- state and transport ------------------------------------------------------------
  const store = new Store();
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const conn = new Connection({
    url: scheme + location.host + config.wsPath,
    onFrame: (frame) => store.handle(frame),
    revision: () => store.revision,
    stateEl: $("conn-state"),
    onTooLarge: (edit, size, limit) => store.refuseLocally(edit,
      `That change is too large to send at once (${Math.ceil(size / 1024)} KB; the limit is ${limit / 1024} KB). ` +
      "Try it in smaller parts."),
  });
  store.attach(conn);
  const history = new History(store, (message) => hint(message, "info"));
  const edit = (op) => (editable ? history.edit(op) : null);

  // --- canvas -------------------------------------------------------------------------
  const canvas = new Canvas({
    el: $("canvas"),
    stage: $("stage"),
    catalogue,
    store,
    editable,
    edit,
    hint,
  });

  const empty = h("div", { class: "empty-state", hidden: true },
    h("strong", {}, editable ? "Start your design" : "Nothing drawn yet"),
    h("span", {}, editable
      ? "Drag a component from the palette onto the canvas, or focus one and press Enter."
      : "Components appear here as the others draw them."));
  $("stage").append(empty);

  let fitted = false;
  store.addEventListener("change", () => {
    canvas.render();
    empty.hidden = !store.loaded || store.view.nodes.size > 0;
    document.body.dataset.revision = String(store.revision);
    document.body.dataset.pending = String(store.pending.length);
  });
  store.addEventListener("ack", () => {
    document.body.dataset.pending = String(store.pending.length);
  });
  store.addEventListener("synced", () => {
    document.body.dataset.pending = String(store.pending.length);
    document.body.dataset.synced = "true";
    if (!fitted) {
      fitted = true;
      // Following someone who already shared their view: show it rather than ours.
      if (!follow.apply()) canvas.automatically(() => canvas.fit());
    }
  });
  store.addEventListener("problem", (e) => hint(e.detail.message, "error"));
  conn.onState((state) => {
    document.body.dataset.conn = state;
    if (state === "closed" && conn.fatal) hint(conn.fatal, "error");
  });

  // --- panels -------------------------------------------------------------------------
  setupPalette({ root: document.querySelector(".sidebar-left"), search: $("palette-search"), canvas, editable, hint });

  const inspector = new Inspector({
    root: $("inspector"), store, catalogue, edit, editable, onDelete: () => canvas.deleteSelection(),
  });
  canvas.addEventListener("selection", (e) => inspector.show(e.detail.keys));

  new Worksheet({ form: $("worksheet"), status: $("ws-status"), store, submit: (op) => store.submit(op), editable });

  setupFindings({ panel: $("findings"), tab: $("tab-findings"), store, canvas });
  const toasts = new Toasts($("toasts"));
  const presence = new Presence({
    list: $("participants"), cursors: $("cursors"), store, canvas, conn,
    notify: (text, colour) => toasts.show(text, colour),
  });
  const follow = new Follow({
    canvas, conn, store, presence, pill: $("follow-pill"), stage: $("stage"),
    editable, auto: config.role === "viewer",
  });

  setupBoardMeta({ store, edit, editable });
  // The name is asked first; a new board's share links open once that prompt is closed
  // (one dialog at a time, see share.js). A new name is read by the server when a socket
  // connects: reconnect to use it.
  const name = setupName({ dialog: $("name-dialog"), config, onSaved: () => conn.restart() });
  setupShare({ after: name.done, hint });
  presence.addEventListener("avatar", (e) => {
    if (e.detail.you) name.open();
  });
  setupTimer({ el: $("timer"), store });
  // A reveal carries no text: each role re-fetches its own case panel (htmx).
  store.addEventListener("frame", (e) => {
    if (e.detail.frame.type === "case.revealed") document.body.dispatchEvent(new Event("case-changed"));
  });
  const tabs = setupTabs();
  // Hiding a sidebar keeps the diagram where it was on screen: the stage grows to one side.
  const sidebars = setupSidebarToggles({ around: (change) => canvas.keepScreenPlace(change) });
  for (const menu of document.querySelectorAll("details.menu")) setupMenu(menu);
  for (const panel of [$("case"), $("interviewer")]) if (panel) keepPanelWhileInUse(panel);
  // "Skip to canvas": focus the canvas itself (the link's #canvas would also scroll).
  document.querySelector(".skip-link")?.addEventListener("click", (e) => {
    e.preventDefault();
    canvas.el.focus({ preventScroll: true });
  });

  // --- toolbar ------------------------------------------------------------------------
  const undoBtn = $("undo");
  const redoBtn = $("redo");
  const layoutBtn = $("auto-layout");
  const zoomLabel = $("zoom-level");
  const syncHistory = () => {
    undoBtn.disabled = !history.canUndo;
    redoBtn.disabled = !history.canRedo;
  };
  history.onChange(syncHistory);
  syncHistory();
  undoBtn.addEventListener("click", () => history.undo());
  redoBtn.addEventListener("click", () => history.redo());
  $("zoom-in").addEventListener("click", () => canvas.zoomBy(1.2));
  $("zoom-out").addEventListener("click", () => canvas.zoomBy(1 / 1.2));
  $("zoom-fit").addEventListener("click", () => canvas.fit());
  const showZoom = () => { if (zoomLabel) zoomLabel.textContent = `${Math.round(canvas.zoom * 100)}%`; };
  canvas.addEventListener("transform", showZoom);
  showZoom();
  if (!editable) {
    for (const el of [undoBtn, redoBtn, layoutBtn]) el.hidden = true;
    if (undoBtn.parentElement.classList.contains("tool-group")) undoBtn.parentElement.hidden = true;
  }

  // An auto-layout moves every component in one batch: a board bigger than the server's
  // batch limit (catalogue.limits) is refused here, without a round trip.
  const maxBatch = (catalogue.limits && catalogue.limits.batch_ops) || Infinity;
  const layout = async () => {
    if (!editable || !config.layoutUrl || layoutBtn.disabled) return;
    if (store.view.nodes.size > maxBatch) {
      hint(`Auto-layout arranges at most ${maxBatch} components at once; this board has ${store.view.nodes.size}.`, "error");
      return;
    }
    layoutBtn.disabled = true;
    try {
      const response = await fetch(config.layoutUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) {
        let reason = `the server answered ${response.status}`;
        try {
          const body = await response.json();
          if (body && typeof body.error === "string") reason = body.error.replace(/^Auto-layout failed:\s*/i, "");
        } catch { /* not JSON */ }
        throw new Error(reason);
      }
      const { positions } = await response.json();
      const view = store.view;
      const ops = [];
      for (const [id, p] of Object.entries(positions || {})) {
        const node = view.nodes.get(id);
        if (!node || !p || !Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
        const x = Math.round(p.x);
        const y = Math.round(p.y);
        if (node.x !== x || node.y !== y) ops.push({ op: "move_node", id, x, y });
      }
      if (!ops.length) {
        hint("Already arranged.", "info");
        return;
      }
      if (ops.length > maxBatch) {
        hint(`Auto-layout moves at most ${maxBatch} components at once.`, "error");
        return;
      }
      edit(ops.length === 1 ? ops[0] : { op: "batch", ops });
      requestAnimationFrame(() => canvas.fit());
    } catch (err) {
      hint(`Auto-layout failed: ${err.message}`, "error");
    } finally {
      layoutBtn.disabled = false;
    }
  };
  if (!config.layoutUrl) layoutBtn.hidden = true;
  layoutBtn.addEventListener("click", layout);

  // --- help ---------------------------------------------------------------------------
  const help = $("help-dialog");
  const openHelp = () => {
    if (!help.open) help.showModal();
  };
  $("help-button").addEventListener("click", openHelp);

  // --- keyboard -----------------------------------------------------------------------
  const stage = $("stage");
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || document.querySelector("dialog[open]")) return;
    const typing = isTyping(e.target);
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (mod && !e.altKey && (key === "z" || key === "y")) {
      if (typing || !editable) return; // form fields keep their own undo
      e.preventDefault();
      if (key === "y" || e.shiftKey) history.redo();
      else history.undo();
      return;
    }
    if (typing) return;
    const onCanvas = e.target === document.body || stage.contains(e.target);
    if (mod) {
      if (key === "a" && onCanvas) {
        e.preventDefault();
        canvas.select(canvas.graph.getElements().map((c) => c.id));
      }
      return;
    }
    switch (e.key) {
      case "Delete":
      case "Backspace":
        if (onCanvas && canvas.selection.size) {
          e.preventDefault();
          canvas.deleteSelection();
        }
        break;
      case "+":
      case "=":
        e.preventDefault();
        canvas.zoomBy(1.2);
        break;
      case "-":
      case "_":
      case "−":
        e.preventDefault();
        canvas.zoomBy(1 / 1.2);
        break;
      case "f":
      case "F":
        e.preventDefault();
        canvas.fit();
        break;
      case "l":
      case "L":
        if (config.layoutUrl && editable) {
          e.preventDefault();
          layout();
        }
        break;
      case "?":
        e.preventDefault();
        openHelp();
        break;
      case "[":
      case "]":
        e.preventDefault();
        sidebars.toggle(e.key === "[" ? "left" : "right");
        break;
      case "Escape":
        canvas.clearSelection();
        hint("");
        break;
      case "ArrowLeft":
      case "ArrowRight":
      case "ArrowUp":
      case "ArrowDown": {
        if (!onCanvas) break;
        const step = e.shiftKey ? 40 : 8;
        const [dx, dy] = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
        if (canvas.nudge(dx, dy)) e.preventDefault();
        break;
      }
      case "Enter":
      case "F2":
        if (onCanvas && canvas.selection.size === 1) {
          e.preventDefault();
          if (e.key === "F2") canvas.editLabel([...canvas.selection][0]);
          else tabs.open("inspector-tab", true);
        }
        break;
      default:
        break;
    }
  });

  window.addEventListener("beforeunload", (e) => {
    if (store.pending.length) e.preventDefault();
  });

  conn.start();
}

/** Board title and level in the top bar: edits go out as update_board. */
function setupBoardMeta({ store, edit, editable }) {
  const title = $("board-title");
  const level = $("board-level");
  const suffix = " · MLSD Studio";
  let shownTitle = title.value;
  const saveTitle = () => {
    const value = title.value.trim();
    if (value === store.view.title) return;
    if (value.length > 200) return;
    edit({ op: "update_board", changes: { title: value } });
  };
  if (editable) {
    title.addEventListener("change", saveTitle);
    title.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        title.blur();
      } else if (e.key === "Escape") {
        title.value = shownTitle;
        title.blur();
      }
    });
    level.addEventListener("change", () => {
      if (level.value !== store.view.level) edit({ op: "update_board", changes: { level: level.value } });
    });
  }
  store.addEventListener("change", () => {
    const view = store.view;
    shownTitle = view.title;
    if (document.activeElement !== title && title.value !== view.title) title.value = view.title;
    if (document.activeElement !== level && level.value !== view.level) level.value = view.level;
    document.title = (view.title || "Untitled design") + suffix;
  });
}

main();
