"""One figure, one answer: every surface shows the hand-worked figures of the three-year fixture.

The figures are in tests/fixture_three_years.py (EXPECTED), worked out from its rows by hand.
Each test collects every disagreement over all periods and organisations before it fails, so one
run lists them all.

Counts about victims are compared as a meeting sees them: a count from 1 to 4 must read `<5`;
any other may read its hand-worked value or `[c]` (hidden so that a `<5` elsewhere cannot be
worked out; which ones is chosen over every page at once, see tests/test_disclosure_attack.py),
and every surface must show the same text as `dashboard.shown_progress`, the one function that
prepares the indicators for a screen.
"""

from __future__ import annotations

import json

import duckdb
import pytest
from conftest import metrics, open_page
from fixture_three_years import ALL, CAMS, CBH, CCC, DTN, EXPECTED, NRM, ORGANISATIONS, PERIODS

from cams_data import cli, dashboard, indicators, periods
from cams_data import referral_figures as rf
from cams_data.disclosure import Audience
from cams_data.formatting import NO_DATA

SMALL = "<5"
HIDDEN_TOO = "[c]"
REFERRAL_IDS = ("nrm-referrals", "duty-to-notify")


@pytest.fixture
def agreed_db(three_years, monkeypatch):
    """The three years' database as every surface's database (read only)."""
    monkeypatch.setenv("CAMS_DB", str(three_years))
    _DB[:] = [three_years]
    return three_years


def every_indicator() -> list[indicators.Indicator]:
    return [i for objective in indicators.objectives() for i in objective.indicators]


def expected(period: str, organisation: str | None, indicator_id: str) -> float | None:
    """The hand-worked figure; a plain number where the organisation does not change it."""
    figure = EXPECTED["indicators"][period][indicator_id]
    return figure[organisation or ALL] if isinstance(figure, dict) else figure


def as_text(value: float | None, unit: str) -> str:
    """A figure written as the dashboard writes one (whole percents, pounds, counts)."""
    if value is None:
        return "no data yet"
    if unit == "%":
        return f"{value:.0f}%"
    if unit == "GBP":
        return f"£{value:,.0f}"
    return f"{value:,.0f}"


_SHOWN: dict[tuple, dict[str, str]] = {}


def shown_on_screen(period: str, organisation: str | None, indicator: indicators.Indicator) -> str:
    """What the meeting view shows, from the one function that prepares it for every page,
    checked against the hand figure: `<5` for a count from 1 to 4, else the figure or `[c]`."""
    key = (period, organisation)
    if key not in _SHOWN:
        with duckdb.connect(str(_DB[0]), read_only=True) as con:
            report = dashboard.shown_progress(con, period, organisation, Audience.MEETING)
        _SHOWN[key] = {s.id: s.value for objective in report for s in objective.indicators}
    text = _SHOWN[key][indicator.id]
    value = expected(period, organisation, indicator.id)
    if not indicator.small_numbers:
        allowed = {as_text(value, indicator.unit)}
    elif value is not None and 1 <= value <= 4:
        allowed = {SMALL}
    else:
        allowed = {as_text(value, indicator.unit), HIDDEN_TOO}
    assert text in allowed, (period, organisation, indicator.id, value, text)
    return text


_DB: list = []


def organisation_label(organisation: str) -> str | None:
    return None if organisation == ALL else organisation


# --- true figures ----------------------------------------------------------------------------


@pytest.mark.parametrize("period", PERIODS)
def test_progress_gives_the_hand_figures(agreed_db, period):
    wrong = []
    with duckdb.connect(str(agreed_db), read_only=True) as con:
        for organisation in map(organisation_label, ORGANISATIONS):
            report = indicators.progress(con, periods.parse(period), organisation)
            for row in (r for objective in report for r in objective.indicators):
                want = expected(period, organisation, row.indicator.id)
                got = row.current.value
                if (got is None) != (want is None) or (
                    want is not None and got != pytest.approx(want)
                ):
                    wrong.append((organisation or ALL, row.indicator.id, want, got))
    assert not wrong, "\n".join(map(str, wrong))


@pytest.mark.parametrize("period", PERIODS)
def test_the_command_line_gives_the_hand_figures(agreed_db, period, capsys):
    wrong = []
    for organisation in ORGANISATIONS:
        chosen = [] if organisation == ALL else ["--organisation", organisation]
        assert cli.main(["progress", "--json", "--period", period, *chosen]) == 0
        report = json.loads(capsys.readouterr().out)
        for row in (r for objective in report for r in objective["indicators"]):
            want = expected(period, organisation_label(organisation), row["id"])
            want = None if want is None else round(want, 1)
            if row["period"] != period or row["value"] != want:
                wrong.append((organisation, row["id"], want, row["period"], row["value"]))
    assert not wrong, "\n".join(map(str, wrong))


# --- the pages -------------------------------------------------------------------------------


def choose(app, period: str, organisation: str):
    app.sidebar.selectbox(key="period").select(period)
    app.sidebar.selectbox(key="organisation").select(organisation)
    app.run()
    assert not app.exception, app.exception
    return app


