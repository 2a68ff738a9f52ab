// A connection's way around the cards when no Z or C shape is clear (routing.js).
//
// Why: the router draws each connection as a Z (three segments between facing sides) or
// a C (around the outside of both cards). On a dense board some pairs have neither
// clear, and the least-bad Z or C ran straight through the cards in between (every case
// study had a few). For those few connections only, this searches a sparse orthogonal
// grid: lines just outside each nearby card's edges and through the two cards' ports,
// the cheapest path by length plus a cost per bend (Dijkstra over grid points and the
// direction of travel). Cheap enough to run on a drag frame: the grid covers only the
// region around the two cards.

const joint = window.joint;
const { g } = joint;

const OUTWARD = { left: [-1, 0], right: [1, 0], top: [0, -1], bottom: [0, 1] };
const SIDES = ["right", "left", "bottom", "top"];
const BEND = 40; // px a bend costs: a longer path with fewer corners reads better
const MARGIN = 160; // px of board searched beyond the two cards
const MAX_LINES = 90; // grid lines per axis; beyond that the search is not tried

function sidePoint(box, side) {
  switch (side) {
    case "left": return new g.Point(box.x, box.y + box.height / 2);
    case "right": return new g.Point(box.x + box.width, box.y + box.height / 2);
    case "top": return new g.Point(box.x + box.width / 2, box.y);
    default: return new g.Point(box.x + box.width / 2, box.y + box.height);
  }
}

/** A tiny binary heap of [cost, ...payload] arrays. */
class Heap {
  constructor() { this.items = []; }

  get size() { return this.items.length; }

