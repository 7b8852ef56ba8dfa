"""Pages benchmark (issue 16): every page, in Chromium, from navigation start to fully drawn,
against a trivial Streamlit page served the same way in the same run.

Two databases: the demo data (`python -m cams_data demo`), and the demo data with ten 300,000-row
learning-system exports on top, each of different staff (about 3,000,000 training rows, built
through `python -m cams_data ingest` and cached in bench/out/ by the schema version; the build's
time is recorded). For each, `streamlit run app.py` (local mode, CAMS_DB=<a copy of it>) and
`streamlit run bench/out/pages_trivial.py` (a title and one line) are served side by side, with
the same options and the same .streamlit/config.toml, and headless Chromium (1366x768, a fresh
browser context for every load: no client cache) opens each page N times, each load right after
a load of the trivial page so both see the same machine. The first load of each page meets the
server's caches cold; the others warm: both are reported, and the target is on the warm median.

"Fully drawn": the page's h1 shown, the script not running (`.stApp[data-test-script-state=
"notRunning"]`), no status widget, no skeletons, and every chart on show (`stVegaLiteChart`)
holding its svg or canvas; the moment it first became so, as the page's own clock says
(`performance.now()`: milliseconds since navigation start), and held for STABLE_MS. Where the
time goes, from the same clock: the app's shell (until the browser hears the script has started),
the script's run (running to not running: the server's work, sent as it goes and drawn while it
runs), and drawing after it (mostly the charts); and the server's CPU time during the load.

Then the first draw after an upload: with the servers running, a new 1,000-row training export is
loaded into the served database with the CLI (the app's caches are keyed by the database file's
last change), and the Overview opened: its draw against the warm Overview's.

Targets: the slowest page's warm median at most 2.5x the trivial page's (the goal is 1.5x). The
result is a report: exit 0 whether or not a target is met, non-zero only on errors. Each run
appends one JSON line to bench/out/pages.json.

Usage: python bench/pages.py [--repeat N] [--uploads N] [--only demo|10x] [--build-only]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from learning_export import write_learning_export  # noqa: E402

from cams_data.store import SCHEMA_VERSION  # noqa: E402

TARGET_RATIO = 2.5  # issue 16: the slowest page within 2.5x the trivial page
GOAL_RATIO = 1.5  # ... and the aim is 1.5x
EXPORTS, EXPORT_ROWS, EXPORT_PEOPLE = 10, 300_000, 20_000  # ten times bench/ingest.py's export
UPLOAD_ROWS = 1_000  # the small training file loaded while the server runs
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1366, "height": 768}
WAIT_S = 180  # the longest one load may take on a busy machine before it counts as an error
STABLE_MS = 1_000  # fully drawn must hold this long (a rerun started after it would undo it)
OWN_SETTINGS = ("CAMS_CONFIG", "CAMS_PSEUDONYM_KEY", "CAMS_KEY_FILE", "CAMS_DB")

# Every page app.py lists (Administration aside, as the browser tests do): its address and h1.
PAGES = {
    "Overview": ("", "Progress against the four objectives"),
    "Objectives": ("objectives", "1. Survivor Support and Care"),
    "Training": ("training", "Training"),
    "Referrals": ("referrals", "Referrals"),
    "Staff survey": ("survey", "Staff survey"),
    "Action plan": ("action_plan", "Action plan"),
    "Statement pack": ("statement_pack", "Statement pack"),
    "Upload": ("upload", "Upload spreadsheets"),
    "Data loaded": ("data_loaded", "Data loaded"),
}
TRIVIAL_TITLE = "Trivial"
TRIVIAL_PAGE = f'import streamlit as st\n\nst.title("{TRIVIAL_TITLE}")\nst.write("x")\n'


# --- the databases ---------------------------------------------------------------------------


def server_env(db: Path) -> dict[str, str]:
    """As tests/long/test_browser.py's: the database given, local mode, no settings of ours."""
    env = {k: v for k, v in os.environ.items() if k not in OWN_SETTINGS}
    return env | {"CAMS_DB": str(db), "CAMS_LOCAL_MODE": "1"}


