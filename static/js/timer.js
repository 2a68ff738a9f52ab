// The interviewer's countdown in the top bar (#timer; the page has it for interviewers
// only, and only their connections get its frames). Its state comes with the page
// (data-timer), the welcome frame and `timer` frames sent when an interviewer starts,
// pauses or resets it: {duration, running, elapsed, remaining, server_time, split: [{title, seconds}]}.
// Past the duration a running clock counts the overtime ("Time is up · +2:05").
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

/** m:ss of a number of seconds (rounded, never negative). */
function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** What the timer shows for `state` (a `timer` frame's state) `since` seconds after it
 * arrived: {text, phase}. The phases read apart at a glance: "idle" (never started: the
 * full length), "running" (time left and the step it is time for), "paused" (time left,
 * said to be paused) and "over" (the overtime, counting on while the clock runs). */
export function timerFace(state, since = 0) {
  const duration = Number(state.duration) || 0;
  const stored = typeof state.elapsed === "number" ? state.elapsed : duration - (Number(state.remaining) || 0);
  const elapsed = stored + (state.running ? Math.max(0, since) : 0);
  const remaining = duration - elapsed;
  if (!state.running && elapsed <= 0) return { text: `${clock(duration)} · not started`, phase: "idle" };
  if (duration > 0 && remaining <= 0) {
    const over = `Time is up · +${clock(-remaining)}`;
    return { text: state.running ? over : `${over}, paused`, phase: "over" };
  }
  if (!state.running) return { text: `Paused · ${clock(remaining)} left`, phase: "paused" };
  let step = "";
  let acc = 0;
  for (const part of state.split || []) {
    acc += part.seconds || 0;
    step = part.title;
    if (elapsed < acc) break;
  }
  return { text: `${clock(remaining)}${step ? ` · ${step}` : ""}`, phase: "running" };
}

const PHASE_WORDS = { idle: "not started", running: "running", paused: "paused", over: "time is up" };

export function setupTimer({ el, store }) {
  if (!el) return;
  const label = el.getAttribute("title") || "Timer";
  let state = null;
  let receivedAt = 0;
  let ticker = null;

  const render = () => {
    if (!state || typeof state.remaining !== "number") {
      el.hidden = true;
      return;
    }
    el.hidden = false;
    const face = timerFace(state, (Date.now() - receivedAt) / 1000);
    el.textContent = face.text;
    el.dataset.state = face.phase;
    el.title = `${label}: ${PHASE_WORDS[face.phase]}`;
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
