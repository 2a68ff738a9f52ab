// The session report's Print button (no inline handlers: the CSP forbids them).
document.getElementById("print-report")?.addEventListener("click", () => window.print());
