"""Charts a reader can take in (issue 16): sized to their content, ticks at round steps, value
labels where they help, part years marked, no empty charts, and text dark enough to read."""

from __future__ import annotations

import html
import re

import duckdb
import pandas as pd
import pytest
import vl_convert
from conftest import open_page
from wcag import contrast_ratio

from cams_data import charts, dashboard, export, indicators, periods
from cams_data import referral_figures as rf
from cams_data import survey_figures as survey
from cams_data import training_figures as tf
from cams_data.disclosure import Audience

Q2 = "2025/26-Q2"  # the known year's last complete quarter
COURSE = "CAMS Modern Slavery and Human Trafficking"


@pytest.fixture
def con(known_year):
    with duckdb.connect(str(known_year[0]), read_only=True) as connection:
        yield connection


def layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def drawn_text(chart) -> list[str]:
    """Every piece of text in the chart as the exports draw it."""
    svg = vl_convert.vegalite_to_svg(export._spec(chart))
    found = re.findall(r">([^<>]+)</t(?:ext|span)>", svg)
    return [html.unescape(t).strip() for t in found]


# --- colours -----------------------------------------------------------------------------------


def test_the_theme_s_text_reads_on_white_at_wcag_aa():
    config = charts.cams_theme()["config"]
    assert config["background"] == "white"
    text_colours = {
        "title": config["title"]["color"],
        "subtitle": config["title"]["subtitleColor"],
        "axis labels": config["axis"]["labelColor"],
        "axis titles": config["axis"]["titleColor"],
        "legend labels": config["legend"]["labelColor"],
        "legend titles": config["legend"]["titleColor"],
        "facet headers": config["header"]["labelColor"],
        "value labels": config["text"]["color"],
    }
    for what, colour in text_colours.items():
        assert contrast_ratio(colour, "#FFFFFF") >= 4.5, what
    # the axis lines and ticks are as dark as the text; gridlines are light, but visible
    assert contrast_ratio(config["axis"]["domainColor"], "#FFFFFF") >= 4.5
    assert contrast_ratio(config["axis"]["gridColor"], "#FFFFFF") > 1.2
    # the module's own formula agrees with the one written here
    assert charts.contrast_ratio("#505A5F", "#FFFFFF") == pytest.approx(
        contrast_ratio("#505A5F", "#FFFFFF")
    )


def test_labels_on_bars_take_the_colour_that_reads():
    for fill in (charts.DARK_BLUE, charts.DARK_PINK, charts.SEQUENTIAL[1]):
        assert charts.text_on(fill) == "white" and contrast_ratio("#FFFFFF", fill) >= 4.5
    for fill in (charts.CONTEXT_GREY, charts.ORANGE, charts.SEQUENTIAL[2]):
        assert charts.text_on(fill) == charts.TEXT and contrast_ratio(charts.TEXT, fill) >= 4.5


def test_percentage_ticks_are_round_steps():
    assert charts.percent_ticks(83) == [0, 20, 40, 60, 80, 100]
    assert charts.percent_ticks(42) == [0, 10, 20, 30, 40, 50]
    assert charts.percent_ticks(8) == [0, 5, 10]
    assert charts.percent_ticks(0) == [0, 5]
    assert charts.percent_ticks(float("nan")) == [0, 5]


# --- training ---------------------------------------------------------------------------------


def test_coverage_runs_from_0_to_100_at_steps_of_25(con):
    period = periods.parse(Q2)
    table = tf.coverage(con, period, COURSE, "service_area")
    spec = tf.coverage_chart(table, "service_area", COURSE, "s").to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["scale"]["domain"] == [0, 100]
    assert x["axis"]["values"] == [0, 25, 50, 75, 100]
    assert spec["height"] == {"step": tf.BAR_STEP} and 28 <= tf.BAR_STEP <= 32
    # a long bar holds its label inside, in white: no label runs off a narrow chart
    inside = [layer for layer in spec["layer"] if layer["encoding"].get("color")]
    assert inside and inside[0]["encoding"]["color"] == {"value": "white"}


def test_completions_count_at_whole_numbers(con):
    period = periods.parse(Q2)
    spec = tf.completions_chart(tf.completions(con, period), "s").to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["axis"]["tickMinStep"] == 1 and x["axis"]["format"] == ",.0f"
    assert spec["height"] == {"step": tf.BAR_STEP}


def test_completions_over_time_is_a_small_chart_per_course(con):
    period = periods.parse(Q2)
    table = tf.completions_by_quarter(con, period)
    names = tf.courses(con)
    chart = tf.trend_chart(table, names, "s")
    spec = chart.to_dict()
    panels = spec["vconcat"]
    assert [p["title"]["text"] for p in panels] == list(dict.fromkeys(table["course"]))
    assert spec["resolve"]["scale"]["y"] == "independent"
    for panel in panels:
        assert panel["height"] >= 80 and panel["width"] == "container"
        assert panel["encoding"]["y"]["axis"]["tickMinStep"] == 1
    # the quarters are written once, under the last
    assert [p["encoding"]["x"]["axis"]["labels"] for p in panels][-2:] == [False, True]
    # and each panel is as wide as a page in the exports
    assert {p["width"] for p in export._spec(chart)["vconcat"]} == {export.CHART_WIDTH_PX}


# --- survey -----------------------------------------------------------------------------------


