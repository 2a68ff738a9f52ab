// static/js/local-time.js: the interview's end reads in the reader's own time zone, the
// same way in the read-only banner and the Interviewer panel.
import assert from "node:assert/strict";
import { test } from "node:test";

import { localDateTime, localStamp, localTime } from "../../static/js/local-time.js";

const END = "2024-05-03T00:38:00+00:00";

test("a time is written in the reader's zone, as their locale writes it", () => {
  assert.equal(localTime(END, { locale: "en-US", timeZone: "UTC" }), "12:38 AM");
  assert.equal(localTime(END, { locale: "en-GB", timeZone: "UTC" }), "00:38");
  assert.equal(localTime(END, { locale: "en-US", timeZone: "America/New_York" }), "8:38 PM"); // as the locale writes it: no leading zero in en-US
  assert.equal(localTime(END, { locale: "en-GB", timeZone: "Asia/Kolkata" }), "06:08");
  assert.equal(localTime(new Date(END), { locale: "en-GB", timeZone: "UTC" }), "00:38");
});

test("the full form names the date and the zone", () => {
  const full = localDateTime(END, { locale: "en-GB", timeZone: "America/New_York" });
  assert.match(full, /2 May 2024/);
  assert.match(full, /20:38:00/);
  assert.match(full, /EDT|GMT-4/);
});

test("something that is not a time gives nothing", () => {
  assert.equal(localTime("not a time"), "");
  assert.equal(localTime(""), "");
  assert.equal(localDateTime(undefined), "");
});

test("a kept page's times name the date, the replay's the seconds too", () => {
  const at = "2024-05-03T00:38:05.123456+00:00";  // as Django's |date:"c" writes one
  assert.equal(localStamp(at, "date", { locale: "en-GB", timeZone: "UTC" }), "3 May 2024, 00:38");
  assert.equal(localStamp(at, "seconds", { locale: "en-GB", timeZone: "UTC" }), "3 May 2024, 00:38:05");
  assert.equal(localStamp(at, "date", { locale: "en-GB", timeZone: "America/New_York" }), "2 May 2024, 20:38");
  assert.equal(localStamp(at, "", { locale: "en-GB", timeZone: "UTC" }), "00:38");
  assert.equal(localStamp("not a time", "date"), "");
});
