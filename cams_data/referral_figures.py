"""Referral figures: NRM referrals and Duty to Notify notifications, for every page and file.

Every count comes from one place: `cells`, the local geography's referral rows (`default_geography`
in `cams.toml`; the Home Office tables loaded for the wider area appear only in the comparison, as
shares) and every count any page, chart, sentence or file shows of them, with the cells to hide
chosen once over all of them (`disclosure.Cells`). So a figure reads the same wherever it appears,
and a count from 1 to 4 hidden in one place cannot be worked out from a total, another period or
another page. Only rows whose period lies wholly inside the chosen period count.

Each function takes a DuckDB connection, the period and the audience (`disclosure.Audience`) and
returns display-ready tables: hidden counts already read `<5` or `[c]`, and charts draw no bar for
them, only the label.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import altair as alt
import duckdb
import pandas as pd

from cams_data import charts, disclosure, periods, settings
from cams_data.disclosure import Audience, Support
from cams_data.kinds import AGE_GROUP_NAMES, EXPLOITATION_TYPE_NAMES, REFERRAL_TYPE_NAMES
from cams_data.periods import ReportingPeriod, add_months

REFERRAL_TYPES = list(REFERRAL_TYPE_NAMES)
PLURALS = {
    "NRM referral": "NRM referrals",
    "Duty to Notify": "Duty to Notify notifications",
    "Other": "other referrals",
}
EXPLOITATION_TYPES = list(EXPLOITATION_TYPE_NAMES)
AGE_GROUPS = list(AGE_GROUP_NAMES)
NOT_SPECIFIED = "Not specified"
ALL = "All referrals"
REFERRALS = "Referrals"
SHARE = "Share (%)"
NO_SHARE = "–"  # a share of a hidden total
LABEL = "label"
DIMENSIONS = ("referral_type", "exploitation_type", "age_group", "referring_agency")
# Fit the page's width; the height is the plot's own (Streamlit's default "fit" would squeeze
# the bars to make room for the title and axes inside the height).
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")

SUPPRESSION_NOTE = (
    "Counts from 1 to 4 are shown as <5 (and drawn without a bar), and [c] marks a count hidden "
    "so that a <5 cannot be worked out from a total, another period or another page."
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


def plural(referral_type: str) -> str:
    """'NRM referrals', 'Duty to Notify notifications', ... for a sentence or a label."""
    return PLURALS.get(referral_type, f"{referral_type} referrals")


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _order_known(known: list[str], found: Iterable[str]) -> list[str]:
    found = list(dict.fromkeys(found))
    return known + sorted(k for k in found if k not in known)


def _type_order(types: Iterable[str]) -> list[str]:
    found = set(types)
    return [t for t in REFERRAL_TYPES if t in found] + sorted(found - set(REFERRAL_TYPES))


# --- every count that can be shown ------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One labelled count of a table: what it is and the rows it adds up."""

    name: str
    support: Support


@dataclass
class ReferralCells:
    """The local referral rows, and every count of them a page or file can show, settled."""

    geography: str
    cells: disclosure.Cells
    years: list[ReportingPeriod]
    wider: pd.DataFrame  # other geographies' row periods: geography, referral_type, start, end

    @property
    def atoms(self) -> pd.DataFrame:
        return self.cells.atoms

    def values(self, column: str, support: Support | None = None) -> list[str]:
        """The distinct values of a dimension among the rows (all rows when no support)."""
        rows = self.atoms if support is None else self.atoms.iloc[sorted(support)]
        return list(dict.fromkeys(rows[column]))

    def value(self, support: Support) -> int:
        return self.cells.value(support)

    def text(self, support: Support, audience: Audience) -> str:
        return self.cells.text(support, audience)

    def why(self, support: Support) -> str:
        return self.cells.why(support)

    def inside(
        self, window: ReportingPeriod, worth: int | None = None, **filters: str | None
    ) -> Support:
        return self.cells.add(window.start, window.end, worth, **filters)

    def partly(self, window: ReportingPeriod) -> Support:
        """Rows that overlap the window without lying wholly inside it."""
        a = self.atoms
        start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
        starts, ends = pd.to_datetime(a["start"]), pd.to_datetime(a["end"])
        overlap = (starts < end) & (ends > start) & ~((starts >= start) & (ends <= end))
        return self.cells.add_rows(frozenset(overlap[overlap].index.tolist()), disclosure.ASIDE)


def _atoms(con: duckdb.DuckDBPyConnection, geography: str) -> pd.DataFrame:
    return con.execute(
        """SELECT referral_type, exploitation_type, age_group, referring_agency,
                  period_start AS start,
                  (period_start + to_months(period_months))::DATE AS "end",
                  sum(referrals)::BIGINT AS n
           FROM referrals WHERE geography = $geography
           GROUP BY ALL ORDER BY ALL""",
        {"geography": geography},
    ).df()


