// Follow mode: see what someone else sees.
//
// Every editor shares its view as `viewport` frames, at most 5 a second while it pans or
// zooms, when its window changes size, and once more whenever someone joins, so a
// newcomer can follow at once. A frame's box describes the visible area in canvas
// coordinates, not in pixels (viewport.js viewport()): x, y its centre, zoom the scale, and
// w, h its width and height (forwarded only once the server passes them on). The
// follower puts that centre at the centre of its own stage and fits the area into its
// window (viewport.js setViewport()), so a smaller window shows the same part of the design
// instead of a cropped corner of it. Clicking someone's avatar follows them: their frames
// then drive our paper, a pill says "Following Ada · Stop", and any pan or zoom of our own
// stops it. A viewer follows the first candidate by itself until it stops or moves the view.
// If the person we follow reconnects (reload, new name), we pick them up again.

import { throttle } from "./dom.js";

const VIEWPORT_INTERVAL_MS = 200; // at most 5 frames a second

export class Follow {
  /**
   * @param {object} opts
   * @param {import("./canvas.js").Canvas} opts.canvas
   * @param {import("./connection.js").Connection} opts.conn
   * @param {import("./store.js").Store} opts.store
   * @param {import("./presence.js").Presence} opts.presence
   * @param {HTMLElement} opts.pill #follow-pill
   * @param {HTMLElement} opts.stage #stage (outlined in the colour of whom we follow)
   * @param {boolean} opts.editable whether we share our own view (editors do)
   * @param {boolean} opts.auto follow the first candidate by ourselves (viewers)
   */
  constructor({ canvas, conn, store, presence, pill, stage, editable, auto }) {
    this.canvas = canvas;
    this.conn = conn;
    this.presence = presence;
    this.pill = pill;
    this.stage = stage;
    this.auto = auto;
    this.leader = null; // the participant we follow
    this.person = null; // their person id: followed again when they reconnect
    this.boxes = new Map(); // participant id -> the last view they shared

    this.pillName = pill.querySelector(".follow-name");
    pill.querySelector(".follow-stop").addEventListener("click", () => {
      this.stop(true);
      canvas.el.focus({ preventScroll: true });
    });

    const share = throttle(() => {
      conn.sendVolatile({ type: "viewport", box: canvas.viewport() });
    }, VIEWPORT_INTERVAL_MS);
    this.share = editable ? share : () => {};

    canvas.addEventListener("transform", (e) => {
      const source = e.detail?.source;
      if (source === "remote") return;
      if (source === "user" && this.leader) this.stop(true);
      this.share();
    });
    store.addEventListener("synced", () => this.share());
    // Our window changed size: the leader's area is fitted again; the others get our new view.
    canvas.addEventListener("resize", () => {
      if (this.leader) this.apply();
      else this.share();
    });
    store.addEventListener("welcome", () => {
      // Our own new connection: the others answer with presence.here; whom we followed
      // is picked up again by person.
      if (this.leader) this.pause();
    });
    store.addEventListener("presence", (e) => {
      const frame = e.detail.frame;
      if (frame.type === "viewport") this.onViewport(frame);
    });
    presence.addEventListener("joined", (e) => {
      this.share();
      this.consider(e.detail.participant);
    });
    presence.addEventListener("here", (e) => this.consider(e.detail.participant));
    presence.addEventListener("left", (e) => {
      const p = e.detail.participant;
      this.boxes.delete(p.id);
      if (this.leader && p.id === this.leader.id) {
        this.pause();
        this.pickUp();
      }
    });
    presence.addEventListener("avatar", (e) => {
      const { participant, you } = e.detail;
      if (you || participant.role === "viewer") return; // viewers share no view
      if (this.leader && this.leader.id === participant.id) this.stop(true);
      else this.follow(participant);
    });
  }

  onViewport(frame) {
    const box = frame.box;
    if (!box || ![box.x, box.y, box.zoom].every(Number.isFinite)) return;
    this.boxes.set(frame.by, box);
    if (this.leader && frame.by === this.leader.id) this.canvas.setViewport(box);
  }

  /** Someone is here: follow them if they are whom we followed, or the first candidate. */
  consider(p) {
    if (this.leader || !p || this.presence.isMe(p) || p.role === "viewer") return;
    if ((this.person && p.person === this.person) || (this.auto && p.role === "candidate")) {
      this.follow(p);
    }
  }

  /** The leader's connection left: follow them on their new connection if it is already
   * here (their join can arrive before their departure), or else the first candidate. */
  pickUp() {
    if (this.leader) return;
    const others = [...this.presence.people.values()]
      .filter((p) => !this.presence.isMe(p) && p.role !== "viewer");
    const next = (this.person && others.find((p) => p.person === this.person))
      || (this.auto && others.find((p) => p.role === "candidate"));
    if (next) this.follow(next);
  }

  follow(p) {
    this.leader = p;
    this.person = p.person || null;
    this.pillName.textContent = p.name;
    this.pill.hidden = false;
    const colour = p.colour || "#64748b";
    this.pill.style.setProperty("--c", colour);
    const ink = inkOn(colour);
    this.pill.style.setProperty("--c-ink", ink.text);
    this.pill.style.setProperty("--c-stop", ink.stop);
    this.stage.style.setProperty("--follow", p.colour || "#64748b");
    this.stage.classList.add("is-following");
    this.presence.setFollowing(p.id);
    this.apply();
  }

  /** Show the leader's last shared view; false when they have not shared one yet. */
  apply() {
    const box = this.leader && this.boxes.get(this.leader.id);
    if (!box) return false;
    this.canvas.setViewport(box);
    return true;
  }

  get active() {
    return Boolean(this.leader);
  }

  /** Stop following for now (the leader is gone); we follow them again when they return. */
  pause() {
    this.leader = null;
    this.pill.hidden = true;
    this.stage.classList.remove("is-following");
    this.presence.setFollowing(null);
  }

  /** Stop following; `byUser` also ends the viewer's automatic following. */
  stop(byUser) {
    if (byUser) {
      this.auto = false;
      this.person = null;
    }
    this.pause();
  }
}

// --- text colour on a person's colour (WCAG 2 contrast) ------------------------------------

const channel = (v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};
const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
const contrast = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};
const rgb = (hex) => {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  const n = m ? parseInt(m[1], 16) : 0x64748b;
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
};
const over = (base, top, alpha) => base.map((v, i) => Math.round(v * (1 - alpha) + top[i] * alpha));

/**
 * The pill's text colour and its Stop button's background for a person's colour: white
 * on a darkened button or near-black on a lightened one, whichever keeps the weaker of
 * the two contrasts (label on the colour, Stop on its button) higher. Participants'
 * colours come from the server, so nothing here assumes they are dark.
 */
export function inkOn(hex) {
  const bg = rgb(hex);
  const white = [255, 255, 255];
  const dark = [17, 24, 39];
  const light = Math.min(contrast(white, bg), contrast(white, over(bg, [0, 0, 0], 0.18)));
  const ink = Math.min(contrast(dark, bg), contrast(dark, over(bg, white, 0.35)));
  return light >= ink
    ? { text: "#ffffff", stop: "rgba(0, 0, 0, .18)" }
    : { text: "#111827", stop: "rgba(255, 255, 255, .35)" };
}
