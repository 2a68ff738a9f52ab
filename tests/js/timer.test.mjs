// static/js/timer.js redraws the interviewer panel's per-step split when the duration
// changes; its minutes must read as the server's template renders them (Django's
// widthratio, i.e. Python's round: halves to even). The expected values were printed by
// `{% widthratio seconds 60 1 %}`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { timerFace, wholeMinutes } from "../../static/js/timer.js";

test("whole minutes match Django's widthratio, halves to even", () => {
  const widthratio = {
    0: 0, 29: 0, 30: 0, 31: 1, 89: 1, 90: 2, 91: 2, 107: 2, 150: 2, 200: 3, 210: 4,
    320: 5, 2700: 45, 3570: 60,
  };
  for (const [seconds, minutes] of Object.entries(widthratio)) {
    assert.equal(wholeMinutes(Number(seconds)), minutes, `${seconds} s`);
  }
});

const split = [{ title: "Requirements", seconds: 300 }, { title: "Framing", seconds: 240 }];

test("a clock never started shows its full length, apart from a paused one", () => {
  const idle = timerFace({ duration: 2700, running: false, elapsed: 0, remaining: 2700, split });
  assert.deepEqual(idle, { text: "45:00 · not started", phase: "idle" });
  const paused = timerFace({ duration: 2700, running: false, elapsed: 100, remaining: 2600, split }, 50);
  assert.deepEqual(paused, { text: "Paused · 43:20 left", phase: "paused" });
});

test("a running clock counts down with the step it is time for", () => {
  const state = { duration: 2700, running: true, elapsed: 290, remaining: 2410, split };
  assert.deepEqual(timerFace(state, 0), { text: "40:10 · Requirements", phase: "running" });
  assert.deepEqual(timerFace(state, 20), { text: "39:50 · Framing", phase: "running" });
});

test("past the duration a running clock counts the overtime, and a paused one holds it", () => {
  const state = { duration: 600, running: true, elapsed: 590, remaining: 10, split };
  assert.deepEqual(timerFace(state, 135), { text: "Time is up · +2:05", phase: "over" });
  const paused = { duration: 600, running: false, elapsed: 725, remaining: 0, split };
  assert.deepEqual(timerFace(paused, 999), { text: "Time is up · +2:05, paused", phase: "over" });
});

test("a state from before `elapsed` existed is read from `remaining`", () => {
  const state = { duration: 600, running: false, remaining: 450, split };
  assert.equal(timerFace(state).text, "Paused · 7:30 left");
});
