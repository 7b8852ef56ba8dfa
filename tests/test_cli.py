"""`python -m cams_data ...` as an officer runs it: a real process, its exit code, what it prints
on stdout and stderr, and what it leaves in the database."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import builders
import pytest
from conftest import REAL, needs_shared, query, snapshot
from openpyxl import load_workbook

from cams_data.ingest import UploadRequest, ingest
from cams_data.kinds import KINDS

ROOT = Path(__file__).resolve().parents[1]
UPLOAD_FIELDS = {
    "upload_id",
    "kind",
    "file_name",
    "sha256",
    "uploaded_at",
    "uploaded_by",
    "rows_loaded",
    "status",
    "is_demo",
}


def cams(*args: object, db: Path | None = None, env: dict | None = None):
    """Run the CLI from the project root with CAMS_DB pointing at the test's database."""
    environment = {**os.environ, **(env or {})}
    if db is not None:
        environment["CAMS_DB"] = str(db)
    environment.pop("CAMS_PSEUDONYM_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "cams_data", *map(str, args)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def no_traceback(result) -> None:
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr, result.stderr


@pytest.fixture
def crosstab(tmp_path) -> tuple[Path, dict]:
    return builders.referral_crosstab(tmp_path / "referrals_q1.xlsx")


# ---------------------------------------------------------------------------------------------
# ingest
# ---------------------------------------------------------------------------------------------


def test_ingest_says_which_kind_it_detected(db, tmp_path):
    path, expected = builders.messy_training_export(tmp_path / "learning_pool.xlsx", people=10)

    result = cams("ingest", path, db=db)

    assert result.returncode == 0, result.stderr
    no_traceback(result)
    assert "Kind: training" in result.stdout and "detected from the headers" in result.stdout
    assert f"Loaded {path.name} as upload 1." in result.stdout
    assert query(db, "SELECT count(DISTINCT person_key) FROM training") == [(expected["people"],)]


def test_ingest_json_then_the_same_file_again_changes_nothing(db, crosstab):
    path, expected = crosstab

    loaded = cams("ingest", path, "--json", db=db)

    assert loaded.returncode == 0, loaded.stderr
    summary = json.loads(loaded.stdout)
    assert summary["status"] == "loaded" and summary["kind"] == "referrals"
    assert summary["kind_detected"] is True
    stored = query(db, "SELECT count(*), sum(referrals) FROM referrals_rows")
    assert stored == [(summary["rows_loaded"], expected["total"])]
    assert summary["rows_loaded"] > 0
    before = snapshot(db)

    again = cams("ingest", path, db=db)
    again_json = cams("ingest", path, "--json", db=db)

    assert again.returncode == 0 and again_json.returncode == 0
    assert f"already loaded (upload {summary['upload_id']})" in again.stdout
    assert "nothing changed" in again.stdout
    unchanged = json.loads(again_json.stdout)
    assert unchanged["status"] == "unchanged" and unchanged["upload_id"] == summary["upload_id"]
    assert unchanged["rows_loaded"] == 0
    assert snapshot(db) == before


def test_ingest_dry_run_saves_nothing(db, crosstab):
    path, _ = crosstab

    result = cams("ingest", path, "--dry-run", db=db)

    assert result.returncode == 0, result.stderr
    assert "nothing saved" in result.stdout and "Kind: referrals" in result.stdout
    assert not db.exists() or query(db, "SELECT count(*) FROM uploads") == [(0,)]
    assert not db.exists() or query(db, "SELECT count(*) FROM referrals_rows") == [(0,)]


def test_refused_file_exits_non_zero_with_the_message_on_stderr(db, crosstab, tmp_path):
    cams("ingest", crosstab[0], db=db)
    before = snapshot(db)
    bad = builders.not_a_spreadsheet(tmp_path / "figures.xlsx", "pdf")

    result = cams("ingest", bad, db=db)
    as_json = cams("ingest", bad, "--json", db=db)

    assert result.returncode != 0 and as_json.returncode != 0
    no_traceback(result)
    no_traceback(as_json)
    assert result.stderr.startswith("Refused: figures.xlsx: ")
    assert result.stdout == ""
    refusal = json.loads(as_json.stdout)
    assert refusal["status"] == "refused" and refusal["file_name"] == "figures.xlsx"
    assert refusal["code"] == "not-a-spreadsheet"
    assert refusal["message"] in result.stderr
    assert snapshot(db) == before


@needs_shared
def test_real_table_without_its_period_is_refused_with_advice(db):
    result = cams(
        "ingest",
        REAL / "nrm_local_authority_real.csv",
        "--geography",
        "Essex Police force area",
        "--referral-type",
        "NRM referral",
        db=db,
    )

    assert result.returncode != 0
    no_traceback(result)
    assert "nrm_local_authority_real.csv" in result.stderr and "--period" in result.stderr
    assert not db.exists() or query(db, "SELECT count(*) FROM uploads") == [(0,)]


def test_missing_file_is_refused_without_traceback(db, tmp_path):
    result = cams("ingest", tmp_path / "nowhere.xlsx", db=db)

    assert result.returncode != 0
    no_traceback(result)
    assert "nowhere.xlsx" in result.stderr and "no such file" in result.stderr


# ---------------------------------------------------------------------------------------------
# uploads and rollback
# ---------------------------------------------------------------------------------------------


def test_uploads_lists_every_upload(db, crosstab, tmp_path):
    path, _ = crosstab
    training, _ = builders.messy_training_export(tmp_path / "learning_pool.xlsx", people=8)
    assert cams("ingest", path, db=db).returncode == 0
    # as the app would; the same OS user
    ingest(UploadRequest(training.read_bytes(), training.name, db=db))

    table = cams("uploads", db=db)
    listed = cams("uploads", "--json", db=db)

    assert table.returncode == 0 and listed.returncode == 0
    uploads = json.loads(listed.stdout)
    assert [u["file_name"] for u in uploads] == [path.name, training.name]
    assert all(set(u) >= UPLOAD_FIELDS for u in uploads)
    files = ((path, "referrals"), (training, "training"))
    for upload, (file, kind) in zip(uploads, files, strict=True):
        assert upload["kind"] == kind
        assert upload["sha256"] == hashlib.sha256(file.read_bytes()).hexdigest()
        assert upload["uploaded_by"] == getpass.getuser()
        assert upload["status"] == "active" and upload["is_demo"] is False
        assert upload["uploaded_at"]
        assert query(
            db, f"SELECT count(*) FROM {kind}_rows WHERE upload_id = ?", [upload["upload_id"]]
        ) == [(upload["rows_loaded"],)]
    assert [u["upload_id"] for u in uploads] == [1, 2]
    lines = table.stdout.splitlines()
    assert "upload_id" in lines[0] and "uploaded_by" in lines[0]
    assert any(path.name in line and "referrals" in line for line in lines[1:])
    assert any(training.name in line and "training" in line for line in lines[1:])


def test_rollback_marks_the_upload_and_refuses_unknown_ids(db, crosstab):
    path, _ = crosstab
    upload = ingest(UploadRequest(path.read_bytes(), path.name, db=db))
    rows = query(db, "SELECT count(*) FROM referrals")[0][0]

    result = cams("rollback", upload.upload_id, db=db)
    listed = json.loads(cams("uploads", "--json", db=db).stdout)
    unknown = cams("rollback", 999, db=db)

    assert result.returncode == 0, result.stderr
    assert f"Rolled back upload {upload.upload_id}: {rows} rows" in result.stdout
    assert [(u["upload_id"], u["status"]) for u in listed] == [(upload.upload_id, "rolled_back")]
    assert query(db, "SELECT count(*) FROM referrals") == [(0,)]
    assert unknown.returncode != 0
    no_traceback(unknown)
    assert "There is no upload 999" in unknown.stderr


# ---------------------------------------------------------------------------------------------
# Which database
# ---------------------------------------------------------------------------------------------


def test_db_argument_beats_cams_db(tmp_path, crosstab):
    from_env, given = tmp_path / "env" / "cams.duckdb", tmp_path / "given" / "cams.duckdb"
    path, expected = crosstab

    result = cams("ingest", path, "--db", given, db=from_env)

    assert result.returncode == 0, result.stderr
    assert query(given, "SELECT sum(referrals) FROM referrals") == [(expected["total"],)]
    assert not from_env.exists()


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(
    not (ROOT / "cams_data" / "templates.py").exists(), reason="cams_data/templates.py not written"
)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_template_for_every_kind_loads_back_as_that_kind(db, tmp_path, kind):
    out = tmp_path / f"{kind}_template.xlsx"

    result = cams("template", kind, "--out", out)

    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:4] == b"PK\x03\x04"
    sheet = load_workbook(out).worksheets[0]
    headers = [c.value for c in sheet[1] if c.value]
    example = [c.value for c in sheet[2]]
    assert len(headers) >= 2 and any(v not in (None, "") for v in example)
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    for f in KINDS[kind].fields:
        if f.categories:
            names = ",".join(f.category_names)
            assert any(names in formula for formula in lists), f"no drop-down for {f.name}"
    # The template with its example row is a file the loader understands, as that kind.
    upload = ingest(UploadRequest(out.read_bytes(), out.name, db=db, save=False))
    assert upload.kind == kind and upload.kind_detected
    assert upload.rows_loaded == 1 and not upload.problems


