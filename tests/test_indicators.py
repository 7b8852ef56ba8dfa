"""Indicators over a known year (tests/fixture_year.py): every figure worked out by hand."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta

import duckdb
import fixture_year
import pytest

from cams_data import cli, dashboard, indicators, periods
from cams_data.ingest import rollback

Q1, Q2 = "2025/26-Q1", "2025/26-Q2"


@pytest.fixture
def con(known_year):
    connection = duckdb.connect(str(known_year[0]), read_only=True)
    yield connection
    connection.close()


def by_id(report) -> dict[str, indicators.Progress]:
    return {p.indicator.id: p for o in report for p in o.indicators}


def test_every_indicator_for_a_quarter_and_the_one_before(con, known_year):
    report = by_id(indicators.progress(con, periods.parse(Q2)))
    expected = {  # id: (value, previous, status)
        "first-responder-coverage": (45.0, 25.0, "Red"),
        "supply-chain-coverage": (50.0, 20.0, "Red"),
        "cams-training-completions": (4, 2, "Red"),
        "nrm-referrals": (6, 3, "Not rated"),
        "duty-to-notify": (1, 0, "Not rated"),
        "funding-secured": (12500, 5000, "Green"),
        "intelligence-submissions": (30, 20, "Green"),
        "awareness-events": (4, None, "Green"),
        # the action due 30/06/2025 was marked complete on 01/07/2025: not yet at 30/06
        "objective-1-actions": (pytest.approx(200 / 3), 0.0, "Red"),
    }
    for indicator_id, (value, previous, status) in expected.items():
        row = report[indicator_id]
        assert (row.current.value, row.previous.value, row.status) == (value, previous, status), (
            indicator_id
        )
    surveyed = report["survey-know-how-to-report"]  # Q2 ends before the October 2025 wave
    wave_2024 = known_year[1]["2024-10"]
    assert surveyed.current.value == pytest.approx(
        100 * wave_2024["know_how_to_report_yes"] / wave_2024["responses"]
    )
    assert surveyed.current.note == "survey wave 2024-10"


def test_no_data_is_not_zero(con):
    report = by_id(indicators.progress(con, periods.parse(Q2)))
    for indicator_id in ("disruption-activities", "survivors-supported", "funding-bids"):
        assert report[indicator_id].current.value is None
        assert report[indicator_id].status == "No data"
    assert report["duty-to-notify"].previous.value == 0  # a reported zero is a zero


def test_targets_of_yearly_counts_are_shared_across_quarters(con):
    report = by_id(indicators.progress(con, periods.parse(Q2)))
    assert report["funding-secured"].target == 10000  # £40,000 a year
    assert report["first-responder-coverage"].target == 100  # a share is not scaled


def test_a_year_adds_its_quarters_and_compares_with_the_year_before(con):
    report = by_id(indicators.progress(con, periods.parse("2025/26")))
    assert report["nrm-referrals"].current.value == 9
    # the year so far reaches September: it is compared with the same months a year before
    assert report["nrm-referrals"].previous.period.label == "April to September 2024"
    assert report["nrm-referrals"].previous.value is None
    assert report["funding-secured"].current.value == 17500
    # the year so far has data to September: half the yearly target
    assert report["funding-secured"].target == 20000


def test_wider_geography_never_mixes_into_local_figures(con):
    nrm = indicators.find("nrm-referrals")
    wider = (("geography", "Essex Police force area"), ("referral_type", "NRM referral"))
    essex = dataclasses.replace(nrm, params=wider)
    assert indicators.figures(con, essex, [periods.parse(Q2)])[0].value == 40
    assert indicators.figures(con, nrm, [periods.parse(Q2)])[0].value == 6


def test_organisation_filter(con):
    report = by_id(indicators.progress(con, periods.parse(Q2), "Colchester Borough Homes"))
    assert report["first-responder-coverage"].current.value is None  # no staff numbers
    assert report["nrm-referrals"].current.value == 6  # referrals are not by organisation


def test_objective_status_follows_the_written_rule(con):
    statuses = {o.objective.number: o.status for o in indicators.progress(con, periods.parse(Q2))}
    # 2: funding Green, the rest without data -> Green; 1, 3 and 4 each have a Red indicator
    assert statuses == {1: "Red", 2: "Green", 3: "Red", 4: "Red"}
    green = indicators.Progress(None, None, None, status="Green")
    amber = indicators.Progress(None, None, None, status="Amber")
    context = indicators.Progress(None, None, None, status="Not rated")
    assert indicators.objective_status([green, amber, context]) == "Amber"
    assert indicators.objective_status([context]) == "No data"


def test_trend_over_eight_quarters(con):
    trend = indicators.trend(con, indicators.find("nrm-referrals"), periods.parse(Q2))
    assert [f.period.label for f in trend][-3:] == ["2024/25-Q4", Q1, Q2]
    assert [f.value for f in trend] == [None] * 6 + [3, 6]


def test_changes_since_a_meeting(known_year, con):
    db, _ = known_year
    with duckdb.connect(str(db), read_only=True) as reader:
        loaded_at = reader.execute("SELECT min(uploaded_at) FROM uploads").fetchone()[0]
    before = loaded_at - timedelta(minutes=1)
    moved = {m.id: (m.before, m.after) for m in dashboard.indicators_moved(con, before, Q2)}
    assert moved["nrm-referrals"] == (None, 6)
    assert moved["funding-secured"] == (None, 12500)
    assert dashboard.indicators_moved(con, datetime.now() + timedelta(days=1), Q2) == []
    assert len(dashboard.uploads_since(con, before)) == 8


def test_a_rollback_moves_the_figures_back(tmp_path, db):
    fixture_year.load(db, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        referrals_upload = con.execute(
            "SELECT upload_id FROM uploads WHERE file_name = 'referrals.csv'"
        ).fetchone()[0]
    rollback(db, referrals_upload)
    with duckdb.connect(str(db), read_only=True) as con:
        report = by_id(indicators.progress(con, periods.parse(Q2)))
    assert report["nrm-referrals"].current.value is None


def test_empty_database_says_no_data_everywhere(db):
    from cams_data import store

    with store.connect(db) as con:
        report = indicators.progress(con, periods.parse(Q2))
    assert [o.status for o in report] == ["No data"] * 4
    assert all(p.current.value is None for o in report for p in o.indicators)


def test_progress_cli_json(known_year, capsys):
    db, _ = known_year
    assert cli.main(["progress", "--db", str(db), "--period", Q2, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [o["objective"] for o in report] == [1, 2, 3, 4]
    assert [o["status"] for o in report] == ["Red", "Green", "Red", "Red"]
    first = report[0]["indicators"][0]
    assert first == first | {
        "label": "First Responder roles trained in the last 12 months",
        "value": 45.0,
        "unit": "%",
        "target": 100.0,
        "status": "Red",
        "previous": 25.0,
        "period": Q2,
    }
    bids = next(i for i in report[1]["indicators"] if i["id"] == "funding-bids")
    assert bids["value"] is None and bids["status"] == "No data"


def test_progress_cli_text_and_default_period(known_year, capsys):
    db, _ = known_year
    assert cli.main(["progress", "--db", str(db)]) == 0
    # the latest figures are the staff survey of October 2025: the quarter it falls in opens
    assert capsys.readouterr().out.startswith("Progress for 2025/26-Q3 (October to December 2025)")
    assert cli.main(["progress", "--db", str(db), "--period", "2025/26-Q2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Progress for 2025/26-Q2 (July to September 2025)")
    assert (
        "Funding secured: £12,500 (Green, target £10,000, a quarter of the yearly £40,000, "
        "+£7,500 since 2025/26-Q1)" in out
    )


def test_progress_cli_refuses_a_period_written_another_way(known_year, capsys):
    db, _ = known_year
    assert cli.main(["progress", "--db", str(db), "--period", "2025-26 Q2"]) == 2
    assert "expected a financial year such as 2025/26" in capsys.readouterr().err


def test_objectives_file_errors_name_the_indicator(tmp_path, monkeypatch):
    bad = tmp_path / "objectives.toml"
    text = indicators.DEFAULT_OBJECTIVES.read_text()
    monkeypatch.setenv("CAMS_OBJECTIVES", str(bad))
    for change, message in [
        (('source = "measure"\n  measure = "Funding secured (GBP)"', 'source = "measures"\n'
          '  measure = "Funding secured (GBP)"'), "source 'measures' is not one of"),
        (('id = "nrm-referrals"', 'id = "first-responder-coverage"'), "the id is used twice"),
        (("green = 90\n  amber = 75\n  headline = true\n", "green = 90\n  headline = true\n"),
         "give both 'green' and 'amber'"),
        (('basis = "sum"\n  headline = true', 'basis = "share"\n  headline = true'),
         "basis 'share' does not fit source 'referrals'"),
    ]:  # fmt: skip
        assert change[0] in text, change[0]
        bad.write_text(text.replace(change[0], change[1], 1))
        with pytest.raises(indicators.ConfigError, match=message):
            indicators.objectives()


def _progress(unit: str, yearly: float, period: str, data_to: str | None) -> indicators.Progress:
    """A sum indicator with a yearly target, judged over `period` with data to `data_to`."""
    indicator = indicators.Indicator(
        "x", 3, "Joint operations", "measure", unit, "sum", target=yearly, green=yearly, amber=0
    )
    chosen = periods.parse(period)
    as_of = datetime.strptime(data_to, "%d/%m/%Y").date() if data_to else chosen.last_day
    current = indicators.Figure(chosen, 2.0, as_of=as_of)
    months = periods.months_with_data(chosen, as_of)
    target = yearly * months / 12
    return indicators.Progress(indicator, current, current, target)


@pytest.mark.parametrize(
    ("unit", "yearly", "period", "data_to", "expected"),
    [
        ("operations", 6, "2025/26", None, "6"),
        ("operations", 12, "2025/26-Q2", None, "3, a quarter of the yearly 12"),
        ("operations", 6, "2025/26-Q2", None, "6 a year, pro rata for the quarter"),
        ("events", 46, "2025/26", "15/10/2025", "46 a year, pro rata: 7 of 12 months"),
        ("events", 12, "2025/26", "15/10/2025", "7, pro rata: 7 of 12 months of the yearly 12"),
        ("GBP", 40000, "2025/26-Q1", None, "£10,000, a quarter of the yearly £40,000"),
        ("GBP", 40000, "2025/26", "30/09/2025",
         "£20,000, pro rata: 6 of 12 months of the yearly £40,000"),
    ],
)  # fmt: skip
def test_a_yearly_target_cut_to_a_part_year_is_worded_in_whole_counts(
    unit, yearly, period, data_to, expected
):
    """'1.5 operations' is never a target: a share that is not a whole count is given as the
    yearly target and how it was shared."""
    assert indicators.target_text(_progress(unit, yearly, period, data_to)) == expected
