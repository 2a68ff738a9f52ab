// The WebSocket to the board (docs/protocol.md): connect, sync, heartbeat, reconnect, and
// the outbox of edits.
//
// Life cycle: open -> send `sync` with the last applied revision -> the store handles the
// `snapshot`/`ops` answer and calls synced() -> queued edits are sent. Edits made while
// offline wait in the queue. Edits sent but not acknowledged when the socket drops are put
// back at the front of the queue marked `uncertain`: the store drops those the resync
// shows were applied before they are sent again.

const HEARTBEAT_MS = 10_000;
const DEAD_AFTER_MS = 25_000; // no frame at all for this long: the socket is dead
// While edits wait for their ack the socket is checked much more often: a dropped network
// must show as "Offline — N edits waiting" within seconds, not after DEAD_AFTER_MS.
const TICK_MS = 1_000;
const PENDING_PING_MS = 1_500; // ping this often while edits wait for an ack
const PENDING_DEAD_MS = 5_000; // an edit unanswered and the socket silent this long: dead
const MAX_FRAME_BYTES = 64 * 1024; // the server refuses larger frames (docs/protocol.md)
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 20_000;
// Close codes after which retrying cannot help (docs/protocol.md, studio/live/consumers.py):
// the status shown, and what the page tells the person (board.js turns it read-only).
// 4403 reaches an open socket when its link was replaced (the interviewer's way to end a
// person's access); 4404 when the board was deleted.
const FATAL_CLOSES = {
  4403: {
    status: "Access ended",
    message: "Your access to this board has ended. Ask the interviewer for a new link.",
  },
  4404: { status: "Board deleted", message: "This board no longer exists." },
};

