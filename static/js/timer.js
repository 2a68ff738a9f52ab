// The interviewer's countdown in the top bar (#timer; the page has it for interviewers
// only, and only their connections get its frames). Its state comes with the page
// (data-timer), the welcome frame and `timer` frames sent when an interviewer starts,
// pauses or resets it: {duration, running, remaining, server_time, split: [{title, seconds}]}.

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
    state = next;
    receivedAt = Date.now();
    clearInterval(ticker);
    ticker = state.running ? setInterval(render, 1000) : null;
    render();
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
}
