// A reveal on the Case tab, told to whoever is not looking at it. The `case.revealed`
// frame carries no text (studio/case_views.py: hidden items never travel to a
// candidate), so the notice says only that something new is there: a toast, and a dot on
// the Case tab until the tab is opened. The interviewer who revealed it is not told.

import { h } from "./dom.js";

/**
 * @param {object} opts
 * @param {HTMLElement|null} opts.tab the Case tab button (#tab-case); absent on boards
 *   without a case study
 * @param {import("./store.js").Store} opts.store
 * @param {string} opts.role this page's role
 * @param {(text: string) => void} opts.notify shows a toast
 */
export function setupCaseNotice({ tab, store, role, notify }) {
  if (!tab) return;
  const dot = h("span", { class: "tab-dot", hidden: true },
    h("span", { class: "sr-only" }, "new"));
  tab.append(dot);
  const looking = () => tab.getAttribute("aria-selected") === "true";
  const seen = () => {
    if (tab.getAttribute("aria-selected") === "true") {
      dot.hidden = true;
      tab.removeAttribute("data-unseen");
    }
  };
  // The tabs (panels.js) mark the open one with aria-selected, however it was opened.
  new MutationObserver(seen).observe(tab, { attributes: true, attributeFilter: ["aria-selected"] });

  store.addEventListener("frame", (e) => {
    if (e.detail.frame.type !== "case.revealed" || role === "interviewer") return;
    if (looking()) return; // the panel refreshes in front of them
    dot.hidden = false;
    tab.dataset.unseen = "true";
    notify("New from the interviewer: see the Case tab.");
  });
}
