"""What every page shares: the periods and organisations to choose from, and what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import altair as alt
import duckdb
import pandas as pd

from cams_data import charts, disclosure, formatting, indicators, periods, store
from cams_data.kinds import KINDS
from cams_data.values import add_months

# The day each row of a view describes, and where it comes from.
_DAY_DESCRIBED = {
    "referrals": ("(period_start + to_months(period_months))::DATE - 1", "referrals"),
    "measures": ("(period_start + to_months(period_months))::DATE - 1", "measures"),
    "training": ("completed_on", "training"),
    "establishment": ("as_of", "establishment"),
    "actions": ("updated_on", "actions"),
    "survey": (store.wave_date_sql(), "survey s JOIN uploads u USING (upload_id)"),
}
# The latest day each view's figures describe.
_LATEST_DAY = {
    kind: f"SELECT max({day}) FROM {rows}" for kind, (day, rows) in _DAY_DESCRIBED.items()
}
_FIRST_DAY = {
    "referrals": "SELECT min(period_start) FROM referrals",
    "measures": "SELECT min(period_start) FROM measures",
    "training": "SELECT min(completed_on) FROM training",
    "survey": f"SELECT min({store.wave_date_sql()}) FROM survey s JOIN uploads u USING (upload_id)",
}


def _days(con: duckdb.DuckDBPyConnection, queries: dict[str, str]) -> list[date]:
    found = (con.execute(sql).fetchone()[0] for sql in queries.values())
    return [d for d in found if d is not None]


def data_span(con: duckdb.DuckDBPyConnection, today: date | None = None) -> tuple[date, date]:
    """The first and last day the figures describe (this quarter when there are none)."""
    today = today or date.today()
    last = [d for d in _days(con, _LATEST_DAY) if d <= today]
    first = _days(con, _FIRST_DAY)
    if not last:
        return periods.quarter_of(today).start, today
    return min(first or last), max(last)


def figures_reach(
    con: duckdb.DuckDBPyConnection, period: periods.ReportingPeriod, today: date | None = None
) -> date | None:
    """The last day of the latest month any kind's figures describe inside `period` (and by
    today), e.g. 31/10/2025 when a year's figures go no further than October; None when nothing
    loaded describes the period."""
    every_day = " UNION ALL ".join(
        f"SELECT {day} AS day FROM {rows}" for day, rows in _DAY_DESCRIBED.values()
    )
    latest = con.execute(
        f"SELECT max(day) FROM ({every_day}) WHERE day BETWEEN ? AND ?",
        [period.start, min(period.last_day, today or date.today())],
    ).fetchone()[0]
    if latest is None:
        return None
    return add_months(date(latest.year, latest.month, 1), 1) - timedelta(days=1)


@dataclass(frozen=True)
class SidebarFigures:
    """Everything the shared sidebar and page header need, from one cached query."""

    period_choices: list[str]
    default_period: str
    organisations: list[str]
    freshness: str  # one markdown line per kind: when it was last updated
    has_demo_data: bool


def sidebar(con: duckdb.DuckDBPyConnection, today: date | None = None) -> SidebarFigures:
    first, last = data_span(con, today)
    lines = []
    for row in store.freshness(con).itertuples():
        when = "nothing loaded" if row.rows == 0 else formatting.day(row.last_upload)
        lines.append(f"- {row.title.split(' (')[0]}: {when}")
    return SidebarFigures(
        [p.label for p in periods.choices(first, last)],
        periods.last_complete_quarter(last).label,
        organisations(con),
        "\n".join(lines),
        store.has_demo_data(con),
    )


def period_choices(con: duckdb.DuckDBPyConnection, today: date | None = None) -> list[str]:
    """Every year and quarter the figures reach, newest first, as labels."""
    first, last = data_span(con, today)
    return [p.label for p in periods.choices(first, last)]


def default_period(con: duckdb.DuckDBPyConnection, today: date | None = None) -> str:
    """The quarter a meeting reviews: the latest that ended by the latest figures."""
    _, last = data_span(con, today)
    return periods.last_complete_quarter(last).label


def organisations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Organisations named in training, staff numbers and partnership measures."""
    return [
        row[0]
        for row in con.execute(
            """SELECT DISTINCT organisation FROM (
                   SELECT organisation FROM training UNION ALL
                   SELECT organisation FROM establishment UNION ALL
                   SELECT organisation FROM measures)
               WHERE organisation IS NOT NULL ORDER BY 1"""
        ).fetchall()
    ]


def progress(
    con: duckdb.DuckDBPyConnection, period: str, organisation: str | None = None
) -> list[indicators.ObjectiveProgress]:
    return indicators.progress(con, periods.parse(period), organisation)


@dataclass(frozen=True)
class OverviewFigures:
    """The Overview's figures, from one cached query."""

    progress: list[indicators.ObjectiveProgress]
    hidden_too: frozenset[str]  # see `given_away`
    uploads: pd.DataFrame  # since the chosen date, as people read them
    moved: pd.DataFrame
    freshness: pd.DataFrame


