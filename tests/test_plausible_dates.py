"""Dates and periods no record of the partnership can have: a typed year such as 3024 or 1024,
a completion after the day of the upload, figures for a quarter still to come. Each is a problem
with its sheet, row and column, never a stored value, and a refused file changes nothing."""

from __future__ import annotations

import datetime as dt

import builders as b
import pytest
from conftest import query, snapshot

from cams_data.ingest import UploadRequest, ingest
from cams_data.problems import Refused

TODAY = dt.date(2026, 12, 1)
TRAINING_HEADER = [
    "Email address",
    "Department",
    "Course title",
    "Completion status",
    "Completed on",
]


def training_file(tmp_path, dates: list[str]):
    rows = [
        [f"person{i}@example.org", "Housing", "Modern slavery awareness", "Completed", day]
        for i, day in enumerate(dates)
    ]
    title = [["Learning Pool: course completions"], []]
    return b.write_csv(tmp_path / "completions.csv", [*title, TRAINING_HEADER, *rows])


def test_completion_dates_outside_the_records_years_are_problems_not_values(db, tmp_path):
    path = training_file(
        tmp_path,
        ["14/05/2024", "14/05/3024", "14/05/1024", "02/12/2026", "01/12/2026", "31/12/1999"],
    )
    before = snapshot(db)
    with pytest.raises(Refused) as caught:
        ingest(UploadRequest(path.read_bytes(), path.name, db=db, today=TODAY))
    assert snapshot(db) == before
    problems = [(p.row, p.column, p.message) for p in caught.value.problems]
    assert problems == [
        (5, "Completed on", "'14/05/3024' is after today (expected a date up to 01/12/2026)"),
        (6, "Completed on", "'14/05/1024' is before 2000 (expected a date from 01/01/2000)"),
        (7, "Completed on", "'02/12/2026' is after today (expected a date up to 01/12/2026)"),
        (9, "Completed on", "'31/12/1999' is before 2000 (expected a date from 01/01/2000)"),
    ]

    upload = ingest(
        UploadRequest(path.read_bytes(), path.name, db=db, today=TODAY, skip_invalid=True)
    )
    assert (upload.rows_loaded, upload.rows_skipped) == (2, 4)
    assert query(db, "SELECT completed_on FROM training ORDER BY 1") == [
        (dt.date(2024, 5, 14),),
        (dt.date(2026, 12, 1),),
    ]


def test_a_due_date_may_be_years_ahead_but_not_a_millennium(db, tmp_path):
    header = ["Objective", "Action", "Lead", "Due date", "Status"]
    rows = [
        [1, "Survivor pathway agreed", "Council", "31/03/2030", "In progress"],
        [2, "Funding bid", "Council", "31/03/3030", "Not started"],
    ]
    path = b.write_csv(tmp_path / "plan.csv", [header, *rows])
    with pytest.raises(Refused) as caught:
        ingest(UploadRequest(path.read_bytes(), path.name, db=db, today=TODAY))
    assert [(p.row, p.column, p.message) for p in caught.value.problems] == [
        (3, "Due date", "'31/03/3030' is after 2036 (expected a date up to 31/12/2036)")
    ]


def test_referral_figures_for_a_quarter_still_to_come_are_refused(db, tmp_path):
    header = ["Quarter", "Referral type", "Type of exploitation", "Age group", "Count"]
    rows = [
        ["2026/27 Q3", "NRM", "Labour exploitation", "Adult", 6],
        ["2026/27 Q4", "NRM", "Labour exploitation", "Adult", 7],
        ["1999 Q4", "NRM", "Sexual exploitation", "Adult", 5],
    ]
    path = b.write_csv(tmp_path / "referrals.csv", [header, *rows])
    before = snapshot(db)
    with pytest.raises(Refused) as caught:
        ingest(UploadRequest(path.read_bytes(), path.name, db=db, today=TODAY))
    assert snapshot(db) == before
    assert [(p.row, p.column, p.message) for p in caught.value.problems] == [
        (3, "Quarter", "'2026/27 Q4' has not begun yet (expected a period starting by 01/12/2026)"),
        (4, "Quarter", "'1999 Q4' is before 2000 (expected a period from 2000)"),
    ]