def _wider(con: duckdb.DuckDBPyConnection, geography: str) -> pd.DataFrame:
    return con.execute(
        """SELECT DISTINCT geography, referral_type, period_start AS start,
                  (period_start + to_months(period_months))::DATE AS "end"
           FROM referrals WHERE geography <> $geography ORDER BY ALL""",
        {"geography": geography},
    ).df()


_SETTLED: dict[tuple, ReferralCells] = {}


def cells(con: duckdb.DuckDBPyConnection, geography: str | None = None) -> ReferralCells:
    """Every local referral count any page or file shows, with the hidden cells chosen once
    (kept while the rows, the wider area's periods and the indicators are unchanged: one small
    query tells, so a page asking for many figures pays for the choice once)."""
    from cams_data import indicators

    geography = _geography(geography)
    key = (geography, _fingerprint(con, geography), indicators.config_version())
    if key not in _SETTLED:
        if len(_SETTLED) > 16:
            _SETTLED.clear()
        _SETTLED[key] = _settle(_atoms(con, geography), _wider(con, geography), geography)
    return _SETTLED[key]


def _fingerprint(con: duckdb.DuckDBPyConnection, geography: str) -> tuple:
    """The referral rows, in a few numbers: local rows, and the wider area's periods."""
    return con.execute(
        """SELECT count(*) FILTER (WHERE geography = $geography),
                  sum(hash(referral_type, exploitation_type, age_group, referring_agency,
                           period_start, period_months, referrals))
                      FILTER (WHERE geography = $geography),
                  sum(hash(geography, referral_type, period_start, period_months))
                      FILTER (WHERE geography <> $geography)
           FROM referrals""",
        {"geography": geography},
    ).fetchone()


def _settle(atoms: pd.DataFrame, wider: pd.DataFrame, geography: str) -> ReferralCells:
    for column in ("start", "end"):
        atoms[column] = pd.to_datetime(atoms[column]).dt.date
        wider[column] = pd.to_datetime(wider[column]).dt.date if len(wider) else wider[column]
    years = []
    if len(atoms):
        year = periods.year_of(min(atoms["start"]))
        while year.start < max(atoms["end"]):
            years.append(year)
            year = year.following()
    found = ReferralCells(geography, disclosure.Cells(atoms, "n", DIMENSIONS), years, wider)
    for layout in _LAYOUTS:
        layout(found)
    found.cells.settle()
    return found


def _windows(found: ReferralCells) -> list[ReportingPeriod]:
    """Every year with local rows and its quarters: the periods a page can be chosen for."""
    return [w for year in found.years for w in (year, *year.quarters())]


# Each layout below is both how a table is built for a page and how its counts are registered
# before the hidden cells are chosen: the same function runs for both, so they cannot differ.


def _type_lines(found: ReferralCells, window: ReportingPeriod) -> tuple[list[Line], Support]:
    total = found.inside(window)
    kinds = _type_order([*REFERRAL_TYPES[:2], *found.values("referral_type")])
    # NRM referrals and Duty to Notify notifications in a quarter or year are headline figures
    worth = disclosure.TOTAL if window.months >= 3 else disclosure.BREAKDOWN
    lines = [Line(t, found.inside(window, worth, referral_type=t)) for t in kinds]
    lines = [line for line in lines if line.support or line.name in REFERRAL_TYPES[:2]]
    found.cells.relate(total, [line.support for line in lines])
    return lines, total


def _category_lines(
    found: ReferralCells, window: ReportingPeriod, column: str
) -> tuple[list[Line], Support]:
    total = found.inside(window)
    known = {"exploitation_type": EXPLOITATION_TYPES, "age_group": AGE_GROUPS}.get(column, [])
    inside = found.values(column, total)
    names = _order_known(known, inside) if known else inside
    lines = [Line(name, found.inside(window, **{column: name})) for name in names]
    found.cells.relate(total, [line.support for line in lines])
    return lines, total


def _register_periods(found: ReferralCells) -> None:
    for window in _windows(found):
        _type_lines(found, window)
        for column in DIMENSIONS[1:]:
            _category_lines(found, window, column)
        found.partly(window)
        if (previous := _same_months_before(found, window)) is not None:
            _type_lines(found, previous)


def _same_months_before(found: ReferralCells, window: ReportingPeriod) -> ReportingPeriod | None:
    """For a period whose figures stop short of its end, the same months of the period before
    (what a period in progress is compared with)."""
    inside = found.inside(window)
    if not inside:
        return None
    last_day = max(found.atoms["end"].iloc[sorted(inside)]) - timedelta(days=1)
    compared = periods.compared_with(window, last_day)
    return None if compared == window.previous() else compared


def _register_indicators(found: ReferralCells) -> None:
    """Indicators of the objectives file that count local referrals, in every period."""
    from cams_data import indicators

    for objective in indicators.objectives():
        for indicator in objective.indicators:
            if indicator.source != "referrals":
                continue
            if indicator.param("geography", found.geography) != found.geography:
                continue
            for window in _windows(found):
                indicator_cell(found, indicator, window)
                if (previous := _same_months_before(found, window)) is not None:
                    indicator_cell(found, indicator, previous)