def overview(
    con: duckdb.DuckDBPyConnection, period: str, organisation: str | None, since: datetime
) -> OverviewFigures:
    recent = uploads_since(con, since)
    now = progress(con, period, organisation)
    moved = (
        moved_table(con, since, period, organisation, now=now)
        if not recent.empty
        else pd.DataFrame(columns=["Objective", "Indicator", "Before", "Now"])
    )
    every_row = [row for objective in now for row in objective.indicators]
    return OverviewFigures(
        now, given_away(every_row), uploads_table(recent), moved, freshness_table(con)
    )


@dataclass(frozen=True)
class Moved:
    indicator: indicators.Indicator
    objective: int
    before: float | None
    after: float | None

    @property
    def id(self) -> str:
        return self.indicator.id


def uploads_since(con: duckdb.DuckDBPyConnection, since: datetime) -> pd.DataFrame:
    """Uploads and rollbacks since `since`, newest first."""
    return con.execute(
        """SELECT upload_id, kind, file_name, uploaded_at, uploaded_by, rows_loaded,
                  rows_superseded, status, rolled_back_at, rolled_back_by, erased_at, erased_by,
                  covers_from, covers_to
           FROM uploads WHERE uploaded_at > ? OR rolled_back_at > ? OR erased_at > ?
           ORDER BY greatest(uploaded_at, coalesce(rolled_back_at, uploaded_at),
                             coalesce(erased_at, uploaded_at)) DESC""",
        [since, since, since],
    ).df()


