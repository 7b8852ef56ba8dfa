"""Zip bomb benchmark: a spreadsheet that would unpack to gigabytes is refused in under a second
with peak memory under 300 MB.

Each figure is a whole `python -m cams_data ingest` process (start-up included), median of
`--repeat`. The baseline, measured in the same run, is the same process refusing a file that is
plainly not a spreadsheet (a text file named .xlsx): the cost of starting and saying no. Bombs:
an .xlsx whose worksheet unpacks to 1 GB and to 4 GB (written streaming, a few MB on disk), the
4 GB one again with its part named in upper case (sheet1.XML), and one whose zip directory lies
about the sizes. Usage: python bench/zipbomb.py [--repeat K]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

import builders  # noqa: E402
from ingest import measure  # noqa: E402

TARGET_SECONDS = 1.0
TARGET_PEAK_MB = 300


def refused(path: Path, db: Path, repeat: int) -> dict:
    runs = [
        measure([sys.executable, "-m", "cams_data", "ingest", str(path), "--db", str(db)])
        for _ in range(repeat)
    ]
    for run in runs:
        if run["returncode"] == 0 or "Traceback" in run["stderr"]:
            raise SystemExit(f"{path.name} was not refused cleanly:\n{run['stderr']}")
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "message": runs[0]["stderr"].strip().splitlines()[0][:120],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder, db = Path(scratch), Path(scratch) / "bench.duckdb"
        plain = folder / "notes.xlsx"
        plain.write_text("Minutes of the steering group, not a spreadsheet.\n")
        bombs = {
            "1 GB worksheet": builders.zip_bomb_xlsx(
                folder / "bomb_1gb.xlsx", uncompressed_mb=1024
            ),
            "4 GB worksheet": builders.zip_bomb_xlsx(
                folder / "bomb_4gb.xlsx", uncompressed_mb=4096
            ),
            "4 GB worksheet named sheet1.XML": builders.zip_bomb_xlsx(
                folder / "bomb_4gb_upper.xlsx",
                uncompressed_mb=4096,
                part="xl/worksheets/sheet1.XML",
            ),
        }
        sizes = {name: path.stat().st_size / 1024 / 1024 for name, path in bombs.items()}
        baseline = refused(plain, db, args.repeat)
        results = {name: refused(path, db, args.repeat) for name, path in bombs.items()}

    worst = max(results.values(), key=lambda r: r["seconds"])
    peak = max(r["peak_mb"] for r in results.values())
    ratio = worst["seconds"] / baseline["seconds"]
    met = worst["seconds"] < TARGET_SECONDS and peak < TARGET_PEAK_MB
    print(f"\nZip bombs refused (whole processes, median of {args.repeat}):")
    print(f"  {'file':34} {'on disk':>8} {'median':>8} {'peak':>8}")
    print(f"  {'not a spreadsheet (baseline)':34} {'':>8} {baseline['seconds']:7.2f}s "
          f"{baseline['peak_mb']:6.0f}MB")  # fmt: skip
    for name, result in results.items():
        print(f"  {name:34} {sizes[name]:6.1f}MB {result['seconds']:7.2f}s "
              f"{result['peak_mb']:6.0f}MB  {result['message'][:60]}")  # fmt: skip
    print(
        f"  Slowest bomb / baseline: {ratio:.2f}x; slowest {worst['seconds']:.2f} s (target under "
        f"{TARGET_SECONDS:g} s), peak {peak:.0f} MB (target under {TARGET_PEAK_MB} MB): "
        f"{'met' if met else 'NOT met'}."
    )
    record = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "repeat": args.repeat,
        "baseline_s": round(baseline["seconds"], 3),
        "baseline_peak_mb": round(baseline["peak_mb"]),
        "bombs": {
            name: {"s": round(r["seconds"], 3), "peak_mb": round(r["peak_mb"])}
            for name, r in results.items()
        },  # fmt: skip
        "slowest_s": round(worst["seconds"], 3),
        "peak_mb": round(peak),
        "ratio": round(ratio, 3),
        "target_seconds": TARGET_SECONDS,
        "target_peak_mb": TARGET_PEAK_MB,
        "target_met": met,
    }
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    with (out / "zipbomb.json").open("a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
    print(f"  Appended to {(out / 'zipbomb.json').relative_to(ROOT)}.")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
