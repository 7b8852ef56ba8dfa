"""The upload page, driven as an officer would: check, see what was understood, save, undo."""

from __future__ import annotations

import dataclasses
import datetime as dt

import builders
from conftest import metrics, open_page, query, snapshot

PAGE = "pages/upload.py"

TRAINING = [
    ["Employee ID", "Full name", "Email", "Department", "Job title", "Course title",
     "Completion status", "Date completed"],
    ["E001", "Ann One", "ann@example.org", "Housing", "Housing Officer",
     "CAMS Modern Slavery and Human Trafficking", "Completed", "14/05/2025"],
    ["E002", "Bob Two", "bob@example.org", "Housing", "Housing Officer",
     "CAMS Modern Slavery and Human Trafficking", "Completed", "15/05/2025"],
    ["E002", "Bob Two", "bob@example.org", "Housing", "Housing Officer",
     "CAMS Modern Slavery and Human Trafficking", "Completed", "15/05/2025"],
    ["E003", "Cat Three", "cat@example.org", "Planning", "Planning Officer",
     "CAMS Modern Slavery and Human Trafficking", "Completed", "31/02/2025"],
    ["E004", "Dan Four", "dan@example.org", "Planning", "Planning Officer",
     "CAMS Modern Slavery and Human Trafficking", "Completed", "02/06/2025"],
]  # fmt: skip


def test_a_messy_survey_is_checked_then_saved(db, tmp_path, local_admin):
    path, expected = builders.forms_survey_export(tmp_path / "survey.xlsx", respondents=30)
    answers = sum(expected["answers_by_question"].values())
    app = open_page(PAGE)
    app.file_uploader(key="files").upload(path.name, path.read_bytes()).run()
    assert not app.exception, app.exception
    understood = " ".join(m.value for m in app.markdown)
    assert (
        "Understood as **Staff survey responses** (detected from the headers), sheet" in understood
    )
    assert "survey wave 2025-10." in understood
    shown = metrics(app)
    assert shown["Rows read"] == str(expected["responses"])
    assert shown["Rows to load (one per answer)"] == f"{answers:,}"
    assert shown["Rows already loaded it replaces"] == "0"
    columns = app.dataframe[0].value.set_index("Column in the file")
    assert columns.loc["Email", "Stored as"] == "not stored"
    assert columns.loc["Name", "Stored as"] == "not stored"
    app.text_input(key="wave-0").input("October 2025").run()  # the detected kind's field
    assert "survey wave October 2025." in " ".join(m.value for m in app.markdown)
    before = snapshot(db)
    assert query(db, "SELECT count(*) FROM survey") == [(0,)]  # a check saves nothing
    app.button(key="save-0").click().run()
    assert not app.exception, app.exception
    assert "Saved as upload" in app.success[0].value
    assert query(db, "SELECT count(*), min(wave) FROM survey") == [(answers, "October 2025")]
    assert snapshot(db) != before
    history = app.dataframe[-1].value
    assert history["File"].tolist() == ["survey.xlsx"]
    assert history["By"].tolist() == ["local"]


def test_a_row_error_is_shown_by_row_and_column_and_nothing_is_saved(db, tmp_path, local_admin):
    path = builders.write_csv(tmp_path / "training.csv", TRAINING, title_rows=["Completions"])
    app = open_page(PAGE)
    app.file_uploader(key="files").upload(path.name, path.read_bytes()).run()
    assert "1 problem found; nothing was saved" in app.error[0].value
    problems = next(d.value for d in app.dataframe if "Problem" in d.value.columns)
    assert problems[["Row", "Column", "Type"]].values.tolist() == [
        [7, "Date completed", "bad-date"]
    ]  # as Excel numbers it
    assert "'31/02/2025' is not a date" in problems["Problem"].item()
    assert app.button(key="save-0").disabled
    assert query(db, "SELECT count(*) FROM uploads") == [(0,)]
    app.checkbox(key="skip-0").check().run()
    shown = metrics(app)
    assert (shown["Rows to load"], shown["Rows with problems"]) == ("3", "1")
    assert shown["Exact duplicates folded"] == "1"
    app.button(key="save-0").click().run()
    assert not app.exception, app.exception
    assert query(db, "SELECT count(*), count(DISTINCT person_key) FROM training") == [(3, 3)]
    assert query(db, "SELECT rows_skipped, uploaded_by FROM uploads") == [(1, "local")]
    assert "Headline figures it changed for 2025/26-Q1" in " ".join(m.value for m in app.markdown)
    changes = next(d.value for d in app.dataframe if "Indicator" in d.value.columns)
    moved = changes.set_index("Indicator").loc["CAMS modern slavery training completions"]
    assert (moved["Before"], moved["Now"]) == ("no data yet", "3")


