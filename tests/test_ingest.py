"""End to end through `ingest` and `rollback`: messy files in, real figures read from the views.

Every figure asserted here is either computed by `builders` from the rows it generated, or derived
in the test from the small inline table it wrote; nothing is a number copied from a run.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import builders
import pytest
from conftest import query, snapshot
from openpyxl import load_workbook

from cams_data import upload_flow
from cams_data.ingest import UploadRequest, ingest, rollback
from cams_data.problems import Refused
from cams_data.validate import Options

TODAY = dt.date(2026, 12, 1)  # after every date the builders write
HEX32 = re.compile(r"^[0-9a-f]{32}$")
TRAINING_STATUSES = {"Completed", "In progress", "Not started"}
ACTION_STATUSES = {"Not started", "In progress", "Completed", "On hold"}


# --- helpers ---------------------------------------------------------------------------------


def load(db: Path, path: Path, **kwargs):
    kwargs.setdefault("today", TODAY)
    return ingest(UploadRequest(Path(path).read_bytes(), Path(path).name, db=db, **kwargs))


def rows_of(db: Path, view: str) -> list[tuple]:
    """A view's full contents, every column, as a sorted list (comparable across loads)."""
    return sorted(query(db, f"SELECT * FROM {view}"), key=repr)


def scalar(db: Path, sql: str, params=None):
    return query(db, sql, params)[0][0]


def training_rows(path: Path, expected: dict) -> list[list]:
    """The data rows of a messy training .xlsx as written (8 columns), up to the blank row."""
    wb = load_workbook(path, read_only=True)
    try:
        rows = []
        for values in wb.active.iter_rows(min_row=expected["header_row"] + 2, values_only=True):
            if all(v is None for v in values):
                break
            rows.append(list(values[:8]))
        return rows
    finally:
        wb.close()


def natural_keys(rows: list[list]) -> set[tuple]:
    """What the loader must fold a training file to: one row per person, course and completion
    date (or no date for an open status), people by lower-case e-mail, courses by canonical name."""
    keys = set()
    for r in rows:
        done = builders._status_of(r[6]) == "Completed"
        date = builders._as_date(r[7]) if done else None
        keys.add((r[1].lower(), builders._canonical_course(r[5]), date))
    return keys


def write_training(path: Path, header: list[str], rows: list[list]) -> Path:
    return builders.write_xlsx(
        path,
        [header, *rows],
        sheet="Course completion",
        title_rows=builders.TRAINING_TITLE,
        notes_below=[builders.TRAINING_NOTE],
    )


def completions(db: Path) -> int:
    return scalar(db, "SELECT count(*) FROM training WHERE status = 'Completed'")


def open_rows(db: Path) -> int:
    return scalar(db, "SELECT count(*) FROM training WHERE status <> 'Completed'")


def varchar_values(db: Path) -> dict[tuple[str, str], list[str]]:
    """Every distinct text value of every VARCHAR column of every table in the database."""
    columns = query(
        db,
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_schema, table_name) "
        "WHERE t.table_type = 'BASE TABLE' AND c.data_type = 'VARCHAR'",
    )
    return {
        (t, c): [
            v[0] for v in query(db, f'SELECT DISTINCT "{c}" FROM "{t}" WHERE "{c}" IS NOT NULL')
        ]
        for t, c in columns
    }


# --- training --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, extra", [("xlsx", {}), ("csv", {"encoding": "cp1252"})])
def test_messy_training_export_loads_its_real_figures(db, tmp_path, fmt, extra):
    path, expected = builders.messy_training_export(tmp_path / f"lp.{fmt}", seed=11, **extra)
    # The same seed writes the same rows in every format: read them from an .xlsx twin.
    twin, _ = builders.messy_training_export(tmp_path / "twin.xlsx", seed=11)
    keys = natural_keys(training_rows(twin, expected))

    upload = load(db, path)

    assert (upload.status, upload.kind, upload.kind_detected) == ("loaded", "training", True)
    assert upload.upload_id == 1
    assert upload.rows_read == expected["rows_in_file"]
    assert expected["exact_duplicates"] > 0
    assert upload.rows_loaded == len(keys)
    assert upload.duplicates_folded == expected["rows_in_file"] - len(keys)
    assert upload.duplicates_folded >= expected["exact_duplicates"]
    assert upload.rows_skipped == 0 and upload.problems == []

    assert completions(db) == expected["completions"]
    assert open_rows(db) == expected["open"]
    stored = {r[0] for r in query(db, "SELECT DISTINCT status FROM training_rows")}
    assert stored == TRAINING_STATUSES == set(expected["statuses"])
    assert {r[0] for r in query(db, "SELECT DISTINCT status FROM training")} <= TRAINING_STATUSES

    by_course = Counter()
    for course, n in query(
        db, "SELECT course, count(*) FROM training WHERE status = 'Completed' GROUP BY course"
    ):
        by_course[builders._canonical_course(course)] += n
    assert dict(by_course) == expected["completions_by_course"]

    # Course spellings differing in case and spacing are one course, shown one way.
    n_lower, n_spellings = query(
        db, "SELECT count(DISTINCT lower(course)), count(DISTINCT course) FROM training"
    )[0]
    assert n_lower == n_spellings == expected["courses"]
    assert (
        scalar(db, "SELECT count(DISTINCT lower(course)) FROM training_rows")
        == (expected["courses"])
    )
    # Nothing counted twice: one view row per natural key.
    assert scalar(db, "SELECT count(*) FROM training") == scalar(
        db,
        "SELECT count(*) FROM (SELECT DISTINCT person_key, lower(course), completed_on "
        "FROM training)",
    )

    # People: keyed hashes, one per person however the e-mail is cased.
    keys_stored = [r[0] for r in query(db, "SELECT DISTINCT person_key FROM training")]
    assert all(HEX32.match(k) for k in keys_stored)
    assert len(keys_stored) == expected["people"]
    assert upload.identifiers == {"e-mail": expected["rows_in_file"]}
    assert "People told apart by: e-mail" in upload.summary()
    assert scalar(db, "SELECT identifiers FROM uploads") == (
        f'{{"e-mail": {expected["rows_in_file"]}}}'
    )


