"""kill -9 during uploads: whenever the process dies, every upload is whole or absent, and the
figures are those of a database that only ever saw the uploads that were saved.

Fifty `python -m cams_data ingest` processes each load a different large learning-system export.
Every tenth run goes uninterrupted, to measure how long a run takes as the database grows; each of
the others is killed with SIGKILL at a moment drawn (seeded) uniformly between 0 and 1.2 times
the last uninterrupted run's duration, or, every other kill, between 0.6 and 1.1 times it (where
the run writes), so that some die reading the file, some while the transaction is written or the
log checkpointed, and some finish. The exports are five sources
(seeds) re-exported as they grow, over one pool of people: a later export of a source replaces
its earlier rows, and every source's open rows meet the others' completions, so uploads keep
superseding each other's rows.

After every run the database opens read-only (as the dashboard opens it, the write-ahead log
left by a kill replayed); each upload's rows number exactly its `rows_loaded`, no row belongs to
an upload that is not there, upload numbers run 1, 2, 3... (a write that died used up none),
the uploads are exactly the runs that reached their COMMIT, in order, and each `<kind>_current`
table holds what its view's query gives now. At the end the files of those runs are loaded into
a fresh database in the same order: every table and view holds the same rows, upload numbers,
rows replaced and the audit log included; only the times differ.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from cams_data import store
from cams_data.ingest import UploadRequest, ingest
from cams_data.kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from learning_export import write_learning_export  # noqa: E402

RUNS = 50
SOURCES = 5  # learning-system exports, each re-exported as it grows
ROWS, GROWTH = 60_000, 1_000  # rows in a source's first export; rows more in each later one
PEOPLE = 3_000  # one pool of learners for every source
MEASURE_EVERY = 10  # runs 0, 10, 20...: not killed, to measure how long a run takes now
KILL_SPAN = 1.2  # kills drawn uniformly in [0, 1.2 x the last uninterrupted run's duration]
# Every other kill falls in the run's last part, where it writes: the checks and the parse come
# first and take most of a run, so kills drawn over the whole run seldom land mid-write.
LATE_SPAN = (0.6, 1.1)
KEY = "6b696c6c2d392d746573742d6b65792d666f722d65766572792d72756e2121"  # one key for every run


def export(folder: Path, run: int) -> Path:
    """Run `run`'s file: source run % 5, re-exported (longer) every fifth run."""
    source, edition = run % SOURCES, run // SOURCES
    path = folder / f"learning_pool_{source + 1}_{edition + 1:02d}.xlsx"
    write_learning_export(path, ROWS + GROWTH * edition, people=PEOPLE, seed=source + 1)
    return path


def footprint(db: Path) -> tuple:
    """What is on disk of the database and its write-ahead log: changes when anything is
    written."""
    return tuple(
        (p.stat().st_size, p.stat().st_mtime_ns) if p.exists() else None
        for p in (db, db.with_name(db.name + ".wal"))
    )


def saved_files(db: Path) -> list[str]:
    """Check that every upload is whole and the current rows are up to date; the uploads'
    files, in upload order."""
    if not db.exists():
        return []
    with store.connect(db, read_only=True) as con:
        uploads = con.execute(
            "SELECT upload_id, file_name, rows_loaded FROM uploads ORDER BY upload_id"
        ).fetchall()
        assert [u for u, _, _ in uploads] == list(range(1, len(uploads) + 1))
        stored = dict(
            con.execute("SELECT upload_id, count(*) FROM training_rows GROUP BY ALL").fetchall()
        )
        assert stored == {u: rows for u, _, rows in uploads if rows}, "an upload is partial"
        logged = con.execute(
            "SELECT upload_id FROM audit_log WHERE action = 'upload' ORDER BY upload_id"
        ).fetchall()
        assert [u for (u,) in logged] == [u for u, _, _ in uploads]
        for name, kind in KINDS.items():
            rule = store.view_select(kind, row_no=True)
            stale = f"""SELECT count(*) FROM (
                (SELECT * FROM {name}_current EXCEPT ALL {rule}) UNION ALL
                ({rule} EXCEPT ALL SELECT * FROM {name}_current))"""
            assert con.execute(stale).fetchone() == (0,), f"{name}_current is out of date"
    return [file_name for _, file_name, _ in uploads]