def test_an_upload_is_undone_after_a_confirmation(db, tmp_path, local_admin):
    path = builders.write_csv(tmp_path / "training.csv", TRAINING[:3])
    app = open_page(PAGE)
    app.file_uploader(key="files").upload(path.name, path.read_bytes()).run()
    app.button(key="save-0").click().run()
    assert query(db, "SELECT count(*) FROM training") == [(2,)]
    app.button(key="undo-open").click().run()
    assert not app.exception, app.exception
    assert query(db, "SELECT count(*) FROM training") == [(2,)]  # nothing until confirmed
    app.button(key="undo-confirm").click().run()
    assert not app.exception, app.exception
    assert query(db, "SELECT count(*) FROM training") == [(0,)]
    assert query(db, "SELECT status, rolled_back_by FROM uploads") == [("rolled_back", "local")]
    assert "2 rows left the figures, 0 rows it had replaced are back." in app.success[0].value


def test_a_viewer_is_told_the_page_is_not_for_them(db, monkeypatch):
    monkeypatch.delenv("CAMS_LOCAL_MODE", raising=False)
    app = open_page(PAGE)
    assert app.title[0].value == "Not available to you"
    assert "This page is for officers" in app.warning[0].value
    assert "[auth]" in app.info[0].value
    assert not app.file_uploader


def test_an_admin_erases_an_upload_after_typing_its_number(db, tmp_path, local_admin):
    path = builders.write_csv(tmp_path / "training.csv", TRAINING[:3])
    app = open_page(PAGE)
    app.file_uploader(key="files").upload(path.name, path.read_bytes()).run()
    app.button(key="save-0").click().run()
    app.button(key="erase-open").click().run()
    assert app.button(key="erase-confirm").disabled
    (upload_id,) = query(db, "SELECT upload_id FROM uploads")[0]
    app.text_input(key="erase-typed").input(str(upload_id)).run()
    app.button(key="erase-confirm").click().run()
    assert not app.exception, app.exception
    assert query(db, "SELECT count(*) FROM training_rows") == [(0,)]
    assert query(db, "SELECT status, erased_by FROM uploads") == [("erased", "local")]
    assert f"Upload {upload_id} erased: 2 rows deleted." in app.success[0].value


ODD_MEASURES = [
    ["Obj", "What we counted", "When", "Amount"],
    [2, "Funding secured (GBP)", "2025/26 Q1", "£5,000"],
    [3, "Intelligence submissions", "2025/26 Q1", 20],
]


def test_unrecognised_columns_are_mapped_once_and_remembered(db, tmp_path, local_admin):
    first = builders.write_csv(tmp_path / "q1.csv", ODD_MEASURES, title_rows=["Q1 return"])
    app = open_page(PAGE)
    app.file_uploader(key="files").upload(first.name, first.read_bytes()).run()
    assert app.error, "a file nobody can read is refused"
    assert app.button(key="save-0").disabled
    app.selectbox(key="kind-0").select("measures").run()
    assert app.selectbox(key="map-0-0").label == "Column 'Obj'"  # the form opens by itself
    for index, field in enumerate(["objective", "measure", "period", "value"]):
        app.selectbox(key=f"map-0-{index}").select(field)
    app.button[[b.label for b in app.button].index("Check again with these columns")].click()
    app.run()
    assert not app.exception, app.exception
    assert metrics(app)["Rows to load"] == "2"
    app.button(key="save-0").click().run()
    assert query(db, "SELECT measure, value FROM measures ORDER BY value") == [
        ("Intelligence submissions", 20.0),
        ("Funding secured (GBP)", 5000.0),
    ]

    # Next quarter's return, same headers: read at once, without choosing anything.
    second_rows = [ODD_MEASURES[0], [2, "Funding secured (GBP)", "2025/26 Q2", "£12,500"]]
    second = builders.write_csv(tmp_path / "q2.csv", second_rows, title_rows=["Q2 return"])
    app = open_page(PAGE)
    app.file_uploader(key="files").upload(second.name, second.read_bytes()).run()
    assert "chosen for a file with the same headers" in app.info[0].value
    assert metrics(app)["Rows to load"] == "1"
    app.button(key="save-0").click().run()
    assert query(db, "SELECT sum(value) FROM measures") == [(17520.0,)]


