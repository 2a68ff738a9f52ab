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
// menu), panels.js (sidebar tabs, refresh guard), hint.js (the notice line), board-meta.js
// (title and level), toolbar.js, auto-layout.js, shortcuts.js (the keyboard), outline.js
// (the Outline tab: the diagram as text, docs/accessibility.md), case-notice.js (a reveal
// seen from another tab), interviewer.js (two interviewers on one private panel),
// local-time.js (times in the reader's zone: the interview's end, banner and panel).

import { Canvas } from "./canvas.js";
import { Connection } from "./connection.js";
import { setupAutoLayout } from "./auto-layout.js";
import { setupBoardMeta } from "./board-meta.js";
import { setupCaseNotice } from "./case-notice.js";
import { h, nextTaskDone, readJSON, returnFocus } from "./dom.js";
import { setupFindings } from "./findings.js";
import { setupHint } from "./hint.js";
import { Follow } from "./follow.js";
import { History } from "./history.js";
import { Inspector } from "./inspector.js";
import { setupInterviewerPanel } from "./interviewer.js";
import { localTime, timeElement } from "./local-time.js";
import { Outline } from "./outline.js";
import { setupMenu } from "./menu.js";
import { setupName } from "./name.js";
import { setupPalette } from "./palette.js";
import { keepPanelWhileInUse, setupSidebarToggles, setupTabs } from "./panels.js";
import { Presence } from "./presence.js";
import { setupShare } from "./share.js";
import { setupShortcuts } from "./shortcuts.js";
import { setupTimer } from "./timer.js";
import { setupToolbar } from "./toolbar.js";
import { Store } from "./store.js";
import { Toasts } from "./toasts.js";
import { Worksheet } from "./worksheet.js";

const $ = (id) => document.getElementById(id);

