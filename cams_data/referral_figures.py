"""Referral figures for the Referrals page: NRM referrals and Duty to Notify notifications.

Every function takes a DuckDB connection first and returns display-ready tables: counts from 1
to 4 already read `<5` (and charts draw no bar for them, only the label), so a page can show what
it gets. Only rows whose period lies wholly inside the chosen period count, and local figures
come from the local geography alone (`default_geography` in `cams.toml`), never from the Home
Office tables loaded for the wider area. Those appear only in the comparison, as shares.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import altair as alt
import duckdb
import pandas as pd

from cams_data import charts, disclosure, periods, settings
from cams_data.periods import ReportingPeriod
from cams_data.values import add_months

REFERRAL_TYPES = ["NRM referral", "Duty to Notify", "Other"]
PLURALS = {
    "NRM referral": "NRM referrals",
    "Duty to Notify": "Duty to Notify notifications",
    "Other": "other referrals",
}
EXPLOITATION_TYPES = charts.EXPLOITATION_TYPES
AGE_GROUPS = charts.AGE_GROUPS
NOT_SPECIFIED = "Not specified"
ALL = "All referrals"
SMALL_SHARE = "small"  # a share whose count is 1 to 4: not shown, it would reveal the count
REFERRALS = "Referrals"
SHARE = "Share (%)"
LABEL = "label"
# Fit the page's width; the height is the plot's own (Streamlit's default "fit" would squeeze
# the bars to make room for the title and axes inside the height).
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")

SUPPRESSION_NOTE = (
    "Counts from 1 to 4 are shown as <5 (and drawn without a bar) so that nobody referred can be "
    "identified."
)
UPLOAD_HINT = (
    "Upload the council's NRM referral and Duty to Notify figures with "
    '`python -m cams_data ingest FILE --referral-type "NRM referral"` (a crosstab of '
    "exploitation types by month, or one row per count); the Data loaded page shows what is in."
)
COMPARISON_HINT = (
    "To compare with the wider area, load the Home Office NRM statistics for the Essex Police "
    "force area or England and Wales, e.g. `python -m cams_data ingest FILE --geography "
    '"Essex Police force area" --period "2022 Q2" --referral-type "NRM referral"`.'
)
CALENDAR_NOTE = (
    "The Home Office publishes NRM statistics by calendar quarter (Q1 is January to March), so "
    "April to June is calendar Q2 and the council's financial Q1."
)


# --- small helpers -----------------------------------------------------------------------------


def _period(period: ReportingPeriod | str) -> ReportingPeriod:
    return period if isinstance(period, ReportingPeriod) else periods.parse(period)


def _geography(geography: str | None) -> str:
    return geography or settings.config().default_geography


def _span(start: date, end: date) -> str:
    """`April to June 2025`, `April 2024 to March 2025` or `May 2025` (end exclusive)."""
    last = add_months(end, -1)
    if (start.year, start.month) == (last.year, last.month):
        return f"{start:%B %Y}"
    if start.year == last.year:
        return f"{start:%B} to {last:%B %Y}"
    return f"{start:%B %Y} to {last:%B %Y}"


def _month_label(start: date) -> str:
    return f"{start:%b %Y}"


def _quarter_label(quarter: ReportingPeriod) -> str:
    last = add_months(quarter.end, -1)
    return f"Q{quarter.quarter} {quarter.start:%b}-{last:%b %Y}"


def _count(value) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _share_text(count: int, total: int) -> str:
    """A share as `38%`; `small` when its count is 1 to 4 (the share would reveal it)."""
    if disclosure.is_small(count):
        return SMALL_SHARE
    return f"{100 * count / total:.0f}%" if total else ""


def plural(referral_type: str) -> str:
    """'NRM referrals', 'Duty to Notify notifications', ... for a sentence or a label."""
    return PLURALS.get(referral_type, f"{referral_type} referrals")


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _wholly_inside(alias: str = "r") -> str:
    return (
        f"{alias}.period_start >= $start "
        f"AND {alias}.period_start + to_months({alias}.period_months) <= $end"
    )


def _sums(
    con: duckdb.DuckDBPyConnection,
    column: str,
    period: ReportingPeriod,
    geography: str,
) -> dict[str, int]:
    """True counts by `column` for rows wholly inside the period, local geography only."""
    rows = con.execute(
        f"""SELECT r.{column}, sum(r.referrals) FROM referrals r
            WHERE r.geography = $geography AND {_wholly_inside()}
            GROUP BY 1""",
        {"geography": geography, "start": period.start, "end": period.end},
    ).fetchall()
    return {name: _count(n) for name, n in rows}


# --- what is loaded ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """The headline figures for one period, and what to say when there are none."""

    geography: str
    period_label: str
    totals: pd.DataFrame  # Referral type, Referrals (text, `<5` when small)
    has_data: bool  # local rows lie wholly inside the period
    local_loaded: bool  # any local rows at all
    any_loaded: bool  # any referral rows, whatever the geography
    coverage: str = ""  # e.g. "Figures for April to September 2025"
    message: str = ""  # what to upload or choose when there is nothing to show
    notes: list[str] = field(default_factory=list)


def summary(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod | str,
    geography: str | None = None,
) -> Summary:
    """Totals by referral type for the period (metrics), its coverage, and what is missing."""
    period, geography = _period(period), _geography(geography)
    params = {"geography": geography, "start": period.start, "end": period.end}
    any_rows, local_rows, first, last = con.execute(
        """SELECT count(*), count(*) FILTER (WHERE geography = $geography),
                  min(period_start) FILTER (WHERE geography = $geography),
                  max(period_start + to_months(period_months))
                      FILTER (WHERE geography = $geography)
           FROM referrals""",
        {"geography": geography},
    ).fetchone()
    inside, covered_from, covered_to = con.execute(
        f"""SELECT count(*), min(r.period_start),
                   max(r.period_start + to_months(r.period_months))::DATE
            FROM referrals r WHERE r.geography = $geography AND {_wholly_inside()}""",
        params,
    ).fetchone()
    partly = con.execute(
        """SELECT coalesce(sum(referrals), 0) FROM referrals
           WHERE geography = $geography AND period_start < $end
             AND period_start + to_months(period_months) > $start
             AND NOT (period_start >= $start
                      AND period_start + to_months(period_months) <= $end)""",
        params,
    ).fetchone()[0]
    by_type = _sums(con, "referral_type", period, geography)
    shown_types = [t for t in REFERRAL_TYPES if t != "Other" or by_type.get(t)]
    shown_types += sorted(t for t in by_type if t not in REFERRAL_TYPES)
    counts = pd.DataFrame({REFERRALS: [by_type.get(t, 0) for t in shown_types]})
    shown, hidden = disclosure.on_screen(counts)
    totals = pd.DataFrame(
        {
            "Referral type": [*(_sentence_case(plural(t)) for t in shown_types), ALL],
            REFERRALS: [disclosure.as_text(v) for v in shown[REFERRALS]],
        }
    )
    where = f"{period.label} ({period.description})"
    message, coverage, notes = "", "", hidden[1:]
    if not any_rows:
        message = f"No referral figures yet. {UPLOAD_HINT}"
    elif not local_rows:
        message = (
            f"No {geography} referral figures yet: only the wider area's tables are loaded. "
            f"{UPLOAD_HINT}"
        )
    elif not inside:
        message = (
            f"No {geography} referral figures for {where}. Those loaded cover "
            f"{_span(first, last)}: choose a period in the sidebar."
        )
    else:
        coverage = f"{geography} figures for {_span(covered_from, covered_to)}"
        if covered_from > period.start or covered_to < period.end:
            coverage += f" (not yet the whole of {period.label})"
    if partly:
        notes.append(
            f"{disclosure.shown(_count(partly))} referrals recorded for periods that only partly "
            f"overlap {period.label} are not counted here."
        )
    return Summary(
        geography=geography,
        period_label=period.label,
        totals=totals,
        has_data=bool(inside),
        local_loaded=bool(local_rows),
        any_loaded=bool(any_rows),
        coverage=coverage,
        message=message,
        notes=notes,
    )


# --- breakdowns for one period -----------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    """One breakdown, ready to draw: chart rows (no value where small), a text table, a sentence."""

    title: str
    category: str  # the category column's name, e.g. "Exploitation type"
    chart: pd.DataFrame  # category, Referrals (NaN where 1-4), label (`<5`, `12`, `0`)
    table: pd.DataFrame  # category, Referrals (text), with a Total row
    description: str
    coloured: bool = True  # fixed category colours (exploitation types, age groups)
    notes: list[str] = field(default_factory=list)  # what was hidden beyond counts of 1-4

    @property
    def empty(self) -> bool:
        return self.chart.empty


def _breakdown(
    title: str,
    category: str,
    counts: dict[str, int],
    order: list[str],
    noun: str,
    coloured: bool = True,
) -> Breakdown:
    values = [counts.get(name, 0) for name in order]
    raw = pd.DataFrame({category: order, REFERRALS: values})
    if not counts:
        raw = raw.iloc[0:0]
    shown, notes = disclosure.on_screen(raw.set_index(category))
    labels = [disclosure.as_text(v) for v in shown[REFERRALS]]
    chart = disclosure.for_chart(raw, REFERRALS, labels[:-1])
    table = pd.DataFrame({category: [*raw[category], "Total"], REFERRALS: labels})
    if raw.empty:
        table = table.iloc[0:0]
    description = _most_common(raw, category, noun)
    return Breakdown(title, category, chart, table, description, coloured, notes[1:])


def _most_common(raw: pd.DataFrame, category: str, noun: str) -> str:
    """'Criminal was the most common exploitation type: 12 of 30 referrals.' (never a count 1-4)."""
    if raw.empty:
        return f"No referrals by {noun} in this period."
    total = int(raw[REFERRALS].sum())
    top = int(raw[REFERRALS].max())
    if disclosure.is_small(top):
        return (
            f"No {noun} had 5 or more referrals; there were {disclosure.shown(total)} "
            "referrals in all."
        )
    leaders = raw.loc[raw[REFERRALS] == top, category].tolist()
    if len(leaders) == 1:
        return f"{leaders[0]} was the most common {noun}: {top:,} of {total:,} referrals."
    return f"{_join(leaders)} were the most common {noun}s: {top:,} referrals each, of {total:,}."


def _order_known(known: list[str], counts: dict[str, int]) -> list[str]:
    return known + sorted(k for k in counts if k not in known)


def by_exploitation(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod | str,
    geography: str | None = None,
) -> Breakdown:
    """Referrals by exploitation type in the NRM's order (every type listed, zeros included)."""
    period, geography = _period(period), _geography(geography)
    counts = _sums(con, "exploitation_type", period, geography)
    return _breakdown(
        "Referrals by exploitation type",
        "Exploitation type",
        counts,
        _order_known(EXPLOITATION_TYPES, counts),
        "exploitation type",
    )


