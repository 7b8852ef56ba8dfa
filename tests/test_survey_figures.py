"""The staff survey page: answer shares, Likert scales, service areas pooled or hidden, and wave
against wave. Two Microsoft Forms exports are built with the messy builder, their service areas
planned so that some areas are shown, some pooled and some hidden; every expected figure is
counted here from the written file itself."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import builders
import duckdb
import pytest
from conftest import metrics, open_page
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from cams_data import periods
from cams_data import survey_figures as survey
from cams_data.disclosure import Audience
from cams_data.ingest import UploadRequest, ingest
from cams_data.validate import Options

PAGE = "pages/survey.py"
AREA = 6  # the service-area column of a Forms export (after ID, times, Email, Name, Modified)
REPORT, CONFIDENT, SEEN = builders.Q_REPORT, builders.Q_CONFIDENT, builders.Q_SEEN
REPORT_2024 = "Would you know how to report a concern about modern slavery?"  # an alias
# 40 respondents: Housing and Community Safety large enough, four small areas pooled (16).
AREAS_2025 = {
    "Housing": 14,
    "Community Safety": 10,
    "Customer Services": 6,
    "Planning": 5,
    "Environmental Health": 3,
    "Revenues and Benefits": 2,
}
# 30 respondents: the two small areas together are only 7; the answers less Housing's and
# Community Safety's would give them away, so Community Safety (the smaller) joins their pool.
AREAS_2024 = {"Housing": 12, "Community Safety": 11, "Planning": 4, "Customer Services": 3}
SPELLING = {
    "yes": "Yes",
    "no": "No",
    "not sure": "Not sure",
    **{c.lower(): c for c in survey.LIKERT_SCALES[0].answers},
}


# --- the fixture: two waves of a messy Forms export ----------------------------------------


def forms_file(tmp_path: Path, name: str, areas: dict[str, int], wave_month, seed, edit=None):
    """The builder's export with the service areas replaced by `areas` (in order) and `edit`
    applied to the sheet; returns the file and its responses as {area, question: [answers]}."""
    path, _ = builders.forms_survey_export(
        tmp_path / name, respondents=sum(areas.values()), seed=seed, wave_month=wave_month
    )
    workbook = load_workbook(path)
    sheet = workbook.active
    plan = [area for area, n in areas.items() for _ in range(n)]
    rows = list(sheet.iter_rows(min_row=2))
    for row, area in zip(rows, plan, strict=True):
        row[AREA].value = area
    if edit:
        edit(sheet)
    workbook.save(path)
    return path, responses(path)


def responses(path: Path) -> list[dict]:
    """Each response as the officer sees it: the area and each question's non-blank answers."""
    sheet = load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    out = []
    for row in rows[1:]:
        one = {"area": row[AREA]}
        for question, value in zip(header[AREA + 1 :], row[AREA + 1 :], strict=True):
            question = REPORT if question == REPORT_2024 else question
            parts = [p.strip() for p in str(value or "").split(";") if p.strip()]
            one[question] = [SPELLING.get(p.lower(), p) for p in parts]
        out.append(one)
    return out


def column(sheet, question: str) -> int:
    return [c.value for c in sheet[1]].index(question)


def edit_2025(sheet) -> None:
    """Messy answers: case and spacing vary; one Community Safety respondent skips confidence,
    so that area has 9 respondents to it and is pooled for that question only."""
    report, confident = column(sheet, REPORT), column(sheet, CONFIDENT)
    rows = list(sheet.iter_rows(min_row=2))
    rows[0][report].value = "  YES "
    rows[1][report].value = "not sure"
    rows[2][confident].value = "very CONFIDENT"
    safety = [r for r in rows if r[AREA].value == "Community Safety"]
    for i, row in enumerate(safety):
        if i == 0:
            row[confident].value = None
        elif row[confident].value is None:
            row[confident].value = "Fairly confident"


def edit_2024(sheet) -> None:
    """Last year's wording of the report question (mapped by the question aliases)."""
    sheet.cell(row=1, column=column(sheet, REPORT) + 1).value = REPORT_2024


