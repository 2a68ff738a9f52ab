// static/js/label-editor.js: a label never loses text silently. A paste that would pass
// the server's limit (catalogue_as_json()["limits"]["label"]) is cut at a word, and the
// notice strip says how much was left out; near the limit it counts the characters.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fitPaste, labelNotice } from "../../static/js/label-editor.js";

const MAX = 200;
const words = (n) => Array.from({ length: n }, (_, i) => `word${i % 10}`).join(" ");

test("a paste that fits goes in whole, at the caret or over the selection", () => {
  assert.deepEqual(fitPaste("Feature store", 8, 8, "online ", MAX),
    { value: "Feature online store", caret: 15, dropped: 0 });
  assert.deepEqual(fitPaste("Feature store", 0, 7, "Vector", MAX),
    { value: "Vector store", caret: 6, dropped: 0 });
});

test("a 208-character paste is cut at the last word that fits, never mid-word", () => {
  const pasted = words(35).slice(0, 208); // "word0 word1 ... " cut to 208 characters
  assert.equal(pasted.length, 208);
  const fitted = fitPaste("", 0, 0, pasted, MAX);
  assert.ok(fitted.value.length <= MAX);
  assert.ok(pasted.startsWith(fitted.value));
  assert.match(fitted.value, /word\d$/); // ends on a whole word
  assert.equal(pasted[fitted.value.length], " ");
  assert.equal(fitted.dropped, 208 - fitted.value.length);
  assert.equal(fitted.caret, fitted.value.length);
});

test("the room left is what the selection frees plus what the field does not use", () => {
  const start = "x".repeat(192); // room for 8: "alpha be" is cut back to "alpha"
  const fitted = fitPaste(start, 192, 192, "alpha beta gamma", MAX);
  assert.equal(fitted.value, `${start}alpha`);
  assert.equal(fitted.dropped, "alpha beta gamma".length - "alpha".length);
  const full = fitPaste("x".repeat(MAX), 10, 10, "more", MAX);
  assert.deepEqual(full, { value: "x".repeat(MAX), caret: 10, dropped: 4 });
});

test("one long word is cut where the limit falls; a surrogate pair is never split", () => {
  const fitted = fitPaste("", 0, 0, "a".repeat(250), MAX);
  assert.equal(fitted.value, "a".repeat(MAX));
  assert.equal(fitted.dropped, 50);
  const emoji = fitPaste("x".repeat(199), 199, 199, "😀😀", MAX);
  assert.equal(emoji.value, "x".repeat(199));
  assert.equal(emoji.dropped, 4);
});

test("line breaks in a paste become spaces, as the label is one line", () => {
  assert.equal(fitPaste("", 0, 0, "Feature\r\nstore\n", MAX).value, "Feature store ");
});

test("the notice counts near the limit and says what a paste left out", () => {
  assert.equal(labelNotice(120, MAX, 0), null);
  assert.deepEqual(labelNotice(185, MAX, 0), { text: "185/200 characters", kind: "info" });
  assert.deepEqual(labelNotice(200, MAX, 0),
    { text: "200/200 characters: a label holds at most 200.", kind: "warning" });
  const cut = labelNotice(196, MAX, 12);
  assert.equal(cut.kind, "warning");
  assert.match(cut.text, /cut to fit/);
  assert.match(cut.text, /12 characters were left out/);
  assert.match(cut.text, /196\/200/);
  assert.match(labelNotice(199, MAX, 1).text, /1 character was left out/);
});
