// Where a card goes when a new label makes it bigger. A card grows to the right and down
// from its top-left corner; grown into a neighbour it was clear of, it would hide that
// neighbour's text. It then keeps its right edge instead (grows to the left), else grows
// from its centre, whichever overlaps no card it was clear of; if neither does, it stays
// where it is. Pure: boxes in, an x out (canvas.js renameOp sends the move with the rename).

const overlaps = (a, b) => a.x < b.x + b.width && a.x + a.width > b.x
  && a.y < b.y + b.height && a.y + a.height > b.y;

/**
 * The x to move a card to when it grows from `box` ({x, y, width, height}) to `size`
 * ({width, height}), or null to leave it: it did not get wider, it overlaps no card of
 * `others` it was clear of as it is, or no placement tried is clear.
 */
export function grownX(box, size, others) {
  if (size.width <= box.width) return null;
  const before = new Set(others.filter((o) => overlaps(box, o)));
  const clear = (x) => !others.some((o) => !before.has(o)
    && overlaps({ x, y: box.y, width: size.width, height: size.height }, o));
  if (clear(box.x)) return null;
  const growth = size.width - box.width;
  for (const x of [box.x - growth, box.x - growth / 2]) {
    if (clear(x)) return Math.round(x);
  }
  return null;
}
