"""The Overview and Objectives pages show the figures `cams_data` computes for a known year."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from pathlib import Path

import duckdb
from conftest import metrics, open_page
from streamlit.testing.v1 import AppTest

from cams_data import dashboard, indicators, periods
from cams_data.disclosure import SCREEN_NOTE, SECONDARY_NOTE, Audience
from cams_data.formatting import as_read
from cams_data.ingest import rollback

ROOT = Path(__file__).resolve().parents[1]
Q2 = "2025/26-Q2"  # the known year's last complete quarter
REASONS_Q2 = [  # why each objective has its status in the known year's 2025/26-Q2
    "Red: First Responder roles trained in the last 12 months 45% against 100%; Plan "
    "actions due that are complete 67% against 100%.",
    "Green: every rated indicator with figures is on track.",
    "Red: Procurement staff and budget holders with supply-chain training in the last 3 "
    "years 50% against 100%.",
    "Red: Staff who know how to report a concern (staff survey) 57% against 90%; CAMS "
    "modern slavery training completions 4 against 30, a quarter of the yearly 120.",
]


def cards(app: AppTest) -> list[str]:
    """Each objective card's HTML (its status block, why, its indicators' statuses and what its
    marks mean), in order: the cards are the Overview's first four columns."""
    return ["".join(e.proto.body for e in column.get("html")) for column in app.columns[:4]]


def statuses(app: AppTest) -> list[str]:
    """Each card's status as its large block says it: `... Status: </span><strong>Red</strong>`."""
    return [re.search(r"cams-status-block.*?<strong>(.*?)</strong>", c)[1] for c in cards(app)]


def tables(app: AppTest) -> list:
    """The st.table tables as read (their text is escaped for Markdown)."""
    return [t.value.map(lambda v: as_read(v) if isinstance(v, str) else v) for t in app.table]


def test_overview_shows_the_four_objectives_with_their_figures(year_copy):
    app = open_page(period=Q2)
    assert [h.value for h in app.header][:4] == [
        "1. Survivor Support and Care",
        "2. Funding and Sustainability",
        "3. Multi-agency approach to intelligence and disruption",
        "4. Partnership profile/awareness",
    ]
    shown = metrics(app)
    with duckdb.connect(str(year_copy), read_only=True) as con:
        report = dashboard.shown_progress(con, "2025/26-Q2", None, Audience.MEETING)
    for row in (s for o in report for s in o.headline):
        assert shown[row.label] == row.value
    assert shown["First Responder roles trained in the last 12 months"] == "45%"
    assert shown["Funding secured"] == "£12,500"
    assert shown["Duty to Notify notifications made"] == "<5"  # one notification: suppressed
    # 6 NRM referrals beside it: with the referral total on the Referrals page, 6 would give
    # the one notification away, so it is hidden too
    assert shown["NRM referrals made by the council"] == "[c]"
    deltas = {m.label: m.delta for m in app.metric}
    assert deltas["NRM referrals made by the council"] in ("", None)
    assert deltas["Funding secured"] == "+£7,500"
    assert deltas["Duty to Notify notifications made"] in ("", None)  # would reveal a small count
    assert statuses(app) == ["Red", "Green", "Red", "Red"]


def test_query_parameters_set_the_period_and_organisation(year_copy):
    app = open_page(period="2025/26-Q1", organisation="Colchester City Council")
    assert app.sidebar.selectbox(key="period").value == "2025/26-Q1"
    assert app.sidebar.selectbox(key="organisation").value == "Colchester City Council"
    shown = metrics(app)
    assert shown["First Responder roles trained in the last 12 months"] == "25%"
    assert shown["Funding secured"] == "no data yet"  # measures are the partnership's own
    assert "2025/26-Q1 (April to June 2025) · Colchester City Council" in app.caption[0].value


