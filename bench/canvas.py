"""Benchmark the editor's canvas in Chromium: load, drag, pan/zoom and fit as boards grow.

Boards of 25, 100, 300 and 1,000 components are made like bench/export.py's: copies of
tests/fixtures/designs/video_recommendation.json (20 components, 27 connections) on a grid
of blocks, each chained to the previous by its event stream. Each board is opened in a
1440 x 900 window of Debian's Chromium (Playwright) served by a Daphne process on a throwaway
SQLite file, and measured, medians of --runs (3) fresh page loads:

- load: from navigation start to the board drawn (every view, #canvas[data-drawing] gone)
  and fitted (the page's own clock,
  performance.now(), after two animation frames);
- fit: whether every component lies inside the canvas after the first fit, and the zoom;
- drag: one component, zoomed to 100 % around it with Ctrl+wheel, dragged along 60 pointer
  moves; the share of animation frames longer than 20 ms and 50 ms while it moves;
- pan/zoom: at the fitted view (the whole board on screen), 20 wheel pans (a drag on empty
  space for a baseline that zooms on the wheel) and 12 Ctrl+wheel zooms; the worst frame.

With --baseline DIR (a checkout of main, e.g. /work/main), the same boards are measured on
a second server run from that directory in the same run (the two take turns, run by run,
so a change in the load of the machine hits both alike), and the ratios printed.
The machine this runs on may be shared: compare ratios to a baseline of the same run.

Run from the repository root:  .venv/bin/python bench/canvas.py [--baseline /work/main]
    [--sizes 25,100,300,1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export import chained_board  # noqa: E402
from components.document import dump  # noqa: E402
from tests import servers  # noqa: E402

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover - reported when main() imports Playwright
    PlaywrightTimeout = TimeoutError
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1440, "height": 900}
SIZES = (25, 100, 300, 1000)
LOAD_TIMEOUT_MS = 300_000  # a load slower than this is reported as timed out
TARGETS = {
    300: {"drag_over_50": 0.05, "load_ms": 1500},
    1000: {"load_ms": 4000, "panzoom_worst_ms": 100},
}

# Records the length of every animation frame while `window.__frames.on` is true.
FRAME_RECORDER = """() => {
  const rec = { on: false, last: 0, gaps: [] };
  const tick = (t) => {
    if (rec.on && rec.last) rec.gaps.push(t - rec.last);
    rec.last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.__frames = rec;
}"""
START = "() => { window.__frames.gaps = []; window.__frames.last = 0; window.__frames.on = true; }"
STOP = "() => { window.__frames.on = false; return window.__frames.gaps; }"
SETTLE = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
# Every component's box, from the board document and the paper's matrix, inside the stage?
FIT_CHECK = """(nodes) => {
  const stage = document.getElementById('stage').getBoundingClientRect();
  const m = document.querySelector('#canvas .joint-layers').transform.baseVal.consolidate().matrix;
  const canvas = document.getElementById('canvas').getBoundingClientRect();
  let inside = 0;
  for (const [x, y, w, h] of nodes) {
    const left = canvas.left + m.e + x * m.a, top = canvas.top + m.f + y * m.d;
    const right = left + w * m.a, bottom = top + h * m.d;
    if (left >= stage.left - 0.5 && top >= stage.top - 0.5 && right <= stage.right + 0.5
        && bottom <= stage.bottom + 0.5) inside += 1;
  }
  return { inside, zoom: m.a };
}"""


def make_server(directory: Path, workdir: Path) -> tuple[subprocess.Popen, str]:
    """A Daphne process serving the checkout in `directory` on a fresh SQLite file."""
    env = servers.server_env(sqlite_path=workdir / "bench.sqlite3")
    if directory != ROOT:  # that checkout's own static files (hashed, collected)
        servers.collect_static_of(directory, workdir / "static")
        env["DJANGO_STATIC_ROOT"] = str(workdir / "static")
    python = directory / ".venv" / "bin" / "python"
    subprocess.run(
        [str(python), "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=directory,
        env=env,
        check=True,
        timeout=300,
    )
    port = servers.free_port()
    proc = subprocess.Popen(
        [
            str(python),
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "studio.asgi:application",
        ],
        cwd=directory,
        env=env,
        stdout=open(workdir / "daphne.log", "ab"),  # the child keeps its own descriptor
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    servers.wait_for_port(port, proc=proc, timeout=60)
    return proc, f"http://127.0.0.1:{port}"


def create_board(request, base: str, size: int) -> tuple[str, list[list[float]]]:
    """POST the benchmark board; its candidate link and the components' boxes (x, y, 150, 60)."""
    board = chained_board(size)
    response = request.post(
        base + "/api/boards", data=dump(board), headers={"Content-Type": "application/json"}
    )
    assert response.status == 201, response.text()
    boxes = [[n.x, n.y, 150, 60] for n in board.nodes]
    return response.json()["links"]["candidate"], boxes


def share(gaps: list[float], limit: float) -> float:
    return sum(1 for g in gaps if g > limit) / len(gaps) if gaps else 0.0


def measure_once(browser, base: str, url: str, boxes: list, wheel_pans: bool) -> dict:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        page.request.post(base + "/name", form={"name": "Bench"}, headers=_csrf(page, base))
        page.goto(url)
        page.wait_for_function(
            "(n) => document.body.dataset.synced === 'true'"
            " && document.getElementById('canvas').dataset.nodes === String(n)"
            " && !document.getElementById('canvas').dataset.drawing",
            arg=len(boxes),
            timeout=LOAD_TIMEOUT_MS,
        )
        load_ms = page.evaluate(f"({SETTLE})().then(() => performance.now())")
        fit = page.evaluate(FIT_CHECK, boxes)
        page.evaluate(FRAME_RECORDER)
        stage = page.locator("#stage").bounding_box()

        # Pan and zoom at the fitted view.
        page.evaluate(START)
        cx, cy = stage["x"] + stage["width"] / 2, stage["y"] + stage["height"] / 2
        if wheel_pans:
            page.mouse.move(cx, cy)
            for i in range(20):
                page.mouse.wheel(0 if i % 2 else 40, 40 if i % 2 else 0)
        else:
            x0, y0 = stage["x"] + 8, stage["y"] + 8
            page.mouse.move(x0, y0)
            page.mouse.down()
            page.mouse.move(x0 + 200, y0 + 200, steps=20)
            page.mouse.up()
        page.mouse.move(cx, cy)
        page.keyboard.down("Control")
        for i in range(12):
            page.mouse.wheel(0, -40 if i < 6 else 40)
        page.keyboard.up("Control")
        page.evaluate(SETTLE)
        panzoom = page.evaluate(STOP)
        page.keyboard.press("f")
        page.evaluate(SETTLE)

        # Drag one component at 100 %.
        target = page.locator('#canvas .joint-element[data-id="c0.rank"]')
        box = target.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        zoom = page.evaluate(FIT_CHECK, boxes)["zoom"]
        page.mouse.move(x, y)
        page.keyboard.down("Control")
        page.mouse.wheel(0, -math.log(1 / zoom) / 0.01)
        page.keyboard.up("Control")
        page.evaluate(SETTLE)
        box = target.bounding_box()
        x, y = box["x"] + 40, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.evaluate(START)
        for i in range(1, 61):
            page.mouse.move(x + 4 * i, y + 2 * i)
        page.evaluate(SETTLE)
        drag = page.evaluate(STOP)
        page.mouse.up()
        return {
            "load_ms": load_ms,
            "fit_inside": fit["inside"] / len(boxes),
            "fit_zoom": fit["zoom"],
            "drag_over_20": share(drag, 20),
            "drag_over_50": share(drag, 50),
            "drag_frames": len(drag),
            "panzoom_worst_ms": max(panzoom) if panzoom else 0.0,
        }
    finally:
        context.close()


def _csrf(page, base: str) -> dict[str, str]:
    page.request.get(base + "/")
    token = next((c["value"] for c in page.context.cookies(base) if c["name"] == "csrftoken"), "")
    return {"X-CSRFToken": token}


def measure(browser, setups: list[tuple[str, str, bool]], sizes: list[int], runs: int) -> dict:
    """Figures by setup name and size. The setups take turns for each run (ours, the
    baseline, ours, ...), so a change in the machine's load hits both alike."""
    boards = {}
    for name, base, _ in setups:
        context = browser.new_context()
        try:
            boards[name] = {size: create_board(context.request, base, size) for size in sizes}
        finally:
            context.close()
    out: dict = {name: {} for name, _, _ in setups}
    for size in sizes:
        samples: dict = {name: [] for name, _, _ in setups}
        for _ in range(runs):
            for name, base, wheel_pans in setups:
                url, boxes = boards[name][size]
                try:
                    samples[name].append(measure_once(browser, base, url, boxes, wheel_pans))
                except PlaywrightTimeout:
                    print(f"  {name:12s} {size:5d} components: timed out", flush=True)
        for name in [n for n, got in samples.items() if not got]:
            samples.pop(name)
            out[name][size] = {"timed_out": 1.0}
        for name in samples:
            got = samples[name]
            out[name][size] = {k: statistics.median(s[k] for s in got) for k in got[0]}
            figures = json.dumps({k: round(v, 3) for k, v in out[name][size].items()})
            print(f"  {name:12s} {size:5d} components: {figures}", flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=Path, help="a checkout to compare with (e.g. main)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    from playwright.sync_api import sync_playwright

    procs = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            targets = [("this branch", ROOT, True)]
            if args.baseline:
                targets.append(("baseline", args.baseline.resolve(), False))
            setups = []
            for i, (name, directory, wheel_pans) in enumerate(targets):
                workdir = Path(tmp) / str(i)
                workdir.mkdir()
                proc, base = make_server(directory, workdir)
                procs.append(proc)
                print(f"{name}: {directory}", flush=True)
                setups.append((name, base, wheel_pans))
            print(f"medians of {args.runs}, 1440 x 900:", flush=True)
            results = measure(browser, setups, sizes, args.runs)
        finally:
            browser.close()
            for proc in procs:
                servers.stop(proc)
    ours = results["this branch"]
    if "baseline" in results:
        print("ratios (this branch / baseline):")
        for size in sizes:
            a, b = ours[size], results["baseline"][size]
            ratios = {
                k: round(a[k] / b[k], 2) if a.get(k) and b.get(k) else None
                for k in ("load_ms", "panzoom_worst_ms")
            }
            print(f"  {size:5d}: {json.dumps(ratios)}")
    missed = []
    for size, target in TARGETS.items():
        if size not in ours:
            continue
        if "timed_out" in ours[size]:
            missed.append(f"{size} components: the load timed out")
            continue
        for key, limit in target.items():
            if ours[size][key] > limit:
                missed.append(f"{size} components: {key} {ours[size][key]:.3f} > {limit}")
        if ours[size]["fit_inside"] < 1:
            missed.append(f"{size} components: fit shows {ours[size]['fit_inside']:.0%}")
    print("targets: " + ("all met" if not missed else "; ".join(missed)))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
