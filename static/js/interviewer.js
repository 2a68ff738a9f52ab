// The interviewer's private panel (#interviewer, templates/partials/interviewer.html) when
// two interviewers (or two tabs) have it open: nobody's notes or rubric edits are lost.
//
// - A text field that saves as you type (the private notes, each rubric comment) carries
//   `data-base-param`: each save sends, under that name, the text the field started from
//   (its defaultValue, moved on to what was sent once a save succeeds). The server refuses
//   a save whose base is no longer the stored text (409, studio/interviewer_views.py) and
//   answers with the stored text; the person's own stays in the field until they choose
//   "Use theirs" or "Save mine over theirs".
// - The score and the comment of a step save apart, each sending only itself.
// - Every save tells the board's other interviewer pages (an `interviewer.changed` frame,
//   private group only; it carries no text). Such a page fetches its panel again, unless
//   someone is using it (panels.js puts the refresh off) or a field holds text not saved:
//   it then says "Updated by someone else — reload" until the refresh is made.

import { h } from "./dom.js";
import { localizeTimes } from "./local-time.js";

const PAGE_HEADER = "X-Interviewer-Page";

/** This page's id, sent with every save so that its own `interviewer.changed` is ignored. */
function newPageId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * @param {object} opts
 * @param {HTMLElement|null} opts.panel #interviewer (interviewer pages only)
 * @param {import("./store.js").Store} opts.store
 */
export function setupInterviewerPanel({ panel, store }) {
  if (!panel) return;
  const page = newPageId();
  const baseFields = () => [...panel.querySelectorAll("[data-base-param]")];
  const unsaved = () => baseFields().some((f) => f.value !== f.defaultValue);
  let owed = false; // a refresh was put off because a field holds unsaved text

  // The field a save (or a conflict's row) is about; none for the panel's own refresh.
  const fieldOf = (elt) => {
    if (!elt || elt === panel) return null;
    return elt.matches("[data-base-param]") ? elt : elt.querySelector("[data-base-param]");
  };

  panel.addEventListener("htmx:configRequest", (e) => {
    const field = fieldOf(e.detail.elt);
    // While a refused save waits for the person's choice, typing on saves nothing (it
    // would be refused again); the choice's buttons save or drop the text.
    // Nor is text saved again that is saved already (the change on leaving a field): it
    // would be refused once another interviewer has saved since.
    const waiting = e.detail.target?.querySelector?.("[data-conflict]");
    if (field && (field.value === field.defaultValue || waiting)) {
      e.preventDefault();
      return;
    }
    e.detail.headers[PAGE_HEADER] = page;
    if (field) e.detail.parameters[field.dataset.baseParam] = field.defaultValue;
  });

  // A refresh of the whole panel never replaces text that is not saved (a save refused as
  // stale): it is made once that text is saved or given up.
  panel.addEventListener("htmx:beforeRequest", (e) => {
    if (e.detail.elt !== panel || !unsaved()) return;
    e.preventDefault();
    owed = true;
  });
  const settle = () => {
    if (!owed || unsaved()) return;
    owed = false;
    panel.dispatchEvent(new Event("refresh"));
  };

  // A refused save (409: stale, 400: refused) shows its answer where "Saved" would go.
  panel.addEventListener("htmx:beforeSwap", (e) => {
    const status = e.detail.xhr.status;
    if (e.detail.elt === panel || (status !== 409 && status !== 400)) return;
    e.detail.shouldSwap = true;
    e.detail.isError = false;
  });
  // Times the server wrote in UTC (the interview's end) read in local time, as the
  // read-only banner says them (local-time.js).
  panel.addEventListener("htmx:afterSwap", () => localizeTimes(panel));
  localizeTimes(panel);
  panel.addEventListener("htmx:afterRequest", (e) => {
    const field = fieldOf(e.detail.elt);
    if (!field || e.detail.xhr.status !== 200) return;
    const sent = e.detail.requestConfig.parameters[field.name];
    if (typeof sent === "string") field.defaultValue = sent;
    setTimeout(settle, 0);
  });

  panel.addEventListener("click", (e) => {
    const button = e.target.closest?.("button[data-resolve], button[data-reload]");
    if (!button || !panel.contains(button)) return;
    if (button.dataset.reload !== undefined) {
      // Leaving the panel saves what is being typed; the refresh follows (panels.js).
      button.blur();
      panel.dispatchEvent(new Event("refresh"));
      return;
    }
    const conflict = button.closest("[data-conflict]");
    const field = conflict && fieldOf(conflict.closest(".iv-edit"));
    if (!field) return;
    const theirs = conflict.querySelector(".iv-theirs")?.value ?? "";
    field.defaultValue = theirs; // the base of the next save is what is stored now
    if (button.dataset.resolve === "theirs") field.value = theirs;
    conflict.closest("[aria-live]")?.replaceChildren();
    field.focus();
    if (button.dataset.resolve === "mine") field.dispatchEvent(new Event("change", { bubbles: true }));
    else setTimeout(settle, 0);
  });

  const notice = () => {
    const root = panel.querySelector(".interviewer-panel");
    if (!root || root.querySelector(".iv-notice")) return;
    root.prepend(h("p", { class: "iv-notice", role: "status" }, "Updated by someone else — ",
      h("button", { type: "button", "data-reload": true }, "reload")));
  };
  store.addEventListener("frame", (e) => {
    const frame = e.detail.frame;
    // The interview ended or reopened (by this page or another): the panel shows which.
    // So did the findings' visibility to the candidate.
    if (frame.type === "board.ended" || frame.type === "findings.visibility") {
      panel.dispatchEvent(new Event("refresh"));
    }
    if (frame.type !== "interviewer.changed" || frame.page === page) return;
    panel.dispatchEvent(new Event("refresh"));
    // Put off (someone is typing or choosing here, or text is not saved): say so.
    setTimeout(() => {
      if (panel.dataset.stale === "true" || owed) notice();
    }, 0);
  });
}