def by_age(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod | str,
    geography: str | None = None,
) -> Breakdown:
    """Referrals by age group: Adult, Child (under 18), Not specified."""
    period, geography = _period(period), _geography(geography)
    counts = _sums(con, "age_group", period, geography)
    return _breakdown(
        "Referrals by age group", "Age group", counts, _order_known(AGE_GROUPS, counts), "age group"
    )


def _agency_order(counts: dict[str, int]) -> list[str]:
    """Most referrals first; counts of 1-4 after, by name (their order must not rank them);
    Not specified last."""
    named = {k: v for k, v in counts.items() if k != NOT_SPECIFIED and v}
    big = sorted(
        (k for k, v in named.items() if v >= disclosure.THRESHOLD), key=lambda k: (-named[k], k)
    )
    small = sorted(k for k, v in named.items() if v < disclosure.THRESHOLD)
    return big + small + ([NOT_SPECIFIED] if counts.get(NOT_SPECIFIED) else [])


def by_agency(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod | str,
    geography: str | None = None,
) -> Breakdown:
    """Referrals by referring agency (the NRM's First responder), most first."""
    period, geography = _period(period), _geography(geography)
    counts = _sums(con, "referring_agency", period, geography)
    breakdown = _breakdown(
        "Referrals by referring agency",
        "Referring agency",
        counts,
        _agency_order(counts),
        "referring agency",
        coloured=False,
    )
    return breakdown