def test_the_sheet_can_be_changed_when_there_are_several(db, tmp_path, local_admin):
    eve = ["E005", "Eve Five", "eve@example.org", "Housing", "Housing Officer",
           "CAMS Modern Slavery and Human Trafficking", "Completed", "03/06/2025"]  # fmt: skip
    partner = [TRAINING[0], TRAINING[1], TRAINING[5], eve]
    path = builders.write_xlsx(
        tmp_path / "two_sheets.xlsx", TRAINING[:3], extra_sheets={"Partner return": partner}
    )
    app = open_page(PAGE)
    app.file_uploader(key="files").upload(path.name, path.read_bytes()).run()
    assert "sheet **Report**" in " ".join(m.value for m in app.markdown)
    assert metrics(app)["Rows to load"] == "2"
    app.selectbox(key="sheet-0").select("Partner return").run()
    assert not app.exception, app.exception
    assert "sheet **Partner return**" in " ".join(m.value for m in app.markdown)
    assert metrics(app)["Rows to load"] == "3"
    app.button(key="save-0").click().run()
    assert query(db, "SELECT sheet, rows_loaded FROM uploads") == [("Partner return", 3)]


def test_a_check_keeps_the_figures_version_and_uses_up_no_upload_number(db, tmp_path):
    from cams_data import cache, upload_flow
    from cams_data.ingest import UploadRequest

    path = builders.write_csv(tmp_path / "training.csv", TRAINING[:3])
    request = UploadRequest(path.read_bytes(), path.name, db=db, uploaded_by="officer")
    upload_flow.check(request)  # creates and migrates the database
    before = cache.version(db)
    for _ in range(3):
        assert upload_flow.check(request).can_save
    assert cache.version(db) == before  # cached figures survive a check
    saved = upload_flow.save(request)
    assert saved.upload.upload_id == 1
    assert cache.version(db) != before


def test_the_problem_list_downloads_with_plain_row_numbers_and_no_formula():
    from cams_data import upload_flow
    from cams_data.problems import Problem

    problems = [
        Problem("'=1+1' is not a date", row=7, column="=Date", sheet="Report", code="bad-date"),
        Problem("The file has no header row"),
    ]
    text = upload_flow.problems_csv(problems).decode("utf-8-sig").splitlines()
    assert text == [
        "Sheet,Row,Column,Type,Problem",
        "Report,7,'=Date,bad-date,'=1+1' is not a date",
        ",,,,The file has no header row",
    ]


def test_a_new_survey_wave_compares_the_same_period_before_and_after(year_copy, tmp_path,
                                                                     local_admin):  # fmt: skip
    """A survey wave has no dates of its own: its changes are shown for the period the Overview
    opened on before the save, though the new wave's month moves the Overview on a quarter."""
    path, _ = builders.forms_survey_export(tmp_path / "survey.xlsx", respondents=20,
                                           wave_month=(2026, 1))  # fmt: skip
    app = open_page(PAGE)
    app.file_uploader(key="files").upload(path.name, path.read_bytes()).run()
    app.text_input(key="wave-0").input("2026-01").run()
    app.button(key="save-0").click().run()
    assert not app.exception, app.exception
    assert "Saved as upload" in app.success[0].value
    # the known year opens on its latest figures, 2025/26-Q3 (its October survey); a January
    # wave is not in that quarter's figures, so none moved
    assert "No headline figure for 2025/26-Q3 changed." in [c.value for c in app.caption]
    assert not [d for d in app.dataframe if "Indicator" in d.value.columns]


def test_saving_a_check_writes_what_it_showed_without_reading_the_file_again(db, tmp_path):
    """The Save button writes the rows the check validated; a second click changes nothing."""
    from cams_data import upload_flow
    from cams_data.ingest import UploadRequest

    path = builders.write_csv(tmp_path / "training.csv", [["Training report"], [], *TRAINING])
    request = UploadRequest(
        path.read_bytes(), path.name, db=db, skip_invalid=True, uploaded_by="officer"
    )
    checked = upload_flow.check(request)
    shown = (checked.upload.rows_read, checked.upload.rows_loaded, checked.upload.rows_skipped)
    assert shown == (5, 3, 1) and checked.upload.duplicates_folded == 1
    path.write_bytes(b"")  # the file is gone: the check's rows are what is saved

    saved = upload_flow.save(dataclasses.replace(request, data=b""), checked)

    assert saved.refusal is None and saved.upload.status == "loaded"
    assert (saved.upload.upload_id, saved.upload.rows_loaded, saved.upload.rows_skipped) == (
        1,
        3,
        1,
    )
    assert saved.upload.pending is None  # the rows are the database's now
    assert query(db, "SELECT uploaded_by, rows_read, rows_loaded, rows_skipped FROM uploads") == [
        ("officer", 5, 3, 1)
    ]
    assert query(db, "SELECT completed_on::VARCHAR FROM training ORDER BY 1") == [
        ("2025-05-14",),
        ("2025-05-15",),
        ("2025-06-02",),
    ]
    assert query(db, "SELECT row_no, message FROM upload_problems") == [
        (7, "the value is not a date (expected a date written day first, e.g. 14/05/2024)")
    ]  # the cell's value is shown to the officer, never stored
    before = snapshot(db)
    again = upload_flow.save(dataclasses.replace(request, data=b""), checked)
    assert (again.upload.status, again.upload.upload_id) == ("unchanged", 1)
    assert snapshot(db) == before


