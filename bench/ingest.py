"""Ingest benchmark: a 300,000-row learning-system export, every bad file refused, and every
hostile file of issue 14 refused or loaded as it should be.

Each figure is a whole process, measured in this run: the bare parse with the fastest reader
(fastexcel) is the baseline, and the full ingest (read, validate, pseudonymise, load) is reported
as a ratio of it. Each bad or hostile file is one `python -m cams_data ingest` process against
the database the ingest left, which must refuse it (a message, no traceback) or load it, in under
30 s and 1 GB peak (1 s for a file refused from its bytes alone, before any reader runs).
Usage: python bench/ingest.py [--rows N] [--repeat K]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

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
tables = [(n, pa.ipc.open_stream(s).read_all(), h) for n, s, h in read.parse_sheets(data)]
read._sheets(tables, "x.xlsx")
"""
PARSE_ISOLATED = PARSE_HERE.replace(
    "read.parse_sheets(data)", "sandbox.run(read.PARSE_TARGET, data)"
)
PARSE_ISOLATED = PARSE_ISOLATED.replace("import read", "import read, sandbox")
ISOLATION_TARGET = 0.10
# Where the ingest's time goes: the same ingest in one process, each stage's function wrapped in
# a timer (a stage inside another is counted in both: validation holds pseudonyms and folding; and
# so is one under way at the same time: the checks that unpack the parts run during the parse).
STAGES = """
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from cams_data import ingest, read, sandbox, store, validate
from cams_data.ingest import UploadRequest
spent = {"imports": time.perf_counter() - started}

def timed(module, name, stage):
    real = getattr(module, name)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent[stage] = spent.get(stage, 0.0) + time.perf_counter() - start
    setattr(module, name, wrapper)

PARSE = "parse (fastexcel, in the sandbox worker, from its start to its answer)"
real_start = sandbox.start

def start(*args, **kwargs):
    call, began = real_start(*args, **kwargs), time.perf_counter()
    real_result = call.result
    def result():
        try:
            return real_result()
        finally:
            spent[PARSE] = spent.get(PARSE, 0.0) + time.perf_counter() - began
    call.result = result
    return call

sandbox.start = start
timed(read, "_check_archive", "checks before parsing (the zip's directory, entities)")
timed(read, "_check_parts", "checks unpacking the parts (sizes, sheet extent), during the parse")
timed(read, "_visible", "invisible characters dropped")
timed(ingest, "shape", "header found, columns matched")
timed(ingest, "validate", "validation (pseudonyms and folding included)")
timed(validate, "_identify", "pseudonyms")
timed(validate, "_fold", "folding duplicates")
timed(ingest, "_write", "writing (current rows included)")
timed(store, "refresh_current", "current rows")
path = Path(sys.argv[1])
start = time.perf_counter()
ingest.ingest(UploadRequest(path.read_bytes(), path.name, db=Path(sys.argv[2])))
spent["ingest, in all"] = time.perf_counter() - start
print(json.dumps(spent))
"""
TARGET_RATIO = 2.0  # issue 15: the whole ingest within 2.0x the bare parse
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


class Case(NamedTuple):
    """A file the CLI must refuse (non-zero exit, a message, no traceback) or load (exit 0)."""

    path: Path
    expect: str  # "refused" or "loaded"
    before_parse: bool = False  # refused from its bytes alone, before any reader runs
    words: tuple[str, ...] = ()  # in the refusal (stderr) or the load's summary (stdout)


def bad_files(folder: Path) -> list[Case]:
    """Every kind of bad file the loader must refuse."""
    good = builders.messy_training_export(folder / "good.xlsx")[0]
    return [
        Case(builders.zip_bomb_xlsx(folder / "zip_bomb.xlsx"), "refused", True),
        Case(builders.not_a_spreadsheet(folder / "report.pdf.xlsx", kind="pdf"), "refused", True),
        Case(builders.not_a_spreadsheet(folder / "page.xls", kind="html"), "refused", True),
        Case(builders.not_a_spreadsheet(folder / "archive.xlsx", kind="zip"), "refused", True),
        Case(builders.encrypted_xlsx(folder / "password.xlsx"), "refused", True),
        Case(builders.billion_laughs_xlsx(folder / "billion_laughs.xlsx"), "refused", True),
        Case(builders.external_entity_xlsx(folder / "external_entity.xlsx"), "refused", True),
        Case(builders.corrupt_xls(folder / "corrupt.xls"), "refused"),
        Case(builders.truncated_copy(good, folder / "truncated.xlsx"), "refused"),
        Case(builders.empty_xlsx(folder / "empty.xlsx"), "refused"),
    ]


