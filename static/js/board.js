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
// connection.js, history.js, canvas.js, palette.js, inspector.js, worksheet.js,
// findings.js, presence.js (+ toasts.js, follow.js, name.js), share.js, timer.js.

import { Canvas } from "./canvas.js";
import { Connection } from "./connection.js";
import { h, isTyping, readJSON } from "./dom.js";
import { setupFindings } from "./findings.js";
import { Follow } from "./follow.js";
import { History } from "./history.js";
import { Inspector } from "./inspector.js";
import { setupName } from "./name.js";
import { setupPalette } from "./palette.js";
import { Presence } from "./presence.js";
import { setupShare } from "./share.js";
import { setupTimer } from "./timer.js";
import { Store } from "./store.js";
import { Toasts } from "./toasts.js";
import { Worksheet } from "./worksheet.js";

const MAX_BATCH = 500;

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

  const layout = async () => {
    if (!editable || !config.layoutUrl || layoutBtn.disabled) return;
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
      if (ops.length > MAX_BATCH) {
        hint(`Auto-layout moves at most ${MAX_BATCH} components at once.`, "error");
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

/**
 * A drop-down menu made of <details class="menu"> with a role="menu" list (the Export
 * menu), behaving as the WAI-ARIA menu button pattern says: Enter, Space or ArrowDown on
 * the button opens it on its first item (ArrowUp: the last); ArrowUp/ArrowDown, Home and
 * End move between the items; Escape closes it and puts the focus back on the button;
 * choosing an item, Tab, or a click anywhere else closes it. The items leave the Tab
 * order: the arrow keys reach them.
 */
function setupMenu(details) {
  const summary = details.querySelector("summary");
  const list = details.querySelector("[role=menu]");
  if (!summary || !list) return;
  const items = () => [...list.querySelectorAll("[role=menuitem]")];
  summary.setAttribute("aria-haspopup", "menu");
  for (const item of items()) item.tabIndex = -1;
  const sync = () => summary.setAttribute("aria-expanded", details.open ? "true" : "false");
  sync();
  const close = (refocus) => {
    if (!details.open) return;
    details.open = false;
    sync();
    if (refocus) summary.focus();
  };
  const openAt = (which) => {
    details.open = true;
    sync();
    const all = items();
    (which === "last" ? all[all.length - 1] : all[0])?.focus();
  };
  let byKey = false;
  details.addEventListener("toggle", () => {
    sync();
    if (details.open && byKey) items()[0]?.focus();
    byKey = false;
  });
  summary.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      openAt(e.key === "ArrowUp" ? "last" : "first");
    } else if ((e.key === "Enter" || e.key === " ") && !details.open) {
      byKey = true; // the summary's own activation opens it; the toggle focuses the first item
    }
  });
  details.addEventListener("keydown", (e) => {
    if (!details.open) return;
    if (e.target === summary && e.key !== "Escape") return; // the summary's own keys, above
    const all = items();
    const at = all.indexOf(document.activeElement);
    let next = null;
    if (e.key === "Escape") {
      e.preventDefault(); // board.js's Escape (clear the selection) is not for us
      close(true);
      return;
    }
    if (e.key === "ArrowDown") next = all[(at + 1) % all.length];
    else if (e.key === "ArrowUp") next = all[at < 0 ? all.length - 1 : (at - 1 + all.length) % all.length];
    else if (e.key === "Home") next = all[0];
    else if (e.key === "End") next = all[all.length - 1];
    else if (e.key === " " && at >= 0) {
      e.preventDefault();
      all[at].click();
      return;
    }
    if (next) {
      e.preventDefault();
      next.focus();
    }
  });
  // Choosing an item: the link does its work (a download, a new tab), the menu closes.
  list.addEventListener("click", (e) => {
    if (!e.target.closest?.("[role=menuitem]")) return;
    setTimeout(() => close(true), 0);
  });
  document.addEventListener("pointerdown", (e) => {
    if (details.open && !details.contains(e.target)) close(false);
  });
  details.addEventListener("focusout", (e) => {
    if (details.open && e.relatedTarget && !details.contains(e.relatedTarget)) close(false);
  });
  // Escape with the focus elsewhere (the menu opened by a click, then the mouse moved on).
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && details.open && !details.contains(document.activeElement)) {
      e.preventDefault();
      close(false);
    }
  });
}

/**
 * Side panels that htmx re-renders when the findings change (the case comparison and the
 * interviewer's rubric hints): a refresh must not wipe what someone is typing or choosing
 * there. While the focus is inside the panel (or one of its saves is on its way), the
 * refresh is put off and made once the focus leaves (the `refresh` event in its
 * hx-trigger); the rubric's open <details> stay open across a refresh.
 */
function keepPanelWhileInUse(panel) {
  let stale = false;
  const setStale = (value) => {
    stale = value;
    panel.dataset.stale = value ? "true" : "false"; // a refresh is owed (tests look)
  };
  const busy = () => panel.contains(document.activeElement) || Boolean(panel.querySelector(".htmx-request"));
  panel.addEventListener("htmx:beforeRequest", (e) => {
    if (e.detail.elt !== panel || !busy()) return;
    e.preventDefault();
    setStale(true);
  });
  const catchUp = () => {
    if (!stale || busy()) return;
    setStale(false);
    panel.dispatchEvent(new Event("refresh"));
  };
  panel.addEventListener("focusout", (e) => {
    if (!panel.contains(e.relatedTarget)) setTimeout(catchUp, 0); // after the field's save starts
  });
  panel.addEventListener("htmx:afterRequest", (e) => {
    if (e.detail.elt !== panel) setTimeout(catchUp, 0); // a save of the panel's finished
  });
  let open = [];
  panel.addEventListener("htmx:beforeSwap", (e) => {
    if (e.detail.elt !== panel) return;
    open = [...panel.querySelectorAll("details")].map((d) => d.open);
  });
  panel.addEventListener("htmx:afterSwap", (e) => {
    if (e.detail.elt !== panel) return;
    const all = panel.querySelectorAll("details");
    if (all.length === open.length) all.forEach((d, i) => { d.open = open[i]; });
    open = [];
  });
}

/** The right sidebar's tabs (WAI-ARIA tabs pattern). */
function setupTabs() {
  const tabs = [...document.querySelectorAll(".tabs [role=tab]")];
  const open = (panelId, focusPanel = false) => {
    for (const tab of tabs) {
      const on = tab.dataset.tab === panelId;
      tab.classList.toggle("active", on);
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      const panel = $(tab.dataset.tab);
      panel.classList.toggle("active", on);
      panel.hidden = !on;
    }
    if (focusPanel) {
      const first = $(panelId).querySelector("input:not([disabled]), select:not([disabled]), textarea, button");
      first?.focus();
    }
  };
  for (const tab of tabs) {
    tab.addEventListener("click", () => open(tab.dataset.tab));
    tab.addEventListener("keydown", (e) => {
      const at = tabs.indexOf(tab);
      let next = null;
      if (e.key === "ArrowRight") next = tabs[(at + 1) % tabs.length];
      else if (e.key === "ArrowLeft") next = tabs[(at - 1 + tabs.length) % tabs.length];
      else if (e.key === "Home") next = tabs[0];
      else if (e.key === "End") next = tabs[tabs.length - 1];
      if (!next) return;
      e.preventDefault();
      next.focus();
      open(next.dataset.tab);
    });
  }
  const current = tabs.find((t) => t.classList.contains("active")) || tabs[0];
  if (current) open(current.dataset.tab);
  return { open };
}

main();
