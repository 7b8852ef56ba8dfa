"""What every page shares: the periods on offer, the default period and the display rows."""

from __future__ import annotations

from datetime import date

import builders

from cams_data import dashboard, disclosure, indicators, periods, store
from cams_data.disclosure import Audience
from cams_data.ingest import UploadRequest, ingest


def test_a_survey_alone_offers_the_periods_of_its_waves(db, tmp_path):
    path, _ = builders.forms_survey_export(tmp_path / "survey.xlsx", wave_month=(2024, 10))
    ingest(UploadRequest(path.read_bytes(), path.name, db=db))
    with store.connect(db, read_only=True) as con:
        choices = dashboard.period_choices(con, today=date(2026, 11, 24))
    assert choices == ["2024/25", "2024/25-Q3"]


def test_an_empty_database_offers_the_quarter_of_today(db):
    with store.connect(db) as con:
        assert dashboard.period_choices(con, today=date(2026, 11, 24)) == [
            "2026/27",
            "2026/27-Q3",
        ]
        assert dashboard.default_period(con, today=date(2026, 11, 24)) == "2026/27-Q3"


def make_progress(indicator_id: str, value, previous) -> indicators.Progress:
    indicator = indicators.find(indicator_id)
    period = periods.parse("2025/26-Q2")
    return indicators.Progress(
        indicator,
        indicators.Figure(period, value, as_of=period.last_day),
        indicators.Figure(period.previous(), previous),
        indicator.target,
        indicators.status_of(indicator, value),
    )


def test_a_hidden_count_and_its_change_are_not_shown_to_a_meeting():
    meeting, officer = Audience.MEETING, Audience.OFFICER
    small, gives_away = disclosure.PRIMARY, disclosure.SECONDARY
    shown = dashboard.shown(make_progress("nrm-referrals", 3, 7), meeting, (small, ""))
    assert (shown.value, shown.change) == ("<5", None)
    # the change would reveal last quarter's 4
    shown = dashboard.shown(make_progress("nrm-referrals", 9, 4), meeting, ("", small))
    assert (shown.value, shown.change) == ("9", None)
    shown = dashboard.shown(make_progress("nrm-referrals", 9, 12), meeting)
    assert (shown.value, shown.change, shown.change_colour) == ("9", "-3", "off")
    shown = dashboard.shown(make_progress("nrm-referrals", 13, 12), meeting, (gives_away, ""))
    assert (shown.value, shown.change, shown.hidden) == ("[c]", None, gives_away)
    published = dashboard.shown(
        make_progress("nrm-referrals", 3, 7), Audience.PUBLICATION, (small, "")
    )
    assert published.value == "[c]"
    officer_sees = dashboard.shown(make_progress("nrm-referrals", 3, 7), officer, (small, ""))
    assert (officer_sees.value, officer_sees.change) == ("3", "-4")


def test_staff_counts_are_not_suppressed_and_changes_read_plainly():
    shown = dashboard.shown(make_progress("funding-bids", 1, 1), Audience.MEETING)
    assert (shown.value, shown.change, shown.change_colour) == ("1", "no change", "off")
    shown = dashboard.shown(make_progress("first-responder-coverage", 45.0, 25.0), Audience.MEETING)
    assert (shown.value, shown.change, shown.change_colour) == ("45%", "+20 pts", "normal")
    assert shown.target == "Target 100%"


def test_how_far_a_years_figures_reach_is_the_end_of_the_latest_month_any_kind_describes(
    known_year,
):
    # referrals, measures, training and actions reach September 2025; the survey wave 2025-10
    with store.connect(known_year[0], read_only=True) as con:
        reach = dashboard.figures_reach
        assert reach(con, periods.parse("2025/26"), today=date(2026, 5, 1)) == date(2025, 10, 31)
        # on 30/09/2025 the October wave is not yet held
        assert reach(con, periods.parse("2025/26"), today=date(2025, 9, 30)) == date(2025, 9, 30)
        assert reach(con, periods.parse("2025/26-Q1"), today=date(2026, 5, 1)) == date(2025, 6, 30)
        # the 2024-10 wave, one CSO trained 15/03/2024 (2023/24), nothing in 2019/20
        assert reach(con, periods.parse("2024/25"), today=date(2026, 5, 1)) == date(2024, 10, 31)
        assert reach(con, periods.parse("2023/24"), today=date(2026, 5, 1)) == date(2024, 3, 31)
        assert reach(con, periods.parse("2019/20"), today=date(2026, 5, 1)) is None


def test_an_objectives_table_names_the_period_each_change_is_against(known_year):
    """A quarter over: one column, 'Change since 2025/26-Q1'. A quarter with data to August:
    flows are compared with the same months before, stocks with the quarter before, so each
    change says its own period and the column is 'Change'."""
    with store.connect(known_year[0], read_only=True) as con:
        over = dashboard.shown_progress(con, "2025/26-Q2", None, Audience.MEETING)
    table = dashboard.indicator_table(over[1].indicators)
    assert list(table.columns) == [
        "Indicator", "Value", "Target", "Status", "Change since 2025/26-Q1", "Notes",
    ]  # fmt: skip
    assert (
        table.set_index("Indicator").loc["Funding secured", "Change since 2025/26-Q1"] == "+£7,500"
    )
    rows = [
        dashboard.Shown("a", "Awareness events", "3", "+1", "normal", "", "Green", "July 2025", ""),
        dashboard.Shown("b", "Coverage", "45%", None, "off", "", "Red", "2025/26-Q1", ""),
    ]
    mixed = dashboard.indicator_table(rows)
    assert list(mixed.columns)[4] == "Change"
    assert mixed["Change"].tolist() == ["+1 since July 2025", ""]
