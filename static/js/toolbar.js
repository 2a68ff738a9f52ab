// The toolbar's undo, redo and zoom buttons (auto-layout is auto-layout.js); viewers see
// no editing buttons.

const $ = (id) => document.getElementById(id);

/**
 * @param {object} opts
 * @param {import("./history.js").History} opts.history
 * @param {import("./canvas.js").Canvas} opts.canvas
 * @param {boolean} opts.editable
 */
export function setupToolbar({ history, canvas, editable }) {
  const undoBtn = $("undo");
  const redoBtn = $("redo");
  const zoomLabel = $("zoom-level");
  const syncHistory = () => {
    undoBtn.disabled = !history.canUndo;
    redoBtn.disabled = !history.canRedo;
  };
  history.onChange(syncHistory);
  syncHistory();
  undoBtn.addEventListener("click", () => history.undo());
  redoBtn.addEventListener("click", () => history.redo());
  $("zoom-in").addEventListener("click", () => canvas.zoomBy(1.2));
  $("zoom-out").addEventListener("click", () => canvas.zoomBy(1 / 1.2));
  $("zoom-fit").addEventListener("click", () => canvas.fit());
  const showZoom = () => { if (zoomLabel) zoomLabel.textContent = `${Math.round(canvas.zoom * 100)}%`; };
  canvas.addEventListener("transform", showZoom);
  showZoom();
  if (!editable) {
    for (const el of [undoBtn, redoBtn, $("auto-layout")]) el.hidden = true;
    if (undoBtn.parentElement.classList.contains("tool-group")) undoBtn.parentElement.hidden = true;
  }
}