def test_same_person_with_differently_cased_emails_is_one_key(db, tmp_path):
    header = ["Learner", "E-mail", "Course name", "Status", "Completion date"]
    rows = [
        [
            "Alex Example",
            "Alex.Example@colchester.gov.uk",
            "Mandatory Safeguarding",
            "Passed",
            "14/05/2025",
        ],
        [
            "Alex Example",
            "alex.example@COLCHESTER.gov.uk ",
            "Introduction to Safeguarding",
            "complete",
            dt.date(2025, 6, 2),
        ],
        [
            "Sam Sample",
            "sam.sample@colchester.gov.uk",
            "Mandatory Safeguarding",
            "Not attempted",
            None,
        ],
    ]
    path = write_training(tmp_path / "register.xlsx", header, rows)
    upload = load(db, path)
    assert upload.identifiers == {"e-mail": 3}
    by_key = Counter(r[0] for r in query(db, "SELECT person_key FROM training"))
    assert sorted(by_key.values()) == [1, 2]
    assert all(HEX32.match(k) for k in by_key)


def test_names_only_file_tells_people_apart_by_name_and_organisation(db, tmp_path):
    header = ["Delegate name", "Organisation", "Training course", "Result", "Date attended"]
    rows = [
        [
            "Alex Example",
            "Colchester City Council",
            "Home Office First Responder",
            "Attended",
            "14/05/2025",
        ],
        [
            "ALEX  EXAMPLE",
            "colchester city council",
            "CAMS Modern Slavery and Human Trafficking",
            "Attended",
            "15/05/2025",
        ],
        [
            "Alex Example",
            "Colchester Borough Homes",
            "Home Office First Responder",
            "Attended",
            "14/05/2025",
        ],
        [
            "Sam Sample",
            "Colchester Borough Homes",
            "Home Office First Responder",
            "Attended",
            "14/05/2025",
        ],
    ]
    people = {(" ".join(r[0].split()).casefold(), r[1].casefold()) for r in rows}
    path = builders.write_csv(
        tmp_path / "first_responder_register.csv",
        [header, *rows],
        title_rows=["Attendance register", "OFFICIAL - SENSITIVE"],
        encoding="cp1252",
    )
    upload = load(db, path)
    assert (upload.kind, upload.kind_detected) == ("training", True)
    assert upload.identifiers == {"name and organisation": len(rows)}
    assert "name and organisation" in upload.summary()
    assert scalar(db, "SELECT count(DISTINCT person_key) FROM training") == len(people)
    assert completions(db) == len(rows)
    organisations = {r[0] for r in query(db, "SELECT DISTINCT lower(organisation) FROM training")}
    assert organisations == {r[1].casefold() for r in rows}


