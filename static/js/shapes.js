// What the canvas draws: the JointJS shapes of a component (Card), a note (Note) and a
// connection (Flow), with their sizes and colours. canvas.js builds its graph and paper on
// cellNamespace, so the shapes can be found by their type names ("mlsd.Card", ...).

const { dia, shapes } = window.joint;

// The smallest card (components/cards.py MIN_WIDTH x MIN_HEIGHT): a card grows to fit its
// label (cards.js gives each card its size and its lines; nothing is measured here).
export const CARD_SIZE = { width: 150, height: 60 };
export const NOTE_SIZE = { width: 150, height: 60 };

// Text and line colours, and the outlines of our selection (accent) and of findings.
export const COLOURS = {
  ink: "#1f2433",
  line: "#8b95a7",
  accent: "#4f46e5",
  error: "#dc2626",
  warning: "#b45309",
};

function ring(pad, radius) {
  return {
    x: -pad, y: -pad, width: `calc(w+${2 * pad})`, height: `calc(h+${2 * pad})`,
    rx: radius, ry: radius, fill: "none", stroke: "transparent", strokeWidth: 2,
    pointerEvents: "none",
  };
}

const RINGS = {
  remote: { ...ring(10, 17), strokeDasharray: "5 4" },
  selection: { ...ring(6, 14), strokeWidth: 2.5 },
  status: { ...ring(3, 12), strokeWidth: 2.5 },
};

// Connection handles on all four sides (the right one keeps the name "handle"): a
// connection may be started from any side; where it is drawn is routing.js's choice (the
// side facing the other end).
const HANDLE = {
  r: 6, cx: "calc(w)", cy: "calc(0.5*h)", fill: "#ffffff", strokeWidth: 2,
  magnet: true, cursor: "crosshair", class: "handle",
};
const HANDLES = {
  handle: { ...HANDLE },
  handleLeft: { ...HANDLE, cx: 0 },
  handleTop: { ...HANDLE, cx: "calc(0.5*w)", cy: 0 },
  handleBottom: { ...HANDLE, cx: "calc(0.5*w)", cy: "calc(h)" },
};
const HANDLE_MARKUP = ["handleLeft", "handleTop", "handleBottom", "handle"]
  .map((selector) => ({ tagName: "circle", selector }));

const FLAG = {
  flag: { transform: "translate(calc(w), 0)", class: "flag", display: "none" },
  flagDot: { r: 9, cx: 0, cy: 0, stroke: "#ffffff", strokeWidth: 2 },
  flagText: {
    x: 0, y: 0.5, textAnchor: "middle", textVerticalAnchor: "middle", fontSize: 11,
    fontWeight: 700, fill: "#ffffff", pointerEvents: "none",
  },
};

const FLAG_MARKUP = {
  tagName: "g", selector: "flag",
  children: [{ tagName: "circle", selector: "flagDot" }, { tagName: "text", selector: "flagText" }],
};
// The tooltip and the three rings (someone else's selection, ours, the findings' status)
// that every element draws under its body.
const RING_MARKUP = [
  { tagName: "title", selector: "tip" },
  { tagName: "rect", selector: "remote" },
  { tagName: "rect", selector: "selection" },
  { tagName: "rect", selector: "status" },
];

export const Card = dia.Element.define("mlsd.Card", {
  size: { ...CARD_SIZE },
  z: 2,
  attrs: {
    ...RINGS,
    body: { width: "calc(w)", height: "calc(h)", rx: 10, ry: 10, fill: "#64748b" },
    face: { x: 5, width: "calc(w-5)", height: "calc(h)", rx: 9, ry: 9, fill: "#ffffff" },
    frame: {
      width: "calc(w)", height: "calc(h)", rx: 10, ry: 10, fill: "none",
      stroke: "rgba(15, 23, 42, 0.14)", strokeWidth: 1, pointerEvents: "none",
    },
    label: {
      x: 15, y: 30, fontSize: 12.5, fontWeight: 700, lineHeight: 16, fill: COLOURS.ink,
      textVerticalAnchor: "middle", pointerEvents: "none",
    },
    kind: {
      x: 15, y: 41, fontSize: 10.5, fontWeight: 400, fill: "#64748b", textVerticalAnchor: "middle",
      pointerEvents: "none",
    },
    ...HANDLES,
    ...FLAG,
  },
}, {
  markup: [
    ...RING_MARKUP,
    { tagName: "rect", selector: "body" },
    { tagName: "rect", selector: "face" },
    { tagName: "rect", selector: "frame" },
    { tagName: "text", selector: "label" },
    { tagName: "text", selector: "kind" },
    ...HANDLE_MARKUP,
    FLAG_MARKUP,
  ],
});

export const Note = dia.Element.define("mlsd.Note", {
  size: { ...NOTE_SIZE },
  z: 2,
  attrs: {
    ...RINGS,
    body: {
      width: "calc(w)", height: "calc(h)", rx: 4, ry: 4, fill: "#fef3c7",
      stroke: "#f3d36b", strokeWidth: 1,
    },
    fold: { d: "M calc(w-14) calc(h) L calc(w) calc(h-14) L calc(w-14) calc(h-14) Z", fill: "#f7dc83" },
    label: {
      x: 15, y: 30, fontSize: 12, lineHeight: 15, fill: "#5b4510", textVerticalAnchor: "middle",
      pointerEvents: "none",
    },
    ...Object.fromEntries(Object.entries(HANDLES).map(([k, v]) => [k, { ...v, stroke: "#b7791f" }])),
    ...FLAG,
  },
}, {
  markup: [
    ...RING_MARKUP,
    { tagName: "rect", selector: "body" },
    { tagName: "path", selector: "fold" },
    { tagName: "text", selector: "label" },
    ...HANDLE_MARKUP,
    FLAG_MARKUP,
  ],
});

export const Flow = shapes.standard.Link.define("mlsd.Flow", {
  z: 1,
  attrs: {
    line: {
      stroke: COLOURS.line, strokeWidth: 1.75,
      targetMarker: { type: "path", d: "M 9 -4.5 0 0 9 4.5 z" },
    },
    wrapper: { strokeWidth: 14, cursor: "pointer" },
  },
}, {
  defaultLabel: {
    markup: [
      { tagName: "path", selector: "labelLeader" },
      { tagName: "rect", selector: "labelBody" },
      { tagName: "text", selector: "labelText" },
    ],
    attrs: {
      // From a label set beside the cards back to its link (routing.js placeLabels).
      labelLeader: {
        d: "M 0 0", fill: "none", stroke: "#9aa3b5", strokeWidth: 1, strokeDasharray: "3 2",
        pointerEvents: "none",
      },
      labelText: {
        fill: "#374151", fontSize: 11, textAnchor: "middle", textVerticalAnchor: "middle",
        pointerEvents: "none",
      },
      // Sized from the width table by canvas.js (labelSize): measuring each label's text
      // (a "ref") was a large part of drawing a big board.
      labelBody: {
        x: -20, y: -10, width: 40, height: 20,
        rx: 6, ry: 6, fill: "#ffffff", stroke: "#dfe3ec", strokeWidth: 1,
      },
    },
  },
});

export const cellNamespace = { ...shapes, mlsd: { Card, Note, Flow } };
