// "What should others call you?": the display name, asked once.
//
// The session keeps the name (POST config.nameUrl, studio/views.py set_name), so the page
// comes with it (config.name) and the dialog is not shown again. Escape keeps the role's
// default name ("Candidate") and is not asked again in this browser (localStorage: a new
// tab or window must not ask again either). Clicking your own avatar opens the dialog to
// change the name. The server reads the name when a socket connects, so a saved name is
// followed by a reconnect (everyone's list then shows it).
// A practice board does not ask on load (nobody else is there; the avatar still opens it).
// The prompt shown on load reports when it is answered (`done`), so that the page opens
// its next dialog (a new board's share links) only then: two modal dialogs opened on load
// would be closed together by a single Escape (Chromium groups dialogs opened without a
// user gesture).

const SKIPPED_KEY = "mlsd:name-skipped";
const MAX_NAME = 40; // studio/sessions.py set_display_name

/** Django's CSRF token: the csrftoken cookie, or the one htmx sends (body hx-headers). */
function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === "csrftoken") return decodeURIComponent(value.join("="));
  }
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

function skipped() {
  try {
    return localStorage.getItem(SKIPPED_KEY) === "1";
  } catch {
    return false;
  }
}

function rememberSkip() {
  try {
    localStorage.setItem(SKIPPED_KEY, "1");
  } catch { /* storage unavailable: we ask again next time */ }
}

/**
 * @param {object} opts
 * @param {HTMLDialogElement} opts.dialog #name-dialog
 * @param {object} opts.config the board config (name, nameUrl, role)
 * @param {() => void} opts.onSaved called after the server stored a new name
 * @returns {{open: () => void, done: Promise<void>}} `done` settles when the prompt shown
 *   on load has closed (at once when none was shown)
 */
export function setupName({ dialog, config, onSaved }) {
  if (!dialog || !config.nameUrl) return { open() {}, done: Promise.resolve() };
  const form = dialog.querySelector("form");
  const input = dialog.querySelector("input[name=name]");
  const error = dialog.querySelector(".name-error");
  const button = dialog.querySelector("button[type=submit]");
  const fallback = dialog.querySelector(".name-fallback");
  const roleName = config.role ? config.role[0].toUpperCase() + config.role.slice(1) : "";
  let saving = false;
  let first = false; // the prompt shown on load (not a change from the avatar)
  let firstClosed = () => {};
  const done = new Promise((resolve) => { firstClosed = resolve; });

  const showError = (message) => {
    error.textContent = message;
    error.hidden = !message;
    input.setAttribute("aria-invalid", message ? "true" : "false");
  };

  const open = (initial = false) => {
    if (dialog.open) return;
    first = initial;
    input.value = config.name || "";
    showError("");
    if (fallback) {
      fallback.textContent = config.name
        ? ""
        : `Press Escape to stay “${roleName}”.`;
      fallback.hidden = !fallback.textContent;
    }
    dialog.showModal();
    input.focus();
    input.select();
  };

  dialog.addEventListener("cancel", (e) => {
    if (saving) e.preventDefault();
  });
  dialog.addEventListener("close", () => {
    if (first) {
      if (!config.name) rememberSkip();
      firstClosed();
    }
    first = false;
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (saving) return;
    const name = input.value.trim().slice(0, MAX_NAME);
    if (!name) {
      showError("Type a name, or press Escape to skip.");
      input.focus();
      return;
    }
    if (name === config.name) {
      dialog.close();
      return;
    }
    saving = true;
    button.disabled = true;
    showError("");
    try {
      const response = await fetch(config.nameUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
        body: new URLSearchParams({ name }),
      });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      config.name = name;
      saving = false;
      dialog.close();
      onSaved(name);
    } catch (err) {
      showError(`Your name could not be saved (${err.message}). Try again.`);
    } finally {
      saving = false;
      button.disabled = false;
    }
  });

  // A practice board has nobody else to tell the name to until it is shared.
  if (!config.name && !skipped() && !config.practice) open(true);
  else firstClosed();
  return { open: () => open(false), done };
}