def indicator_cell(found: ReferralCells, indicator, window: ReportingPeriod) -> Support:
    """The rows a referral indicator adds up in a window."""
    return found.inside(
        window,
        **{
            name: indicator.param(name)
            for name in ("referral_type", "exploitation_type", "age_group")
        },
    )


_LAYOUTS = [_register_periods, _register_indicators]


def layout(function):
    """Register `function(found, ...)`'s counts for every year when the cells are settled."""
    _LAYOUTS.append(function)
    return function


# --- the period's totals -------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """The headline figures for one period, and what to say when there are none."""

    geography: str
    period_label: str
    totals: pd.DataFrame  # Referral type, Referrals (text, `<5`/`[c]` when hidden)
    has_data: bool  # local rows lie wholly inside the period
    local_loaded: bool  # any local rows at all
    any_loaded: bool  # any referral rows, whatever the geography
    coverage: str = ""  # e.g. "Figures for April to September 2025"
    message: str = ""  # what to upload or choose when there is nothing to show
    notes: list[str] = field(default_factory=list)


def summary(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod | str,
    audience: Audience = Audience.MEETING,
    geography: str | None = None,
) -> Summary:
    """Totals by referral type for the period (metrics), its coverage, and what is missing."""
    period, found = _period(period), cells(con, geography)
    geography = found.geography
    lines, total = _type_lines(found, period)
    totals = pd.DataFrame(
        {
            "Referral type": [*(_sentence_case(plural(line.name)) for line in lines), ALL],
            REFERRALS: [found.text(s, audience) for s in (*(x.support for x in lines), total)],
        }
    )
    atoms = found.atoms
    where = f"{period.label} ({period.description})"
    message, coverage = "", ""
    if not len(atoms):
        any_rows = bool(len(found.wider))
        message = (
            f"No {geography} referral figures yet: only the wider area's tables are loaded. "
            f"{UPLOAD_HINT}"
            if any_rows
            else f"No referral figures yet. {UPLOAD_HINT}"
        )
    elif not total:
        message = (
            f"No {geography} referral figures for {where}. Those loaded cover "
            f"{_span(min(atoms['start']), max(atoms['end']))}: choose a period in the sidebar."
        )
    else:
        rows = atoms.iloc[sorted(total)]
        first, last = min(rows["start"]), max(rows["end"])
        coverage = f"{geography} figures for {_span(first, last)}"
        if first > period.start or last < period.end:
            coverage += f" (not yet the whole of {period.label})"
    notes = audience.notes(found.why(x.support) for x in lines)
    partly = found.partly(period)
    if partly:
        notes.append(
            f"{found.text(partly, audience)} referrals recorded for periods that only partly "
            f"overlap {period.label} are not counted here."
        )
    return Summary(
        geography=geography,
        period_label=period.label,
        totals=totals,
        has_data=bool(total),
        local_loaded=bool(len(atoms)),
        any_loaded=bool(len(atoms)) or bool(len(found.wider)),
        coverage=coverage,
        message=message,
        notes=notes,
    )


# --- breakdowns for one period -----------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    """One breakdown, ready to draw: chart rows (no value where hidden), a table, a sentence."""

    title: str
    category: str  # the category column's name, e.g. "Exploitation type"
    chart: pd.DataFrame  # category, Referrals (NaN where hidden), label (`<5`, `[c]`, `12`, `0`)
    table: pd.DataFrame  # category, Referrals (text), with a Total row
    description: str
    coloured: bool = True  # fixed category colours (exploitation types, age groups)
    notes: list[str] = field(default_factory=list)  # what the marks mean

    @property
    def empty(self) -> bool:
        return self.chart.empty


def _shown_first(found: ReferralCells, lines: list[Line], audience: Audience) -> list[Line]:
    """Counts shown to `audience` first, largest first; hidden ones after, by name (their place
    must not rank them); 'Not specified' last."""
    shown = [x for x in lines if not audience.mark(found.why(x.support))]
    shown = [x for x in shown if x.name != NOT_SPECIFIED]
    hidden = sorted(
        (x for x in lines if x not in shown and x.name != NOT_SPECIFIED), key=lambda x: x.name
    )
    shown.sort(key=lambda x: (-found.value(x.support), x.name))
    rest = [x for x in lines if x.name == NOT_SPECIFIED]
    return shown + hidden + rest


def _breakdown(
    found: ReferralCells,
    period: ReportingPeriod,
    audience: Audience,
    column: str,
    category: str,
    noun: str,
    coloured: bool = True,
) -> Breakdown:
    lines, total = _category_lines(found, period, column)
    if column == "referring_agency":
        lines = [x for x in lines if x.support]
        lines = _shown_first(found, lines, audience)
    if not total:
        lines = []
    values = [found.value(x.support) for x in lines]
    labels = [found.text(x.support, audience) for x in lines]
    raw = pd.DataFrame({category: [x.name for x in lines], REFERRALS: values})
    chart = disclosure.for_chart(raw, REFERRALS, labels)
    table = pd.DataFrame(
        {category: [*raw[category], "Total"], REFERRALS: [*labels, found.text(total, audience)]}
    )
    if not lines:
        table = table.iloc[0:0]
    description = _largest(
        [x.name for x in lines], labels, found.text(total, audience), noun, bool(lines)
    )
    notes = audience.notes([found.why(x.support) for x in lines] + [found.why(total)])
    return Breakdown(f"Referrals by {noun}", category, chart, table, description, coloured, notes)


