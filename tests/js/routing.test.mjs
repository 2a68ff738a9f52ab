// The canvas router (static/js/routing.js) on random small boards, in node: wherever a
// connection is drawn from its real ports (spread along the sides) and lanes, a detour
// (the grid search's path) passes through no card, its own two only at its ends.
// Run: node --test tests/js/   (make test runs it)

import assert from "node:assert/strict";
import { test } from "node:test";

import * as joint from "@joint/core";

globalThis.window = { joint };
const { Router } = await import("../../static/js/routing.js");
const { g } = joint;

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function through(p, q, r) {
  return Math.max(p.x, q.x) > r.x && Math.min(p.x, q.x) < r.x + r.width
    && Math.max(p.y, q.y) > r.y && Math.min(p.y, q.y) < r.y + r.height;
}

function board(seed) {
  const next = random(seed);
  const graph = new joint.dia.Graph();
  const cards = [];
  while (cards.length < 9) {
    const box = new g.Rect(Math.round(next() * 700), Math.round(next() * 500),
      next() < 0.3 ? 20 : 150, next() < 0.3 ? 20 : 60);
    if (cards.some((c) => c.clone().inflate(3).intersect(box))) continue;
    cards.push(box);
  }
  graph.addCells(cards.map((box, i) => new joint.shapes.standard.Rectangle({
    id: `c${i}`, position: { x: box.x, y: box.y }, size: { width: box.width, height: box.height },
  })));
  const links = [];
  for (let k = 0; k < 16; k += 1) {
    const s = Math.floor(next() * cards.length);
    const t = Math.floor(next() * cards.length);
    if (s !== t) links.push(new joint.shapes.standard.Link({ id: `l${k}`, source: { id: `c${s}` }, target: { id: `c${t}` } }));
  }
  graph.addCells(links);
  return { graph, cards, links };
}

test("detours drawn from their ports cross no card on 600 random boards", () => {
  let detours = 0;
  for (let seed = 1; seed <= 600; seed += 1) {
    const { graph, cards, links } = board(seed);
    const router = new Router(graph, null, new Set());
    for (const link of links) {
      const plan = router.plan(link);
      if (!plan || plan.shape !== "path") continue;
      detours += 1;
      const s = graph.getCell(link.source().id);
      const t = graph.getCell(link.target().id);
      const points = router.points(plan, router.port(link, "source"), router.port(link, "target"),
        s.getBBox(), t.getBBox(), router.lane(link));
      cards.forEach((box, i) => {
        const own = `c${i}` === s.id || `c${i}` === t.id;
        for (let k = 1; k < points.length; k += 1) {
          const inner = k > 1 && k < points.length - 1;
          if (own && !inner) continue;
          assert.ok(!through(points[k - 1], points[k], box),
            `seed ${seed}, ${link.id}: ${JSON.stringify(points)} crosses c${i}`);
        }
      });
    }
  }
  assert.ok(detours >= 10, `only ${detours} detours: the boards test too little`);
});
