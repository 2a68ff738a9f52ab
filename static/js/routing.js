// How connections are drawn between components: orthogonal, leaving and entering each card
// on the side that faces the other end, spread over that side (ports) so that two
// connections never share an end point (A->B and B->A run side by side), with the middle
// segments of parallel connections in lanes of their own, and never through a card.
//
// The plan of a connection (which side it leaves and enters, and the shape of its path) is
// made from the cards' boxes and the other connections' plans, the same for every client:
//   1. the candidates (planCandidates): the facing sides joined by a "Z" (out, along a
//      lane, in), its middle moved across the corridor in steps; the other pair of facing
//      sides; an "L" from a side into the top or bottom of the other card (or the other
//      way); a "C" around the outside of both cards, on each side, further out in steps;
//   2. of those clear of the cards, the cheapest by length, bends, and the other plans it
//      crosses or runs along (Router.choose): planned for the whole board at once, the
//      shortest connections first, then each once more against all the others
//      (Router.planAll);
//   3. if none is clear, a search around the cards (detour.js), else the candidate through
//      the fewest cards. (JointJS's manhattan search was tried: it measures the cards in
//      the DOM and cost seconds on big boards.)
// The ports on a side are in the order the paths lie side by side where they part
// (sideOrder), and lines sharing a corridor take lanes in the order their turns do not
// cross (laneOrder). On the 13 boards of bench/layout.py, the first clear shape, ports in
// the order of the far ends and lanes by their spans drew 441 crossings; this draws 227
// (196 on the layout as it is now, docs/benchmarks.md).
// Cards are looked up in a spatial index (a grid of 256 px buckets), rebuilt only when the
// board's geometry is settled (a render, a drop): while a card is dragged, only its own
// connections are routed again (JointJS does that), against the index plus the cards in
// motion; every connection is routed again once, on the drop (canvas.js calls settle()).
//
// canvas.js gives the paper routerNamespace/anchorNamespace/connectionPointNamespace and
// the defaults below, and keeps a Router for its graph.

import { CrossingIndex } from "./crossings.js";
import { detour, detourPoints, OUTWARD, sideBySide, sidePoint } from "./detour.js";

const joint = window.joint;
const { g } = joint;

// Gap kept between a path and the cards it passes, and the length of the stub by which a
// path leaves a card before turning.
const CLEAR = 10;
const STUB = 22;
// Ports on one side are this far apart (a pair must read as two lines), lanes this far.
const PORT_GAP = 16;
const LANE_GAP = 10;
// Closest a detour moved off its search's line (see makeDetourShifts, makeNudges) may pass a
// card: a line nearer than that reads as touching it.
const NEAR = 7;
const BUCKET = 256;
const SEARCH_BUDGET = 40; // ms of detour searches per settled geometry (see Router.detour)
const MAX_RETRIES = 5; // settles in a row for the searches put off by the budget
// What a path's crossing of another costs, in px of length, a bend, and each px it runs
// along another path (see choose); passes of planAll over the board.
const CROSSING_COST = 300;
const BEND_COST = 20;
const ALONG_COST = 1;
const PLAN_PASSES = 2;
const SECOND_PASS_LIMIT = 400; // links: bigger boards plan once (1,000 cards: 0.24 s, not 0.38)

export const ROUTER = { name: "lanes" };
export const ANCHOR = { name: "port" };
export const CONNECTION_POINT = { name: "anchor" };
export const CONNECTOR = { name: "rounded", args: { radius: 6 } };

const HORIZONTAL = { left: true, right: true };

/** A uniform grid of the cards' boxes, to find the cards near a segment quickly. Buckets
 * are keyed by number and a query marks what it returned (`stamp`) instead of building a
 * set: the lanes ask it thousands of times per settled board. */
class SpatialIndex {
  constructor(elements, skip) {
    this.buckets = new Map();
    this.stamp = 0;
    for (const element of elements) {
      if (skip.has(element.id)) continue;
      const box = element.getBBox();
      const entry = { id: element.id, box, seen: 0 };
      for (let i = Math.floor(box.x / BUCKET); i <= Math.floor((box.x + box.width) / BUCKET); i += 1) {
        for (let j = Math.floor(box.y / BUCKET); j <= Math.floor((box.y + box.height) / BUCKET); j += 1) {
          const key = bucketKey(i, j);
          let list = this.buckets.get(key);
          if (!list) this.buckets.set(key, (list = []));
          list.push(entry);
        }
      }
    }
  }

  /** Entries whose box may meet `rect`, each once. */
  near(rect) {
    const out = [];
    const stamp = (this.stamp += 1);
    for (let i = Math.floor(rect.x / BUCKET); i <= Math.floor((rect.x + rect.width) / BUCKET); i += 1) {
      for (let j = Math.floor(rect.y / BUCKET); j <= Math.floor((rect.y + rect.height) / BUCKET); j += 1) {
        for (const entry of this.buckets.get(bucketKey(i, j)) || []) {
          if (entry.seen === stamp) continue;
          entry.seen = stamp;
          out.push(entry);
        }
      }
    }
    return out;
  }
}

/** One number per bucket (column, row); boards stay far inside +-2^20 buckets. */
function bucketKey(i, j) {
  return (i + 1048576) * 2097152 + (j + 1048576);
}

/** The bounding box of the axis-parallel segment a-b, thickened by `pad`. */
function segmentRect(a, b, pad) {
  return new g.Rect(Math.min(a.x, b.x) - pad, Math.min(a.y, b.y) - pad,
    Math.abs(a.x - b.x) + 2 * pad, Math.abs(a.y - b.y) + 2 * pad);
}

/**
 * The routing state of one graph: the spatial index, each connection's plan (cached
 * until the geometry changes), and the lanes.
 */
export class Router {
  /**
   * @param {joint.dia.Graph} graph
   * @param {joint.dia.Paper} paper
   * @param {Set<string>} moving ids of the cards being dragged (their boxes change every
   *   frame: never cached, never indexed)
   * @param {number} budget ms of detour searches per settled geometry (tests: Infinity, so
   *   that what is drawn does not depend on the machine's speed)
   */
  constructor(graph, paper, moving, budget = SEARCH_BUDGET) {
    this.graph = graph;
    this.paper = paper;
    this.moving = moving;
    this.budget = budget;
    this.epoch = 0;
    this.index = null;
    this.planned = null; // {epoch, byLink: Map(link id -> plan), index: their paths} (planAll)
    this.portOrders = null; // {epoch, bySide: Map("card side" -> users in port order)}
    this.movingSince = -1; // the epoch at which the cards in `moving` began to move
    this.alone = new Map(); // link id -> {key, plan}: links planned outside planAll
    this.lanes = null; // {epoch, byLink: Map(link id -> offset)}
    this.shifts = null; // {epoch, byLink: Map(link id -> offset)} of detours (makeDetourShifts)
    this.nudges = null; // {epoch, byLink: Map(link id -> points)} of detours (makeNudges)
    this.stats = { plans: 0 };
    this.detours = new Map(); // link id -> {key: the boxes around it, plan} (see detour)
    this.searched = { epoch: -1, ms: 0 };
    this.retries = 0; // settles in a row run again for searches the budget put off
    graph.on("add remove change:source change:target", () => this.invalidate());
    graph.on("remove", (cell) => {
      this.detours.delete(cell.id);
      this.alone.delete(cell.id);
    });
  }