@pytest.fixture
def two_waves(db, tmp_path):
    path_2024, rows_2024 = forms_file(
        tmp_path, "survey_2024.xlsx", AREAS_2024, (2024, 10), seed=7, edit=edit_2024
    )
    path_2025, rows_2025 = forms_file(
        tmp_path, "survey_2025.xlsx", AREAS_2025, (2025, 10), seed=3, edit=edit_2025
    )
    # the 2024 wave from the response dates, the 2025 one given
    ingest(UploadRequest(path_2024.read_bytes(), path_2024.name, db=db, kind="survey"))
    ingest(
        UploadRequest(
            path_2025.read_bytes(),
            path_2025.name,
            db=db,
            kind="survey",
            options=Options(wave="2025-10"),
        )
    )
    return {"2024-10": rows_2024, "2025-10": rows_2025}


def connect(db: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(db), read_only=True)


# --- figures counted by hand from the responses ------------------------------------------------


def counted(rows: list[dict], question: str, areas: set[str] | None = None) -> dict:
    """{answer: (respondents choosing it, respondents to the question)}."""
    answered = [r for r in rows if r[question] and (areas is None or r["area"] in areas)]
    counts = Counter(a for r in answered for a in set(r[question]))
    return {a: (n, len(answered)) for a, n in counts.items()}


def per_area(rows: list[dict], question: str) -> Counter:
    return Counter(r["area"] for r in rows if r[question])


def expected_grouping(rows: list[dict], question: str) -> dict[str, str]:
    """Areas of 10 or more on their own; the rest pooled when together 10 or more. A pool of 1
    to 9 would be the question's answers less the shown areas', so the smallest shown area
    joins it."""
    sizes = per_area(rows, question)
    small = {area for area, n in sizes.items() if n < 10}
    pool = sum(sizes[area] for area in small)
    own = sorted((n, area) for area, n in sizes.items() if area not in small)
    if 0 < pool < 10 and own:
        small.add(own[0][1])
        pool += own[0][0]
    return {
        area: "Pooled" if pool >= 10 else "Not shown" if area in small else "Own group"
        for area in sizes
    } | {area: "Own group" for area in sizes if area not in small}


def shares_of(table, question: str, **where) -> dict:
    mask = table["question"] == question
    for name, value in where.items():
        mask &= table[name] == value
    return {
        r.answer: (r.answers, r.respondents, r.share)
        for r in table[mask].itertuples()  # answer, answers, respondents, share
    }


def assert_shares(found: dict, expected: dict) -> None:
    assert set(found) == set(expected)
    for answer, (n, total) in expected.items():
        answers, respondents, share = found[answer]
        assert (answers, respondents) == (n, total), answer
        assert share == pytest.approx(100 * n / total, abs=0.051), answer


# --- the module ------------------------------------------------------------------------------


def test_likert_scales_are_matched_whatever_the_case():
    assert survey.likert_scale(["Yes", "no", " Not  Sure "]).name == "yes/no"
    assert survey.likert_scale(["Yes", "No"]).name == "yes/no"
    assert survey.likert_scale(["Very confident", "not very confident"]).name == "confidence"
    assert survey.likert_scale(["Agree", "Strongly disagree"]).name == "agreement"
    assert survey.likert_scale(["Agree", "Yes"]) is None  # two scales: not one
    assert survey.likert_scale(["Posters", "Training"]) is None
    assert survey.likert_scale([]) is None
    scale = survey.likert_scale(["Fairly confident"])
    assert scale.side("Fairly confident") == survey.POSITIVE
    assert scale.side("NOT AT ALL CONFIDENT") == survey.NEGATIVE
    assert survey.likert_scale(["Not sure"]).side("not sure") == survey.NEUTRAL


