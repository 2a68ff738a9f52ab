// The browser's cards (static/js/cards.js) against the expected geometry in
// tests/fixtures/cards.json, which components/cards.py is tested against too, with the
// card data of the catalogue JSON the page embeds (tests/fixtures/catalogue.json).
// Run: node --test tests/js/   (make test runs it)

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { Cards } from "../../static/js/cards.js";

const read = (name) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8"));
const config = read("catalogue.json").cards;
const fixture = read("cards.json");
const cards = new Cards(config);

for (const [i, c] of fixture.cases.entries()) {
  test(`case ${i}: ${JSON.stringify(c.label).slice(0, 50)} (${c.type})`, () => {
    const got = cards.geometry(c.label, c.type_title, c.note);
    assert.deepEqual(got, c.expected);
  });
}

test("the cache gives the same answer", () => {
  const a = cards.geometry("Click/impression joiner (Flink)", "Stream processor");
  const b = cards.geometry("Click/impression joiner (Flink)", "Stream processor");
  assert.equal(a, b);
  assert.ok(a.lines.length <= 2 && !a.truncated);
});