def test_the_period_survives_moving_between_pages(year_copy):
    app = open_page(period="2025/26")
    app.switch_page("pages/objectives.py").run()
    assert app.caption[0].value.startswith("2025/26 (April 2025 to March 2026)")
    table = app.dataframe[0].value
    values = dict(zip(table["Indicator"], table["Value"], strict=True))
    assert values["Plan actions due that are complete"] == "50%"  # the year's, not Q2's 67%
    # the year's 9 NRM referrals beside one Duty to Notify notification: both hidden
    assert values["NRM referrals made by the council"] == "[c]"
    assert values["Duty to Notify notifications made"] == "<5"


def test_since_the_last_meeting_lists_uploads_and_what_they_moved(year_copy):
    app = open_page(period=Q2)
    app.date_input(key="since").set_value(periods.parse("2024/25").start).run()
    uploads, moved, _ = tables(app)
    assert len(uploads) == 8
    assert set(uploads["File"]) >= {"referrals.csv", "measures.csv", "learning_pool.xlsx"}
    moved = moved.set_index("Indicator")
    assert moved.loc["Funding secured", "Now"] == "£12,500"
    assert moved.loc["Funding secured", "Before"] == "no data yet"


def test_objective_detail_lists_every_indicator(year_copy):
    app = open_page("pages/objectives.py", objective="3", period=Q2)
    table = app.dataframe[0].value
    objective = indicators.objectives()[2]
    assert table["Indicator"].tolist() == [i.label for i in objective.indicators]
    row = table.set_index("Indicator").loc["Intelligence submissions"]
    assert (row["Value"], row["Target"], row["Status"]) == (
        "30",
        "25, a quarter of the yearly 100",
        "Green",
    )
    # a trend for each indicator with figures; 'no data yet' for the three without any
    no_data = [i.value for i in app.info if "no data yet" in i.value]
    assert len(no_data) == 3
    assert len(app.get("vega_lite_chart")) == len(objective.indicators) - len(no_data)


def test_pages_open_with_one_kind_missing(year_copy):
    with duckdb.connect(str(year_copy), read_only=True) as con:
        measures = con.execute("SELECT upload_id FROM uploads WHERE kind = 'measures'").fetchall()
    for (upload_id,) in measures:
        rollback(year_copy, upload_id)
    app = open_page()
    assert metrics(app)["Funding secured"] == "no data yet"
    for page in sorted(p.name for p in (ROOT / "pages").glob("*.py")):
        app.switch_page(f"pages/{page}").run()
        assert not app.exception, page


def test_overview_on_an_empty_database(db):
    app = open_page()
    assert set(metrics(app).values()) == {"no data yet"}
    assert statuses(app) == ["No data"] * 4
    assert "Nothing has been uploaded" in app.info[0].value
    assert not app.warning  # no demo banner


def test_meeting_view_hides_small_counts_until_an_officer_switches_it_off(year_copy, local_admin):
    app = open_page(period=Q2)
    assert metrics(app)["Duty to Notify notifications made"] == "<5"
    app.sidebar.toggle(key="meeting_view").set_value(False).run()
    assert not app.exception, app.exception
    assert metrics(app)["Duty to Notify notifications made"] == "1"
    assert "True figures are showing" in app.sidebar.warning[0].value
    app.sidebar.toggle(key="meeting_view").set_value(True).run()
    assert metrics(app)["Duty to Notify notifications made"] == "<5"


def test_a_viewer_has_no_meeting_view_switch(year_copy):
    app = open_page(period=Q2)
    assert [t.key for t in app.sidebar.toggle] == ["present-toggle"]  # no meeting view switch
    assert metrics(app)["Duty to Notify notifications made"] == "<5"


