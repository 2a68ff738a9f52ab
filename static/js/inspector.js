// The inspector (#inspector): label and props of the selected component, or the label of
// the selected connection, edited against the catalogue's props schema. Each change sends
// one update with only the changed field; invalid input shows a message and sends nothing.

import { nodeName } from "./connections.js";
import { edgeKey } from "./doc.js";
import { clear, h, sameJSON } from "./dom.js";
import { pasteWithin } from "./label-editor.js";

const MAX_INTEGER = 1_000_000_000;

const PROP_TITLES = {
  features: "Features", metrics: "Metrics", task: "Task", mode: "Mode", model: "Model",
  replicas: "Replicas", schedule: "Schedule", ttl_seconds: "Time to live (seconds)",
};
const LIST_WORDS = { features: "feature", metrics: "metric" };

let uid = 0;
const fieldId = (name) => `insp-${name}-${(uid += 1)}`;

export class Inspector {
  /**
   * @param {object} opts
   * @param {HTMLElement} opts.root #inspector
   * @param {import("./store.js").Store} opts.store
   * @param {object} opts.catalogue
   * @param {(op: object) => unknown} opts.edit
   * @param {boolean} opts.editable
   * @param {() => void} opts.onDelete removes the selection
   * @param {(keys: string[]) => void} [opts.onSelect] selects cells on the canvas
   */
  constructor({
    root, store, catalogue, edit, editable, onDelete, onSelect = () => {},
    renameOp = (id, label) => ({ op: "update_node", id, changes: { label } }),
  }) {
    this.onSelect = onSelect;
    this.renameOp = renameOp; // canvas.js: a rename that grows a card may move it too
    this.root = root;
    this.store = store;
    this.catalogue = catalogue;
    // The server's limits (catalogue_as_json): labels and prop texts, list lengths.
    this.maxText = Math.min(catalogue.limits.label, catalogue.limits.prop_text);
    this.maxItems = catalogue.limits.list_items;
    this.edit = edit;
    this.editable = editable;
    this.onDelete = onDelete;
    this.keys = [];
    this.item = null;
    this.fields = [];
    this.placeholder = [...root.childNodes].map((n) => n.cloneNode(true));
    store.addEventListener("change", () => this.refresh());
  }

  /** Turn editing off (or on) and show the selection again, its fields to match. */
  setEditable(editable) {
    this.editable = editable;
    this.show(this.keys);
  }

  /** Show the selection (cell keys "n:<id>" / "e:<id>"). */
  show(keys) {
    this.keys = keys;
    this.item = null;
    this.fields = [];
    this.connections = null;
    clear(this.root);
    if (keys.length === 0) {
      this.root.append(...this.placeholder.map((n) => n.cloneNode(true)));
      return;
    }
    if (keys.length > 1) {
      const nodes = keys.filter((k) => k.startsWith("n:")).length;
      const edges = keys.length - nodes;
      const parts = [];
      if (nodes) parts.push(`${nodes} component${nodes === 1 ? "" : "s"}`);
      if (edges) parts.push(`${edges} connection${edges === 1 ? "" : "s"}`);
      this.root.append(
        h("div", { class: "insp-head" }, h("h3", { class: "insp-title" }, `${parts.join(" and ")} selected`)),
        h("p", { class: "muted" }, "Drag any of them to move them together."),
        this.editable ? this.deleteButton("Delete selection") : null,
      );
      return;
    }
    const key = keys[0];
    if (key.startsWith("n:")) this.showNode(key.slice(2));
    else this.showEdge(key.slice(2));
  }

  current() {
    const key = this.keys.length === 1 ? this.keys[0] : null;
    if (!key) return null;
    const map = key.startsWith("n:") ? this.store.view.nodes : this.store.view.edges;
    return map.get(key.slice(2)) || null;
  }

  /** The view changed: update the shown values (never under the user's cursor). */
  refresh() {
    if (this.keys.length !== 1) return;
    const item = this.current();
    if (!item) {
      this.show([]);
      return;
    }
    if (this.keys[0].startsWith("n:")) this.drawConnections(item.id);
    if (item === this.item) return;
    this.item = item;
    for (const field of this.fields) field.update(item);
  }

