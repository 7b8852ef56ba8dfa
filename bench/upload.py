"""Upload benchmark: the upload page's confirm-to-saved time against the CLI ingest of one file.

In one run, on the same 300,000-row Learning Pool export (bench/learning_export.py, cached in
bench/out/), each repetition into a fresh database directory (so each makes its own key):

- the CLI ingest as a whole process, `python -m cams_data ingest FILE --db DB`, wall clock and
  peak memory (bench/measure.py);
- the upload page, driven with Streamlit's AppTest as an officer would: open the app, go to
  the upload page, upload the file (the check: upload to the counts on screen, the cost before
  saving), then press Save (confirm to saved: the click's run, start to return).

CLI and page repetitions are interleaved, so both see the same machine. The CLI's time includes
Python's start-up and imports; the page's save runs in a process that has both already done.
Both are reported as measured; an estimate of the start-up is reported beside them. The target
is that the UI adds little: confirm to saved at most 1.2x the CLI ingest. The result is a
report: the exit code is 0 whether or not the target is met, non-zero only on errors. Each run
appends one JSON line to bench/out/upload.json.

Usage: python bench/upload.py [--rows N] [--repeat N]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from ingest import measure as measure_process  # noqa: E402
from learning_export import write_learning_export  # noqa: E402
from overview import _git_commit, server_like  # noqa: E402

TARGET_RATIO = 1.2
PAGE = "pages/upload.py"
PAGE_TITLE = "Upload spreadsheets"
# What the CLI process imports before it reads a byte: an estimate of its fixed start-up cost.
STARTUP = (
    "import cams_data.cli, cams_data.ingest, cams_data.store, cams_data.validate, "
    "cams_data.shape, fastexcel, duckdb, pandas"
)
# Settings that would make the runs share a key or a database: each run makes its own.
SHARED = ("CAMS_PSEUDONYM_KEY", "CAMS_KEY_FILE", "CAMS_DB")


def training_rows(db: Path) -> tuple[int, int]:
    """(rows in the `training` view, rows the upload stored) in a database of one upload."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        view = con.execute("SELECT count(*) FROM training").fetchone()[0]
        stored = con.execute("SELECT sum(rows_loaded) FROM uploads").fetchone()[0]
    return view, stored


def peak_rss_mb() -> float | None:
    """This process's peak resident memory since the last `reset_peak_rss` (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# ---------------------------------------------------------------- the CLI


def cli_ingest(export: Path, scratch: Path, number: int) -> dict:
    """One whole `python -m cams_data ingest` process into a fresh database directory."""
    folder = scratch / f"cli_{number}"
    folder.mkdir()
    db = folder / "cams.duckdb"
    run = measure_process(
        [sys.executable, "-m", "cams_data", "ingest", str(export), "--db", str(db)]
    )
    if run["returncode"] != 0:
        raise SystemExit(f"The CLI ingest failed:\n{run['stderr']}")
    if not (folder / "pseudonym.key").exists():
        raise SystemExit("The CLI ingest did not make its own key beside the database.")
    return {"seconds": run["seconds"], "peak_mb": run["peak_mb"], "rows": training_rows(db)}


def startup_estimate() -> float:
    run = measure_process([sys.executable, "-c", STARTUP])
    if run["returncode"] != 0:
        raise SystemExit(f"Importing the CLI's modules failed:\n{run['stderr']}")
    return run["seconds"]


# ---------------------------------------------------------------- the page


@contextmanager
def recording_ingests() -> Iterator[list[dict]]:
    """Record each ingest the upload page makes (a check, a save of the checked rows, or a whole
    save), its time and progress steps.

    Thin wrappers around `upload_flow.ingest` and `upload_flow.save_checked`: the page's work is
    unchanged, only timed.
    """
    from cams_data import upload_flow

    calls: list[dict] = []
    real_ingest, real_save_checked = upload_flow.ingest, upload_flow.save_checked

    @contextmanager
    def recording(how: str, save: bool, progress) -> Iterator[Callable[[float, str], None]]:
        """Time one call and note its steps, passed on to the page's progress bar."""
        call = {"save": save, "how": how, "steps": []}
        start = time.perf_counter()

        def step(fraction: float, what: str) -> None:
            call["steps"].append((round(time.perf_counter() - start, 3), fraction, what))
            if progress is not None:
                progress(fraction, what)

        try:
            yield step
        finally:
            call["seconds"] = time.perf_counter() - start
            calls.append(call)

    def ingest(request):
        with recording("ingest", request.save, request.progress) as step:
            return real_ingest(dataclasses.replace(request, progress=step))

    def save_checked(checked, *, progress=None, **where):
        with recording("save_checked", True, progress) as step:
            return real_save_checked(checked, progress=step, **where)

    upload_flow.ingest, upload_flow.save_checked = ingest, save_checked
    try:
        yield calls
    finally:
        upload_flow.ingest, upload_flow.save_checked = real_ingest, real_save_checked


def _no_exception(app, what: str) -> None:
    if app.exception:
        raise SystemExit(f"The upload page raised an exception {what}:\n{app.exception}")