  push(item) {
    const { items } = this;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent][0] <= items[i][0]) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  pop() {
    const { items } = this;
    const top = items[0];
    const last = items.pop();
    if (items.length) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && items[l][0] < items[m][0]) m = l;
        if (r < items.length && items[r][0] < items[m][0]) m = r;
        if (m === i) break;
        [items[m], items[i]] = [items[i], items[m]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * The cheapest clear orthogonal path from a side of box `a` to a side of box `b`, or
 * null. `obstacles` are the boxes to keep out of (the two ends included: a path leaves
 * and enters them only through its first and last `stub` px), `clear` the gap kept
 * from every card. Returns { source, target, corners }: the sides, and the corners
 * between the two side points (the first and last are the stubs' ends).
 */
export function detour(a, b, obstacles, { clear, stub }) {
  const region = a.clone().union(b).inflate(MARGIN);
  const near = obstacles.filter((box) => box.intersect(region));
  const keepOut = near.map((box) => box.clone().inflate(clear / 2 - 1));
  const xs = new Set();
  const ys = new Set();
  for (const box of near) {
    xs.add(box.x - clear); xs.add(box.x + box.width + clear);
    ys.add(box.y - clear); ys.add(box.y + box.height + clear);
  }
  const starts = [];
  const goals = new Map(); // "x,y" -> side of b
  for (const side of SIDES) {
    const [dx, dy] = OUTWARD[side];
    const s = sidePoint(a, side).offset(dx * stub, dy * stub);
    const t = sidePoint(b, side).offset(dx * stub, dy * stub);
    xs.add(s.x); ys.add(s.y); xs.add(t.x); ys.add(t.y);
    starts.push({ side, point: s });
    goals.set(`${t.x},${t.y}`, side);
  }
  const X = [...xs].filter((x) => x >= region.x && x <= region.x + region.width).sort((u, v) => u - v);
  const Y = [...ys].filter((y) => y >= region.y && y <= region.y + region.height).sort((u, v) => u - v);
  if (X.length > MAX_LINES || Y.length > MAX_LINES) return null;
  const xi = new Map(X.map((x, i) => [x, i]));
  const yi = new Map(Y.map((y, i) => [y, i]));
  const inside = (x, y) => keepOut.some((r) => x > r.x && x < r.x + r.width && y > r.y && y < r.y + r.height);
  const open = X.map((x) => Y.map((y) => !inside(x, y)));
  // The step between neighbouring grid points is clear if its midpoint is (cards are
  // boxes, and every box edge has a grid line on each side of it).
  const clearStep = (x1, y1, x2, y2) => !inside((x1 + x2) / 2, (y1 + y2) / 2);
  const STEPS = [[1, 0], [-1, 0], [0, 1], [0, -1]];
  const best = new Map();
  const from = new Map();
  const heap = new Heap();
  for (const { side, point } of starts) {
    const i = xi.get(point.x);
    const j = yi.get(point.y);
    if (i === undefined || j === undefined || !open[i][j]) continue;
    const d = STEPS.findIndex(([u, v]) => u === OUTWARD[side][0] && v === OUTWARD[side][1]);
    const key = `${i},${j},${d}`;
    best.set(key, stub);
    from.set(key, { side });
    heap.push([stub, i, j, d]);
  }
  while (heap.size) {
    const [cost, i, j, d] = heap.pop();
    const key = `${i},${j},${d}`;
    if (cost > best.get(key)) continue;
    const target = goals.get(`${X[i]},${Y[j]}`);
    // Arrive moving into the target's side (against its outward direction).
    if (target && STEPS[d][0] === -OUTWARD[target][0] && STEPS[d][1] === -OUTWARD[target][1]) {
      return { target, ...unwind(from, key, X, Y) };
    }
    for (let e = 0; e < 4; e += 1) {
      if (e === (d ^ 1)) continue; // no turning back
      const ni = i + STEPS[e][0];
      const nj = j + STEPS[e][1];
      if (ni < 0 || nj < 0 || ni >= X.length || nj >= Y.length || !open[ni][nj]) continue;
      if (!clearStep(X[i], Y[j], X[ni], Y[nj])) continue;
      const next = cost + Math.abs(X[ni] - X[i]) + Math.abs(Y[nj] - Y[j]) + (e === d ? 0 : BEND);
      const nkey = `${ni},${nj},${e}`;
      if (next < (best.get(nkey) ?? Infinity)) {
        best.set(nkey, next);
        from.set(nkey, { key });
        heap.push([next, ni, nj, e]);
      }
    }
  }
  return null;
}

/** The path's corners (collinear points dropped) and its source side, from the search. */
function unwind(from, key, X, Y) {
  const points = [];
  let at = key;
  let source = null;
  while (at) {
    const [i, j] = at.split(",").map(Number);
    points.push(new g.Point(X[i], Y[j]));
    const step = from.get(at);
    source = step.side || source;
    at = step.key;
  }
  points.reverse();
  const corners = points.filter((p, k) => {
    if (k === 0 || k === points.length - 1) return true;
    const [u, w] = [points[k - 1], points[k + 1]];
    return !((u.x === p.x && p.x === w.x) || (u.y === p.y && p.y === w.y));
  });
  return { source, corners };
}

/**
 * The corners of a detour drawn from port p to port q (which may sit a little along their
 * sides from the side middles it was planned for): the first and last corners move with
 * them, so the first and last segments stay straight out of and into the cards.
 */
export function detourPoints(plan, p, q) {
  const corners = plan.corners.map((c) => new g.Point(c.x, c.y));
  const first = corners[0];
  const last = corners[corners.length - 1];
  const horizontal = (side) => side === "left" || side === "right";
  // Move a corner and the one after (or before) it that shares the moved coordinate.
  const align = (k, step, axis, value) => {
    const old = corners[k][axis];
    for (let m = k; m >= 0 && m < corners.length && corners[m][axis] === old; m += step) corners[m][axis] = value;
  };
  if (horizontal(plan.source)) align(0, 1, "y", p.y); else align(0, 1, "x", p.x);
  if (horizontal(plan.target)) align(corners.length - 1, -1, "y", q.y); else align(corners.length - 1, -1, "x", q.x);
  return [p, ...(first && last ? corners : []), q];
}