def test_a_check_overtaken_by_another_upload_is_refused_at_save_and_changes_nothing(db, tmp_path):
    """Monthly figures checked, then the same months loaded as a quarter: saving the check is
    refused with the reason, as a fresh upload would be."""
    from cams_data import upload_flow
    from cams_data.ingest import UploadRequest, ingest

    header = ["Month", "Referral type", "Type of exploitation", "Age group", "Count"]
    months = builders.write_csv(
        tmp_path / "monthly.csv",
        [header, *([m, "NRM", "Labour", "Adult", 2] for m in ("Apr-25", "May-25", "Jun-25"))],
    )
    quarter = builders.write_csv(
        tmp_path / "quarter.csv",
        [header, ["2025/26 Q1", "NRM", "Labour", "Adult", 6]],
    )
    monthly = UploadRequest(months.read_bytes(), months.name, db=db, uploaded_by="officer")
    checked = upload_flow.check(monthly)
    assert checked.can_save and checked.upload.rows_loaded == 3
    ingest(UploadRequest(quarter.read_bytes(), quarter.name, db=db))
    before = snapshot(db)

    saved = upload_flow.save(monthly, checked)

    assert not saved.can_save
    assert "upload 1 (quarter.csv) already has figures for the quarter" in saved.refusal
    assert snapshot(db) == before


def test_hostile_files_are_refused_on_the_page_and_the_next_file_still_saves(
    db, tmp_path, local_admin
):
    bomb = builders.zip_bomb_xlsx(
        tmp_path / "bomb.xlsx", uncompressed_mb=200, part="xl/worksheets/sheet1.XML"
    )
    long_cell = [*TRAINING[:2], [*TRAINING[2][:5], "R" * 200_000, *TRAINING[2][6:]]]
    too_long = builders.write_csv(tmp_path / "long.csv", long_cell)
    good = builders.write_csv(tmp_path / "training.csv", TRAINING[:3])
    app = open_page(PAGE)
    before = snapshot(db)
    for path in (bomb, too_long, good):
        app.file_uploader(key="files").upload(path.name, path.read_bytes())
    app.run()
    assert not app.exception, app.exception
    assert [e.value for e in app.error] == [
        "Part 'xl/worksheets/sheet1.XML' of the workbook is compressed 412 to 1 (the limit is "
        "100 to 1): this is how a 'zip bomb' is built, so the file was not opened.",
        "Row 3, column F has a cell of 200,000 characters; a cell this dashboard reads has at "
        "most 32,767 (Excel's own limit). Shorten it, then upload the file again.",
    ]
    assert snapshot(db) == before
    app.button(key="save-2").click().run()
    assert not app.exception, app.exception
    assert query(db, "SELECT count(*) FROM training") == [(2,)]


RENAMED_EXPORT = ["Learner name", "Email address", "Employee number", "Department", "Job title",
                  "Course title", "Completion status", "Date Finished"]  # fmt: skip