def _largest(names: list[str], labels: list[str], total: str, noun: str, any_rows: bool) -> str:
    """'Criminal was the most common exploitation type: 12 of 30 referrals.', from the figures
    as shown (a hidden count is never named or ranked)."""
    if not any_rows:
        return f"No referrals by {noun} in this period."
    shown = {n: int(t.replace(",", "")) for n, t in zip(names, labels, strict=True)
             if t not in disclosure.MARKS}  # fmt: skip
    of = f"of {total} referrals" if total not in disclosure.MARKS else "of all referrals"
    hidden = len(shown) < len(names)
    if not shown or max(shown.values()) == 0:
        return f"No {noun} had a count that can be shown; {total} referrals in all."
    top = max(shown.values())
    leaders = [n for n, v in shown.items() if v == top]
    nouns = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    if hidden:  # a hidden count is never ranked: it may be more
        which = f"the most referrals of the {nouns} shown"
        if len(leaders) == 1:
            return f"{leaders[0]} had {which}: {top:,} {of}."
        return f"{_join(leaders)} had {which}: {top:,} referrals each, {of}."
    if len(leaders) == 1:
        return f"{leaders[0]} was the most common {noun}: {top:,} {of}."
    return f"{_join(leaders)} were the most common {nouns}: {top:,} referrals each, {of}."


def by_exploitation(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod | str,
    audience: Audience = Audience.MEETING,
    geography: str | None = None,
) -> Breakdown:
    """Referrals by exploitation type in the NRM's order (every type listed, zeros included)."""
    return _breakdown(
        cells(con, geography),
        _period(period),
        audience,
        "exploitation_type",
        "Exploitation type",
        "exploitation type",
    )


def by_age(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod | str,
    audience: Audience = Audience.MEETING,
    geography: str | None = None,
) -> Breakdown:
    """Referrals by age group: Adult, Child (under 18), Not specified."""
    return _breakdown(
        cells(con, geography), _period(period), audience, "age_group", "Age group", "age group"
    )


def by_agency(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod | str,
    audience: Audience = Audience.MEETING,
    geography: str | None = None,
) -> Breakdown:
    """Referrals by referring agency (the NRM's First responder), most first."""
    return _breakdown(
        cells(con, geography),
        _period(period),
        audience,
        "referring_agency",
        "Referring agency",
        "referring agency",
        coloured=False,
    )