def test_the_overview_shows_the_hand_figures(agreed_db):
    headline = [i for i in every_indicator() if i.headline]
    app = open_page(None, period=PERIODS[0])
    wrong = []
    for period in PERIODS:
        for organisation in ORGANISATIONS:
            shown = metrics(choose(app, period, organisation))
            for indicator in headline:
                want = shown_on_screen(period, organisation_label(organisation), indicator)
                if shown.get(indicator.label) != want:
                    wrong.append(
                        (period, organisation, indicator.id, want, shown.get(indicator.label))
                    )
    assert not wrong, "\n".join(map(str, wrong))


def chart_titles(app) -> list[str]:
    """Each chart's title, in the order the page's elements are listed."""
    titles = [json.loads(c.proto.spec)["layer"][0]["title"] for c in app.get("vega_lite_chart")]
    # a long title is wrapped into a list of lines
    return [t["text"] if isinstance(t["text"], str) else " ".join(t["text"]) for t in titles]


# Each Objectives page opened at these periods shows their figures in the indicator table, and
# in its trend tables the 8 quarters (5 years) to them: every period of the fixture between them.
ANCHORS = ("2023/24-Q2", "2025/26-Q2", "2025/26")


def test_the_objectives_pages_show_the_hand_figures(agreed_db):
    app = open_page("pages/objectives.py", period=ANCHORS[0])
    wrong = []
    for organisation in ORGANISATIONS:
        chosen = organisation_label(organisation)
        for period in ANCHORS:
            choose(app, period, organisation)
            for objective in indicators.objectives():
                app.segmented_control(key="objective-choice").set_value(str(objective.number))
                app.run()
                table, *trends = (d.value for d in app.dataframe)
                assert table["Indicator"].tolist() == [i.label for i in objective.indicators]
                for indicator, value in zip(objective.indicators, table["Value"], strict=True):
                    want = shown_on_screen(period, chosen, indicator)
                    if value != want:
                        wrong.append((period, organisation, indicator.id, want, value))
                # the trend charts stand in two columns: find each one's table by its title
                trend_of = dict(zip(chart_titles(app), trends, strict=True))
                said = [info.value for info in app.info]
                for indicator in objective.indicators:
                    if indicator.label not in trend_of:  # no figure in any period: a sentence
                        assert dashboard.no_trend_text(indicator, period) in said, said
                        if (want := shown_on_screen(period, chosen, indicator)) != NO_DATA:
                            wrong.append((period, organisation, indicator.id, "no trend", want))
                        continue
                    trend = trend_of[indicator.label]
                    for row in trend[trend["Period"].isin(PERIODS)].itertuples():
                        want = shown_on_screen(row.Period, chosen, indicator)  # as in the table
                        if row.Shown != want:
                            where = f"trend to {period}"
                            wrong.append(
                                (row.Period, organisation, indicator.id, where, want, row.Shown)
                            )
    assert not wrong, "\n".join(map(str, wrong))


def test_the_referrals_page_shows_the_hand_totals_as_the_objectives_do(agreed_db):
    """NRM referrals and Duty to Notify notifications read the same on the Referrals page as on
    the Overview and Objectives; all referrals is their hand-worked sum, or hidden."""
    by_id = {i.id: i for i in every_indicator()}
    app = open_page("pages/referrals.py", period=PERIODS[0])
    wrong = []
    for period in PERIODS:
        shown = metrics(choose(app, period, ALL))
        counts = EXPECTED["referrals"][period]["type"]
        total = counts[NRM] + counts[DTN]
        want = {
            "NRM referrals": shown_on_screen(period, None, by_id["nrm-referrals"]),
            "Duty to Notify notifications": shown_on_screen(period, None, by_id["duty-to-notify"]),
        }
        allowed_total = {SMALL} if 1 <= total <= 4 else {f"{total:,}", HIDDEN_TOO}
        if {k: shown[k] for k in want} != want or shown["All referrals"] not in allowed_total:
            wrong.append((period, want, total, shown))
    assert not wrong, "\n".join(map(str, wrong))


# Every period for all organisations; each organisation's years and CBH's only CAMS quarters
# (the page takes a second a run: every quarter of each would double the file's time).
TRAINING_VIEWS = [(period, ALL) for period in PERIODS] + [
    (period, organisation)
    for organisation in (CCC, CBH)
    for period in ("2023/24", "2024/25", "2025/26", "2025/26-Q1", "2025/26-Q2")
]


def test_the_training_page_shows_the_hand_cams_completions(agreed_db):
    """The completions box counts the chosen course (CAMS), as the Overview does: 'no data yet'
    for an organisation with no training loaded yet for the period."""
    app = open_page("pages/training.py", period=PERIODS[0], course=CAMS)
    wrong = []
    for period, organisation in TRAINING_VIEWS:
        shown = metrics(choose(app, period, organisation))[f"Completions of {CAMS} in {period}"]
        want = expected(period, organisation_label(organisation), "cams-training-completions")
        if shown != as_text(want, "completions"):
            wrong.append((period, organisation, want, shown))
    assert not wrong, "\n".join(map(str, wrong))


