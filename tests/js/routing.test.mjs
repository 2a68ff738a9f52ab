// The canvas router (static/js/routing.js) on random small boards, in node: wherever a
// connection is drawn from its real ports (spread along the sides) and lanes, a detour
// (the grid search's path) passes through no card, its own two only at its ends.
// Run: node --test tests/js/   (make test runs it)

import assert from "node:assert/strict";
import { test } from "node:test";

import * as joint from "@joint/core";

globalThis.window = { joint };
const { Router } = await import("../../static/js/routing.js");
const { detourPoints, sidePoint } = await import("../../static/js/detour.js");
const { g } = joint;

const { random } = await import("./routes-fixture.mjs"); // mulberry32, seeded

function through(p, q, r) {
  return Math.max(p.x, q.x) > r.x && Math.min(p.x, q.x) < r.x + r.width
    && Math.max(p.y, q.y) > r.y && Math.min(p.y, q.y) < r.y + r.height;
}

function board(seed, size = 9, count = 16, width = 700, height = 500) {
  const next = random(seed);
  const graph = new joint.dia.Graph();
  const cards = [];
  while (cards.length < size) {
    const box = new g.Rect(Math.round(next() * width), Math.round(next() * height),
      next() < 0.3 ? 20 : 150, next() < 0.3 ? 20 : 60);
    if (cards.some((c) => c.clone().inflate(3).intersect(box))) continue;
    cards.push(box);
  }
  graph.addCells(cards.map((box, i) => new joint.shapes.standard.Rectangle({
    id: `c${i}`, position: { x: box.x, y: box.y }, size: { width: box.width, height: box.height },
  })));
  const links = [];
  for (let k = 0; k < count; k += 1) {
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
    const router = new Router(graph, null, new Set(), Infinity);
    for (const link of links) {
      const plan = router.plan(link);
      if (!plan || plan.shape !== "path") continue;
      detours += 1;
      const s = graph.getCell(link.source().id);
      const t = graph.getCell(link.target().id);
      const points = router.line(link);
      assert.deepEqual(points[0], router.port(link, "source"));
      assert.deepEqual(points[points.length - 1], router.port(link, "target"));
      for (let k = 1; k < points.length; k += 1) {
        const [p, q] = [points[k - 1], points[k]];
        assert.ok((p.x === q.x) !== (p.y === q.y), `seed ${seed}, ${link.id}: segment ${k} is `
          + `diagonal or of zero length: ${JSON.stringify(points)}`);
      }
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

test("two detours between the same cards, one each way, run side by side", () => {
  // A wall between A and B, too tall for a C: A->B and B->A both go around it, on the
  // same search path.
  const graph = new joint.dia.Graph();
  const rect = (id, x, y, width, height) => new joint.shapes.standard.Rectangle({
    id, position: { x, y }, size: { width, height } });
  graph.addCells([rect("a", 0, 100, 150, 60), rect("b", 400, 100, 150, 60), rect("wall", 230, -40, 60, 340)]);
  const there = new joint.shapes.standard.Link({ id: "there", source: { id: "a" }, target: { id: "b" } });
  const back = new joint.shapes.standard.Link({ id: "back", source: { id: "b" }, target: { id: "a" } });
  graph.addCells([there, back]);
  const router = new Router(graph, null, new Set(), Infinity);
  assert.equal(router.plan(there).shape, "path");
  assert.equal(router.plan(back).shape, "path");
  const [one, other] = [router.line(there), router.line(back)];
  // No stretch of one runs on the other: every pair of parallel segments is apart.
  for (let i = 1; i < one.length; i += 1) {
    for (let k = 1; k < other.length; k += 1) {
      const [p, q, u, v] = [one[i - 1], one[i], other[k - 1], other[k]];
      const vertical = p.x === q.x && u.x === v.x && p.x === u.x;
      const horizontal = p.y === q.y && u.y === v.y && p.y === u.y;
      if (vertical) {
        assert.ok(Math.max(p.y, q.y) <= Math.min(u.y, v.y) || Math.max(u.y, v.y) <= Math.min(p.y, q.y),
          `both run along x=${p.x}`);
      }
      if (horizontal) {
        assert.ok(Math.max(p.x, q.x) <= Math.min(u.x, v.x) || Math.max(u.x, v.x) <= Math.min(p.x, q.x),
          `both run along y=${p.y}`);
      }
    }
  }
  // ...and neither passes through the wall.
  const wall = graph.getCell("wall").getBBox();
  for (const points of [one, other]) {
    for (let k = 1; k < points.length; k += 1) assert.ok(!through(points[k - 1], points[k], wall));
  }
});

// Two case studies as the canvas placed their cards. Before lanes covered C shapes beside
// Z middles (and each other across nearby lines), two pairs of the laid-out harmful-content
// reference ran on one line for 150-360 px; before detours sharing a side were spread,
// two of the ad-click reference's left one card from one point and ran together for
// 180 px. (Stretches under 20 px, where a port's stub meets a short Z between
// neighbouring columns, are not covered yet.)
for (const name of ["harmful-auto-layout", "ad-click-as-drawn"]) test(`no two connections share a stretch of line: ${name}`, async () => {
  const { readFile } = await import("node:fs/promises");
  const fixture = JSON.parse(await readFile(new URL(`./fixtures/${name}.json`, import.meta.url)));
  const graph = new joint.dia.Graph();
  graph.addCells(Object.entries(fixture.boxes).map(([id, b]) => new joint.shapes.standard.Rectangle({
    id, position: { x: b.x, y: b.y }, size: { width: b.width, height: b.height } })));
  graph.addCells(fixture.edges.map((e) => new joint.shapes.standard.Link({
    id: e.id, source: { id: e.source }, target: { id: e.target } })));
  const router = new Router(graph, null, new Set(), Infinity);
  const lines = graph.getLinks().map((link) => [link.id, router.line(link)]);
  const shared = [];
  for (let i = 0; i < lines.length; i += 1) {
    for (let j = i + 1; j < lines.length; j += 1) {
      if (sharedStretch(lines[i][1], lines[j][1]) >= 20) shared.push(`${lines[i][0]}/${lines[j][0]}`);
    }
  }
  assert.deepEqual(shared, []);
});

/** The longest stretch two orthogonal polylines run along one line (within 2 px). */
function sharedStretch(one, other) {
  let longest = 0;
  for (let i = 1; i < one.length; i += 1) {
    for (let k = 1; k < other.length; k += 1) {
      const [p, q, u, v] = [one[i - 1], one[i], other[k - 1], other[k]];
      if (p.x === q.x && u.x === v.x && Math.abs(p.x - u.x) < 2) {
        longest = Math.max(longest, Math.min(Math.max(p.y, q.y), Math.max(u.y, v.y)) - Math.max(Math.min(p.y, q.y), Math.min(u.y, v.y)));
      }
      if (p.y === q.y && u.y === v.y && Math.abs(p.y - u.y) < 2) {
        longest = Math.max(longest, Math.min(Math.max(p.x, q.x), Math.max(u.x, v.x)) - Math.max(Math.min(p.x, q.x), Math.min(u.x, v.x)));
      }
    }
  }
  return longest;
}

test("on dense boards every line keeps its shape and moves into no card", () => {
  // 40 cards and 80 links on 900 x 700 px: lanes, spread detours and their steps off
  // other lines are all in play (an independent review found a U-turn flipped by a spread,
  // a detour stepped into its own card and a lane moved into a card it passed, on such
  // boards; none on the 9-card ones).
  let moved = 0;
  for (let seed = 1; seed <= 60; seed += 1) {
    const { graph, cards, links } = board(seed, 40, 80, 900, 700);
    const router = new Router(graph, null, new Set(), Infinity);
    for (const link of links) {
      const plan = router.plan(link);
      if (!plan) continue;
      const s = graph.getCell(link.source().id);
      const t = graph.getCell(link.target().id);
      const points = router.line(link);
      const where = `seed ${seed}, ${link.id}: ${JSON.stringify(points.map((p) => [p.x, p.y]))}`;
      assert.deepEqual(points[0], router.port(link, "source"), where);
      assert.deepEqual(points[points.length - 1], router.port(link, "target"), where);
      // The same plan unmoved: a detour's search line, a Z or C with no lane. A moved line
      // turns the same ways (every segment keeps its direction and a length).
      const plain = plan.shape === "path"
        ? detourPoints(plan, sidePoint(s.getBBox(), plan.source), sidePoint(t.getBBox(), plan.target))
        : router.points(plan, router.port(link, "source"), router.port(link, "target"), s.getBBox(), t.getBBox(), 0);
      assert.equal(points.length, plain.length, where);
      for (let k = 1; k < points.length; k += 1) {
        const dir = (a, b) => [Math.sign(b.x - a.x), Math.sign(b.y - a.y)];
        assert.deepEqual(dir(points[k - 1], points[k]), dir(plain[k - 1], plain[k]), `${where}: segment ${k} turned`);
        if (plan.shape === "path") {
          assert.ok((points[k - 1].x === points[k].x) !== (points[k - 1].y === points[k].y),
            `${where}: segment ${k} diagonal or of zero length`);
        }
      }
      const crossed = (line) => new Set(cards.flatMap((box, i) => {
        const own = `c${i}` === s.id || `c${i}` === t.id;
        return line.some((q, k) => k > 0 && (!own || (k > 1 && k < line.length - 1)) && through(line[k - 1], q, box)) ? [`c${i}`] : [];
      }));
      const before = crossed(plain);
      for (const id of crossed(points)) assert.ok(before.has(id), `${where} now crosses ${id}`);
      if (JSON.stringify(plain) !== JSON.stringify(points)) moved += 1;
    }
  }
  assert.ok(moved >= 50, `only ${moved} lines moved: the boards test too little`);
});

test("on dense boards a line runs through its own cards only at its ends", () => {
  // A C whose ports are level went out through its target and back along one line, and
  // a Z's middle could cross its own cards: the plan's check left the link's own cards
  // out of every segment. Now they count past the segment that leaves or enters each.
  // (41 such lines on these boards before, 1 now.)
  let own = 0;
  for (let seed = 1; seed <= 60; seed += 1) {
    const { graph, links } = board(seed, 40, 80, 900, 700);
    const router = new Router(graph, null, new Set(), Infinity);
    for (const link of links) {
      const points = router.line(link);
      const s = graph.getCell(link.source().id).getBBox();
      const t = graph.getCell(link.target().id).getBBox();
      own += points.some((q, k) => k > 0 && ((k > 1 && through(points[k - 1], q, s))
        || (k < points.length - 1 && through(points[k - 1], q, t)))) ? 1 : 0;
    }
  }
  assert.ok(own <= 1, `${own} lines run through their own source or target`);
});
