// Times read in the reader's own time zone, the same way wherever they appear: the
// interview's end in the read-only banner (board.js) and in the Interviewer panel
// (templates/partials/interviewer_end.html), the session report (report.js) and the replay
// (replay.js). The server renders such a time as
// <time datetime="ISO" data-local-time>00:38 UTC</time> (what shows without scripts);
// localizeTimes() rewrites its text to the local time, the full date and zone in its title.
// data-local-time="date" writes the date too, "seconds" the date and the seconds (a page
// that is kept, like the report, or whose edits are seconds apart, like the replay).
// People in different time zones each see their own clock; the title names the zone.

// The locale's short time ("8:38 PM", "20:38"), as the forms below write it beside a date.
const TIME = { timeStyle: "short" };
const FULL = { dateStyle: "medium", timeStyle: "long" };
// What each value of data-local-time writes, beside the plain time ("").
const FORMS = {
  date: { dateStyle: "medium", timeStyle: "short" },
  seconds: { dateStyle: "medium", timeStyle: "medium" },
};

function dateOf(when) {
  const date = when instanceof Date ? when : new Date(when);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * "12:38 AM" (or "00:38", as the locale writes it) for an ISO time or a Date, in the
 * reader's time zone; "" when it is not a time. `locale` and `timeZone` default to the
 * browser's (tests pass them).
 */
export function localTime(when, { locale, timeZone } = {}) {
  const date = dateOf(when);
  return date ? date.toLocaleTimeString(locale ?? [], { ...TIME, timeZone }) : "";
}

/** "3 May 2024, 00:38:00 GMT+2": the date, the time and the zone, for a title. */
export function localDateTime(when, { locale, timeZone } = {}) {
  const date = dateOf(when);
  return date ? date.toLocaleString(locale ?? [], { ...FULL, timeZone }) : "";
}

/**
 * "3 May 2024, 00:38" (`form` "date") or "3 May 2024, 00:38:05" ("seconds") in the
 * reader's zone, as their locale writes it; the plain time for any other form.
 */
export function localStamp(when, form, { locale, timeZone } = {}) {
  const date = dateOf(when);
  if (!date) return "";
  const options = FORMS[form];
  return options ? date.toLocaleString(locale ?? [], { ...options, timeZone }) : localTime(date, { locale, timeZone });
}

/** A <time data-local-time> element for `when`, written as localizeTimes() writes one. */
export function timeElement(when) {
  const el = document.createElement("time");
  el.dateTime = dateOf(when)?.toISOString() ?? "";
  el.dataset.localTime = "";
  el.textContent = localTime(when);
  el.title = localDateTime(when);
  return el;
}

/** Write every <time data-local-time> under `root` in local time (server text kept when
 * its datetime is not a time). */
export function localizeTimes(root = document) {
  for (const el of root.querySelectorAll("time[data-local-time]")) {
    const text = localStamp(el.dateTime, el.dataset.localTime);
    if (!text) continue;
    el.textContent = text;
    el.title = localDateTime(el.dateTime);
  }
}
