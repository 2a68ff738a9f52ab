// static/js/room.js: where a card goes when a longer label makes it wider.
import assert from "node:assert/strict";
import { test } from "node:test";

import { grownX } from "../../static/js/room.js";

const card = (x, y, width = 150, height = 60) => ({ x, y, width, height });

test("a card with room on its right grows there and does not move", () => {
  assert.equal(grownX(card(0, 0), { width: 220, height: 60 }, [card(400, 0)]), null);
});

test("a card that would grow into its right neighbour keeps its right edge", () => {
  assert.equal(grownX(card(200, 0), { width: 250, height: 60 }, [card(380, 0)]), 100);
});

test("with neighbours on both sides it grows from its centre when that is clear", () => {
  const others = [card(0, 0), card(380, 0)];
  assert.equal(grownX(card(200, 0), { width: 210, height: 60 }, others), 170);
});

test("hemmed in on both sides, or not wider, it stays", () => {
  assert.equal(grownX(card(200, 0), { width: 300, height: 60 }, [card(0, 0), card(360, 0)]), null);
  assert.equal(grownX(card(200, 0), { width: 150, height: 80 }, [card(200, 70)]), null);
});

test("a card it overlapped already does not count against it", () => {
  assert.equal(grownX(card(200, 0), { width: 250, height: 60 }, [card(300, 0)]), null);
});