  /** The geometry changed (a render, a drop): plans, index and lanes are made again. */
  invalidate() {
    this.epoch += 1;
    this.index = null;
  }

  /** Cards start moving (their ids are in `moving`): the geometry changes, and the links
   * that stay keep their plans while nothing else changes (see plan). */
  startMoving() {
    this.invalidate();
    this.movingSince = this.epoch;
  }

  /** Route every connection again (after a drop or a render that moved cards). */
  settle(retrying = false) {
    if (!retrying) this.retries = 0;
    this.invalidate();
    const { paper } = this;
    for (const link of this.graph.getLinks()) {
      if (link.get("temp")) continue;
      const view = paper.findViewByModel(link);
      if (view) view.requestConnectionUpdate();
    }
  }

  spatial() {
    if (!this.index) this.index = new SpatialIndex(this.graph.getElements(), this.moving);
    return this.index;
  }

  /** True when the axis-parallel segment a-b passes through a card other than `ends`
   * (or within `pad` px of one). */
  blocked(a, b, ends, pad = CLEAR / 2) {
    const line = segmentRect(a, b, 0);
    const hit = (box, id) => !ends.includes(id) && meets(box, line, pad);
    for (const { id, box } of this.spatial().near(segmentRect(a, b, pad))) if (hit(box, id)) return true;
    for (const id of this.moving) {
      const cell = this.graph.getCell(id);
      if (cell && hit(cell.getBBox(), id)) return true;
    }
    return false;
  }

  /** The boxes of the cards `rect` overlaps. */
  boxesUnder(rect) {
    const boxes = [];
    for (const { box } of this.spatial().near(rect)) if (box.intersect(rect)) boxes.push(box);
    return boxes;
  }

  /** How many cards `rect` overlaps. */
  cardsUnder(rect) {
    return this.boxesUnder(rect).length;
  }

  /** How many segments of the path pass through a card (counting stops at `enough`). */
  hits(points, ends, enough = Infinity, pad = CLEAR / 2) {
    const [source, target] = ends.map((id) => {
      const cell = this.graph.getCell(id);
      return cell ? cell.getBBox() : null;
    });
    let count = 0;
    for (let i = 1; i < points.length && count < enough; i += 1) {
      const [a, b] = [points[i - 1], points[i]];
      if (this.blocked(a, b, ends, pad)) {
        count += 1;
        continue;
      }
      // Its own two cards (`ends`: source, target) count too, past the segment that
      // leaves or enters each: a C whose ports are level would otherwise run out through
      // its target and back along one line.
      const line = segmentRect(a, b, 0);
      if ((i > 1 && source && cutsBox(line, source)) || (i < points.length - 1 && target && cutsBox(line, target))) {
        count += 1;
      }
    }
    return count;
  }

  /**
   * Which sides a connection leaves and enters, and its shape ("z", "l", "c" or a searched
   * "path", and how far a Z's middle is moved: `shift`): from the two cards' boxes and the
   * paths planned for the other connections (see planAll), without ports or lanes.
   */
  plan(link) {
    const s = this.graph.getCell(link.source().id);
    const t = this.graph.getCell(link.target().id);
    if (!s || !t) return null;
    const fresh = !this.moving.has(s.id) && !this.moving.has(t.id);
    if (fresh && !link.get("temp")) {
      // While cards move, the links that stay keep the plans of the last settled board
      // (planning the whole board again on a drag's first frame cost 0.1-0.25 s at 1,000
      // cards), unless something else changed since the move began (someone else's
      // edit: then the board is planned again, the moving links left out); the drop
      // plans everything again.
      const keep = this.moving.size && this.planned && this.epoch === this.movingSince;
      const kept = (keep ? this.planned : this.planAll()).byLink.get(link.id);
      if (kept) return kept;
    }
    // Dragged, being drawn or added since: planned alone, against the others' paths,
    // once for each place of its two cards (a frame asks for it several times).
    const a = s.getBBox();
    const b = t.getBBox();
    const key = `${this.epoch} ${a.x},${a.y},${a.width},${a.height} ${b.x},${b.y},${b.width},${b.height}`;
    const memo = this.alone.get(link.id);
    if (memo && memo.key === key) return memo.plan;
    const { plan } = this.choose(link, s, t, this.planned ? this.planned.index : new CrossingIndex(), fresh);
    this.alone.set(link.id, { key, plan });
    return plan;
  }

  /**
   * The plans of every settled connection, once per geometry: each chooses its path
   * against those already chosen (see choose), shortest connections first, then each
   * once more against all the others. Links with a card in motion wait for the drop.
   */
  planAll() {
    if (this.planned && this.planned.epoch === this.epoch) return this.planned;
    const index = new CrossingIndex();
    const byLink = new Map();
    this.planned = { epoch: this.epoch, byLink, index };
    const items = [];
    for (const link of this.graph.getLinks()) {
      if (link.get("temp")) continue;
      const s = this.graph.getCell(link.source().id);
      const t = this.graph.getCell(link.target().id);
      if (!s || !t || this.moving.has(s.id) || this.moving.has(t.id)) continue;
      const distance = s.getBBox().center().manhattanDistance(t.getBBox().center());
      items.push({ link, s, t, distance });
    }
    items.sort((u, v) => u.distance - v.distance || (u.link.id < v.link.id ? -1 : 1));
    const passes = items.length > SECOND_PASS_LIMIT ? 1 : PLAN_PASSES;
    for (let pass = 0; pass < passes; pass += 1) {
      for (const { link, s, t } of items) {
        index.remove(link.id);
        const made = this.choose(link, s, t, index, true);
        byLink.set(link.id, made.plan);
        if (made.points) index.add(link.id, made.points, [s.id, t.id]);
      }
    }
    return this.planned;
  }

  /**
   * The plan of `link` between cards `s` and `t`. Every candidate (below) that is clear of
   * the cards is scored by its length, its bends and the paths in `index` it crosses (a
   * crossing costs CROSSING_COST px of length); the cheapest wins, ties in the order
   * listed. If none is clear: a search around the cards (once settled), else the candidate
   * through the fewest cards. Returns {plan, points: its path from the sides' middles}.
   */
  choose(link, s, t, index, fresh) {
    this.stats.plans += 1;
    const a = s.getBBox();
    const b = t.getBBox();
    const ends = [s.id, t.id];
    const skip = (entry) => entry.id === link.id || this.moving.has(entry.ends[0]) || this.moving.has(entry.ends[1]);
    const candidates = planCandidates(a, b);
    const pointsOf = (candidate) =>
      this.points(candidate, sidePoint(a, candidate.source), sidePoint(b, candidate.target), a, b, 0);
    let best = null;
    for (const candidate of candidates) {
      const points = pointsOf(candidate);
      if (this.hits(points, ends, 1)) continue;
      const met = index.meet(points, skip);
      const cost = CROSSING_COST * met.crossings + ALONG_COST * met.along + polylineLength(points)
        + BEND_COST * (points.length - 2);
      if (!best || cost < best.cost) best = { plan: candidate, points, cost };
    }
    if (best) return best;
    let chosen = null;
    let fewest = Infinity;
    for (const candidate of candidates) {
      const hits = this.hits(pointsOf(candidate), ends, fewest);
      if (hits < fewest) [chosen, fewest] = [candidate, hits];
    }
    // The search waits for the drop: a line in motion may cross a card for a moment.
    const found = fresh ? this.detour(a, b, s.id, t.id, link.id) : null;
    if (found) return { plan: found, points: pointsOf(found) };
    return { plan: chosen, points: chosen ? pointsOf(chosen) : null };
  }

