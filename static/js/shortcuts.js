// The board's keyboard shortcuts (the help dialog lists them): undo/redo, select all,
// delete, zoom, fit, auto-layout, help, nudge, rename. Typing in a field keeps its keys.

import { isTyping } from "./dom.js";

/**
 * @param {object} opts
 * @param {HTMLElement} opts.stage the canvas' box: keys act on the canvas when focus is in it
 * @param {import("./canvas.js").Canvas} opts.canvas
 * @param {import("./history.js").History} opts.history
 * @param {boolean} opts.editable
 * @param {(() => unknown)|null} opts.layout auto-layout (null: not offered)
 * @param {() => void} opts.openHelp
 * @param {{open: (id: string, focus: boolean) => void}} opts.tabs the sidebar tabs
 * @param {(message: string) => void} opts.hint
 * @param {{toggle: (side: string) => void}} [opts.sidebars] the sidebar toggles ([ and ])
 */
export function setupShortcuts({ stage, canvas, history, editable, layout, openHelp, tabs, hint, sidebars }) {
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || document.querySelector("dialog[open]")) return;
    const typing = isTyping(e.target);
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (mod && !e.altKey && (key === "z" || key === "y")) {
      if (typing || !editable) return; // form fields keep their own undo
      e.preventDefault();
      if (key === "y" || e.shiftKey) history.redo();
      else history.undo();
      return;
    }
    if (typing) return;
    const onCanvas = e.target === document.body || stage.contains(e.target);
    if (mod) {
      if (key === "a" && onCanvas) {
        e.preventDefault();
        canvas.select(canvas.graph.getElements().map((c) => c.id));
      }
      return;
    }
    switch (e.key) {
      case "Delete":
      case "Backspace":
        // Also from the inspector (a connection chosen in its Sends to / Receives from list).
        if ((onCanvas || document.getElementById("inspector")?.contains(e.target)) && canvas.selection.size) {
          e.preventDefault();
          canvas.deleteSelection();
        }
        break;
      case "+":
      case "=":
        e.preventDefault();
        canvas.zoomBy(1.2);
        break;
      case "-":
      case "_":
      case "−":
        e.preventDefault();
        canvas.zoomBy(1 / 1.2);
        break;
      case "f":
      case "F":
        e.preventDefault();
        canvas.fit();
        break;
      case "l":
      case "L":
        if (layout && editable) {
          e.preventDefault();
          layout();
        }
        break;
      case "?":
        e.preventDefault();
        openHelp();
        break;
      case "[":
      case "]":
        if (!sidebars) break;
        e.preventDefault();
        sidebars.toggle(e.key === "[" ? "left" : "right");
        break;
      case "Escape":
        canvas.clearSelection();
        hint("");
        break;
      case "ArrowLeft":
      case "ArrowRight":
      case "ArrowUp":
      case "ArrowDown": {
        if (!onCanvas) break;
        const step = e.shiftKey ? 40 : 8;
        const [dx, dy] = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
        if (canvas.nudge(dx, dy)) e.preventDefault();
        break;
      }
      case "Enter":
      case "F2":
        if (onCanvas && canvas.selection.size === 1) {
          e.preventDefault();
          if (e.key === "F2") canvas.editLabel([...canvas.selection][0]);
          else tabs.open("inspector-tab", true);
        }
        break;
      default:
        break;
    }
  });
}
