// Presence: who is here (#participants), their cursors (#cursors) and what they have
// selected (outlined on the canvas in their colour). Cursor and selection frames are
// volatile: sent only while live, never queued.

import { clear, h, throttle } from "./dom.js";

const CURSOR_INTERVAL_MS = 34; // at most ~30 frames a second
const CURSOR_IDLE_MS = 15_000;

export class Presence {
  /**
   * @param {object} opts
   * @param {HTMLElement} opts.list #participants
   * @param {HTMLElement} opts.cursors #cursors
   * @param {import("./store.js").Store} opts.store
   * @param {import("./canvas.js").Canvas} opts.canvas
   * @param {import("./connection.js").Connection} opts.conn
   */
  constructor({ list, cursors, store, canvas, conn }) {
    this.list = list;
    this.cursorsEl = cursors;
    this.store = store;
    this.canvas = canvas;
    this.conn = conn;
    this.me = null;
    this.people = new Map(); // participant id -> participant
    this.cursors = new Map(); // participant id -> {el, x, y, timer}
    this.lastSelection = "[]";

    store.addEventListener("welcome", (e) => {
      this.me = e.detail.you;
      // A new connection: everyone else answers our join again with presence.here.
      for (const id of [...this.people.keys()]) this.forget(id);
      if (this.me) this.people.set(this.me.id, this.me);
      this.renderList();
    });
    store.addEventListener("presence", (e) => this.onFrame(e.detail.frame));
    store.addEventListener("synced", () => {
      this.lastSelection = "";
      this.sendSelection(canvas.selection);
    });

    const sendCursor = throttle((x, y) => conn.sendVolatile({ type: "cursor", x, y }), CURSOR_INTERVAL_MS);
    canvas.addEventListener("pointer", (e) => sendCursor(e.detail.x, e.detail.y));
    canvas.addEventListener("selection", (e) => this.sendSelection(e.detail.keys));
    canvas.addEventListener("transform", () => this.placeCursors());
  }

  sendSelection(keys) {
    const ids = [...new Set([...keys].map((k) => k.slice(2)))].slice(0, 500);
    const text = JSON.stringify(ids);
    if (text === this.lastSelection) return;
    if (this.conn.sendVolatile({ type: "select", ids })) this.lastSelection = text;
  }

  onFrame(frame) {
    switch (frame.type) {
      case "presence.joined":
      case "presence.here": {
        const p = frame.participant;
        if (!p || !p.id || (this.me && p.id === this.me.id)) return;
        this.people.set(p.id, p);
        this.renderList();
        break;
      }
      case "presence.left":
        this.forget(frame.by || frame.participant?.id);
        this.renderList();
        break;
      case "cursor":
        this.moveCursor(frame.by, frame.x, frame.y);
        break;
      case "selection": {
        const p = this.people.get(frame.by);
        if (p) this.canvas.setRemoteSelection(p.id, frame.ids, p.colour);
        break;
      }
      default:
        break;
    }
  }

  forget(id) {
    if (!id) return;
    this.people.delete(id);
    const cursor = this.cursors.get(id);
    if (cursor) {
      clearTimeout(cursor.timer);
      cursor.el.remove();
      this.cursors.delete(id);
    }
    this.canvas.setRemoteSelection(id, [], null);
  }

  renderList() {
    clear(this.list);
    const people = [...this.people.values()];
    people.sort((a, b) => (a.id === this.me?.id ? -1 : b.id === this.me?.id ? 1 : a.name.localeCompare(b.name)));
    const shown = people.slice(0, 6);
    for (const p of shown) {
      const you = this.me && p.id === this.me.id;
      const initials = (p.name || p.role || "?").split(/\s+/).map((w) => w[0]).join("").slice(0, 2).toUpperCase();
      const item = h("li", {
        class: "participant" + (you ? " is-you" : ""),
        title: `${p.name}${you ? " (you)" : ""} · ${p.role}`,
        dataset: { id: p.id, role: p.role },
      }, h("span", { class: "avatar", "aria-hidden": "true" }, initials),
      h("span", { class: "sr-only" }, `${p.name}${you ? " (you)" : ""}, ${p.role}`));
      item.style.setProperty("--c", p.colour || "#64748b");
      this.list.append(item);
    }
    if (people.length > shown.length) {
      this.list.append(h("li", { class: "participant more", title: `${people.length - shown.length} more` },
        `+${people.length - shown.length}`));
    }
  }

  moveCursor(id, x, y) {
    const p = this.people.get(id);
    if (!p || typeof x !== "number" || typeof y !== "number") return;
    let cursor = this.cursors.get(id);
    if (!cursor) {
      const el = h("div", { class: "cursor" },
        h("span", { class: "cursor-arrow", "aria-hidden": "true" }),
        h("span", { class: "cursor-name" }, p.name));
      el.style.setProperty("--c", p.colour || "#64748b");
      this.cursorsEl.append(el);
      cursor = { el, x, y, timer: null };
      this.cursors.set(id, cursor);
    }
    Object.assign(cursor, { x, y });
    cursor.el.hidden = false;
    this.placeCursor(cursor);
    clearTimeout(cursor.timer);
    cursor.timer = setTimeout(() => { cursor.el.hidden = true; }, CURSOR_IDLE_MS);
  }

  placeCursor(cursor) {
    const p = this.canvas.paper.localToPaperPoint(cursor.x, cursor.y);
    cursor.el.style.transform = `translate(${Math.round(p.x)}px, ${Math.round(p.y)}px)`;
  }

  placeCursors() {
    for (const cursor of this.cursors.values()) this.placeCursor(cursor);
  }
}
