// Presence: who is here (#participants), their cursors (#cursors) and what they have
// selected (outlined on the canvas in their colour). Cursor and selection frames are
// volatile: sent only while live, never queued.
//
// Avatars are buttons: your own one opens the name dialog, someone else's toggles
// following their view (follow.js). Joins and departures of other people are announced
// through `notify` (small toasts), never presence.here (the people already there) nor
// your own connections.
//
// Events (CustomEvent on the Presence): joined {participant}, here {participant},
// left {participant}, avatar {participant, you}.

import { clear, h, throttle } from "./dom.js";

const CURSOR_INTERVAL_MS = 34; // at most ~30 frames a second
const CURSOR_IDLE_MS = 15_000;
// A departure is announced after this long, unless the same person connects again
// meanwhile (a reload, a dropped connection, a name change): then nobody really left.
const LEAVE_GRACE_MS = 1_500;
const SHOWN_AVATARS = 6;

const ROLE_NAMES = { interviewer: "Interviewer", candidate: "Candidate", viewer: "Viewer" };

/** "Ada" for a named participant; "Candidate" (the server's default) otherwise. */
function isDefaultName(p) {
  return !p.name || p.name === ROLE_NAMES[p.role] || p.name.toLowerCase() === p.role;
}

// A letter or digit with the accents written after it ("e" + U+0301 stays "é").
const ALNUM = /[\p{L}\p{N}][\p{M}]*/u;

/**
 * The avatar's text: the first letter or digit of each of the first two words of the name
 * that have one, so punctuation never shows ("Priya (interviewer)" is "PI"). A name with
 * no letter or digit (emoji, dashes) falls back to its role's initial, else "?".
 */
export function initialsOf(p) {
  const initialOf = (text) => (String(text || "").match(ALNUM) || [""])[0];
  const initials = String(p.name || "").split(/\s+/).map(initialOf).filter(Boolean).slice(0, 2);
  return (initials.join("") || initialOf(p.role) || "?").toUpperCase();
}

export class Presence extends EventTarget {
  /**
   * @param {object} opts
   * @param {HTMLElement} opts.list #participants
   * @param {HTMLElement} opts.cursors #cursors
   * @param {import("./store.js").Store} opts.store
   * @param {import("./canvas.js").Canvas} opts.canvas
   * @param {import("./connection.js").Connection} opts.conn
   * @param {(text: string, colour?: string) => void} [opts.notify] shows a toast
   */
  constructor({ list, cursors, store, canvas, conn, notify }) {
    super();
    this.list = list;
    this.cursorsEl = cursors;
    this.store = store;
    this.canvas = canvas;
    this.conn = conn;
    this.notify = notify || (() => {});
    this.me = null;
    this.people = new Map(); // participant id -> participant, in order of arrival
    this.cursors = new Map(); // participant id -> {el, x, y, timer}
    this.leaving = new Map(); // person -> {participant, timer}: departures not announced yet
    this.following = null; // id of the participant whose view we follow
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

    list.addEventListener("click", (e) => {
      const button = e.target.closest?.("button.avatar");
      const p = button && this.people.get(button.dataset.id);
      if (!p) return;
      this.emit("avatar", { participant: p, you: Boolean(this.me && p.id === this.me.id) });
    });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** This connection, or another one of the same person (a second tab). */
  isMe(p) {
    if (!this.me || !p) return false;
    return p.id === this.me.id || (Boolean(p.person) && p.person === this.me.person);
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
        if (!p || typeof p.id !== "string" || (this.me && p.id === this.me.id)) return;
        if (frame.type === "presence.joined") this.announceJoin(p);
        this.people.set(p.id, p);
        this.renderList();
        this.emit(frame.type === "presence.joined" ? "joined" : "here", { participant: p });
        break;
      }
      case "presence.left": {
        const id = frame.by || frame.participant?.id;
        const p = this.people.get(id) || frame.participant;
        if (!id || (this.me && id === this.me.id)) return;
        const known = this.people.has(id);
        this.forget(id);
        this.renderList();
        if (known && p) {
          this.announceLeave(p);
          this.emit("left", { participant: p });
        }
        break;
      }
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

  /** Another connection of the person `p` that is still here, if any. */
  samePerson(p) {
    if (!p.person) return null;
    for (const other of this.people.values()) {
      if (other.id !== p.id && other.person === p.person) return other;
    }
    return null;
  }

  announceJoin(p) {
    if (this.isMe(p)) return;
    const pending = p.person ? this.leaving.get(p.person) : null;
    const before = pending ? pending.participant : this.samePerson(p);
    if (pending) {
      clearTimeout(pending.timer);
      this.leaving.delete(p.person);
    }
    if (before) {
      // The same person again (reload, reconnect, new name): only a new name is news.
      if (before.name !== p.name) this.notify(`${before.name} is now ${p.name}`, p.colour);
      return;
    }
    const role = ROLE_NAMES[p.role] || p.role;
    this.notify(isDefaultName(p) ? `${role} joined` : `${p.name} joined as ${p.role}`, p.colour);
  }

  announceLeave(p) {
    if (this.isMe(p) || this.samePerson(p)) return;
    const key = p.person || p.id;
    const pending = this.leaving.get(key);
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.leaving.delete(key);
      this.notify(`${p.name} left`, p.colour);
    }, LEAVE_GRACE_MS);
    this.leaving.set(key, { participant: p, timer });
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

