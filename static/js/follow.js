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
    this.pill.style.setProperty("--c", p.colour || "#64748b");
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
