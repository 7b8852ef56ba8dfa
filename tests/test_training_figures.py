"""The Training page's figures: coverage, completions, refresh due dates and the quarterly trend.

A messy training export and an establishment file are written here, row by row, and loaded
through the real ingest. Every expected figure below is worked out by hand from those rows (the
working is in the comments), never copied from the code under test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import builders
import pandas as pd
import pytest
from conftest import metrics, open_page

from cams_data import cli, dashboard, formatting, indicators, periods, store
from cams_data import training_figures as tf
from cams_data.ingest import UploadRequest, ingest
from cams_data.validate import Options

PAGE = "pages/training.py"
CCC = "Colchester City Council"
CBH = "Colchester Borough Homes"
CAMS = "CAMS Modern Slavery and Human Trafficking"
FR = "Home Office First Responder"
MANDATORY = "Mandatory Safeguarding"
INTRO = "Introduction to Safeguarding"
Q2 = periods.parse("2025/26-Q2")  # 01/07/2025 to 30/09/2025; as at 30/09/2025


def d(day: int, month: int, year: int) -> dt.date:
    return dt.date(year, month, day)


# --- the fixture -----------------------------------------------------------------------------
# Council staff (no organisation column: the default, Colchester City Council). Columns:
# name, e-mail, department, job title, course, status, date completed.
COUNCIL_HEADER = [
    "Learner name",
    "E-mail",
    "Department",
    "Job title",
    "Course title",
    "Completion status",
    "Date completed",
]
COUNCIL_ROWS = [
    # Housing
    ["Alex Example", "alex.example@colchester.gov.uk", "Housing", "Housing Officer", CAMS,
     "Completed", "15/08/2025"],
    ["Alex Example", "alex.example@colchester.gov.uk", "Housing", "Housing Officer", INTRO,
     "Completed", d(1, 1, 2020)],
    ["Alex Example", "Alex.Example@colchester.gov.uk", "Housing", "Housing Officer", MANDATORY,
     "COMPLETED", dt.datetime(2024, 3, 31, 14, 5)],
    ["Bo Sample", "bo.sample@colchester.gov.uk", "Housing", "Housing Officer", CAMS,
     "Passed", d(30, 9, 2022)],
    ["Bo Sample", "bo.sample@colchester.gov.uk", "Housing", "Housing Officer", MANDATORY,
     "Completed", "10/08/2025"],
    ["Cy Testcase", "cy.testcase@colchester.gov.uk", "Housing", "Housing Officer",
     "cams modern slavery and  human trafficking ", "Completed", "01/10/2022"],
    ["Cy Testcase", "cy.testcase@colchester.gov.uk", "Housing", "Housing Officer", MANDATORY,
     "Completed", "15/12/2023"],
    ["Di Dummy", "di.dummy@colchester.gov.uk", "Housing", "Team Leader", CAMS,
     "Completed", d(10, 5, 2023)],
    ["Di Dummy", "di.dummy@colchester.gov.uk", "Housing", "Team Leader", CAMS,
     "Completed", "20/08/2025"],
    ["Ed Fakename", "ed.fakename@colchester.gov.uk", "Housing", "Housing Officer", CAMS,
     "In progress", None],
    ["Ed Fakename", "ed.fakename@colchester.gov.uk", "Housing", "Housing Officer", MANDATORY,
     "Completed", "01/04/2024"],
    # Community Safety
    ["Flo Specimen", "flo.specimen@colchester.gov.uk", "Community Safety",
     "Community Safety Officer", CAMS, "Completed", "02/10/2025"],
    ["Flo Specimen", "flo.specimen@colchester.gov.uk", "Community Safety",
     "Community Safety Officer", FR, "Completed", "14/07/2024"],
    ["Gus Mockup", "gus.mockup@colchester.gov.uk", "Community Safety",
     "Community Safety Officer", CAMS, "Completed", d(31, 12, 2022)],
    ["Gus Mockup", "gus.mockup@colchester.gov.uk", "Community Safety",
     "Community Safety Officer", "HOME OFFICE FIRST RESPONDER", "Completed", "05/11/2024"],
    ["Hal Fictional", "hal.fictional@colchester.gov.uk", "Community Safety",
     "Community Safety Officer", FR, "Completed", "20/09/2025"],
    ["Hal Fictional", "hal.fictional@colchester.gov.uk", "Community Safety",
     "Community Safety Officer", MANDATORY, "Completed", "03/07/2025"],
    ["Hal Fictional", "hal.fictional@colchester.gov.uk", "Community Safety",
     "Community Safety Officer", MANDATORY, "Completed", "29/09/2025"],
    # Licensing: no staff numbers for it in the establishment
    ["Ivy Demo", "ivy.demo@colchester.gov.uk", "Licensing", "Licensing Officer", CAMS,
     "Completed", "01/07/2025"],
    ["Ivy Demo", "ivy.demo@colchester.gov.uk", "Licensing", "Licensing Officer", INTRO,
     "Completed", "01/10/2023"],
]  # fmt: skip
# The mess: a verbatim copy of Alex's CAMS row and a re-export of it with the e-mail in
# capitals (both one completion), and Alex's Mandatory row again as UK text.
COUNCIL_MESS = [
    COUNCIL_ROWS[0],
    ["Alex Example", "ALEX.EXAMPLE@COLCHESTER.GOV.UK", "Housing", "Housing Officer", CAMS,
     "Complete", "15/08/2025"],
    ["Alex Example", "alex.example@colchester.gov.uk", "Housing", "Housing Officer", MANDATORY,
     "Completed", "31/03/2024"],
]  # fmt: skip
# Colchester Borough Homes' return: no organisation column, given at upload.
PARTNER_HEADER = ["Full name", "Email address", "Service area", "Job role", "Course name",
                  "Status", "Completion date"]  # fmt: skip
PARTNER_ROWS = [
    ["Jo Sample", "jo.sample@cbh.example", "Housing Management", "Housing Officer", CAMS,
     "Completed", "01/06/2025"],
    ["Jo Sample", "jo.sample@cbh.example", "Housing Management", "Housing Officer", MANDATORY,
     "Completed", "30/09/2023"],
    ["Kit Example", "kit.example@cbh.example", "Housing Management", "Housing Officer", CAMS,
     "Completed", d(15, 9, 2025)],
]  # fmt: skip
# Staff in post, three snapshots. Two Housing Officer rows on one key are added up (3 + 1).
STAFF_HEADER = ["Organisation", "Department", "Job title", "Number of staff", "As at"]
STAFF_ROWS = [
    [CCC, "Housing", "Housing Officer", 3, d(1, 4, 2024)],
    [CCC, "Housing", "Team Leader", 1, d(1, 4, 2024)],
    [CCC, "Housing", "Housing Officer", 3, "01/04/2025"],
    [CCC, "Housing", "Housing Officer", 1, "01/04/2025"],
    [CCC, "Housing", "Team Leader", 1, "01/04/2025"],
    [CCC, "Community Safety", "Community Safety Officer", 3, "01/04/2025"],
    [CCC, "Finance", "Finance Officer", 2, "01/04/2025"],
    [CBH, "Housing Management", "Housing Officer", 5, "01/04/2025"],
    [CCC, "Housing", "Housing Officer", 8, d(1, 10, 2025)],
    [CCC, "Housing", "Team Leader", 2, d(1, 10, 2025)],
]


def load_training(tmp_path: Path, db: Path) -> None:
    council = builders.write_xlsx(
        tmp_path / "learning_pool.xlsx",
        [COUNCIL_HEADER, *COUNCIL_ROWS, *COUNCIL_MESS],
        title_rows=["Course completion report", "Generated on 03/11/2025 08:15"],
        notes_below=["Report includes archived users"],
    )
    partner = builders.write_csv(
        tmp_path / "cbh_return.csv", [PARTNER_HEADER, *PARTNER_ROWS], title_rows=["CBH training"]
    )
    ingest(UploadRequest(council.read_bytes(), council.name, db=db, kind="training"))
    ingest(
        UploadRequest(
            partner.read_bytes(),
            partner.name,
            db=db,
            kind="training",
            options=Options(organisation=CBH),
        )
    )


def load_staff(tmp_path: Path, db: Path) -> None:
    staff = builders.write_xlsx(
        tmp_path / "establishment.xlsx",
        [STAFF_HEADER, *STAFF_ROWS],
        title_rows=["Staff in post (HR establishment)"],
    )
    ingest(UploadRequest(staff.read_bytes(), staff.name, db=db, kind="establishment"))


@pytest.fixture
def loaded(db, tmp_path) -> Path:
    load_training(tmp_path, db)
    load_staff(tmp_path, db)
    return db


def figures(db: Path, function, *args):
    with store.connect(db, read_only=True) as con:
        return function(con, *args)


def rows(table: pd.DataFrame, key: str, columns: list[str]) -> dict:
    """{key value: (column values...)} with blanks as None, for exact comparison."""
    out = {}
    for record in table.to_dict("records"):
        out[record[key]] = tuple(None if pd.isna(record[c]) else record[c] for c in columns)
    return out


# --- the module ------------------------------------------------------------------------------


def test_the_messy_files_loaded_as_written(loaded):
    # 20 council rows + 3 partner rows; the 3 mess rows fold into rows already there.
    stored = figures(loaded, lambda con: con.execute("SELECT count(*) FROM training").fetchone())
    assert stored[0] == len(COUNCIL_ROWS) + len(PARTNER_ROWS)
    assert figures(loaded, tf.courses) == [CAMS, FR, INTRO, MANDATORY]
    assert tf.default_course(figures(loaded, tf.courses)) == CAMS


def test_coverage_by_service_area(loaded):
    # CAMS lasts 36 months: valid at 30/09/2025 if completed on or after 01/10/2022.
    # Housing: Alex 15/08/2025, Cy 01/10/2022 (its last valid day), Di 20/08/2025 (her latest);
    #   Bo 30/09/2022 has expired; Ed is only in progress. 3 of 3 + 1 + 1 = 5 in post.
    # Community Safety: Gus 31/12/2022; Flo's 02/10/2025 is after the period. 1 of 3.
    # Finance: nobody of 2. Licensing: Ivy 01/07/2025, but no staff numbers: coverage blank.
    # Housing Management (CBH): Jo 01/06/2025, Kit 15/09/2025. 2 of 5.
    table = figures(loaded, tf.coverage, Q2, CAMS, "service_area")
    assert rows(table, "service_area", ["trained", "headcount", "coverage"]) == {
        "Housing": (3, 5, 60.0),
        "Community Safety": (1, 3, 33.3),
        "Finance": (0, 2, 0.0),
        "Licensing": (1, None, None),
        "Housing Management": (2, 5, 40.0),
    }
    assert list(table["service_area"]) == [
        "Finance",
        "Community Safety",
        "Housing Management",
        "Housing",
        "Licensing",
    ]  # lowest coverage first, no headcount last


def test_coverage_by_role_organisation_and_in_total(loaded):
    # Housing Officer: Alex, Cy (council) + Jo, Kit (CBH) = 4 of 4 + 5 = 9.
    by_role = figures(loaded, tf.coverage, Q2, CAMS, "role")
    assert rows(by_role, "role", ["trained", "headcount", "coverage"]) == {
        "Housing Officer": (4, 9, 44.4),
        "Team Leader": (1, 1, 100.0),
        "Community Safety Officer": (1, 3, 33.3),
        "Finance Officer": (0, 2, 0.0),
        "Licensing Officer": (1, None, None),
    }
    by_org = figures(loaded, tf.coverage, Q2, CAMS, "organisation")
    assert rows(by_org, "organisation", ["trained", "headcount", "coverage"]) == {
        CCC: (5, 10, 50.0),  # Alex, Cy, Di, Gus, Ivy of 5 + 3 + 2
        CBH: (2, 5, 40.0),
    }
    total = figures(loaded, tf.coverage, Q2, CAMS, None)
    assert rows(total, "group", ["trained", "headcount", "coverage"]) == {
        "All staff": (7, 15, 46.7)
    }
    only_cbh = figures(loaded, tf.coverage, Q2, CAMS, "service_area", CBH)
    assert rows(only_cbh, "service_area", ["trained", "headcount", "coverage"]) == {
        "Housing Management": (2, 5, 40.0)
    }


def test_a_course_without_a_cycle_never_expires(loaded):
    # Introduction to Safeguarding: Alex's 01/01/2020 still counts. Ivy's is in Licensing.
    table = figures(loaded, tf.coverage, Q2, INTRO, "service_area")
    assert rows(table, "service_area", ["trained", "headcount"])["Housing"] == (1, 5)
    assert tf.refresh_months(INTRO) is None
    assert INTRO not in set(figures(loaded, tf.refresh_status, Q2, None)["course"])


def test_the_staff_snapshot_follows_the_period(loaded):
    assert figures(loaded, tf.staff_snapshot, Q2) == d(1, 4, 2025)
    # 2025/26-Q3 ends 01/01/2026: the 01/10/2025 snapshot, Housing 8 + 2 = 10. Valid CAMS
    # completions on or after 01/01/2023: Alex and Di (Cy's 01/10/2022 has now expired).
    q3 = periods.parse("2025/26-Q3")
    assert figures(loaded, tf.staff_snapshot, q3) == d(1, 10, 2025)
    housing = rows(figures(loaded, tf.coverage, q3, CAMS), "service_area", ["trained", "headcount"])
    assert housing["Housing"] == (2, 10)
    # 2023/24-Q1 ends 01/07/2023, before any snapshot: the earliest, 01/04/2024, Housing 3 + 1.
    # Valid then: Bo 30/09/2022, Cy 01/10/2022, Di 10/05/2023. Alex's is later.
    early = periods.parse("2023/24-Q1")
    assert figures(loaded, tf.staff_snapshot, early) == d(1, 4, 2024)
    housing = rows(figures(loaded, tf.coverage, early, CAMS), "service_area", ["trained"])
    assert housing["Housing"] == (3,)
    assert rows(figures(loaded, tf.coverage, early, CAMS), "service_area", ["coverage"])[
        "Housing"
    ] == (75.0,)


def test_due_and_overdue_per_service_area(loaded):
    # As at 30/09/2025; due = expires by 31/12/2025.
    # CAMS (36 months), Housing: Bo 30/09/2022 expired 30/09/2025 (overdue); Cy 01/10/2022
    #   expires 01/10/2025 (due); Alex and Di current. Community Safety: Gus 31/12/2022 expires
    #   31/12/2025 (due). Licensing: Ivy current. Housing Management: Jo, Kit current.
    table = figures(loaded, tf.refresh_status, Q2, "service_area")
    cams = table[table["course"] == CAMS]
    assert rows(cams, "service_area", ["overdue", "due_soon", "current"]) == {
        "Housing": (1, 1, 2),
        "Community Safety": (0, 1, 0),
        "Licensing": (0, 0, 1),
        "Housing Management": (0, 0, 2),
    }
    # First Responder (12 months), Community Safety: Flo 14/07/2024 overdue, Gus 05/11/2024
    # due 05/11/2025, Hal 20/09/2025 current.
    fr = table[table["course"] == FR]
    assert rows(fr, "service_area", ["overdue", "due_soon", "current"]) == {
        "Community Safety": (1, 1, 1)
    }
    # Mandatory (24 months): Housing: Cy 15/12/2023 due 15/12/2025; Alex 31/03/2024, Ed
    # 01/04/2024, Bo 10/08/2025 current. Community Safety: Hal's latest 29/09/2025 current.
    # Housing Management: Jo 30/09/2023 expired 30/09/2025, overdue.
    mandatory = table[table["course"] == MANDATORY]
    assert rows(mandatory, "service_area", ["overdue", "due_soon", "current", "people"]) == {
        "Housing": (0, 1, 3, 4),
        "Community Safety": (0, 0, 1, 1),
        "Housing Management": (1, 0, 0, 1),
    }
    assert set(table.columns) == {
        "course",
        "service_area",
        "refresh_months",
        "overdue",
        "due_soon",
        "current",
        "people",
    }  # counts only: no person key, no name
    per_course = figures(loaded, tf.refresh_status, Q2, None)
    assert rows(per_course, "course", ["refresh_months", "overdue", "due_soon", "current"]) == {
        CAMS: (36, 1, 2, 5),
        FR: (12, 1, 1, 1),
        MANDATORY: (24, 1, 1, 4),
    }
    cbh = figures(loaded, tf.refresh_status, Q2, "service_area", CBH, MANDATORY)
    assert rows(cbh, "service_area", ["overdue", "due_soon", "current"]) == {
        "Housing Management": (1, 0, 0)
    }


def test_completions_in_the_period(loaded):
    # 01/07/2025-30/09/2025. CAMS: Alex 15/08 (its copy and re-export fold away), Di 20/08,
    # Ivy 01/07, Kit 15/09. First Responder: Hal 20/09. Mandatory: Bo 10/08, Hal 03/07 and
    # 29/09 (two completions, one person). Flo's CAMS 02/10/2025 is after the period.
    table = figures(loaded, tf.completions, Q2)
    assert rows(table, "course", ["completions", "people"]) == {
        CAMS: (4, 4),
        MANDATORY: (3, 2),
        FR: (1, 1),
        INTRO: (0, 0),
    }
    by_area = figures(loaded, tf.completions, Q2, "service_area")
    got = {(r.service_area, r.course): (r.completions, r.people) for r in by_area.itertuples()}
    assert got == {
        ("Housing", CAMS): (2, 2),
        ("Housing", MANDATORY): (1, 1),
        ("Community Safety", FR): (1, 1),
        ("Community Safety", MANDATORY): (2, 1),
        ("Licensing", CAMS): (1, 1),
        ("Housing Management", CAMS): (1, 1),
    }
    by_org = figures(loaded, tf.completions, Q2, "organisation", CCC)
    assert by_org.groupby("organisation")["completions"].sum().to_dict() == {CCC: 7}
    head = figures(loaded, tf.headline, Q2, CAMS)
    assert (head.trained, head.headcount, head.coverage) == (7, 15, 46.7)
    # CAMS in Q2: Alex, Di, Ivy, Kit (the 8 of every course are the chart's, not the box's);
    # 2025/26-Q1: Jo's CAMS 01/06/2025 only.
    assert (head.completions.completions, head.previous_completions.completions) == (4, 1)
    assert head.previous_completions.period == periods.parse("2025/26-Q1")
    assert head.change == 3
    assert (head.overdue, head.due_soon, head.staff_as_of) == (1, 2, d(1, 4, 2025))


def test_completions_per_quarter(loaded):
    # The 8 quarters 2023/24-Q3 (from 01/10/2023) to 2025/26-Q2.
    # 2023/24-Q3: Ivy Intro 01/10/2023, Cy Mandatory 15/12/2023. Q4: Alex Mandatory 31/03/2024.
    # 2024/25-Q1: Ed Mandatory 01/04/2024. Q2: Flo FR 14/07/2024. Q3: Gus FR 05/11/2024.
    # Q4: none. 2025/26-Q1: Jo CAMS 01/06/2025. Q2: as above. Jo's Mandatory 30/09/2023 is
    # in 2023/24-Q2, before the window.
    table = figures(loaded, tf.completions_by_quarter, Q2)
    wide = table.pivot(index="quarter", columns="course", values="completions")
    expected = {
        "2023/24-Q3": {CAMS: 0, FR: 0, INTRO: 1, MANDATORY: 1},
        "2023/24-Q4": {CAMS: 0, FR: 0, INTRO: 0, MANDATORY: 1},
        "2024/25-Q1": {CAMS: 0, FR: 0, INTRO: 0, MANDATORY: 1},
        "2024/25-Q2": {CAMS: 0, FR: 1, INTRO: 0, MANDATORY: 0},
        "2024/25-Q3": {CAMS: 0, FR: 1, INTRO: 0, MANDATORY: 0},
        "2024/25-Q4": {CAMS: 0, FR: 0, INTRO: 0, MANDATORY: 0},
        "2025/26-Q1": {CAMS: 1, FR: 0, INTRO: 0, MANDATORY: 0},
        "2025/26-Q2": {CAMS: 4, FR: 1, INTRO: 0, MANDATORY: 3},
    }
    assert list(dict.fromkeys(table["quarter"])) == list(expected)
    assert {q: wide.loc[q].to_dict() for q in expected} == expected
    # The year 2025/26: its Q3 holds Flo's CAMS 02/10/2025; its Q4 starts after the latest
    # completion loaded, so it is blank (not yet known), not 0.
    year = figures(loaded, tf.completions_by_quarter, periods.parse("2025/26"))
    q3 = year[year["quarter"] == "2025/26-Q3"].set_index("course")["completions"].to_dict()
    assert q3 == {CAMS: 1, FR: 0, INTRO: 0, MANDATORY: 0}
    assert year[year["quarter"] == "2025/26-Q4"]["completions"].isna().all()
    cbh = figures(loaded, tf.completions_by_quarter, Q2, CBH)
    assert cbh.groupby("quarter")["completions"].sum().to_dict()["2025/26-Q2"] == 1  # Kit


def test_builder_export_completions_add_up_per_course(db, tmp_path):
    path, expected = builders.messy_training_export(tmp_path / "lp.xlsx", people=40, seed=3)
    ingest(UploadRequest(path.read_bytes(), path.name, db=db, kind="training"))
    years = [periods.financial_year(y) for y in range(2021, 2027)]
    totals: dict[str, int] = {}
    for year in years:
        for r in figures(db, tf.completions, year).itertuples():
            totals[tf.course_key(r.course)] = totals.get(tf.course_key(r.course), 0) + r.completions
    want = {tf.course_key(c): n for c, n in expected["completions_by_course"].items()}
    assert {k: v for k, v in totals.items() if v} == want
    # No establishment: trained counts with coverage blank, no division by zero.
    table = figures(db, tf.coverage, periods.parse("2025/26"), tf.default_course(list(want)))
    assert table["headcount"].isna().all() and table["coverage"].isna().all()


def test_refresh_cycles_are_data():
    assert tf.refresh_months("home office  first responder ") == 12
    assert tf.refresh_months("Protecting Human Rights in the Supply Chain (Modern Slavery)") == 36
    assert tf.refresh_months(CAMS) == 36
    assert tf.refresh_months(MANDATORY) == 24
    assert tf.refresh_months("Designated Safeguarding Officer refresher") == 24
    assert tf.refresh_months("A course nobody listed") is None
    assert [q.label for q in tf.trend_quarters(periods.parse("2025/26"), 3)] == [
        "2025/26-Q2",
        "2025/26-Q3",
        "2025/26-Q4",
    ]


# --- the page --------------------------------------------------------------------------------


def test_page_on_an_empty_database(db):
    app = open_page(PAGE)
    assert app.title[0].value == "Training"
    assert "No training figures yet" in app.info[0].value
    assert not app.metric and not app.dataframe


def test_page_with_staff_numbers_but_no_training(db, tmp_path):
    load_staff(tmp_path, db)
    app = open_page(PAGE)
    assert "No training figures yet" in app.info[0].value
    assert "python -m cams_data ingest" in app.info[0].value


def test_page_with_training_but_no_staff_numbers(db, tmp_path):
    load_training(tmp_path, db)
    app = open_page(PAGE, period="2025/26-Q2")
    assert metrics(app)["Coverage"] == formatting.NO_DATA
    assert any("No staff numbers yet" in i.value for i in app.info)
    coverage = app.dataframe[0].value  # by service area: trained counts, coverage blank
    assert dict(zip(coverage["Service area"], coverage["Trained"], strict=True)) == {
        "Housing": 3,
        "Community Safety": 1,
        "Licensing": 1,
        "Housing Management": 2,
    }
    assert coverage["Coverage (%)"].isna().all()


def test_page_shows_the_hand_worked_figures(loaded):
    app = open_page(PAGE, period="2025/26-Q2")
    assert app.selectbox(key="course").value == CAMS  # the default course
    assert metrics(app) == {
        "Coverage": "47%",  # 7 of 15
        f"Completions of {CAMS} in 2025/26-Q2": "4",  # Alex, Di, Ivy, Kit
        "Overdue for refresh": "1",
        "Due within 3 months": "2",
    }
    assert app.metric[1].delta == "3"  # 4 against Jo's 1 in 2025/26-Q1
    assert app.header[-2].value == "Completions of every course in 2025/26-Q2"
    by_area = app.dataframe[0].value
    assert list(by_area.columns) == ["Service area", "Trained", "Headcount", "Coverage (%)"]
    got = {
        r["Service area"]: (r["Trained"], None if pd.isna(r["Coverage (%)"]) else r["Coverage (%)"])
        for r in by_area.to_dict("records")
    }
    assert got == {
        "Housing": (3, 60.0),
        "Community Safety": (1, 33.3),
        "Finance": (0, 0.0),
        "Licensing": (1, None),
        "Housing Management": (2, 40.0),
    }
    captions = " ".join(c.value for c in app.caption)
    assert "Housing had the highest coverage" in captions
    assert "1 are overdue and 2 are due within 3 months" in captions
    refresh = app.dataframe[3].value  # after the three coverage tabs
    assert dict(zip(refresh["Service area"], refresh["Overdue"], strict=True)) == {
        "Housing": 1,
        "Community Safety": 0,
        "Licensing": 0,
        "Housing Management": 0,
    }
    # Completions over time: the last table, quarters down, courses across.
    trend = app.dataframe[-1].value.set_index("Quarter")
    assert trend.loc["2025/26-Q2", CAMS] == 4 and trend.loc["2023/24-Q3", INTRO] == 1


def test_page_filters_by_course_and_organisation(loaded):
    app = open_page(PAGE, period="2025/26-Q2", course=FR)
    # First Responder (12 months) valid from 01/10/2024: Gus 05/11/2024, Hal 20/09/2025.
    assert metrics(app)["Coverage"] == "13%"  # 2 of 15
    assert metrics(app)["Overdue for refresh"] == "1"  # Flo
    assert metrics(app)["Due within 3 months"] == "1"  # Gus
    app = open_page(PAGE, period="2025/26-Q2", organisation=CBH)
    assert metrics(app) == {
        "Coverage": "40%",  # Jo and Kit of 5
        f"Completions of {CAMS} in 2025/26-Q2": "1",  # Kit
        "Overdue for refresh": "0",
        "Due within 3 months": "0",
    }
    assert list(app.dataframe[0].value["Service area"]) == ["Housing Management"]


def test_page_on_the_demo_data(demo_db):
    db = demo_db
    period = periods.parse("2025/26-Q2")
    names = figures(db, tf.courses)
    course = tf.default_course(names)
    head = figures(db, tf.headline, period, course)
    app = open_page(PAGE, period=period.label)
    assert "Demo data is loaded" in app.warning[0].value
    shown = metrics(app)
    assert shown["Coverage"] == formatting.number(head.coverage, "%")
    with store.connect(db, read_only=True) as con:
        overview = indicators.progress_of(con, indicators.find(CAMS_INDICATOR), period)
    assert shown[f"Completions of {course} in {period.label}"] == formatting.number(
        overview.current.value, "completions"
    )
    assert app.metric[1].delta == formatting.change(overview.change, "completions")
    coverage = figures(db, tf.coverage, period, course, "service_area")
    assert app.dataframe[0].value["Trained"].tolist() == coverage["trained"].tolist()
    assert sum(coverage["trained"]) == head.trained
    trend = figures(db, tf.completions_by_quarter, period)
    assert app.dataframe[-1].value.drop(columns="Quarter").sum().sum() == trend["completions"].sum()
    assert len(app.get("vega_lite_chart")) == 7  # 3 coverage tabs, refresh, 2 completions, trend


# --- one figure, one answer: the page, the Overview and `progress --json` --------------------

CAMS_INDICATOR = "cams-training-completions"


def cli_value(db: Path, capsys, period: str, organisation: str | None) -> float | None:
    """The CAMS completions `python -m cams_data progress --json` prints."""
    args = ["progress", "--db", str(db), "--period", period, "--json"]
    assert cli.main(args + (["--organisation", organisation] if organisation else [])) == 0
    report = __import__("json").loads(capsys.readouterr().out)
    rows = {i["id"]: i for o in report for i in o["indicators"]}
    return rows[CAMS_INDICATOR]["value"]


def three_ways(db: Path, capsys, period: periods.ReportingPeriod, organisation: str | None):
    """(Training page, Overview indicator, progress --json) for CAMS completions."""
    indicator = indicators.find(CAMS_INDICATOR)
    with store.connect(db, read_only=True) as con:
        page = tf.course_completions(con, period, [CAMS], organisation).completions
        overview = indicators.progress_of(con, indicator, period, organisation)  # as progress()
    return page, overview.current.value, cli_value(db, capsys, period.label, organisation)


def test_the_known_year_gives_one_answer_for_cams_completions(known_year, capsys):
    # tests/fixture_year.py: Housing Officers completed CAMS on 14/04 and 02/05/2025 (Q1),
    # 01/07, 15/07, 20/08 and 19/09/2025 (Q2): 2, 4 and 6 in the year; nothing before.
    db = known_year[0]
    assert three_ways(db, capsys, periods.parse("2025/26-Q1"), None) == (2, 2, 2)
    assert three_ways(db, capsys, periods.parse("2025/26-Q2"), None) == (4, 4, 4)
    assert three_ways(db, capsys, periods.parse("2025/26"), None) == (6, 6, 6)
    assert three_ways(db, capsys, periods.parse("2025/26-Q2"), CCC) == (4, 4, 4)
    # Completions of other courses before and after it make 2023/24-Q3's none a real 0; 2020/21
    # ends before the first completion (01/05/2021) and 2025/26-Q3 starts after the last
    # (20/09/2025): no data, not 0.
    assert three_ways(db, capsys, periods.parse("2023/24-Q3"), None) == (0, 0, 0)
    assert three_ways(db, capsys, periods.parse("2020/21"), None) == (None, None, None)
    assert three_ways(db, capsys, periods.parse("2025/26-Q3"), None) == (None, None, None)


def test_the_fixture_counts_the_course_not_every_course(loaded, capsys):
    # CAMS per quarter, from the rows above: 2025/26-Q1 Jo 01/06/2025; Q2 Alex, Di, Ivy, Kit;
    # Q3 Flo 02/10/2025. Council only in Q2: Alex, Di, Ivy. CBH: Kit.
    q1, q2, q3 = (periods.parse(f"2025/26-Q{n}") for n in (1, 2, 3))
    assert three_ways(loaded, capsys, q1, None) == (1, 1, 1)
    assert three_ways(loaded, capsys, q2, None) == (4, 4, 4)
    assert three_ways(loaded, capsys, q2, CCC) == (3, 3, 3)
    assert three_ways(loaded, capsys, q2, CBH) == (1, 1, 1)
    assert three_ways(loaded, capsys, q3, None) == (1, 1, 1)
    # Q4 starts after the latest completion loaded (02/10/2025): no data, not 0.
    assert three_ways(loaded, capsys, periods.parse("2025/26-Q4"), None) == (None, None, None)


def test_every_period_and_organisation_of_the_demo_data_gives_one_answer(demo_db, capsys):
    with store.connect(demo_db, read_only=True) as con:
        choices = [periods.parse(label) for label in dashboard.period_choices(con)]
        organisations = [None, *dashboard.organisations(con)]
    # the two with training, and three partners with measures only (none: no data, never 0)
    assert len(organisations) == 6 and len(choices) > 8
    for period in choices:
        for organisation in organisations:
            page, overview, printed = three_ways(demo_db, capsys, period, organisation)
            assert page == overview == printed, (period.label, organisation)


def test_refresher_training_falls_due_quarter_by_quarter(loaded):
    # As at 30/09/2025, the four quarters after it. First Responder (12 months), Community
    # Safety: Flo 14/07/2024 expired before (overdue, in no quarter); Gus 05/11/2024 expires
    # 05/11/2025 (2025/26-Q3, the page's "due within 3 months"); Hal 20/09/2025 expires
    # 20/09/2026 (2026/27-Q2). Nobody has completed the supply-chain course.
    table = figures(loaded, tf.refresher_due_by_quarter, Q2)
    quarters = ["2025/26-Q3", "2025/26-Q4", "2026/27-Q1", "2026/27-Q2"]
    assert list(table.columns) == ["course_group", "service_area", *quarters]
    assert rows(table, "service_area", ["course_group", *quarters]) == {
        "Community Safety": ("First Responder (yearly)", 1, 0, 0, 1)
    }
    due_soon = figures(loaded, tf.refresh_status, Q2, "service_area", None, FR)
    assert table["2025/26-Q3"].sum() == due_soon["due_soon"].sum() == 1
    assert figures(loaded, tf.refresher_due_by_quarter, Q2, CBH).empty  # CBH: no FR course