def differences(db: Path, reference: Path) -> dict[str, int]:
    """Rows that are in one database and not the other, per table and view (times left out:
    they are when each was written)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute(f"ATTACH '{reference}' AS ref (READ_ONLY)")
        here, there = (
            con.execute(
                "SELECT table_name, table_type FROM information_schema.tables "
                "WHERE table_catalog = ? AND table_schema = 'main' ORDER BY ALL",
                [catalog],
            ).fetchall()
            for catalog in (con.execute("SELECT current_database()").fetchone()[0], "ref")
        )
        assert here == there, "the two databases have different tables or views"
        differ = {}
        for table, _ in here:
            columns = ", ".join(
                name
                for (name,) in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_catalog = "
                    "'ref' AND table_name = ? AND data_type NOT LIKE 'TIMESTAMP%' "
                    "ORDER BY ordinal_position",
                    [table],
                ).fetchall()
            )
            mine, theirs = f"SELECT {columns} FROM {table}", f"SELECT {columns} FROM ref.{table}"
            (count,) = con.execute(
                f"SELECT count(*) FROM (({mine} EXCEPT ALL {theirs}) UNION ALL "
                f"({theirs} EXCEPT ALL {mine}))"
            ).fetchone()
            if count:
                differ[table] = count
        return differ
    finally:
        con.close()


def test_uploads_killed_at_random_moments_leave_whole_uploads_and_the_right_figures(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("CAMS_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("CAMS_KEY_FILE", raising=False)
    folder = tmp_path / "files"
    folder.mkdir()
    files = [export(folder, run) for run in range(RUNS)]
    db = tmp_path / "cams.duckdb"
    environment = {**os.environ, "CAMS_DB": str(db)}
    rng = random.Random(7)
    durations: list[float] = []  # of the runs that were not interrupted, in order
    saved: list[str] = []  # the files whose upload reached COMMIT, in order
    outcomes = dict.fromkeys(
        ("finished", "killed after its commit", "killed mid-write", "killed before writing"), 0
    )

    for run, path in enumerate(files):
        before = footprint(db)
        measure = run % MEASURE_EVERY == 0
        span = LATE_SPAN if run % 2 else (0, KILL_SPAN)
        moment = None if measure else rng.uniform(*span) * durations[-1]
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "cams_data", "ingest", str(path), "--db", str(db)],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            out, err = process.communicate(timeout=120 if moment is None else moment)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)  # nothing, if it has just finished
            out, err = process.communicate(timeout=60)
        finished = process.returncode != -signal.SIGKILL
        if finished:
            durations.append(time.monotonic() - started)
            assert process.returncode == 0, err
            assert f"Loaded {path.name} as upload {len(saved) + 1}." in out
        wrote = footprint(db) != before

        files_now = saved_files(db)
        committed = path.name in files_now
        assert files_now == [*saved, *([path.name] if committed else [])]
        if committed:
            saved.append(path.name)
        if finished:
            outcomes["finished"] += 1
        elif committed:
            outcomes["killed after its commit"] += 1
        elif wrote:
            outcomes["killed mid-write"] += 1
        else:
            outcomes["killed before writing"] += 1

    print(f"\n{RUNS} runs, {len(saved)} uploads saved: {outcomes}; uninterrupted runs took")
    print(", ".join(f"{seconds:.1f} s" for seconds in durations))
    assert outcomes["killed mid-write"] >= 5, outcomes  # about a quarter of the kills

    with store.connect(db):  # opens for writing too (the log replayed and checkpointed)
        pass
    reference = tmp_path / "reference.duckdb"
    for name in saved:
        upload = ingest(UploadRequest((folder / name).read_bytes(), name, db=reference))
        assert upload.status == "loaded"
    assert saved_files(reference) == saved
    assert differences(db, reference) == {}