  /**
   * A clear path around the cards between `a` and `b` (cards `sid`, `tid`), or null.
   * Kept per link across changes while the cards around it stay where they were (a drop
   * elsewhere does not search again), and at most SEARCH_BUDGET ms of searching per
   * settled geometry: on a dense board the rest are found on the next settles, the least
   * blocked Z or C standing in meanwhile.
   */
  detour(a, b, sid, tid, linkId) {
    const region = a.clone().union(b).inflate(200);
    const boxes = [...this.spatial().near(region)].map((entry) => entry.box);
    for (const id of this.moving) {
      const cell = this.graph.getCell(id);
      if (cell && id !== sid && id !== tid) boxes.push(cell.getBBox());
    }
    // The two ends are obstacles too (their own boxes, even while dragged).
    boxes.push(a, b);
    const key = boxes.map((r) => `${r.x},${r.y},${r.width},${r.height}`).join(";");
    const kept = this.detours.get(linkId);
    if (kept && kept.key === key) return kept.plan;
    if (this.searched.epoch !== this.epoch) this.searched = { epoch: this.epoch, ms: 0 };
    if (this.searched.ms > this.budget) {
      // Out of time for now: route everything again shortly (kept detours cost nothing).
      if (!this.retry && this.paper && this.retries < MAX_RETRIES) {
        this.retries += 1;
        this.retry = setTimeout(() => {
          this.retry = null;
          if (this.moving.size) this.retries -= 1; // not during a drag: at the drop
          else {
            this.settle(true);
            if (this.afterRetry) this.afterRetry(); // the canvas places the labels again
          }
        }, 60);
      }
      return null;
    }
    const started = performance.now();
    const found = detour(a, b, boxes, { clear: CLEAR, stub: STUB });
    this.searched.ms += performance.now() - started;
    const plan = found && { source: found.source, target: found.target, shape: "path", corners: found.corners };
    this.detours.set(linkId, { key, plan });
    return plan;
  }

  /** The corner points of a planned path from port p to port q (cards a, b). */
  points(plan, p, q, a, b, lane) {
    if (plan.shape === "path") return detourPoints(plan, p, q);
    if (plan.shape === "z") {
      if (HORIZONTAL[plan.source]) {
        if (Math.abs(p.y - q.y) < 1) return [p, q];
        const mid = (p.x + q.x) / 2 + lane + (plan.shift || 0);
        return [p, new g.Point(mid, p.y), new g.Point(mid, q.y), q];
      }
      if (Math.abs(p.x - q.x) < 1) return [p, q];
      const mid = (p.y + q.y) / 2 + lane + (plan.shift || 0);
      return [p, new g.Point(p.x, mid), new g.Point(q.x, mid), q];
    }
    if (plan.shape === "l") {
      return HORIZONTAL[plan.source] ? [p, new g.Point(q.x, p.y), q] : [p, new g.Point(p.x, q.y), q];
    }
    if (plan.shape === "c") {
      const [dx, dy] = OUTWARD[plan.source];
      const pad = STUB + lane + (plan.shift || 0);
      if (dx) {
        const x = dx > 0 ? Math.max(a.x + a.width, b.x + b.width) + pad : Math.min(a.x, b.x) - pad;
        return [p, new g.Point(x, p.y), new g.Point(x, q.y), q];
      }
      const y = dy > 0 ? Math.max(a.y + a.height, b.y + b.height) + pad : Math.min(a.y, b.y) - pad;
      return [p, new g.Point(p.x, y), new g.Point(q.x, y), q];
    }
    return [p, q];
  }

  /**
   * The port of `link` at its `end` ("source" | "target"): the middle of the planned side,
   * moved along it by the connection's place among those using that side (sideUsers).
   */
  port(link, end) {
    const plan = this.plan(link);
    const element = this.graph.getCell(link[end]().id);
    if (!element) return null;
    const box = element.getBBox();
    if (!plan) return box.center();
    const side = plan[end];
    // A detour's ports stay at the middle (its search checked only the stubs from
    // there), or beside it with its partner's (see detourLine).
    if (plan.shape === "path") {
      const line = this.detourLine(link, plan, false);
      return line ? line[end === "source" ? 0 : line.length - 1] : sidePoint(box, side);
    }
    const horizontal = HORIZONTAL[side];
    const users = this.sideUsers(element, side, link, plan);
    const far = end === "source" ? "target" : "source";
    const index = users.findIndex((u) => u.id === link.id && u.end === far);
    const count = users.length;
    const length = horizontal ? box.height : box.width;
    const gap = Math.min(PORT_GAP, (length - 8) / Math.max(1, count));
    const shift = count > 1 && index >= 0 ? (index - (count - 1) / 2) * gap : 0;
    const point = sidePoint(box, side);
    const moved = horizontal ? point.clone().offset(0, shift) : point.clone().offset(shift, 0);
    // Spread along the side, the port can bring a line planned just clear of a card into
    // it: then it keeps the middle of the side (sharing it beats crossing a card).
    const still = !this.moving.has(link.source().id) && !this.moving.has(link.target().id);
    return shift && still && this.spoils(link, plan, end, moved) ? point : moved;
  }

  /**
   * The connections that leave or enter `side` of card `element`, {id, end: the far end},
   * in the order of their ports along the side: the order their planned paths lie side by
   * side where they part (sideOrder), then by where their other ends are, ties by id (so a
   * pair keeps its order at both ends). Kept per settled geometry; `link` is asked with
   * `plan` (it may be in motion, planned afresh).
   */
  sideUsers(element, side, link, plan) {
    const settled = !this.moving.size;
    const key = `${element.id} ${side}`;
    if (settled) {
      if (!this.portOrders || this.portOrders.epoch !== this.epoch) this.portOrders = { epoch: this.epoch, bySide: new Map() };
      const kept = this.portOrders.bySide.get(key);
      if (kept) return kept;
    }
    const horizontal = HORIZONTAL[side];
    const users = [];
    for (const other of this.graph.getConnectedLinks(element)) {
      if (other.get("temp")) continue;
      const otherPlan = other.id === link.id ? plan : this.plan(other);
      if (!otherPlan) continue;
      const ends = [];
      if (other.source().id === element.id && otherPlan.source === side) ends.push("target");
      if (other.target().id === element.id && otherPlan.target === side) ends.push("source");
      for (const far of ends) {
        const cell = this.graph.getCell(other[far]().id);
        if (!cell) continue;
        const c = cell.getBBox().center();
        const path = this.plannedPath(other, otherPlan, far === "target");
        users.push({ id: other.id, end: far, at: horizontal ? c.y : c.x, path });
      }
    }
    const leftFirst = side === "right" || side === "top";
    // From one order, whatever order the graph gave them in (the comparison below is not
    // transitive everywhere, so the result depends on where it starts: every client must
    // start from the same).
    users.sort(byIdAndEnd);
    users.sort((u, v) => (leftFirst ? 1 : -1) * sideOrder(u.path, v.path) || u.at - v.at
      || (u.id < v.id ? -1 : u.id > v.id ? 1 : 0) || (u.end < v.end ? -1 : 1));
    if (settled) this.portOrders.bySide.set(key, users);
    return users;
  }