def test_each_objective_says_why_it_has_its_status_and_what_its_marks_mean(known_year):
    """The indicators that made an objective Red are named with their figure and target, and
    every <5 or [c] among its figures is explained, as the audience sees them."""
    with duckdb.connect(str(known_year[0]), read_only=True) as con:
        meeting = dashboard.shown_progress(con, "2025/26-Q2", None, Audience.MEETING)
        published = dashboard.shown_progress(con, "2025/26-Q2", None, Audience.PUBLICATION)
    assert [o.reason for o in meeting] == REASONS_Q2
    assert [o.reason for o in published] == [o.reason for o in meeting]
    assert meeting[0].notes == [
        "<5: a count from 1 to 4, not shown so that nobody can be identified.",
        "[c]: hidden so that a count under 5 cannot be worked out from the totals or other "
        "periods.",
    ]
    assert published[0].notes == [
        "[c] = confidential: counts from 1 to 4 are not published, so that nobody can be "
        "identified, nor are the other cells from which such a count could be worked out."
    ]
    assert [o.notes for o in meeting[1:]] == [[], [], []]


def test_the_overview_opens_on_the_latest_figures_and_says_how_far_each_kind_runs(year_copy):
    """The known year's latest figures are its October 2025 staff survey: the Overview opens on
    that quarter, not the last complete one, and the sidebar says where each kind stops."""
    app = open_page()
    assert app.sidebar.selectbox(key="period").value == "2025/26-Q3"
    assert app.caption[0].value == "2025/26-Q3 (October to December 2025) · All organisations"
    with duckdb.connect(str(year_copy), read_only=True) as con:
        lines = dashboard.figures_run(con, today=date(2026, 12, 7))
    assert [line.split(" (updated")[0] for line in lines] == [
        "Training completions: to September 2025",
        "Staff numbers: as at 01/04/2025",
        "Referral counts: to September 2025",
        "Staff survey responses: to October 2025",
        "Partnership measures: to September 2025",
        "Action plan: as at 30/09/2025",
    ]
    shown = [m.value for m in app.sidebar.markdown]
    assert any(line in m for m in shown for line in lines)


def test_a_period_not_over_is_labelled_to_date(year_copy):
    with duckdb.connect(str(year_copy), read_only=True) as con:
        figures = dashboard.sidebar(con, today=date(2025, 11, 24))
    assert figures.default_period == "2025/26-Q3"
    assert figures.running == ("2025/26", "2025/26-Q3")
    assert [figures.period_shown(p) for p in figures.period_choices[:3]] == [
        "2025/26 (to date)",
        "2025/26-Q3 (to date)",
        "2025/26-Q2",
    ]


def test_a_link_to_a_period_or_organisation_that_does_not_exist_says_what_it_shows(year_copy):
    app = open_page(period="2031/32-Q9", organisation="Nobody Council")
    assert not app.exception
    assert app.sidebar.selectbox(key="period").value == "2025/26-Q3"
    assert app.sidebar.selectbox(key="organisation").value == "All organisations"
    assert [w.value for w in app.warning if "The link" in w.value] == [
        "The link asks for the period '2031/32-Q9', which the figures do not cover (periods are "
        "written like 2025/26 or 2025/26-Q2): showing 2025/26-Q3, the latest figures, "
        "instead.",
        "The link asks for the organisation 'Nobody Council', which is not in the figures: "
        "showing all organisations instead.",
    ]
    app.sidebar.selectbox(key="period").set_value("2025/26-Q2").run()
    assert not [w for w in app.warning if "The link" in w.value]


def test_each_card_says_its_status_in_words_and_why_and_explains_its_marks(year_copy):
    app = open_page(period=Q2)
    shown = cards(app)
    with duckdb.connect(str(year_copy), read_only=True) as con:
        report = dashboard.shown_progress(con, Q2, None, Audience.MEETING)
    assert statuses(app) == ["Red", "Green", "Red", "Red"]
    for card, objective, reason in zip(shown, report, REASONS_Q2, strict=True):
        assert f'<p class="cams-reason" style="color:#0B0C0C">{html.escape(reason)}</p>' in card
        # each headline indicator's own status, as a coloured label with its word
        label = r'cams-status-label".*?aria-hidden="true">.</span> ([^<]+)</span>'
        labels = re.findall(label, card)
        assert labels == [s.status for s in objective.headline]
    assert "Target 100% · staff in post at 01/04/2025" in shown[0]  # plain text, not a caption
    # objective 1's <5 and [c] (its NRM and Duty to Notify figures) are explained on its card,
    # and no other card, with no mark, has a note
    assert html.escape(SCREEN_NOTE) in shown[0] and html.escape(SECONDARY_NOTE) in shown[0]
    assert [("cams-mark-notes" in card) for card in shown] == [True, False, False, False]