def test_diverging_bars_say_positive_percentages_either_side_and_label_segments(con):
    wave = survey.wave_names(con)[-1]
    report = [q for q in survey.survey_report(con, wave) if q.likert]
    chart = survey.answers_chart(report[0], "s")
    bars, labels = chart.to_dict()["layer"]
    x = bars["encoding"]["x"]
    assert x["axis"]["labelExpr"] == "format(abs(datum.value), '.0f')"
    assert min(x["axis"]["values"]) < 0 < max(x["axis"]["values"])
    assert all(v % 25 == 0 for v in x["axis"]["values"])
    assert labels["mark"]["type"] == "text" and labels["encoding"]["x"]["field"] == "mid"
    text = drawn_text(chart)
    shares = report[0].shares.set_index("answer")["share"]
    assert f"{shares.max():.0f}%" in text  # the largest segment says its share
    ticks = [t for t in text if re.fullmatch(r"[-−]?\d+", t)]
    assert ticks and not [t for t in ticks if t[0] in "-−"]  # no negative percentage


# --- referrals --------------------------------------------------------------------------------


def test_a_part_year_is_lighter_and_says_its_months(con):
    years = rf.financial_years(con, Audience.PUBLICATION)
    assert "2025/26" in years.part_years
    flagged = years.chart.drop_duplicates("Year").set_index("Year")["Part year"]
    assert flagged["2025/26"] is True or flagged["2025/26"] == True  # noqa: E712
    assert not flagged.drop(list(years.part_years)).any()
    chart = rf.years_chart(years, "s")
    bars = chart.to_dict()["layer"][0]
    assert bars["encoding"]["opacity"]["condition"]["test"] == "datum['Part year']"
    months = years.part_years["2025/26"]
    assert f"{months} only" in bars["encoding"]["x"]["axis"]["labelExpr"]
    assert f"{months} only" in drawn_text(chart)


def test_wider_area_shares_have_round_ticks_and_modest_height():
    table = pd.DataFrame(
        {
            "Age group": ["Adult", "Adult", "Child", "Child"],
            "Geography": ["Colchester", "England and Wales"] * 2,
            rf.SHARE: [70.0, 69.0, 30.0, 31.0],
            rf.LABEL: ["70%", "69%", "30%", "31%"],
        }
    )
    shares = rf.Shares("Share of NRM referrals by age group", "Age group", table, table, "d")
    spec = rf.comparison_chart(shares, "s").to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["axis"]["values"] == [0, 20, 40, 60, 80]
    assert spec["height"] == {"step": 18, "for": "offset"}


# --- objectives -------------------------------------------------------------------------------


def test_trend_axes_percentages_0_to_100_and_counts_whole(con):
    for indicator_id, percent in (
        ("survey-know-how-to-report", True),
        ("cams-training-completions", False),
    ):
        indicator = indicators.find(indicator_id)
        table = dashboard.trend_table(con, indicator.id, Q2, None, Audience.MEETING)
        spec = dashboard.trend_chart(table, indicator, Q2).to_dict()
        assert spec["height"] >= 250
        y = spec["layer"][0]["encoding"]["y"]
        if percent:
            assert y["scale"]["domain"] == [0, 100]
            assert y["axis"]["values"] == [0, 25, 50, 75, 100]
        else:
            assert y["axis"]["tickMinStep"] == 1
        # each label drawn twice: a white halo, then the text, so the line never crosses it
        texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
        strokes = [t["mark"].get("stroke") for t in texts]
        assert strokes and strokes == ["white", None] * (len(texts) // 2)


def test_point_labels_sit_where_the_line_leaves_room():
    table = pd.DataFrame({"Period": list("abcdef"), "Value": [5, 20, 10, 15, 30, 3]})
    # a, the start, the line leaving upwards: below; b a peak; c a trough; d rising through:
    # up and left; e a peak; f the end, too low for a label under it: up and right
    assert charts._label_places(table, "Value", None) == [
        "below",
        "above",
        "below",
        "upper left",
        "above",
        "upper right",
    ]


def test_an_indicator_without_figures_says_so_instead_of_an_empty_chart(year_copy):
    app = open_page("pages/objectives.py", objective="4", period=Q2)
    objective = indicators.objectives()[3]
    with duckdb.connect(str(year_copy), read_only=True) as connection:
        empty = [
            i.label
            for i in objective.indicators
            if not dashboard.has_trend(
                dashboard.trend_table(connection, i.id, Q2, None, Audience.MEETING)
            )
        ]
    assert empty  # the known year has no attendance figures nor objective 4 actions due
    assert len(app.get("vega_lite_chart")) == len(objective.indicators) - len(empty)
    said = [i.value for i in app.info]
    for label in empty:
        assert f"{label}: no data yet in the periods to {Q2}." in said


def test_a_chart_of_hidden_counts_only_keeps_0_at_the_foot():
    table = pd.DataFrame(
        {
            "Month": ["Apr 2025", "Apr 2025", "May 2025", "May 2025"],
            "Referral type": ["NRM referral", "Duty to Notify"] * 2,
            rf.REFERRALS: [float("nan")] * 4,
            rf.LABEL: ["<5", "[c]", "<5", "<5"],
        }
    )
    chart = charts.grouped_bar(
        table,
        category="Month",
        group="Referral type",
        value=rf.REFERRALS,
        title="t",
        label=rf.LABEL,
    )
    y = chart.to_dict()["layer"][0]["encoding"]["y"]
    assert y["axis"]["values"] == [0] and y["scale"]["domain"] == [0, 1]
    assert {"<5", "[c]"} <= set(drawn_text(chart))  # the marks say it, at the bottom


def test_a_trend_of_hidden_counts_keeps_0_at_the_foot():
    table = pd.DataFrame(
        {"Period": ["a", "b", "c"], "Value": [None, 0, None], "Shown": ["<5", "0", "[c]"]}
    )
    spec = charts.line(table, x="Period", value="Value", title="t", label="Shown").to_dict()
    y = spec["layer"][0]["encoding"]["y"]
    assert y["scale"]["domain"] == [0, 1] and y["axis"]["values"] == [0]
    assert spec["height"] == charts.FLAT_HEIGHT
