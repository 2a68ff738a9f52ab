// The interviewer's Share dialog: open it (also right after the board is created, when the
// new role links are shown once), and copy a link to the clipboard.

export function setupShare() {
  const dialog = document.getElementById("share-dialog");
  const button = document.getElementById("share-button");
  if (!dialog) return;
  button?.addEventListener("click", () => {
    if (!dialog.open) dialog.showModal();
  });
  if (dialog.hasAttribute("data-open-on-load")) dialog.showModal();

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
    const label = copy.textContent;
    copy.textContent = done ? "Copied" : "Select and copy";
    setTimeout(() => { copy.textContent = label; }, 1500);
  });
}
