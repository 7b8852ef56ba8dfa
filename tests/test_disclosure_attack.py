"""An adversary's test of small-number suppression: nothing a meeting or a reader of the pack can
see gives a hidden referral count away.

Three financial years of a referral log (monthly rows, many counts from 1 to 4) and a wider-area
table are loaded. Then everything a viewer can see is collected, as a viewer would: every period
on offer, every referral table, chart table and sentence, the objectives' referral indicators and
their trends, the comparison with the wider area, and the statement pack's referral table. Each
figure shown is an equation over the true counts of the log's rows (read from the database here,
by this test's own definitions, not the code's): a number is an equality, `<5` says 1 to 4, `[c]`
says nothing, a share says the count lies within half a percent of it. For every hidden cell, an
integer programme finds the least and the greatest value it can take while agreeing with all of
that: two different values, so two sets of true counts that agree with everything published, show
the cell cannot be worked out.

Seeded on purpose: a year shown beside three quarters whose fourth is small; NRM referrals plus
Duty to Notify notifications beside all referrals; a year in which every referral has one age
group; local shares beside the wider area's with a small local count.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import builders
import duckdb
import numpy as np
import pytest
from conftest import database_in
from scipy.optimize import Bounds, LinearConstraint, milp

from cams_data import dashboard, disclosure, indicators, periods, statement
from cams_data import referral_figures as rf
from cams_data.disclosure import Audience
from cams_data.ingest import UploadRequest, ingest
from cams_data.periods import ReportingPeriod
from cams_data.validate import Options

TYPES = ["NRM", "Duty to Notify"]
EXPLOITATION = ["Criminal", "Labour", "Sexual", "Domestic servitude", "Not specified"]
AGES = ["Adult", "Child"]
AGENCIES = ["Colchester City Council", "Essex Police", "Salvation Army"]
FIRST_YEAR = 2023


def referral_log() -> list[list]:
    """Monthly rows for April 2023 to September 2025, seeded; counts mostly 1 to 6."""
    rng = random.Random(13)
    rows = [["Month", "Type of referral", "Exploitation", "Age", "First responder", "Number"]]
    month = date(FIRST_YEAR, 4, 1)
    while month < date(2025, 10, 1):
        year = periods.year_of(month)
        for _ in range(rng.randint(2, 5)):
            age = "Adult" if year.label == "2024/25" else rng.choice(AGES)  # one age group
            rows.append(
                [
                    f"{month:%b-%y}",
                    rng.choice(TYPES),
                    rng.choice(EXPLOITATION),
                    age,
                    rng.choice(AGENCIES),
                    rng.choice([1, 1, 2, 2, 3, 4, 5, 6, 8]),
                ]
            )
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    # 2024/25-Q4 (January to March 2025) holds a single small count: the year beside three
    # shown quarters would give it away
    rows = [r for r in rows if not re.match(r"(Jan|Feb|Mar)-25", str(r[0]))]
    rows.append(["Feb-25", "NRM", "Labour", "Adult", "Essex Police", 2])
    return rows


def wider_area() -> list[list]:
    """The force area's NRM referrals by calendar quarter, 2023 Q2 to 2025 Q3."""
    rng = random.Random(7)
    rows = [["Quarter", "Exploitation type", "Age at exploitation", "Number of referrals"]]
    for year in (2023, 2024, 2025):
        for quarter in range(1, 5):
            if (year, quarter) < (2023, 2) or (year, quarter) > (2025, 3):
                continue
            for kind in EXPLOITATION:
                for age in AGES:
                    rows.append([f"{year} Q{quarter}", kind, age, rng.choice([2, 9, 15, 30])])
    return rows


@pytest.fixture(scope="module")
def log_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("attack")
    with database_in(folder) as db:
        log = builders.write_csv(
            folder / "referral_log.csv",
            referral_log(),
            title_rows=["Modern slavery referrals: Colchester", "Community Safety"],
            notes_below=["Do not publish counts under 5."],
        )
        wider = builders.write_csv(folder / "nrm_essex.csv", wider_area())
        for path, options in (
            (log, Options()),
            (wider, Options(geography="Essex Police force area", referral_type="NRM referral")),
        ):
            upload = ingest(UploadRequest(path.read_bytes(), path.name, db=db, options=options))
            assert upload.status == "loaded", upload
    return db