def test_an_unexpected_error_is_a_sentence_and_its_traceback_goes_to_the_log(
    db, tmp_path, monkeypatch, capsys
):
    from cams_data import cli as cams_cli

    def broken(args, db):
        raise RuntimeError("the disk controller said no")

    monkeypatch.setitem(cams_cli.COMMANDS, "uploads", broken)
    assert cams_cli.main(["uploads"]) == 1
    err = capsys.readouterr().err
    assert "Error: something went wrong (RuntimeError: the disk controller said no)" in err
    assert "Traceback" not in err
    log = (db.parent / "cams_errors.log").read_text()
    assert "Traceback" in log and "the disk controller said no" in log


@pytest.mark.parametrize("skip", [[], ["--skip-invalid"]])
def test_a_renamed_date_column_is_one_problem_even_when_skipping_invalid_rows(db, tmp_path, skip):
    """Skipping the invalid rows never means skipping every completion for a column that is
    not there: the file is refused, once, with the column to use."""
    header = ["Learner name", "Email address", "Employee number", "Department", "Job title",
              "Course title", "Completion status", "Date Finished"]  # fmt: skip
    path, expected = builders.messy_training_export(tmp_path / "completions.xlsx", header=header)
    assigned = [header[:-1], ["Ann One", "ann@example.org", "E1", "Housing", "Officer",
                              "Mandatory Safeguarding", "Not started"]]  # fmt: skip
    cams("ingest", builders.write_csv(tmp_path / "assigned.csv", assigned), db=db)
    before = snapshot(db)

    result = cams("ingest", path, "--json", *skip, db=db)

    assert result.returncode == 2
    no_traceback(result)
    refusal = json.loads(result.stdout)
    assert (refusal["code"], refusal["problems"]) == ("missing-column", [])
    assert refusal["missing_column"] == {
        "field": "completed_on",
        "suggested_header": "Date Finished",
        "unread_headers": ["Date Finished"],
    }
    assert refusal["message"].startswith(
        "No column for the completion date. 'Date Finished' looks like it: use it? (Column H of "
        f"sheet 'Course completion' holds dates; {expected['statuses']['Completed']} rows say "
        "completed: each needs the date it was completed.)"
    )
    assert result.stderr == f"Refused: completions.xlsx: {refusal['message']}\n"  # no row list
    assert snapshot(db) == before
