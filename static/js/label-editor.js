// The in-place label editor: an <input> laid over a component or a connection's middle
// (double-click, or F2 from board.js), following the view while it is open. Enter or
// leaving it saves, Escape cancels. These are Canvas methods (`this` is the Canvas;
// canvas.js installs them on its prototype).

import { docId } from "./doc.js";
import { h } from "./dom.js";

export const labelEditorMethods = {
  editLabel(key) {
    if (!this.editable) return;
    const view = this.store.view;
    const isEdge = key.startsWith("e:");
    const item = isEdge ? view.edges.get(docId(key)) : view.nodes.get(docId(key));
    const cell = this.graph.getCell(key);
    if (!item || !cell) return;
    this.closeEditor(false);
    const input = h("input", {
      class: "label-editor", type: "text", maxlength: 200, value: item.label,
      "aria-label": isEdge ? "Connection label" : "Component label",
      placeholder: isEdge ? "Label this connection" : "Label",
    });
    this.editor = { key, input, original: item.label, isEdge };
    input.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter") {
        e.preventDefault();
        this.closeEditor(true);
      } else if (e.key === "Escape") {
        e.preventDefault();
        this.closeEditor(false);
      }
    });
    input.addEventListener("blur", () => this.closeEditor(true, false));
    this.stage.append(input);
    this.placeEditor();
    input.focus();
    input.select();
  },

  placeEditor() {
    if (!this.editor) return;
    const { key, input, isEdge } = this.editor;
    const cell = this.graph.getCell(key);
    if (!cell) return;
    const scale = this.zoom;
    let rect;
    if (isEdge) {
      const view = this.paper.findViewByModel(cell);
      const mid = view.getPointAtRatio(0.5);
      const p = this.paper.localToPaperPoint(mid);
      rect = { x: p.x - 90, y: p.y - 16, width: 180, height: 32 };
    } else {
      const box = this.paper.localToPaperRect(cell.getBBox());
      const height = Math.max(32, Math.min(box.height, 36 * scale));
      const width = Math.max(box.width + 40, 220);
      rect = { x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width, height };
    }
    Object.assign(input.style, {
      left: `${rect.x}px`, top: `${rect.y}px`, width: `${rect.width}px`, height: `${rect.height}px`,
      fontSize: `${Math.max(12, Math.min(16, 13 * scale))}px`,
    });
  },

  /** Close the label editor, saving its text if `save`; `refocus` returns to the canvas. */
  closeEditor(save, refocus = true) {
    const editor = this.editor;
    if (!editor) return;
    this.editor = null;
    const value = editor.input.value;
    editor.input.remove();
    if (save && value !== editor.original) {
      const id = docId(editor.key);
      const op = editor.isEdge
        ? { op: "update_edge", id, changes: { label: value } }
        : this.renameOp(id, value);
      this.edit(op);
    }
    if (refocus) this.el.focus({ preventScroll: true });
  },
};
