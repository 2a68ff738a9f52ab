// The top bar's drop-down menus (the Export menu): <details class="menu"> made to behave
// as a WAI-ARIA menu button. board.js calls setupMenu() on each.

/**
 * A drop-down menu made of <details class="menu"> with a role="menu" list (the Export
 * menu), behaving as the WAI-ARIA menu button pattern says: Enter, Space or ArrowDown on
 * the button opens it on its first item (ArrowUp: the last); ArrowUp/ArrowDown, Home and
 * End move between the items; Escape closes it and puts the focus back on the button;
 * choosing an item, Tab, or a click anywhere else closes it. The items leave the Tab
 * order: the arrow keys reach them.
 */
export function setupMenu(details) {
  const summary = details.querySelector("summary");
  const list = details.querySelector("[role=menu]");
  if (!summary || !list) return;
  const items = () => [...list.querySelectorAll("[role=menuitem]")];
  summary.setAttribute("aria-haspopup", "menu");
  for (const item of items()) item.tabIndex = -1;
  const sync = () => summary.setAttribute("aria-expanded", details.open ? "true" : "false");
  sync();
  const close = (refocus) => {
    if (!details.open) return;
    details.open = false;
    sync();
    if (refocus) summary.focus();
  };
  const openAt = (which) => {
    details.open = true;
    sync();
    const all = items();
    (which === "last" ? all[all.length - 1] : all[0])?.focus();
  };
  let byKey = false;
  details.addEventListener("toggle", () => {
    sync();
    if (details.open && byKey) items()[0]?.focus();
    byKey = false;
  });
  summary.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      openAt(e.key === "ArrowUp" ? "last" : "first");
    } else if ((e.key === "Enter" || e.key === " ") && !details.open) {
      byKey = true; // the summary's own activation opens it; the toggle focuses the first item
    }
  });
  details.addEventListener("keydown", (e) => {
    if (!details.open) return;
    if (e.target === summary && e.key !== "Escape") return; // the summary's own keys, above
    const all = items();
    const at = all.indexOf(document.activeElement);
    let next = null;
    if (e.key === "Escape") {
      e.preventDefault(); // board.js's Escape (clear the selection) is not for us
      close(true);
      return;
    }
    if (e.key === "ArrowDown") next = all[(at + 1) % all.length];
    else if (e.key === "ArrowUp") next = all[at < 0 ? all.length - 1 : (at - 1 + all.length) % all.length];
    else if (e.key === "Home") next = all[0];
    else if (e.key === "End") next = all[all.length - 1];
    else if (e.key === " " && at >= 0) {
      e.preventDefault();
      all[at].click();
      return;
    }
    if (next) {
      e.preventDefault();
      next.focus();
    }
  });
  // Choosing an item: the link does its work (a download, a new tab), the menu closes.
  list.addEventListener("click", (e) => {
    if (!e.target.closest?.("[role=menuitem]")) return;
    setTimeout(() => close(true), 0);
  });
  document.addEventListener("pointerdown", (e) => {
    if (details.open && !details.contains(e.target)) close(false);
  });
  details.addEventListener("focusout", (e) => {
    if (details.open && e.relatedTarget && !details.contains(e.relatedTarget)) close(false);
  });
  // Escape with the focus elsewhere (the menu opened by a click, then the mouse moved on).
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && details.open && !details.contains(document.activeElement)) {
      e.preventDefault();
      close(false);
    }
  });
}
