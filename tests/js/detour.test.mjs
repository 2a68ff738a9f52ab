// The detour search (static/js/detour.js) on tiny hand-built boards: the way around a
// wall, none when a card is boxed in, and the drawn path's ends kept straight when the
// ports move along their sides. Run: node --test tests/js/   (make test runs it)

import assert from "node:assert/strict";
import { test } from "node:test";

import * as joint from "@joint/core";

globalThis.window = { joint }; // what the page provides (the script tag of @joint/core)
const { detour, detourPoints } = await import("../../static/js/detour.js");
const { g } = joint;

const OPTIONS = { clear: 10, stub: 22 };
const box = (x, y, width, height) => new g.Rect(x, y, width, height);

function sidePoint(b, side) {
  return {
    left: new g.Point(b.x, b.y + b.height / 2),
    right: new g.Point(b.x + b.width, b.y + b.height / 2),
    top: new g.Point(b.x + b.width / 2, b.y),
    bottom: new g.Point(b.x + b.width / 2, b.y + b.height),
  }[side];
}

/** The whole drawn path: source side point, corners, target side point. */
function drawn(a, b, found) {
  return [sidePoint(a, found.source), ...found.corners, sidePoint(b, found.target)];
}

/** Whether segment p-q passes through the inside of `r`. */
function through(p, q, r) {
  return Math.max(p.x, q.x) > r.x && Math.min(p.x, q.x) < r.x + r.width
    && Math.max(p.y, q.y) > r.y && Math.min(p.y, q.y) < r.y + r.height;
}

function assertOrthogonal(points) {
  for (let i = 1; i < points.length; i += 1) {
    const [p, q] = [points[i - 1], points[i]];
    assert.ok(p.x === q.x || p.y === q.y, `segment ${JSON.stringify([p, q])} is diagonal`);
  }
}

test("goes around a wall between the two cards, touching no card", () => {
  const a = box(0, 0, 100, 50);
  const b = box(400, 0, 100, 50);
  const wall = box(200, -100, 50, 250);
  const found = detour(a, b, [a, b, wall], OPTIONS);
  assert.ok(found, "a way around exists");
  const points = drawn(a, b, found);
  assertOrthogonal(points);
  for (let i = 1; i < points.length; i += 1) {
    assert.ok(!through(points[i - 1], points[i], wall), "crosses the wall");
    if (i > 1) assert.ok(!through(points[i - 1], points[i], a), "goes back through its source");
    if (i < points.length - 1) assert.ok(!through(points[i - 1], points[i], b), "crosses its target");
  }
});

test("takes the short way when nothing is in between", () => {
  const a = box(0, 0, 100, 50);
  const b = box(300, 0, 100, 50);
  const found = detour(a, b, [a, b], OPTIONS);
  assert.equal(found.source, "right");
  assert.equal(found.target, "left");
  assertOrthogonal(drawn(a, b, found));
});

test("finds nothing when the target is boxed in", () => {
  const a = box(0, 0, 100, 50);
  const b = box(400, 0, 100, 50);
  const walls = [box(360, -40, 180, 20), box(360, 70, 180, 20), box(360, -40, 20, 130), box(520, -40, 20, 130)];
  assert.equal(detour(a, b, [a, b, ...walls], OPTIONS), null);
});

test("the drawn ends stay straight when the ports move along their sides", () => {
  const a = box(0, 0, 100, 50);
  const b = box(400, 0, 100, 50);
  const wall = box(200, -100, 50, 250);
  const found = detour(a, b, [a, b, wall], OPTIONS);
  const plan = { ...found, shape: "path" };
  const across = found.source === "right" || found.source === "left";
  const shifted = across ? sidePoint(a, found.source).offset(0, 8) : sidePoint(a, found.source).offset(8, 0);
  const q = sidePoint(b, found.target);
  const points = detourPoints(plan, shifted, q);
  assert.deepEqual(points[0], shifted);
  assert.deepEqual(points[points.length - 1], q);
  assertOrthogonal(points);
});

test("a straight detour drawn between ports at different heights gets an elbow, no diagonal", () => {
  const straight = { source: "right", target: "left", shape: "path", corners: [{ x: 122, y: 28 }, { x: 378, y: 28 }] };
  assertOrthogonal(detourPoints(straight, new g.Point(100, 20), new g.Point(400, 36)));
  const one = { source: "right", target: "left", shape: "path", corners: [{ x: 122, y: 28 }] };
  assertOrthogonal(detourPoints(one, new g.Point(100, 20), new g.Point(144, 36)));
  // A card 4 px under the straight line: the search's path, drawn from spread ports.
  const a = box(0, 0, 100, 56);
  const b = box(400, 0, 100, 56);
  const under = box(200, 32, 60, 40);
  const found = detour(a, b, [a, b, under], OPTIONS);
  assert.ok(found);
  const points = detourPoints({ ...found, shape: "path" }, sidePoint(a, found.source).offset(0, -8),
    sidePoint(b, found.target).offset(0, 8));
  assertOrthogonal(points);
});

test("a stub is never drawn through a card next to its own", () => {
  const a = box(0, 0, 100, 56);
  const b = box(400, 0, 100, 56);
  const small = box(104, 20, 10, 10); // 4 px off a's right side, on its middle
  const found = detour(a, b, [a, b, small], OPTIONS);
  assert.ok(found);
  assert.notEqual(found.source, "right");
  const points = drawn(a, b, found);
  for (let i = 1; i < points.length; i += 1) assert.ok(!through(points[i - 1], points[i], small));
});

test("a detour drawn from a port on its first corner has no zero-length or collinear corner", () => {
  const plan = { source: "right", target: "left", shape: "path", corners: [{ x: 122, y: 28 }, { x: 378, y: 28 }] };
  const points = detourPoints(plan, new g.Point(122, 28), new g.Point(400, 28));
  assert.deepEqual(points.map((p) => [p.x, p.y]), [[122, 28], [400, 28]]);
});