STAFF = [
    ["Service area", "Job title", "Headcount", "As at"],
    ["Housing", "Caseworker", "4", "01/04/2025"],
    ["Leisure", "Manager", "1", "01/04/2025"],
]
TRAINING = ["Learner", "E-mail", "Course name", "Status", "Completion date"]
REFERRALS = ["Month", "Referral type", "Type of exploitation", "Number of referrals"]
WEB_TABLE = "<table><tr><td>Service area</td><td>Job title</td></tr></table>"
BEL, ESC = "\x07", "\x1b"


def csv_text(rows: list[list[str]]) -> str:
    return "".join(",".join(row) + "\r\n" for row in rows)


def written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def hostile_files(folder: Path) -> list[Case]:
    """The hostile files issue 14 lists, built as the tests build them (tests/test_read.py,
    test_messages.py, test_hostile_text.py, test_ingest.py), each with what must happen to it."""
    upper = "xl/worksheets/sheet1.XML"
    long_cell = [STAFF[0], ["Parks", "R" * 200_000, "2", "01/04/2025"]]  # over csv's 128 KB
    excel_limit = [STAFF[0], ["Parks", "R" * 32_768, "2", "01/04/2025"]]  # one over Excel's
    stray = b"".join(
        [  # UTF-8, but for one line typed on Windows (cp1252)
            csv_text(
                [STAFF[0], ["Caf\u00e9 and Leisure", "Receptionist", "4", "01/04/2025"]]
            ).encode(),
            b"Caf\xe9 and Leisure,Manager,1,01/04/2025\r\n",
            csv_text([["Cr\u00e8che", "Nursery Nurse", "3", "01/04/2025"]]).encode(),
        ]
    )
    nul_rows = [STAFF[0], *([f"Service {n}", "Officer", "1", "01/04/2025"] for n in range(15))]
    nul = csv_text(nul_rows).encode().replace(b"Service 10,Officer", b"Service 10,Offi\x00cer")
    utf16 = csv_text([*STAFF, ["Cr\u00e8che", "Nursery Nurse", "3", "01/04/2025"]])
    notes = [[f"Note {n}", "see the intranet"] for n in range(1, 200)]
    return [
        Case(builders.one_cell_xlsx(folder / "cell_XFD1048576.xlsx", "XFD1048576"), "refused",
             True, ("cell at XFD1048576",)),
        Case(builders.one_cell_xlsx(folder / "cell_XFD5.xlsx", "XFD5"), "refused", True,
             ("cell at XFD5", "at most 500 columns")),
        Case(builders.zip_bomb_xlsx(folder / "zip_bomb_XML.xlsx", part=upper), "refused", True,
             (f"Part '{upper}'", "zip bomb")),
        Case(builders.zip_bomb_declaring_a_modest_size(folder / "zip_bomb_XML_lying.xlsx", upper),
             "refused", True, (f"Part '{upper}'", "more than the archive declares")),
        Case(builders.write_csv(folder / "control_characters.csv", [
                TRAINING,
                ["Alex Example", "alex@example.org", f"Modern Slavery{BEL} Awareness", "Passed",
                 "14/05/2025"],
                ["Sam Sample", "sam@example.org", f"{ESC}[31mFirst Responder", "Passed",
                 "02/06/2025"],
                ["Jo Bloggs", f"jo@example.org{BEL}", "First Responder", "Passed", "03/06/2025"],
            ]), "loaded", words=("rows to store: 3", "Control characters removed: 3 cells")),
        Case(written(folder / "cell_200000_chars.csv", csv_text(long_cell).encode()), "refused",
             words=("cell of 200,000 characters", "at most 32,767")),
        Case(written(folder / "cell_32768_chars.csv", csv_text(excel_limit).encode()), "refused",
             words=("cell of 32,768 characters", "at most 32,767")),
        Case(written(folder / "utf8_one_cp1252_byte.csv", stray), "loaded",
             words=("rows to store: 3",)),
        Case(builders.write_csv(folder / "percent_and_decimal_comma.csv", [
                REFERRALS,
                ["Apr-25", "NRM", "Labour", "12%"],
                ["May-25", "NRM", "Sexual", "1,23"],
                ["Jun-25", "Duty to Notify (MS1)", "Criminal", "2"],
            ]), "refused", words=("'12%' is a percentage", "'1,23' is not a number")),
        Case(builders.write_xlsx(
                folder / "hidden_old_sheet.xlsx",
                [TRAINING, ["Alex Example", "alex@example.org", "Modern Slavery Awareness",
                            "Completed", "14/05/2026"]],
                sheet="This year",
                extra_sheets={"Old data": [TRAINING, *(
                    [f"Old Example {n}", f"old{n}@example.org", "Old course", "Completed",
                     "01/04/2019"] for n in range(5))]},
                extra_sheets_first=True,
                hidden_sheets=["Old data"],
            ), "loaded", words=("Sheet: 'This year'", "Rows read: 1;")),
        Case(builders.apple_numbers(folder / "staff.numbers"), "refused", True,
             ("Apple Numbers",)),
        Case(written(folder / "page_meta.xls", (
                "<meta http-equiv=Content-Type content='text/html; charset=utf-8'>\r\n"
                + WEB_TABLE).encode()), "refused", True, ("web page",)),
        Case(written(folder / "page_comment.xls",
                     ("<!-- saved from the intranet -->\r\n" + WEB_TABLE).encode()),
             "refused", True, ("web page",)),
        Case(written(folder / "utf16_no_bom.csv", utf16.replace(",", "\t").encode("utf-16-le")),
             "loaded", words=("rows to store: 3",)),
        Case(written(folder / "nul_byte.csv", nul), "refused", True, ("Line 12 holds a NUL",)),
        Case(written(folder / "header_on_row_200.csv", csv_text([*notes, *STAFF]).encode()),
             "refused", words=("Only the first 30 rows are searched",)),
    ]  # fmt: skip