  /** Mark the participant whose view we follow (null: nobody). */
  setFollowing(id) {
    if (this.following === id) return;
    this.following = id;
    this.renderList();
  }

  /**
   * One avatar per person (the participant's `person`: the same browser session), however
   * many tabs they have open; a count says how many. The person's newest connection
   * stands for them (its name is the newest), or the one we follow.
   */
  renderList() {
    clear(this.list);
    const groups = new Map(); // person -> connections, in order of arrival
    for (const p of this.people.values()) {
      const key = p.person || p.id;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(p);
    }
    const you = (p) => Boolean(this.me && p.id === this.me.id);
    const people = [...groups.values()].map((all) => {
      const p = all.find(you) || all.find((c) => c.id === this.following) || all[all.length - 1];
      return { p, tabs: all.length };
    });
    // You first, then the person you follow, then everyone else by name.
    const rank = ({ p }) => (you(p) ? 0 : p.id === this.following ? 1 : 2);
    people.sort((a, b) => rank(a) - rank(b) || a.p.name.localeCompare(b.p.name));
    const shown = people.slice(0, SHOWN_AVATARS);
    for (const { p, tabs } of shown) {
      const mine = you(p);
      const followed = p.id === this.following;
      const followable = !mine && p.role !== "viewer"; // viewers do not share their view
      let label = `${p.name}${mine ? " (you)" : ""}, ${p.role}`;
      if (tabs > 1) label += `, ${tabs} tabs`;
      if (mine) label += ": change your name";
      else if (followed) label += ": stop following";
      else if (followable) label += ": follow their view";
      const count = tabs > 1 ? h("span", { class: "avatar-tabs", "aria-hidden": "true" }, String(tabs)) : null;
      const avatar = mine || followable
        ? h("button", {
          type: "button", class: "avatar", title: label, "aria-label": label,
          "aria-pressed": followable ? String(followed) : null, dataset: { id: p.id },
        }, initialsOf(p), count)
        : h("span", { class: "avatar", title: label, dataset: { id: p.id } },
          h("span", { "aria-hidden": "true" }, initialsOf(p)), count,
          h("span", { class: "sr-only" }, label));
      const item = h("li", {
        class: "participant" + (mine ? " is-you" : "") + (followed ? " is-followed" : ""),
        dataset: { id: p.id, role: p.role, name: p.name, tabs: String(tabs) },
      }, avatar);
      item.style.setProperty("--c", p.colour || "#64748b");
      this.list.append(item);
    }
    if (people.length > shown.length) {
      const more = people.slice(shown.length).map(({ p }) => `${p.name} (${p.role})`).join(", ");
      this.list.append(h("li", { class: "participant more", title: more },
        h("span", { "aria-hidden": "true" }, `+${people.length - shown.length}`),
        h("span", { class: "sr-only" }, more)));
    }
  }

  moveCursor(id, x, y) {
    const p = this.people.get(id);
    if (!p || typeof x !== "number" || typeof y !== "number") return;
    let cursor = this.cursors.get(id);
    if (!cursor) {
      const el = h("div", { class: "cursor", dataset: { id } },
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