# --- the true counts, as this test defines them ------------------------------------------------


@dataclass
class Rows:
    """The local log's distinct rows: the unknowns of the adversary's equations."""

    table: list[dict]

    def pick(self, window: ReportingPeriod, **wanted: str | None) -> frozenset[int]:
        return frozenset(
            i
            for i, row in enumerate(self.table)
            if row["start"] >= window.start
            and row["end"] <= window.end
            and all(v is None or row[k] == v for k, v in wanted.items())
        )


def local_rows(db: Path) -> Rows:
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute(
            """SELECT period_start, (period_start + to_months(period_months))::DATE,
                      referral_type, exploitation_type, age_group, referring_agency,
                      sum(referrals)
               FROM referrals WHERE geography = 'Colchester' GROUP BY ALL ORDER BY ALL"""
        ).fetchall()
    keys = ["start", "end", "referral_type", "exploitation_type", "age_group", "agency", "n"]
    return Rows([dict(zip(keys, row, strict=True)) for row in found])


# --- what is published, as equations ----------------------------------------------------------


@dataclass
class Published:
    rows: Rows
    equal: list[tuple[frozenset[int], int]] = field(default_factory=list)
    small: list[frozenset[int]] = field(default_factory=list)  # `<5`: 1 to 4
    hidden: dict[frozenset[int], str] = field(default_factory=dict)  # what each hidden cell is
    shares: list[tuple[frozenset[int], frozenset[int], float]] = field(default_factory=list)
    changes: list[tuple[frozenset[int], frozenset[int], int]] = field(default_factory=list)

    def cell(self, cells: frozenset[int], text: str, what: str) -> None:
        text = str(text)
        if text == disclosure.SCREEN_MARK:
            self.small.append(cells)
            self.hidden.setdefault(cells, what)
        elif text == disclosure.PUBLISHED_MARK:
            self.hidden.setdefault(cells, what)
        else:
            self.equal.append((cells, round(float(text.replace(",", "")))))

    def share(self, part: frozenset[int], whole: frozenset[int], text: str, what: str) -> None:
        if text.endswith("%"):
            self.shares.append((part, whole, float(text.rstrip("%"))))
        elif text != rf.NO_SHARE:  # a share of a hidden total says nothing
            self.cell(part, text, what)