def test_cumulative_exports_never_count_twice(db, tmp_path):
    path2, expected2 = builders.messy_training_export(tmp_path / "lp_2025-10.xlsx", seed=7)
    rows2 = training_rows(path2, expected2)
    assert len(rows2) == expected2["rows_in_file"]
    rows1 = rows2[: len(rows2) // 2]  # last month's report: this month's repeats all of it
    expected1 = builders._training_expected(rows1)
    path1 = write_training(tmp_path / "lp_2025-09.xlsx", expected2["header"], rows1)

    first = load(db, path1)
    assert first.rows_read == len(rows1)
    assert completions(db) == expected1["completions"]
    assert open_rows(db) == expected1["open"]

    second = load(db, path2)
    assert second.rows_read == expected2["rows_in_file"]
    assert completions(db) == expected2["completions"]
    assert open_rows(db) == expected2["open"]
    assert second.rows_loaded == len(natural_keys(rows2))
    assert scalar(db, "SELECT count(*) FROM training") == scalar(
        db,
        "SELECT count(*) FROM (SELECT DISTINCT person_key, lower(course), completed_on "
        "FROM training)",
    )
    assert scalar(db, "SELECT count(DISTINCT person_key) FROM training") == expected2["people"]
    # Every row of last month's view was replaced by this month's copy of it.
    assert second.rows_superseded == expected1["completions"] + expected1["open"]
    assert second.superseded_uploads == [first.upload_id] == [1]
    assert query(
        db,
        "SELECT rows_superseded, superseded_uploads FROM uploads WHERE upload_id = ?",
        [second.upload_id],
    ) == [(second.rows_superseded, [1])]
    assert scalar(db, "SELECT count(*) FROM training WHERE upload_id = 1") == 0


def test_completion_is_never_undone_and_open_status_goes_once_completed(db, tmp_path):
    header = ["Full name", "Email address", "Course title", "Completion status", "Date completed"]
    course = "CAMS Modern Slavery and Human Trafficking"
    other = [
        "Sam Sample",
        "sam.sample@colchester.gov.uk",
        "Mandatory Safeguarding",
        "COMPLETED",
        "03/02/2025",
    ]

    def upload(name: str, row: list):
        return load(db, write_training(tmp_path / name, header, [row, other]))

    alex = ["Alex Example", "alex.example@colchester.gov.uk"]
    upload("a.xlsx", [*alex, course, "In Progress", None])
    assert query(
        db, "SELECT status, completed_on FROM training WHERE lower(course) = ?", [course.lower()]
    ) == [("In progress", None)]

    upload(
        "b.xlsx",
        [
            "Alex Example",
            "ALEX.EXAMPLE@colchester.gov.uk",
            f" {course.upper()} ",
            "Complete",
            "14/05/2025",
        ],
    )
    after_completion = rows_of(db, "training")
    assert query(
        db, "SELECT status, completed_on FROM training WHERE lower(course) = ?", [course.lower()]
    ) == [("Completed", dt.date(2025, 5, 14))]
    assert open_rows(db) == 0

    upload("c.xlsx", [*alex, course, "In progress", None])
    # Only the other row moved to the newest upload (its copy replaced it); the completion stayed.
    assert [r[:-1] for r in rows_of(db, "training")] == [r[:-1] for r in after_completion]
    assert query(
        db, "SELECT upload_id FROM training WHERE lower(course) = ?", [course.lower()]
    ) == [(2,)]
    assert completions(db) == 2 and open_rows(db) == 0
    assert scalar(db, "SELECT count(*) FROM training_rows WHERE status = 'In progress'") == 2


def test_same_file_again_changes_nothing(db, tmp_path):
    path, expected = builders.messy_training_export(tmp_path / "lp.xlsx", seed=4)
    first = load(db, path)
    before = snapshot(db)
    again = load(db, path)
    assert again.status == "unchanged"
    assert again.upload_id == first.upload_id
    assert again.rows_loaded == 0
    assert "already loaded" in again.summary()
    assert snapshot(db) == before
    assert scalar(db, "SELECT count(*) FROM uploads") == 1
    assert completions(db) == expected["completions"]


def test_rollback_restores_exactly_what_was_superseded(db, tmp_path):
    path, expected = builders.messy_training_export(tmp_path / "lp.xlsx", seed=9)
    rows = training_rows(path, expected)
    cut1, cut2 = len(rows) * 3 // 5, len(rows) * 2 // 5
    early = write_training(tmp_path / "early.xlsx", expected["header"], rows[:cut1])
    late = write_training(tmp_path / "late.xlsx", expected["header"], rows[cut2:])
    expected_early = builders._training_expected(rows[:cut1])

    first = load(db, early)
    before = rows_of(db, "training")
    assert len(before) == expected_early["completions"] + expected_early["open"]
    second = load(db, late)
    assert second.superseded_uploads == [first.upload_id]
    during = rows_of(db, "training")
    assert during != before
    # Keys of the first upload that the second did not contain stay as they were.
    only_early = natural_keys(rows[:cut1]) - natural_keys(rows[cut2:])
    completed = {(p, c) for p, c, d in natural_keys(rows) if d is not None}
    still_current = [k for k in only_early if k[2] is not None or k[:2] not in completed]
    assert still_current
    assert sum(1 for r in during if r[-1] == first.upload_id) == len(still_current)
    assert second.rows_superseded == len(before) - len(still_current) > 0

    result = rollback(db, second.upload_id, who="tester")
    assert rows_of(db, "training") == before
    assert result["removed"] == sum(1 for r in during if r[-1] == second.upload_id)
    assert result["restored"] == len(before) - (len(during) - result["removed"])
    assert result["restored"] > 0
    assert query(
        db, "SELECT status, rolled_back_by FROM uploads WHERE upload_id = ?", [second.upload_id]
    ) == [("rolled_back", "tester")]
    assert query(
        db,
        "SELECT action FROM audit_log WHERE upload_id = ? ORDER BY logged_at",
        [second.upload_id],
    ) == [("upload",), ("rollback",)]
    assert query(db, "SELECT who FROM audit_log WHERE action = 'rollback'") == [("tester",)]
    with pytest.raises(LookupError):
        rollback(db, second.upload_id)
    with pytest.raises(LookupError):
        rollback(db, 999)
    assert rows_of(db, "training") == before


def test_rollback_of_a_cumulative_export_brings_back_last_month(db, tmp_path):
    path2, expected2 = builders.messy_training_export(tmp_path / "lp_2025-10.xlsx", seed=7)
    rows2 = training_rows(path2, expected2)
    path1 = write_training(tmp_path / "lp_2025-09.xlsx", expected2["header"], rows2[:50])
    load(db, path1)
    before = rows_of(db, "training")
    second = load(db, path2)
    during = completions(db) + open_rows(db)
    assert during == expected2["completions"] + expected2["open"]
    result = rollback(db, second.upload_id)
    assert rows_of(db, "training") == before
    assert result == {"removed": during, "restored": second.rows_superseded}
    assert result["restored"] == len(before)
    # The same file can be loaded again after its rollback, and supersedes again.
    again = load(db, path2)
    assert again.status == "loaded" and again.upload_id == 3
    assert completions(db) == expected2["completions"]


# --- partial loads -------------------------------------------------------------------------


def _training_with_bad_dates(tmp_path: Path) -> tuple[Path, list[list], list[int], str]:
    path, expected = builders.messy_training_export(tmp_path / "source.xlsx", seed=5)
    rows = training_rows(path, expected)
    count = Counter(tuple(builders._uk_text(v) for v in r) for r in rows)
    key_count = Counter(
        (r[1].lower(), builders._canonical_course(r[5]), builders._as_date(r[7]))
        for r in rows
        if builders._status_of(r[6]) == "Completed"
    )
    bad = [
        i
        for i, r in enumerate(rows)
        if builders._status_of(r[6]) == "Completed"
        and count[tuple(builders._uk_text(v) for v in r)] == 1
        and key_count[(r[1].lower(), builders._canonical_course(r[5]), builders._as_date(r[7]))]
        == 1
    ][:2]
    rows[bad[0]][7] = "31/02/2025"
    rows[bad[1]][7] = "sometime in May"
    out = write_training(tmp_path / "lp_bad_dates.xlsx", expected["header"], rows)
    sheet_rows = [expected["header_row"] + 2 + i for i in bad]  # the row numbers Excel shows
    valid = [r for i, r in enumerate(rows) if i not in bad]
    return out, valid, sheet_rows, expected["header"][7]


def _establishment_file(tmp_path: Path) -> Path:
    return builders.write_xlsx(
        tmp_path / "establishment.xlsx",
        [
            ["Service area", "Job title", "Headcount", "As at"],
            ["Housing", "Housing Officer", 12, dt.date(2025, 4, 1)],
        ],
    )


def test_training_with_bad_dates_is_refused_unless_valid_rows_are_asked_for(db, tmp_path):
    load(db, _establishment_file(tmp_path))
    path, valid_rows, sheet_rows, date_header = _training_with_bad_dates(tmp_path)
    before = snapshot(db)

    with pytest.raises(Refused) as refused:
        load(db, path)
    assert sorted((p.row, p.column, p.code) for p in refused.value.problems) == [
        (row, date_header, "bad-date") for row in sorted(sheet_rows)
    ]
    assert "2 problems" in refused.value.message
    assert refused.value.code == "invalid-rows"
    assert snapshot(db) == before

    upload = load(db, path, skip_invalid=True)
    expected = builders._training_expected(valid_rows)
    assert upload.status == "loaded"
    assert upload.rows_skipped == 2
    assert upload.rows_read == len(valid_rows) + 2
    assert completions(db) == expected["completions"]
    assert open_rows(db) == expected["open"]
    problems = query(
        db,
        "SELECT row_no, column_name, message FROM upload_problems WHERE upload_id = ? "
        "ORDER BY row_no",
        [upload.upload_id],
    )
    assert [p[0] for p in problems] == sorted(sheet_rows)
    assert {p[1] for p in problems} == {date_header}
    # Stored: the reason, never the cell (it could be a name or an e-mail address) ...
    assert {m for _, _, m in problems} == {
        "the value is not a date (expected a date written day first, e.g. 14/05/2024)"
    }
    # ... shown to the officer: the cell, to find it in the file.
    assert {p.message.split("'")[1] for p in upload.problems} == {"31/02/2025", "sometime in May"}
    assert (
        scalar(db, "SELECT rows_skipped FROM uploads WHERE upload_id = ?", [upload.upload_id]) == 2
    )


def test_measures_and_referrals_refuse_bad_rows_even_when_asked_to_skip(db, tmp_path):
    load(db, _establishment_file(tmp_path))
    before = snapshot(db)
    measures = builders.write_csv(
        tmp_path / "measures.csv",
        [
            ["Objective", "Measure", "Organisation", "Quarter", "Value"],
            ["2", "Funding secured (GBP)", "Colchester City Council", "2025/26 Q1", "£12,500"],
            ["3", "Intelligence submissions", "Essex Police", "2025/26 Q1", "lots"],
        ],
        title_rows=["CAMS partnership measures"],
    )
    referrals = builders.write_csv(
        tmp_path / "referrals.csv",
        [
            ["Month", "Type of exploitation", "Age group", "Number of referrals"],
            ["Apr-25", "Labour exploitation", "Adult", "3"],
            ["May-25", "Criminal exploitation (county lines)", "Child (under 18)", "-2"],
        ],
        title_rows=["NRM referrals"],
    )
    for path, kind in ((measures, "measures"), (referrals, "referrals")):
        with pytest.raises(Refused) as refused:
            load(db, path, skip_invalid=True)
        assert "must load whole" in refused.value.message
        # title row, blank row, header, a good row: the bad one is the fifth row in the file
        code = "bad-number" if kind == "measures" else "negative-count"
        assert [(p.row, p.code) for p in refused.value.problems] == [(5, code)]
        assert snapshot(db) == before, kind


# --- survey ----------------------------------------------------------------------------------


def _survey_file_column(path: Path, header: str) -> list:
    wb = load_workbook(path, read_only=True)
    try:
        rows = list(wb.active.iter_rows(values_only=True))
    finally:
        wb.close()
    at = rows[0].index(header)
    return [r[at] for r in rows[1:] if any(v is not None for v in r)]


def test_anonymous_forms_survey(db, tmp_path):
    path, expected = builders.forms_survey_export(tmp_path / "survey.xlsx", seed=3)
    assert set(_survey_file_column(path, "Email")) == {"anonymous"}
    assert expected["comments"] > 0

    upload = load(db, path)

    assert (upload.kind, upload.kind_detected) == ("survey", True)
    assert upload.rows_read == expected["responses"]
    assert upload.wave_from_dates == "2025-10"
    assert query(db, "SELECT DISTINCT wave FROM survey") == [("2025-10",)]
    # One respondent per response, never merged on the shared 'anonymous' e-mail.
    assert scalar(db, "SELECT count(DISTINCT respondent_key) FROM survey") == expected["responses"]
    assert all(HEX32.match(r[0]) for r in query(db, "SELECT DISTINCT respondent_key FROM survey"))
    assert upload.identifiers == {"the form's response ID": expected["responses"]}

    per_question = dict(query(db, "SELECT question, count(*) FROM survey GROUP BY question"))
    assert per_question == expected["answers_by_question"]
    assert builders.Q_COMMENTS not in per_question
    assert builders.SERVICE_AREA_QUESTION not in per_question
    used = {c.header: c.field for c in upload.columns if c.stored}
    assert used[builders.SERVICE_AREA_QUESTION] == "service_area"
    assert builders.Q_COMMENTS not in used and builders.Q_COMMENTS in upload.free_text_questions
    chosen = dict(
        query(
            db,
            "SELECT answer, count(*) FROM survey WHERE question = ? GROUP BY 1",
            [builders.Q_SEEN],
        )
    )
    assert chosen == expected["options_chosen"]
    assert (
        scalar(
            db,
            "SELECT count(*) FROM survey WHERE question = ? AND answer = 'Yes'",
            [builders.Q_REPORT],
        )
        == expected["know_how_to_report_yes"]
    )
    assert (
        scalar(
            db,
            "SELECT count(*) FROM survey WHERE answer IS NULL OR trim(answer) = '' "
            "OR answer LIKE '%;%'",
        )
        == 0
    )
    by_area = dict(
        query(db, "SELECT service_area, count(DISTINCT respondent_key) FROM survey GROUP BY 1")
    )
    assert by_area == expected["by_service_area"]
    assert scalar(db, "SELECT rows_loaded FROM uploads") == sum(
        expected["answers_by_question"].values()
    )

    # The free-text comments, which name people, are nowhere in the database.
    texts = "\n".join(v for vs in varchar_values(db).values() for v in vs).casefold()
    for comment in builders._COMMENTS:
        assert comment.split("\n")[0][:25].casefold() not in texts
    assert "any other comments" not in texts


def test_survey_wave_given_at_upload(db, tmp_path):
    path, expected = builders.forms_survey_export(tmp_path / "survey.xlsx", seed=4)
    upload = load(db, path, options=Options(wave="Autumn 2025"))
    assert upload.wave_from_dates is None
    assert query(db, "SELECT wave, count(DISTINCT respondent_key) FROM survey GROUP BY 1") == [
        ("Autumn 2025", expected["responses"])
    ]


def test_survey_wave_uploaded_again_replaces_the_whole_wave_only(db, tmp_path):
    old, old_expected = builders.forms_survey_export(
        tmp_path / "survey_2024.xlsx", seed=5, respondents=20, wave_month=(2024, 10)
    )
    big, big_expected = builders.forms_survey_export(
        tmp_path / "survey_2025.xlsx", seed=6, respondents=30
    )
    small, small_expected = builders.forms_survey_export(
        tmp_path / "survey_2025_resent.xlsx", seed=7, respondents=12
    )
    first = load(db, old)
    second = load(db, big)
    third = load(db, small)
    assert (first.wave_from_dates, second.wave_from_dates, third.wave_from_dates) == (
        "2024-10",
        "2025-10",
        "2025-10",
    )
    per_wave = dict(query(db, "SELECT wave, count(DISTINCT respondent_key) FROM survey GROUP BY 1"))
    assert per_wave == {
        "2024-10": old_expected["responses"],
        "2025-10": small_expected["responses"],
    }
    assert third.rows_superseded == sum(big_expected["answers_by_question"].values())
    assert third.superseded_uploads == [second.upload_id]
    for wave, expected in (("2024-10", old_expected), ("2025-10", small_expected)):
        assert (
            dict(
                query(db, "SELECT question, count(*) FROM survey WHERE wave = ? GROUP BY 1", [wave])
            )
            == expected["answers_by_question"]
        )
    assert scalar(db, "SELECT count(*) FROM survey WHERE upload_id = ?", [second.upload_id]) == 0

    # Rolling the resent wave back brings the whole first 2025-10 upload back, nothing else.
    rollback(db, third.upload_id)
    per_wave = dict(query(db, "SELECT wave, count(DISTINCT respondent_key) FROM survey GROUP BY 1"))
    assert per_wave == {"2024-10": old_expected["responses"], "2025-10": big_expected["responses"]}


def test_reworded_question_is_one_question_through_the_config_aliases(db, tmp_path, monkeypatch):
    reworded = "would you know how to  report a CONCERN about modern slavery ?"
    config = tmp_path / "cams.toml"
    config.write_text(
        "[survey.question_aliases]\n"
        f'"{builders.Q_REPORT}" = ["Would you know how to report a concern about modern '
        'slavery?"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CAMS_CONFIG", str(config))
    old, old_expected = builders.forms_survey_export(
        tmp_path / "survey_2024.xlsx", seed=8, respondents=15, wave_month=(2024, 10)
    )
    wb = load_workbook(old)
    cell = next(c for c in wb.active[1] if c.value == builders.Q_REPORT)
    cell.value = reworded
    wb.save(old)
    new, new_expected = builders.forms_survey_export(tmp_path / "survey_2025.xlsx", seed=9)

    load(db, old)
    load(db, new)

    questions = {r[0] for r in query(db, "SELECT DISTINCT question FROM survey")}
    assert questions == set(new_expected["answers_by_question"])
    assert dict(
        query(
            db,
            "SELECT wave, count(*) FROM survey WHERE question = ? GROUP BY 1",
            [builders.Q_REPORT],
        )
    ) == {
        "2024-10": old_expected["answers_by_question"][builders.Q_REPORT],
        "2025-10": new_expected["answers_by_question"][builders.Q_REPORT],
    }


# --- establishment ---------------------------------------------------------------------------


def test_establishment_sums_per_key_and_never_counts_the_total(db, tmp_path):
    data = [
        ("Housing", "Housing Officer", 12, dt.date(2025, 4, 1)),
        ("Housing", "Housing Officer", 3, "01/04/2025"),  # a second line for the same posts
        ("Community Safety", "Community Safety Officer", 5, dt.date(2025, 4, 1)),
        ("Customer Services", "Customer Service Advisor", 21, "01/04/2025"),
    ]
    expected = Counter()
    for area, role, n, _ in data:
        expected[(area, role)] += n
    total = sum(expected.values())
    path = builders.write_xlsx(
        tmp_path / "establishment.xlsx",
        [
            ["Service Area", "Job Title", "Head count", "As at"],
            *map(list, data),
            ["Total", None, total, None],
        ],
        title_rows=["Establishment by service", "OFFICIAL"],
        notes_below=["Source: HR, excluding casual staff"],
    )
    upload = load(db, path)
    assert (upload.kind, upload.kind_detected) == ("establishment", True)
    assert upload.subtotal_rows == 1
    assert upload.duplicates_folded == len(data) - len(expected)
    stored = query(
        db, "SELECT service_area, role, headcount, as_of, organisation FROM establishment"
    )
    assert {(a, r): n for a, r, n, _, _ in stored} == dict(expected)
    assert {d for _, _, _, d, _ in stored} == {dt.date(2025, 4, 1)}
    assert {o for *_, o in stored} == {"Colchester City Council"}
    assert scalar(db, "SELECT sum(headcount) FROM establishment") == total


def test_establishment_as_of_from_the_period_option_or_today(db, tmp_path):
    rows = [
        ["Organisation", "Service area", "Role", "Number of staff"],
        ["Colchester Borough Homes", "Repairs", "Surveyor", "7"],
        ["Colchester Borough Homes", "Repairs", "Surveyor", "2"],
        ["Colchester Borough Homes", "Lettings", "Lettings Officer", "1,204"],
        ["Grand total", None, None, "1,213"],
    ]
    path = builders.write_csv(tmp_path / "cbh_staff.csv", rows, title_rows=["CBH staff"])
    load(db, path, options=Options(period="31/03/2025"))
    assert sorted(query(db, "SELECT service_area, headcount, as_of FROM establishment")) == [
        ("Lettings", 1204, dt.date(2025, 3, 31)),
        ("Repairs", 9, dt.date(2025, 3, 31)),
    ]
    other = builders.write_csv(tmp_path / "cbh_staff_now.csv", rows[:3])
    load(db, other)
    assert query(db, "SELECT headcount FROM establishment WHERE as_of = ?", [TODAY]) == [(9,)]
    assert scalar(db, "SELECT count(*) FROM establishment") == 3


# --- measures --------------------------------------------------------------------------------


def test_measures_objectives_money_quarters_and_added_up_keys(db, tmp_path):
    # (objective as written, measure, organisation, quarter as written, value as written, value)
    data = [
        ("2", "Funding secured (GBP)", "Colchester City Council", "2025/26 Q1", "£12,500", 12500.0),
        (
            "2. Funding and Sustainability",
            "Funding secured (GBP)",
            "Essex Police",
            "Q1 2025-26",
            "£1,250.50",
            1250.5,
        ),
        ("3", "Intelligence submissions", "Essex Police", "2025/26 Q1", "4", 4.0),
        (
            "3. Multi-agency approach to intelligence and disruption",
            "Intelligence submissions",
            "Essex Police",
            "Q1 2025-26",
            "1,005",
            1005.0,
        ),
        ("4 ", "Awareness events", "CAMS partnership", "2025/26 Q2", "3", 3.0),
    ]
    expected = Counter()
    for objective, measure, organisation, quarter, _, value in data:
        number = int(objective.strip()[0])
        start = (
            dt.date(2025, 4, 1) if quarter in ("2025/26 Q1", "Q1 2025-26") else dt.date(2025, 7, 1)
        )
        expected[(number, measure, organisation, start, 3)] += value
    path = builders.write_csv(
        tmp_path / "measures.csv",
        [
            ["Objective", "Measure", "Partner", "Quarter", "Value", "Notes"],
            *[[*row[:5], ""] for row in data],
        ],
        title_rows=["CAMS partnership measures 2025-26"],
        encoding="cp1252",
    )
    upload = load(db, path)
    assert (upload.kind, upload.kind_detected) == ("measures", True)
    assert upload.duplicates_folded == len(data) - len(expected)
    stored = query(
        db,
        "SELECT objective, measure, organisation, period_start, period_months, value FROM measures",
    )
    assert {r[:5]: r[5] for r in stored} == dict(expected)
    assert query(
        db, "SELECT value FROM measures WHERE organisation = 'Colchester City Council'"
    ) == [(12500.0,)]
    assert {r[0] for r in stored} <= {1, 2, 3, 4}


def test_measures_crosstab_with_periods_across_loads(db, tmp_path):
    months = [
        ("Apr-25", dt.date(2025, 4, 1)),
        ("May-25", dt.date(2025, 5, 1)),
        ("Jun-25", dt.date(2025, 6, 1)),
    ]
    grid = [
        ("3", "Intelligence submissions", [4, 5, 0]),
        ("4. Partnership profile/awareness", "Awareness event attendance", [120, "1,350", 80]),
    ]
    values = {
        (int(o[0]), m, start): float(str(v).replace(",", ""))
        for o, m, cells in grid
        for (_, start), v in zip(months, cells, strict=True)
    }
    rows = [["Objective", "Measure", *[label for label, _ in months], "Total"]]
    for objective, measure, cells in grid:
        rows.append(
            [objective, measure, *cells, sum(float(str(v).replace(",", "")) for v in cells)]
        )
    rows.append(["Total", None, *[None] * len(months), sum(values.values())])
    path = builders.write_xlsx(
        tmp_path / "measures_by_month.xlsx", rows, title_rows=["Partnership measures by month"]
    )
    upload = load(db, path)
    assert upload.kind == "measures"
    assert upload.subtotal_rows == 1
    stored = query(
        db,
        "SELECT objective, measure, period_start, period_months, value, organisation FROM measures",
    )
    assert {(o, m, s): v for o, m, s, _, v, _ in stored} == values
    assert {r[3] for r in stored} == {1}
    assert {r[5] for r in stored} == {"CAMS partnership"}


def test_measures_crosstab_blank_cell_means_not_reported(db, tmp_path):
    rows = [
        ["Objective", "Measure", "Apr-25", "May-25", "Jun-25"],
        ["3", "Intelligence submissions", 4, 5, None],
        ["4", "Awareness events", None, 2, 3],
    ]
    path = builders.write_xlsx(
        tmp_path / "measures_partial.xlsx",
        rows,
        title_rows=["Partnership measures (June not yet in)"],
    )
    load(db, path)
    stored = dict(
        query(db, "SELECT measure || ' ' || strftime(period_start, '%Y-%m'), value FROM measures")
    )
    assert stored == {
        "Intelligence submissions 2025-04": 4.0,
        "Intelligence submissions 2025-05": 5.0,
        "Awareness events 2025-05": 2.0,
        "Awareness events 2025-06": 3.0,
    }


# --- actions ---------------------------------------------------------------------------------

STATUS_VARIANTS = {  # as typed in trackers -> the four canonical statuses
    "complete": "Completed",
    "DONE": "Completed",
    "On track": "In progress",
    "overdue": "In progress",
    "Paused": "On hold",
    "to do": "Not started",
    "Not Started": "Not started",
}
OBJECTIVE_TITLES = {  # DOMAIN.md: the four partnership objectives
    1: "Survivor Support and Care",
    2: "Funding and Sustainability",
    3: "Multi-agency approach to intelligence and disruption",
    4: "Partnership profile/awareness",
}
ACTION_HEADER = ["Ref", "Objective", "Action", "Lead", "Due date", "RAG status", "Last updated"]


def test_actions_statuses_updates_and_email_owners(db, tmp_path):
    rows = []
    for i, variant in enumerate(STATUS_VARIANTS, start=1):
        objective = i % 4 + 1
        written = f"{objective}. {OBJECTIVE_TITLES[objective]}" if i % 2 else str(objective)
        due = dt.date(2025, 12, i) if i % 3 else f"{i:02d}/12/2025"
        rows.append(
            [
                f"{objective}.{i}",
                written,
                f"Action number {i}",
                "Community Safety",
                due,
                variant,
                f"{i:02d}/09/2025",
            ]
        )
    rows[1][3] = "jo.sample@colchester.gov.uk"
    path = builders.write_xlsx(
        tmp_path / "tracker.xlsx",
        [ACTION_HEADER, *rows],
        title_rows=["CAMS action plan tracker", "Reviewed 01/10/2025"],
    )
    upload = load(db, path)
    assert (upload.kind, upload.kind_detected) == ("actions", True)
    stored = query(db, "SELECT objective, action, status, owner, due_on FROM actions")
    assert {a: s for _, a, s, _, _ in stored} == {r[2]: STATUS_VARIANTS[r[5]] for r in rows}
    assert {s for _, _, s, _, _ in stored} <= ACTION_STATUSES
    assert {a: o for o, a, *_ in stored} == {r[2]: int(r[0][0]) for r in rows}
    assert {a: d.day for _, a, _, _, d in stored} == {r[2]: int(r[0].split(".")[1]) for r in rows}
    owners = {a: o for _, a, _, o, _ in stored}
    assert owners[rows[1][2]] == "Not specified"
    assert {owners[r[2]] for r in rows if r is not rows[1]} == {"Community Safety"}
    assert scalar(db, "SELECT count(*) FROM actions_rows WHERE owner LIKE '%@%'") == 0

    # A later tracker changes one action's status (its objective written another way, its key
    # the same); the actions it does not list stay as they were.
    first = rows[0]
    objective = int(first[0][0])
    written = f"{objective}. {OBJECTIVE_TITLES[objective]}"
    if ". " in str(first[1]):
        written = str(objective)
    update = [
        [first[0], written, first[2], "Community Safety", first[4], "Delivered", "20/10/2025"],
        ["1.9", "1", "A new action", "Essex Police", "31/03/2026", "Planned", "20/10/2025"],
    ]
    later = load(db, builders.write_xlsx(tmp_path / "tracker_oct.xlsx", [ACTION_HEADER, *update]))
    assert later.rows_superseded == 1
    assert later.superseded_uploads == [upload.upload_id]
    after = {a: (s, u) for a, s, u in query(db, "SELECT action, status, updated_on FROM actions")}
    assert len(after) == len(rows) + 1
    assert after[first[2]] == ("Completed", dt.date(2025, 10, 20))
    assert after["A new action"][0] == "Not started"
    for r in rows[1:]:
        assert after[r[2]][0] == STATUS_VARIANTS[r[5]]


# --- personal data ---------------------------------------------------------------------------


def test_no_names_or_emails_anywhere_in_the_database(db, tmp_path):
    training, _ = builders.messy_training_export(tmp_path / "lp.xlsx", seed=12)
    survey, _ = builders.forms_survey_export(
        tmp_path / "named_survey.xlsx", seed=12, anonymous=False
    )
    assert any("@" in str(v) for v in _survey_file_column(survey, "Email"))
    names_only = builders.write_csv(
        tmp_path / "register.csv",
        [
            ["Attendee", "Organisation", "Course", "Status", "Date of training"],
            [
                "Zoë Fictional",
                "Colchester Borough Homes",
                "CAMS Modern Slavery and Human Trafficking",
                "Attended",
                "16/10/2025",
            ],
        ],
    )
    tracker = builders.write_xlsx(
        tmp_path / "tracker.xlsx",
        [
            ["Objective", "Action", "Owner", "Status"],
            ["1", "Refresh the referral pathway", "Seán.Placeholder@colchester.gov.uk", "Open"],
        ],
    )
    for path in (training, survey, names_only, tracker):
        assert load(db, path).status == "loaded"
    rollback(db, 1)  # history is kept after a rollback too: it must be just as clean

    values = varchar_values(db)
    assert ("training_rows", "person_key") in values and ("survey_rows", "answer") in values
    people = [f"{first} {last}".casefold() for first in builders._FIRST for last in builders._LAST]
    surnames = [last.casefold() for last in builders._LAST]
    for (table, column), texts in values.items():
        for text in texts:
            folded = str(text).casefold()
            assert "@" not in folded, (table, column, text)
            assert not any(name in folded for name in people), (table, column, text)
            assert not any(name in folded for name in surnames), (table, column, text)
            assert not re.search(r"\be1\d{4}\b", folded), (table, column, text)


def test_a_percentage_or_a_decimal_comma_in_a_figure_is_a_problem_and_nothing_is_saved(
    db, tmp_path
):
    load(db, _establishment_file(tmp_path))
    before = snapshot(db)
    path = builders.write_csv(
        tmp_path / "measures.csv",
        [
            ["Objective", "Measure", "Organisation", "Quarter", "Value"],
            ["2", "Funding secured (GBP)", "Colchester City Council", "2025/26 Q1", "£1,250"],
            ["3", "Intelligence submissions", "Essex Police", "2025/26 Q1", "12%"],
            ["2", "Funding secured (GBP)", "Essex Police", "2025/26 Q1", "1,23"],
        ],
    )
    with pytest.raises(Refused) as refused:
        load(db, path)
    assert [(p.row, p.column, p.code) for p in refused.value.problems] == [
        (3, "Value", "percentage"),
        (4, "Value", "bad-thousands"),
    ]
    assert [(p.row, p.column, p.message) for p in refused.value.problems] == [
        (
            3,
            "Value",
            "'12%' is a percentage, not a figure (expected a figure such as 12 or £1,250)",
        ),
        (
            4,
            "Value",
            "'1,23' is not a number: a comma must separate thousands, as in 1,230 "
            "(expected a figure such as 12 or £1,250)",
        ),
    ]
    assert snapshot(db) == before


# --- hidden sheets ---------------------------------------------------------------------------

TRAINING_HEADER = ["Learner", "Email", "Course", "Status", "Completion date"]
OLD_ROWS = [
    ["Old Example", "old@example.org", "Old course", "Completed", "01/04/2019"],
    ["Older Example", "older@example.org", "Old course", "Completed", "02/04/2019"],
]
NEW_ROWS = [["Alex Example", "alex@example.org", "Modern Slavery Awareness", "Completed",
             "14/05/2026"]]  # fmt: skip


def test_the_visible_sheet_wins_over_a_hidden_sheet_of_old_data(db, tmp_path):
    path = builders.write_xlsx(
        tmp_path / "training.xlsx",
        [TRAINING_HEADER, *NEW_ROWS],
        sheet="This year",
        extra_sheets={"Old data": [TRAINING_HEADER, *OLD_ROWS]},
        extra_sheets_first=True,  # first, and with more rows: it would win on any other score
        hidden_sheets=["Old data"],
    )
    upload = load(db, path)
    assert query(db, "SELECT course, completed_on FROM training") == [
        ("Modern Slavery Awareness", dt.date(2026, 5, 14))
    ]
    assert (upload.sheet, upload.hidden_sheet) == ("This year", False)
    assert "hidden" not in upload.summary()


def test_a_table_only_on_a_hidden_sheet_is_read_and_the_summary_says_so(db, tmp_path):
    path = builders.write_xlsx(
        tmp_path / "training.xlsx",
        [["The figures are on another sheet."]],
        sheet="Read me",
        extra_sheets={"Old data": [TRAINING_HEADER, *OLD_ROWS]},
        hidden_sheets=["Old data"],
    )
    upload = load(db, path)
    assert query(db, "SELECT course, completed_on FROM training ORDER BY completed_on") == [
        ("Old course", dt.date(2019, 4, 1)),
        ("Old course", dt.date(2019, 4, 2)),
    ]
    lines = upload.summary().splitlines()
    assert lines[2:4] == [
        "Sheet: 'Old data', header on row 1.",
        "Read from the hidden sheet 'Old data': no visible sheet holds a table.",
    ]
    assert upload.as_dict()["hidden_sheet"] is True
    assert upload_flow.understood(upload) == (
        "Understood as **Training completions** (detected from the "
        "headers), sheet **Old data** (hidden in the workbook: no visible sheet holds a table), "
        "header on row 1, covering 01/04/2019 to 02/04/2019."
    )
