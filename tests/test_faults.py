"""The disk says no: a full disk and a read-only database refuse an upload in a sentence an
officer understands, and leave the database exactly as it was.

A full disk is a file-size limit (RLIMIT_FSIZE) just above the database's size, with SIGXFSZ
ignored so that a write past it fails with EFBIG instead of ending the process. The upload is
large enough that its commit cannot fit beneath the limit (a small one lands in the write-ahead
log, which is a file of its own, and is saved: DuckDB checkpoints it later).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import builders
import pytest
from conftest import query, snapshot
from streamlit.testing.v1 import AppTest

from cams_data.ingest import UploadRequest, ingest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from learning_export import write_learning_export  # noqa: E402

BIG_ROWS = 20_000  # a commit of ~6 MB: three times the smallest database file
DISK_FULL = "The database could not be written: the disk is full or the database file is too large"
READ_ONLY = "The database is read-only"


def cams(*args: object, db: Path, preexec_fn=None) -> subprocess.CompletedProcess:
    """`python -m cams_data ...` as an officer runs it, with a fault set up by `preexec_fn`."""
    return subprocess.run(
        [sys.executable, "-m", "cams_data", *map(str, args)],
        cwd=ROOT,
        env={**os.environ, "CAMS_DB": str(db)},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=preexec_fn,
    )


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr, result.stderr


def database_with_one_upload(db: Path, folder: Path) -> Path:
    """A small training export loaded, so that the database exists at its smallest size."""
    small, _ = builders.messy_training_export(folder / "small.xlsx", people=20)
    ingest(UploadRequest(small.read_bytes(), small.name, db=db))
    return db


@contextlib.contextmanager
def file_size_limit(limit: int):
    """In this process: no file may grow past `limit` bytes; a write past it fails (EFBIG)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


def test_a_full_disk_refuses_the_upload_in_a_sentence_and_changes_nothing(db, tmp_path):
    """`python -m cams_data ingest` on a full disk: exit 2, one sentence and no traceback, the
    database as it was, and the same file loads whole once there is room."""
    database_with_one_upload(db, tmp_path)
    big = tmp_path / "learning_pool.xlsx"
    write_learning_export(big, BIG_ROWS, people=2_000)
    before = snapshot(db)
    limit = db.stat().st_size + 4096

    def disk_full() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    result = cams("ingest", big, "--db", db, db=db, preexec_fn=disk_full)

    assert result.returncode == 2, result.stderr
    no_traceback(result)
    assert f"Refused: {big.name}: {DISK_FULL}, so nothing was saved." in result.stderr
    assert "Ask IT to free some space" in result.stderr
    assert snapshot(db) == before
    # Nothing half-done was left behind: once there is room, the same file loads whole, and
    # takes the number the refused upload did not use up.
    result = cams("ingest", big, "--db", db, db=db)
    assert result.returncode == 0, result.stderr
    assert f"Loaded {big.name} as upload 2." in result.stdout
    stored = "SELECT count(*) FROM training_rows WHERE upload_id = 2"
    assert query(db, stored) == query(db, "SELECT rows_loaded FROM uploads WHERE upload_id = 2")


def test_a_full_disk_on_the_upload_page_says_so_and_changes_nothing(db, tmp_path, local_admin):
    """The page's Save goes through `upload_flow.save` in the app's own process: the write
    fails for real there (the limit is this process's), and the page shows the refusal."""
    database_with_one_upload(db, tmp_path)
    big = tmp_path / "learning_pool.xlsx"
    write_learning_export(big, BIG_ROWS, people=2_000)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    app.switch_page("pages/upload.py").run()
    app.file_uploader(key="files").upload(big.name, big.read_bytes()).run()
    assert not app.exception, app.exception
    assert not app.button(key="save-0").disabled  # the check (nothing written) passed
    before = snapshot(db)

    with file_size_limit(db.stat().st_size + 4096):
        app.button(key="save-0").click().run()

    assert not app.exception, app.exception
    assert [e.value for e in app.error] == [
        f"Not saved: {DISK_FULL}, so nothing was saved. Ask IT to free some space, then upload "
        "the file again."
    ]
    assert not app.success
    assert snapshot(db) == before
    app.button(key="save-0").click().run()  # room again: the same page saves it
    assert "Saved as upload 2" in app.success[0].value


# --- a read-only database -----------------------------------------------------------------

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3


def held_to_file_modes() -> None:
    """In the child, before it starts Python: held to file permissions like any other user.

    Root ignores a file's mode through three capabilities; dropping them from the bounding set
    leaves the program it starts without them. Root is not swapped for `nobody` because the
    interpreter may live where only root can reach (here under /root, mode 0700).
    """
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"prctl(PR_CAPBSET_DROP, {capability}): {os.strerror(error)}")


@pytest.fixture
def read_only_db(db, tmp_path) -> Iterator[Path]:
    """A copy of a database with one upload, and its key, in a folder nobody may write to."""
    database_with_one_upload(db, tmp_path)
    folder = tmp_path / "read_only"
    folder.mkdir()
    copy = folder / "cams.duckdb"
    shutil.copy(db, copy)
    shutil.copy(db.parent / "pseudonym.key", folder / "pseudonym.key")  # read, never written
    copy.chmod(0o444)
    folder.chmod(0o555)
    yield copy
    folder.chmod(0o755)
    copy.chmod(0o644)


def test_a_read_only_database_refuses_the_upload_in_a_sentence_and_changes_nothing(
    read_only_db, tmp_path
):
    """An ingest by an account that may not write the database or its folder: exit 2, one
    sentence and no traceback, and the database and its folder as they were."""
    path, _ = builders.messy_training_export(tmp_path / "next.xlsx", people=20, seed=2)
    before = snapshot(read_only_db)
    files_before = sorted(os.listdir(read_only_db.parent))

    result = cams(
        "ingest", path, "--db", read_only_db, db=read_only_db, preexec_fn=held_to_file_modes
    )

    assert result.returncode == 2, result.stderr
    no_traceback(result)
    assert f"Refused: {path.name}: {READ_ONLY} ({read_only_db} may not be changed" in result.stderr
    assert "nothing was saved. Ask IT to let the dashboard write" in result.stderr
    assert snapshot(read_only_db) == before
    assert sorted(os.listdir(read_only_db.parent)) == files_before  # no log, no lock file left