def test_a_renamed_date_column_is_chosen_in_the_open_form_and_every_completion_saves(
    demo_db, tmp_path, local_admin
):
    """'Date completed' renamed 'Date Finished': one problem about the file, the form open on
    that column with the detected kind, then every completion loads and undo offers it."""
    from cams_data.formatting import as_read

    path, expected = builders.messy_training_export(tmp_path / "completions.xlsx",
                                                    header=RENAMED_EXPORT)  # fmt: skip
    before = snapshot(demo_db)
    app = open_page(PAGE)
    app.file_uploader(key="files").upload(path.name, path.read_bytes()).run()
    assert not app.exception, app.exception

    assert [as_read(e.value) for e in app.error] == [
        "No column for the completion date. 'Date Finished' looks like it: use it? (Column H of "
        f"sheet 'Course completion' holds dates; {expected['statuses']['Completed']} rows say "
        "completed: each needs the date it was completed.) Choose it for the completion date "
        "when the columns are read, or rename its header 'Date completed'."
    ]
    assert not [d for d in app.dataframe if "Problem" in d.value.columns]  # no row list
    assert not app.metric  # nothing counted for a file refused whole
    assert "Choose the kind of data above first." not in [i.value for i in app.info]
    assert app.selectbox(key="kind-0").value is None  # detected, not chosen
    assert app.selectbox(key="map-0-7").label == "Column 'Date Finished'"  # the form is open
    assert app.selectbox(key="map-0-7").value == "completed_on"  # on the column that looks like it
    assert app.selectbox(key="map-0-6").value == "status"  # the rest as detected
    assert app.button(key="save-0").disabled
    assert snapshot(demo_db) == before

    app.button[[b.label for b in app.button].index("Check again with these columns")].click()
    app.run()
    assert not app.exception, app.exception
    assert not app.error
    shown = metrics(app)
    assert (shown["Rows read"], shown["Rows to load"], shown["Rows with problems"]) == (
        str(expected["rows_in_file"]),
        str(expected["rows_after_folding"]),
        "0",
    )
    app.button(key="save-0").click().run()
    assert not app.exception, app.exception

    (upload_id,) = query(demo_db, "SELECT max(upload_id) FROM uploads")[0]
    assert f"Saved as upload {upload_id}: {expected['rows_after_folding']} rows loaded" in (
        app.success[0].value
    )
    assert query(
        demo_db,
        "SELECT count_if(status = 'Completed'), count(completed_on) FROM training_rows "
        "WHERE upload_id = ?",
        [upload_id],
    ) == [(expected["completions"], expected["completions"])]
    assert app.selectbox(key="undo").value == upload_id  # not the older demo upload
    app.button(key="undo-open").click().run()
    app.button(key="undo-confirm").click().run()
    assert query(demo_db, "SELECT status FROM uploads WHERE upload_id = ?", [upload_id]) == [
        ("rolled_back",)
    ]


def test_rows_it_replaces_are_the_same_before_and_after_choosing_to_skip_invalid_rows(
    db, tmp_path, local_admin
):
    first = builders.write_csv(tmp_path / "may.csv", TRAINING[:3])
    again = builders.write_csv(tmp_path / "june.csv", TRAINING)  # the same two, and a bad date
    app = open_page(PAGE)
    app.file_uploader(key="files").upload(first.name, first.read_bytes()).run()
    app.button(key="save-0").click().run()
    app.file_uploader(key="files").upload(again.name, again.read_bytes()).run()
    assert "1 problem found; nothing was saved" in app.error[0].value
    refused = metrics(app)

    app.checkbox(key="skip-0").check().run()
    skipping = metrics(app)

    assert refused["Rows already loaded it replaces"] == "2"
    assert skipping["Rows already loaded it replaces"] == "2"
    assert refused == skipping
    app.button(key="save-0").click().run()
    assert "Saved as upload 2: 3 rows loaded, 2 rows it replaces." in app.success[0].value


def test_a_survey_whose_responses_span_months_is_questioned_above_the_save_button(
    db, tmp_path, local_admin
):
    # 1 to 12 October written month first, none with a day over 12: read day first, they run
    # from 10 January to 10 December.
    october = [dt.datetime(2025, 10, day, 10) for day in range(1, 13)]
    path, _ = builders.forms_survey_csv(tmp_path / "survey.csv", october)
    app = open_page(PAGE)
    app.file_uploader(key="files").upload(path.name, path.read_bytes()).run()
    assert not app.exception, app.exception

    assert "survey wave 2025-01." in " ".join(m.value for m in app.markdown)
    assert [c.value for c in app.caption if c.value.startswith("Dates were read")] == [
        "Dates were read day first (14/10/2025 = 14 October); none of them could tell. If "
        "they were written month first, give the wave at upload."
    ]
    assert [w.value for w in app.warning] == [
        "Responses run from 10 January 2025 to 10 December 2025 (335 days): check that this "
        "file holds one survey wave (was the date order right?)"
    ]
    assert query(db, "SELECT count(*) FROM survey") == [(0,)]
    app.text_input(key="wave-0").input("2025-10").run()
    assert "survey wave 2025-10." in " ".join(m.value for m in app.markdown)
    assert not app.button(key="save-0").disabled
    app.button(key="save-0").click().run()
    assert not app.exception, app.exception
    assert query(db, "SELECT DISTINCT wave FROM survey") == [("2025-10",)]
