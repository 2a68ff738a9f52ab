"""Lighthouse on the board page: accessibility and performance, desktop and mobile.

A real server (Daphne, production-like settings, SQLite in a temporary directory) serves a
board made from tests/fixtures/designs/video_recommendation.json (20 components); the
board page is audited as its interviewer (the session cookie is passed to Lighthouse) with
Lighthouse's two standard configurations: mobile (the default: a mid-range phone, slow 4G
and a 4x slower CPU, simulated) and desktop (--preset=desktop). Each is run --runs times;
the medians are printed, with the opportunities Lighthouse names (render-blocking
resources, compression, caching, unused JavaScript).

Lighthouse comes from npm through npx, pinned (LIGHTHOUSE below; 12.x runs on Node 20, the
13.x line wants Node 22); Chromium is Debian's (/usr/bin/chromium, CHROME_PATH). Not a
test: scores move with the machine's load, so compare runs made on the same machine.

Run from the repository root:  .venv/bin/python bench/lighthouse.py [--runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, migrate, server_env, start_daphne, stop, wait_for_port  # noqa: E402

LIGHTHOUSE = "lighthouse@12.8.2"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DESIGN = ROOT / "tests" / "fixtures" / "designs" / "video_recommendation.json"
FORMS = {"mobile": [], "desktop": ["--preset=desktop"]}
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}
OPPORTUNITIES = (
    "render-blocking-resources",
    "uses-text-compression",
    "uses-long-cache-ttl",
    "unused-javascript",
    "total-byte-weight",
)


def make_board(base: str) -> tuple[str, str]:
    """Create the board through the JSON API as a named person; return (board URL, the
    Cookie header of that interviewer's session)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/").read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    headers = {"X-CSRFToken": token, "Referer": base + "/"}
    opener.open(urllib.request.Request(base + "/name", data=b"name=Ivy", headers=headers)).read()
    document = json.loads(DESIGN.read_text())
    document.setdefault("format", "mlsd-studio/board")
    document.setdefault("version", 1)
    request = urllib.request.Request(
        base + "/api/boards",
        data=json.dumps(document).encode(),
        headers={**headers, "Content-Type": "application/json"},
    )
    created = json.loads(opener.open(request).read())
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return base + created["url"] if created["url"].startswith("/") else created["url"], cookie


def lighthouse(url: str, cookie: str, form: str, out: Path) -> dict:
    """One Lighthouse run; its JSON report."""
    command = [
        "npx", "-y", LIGHTHOUSE, url,
        "--quiet", "--output=json", f"--output-path={out}",
        "--only-categories=performance,accessibility",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        "--extra-headers", json.dumps({"Cookie": cookie}),
        *FORMS[form],
    ]  # fmt: skip
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return json.loads(out.read_text())


def summary(report: dict) -> dict:
    audits = report["audits"]
    row = {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
    }
    for key, name in METRICS.items():
        row[name] = audits[key]["numericValue"]
    for key in OPPORTUNITIES:
        audit = audits.get(key, {})
        details = audit.get("details") or {}
        row[key] = {
            "score": audit.get("score"),
            "value": audit.get("numericValue"),
            "savings_bytes": details.get("overallSavingsBytes"),
            "savings_ms": details.get("overallSavingsMs"),
        }
    lcp = (audits.get("largest-contentful-paint-element", {}).get("details") or {}).get("items", [])
    nodes = [i.get("node", {}) for table in lcp for i in table.get("items", []) if i.get("node")]
    row["lcp_element"] = nodes[0].get("selector", "") if nodes else ""
    row["a11y_failures"] = {
        ref["id"]: [
            (item.get("node") or {}).get("selector", "")
            for item in (audits[ref["id"]].get("details") or {}).get("items", [])[:5]
        ]
        for ref in report["categories"]["accessibility"]["auditRefs"]
        if ref.get("weight") and audits[ref["id"]].get("score") == 0
    }
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write every run's summary here")
    args = parser.parse_args()
    if not shutil.which("npx"):
        print("npx is missing: install Node.js (npm) to run Lighthouse.", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM} (set CHROMIUM)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        env = server_env(sqlite_path=Path(tmp) / "bench.sqlite3")
        migrate(env)
        port = free_port()
        proc = start_daphne(port, env, log_path=Path(tmp) / "daphne.log")
        try:
            wait_for_port(port, proc=proc)
            url, cookie = make_board(f"http://127.0.0.1:{port}")
            print(f"board page: {url} ({LIGHTHOUSE}, {args.runs} runs each, medians)")
            runs: dict[str, list[dict]] = {}
            for form in FORMS:
                for n in range(args.runs):
                    report = lighthouse(url, cookie, form, Path(tmp) / f"{form}-{n}.json")
                    runs.setdefault(form, []).append(summary(report))
        finally:
            stop(proc)
    for form, rows in runs.items():
        med = {
            k: statistics.median(r[k] for r in rows)
            for k in ("performance", "accessibility", *METRICS.values())
        }
        print(
            f"{form:8} performance {med['performance']:.0f}"
            f"  accessibility {med['accessibility']:.0f}"
            f"  FCP {med['FCP'] / 1000:.2f} s  LCP {med['LCP'] / 1000:.2f} s"
            f"  TBT {med['TBT']:.0f} ms  CLS {med['CLS']:.3f}  SI {med['SI'] / 1000:.2f} s"
        )
        last = rows[-1]
        print(f"    LCP element: {last['lcp_element'] or '?'}")
        for key in OPPORTUNITIES:
            o = last[key]
            extra = []
            if o["savings_bytes"]:
                extra.append(f"{o['savings_bytes'] / 1024:.0f} KiB")
            if o["savings_ms"]:
                extra.append(f"{o['savings_ms']:.0f} ms")
            if key == "total-byte-weight" and o["value"]:
                extra.append(f"{o['value'] / 1024:.0f} KiB in all")
            print(f"    {key:28} score {o['score']}  {' · '.join(extra)}")
        failures = {k: v for r in rows for k, v in r["a11y_failures"].items()}
        print(f"    accessibility audits failed: {'none' if not failures else ''}")
        for audit, nodes in sorted(failures.items()):
            print(f"      {audit}: {', '.join(nodes)}")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
