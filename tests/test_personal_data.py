"""No name or e-mail address reaches the database, by any table or column."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import builders
import duckdb
import pytest
from conftest import query
from openpyxl import load_workbook

from cams_data.ingest import UploadRequest, ingest

EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[a-z]{2,}", re.IGNORECASE)
TODAY = dt.date(2026, 12, 1)  # after every date the builders write


def load(db: Path, path: Path, **kwargs):
    return ingest(UploadRequest(path.read_bytes(), path.name, db=db, today=TODAY, **kwargs))


def test_skipped_rows_problems_keep_the_reason_and_never_the_value(db, tmp_path):
    path, _ = builders.training_export_with_identities_in_wrong_columns(tmp_path / "t.xlsx")

    upload = load(db, path, skip_invalid=True)

    not_a_date = "is not a date (expected a date written day first, e.g. 14/05/2024)"
    not_a_status = "is not a known category (expected one of: Completed, In progress, Not started)"
    holds_an_email = (
        "holds an e-mail address (expected no personal data: e-mail addresses are not stored)"
    )
    # The officer is shown the cell, to find it in the file ...
    assert [str(p) for p in upload.problems] == [
        f"Sheet 'Course completion', row 6, column 'Department': "
        f"'Housing (real.person5@example.org)' {holds_an_email}",
        f"Sheet 'Course completion', row 4, column 'Completion status': 'Real Person 3' "
        f"{not_a_status}",
        f"Sheet 'Course completion', row 3, column 'Date completed': "
        f"'real.person2@example.org' {not_a_date}",
        f"Sheet 'Course completion', row 5, column 'Date completed': "
        f"'Real Person 4 <real.person4@example.org>' {not_a_date}",
    ]
    # ... the database keeps where and why, the value described.
    sheet = "Course completion"
    assert query(db, "SELECT * FROM upload_problems ORDER BY row_no") == [
        (upload.upload_id, sheet, 3, "Date completed", f"the value {not_a_date}", "bad-date"),
        (
            upload.upload_id,
            sheet,
            4,
            "Completion status",
            f"the value {not_a_status}",
            "not-a-category",
        ),
        (upload.upload_id, sheet, 5, "Date completed", f"the value {not_a_date}", "bad-date"),
        (
            upload.upload_id,
            sheet,
            6,
            "Department",
            f"the value {holds_an_email}",
            "email-in-text",
        ),
    ]
    assert query(
        db, "SELECT organisation, service_area, role, course, status, completed_on FROM training"
    ) == [
        (
            "Colchester City Council",
            "Housing",
            "Housing Officer",
            "Introduction to Safeguarding",
            "Completed",
            dt.date(2024, 5, 14),
        )
    ]


def _file_values(path: Path, headers: list[str]) -> list[str]:
    """Every value under these headers in the file's first sheet (found below any title)."""
    wb = load_workbook(path, read_only=True)
    try:
        rows = [list(r) for r in wb.active.iter_rows(values_only=True)]
    finally:
        wb.close()
    at = next(i for i, r in enumerate(rows) if all(h in r for h in headers))
    positions = [rows[at].index(h) for h in headers]
    return [str(r[p]) for r in rows[at + 1 :] for p in positions if p < len(r) and r[p]]


def _messy_training(tmp_path):
    path, expected = builders.messy_training_export(tmp_path / "training.xlsx", seed=4)
    names_and_emails = _file_values(path, expected["header"][:2])
    return path, {}, names_and_emails


def _named_survey(tmp_path):
    path, expected = builders.forms_survey_export(
        tmp_path / "survey.xlsx", respondents=40, anonymous=False, seed=5
    )
    # The free-text comments name two people too.
    return path, {}, [*_file_values(path, ["Email", "Name"]), "Sam Sample", "Alex Example"]


def _personal_questions(tmp_path):
    path, expected = builders.forms_survey_with_personal_questions(tmp_path / "survey.xlsx")
    return path, {}, [*expected["names"], *expected["emails"]]


OCTOBER = [dt.datetime(2025, 10, day, 9, 5, 31) for day in range(2, 26, 2)]


def _google_forms_export(tmp_path):
    path, expected = builders.google_forms_export(tmp_path / "responses.csv", OCTOBER)
    # Its e-mail addresses name people ('alex.example@...'), and so do its comments.
    return path, {}, [*expected["emails"], "Sam Sample", "Alex Example"]


def _us_forms_csv(tmp_path):
    path, expected = builders.forms_survey_csv(tmp_path / "survey.csv", OCTOBER)
    return path, {}, [*expected["names"], *expected["emails"], "Sam Sample", "Alex Example"]


def _identities_in_wrong_columns(tmp_path):
    path, expected = builders.training_export_with_identities_in_wrong_columns(
        tmp_path / "training.xlsx"
    )
    return path, {"skip_invalid": True}, [*expected["names"], *expected["emails"]]


FIXTURES = {
    "messy training export": _messy_training,
    "Forms survey export with names and e-mails": _named_survey,
    "survey asking for names, e-mails and typed answers": _personal_questions,
    "Google Forms export with e-mail addresses": _google_forms_export,
    "Microsoft Forms CSV with US dates, names and e-mails": _us_forms_csv,
    "training export with names and e-mails in wrong columns": _identities_in_wrong_columns,
}


def _every_value(db: Path) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every non-null value of every table."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE t.table_type = 'BASE TABLE' ORDER BY 1, 2"
        ).fetchall()
        return [
            (table, column, value)
            for table, column in columns
            for (value,) in con.execute(
                f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM "{table}" '
                f'WHERE "{column}" IS NOT NULL'
            ).fetchall()
        ]
    finally:
        con.close()


@pytest.mark.parametrize("fixture", FIXTURES)
def test_no_table_or_column_holds_an_email_address_or_a_name_from_the_file(db, tmp_path, fixture):
    path, options, names_and_emails = FIXTURES[fixture](tmp_path)
    assert len(names_and_emails) >= 4  # the file does hold them

    upload = load(db, path, **options)

    assert upload.status == "loaded"
    values = _every_value(db)
    tables = {table for table, _, _ in values}
    # The scan reaches the tables that name the file and its problems, not only the figures.
    assert {"uploads", "audit_log"} <= tables
    assert ("upload_problems" in tables) == ("skip_invalid" in options)
    assert [v for v in values if EMAIL.search(v[2])] == []
    people = {n.casefold() for n in names_and_emails}
    assert [v for v in values if any(p in v[2].casefold() for p in people)] == []
