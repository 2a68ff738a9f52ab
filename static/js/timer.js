// The interviewer's countdown in the top bar (#timer; the page has it for interviewers
// only, and only their connections get its frames). Its state comes with the page
// (data-timer), the welcome frame and `timer` frames sent when an interviewer starts,
// pauses or resets it: {duration, running, remaining, server_time, split: [{title, seconds}]}.
// The same state keeps the panels' timer controls current (the interviewer's panel, the
// practice tools): the per-step split (`ol.timer-split`) and the minutes field follow the
// duration as soon as it changes, on every interviewer's page, without a reload.

import { h } from "./dom.js";

/** Whole minutes as the panels' templates show them (Django's widthratio: Python's round,
 * halves to even), so a list redrawn here reads as the server rendered it. */
export function wholeMinutes(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  const minutes = Math.floor(s / 60);
  const rest = s % 60;
  return rest > 30 || (rest === 30 && minutes % 2 === 1) ? minutes + 1 : minutes;
}

/** Redraw the split lists under `root` from `state`, and with `minutes` the minutes fields
 * too (not one in use). */
function showInPanels(state, root = document, minutes = true) {
  if (!state || !Array.isArray(state.split)) return;
  for (const list of root.querySelectorAll("ol.timer-split")) {
    list.replaceChildren(...state.split.map((part) => h("li", {}, `${part.title}: ${wholeMinutes(part.seconds)} min`)));
  }
  if (!minutes || typeof state.duration !== "number") return;
  for (const field of root.querySelectorAll(".timer-controls input[name=minutes]")) {
    if (field !== document.activeElement) field.value = String(wholeMinutes(state.duration));
  }
}

export function setupTimer({ el, store }) {
  if (!el) return;
  let state = null;
  let receivedAt = 0;
  let ticker = null;

  const format = (seconds) => {
    const s = Math.max(0, Math.round(seconds));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  };

  const render = () => {
    if (!state || typeof state.remaining !== "number") {
      el.hidden = true;
      return;
    }
    el.hidden = false;
    const remaining = state.running
      ? Math.max(0, state.remaining - (Date.now() - receivedAt) / 1000) : state.remaining;
    const elapsed = (state.duration || 0) - remaining;
    let step = "";
    let acc = 0;
    for (const part of state.split || []) {
      acc += part.seconds || 0;
      step = part.title;
      if (elapsed < acc) break;
    }
    const over = remaining <= 0 && (state.duration || 0) > 0;
    el.textContent = over ? "Time is up" : `${format(remaining)}${state.running && step ? ` · ${step}` : ""}`;
    el.dataset.state = over ? "over" : state.running ? "running" : "paused";
    el.title = state.running ? "Interview timer: running" : "Interview timer: paused";
    if (over || !state.running) {
      clearInterval(ticker);
      ticker = null;
    }
  };

  const set = (next) => {
    if (!next || typeof next !== "object") return;
    // A new duration replaces minutes typed but not used; the same one leaves them.
    const newDuration = state !== null && next.duration !== state.duration;
    state = next;
    receivedAt = Date.now();
    clearInterval(ticker);
    ticker = state.running ? setInterval(render, 1000) : null;
    render();
    showInPanels(state, document, newDuration);
  };

  try {
    set(JSON.parse(el.dataset.timer || "null"));
  } catch {
    render();
  }
  store.addEventListener("welcome", (e) => set(e.detail.timer));
  store.addEventListener("frame", (e) => {
    if (e.detail.frame.type === "timer") set(e.detail.frame.timer);
  });
  // A panel fetched before the last change arrived is brought up to it.
  document.body.addEventListener("htmx:afterSwap", (e) => {
    const root = e.detail.target;
    if (root?.querySelector?.("ol.timer-split")) showInPanels(state, root);
  });
}
