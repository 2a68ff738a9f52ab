// Small DOM and timing helpers. Text always goes in through textContent or attributes,
// never through innerHTML, so server and user text cannot inject markup.

/** Create an element: h("button", {class: "btn", type: "button", onclick: fn}, "Save"). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style" && typeof value === "object") {
      for (const [name, v] of Object.entries(value)) el.style.setProperty(name, v);
    } else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "value") el.value = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Run `fn` in a task of its own, soon: the browser may paint and handle input first (the
 * way to split long work into short tasks). scheduler.postTask where there is one (it is
 * not slowed down as nested timers are), else a zero timeout.
 */
export function nextTask(fn) {
  if (globalThis.scheduler?.postTask) globalThis.scheduler.postTask(fn, { priority: "user-visible" });
  else setTimeout(fn, 0);
}

/** A promise kept in the next task (`await nextTaskDone()` splits work into tasks). */
export function nextTaskDone() {
  return new Promise((resolve) => nextTask(resolve));
}

/**
 * When a modal dialog closes, give the focus back to what opened it (or to `fallback()`
 * when it opened by itself, e.g. on page load), never to <body>.
 */
export function returnFocus(dialog, fallback = () => null) {
  let opener = null;
  const outside = (el) => el && el !== document.body && !dialog.contains(el) ? el : null;
  dialog.addEventListener("beforetoggle", (e) => {
    if (e.newState === "open") opener = outside(document.activeElement);
  });
  dialog.addEventListener("close", () => {
    const target = opener?.isConnected && opener.getClientRects().length ? opener : fallback();
    opener = null;
    if (outside(document.activeElement) && document.activeElement !== target) return;
    target?.focus({ preventScroll: true });
  });
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

export function readJSON(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}

/** True when keyboard input belongs to a form control rather than the canvas. */
export function isTyping(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  return !["button", "checkbox", "radio", "range", "submit", "reset"].includes(target.type);
}

/** A random id for a new component or edge ("n-3f9a0c1d"), well under 64 characters. */
export function newId(prefix) {
  const bytes = new Uint8Array(5);
  crypto.getRandomValues(bytes);
  return prefix + "-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Call fn at most once every `ms`, always delivering the latest arguments. */
export function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  let pending = null;
  return (...args) => {
    pending = args;
    const wait = last + ms - Date.now();
    if (wait <= 0) {
      last = Date.now();
      fn(...pending);
      pending = null;
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        if (pending) fn(...pending);
        pending = null;
      }, wait);
    }
  };
}

export function sameJSON(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}
