"""The action plan page: actions by objective, overdue as at a given date, counts by status.

The tracker is built here as an officer keeps one: a title row, objectives written in full or
as numbers, due dates as real dates or as text like '31/10/2025', statuses in their own words,
an action with no due date, and one row pasted twice. Every expected figure is worked out by
hand from the rows below."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import builders
import duckdb
import pandas as pd
import pytest
from conftest import metrics, open_page

from cams_data import action_plan, indicators, periods, store
from cams_data.ingest import UploadRequest, ingest

PAGE = "pages/action_plan.py"
HEADER = ["Ref", "Objective", "Action", "Lead", "Due date", "Status", "Last updated"]
FCO = "Extend First Responder training to First Call Officers"
ROWS = [
    ["1.1", "1. Survivor Support and Care", FCO, "Community Safety", "31/10/2025", "Ongoing",
     "01/10/2025"],
    ["1.2", 1, "Name a Single Point of Contact", "Community Safety", dt.date(2025, 9, 30),
     "Complete", dt.date(2025, 10, 2)],
    ["1.3", "1", "Guidance for FCOs out of hours", "Community Safety", "30/11/2025",
     "not started", "01/10/2025"],
    ["2.1", "2. Funding and Sustainability", "External funding bid", "CAMS Steering Group",
     dt.date(2025, 11, 14), "On hold", dt.date(2025, 10, 20)],
    ["2.2", 2, "Partner contributions", "CAMS Steering Group", dt.date(2025, 11, 15),
     "In progress", dt.date(2025, 10, 20)],
    ["3.1", "3. Multi-agency approach to intelligence and disruption",
     "Information sharing protocol", "Essex Police", "31/08/2025", "Done", "05/09/2025"],
    ["4.1", "4. Partnership profile/awareness", "Anti-Slavery Day campaign", "Communications",
     "18/10/2025", "In progress", "01/10/2025"],
    ["4.2", 4, "Submit the transparency statement", "Corporate Policy", None, "Not started",
     "01/10/2025"],
    # the first action pasted again: one action, not two
    ["1.1", "1. Survivor Support and Care", FCO, "Community Safety", "31/10/2025", "Ongoing",
     "01/10/2025"],
]  # fmt: skip
# as at 15/11/2025: not completed and due before that day
OVERDUE_15_NOV = {FCO, "External funding bid", "Anti-Slavery Day campaign"}
# as at 31/12/2025 also the guidance (due 30/11) and the contributions (due 15/11)
OVERDUE_31_DEC = OVERDUE_15_NOV | {"Guidance for FCOs out of hours", "Partner contributions"}
# as at 15/11/2025, when every action had been updated at least once
NONE_YET = {"No update yet": 0}
BY_OBJECTIVE = {
    1: {"Completed": 1, "In progress": 1, "Not started": 1, "On hold": 0, **NONE_YET},
    2: {"Completed": 0, "In progress": 1, "Not started": 0, "On hold": 1, **NONE_YET},
    3: {"Completed": 1, "In progress": 0, "Not started": 0, "On hold": 0, **NONE_YET},
    4: {"Completed": 0, "In progress": 1, "Not started": 1, "On hold": 0, **NONE_YET},
}


@pytest.fixture
def tracker(db, tmp_path) -> Path:
    path = builders.write_xlsx(
        tmp_path / "action_tracker.xlsx",
        [HEADER, *ROWS],
        sheet="Action plan",
        title_rows=["CAMS Partnership action plan 2025-26 - progress tracker"],
    )
    upload = ingest(UploadRequest(path.read_bytes(), path.name, db=db))
    assert upload.kind == "actions"
    return db


def connect(db: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(db), read_only=True)


def test_as_at_is_the_period_end_or_today_if_earlier():
    q3 = periods.parse("2025/26-Q3")
    assert action_plan.as_at(q3, today=dt.date(2025, 11, 15)) == dt.date(2025, 11, 15)
    assert action_plan.as_at(q3, today=dt.date(2026, 5, 1)) == dt.date(2025, 12, 31)
    assert action_plan.as_at(periods.parse("2024/25"), today=dt.date(2026, 5, 1)) == dt.date(
        2025, 3, 31
    )


def test_overdue_as_at_a_date(tracker):
    with connect(tracker) as con:
        nov = action_plan.actions(con, dt.date(2025, 11, 15))
        dec = action_plan.actions(con, dt.date(2025, 12, 31))
        assert action_plan.overdue_count(con, dt.date(2025, 11, 15)) == 3
        assert action_plan.overdue_count(con, dt.date(2025, 12, 31)) == 5
        # the protocol due 31/08 was marked done on 05/09: overdue on 01/09, not on 05/09
        assert action_plan.overdue_count(con, dt.date(2025, 9, 1)) == 1
        assert action_plan.overdue_count(con, dt.date(2025, 9, 5)) == 0
    assert len(nov) == 8  # the pasted row is one action
    assert set(nov.loc[nov["overdue"], "action"]) == OVERDUE_15_NOV
    assert set(dec.loc[dec["overdue"], "action"]) == OVERDUE_31_DEC
    # due on the as-at day itself is not yet overdue; no due date is never overdue
    assert not nov.set_index("action").loc["Partner contributions", "overdue"]
    assert not dec.set_index("action").loc["Submit the transparency statement", "overdue"]
    days = dec.set_index("action")["days_overdue"]
    assert days[FCO] == 61  # 31/10 to 31/12
    assert days["Guidance for FCOs out of hours"] == 31
    assert dec.set_index("action").loc[FCO, "due_on"] == dt.date(2025, 10, 31)  # text date read


def test_counts_per_objective_and_status(tracker):
    with connect(tracker) as con:
        counts = action_plan.status_counts(con, dt.date(2025, 11, 15))
    assert list(counts["status"][:5]) == list(action_plan.STATUS_ORDER)
    found = {
        n: dict(zip(part["status"], part["actions"], strict=True))
        for n, part in counts.groupby("objective")
    }
    assert found == BY_OBJECTIVE
    overdue = counts.groupby("objective")["overdue"].sum().to_dict()
    assert overdue == {1: 1, 2: 1, 3: 0, 4: 1}
    assert counts["objective_label"].iloc[0] == "1. Survivor Support and Care"
    wide = action_plan.counts_table(counts).set_index("Objective")
    assert wide["Total"].tolist() == [3, 2, 1, 2]
    assert wide["Overdue"].tolist() == [1, 1, 0, 1]
    assert action_plan.describe_counts(counts, dt.date(2025, 11, 15)) == (
        "2 of 8 actions are completed and 3 are overdue as at 15/11/2025 "
        "(objective 1: 1, objective 2: 1, objective 4: 1)."
    )


def test_status_chart_uses_the_fixed_order_and_colours(tracker):
    with connect(tracker) as con:
        counts = action_plan.status_counts(con, dt.date(2025, 11, 15))
    spec = action_plan.status_chart(counts, title="t", subtitle="s").to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"] == [
        "Completed",
        "In progress",
        "Not started",
        "On hold",
        "No update yet",
    ]
    assert scale["range"] == ["#12436D", "#28A197", "#BFBFBF", "#F46A25", "#A285D1"]


def test_tables_by_objective_flag_overdue_in_words_and_colour(tracker):
    with connect(tracker) as con:
        plans = action_plan.by_objective(con, dt.date(2025, 11, 15))
    assert [p.number for p in plans] == [1, 2, 3, 4]
    first = plans[0]
    assert first.heading == "Objective 1: Survivor Support and Care"
    # due by 15/11/2025: the SPOC (30/09, complete) and the FCO extension (31/10, ongoing)
    assert first.summary == (
        "3 actions: 1 completed, 1 overdue; 1 of the 2 due by 15/11/2025 completed (50%)."
    )
    table = first.table.set_index("Action")
    assert list(first.table.columns) == [
        "Action",
        "Owner",
        "Due",
        "Status",
        "Overdue",
        "Last updated",
    ]
    assert table.loc[FCO, "Due"] == "31/10/2025"
    assert table.loc[FCO, "Overdue"] == "Overdue (15 days)"
    assert table.loc["Name a Single Point of Contact", "Overdue"] == ""
    assert first.table["Action"].iloc[0] == FCO  # overdue first
    html = action_plan.styled(first.table).to_html()
    filled = {
        int(row)
        for row in re.findall(r"row(\d+)_col\d+[^{]*\{[^}]*" + action_plan.OVERDUE_FILL, html)
    }
    assert filled == {0}
    assert plans[3].table.set_index("Action").loc["Submit the transparency statement", "Due"] == ""


# --- the page --------------------------------------------------------------------------------


def test_page_on_an_empty_database(db):
    app = open_page(PAGE)
    assert app.title[0].value == "Action plan"
    assert "No action plan yet" in app.info[0].value


def test_page_when_only_other_kinds_are_loaded(db, tmp_path):
    path, _ = builders.forms_survey_export(tmp_path / "survey.xlsx", respondents=12)
    ingest(UploadRequest(path.read_bytes(), path.name, db=db, kind="survey"))
    app = open_page(PAGE)
    assert "No action plan yet" in app.info[0].value
    assert not app.metric and not app.table


def test_page_shows_overdue_at_the_period_end(tracker, tmp_path):
    # the sidebar offers the periods the dated kinds reach: referrals from April 2025 make
    # 2025/26-Q1 and Q2 choosable as well as the tracker's Q3
    path, _ = builders.referral_crosstab(tmp_path / "referrals.xlsx")
    ingest(UploadRequest(path.read_bytes(), path.name, db=tracker))
    app = open_page(PAGE, period="2025/26-Q3")  # ends 31/12/2025, before today
    shown = metrics(app)
    assert shown["Actions"] == "8"
    assert shown["Completed"] == "2"
    assert shown["Overdue as at 31/12/2025"] == "5"
    tables = [t.value for t in app.table]
    assert [len(t) for t in tables] == [3, 2, 1, 2]
    first = tables[0].set_index("Action")
    assert first.loc[FCO, "Overdue"] == "Overdue (61 days)"
    assert first.loc["Guidance for FCOs out of hours", "Overdue"] == "Overdue (31 days)"
    counts = app.dataframe[0].value.set_index("Objective")
    assert counts["Overdue"].tolist() == [2, 2, 0, 1]
    assert counts["Completed"].tolist() == [BY_OBJECTIVE[n]["Completed"] for n in (1, 2, 3, 4)]
    assert any("overdue as at 31/12/2025" in c.value for c in app.caption)
    # an earlier quarter: as at 30/09/2025 nothing was overdue yet
    app.sidebar.selectbox(key="period").select("2025/26-Q2").run()
    assert metrics(app)["Overdue as at 30/09/2025"] == "0"


# --- the demo data -----------------------------------------------------------------------------


def test_page_on_the_demo_data(demo_db, demo_totals):
    path, totals = demo_db, demo_totals
    app = open_page(PAGE, period="2025/26-Q3")
    on = action_plan.as_at(periods.parse("2025/26-Q3"))
    with connect(path) as con:
        overdue = action_plan.overdue_count(con, on)
        plans = action_plan.by_objective(con, on)
    shown = metrics(app)
    assert shown["Actions"] == str(totals["actions"])
    assert shown[f"Overdue as at {on:%d/%m/%Y}"] == str(overdue)
    assert [len(t.value) for t in app.table] == [p.actions for p in plans]
    flagged = sum(t.value["Overdue"].str.startswith("Overdue").sum() for t in app.table)
    assert flagged == overdue


# --- statuses as at a date: a tracker uploaded twice --------------------------------------------

TRACKER_HEADER = ["Objective", "Action", "Lead", "Due date", "Status", "Last updated"]
SPOC, PATHWAY, HELPLINE = "Name a SPOC", "Survivor care pathway", "Helpline posters in hubs"
SEPTEMBER = [  # the tracker as kept on 01/09/2025
    TRACKER_HEADER,
    [1, SPOC, "Community Safety", "30/09/2025", "In progress", "01/09/2025"],
    [1, PATHWAY, "Community Safety", "15/09/2025", "Not started", "01/09/2025"],
]
OCTOBER = [  # the same tracker on 15/10/2025: the SPOC done in October, the pathway in
    # September, and a new action (with a real date and UK text mixed in)
    TRACKER_HEADER,
    [1, SPOC, "Community Safety", "30/09/2025", "Complete", dt.date(2025, 10, 10)],
    [1, PATHWAY, "Community Safety", dt.date(2025, 9, 15), "Done", "25/09/2025"],
    [1, HELPLINE, "Communications", "30/09/2025", "Completed", "15/10/2025"],
]


@pytest.fixture
def two_trackers(db, tmp_path) -> Path:
    for name, rows in (("tracker_2025-09.xlsx", SEPTEMBER), ("tracker_2025-10.xlsx", OCTOBER)):
        path = builders.write_xlsx(tmp_path / name, rows, title_rows=["CAMS action plan"])
        assert ingest(UploadRequest(path.read_bytes(), path.name, db=db)).kind == "actions"
    return db


def test_an_action_completed_after_the_date_does_not_count_at_it(two_trackers):
    # As at 30/09/2025: the SPOC was in progress (its completion on 10/10 came later), the
    # pathway done (25/09), the helpline posters not yet in any tracker: 1 completed.
    with connect(two_trackers) as con:
        sept = action_plan.actions(con, dt.date(2025, 9, 30)).set_index("action")
        octo = action_plan.actions(con, dt.date(2025, 10, 31)).set_index("action")
        aug = action_plan.actions(con, dt.date(2025, 8, 31)).set_index("action")
        plans = action_plan.by_objective(con, dt.date(2025, 9, 30))
    assert sept["status"].to_dict() == {
        SPOC: "In progress",
        PATHWAY: "Completed",
        HELPLINE: action_plan.NO_UPDATE,
    }
    assert sept.loc[SPOC, "updated_on"] == dt.date(2025, 9, 1)
    assert pd.isna(sept.loc[HELPLINE, "updated_on"])
    assert octo["status"].to_dict() == {
        SPOC: "Completed",
        PATHWAY: "Completed",
        HELPLINE: "Completed",
    }
    assert set(aug["status"]) == {action_plan.NO_UPDATE}  # nothing recorded by 31/08
    # due before 31/08? none; the pathway (due 15/09) is overdue when not done by then
    assert sept["overdue"].sum() == 0
    with connect(two_trackers) as con:
        mid = action_plan.actions(con, dt.date(2025, 9, 20)).set_index("action")
    assert mid["overdue"].to_dict() == {SPOC: False, PATHWAY: True, HELPLINE: False}
    assert (plans[0].completed, plans[0].due, plans[0].due_completed) == (1, 3, 1)
    assert plans[0].summary == (
        "3 actions: 1 completed, 0 overdue; 1 of the 3 due by 30/09/2025 completed (33%)."
    )


def test_the_actions_indicator_agrees_with_the_page_as_at_each_date(two_trackers):
    indicator = indicators.find("objective-1-actions")
    q2, q3 = periods.parse("2025/26-Q2"), periods.parse("2025/26-Q3")
    with connect(two_trackers) as con:
        figures = indicators.figures(con, indicator, [q2, q3])
        plans = {p.label: action_plan.by_objective(con, p.last_day)[0] for p in (q2, q3)}
    # as the database stood before the October tracker came (the Overview's "since" view)
    with duckdb.connect(str(two_trackers)) as con:  # the second upload a day after the first
        con.execute(
            "UPDATE uploads SET uploaded_at = uploaded_at + INTERVAL 1 DAY WHERE upload_id = 2"
        )
        first = con.execute("SELECT uploaded_at FROM uploads WHERE upload_id = 1").fetchone()[0]
        moment = first + dt.timedelta(hours=1)
        then = indicators.figures(con, indicator, [q2], views=store.views_as_at(moment))[0]
    # Q2: 1 (the pathway) of the 3 due by 30/09; Q3: all 3 completed by 31/12.
    assert [(f.numerator, f.denominator) for f in figures] == [(1, 3), (3, 3)]
    assert figures[0].value == pytest.approx(100 / 3) and figures[1].value == 100
    for figure in figures:
        plan = plans[figure.period.label]
        assert (plan.due_completed, plan.due) == (figure.numerator, figure.denominator)
    # then: the September tracker alone, 2 actions due by 30/09 and neither done
    assert (then.numerator, then.denominator) == (0, 2)


def test_page_counts_only_what_the_tracker_said_by_the_period_end(two_trackers):
    app = open_page(PAGE, period="2025/26-Q2")
    shown = metrics(app)
    assert (shown["Actions"], shown["Completed"]) == ("3", "1")
    assert any(f"shows as '{action_plan.NO_UPDATE}'" in c.value for c in app.caption)
    table = app.table[0].value.set_index("Action")
    assert table["Status"].to_dict() == {
        SPOC: "In progress",
        PATHWAY: "Completed",
        HELPLINE: action_plan.NO_UPDATE,
    }
    assert any("1 of the 3 due by 30/09/2025 completed (33%)" in c.value for c in app.caption)
    app.sidebar.selectbox(key="period").select("2025/26-Q3").run()
    assert metrics(app)["Completed"] == "3"


def test_the_actions_a_meeting_chases_overdue_and_due_next_quarter(known_year):
    # The known year, as at 30/09/2025: 'Guidance for out-of-hours officers' was due 31/08/2025
    # and is in progress (30 days overdue); 'Survivor care pathway review' is due 31/12/2025, in
    # 2025/26-Q3, not started; the other two are completed.
    q2 = periods.parse("2025/26-Q2")
    with store.connect(known_year[0], read_only=True) as con:
        chased = action_plan.outstanding(con, action_plan.as_at(q2), periods.parse("2025/26-Q3"))
    assert chased.overdue[["Objective", "Action", "Due", "Status", "Overdue"]].values.tolist() == [
        [
            "1",
            "Guidance for out-of-hours officers",
            "31/08/2025",
            "In progress",
            "Overdue (30 days)",
        ]
    ]
    assert chased.due_next[["Action", "Due", "Status", "Overdue"]].values.tolist() == [
        ["Survivor care pathway review", "31/12/2025", "Not started", ""]
    ]
