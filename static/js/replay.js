// Replay: a slider over revisions and a play button; each frame is server-rendered, its
// time then written in the reader's own zone (local-time.js; UTC without scripts).
import { localizeTimes } from "./local-time.js";

const root = document.querySelector(".replay");
const slider = document.getElementById("replay-slider");
const output = document.getElementById("replay-revision");
const play = document.getElementById("replay-play");
const last = Number(root.dataset.last);
const frameUrl = (revision) => root.dataset.frameUrl.replace(/\/1$/, `/${revision}`);

document.getElementById("replay-frame").addEventListener("htmx:afterSwap", (e) => localizeTimes(e.target));

let timer = null;
let pending = null;

function show(revision) {
  output.textContent = `${revision} / ${last}`;
  clearTimeout(pending);  // coalesce fast slider moves into one request
  pending = setTimeout(() => window.htmx.ajax("GET", frameUrl(revision), "#replay-frame"), 120);
}

function stop() {
  clearInterval(timer);
  timer = null;
  play.textContent = "Play";
}

slider.addEventListener("input", () => { stop(); show(Number(slider.value)); });
play.addEventListener("click", () => {
  if (timer) return stop();
  if (Number(slider.value) >= last) slider.value = "1";
  play.textContent = "Pause";
  show(Number(slider.value));
  timer = setInterval(() => {
    const next = Number(slider.value) + 1;
    if (next > last) return stop();
    slider.value = String(next);
    show(next);
  }, 900);
});
