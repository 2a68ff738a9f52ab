// static/js/timer.js redraws the interviewer panel's per-step split when the duration
// changes; its minutes must read as the server's template renders them (Django's
// widthratio, i.e. Python's round: halves to even). The expected values were printed by
// `{% widthratio seconds 60 1 %}`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { wholeMinutes } from "../../static/js/timer.js";

test("whole minutes match Django's widthratio, halves to even", () => {
  const widthratio = {
    0: 0, 29: 0, 30: 0, 31: 1, 89: 1, 90: 2, 91: 2, 107: 2, 150: 2, 200: 3, 210: 4,
    320: 5, 2700: 45, 3570: 60,
  };
  for (const [seconds, minutes] of Object.entries(widthratio)) {
    assert.equal(wholeMinutes(Number(seconds)), minutes, `${seconds} s`);
  }
});
