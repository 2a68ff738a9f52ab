// static/js/connections.js (what the editor offers and why it refuses) against the server:
// tests/fixtures/connections.json holds components/catalogue.py's connection_refusal for
// every pair of types, tests/fixtures/catalogue.json the catalogue JSON the page embeds
// (both written by `python -m tests.op_fixtures`; pytest checks they are fresh).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { connectionRefusal, nodeName, typeRefusal } from "../../static/js/connections.js";
import { fromBoard } from "../../static/js/doc.js";

const read = (name) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8"));
const catalogue = read("catalogue.json");
const verdicts = read("connections.json");

test("every pair of types: the editor allows exactly what the server allows", () => {
  let pairs = 0;
  for (const [source, targets] of Object.entries(verdicts)) {
    for (const [target, refusal] of Object.entries(targets)) {
      pairs += 1;
      const ours = typeRefusal(catalogue, source, target);
      if (refusal === null) assert.equal(ours, "", `${source} -> ${target} is allowed`);
      else assert.notEqual(ours, "", `${source} -> ${target}: the server says ${refusal}`);
    }
  }
  assert.ok(pairs > 1000, `only ${pairs} pairs`);
});

test("a refusal gives the server's hint for the pair of categories", () => {
  let hinted = 0;
  for (const [source, targets] of Object.entries(verdicts)) {
    for (const [target, refusal] of Object.entries(targets)) {
      const hint = catalogue.refusal_hints[
        `${catalogue.types[source].category}>${catalogue.types[target].category}`];
      if (refusal === null || !hint) continue;
      hinted += 1;
      assert.ok(refusal.endsWith(`: ${hint}`), refusal);
      assert.equal(typeRefusal(catalogue, source, target),
        `${catalogue.types[source].title} cannot connect to ${catalogue.types[target].title}: ${hint}.`);
    }
  }
  assert.ok(hinted > 0, "no pair of the fixtures carries a hint");
});

test("on a board: gone, to itself, and already connected come first", () => {
  const view = fromBoard(read("ops/add_edge.json").before);
  assert.equal(connectionRefusal(catalogue, view, "app", "ghost"), "That component no longer exists.");
  assert.equal(connectionRefusal(catalogue, view, "gw", "gw"), "A component cannot connect to itself.");
  assert.equal(connectionRefusal(catalogue, view, "app", "gw"), "Mobile app is already connected to API gateway.");
  assert.equal(connectionRefusal(catalogue, view, "memo", "fs"), "");
});

test("a component is named by its label, else its type's title, never its id", () => {
  assert.equal(nodeName(catalogue, { id: "n1", type: "feature_store", label: "Feast" }), "Feast");
  assert.equal(nodeName(catalogue, { id: "n1", type: "feature_store", label: "" }), "Feature store");
  assert.equal(nodeName(catalogue, { id: "n1", type: "no_such_type", label: "" }), "no_such_type");
  assert.equal(nodeName(catalogue, { id: "n1", type: "feature_store", label: "   " }), "Feature store");
});