def test_a_figure_hidden_before_and_after_says_it_changed_rather_than_mark_to_mark(
    year_copy, monkeypatch
):
    """Say the NRM referrals were 5 before an upload made them 6: both hidden, the row says the
    figure changed, not '[c] → [c]', and the [c] is explained under the table."""
    nrm = indicators.find("nrm-referrals")
    monkeypatch.setattr(
        dashboard, "indicators_moved", lambda *args, **kwargs: [dashboard.Moved(nrm, 1, 5, 6)]
    )
    since = datetime(2025, 1, 1)
    with duckdb.connect(str(year_copy), read_only=True) as con:
        rows = {
            audience: dashboard.moved_table(con, since, Q2, None, audience).values.tolist()
            for audience in Audience
        }
        figures = dashboard.overview(con, Q2, None, since, Audience.MEETING)
    label = "NRM referrals made by the council"
    assert rows == {
        Audience.MEETING: [[1, label, "[c]", "changed (both figures hidden)"]],
        Audience.PUBLICATION: [[1, label, "[c]", "changed (both figures hidden)"]],
        Audience.OFFICER: [[1, label, "5", "6"]],
    }
    assert figures.moved_notes == (SECONDARY_NOTE,)
    app = open_page(period=Q2)
    app.date_input(key="since").set_value(since.date()).run()
    _, moved, _ = tables(app)
    assert moved.values.tolist() == [[1, label, "[c]", "changed (both figures hidden)"]]
    notes = [e.proto.body for e in app.get("html") if e.proto.body.startswith("<ul")]
    assert html.escape(SECONDARY_NOTE) in notes[-1]  # under the table


def test_since_the_last_meeting_is_shown_whole_and_a_figure_new_since_is_not_marked_before(
    year_copy,
):
    """The uploads and the figures they moved are tables shown whole (no scroll box); a figure
    that had no data before reads 'no data yet', not a mark, and its mark now is explained."""
    app = open_page(period=Q2)
    app.date_input(key="since").set_value(periods.parse("2024/25").start).run()
    assert not app.dataframe  # every table on the Overview is an st.table, all rows shown
    _, moved, _ = tables(app)
    moved = moved.set_index("Indicator")
    assert moved.loc["NRM referrals made by the council"].tolist() == [1, "no data yet", "[c]"]
    assert moved.loc["Duty to Notify notifications made"].tolist() == [1, "no data yet", "<5"]
    notes = [e.proto.body for e in app.get("html") if e.proto.body.startswith("<ul")]
    assert notes[-1] == (
        f'<ul class="cams-mark-notes" style="color:#0B0C0C"><li>{html.escape(SCREEN_NOTE)}</li>'
        f"<li>{html.escape(SECONDARY_NOTE)}</li></ul>"
    )


def test_an_objectives_page_says_why_it_has_its_status_and_what_its_marks_mean(year_copy):
    app = open_page("pages/objectives.py", objective="1", period=Q2)
    shown = "\n".join(h.proto.body for h in app.get("html"))
    assert "Objective status: </span><strong>Red</strong>" in shown
    assert (
        "Red: First Responder roles trained in the last 12 months 45% against 100%; Plan "
        "actions due that are complete 67% against 100%." in shown
    )
    assert "&lt;5: a count from 1 to 4, not shown so that nobody can be identified." in shown
    app.segmented_control(key="objective-choice").set_value("2").run()
    shown = "\n".join(h.proto.body for h in app.get("html"))
    assert "Green: every rated indicator with figures is on track." in shown
    assert "a count from 1 to 4" not in shown
