"""Write bench/RESULTS.md: the latest figure of each benchmark, as a ratio to its baseline.

Reads the last line of each bench/out/<name>.json that `make bench` appended in this run. A
benchmark with no record there (not run on this machine since bench/out/ was emptied) keeps its
row, note and detail section from the RESULTS.md being replaced, with the date of the run that
measured them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

# name: (what is measured, its baseline in the same run, figure, baseline, target text); the
# record is bench/out/<name>.json's, or for "a/b" a's (a second row from the same run)
ROWS = {
    "ingest": (
        "ingest of a 300,000-row .xlsx (whole process)",
        "fastest bare parse of the same file (fastexcel)",
        lambda r: f"{r['ingest_median_s']:.2f} s",
        lambda r: f"{min(r['parse_typed_median_s'], r['parse_text_median_s']):.2f} s",
        lambda r: f"at most {r['target_ratio']}x",
    ),
    "ingest/isolation": (
        "the ingest's parse in the sandbox worker (isolation)",
        "the same parse in this process",
        lambda r: (
            f"{r['parse_isolated_median_s']:.2f} s: {r['isolation_share_of_ingest']:+.1%} "
            "of the ingest"
        ),
        lambda r: f"{r['parse_here_median_s']:.2f} s",
        lambda r: "the difference under 10% of the ingest",
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
    "pages": (
        "every page in Chromium, navigation to fully drawn, demo data: the slowest (warm median)",
        "a trivial page, served the same way, loaded just before each",
        lambda r: _slowest(r, "demo"),
        lambda r: f"{r['databases']['demo']['trivial_median_s']:.2f} s",
        lambda r: f"at most {r['target_ratio']:g}x (goal {r['goal_ratio']:g}x)",
    ),
    "pages/10x": (
        "the same, on ten times the 300,000-row benchmark's training rows",
        "a trivial page, served the same way, loaded just before each",
        lambda r: _slowest(r, "10x"),
        lambda r: f"{r['databases']['10x']['trivial_median_s']:.2f} s",
        lambda r: f"at most {r['target_ratio']:g}x (goal {r['goal_ratio']:g}x)",
    ),
    "pages/upload": (
        "the Overview's first draw after an upload (1,000 training rows), on that database",
        "the Overview's warm draw",
        lambda r: f"{r['databases']['10x']['upload']['overview_after_upload_median_s']:.2f} s",
        lambda r: f"{r['databases']['10x']['pages']['Overview']['warm_median_s']:.2f} s",
        lambda r: "reported",
    ),
}


def _slowest(record: dict, label: str) -> str:
    result = record["databases"][label]
    return (
        f"{result['slowest_page']} {result['pages'][result['slowest_page']]['warm_median_s']:.2f} s"
    )


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


ISOLATION_TARGET = 0.10  # bench/ingest.py's: the issue allows the isolation 10% of the ingest

# a second row's ratio and whether its target is met, where they are not the record's own
RATIOS = {
    "ingest/isolation": lambda r: r["parse_isolated_median_s"] / r["parse_here_median_s"],
    "pages": lambda r: r["databases"]["demo"]["slowest_ratio"],
    "pages/10x": lambda r: r["databases"]["10x"]["slowest_ratio"],
    "pages/upload": lambda r: r["databases"]["10x"]["upload"]["ratio_to_warm_overview"],
}
MET = {
    "ingest/isolation": lambda r: r["isolation_share_of_ingest"] < ISOLATION_TARGET,
    "pages": lambda r: r["databases"]["demo"]["target_met"],
    "pages/10x": lambda r: r["databases"]["10x"]["target_met"],
    "pages/upload": lambda r: None,
}
# what a record must hold for the row: older records lack the measurement, and a run of one
# database (bench/pages.py --only) lacks the other's
NEEDS = {
    "ingest/isolation": lambda r: "parse_here_median_s" in r,
    "pages": lambda r: "demo" in r["databases"],
    "pages/10x": lambda r: "10x" in r["databases"],
    "pages/upload": lambda r: "upload" in r["databases"].get("10x", {}),
}


def latest(name: str) -> dict | None:
    path = OUT / f"{name.split('/')[0]}.json"
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    record = json.loads(lines[-1]) if lines else None
    return record if record and NEEDS.get(name, lambda r: "when" in r)(record) else None


def previous_lines() -> list[str]:
    """The RESULTS.md this run replaces, to keep the rows of benchmarks not run since."""
    path = HERE / "RESULTS.md"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def kept(previous: list[str], start: str) -> str | None:
    return next((line for line in previous if line.startswith(start)), None)


def kept_section(previous: list[str], name: str) -> list[str]:
    """A detail section of the RESULTS.md being replaced, from its first line to the next
    section's (or the floors')."""
    starts = [i for i, line in enumerate(previous) if line.startswith(SECTIONS[name])]
    if not starts:
        return []
    ends = [
        i
        for i, line in enumerate(previous)
        if i > starts[0]
        and line.startswith((*SECTIONS.values(), "What the same runs measured"))
        and not line.startswith(SECTIONS[name])
    ]
    section = previous[starts[0] : ends[0] if ends else len(previous)]
    while section and not section[-1].strip():
        section.pop()
    return ["", *section]


def files_table(record: dict) -> list[str]:
    """The ingest's bad and hostile files: each one's time, peak memory and outcome."""
    files = record.get("files")
    if not files:
        return []
    bad = [f for f in files if f["group"] == "bad"]
    hostile = [f for f in files if f["group"] == "hostile"]
    lines = [
        "",
        f"Ingest, hostile files (issue 14), run {record['when'][:10]}"
        + (
            f" (the machine's load average, 1 minute, {record['load_average'][0]:g} at the start "
            f"of the ingest benchmark and {record['load_average'][1]:g} at its end, on "
            f"{record['cores']} cores; a load above the cores slows every figure of that run)"
            if "load_average" in record
            else ""
        )
        + f": each a whole `python -m cams_data ingest` against the database the ingest left, "
        f"to be refused (a message, no traceback) or loaded within {record['refusal_limit_s']:g} s "
        f"and {record['refusal_limit_peak_mb']} MB peak; a file refused from its bytes alone, "
        f"before any reader runs, within {record['before_parse_limit_s']:g} s.",
        "",
        "| file | must be | outcome | time | limit | peak | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for f in hostile:
        lines.append(
            f"| {f['file']} | {f['expect']} | {f['outcome']} | {f['seconds']:.2f} s | "
            f"{f['limit_s']:g} s | {f['peak_mb']} MB | {'yes' if f['ok'] else 'NO'} |"
        )
    if bad:
        slowest = max(bad, key=lambda f: f["seconds"])
        lines += [
            "",
            f"The {len(bad)} other bad files (zip bomb, PDF, web page, zip, password, entities, "
            f"damaged, truncated, empty): {sum(f['ok'] for f in bad)} of {len(bad)} refused "
            f"within their limits; slowest {slowest['file']} {slowest['seconds']:.2f} s, "
            f"highest peak {max(f['peak_mb'] for f in bad)} MB.",
        ]
    return lines


def stages_list(record: dict) -> list[str]:
    """Where the ingest's time goes, stage by stage, as the benchmark's in-process run timed it."""
    stages = record.get("stages_median_s")
    if not stages:
        return []
    whole = stages["ingest, in all"]
    lines = [
        "",
        f"Where the ingest's time goes ({record['rows']:,} rows, the ingest in one process, "
        f"median of {record['repeat']}; a stage inside another, or under way at the same time "
        "(the checks that unpack the parts run while the worker parses), is counted in both, so "
        "the shares do not add up to 100%):",
        "",
        "| stage | seconds | share of the ingest |",
        "| --- | --- | --- |",
    ]
    for stage, seconds in stages.items():
        share = "" if stage == "imports" else f"{seconds / whole:.0%}"
        lines.append(f"| {stage} | {seconds:.2f} | {share} |")
    return lines


def pages_tables(record: dict) -> list[str]:
    """Each page's time to fully drawn in Chromium, on each database, and where it went."""
    load = (
        f"the machine's load average, 1 minute, {record['load_avg_start']:g} at the start and "
        f"{record['load_avg_end']:g} at the end, on {record['cores']} cores; a load above the "
        "cores slows every figure of that run"
    )
    lines = [
        "",
        f"{SECTIONS['pages']} (issue 16, `bench/pages.py`), run {record['when'][:10]} ({load}): "
        f"each page opened {record['repeat']} times, each time in a fresh browser context "
        f"({record['viewport']}, no cache), each load just after one of a trivial page (a title "
        "and a line) served the same way; the time from navigation start to fully drawn (its h1 "
        "shown, the script finished, no skeletons, every chart drawn), on the page's own clock. "
        "The first load meets the server's caches cold; the others' median is the figure. Where "
        "the warm loads' time goes (medians, so they need not add up): *shell*, the page and "
        "its JavaScript until the script starts; *script*, from its start to its end (elements "
        "are drawn as they arrive); *after*, drawing once the script has ended (the charts); "
        "*server script*, the script's runs as the server timed them; and the server's CPU time "
        "during the load (all its threads: DuckDB's too).",
    ]
    for label, result in record["databases"].items():
        db = result["database"]
        built = (
            f"; built once in {db['build_s']:g} s (the demo, then {len(db['ingest_s'])} exports "
            f"of 300,000 rows of different staff through `python -m cams_data ingest`, "
            f"{sum(db['ingest_s']):.0f} s; load average {db['load_avg_during_build']:.1f} at its "
            f"end), {db['db_mb']} MB"
            if "ingest_s" in db
            else ""
        )
        lines += [
            "",
            f"**{DATABASES.get(label, label)}** "
            f"({db['training_rows_stored']:,} training rows stored, "
            f"{db['training_rows_current']:,} current{built}). The trivial page: "
            f"{result['trivial_median_s']:.2f} s (first load {result['trivial_first_s']:.2f} s; "
            f"shell {result['trivial']['warm_shell_s']:.2f} s, script "
            f"{result['trivial']['warm_script_s']:.2f} s).",
            "",
            "| page | fully drawn | ratio | first load | ratio | shell | script | after | "
            "server script | server CPU |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, page in result["pages"].items():
            lines.append(
                f"| {name} | {page['warm_median_s']:.2f} s | {page['ratio']:.2f}x | "
                f"{page['first_s']:.2f} s | {page['first_ratio']:.2f}x | "
                f"{page['warm_shell_s']:.2f} s | {page['warm_script_s']:.2f} s | "
                f"{page['warm_after_s']:.2f} s | {page.get('warm_server_script_s', 0):.2f} s | "
                f"{page['warm_server_cpu_s']:.2f} s |"
            )
        if upload := result.get("upload"):
            lines += [
                "",
                f"The Overview's first draw after an upload ({upload['rows']:,} training rows "
                f"loaded with the CLI while the server ran, {upload['cli_ingest_median_s']:.2f} "
                f"s; median of {upload['uploads']}): "
                f"{upload['overview_after_upload_median_s']:.2f} s, "
                f"{upload['ratio_to_warm_overview']:.2f}x the warm Overview and "
                f"{upload['ratio_to_trivial']:.2f}x the trivial page (its script "
                f"{upload['after_upload_script_s']:.2f} s, on the server "
                f"{upload.get('after_upload_server_script_s', 0):.2f} s; server CPU "
                f"{upload['after_upload_server_cpu_s']:.2f} s); the next draw "
                f"{upload['overview_next_median_s']:.2f} s.",
            ]
    return lines


DATABASES = {"demo": "Demo data", "10x": "Ten times the 300,000-row benchmark's training rows"}
# the detail sections below the table: each one's first words, and what writes it
SECTIONS = {"ingest": "Ingest, hostile files", "pages": "Pages in Chromium"}
DETAILS = {"ingest": lambda r: files_table(r) + stages_list(r), "pages": pages_tables}


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
    previous = previous_lines()
    for name, (what, base, figure, baseline, target) in ROWS.items():
        record = latest(name)
        if record is None:
            missing = f"| {what} | {base} | not run | | | | | |"
            lines.append(kept(previous, f"| {what} |") or missing)
            continue
        met = MET[name](record) if name in MET else record.get("target_met")
        ratio = RATIOS[name](record) if name in RATIOS else record["ratio"]
        lines.append(
            f"| {what} | {base} | {figure(record)} | {baseline(record)} | "
            f"{ratio:.2f}x | {target(record)} | "
            f"{'yes' if met else 'NO' if met is not None else '-'} | {record['when'][:10]} |"
        )
    for name, section in DETAILS.items():
        if record := latest(name):
            lines += section(record)
        else:
            lines += kept_section(previous, name)
    floors = []
    for name, floor in FLOORS.items():
        if record := latest(name):
            if text := floor(record):
                floors.append(f"- {name}: {text}")
        elif line := kept(previous, f"- {name}: "):
            floors.append(line)
    if floors:
        lines += ["", "What the same runs measured of the least such work can cost:", "", *floors]
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
