// The interviewer's Share dialog: open it (also right after the board is created, when the
// new role links are shown once), and copy a link to the clipboard.
//
// A new board's links come with the page once (the server forgets them), so they must not
// be lost to a stray Escape: the dialog opens only after the name prompt has closed (two
// dialogs opened on load would close together on one Escape), and once it is closed the
// top bar's button reads "Share links" and reopens it with the same links, for as long as
// this page is open. They stay in this page's DOM only: never in any storage.

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
    if (button) {
      button.textContent = "Share links";
      button.title = "The role links of this new board, until you leave this page";
    }
    let told = false;
    dialog.addEventListener("close", () => {
      if (told || !button) return;
      told = true;
      hint("The role links stay under “Share links” until you leave this page: copy them before you go.", "info");
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
