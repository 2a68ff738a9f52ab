// Small, unobtrusive notices in a corner of the canvas (#toasts): who joined, who left.
// The container is a polite live region, so screen readers hear them too; text only.

import { h } from "./dom.js";

const SHOWN_MS = 4_500;
const MAX_TOASTS = 3;

export class Toasts {
  /** @param {HTMLElement} el #toasts */
  constructor(el) {
    this.el = el;
  }

  /** Show `text` for a few seconds, with a dot of `colour` (a participant's). */
  show(text, colour) {
    if (!this.el || !text) return;
    const toast = h("div", { class: "toast" },
      h("span", { class: "toast-dot", "aria-hidden": "true" }),
      h("span", { class: "toast-text" }, text));
    if (colour) toast.style.setProperty("--c", colour);
    this.el.append(toast);
    while (this.el.children.length > MAX_TOASTS) this.el.firstElementChild.remove();
    setTimeout(() => {
      toast.classList.add("is-leaving");
      setTimeout(() => toast.remove(), 250);
    }, SHOWN_MS);
  }
}