  deleteButton(text) {
    return h("button", { class: "btn btn-small btn-danger insp-delete", type: "button", onclick: () => this.onDelete() }, text);
  }

  showNode(id) {
    const node = this.store.view.nodes.get(id);
    if (!node) return;
    this.item = node;
    const info = this.catalogue.types[node.type] || { title: node.type, props: [], colour: "#64748b" };
    const category = this.catalogue.categories[info.category]?.title || "";
    const swatch = h("span", { class: "insp-swatch", "aria-hidden": "true" });
    swatch.style.setProperty("--cat", info.colour);
    this.root.append(h("div", { class: "insp-head" },
      swatch,
      h("div", {},
        h("h3", { class: "insp-title" }, info.title),
        h("p", { class: "insp-sub muted" }, [category, info.description].filter(Boolean).join(" · ")))));
    const form = h("form", { class: "insp-form", autocomplete: "off", onsubmit: (e) => e.preventDefault() });
    this.root.append(form);
    this.addField(form, this.textField("label", "Label", (n) => n.label, (value) => {
      this.send(this.renameOp(id, value));
    }, { allowEmpty: true }));
    for (const spec of info.props || []) {
      const title = PROP_TITLES[spec.name] || spec.name;
      const get = (n) => n.props[spec.name];
      const set = (value) => this.send({ op: "update_node", id, changes: { props: { [spec.name]: value } } });
      let field;
      if (spec.kind === "string_list") field = this.listField(spec, title, get, set);
      else if (spec.kind === "choice") field = this.choiceField(spec, title, get, set);
      else if (spec.kind === "integer") field = this.integerField(spec, title, get, set);
      else {
        field = this.textField(spec.name, title, (n) => get(n) ?? "", (value) => set(value.trim() ? value : null),
          { help: spec.help, clearable: true });
      }
      this.addField(form, field);
    }
    if (!(info.props || []).length) {
      form.append(h("p", { class: "field-help muted" }, "This component has no settings besides its label."));
    }
    const known = new Set((info.props || []).map((p) => p.name));
    const extra = Object.keys(node.props).filter((k) => !known.has(k));
    if (extra.length) {
      form.append(h("p", { class: "insp-extra muted" },
        `Also kept from an import (not used by the rules): ${extra.join(", ")}.`));
    }
    this.connections = h("div", { class: "insp-links" });
    this.root.append(this.connections);
    this.drawConnections(id);
    if (this.editable) this.root.append(h("div", { class: "insp-actions" }, this.deleteButton("Delete component")));
  }

  /** Where the selected component sends to and receives from: each connection is a
   * button that selects it (so a keyboard can reach, inspect and delete a connection). */
  drawConnections(id) {
    if (!this.connections) return;
    const active = document.activeElement;
    const focused = this.connections.contains(active) ? active.dataset.edge + active.dataset.side : null;
    clear(this.connections);
    const view = this.store.view;
    const name = (nid) => {
      const n = view.nodes.get(nid);
      return n ? nodeName(this.catalogue, n) : nid;
    };
    const out = [];
    const inc = [];
    const pick = (edge) => {
      this.onSelect([edgeKey(edge.id)]);
      this.root.querySelector(".insp-title")?.focus();
    };
    for (const e of view.edges.values()) {
      if (e.source === id) out.push([e, name(e.target) + (e.label ? ` (${e.label})` : "")]);
      if (e.target === id) inc.push([e, name(e.source) + (e.label ? ` (${e.label})` : "")]);
    }
    const list = (title, items) => h("div", { class: "insp-link-group" },
      h("span", { class: "field-title" }, title),
      items.length
        ? h("ul", { "aria-label": title }, items.map(([edge, text]) => h("li", {},
          h("button", {
            type: "button", class: "insp-link", title: "Select this connection", onclick: () => pick(edge),
            dataset: { edge: edge.id, side: title },
          }, text))))
        : h("p", { class: "muted" }, "nothing yet"));
    this.connections.append(list("Sends to", out), list("Receives from", inc));
    // A redraw (any edit on the board) keeps the keyboard on the same connection.
    if (focused) {
      [...this.connections.querySelectorAll(".insp-link")]
        .find((b) => b.dataset.edge + b.dataset.side === focused)?.focus({ preventScroll: true });
    }
  }

