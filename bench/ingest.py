"""Ingest benchmark: a 300,000-row learning-system export, and every bad file refused.

Each figure is a whole process, measured in this run: the bare parse with the fastest reader
(fastexcel) is the baseline, and the full ingest (read, validate, pseudonymise, load) is reported
as a ratio of it. Usage: python bench/ingest.py [--rows N] [--repeat K]
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
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

import builders  # noqa: E402
from learning_export import write_learning_export  # noqa: E402

PARSE_TYPED = "import fastexcel,sys; fastexcel.read_excel(sys.argv[1]).load_sheet(0).to_arrow()"
PARSE_TEXT = (
    "import fastexcel,sys; fastexcel.read_excel(sys.argv[1]).load_sheet(0, "
    "header_row=None, dtypes='string').to_arrow()"
)
# The least any loader does: the same parse, then the cells stored as they are (DuckDB imported
# while the parse runs, as the CLI does). No header finding, checks, pseudonyms, folding of
# duplicates or current rows: the part of the target's 1.3x that is left for those.
BARE_LOAD = """
import sys, threading
import fastexcel
tables = []
parse = lambda: tables.append(fastexcel.read_excel(sys.argv[1]).load_sheet(
    0, header_row=None, dtypes='string').to_arrow())
reader = threading.Thread(target=parse)
reader.start()
import duckdb
con = duckdb.connect(sys.argv[2])
reader.join()
cells = tables[0]
con.execute('CREATE TABLE cells AS SELECT * FROM cells')
con.close()
"""
# The cost of parsing in the sandbox worker (cams_data/sandbox.py), which a crash or a memory
# or time limit in the reader cannot take the app with it: the same parse to Arrow and pandas
# with the reader called in this process, and through a fresh worker (the CLI's case; the app
# keeps one warm). The issue wants the difference under 10% of the full ingest.
PARSE_HERE = """
import sys, pyarrow as pa
from cams_data import read
data = open(sys.argv[1], "rb").read()
tables = [(n, pa.ipc.open_stream(s).read_all()) for n, s in read.parse_sheets(data)]
read._sheets(tables, "x.xlsx")
"""
PARSE_ISOLATED = PARSE_HERE.replace(
    "read.parse_sheets(data)", "sandbox.run(read.PARSE_TARGET, data)"
)
PARSE_ISOLATED = PARSE_ISOLATED.replace("import read", "import read, sandbox")
ISOLATION_TARGET = 0.10
TARGET_RATIO = 1.3
TARGET_PEAK_MB = 2048
REFUSAL_SECONDS, REFUSAL_PEAK_MB, BEFORE_PARSE_SECONDS = 30, 1024, 1.0


def measure(command: list[str]) -> dict:
    output = subprocess.run(
        [sys.executable, str(HERE / "measure.py"), *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    return json.loads(output)


def median_run(command: list[str], repeat: int, fresh_db: Path | None = None) -> dict:
    runs = []
    for _ in range(repeat):
        if fresh_db:
            for path in fresh_db.parent.glob(fresh_db.name + "*"):
                path.unlink()
        run = measure(command)
        if run["returncode"] != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{run['stderr']}")
        runs.append(run)
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
    }


def bad_files(folder: Path) -> list[tuple[Path, bool]]:
    """(file, visible before parsing) for every kind of bad file the loader must refuse."""
    good = builders.messy_training_export(folder / "good.xlsx")[0]
    return [
        (builders.zip_bomb_xlsx(folder / "zip_bomb.xlsx"), True),
        (builders.not_a_spreadsheet(folder / "report.pdf.xlsx", kind="pdf"), True),
        (builders.not_a_spreadsheet(folder / "page.xls", kind="html"), True),
        (builders.not_a_spreadsheet(folder / "archive.xlsx", kind="zip"), True),
        (builders.encrypted_xlsx(folder / "password.xlsx"), True),
        (builders.billion_laughs_xlsx(folder / "billion_laughs.xlsx"), True),
        (builders.external_entity_xlsx(folder / "external_entity.xlsx"), True),
        (builders.corrupt_xls(folder / "corrupt.xls"), False),
        (builders.truncated_copy(good, folder / "truncated.xlsx"), False),
        (builders.empty_xlsx(folder / "empty.xlsx"), False),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    export = out / f"learning_export_{args.rows}.xlsx"
    if not export.exists():
        print(f"Writing a {args.rows:,}-row export to {export} ...")
        write_learning_export(export, args.rows)
    size_mb = export.stat().st_size / 1024 / 1024
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "bench.duckdb"
        typed = median_run([python, "-c", PARSE_TYPED, str(export)], args.repeat)
        text = median_run([python, "-c", PARSE_TEXT, str(export)], args.repeat)
        baseline = min(typed["seconds"], text["seconds"])
        bare_db = Path(scratch) / "bare.duckdb"
        bare = median_run(
            [python, "-c", BARE_LOAD, str(export), str(bare_db)], args.repeat, bare_db
        )
        ingest = median_run(
            [python, "-m", "cams_data", "ingest", str(export), "--db", str(db)],
            args.repeat,
            fresh_db=db,
        )
        here, isolated = [], []
        for _ in range(args.repeat):  # alternated, so a busy machine weighs on both alike
            here.append(measure([python, "-c", PARSE_HERE, str(export)]))
            isolated.append(measure([python, "-c", PARSE_ISOLATED, str(export)]))
        here_s = statistics.median(r["seconds"] for r in here)
        isolated_s = statistics.median(r["seconds"] for r in isolated)
        isolation = (isolated_s - here_s) / ingest["seconds"]
        ratio = ingest["seconds"] / baseline
        print(f"\nIngest of {args.rows:,} rows ({size_mb:.1f} MB .xlsx), median of {args.repeat}:")
        print(
            f"  bare parse, fastexcel typed:   {typed['seconds']:.2f} s, "
            f"{typed['peak_mb']:.0f} MB peak"
        )
        print(
            f"  bare parse, fastexcel as text: {text['seconds']:.2f} s, "
            f"{text['peak_mb']:.0f} MB peak"
        )
        print(
            f"  bare load (parse, cells stored unchecked): {bare['seconds']:.2f} s "
            f"({bare['seconds'] / baseline:.2f}x the parse)"
        )
        print(
            f"  full ingest (python -m cams_data ingest): {ingest['seconds']:.2f} s, "
            f"{ingest['peak_mb']:.0f} MB peak"
        )
        print(
            f"  parse in this process {here_s:.2f} s, in the sandbox worker {isolated_s:.2f} s: "
            f"isolation costs {isolation:.1%} of the ingest (target under {ISOLATION_TARGET:.0%})"
        )
        print(
            f"  ratio to the fastest bare parse: {ratio:.2f}x (target {TARGET_RATIO}x); "
            f"peak memory {'within' if ingest['peak_mb'] < TARGET_PEAK_MB else 'OVER'} "
            f"{TARGET_PEAK_MB} MB"
        )

        record = {
            "when": datetime.now().isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "rows": args.rows,
            "file_mb": round(size_mb, 1),
            "repeat": args.repeat,
            "parse_typed_median_s": round(typed["seconds"], 3),
            "parse_text_median_s": round(text["seconds"], 3),
            "bare_load_median_s": round(bare["seconds"], 3),
            "bare_load_ratio": round(bare["seconds"] / baseline, 3),
            "ingest_median_s": round(ingest["seconds"], 3),
            "ingest_peak_mb": round(ingest["peak_mb"]),
            "ratio": round(ratio, 3),
            "parse_here_median_s": round(here_s, 3),
            "parse_isolated_median_s": round(isolated_s, 3),
            "isolation_share_of_ingest": round(isolation, 3),
            "target_ratio": TARGET_RATIO,
            "target_met": ratio <= TARGET_RATIO,
        }
        with (out / "ingest.json").open("a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")

        print("\nBad files (each a whole `python -m cams_data ingest` process):")
        failures = 0
        for path, before_parse in bad_files(Path(scratch)):
            run = measure([python, "-m", "cams_data", "ingest", str(path), "--db", str(db)])
            limit = BEFORE_PARSE_SECONDS if before_parse else REFUSAL_SECONDS
            ok = (
                run["returncode"] != 0
                and "Traceback" not in run["stderr"]
                and run["seconds"] < limit
                and run["peak_mb"] < REFUSAL_PEAK_MB
            )
            failures += not ok
            reason = run["stderr"].strip().splitlines()[0][:90] if run["stderr"] else ""
            print(
                f"  {'ok ' if ok else 'BAD'} {path.name:24} {run['seconds']:5.2f} s "
                f"(limit {limit:g} s) {run['peak_mb']:5.0f} MB  {reason}"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