  /** The planned path of `link` from the middles of its sides (no ports, no lane),
   * from its source, or from its target when `fromSource` is false. */
  plannedPath(link, plan, fromSource) {
    const s = this.graph.getCell(link.source().id);
    const t = this.graph.getCell(link.target().id);
    if (!s || !t || !plan) return null;
    const [a, b] = [s.getBBox(), t.getBBox()];
    const [p, q] = [sidePoint(a, plan.source), sidePoint(b, plan.target)];
    const points = this.points(plan, p, q, a, b, 0);
    return fromSource ? points : points.slice().reverse();
  }

  /**
   * The corners of a detour from its side middles, moved to the left of its direction by
   * its share of the pair (see makeDetourShifts); null when an end is gone.
   */
  detourLine(link, plan, nudged = true) {
    const line = this.searchedLine(link, plan);
    if (!line) return null;
    if (!this.shifts || this.shifts.epoch !== this.epoch) {
      this.shifts = { epoch: this.epoch, byLink: this.makeDetourShifts() };
    }
    const shift = this.shifts.byLink.get(link.id) || 0;
    const moved = shift ? sideBySide(line, shift) : line;
    if (!nudged || this.moving.size) return moved;
    if (!this.nudges || this.nudges.epoch !== this.epoch) {
      this.nudges = { epoch: this.epoch, byLink: this.makeNudges() };
    }
    return this.nudges.byLink.get(link.id) || moved;
  }

  /** A detour's corners as its search found them, from its side middles; null when an
   * end is gone. */
  searchedLine(link, plan) {
    const s = this.graph.getCell(link.source().id);
    const t = this.graph.getCell(link.target().id);
    if (!s || !t) return null;
    return detourPoints(plan, sidePoint(s.getBBox(), plan.source), sidePoint(t.getBBox(), plan.target));
  }

  /**
   * Detours moved off the lines of other connections. A detour's middle segments run on
   * the grid lines CLEAR px from the cards, which other detours, C shapes and lanes use
   * too; lanes do not cover detours. So, once per settled geometry, each middle segment of
   * a detour that runs along another connection's segment is moved across by the
   * smallest step (3 px, up to CLEAR / 2) that keeps it NEAR px from cards and off the lines
   * placed before it. Its ends never move (the ports are the same).
   */
  makeNudges() {
    const placed = new LineIndex();
    const detours = [];
    for (const link of this.graph.getLinks()) {
      if (link.get("temp")) continue;
      const plan = this.plan(link);
      if (!plan) continue;
      if (plan.shape === "path") detours.push([link, plan]);
      else placed.addLine(this.line(link));
    }
    const byLink = new Map();
    for (const [link, plan] of detours) {
      const points = this.detourLine(link, plan, false);
      if (!points) continue;
      const ends = [link.source().id, link.target().id];
      for (let k = 2; k < points.length - 1; k += 1) {
        // Segment k-1..k, neither the first nor the last (the stubs).
        const [u, v] = [points[k - 1], points[k]];
        if (!placed.alongside(u, v)) continue;
        const vertical = u.x === v.x;
        for (const step of [3, -3, CLEAR / 2, -CLEAR / 2]) {
          const trial = points.slice();
          trial[k - 1] = vertical ? new g.Point(u.x + step, u.y) : new g.Point(u.x, u.y + step);
          trial[k] = vertical ? new g.Point(v.x + step, v.y) : new g.Point(v.x, v.y + step);
          if (!sameTurns(points, trial) || this.crowds(trial, ends, k - 2, k + 1)) continue;
          if (placed.alongside(trial[k - 1], trial[k])) continue;
          points[k - 1] = trial[k - 1];
          points[k] = trial[k];
          break;
        }
      }
      byLink.set(link.id, points);
      placed.addLine(points);
    }
    return byLink;
  }

  /**
   * Whether the segments `from`..`to` (indices of their first points) of a detour's
   * `points` come within NEAR px of a card: any card for a middle segment, its own two
   * included; other cards only for the first and last (they touch their own card).
   */
  crowds(points, ends, from = 0, to = points.length - 1) {
    for (let k = Math.max(1, from + 1); k <= Math.min(to, points.length - 1); k += 1) {
      const stub = k === 1 || k === points.length - 1;
      if (this.blocked(points[k - 1], points[k], stub ? ends : [], NEAR)) return true;
    }
    return false;
  }

  /**
   * How far each detour is moved to its left. Detours keep the middle of their sides, so
   * two that leave or enter the same side of a card (A->B and B->A, or two from one card,
   * searched alone) would start on one point and often run on one line: they are spread
   * across it, at most CLEAR / 2 px each way, less where that would bring the line near a
   * card or change its turns (checked below). Offsets are handed out per side, along the
   * side; a detour that shares both of its sides takes the offset of the busier one.
   */
  makeDetourShifts() {
    const bySide = new Map(); // "card side" -> [{id, sign}]
    for (const link of this.graph.getLinks()) {
      if (link.get("temp")) continue;
      const plan = this.plan(link);
      if (!plan || plan.shape !== "path") continue;
      // Along the side, a detour leaving it is moved to its left by +offset, one entering
      // it by -offset (it travels the other way there).
      for (const [end, sign] of [["source", 1], ["target", -1]]) {
        const key = `${link[end]().id} ${plan[end]}`;
        let list = bySide.get(key);
        if (!list) bySide.set(key, (list = []));
        list.push({ id: link.id, sign, at: this.farEnd(link, end, plan[end]) });
      }
    }
    const byLink = new Map();
    const groups = [...bySide.values()].filter((list) => list.length > 1);
    groups.sort((u, v) => v.length - u.length);
    for (const list of groups) {
      // In the order of their other ends along the side (so they do not cross), ties by
      // id; a detour placed by a busier side keeps its place here, the others take the
      // places left, so no two leave this side on one point.
      list.sort((u, v) => u.at - v.at || (u.id < v.id ? -1 : 1));
      const gap = Math.min(LANE_GAP, CLEAR / (list.length - 1));
      const places = list.map((_, i) => (i - (list.length - 1) / 2) * gap);
      const used = list.filter((item) => byLink.has(item.id)).map((item) => item.sign * byLink.get(item.id));
      const free = places.filter((at) => !used.some((u) => Math.abs(u - at) < 2));
      for (const item of list) {
        if (byLink.has(item.id)) continue;
        const at = free.length ? free.shift() : 0;
        byLink.set(item.id, item.sign * at);
      }
    }
    // A search's line may pass a card closer than CLEAR (5 px: its keep-out), and a short
    // leg of a U-turn may be shorter than the move: a move that would take the line nearer
    // than NEAR px to a card (its own two too, past their stubs) or change its shape is
    // halved, or dropped.
    for (const [id, offset] of byLink) {
      const link = this.graph.getCell(id);
      const line = this.searchedLine(link, this.plan(link));
      const ends = [link.source().id, link.target().id];
      const spoilt = (shift) => {
        const moved = sideBySide(line, shift);
        return !sameTurns(line, moved) || this.crowds(moved, ends);
      };
      let shift = offset;
      while (shift && spoilt(shift)) shift = Math.abs(shift) < 2 ? 0 : shift / 2;
      if (shift) byLink.set(id, shift);
      else byLink.delete(id);
    }
    return byLink;
  }

