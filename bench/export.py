"""Export benchmark: the CLI's statement pack for a year of demo data, against rendering one chart.

Builds the demo database once in a temporary folder, then measures, each a whole process (both pay
Python's and the libraries' start-up), median of N runs: the baseline, a process that imports
cams_data.charts and cams_data.export and renders ONE bar chart of a 7-row table to PNG; and
`python -m cams_data export --year 2025/26 --out DIR --zip` into a fresh folder, checked to have
exited 0 and written key_figures.md and .docx, the tables' .xlsx, the ZIP and at least 4 PNG/SVG
charts.
The ratio (pack / one chart) is a report, with no target: the exit code is 0 unless a run fails
or the pack is incomplete. Each run appends one JSON line to bench/out/export.json.

Usage: python bench/export.py [--year 2025/26] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from ingest import measure  # noqa: E402  (a whole process's time and peak memory)

ONE_CHART = """
import sys
import pandas as pd
from cams_data import charts, export

table = pd.DataFrame({
    "Exploitation type": list(charts.EXPLOITATION_TYPES)[:7],
    "Referrals": [12, 7, 5, 3, 2, 1, 4],
})
chart = charts.bar(table, category="Exploitation type", value="Referrals",
                   title="Referrals by exploitation type", subtitle="2025/26")
data = export.png(chart)
assert data.startswith(b"\\x89PNG"), "not a PNG"
open(sys.argv[1], "wb").write(data)
"""


def check_pack(folder: Path) -> list[str]:
    """What is missing from the pack's folder (empty when it is whole)."""
    names = [p.name for p in folder.iterdir()]
    problems = [name for name in ("key_figures.md", "key_figures.docx") if name not in names]
    if not any(n.endswith(".xlsx") for n in names):
        problems.append("the tables' .xlsx")
    if not any(n.endswith(".zip") for n in names):
        problems.append("the ZIP")
    charts = [n for n in names if n.endswith((".png", ".svg"))]
    if len(charts) < 4:
        problems.append(f"at least 4 PNG/SVG charts (found {len(charts)})")
    return problems


def median_run(commands: list[tuple[list[str], Path | None]]) -> dict:
    runs = []
    for command, folder in commands:
        run = measure(command)
        if run["returncode"] != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{run['stderr']}")
        if folder is not None:
            problems = check_pack(folder)
            if problems:
                raise SystemExit(f"The pack in {folder} lacks: {', '.join(problems)}")
        runs.append(run)
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "min": min(r["seconds"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
    }


def _git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--year", default="2025/26")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        db = scratch / "cams.duckdb"
        print(f"Building the demo database in {db} ...")
        subprocess.run(
            [python, "-m", "cams_data", "demo", "--db", str(db)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        chart = median_run(
            [
                ([python, "-c", ONE_CHART, str(scratch / f"one_{i}.png")], None)
                for i in range(args.repeat)
            ]
        )
        pack_runs = []
        for i in range(args.repeat):
            folder = scratch / f"pack_{i}"
            command = [python, "-m", "cams_data", "export", "--db", str(db), "--year", args.year]
            pack_runs.append(([*command, "--out", str(folder), "--zip"], folder))
        pack = median_run(pack_runs)
        last = pack_runs[-1][1]
        files = sorted(p.name for p in last.iterdir())
        charts = [n for n in files if n.endswith((".png", ".svg"))]
        size_kb = sum(p.stat().st_size for p in last.iterdir()) / 1024

    ratio = pack["seconds"] / chart["seconds"]
    print(f"\nStatement pack for {args.year} (demo data), median of {args.repeat}:")
    print(f"  {'process':44} {'median':>8} {'min':>8} {'peak':>8}")
    for name, run in (
        ("one chart to PNG (charts.bar + export.png)", chart),
        ("python -m cams_data export --zip", pack),
    ):
        print(f"  {name:44} {run['seconds']:7.2f}s {run['min']:7.2f}s {run['peak_mb']:6.0f}MB")
    print(
        f"  The pack: {len(files)} files ({len(charts) // 2} charts as PNG and SVG), "
        f"{size_kb:,.0f} KB, checked whole."
    )
    print(f"  Ratio, pack / one chart: {ratio:.2f}x.")
    record = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "year": args.year,
        "repeat": args.repeat,
        "one_chart_median_s": round(chart["seconds"], 3),
        "one_chart_peak_mb": round(chart["peak_mb"], 1),
        "pack_median_s": round(pack["seconds"], 3),
        "pack_peak_mb": round(pack["peak_mb"], 1),
        "pack_files": len(files),
        "pack_charts": len(charts),
        "ratio": round(ratio, 3),
    }
    with (OUT / "export.json").open("a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
    print(f"  Appended to {(OUT / 'export.json').relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
