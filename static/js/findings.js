// Findings: outline components on the canvas from each report, ask htmx to refresh the
// server-rendered panel (the `findings-changed` event on body), and let a finding select
// and highlight its components.

import { edgeKey, nodeKey } from "./doc.js";
import { h } from "./dom.js";

/**
 * @param {object} opts
 * @param {HTMLElement} opts.panel #findings (swapped by htmx)
 * @param {HTMLElement} [opts.tab] the Findings tab button, for a count badge
 * @param {import("./store.js").Store} opts.store
 * @param {import("./canvas.js").Canvas} opts.canvas
 */
export function setupFindings({ panel, tab, store, canvas }) {
  let badge = null;
  if (tab) {
    // Always in place (invisible at zero), so the tabs never move when the count changes.
    badge = h("span", { class: "tab-count is-zero", "aria-hidden": "true" });
    tab.append(badge);
  }

  const showCount = (report) => {
    if (!badge) return;
    const count = (report.findings || []).filter((f) => f.severity !== "info").length;
    const errors = (report.findings || []).some((f) => f.severity === "error");
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.classList.toggle("is-zero", count === 0);
    if (count) badge.removeAttribute("aria-hidden");
    else badge.setAttribute("aria-hidden", "true");
    badge.classList.toggle("tab-count-error", errors);
    badge.setAttribute("aria-label", `${count} to fix`);
  };

  // The interviewer may keep the findings from candidates and viewers (studio/interview.py):
  // their connection then carries none, and this page shows none; shown again, it fetches
  // the current findings (the panel's URL answers JSON too).
  const changed = () => document.body.dispatchEvent(new CustomEvent("findings-changed", { bubbles: true }));
  let hidden = false;
  let shownAt = 0; // which "shown" a fetch answers: one started before a new hide is dropped
  const withhold = () => {
    hidden = true;
    store.forgetReport();
    canvas.setReport({ findings: [] });
    showCount({ findings: [] });
    changed();
  };
  const fetchFindings = async () => {
    hidden = false;
    const ask = (shownAt += 1);
    const url = panel.getAttribute("hx-get");
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      const body = response.ok ? await response.json() : null;
      // Not over newer findings that came on the socket meanwhile (the database's
      // revision may lag behind the board in memory), nor after a new hide.
      if (body && body.report && !hidden && ask === shownAt) store.setReport(body.report, body.revision);
    } catch { /* the next edit's findings will come */ }
    changed();
  };
  store.addEventListener("welcome", (e) => {
    if (e.detail.findings_hidden) withhold();
  });
  store.addEventListener("frame", (e) => {
    const { frame } = e.detail;
    if (frame.type !== "findings.visibility" || store.role === "interviewer") return;
    if (frame.hidden) withhold();
    else fetchFindings();
  });

  store.addEventListener("report", (e) => {
    if (hidden) return; // the server sends none then; one already on its way is not shown
    const { report } = e.detail;
    canvas.setReport(report);
    showCount(report);
    document.body.dataset.reportRevision = String(e.detail.revision);
    // The server-rendered panel says which revision and level it shows: refresh only if
    // this report is newer (e.g. not for the first snapshot right after the page loaded).
    const shown = panel.querySelector(".findings");
    if (shown && shown.dataset.revision === String(e.detail.revision)
        && shown.dataset.level === report.level) return;
    document.body.dispatchEvent(new CustomEvent("findings-changed", { bubbles: true }));
  });

  // The finding last clicked stays marked across refreshes of the panel while its
  // components remain selected.
  let active = null;
  const sameFinding = (f, key) => key && f.dataset.rule === key.rule && f.dataset.nodes === key.nodes
    && f.dataset.edges === key.edges;
  const mark = () => {
    for (const f of panel.querySelectorAll(".finding")) f.classList.toggle("is-active", sameFinding(f, active));
  };
  const activate = (finding) => {
    const ids = (name) => (finding.dataset[name] || "").split(/\s+/).filter(Boolean);
    const keys = [...ids("nodes").map(nodeKey), ...ids("edges").map(edgeKey)];
    if (keys.length) canvas.reveal(keys);
    active = { rule: finding.dataset.rule, nodes: finding.dataset.nodes, edges: finding.dataset.edges, keys };
    mark();
  };
  canvas.addEventListener("selection", (e) => {
    if (!active) return;
    const now = new Set(e.detail.keys);
    if (now.size !== active.keys.length || !active.keys.every((k) => now.has(k))) {
      active = null;
      mark();
    }
  });

  // Findings are buttons: Enter and Space click them.
  panel.addEventListener("click", (e) => {
    const finding = e.target.closest?.(".finding");
    if (finding && panel.contains(finding)) activate(finding);
  });
  // Keep keyboard focus on the same finding across an htmx swap of the panel.
  let focused = null;
  panel.addEventListener("htmx:beforeSwap", () => {
    const el = document.activeElement;
    focused = el && el.classList?.contains("finding") && panel.contains(el)
      ? { rule: el.dataset.rule, nodes: el.dataset.nodes } : null;
  });
  panel.addEventListener("htmx:afterSwap", () => {
    mark();
    if (!focused) return;
    const match = [...panel.querySelectorAll(".finding")]
      .find((f) => f.dataset.rule === focused.rule && f.dataset.nodes === focused.nodes);
    focused = null;
    if (match) match.focus({ preventScroll: true });
  });
}
