// Auto-layout: ask the server for positions (components/layout.py) and send them
// as one batch of moves, so one undo restores the drawing.

const SLOW_MS = 400; // ms before the wait is announced

/**
 * @param {object} opts
 * @param {string|null} opts.url the board's layout URL (none: the button is hidden)
 * @param {HTMLButtonElement} opts.button #auto-layout
 * @param {import("./store.js").Store} opts.store
 * @param {(op: object, options?: object) => unknown} opts.edit makes an undoable edit
 * @param {import("./canvas.js").Canvas} opts.canvas
 * @param {(message: string, kind?: string) => void} opts.hint
 * @param {number} opts.maxBatch operations in one batch (the catalogue's limits.batch)
 * @param {boolean} opts.editable
 * @returns {() => Promise<void>} runs the layout (the L shortcut)
 */
export function setupAutoLayout({ url, button, store, edit, canvas, hint, maxBatch, editable }) {
  const layout = async () => {
    if (!editable || !url || button.disabled) return;
    // Every component moves in one batch: a board over the limit is refused here, before
    // a round trip to the server (which would refuse it too).
    if (store.view.nodes.size > maxBatch) {
      hint(`Auto-layout arranges at most ${maxBatch} components at once; this board has ${store.view.nodes.size}.`, "error");
      return;
    }
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    // The server takes a second or more on a board of 20-30 components (the placement
    // is searched, components/anneal.py): say so if the answer is not there at once.
    let announced = false;
    const slow = setTimeout(() => {
      announced = true;
      hint("Arranging the board…", "info");
    }, SLOW_MS);
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) {
        let reason = `the server answered ${response.status}`;
        try {
          const body = await response.json();
          if (body && typeof body.error === "string") reason = body.error.replace(/^Auto-layout failed:\s*/i, "");
        } catch { /* not JSON */ }
        throw new Error(reason);
      }
      const { positions } = await response.json();
      const view = store.view;
      const ops = [];
      for (const [id, p] of Object.entries(positions || {})) {
        const node = view.nodes.get(id);
        if (!node || !p || !Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
        const x = Math.round(p.x);
        const y = Math.round(p.y);
        if (node.x !== x || node.y !== y) ops.push({ op: "move_node", id, x, y });
      }
      if (!ops.length) {
        hint("Already arranged.", "info");
        return;
      }
      if (ops.length > maxBatch) {
        hint(`Auto-layout moves at most ${maxBatch} components at once.`, "error");
        return;
      }
      // The view fits the new drawing, and the old one again when the layout is undone.
      const fit = () => requestAnimationFrame(() => canvas.fit());
      edit(ops.length === 1 ? ops[0] : { op: "batch", ops }, { after: fit });
      if (announced) hint("");
    } catch (err) {
      hint(`Auto-layout failed: ${err.message}`, "error");
    } finally {
      clearTimeout(slow);
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  };
  if (!url) button.hidden = true;
  button.addEventListener("click", layout);
  return layout;
}
