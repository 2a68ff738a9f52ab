// Writes tests/fixtures/routes.json: boards and the lines the canvas router
// (static/js/routing.js) draws for them, the contract components/routes.py is tested
// against (tests/components/test_routes.py) and routing.js too (tests/js/routes.test.mjs).
// Regenerate after changing the router on purpose:
//   node tests/js/routes-fixture.mjs > tests/fixtures/routes.json

import { readFileSync } from "node:fs";

import * as joint from "@joint/core";

globalThis.window = { joint };
const { Router } = await import("../../static/js/routing.js");

/** A deterministic pseudo-random generator (mulberry32). */
export function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cards on a loose grid with jitter and links mostly between neighbours: lanes, Ls, Cs
 * and searches around the cards all come up. */
function randomBoard(seed, count) {
  const next = random(seed);
  const cols = Math.ceil(Math.sqrt(count));
  const cards = {};
  for (let i = 0; i < count; i += 1) {
    const x = (i % cols) * 210 + Math.round(next() * 40);
    const y = Math.floor(i / cols) * 120 + Math.round(next() * 30);
    cards[`c${i}`] = [x, y, x + 150 + Math.round(next() * 40), y + 56];
  }
  const links = [];
  for (let k = 0; k < count * 1.6; k += 1) {
    const s = Math.floor(next() * count);
    const t = Math.min(count - 1, Math.max(0, s + Math.floor(next() * 2 * cols) - cols));
    if (s !== t) links.push([`l${k}`, `c${s}`, `c${t}`]);
  }
  return { cards, links };
}

export function fromFixture(name) {
  const data = JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8"));
  const cards = Object.fromEntries(Object.entries(data.boxes).map(([id, b]) => [id, [b.x, b.y, b.x + b.width, b.y + b.height]]));
  return { cards, links: data.edges.map((e) => [e.id, e.source, e.target]) };
}

export function routed({ cards, links }) {
  const graph = new joint.dia.Graph();
  graph.addCells(Object.entries(cards).map(([id, [x0, y0, x1, y1]]) => new joint.shapes.standard.Rectangle({
    id, position: { x: x0, y: y0 }, size: { width: x1 - x0, height: y1 - y0 } })));
  graph.addCells(links.map(([id, s, t]) => new joint.shapes.standard.Link({ id, source: { id: s }, target: { id: t } })));
  const router = new Router(graph, null, new Set(), Infinity);
  const lines = {};
  const shapes = {};
  for (const link of graph.getLinks()) {
    lines[link.id] = router.line(link).map((p) => [p.x, p.y]);
    shapes[link.id] = router.plan(link).shape;
  }
  return { lines, shapes };
}

if (process.argv[1] && process.argv[1].endsWith("routes-fixture.mjs")) {
  const boards = [
    { name: "harmful-auto-layout", ...fromFixture("harmful-auto-layout") },
    { name: "ad-click-as-drawn", ...fromFixture("ad-click-as-drawn") },
  ];
  // A review's random board on which lanes followed the order the links arrived in.
  const order = JSON.parse(readFileSync(new URL("./fixtures/order-board.json", import.meta.url), "utf8"));
  boards.push({ name: "lanes-order", ...order });
  for (const [seed, count] of [[1, 12], [2, 20], [3, 30], [4, 30], [5, 45]]) {
    boards.push({ name: `random-${seed}-${count}`, ...randomBoard(seed, count) });
  }
  const out = boards.map((board) => ({ ...board, ...routed(board) }));
  process.stdout.write(`${JSON.stringify({ boards: out })}\n`);
}