  /** Where the other end of `link` lies along `side` of its card at `end` (for ordering). */
  farEnd(link, end, side) {
    const other = this.graph.getCell(link[end === "source" ? "target" : "source"]().id);
    if (!other) return 0;
    const c = other.getBBox().center();
    // Along the side's tangent, the direction a detour leaving it turns left towards.
    const [ox, oy] = OUTWARD[side];
    return c.x * oy - c.y * ox;
  }

  /** Whether the port `moved` at `end` makes the planned path cross a card it was clear of. */
  spoils(link, plan, end, moved) {
    const s = this.graph.getCell(link.source().id);
    const t = this.graph.getCell(link.target().id);
    if (!s || !t) return false;
    const a = s.getBBox();
    const b = t.getBBox();
    const p = sidePoint(a, plan.source);
    const q = sidePoint(b, plan.target);
    const ends = [s.id, t.id];
    if (this.hits(this.points(plan, p, q, a, b, 0), ends, 1)) return false; // not clear anyway
    const [p2, q2] = end === "source" ? [moved, q] : [p, moved];
    return this.hits(this.points(plan, p2, q2, a, b, 0), ends, 1) > 0;
  }

  /**
   * The lane offset of a connection's middle segment: connections whose middle segments
   * would run along the same line (the same corridor between two columns or rows of
   * cards) and overlap are spread across it. Computed for the whole board once per settled
   * geometry; a connection being dragged keeps the middle of its corridor.
   */
  lane(link) {
    if (this.moving.size && (this.moving.has(link.source().id) || this.moving.has(link.target().id))) return 0;
    if (!this.lanes || this.lanes.epoch !== this.epoch) this.lanes = { epoch: this.epoch, byLink: this.makeLanes() };
    return this.lanes.byLink.get(link.id) || 0;
  }

  makeLanes() {
    const axes = [[], []]; // lines across (from left/right sides) and along
    for (const link of this.graph.getLinks()) {
      if (link.get("temp")) continue;
      const plan = this.plan(link);
      // A detour keeps its own lines; an L has no middle to move.
      if (!plan || plan.shape === "path" || plan.shape === "l") continue;
      const s = this.graph.getCell(link.source().id);
      const t = this.graph.getCell(link.target().id);
      const a = s.getBBox();
      const b = t.getBBox();
      const p = sidePoint(a, plan.source);
      const q = sidePoint(b, plan.target);
      let along;
      let span;
      let range; // [lowest, highest] offset the line can take
      if (plan.shape === "z") {
        const horizontal = HORIZONTAL[plan.source];
        if (horizontal ? Math.abs(p.y - q.y) < 1 : Math.abs(p.x - q.x) < 1) continue;
        along = (horizontal ? (p.x + q.x) / 2 : (p.y + q.y) / 2) + (plan.shift || 0);
        span = horizontal ? [Math.min(p.y, q.y), Math.max(p.y, q.y)] : [Math.min(p.x, q.x), Math.max(p.x, q.x)];
        // Between the two cards, 6 px clear of each (the middle may be shifted already).
        const room = (horizontal ? Math.abs(q.x - p.x) : Math.abs(q.y - p.y)) / 2 - 6;
        const shift = plan.shift || 0;
        range = [Math.min(0, -room - shift), Math.max(0, room - shift)];
      } else {
        const [dx] = OUTWARD[plan.source];
        const points = this.points(plan, p, q, a, b, 0);
        along = dx ? points[1].x : points[1].y;
        span = dx ? [Math.min(p.y, q.y), Math.max(p.y, q.y)] : [Math.min(p.x, q.x), Math.max(p.x, q.x)];
        // Outward, or inward as far as CLEAR px from the cards it goes around.
        range = [CLEAR - STUB, 4 * LANE_GAP];
      }
      // Which way the line turns at each end of its span (-1: towards lower x or y).
      const axis = HORIZONTAL[plan.source] ? 0 : 1;
      const [across, lengthwise] = axis === 0 ? ["x", "y"] : ["y", "x"];
      const turn = (point) => (point[across] < along ? -1 : 1);
      const turns = p[lengthwise] <= q[lengthwise] ? [turn(p), turn(q)] : [turn(q), turn(p)];
      axes[axis].push({ id: link.id, span, range, along, turns });
    }
    // Z middles and C sides along the same line, or lines a few px apart, share lanes:
    // the lines of each axis in order, a group ending where the next is over 6 px away.
    const groups = [];
    for (const items of axes) {
      items.sort((u, v) => u.along - v.along || (u.id < v.id ? -1 : u.id > v.id ? 1 : 0));
      // The lines given out so far on this axis, {span, at: where the line is}: a lane
      // moves a line up to 40 px, onto the line of another group.
      const taken = new LaneIndex();
      items.forEach((item, i) => {
        if (!i || item.along - items[i - 1].along > 6) groups.push({ list: [], taken });
        groups[groups.length - 1].list.push(item);
      });
    }
    const byLink = new Map();
    for (const { list, taken } of groups) {
      // Lanes are handed out to overlapping spans only, in the order that keeps their
      // turns from crossing each other (laneOrder), each the lane after those of the
      // lines before it that it overlaps.
      list.sort(byIdAndEnd); // one order to start from, as for the ports
      list.sort((u, v) => laneOrder(u, v) || u.span[0] - v.span[0] || (u.id < v.id ? -1 : 1));
      const lanes = [];
      list.forEach((item, i) => {
        let lane = 0;
        for (let k = 0; k < i; k += 1) {
          if (list[k].span[0] <= item.span[1] + 4 && item.span[0] <= list[k].span[1] + 4) lane = Math.max(lane, lanes[k] + 1);
        }
        lanes.push(lane);
      });
      const count = lanes.length ? Math.max(...lanes) + 1 : 0;
      // Lanes spread across the line, each within its own range; then each link keeps
      // its lane unless that takes it into a card the line itself was clear of, or onto
      // a line already given to a link it runs beside: then the nearest offset in its
      // range that is neither, or the line itself.
      list.forEach((item, i) => {
        const [low, high] = item.range;
        const gap = Math.max(3, Math.min(LANE_GAP, (high - low) / Math.max(1, count - 1)));
        const wanted = Math.min(high, Math.max(low, (lanes[i] - (count - 1) / 2) * gap));
        const beside = (o) => taken.near(item.along + o, item.span);
        let cards = null; // looked up only when an offset other than the line is tried
        let base = null;
        const clear = (o) => {
          if (!o) return true;
          if (!cards) cards = this.laneCards(this.graph.getCell(item.id));
          if (!base) base = cards(0);
          // No card it was clear of: neither passed closer than CLEAR / 2 or 2 px, nor
          // crossed.
          const now = cards(o);
          return ["near", "touch", "through"].every((kind) => [...now[kind]].every((id) => base[kind].has(id)));
        };
        let offset = 0;
        if (wanted || beside(0)) {
          // A lane, not another route: at most 4 lanes from the one wanted.
          const options = [wanted];
          const [from, to] = [Math.max(low, wanted - 4 * LANE_GAP), Math.min(high, wanted + 4 * LANE_GAP)];
          for (let o = Math.ceil(from / 3) * 3; o <= to; o += 3) if (o !== wanted) options.push(o);
          options.sort((u, v) => Math.abs(u - wanted) - Math.abs(v - wanted) || u - v);
          offset = options.find((o) => !beside(o) && clear(o)) ?? 0;
        }
        taken.add(item.along + offset, item.span);
        if (offset) byLink.set(item.id, offset);
      });
    }
    return byLink;
  }

