// The planned lines of a board's connections, indexed by where they lie, so that the
// router can ask how often a candidate path would cross them (routing.js chooses the
// path of each connection with this: see Router.choose). Every line is orthogonal, so a
// crossing is a vertical segment meeting a horizontal one strictly inside both.

const BUCKET = 128; // px: segments are filed under every bucket their box touches
const ALONG = 3; // px: parallel segments nearer than this run along each other
// A segment over more buckets than this (cards far apart: coordinates reach 10^6) is kept
// in a list of its own, looked at by every query, instead of in thousands of buckets.
const MAX_BUCKETS = 64;

export class CrossingIndex {
  constructor() {
    this.buckets = new Map(); // "i j" -> [entry]
    this.byLink = new Map(); // link id -> [entry]
    this.long = new Set(); // entries over more than MAX_BUCKETS buckets
    this.stamp = 0;
  }

  /** File the corners of link `id`'s path (points with x, y) between cards `ends`. */
  add(id, points, ends) {
    this.remove(id);
    const entries = [];
    for (let k = 1; k < points.length; k += 1) {
      const [u, v] = [points[k - 1], points[k]];
      const entry = {
        id,
        ends,
        vertical: u.x === v.x,
        x0: Math.min(u.x, v.x),
        x1: Math.max(u.x, v.x),
        y0: Math.min(u.y, v.y),
        y1: Math.max(u.y, v.y),
        seen: 0,
        keys: [],
      };
      if (span(entry) > MAX_BUCKETS) this.long.add(entry);
      else {
        for (const key of keys(entry)) {
          let list = this.buckets.get(key);
          if (!list) this.buckets.set(key, (list = []));
          list.push(entry);
          entry.keys.push(key);
        }
      }
      entries.push(entry);
    }
    this.byLink.set(id, entries);
  }

  /** Forget link `id`'s path. */
  remove(id) {
    for (const entry of this.byLink.get(id) || []) {
      this.long.delete(entry);
      for (const key of entry.keys) {
        const list = this.buckets.get(key);
        const at = list.indexOf(entry);
        if (at >= 0) list.splice(at, 1);
      }
    }
    this.byLink.delete(id);
  }

  /** How many times the path `points` crosses the filed paths (see meet). */
  crossings(points, skip) {
    return this.meet(points, skip).crossings;
  }

  /**
   * {crossings, along}: how many times the path `points` crosses the filed paths, and
   * for how many px it runs along one of them (parallel, within ALONG px), those for which
   * `skip(entry)` holds (entry: {id, ends}) left out. Only axis-parallel segments count
   * (a diagonal never comes from the router).
   */
  meet(points, skip) {
    let count = 0;
    let along = 0;
    for (let k = 1; k < points.length; k += 1) {
      const [u, v] = [points[k - 1], points[k]];
      const vertical = u.x === v.x;
      if (!vertical && u.y !== v.y) continue;
      const seg = { x0: Math.min(u.x, v.x), x1: Math.max(u.x, v.x), y0: Math.min(u.y, v.y), y1: Math.max(u.y, v.y) };
      const stamp = (this.stamp += 1);
      const visit = (list) => {
        for (const other of list) {
          if (other.seen === stamp || skip(other)) continue;
          other.seen = stamp;
          if (other.vertical === vertical) {
            along += vertical
              ? Math.abs(other.x0 - seg.x0) < ALONG && overlap(seg.y0, seg.y1, other.y0, other.y1)
              : Math.abs(other.y0 - seg.y0) < ALONG && overlap(seg.x0, seg.x1, other.x0, other.x1);
            continue;
          }
          const [h, w] = vertical ? [other, seg] : [seg, other];
          // w vertical at x = w.x0, h horizontal at y = h.y0: strictly inside both.
          if (h.x0 < w.x0 && w.x0 < h.x1 && w.y0 < h.y0 && h.y0 < w.y1) count += 1;
        }
      };
      // A long segment looks at every entry; a short one at its buckets' and the long ones.
      if (span(seg) > MAX_BUCKETS) {
        for (const list of this.byLink.values()) visit(list);
      } else {
        for (const key of keys(seg)) visit(this.buckets.get(key) || []);
        visit(this.long);
      }
    }
    return { crossings: count, along };
  }
}

/** The length two ranges share (0 if none). */
function overlap(lo, hi, lo2, hi2) {
  return Math.max(0, Math.min(hi, hi2) - Math.max(lo, lo2));
}

/** How many buckets a box covers. */
function span(box) {
  return (Math.floor(box.x1 / BUCKET) - Math.floor(box.x0 / BUCKET) + 1)
    * (Math.floor(box.y1 / BUCKET) - Math.floor(box.y0 / BUCKET) + 1);
}

function* keys(box) {
  for (let i = Math.floor(box.x0 / BUCKET); i <= Math.floor(box.x1 / BUCKET); i += 1) {
    for (let j = Math.floor(box.y0 / BUCKET); j <= Math.floor(box.y1 / BUCKET); j += 1) yield `${i} ${j}`;
  }
}