def collect(db: Path, audience: Audience) -> Published:
    rows = local_rows(db)
    seen = Published(rows)
    with duckdb.connect(str(db), read_only=True) as con:
        choices = [periods.parse(p) for p in dashboard.period_choices(con, date(2025, 11, 1))]
        for period in choices:
            where = period.label
            summary = rf.summary(con, period, audience)
            names = {rf._sentence_case(rf.plural(t)): t for t in rf.REFERRAL_TYPES}
            for name, text in zip(summary.totals["Referral type"], summary.totals["Referrals"],
                                  strict=True):  # fmt: skip
                wanted = {} if name == rf.ALL else {"referral_type": names[name]}
                seen.cell(rows.pick(period, **wanted), text, f"{where} {name}")
            for function, column, key in (
                (rf.by_exploitation, "Exploitation type", "exploitation_type"),
                (rf.by_age, "Age group", "age_group"),
                (rf.by_agency, "Referring agency", "agency"),
            ):
                table = function(con, period, audience).table
                for name, text in zip(table[column], table[rf.REFERRALS], strict=True):
                    wanted = {} if name == "Total" else {key: name}
                    seen.cell(rows.pick(period, **wanted), text, f"{where} {column} {name}")
            over = rf.over_time(con, period, audience)
            if not over.empty:
                first = "Month" if over.step == "month" else "Quarter"
                slots = {}
                for label in over.table[first]:
                    if label != "Total":
                        slots[label] = month_or_quarter(label, over.year_label)
                for record in over.table.to_dict("records"):
                    label = record[first]
                    for kind, text in record.items():
                        if kind == first:
                            continue
                        wanted = {} if kind == "Total" else {"referral_type": kind}
                        windows = list(slots.values()) if label == "Total" else [slots[label]]
                        cells = frozenset().union(*(rows.pick(w, **wanted) for w in windows))
                        seen.cell(cells, text, f"{over.year_label} {label} {kind}")
            comparison = rf.comparison(con, period, audience)
            for referral_type in comparison.referral_types:
                shown = rf.comparison(con, period, audience, referral_type)
                if shown.empty:
                    continue
                window = span_period(shown.window)
                for panel, key in zip(shown.panels, ("exploitation_type", "age_group"),
                                      strict=True):  # fmt: skip
                    whole = rows.pick(window, referral_type=referral_type)
                    for name, text in zip(panel.table[panel.category], panel.table["Colchester"],
                                          strict=True):  # fmt: skip
                        if name == "Referrals counted":
                            seen.cell(whole, text, f"{shown.window} {referral_type} all")
                        else:
                            part = rows.pick(window, referral_type=referral_type, **{key: name})
                            seen.share(part, whole, text, f"{shown.window} {name}")
            objectives = dashboard.shown_progress(con, period.label, None, audience)
            report = indicators.progress(con, period)
            for objective, truth in zip(objectives, report, strict=True):
                for shown_row, true_row in zip(objective.indicators, truth.indicators,
                                               strict=True):  # fmt: skip
                    indicator = true_row.indicator
                    if indicator.source != "referrals":
                        continue
                    wanted = {"referral_type": indicator.param("referral_type")}
                    if shown_row.value != "no data yet":
                        seen.cell(rows.pick(period, **wanted), shown_row.value,
                                  f"{where} {indicator.label}")  # fmt: skip
                    if shown_row.change is not None:
                        change = shown_row.change.replace(",", "")
                        before = rows.pick(true_row.previous.period, **wanted)
                        now = rows.pick(period, **wanted)
                        seen.changes.append(
                            (now, before, 0 if change == "no change" else int(change))
                        )
                    trend = dashboard.trend_table(con, indicator.id, period.label, None, audience)
                    for label, text in zip(trend["Period"], trend["Shown"], strict=True):
                        if text != "no data yet":
                            seen.cell(rows.pick(periods.parse(label), **wanted), text,
                                      f"trend {label} {indicator.label}")  # fmt: skip
        years = rf.financial_years(con, audience)
        for record in years.table.to_dict("records"):
            year = periods.parse(record["Year"])
            for kind, text in record.items():
                if kind in ("Year", "Covers"):
                    continue
                wanted = {} if kind == "Total" else {"referral_type": kind}
                seen.cell(rows.pick(year, **wanted), text, f"{year.label} {kind}")
        for year in {p.year() for p in choices}:
            pack_crosstab(seen, rf.crosstab(con, year, Audience.PUBLICATION), year)
    return seen


def pack_crosstab(seen: Published, crosstab, year: ReportingPeriod) -> None:
    if crosstab.empty:
        return
    rows = seen.rows
    columns = [c for c in crosstab.table.columns if c != "Exploitation type"]
    for record in crosstab.table.to_dict("records"):
        kind = record["Exploitation type"]
        wanted = {} if kind == "Total" else {"exploitation_type": kind}
        for column in columns:  # one age group (no Total column): its column is the total
            age = {} if column == "Total" else {"age_group": column}
            seen.cell(rows.pick(year, **wanted, **age), record[column], f"pack {year} {kind}")


def month_or_quarter(label: str, year_label: str) -> ReportingPeriod:
    """'Apr 2025' or 'Q1 Apr-Jun 2025' (the over-time table's rows) as a period."""
    if label.startswith("Q"):
        return periods.parse(year_label).quarters()[int(label[1]) - 1]
    month = date.fromisoformat(f"{label[-4:]}-{MONTHS.index(label[:3]) + 1:02d}-01")
    return ReportingPeriod(month, 1)


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def span_period(text: str) -> ReportingPeriod:
    """'April to June 2025' or 'April 2024 to March 2025' as a period."""
    match = re.fullmatch(r"(\w+)(?: (\d{4}))? to (\w+) (\d{4})", text) or re.fullmatch(
        r"(\w+) (\d{4})()()", text
    )
    first_month = MONTHS.index(match[1][:3]) + 1
    last_year = int(match[4] or match[2])
    last_month = MONTHS.index((match[3] or match[1])[:3]) + 1
    first_year = int(match[2]) if match[2] else last_year - (first_month > last_month)
    start = date(first_year, first_month, 1)
    months = (last_year - first_year) * 12 + last_month - first_month + 1
    return ReportingPeriod(start, months)