def page_upload(export: Path, data: bytes, scratch: Path, number: int) -> dict:
    """Open the upload page on a fresh database, upload the file, press Save; time both."""
    from streamlit.testing.v1 import AppTest

    folder = scratch / f"page_{number}"
    folder.mkdir()
    db = folder / "cams.duckdb"
    os.environ["CAMS_DB"] = str(db)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    app.run()
    app.switch_page(PAGE).run()
    _no_exception(app, "on opening")
    if not app.title or app.title[0].value != PAGE_TITLE:
        raise SystemExit(f"The upload page did not open (title {app.title}).")

    reset_peak_rss()
    with recording_ingests() as calls:
        start = time.perf_counter()
        app.file_uploader(key="files").upload(export.name, data).run()
        check_seconds = time.perf_counter() - start
        _no_exception(app, "on checking the file")
        shown = {m.label: m.value for m in app.metric}
        if "Rows to load" not in shown:
            errors = [e.value for e in app.error]
            raise SystemExit(f"The page did not show the counts after the check: {errors}")
        if app.button(key="save-0").disabled:
            raise SystemExit("The Save button is disabled after the check.")
        check_calls = len(calls)

        start = time.perf_counter()
        app.button(key="save-0").click().run()
        save_seconds = time.perf_counter() - start
        _no_exception(app, "on saving")
        click_calls = calls[check_calls:]
    peak_mb = peak_rss_mb()

    successes = [s.value for s in app.success if "Saved as upload" in s.value]
    if not successes:
        errors = [e.value for e in app.error]
        raise SystemExit(f"No success message after pressing Save; errors shown: {errors}")
    loaded = int(re.search(r"([\d,]+) rows loaded", successes[0]).group(1).replace(",", ""))
    bars = app.get("progress")
    saves = [c for c in click_calls if c["save"]]
    if len(saves) != 1:
        raise SystemExit(f"Pressing Save ran {len(saves)} saving ingests, expected 1.")
    return {
        "check_seconds": check_seconds,
        "save_seconds": save_seconds,
        "save_ingest_seconds": saves[0]["seconds"],
        "save_steps": saves[0]["steps"],
        "save_how": saves[0]["how"],
        "rechecks_on_save": sum(not c["save"] for c in click_calls),
        "recheck_seconds": sum(c["seconds"] for c in click_calls if not c["save"]),
        "check_ingest_seconds": sum(c["seconds"] for c in calls[:check_calls]),
        "shown": shown,
        "success": successes[0],
        "rows_loaded": loaded,
        "rows": training_rows(db),
        "progress": [(bar.value, bar.text) for bar in bars],
        "peak_mb": peak_mb,
    }