  showEdge(id) {
    const edge = this.store.view.edges.get(id);
    if (!edge) return;
    this.item = edge;
    const name = (nid) => {
      const n = this.store.view.nodes.get(nid);
      return n ? nodeName(this.catalogue, n) : nid;
    };
    this.root.append(h("div", { class: "insp-head" },
      h("span", { class: "insp-swatch insp-swatch-edge", "aria-hidden": "true" }),
      h("div", {},
        h("h3", { class: "insp-title", tabindex: -1 }, "Connection"),
        h("p", { class: "insp-sub muted" }, `${name(edge.source)} → ${name(edge.target)}`))));
    const form = h("form", { class: "insp-form", autocomplete: "off", onsubmit: (e) => e.preventDefault() });
    this.root.append(form);
    this.addField(form, this.textField("label", "Label", (e) => e.label, (value) => {
      this.send({ op: "update_edge", id, changes: { label: value } });
    }, { allowEmpty: true, placeholder: "e.g. features, requests, model" }));
    if (this.editable) this.root.append(h("div", { class: "insp-actions" }, this.deleteButton("Delete connection")));
  }

  addField(form, field) {
    this.fields.push(field);
    form.append(field.el);
    field.update(this.item);
  }

  send(op) {
    this.edit(op);
  }

  // --- field kinds --------------------------------------------------------------------

  frame(name, title, control, help) {
    const error = h("p", { class: "field-error", id: fieldId(name + "-err"), role: "alert", hidden: true });
    const helpEl = help ? h("p", { class: "field-help muted" }, help) : null;
    const label = h("label", { class: "field", for: control.id || undefined },
      h("span", { class: "field-title" }, title));
    const el = h("div", { class: "field-wrap", dataset: { field: name } }, label, control, helpEl, error);
    control.setAttribute?.("aria-describedby", error.id);
    const showError = (message) => {
      error.textContent = message;
      error.hidden = !message;
      el.classList.toggle("has-error", Boolean(message));
      control.setAttribute?.("aria-invalid", message ? "true" : "false");
    };
    return { el, showError };
  }

