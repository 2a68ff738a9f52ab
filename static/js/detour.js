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

/** The way out of a card through each side (shared with routing.js). */
export const OUTWARD = { left: [-1, 0], right: [1, 0], top: [0, -1], bottom: [0, 1] };
const SIDES = ["right", "left", "bottom", "top"];
const BEND = 40; // px a bend costs: a longer path with fewer corners reads better
const MARGIN = 160; // px of board searched beyond the two cards
const MAX_LINES = 90; // grid lines per axis; beyond that the search is not tried
const MAX_POPS = 8000; // grid states taken from the queue before a search gives up

/** The point of `box` in the middle of `side` (a new point). */
export function sidePoint(box, side) {
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

/** Whether the axis-parallel segment p-q passes through the inside of rect `r`. */
function cuts(p, q, r) {
  return Math.max(p.x, q.x) > r.x && Math.min(p.x, q.x) < r.x + r.width
    && Math.max(p.y, q.y) > r.y && Math.min(p.y, q.y) < r.y + r.height;
}

/**
 * The cheapest clear orthogonal path from a side of box `a` to a side of box `b`, or
 * null. `obstacles` are the boxes to keep out of (the two ends included: a path leaves
 * and enters them only through its first and last `stub` px, which must be clear of the
 * other cards), `clear` the gap kept from every card (half of it on each side of a line,
 * as the router's own check does). Returns { source, target, corners }: the sides, and
 * the corners between the two side points (the first and last are the stubs' ends).
 */
export function detour(a, b, obstacles, { clear, stub }) {
  const region = a.clone().union(b).inflate(MARGIN);
  const near = obstacles.filter((box) => box.intersect(region));
  const keepOut = near.map((box) => box.clone().inflate(clear / 2));
  const others = (own) => keepOut.filter((_, k) => !near[k].equals(own));
  const xs = new Set();
  const ys = new Set();
  for (const box of near) {
    xs.add(box.x - clear); xs.add(box.x + box.width + clear);
    ys.add(box.y - clear); ys.add(box.y + box.height + clear);
  }
  const starts = [];
  const goals = new Map(); // "x,y" -> side of b
  const fromA = others(a);
  const intoB = others(b);
  for (const side of SIDES) {
    const [dx, dy] = OUTWARD[side];
    const sa = sidePoint(a, side);
    const sb = sidePoint(b, side);
    const s = sa.clone().offset(dx * stub, dy * stub);
    const t = sb.clone().offset(dx * stub, dy * stub);
    // A stub runs from the card's edge: usable only if no other card is in its way.
    if (!fromA.some((r) => cuts(sa, s, r))) {
      xs.add(s.x); ys.add(s.y);
      starts.push({ side, point: s });
    }
    if (!intoB.some((r) => cuts(t, sb, r))) {
      xs.add(t.x); ys.add(t.y);
      goals.set(`${t.x},${t.y}`, side);
    }
  }
  if (!starts.length || !goals.size) return null;
  const X = [...xs].filter((x) => x >= region.x && x <= region.x + region.width).sort((u, v) => u - v);
  const Y = [...ys].filter((y) => y >= region.y && y <= region.y + region.height).sort((u, v) => u - v);
  if (X.length > MAX_LINES || Y.length > MAX_LINES) return null;
  const nx = X.length;
  const ny = Y.length;
  const xi = new Map(X.map((x, i) => [x, i]));
  const yi = new Map(Y.map((y, i) => [y, i]));
  const inside = (x, y) => keepOut.some((r) => x > r.x && x < r.x + r.width && y > r.y && y < r.y + r.height);
  // Grid points and the steps between neighbours, tested once each when first reached (a
  // step is clear if its midpoint is: every box edge has a grid line on each side of it).
  const pointState = new Int8Array(nx * ny); // 0 unknown, 1 open, 2 inside a card
  const openAt = (i, j) => {
    const k = i * ny + j;
    if (!pointState[k]) pointState[k] = inside(X[i], Y[j]) ? 2 : 1;
    return pointState[k] === 1;
  };
  const stepState = new Int8Array(nx * ny * 2); // from (i, j): +x and +y steps
  const stepOpen = (i, j, ni, nj) => {
    const [bi, bj, axis] = ni !== i ? [Math.min(i, ni), j, 0] : [i, Math.min(j, nj), 1];
    const k = (bi * ny + bj) * 2 + axis;
    if (!stepState[k]) {
      const mx = axis ? X[bi] : (X[bi] + X[bi + 1]) / 2;
      const my = axis ? (Y[bj] + Y[bj + 1]) / 2 : Y[bj];
      stepState[k] = inside(mx, my) ? 2 : 1;
    }
    return stepState[k] === 1;
  };
  const STEPS = [[1, 0], [-1, 0], [0, 1], [0, -1]];
  const state = (i, j, d) => (i * ny + j) * 4 + d;
  const best = new Float64Array(nx * ny * 4).fill(Infinity);
  const from = new Int32Array(nx * ny * 4).fill(-1);
  const firstSide = new Map(); // start state -> side of a
  const heap = new Heap();
  for (const { side, point } of starts) {
    const i = xi.get(point.x);
    const j = yi.get(point.y);
    if (i === undefined || j === undefined || !openAt(i, j)) continue;
    const d = STEPS.findIndex(([u, v]) => u === OUTWARD[side][0] && v === OUTWARD[side][1]);
    const id = state(i, j, d);
    best[id] = stub;
    firstSide.set(id, side);
    heap.push([stub, i, j, d]);
  }
  for (let pops = 0; heap.size; pops += 1) {
    if (pops > MAX_POPS) return null; // too long a search for one link: give up on it
    const [cost, i, j, d] = heap.pop();
    const id = state(i, j, d);
    if (cost > best[id]) continue;
    const target = goals.get(`${X[i]},${Y[j]}`);
    // Arrive moving into the target's side (against its outward direction).
    if (target && STEPS[d][0] === -OUTWARD[target][0] && STEPS[d][1] === -OUTWARD[target][1]) {
      return { target, ...unwind(from, firstSide, id, X, Y, ny) };
    }
    for (let e = 0; e < 4; e += 1) {
      if (e === (d ^ 1)) continue; // no turning back
      const ni = i + STEPS[e][0];
      const nj = j + STEPS[e][1];
      if (ni < 0 || nj < 0 || ni >= nx || nj >= ny || !openAt(ni, nj) || !stepOpen(i, j, ni, nj)) continue;
      const next = cost + Math.abs(X[ni] - X[i]) + Math.abs(Y[nj] - Y[j]) + (e === d ? 0 : BEND);
      const nid = state(ni, nj, e);
      if (next < best[nid]) {
        best[nid] = next;
        from[nid] = id;
        heap.push([next, ni, nj, e]);
      }
    }
  }
  return null;
}

/** The path's corners (collinear points dropped) and its source side, from the search. */
function unwind(from, firstSide, id, X, Y, ny) {
  const points = [];
  let at = id;
  let source = null;
  while (at >= 0) {
    const cell = Math.floor(at / 4);
    points.push(new g.Point(X[Math.floor(cell / ny)], Y[cell % ny]));
    if (from[at] < 0) source = firstSide.get(at);
    at = from[at];
  }
  points.reverse();
  return { source, corners: straightened(points) };
}

/**
 * The corners of a detour drawn from port p to port q, which may sit a little along their
 * sides from the side middles it was planned from: each stub moves with its port, and
 * where that leaves two corners out of line an elbow is put between them, so every
 * segment stays horizontal or vertical.
 */
export function detourPoints(plan, p, q) {
  const horizontal = (side) => side === "left" || side === "right";
  const corners = plan.corners.map((c) => new g.Point(c.x, c.y));
  if (!corners.length) return [p, q];
  const first = corners[0];
  const last = corners[corners.length - 1];
  // The stubs' ends, moved along the sides as the ports are.
  if (horizontal(plan.source)) first.y = p.y; else first.x = p.x;
  if (corners.length > 1) {
    if (horizontal(plan.target)) last.y = q.y; else last.x = q.x;
  }
  const out = [p];
  let vertical = !horizontal(plan.source); // the direction of the segment into out's last
  for (const point of [...corners, q]) {
    const u = out[out.length - 1];
    if (u.x !== point.x && u.y !== point.y) {
      // Turn from the direction we came in: after a horizontal run, go vertical first.
      out.push(vertical ? new g.Point(point.x, u.y) : new g.Point(u.x, point.y));
      vertical = !vertical;
    }
    const v = out[out.length - 1];
    if (v.x === point.x && v.y === point.y) continue; // no zero-length segment
    vertical = v.x === point.x;
    out.push(point);
  }
  return straightened(out);
}

/** `points` without the corners that lie on a straight line through their neighbours. */
function straightened(points) {
  return points.filter((p, k) => {
    if (k === 0 || k === points.length - 1) return true;
    const [u, w] = [points[k - 1], points[k + 1]];
    return !((u.x === p.x && p.x === w.x) || (u.y === p.y && p.y === w.y));
  });
}

/**
 * The orthogonal polyline through `points` moved `d` px to the left of its direction of
 * travel (to the right for a negative `d`): each segment moves along its own normal, and
 * each corner with both of its segments. Two links drawn along the same path in opposite
 * directions, each moved to its own left, run side by side.
 */
export function sideBySide(points, d) {
  const normals = [];
  for (let k = 1; k < points.length; k += 1) {
    const dx = Math.sign(points[k].x - points[k - 1].x);
    const dy = Math.sign(points[k].y - points[k - 1].y);
    normals.push([dy * d, -dx * d]); // left of (dx, dy) with y pointing down
  }
  return points.map((p, k) => {
    const before = normals[k - 1] || [0, 0];
    const after = normals[k] || [0, 0];
    // A corner takes the horizontal move of its vertical segment and the vertical move
    // of its horizontal one; an end point, its one segment's.
    const x = after[0] || before[0];
    const y = after[1] || before[1];
    return new g.Point(p.x + x, p.y + y);
  });
}