export class Connection {
  /**
   * @param {object} opts
   * @param {string} opts.url WebSocket URL
   * @param {(frame: object) => void} opts.onFrame every frame received except pong
   * @param {() => number} opts.revision the last revision the client applied
   * @param {HTMLElement} [opts.stateEl] where the connection state is shown (#conn-state)
   */
  constructor({ url, onFrame, revision, stateEl, onTooLarge }) {
    this.url = url;
    this.onFrame = onFrame;
    this.onTooLarge = onTooLarge || (() => {});
    this.revision = revision;
    this.stateEl = stateEl;
    this.ws = null;
    this.state = "idle"; // idle | connecting | syncing | online | offline | closed
    this.queue = []; // edits not sent yet, in order
    this.inflight = new Map(); // cid -> edit sent, not acknowledged yet
    this.attempt = 0;
    this.retryAt = 0;
    this.retryTimer = null;
    this.heartbeat = null;
    this.lastSeen = 0;
    this.rtt = null;
    this.fatal = ""; // why the connection ended for good (FATAL_CLOSES), for people
    this.fatalCode = 0;
    this.wasOnline = false; // live at least once: a later drop is "Offline", not "Connecting"
    this.epoch = ""; // from the server's welcome (see sync)
    this.listeners = new Set();
    window.addEventListener("online", () => this.retryNow());
    // The browser knows the network is gone: do not wait for the heartbeat to find out.
    window.addEventListener("offline", () => this.kill(4001, "browser offline"));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.retryNow();
    });
  }

  /** Call fn(state) whenever the connection state changes. */
  onState(fn) {
    this.listeners.add(fn);
  }

  start() {
    if (this.state === "idle") this.open();
  }

  open() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (navigator.onLine === false) {
      // No network: the `online` event retries; the timer is a fallback in case the
      // browser's idea of the network is wrong.
      this.setState("offline");
      this.scheduleRetry();
      return;
    }
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.setState("offline");
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    this.setState("connecting");
    ws.addEventListener("open", () => {
      if (ws !== this.ws) return;
      this.lastSeen = Date.now();
      this.setState("syncing");
      this.sync(this.revision());
      this.startHeartbeat();
    });
    ws.addEventListener("message", (event) => {
      if (ws !== this.ws) return;
      this.lastSeen = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!frame || typeof frame !== "object") return;
      if (frame.type === "pong") {
        if (typeof frame.t === "number") this.rtt = Date.now() - frame.t;
        this.render();
        return;
      }
      if (frame.type === "welcome" && typeof frame.epoch === "string") this.epoch = frame.epoch;
      if (frame.type === "ack" || (frame.type === "error" && frame.cid != null)) {
        this.inflight.delete(frame.cid);
      }
      this.onFrame(frame);
    });
    ws.addEventListener("close", (event) => {
      if (ws !== this.ws) return;
      this.dropped(event.code);
    });
  }

  /** The socket is gone (closed by the server, the network, or the heartbeat). */
  dropped(code) {
    this.ws = null;
    this.stopHeartbeat();
    this.requeueInflight();
    if (FATAL_CLOSES[code]) {
      clearTimeout(this.retryTimer); // never again: no retry, whatever the network does
      this.retryTimer = null;
      this.fatal = FATAL_CLOSES[code].message;
      this.fatalCode = code;
      this.setState("closed");
      return;
    }
    this.setState("offline");
    this.scheduleRetry(code === 4429 ? 5 : 0);
  }

  /** Edits sent without an answer may or may not have been applied: re-queue them first. */
  requeueInflight() {
    const unsure = [...this.inflight.values()];
    this.inflight.clear();
    for (const edit of unsure) edit.uncertain = true;
    this.queue.unshift(...unsure);
  }

  /**
   * Replace the socket with a new one now, e.g. after the display name changed: the
   * server reads the session (role, name) when a socket connects. A socket still
   * connecting is replaced once it is open (closing it earlier fails noisily).
   */
  restart() {
    if (this.state === "closed" || this.state === "idle") return;
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.CONNECTING) {
      ws.addEventListener("open", () => {
        if (ws === this.ws) this.restart();
      }, { once: true });
      return;
    }
    if (ws) {
      this.ws = null;
      this.stopHeartbeat();
      this.requeueInflight();
      try { ws.close(1000, "reconnecting"); } catch { /* already closing */ }
    }
    this.attempt = 0;
    this.open();
  }

  scheduleRetry(extraAttempts = 0) {
    // Exponential backoff with jitter: half the delay fixed, half random.
    const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (this.attempt + extraAttempts));
    const delay = exp / 2 + Math.random() * (exp / 2);
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
    this.render();
  }

  retryNow() {
    if (this.state === "offline") {
      this.attempt = 0;
      this.open();
    }
  }

  /** Give up on the current socket now (the network is gone) and reconnect. */
  kill(code, reason) {
    const dead = this.ws;
    if (!dead) return;
    this.dropped(code);
    if (dead.readyState === WebSocket.CONNECTING) {
      // Closing a socket still connecting logs an error: close it once it is open.
      dead.addEventListener("open", () => dead.close(4000, reason), { once: true });
      return;
    }
    try { dead.close(4000, reason); } catch { /* already closing */ }
  }

  /**
   * Every TICK_MS: ping every HEARTBEAT_MS, or every PENDING_PING_MS while edits wait for
   * their ack; the socket is dead after DEAD_AFTER_MS without any frame, or PENDING_DEAD_MS
   * when an edit has waited that long too (a healthy socket answers pings well before).
   */
  startHeartbeat() {
    this.stopHeartbeat();
    let pinged = Date.now();
    this.heartbeat = setInterval(() => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
      const now = Date.now();
      const waiting = this.inflight.size > 0;
      const oldest = waiting ? Math.min(...[...this.inflight.values()].map((e) => e.sentAt || now)) : now;
      const silent = now - this.lastSeen;
      if (silent > DEAD_AFTER_MS || (waiting && silent > PENDING_DEAD_MS && now - oldest > PENDING_DEAD_MS)) {
        this.kill(4000, "heartbeat timeout");
        return;
      }
      if (now - pinged >= (waiting ? PENDING_PING_MS : HEARTBEAT_MS)) {
        pinged = now;
        this.sendFrame({ type: "ping", t: now });
      }
    }, TICK_MS);
  }

  stopHeartbeat() {
    clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  /** Send a frame now if the socket is open; returns whether it was sent. */
  sendFrame(frame) {
    return this.write(JSON.stringify(frame));
  }

  /** Write text to the open socket; a socket that cannot take it is dropped at once. */
  write(text) {
    const ws = this.ws;
    if (!ws) return false;
    if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) {
      this.kill(4002, "send failed"); // closed under us, before its close event
      return false;
    }
    if (ws.readyState !== WebSocket.OPEN) return false;
    try {
      ws.send(text);
    } catch {
      this.kill(4002, "send failed");
      return false;
    }
    return true;
  }

  /** Ask for what we missed since `since` (0: a full snapshot). */
  sync(since) {
    // The epoch names the run of the board our revisions came from: after a server
    // restart the same number may name other edits, and the server answers a snapshot.
    const frame = { type: "sync", since };
    if (this.epoch) frame.epoch = this.epoch;
    return this.sendFrame(frame);
  }

  /** Send a presence frame (cursor, select, viewport) only when live; never queued. */
  sendVolatile(frame) {
    return this.state === "online" && this.sendFrame(frame);
  }

  /** Queue an edit {cid, op}; it goes out now if the connection is live and synced. */
  submit(edit) {
    this.queue.push(edit);
    this.flush();
    this.render();
  }

  /** Forget queued edits matching `predicate` (already applied, or refused). */
  discard(predicate) {
    this.queue = this.queue.filter((edit) => !predicate(edit));
  }

  /** The answer to our `sync` was applied: the connection is live; send the queue. */
  synced() {
    if (this.state !== "syncing" && this.state !== "online") return;
    this.attempt = 0;
    this.setState("online");
    this.flush();
  }

  flush() {
    if (this.state !== "online") return;
    while (this.queue.length) {
      const edit = this.queue[0];
      edit.uncertain = false;
      edit.base = this.revision();
      const text = JSON.stringify({ type: "op", cid: edit.cid, base: edit.base, op: edit.op });
      const size = new TextEncoder().encode(text).length;
      if (size > MAX_FRAME_BYTES) {
        // The server would refuse it without naming the edit: refuse it here instead.
        this.queue.shift();
        this.onTooLarge(edit, size, MAX_FRAME_BYTES);
        continue;
      }
      if (!this.write(text)) break;
      this.queue.shift();
      edit.sentAt = Date.now();
      this.inflight.set(edit.cid, edit);
    }
    this.render();
  }

  get unsent() {
    return this.queue.length;
  }

  setState(state) {
    this.state = state;
    if (state === "online") this.wasOnline = true;
    this.render();
    for (const fn of this.listeners) fn(state);
  }

  render() {
    const el = this.stateEl;
    if (!el) return;
    const queued = this.queue.length;
    const edits = `${queued} edit${queued === 1 ? "" : "s"} waiting`;
    let text;
    let kind = this.state;
    const away = this.state !== "online" && this.state !== "closed" && this.wasOnline;
    if (away && queued) {
      // Dropped with edits not on the server: say so at once and through every retry
      // ("Connecting…" in between would hide it), until the queue drains.
      const secs = Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000));
      if (el.textContent !== `Offline — ${edits}`) el.textContent = `Offline — ${edits}`;
      el.title = `Reconnecting (next attempt in ${secs} s). Your edits are kept and sent when the connection is back.`;
      el.dataset.state = this.state;
      el.className = "conn conn-offline";
      return;
    }
    switch (this.state) {
      case "online":
        text = "Live";
        el.title = this.rtt == null ? "Connected" : `Connected · ${this.rtt} ms round trip`;
        break;
      case "syncing":
        text = "Syncing…";
        kind = "connecting";
        el.title = "Catching up with the board";
        break;
      case "offline": {
        // No ticking countdown in the text: #conn-state is a live region.
        const secs = Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000));
        text = queued ? `Offline — ${edits}` : "Offline · reconnecting…";
        el.title = `Next attempt in ${secs} s. Your edits are kept and sent when the connection is back.`;
        break;
      }
      case "closed":
        text = FATAL_CLOSES[this.fatalCode]?.status || "Disconnected";
        el.title = this.fatal;
        break;
      default:
        text = "Connecting…";
        kind = "connecting";
        el.title = "";
    }
    if (el.textContent !== text) el.textContent = text; // a live region: only real changes
    el.dataset.state = this.state;
    el.className = `conn conn-${kind}`;
  }
}
