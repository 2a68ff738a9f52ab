// The right sidebar: its tabs, and the guard that keeps an htmx refresh from wiping a
// panel that someone is using. board.js sets both up.

const $ = (id) => document.getElementById(id);

/**
 * Side panels that htmx re-renders when the findings change (the case comparison and the
 * interviewer's rubric hints): a refresh must not wipe what someone is typing or choosing
 * there. While the focus is inside the panel (or one of its saves is on its way), the
 * refresh is put off and made once the focus leaves (the `refresh` event in its
 * hx-trigger); the rubric's open <details> stay open across a refresh, and any swap keeps
 * the panel's scroll position. A control in the panel whose answer replaces it (a reveal
 * button) names in `data-focus-after` the id of the element the focus moves to then.
 */
export function keepPanelWhileInUse(panel) {
  let stale = false;
  const setStale = (value) => {
    stale = value;
    panel.dataset.stale = value ? "true" : "false"; // a refresh is owed (tests look)
  };
  const busy = () => panel.contains(document.activeElement) || Boolean(panel.querySelector(".htmx-request"));
  panel.addEventListener("htmx:beforeRequest", (e) => {
    if (e.detail.elt !== panel || !busy()) return;
    e.preventDefault();
    setStale(true);
  });
  const catchUp = () => {
    if (!stale || busy()) return;
    setStale(false);
    panel.dispatchEvent(new Event("refresh"));
  };
  panel.addEventListener("focusout", (e) => {
    if (!panel.contains(e.relatedTarget)) setTimeout(catchUp, 0); // after the field's save starts
  });
  panel.addEventListener("htmx:afterRequest", (e) => {
    if (e.detail.elt !== panel) setTimeout(catchUp, 0); // a save of the panel's finished
  });
  let open = [];
  // A swap keeps the reader where they were. htmx puts the new content in before it removes
  // the old, and the browser's scroll anchoring follows the old content down meanwhile:
  // without this, a reveal or a refresh threw the panel to its bottom.
  const scroller = panel.closest(".tab-panel") || panel;
  let kept = null; // {top, focus}: the scroll position, and where the focus goes after
  panel.addEventListener("htmx:beforeSwap", (e) => {
    if (e.detail.elt !== panel) return;
    open = [...panel.querySelectorAll("details")].map((d) => d.open);
    // The control that asked for this content (a reveal button) names the element that
    // takes its place for the focus (data-focus-after), if the focus was in the panel.
    const from = e.detail.requestConfig?.elt;
    const focused = panel.contains(document.activeElement);
    kept = { top: scroller.scrollTop, focus: focused ? from?.dataset?.focusAfter || "" : null };
  });
  panel.addEventListener("htmx:afterSwap", (e) => {
    if (e.detail.elt !== panel) return;
    const all = panel.querySelectorAll("details");
    if (all.length === open.length) all.forEach((d, i) => { d.open = open[i]; });
    open = [];
    if (!kept) return;
    const { top, focus } = kept;
    kept = null;
    scroller.scrollTop = top;
    if (focus === null || panel.contains(document.activeElement)) return; // htmx kept it (an id)
    const next = (focus && document.getElementById(focus)) || null;
    if (next && panel.contains(next)) next.focus({ preventScroll: true });
  });
}

/** The right sidebar's tabs (WAI-ARIA tabs pattern). */
export function setupTabs() {
  const tabs = [...document.querySelectorAll(".tabs [role=tab]")];
  const open = (panelId, focusPanel = false) => {
    for (const tab of tabs) {
      const on = tab.dataset.tab === panelId;
      tab.classList.toggle("active", on);
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      const panel = $(tab.dataset.tab);
      panel.classList.toggle("active", on);
      panel.hidden = !on;
    }
    if (focusPanel) {
      const first = $(panelId).querySelector("input:not([disabled]), select:not([disabled]), textarea, button");
      first?.focus();
    }
  };
  for (const tab of tabs) {
    tab.addEventListener("click", () => open(tab.dataset.tab));
    tab.addEventListener("keydown", (e) => {
      const at = tabs.indexOf(tab);
      let next = null;
      if (e.key === "ArrowRight") next = tabs[(at + 1) % tabs.length];
      else if (e.key === "ArrowLeft") next = tabs[(at - 1 + tabs.length) % tabs.length];
      else if (e.key === "Home") next = tabs[0];
      else if (e.key === "End") next = tabs[tabs.length - 1];
      if (!next) return;
      e.preventDefault();
      next.focus();
      open(next.dataset.tab);
    });
  }
  const current = tabs.find((t) => t.classList.contains("active")) || tabs[0];
  if (current) open(current.dataset.tab);
  // One row: with every label if they fit, icons otherwise (board.css). Measured with the
  // labels on whenever the strip's width changes (a resize, a collapsed sidebar).
  const strip = document.querySelector(".tabs");
  if (strip && window.ResizeObserver) {
    const fit = () => {
      strip.classList.remove("is-compact");
      if (strip.scrollWidth > strip.clientWidth + 1) strip.classList.add("is-compact");
    };
    new ResizeObserver(fit).observe(strip);
    fit();
  }
  return { open };
}

const SIDEBARS_KEY = "mlsd.sidebars";

/**
 * The toolbar's sidebar toggles: hide the palette (left) or the side panels (right) to give
 * the canvas their room. The choice is remembered in this browser (localStorage) for every
 * board. A change runs inside `around(change)` (the canvas keeps the diagram in place).
 */
export function setupSidebarToggles({ around = (change) => change() } = {}) {
  const body = document.body;
  const buttons = { left: $("toggle-left"), right: $("toggle-right") };
  const names = { left: "the palette", right: "the side panels" };
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(SIDEBARS_KEY) || "{}") || {};
  } catch { /* unreadable or blocked: start with both shown */ }
  const apply = (side, hidden) => {
    body.classList.toggle(`hide-${side}`, hidden);
    const button = buttons[side];
    if (!button) return;
    button.setAttribute("aria-expanded", hidden ? "false" : "true");
    const label = `${hidden ? "Show" : "Hide"} ${names[side]}`;
    button.setAttribute("aria-label", label);
    button.title = `${label} (${side === "left" ? "[" : "]"})`;
  };
  const set = (side, hidden) => {
    around(() => apply(side, hidden));
    saved[side] = hidden;
    try {
      localStorage.setItem(SIDEBARS_KEY, JSON.stringify(saved));
    } catch { /* private mode: not remembered */ }
  };
  for (const side of ["left", "right"]) {
    apply(side, saved[side] === true);
    buttons[side]?.addEventListener("click", () => set(side, !body.classList.contains(`hide-${side}`)));
  }
  return {
    toggle(side) {
      set(side, !body.classList.contains(`hide-${side}`));
    },
  };
}
