"""Lighthouse on the board page: accessibility and performance, desktop and mobile.

A real server (Daphne, production-like settings, SQLite in a temporary directory) serves a
board made from tests/fixtures/designs/video_recommendation.json (20 components); the
board page is audited as its interviewer (the session cookie is passed to Lighthouse) with
Lighthouse's two standard configurations: mobile (the default: a mid-range phone, slow 4G
and a 4x slower CPU, simulated) and desktop (--preset=desktop). Each is run --runs times;
the medians are printed, with the opportunities Lighthouse names (render-blocking
resources, compression, caching, unused JavaScript) and the main thread's long tasks of the
last run (the scripts they belong to and their simulated length).

With --baseline DIR (a checkout of another commit, e.g. `git worktree add /tmp/base main`
with .venv and node_modules symlinked), a second server runs from that directory, with its
own collected static files, and the two take turns run by run, so that a change in the
machine's load hits both alike; each run's score and the load average are printed.

Lighthouse comes from npm through npx, pinned (LIGHTHOUSE below; 12.x runs on Node 20, the
13.x line wants Node 22); Chromium is Debian's (/usr/bin/chromium, CHROME_PATH). Not a
test: scores move with the machine's load, so compare runs made on the same machine.

Run from the repository root:  .venv/bin/python bench/lighthouse.py [--runs 3] [--json out.json]
    [--baseline /tmp/base] [--forms mobile,desktop]
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

from tests.servers import (  # noqa: E402
    collect_static_of,
    free_port,
    server_env,
    stop,
    wait_for_port,
)

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
    tasks = (audits.get("long-tasks", {}).get("details") or {}).get("items", [])
    row["long_tasks"] = [
        {"start": t.get("startTime", 0), "duration": t.get("duration", 0), "url": t.get("url", "")}
        for t in tasks
    ]
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


def serve(directory: Path, workdir: Path) -> tuple[subprocess.Popen, str]:
    """A Daphne process serving the checkout in `directory` (SQLite and, for another
    checkout than this one, collected static files in `workdir`); returns it and its URL."""
    env = server_env(sqlite_path=workdir / "bench.sqlite3")
    if directory != ROOT:
        collect_static_of(directory, workdir / "static")
        env["DJANGO_STATIC_ROOT"] = str(workdir / "static")
    python = str(directory / ".venv" / "bin" / "python")
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=directory,
        env=env,
        check=True,
        timeout=300,
    )
    port = free_port()
    proc = subprocess.Popen(
        [python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "studio.asgi:application"],
        cwd=directory,
        env=env,
        stdout=open(workdir / "daphne.log", "ab"),  # the child keeps its own descriptor
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_port(port, proc=proc, timeout=60)
    return proc, f"http://127.0.0.1:{port}"


def load_average() -> float:
    return os.getloadavg()[0]


def report_form(form: str, rows: list[dict]) -> None:
    med = {
        k: statistics.median(r[k] for r in rows)
        for k in ("performance", "accessibility", *METRICS.values())
    }
    print(
        f"{form:8} performance {med['performance']:.0f}"
        f" ({', '.join(str(r['performance']) for r in rows)})"
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
    print("    long tasks (last run, start / length in ms, script):")
    for task in last["long_tasks"] or [{"url": "none"}]:
        if "duration" in task:
            print(f"      {task['start']:7.0f} {task['duration']:6.0f}  {task['url']}")
        else:
            print("      none")
    failures = {k: v for r in rows for k, v in r["a11y_failures"].items()}
    print(f"    accessibility audits failed: {'none' if not failures else ''}")
    for audit, nodes in sorted(failures.items()):
        print(f"      {audit}: {', '.join(nodes)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write every run's summary here")
    parser.add_argument("--baseline", type=Path, help="a checkout to compare with, run by run")
    parser.add_argument("--forms", default=",".join(FORMS), help="mobile,desktop")
    args = parser.parse_args()
    forms = [f for f in args.forms.split(",") if f]
    if not shutil.which("npx"):
        print("npx is missing: install Node.js (npm) to run Lighthouse.", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM} (set CHROMIUM)", file=sys.stderr)
        return 2
    targets = [("this", ROOT)]
    if args.baseline:
        targets.append(("baseline", args.baseline.resolve()))
    runs: dict[str, dict[str, list[dict]]] = {name: {} for name, _ in targets}
    with tempfile.TemporaryDirectory() as tmp:
        procs = []
        try:
            pages = {}
            for name, directory in targets:
                workdir = Path(tmp) / name
                workdir.mkdir()
                proc, base = serve(directory, workdir)
                procs.append(proc)
                pages[name] = make_board(base)
                print(f"{name}: {directory} -> {pages[name][0]}")
            print(f"{LIGHTHOUSE}, {args.runs} runs each, taking turns; medians")
            for form in forms:
                for n in range(args.runs):
                    for name, _ in targets:
                        url, cookie = pages[name]
                        out = Path(tmp) / f"{name}-{form}-{n}.json"
                        report = lighthouse(url, cookie, form, out)
                        row = summary(report)
                        row["load"] = load_average()
                        runs[name].setdefault(form, []).append(row)
                        print(
                            f"  {form} run {n + 1} {name:8} performance {row['performance']:3d}"
                            f"  TBT {row['TBT']:5.0f} ms  LCP {row['LCP'] / 1000:.2f} s"
                            f"  (load average {row['load']:.2f})",
                            flush=True,
                        )
        finally:
            for proc in procs:
                stop(proc)
    for name, _ in targets:
        if len(targets) > 1:
            print(f"== {name}")
        for form, rows in runs[name].items():
            report_form(form, rows)
    if args.json:
        args.json.write_text(json.dumps(runs if len(targets) > 1 else runs["this"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
