// The palette (server-rendered, partials/palette.html): search, drag onto the canvas, and
// Enter to place the focused item in the middle of the view.

import { h } from "./dom.js";

const DRAG_TYPE = "application/x-mlsd-type";

/**
 * @param {object} opts
 * @param {HTMLElement} opts.root the palette sidebar
 * @param {HTMLInputElement} opts.search #palette-search
 * @param {import("./canvas.js").Canvas} opts.canvas
 * @param {boolean} opts.editable
 * @param {(message: string) => void} opts.hint
 */
export function setupPalette({ root, search, canvas, editable, hint }) {
  const items = [...root.querySelectorAll(".palette-item")];
  const groups = [...root.querySelectorAll(".palette-group")];
  const empty = h("p", { class: "palette-empty muted", hidden: true }, "No component matches.");
  root.querySelector(".palette-groups")?.after(empty);

  if (!editable) {
    search.after(h("p", { class: "readonly-note" }, "You are viewing this board: editing is off."));
  }
  // One Tab stop (WAI-ARIA roving tabindex): the current item has tabindex 0, the others
  // -1; Up/Down/Home/End move within the palette, Tab leaves it.
  const keys = h("p", { id: "palette-keys", hidden: true },
    editable ? "Enter adds it in the middle of the canvas. Up and Down arrows move through the palette."
      : "Up and Down arrows move through the palette.");
  root.append(keys);
  for (const item of items) {
    item.setAttribute("aria-describedby", "palette-keys");
    if (!editable) {
      item.draggable = false;
      item.setAttribute("aria-disabled", "true");
    }
  }
  const visible = () => items.filter((i) => !i.closest(".palette-entry")?.hidden && !i.hidden);
  let current = null;
  const rove = (item) => {
    current = item || null;
    for (const i of items) i.tabIndex = i === current ? 0 : -1;
  };
  rove(items[0]);
  root.addEventListener("focusin", (e) => {
    const item = e.target.closest?.(".palette-item");
    if (item && item !== current) rove(item);
  });

  search.addEventListener("input", () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of items) {
      const text = item.dataset.search || item.textContent.toLowerCase();
      const match = words.every((w) => text.includes(w));
      const entry = item.closest(".palette-entry") || item;
      entry.hidden = !match;
      if (match) shown += 1;
    }
    for (const group of groups) {
      group.hidden = !group.querySelector(".palette-entry:not([hidden])");
    }
    empty.hidden = shown > 0;
    if (!current || !visible().includes(current)) rove(visible()[0]);
  });
  search.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && search.value) {
      search.value = "";
      search.dispatchEvent(new Event("input"));
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      visible()[0]?.focus();
    }
  });

  root.addEventListener("keydown", (e) => {
    const item = e.target.closest?.(".palette-item");
    if (!item) return;
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      if (!editable) {
        hint("You are viewing this board: editing is off.");
        return;
      }
      const id = canvas.addComponent(item.dataset.type, canvas.centre(), { avoid: true });
      if (id) hint(`Added ${item.textContent.trim()} in the middle of the canvas.`, "info");
    } else if (["ArrowDown", "ArrowUp", "Home", "End"].includes(e.key)) {
      e.preventDefault();
      const shown = visible();
      const at = { ArrowDown: shown.indexOf(item) + 1, ArrowUp: shown.indexOf(item) - 1, Home: 0, End: shown.length - 1 }[e.key];
      if (at >= 0 && at < shown.length) shown[at].focus();
      else if (at < 0) search.focus();
    }
  });

  if (!editable) return;

  root.addEventListener("dragstart", (e) => {
    const item = e.target.closest?.(".palette-item");
    if (!item) return;
    e.dataTransfer.setData(DRAG_TYPE, item.dataset.type);
    e.dataTransfer.setData("text/plain", item.textContent.trim());
    e.dataTransfer.effectAllowed = "copy";
    item.classList.add("is-dragged");
  });
  root.addEventListener("dragend", (e) => {
    e.target.closest?.(".palette-item")?.classList.remove("is-dragged");
  });

  const stage = canvas.stage;
  stage.addEventListener("dragover", (e) => {
    if (!e.dataTransfer.types.includes(DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    stage.classList.add("is-drop");
  });
  stage.addEventListener("dragleave", (e) => {
    if (!stage.contains(e.relatedTarget)) stage.classList.remove("is-drop");
  });
  stage.addEventListener("drop", (e) => {
    stage.classList.remove("is-drop");
    const type = e.dataTransfer.getData(DRAG_TYPE);
    if (!type) return;
    e.preventDefault();
    canvas.addComponent(type, canvas.clientToLocal(e.clientX, e.clientY));
    canvas.el.focus({ preventScroll: true });
  });
}
