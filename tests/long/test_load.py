"""Ten viewers and two officers at once for a minute: no error anywhere, and every upload's rows
are there, whole, at the end.

Each person is a process of its own (tests/long/load_worker.py), as each would be a browser
session of the app or an officer's CLI: DuckDB lets one process write at a time, and the app
opens a connection for each piece of work, waiting while another process holds the file. The
viewers open the app and its pages over and over on a copy of the demo database, while the
officers save partners' returns of measures (one through the Upload page's `upload_flow`, one
through `python -m cams_data ingest`), each from an organisation of its own, so no upload
replaces another's rows and every one changes the figures on the viewers' pages.

The app itself serves all its sessions from one process, a thread each, so the same meeting is
also played out inside one process: viewers' threads reading while an officer saves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

import load_worker
from conftest import query

HERE = Path(__file__).resolve().parent
SECONDS = 60
VIEWERS, OFFICERS = 10, 2
VIEWER_PAGE_RUNS = 4  # at least, each: two a visit (the Overview, then another page)
OFFICER_UPLOADS = 3  # at least, each
TIMEOUT = 150  # seconds from the first start: then every worker is ended and the test fails


def start(role: str, number: int, folder: Path, env: dict) -> subprocess.Popen:
    log = open(folder / f"{role}_{number}.log", "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [sys.executable, str(HERE / "load_worker.py"), role, str(number), str(folder)],
        cwd=HERE.parents[1],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    process.log = log
    return process


def wait_for(process: subprocess.Popen, word: str) -> str:
    """What follows `word` on the first line the worker prints that starts with it."""
    for line in process.stdout:
        if line.startswith(word):
            return line[len(word) :].strip()
    raise AssertionError(f"a worker ended (or was ended) without {word}: {process.log.name}")


def test_ten_viewers_and_two_officers_for_a_minute(demo_db, tmp_path):
    before = query(demo_db, "SELECT count(*) FROM uploads")[0][0]
    env = {**os.environ, "CAMS_DB": str(demo_db)}
    env.pop("CAMS_LOCAL_MODE", None)  # viewers: nobody signs in
    people = [start("viewer", n, tmp_path, env) for n in range(VIEWERS)]
    people += [start("officer", n, tmp_path, env) for n in range(OFFICERS)]
    watchdog = threading.Timer(TIMEOUT, lambda: [p.kill() for p in people])
    watchdog.start()
    try:
        for process in people:
            wait_for(process, "READY")
        until = time.time() + SECONDS
        for process in people:
            process.stdin.write(f"{until}\n")
            process.stdin.flush()
        results = [json.loads(wait_for(process, "RESULT")) for process in people]
    finally:
        watchdog.cancel()
        for process in people:
            process.kill()
            process.wait()
            process.log.close()

    viewers = [r for r in results if r["role"] == "viewer"]
    officers = [r for r in results if r["role"] == "officer"]
    page_runs = [r["operations"] for r in viewers]
    print(f"\npage runs by viewer: {page_runs}, uploads by officer: ", end="")
    print([r["operations"] for r in officers])
    errors = [f"{r['role']} {r['number']}: {e}" for r in results for e in r["errors"]]
    assert errors == [], "\n".join(errors)
    assert min(page_runs) >= VIEWER_PAGE_RUNS, page_runs
    assert all(r["operations"] >= OFFICER_UPLOADS for r in officers), officers

    uploads_are_whole(demo_db, before, [u for r in officers for u in r["uploads"]])


def uploads_are_whole(db: Path, before: int, uploads: list[dict]) -> None:
    """Every upload the officers were told was saved is there, alone, with exactly its rows and
    total; nothing else was saved; and the figures add them all up."""
    ids = sorted(u["upload_id"] for u in uploads)
    assert ids == list(range(before + 1, before + len(uploads) + 1))  # none lost, none extra
    assert query(db, "SELECT count(*) FROM uploads")[0][0] == before + len(uploads)
    for upload in uploads:
        assert query(
            db,
            "SELECT file_name, rows_loaded, rows_superseded, status FROM uploads "
            "WHERE upload_id = ?",
            [upload["upload_id"]],
        ) == [(upload["file_name"], upload["rows"], 0, "active")]
        assert query(
            db,
            "SELECT count(*), sum(value), min(organisation), max(organisation) "
            "FROM measures_rows WHERE upload_id = ?",
            [upload["upload_id"]],
        ) == [(upload["rows"], upload["total"], upload["organisation"], upload["organisation"])]
    assert query(
        db,
        "SELECT count(*), sum(value), count(DISTINCT upload_id) FROM measures "
        "WHERE organisation LIKE 'Load test partner %'",
    ) == [(sum(u["rows"] for u in uploads), sum(u["total"] for u in uploads), len(uploads))]


def test_one_server_process_viewers_read_while_an_officer_saves(demo_db, tmp_path):
    """The app serves every browser session from one process, a thread each: there, viewers'
    queries and an officer's save on the Upload page meet inside one DuckDB instance rather
    than at the file's lock. Four threads work out the Overview's figures over and over while
    the officer checks and saves returns through `upload_flow`, for 15 seconds."""
    from cams_data import dashboard, store, upload_flow
    from cams_data.ingest import UploadRequest

    before = query(demo_db, "SELECT count(*) FROM uploads")[0][0]
    stop = time.monotonic() + 15
    errors: list[str] = []
    reads = [0]

    def viewer() -> None:
        while time.monotonic() < stop:
            try:
                with store.connect(demo_db, read_only=True) as con:
                    dashboard.progress(con, load_worker.PERIOD)
                reads[0] += 1
            except Exception:
                errors.append(traceback.format_exc())

    viewers = [threading.Thread(target=viewer) for _ in range(4)]
    for thread in viewers:
        thread.start()
    uploads = []
    while time.monotonic() < stop:
        path, expected = load_worker.partner_return(tmp_path, 0, len(uploads) + len(errors))
        try:
            request = UploadRequest(path.read_bytes(), path.name, db=demo_db, uploaded_by="officer")
            assert upload_flow.check(request).can_save
            saved = upload_flow.save(request)
            assert saved.can_save, saved.refusal
            uploads.append({"upload_id": saved.upload.upload_id, **expected})
        except Exception:
            errors.append(traceback.format_exc())
    for thread in viewers:
        thread.join(timeout=60)

    print(f"\none process: {reads[0]} Overview figures worked out, {len(uploads)} uploads")
    assert errors == [], "\n".join(errors[:5])
    assert reads[0] >= 20 and len(uploads) >= 3, (reads, uploads)
    uploads_are_whole(demo_db, before, uploads)
