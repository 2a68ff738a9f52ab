// Which connections the editor offers, and why it refuses the others: pure functions over
// the catalogue JSON (components/catalogue.py's catalogue_as_json: each type's allowed
// `targets` and the `refusal_hints` per category pair) and the view document. The server
// checks the same rules again (components/operations.py edge_refusal);
// tests/js/connections.test.mjs checks these agree with it for every pair of types.

import { collapse } from "./cards.js";

const UNKNOWN = { title: "", colour: "#64748b", category: "", targets: [] };

/** The catalogue entry of a component type (a neutral stand-in for an unknown type). */
export function typeInfo(catalogue, type) {
  return catalogue.types[type] || { ...UNKNOWN, title: type };
}

/** How people know a component (`node` of the view document): its label, else its type's
 * title, as components/document.py's Node.name says; never its id. */
export function nodeName(catalogue, node) {
  return collapse(node.label || "") || typeInfo(catalogue, node.type).title;
}

/** Why a `source` type may not connect to a `target` type, or "" when it may. */
export function typeRefusal(catalogue, source, target) {
  const a = typeInfo(catalogue, source);
  const b = typeInfo(catalogue, target);
  if ((a.targets || []).includes(target)) return "";
  const why = catalogue.refusal_hints?.[`${a.category}>${b.category}`];
  return `${a.title} cannot connect to ${b.title}${why ? `: ${why}` : ""}.`;
}

/** Why a connection from component `source` to `target` (ids in `view`) is not allowed,
 * or "" when it is: gone, to itself, already there, or a pair of types the rules refuse. */
export function connectionRefusal(catalogue, view, source, target) {
  const from = view.nodes.get(source);
  const to = view.nodes.get(target);
  if (!from || !to) return "That component no longer exists.";
  if (source === target) return "A component cannot connect to itself.";
  for (const edge of view.edges.values()) {
    if (edge.source === source && edge.target === target) {
      const nameA = nodeName(catalogue, from);
      const nameB = nodeName(catalogue, to);
      return `${nameA} is already connected to ${nameB}.`;
    }
  }
  return typeRefusal(catalogue, from.type, to.type);
}