# ---------------------------------------------------------------- the report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=300_000, help="rows in the export")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    export = OUT / f"learning_export_{args.rows}.xlsx"
    if not export.exists():
        print(f"Writing a {args.rows:,}-row export to {export} ...")
        write_learning_export(export, args.rows)
    data = export.read_bytes()
    size_mb = len(data) / 1024 / 1024
    for name in SHARED:
        os.environ.pop(name, None)
    os.environ["CAMS_LOCAL_MODE"] = "1"  # an officer, as `make run` starts the app

    from streamlit import config as streamlit_config

    streamlit_config.set_option("server.address", "127.0.0.1")
    # AppTest sends no request headers; local mode needs the Host a browser here would send.
    from streamlit.runtime.context import ContextProxy, StreamlitHeaders

    browser_here = StreamlitHeaders([("Host", "localhost:8501")])
    ContextProxy.headers = property(lambda self: browser_here)
    for name in ("caching.cache_data_api", "scriptrunner_utils.script_run_context"):
        logging.getLogger(f"streamlit.runtime.{name}").disabled = True
    # What the page imports, imported now, as in a running server.
    from cams_data import cache, charts, dashboard, ingest, ui, upload_flow, upload_widgets  # noqa: F401

    print(
        f"Uploading {export.relative_to(ROOT)} ({args.rows:,} rows, {size_mb:.1f} MB), "
        f"{args.repeat} times each way, interleaved, each into a fresh database ..."
    )
    cli_runs, page_runs, startups = [], [], []
    with tempfile.TemporaryDirectory() as folder, server_like(recompile=False):
        scratch = Path(folder)
        for number in range(args.repeat):
            cli_runs.append(cli_ingest(export, scratch, number))
            startups.append(startup_estimate())
            page_runs.append(page_upload(export, data, scratch, number))
            cli, page = cli_runs[-1], page_runs[-1]
            print(
                f"  {number + 1}: CLI {cli['seconds']:.2f} s; page check "
                f"{page['check_seconds']:.2f} s, confirm to saved {page['save_seconds']:.2f} s"
            )
            os.environ.pop("CAMS_DB", None)

    expected, stored = cli_runs[0]["rows"]
    for run in (*cli_runs, *page_runs):
        if run["rows"] != (expected, stored):
            raise SystemExit(
                f"The databases differ: {run['rows'][0]:,} rows in the training view and "
                f"{run['rows'][1]:,} stored, against the CLI's {expected:,} and {stored:,}."
            )
    for page in page_runs:
        if page["rows_loaded"] != stored:
            raise SystemExit(
                f"The page said {page['rows_loaded']:,} rows loaded; the CLI stored {stored:,}."
            )

    def median(runs: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    cli_s = median(cli_runs, "seconds")
    startup_s = statistics.median(startups)
    check_s = median(page_runs, "check_seconds")
    save_s = median(page_runs, "save_seconds")
    save_ingest_s = median(page_runs, "save_ingest_seconds")
    recheck_s = median(page_runs, "recheck_seconds")
    rechecks = max(p["rechecks_on_save"] for p in page_runs)
    ratio = save_s / cli_s
    met = ratio <= TARGET_RATIO
    cli_peak = max(r["peak_mb"] for r in cli_runs)
    page_peaks = [p["peak_mb"] for p in page_runs if p["peak_mb"] is not None]
    page_peak = max(page_peaks) if page_peaks else None
    progress = page_runs[-1]["progress"]

    print(
        f"\n  Each database, CLI's and page's alike: {stored:,} rows stored, {expected:,} in "
        "the training view."
    )
    print(f"  Counts the page showed before saving: {page_runs[-1]['shown']}")
    print(f"  The page said: {page_runs[-1]['success']}")
    print(f"\n  {'median of ' + str(args.repeat):44} {'seconds':>8} {'peak MB':>8}")
    print(f"  {'CLI ingest (whole process)':44} {cli_s:8.2f} {cli_peak:8.0f}")
    print(f"  {'  of which start-up and imports (estimate)':44} {startup_s:8.2f}")
    peak = "" if page_peak is None else f"{page_peak:8.0f}"
    print(f"  {'page check (upload to counts shown)':44} {check_s:8.2f} {peak}")
    print(
        f"  {'  of which the checking ingest':44} {median(page_runs, 'check_ingest_seconds'):8.2f}"
    )
    print(f"  {'page confirm to saved (Save click run)':44} {save_s:8.2f}")
    how = {"save_checked": "writing the checked rows", "ingest": "the saving ingest"}
    saved_by = how[page_runs[-1]["save_how"]]
    print(f"  {'  of which ' + saved_by:44} {save_ingest_s:8.2f}")
    if rechecks:
        print(f"  {'  of which checking the file again':44} {recheck_s:8.2f}")
    print(f"  {'page upload to saved (check + save)':44} {check_s + save_s:8.2f}")
    print(
        "\n  The CLI's time includes Python start-up and imports; the page's save runs in a "
        "process that has done both. Both as measured."
    )
    print(
        f"  Ratio, page confirm to saved / CLI ingest: {ratio:.2f}x (target at most "
        f"{TARGET_RATIO:g}x): {'met' if met else 'NOT met'}."
    )
    print(
        f"  Without the CLI's start-up (estimate): {save_s / (cli_s - startup_s):.2f}x; "
        f"upload to saved / CLI ingest: {(check_s + save_s) / cli_s:.2f}x."
    )
    if rechecks:
        print(
            f"  Note: pressing Save checked the whole file again ({rechecks} extra check(s)) "
            "before saving it: the check from the upload was not reused."
        )
    upload_id = int(re.search(r"upload (\d+)", page_runs[-1]["success"]).group(1))
    if upload_id != 1:
        print(
            f"  Note: the first upload into a fresh database was numbered {upload_id}: each "
            "check (rolled back) used up an upload number."
        )
    if progress:
        print(
            f"  Progress bar: AppTest sees {len(progress)} after saving, at its last state "
            f"{progress[-1]}; the steps it was given: "
            + ", ".join(f"{what} at {t:.2f} s" for t, _, what in page_runs[-1]["save_steps"])
        )
    else:
        raise SystemExit("No progress bar on the page after pressing Save.")
    if page_peak is None:
        print("  Note: this system does not report the page's peak memory.")
    else:
        print(
            "  Page peak memory: this process's resident peak over the upload and the save "
            "(Streamlit and the app included)."
        )

    record = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "streamlit": __import__("streamlit").__version__,
        "rows": args.rows,
        "file_mb": round(size_mb, 1),
        "rows_stored": stored,
        "training_view_rows": expected,
        "repeat": args.repeat,
        "cli_ingest_median_s": round(cli_s, 3),
        "cli_startup_estimate_s": round(startup_s, 3),
        "cli_peak_mb": round(cli_peak),
        "page_check_median_s": round(check_s, 3),
        "page_confirm_to_saved_median_s": round(save_s, 3),
        "page_save_ingest_median_s": round(save_ingest_s, 3),
        "page_rechecks_on_save": rechecks,
        "page_peak_mb": None if page_peak is None else round(page_peak),
        "progress_bar_seen": bool(progress),
        "ratio": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "target_met": met,
    }
    with (OUT / "upload.json").open("a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
    print(f"  Appended to {(OUT / 'upload.json').relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