def test_waves_sort_by_month_and_default_to_the_latest_held(two_waves, db, tmp_path):
    with connect(db) as con:
        assert survey.wave_names(con) == ["2025-10", "2024-10"]
        assert survey.default_wave(con, periods.parse("2025/26-Q3")) == "2025-10"
        assert survey.default_wave(con, "2025/26-Q2") == "2024-10"  # ends 30/09/2025
        assert survey.default_wave(con, "2024/25") == "2024-10"
        assert survey.default_wave(con, "2023/24") is None
        assert survey.wave_respondents(con, "2025-10") == sum(AREAS_2025.values())
    assert survey.wave_label("2025-10") == "October 2025"
    assert survey.wave_option("2024-10") == "October 2024 (2024-10)"
    # a wave not named by its month sorts by when it was uploaded: after both (today)
    path, _ = builders.forms_survey_export(tmp_path / "pulse.xlsx", respondents=12, seed=9)
    ingest(
        UploadRequest(
            path.read_bytes(), path.name, db=db, kind="survey", options=Options(wave="Pulse")
        )
    )
    with connect(db) as con:
        assert survey.wave_names(con) == ["Pulse", "2025-10", "2024-10"]
        assert survey.default_wave(con, periods.year_of(dt.date.today())) == "Pulse"


def test_answer_shares_are_of_the_respondents_to_each_question(two_waves, db):
    rows = two_waves["2025-10"]
    with connect(db) as con:
        table = survey.answer_shares(con, "2025-10")
    assert set(table["question"]) == {REPORT, CONFIDENT, SEEN}  # comments are not stored
    for question in (REPORT, CONFIDENT, SEEN):
        assert_shares(shares_of(table, question), counted(rows, question))
    # every respondent answered the report question; "  YES " and "not sure" are folded in
    assert shares_of(table, REPORT)["Yes"][1] == 40
    confident = counted(rows, CONFIDENT)
    assert next(iter(confident.values()))[1] == sum(1 for r in rows if r[CONFIDENT])
    # multi-choice: shares of respondents choosing each option add up to more than 100%
    seen = table[table["question"] == SEEN]
    assert seen["multi_choice"].all() and seen["share"].sum() > 100
    # Likert answers listed most positive first, with their side
    report = table[table["question"] == REPORT]
    assert list(report["answer"]) == [
        a for a in ("Yes", "Not sure", "No") if a in set(report["answer"])
    ]
    assert dict(zip(report["answer"], report["side"], strict=True)) == {
        a: {"Yes": "positive", "Not sure": "neutral", "No": "negative"}[a] for a in report["answer"]
    }


def test_likert_classification_of_the_export(two_waves, db):
    with connect(db) as con:
        report = {q.question: q for q in survey.survey_report(con, "2025-10")}
    assert report[REPORT].scale.name == "yes/no" and not report[REPORT].multi_choice
    assert report[CONFIDENT].scale.name == "confidence"
    assert report[SEEN].scale is None and report[SEEN].multi_choice
    # Likert questions are drawn diverging (bars with an x2 channel, under their labels),
    # others as plain bars
    diverging = survey.answers_chart(report[CONFIDENT], "s").to_dict()["layer"]
    assert "x2" in diverging[0]["encoding"]
    assert "x2" not in survey.answers_chart(report[SEEN], "s").to_dict()["layer"][0]["encoding"]