// Three tasks, not one long one: the page answers between making the store, making the
// canvas (JointJS's paper) and wiring the panels. Nothing arrives before conn.start().
async function main() {
  const config = readJSON("board-config");
  const catalogue = readJSON("catalogue-data");
  if (!config || !catalogue || !window.joint) return;
  const editable = config.role !== "viewer";
  document.body.classList.toggle("is-readonly", !editable);

  const hint = setupHint($("hint"));

  // --- state and transport ------------------------------------------------------------
  const store = new Store({ maxBatch: catalogue.limits.batch, types: catalogue.types });
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
  const edit = (op, options) => (editable ? history.edit(op, options) : null);

  // --- canvas -------------------------------------------------------------------------
  await nextTaskDone();
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
      // Once the canvas holds the whole board (a big one is made in slices). Following
      // someone who already shared their view: show it rather than ours.
      canvas.whenComplete(() => {
        if (!follow.apply()) canvas.automatically(() => canvas.fit());
      });
    }
  });
  store.addEventListener("problem", (e) => hint(e.detail.message, "error"));
  conn.onState((state) => {
    document.body.dataset.conn = state;
  });

  // --- panels -------------------------------------------------------------------------
  await nextTaskDone();
  setupPalette({ root: document.querySelector(".sidebar-left"), search: $("palette-search"), canvas, editable, hint });

  const inspector = new Inspector({
    root: $("inspector"), store, catalogue, edit, editable, onDelete: () => canvas.deleteSelection(),
    onSelect: (keys) => canvas.select(keys),
    renameOp: (id, label) => canvas.renameOp(id, label),
  });
  canvas.addEventListener("selection", (e) => inspector.show(e.detail.keys));

  const worksheet = new Worksheet({
    form: $("worksheet"), status: $("ws-status"), store, submit: (op) => store.submit(op), editable,
  });

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

  setupBoardMeta({ store, edit, editable, maxTitle: catalogue.limits.label });
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
  setupCaseNotice({ tab: $("tab-case"), store, role: config.role, notify: (text) => toasts.show(text) });
  const tabs = setupTabs();
  const outline = new Outline({
    tree: $("outline"), panel: $("outline-tab"), empty: $("outline-empty"), store, canvas, catalogue, editable,
    onOpen: () => tabs.open("inspector-tab", true),
  });
  // Hiding a sidebar keeps the diagram where it was on screen: the stage grows to one side.
  const sidebars = setupSidebarToggles({ around: (change) => canvas.keepScreenPlace(change) });
  for (const menu of document.querySelectorAll("details.menu")) setupMenu(menu);
  for (const panel of [$("case"), $("interviewer")]) if (panel) keepPanelWhileInUse(panel);
  // Two interviewers on one board: no save overwrites another's unseen (interviewer.js).
  setupInterviewerPanel({ panel: $("interviewer"), store });
  // "Skip to canvas": focus the canvas itself (the link's #canvas would also scroll).
  document.querySelector(".skip-link")?.addEventListener("click", (e) => {
    e.preventDefault();
    canvas.el.focus({ preventScroll: true });
  });

  // --- toolbar, auto-layout, help, keyboard -------------------------------------------
  setupToolbar({ history, canvas, editable });
  const layout = setupAutoLayout({
    url: config.layoutUrl, button: $("auto-layout"), store, edit, canvas, hint,
    maxBatch: catalogue.limits.batch, editable,
  });

  const help = $("help-dialog");
  // A closed dialog gives the focus back to its opener (or to these), never to <body>.
  returnFocus(help, () => $("help-button"));
  returnFocus($("name-dialog"), () => canvas.el);
  if ($("share-dialog")) returnFocus($("share-dialog"), () => $("share-button"));
  const openHelp = () => {
    if (!help.open) help.showModal();
  };
  $("help-button").addEventListener("click", openHelp);

  setupShortcuts({
    stage: $("stage"), canvas, history, editable, tabs, hint, openHelp, sidebars,
    layout: config.layoutUrl ? layout : null,
  });

  window.addEventListener("beforeunload", (e) => {
    if (store.pending.length) e.preventDefault();
  });

  // --- access ended -------------------------------------------------------------------
  // The server closed the socket for good: this person's link was replaced (4403, how the
  // interviewer ends someone's access) or the board was deleted (4404). Nothing made from
  // now on could be saved, so the page turns read-only at once and says why in a banner,
  // rather than queueing edits and promising to save them "when the connection is back".
  // The connection does not retry (connection.js).
  const endEditing = (message, why, calm = false) => { // message: text, or an array of nodes and text
    if (document.body.classList.contains("is-ended")) return;
    const lost = store.pending.length;
    store.end();
    canvas.closeEditor(false, false);
    canvas.editable = false; // read by its gestures, its keyboard and JointJS's interactivity
    inspector.setEditable(false);
    outline.editable = false;
    worksheet.end(why);
    document.body.classList.add("is-readonly", "is-ended");
    $("board-title").readOnly = true;
    $("board-level").disabled = true;
    for (const item of document.querySelectorAll(".sidebar-left .palette-item")) {
      item.draggable = false;
      item.setAttribute("aria-disabled", "true");
    }
    for (const button of [$("undo"), $("redo"), $("auto-layout")]) {
      button.disabled = true;
      button.hidden = true;
    }
    const unsaved = !lost ? ""
      : lost === 1 ? " Your last change was not saved." : ` Your last ${lost} changes were not saved.`;
    hint("");
    document.querySelector(".canvas-wrap").prepend(
      h("div", { class: calm ? "ended-banner is-calm" : "ended-banner", id: "ended-banner", role: "alert" },
        message, unsaved));
  };
  conn.onState((state) => {
    if (state !== "closed" || !conn.fatal) return;
    endEditing(conn.fatal, conn.fatalCode === 4404 ? "this board no longer exists"
      : "your access to this board has ended");
  });

  // --- the interview ended ------------------------------------------------------------
  // The interviewer ended the interview (studio/interview.py): the server refuses every
  // edit from then on, so every page turns read-only as above, saying so. Reopened, the
  // page reloads (an interviewer's when they choose): editable again, as it was.
  let endedHere = false;
  // The time is the reader's local time, as the Interviewer panel shows it (local-time.js).
  const endedMessage = (ended) => {
    const at = localTime(ended.at) ? [" at ", timeElement(ended.at)] : [];
    return ["The interviewer ended the interview", ...at,
      ". The board is read-only; the report keeps it as it was then."];
  };
  const interviewEnded = (ended) => {
    const banner = $("ended-banner");
    if (ended && !endedHere) {
      endedHere = true;
      endEditing(endedMessage(ended), "the interview has ended", true);
    } else if (ended && banner?.dataset.reopened) {
      // Ended again before this interviewer reloaded: say so again.
      delete banner.dataset.reopened;
      banner.replaceChildren(...endedMessage(ended));
    } else if (!ended && endedHere) {
      // An interviewer may be typing private notes, which stay editable: they reload
      // when ready. Nothing else can be typed on an ended board.
      if (store.role !== "interviewer" || !banner) {
        window.location.reload();
        return;
      }
      banner.dataset.reopened = "true";
      banner.replaceChildren("The interview was reopened. ", h("button", {
        type: "button", class: "btn btn-small", onclick: () => window.location.reload(),
      }, "Reload to edit"));
    }
  };
  // Ends and reopens are numbered (`seq`): two interviewers may press End and Reopen
  // within a moment and their frames arrive in either order; the older one is dropped.
  let endedSeq = -1;
  const heardEnd = (ended, seq = 0) => {
    if (seq <= endedSeq) return;
    endedSeq = seq;
    interviewEnded(ended);
  };
  store.addEventListener("welcome", (e) => heardEnd(e.detail.ended, e.detail.ended_seq));
  store.addEventListener("frame", (e) => {
    const { frame } = e.detail;
    if (frame.type === "board.ended") heardEnd(frame.ended, frame.seq);
  });

  // Join the board's presence only once the name prompt shown on load is answered: the
  // others then hear "Ada joined" once, not "Viewer joined" and "Viewer is now Ada".
  name.done.then(() => conn.start());
}

main();
