// The editor's routes for boards given as cards and links: static/js/routing.js (the
// canvas's own router, with @joint/core from node_modules) run in node, for
// bench/layout.py, which measures what the editor draws beside what the exports draw.
// Reads [{cards: [{id, x, y, w, h}], links: [{id, s, t}]}] on stdin; writes, per board,
// {link id: [[x, y], ...]} (each link's ports and corners) on stdout.
import * as joint from "@joint/core";

globalThis.window = { joint };
const { Router } = await import("../static/js/routing.js");

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map((board) => {
  const graph = new joint.dia.Graph();
  graph.addCells(board.cards.map((c) => new joint.shapes.standard.Rectangle({
    id: c.id, position: { x: c.x, y: c.y }, size: { width: c.w, height: c.h },
  })));
  graph.addCells(board.links.map((l) => new joint.shapes.standard.Link({
    id: l.id, source: { id: l.s }, target: { id: l.t },
  })));
  // No time budget for the detour searches: what is drawn must not depend on the machine.
  const router = new Router(graph, null, new Set(), Infinity);
  const lines = {};
  for (const link of graph.getLinks()) lines[link.id] = router.line(link).map((p) => [p.x, p.y]);
  return lines;
});
process.stdout.write(JSON.stringify(out));
