"""A file without a column a kind needs is refused once, at the file, naming the unread column
that looks like it: never one problem per row for a column the file does not have."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import builders
import pandas as pd
import pytest
from conftest import query, snapshot

from cams_data.ingest import UploadRequest, ingest
from cams_data.kinds import TRAINING
from cams_data.missing_column import best_fit
from cams_data.problems import MissingColumn, Refused
from cams_data.shape import UNKNOWN, ColumnUse
from cams_data.values import parse_date

TODAY = dt.date(2026, 12, 1)  # after every date the builders write
HEADER = ["Learner name", "Email address", "Employee number", "Department", "Job title",
          "Course title", "Completion status", "Date completed"]  # fmt: skip
RENAMED = [*HEADER[:-1], "Date Finished"]
MAPPING = {
    "Learner name": "full_name",
    "Email address": "email",
    "Employee number": "employee_number",
    "Department": "service_area",
    "Job title": "role",
    "Course title": "course",
    "Completion status": "status",
    "Date Finished": "completed_on",
}


def renamed_export(tmp_path: Path, fmt: str = "xlsx") -> tuple[Path, dict]:
    """The learning system's export (title rows, duplicates, text and real dates) whose
    'Date completed' header someone renamed 'Date Finished'."""
    return builders.messy_training_export(tmp_path / f"completions.{fmt}", header=RENAMED, fmt=fmt)


def load(db: Path, path: Path, **given):
    return ingest(UploadRequest(path.read_bytes(), path.name, db=db, today=TODAY, **given))


def refusal_of(db: Path, path: Path, **given) -> Refused:
    before = snapshot(db)
    with pytest.raises(Refused) as refused:
        load(db, path, **given)
    assert snapshot(db) == before
    return refused.value


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("skip_invalid", [False, True])
def test_a_renamed_date_column_is_one_problem_about_the_file_with_the_column_to_use(
    db, tmp_path, fmt, skip_invalid
):
    earlier, _ = builders.messy_training_export(tmp_path / "earlier.xlsx", seed=2)
    load(db, earlier)  # a database with figures in it: the refusal must leave them as they are
    path, expected = renamed_export(tmp_path, fmt)
    completed = expected["statuses"]["Completed"]

    refusal = refusal_of(db, path, skip_invalid=skip_invalid)

    assert refusal.code == "missing-column"
    assert refusal.message == (
        "No column for the completion date. 'Date Finished' looks like it: use it? (Column H of "
        f"sheet '{'Course completion' if fmt == 'xlsx' else 'CSV'}' holds dates; {completed} rows "
        "say completed: each needs the date it was completed.) Choose it for the completion date "
        "when the columns are read, or rename its header 'Date completed'."
    )
    assert refusal.problems == []  # not one per row
    assert refusal.missing == MissingColumn("completed_on", "Date Finished", ("Date Finished",))
    understood = refusal.upload  # the kind was detected: the page can open the mapping form
    assert (understood.kind, understood.kind_detected) == ("training", True)
    assert understood.rows_read == expected["rows_in_file"]
    assert understood.rows_loaded == 0
    assert query(db, "SELECT count(*) FROM uploads") == [(1,)]


def test_the_renamed_column_chosen_loads_every_completion(db, tmp_path):
    path, expected = renamed_export(tmp_path)

    upload = load(db, path, mapping=MAPPING)

    assert (upload.rows_read, upload.rows_loaded, upload.rows_skipped, upload.problems) == (
        expected["rows_in_file"],
        expected["rows_after_folding"],
        0,
        [],
    )
    assert upload.duplicates_folded == expected["rows_in_file"] - expected["rows_after_folding"]
    assert query(
        db, "SELECT count_if(status = 'Completed'), count(completed_on), count(*) FROM training"
    ) == [
        (
            expected["completions"],
            expected["completions"],
            expected["completions"] + expected["open"],
        )
    ]
    by_course = query(
        db,
        "SELECT course, count(*) FROM training WHERE status = 'Completed' GROUP BY course",
    )
    assert dict(by_course) == expected["completions_by_course"]


def test_with_no_completed_rows_a_file_without_dates_loads(db, tmp_path):
    rows = [HEADER[:-1], ["Ann One", "ann@example.org", "E1", "Housing", "Officer",
                          "Mandatory Safeguarding", "Not started"]]  # fmt: skip
    path = builders.write_csv(tmp_path / "assigned.csv", rows)

    upload = load(db, path)

    assert (upload.rows_loaded, upload.problems) == (1, [])


def test_with_the_column_there_a_blank_completion_date_is_a_problem_on_its_row(db, tmp_path):
    ann = ["Ann One", "ann@example.org", "E1", "Housing", "Officer", "Mandatory Safeguarding"]
    rows = [HEADER, [*ann, "Completed", "14/05/2025"], [*ann, "Completed", ""], [*ann, "", ""]]
    path = builders.write_csv(tmp_path / "blank_dates.csv", rows)

    refusal = refusal_of(db, path)

    assert refusal.missing is None
    assert [(p.row, p.column, p.code) for p in refusal.problems] == [
        (4, "Completion status", "missing-status-and-date"),
        (3, "Date completed", "missing-date-for-status"),
    ]


def test_two_columns_that_look_alike_are_both_named_and_neither_is_chosen(db, tmp_path):
    header = [*HEADER[:-1], "Date Finished", "Date Done"]
    ann = ["Ann One", "ann@example.org", "E1", "Housing", "Officer", "Mandatory Safeguarding"]
    rows = [header, [*ann, "Completed", "14/05/2025", "15/05/2025"]]
    path = builders.write_csv(tmp_path / "two_dates.csv", rows)

    refusal = refusal_of(db, path)

    assert refusal.missing == MissingColumn("completed_on", None, ("Date Finished", "Date Done"))
    assert refusal.message == (
        "The file has no column for completion date (looked for headers such as 'completed on', "
        "'date completed', 'completion date', 'completed', 'date of completion'): 1 row says "
        "completed: each needs the date it was completed. Add the column. The columns not read: "
        "'Date Finished' and 'Date Done'; if one of them holds the completion date, choose it "
        "when the columns are read."
    )


def test_a_required_column_renamed_is_suggested_too(db, tmp_path):
    rows = [
        ["Objective", "Action", "Status now", "Due date"],
        ["4", "Awareness campaign for Anti-Slavery Day", "In progress", "18/10/2025"],
        ["1", "Survivor pathway review", "Not started", "31/03/2026"],
    ]
    path = builders.write_csv(tmp_path / "tracker.csv", rows)

    refusal = refusal_of(db, path)

    assert refusal.missing == MissingColumn("status", "Status now", ("Status now",))
    assert refusal.message == (
        "No column for the status. 'Status now' looks like it: use it? (Column C of sheet 'CSV' "
        "holds status values.) Choose it for the status when the columns are read, or rename its "
        "header 'Status'."
    )
    assert refusal.upload.kind == "actions"


def unknown(*headers: str) -> list[ColumnUse]:
    return [ColumnUse(h, i, None, UNKNOWN) for i, h in enumerate(headers)]


def test_a_column_is_suggested_only_when_its_words_and_its_cells_fit():
    dates = pd.Series(["14/05/2025", "2025-06-02 00:00:00", None, "03/07/2025"])
    answers = pd.Series(["Yes", "No", "Yes", None])
    completed_on = TRAINING.field("completed_on")

    def suggested(columns, cells):
        found = best_fit(completed_on, columns, dict(enumerate(cells)), parse_date)
        return found.header if found else None

    assert suggested(unknown("Date Finished"), [dates]) == "Date Finished"
    assert suggested(unknown("Finished"), [answers]) is None  # the words fit, the cells do not
    assert suggested(unknown("Last login date"), [dates]) is None  # only 'date' in common
    assert suggested(unknown("Last login date", "When done"), [dates, dates]) == "When done"
