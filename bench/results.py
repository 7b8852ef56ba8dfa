"""Write bench/RESULTS.md: the latest figure of each benchmark, as a ratio to its baseline.

Reads the last line of each bench/out/<name>.json that `make bench` appended in this run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

# name: (what is measured, its baseline in the same run, figure, baseline, target text)
ROWS = {
    "ingest": (
        "ingest of a 300,000-row .xlsx (whole process)",
        "fastest bare parse of the same file (fastexcel)",
        lambda r: f"{r['ingest_median_s']:.2f} s",
        lambda r: f"{min(r['parse_typed_median_s'], r['parse_text_median_s']):.2f} s",
        lambda r: f"at most {r['target_ratio']}x",
    ),
    "overview": (
        "the Overview's rerun (AppTest, median)",
        "a trivial page's rerun",
        lambda r: f"{1000 * r['overview_rerun_median_s']:.1f} ms",
        lambda r: f"{1000 * r['trivial_rerun_median_s']:.1f} ms",
        lambda r: f"at most {r['target_ratio']}x",
    ),
    "upload": (
        "upload page: confirm to saved, 300,000 rows",
        "the same file through `python -m cams_data ingest`",
        lambda r: f"{r['page_confirm_to_saved_median_s']:.2f} s",
        lambda r: f"{r['cli_ingest_median_s']:.2f} s",
        lambda r: f"at most {r['target_ratio']}x",
    ),
    "export": (
        "the year's statement pack (`export --zip`, whole process)",
        "rendering one chart to PNG (whole process)",
        lambda r: f"{r['pack_median_s']:.2f} s",
        lambda r: f"{r['one_chart_median_s']:.2f} s",
        lambda r: "reported",
    ),
    "zipbomb": (
        "a zip bomb (1 GB and 4 GB worksheets) refused, slowest",
        "refusing a text file named .xlsx",
        lambda r: f"{r['slowest_s']:.2f} s, {r['peak_mb']} MB peak",
        lambda r: f"{r['baseline_s']:.2f} s",
        lambda r: f"under {r['target_seconds']:g} s and {r['target_peak_mb']} MB",
    ),
}


# name: what the same run measured of the least such work can cost, where a target is near it
FLOORS = {
    "ingest": lambda r: (
        (
            f"A bare load (the same parse, then the cells stored in DuckDB unchecked: no header "
            f"finding, checks, pseudonyms, folding or current rows) took "
            f"{r['bare_load_median_s']:.2f} s, {r['bare_load_ratio']:.2f}x the parse."
        )
        if "bare_load_median_s" in r
        else None
    ),
    "overview": lambda r: (
        f"The Overview's layout with its figures fixed and no queries reran in "
        f"{1000 * (layout := r['layout_no_data_rerun_median_s']):.1f} ms, "
        f"{layout / r['trivial_rerun_median_s']:.2f}x the trivial page; the Overview itself "
        f"took {r['overview_rerun_median_s'] / layout:.2f}x its layout."
        + (
            f" The same content with the fewest elements (each card one Markdown block, no "
            f"metrics) reran in {1000 * r['fewest_elements_rerun_median_s']:.1f} ms, "
            f"{r['fewest_elements_rerun_median_s'] / r['trivial_rerun_median_s']:.2f}x."
            if "fewest_elements_rerun_median_s" in r
            else ""
        )
    ),
}


def latest(name: str) -> dict | None:
    path = OUT / f"{name}.json"
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return json.loads(lines[-1]) if lines else None


def main() -> int:
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/results.py) from the last run of each script; each figure "
        "is a ratio to a baseline measured in the same run, on the machine that ran it.",
        "",
        "| benchmark | baseline | figure | baseline time | ratio | target | met | when |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, (what, base, figure, baseline, target) in ROWS.items():
        record = latest(name)
        if record is None:
            lines.append(f"| {what} | {base} | not run | | | | | |")
            continue
        met = record.get("target_met")
        lines.append(
            f"| {what} | {base} | {figure(record)} | {baseline(record)} | "
            f"{record['ratio']:.2f}x | {target(record)} | "
            f"{'yes' if met else 'NO' if met is not None else '-'} | {record['when'][:10]} |"
        )
    floors = [
        f"- {name}: {text}"
        for name, floor in FLOORS.items()
        if (record := latest(name)) and (text := floor(record))
    ]
    if floors:
        lines += ["", "What the same runs measured of the least such work can cost:", "", *floors]
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
