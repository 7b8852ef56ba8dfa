"""Which survey columns are stored: names, e-mails and free text never are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import builders
from conftest import query

from cams_data.ingest import UploadRequest, ingest
from cams_data.shape import FREE_TEXT_NOTE, PERSONAL_NOTE

STORED = "stored as a question"
TODAY = dt.date(2026, 12, 1)  # after every date the builders write


def load(db: Path, path: Path):
    return ingest(UploadRequest(path.read_bytes(), path.name, db=db, today=TODAY))


def notes(upload, questions) -> dict[str, str]:
    return {c.header: c.note for c in upload.columns if c.header in questions}


def answers_per_question(db: Path) -> dict[str, int]:
    return dict(query(db, "SELECT question, count(*) FROM survey GROUP BY question"))


def test_names_emails_staff_numbers_and_typed_answers_are_not_stored(db, tmp_path):
    path, expected = builders.forms_survey_with_personal_questions(tmp_path / "survey.xlsx")

    upload = load(db, path)

    assert {c.header: c.note for c in upload.columns} == {
        "ID": "used for the respondent and the wave, not stored",
        "Start time": "not stored (not needed)",
        "Completion time": "used for the respondent and the wave, not stored",
        "Email": "not stored (personal data: read only to tell people apart)",
        "Name": "not stored (personal data: read only to tell people apart)",
        builders.SERVICE_AREA_QUESTION: "stored",
        builders.Q_NAME: PERSONAL_NOTE,
        builders.Q_WORK_EMAIL: PERSONAL_NOTE,
        builders.Q_STAFF_NUMBER: PERSONAL_NOTE,
        builders.Q_MAJOR: FREE_TEXT_NOTE,
        builders.Q_FOLLOW_UP: PERSONAL_NOTE,  # one answer holds an e-mail address
        builders.Q_NAME_A_CONCERN: STORED,
        builders.Q_RATING: STORED,
        builders.Q_SEEN: STORED,
    }
    assert upload.free_text_questions == [builders.Q_MAJOR]
    assert answers_per_question(db) == expected["stored"]
    ratings = query(
        db, "SELECT answer, count(*) FROM survey WHERE question = ? GROUP BY 1", [builders.Q_RATING]
    )
    assert dict(ratings) == dict.fromkeys(builders.RATINGS, 37)


YES_NO = ["Yes", "No"] * 10


def test_questions_asking_who_the_respondent_is_are_not_stored(db, tmp_path):
    asking = [
        "Name",
        "Full name",
        "First name",
        "Surname",
        "What is your name?",
        "Your name (optional)",
        "Name of respondent",
        "Your e-mail",
        "Email address",
        "Contact details",
        "Phone number",
        "Employee ID",
        "Staff number",
    ]
    not_asking = [
        "Do you know how to name a concern?",
        "Can you name the four types of exploitation?",
        "Have you completed the training?",
    ]
    path = builders.forms_survey_with(
        tmp_path / "survey.xlsx", {q: YES_NO for q in (*asking, *not_asking)}
    )

    upload = load(db, path)

    assert notes(upload, asking + not_asking) == {
        **dict.fromkeys(asking, PERSONAL_NOTE),
        **dict.fromkeys(not_asking, STORED),
    }
    assert answers_per_question(db) == dict.fromkeys(not_asking, 20)


def _answers(distinct: int, given: int, length: int = 0) -> list[str]:
    """`given` answers cycling through `distinct` different ones (each `length` characters long
    when given), blank for the rest of the file's 44 respondents."""
    options = [f"Answer {i}".ljust(length, ".") for i in range(distinct)]
    return [options[i % distinct] for i in range(given)] + [None] * (44 - given)


BOUNDARIES = {
    # Unique per respondent: more than 90% distinct among 10 or more answers.
    "Ten different among ten": (_answers(10, 10), PERSONAL_NOTE),
    "Nine different among ten": (_answers(9, 10), STORED),
    "Nine different among nine": (_answers(9, 9), STORED),
    # Typed: more than 12 different answers, and more than 30% of the answers.
    "Thirteen different among forty": (_answers(13, 40), FREE_TEXT_NOTE),
    "Twelve different among forty": (_answers(12, 40), STORED),
    "Thirteen different among forty-four": (_answers(13, 44), STORED),
    # Long: a median answer over 40 characters, with more than 30% different.
    "Seven long among twenty": (_answers(7, 20, 41), FREE_TEXT_NOTE),
    "Seven of forty characters among twenty": (_answers(7, 20, 40), STORED),
    "Five long among twenty (long options)": (_answers(5, 20, 60), STORED),
}