# --- over time ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverTime:
    """Referrals by month (or quarter) and referral type across one financial year."""

    title: str
    year_label: str
    step: str  # "month" or "quarter"
    chart: pd.DataFrame  # Period, Referral type, Referrals (NaN where 1-4), label
    table: pd.DataFrame  # Period, one column per referral type, Total (text)
    description: str
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.table.empty


def _type_order(types: Iterable[str]) -> list[str]:
    found = set(types)
    return [t for t in REFERRAL_TYPES if t in found] + sorted(found - set(REFERRAL_TYPES))


def _grid(
    raw: pd.DataFrame, first: str, order: list[str], types: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """From true counts (first, Referral type, Referrals): a full grid of true counts, the
    chart rows (suppressed) and the wide text table with a Total column."""
    index = pd.MultiIndex.from_product([order, types], names=[first, "Referral type"])
    counts = (
        raw.groupby([first, "Referral type"])[REFERRALS].sum().reindex(index, fill_value=0)
    ).reset_index()
    counts[REFERRALS] = counts[REFERRALS].astype(int)
    wide = counts.pivot(index=first, columns="Referral type", values=REFERRALS)
    wide = wide.reindex(index=order, columns=types)
    shown, notes = disclosure.on_screen(wide)
    shown = shown.map(disclosure.as_text)
    if "Total" not in shown.columns:  # one referral type: its column is the total
        shown["Total"] = shown[types[0]]
    labels = [
        shown.loc[row, kind]
        for row, kind in zip(counts[first], counts["Referral type"], strict=True)
    ]
    chart = disclosure.for_chart(counts, REFERRALS, labels)
    table = shown.rename_axis(index=first, columns=None).reset_index()
    return counts, chart, table, notes[1:]


def _busiest(counts: pd.DataFrame, first: str, noun: str, total_word: str) -> str:
    per = counts.groupby(first, sort=False)[REFERRALS].sum()
    total = int(per.sum())
    if not total:
        return f"No referrals {total_word}."
    top = int(per.max())
    if disclosure.is_small(top):
        return (
            f"Every {noun} had fewer than 5 referrals; {disclosure.shown(total)} referrals "
            f"{total_word}."
        )
    leaders = per[per == top].index.tolist()
    return f"Most referrals in {_join(leaders)}: {top:,} of {total:,} {total_word}."


def over_time(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod | str,
    geography: str | None = None,
) -> OverTime:
    """The financial year holding `period`: by month when every row is monthly, else by quarter."""
    period, geography = _period(period), _geography(geography)
    year = period.year()
    rows = con.execute(
        f"""SELECT r.period_start, r.period_months, r.referral_type, sum(r.referrals)
            FROM referrals r WHERE r.geography = $geography AND {_wholly_inside()}
            GROUP BY ALL""",
        {"geography": geography, "start": year.start, "end": year.end},
    ).fetchall()
    title = f"Referrals in {year.label}"
    if not rows:
        empty = pd.DataFrame()
        return OverTime(
            title,
            year.label,
            "month",
            empty,
            empty,
            f"No {geography} referral figures for {year.label}.",
        )
    notes: list[str] = []
    monthly = all(months == 1 for _, months, _, _ in rows)
    records = []
    unplaced = 0
    for start, months, referral_type, n in rows:
        if monthly:
            slot = start
        else:
            quarter = periods.quarter_of(start)
            if add_months(start, int(months)) > quarter.end:
                unplaced += _count(n)
                continue
            slot = quarter.start
        records.append((slot, referral_type, _count(n)))
    raw = pd.DataFrame(records, columns=["slot", "Referral type", REFERRALS])
    if unplaced:
        notes.append(
            f"{disclosure.shown(unplaced)} referrals recorded for the whole year (not by month "
            "or quarter) are in the year's total but not in this chart."
        )
    step = "month" if monthly else "quarter"
    if raw.empty:
        slots = []
    elif monthly:
        first, last = raw["slot"].min(), raw["slot"].max()
        slots = []
        while first <= last:
            slots.append(first)
            first = add_months(first, 1)
    else:
        placed = set(raw["slot"])
        slots = [q.start for q in year.quarters() if q.start <= max(placed)]
        slots = [s for s in slots if s >= min(placed)]
    label_of = (
        {s: _month_label(s) for s in slots}
        if monthly
        else {s: _quarter_label(periods.quarter_of(s)) for s in slots}
    )
    column = "Month" if monthly else "Quarter"
    raw[column] = raw["slot"].map(label_of)
    types = _type_order(raw["Referral type"]) or REFERRAL_TYPES[:2]
    counts, chart, table, hidden = _grid(raw, column, [label_of[s] for s in slots], types)
    notes += hidden
    if not monthly and slots:
        notes.append("Shown by quarter: some figures for this year were given by quarter.")
    description = _busiest(counts, column, step, f"in {year.label}")
    return OverTime(
        f"Referrals by {step}, {year.label}", year.label, step, chart, table, description, notes
    )


# --- financial years ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Years:
    """Each financial year's referrals by type, across every year loaded."""

    chart: pd.DataFrame  # Year, Referral type, Referrals (NaN where 1-4), label
    table: pd.DataFrame  # Year, one column per referral type, Total, Covers (text)
    description: str
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.table.empty


def financial_years(con: duckdb.DuckDBPyConnection, geography: str | None = None) -> Years:
    """Totals by referral type for each financial year (April-March) with local figures."""
    geography = _geography(geography)
    rows = con.execute(
        """WITH r AS (
               SELECT *, CASE WHEN month(period_start) >= 4 THEN year(period_start)
                              ELSE year(period_start) - 1 END AS fy,
                      (period_start + to_months(period_months))::DATE AS period_end
               FROM referrals WHERE geography = $geography)
           SELECT fy, referral_type, sum(referrals), min(period_start), max(period_end),
                  bool_and(period_end <= make_date(fy + 1, 4, 1)) AS inside
           FROM r GROUP BY fy, referral_type, period_end <= make_date(fy + 1, 4, 1)
           ORDER BY fy""",
        {"geography": geography},
    ).fetchall()
    inside = [r for r in rows if r[5]]
    outside = sum(_count(r[2]) for r in rows if not r[5])
    if not inside:
        empty = pd.DataFrame()
        return Years(empty, empty, f"No {geography} referral figures yet.")
    labels = {fy: periods.financial_year(fy).label for fy, *_ in inside}
    raw = pd.DataFrame(
        [(labels[fy], t, _count(n)) for fy, t, n, *_ in inside],
        columns=["Year", "Referral type", REFERRALS],
    )
    order = [labels[fy] for fy in sorted(labels)]
    types = _type_order(raw["Referral type"])
    counts, chart, table, hidden = _grid(raw, "Year", order, types)
    covers, partial = {}, {}
    for fy in sorted(labels):
        first = min(r[3] for r in inside if r[0] == fy)
        last = max(r[4] for r in inside if r[0] == fy)
        year = periods.financial_year(fy)
        text = _span(first, last)
        if first > year.start or last < year.end:
            partial[labels[fy]] = text
            text += " (part of the year)"
        covers[labels[fy]] = text
    table["Covers"] = table["Year"].map(covers).fillna("")
    notes = list(hidden)
    if outside:
        notes.append(
            f"{disclosure.shown(outside)} referrals recorded for periods that cross a year end "
            "are not counted in any year."
        )
    per_year = counts.groupby("Year", sort=False)[REFERRALS].sum()
    parts = [
        f"{year}{f' ({partial[year]} only)' if year in partial else ''}: {disclosure.shown(int(n))}"
        for year, n in per_year.items()
    ]
    description = f"{geography} referrals by financial year, " + "; ".join(parts) + "."
    return Years(chart, table, description, notes)


# --- the wider area ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shares:
    """One side-by-side comparison: shares of each geography's referrals by one category."""

    title: str
    category: str  # "Exploitation type" or "Age group"
    chart: pd.DataFrame  # category, Geography, Share (%) (NaN where the count is 1-4), label
    table: pd.DataFrame  # category, one column per geography: `38%`, `small`; a count row last
    description: str


@dataclass(frozen=True)
class Comparison:
    """Each geography's share of referrals by exploitation type and age group, side by side."""

    referral_type: str
    referral_types: list[str]  # the types both local and wider-area figures have
    geographies: list[str]  # local first
    window: str  # the months every geography shown covers, e.g. "April to June 2022"
    panels: list[Shares] = field(default_factory=list)  # by exploitation type, by age group
    message: str = ""  # when there is nothing to compare: what to load or choose
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.geographies


def _slots(
    con: duckdb.DuckDBPyConnection, period: ReportingPeriod, referral_type: str | None
) -> dict[str, list[tuple[date, date]]]:
    """Each geography's distinct row periods (start, end exclusive) wholly inside the period."""
    params = {"start": period.start, "end": period.end}
    match = ""
    if referral_type:
        match, params["referral_type"] = "AND r.referral_type = $referral_type", referral_type
    rows = con.execute(
        f"""SELECT DISTINCT r.geography, r.period_start,
                   (r.period_start + to_months(r.period_months))::DATE
            FROM referrals r WHERE {_wholly_inside()} {match}
            ORDER BY ALL""",
        params,
    ).fetchall()
    out: dict[str, list[tuple[date, date]]] = {}
    for geography, first, end in rows:
        out.setdefault(geography, []).append((first, end))
    return out


def _fit(
    slots: dict[str, list[tuple[date, date]]], geographies: list[str], start: date, end: date
) -> tuple[date, date] | None:
    """The widest window inside [start, end) made of whole rows of every geography: each one's
    rows that fit, from the first to the last; None when some geography has none left."""
    while True:
        new_start, new_end = start, end
        for geography in geographies:
            inside = [(a, b) for a, b in slots[geography] if a >= start and b <= end]
            if not inside:
                return None
            new_start = max(new_start, min(a for a, _ in inside))
            new_end = min(new_end, max(b for _, b in inside))
        if new_start >= new_end:
            return None
        if (new_start, new_end) == (start, end):
            return start, end
        start, end = new_start, new_end


def _common_window(
    slots: dict[str, list[tuple[date, date]]], local: str
) -> tuple[date, date, list[str], list[str]]:
    """The months the local area and as many other geographies as possible all cover."""
    start = min(a for a, _ in slots[local])
    end = max(b for _, b in slots[local])

    def overlap(geography: str) -> int:
        first = max(start, min(a for a, _ in slots[geography]))
        last = min(end, max(b for _, b in slots[geography]))
        return (last - first).days

    shown, dropped = [local], []
    for geography in sorted((g for g in slots if g != local), key=lambda g: (-overlap(g), g)):
        fitted = _fit(slots, [*shown, geography], start, end)
        if fitted:
            start, end = fitted
            shown.append(geography)
        else:
            dropped.append(geography)
    return start, end, shown, dropped


def _shares(
    raw: pd.DataFrame, category: str, geographies: list[str], chosen: str, window: str
) -> Shares:
    """True counts (geography, category, n) -> shares as text, chart rows and a sentence."""
    known = EXPLOITATION_TYPES if category == "Exploitation type" else AGE_GROUPS
    order = _order_known(known, dict.fromkeys(raw[category], 0))
    table = {category: [*order, "Referrals counted"]}
    chart_rows = []
    totals = raw.groupby("geography")["n"].sum()
    for geography in geographies:
        counts = raw[raw["geography"] == geography].groupby(category)["n"].sum()
        counts = counts.reindex(order, fill_value=0).to_frame()
        shown, _ = disclosure.on_screen(counts)
        total = int(totals.get(geography, 0))
        cells = []
        for name, n, cell in zip(order, counts["n"], shown["n"], strict=False):
            text = _share_text(int(n), total) if cell != disclosure.PUBLISHED_MARK else cell
            share = None if isinstance(cell, str) or not total else 100 * n / total
            cells.append(text)
            chart_rows.append((name, geography, share, text))
        table[geography] = [*cells, disclosure.as_text(shown["n"].iloc[-1])]
    chart = pd.DataFrame(chart_rows, columns=[category, "Geography", SHARE, LABEL])
    chart[SHARE] = chart[SHARE].astype(float)
    noun = category.lower()
    return Shares(
        f"Share of {plural(chosen)} by {noun}",
        category,
        chart,
        pd.DataFrame(table),
        _compare_sentence(raw, category, order, geographies, chosen, window),
    )


def _compare_sentence(
    raw: pd.DataFrame,
    category: str,
    order: list[str],
    geographies: list[str],
    chosen: str,
    window: str,
) -> str:
    """The local area's largest category (5 or more referrals) and its share in each area."""
    local, noun = geographies[0], category.lower()
    totals = raw.groupby("geography")["n"].sum()
    counts = raw.groupby(["geography", category])["n"].sum()
    mine = counts.get(local, pd.Series(dtype=int))
    mine = mine[mine >= disclosure.THRESHOLD]
    if mine.empty:
        return f"No {noun} had 5 or more of {local}'s {plural(chosen)} in {window}."
    top = next(name for name in order if mine.get(name) == mine.max())
    parts = [
        f"{_share_text(int(counts.get((g, top), 0)), int(totals.get(g, 0)))} in {g}"
        for g in geographies
    ]
    return f"{top}: share of {plural(chosen)} in {window}, " + ", ".join(parts) + "."


def comparison(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod | str,
    geography: str | None = None,
    referral_type: str | None = None,
) -> Comparison:
    """Local shares beside each wider area's, for the months they all cover inside the period.

    Compares one referral type at a time (the Home Office tables are NRM referrals, or Duty to
    Notify reports): `referral_type`, else NRM referral when both sides have it, else the first
    type they share.
    """
    period, local = _period(period), _geography(geography)
    all_slots = _slots(con, period, None)
    others = [g for g in all_slots if g != local]

    def nothing(message: str, types: list[str] | None = None, chosen: str = "") -> Comparison:
        return Comparison(chosen, types or [], [], "", [], message)

    if not others:
        loaded = con.execute(
            """SELECT geography, min(period_start),
                      max(period_start + to_months(period_months))::DATE
               FROM referrals WHERE geography <> $local GROUP BY 1 ORDER BY 1""",
            {"local": local},
        ).fetchall()
        if not loaded:
            return nothing(f"No figures for a wider area are loaded. {COMPARISON_HINT}")
        listed = "; ".join(f"{g}: {_span(a, b)}" for g, a, b in loaded)
        return nothing(
            f"Wider-area figures are loaded ({listed}) but none for {period.label}: choose a "
            "period they cover in the sidebar."
        )
    if local not in all_slots:
        return nothing(f"No {local} referral figures for {period.label} to compare.")
    types = [
        t
        for t in _type_order(
            r[0]
            for r in con.execute(
                f"""SELECT DISTINCT r.referral_type FROM referrals r
                    WHERE {_wholly_inside()} AND r.geography = $local
                      AND r.referral_type IN (
                          SELECT referral_type FROM referrals r
                          WHERE {_wholly_inside()} AND r.geography <> $local)""",
                {"start": period.start, "end": period.end, "local": local},
            ).fetchall()
        )
    ]
    if not types:
        return nothing(
            f"The wider-area figures for {period.label} are of another referral type than "
            f"{local}'s, so there is nothing like for like to compare."
        )
    chosen = referral_type if referral_type in types else types[0]
    slots = _slots(con, period, chosen)
    start, end, shown_geographies, dropped = _common_window(slots, local)
    if len(shown_geographies) == 1:
        return nothing(
            f"The wider area's {plural(chosen)} for {period.label} cover other months than "
            f"{local}'s, so there is no common period to compare.",
            types,
            chosen,
        )
    raw = con.execute(
        """SELECT geography, exploitation_type, age_group, sum(referrals) AS n
           FROM referrals
           WHERE referral_type = $referral_type AND list_contains($geographies, geography)
             AND period_start >= $start AND period_start + to_months(period_months) <= $end
           GROUP BY ALL""",
        {
            "referral_type": chosen,
            "geographies": shown_geographies,
            "start": start,
            "end": end,
        },
    ).df()
    raw["n"] = raw["n"].fillna(0).astype(int)
    # The nearest in scale first: Essex Police force area before England and Wales.
    size = raw.groupby("geography")["n"].sum()
    shown_geographies = [local, *sorted(shown_geographies[1:], key=lambda g: (size.get(g, 0), g))]
    raw = raw.rename(columns={"exploitation_type": "Exploitation type", "age_group": "Age group"})
    window = _span(start, end)
    panels = [
        _shares(raw, "Exploitation type", shown_geographies, chosen, window),
        _shares(raw, "Age group", shown_geographies, chosen, window),
    ]
    notes = [
        f"Shares of each area's {plural(chosen)} in {window}, the months every area shown covers. "
        f"'{SMALL_SHARE}': fewer than 5 referrals, so the share is not shown.",
        CALENDAR_NOTE,
    ]
    if dropped:
        notes.append(f"Not shown (no months in common): {_join(dropped)}.")
    return Comparison(chosen, types, shown_geographies, window, panels, "", notes)


# --- chart builders (data in, alt.Chart out) ---------------------------------------------------


def _label_at(value: str) -> str:
    """Where a bar's label goes: the bar's end, or 0 for a suppressed count (no bar)."""
    return f"isValid(datum['{value}']) ? datum['{value}'] : 0"


def breakdown_chart(breakdown: Breakdown, subtitle: str, period_label: str = "") -> alt.Chart:
    """Horizontal bars, one per category, each labelled with its count or `<5` (no bar)."""
    return charts.bar(
        breakdown.chart,
        category=breakdown.category,
        value=REFERRALS,
        title=breakdown.title,
        subtitle=subtitle,
        source=charts.source_note("referrals", period=period_label),
        value_title=REFERRALS,
        label=LABEL,
        colour=breakdown.category if breakdown.coloured else None,
    )


def over_time_chart(over: OverTime, subtitle: str) -> alt.Chart:
    column = "Month" if over.step == "month" else "Quarter"
    return charts.grouped_bar(
        over.chart,
        category=column,
        group="Referral type",
        value=REFERRALS,
        title=over.title,
        subtitle=subtitle,
        label=LABEL,
        source=charts.source_note("referrals", period=over.year_label),
        value_title=REFERRALS,
    )


def years_chart(years: Years, subtitle: str) -> alt.Chart:
    return charts.grouped_bar(
        years.chart,
        category="Year",
        group="Referral type",
        value=REFERRALS,
        title="Referrals by financial year",
        subtitle=subtitle,
        label=LABEL,
        source=charts.source_note("referrals"),
        value_title=REFERRALS,
    )


def comparison_chart(shares: Shares, subtitle: str) -> alt.Chart:
    return charts.grouped_bar(
        shares.chart,
        category=shares.category,
        group="Geography",
        value=SHARE,
        title=shares.title,
        subtitle=subtitle,
        label=LABEL,
        source=charts.source_note("referrals", also="Home Office NRM statistics"),
        value_title="Share of referrals (%)",
        horizontal=True,
    )
