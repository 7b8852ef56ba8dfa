"""Staff-survey exports as Microsoft Forms and Google Forms write them: the figures stored, the
order the response dates were read in, and a wave whose responses span too long questioned.

The twelve responses are `builders.TWELVE_RESPONSES`, the same in every file: 12 answers to the
reporting question (6 Yes, 2 No, 2 Not sure, 2 'Yes, but not who to call out of hours'), 10 to
the confidence question (two skipped), and 17 options chosen (Posters in the café 5, Intranet
article 3, Training 5, 'Leaflets, flyers or cards' 4); the comments are free text, not stored.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import builders
import pytest
from builders import INTRANET, LEAFLETS, POSTERS, REPORT_WITH_A_COMMA, SEEN_HERE, TRAINING
from conftest import query, snapshot

from cams_data import cli
from cams_data.ingest import UploadRequest, ingest
from cams_data.problems import Refused
from cams_data.validate import Options

TODAY = dt.date(2026, 12, 1)
# Twelve completion times in October 2025; the fourth (row 5 of the file) is the first on a
# day over 12: Tuesday 14 October, 12:21:31.
OCTOBER = [
    dt.datetime(2025, 10, day, 9 + i % 8, 7 * i % 60, 31)
    for i, day in enumerate((2, 6, 9, 14, 15, 16, 20, 21, 22, 23, 27, 30))
]
# 1 to 12 October, 10 am: every date's day and month are both 12 or under.
FIRST_TWELVE_DAYS = [dt.datetime(2025, 10, day, 10) for day in range(1, 13)]
ANSWERS_BY_QUESTION = {builders.Q_REPORT: 12, builders.Q_CONFIDENT: 10, SEEN_HERE: 17}
OPTIONS_CHOSEN = {POSTERS: 5, INTRANET: 3, TRAINING: 5, LEAFLETS: 4}
REPORT_ANSWERS = {"Yes": 6, "No": 2, "Not sure": 2, REPORT_WITH_A_COMMA: 2}
NONE_COULD_TELL = (
    "Dates were read day first (14/10/2025 = 14 October); none of them could tell. "
    "If they were written month first, give the wave at upload."
)


def load(db: Path, path: Path, **kwargs):
    return ingest(UploadRequest(path.read_bytes(), path.name, db=db, today=TODAY, **kwargs))


def stored(db: Path) -> dict[str, object]:
    """The figures the survey view holds: waves, responses, answers per question and options."""

    def counts(sql: str, params=()) -> dict:
        return dict(query(db, sql, list(params)))

    return {
        "responses_by_wave": counts(
            "SELECT wave, count(DISTINCT respondent_key) FROM survey GROUP BY 1"
        ),
        "answers_by_question": counts("SELECT question, count(*) FROM survey GROUP BY 1"),
        "options_chosen": counts(
            "SELECT answer, count(*) FROM survey WHERE question = ? GROUP BY 1", [SEEN_HERE]
        ),
        "report_answers": counts(
            "SELECT answer, count(*) FROM survey WHERE question = ? GROUP BY 1",
            [builders.Q_REPORT],
        ),
    }


def twelve_in(wave: str) -> dict[str, object]:
    return {
        "responses_by_wave": {wave: 12},
        "answers_by_question": ANSWERS_BY_QUESTION,
        "options_chosen": OPTIONS_CHOSEN,
        "report_answers": REPORT_ANSWERS,
    }


def test_the_builders_figures_are_the_ones_these_tests_state(tmp_path):
    _, expected = builders.google_forms_export(tmp_path / "g.csv", OCTOBER)
    assert expected["answers_by_question"] == ANSWERS_BY_QUESTION
    assert expected["options_chosen"] == OPTIONS_CHOSEN
    assert expected["report_answers"] == REPORT_ANSWERS


def test_a_google_forms_export_is_a_survey_with_checkbox_answers_split(db, tmp_path):
    path, expected = builders.google_forms_export(tmp_path / "responses.csv", OCTOBER)
    assert (
        path.read_text().splitlines()[1].startswith("2025/10/02 9:00:31 AM GMT+1,")
    )  # the form's own download: year first, so the date order is never in doubt

    upload = load(db, path)

    assert (upload.kind, upload.kind_detected) == ("survey", True)
    assert (upload.rows_read, upload.rows_loaded) == (12, 39)
    assert stored(db) == twelve_in("2025-10")
    assert upload.wave_from_dates == "2025-10"
    assert (upload.date_order, upload.warnings) == (None, [])
    # No response ID: each row is one respondent, the e-mail never part of the key.
    assert upload.identifiers == {"the response's row": 12}
    notes = {c.header: (c.stored, c.note) for c in upload.columns}
    assert notes["Timestamp"] == (True, "used for the respondent and the wave, not stored")
    assert notes["Email Address"] == (
        False,
        "not stored (personal data: read only to tell people apart)",
    )
    assert notes[builders.Q_COMMENTS] == (False, "not stored: free text")
    assert query(db, "SELECT count(*) FROM survey WHERE answer LIKE '%@%'") == [(0,)]
    assert len(expected["emails"]) == 12


@pytest.mark.parametrize(
    ("written", "first_row", "date_order"),
    [
        (
            "uk",
            "02/10/2025 09:00:31,",
            "Dates were read day first (14/10/2025 = 14 October), as row 5's "
            "'14/10/2025 12:21:31' shows.",
        ),
        (
            "us",
            "10/2/2025 9:00:31,",
            "Dates were read month first (10/14/2025 = 14 October), as row 5's "
            "'10/14/2025 12:21:31' shows.",
        ),
    ],
)
def test_a_google_sheet_download_is_read_in_its_locales_date_order(
    db, tmp_path, written, first_row, date_order
):
    path, _ = builders.google_forms_export(
        tmp_path / "responses.csv", OCTOBER, written=written, emails=False
    )
    assert path.read_text().splitlines()[1].startswith(first_row)

    upload = load(db, path)

    assert stored(db) == twelve_in("2025-10")
    assert (upload.wave_from_dates, upload.date_order, upload.warnings) == (
        "2025-10",
        date_order,
        [],
    )
    assert upload.identifiers == {"the response's row": 12}


def test_a_us_dated_microsoft_forms_csv_in_windows_1252_is_read_month_first(db, tmp_path):
    path, _ = builders.forms_survey_csv(tmp_path / "Staff survey.csv", OCTOBER)
    lines = path.read_bytes().decode("cp1252").splitlines()
    assert lines[1].startswith("1,10/2/2025 8:56:31,10/2/2025 9:00:31,")
    assert ",10/16/25 14:35," in lines[6]  # Excel's short form on some rows
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")

    upload = load(db, path)

    assert (upload.rows_read, upload.rows_loaded) == (12, 39)
    assert stored(db) == twelve_in("2025-10")
    assert upload.wave_from_dates == "2025-10"
    month_first = (
        "Dates were read month first (10/14/2025 = 14 October), as row 5's "
        "'10/14/2025 12:21:31' shows."
    )
    assert upload.date_order == month_first
    assert upload.warnings == []
    assert upload.identifiers == {"the form's response ID": 12}
    summary = upload.summary().splitlines()
    assert summary[3:5] == ["Survey wave 2025-10, taken from the response dates.", month_first]
    assert not any(line.startswith("Warning") for line in summary)


def test_dates_that_cannot_tell_are_read_day_first_and_the_summary_says_so(db, tmp_path):
    path, _ = builders.forms_survey_csv(
        tmp_path / "survey.csv", FIRST_TWELVE_DAYS, written="uk", encoding="utf-8"
    )
    assert ",12/10/2025 10:00:00," in path.read_text().splitlines()[12]

    upload = load(db, path)

    assert stored(db) == twelve_in("2025-10")
    assert (upload.wave_from_dates, upload.date_order, upload.warnings) == (
        "2025-10",
        NONE_COULD_TELL,
        [],
    )
    assert NONE_COULD_TELL in upload.summary().splitlines()
    assert upload.as_dict()["date_order"] == NONE_COULD_TELL


def test_us_dates_that_cannot_tell_read_day_first_are_questioned_before_saving(db, tmp_path):
    # 1 to 12 October written month first: day first they are the 10th of every month of 2025.
    path, _ = builders.forms_survey_csv(tmp_path / "survey.csv", FIRST_TWELVE_DAYS)
    span = (
        "Responses run from 10 January 2025 to 10 December 2025 (335 days): check that this "
        "file holds one survey wave (was the date order right?)"
    )

    checked = load(db, path, save=False)

    assert checked.status == "preview"
    assert (checked.wave_from_dates, checked.date_order, checked.warnings) == (
        "2025-01",
        NONE_COULD_TELL,
        [span],
    )
    assert f"Warning: {span}" in checked.summary().splitlines()
    assert query(db, "SELECT count(*) FROM survey_rows") == [(0,)]  # checked, not saved

    given = load(db, path, options=Options(wave="2025-10"))

    assert stored(db) == twelve_in("2025-10")
    assert (given.wave_from_dates, given.warnings) == (None, [span])
    assert f"If it is wrong, undo it: python -m cams_data rollback {given.upload_id}" in (
        given.summary().splitlines()
    )


# 2 January to 10 March 2025, seven of the twelve in February.
WINTER = [
    dt.datetime(2025, month, day, 11)
    for month, day in (
        (1, 2),
        (1, 20),
        (2, 3),
        (2, 4),
        (2, 10),
        (2, 11),
        (2, 14),
        (2, 20),
        (2, 24),
        (3, 3),
        (3, 5),
        (3, 10),
    )
]
SIXTY_EIGHT_DAYS = (
    "Responses run from 2 January 2025 to 10 March 2025 (68 days): check that this file holds "
    "one survey wave (was the date order right?)"
)


def test_responses_over_68_days_are_questioned_and_the_wave_is_the_busiest_month(db, tmp_path):
    path, _ = builders.google_forms_export(tmp_path / "responses.csv", WINTER, written="uk")

    upload = load(db, path, save=False)

    assert upload.wave_from_dates == "2025-02"
    assert upload.date_order == (
        "Dates were read day first (14/10/2025 = 14 October), as row 3's '20/01/2025 11:00:00' "
        "shows."
    )
    assert upload.warnings == [SIXTY_EIGHT_DAYS]


def test_the_cli_warns_in_its_text_and_json(db, tmp_path, capsys):
    path, _ = builders.google_forms_export(tmp_path / "responses.csv", WINTER, written="uk")

    assert cli.main(["ingest", str(path), "--db", str(db), "--dry-run", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["status"], shown["wave_from_dates"], shown["warnings"]) == (
        "preview",
        "2025-02",
        [SIXTY_EIGHT_DAYS],
    )
    assert shown["date_order"].startswith("Dates were read day first")

    assert cli.main(["ingest", str(path), "--db", str(db)]) == 0
    text = capsys.readouterr().out.splitlines()
    assert f"Warning: {SIXTY_EIGHT_DAYS}" in text
    assert "If it is wrong, undo it: python -m cams_data rollback 1" in text
    assert stored(db) == twelve_in("2025-02")


def test_dates_written_both_ways_are_refused_naming_a_row_of_each(db, tmp_path):
    earlier, _ = builders.google_forms_export(
        tmp_path / "last_year.csv", [t.replace(year=2024) for t in OCTOBER]
    )
    load(db, earlier)
    before = snapshot(db)
    path, _ = builders.google_forms_export(tmp_path / "responses.csv", OCTOBER, written="uk")
    text = path.read_text()
    assert text.count("20/10/2025 15:42:31") == 1
    path.write_text(text.replace("20/10/2025 15:42:31", "10/20/2025 15:42:31"))
    mixed = (
        "The response times in column 'Timestamp' of sheet 'CSV' are written in two orders: "
        "row 5's '14/10/2025 12:21:31' is day first and row 8's '10/20/2025 15:42:31' is month "
        "first"
    )

    with pytest.raises(Refused) as refused:
        load(db, path)

    assert refused.value.code == "mixed-date-order"
    assert refused.value.message == (
        f"{mixed}, so the survey wave cannot be taken from them. Export the responses again "
        "from the survey tool, or give the wave at upload (e.g. --wave 2025-10)."
    )
    assert snapshot(db) == before

    given = load(db, path, options=Options(wave="2025-10"))

    assert (given.date_order, given.warnings) == (None, [f"{mixed}: they were not read."])
    assert stored(db)["responses_by_wave"] == {"2024-10": 12, "2025-10": 12}


def test_the_row_that_tells_the_date_order_is_the_files_first_even_with_a_blank_answer(
    db, tmp_path
):
    rows = [
        ["Timestamp", builders.Q_REPORT, builders.Q_CONFIDENT],
        ["03/10/2025 09:00:00", "Yes", "Very confident"],
        ["14/10/2025 09:00:00", None, "Fairly confident"],  # the first day over 12
        ["15/10/2025 09:00:00", "No", "Fairly confident"],
    ]
    path = builders.write_csv(tmp_path / "responses.csv", rows)

    upload = load(db, path)

    assert upload.date_order == (
        "Dates were read day first (14/10/2025 = 14 October), as row 3's '14/10/2025 09:00:00' "
        "shows."
    )
    assert query(db, "SELECT question, count(*) FROM survey GROUP BY 1 ORDER BY 1") == [
        (builders.Q_REPORT, 2),
        (builders.Q_CONFIDENT, 3),
    ]
