// The notice strip under the canvas (#hint): one message at a time, gone after a while.

/**
 * @param {HTMLElement} el #hint
 * @returns {(message: string, kind?: "info"|"warning"|"error") => void} shows `message`
 *   ("" clears); errors stay 12 s, the rest 8 s
 */
export function setupHint(el) {
  let timer = null;
  const hint = (message, kind = "warning") => {
    clearTimeout(timer);
    el.textContent = message || "";
    el.dataset.kind = message ? kind : "";
    if (message) timer = setTimeout(() => hint(""), kind === "error" ? 12_000 : 8_000);
  };
  return hint;
}