# --- the adversary ------------------------------------------------------------------------------


def bounds_of(seen: Published, target: frozenset[int]) -> tuple[float, float]:
    """The least and greatest value `target` can take in whole counts that agree with
    everything published."""
    n = len(seen.rows.table)

    def vector(cells: frozenset[int]) -> np.ndarray:
        out = np.zeros(n)
        out[list(cells)] = 1
        return out

    matrix, low, high = [], [], []
    for cells, value in seen.equal:
        matrix.append(vector(cells))
        low.append(value)
        high.append(value)
    for cells in seen.small:
        matrix.append(vector(cells))
        low.append(1)
        high.append(4)
    for now, before, change in seen.changes:  # a change beside a figure gives the one before
        matrix.append(vector(now) - vector(before))
        low.append(change)
        high.append(change)
    for part, whole, share in seen.shares:  # '38%' of the total: within half a percent
        matrix.append(100 * vector(part) - (share - 0.5) * vector(whole))
        low.append(0)
        high.append(np.inf)
        matrix.append(100 * vector(part) - (share + 0.5) * vector(whole))
        low.append(-np.inf)
        high.append(0)
    constraints = LinearConstraint(np.array(matrix), low, high)
    goal = vector(target)
    found = []
    for sign in (1, -1):
        result = milp(
            sign * goal,
            constraints=constraints,
            integrality=np.ones(n),
            bounds=Bounds(0, np.inf),
        )
        assert result.status == 0, result.message
        found.append(sign * result.fun)
    return found[0], found[1]


def true_value(seen: Published, cells: frozenset[int]) -> int:
    return sum(seen.rows.table[i]["n"] for i in cells)


@pytest.mark.parametrize("audience", [Audience.MEETING, Audience.PUBLICATION])
def test_no_hidden_referral_count_can_be_worked_out_from_everything_shown(log_db, audience):
    seen = collect(log_db, audience)
    for cells, value in seen.equal:  # the adversary's equations hold for the truth
        assert true_value(seen, cells) == value
    hidden = {c: what for c, what in seen.hidden.items() if c}
    assert len(hidden) > 40  # the log is full of small counts: plenty to attack
    determined = []
    for cells, what in hidden.items():
        least, most = bounds_of(seen, cells)
        assert least <= true_value(seen, cells) <= most
        if most - least < 1:
            determined.append((what, true_value(seen, cells)))
    assert determined == []


def test_the_seeded_cases_are_hidden_and_the_year_still_shown(log_db):
    with duckdb.connect(str(log_db), read_only=True) as con:
        year = rf.summary(con, "2024/25", Audience.MEETING)
        quarter = rf.summary(con, "2024/25-Q4", Audience.MEETING)
        quarters = [rf.summary(con, f"2024/25-Q{q}", Audience.MEETING) for q in (1, 2, 3)]
        ages = rf.by_age(con, "2024/25", Audience.MEETING)
    totals = [dict(zip(s.totals["Referral type"], s.totals["Referrals"], strict=True))
              for s in (*quarters, quarter, year)]  # fmt: skip
    assert totals[3]["All referrals"] == "<5"  # Q4's one count of 2
    shown_quarters = [t["All referrals"] for t in totals[:3]]
    if totals[4]["All referrals"] not in disclosure.MARKS:  # the year shown: a quarter hides too
        assert disclosure.PUBLISHED_MARK in shown_quarters or all(
            t in disclosure.MARKS for t in shown_quarters
        )
    assert ages.table["Age group"].tolist() == ["Adult", "Child", "Not specified", "Total"]
    assert ages.table[rf.REFERRALS].tolist()[1:3] == ["0", "0"]  # every referral an adult
    with duckdb.connect(str(log_db), read_only=True) as con:
        pack = statement.build(con, "2024/25")
    assert "statement_tables_2024-25.xlsx" in pack.files  # one age group: the pack builds