  /** For `link`, a function of a lane: the cards its line passes within CLEAR / 2 px of
   * (`near`), within 2 px of (`touch`) and those it crosses (`through`), its own two left
   * out, with its middle segment moved by that lane (its plan, ports and boxes looked up
   * once). */
  laneCards(link) {
    const plan = this.plan(link);
    const s = this.graph.getCell(link.source().id);
    const t = this.graph.getCell(link.target().id);
    const p = this.port(link, "source");
    const q = this.port(link, "target");
    const none = { near: new Set(), touch: new Set(), through: new Set() };
    if (!plan || !s || !t || !p || !q) return () => none;
    const [a, b] = [s.getBBox(), t.getBBox()];
    return (lane) => {
      const points = this.points(plan, p, q, a, b, lane);
      const found = { near: new Set(), touch: new Set(), through: new Set() };
      for (let k = 1; k < points.length; k += 1) {
        const line = segmentRect(points[k - 1], points[k], 0);
        for (const { id, box } of this.spatial().near(segmentRect(points[k - 1], points[k], CLEAR / 2))) {
          if (id === s.id || id === t.id || !meets(box, line, CLEAR / 2)) continue;
          found.near.add(id);
          if (meets(box, line, 2)) found.touch.add(id);
          if (cutsBox(line, box)) found.through.add(id);
        }
      }
      return found;
    };
  }

  /** The whole path of `link` as the router draws it: its ports and the corners between
   * them (what `route` gives JointJS, without a view: tests and measurements). */
  line(link) {
    const plan = this.plan(link);
    const s = this.graph.getCell(link.source().id);
    const t = this.graph.getCell(link.target().id);
    if (!plan || !s || !t) return [];
    if (plan.shape === "path") return this.detourLine(link, plan);
    return this.points(plan, this.port(link, "source"), this.port(link, "target"), s.getBBox(),
      t.getBBox(), this.lane(link));
  }

  /** The router: the planned corners between the two ports. */
  route(vertices, linkView) {
    const link = linkView.model;
    if (vertices.length || link.get("temp") || !link.target().id) return vertices;
    const plan = this.plan(link);
    const s = this.graph.getCell(link.source().id);
    const t = this.graph.getCell(link.target().id);
    if (!plan || !s || !t) return vertices;
    if (plan.shape === "path") return this.detourLine(link, plan).slice(1, -1);
    const p = linkView.sourceAnchor;
    const q = linkView.targetAnchor;
    const points = this.points(plan, p, q, s.getBBox(), t.getBBox(), this.lane(link));
    return points.slice(1, -1);
  }
}

/**
 * Which of two paths leaving one point lies to the left of the other where they part:
 * -1 if `u`, 1 if `v`, 0 if they never part (or one ends first). Walked together from the
 * start: the first segment on which they differ, the one that turns first (or the one
 * whose turn is to the left, when both turn there) decides. Strands that run together
 * keep their sides through every turn they make together, so this is also their order
 * where they leave the card: ports in that order do not cross each other there.
 */
export function sideOrder(u, v) {
  if (!u || !v) return 0;
  for (let k = 1; k < u.length && k < v.length; k += 1) {
    const du = direction(u[k - 1], u[k]);
    const dv = direction(v[k - 1], v[k]);
    if (du.x !== dv.x || du.y !== dv.y) {
      // They part at a shared corner: the one turning further left is left.
      if (k === 1) return leftOf(du, dv) ? -1 : leftOf(dv, du) ? 1 : 0;
      const before = direction(u[k - 2], u[k - 1]);
      return Math.sign(turnOf(before, dv) - turnOf(before, du));
    }
    const lu = u[k - 1].distance(u[k]);
    const lv = v[k - 1].distance(v[k]);
    if (Math.abs(lu - lv) < 0.5) continue;
    // The shorter segment turns (or ends) first: its next direction says which way.
    const [short, k2] = lu < lv ? [u, k] : [v, k];
    if (k2 + 1 >= short.length) return 0;
    const turn = direction(short[k2], short[k2 + 1]);
    const left = turn.x === du.y && turn.y === -du.x;
    const sign = left ? -1 : 1;
    return short === u ? sign : -sign;
  }
  return 0;
}

/**
 * The order across a shared line of two lines' middles (from makeLanes: `span` along the
 * line, `turns` at its low and high end: -1 towards the low side across, 1 the high side):
 * negative when `u` should take the lower lane. Where one starts inside the other's
 * span, its turn there crosses the other unless it lies on the side it turns to; the same
 * where one ends inside the other. Each end votes; a tie (or no overlap) is no order.
 */
export function laneOrder(u, v) {
  if (u.span[0] > v.span[1] + 4 || v.span[0] > u.span[1] + 4) return 0;
  let vote = 0; // < 0: u takes the lower lane
  if (u.span[0] < v.span[0]) vote -= v.turns[0]; // v starts inside u: v on its turn's side
  else if (v.span[0] < u.span[0]) vote += u.turns[0];
  if (u.span[1] < v.span[1]) vote += u.turns[1]; // u ends inside v: u on its turn's side
  else if (v.span[1] < u.span[1]) vote -= v.turns[1];
  return Math.sign(vote);
}

/** Items with an `id` (and maybe an `end`) in the order of those. */
function byIdAndEnd(u, v) {
  if (u.id !== v.id) return u.id < v.id ? -1 : 1;
  return u.end === v.end ? 0 : u.end < v.end ? -1 : 1;
}

/** The unit direction from p to q of an axis-parallel segment. */
function direction(p, q) {
  return { x: Math.sign(q.x - p.x), y: Math.sign(q.y - p.y) };
}

/** 1 if direction `d` turns left from direction `before`, -1 right, 0 neither. */
function turnOf(before, d) {
  return leftOf(d, before) ? 1 : leftOf(before, d) ? -1 : 0;
}

/** Whether direction `d` points to the left of direction `e` (screen coordinates). */
function leftOf(d, e) {
  return d.x * e.y - d.y * e.x > 0;
}

/**
 * The paths a connection from box `a` to box `b` may take, in order of preference: the
 * facing sides joined by a Z (left/right first when the cards are further apart across
 * than down), its middle moved across the corridor in steps; an L from a facing side into
 * the top or bottom (or from the top or bottom into a side) of the other card when neither
 * card is in the way of the other's leg; a C around the outside of both cards, on each
 * side, further out in steps.
 */
