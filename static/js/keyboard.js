// With the canvas focused: Tab / Shift+Tab select the next / previous component (in
// reading order; past either end the focus leaves the canvas as usual, so it is never
// trapped), Enter and F2 are board.js's (inspector, label). C starts a connection from
// the selected component: only the targets the mouse would accept (connectionRefusal)
// are offered, nearest first; Tab or the arrow keys choose, Enter connects, Escape
// cancels. Each step is announced in a live region.
//
// These are Canvas methods (`this` is the Canvas; canvas.js installs them on its
// prototype): the keyboard drives the same selection and connection gesture as the mouse.

import { docId, isNodeKey } from "./doc.js";
import { h } from "./dom.js";
import { CARD_SIZE } from "./shapes.js";

export const keyboardMethods = {
  bindKeys() {
    this.live = h("div", { class: "canvas-live", role: "status", "aria-live": "polite" });
    const about = h("p", { id: "canvas-keys", hidden: true },
      "Tab and Shift+Tab select components. Enter opens the inspector, F2 edits the label. "
      + "C connects the selected component to another. The Outline tab lists the diagram as text.");
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
  },

  say(message) {
    this.live.textContent = message;
  },

  /** "Gateway (API gateway)" for a component key. */
  describe(key) {
    const node = this.store.view.nodes.get(docId(key));
    if (!node) return "";
    const title = this.typeInfo(node.type).title;
    if (node.type === "note") return node.label ? `Note: ${node.label}` : "Empty note";
    return node.label && node.label !== title ? `${node.label} (${title})` : title;
  },

  /** The components in reading order: rows from the top (bands of a card's height), then
   * left to right. */
  orderedElements() {
    const band = CARD_SIZE.height;
    return this.graph.getElements()
      .map((cell) => ({ cell, c: cell.getBBox().center() }))
      .sort((a, b) => Math.round(a.c.y / band) - Math.round(b.c.y / band) || a.c.x - b.c.x || a.c.y - b.c.y)
      .map((o) => o.cell);
  },

  /** Pan so the cell is on screen (when it is not already). */
  bringIntoView(cell) {
    const box = cell.getBBox();
    if (!this.visibleArea().containsRect(box.clone().inflate(12))) this.centreOn(box.center());
  },

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
  },

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
  },

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
  },

  /** Outline the keyboard's chosen target like a drop target of the mouse (null: none). */
  markTarget(key) {
    for (const el of this.el.querySelectorAll(".is-key-target")) el.classList.remove("is-key-target", "is-drop-target");
    const cell = key && this.graph.getCell(key);
    const view = cell && this.paper.findViewByModel(cell);
    if (view) view.el.classList.add("is-key-target", "is-drop-target");
  },

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
  },

  cancelKeyboardConnect() {
    if (!this.connecting || !this.connecting.keyboard) return;
    this.connecting.target = null;
    this.finishConnecting();
  },
};