# --- people-helped measures ----------------------------------------------------------------------

PARTNERS = ["Survivor Support Charity", "Colchester City Council"]


def measures_log() -> list[list]:
    """Survivors supported and referrals to support services, by partner and quarter, 2024/25 and
    2025/26 to September: many counts from 1 to 4, and a year beside its quarters."""
    rng = random.Random(5)
    rows = [["Objective", "Measure", "Organisation", "Quarter", "Value"]]
    for year in (2024, 2025):
        for quarter in range(1, 5):
            if (year, quarter) > (2025, 2):
                continue
            for measure in ("Survivors supported", "Referrals to support services"):
                for partner in PARTNERS:
                    value = rng.choice([0, 1, 2, 3, 4, 6, 9])
                    rows.append(
                        [1, measure, partner, f"{year}/{(year + 1) % 100} Q{quarter}", value]
                    )
    return rows


@pytest.fixture(scope="module")
def measures_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("attack_measures")
    with database_in(folder) as db:
        path = builders.write_csv(folder / "partner_returns.csv", measures_log())
        assert ingest(UploadRequest(path.read_bytes(), path.name, db=db)).status == "loaded"
    return db


@pytest.mark.parametrize("audience", [Audience.MEETING, Audience.PUBLICATION])
def test_no_hidden_people_helped_count_can_be_worked_out(measures_db, audience):
    with duckdb.connect(str(measures_db), read_only=True) as con:
        found = con.execute(
            """SELECT period_start, (period_start + to_months(period_months))::DATE, measure,
                      organisation, round(sum(value))::INTEGER
               FROM measures GROUP BY ALL ORDER BY ALL"""
        ).fetchall()
        keys = ["start", "end", "measure", "organisation", "n"]
        seen = Published(Rows([dict(zip(keys, row, strict=True)) for row in found]))
        sensitive = [
            i
            for o in indicators.objectives()
            for i in o.indicators
            if i.source == "measure" and i.small_numbers
        ]
        choices = [periods.parse(p) for p in dashboard.period_choices(con, date(2025, 11, 1))]
        for period in choices:
            for organisation in (None, *PARTNERS):
                report = indicators.progress(con, period, organisation)
                shown = dashboard.shown_progress(con, period.label, organisation, audience, report)
                rows = {r.indicator.id: r for o in report for r in o.indicators}
                texts = {s.id: s for o in shown for s in o.indicators}
                for indicator in sensitive:
                    wanted = {"measure": indicator.param("measure"), "organisation": organisation}
                    text = texts[indicator.id]
                    if text.value != "no data yet":
                        seen.cell(seen.rows.pick(period, **wanted), text.value,
                                  f"{period.label} {organisation} {indicator.id}")  # fmt: skip
                    if text.change is not None:
                        change = text.change.replace(",", "")
                        before = seen.rows.pick(rows[indicator.id].previous.period, **wanted)
                        now = seen.rows.pick(period, **wanted)
                        seen.changes.append(
                            (now, before, 0 if change == "no change" else int(change))
                        )
                    trend = dashboard.trend_table(
                        con, indicator.id, period.label, organisation, audience
                    )
                    for label, shown_text in zip(trend["Period"], trend["Shown"], strict=True):
                        if shown_text != "no data yet":
                            seen.cell(seen.rows.pick(periods.parse(label), **wanted), shown_text,
                                      f"trend {label} {organisation} {indicator.id}")  # fmt: skip
        for year in {p.year() for p in choices}:
            table = statement.measure_figures.year_totals(con, year, Audience.PUBLICATION)
            for measure, total in zip(table["Measure"], table["Total"], strict=True):
                seen.cell(seen.rows.pick(year, measure=measure), total, f"pack {year} {measure}")
    for cells, value in seen.equal:
        assert true_value(seen, cells) == value
    hidden = {c: what for c, what in seen.hidden.items() if c}
    assert len(hidden) > 10
    determined = []
    for cells, what in hidden.items():
        least, most = bounds_of(seen, cells)
        if most - least < 1:
            determined.append((what, true_value(seen, cells)))
    assert determined == []