@pytest.mark.parametrize("period", PERIODS)
def test_the_referral_breakdowns_give_the_hand_totals(agreed_db, period):
    """True figures (the officer's view) by exploitation type and age group, zeros listed."""
    hand = EXPECTED["referrals"][period]
    with duckdb.connect(str(agreed_db), read_only=True) as con:
        for query, column, key in (
            (rf.by_exploitation, "Exploitation type", "exploitation"),
            (rf.by_age, "Age group", "age"),
        ):
            table = query(con, period, Audience.OFFICER).table.set_index(column)["Referrals"]
            assert set(hand[key]) <= set(table.index)
            want = {name: f"{hand[key].get(name, 0):,}" for name in table.index if name != "Total"}
            want["Total"] = f"{sum(hand['type'].values()):,}"
            assert table.to_dict() == want


@pytest.mark.parametrize("audience", ["meeting", "publication"])
def test_the_command_line_shows_what_the_pages_show_to_each_audience(agreed_db, audience, capsys):
    """`progress --audience`: each figure as that audience sees it, and no true figure where
    it is hidden (nor the figure before it, which a change would give away)."""
    chosen = Audience.MEETING if audience == "meeting" else Audience.PUBLICATION
    hidden = 0
    for period in PERIODS:
        assert cli.main(["progress", "--json", "--period", period, "--audience", audience]) == 0
        report = json.loads(capsys.readouterr().out)
        with duckdb.connect(str(agreed_db), read_only=True) as con:
            shown = dashboard.shown_progress(con, period, None, chosen)
        for printed, objective in zip(report, shown, strict=True):
            for row, text in zip(printed["indicators"], objective.indicators, strict=True):
                assert row["shown"] == text.value, (period, row["id"])
                if text.value in ("<5", "[c]"):
                    hidden += 1
                    assert row["value"] is None and row["change"] is None, (period, row["id"])
                    assert row["previous"] is None
    assert hidden >= 10  # the fixture's small referral counts are among them


YEARS = [p for p in PERIODS if "-Q" not in p]


@pytest.mark.parametrize("year", YEARS)
def test_the_statement_pack_shows_the_figures_the_pages_publish(agreed_db, year):
    """The pack's progress sheet and key figures give each indicator as `shown_progress` gives
    it for publication, and the hand figure wherever it is shown; its referral table's totals by
    exploitation type are the Referrals page's, as published."""
    import io
    from datetime import date

    from openpyxl import load_workbook

    from cams_data import formatting, statement
    from cams_data import referral_figures as rf

    with duckdb.connect(str(agreed_db), read_only=True) as con:
        pack = statement.build(con, year, today=date(2026, 11, 1))
        published = dashboard.shown_progress(con, year, None, Audience.PUBLICATION)
        by_type = rf.by_exploitation(con, year, Audience.PUBLICATION).table
    book = load_workbook(io.BytesIO(pack.files[f"statement_tables_{year.replace('/', '-')}.xlsx"]))
    rows = list(book["Progress on each objective"].iter_rows(min_row=7, values_only=True))
    in_sheet = {(row[0], row[2]): row[4] for row in rows if row[2]}  # labels repeat by objective
    figures = pack.files["key_figures.md"].decode("utf-8")
    by_id = {i.id: i for i in every_indicator()}
    wrong = []
    for objective, shown in ((o, s) for o in published for s in o.indicators):
        if shown.value == "no data yet":
            continue
        indicator = by_id[shown.id]
        name = f"Objective {objective.objective.number}, {objective.objective.title}"
        cell = in_sheet[name, shown.label]
        if isinstance(cell, str):  # hidden: the same mark
            as_in_sheet = cell
        elif indicator.unit == "%":
            as_in_sheet = formatting.number(100 * cell, "%")
        else:
            as_in_sheet = formatting.number(cell, indicator.unit)
        line = f"  - {shown.label}: {shown.value}"
        hand = as_text(expected(year, None, shown.id), indicator.unit)
        if as_in_sheet != shown.value or line not in figures:
            wrong.append((shown.id, shown.value, as_in_sheet, line in figures))
        elif shown.value not in ("[c]",) and shown.value != hand:
            wrong.append((shown.id, "hand", hand, shown.value))
    assert not wrong, "\n".join(map(str, wrong))
    crosstab = list(book["NRM referrals by type and age"].iter_rows(min_row=6, values_only=True))
    totals = {row[0]: row[-1] for row in crosstab[1:] if row[0]}
    page = dict(zip(by_type["Exploitation type"], by_type["Referrals"], strict=True))
    for name, total in totals.items():
        assert disclosure_text(total) == page[name], (year, name)


def disclosure_text(cell) -> str:
    return cell if isinstance(cell, str) else f"{cell:,.0f}"