def test_service_areas_shown_pooled_and_hidden(two_waves, db):
    rows_2025, rows_2024 = two_waves["2025-10"], two_waves["2024-10"]
    small_2025 = {"Customer Services", "Planning", "Environmental Health", "Revenues and Benefits"}
    with connect(db) as con:
        grouping = survey.area_grouping(con, "2025-10")
        areas = survey.by_service_area(con, "2025-10")
        grouping_2024 = survey.area_grouping(con, "2024-10")
        areas_2024 = survey.by_service_area(con, "2024-10")

    def shown_as(table, question):
        part = table[table["question"] == question]
        return dict(zip(part["service_area"], part["shown_as"], strict=True))

    # the report question: everyone answered, so Housing 14 and Community Safety 10 are shown
    assert shown_as(grouping, REPORT) == {
        "Housing": "Own group",
        "Community Safety": "Own group",
        **{area: "Pooled" for area in small_2025},
    }
    assert list(dict.fromkeys(areas.loc[areas["question"] == REPORT, "group"])) == [
        "Community Safety",
        "Housing",
        survey.POOLED,
    ]
    assert_shares(
        shares_of(areas, REPORT, group="Housing"), counted(rows_2025, REPORT, {"Housing"})
    )
    assert_shares(
        shares_of(areas, REPORT, group=survey.POOLED), counted(rows_2025, REPORT, small_2025)
    )
    # confidence: one Community Safety respondent skipped it, leaving 9, so the area is pooled
    sizes = per_area(rows_2025, CONFIDENT)
    assert sizes["Community Safety"] == 9 and sizes["Housing"] >= 10
    assert shown_as(grouping, CONFIDENT)["Community Safety"] == "Pooled"
    pooled = small_2025 | {"Community Safety"}
    assert_shares(
        shares_of(areas, CONFIDENT, group=survey.POOLED), counted(rows_2025, CONFIDENT, pooled)
    )
    # multi-choice: a group's respondents are those who chose at least one option
    seen_sizes = per_area(rows_2025, SEEN)
    expected_own = {a for a, n in seen_sizes.items() if n >= survey.MIN_GROUP}
    assert {a for a, s in shown_as(grouping, SEEN).items() if s == "Own group"} == expected_own
    for area in expected_own:
        assert_shares(shares_of(areas, SEEN, group=area), counted(rows_2025, SEEN, {area}))
    # 2024: Planning (4) and Customer Services (3) make only 7 together, which the question's
    # answers less Housing's (12) and Community Safety's (11) would give away: Community Safety,
    # the smaller, joins their pool of 18
    found = shown_as(grouping_2024, REPORT)
    assert found == {
        "Housing": "Own group",
        "Community Safety": "Pooled",
        "Planning": "Pooled",
        "Customer Services": "Pooled",
    }
    report_2024 = areas_2024[areas_2024["question"] == REPORT]
    assert list(dict.fromkeys(report_2024["group"])) == ["Housing", survey.POOLED]
    assert_shares(
        shares_of(areas_2024, REPORT, group=survey.POOLED),
        counted(rows_2024, REPORT, {"Community Safety", "Planning", "Customer Services"}),
    )
    # ...but 8 Community Safety respondents chose something seen, so with them the pool is 15
    assert per_area(rows_2024, SEEN)["Community Safety"] == 8
    assert shown_as(grouping_2024, SEEN) == {
        "Housing": "Own group",
        "Community Safety": "Pooled",
        "Planning": "Pooled",
        "Customer Services": "Pooled",
    }
    assert_shares(
        shares_of(areas_2024, SEEN, group=survey.POOLED),
        counted(rows_2024, SEEN, {"Community Safety", "Planning", "Customer Services"}),
    )
    # every question of both waves follows the rule
    for wave, rows, table in (("2025", rows_2025, grouping), ("2024", rows_2024, grouping_2024)):
        for question in (REPORT, CONFIDENT, SEEN):
            assert shown_as(table, question) == expected_grouping(rows, question), (wave, question)
    # never a group under the threshold, and no counts of hidden areas anywhere
    assert (areas["respondents"] >= survey.MIN_GROUP).all()
    assert (areas_2024["respondents"] >= survey.MIN_GROUP).all()
    assert list(grouping.columns) == ["question", "service_area", "shown_as"]


def test_area_notes_say_what_is_pooled_and_hidden(two_waves, db):
    with connect(db) as con:
        this_year = {q.question: q for q in survey.survey_report(con, "2025-10")}
        last_year = {q.question: q for q in survey.survey_report(con, "2024-10")}
    assert "4 service areas pooled as 'Other service areas (pooled)'" in (
        this_year[REPORT].area_note
    )
    assert "not shown" not in this_year[REPORT].area_note
    assert "3 service areas pooled" in last_year[REPORT].area_note
    assert last_year[REPORT].areas_shown == 2  # Housing and the pool


