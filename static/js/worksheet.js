// The worksheet (#worksheet): one textarea per step. Typing sends update_notes for that
// step, debounced; the status line says whether everything typed is saved. A remote change
// replaces the text unless the textarea has focus and holds unsaved typing.

const DEBOUNCE_MS = 600;

export class Worksheet {
  /**
   * @param {object} opts
   * @param {HTMLFormElement} opts.form #worksheet
   * @param {HTMLElement} opts.status #ws-status
   * @param {import("./store.js").Store} opts.store
   * @param {(op: object) => unknown} opts.submit sends an edit without an undo step
   * @param {boolean} opts.editable
   */
  constructor({ form, status, store, submit, editable }) {
    this.form = form;
    this.status = status;
    this.store = store;
    this.submit = submit;
    this.editable = editable;
    this.areas = new Map();
    this.timers = new Map();
    this.sent = new Map(); // step -> cid of the last edit sent for it
    this.known = new Map(); // step -> the text the view had at the last pull
    for (const area of form.querySelectorAll("textarea[name]")) this.areas.set(area.name, area);
    this.loaded = false;

    form.addEventListener("submit", (e) => e.preventDefault());
    if (editable) {
      form.addEventListener("input", (e) => {
        const area = e.target;
        if (!this.areas.has(area.name)) return;
        this.schedule(area.name);
      });
      form.addEventListener("focusout", (e) => {
        if (this.timers.has(e.target.name)) this.flush(e.target.name);
      });
    }
    store.addEventListener("change", () => this.pull());
    store.addEventListener("ack", () => this.renderStatus());
    store.addEventListener("refused", () => this.renderStatus());
    window.addEventListener("beforeunload", (e) => {
      for (const step of [...this.timers.keys()]) this.flush(step);
      if (this.unsaved()) e.preventDefault();
    });
  }

  schedule(step) {
    clearTimeout(this.timers.get(step));
    this.timers.set(step, setTimeout(() => this.flush(step), DEBOUNCE_MS));
    this.renderStatus();
  }

  flush(step) {
    clearTimeout(this.timers.get(step));
    this.timers.delete(step);
    const area = this.areas.get(step);
    if (!area) return;
    const text = area.value;
    if (text !== (this.store.view.notes[step] ?? "")) {
      const edit = this.submit({ op: "update_notes", step, text });
      if (edit) this.sent.set(step, edit.cid);
    }
    this.renderStatus();
  }

  /**
   * Editing is over for this page (its access ended, or the board is gone: `why`). The
   * notes turn read-only, what was typed stays there to be copied, and the status says it
   * was not saved rather than promising to save it when the connection is back.
   */
  end(why) {
    const unsaved = this.unsaved();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.editable = false;
    for (const area of this.areas.values()) area.readOnly = true;
    if (!this.status) return;
    this.status.textContent = unsaved ? `Not saved: ${why}.` : "";
    this.status.dataset.state = unsaved ? "lost" : "";
  }

  /** Whether something typed is not yet applied by the server. */
  unsaved() {
    if (this.timers.size) return true;
    return this.store.pending.some((edit) => edit.op.op === "update_notes");
  }

  /** Bring the textareas in line with the view, without clobbering someone typing. */
  pull() {
    const notes = this.store.view.notes;
    for (const [step, area] of this.areas) {
      const text = notes[step] ?? "";
      const known = this.known.get(step) ?? "";
      this.known.set(step, text);
      if (area.value === text) continue;
      const focused = document.activeElement === area;
      const dirty = this.timers.has(step) || area.value !== known;
      if (this.loaded && (this.timers.has(step) || (focused && dirty))) continue;
      const [start, end] = [area.selectionStart, area.selectionEnd];
      area.value = text;
      if (focused) area.setSelectionRange(Math.min(start, text.length), Math.min(end, text.length));
    }
    if (this.store.loaded) this.loaded = true;
    this.renderStatus();
  }

  renderStatus() {
    if (!this.status || !this.editable) return;
    let text = "";
    if (this.timers.size || this.store.pending.some((e) => e.op.op === "update_notes")) {
      const offline = this.store.conn && this.store.conn.state !== "online";
      text = offline ? "Offline: your notes will be saved when the connection is back" : "Saving…";
      this.status.dataset.state = "saving";
    } else if (this.sent.size) {
      text = "Saved";
      this.status.dataset.state = "saved";
    }
    if (this.status.textContent !== text) this.status.textContent = text;
  }
}