function planCandidates(a, b) {
  const ca = a.center();
  const cb = b.center();
  const gx = Math.max(b.x - (a.x + a.width), a.x - (b.x + b.width));
  const gy = Math.max(b.y - (a.y + a.height), a.y - (b.y + b.height));
  const right = cb.x >= ca.x;
  const below = cb.y >= ca.y;
  const across = { source: right ? "right" : "left", target: right ? "left" : "right" };
  const down = { source: below ? "bottom" : "top", target: below ? "top" : "bottom" };
  const candidates = [];
  for (const sides of gx >= gy ? [across, down] : [down, across]) {
    const room = HORIZONTAL[sides.source] ? gx : gy;
    if (room < 2 * CLEAR) continue;
    candidates.push({ ...sides, shape: "z", shift: 0 });
    const steps = Math.min(6, Math.floor(room / 2 / (2 * CLEAR)));
    for (let k = 1; k <= steps; k += 1) {
      const d = (k * (room / 2 - CLEAR)) / steps;
      candidates.push({ ...sides, shape: "z", shift: -d }, { ...sides, shape: "z", shift: d });
    }
  }
  // An L's corner lies beyond each card by a stub: outside `a` across, outside `b` down.
  const besideA = (x) => x > a.x + a.width + STUB || x < a.x - STUB;
  const besideB = (y) => y > b.y + b.height + STUB || y < b.y - STUB;
  if (besideA(cb.x) && besideB(ca.y)) candidates.push({ source: across.source, target: down.target, shape: "l" });
  const aboveA = (y) => y > a.y + a.height + STUB || y < a.y - STUB;
  const besideBx = (x) => x > b.x + b.width + STUB || x < b.x - STUB;
  if (aboveA(cb.y) && besideBx(ca.x)) candidates.push({ source: down.source, target: across.target, shape: "l" });
  for (const side of ["right", "left", "bottom", "top"]) {
    for (const shift of [0, 2 * STUB, 5 * STUB]) candidates.push({ source: side, target: side, shape: "c", shift });
  }
  return candidates;
}

/** Whether `box` overlaps `line` (a rect) thickened by `pad` on every side (as g.Rect's
 * intersect, without making the thickened rect: touching is not overlapping). */
function meets(box, line, pad) {
  return line.x + line.width + pad > box.x && line.x - pad < box.x + box.width
    && line.y + line.height + pad > box.y && line.y - pad < box.y + box.height;
}

/** Whether the axis-parallel segment `line` (a rect of zero width or height) passes
 * through the inside of `box` (not just along its edge). */
function cutsBox(line, box) {
  return line.x + line.width > box.x && line.x < box.x + box.width
    && line.y + line.height > box.y && line.y < box.y + box.height
    && (line.width > 0 || (line.x > box.x && line.x < box.x + box.width))
    && (line.height > 0 || (line.y > box.y && line.y < box.y + box.height));
}

/** Whether the orthogonal polyline `moved` turns the same ways as `points`: every segment
 * keeps its direction and a length (a move longer than a short leg would flip it). */
function sameTurns(points, moved) {
  for (let k = 1; k < points.length; k += 1) {
    const dx = Math.sign(points[k].x - points[k - 1].x);
    const dy = Math.sign(points[k].y - points[k - 1].y);
    if (Math.sign(moved[k].x - moved[k - 1].x) !== dx || Math.sign(moved[k].y - moved[k - 1].y) !== dy) return false;
  }
  return true;
}

/** Lines given out on one axis, by where they lie (px, rounded), each with its span. */
class LaneIndex {
  constructor() { this.lines = new Map(); }

  add(at, span) {
    const key = Math.round(at);
    let list = this.lines.get(key);
    if (!list) this.lines.set(key, (list = []));
    list.push({ at, span });
  }

  /** Whether a line given out lies within 3 px of `at` and overlaps `span` (4 px slack). */
  near(at, span) {
    for (let key = Math.round(at) - 3; key <= Math.round(at) + 3; key += 1) {
      for (const t of this.lines.get(key) || []) {
        if (Math.abs(t.at - at) < 3 && t.span[0] <= span[1] + 4 && span[0] <= t.span[1] + 4) return true;
      }
    }
    return false;
  }
}

/** The segments of drawn lines, vertical and horizontal, indexed by where they lie. */
class LineIndex {
  constructor() { this.axes = [new LaneIndex(), new LaneIndex()]; }

  addLine(points) {
    for (let k = 1; k < points.length; k += 1) {
      const [u, v] = [points[k - 1], points[k]];
      if (u.x === v.x) this.axes[0].add(u.x, [Math.min(u.y, v.y) + 7, Math.max(u.y, v.y) - 7]);
      else if (u.y === v.y) this.axes[1].add(u.y, [Math.min(u.x, v.x) + 7, Math.max(u.x, v.x) - 7]);
    }
  }

  /** Whether u-v runs along a segment added (within 3 px across, over 3 px along). */
  alongside(u, v) {
    if (u.x === v.x) return this.axes[0].near(u.x, [Math.min(u.y, v.y), Math.max(u.y, v.y)]);
    return this.axes[1].near(u.y, [Math.min(u.x, v.x), Math.max(u.x, v.x)]);
  }
}

function polylineLength(points) {
  let total = 0;
  for (let i = 1; i < points.length; i += 1) total += points[i - 1].distance(points[i]);
  return total;
}

/**
 * The paper's namespaces: JointJS's routers and anchors plus ours ("lanes", "port"),
 * which ask the Router of the link's graph (`graph.router`, set by canvas.js).
 */
function lanesRouter(vertices, _args, linkView) {
  const router = linkView.paper.model.router;
  return router ? router.route(vertices, linkView) : vertices;
}

function portAnchor(view, _magnet, _ref, _args, endType, linkView) {
  const router = linkView.paper.model.router;
  const link = linkView.model;
  const fallback = view.model.getBBox().center();
  if (!router || link.get("temp") || !link.target().id) return fallback;
  return router.port(link, endType) || fallback;
}

export const routerNamespace = { ...joint.routers, lanes: lanesRouter };
export const anchorNamespace = { ...joint.anchors, port: portAnchor };

/**
 * Put each link's label where it covers no other connection and no card: the first of a
 * few places along the link (middle first) that is clear, else the middle. Labels are
 * few; only mounted links are looked at.
 */
