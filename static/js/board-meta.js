// The board's title and level in the top bar, kept in step with the document.

const $ = (id) => document.getElementById(id);

/**
 * Edits go out as update_board. @param {object} opts
 * @param {number} opts.maxTitle the longest title the server accepts (limits.label)
 */
export function setupBoardMeta({ store, edit, editable, maxTitle }) {
  const title = $("board-title");
  const level = $("board-level");
  const suffix = " · MLSD Studio";
  let shownTitle = title.value;
  const saveTitle = () => {
    const value = title.value.trim();
    if (value === store.view.title) return;
    if (value.length > maxTitle) return;
    edit({ op: "update_board", changes: { title: value } });
  };
  if (editable) {
    title.addEventListener("change", saveTitle);
    title.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        title.blur();
      } else if (e.key === "Escape") {
        title.value = shownTitle;
        title.blur();
      }
    });
    level.addEventListener("change", () => {
      if (level.value !== store.view.level) edit({ op: "update_board", changes: { level: level.value } });
    });
  }
  store.addEventListener("change", () => {
    const view = store.view;
    shownTitle = view.title;
    if (document.activeElement !== title && title.value !== view.title) title.value = view.title;
    if (document.activeElement !== level && level.value !== view.level) level.value = view.level;
    document.title = (view.title || "Untitled design") + suffix;
    const heading = document.getElementById("board-heading"); // the page's h1 (visually hidden)
    if (heading) heading.textContent = view.title || "Untitled design";
  });
}
