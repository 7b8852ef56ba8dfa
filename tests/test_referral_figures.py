"""The Referrals page's figures: totals by type, exploitation, age and agency, over the year and by
financial year, and the comparison with the wider area; every count from 1 to 4 shown `<5`.

The files are built here (a tidy monthly CSV with title rows and a Total row, the council
crosstab from `builders`, wider-area tables by calendar quarter) and every expected figure is
worked out by hand from the rows below, never copied from the code under test."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import builders
import duckdb
import pandas as pd
import pytest
import test_referrals as published
from conftest import needs_shared, open_page
from streamlit.testing.v1 import AppTest

from cams_data import disclosure
from cams_data import referral_figures as rf
from cams_data.disclosure import Audience
from cams_data.ingest import UploadRequest, ingest
from cams_data.validate import Options

PAGE = "pages/referrals.py"
HEADER = [
    "Month",
    "Referral type",
    "Exploitation type",
    "Age group",
    "Referring agency",
    "Number of referrals",
]
# Colchester, one row per count, spellings as officers type them.
MONTHLY = [
    ["Apr-25", "NRM", "Criminal", "Child", "Essex Police", 6],
    ["Apr-25", "NRM", "Labour exploitation", "Adult", "Colchester City Council", 2],
    ["Apr-25", "Duty to Notify (MS1)", "Labour", "Adult", "Colchester City Council", 3],
    ["May-25", "NRM", "Criminal", "Child (under 18)", "Essex Police", 4],
    ["May-25", "NRM", "Sexual", "Adult", "Salvation Army", 5],
    ["May-25", "NRM", "Labour & Criminal", "Adult", "Essex Police", 1],
    ["Jun-25", "nrm", "Criminal exploitation", "Adult (18 or over)", "Colchester City Council", 7],
    ["Jun-25", "Duty to Notify", "Domestic", "Adult", "Colchester City Council", 1],
    ["Jul-25", "NRM", "Criminal", "Child", "Essex Police", 8],
    ["Mar-25", "NRM", "Sexual", "Adult", "Essex Police", 5],
]
Q1 = "2025/26-Q1"  # April to June 2025


def write_monthly(path: Path, rows: list[list] = MONTHLY) -> Path:
    total = sum(r[-1] for r in rows)
    return builders.write_csv(
        path,
        [HEADER, *rows, ["Total", None, None, None, None, total]],
        title_rows=["Modern slavery referrals \u2013 Colchester", "Community Safety team"],
        notes_below=["Counts under 5 must not be published."],
    )


def load(path: Path, db: Path, **options: str):
    upload = ingest(UploadRequest(path.read_bytes(), path.name, db=db, options=Options(**options)))
    assert upload.status == "loaded"
    return upload


def figures(db: Path, function, *args):
    with duckdb.connect(str(db), read_only=True) as con:
        return function(con, *args)


def column(table: pd.DataFrame, key: str, value: str = rf.REFERRALS) -> dict:
    return dict(zip(table[key], table[value], strict=True))


@pytest.fixture
def monthly_db(db, tmp_path):
    load(write_monthly(tmp_path / "referrals_by_month.csv"), db)
    return db


# ---------------------------------------------------------------------------------------------
# One period: totals by type (metrics), exploitation type, age group, referring agency
# ---------------------------------------------------------------------------------------------


def test_totals_by_type_for_a_quarter(monthly_db):
    summary = figures(monthly_db, rf.summary, Q1)
    # NRM, Apr-Jun: 6 + 2 + 4 + 5 + 1 + 7 = 25; Duty to Notify: 3 + 1 = 4 (small); all: 29.
    # 29 - 25 would give the 4 away, so 25 is hidden too (secondary suppression).
    assert column(summary.totals, "Referral type") == {
        "NRM referrals": "[c]",
        "Duty to Notify notifications": "<5",
        "All referrals": "29",
    }
    assert summary.has_data and summary.geography == "Colchester"
    assert summary.coverage == "Colchester figures for April to June 2025"
    assert summary.notes == [disclosure.SCREEN_NOTE, disclosure.SECONDARY_NOTE]
    assert summary.message == ""
    true = figures(monthly_db, rf.summary, Q1, Audience.OFFICER)  # an officer's own screen
    assert column(true.totals, "Referral type") == {
        "NRM referrals": "25",
        "Duty to Notify notifications": "4",
        "All referrals": "29",
    }
    assert true.notes == []


def test_totals_for_the_year_and_a_period_with_nothing(monthly_db):
    year = figures(monthly_db, rf.summary, "2025/26")
    # + July's 8 NRM referrals; March 2025 belongs to 2024/25
    assert column(year.totals, "Referral type") == {
        "NRM referrals": "[c]",  # 33: it would give the 4 away
        "Duty to Notify notifications": "<5",
        "All referrals": "37",
    }
    assert (
        year.coverage == "Colchester figures for April to July 2025 (not yet the whole of 2025/26)"
    )
    empty = figures(monthly_db, rf.summary, "2023/24")
    assert not empty.has_data and empty.local_loaded
    assert "No Colchester referral figures for 2023/24" in empty.message
    assert "March to July 2025" in empty.message  # what is loaded, so the officer can choose
    assert column(empty.totals, "Referral type")["All referrals"] == "0"


def test_exploitation_types_in_the_nrm_order_with_small_counts_suppressed(monthly_db):
    result = figures(monthly_db, rf.by_exploitation, Q1)
    # Labour 2 + 3; Sexual 5; Criminal 6 + 4 + 7; Domestic 1; Labour & Criminal 1 -> Multiple
    assert result.table.to_dict("list") == {
        "Exploitation type": [
            "Labour",
            "Sexual",
            "Criminal",
            "Domestic servitude",
            "Organ harvesting",
            "Multiple",
            "Not specified or unknown",
            "Total",
        ],
        # two small counts: neither can be worked out from the total, so nothing more is hidden
        "Referrals": ["5", "5", "17", "<5", "0", "<5", "0", "29"],
    }
    assert result.notes == [disclosure.SCREEN_NOTE]
    chart = result.chart.set_index("Exploitation type")
    assert chart["label"].tolist() == ["5", "5", "17", "<5", "0", "<5", "0"]
    # no bar, and no true figure anywhere in what the chart is given, for the small counts
    assert math.isnan(chart.loc["Domestic servitude", "Referrals"])
    assert math.isnan(chart.loc["Multiple", "Referrals"])
    assert (
        chart.loc["Criminal", "Referrals"] == 17 and chart.loc["Organ harvesting", "Referrals"] == 0
    )
    assert 1 not in set(chart["Referrals"].dropna())
    assert result.description == (
        "Criminal had the most referrals of the exploitation types shown: 17 of 29 referrals."
    )


def test_age_groups(monthly_db):
    result = figures(monthly_db, rf.by_age, Q1)
    # Adult 2 + 3 + 5 + 1 + 7 + 1 = 19; Child 6 + 4 = 10. But Child's 10 is Essex Police's 11
    # (6 + 4 + 1) less the one Multiple referral (<5): shown, it would give the 1 away, so it
    # is hidden, and Adult with it (the total would give 10 back)
    assert column(result.table, "Age group") == {
        "Adult": "[c]",
        "Child": "[c]",
        "Not specified": "0",
        "Total": "29",
    }
    assert (
        column(figures(monthly_db, rf.by_agency, Q1).table, "Referring agency")["Essex Police"]
        == "11"
    )
    assert result.description == "No age group had a count that can be shown; 29 referrals in all."
    true = figures(monthly_db, rf.by_age, Q1, Audience.OFFICER)
    assert column(true.table, "Age group")["Adult"] == "19"
    assert true.description == "Adult was the most common age group: 19 of 29 referrals."


def test_referring_agencies_most_first(monthly_db, tmp_path):
    # a fourth agency with 2 referrals in May: small, listed after the others, never ranked
    extra = [["May-25", "NRM", "Sexual", "Adult", "Barnardo's", 2]]
    load(write_monthly(tmp_path / "barnardos.csv", extra), monthly_db)
    result = figures(monthly_db, rf.by_agency, Q1)
    # Colchester City Council 2 + 3 + 7 + 1 = 13; Essex Police 6 + 4 + 1 = 11; Salvation Army 5
    assert result.table.to_dict("list") == {
        # shown counts most first; hidden ones after, by name, so their place ranks nothing
        "Referring agency": [
            "Colchester City Council",
            "Essex Police",
            "Barnardo's",
            "Salvation Army",
            "Total",
        ],
        # Barnardo's 2 is small; 31 - 13 - 11 - 5 would give it away, so the smallest other
        # count, the Salvation Army's 5, is hidden too, and drawn without a bar
        "Referrals": ["13", "11", "<5", "[c]", "31"],
    }
    assert result.chart["label"].tolist() == ["13", "11", "<5", "[c]"]
    assert result.chart["Referrals"].isna().tolist() == [False, False, True, True]
    assert result.notes == [disclosure.SCREEN_NOTE, disclosure.SECONDARY_NOTE]
    assert result.description == (
        "Colchester City Council had the most referrals of the referring agencies shown: "
        "13 of 31 referrals."
    )


def test_a_period_of_small_counts_only_says_so_without_a_figure(db, tmp_path):
    rows = [
        ["Apr-25", "NRM", "Criminal", "Child", "Essex Police", 3],
        ["May-25", "NRM", "Labour", "Adult", "Essex Police", 1],
    ]
    load(write_monthly(tmp_path / "small.csv", rows), db)
    result = figures(db, rf.by_exploitation, Q1)
    assert column(result.table, "Exploitation type")["Criminal"] == "<5"
    assert result.description == (
        "No exploitation type had a count that can be shown; <5 referrals in all."
    )
    assert result.chart["Referrals"].dropna().tolist() == [0, 0, 0, 0, 0]  # only the zeros
    summary = figures(db, rf.summary, Q1)
    assert column(summary.totals, "Referral type")["All referrals"] == "<5"  # 4


# ---------------------------------------------------------------------------------------------
# Over the year and by financial year
# ---------------------------------------------------------------------------------------------


def test_over_the_year_by_month(monthly_db):
    over = figures(monthly_db, rf.over_time, Q1)  # the quarter's financial year, 2025/26
    assert over.step == "month" and over.year_label == "2025/26"
    assert over.table.to_dict("list") == {
        "Month": ["Apr 2025", "May 2025", "Jun 2025", "Jul 2025", "Total"],
        # 6 + 2; 4 + 5 + 1; 7; 8; 33 - each [c] beside a small Duty to Notify count, which the
        # row's total would otherwise give away
        "NRM referral": ["[c]", "10", "[c]", "8", "[c]"],
        "Duty to Notify": ["<5", "0", "<5", "0", "<5"],  # 3; -; 1; -; 4
        "Total": ["11", "10", "8", "8", "37"],
    }
    small = over.chart[over.chart["label"] == "<5"]
    assert len(small) == 2 and small["Referrals"].isna().all()
    secondary = over.chart[over.chart["label"] == "[c]"]
    assert secondary["Month"].tolist() == ["Apr 2025", "Jun 2025"]
    assert secondary["Referrals"].isna().all()  # no bar would give 8 and 7 away
    # and the NRM total, 33, which with the year's total (37) would give the 4 away
    assert over.notes == [disclosure.SCREEN_NOTE, disclosure.SECONDARY_NOTE]
    # April's 11 is the busiest month, but no bar of April's is drawn: the sentence says what
    # the chart shows
    assert over.description == (
        "The largest count drawn: 10 NRM referrals in May 2025 (counts marked <5 or [c] are not "
        "drawn); 37 referrals in 2025/26 in all."
    )
    true = figures(monthly_db, rf.over_time, Q1, Audience.OFFICER)
    assert true.description == "Most referrals in Apr 2025: 11 of 37 in 2025/26."


def test_over_the_year_by_quarter_when_a_quarter_was_given(monthly_db, tmp_path):
    quarterly = builders.write_csv(
        tmp_path / "q2.csv",
        [
            ["Quarter", *HEADER[1:]],
            ["2025/26 Q2", "NRM", "Criminal", "Adult", "Barnardo's", 3],
        ],
    )
    load(quarterly, monthly_db)
    yearly = builders.write_csv(
        tmp_path / "year.csv",
        [["Period", *HEADER[1:]], ["2025/26", "NRM", "Labour", "Adult", "Migrant Help", 6]],
    )
    load(yearly, monthly_db)

    over = figures(monthly_db, rf.over_time, "2025/26-Q2", Audience.OFFICER)
    assert over.step == "quarter"
    assert over.table.to_dict("list") == {
        "Quarter": ["Q1 Apr-Jun 2025", "Q2 Jul-Sep 2025", "Total"],
        "NRM referral": ["25", "11", "36"],  # Q2: July's 8 + the quarter's 3
        "Duty to Notify": ["4", "0", "4"],
        "Total": ["29", "11", "40"],
    }
    assert over.notes[0] == (
        "6 referrals recorded for the whole year (not by month or quarter) are in the year's "
        "total but not in this chart."
    )
    # A quarter counts only rows wholly inside it: the year's 6 are counted in the year alone.
    q1 = figures(monthly_db, rf.summary, Q1, Audience.OFFICER)
    assert column(q1.totals, "Referral type")["All referrals"] == "29"
    assert q1.notes == [
        "6 referrals recorded for periods that only partly overlap 2025/26-Q1 are not counted here."
    ]
    year = figures(monthly_db, rf.summary, "2025/26")
    assert column(year.totals, "Referral type")["All referrals"] == str(37 + 3 + 6)
    # Linked this way (the year is its quarters and the year's row; Q2 is July and the quarter's
    # row of 3 for Barnardo's), a meeting sees only what gives no small count away: the year's
    # whole count, with the quarters and the year's row hidden between them
    meeting = figures(monthly_db, rf.over_time, "2025/26-Q2")
    assert meeting.table["Total"].tolist() == ["[c]", "[c]", "[c]"]
    assert meeting.notes[2].startswith("[c] referrals recorded for the whole year")


def test_financial_years(monthly_db):
    years = figures(monthly_db, rf.financial_years)
    # no total across the years: it says nothing, and would tie each year's hidden cells to
    # the others'
    assert years.table.to_dict("list") == {
        "Year": ["2024/25", "2025/26"],
        "NRM referral": ["5", "[c]"],  # 33 would give the 4 away
        "Duty to Notify": ["0", "<5"],
        "Total": ["5", "37"],
        "Covers": ["March 2025 (part of the year)", "April to July 2025 (part of the year)"],
    }
    assert years.description == (
        "Colchester referrals by financial year, 2024/25 (March 2025 only): 5; "
        "2025/26 (April to July 2025 only): 37."
    )


def test_council_crosstab_from_the_builder(db, tmp_path):
    path, expected = builders.referral_crosstab(tmp_path / "crosstab.xlsx")
    load(path, db)  # no referral type in the file or at upload: Other

    summary = figures(db, rf.summary, Q1)
    total = expected["total"]
    assert column(summary.totals, "Referral type") == {
        "NRM referrals": "0",
        "Duty to Notify notifications": "0",
        "Other referrals": str(total) if total >= 5 else "<5",
        "All referrals": str(total) if total >= 5 else "<5",
    }
    by_type = column(figures(db, rf.by_exploitation, Q1).table, "Exploitation type")
    for name, count in expected["by_type"].items():
        assert by_type[name] == ("<5" if 1 <= count <= 4 else str(count)), name
    assert by_type["Organ harvesting"] == "0" and by_type["Multiple"] == "0"
    over = figures(db, rf.over_time, Q1)
    assert over.table["Month"].tolist() == ["Apr 2025", "May 2025", "Jun 2025", "Total"]
    months = [expected["by_month"][k] for k in ("2025-04", "2025-05", "2025-06")]
    assert min(months) >= 5  # the builder's seed: nothing to hide
    assert over.table["Total"].tolist() == [*map(str, months), str(total)]
    agencies = figures(db, rf.by_agency, Q1).table
    assert agencies["Referring agency"].tolist() == ["Not specified", "Total"]


# ---------------------------------------------------------------------------------------------
# The wider area: shares side by side, for the months both cover
# ---------------------------------------------------------------------------------------------

ESSEX_Q2 = [  # NRM referrals, Essex Police force area, calendar Q2 2025 (April-June): 50 people
    ["Labour", "Adult", 10],
    ["Sexual", "Adult", 4],
    ["Criminal", "Adult", 12],
    ["Criminal", "Child", 18],
    ["Labour & Criminal", "Child", 6],
]
WIDER_HEADER = ["Exploitation type", "Age at exploitation", "People"]


def load_essex(db: Path, tmp_path: Path) -> None:
    path = builders.write_csv(
        tmp_path / "nrm_essex_2025_q2.csv",
        [WIDER_HEADER, *ESSEX_Q2],
        title_rows=["National Referral Mechanism statistics, April to June 2025"],
    )
    load(path, db, geography="Essex Police force area", period="2025 Q2", referral_type="NRM")


def test_comparison_shares_by_exploitation_type_and_age(monthly_db, tmp_path):
    load_essex(monthly_db, tmp_path)

    result = figures(monthly_db, rf.comparison, Q1)

    assert result.geographies == ["Colchester", "Essex Police force area"]
    assert result.referral_type == "NRM referral" and result.window == "April to June 2025"
    assert result.referral_types == ["NRM referral"]  # no Duty to Notify for the wider area
    by_type, by_age = result.panels
    # Colchester NRM, Apr-Jun: 25 (Labour 2, Sexual 5, Criminal 17, Multiple 1).
    # Essex: 50 (Labour 10, Sexual 4, Criminal 30, Multiple 6).
    assert by_type.table.to_dict("list") == {
        "Exploitation type": [
            "Labour",
            "Sexual",
            "Criminal",
            "Domestic servitude",
            "Organ harvesting",
            "Multiple",
            "Not specified or unknown",
            "Referrals counted",
        ],
        # Colchester's NRM total for the quarter, 25, is hidden ([c]: with all referrals it
        # would give the 4 notifications away), so no share of it can be shown ('–'); its two
        # small counts are <5 as everywhere.
        "Colchester": ["<5", "–", "–", "0%", "0%", "<5", "0%", "[c]"],
        # Sexual's 4 is small; 50 less the others would give it away, so the smallest other
        # count, Multiple's 6, is hidden too ([c]).
        "Essex Police force area": ["20%", "<5", "60%", "0%", "0%", "[c]", "0%", "50"],
    }
    # Colchester NRM by age: Adult 2 + 5 + 1 + 7 = 15, Child 6 + 4 = 10; Essex 26 and 24
    assert by_age.table.to_dict("list") == {
        "Age group": ["Adult", "Child", "Not specified", "Referrals counted"],
        # hidden as counts too: with the all-types figures by age elsewhere, either would give
        # the Duty to Notify notifications by age away
        "Colchester": ["[c]", "[c]", "0%", "[c]"],
        "Essex Police force area": ["52%", "48%", "0%", "50"],
    }
    chart = by_type.chart.set_index(["Exploitation type", "Geography"])
    assert math.isnan(chart.loc[("Criminal", "Colchester"), "Share (%)"])
    assert math.isnan(chart.loc[("Labour", "Colchester"), "Share (%)"])  # 2 of 25: no bar
    assert chart.loc[("Labour", "Colchester"), "label"] == "<5"
    assert chart.loc[("Criminal", "Essex Police force area"), "Share (%)"] == pytest.approx(60)
    assert math.isnan(chart.loc[("Sexual", "Essex Police force area"), "Share (%)"])
    assert math.isnan(chart.loc[("Multiple", "Essex Police force area"), "Share (%)"])
    assert by_type.description == (
        "No exploitation type's share of Colchester's NRM referrals in April to June 2025 can "
        "be shown."
    )
    officer = figures(monthly_db, rf.comparison, Q1, Audience.OFFICER).panels[0]
    assert officer.table["Colchester"].tolist() == [
        "8%", "20%", "68%", "0%", "0%", "4%", "0%", "25"
    ]  # fmt: skip
    assert officer.description == (
        "Criminal: share of NRM referrals in April to June 2025, 68% in Colchester, "
        "60% in Essex Police force area."
    )
    assert any("calendar quarter" in note for note in result.notes)


def test_comparison_without_a_wider_area_says_what_to_load(monthly_db):
    result = figures(monthly_db, rf.comparison, Q1)
    assert result.empty
    assert "Essex Police force area" in result.message and "--geography" in result.message


def test_wider_area_of_other_months_is_not_compared(monthly_db, tmp_path):
    load_essex(monthly_db, tmp_path)
    # England and Wales, calendar Q1 2025 (January-March): Colchester has only March 2025.
    path = builders.write_csv(
        tmp_path / "nrm_ew_2025_q1.csv", [WIDER_HEADER, ["Criminal", "Adult", 900]]
    )
    load(path, monthly_db, geography="England and Wales", period="2025 Q1", referral_type="NRM")

    result = figures(monthly_db, rf.comparison, "2024/25")
    assert result.empty and "cover other months" in result.message
    other_period = figures(monthly_db, rf.comparison, "2023/24")
    assert other_period.empty and "Essex Police force area: April to June 2025" in (
        other_period.message
    )
    # Q1 2025/26 still compares with Essex alone; England and Wales has nothing in it.
    assert figures(monthly_db, rf.comparison, Q1).geographies == [
        "Colchester",
        "Essex Police force area",
    ]


@needs_shared
def test_comparison_with_the_real_essex_nrm_table(db, tmp_path):
    """Uses ../shared/real/nrm_local_authority_real.csv (Essex Police, April-June 2022)."""
    rows = [
        ["Apr-22", "NRM", "Criminal", "Child", "Essex Police", 9],
        ["May-22", "NRM", "Labour", "Adult", "Colchester City Council", 6],
        ["Jun-22", "NRM", "Sexual", "Adult", "Essex Police", 3],
    ]
    load(write_monthly(tmp_path / "colchester_2022.csv", rows), db)
    load(published.NRM_FILE, db, **published.NRM_OPTIONS)
    publisher = published.nrm_publisher_rows()
    grand = published.publisher_totals(publisher, by=())[()]
    essex: Counter[str] = Counter()
    for (nrm_type,), people in published.publisher_totals(
        publisher, by=("Exploitation type",)
    ).items():
        essex[published.canonical_exploitation(nrm_type)] += people

    result = figures(db, rf.comparison, "2022/23-Q1")

    assert result.geographies == ["Colchester", "Essex Police force area"]
    assert result.window == "April to June 2022"
    table = result.panels[0].table.set_index("Exploitation type")
    small = [name for name in rf.EXPLOITATION_TYPES if 1 <= essex.get(name, 0) <= 4]
    # a lone small count would be given away by the total: the smallest other count goes too
    others = {name: n for name, n in essex.items() if n >= 5}
    secondary = [min(others, key=others.get)] if len(small) == 1 else []
    for name in rf.EXPLOITATION_TYPES:
        n = essex.get(name, 0)
        want = "<5" if name in small else "[c]" if name in secondary else f"{100 * n / grand:.0f}%"
        assert table.loc[name, "Essex Police force area"] == want, name
    assert table.loc["Referrals counted", "Essex Police force area"] == str(grand)  # 45
    # Colchester: 18 referrals; Criminal 9 (50%), Labour 6 (33%, hidden: with the total it
    # would give Sexual's 3 away), Sexual 3 (small)
    assert table["Colchester"].to_dict() == {
        "Labour": "[c]",
        "Sexual": "<5",
        "Criminal": "50%",
        "Domestic servitude": "0%",
        "Organ harvesting": "0%",
        "Multiple": "0%",
        "Not specified or unknown": "0%",
        "Referrals counted": "18",
    }


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def tables(app: AppTest) -> list[pd.DataFrame]:
    return [d.value.reset_index(drop=True) for d in app.dataframe]


def test_page_on_an_empty_database(db):
    app = open_page(PAGE)
    assert app.title[0].value == "Referrals"
    assert "No referral figures yet" in app.info[0].value
    assert "python -m cams_data ingest" in app.info[0].value
    assert not app.metric and not app.dataframe


def test_page_when_only_other_kinds_are_loaded(db, tmp_path):
    path, _ = builders.messy_training_export(tmp_path / "learning_pool.xlsx")
    ingest(UploadRequest(path.read_bytes(), path.name, db=db))
    app = open_page(PAGE)
    assert "No referral figures yet" in app.info[0].value
    assert not app.metric


def test_page_when_only_the_wider_area_is_loaded(db, tmp_path):
    load_essex(db, tmp_path)
    app = open_page(PAGE, period="2025/26-Q1")
    assert "No Colchester referral figures yet" in app.info[0].value
    assert "No Colchester referral figures for 2025/26-Q1 to compare" in app.info[1].value


def test_page_shows_the_modules_figures_for_the_chosen_period(monthly_db, tmp_path):
    load_essex(monthly_db, tmp_path)
    app = open_page(PAGE, period=Q1)

    assert app.caption[0].value.startswith("2025/26-Q1 (April to June 2025)")  # from the URL
    assert {m.label: m.value for m in app.metric} == {
        "NRM referrals": "[c]",
        "Duty to Notify notifications": "<5",
        "All referrals": "29",
    }
    shown = tables(app)
    expected = [
        figures(monthly_db, rf.by_exploitation, Q1).table,
        figures(monthly_db, rf.by_age, Q1).table,
        figures(monthly_db, rf.by_agency, Q1).table,
        figures(monthly_db, rf.over_time, Q1).table,
        figures(monthly_db, rf.financial_years).table,
        *(p.table for p in figures(monthly_db, rf.comparison, Q1).panels),
    ]
    assert len(shown) == len(expected)
    for got, want in zip(shown, expected, strict=True):
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert shown[0].loc[3, "Referrals"] == "<5"  # Domestic servitude: 1
    captions = " ".join(c.value for c in app.caption)
    assert (
        "Criminal had the most referrals of the exploitation types shown: 17 of 29 referrals."
        in captions
    )
    assert "calendar quarter" in captions


def test_page_on_the_demo_data(demo_db):
    app = open_page(PAGE, period="2025/26")
    summary = figures(demo_db, rf.summary, "2025/26")
    assert {m.label: m.value for m in app.metric} == column(summary.totals, "Referral type")
    shown = tables(app)
    pd.testing.assert_frame_equal(
        shown[0], figures(demo_db, rf.by_exploitation, "2025/26").table, check_dtype=False
    )
    pd.testing.assert_frame_equal(
        shown[4], figures(demo_db, rf.financial_years).table, check_dtype=False
    )
    assert "Demo data is loaded" in app.warning[0].value
    comparison = figures(demo_db, rf.comparison, "2025/26")
    # The demo's wider areas: NRM referrals by calendar quarter, Essex then England and Wales.
    assert comparison.geographies == ["Colchester", "Essex Police force area", "England and Wales"]
    for got, panel in zip(shown[5:], comparison.panels, strict=True):
        pd.testing.assert_frame_equal(got, panel.table, check_dtype=False)
    # Every count the page shows is `<5`, 0 or at least 5.
    for table in shown[:5]:
        for name in table.columns[1:].drop("Covers", errors="ignore"):
            for value in table[name]:
                if value not in ("<5", "[c]"):
                    assert int(value.replace(",", "")) not in (1, 2, 3, 4), name


def test_an_officer_sees_true_figures_but_every_download_hides_them(
    monthly_db, local_admin, monkeypatch
):
    from cams_data import chart_downloads, export

    drawn = {}
    real_downloads = chart_downloads.downloads

    def remember(figure, key, draw):
        drawn[key] = draw
        real_downloads(figure, key, draw)

    monkeypatch.setattr(chart_downloads, "downloads", remember)
    app = open_page(PAGE, period=Q1)
    app.sidebar.toggle(key="meeting_view").set_value(False).run()
    assert not app.exception, app.exception
    assert {m.label: m.value for m in app.metric}["Duty to Notify notifications"] == "4"
    on_screen = tables(app)[0].set_index("Exploitation type")["Referrals"]
    assert on_screen["Domestic servitude"] == "1"  # the officer's own screen: true figures

    assert set(drawn) == {"exploitation", "age", "agency", "over-time", "years"}
    figure, table = drawn["exploitation"]()  # as `chart_downloads.downloads` draws each file
    title, out, notes = export.chart_data(figure, table)
    over = export.chart_data(*drawn["over-time"]())
    assert title == "Referrals by exploitation type"
    assert out.set_index("Exploitation type")["Referrals"].to_dict() == {
        "Labour": "5",
        "Sexual": "5",
        "Criminal": "17",
        "Domestic servitude": "[c]",
        "Organ harvesting": "0",
        "Multiple": "[c]",
        "Not specified or unknown": "0",
        "Total": "29",
    }
    assert disclosure.PUBLISHED_NOTE in notes
    assert any(line.startswith("Source: ") for line in notes)
    assert over[1]["NRM referral"].tolist() == ["[c]", "10", "[c]", "8", "[c]"]
    assert over[1]["Duty to Notify"].tolist() == ["[c]", "0", "[c]", "0", "[c]"]
    bars = figure.data.set_index("Exploitation type")["Referrals"]
    assert bars.isna().tolist() == [False, False, False, True, False, True, False]