def test_wave_against_wave(two_waves, db):
    rows_2025, rows_2024 = two_waves["2025-10"], two_waves["2024-10"]
    with connect(db) as con:
        compared = survey.wave_comparison(con, "2025-10")
        changes = survey.positive_changes(con, "2025-10").set_index("question")
        earliest = survey.wave_comparison(con, "2024-10")
    assert set(compared["question"]) == {REPORT, CONFIDENT, SEEN}  # the alias is one question
    for question in (REPORT, CONFIDENT, SEEN):
        assert_shares(shares_of(compared, question, wave="2024-10"), counted(rows_2024, question))
        assert_shares(shares_of(compared, question, wave="2025-10"), counted(rows_2025, question))
    assert earliest.empty  # nothing earlier to compare the first wave with

    def positive(rows, question, answers):
        found = counted(rows, question)
        total = next(iter(found.values()))[1]
        return 100 * sum(found.get(a, (0, 0))[0] for a in answers) / total

    for question, answers in (
        (REPORT, ["Yes"]),
        (CONFIDENT, ["Very confident", "Fairly confident"]),
    ):
        before, now = positive(rows_2024, question, answers), positive(rows_2025, question, answers)
        row = changes.loc[question]
        assert row["previous_wave"] == "2024-10" and row["wave"] == "2025-10"
        assert row["positive_answers"] == " or ".join(answers)
        assert row["previous_share"] == pytest.approx(before, abs=0.051)
        assert row["share"] == pytest.approx(now, abs=0.051)
        assert row["change"] == pytest.approx(now - before, abs=0.051)
    assert SEEN not in changes.index  # no positive answer for a multi-choice question


# --- the page --------------------------------------------------------------------------------


def reach_2025(db: Path, tmp_path: Path) -> None:
    """The sidebar offers periods the dated kinds reach (not survey waves): referrals from
    April 2025 and a tracker updated in November 2025 make 2025/26-Q1 to Q3 choosable."""
    path, _ = builders.referral_crosstab(tmp_path / "referrals.xlsx")
    ingest(UploadRequest(path.read_bytes(), path.name, db=db))
    tracker = builders.write_csv(
        tmp_path / "tracker.csv",
        [
            ["Objective", "Action", "Owner", "Due date", "Status", "Last updated"],
            ["4", "Staff survey", "Community Safety", "31/10/2025", "Complete", "10/11/2025"],
        ],
    )
    ingest(UploadRequest(tracker.read_bytes(), tracker.name, db=db, kind="actions"))


def tables_with(app: AppTest, column: str) -> list:
    return [d.value for d in app.dataframe if column in d.value.columns]


def test_page_on_an_empty_database(db):
    app = open_page(PAGE)
    assert app.title[0].value == "Staff survey"
    assert "No staff survey responses yet" in app.info[0].value


def test_page_when_only_other_kinds_are_loaded(db, tmp_path):
    path, _ = builders.referral_crosstab(tmp_path / "referrals.xlsx")
    ingest(UploadRequest(path.read_bytes(), path.name, db=db))
    app = open_page(PAGE)
    assert "No staff survey responses yet" in app.info[0].value
    assert not app.metric


def test_page_shows_the_wave_held_at_the_period_end(two_waves, db, tmp_path):
    reach_2025(db, tmp_path)
    app = open_page(PAGE, period="2025/26-Q3")
    assert app.selectbox(key="survey-wave-2025/26-Q3").value == "2025-10"
    shown = metrics(app)
    assert shown["Respondents"] == "40"
    assert shown["Questions"] == "3"
    assert shown["Also asked in an earlier wave"] == "3"
    with connect(db) as con:
        expected = survey.answer_shares(con, "2025-10")
    overall = tables_with(app, "Respondents choosing it")
    assert len(overall) == 3  # questions in alphabetical order: report, confidence, seen
    report = overall[0].set_index("Answer")
    mine = expected[expected["question"] == REPORT].set_index("answer")
    assert report["Share (%)"].to_dict() == mine["share"].to_dict()
    assert_shares(
        {a: (r["Respondents choosing it"], 40, r["Share (%)"]) for a, r in report.iterrows()},
        counted(two_waves["2025-10"], REPORT),
    )
    areas = tables_with(app, "Service area")
    assert list(areas[0]["Service area"]) == ["Community Safety", "Housing", survey.POOLED]
    assert all((t["Respondents"] >= survey.MIN_GROUP).all() for t in areas)
    captions = " ".join(c.value for c in app.caption)
    assert "shares can add up to more than 100%" in captions
    assert "Answered Yes in 2025-10" in shown