  textField(name, title, get, commit, { allowEmpty = false, help = "", placeholder = "", clearable = false } = {}) {
    const input = h("input", {
      type: "text", id: fieldId(name), name, maxlength: this.maxText, placeholder: placeholder || (clearable ? "not set" : ""),
      disabled: !this.editable,
    });
    const { el, showError } = this.frame(name, title, input, help);
    // The field's maxlength would cut a long paste silently, mid-word: it is cut after the
    // last whole word that fits instead, and the field says how much was left out.
    const note = h("p", { class: "field-note", role: "status" });
    el.append(note);
    input.addEventListener("paste", (e) => {
      const dropped = pasteWithin(e, input, this.maxText);
      if (!dropped) return;
      const left = dropped === 1 ? "1 character was" : `${dropped} characters were`;
      note.textContent = `The paste was cut to fit: ${left} left out (at most ${this.maxText}).`;
    });
    input.addEventListener("input", () => { note.textContent = ""; });
    let shown = "";
    const save = () => {
      const value = input.value;
      if (value === shown) return;
      if (value.length > this.maxText) {
        showError(`At most ${this.maxText} characters.`);
        return;
      }
      if (!allowEmpty && !value.trim()) {
        showError("This cannot be empty.");
        return;
      }
      showError("");
      shown = value;
      commit(value);
    };
    input.addEventListener("change", save);
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        save();
      } else if (e.key === "Escape") {
        input.value = shown;
        showError("");
      }
    });
    return {
      el,
      update(item) {
        shown = String(get(item) ?? "");
        if (document.activeElement !== input) input.value = shown;
      },
    };
  }

  integerField(spec, title, get, commit) {
    const input = h("input", {
      type: "number", id: fieldId(spec.name), name: spec.name, step: 1, inputmode: "numeric",
      min: spec.minimum ?? undefined, placeholder: "not set", disabled: !this.editable,
    });
    const help = [spec.help, spec.minimum != null ? `Whole number, at least ${spec.minimum}.` : "Whole number."]
      .filter(Boolean).join(" ");
    const { el, showError } = this.frame(spec.name, title, input, help);
    let shown = null;
    const save = () => {
      const raw = input.value.trim();
      if (input.validity.badInput) {
        showError("Enter a whole number.");
        return;
      }
      let value = null;
      if (raw !== "") {
        value = Number(raw);
        if (!Number.isInteger(value)) {
          showError("Enter a whole number.");
          return;
        }
        if (spec.minimum != null && value < spec.minimum) {
          showError(`Must be at least ${spec.minimum}.`);
          return;
        }
        if (Math.abs(value) > MAX_INTEGER) {
          showError("That number is too large.");
          return;
        }
      }
      showError("");
      if (value === shown || (value === null && shown == null)) return;
      shown = value;
      commit(value);
    };
    input.addEventListener("change", save);
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        save();
      }
    });
    return {
      el,
      update(item) {
        shown = get(item) ?? null;
        if (document.activeElement !== input) input.value = shown == null ? "" : String(shown);
      },
    };
  }

  choiceField(spec, title, get, commit) {
    const select = h("select", { id: fieldId(spec.name), name: spec.name, disabled: !this.editable },
      h("option", { value: "" }, "not set"),
      spec.choices.map((c) => h("option", { value: c }, c)));
    const { el } = this.frame(spec.name, title, select, spec.help);
    select.addEventListener("change", () => commit(select.value || null));
    return {
      el,
      update(item) {
        const value = get(item);
        select.value = value && spec.choices.includes(value) ? value : "";
      },
    };
  }

  listField(spec, title, get, commit) {
    const word = LIST_WORDS[spec.name] || "item";
    const tags = h("ul", { class: "tags", "aria-label": title });
    const input = h("input", {
      type: "text", id: fieldId(spec.name), name: spec.name, maxlength: this.maxText,
      class: "tag-input", placeholder: `Add a ${word}, press Enter`, disabled: !this.editable,
    });
    const box = h("div", { class: "tag-box" }, tags, this.editable ? input : null);
    const { el, showError } = this.frame(spec.name, title, box, spec.help);
    if (this.editable) {
      box.addEventListener("click", (e) => {
        if (e.target === box || e.target === tags) input.focus();
      });
    }
    let list = [];
    const save = (next) => {
      showError("");
      if (sameJSON(next, list)) return;
      list = next;
      commit(next.length ? next : null);
      draw();
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === ",") {
        e.preventDefault();
        const value = input.value.trim();
        if (!value) {
          showError(e.key === "Enter" && input.value ? `A ${word} cannot be blank.` : "");
          return;
        }
        if (value.length > this.maxText) {
          showError(`A ${word} is at most ${this.maxText} characters.`);
          return;
        }
        if (list.includes(value)) {
          showError(`“${value}” is already listed.`);
          return;
        }
        if (list.length >= this.maxItems) {
          showError(`At most ${this.maxItems} ${word}s.`);
          return;
        }
        input.value = "";
        save([...list, value]);
      } else if (e.key === "Backspace" && !input.value && list.length) {
        save(list.slice(0, -1));
      } else {
        showError("");
      }
    });
    const draw = () => {
      clear(tags);
      for (const value of list) {
        const remove = this.editable
          ? h("button", {
            type: "button", class: "tag-remove", "aria-label": `Remove ${word} ${value}`, title: "Remove",
            onclick: () => save(list.filter((v) => v !== value)),
          }, "×")
          : null;
        tags.append(h("li", { class: "tag" }, h("span", { class: "tag-text" }, value), remove));
      }
      if (!list.length && !this.editable) tags.append(h("li", { class: "muted" }, "none"));
    };
    return {
      el,
      update(item) {
        const value = get(item);
        list = Array.isArray(value) ? [...value] : [];
        draw();
      },
    };
  }
}