def try_file(case: Case, db: Path) -> dict:
    """One whole `python -m cams_data ingest` of the file: its time, peak, outcome and whether
    each is as it must be."""
    run = measure([sys.executable, "-m", "cams_data", "ingest", str(case.path), "--db", str(db)])
    said = run["stdout"] if run["returncode"] == 0 else run["stderr"]
    if run["returncode"] == 0:
        outcome = "loaded"
    elif run["returncode"] < 0:
        outcome = "crashed"  # killed by a signal
    else:
        outcome = "traceback" if "Traceback" in run["stderr"] else "refused"
    limit = BEFORE_PARSE_SECONDS if case.before_parse else REFUSAL_SECONDS
    missing = [w for w in case.words if w.casefold() not in " ".join(said.split()).casefold()]
    ok = (
        outcome == case.expect
        and not missing
        and run["seconds"] < limit
        and run["peak_mb"] < REFUSAL_PEAK_MB
    )
    lines = said.strip().splitlines()
    return {
        "file": case.path.name,
        "expect": case.expect,
        "outcome": outcome,
        "exit": run["returncode"],
        "seconds": round(run["seconds"], 3),
        "peak_mb": round(run["peak_mb"]),
        "limit_s": limit,
        "ok": ok,
        "missing_words": missing,
        "message": (lines[0] if outcome != "loaded" else "; ".join(lines[:2]))[:160]
        if lines
        else "",
    }


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
    load_at_start = os.getloadavg()[0]  # other work on the machine weighs on every figure
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
        stage_runs = []
        for _ in range(args.repeat):
            for path in db.parent.glob(db.name + "*"):
                path.unlink()
            done = subprocess.run(
                [python, "-c", STAGES, str(export), str(db)],
                capture_output=True, text=True, cwd=ROOT, check=True,
            )  # fmt: skip
            stage_runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        stages = {
            stage: round(statistics.median(run[stage] for run in stage_runs), 3)
            for stage in stage_runs[0]
        }
        here, isolated = [], []
        for _ in range(args.repeat):  # alternated, so a busy machine weighs on both alike
            for runs, script in ((here, PARSE_HERE), (isolated, PARSE_ISOLATED)):
                runs.append(measure([python, "-c", script, str(export)]))
                if runs[-1]["returncode"] != 0:
                    raise SystemExit(f"The parse failed:\n{runs[-1]['stderr']}")
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

        print("  where the time goes (the ingest in one process, median; nested stages overlap):")
        for stage, seconds in stages.items():
            print(f"    {stage}: {seconds:.2f} s")

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
            "stages_median_s": stages,
            "target_ratio": TARGET_RATIO,
            "target_met": ratio <= TARGET_RATIO,
            "refusal_limit_s": REFUSAL_SECONDS,
            "refusal_limit_peak_mb": REFUSAL_PEAK_MB,
            "before_parse_limit_s": BEFORE_PARSE_SECONDS,
            "files": [],
        }
        failures = 0
        for title, group, cases in (
            ("Bad files", "bad", bad_files(Path(scratch))),
            ("Hostile files of issue 14", "hostile", hostile_files(Path(scratch))),
        ):
            print(f"\n{title} (each a whole `python -m cams_data ingest` process):")
            for case in cases:
                result = {"group": group, **try_file(case, db)}
                record["files"].append(result)
                failures += not result["ok"]
                print(
                    f"  {'ok ' if result['ok'] else 'BAD'} {result['file']:30} "
                    f"{result['seconds']:5.2f} s (limit {result['limit_s']:g} s) "
                    f"{result['peak_mb']:5.0f} MB  {result['outcome']:9} {result['message'][:70]}"
                    + (f"  MISSING {result['missing_words']}" if result["missing_words"] else "")
                )
        record["files_ok"] = not failures
        record["load_average"] = [round(load_at_start, 2), round(os.getloadavg()[0], 2)]
        record["cores"] = os.cpu_count()
        with (out / "ingest.json").open("a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
