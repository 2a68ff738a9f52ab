// The session report: its Print button (no inline handlers: the CSP forbids them), and its
// times in the reader's own zone (local-time.js; the page says UTC without scripts).
import { localizeTimes } from "./local-time.js";

document.getElementById("print-report")?.addEventListener("click", () => window.print());
localizeTimes();
