// The in-place label editor: an <input> laid over a component or a connection's middle
// (double-click, or F2 from board.js), following the view while it is open. Enter or
// leaving it saves, Escape cancels. These are Canvas methods (`this` is the Canvas;
// canvas.js installs them on its prototype).
//
// A label holds at most the server's limit (catalogue_as_json()["limits"]["label"],
// components/document.py MAX_LABEL) and text is never cut silently: near the limit the
// notice strip under the canvas counts the characters, and a paste too long to fit is cut
// at the last whole word that fits, the strip saying how much was left out.

import { docId } from "./doc.js";
import { h } from "./dom.js";

// The count shows from this share of the limit on (180 of 200 characters).
const NEAR_LIMIT = 0.9;

/**
 * The field after pasting `pasted` over its selection [start, end), within `max`
 * characters: {value, caret, dropped}. Line breaks become spaces (a label is one line).
 * A paste too long is cut after the last whole word that fits (a single long word where
 * the limit falls, never inside a surrogate pair); `dropped` counts what was left out.
 */
export function fitPaste(value, start, end, pasted, max) {
  const text = String(pasted).replace(/\r\n|\r|\n/g, " ");
  const room = Math.max(0, max - (value.length - (end - start)));
  let cut = text;
  if (text.length > room) {
    cut = text.slice(0, room);
    if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
    if (cut.length < text.length && !/\s/.test(text[cut.length])) {
      const space = cut.search(/\s\S*$/);
      if (space !== -1) cut = cut.slice(0, space);
    }
    cut = cut.replace(/\s+$/, "");
  }
  return {
    value: value.slice(0, start) + cut + value.slice(end),
    caret: start + cut.length,
    dropped: text.length - cut.length,
  };
}

/**
 * A paste into `input` (the `paste` event `e`) kept within `max` characters: one that
 * fits is left to the browser (which can undo it) and 0 returned; one too long is cut
 * after the last whole word that fits (fitPaste), written in place, and the number of
 * characters left out returned. The label editor and the inspector's text fields share it.
 */
export function pasteWithin(e, input, max) {
  const pasted = e.clipboardData?.getData("text/plain");
  if (!pasted) return 0;
  const fitted = fitPaste(input.value, input.selectionStart, input.selectionEnd, pasted, max);
  if (!fitted.dropped) return 0;
  e.preventDefault();
  input.value = fitted.value;
  input.setSelectionRange(fitted.caret, fitted.caret);
  return fitted.dropped;
}

/**
 * What the notice strip says while a label of `length` characters is edited, or null:
 * the count near the limit, and what the last paste left out (`dropped` characters).
 */
export function labelNotice(length, max, dropped = 0) {
  const count = `${length}/${max}`;
  if (dropped > 0) {
    const left = dropped === 1 ? "1 character was left out" : `${dropped} characters were left out`;
    return {
      text: `The paste was cut to fit: ${left}, as a label holds at most ${max} characters (${count}).`,
      kind: "warning",
    };
  }
  if (length >= max) return { text: `${count} characters: a label holds at most ${max}.`, kind: "warning" };
  if (length >= Math.ceil(max * NEAR_LIMIT)) return { text: `${count} characters`, kind: "info" };
  return null;
}

export const labelEditorMethods = {
  editLabel(key) {
    if (!this.editable) return;
    const view = this.store.view;
    const isEdge = key.startsWith("e:");
    const item = isEdge ? view.edges.get(docId(key)) : view.nodes.get(docId(key));
    const cell = this.graph.getCell(key);
    if (!item || !cell) return;
    this.closeEditor(false);
    const max = this.catalogue.limits.label;
    const input = h("input", {
      class: "label-editor", type: "text", maxlength: max, value: item.label,
      "aria-label": isEdge ? "Connection label" : "Component label",
      placeholder: isEdge ? "Label this connection" : "Label",
    });
    // `hinted`: the strip shows this editor's notice; `dropped`: what the last paste left out.
    const editor = { key, input, original: item.label, isEdge, hinted: false, dropped: 0 };
    this.editor = editor;
    const notify = () => {
      const notice = labelNotice(input.value.length, max, editor.dropped);
      if (notice) this.hint(notice.text, notice.kind);
      else if (editor.hinted) this.hint("");
      editor.hinted = Boolean(notice);
    };
    input.addEventListener("input", notify);
    // The field's maxlength would cut a long paste silently, mid-word: cut it here instead.
    input.addEventListener("paste", (e) => {
      const dropped = pasteWithin(e, input, max);
      if (!dropped) return;
      editor.dropped = dropped;
      notify();
    });
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
    notify(); // a label already near the limit says so
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
    // The count goes with the editor; what a saved paste left out stays to be read.
    if (editor.hinted && !(save && editor.dropped)) this.hint("");
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