def test_unique_and_typed_answers_are_told_from_chosen_options_at_the_boundaries(db, tmp_path):
    path = builders.forms_survey_with(
        tmp_path / "survey.xlsx", {q: answers for q, (answers, _) in BOUNDARIES.items()}
    )

    upload = load(db, path)

    assert notes(upload, BOUNDARIES) == {q: note for q, (_, note) in BOUNDARIES.items()}
    stored = {q: len([a for a in answers if a]) for q, (answers, note) in BOUNDARIES.items()}
    assert answers_per_question(db) == {
        q: n for q, n in stored.items() if BOUNDARIES[q][1] == STORED
    }


def test_google_checkbox_answers_split_only_into_options_given_whole(db, tmp_path):
    question = "Where have you seen the campaign?"
    cells = [
        "Posters",
        "Intranet",
        "Posters, Intranet",  # two options, each given whole above: split
        "Intranet, Leaflets, flyers",  # 'Leaflets, flyers' given whole below: split in two
        "Leaflets, flyers",
        "Posters, Radio",  # nobody chose 'Radio' alone: kept as written
        "Yes, in the canteen",  # neither 'Yes' nor 'in the canteen' given whole: kept
    ]
    rows = [["Timestamp", question]]
    rows += [[f"0{day}/10/2025 09:00:00", cell] for day, cell in enumerate(cells, start=1)]
    path = builders.write_csv(tmp_path / "responses.csv", rows)

    load(db, path)

    assert sorted(query(db, "SELECT answer, count(*) FROM survey GROUP BY 1")) == [
        ("Intranet", 3),
        ("Leaflets, flyers", 2),
        ("Posters", 2),
        ("Posters, Radio", 1),
        ("Yes, in the canteen", 1),
    ]


def test_categories_across_are_columns_of_their_field_and_totals_are_not(db, tmp_path):
    """Home Office Table 5 with exploitation types across: each type's column is figures for
    that type ('Criminal [note 4]' too), the Total column is not counted."""
    path, _ = builders.home_office_table_5(tmp_path / "t5.xlsx", across="exploitation_type")

    upload = load(db, path)

    across = "figures for this exploitation type"
    assert [(c.header, c.field if c.stored else None, c.note) for c in upload.columns] == [
        ("Age group at exploitation [note 3]", "age_group", "stored"),
        ("Labour", "exploitation_type", across),
        ("Sexual", "exploitation_type", across),
        ("Criminal [note 4]", "exploitation_type", across),
        ("Domestic servitude", "exploitation_type", across),
        ("Organ harvesting", "exploitation_type", across),
        ("Not specified or unknown", "exploitation_type", across),
        ("Multiple", "exploitation_type", across),
        ("Total [note 2]", None, "not counted (a total)"),
    ]
    # 'Multiple' is the category itself, not a combination of types added up
    assert upload.breakdowns == [] and upload.breakdown_cells_added == 0


def test_note_markers_in_a_long_tables_headers_still_name_its_fields(db, tmp_path):
    path = builders.write_csv(
        tmp_path / "nrm.csv",
        [
            [
                "Exploitation type [note 2]",
                "Age at exploitation [note 3]",
                "Referrals [notes 1, 4]",
            ],
            ["Labour", "Adult (18 or over)", 7],
            ["Labour", "Children", 2],
            ["Total", "Total", 9],
        ],
        title_rows=["NRM referrals, UK, January to March 2024"],
    )

    upload = load(db, path)

    assert [c.field for c in upload.columns] == ["exploitation_type", "age_group", "referrals"]
    assert query(
        db, "SELECT exploitation_type, age_group, referrals FROM referrals ORDER BY 2"
    ) == [
        ("Labour", "Adult", 7),
        ("Labour", "Child", 2),
    ]


def test_a_row_of_data_naming_two_categories_is_not_taken_for_a_header(db, tmp_path):
    """'Not specified or unknown' twice, or a type beside an age group, is one category of each
    field: only two or more of one field's categories head a categories-across table."""
    path = builders.write_csv(
        tmp_path / "nrm.csv",
        [
            ["Not specified or unknown", "Not specified or unknown", "Labour"],
            ["Exploitation type", "Age group", "Number of referrals"],
            ["Labour", "Adult", 4],
            ["Not specified or unknown", "Not specified or unknown", 1],
        ],
        title_rows=["NRM referrals, UK, January to March 2024"],
    )

    upload = load(db, path)

    assert [c.field for c in upload.columns] == ["exploitation_type", "age_group", "referrals"]
    assert (
        upload.header_row == 4 and upload.suppressed_cells == []
    )  # row 2 is blank, row 3 the stray row
    assert query(db, "SELECT sum(referrals) FROM referrals") == [(5,)]