def cli(*args: str, db: Path) -> float:
    """`python -m cams_data ...` against `db`; its time as a whole process. Fails loudly."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cams_data", *args, "--db", str(db)],
        cwd=ROOT,
        env=server_env(db),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"cams_data {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return time.perf_counter() - start


def training_rows(db: Path) -> dict[str, int]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = con.execute("SELECT count(*) FROM training_rows").fetchone()[0]
        current = con.execute("SELECT count(*) FROM training_current").fetchone()[0]
    finally:
        con.close()
    return {"training_rows_stored": stored, "training_rows_current": current}


def demo_database(folder: Path) -> tuple[Path, dict]:
    """The demo data, loaded afresh (seconds)."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "cams.duckdb"
    seconds = cli("demo", db=db)
    return db, {"build_s": round(seconds, 1), "cached": False, **training_rows(db)}


def export_of(number: int) -> Path:
    """The number-th 300,000-row export, of its own 20,000 staff (the first is the one
    bench/ingest.py writes); written once into bench/out/."""
    name = f"learning_export_{EXPORT_ROWS}" + (f"_staff{number}" if number else "")
    path = OUT / f"{name}.xlsx"
    if not path.exists():
        write_learning_export(
            path, EXPORT_ROWS, seed=number + 1, first_person=number * EXPORT_PEOPLE
        )
    return path


def big_database() -> tuple[Path, dict]:
    """The demo data plus EXPORTS exports of different staff, through the CLI; kept in bench/out/
    for this schema version (delete the folder to rebuild it)."""
    folder = OUT / f"pages_db_{EXPORTS}x{EXPORT_ROWS}_schema{SCHEMA_VERSION}"
    built = folder / "built.json"
    if built.exists():
        return folder / "cams.duckdb", json.loads(built.read_text()) | {"cached": True}
    scratch = folder.with_name(folder.name + ".building")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    db = scratch / "cams.duckdb"
    start = time.perf_counter()
    demo_s = cli("demo", db=db)
    writing_s, ingest_s = [], []
    for number in range(EXPORTS):
        began = time.perf_counter()
        path = export_of(number)
        writing_s.append(time.perf_counter() - began)
        ingest_s.append(cli("ingest", str(path), db=db))
        print(f"  export {number + 1}/{EXPORTS} loaded in {ingest_s[-1]:.1f} s", flush=True)
    info = {
        "build_s": round(time.perf_counter() - start, 1),
        "demo_s": round(demo_s, 1),
        "exports_written_s": round(sum(writing_s), 1),
        "ingest_s": [round(s, 1) for s in ingest_s],
        "exports": EXPORTS,
        "export_rows": EXPORT_ROWS,
        "schema_version": SCHEMA_VERSION,
        "built": datetime.now().isoformat(timespec="seconds"),
        "load_avg_during_build": os.getloadavg()[0],
        "db_mb": round(db.stat().st_size / 1024 / 1024),
        **training_rows(db),
    }
    (scratch / "built.json").write_text(json.dumps(info))
    shutil.rmtree(folder, ignore_errors=True)
    scratch.rename(folder)
    return folder / "cams.duckdb", info | {"cached": False}


def served_copy(db: Path, folder: Path) -> Path:
    """A copy of `db` and its key to serve (the upload changes it; the cache stays as built)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in ("cams.duckdb", "pseudonym.key"):
        shutil.copy2(db.parent / name, folder / name)
    return folder / "cams.duckdb"


# --- the servers -----------------------------------------------------------------------------


# `streamlit run`, each script run timed on the server (wall and the script thread's CPU time)
# and appended to the file named first: both servers are started through it.
SERVE = """
import json, sys, threading, time
from streamlit.runtime.scriptrunner import script_runner

runs = open(sys.argv.pop(1), "a", buffering=1)
lock = threading.Lock()
real = script_runner.ScriptRunner._run_script


def timed(self, rerun_data):
    start, cpu = time.time(), time.thread_time()
    try:
        return real(self, rerun_data)
    finally:
        with lock:
            runs.write(json.dumps([start, time.time(), time.thread_time() - cpu]) + "\\n")


script_runner.ScriptRunner._run_script = timed
from streamlit.web import cli