export function placeLabels(graph, paper, width) {
  const links = graph.getLinks().filter((l) => !l.get("temp"));
  const labelled = links.filter((l) => l.labels().length);
  if (!labelled.length) return;
  // The connections' segments, in buckets of a grid (as the cards are).
  const buckets = new Map();
  const bucketsOf = (rect, fn) => {
    for (let i = Math.floor(rect.x / BUCKET); i <= Math.floor((rect.x + rect.width) / BUCKET); i += 1) {
      for (let j = Math.floor(rect.y / BUCKET); j <= Math.floor((rect.y + rect.height) / BUCKET); j += 1) fn(`${i},${j}`);
    }
  };
  for (const link of links) {
    const view = paper.findViewByModel(link);
    if (!view || !view.sourcePoint || !view.targetPoint) continue;
    const points = [view.sourcePoint, ...(view.route || []), view.targetPoint];
    for (let i = 1; i < points.length; i += 1) {
      const segment = { id: link.id, box: segmentRect(points[i - 1], points[i], 0.5) };
      bucketsOf(segment.box, (key) => {
        let list = buckets.get(key);
        if (!list) buckets.set(key, (list = []));
        list.push(segment);
      });
    }
  }
  // How many other connections pass under `box`.
  const crossed = (box, id) => {
    const ids = new Set();
    bucketsOf(box, (key) => {
      for (const s of buckets.get(key) || []) if (s.id !== id && s.box.intersect(box)) ids.add(s.id);
    });
    return ids.size;
  };
  const router = graph.router;
  const placed = []; // the boxes of the labels placed so far: the next ones keep off them
  for (const link of labelled) {
    const view = paper.findViewByModel(link);
    if (!view || !view.sourcePoint || !view.targetPoint) continue;
    const text = link.label(0)?.attrs?.labelText?.text || "";
    const w = width(text, 11) + 12;
    const h = 20;
    // Where the label may go: the middle of the path and a few places either side, then
    // the middle of each segment, longest first (as a length along the path).
    const points = [view.sourcePoint, ...(view.route || []), view.targetPoint];
    const segments = [];
    let run = 0;
    for (let i = 1; i < points.length; i += 1) {
      const length = points[i - 1].distance(points[i]);
      segments.push({ length, start: run, from: points[i - 1], to: points[i] });
      run += length;
    }
    segments.sort((u, v) => v.length - u.length);
    const places = [0.5, 0.35, 0.65, 0.22, 0.78].map((ratio) => ({ distance: ratio, point: view.getPointAtRatio(ratio) }))
      .concat(segments.map((seg) => alongSegment(seg, 0.5)));
    // Then points along each segment, LABEL_STEP px apart, clear of its ends: in a corridor
    // full of lines, a stretch of the link away from the others.
    for (const seg of segments) {
      const room = seg.length - 2 * LABEL_END;
      for (let k = 1; k * LABEL_STEP < room && places.length < MAX_LABEL_PLACES; k += 1) {
        places.push(alongSegment(seg, (LABEL_END + k * LABEL_STEP) / seg.length));
      }
    }
    // The first clear place wins; else the least bad: a card hidden (or touched: 2 px
    // margin) costs more than any number of lines, another label more than a few, and
    // each line under it counts.
    const cost = (box) => ON_CARD * (router ? router.cardsUnder(box.clone().inflate(2)) : 0)
      + (placed.some((other) => other.intersect(box)) ? ON_LABEL : 0) + crossed(box, link.id);
    let best = null;
    for (const place of places) {
      if (!place.point) continue;
      const box = new g.Rect(place.point.x - w / 2, place.point.y - h / 2, w, h);
      const here = cost(box);
      if (!best || here < best.cost) best = { cost: here, distance: place.distance, offset: null, box };
      if (!here) break;
    }
    if (!best) continue;
    // Lines on every stretch of the link (lanes a few px apart): a label just beside its
    // own line, touching it, covers none of theirs.
    if (best.cost > 0 && best.cost < ON_CARD) {
      for (const place of places) {
        if (!place.point || !place.across) continue;
        for (const side of [-1, 1]) {
          const offset = place.across === "y" ? { x: 0, y: side * (h / 2 + 2) } : { x: side * (w / 2 + 2), y: 0 };
          const box = new g.Rect(place.point.x + offset.x - w / 2, place.point.y + offset.y - h / 2, w, h);
          const here = cost(box) + OFF_LINE;
          if (here < best.cost) best = { cost: here, distance: place.distance, offset, box };
        }
        if (best.cost <= OFF_LINE) break;
      }
    }
    // Nowhere on the link is clear (a short link between neighbouring cards: its label is
    // wider than the gap): set the label just beside the cards it would hide, tied to its
    // link by a leader line, rather than half under them.
    if (best.cost >= ON_CARD && router) {
      const beside = besideCards(places, w, h, cost, router);
      if (beside && beside.cost < best.cost) best = beside;
    }
    placed.push(best.box);
    showLabelAt(link, best);
  }
}

const LABEL_CLEARANCE = 4; // px between a label set beside the cards and their edges
const LABEL_STEP = 18; // px between the places tried along a segment
// What a label's place costs: per card it hides, if it hides another label, and for
// being set beside its line rather than on it (each other line under it costs 1).
const ON_CARD = 100;
const ON_LABEL = 10;
const OFF_LINE = 0.5;
const LABEL_END = 14; // px kept clear of a segment's ends (corners, ports)
const MAX_LABEL_PLACES = 40; // places tried per label at most

/** The place at `ratio` of segment `seg` ({length, start, from, to}), as a distance
 * along the link (JointJS reads a distance over 1 as px from the start). */
function alongSegment(seg, ratio) {
  const across = Math.abs(seg.from.y - seg.to.y) < 0.5 ? "y" : Math.abs(seg.from.x - seg.to.x) < 0.5 ? "x" : null;
  return { distance: Math.max(1.01, seg.start + seg.length * ratio), point: seg.from.lerp(seg.to, ratio), across };
}
const MAX_LEADER = 90; // px: further away a label no longer reads as its link's

/**
 * The best place for a w x h label beside the cards it would cover at one of `places`:
 * above, below, left or right of them (or one label's height further, past a label set
 * there already), at most MAX_LEADER from the link; the cheapest, then the nearest. Null
 * when none is within reach.
 */
function besideCards(places, w, h, cost, router) {
  let best = null;
  for (const place of places) {
    if (!place.point) continue;
    const { x, y } = place.point;
    const boxes = router.boxesUnder(new g.Rect(x - w / 2, y - h / 2, w, h));
    if (!boxes.length) continue;
    const top = Math.min(...boxes.map((b) => b.y));
    const bottom = Math.max(...boxes.map((b) => b.y + b.height));
    const left = Math.min(...boxes.map((b) => b.x));
    const right = Math.max(...boxes.map((b) => b.x + b.width));
    const pad = LABEL_CLEARANCE;
    const up = top - pad - h / 2 - y;
    const down = bottom + pad + h / 2 - y;
    const offsets = [
      { x: 0, y: up }, { x: 0, y: down },
      { x: left - pad - w / 2 - x, y: 0 }, { x: right + pad + w / 2 - x, y: 0 },
      { x: 0, y: up - h - 2 }, { x: 0, y: down + h + 2 },
    ];
    for (const offset of offsets) {
      const away = Math.hypot(offset.x, offset.y);
      if (away > MAX_LEADER) continue;
      const box = new g.Rect(x + offset.x - w / 2, y + offset.y - h / 2, w, h);
      const here = cost(box);
      if (!best || here < best.cost || (here === best.cost && away < best.away)) {
        best = { cost: here, distance: place.distance, offset, away, box };
      }
    }
  }
  return best;
}

/** Put the label at `place` (a distance along the link, maybe an offset off it with a
 * leader line back to the link); nothing is changed when it is there already. */
function showLabelAt(link, place) {
  const label = link.label(0);
  const offset = place.offset || { x: 0, y: 0 };
  const now = label?.position || {};
  const was = now.offset || { x: 0, y: 0 };
  if (now.distance === place.distance && was.x === offset.x && was.y === offset.y) return;
  const leader = place.offset ? `M 0 0 L ${-offset.x} ${-offset.y}` : "M 0 0";
  link.label(0, {
    position: { distance: place.distance, offset },
    attrs: { labelLeader: { d: leader } },
  });
}