# --- over time ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """Counts with slots down (months, quarters or years) and referral types across, with the
    totals of each, as registered and shown."""

    slots: list[tuple[str, ReportingPeriod]]
    types: list[str]
    cells: dict[tuple[str, str], Support]  # (slot label, type) -> rows
    slot_totals: dict[str, Support]
    type_totals: dict[str, Support]
    total: Support


def _grid(
    found: ReferralCells,
    slots: list[tuple[str, ReportingPeriod]],
    types: list[str],
    totals_row: bool = True,
) -> Grid:
    """`totals_row`: a Total row adding up the slots (a year's months); none across years,
    whose sum says nothing and would only link the years' hidden cells to one another."""
    grid = {(label, t): found.inside(w, referral_type=t) for label, w in slots for t in types}
    slot_totals = {label: found.inside(w) for label, w in slots}
    rows = found.cells
    for label, _ in slots:
        rows.relate(slot_totals[label], [grid[label, t] for t in types])
    if not totals_row or not slots:
        return Grid(slots, types, grid, slot_totals, {}, frozenset())
    type_totals = {
        t: rows.add_rows(frozenset().union(*(grid[label, t] for label, _ in slots))) for t in types
    }
    total = rows.add_rows(frozenset().union(*slot_totals.values()))
    for t in types:
        rows.relate(type_totals[t], [grid[label, t] for label, _ in slots])
    rows.relate(total, list(slot_totals.values()))
    rows.relate(total, list(type_totals.values()))
    return Grid(slots, types, grid, slot_totals, type_totals, total)


def _grid_tables(
    found: ReferralCells, grid: Grid, first: str, audience: Audience
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The chart rows (first, Referral type, Referrals, label) and the wide text table."""
    chart = pd.DataFrame(
        [
            (
                label,
                t,
                found.value(grid.cells[label, t]),
                found.text(grid.cells[label, t], audience),
            )
            for label, _ in grid.slots
            for t in grid.types
        ],
        columns=[first, "Referral type", REFERRALS, LABEL],
    )
    chart = disclosure.for_chart(chart.drop(columns=LABEL), REFERRALS, list(chart[LABEL]))
    table = pd.DataFrame(
        [
            {
                first: label,
                **{t: found.text(grid.cells[label, t], audience) for t in grid.types},
                "Total": found.text(grid.slot_totals[label], audience),
            }
            for label, _ in grid.slots
        ]
        + (
            [
                {
                    first: "Total",
                    **{t: found.text(grid.type_totals[t], audience) for t in grid.types},
                    "Total": found.text(grid.total, audience),
                }
            ]
            if grid.type_totals
            else []
        )
    )
    supports = [*grid.cells.values(), *grid.slot_totals.values(), *grid.type_totals.values()]
    notes = audience.notes(found.why(s) for s in [*supports, grid.total])
    return chart, table, notes


@dataclass(frozen=True)
class OverTime:
    """Referrals by month (or quarter) and referral type across one financial year."""

    title: str
    year_label: str
    step: str  # "month" or "quarter"
    chart: pd.DataFrame  # Month/Quarter, Referral type, Referrals (NaN where hidden), label
    table: pd.DataFrame  # Month/Quarter, one column per referral type, Total (text)
    description: str
    notes: list[str] = field(default_factory=list)
    part_year: str = ""  # "April to October 2025" when the figures stop short of the year's end

    @property
    def empty(self) -> bool:
        return self.table.empty


def _year_slots(found: ReferralCells, year: ReportingPeriod) -> tuple[str, list]:
    """By month when every row of the year is monthly, else by quarter; from the first slot with
    rows to the last."""
    inside = found.atoms.iloc[sorted(found.inside(year))]
    if inside.empty:
        return "month", []
    monthly = all(
        add_months(s, 1) == e for s, e in zip(inside["start"], inside["end"], strict=True)
    )
    if monthly:
        first, last = min(inside["start"]), max(inside["start"])
        slots = []
        while first <= last:
            slots.append((_month_label(first), ReportingPeriod(first, 1)))
            first = add_months(first, 1)
        return "month", slots
    quarters = [q for q in year.quarters() if found.inside(q)]
    if not quarters:
        return "quarter", []
    chosen = [q for q in year.quarters() if quarters[0].start <= q.start <= quarters[-1].start]
    return "quarter", [(_quarter_label(q), q) for q in chosen]


@layout
def _register_over_time(found: ReferralCells) -> None:
    for year in found.years:
        _over_time_grid(found, year)


def _over_time_grid(found: ReferralCells, year: ReportingPeriod) -> tuple[str, Grid, Support]:
    step, slots = _year_slots(found, year)
    grid = _grid(found, slots, _type_order(found.values("referral_type", found.inside(year))))
    unplaced = found.cells.add_rows(found.inside(year) - grid.total, disclosure.ASIDE)
    return step, grid, unplaced


def over_time(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod | str,
    audience: Audience = Audience.MEETING,
    geography: str | None = None,
) -> OverTime:
    """The financial year holding `period`: by month when every row is monthly, else by quarter."""
    found = cells(con, geography)
    year = _period(period).year()
    step, grid, unplaced = _over_time_grid(found, year)
    title = f"Referrals by {step}, {year.label}"
    if not grid.slots:
        empty = pd.DataFrame()
        message = f"No {found.geography} referral figures for {year.label}."
        return OverTime(title, year.label, step, empty, empty, message)
    column = "Month" if step == "month" else "Quarter"
    chart, table, notes = _grid_tables(found, grid, column, audience)
    if unplaced:
        notes.append(
            f"{found.text(unplaced, audience)} referrals recorded for the whole year (not by "
            "month or quarter) are in the year's total but not in this chart."
        )
    if step == "quarter":
        notes.append("Shown by quarter: some figures for this year were given by quarter.")
    reach = grid.slots[-1][1].end
    part = _span(year.start, reach) if reach < year.end else ""
    description = _busiest(found, grid, step, year.label, audience)
    return OverTime(title, year.label, step, chart, table, description, notes, part)


def _busiest(
    found: ReferralCells, grid: Grid, noun: str, year_label: str, audience: Audience
) -> str:
    """What the chart shows: the busiest slot when every bar is drawn, else the largest bar
    drawn (a slot whose bars are hidden is never named for its total)."""
    total = found.text(grid.total, audience)
    if found.value(grid.total) == 0:
        return f"No referrals in {year_label}."
    drawn = {
        key: found.value(cell)
        for key, cell in grid.cells.items()
        if not audience.mark(found.why(cell)) and found.value(cell)
    }
    of = f"{total} referrals in {year_label} in all"
    if not drawn:
        return f"No count by {noun} and referral type can be drawn; {of}."
    if len(drawn) == sum(1 for c in grid.cells.values() if found.value(c)):
        per_slot = {label: found.value(s) for label, s in grid.slot_totals.items()}
        top = max(per_slot.values())
        leaders = [label for label, v in per_slot.items() if v == top]
        return f"Most referrals in {_join(leaders)}: {top:,} of {total} in {year_label}."
    (slot, kind), top = max(drawn.items(), key=lambda item: item[1])
    return (
        f"The largest count drawn: {top:,} {plural(kind)} in {slot} (counts marked <5 or [c] "
        f"are not drawn); {of}."
    )


# --- financial years ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Years:
    """Each financial year's referrals by type, across every year loaded."""

    chart: pd.DataFrame  # Year, Referral type, Referrals (NaN where hidden), label
    table: pd.DataFrame  # Year, one column per referral type, Total, Covers (text)
    description: str
    notes: list[str] = field(default_factory=list)
    part_years: dict[str, str] = field(default_factory=dict)  # year -> the months it covers

    @property
    def empty(self) -> bool:
        return self.table.empty


@layout
def _register_years(found: ReferralCells) -> None:
    _years_grid(found)


def _years_grid(found: ReferralCells) -> tuple[Grid, Support]:
    years = [(y.label, y) for y in found.years if found.inside(y)]
    grid = _grid(found, years, _type_order(found.values("referral_type")), totals_row=False)
    counted = frozenset().union(*grid.slot_totals.values()) if years else frozenset()
    outside = found.cells.add_rows(frozenset(range(len(found.atoms))) - counted, disclosure.ASIDE)
    return grid, outside


def financial_years(
    con: duckdb.DuckDBPyConnection,
    audience: Audience = Audience.MEETING,
    geography: str | None = None,
) -> Years:
    """Totals by referral type for each financial year (April-March) with local figures."""
    found = cells(con, geography)
    grid, outside = _years_grid(found)
    if not grid.slots:
        empty = pd.DataFrame()
        return Years(empty, empty, f"No {found.geography} referral figures yet.")
    chart, table, notes = _grid_tables(found, grid, "Year", audience)
    covers, partial = {}, {}
    for label, year in grid.slots:
        rows = found.atoms.iloc[sorted(found.inside(year))]
        first, last = min(rows["start"]), max(rows["end"])
        text = _span(first, last)
        if first > year.start or last < year.end:
            partial[label] = text
            text += " (part of the year)"
        covers[label] = text
    table["Covers"] = table["Year"].map(covers).fillna("")
    if outside:
        notes.append(
            f"{found.text(outside, audience)} referrals recorded for periods that cross a year "
            "end are not counted in any year."
        )
    parts = [
        f"{label}{f' ({partial[label]} only)' if label in partial else ''}: "
        f"{found.text(grid.slot_totals[label], audience)}"
        for label, _ in grid.slots
    ]
    description = f"{found.geography} referrals by financial year, " + "; ".join(parts) + "."
    chart["Part year"] = chart["Year"].isin(partial)
    chart["Months"] = chart["Year"].map(partial).fillna("")  # of a part year; else blank
    return Years(chart, table, description, notes, partial)


# --- exploitation type by age group, for the statement ----------------------------------------


@dataclass(frozen=True)
class Crosstab:
    """A year's referrals: exploitation type down, age group across, with totals (as shown)."""

    table: pd.DataFrame  # Exploitation type, one column per age group, Total; last row Total
    notes: list[str]
    by_type: list[tuple[str, int | None, str]]  # name, value (None when hidden), text
    by_age: list[tuple[str, int | None, str]]
    total: str

    @property
    def empty(self) -> bool:
        return self.table.empty


@layout
def _register_crosstabs(found: ReferralCells) -> None:
    for year in found.years:
        _crosstab_cells(found, year)


def _crosstab_cells(found: ReferralCells, year: ReportingPeriod):
    total = found.inside(year)
    types = [t for t in _order_known(EXPLOITATION_TYPES, found.values("exploitation_type", total))
             if found.inside(year, exploitation_type=t)]  # fmt: skip
    ages = [a for a in _order_known(AGE_GROUPS, found.values("age_group", total))
            if found.inside(year, age_group=a)]  # fmt: skip
    inner = {
        (t, a): found.inside(year, exploitation_type=t, age_group=a) for t in types for a in ages
    }
    rows = {t: found.inside(year, exploitation_type=t) for t in types}
    columns = {a: found.inside(year, age_group=a) for a in ages}
    for t in types:
        found.cells.relate(rows[t], [inner[t, a] for a in ages])
    for a in ages:
        found.cells.relate(columns[a], [inner[t, a] for t in types])
    found.cells.relate(total, list(rows.values()))
    found.cells.relate(total, list(columns.values()))
    return types, ages, inner, rows, columns, total


def crosstab(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod | str,
    audience: Audience = Audience.PUBLICATION,
    geography: str | None = None,
) -> Crosstab:
    found = cells(con, geography)
    types, ages, inner, rows, columns, total = _crosstab_cells(found, _period(period))
    if not total:
        return Crosstab(pd.DataFrame(), [], [], [], "")

    def shown(support: Support) -> int | str:
        text = found.text(support, audience)
        return text if text in disclosure.MARKS else found.value(support)

    table = pd.DataFrame(
        [
            {
                "Exploitation type": t,
                **{a: shown(inner[t, a]) for a in ages},
                "Total": shown(rows[t]),
            }
            for t in types
        ]
        + [
            {
                "Exploitation type": "Total",
                **{a: shown(columns[a]) for a in ages},
                "Total": shown(total),
            }
        ]
    )
    if len(ages) == 1:  # one age group (a log without ages): its column is the total
        table = table.drop(columns="Total")
    supports = [*inner.values(), *rows.values(), *columns.values(), total]

    def listed(named: dict[str, Support]) -> list[tuple[str, int | None, str]]:
        return [
            (name, None if found.why(s) else found.value(s), found.text(s, audience))
            for name, s in named.items()
        ]

    return Crosstab(
        table,
        audience.notes(found.why(s) for s in supports),
        listed(rows),
        listed(columns),
        found.text(total, audience),
    )


# --- the wider area ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shares:
    """One side-by-side comparison: shares of each geography's referrals by one category."""

    title: str
    category: str  # "Exploitation type" or "Age group"
    chart: pd.DataFrame  # category, Geography, Share (%) (NaN where hidden), label
    table: pd.DataFrame  # category, one column per geography: `38%`, `[c]`; a count row last
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
    found: ReferralCells, period: ReportingPeriod, referral_type: str | None
) -> dict[str, list[tuple[date, date]]]:
    """Each geography's distinct row periods (start, end exclusive) wholly inside the period."""
    local = found.atoms[["referral_type", "start", "end"]].assign(geography=found.geography)
    rows = pd.concat([local, found.wider]) if len(found.wider) else local
    rows = rows[(rows["start"] >= period.start) & (rows["end"] <= period.end)]
    if referral_type:
        rows = rows[rows["referral_type"] == referral_type]
    out: dict[str, list[tuple[date, date]]] = {}
    for geography, first, end in sorted(
        set(zip(rows["geography"], rows["start"], rows["end"], strict=True))
    ):
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


@dataclass(frozen=True)
class _Plan:
    """What a comparison for one period shows, or why it shows nothing."""

    types: list[str]
    chosen: str = ""
    window: ReportingPeriod | None = None
    geographies: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    message: str = ""


def _plan(found: ReferralCells, period: ReportingPeriod, referral_type: str | None) -> _Plan:
    local = found.geography
    all_slots = _slots(found, period, None)
    others = [g for g in all_slots if g != local]
    if not others:
        if not len(found.wider):
            return _Plan([], message=f"No figures for a wider area are loaded. {COMPARISON_HINT}")
        spans = found.wider.groupby("geography").agg(start=("start", "min"), end=("end", "max"))
        listed = "; ".join(f"{g}: {_span(r.start, r.end)}" for g, r in spans.iterrows())
        return _Plan(
            [],
            message=f"Wider-area figures are loaded ({listed}) but none for {period.label}: "
            "choose a period they cover in the sidebar.",
        )
    if local not in all_slots:
        return _Plan([], message=f"No {local} referral figures for {period.label} to compare.")
    local_types = set(found.values("referral_type", found.inside(period)))
    wider = found.wider[(found.wider["start"] >= period.start) & (found.wider["end"] <= period.end)]
    types = _type_order(local_types & set(wider["referral_type"]))
    if not types:
        return _Plan(
            [],
            message=f"The wider-area figures for {period.label} are of another referral type "
            f"than {local}'s, so there is nothing like for like to compare.",
        )
    chosen = referral_type if referral_type in types else types[0]
    start, end, shown, dropped = _common_window(_slots(found, period, chosen), local)
    if len(shown) == 1:
        return _Plan(
            types,
            chosen,
            message=f"The wider area's {plural(chosen)} for {period.label} cover other months "
            f"than {local}'s, so there is no common period to compare.",
        )
    window = ReportingPeriod(start, (end.year - start.year) * 12 + end.month - start.month)
    return _Plan(types, chosen, window, shown, dropped)


@layout
def _register_comparisons(found: ReferralCells) -> None:
    if not len(found.wider):
        return
    for period in _windows(found):
        for referral_type in _plan(found, period, None).types:
            plan = _plan(found, period, referral_type)
            if plan.window is not None:
                for column in ("exploitation_type", "age_group"):
                    _local_share_lines(found, plan, column)


def _local_share_lines(found: ReferralCells, plan: _Plan, column: str):
    total = found.inside(plan.window, referral_type=plan.chosen)
    known = EXPLOITATION_TYPES if column == "exploitation_type" else AGE_GROUPS
    lines = [
        Line(name, found.inside(plan.window, referral_type=plan.chosen, **{column: name}))
        for name in known + sorted(set(found.values(column, total)) - set(known))
    ]
    found.cells.relate(total, [line.support for line in lines])
    return lines, total


def _wider_counts(con: duckdb.DuckDBPyConnection, plan: _Plan, local: str) -> pd.DataFrame:
    """The wider areas' counts in the common window (the Home Office's published figures)."""
    raw = con.execute(
        f"""SELECT geography, exploitation_type, age_group, sum(referrals) AS n
           FROM referrals r
           WHERE referral_type = $referral_type AND list_contains($geographies, geography)
             AND {periods.inside_sql("r", "$start", "$end")}
           GROUP BY ALL""",
        {
            "referral_type": plan.chosen,
            "geographies": [g for g in plan.geographies if g != local],
            "start": plan.window.start,
            "end": plan.window.end,
        },
    ).df()
    raw["n"] = raw["n"].fillna(0).astype(int)
    return raw


def comparison(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod | str,
    audience: Audience = Audience.MEETING,
    referral_type: str | None = None,
    geography: str | None = None,
) -> Comparison:
    """Local shares beside each wider area's, for the months they all cover inside the period.

    Compares one referral type at a time (the Home Office tables are NRM referrals, or Duty to
    Notify reports): `referral_type`, else NRM referral when both sides have it, else the first
    type they share. A local share is hidden wherever its count is: with the local total beside
    it, a share is as good as the count.
    """
    period, found = _period(period), cells(con, geography)
    plan = _plan(found, period, referral_type)
    if plan.window is None:
        return Comparison(plan.chosen, plan.types, [], "", [], plan.message)
    local = found.geography
    wider = _wider_counts(con, plan, local)
    size = wider.groupby("geography")["n"].sum()
    # The nearest in scale first: Essex Police force area before England and Wales.
    geographies = [local, *sorted(plan.geographies[1:], key=lambda g: (size.get(g, 0), g))]
    window = _span(plan.window.start, plan.window.end)
    panels = [
        _shares(found, plan, wider, column, category, geographies, window, audience)
        for column, category in (
            ("exploitation_type", "Exploitation type"),
            ("age_group", "Age group"),
        )
    ]
    notes = [
        f"Shares of each area's {plural(plan.chosen)} in {window}, the months every area shown "
        f"covers. A share is hidden (<5 or [c]) wherever its count is; '{NO_SHARE}': not "
        "shown, because the total it is a share of is hidden.",
        CALENDAR_NOTE,
    ]
    if plan.dropped:
        notes.append(f"Not shown (no months in common): {_join(plan.dropped)}.")
    return Comparison(plan.chosen, plan.types, geographies, window, panels, "", notes)


def _shares(
    found: ReferralCells,
    plan: _Plan,
    wider: pd.DataFrame,
    column: str,
    category: str,
    geographies: list[str],
    window: str,
    audience: Audience,
) -> Shares:
    lines, total = _local_share_lines(found, plan, column)
    names = [x.name for x in lines]
    local_total = found.value(total)
    local_hidden = audience.mark(found.why(total))
    table = {category: [*names, "Referrals counted"]}
    chart_rows = []
    cells_local = []
    for line in lines:
        mark = found.text(line.support, audience)
        count = found.value(line.support)
        if mark in disclosure.MARKS:
            text, share = mark, None
        elif local_hidden and count:
            text, share = NO_SHARE, None
        else:
            share = 100 * count / local_total if local_total else None
            text = f"{share:.0f}%" if share is not None else ""
        cells_local.append(text)
        chart_rows.append((line.name, found.geography, share, text))
    table[found.geography] = [*cells_local, found.text(total, audience)]
    for geography in geographies[1:]:
        # the wider area's own counts are about victims too: hidden as a table of their own
        mine = wider[wider["geography"] == geography].groupby(column)["n"].sum()
        counts = mine.reindex(names, fill_value=0).to_frame("n")
        marked, _ = disclosure.publishable(counts, audience)
        all_of_it = int(mine.sum())
        texts = []
        for name, cell in zip(names, marked["n"].iloc[:-1], strict=True):
            share = None
            if isinstance(cell, str):
                text = cell
            else:
                share = 100 * int(cell) / all_of_it if all_of_it else None
                text = f"{share:.0f}%" if share is not None else ""
            texts.append(text)
            chart_rows.append((name, geography, share, text))
        table[geography] = [*texts, disclosure.as_text(marked["n"].iloc[-1])]
    chart = pd.DataFrame(chart_rows, columns=[category, "Geography", SHARE, LABEL])
    chart[SHARE] = chart[SHARE].astype(float)
    shown = {
        n: float(t.rstrip("%")) for n, t in zip(names, cells_local, strict=True) if t.endswith("%")
    }
    noun = category.lower()
    if not shown or max(shown.values()) == 0:
        description = (
            f"No {noun}'s share of {found.geography}'s {plural(plan.chosen)} in {window} "
            "can be shown."
        )
    else:
        top = next(n for n in names if shown.get(n) == max(shown.values()))
        parts = [f"{table[g][names.index(top)]} in {g}" for g in geographies]
        description = (
            f"{top}: share of {plural(plan.chosen)} in {window}, " + ", ".join(parts) + "."
        )
    return Shares(
        f"Share of {plural(plan.chosen)} by {noun}",
        category,
        chart,
        pd.DataFrame(table),
        description,
    )


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
    """Bars per year and referral type; a year with only some months' figures (the one under
    way, or one loaded in part) is lighter and says which months under its name."""
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
        faded="Part year",
        category_axis_labels={
            year: [year, f"{months} only"] for year, months in years.part_years.items()
        },
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
        value_format=".0f",
        value_ticks=charts.percent_ticks(pd.to_numeric(shares.chart[SHARE]).max()),
    )