sys.argv[0] = "streamlit"
cli.main()
"""


@dataclass
class Site:
    """A running `streamlit run SCRIPT`, its log and the times of its script runs."""

    url: str
    process: subprocess.Popen
    log: Path
    runs: Path

    def script_runs(self, start: float, end: float) -> tuple[float, float, int]:
        """The script runs that began between `start` and `end` (time.time()): their wall time
        and their thread's CPU time, summed, and how many."""
        lines = self.runs.read_text().splitlines() if self.runs.exists() else []
        runs = [json.loads(line) for line in lines if line.strip()]
        runs = [run for run in runs if start <= run[0] <= end]
        return sum(r[1] - r[0] for r in runs), sum(r[2] for r in runs), len(runs)

    def cpu_s(self) -> float:
        """The server's CPU time so far (user and system, all its threads)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(script: str, db: Path, log: Path) -> Iterator[Site]:
    """`streamlit run script` from the project's folder (so with its .streamlit/config.toml), as
    tests/long/test_browser.py serves the app, until the block ends."""
    port = free_port()
    runs = log.with_suffix(".runs")
    runs.unlink(missing_ok=True)
    serve = OUT / "pages_serve.py"
    serve.write_text(SERVE)
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, str(serve), str(runs), "run", script, "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port)],
            cwd=ROOT,
            env=server_env(db),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to stop it whole
        )  # fmt: skip
    site = Site(f"http://127.0.0.1:{port}", process, log, runs)
    try:
        deadline = time.monotonic() + WAIT_S
        while True:
            if process.poll() is not None:
                raise SystemExit(f"streamlit run {script} stopped:\n{log.read_text()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{site.url}/_stcore/health", timeout=5) as answer,
            ):
                if answer.read().decode() == "ok":
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"streamlit run {script} did not start:\n{log.read_text()}")
            time.sleep(0.25)
        yield site
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


# --- the browser -----------------------------------------------------------------------------

# Run in every page before its own scripts: each animation frame, note the script's state as the
# page shows it and whether the page is fully drawn, on the page's clock (ms from navigation
# start). `since` is when it last became fully drawn (null while it is not).
WATCH = """
(() => {
  const title = %s;
  const w = window.__bench = {states: [], since: null, now: 0, error: false};
  const drawn = () => {
    const heading = [...document.querySelectorAll('h1')].find(
      h => h.textContent.trim() === title && h.getBoundingClientRect().height > 0);
    return Boolean(heading
      && document.querySelector('.stApp[data-test-script-state="notRunning"]')
      && !document.querySelector('[data-testid="stStatusWidget"]')
      && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')
      && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].every(
        chart => !chart.getBoundingClientRect().width || chart.querySelector('svg, canvas')));
  };
  const frame = () => {
    const now = performance.now();
    const app = document.querySelector('.stApp');
    const state = app ? app.getAttribute('data-test-script-state') || 'shell' : null;
    const last = w.states.length ? w.states[w.states.length - 1][0] : undefined;
    if (state !== last) w.states.push([state, now]);
    if (drawn()) { if (w.since === null) w.since = now; } else { w.since = null; }
    w.error = Boolean(document.querySelector('[data-testid="stException"]'));
    w.now = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();
"""


def load(browser, site: Site, path: str, title: str) -> dict:
    """Open `site`/`path` in a fresh context; the time to fully drawn and where it went."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.add_init_script(WATCH % json.dumps(title))
        cpu, began = site.cpu_s(), time.time()
        start = time.perf_counter()
        page.goto(f"{site.url}/{path}", wait_until="commit", timeout=WAIT_S * 1000)
        watch = None
        while True:
            time.sleep(0.1)
            with contextlib.suppress(Exception):  # the page may still be replacing itself
                watch = page.evaluate("window.__bench")
                if (
                    watch
                    and watch["since"] is not None
                    and watch["now"] - watch["since"] >= (STABLE_MS)
                ):
                    break
            if time.perf_counter() - start > WAIT_S:
                raise SystemExit(f"{site.url}/{path} not drawn within {WAIT_S} s: {watch}")
        cpu = site.cpu_s() - cpu
        time.sleep(0.05)  # the run's time is written as it ends, by then long before
        script_wall, script_cpu, runs = site.script_runs(began, time.time())
    finally:
        context.close()
    if watch["error"]:
        raise SystemExit(f"{site.url}/{path} shows an exception")
    drawn = watch["since"]
    states = [(state, t) for state, t in watch["states"] if t <= drawn]
    running = [t for state, t in states if state == "running"]
    finished = [t for state, t in states if state == "notRunning" and running and t > running[0]]
    script_start = running[0] if running else drawn
    script_end = finished[-1] if finished else drawn
    return {
        "drawn_s": drawn / 1000,
        "shell_s": script_start / 1000,  # page, JS and connection, until the script starts
        "script_s": (script_end - script_start) / 1000,
        "after_s": (drawn - script_end) / 1000,  # drawing once the script has finished
        "server_cpu_s": cpu,  # the whole server process, all its threads
        "server_script_s": script_wall,  # the script's runs, as the server timed them
        "server_script_cpu_s": script_cpu,  # ... their thread's CPU (DuckDB's threads aside)
        "runs": runs,
    }


PARTS = ("shell_s", "script_s", "after_s", "server_cpu_s", "server_script_s",
         "server_script_cpu_s", "runs")  # fmt: skip


def median(loads: list[dict], key: str = "drawn_s") -> float:
    return statistics.median(load[key] for load in loads)


def summary(loads: list[dict]) -> dict:
    """First load (server caches cold) and the median of the rest (warm), with the breakdown."""
    first, warm = loads[0], loads[1:] or loads
    return {
        "first_s": round(first["drawn_s"], 3),
        "warm_median_s": round(median(warm), 3),
        "warm_s": [round(load["drawn_s"], 3) for load in warm],
        **{f"warm_{key}": round(median(warm, key), 3) for key in PARTS},
        **{f"first_{key}": round(first[key], 3) for key in PARTS},
    }


def bench_database(browser, label: str, db: Path, repeat: int, uploads: int) -> dict:
    """Every page `repeat` times, each after the trivial page; then `uploads` uploads, each
    followed by the Overview's draw. Figures in seconds; ratios to the trivial page's warm
    median."""
    folder = OUT / f"pages_{label}_served"
    served = served_copy(db, folder)
    trivial_script = OUT / "pages_trivial.py"
    trivial_script.write_text(TRIVIAL_PAGE)
    trivial, pages = [], {name: [] for name in PAGES}
    after_upload, overview_again, upload_s = [], [], []
    with (
        serving("app.py", served, folder / "app.log") as app,
        serving(str(trivial_script), served, folder / "trivial.log") as plain,
    ):
        for round_ in range(repeat):
            for name, (path, title) in PAGES.items():
                trivial.append(load(browser, plain, "", TRIVIAL_TITLE))
                pages[name].append(load(browser, app, path, title))
                print(
                    f"  {label} round {round_ + 1}/{repeat} {name}: "
                    f"{pages[name][-1]['drawn_s']:.2f} s (trivial {trivial[-1]['drawn_s']:.2f} s)",
                    flush=True,
                )
        overview_path, overview_title = PAGES["Overview"]
        for number in range(uploads):
            small = folder / f"upload_{number}.xlsx"
            write_learning_export(
                small, UPLOAD_ROWS, people=UPLOAD_ROWS, seed=100 + number,
                first_person=900_000 + number * UPLOAD_ROWS,
            )  # fmt: skip
            upload_s.append(cli("ingest", str(small), db=served))
            trivial.append(load(browser, plain, "", TRIVIAL_TITLE))
            after_upload.append(load(browser, app, overview_path, overview_title))
            overview_again.append(load(browser, app, overview_path, overview_title))
            print(
                f"  {label} upload {number + 1}/{uploads}: Overview "
                f"{after_upload[-1]['drawn_s']:.2f} s, then {overview_again[-1]['drawn_s']:.2f} s",
                flush=True,
            )
    base = median(trivial[1:])
    result = {
        "trivial": summary(trivial),
        "trivial_first_s": round(trivial[0]["drawn_s"], 3),
        "trivial_median_s": round(base, 3),
        "pages": {},
    }
    for name, loads in pages.items():
        page = summary(loads)
        page["ratio"] = round(page["warm_median_s"] / base, 2)
        page["first_ratio"] = round(page["first_s"] / base, 2)
        result["pages"][name] = page
    slowest = max(result["pages"], key=lambda name: result["pages"][name]["ratio"])
    result["slowest_page"] = slowest
    result["slowest_ratio"] = result["pages"][slowest]["ratio"]
    result["slowest_first_page"] = max(
        result["pages"], key=lambda name: result["pages"][name]["first_ratio"]
    )
    result["target_met"] = result["slowest_ratio"] <= TARGET_RATIO
    result["goal_met"] = result["slowest_ratio"] <= GOAL_RATIO
    if uploads:
        warm_overview = result["pages"]["Overview"]["warm_median_s"]
        result["upload"] = {
            "rows": UPLOAD_ROWS,
            "uploads": uploads,
            "cli_ingest_median_s": round(statistics.median(upload_s), 2),
            "overview_after_upload_s": [round(load["drawn_s"], 3) for load in after_upload],
            "overview_after_upload_median_s": round(median(after_upload), 3),
            "after_upload_script_s": round(median(after_upload, "script_s"), 3),
            "after_upload_server_cpu_s": round(median(after_upload, "server_cpu_s"), 3),
            "after_upload_server_script_s": round(median(after_upload, "server_script_s"), 3),
            "overview_next_median_s": round(median(overview_again), 3),
            "ratio_to_warm_overview": round(median(after_upload) / warm_overview, 2),
            "ratio_to_trivial": round(median(after_upload) / base, 2),
        }
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5, help="loads of each page (the first cold)")
    parser.add_argument("--uploads", type=int, default=3)
    parser.add_argument("--only", choices=("demo", "10x"))
    args = parser.parse_args()
    if args.repeat < 2:
        parser.error("--repeat must be at least 2: the first load is cold, the rest warm")
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    databases = {}
    if args.only != "10x":
        databases["demo"] = demo_database(OUT / "pages_demo")
    if args.only != "demo":
        print(f"The {EXPORTS}x database (built once, then cached in bench/out/) ...", flush=True)
        databases["10x"] = big_database()
        print(f"  {databases['10x'][1]}", flush=True)
    load_at_start = os.getloadavg()[0]  # other work on the machine weighs on every figure
    started = time.perf_counter()
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        try:
            for label, (db, info) in databases.items():
                results[label] = {"database": info} | bench_database(
                    browser, label, db, args.repeat, args.uploads
                )
        finally:
            browser.close()
    load_at_end = os.getloadavg()[0]
    slowest = max(results, key=lambda label: results[label]["slowest_ratio"])
    record = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "cores": os.cpu_count(),
        "load_avg_start": round(load_at_start, 2),
        "load_avg_end": round(load_at_end, 2),
        "seconds": round(time.perf_counter() - started),
        "repeat": args.repeat,
        "viewport": f"{VIEWPORT['width']}x{VIEWPORT['height']}",
        "stable_ms": STABLE_MS,
        "target_ratio": TARGET_RATIO,
        "goal_ratio": GOAL_RATIO,
        "ratio": results[slowest]["slowest_ratio"],
        "slowest": f"{results[slowest]['slowest_page']} ({slowest})",
        "target_met": all(r["target_met"] for r in results.values()),
        "goal_met": all(r["goal_met"] for r in results.values()),
        "databases": results,
    }
    with open(OUT / "pages.json", "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")
    for label, result in results.items():
        base = result["trivial_median_s"]
        print(
            f"\n{label}: trivial page {base:.2f} s warm median "
            f"(first {result['trivial_first_s']:.2f} s)"
        )
        for name, page in result["pages"].items():
            print(
                f"  {name:15} warm {page['warm_median_s']:6.2f} s {page['ratio']:5.2f}x   "
                f"first {page['first_s']:6.2f} s {page['first_ratio']:5.2f}x   "
                f"(shell {page['warm_shell_s']:.2f}, script {page['warm_script_s']:.2f}, "
                f"after {page['warm_after_s']:.2f}; on the server: script "
                f"{page['warm_server_script_s']:.2f}, CPU {page['warm_server_cpu_s']:.2f})"
            )
        print(
            f"  slowest: {result['slowest_page']} {result['slowest_ratio']:.2f}x "
            f"(target at most {TARGET_RATIO}x: {'met' if result['target_met'] else 'NOT met'}; "
            f"goal {GOAL_RATIO}x: {'met' if result['goal_met'] else 'not met'})"
        )
        if upload := result.get("upload"):
            print(
                f"  first Overview draw after an upload: "
                f"{upload['overview_after_upload_median_s']:.2f} s, "
                f"{upload['ratio_to_warm_overview']:.2f}x the warm Overview "
                f"({upload['ratio_to_trivial']:.2f}x the trivial page)"
            )
    print(f"\nLoad average (1 min): {load_at_start:.2f} at the start, {load_at_end:.2f} at the end")
    return 0


if __name__ == "__main__":
    if "--build-only" in sys.argv:
        start = time.perf_counter()
        print(big_database())
        print(f"{time.perf_counter() - start:.1f} s")
        sys.exit(0)
    sys.exit(main())
