// The interviewer's Share dialog: open it (also right after the board is created, when the
// new role links are shown once), and copy a link to the clipboard.
//
// The links that work come with every interviewer page (the server derives them again from
// their seeds, studio/services.py current_tokens), so "Share links" shows them for the
// board's whole life. A new board's dialog opens by itself, but only after the name prompt
// has closed (two dialogs opened on load would close together on one Escape). The links
// stay in the page's DOM only: never in any browser storage.

/**
 * @param {object} [opts]
 * @param {Promise<void>} [opts.after] open the new board's links only once this settles
 *   (name.js `done`)
 * @param {(message: string, kind?: string) => void} [opts.hint] a notice on the canvas
 */
export function setupShare({ after = Promise.resolve(), hint = () => {} } = {}) {
  const dialog = document.getElementById("share-dialog");
  const button = document.getElementById("share-button");
  if (!dialog) return;
  const fresh = dialog.hasAttribute("data-open-on-load") && Boolean(dialog.querySelector(".share-url"));
  button?.addEventListener("click", () => {
    if (!dialog.open) dialog.showModal();
  });

  if (fresh) {
    let told = false;
    dialog.addEventListener("close", () => {
      if (told || !button) return;
      told = true;
      hint("The role links stay under “Share links” in the top bar for as long as the board exists.", "info");
    });
    after.finally(() => {
      if (!dialog.open) dialog.showModal();
    });
  }

  dialog.addEventListener("click", async (e) => {
    const copy = e.target.closest?.(".copy-link");
    if (!copy) return;
    const text = copy.dataset.copy || "";
    const input = copy.closest(".share-link")?.querySelector(".share-url");
    let done = false;
    try {
      await navigator.clipboard.writeText(text);
      done = true;
    } catch {
      if (input) {
        input.select();
        done = document.execCommand("copy");
      }
    }
    const label = copy.dataset.label || (copy.dataset.label = copy.textContent);
    copy.textContent = done ? "Copied" : "Select and copy";
    setTimeout(() => { copy.textContent = label; }, 1500);
  });
}