def indicators_moved(
    con: duckdb.DuckDBPyConnection,
    since: datetime,
    period: str,
    organisation: str | None = None,
    now: list[indicators.ObjectiveProgress] | None = None,
) -> list[Moved]:
    """Indicators whose figure for `period` differs from what the database held at `since`
    (`now`: the period's progress, when the caller has it already)."""
    then = indicators.progress(con, periods.parse(period), organisation, store.views_as_at(since))
    now = now if now is not None else progress(con, period, organisation)
    return [
        Moved(after.indicator, number, before.current.value, after.current.value)
        for number, before, after in indicators.paired(then, now)
        if _rounded(before.current.value) != _rounded(after.current.value)
    ]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- ready to draw ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One indicator as the screen shows it: text only, small counts already suppressed."""

    id: str
    label: str
    value: str
    change: str | None
    change_colour: str  # for st.metric: "normal", "inverse" or "off"
    target: str
    status: str
    previous_period: str
    note: str


def given_away(rows: list[indicators.Progress]) -> frozenset[str]:
    """The ids of small-number indicators to hide beside a hidden one.

    Referral counts (NRM referrals, Duty to Notify notifications) add up to the referral total
    the Referrals page and the statement pack show, so with one of them hidden as `<5` the
    others would give it away: the smallest other is hidden too (`[c]`)."""
    if not disclosure.hidden():
        return frozenset()
    counts = {
        r.indicator.id: r.current.value
        for r in rows
        if r.indicator.source == "referrals"
        and r.indicator.small_numbers
        and r.current.value is not None
    }
    small = [i for i, value in counts.items() if disclosure.is_small(value)]
    others = {i: value for i, value in counts.items() if i not in small and value}
    if len(small) != 1 or not others:
        return frozenset()
    return frozenset({min(others, key=others.get)})


def shown(
    row: indicators.Progress, suppress: bool = True, hidden_too: frozenset[str] = frozenset()
) -> Shown:
    """`hidden_too`: indicators `given_away` hides beside a small count."""
    indicator, current, previous = row.indicator, row.current, row.previous
    hide = suppress and indicator.small_numbers
    secondary = suppress and indicator.id in hidden_too
    small = secondary or (
        hide and (disclosure.is_small(current.value) or disclosure.is_small(previous.value))
    )
    value = (
        disclosure.SCREEN_MARK
        if hide and disclosure.is_small(current.value)
        else disclosure.PUBLISHED_MARK
        if secondary
        else formatting.number(current.value, indicator.unit)
    )
    change = None if small else formatting.change(row.change, indicator.unit)
    if not indicator.rated or change == "no change":
        colour = "off"
    else:
        colour = "normal" if indicator.higher_is_better else "inverse"
    target = "" if row.target is None else f"Target {formatting.number(row.target, indicator.unit)}"
    note = current.note
    if current.as_of and current.as_of < current.period.last_day and indicator.basis == "sum":
        note = f"data to {formatting.day(current.as_of)}" + (f"; {note}" if note else "")
    return Shown(
        indicator.id,
        indicator.label,
        value,
        change,
        colour,
        target,
        row.status,
        previous.period.label,
        note,
    )


def indicator_table(rows: list[indicators.Progress], suppress: bool = True) -> pd.DataFrame:
    """Every indicator of an objective: value, target, status, previous and change."""
    hidden_too = given_away(rows) if suppress else frozenset()
    return pd.DataFrame(
        [
            {
                "Indicator": s.label,
                "Value": s.value,
                "Target": s.target.removeprefix("Target "),
                "Status": s.status,
                f"Change since {s.previous_period}": s.change or "",
                "Notes": s.note,
            }
            for s in (shown(r, suppress, hidden_too) for r in rows)
        ]
    )


def trend_table(
    con: duckdb.DuckDBPyConnection,
    indicator_id: str,
    period: str,
    organisation: str | None = None,
    suppress: bool = True,
) -> pd.DataFrame:
    """The indicator over the last 8 quarters (or 5 years) to `period`, for a trend chart."""
    indicator = indicators.find(indicator_id)
    chosen = periods.parse(period)
    count = 8 if chosen.is_quarter else 5
    rows = indicators.trend(con, indicator, chosen, count, organisation)
    hide = suppress and indicator.small_numbers
    return pd.DataFrame(
        {
            "Period": [f.period.label for f in rows],
            "Value": [None if hide and disclosure.is_small(f.value) else f.value for f in rows],
            "Shown": [
                disclosure.SCREEN_MARK
                if hide and disclosure.is_small(f.value)
                else formatting.number(f.value, indicator.unit)
                for f in rows
            ],
        }
    )


def _shown_number(indicator: indicators.Indicator, value: float | None, suppress: bool) -> str:
    if suppress and indicator.small_numbers and disclosure.is_small(value):
        return disclosure.SCREEN_MARK
    return formatting.number(value, indicator.unit)


def moved_table(
    con: duckdb.DuckDBPyConnection,
    since: datetime,
    period: str,
    organisation: str | None = None,
    suppress: bool = True,
    now: list[indicators.ObjectiveProgress] | None = None,
) -> pd.DataFrame:
    """The indicators the uploads since `since` moved: objective, indicator, before, now."""
    now = now if now is not None else progress(con, period, organisation)
    hidden_too = given_away([r for o in now for r in o.indicators]) if suppress else frozenset()

    def figure(moved: Moved, value: float | None) -> str:
        if moved.id in hidden_too:
            return disclosure.PUBLISHED_MARK
        return _shown_number(moved.indicator, value, suppress)

    rows = [
        {
            "Objective": moved.objective,
            "Indicator": moved.indicator.label,
            "Before": figure(moved, moved.before),
            "Now": figure(moved, moved.after),
        }
        for moved in indicators_moved(con, since, period, organisation, now)
    ]
    return pd.DataFrame(rows, columns=["Objective", "Indicator", "Before", "Now"])


def uploads_table(uploads: pd.DataFrame) -> pd.DataFrame:
    """Uploads as people read them: kind, file, who, when, rows and what happened."""
    return pd.DataFrame(
        {
            "What": [KINDS[k].title for k in uploads["kind"]],
            "File": uploads["file_name"],
            "Uploaded": [formatting.day(d) for d in uploads["uploaded_at"]],
            "By": uploads["uploaded_by"],
            "Rows stored": uploads["rows_loaded"],
            "Rows replaced": uploads["rows_superseded"],
            "Status": [formatting.upload_status(u) for u in uploads.to_dict("records")],
        }
    )


def freshness_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per kind of data: its last upload and the period that upload covers."""
    table = store.freshness(con)
    covers = [
        f"{formatting.day(a)} to {formatting.day(b)}" if a is not None and a == a else ""
        for a, b in zip(table["covers_from"], table["covers_to"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Data": table["title"],
            "Rows": table["rows"],
            "Last upload": [formatting.day(d) or "nothing loaded" for d in table["last_upload"]],
            "File": table["last_file"].fillna(""),
            "Covers": covers,
        }
    )


def trend_description(table: pd.DataFrame, label: str) -> str:
    """One sentence for a trend chart's text alternative."""
    known = table[table["Shown"] != formatting.NO_DATA]
    if known.empty:
        return f"{label}: no data yet for these periods."
    first, last = known.iloc[0], known.iloc[-1]
    if len(known) == 1:
        return f"{label}: {last['Shown']} in {last['Period']}, the only period with data."
    return (
        f"{label}: {first['Shown']} in {first['Period']} and {last['Shown']} in {last['Period']}."
    )


def trend_chart(
    table: pd.DataFrame, indicator: indicators.Indicator, period_label: str
) -> alt.Chart:
    """An indicator's line over the periods up to `period_label`, with its source."""
    return charts.line(
        table,
        x="Period",
        value="Value",
        title=indicator.label,
        subtitle=f"To {period_label}, {indicator.unit}",
        source=charts.source_note(
            *indicators.KINDS_OF_SOURCE[indicator.source], period=period_label
        ),
        value_title=indicator.unit,
    )