def test_page_wave_choice_hides_small_areas(two_waves, db, tmp_path):
    reach_2025(db, tmp_path)
    app = open_page(PAGE, period="2025/26-Q2")  # ends 30/09/2025: the 2024 wave is the latest held
    box = app.selectbox(key="survey-wave-2025/26-Q2")
    assert box.value == "2024-10"
    assert metrics(app)["Respondents"] == "30"
    assert metrics(app)["Also asked in an earlier wave"] == "0"
    areas = tables_with(app, "Service area")
    # report: the two small areas (7) pooled with Community Safety, which would give them away
    assert list(areas[0]["Service area"]) == ["Housing", survey.POOLED]
    assert areas[0]["Respondents"].tolist() == [12, 18]
    assert set(areas[1]["Service area"]) <= {"Community Safety", "Housing", survey.POOLED}
    # seen: Community Safety (8) joins the pool, which reaches 15
    assert list(areas[2]["Service area"]) == ["Housing", survey.POOLED]
    assert areas[2]["Respondents"].tolist() == [
        per_area(two_waves["2024-10"], SEEN)["Housing"],
        15,
    ]
    assert any("3 service areas pooled" in c.value for c in app.caption)
    box.select("2025-10").run()
    assert metrics(app)["Respondents"] == "40"


# --- the demo data -----------------------------------------------------------------------------


def test_page_on_the_demo_data(demo_db, demo_totals):
    path, totals = demo_db, demo_totals
    app = open_page(PAGE, period="2025/26-Q3")
    assert metrics(app)["Respondents"] == f"{totals['survey_responses']['2025-10']:,}"
    with connect(path) as con:
        report = survey.survey_report(con, "2025-10")
        changes = survey.positive_changes(con, "2025-10")
    assert metrics(app)["Questions"] == str(len(report))
    overall = tables_with(app, "Respondents choosing it")
    assert [t["Share (%)"].tolist() for t in overall] == [
        q.shares["share"].tolist() for q in report
    ]
    confident = changes.set_index("question").loc[CONFIDENT]
    label = f"Answered {confident['positive_answers']} in 2025-10"
    assert label in [m.label for m in app.metric]
    assert any(f"{confident['share']:.0f}%" == m.value for m in app.metric if m.label == label)
    for areas in tables_with(app, "Service area"):
        assert (areas["Respondents"] >= survey.MIN_GROUP).all()


def test_a_question_fewer_than_10_answered_is_withheld_from_viewers(db, tmp_path, local_admin):
    path, rows = forms_file(tmp_path, "pilot.xlsx", {"Housing": 5, "Planning": 3}, (2025, 10), 5)
    ingest(
        UploadRequest(
            path.read_bytes(), path.name, db=db, kind="survey", options=Options(wave="2025-10")
        )
    )
    reach_2025(db, tmp_path)
    with connect(db) as con:
        report = survey.survey_report(con, "2025-10")
        assert report and all(q.respondents <= 8 for q in report)
        assert all(q.withheld(Audience.MEETING) for q in report)
        assert all(q.withheld(Audience.PUBLICATION) for q in report)
        assert not any(q.withheld(Audience.OFFICER) for q in report)

    app = open_page(PAGE, period="2025/26-Q3")
    assert metrics(app)["Respondents"] == "8"
    withheld = [i.value for i in app.info if "Fewer than 10 people answered" in i.value]
    assert len(withheld) == len(report)
    assert not app.get("vega_lite_chart") and not tables_with(app, "Service area")
    app.sidebar.toggle(key="meeting_view").set_value(False).run()  # an officer's own screen
    assert not any("Fewer than 10 people answered" in i.value for i in app.info)
    assert len(app.get("vega_lite_chart")) >= len(report)
