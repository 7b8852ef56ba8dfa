"""What every page shares: the periods and organisations to choose from, and what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import altair as alt
import duckdb
import pandas as pd

from cams_data import (
    charts,
    disclosure,
    formatting,
    indicators,
    measure_figures,
    periods,
    referral_figures,
    store,
)
from cams_data.disclosure import Audience
from cams_data.kinds import KINDS
from cams_data.periods import add_months


def data_span(con: duckdb.DuckDBPyConnection, today: date | None = None) -> tuple[date, date]:
    """The first and last day the figures describe (this quarter when there are none)."""
    today = today or date.today()
    days = store.days_described(con)
    last = [d for _, d in days.values() if d is not None and d <= today]
    first = [
        d for kind, (d, _) in days.items() if d is not None and not KINDS[kind].dated_as_snapshot
    ]
    if not last:
        return periods.quarter_of(today).start, today
    # snapshots alone (action plan trackers): the periods from the earliest one
    snapshots = [d for d, _ in days.values() if d is not None and d <= today]
    return min(first or snapshots or last), max(last)


def figures_reach(
    con: duckdb.DuckDBPyConnection, period: periods.ReportingPeriod, today: date | None = None
) -> date | None:
    """The last day of the latest month any kind's figures describe inside `period` (and by
    today), e.g. 31/10/2025 when a year's figures go no further than October; None when nothing
    loaded describes the period."""
    every_day = " UNION ALL ".join(
        f"SELECT {last} AS day FROM {rows}" for _, last, rows in store.DAYS_DESCRIBED.values()
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
    freshness: str  # one markdown line per kind: how far its figures run, and its last upload
    has_demo_data: bool
    running: tuple[str, ...] = ()  # the periods not over yet: their figures are 'to date'

    def period_shown(self, label: str) -> str:
        """A period as the period list shows it: '2026/27-Q3 (to date)' while it runs."""
        return f"{label} (to date)" if label in self.running else label


def sidebar(con: duckdb.DuckDBPyConnection, today: date | None = None) -> SidebarFigures:
    today = today or date.today()
    first, last = data_span(con, today)
    choices = periods.choices(first, last)
    return SidebarFigures(
        [p.label for p in choices],
        default_period(con, today),
        organisations(con),
        "\n".join(f"- {line}" for line in figures_run(con, today)),
        store.has_demo_data(con),
        tuple(p.label for p in choices if p.end > today),
    )


def link_fallbacks(
    figures: SidebarFigures, period: str | None, organisation: str | None, everyone: str
) -> list[str]:
    """What a link asked for that the figures do not hold, and what shows instead: a period or
    organisation that does not exist is said, never silently swapped."""
    notes = []
    if period and period not in figures.period_choices:
        notes.append(
            f"The link asks for the period '{period}', which the figures do not cover (periods "
            f"are written like 2025/26 or 2025/26-Q2): showing {figures.default_period}, the "
            "latest figures, instead."
        )
    if organisation and organisation not in (everyone, *figures.organisations):
        notes.append(
            f"The link asks for the organisation '{organisation}', which is not in the figures: "
            f"showing {everyone.lower()} instead."
        )
    return notes


def figures_run(con: duckdb.DuckDBPyConnection, today: date | None = None) -> list[str]:
    """How far each kind's figures run, and when it was last updated: 'Referral counts: to
    October 2025 (updated 03/11/2025)'; a snapshot kind (staff numbers) is 'as at' its date."""
    today = today or date.today()
    lines = []
    for row in store.freshness(con).itertuples():
        name = row.title.split(" (")[0]
        if row.rows == 0 or pd.isna(row.covers_to):
            lines.append(f"{name}: nothing loaded")
            continue
        kind, last = KINDS[row.kind], min(row.covers_to.date(), today)
        run = f"as at {formatting.day(last)}" if kind.dated_as_snapshot else f"to {last:%B %Y}"
        lines.append(f"{name}: {run} (updated {formatting.day(row.last_upload)})")
    return lines


def period_choices(con: duckdb.DuckDBPyConnection, today: date | None = None) -> list[str]:
    """Every year and quarter the figures reach, newest first, as labels."""
    first, last = data_span(con, today)
    return [p.label for p in periods.choices(first, last)]


def default_period(con: duckdb.DuckDBPyConnection, today: date | None = None) -> str:
    """The quarter the latest figures fall in, whether or not it is over: what opens."""
    _, last = data_span(con, today)
    return periods.quarter_of(last).label


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
    """The Overview's figures, from one cached query, as its audience may see them."""

    progress: list[ShownObjective]
    uploads: pd.DataFrame  # since the chosen date, as people read them
    moved: pd.DataFrame
    freshness: pd.DataFrame
    moved_notes: tuple[str, ...] = ()  # what each mark in `moved` means


def overview(
    con: duckdb.DuckDBPyConnection,
    period: str,
    organisation: str | None,
    since: datetime,
    audience: Audience,
) -> OverviewFigures:
    recent = uploads_since(con, since)
    now = progress(con, period, organisation)
    moved = (
        moved_table(con, since, period, organisation, audience, now=now)
        if not recent.empty
        else pd.DataFrame(columns=["Objective", "Indicator", "Before", "Now"])
    )
    return OverviewFigures(
        shown_progress(con, period, organisation, audience, now),
        uploads_table(recent),
        moved,
        freshness_table(con),
        tuple(marks_explained(moved[["Before", "Now"]].to_numpy().ravel(), audience)),
    )


def marks_explained(shown, audience: Audience) -> list[str]:
    """What each mark among the figures `shown` (as text) means, for `audience`: the notes to
    put beside a table or chart that holds them."""
    reasons = set()
    for text in shown:
        if text == disclosure.SCREEN_MARK:
            reasons.add(disclosure.PRIMARY)
        elif text == disclosure.PUBLISHED_MARK:
            primary = audience is Audience.PUBLICATION
            reasons.add(disclosure.PRIMARY if primary else disclosure.SECONDARY)
    return audience.notes(reasons)


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


def hidden_because(
    con: duckdb.DuckDBPyConnection,
    indicator: indicators.Indicator,
    figure: indicators.Figure,
    organisation: str | None = None,
) -> str:
    """Why an indicator's figure for its period is hidden (`disclosure.PRIMARY` or `SECONDARY`),
    or '' when it may be shown: referral counts and people-helped measures are cells of the
    counts they add up with, settled once for every page and file."""
    if not indicator.small_numbers or figure.value is None:
        return ""
    if indicator.source == "referrals":
        found = referral_figures.cells(con)
        if indicator.param("geography", found.geography) == found.geography:
            return found.why(referral_figures.indicator_cell(found, indicator, figure.period))
    if indicator.source == "measure" and indicator.basis == "sum":
        found = measure_figures.cells(con)
        return found.why(found.support(indicator.param("measure"), figure.period, organisation))
    return disclosure.small_only(figure.value)


@dataclass(frozen=True)
class Shown:
    """One indicator as its audience sees it: text only, hidden counts already marked."""

    id: str
    label: str
    value: str
    change: str | None
    change_colour: str  # for st.metric: "normal", "inverse" or "off"
    target: str
    status: str
    previous_period: str
    note: str
    hidden: str = ""  # why the value is hidden, '' when shown


def shown(
    row: indicators.Progress,
    audience: Audience,
    hidden: tuple[str, str] = ("", ""),
) -> Shown:
    """`hidden`: why the current and the previous figure are hidden (`hidden_because`)."""
    indicator, current, previous = row.indicator, row.current, row.previous
    mark = audience.mark(hidden[0])
    value = mark or formatting.number(current.value, indicator.unit)
    concealed = mark is not None or audience.mark(hidden[1]) is not None
    change = None if concealed else formatting.change(row.change, indicator.unit)
    if not indicator.rated or change == "no change":
        colour = "off"
    else:
        colour = "normal" if indicator.higher_is_better else "inverse"
    target = f"Target {indicators.target_text(row)}" if row.target is not None else ""
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
        hidden[0] if mark else "",
    )


@dataclass(frozen=True)
class ShownObjective:
    objective: indicators.Objective
    status: str
    indicators: list[Shown]
    audience: Audience = Audience.MEETING

    @property
    def headline(self) -> list[Shown]:
        heads = {i.id for i in self.objective.indicators if i.headline}
        return [s for s in self.indicators if s.id in heads]

    @property
    def reason(self) -> str:
        """Why the objective has its status, in words: 'Red: First Responder roles trained in
        the last 12 months 41% against 100%', naming each indicator that made it so."""
        if self.status == indicators.GREEN:
            return "Green: every rated indicator with figures is on track."
        if self.status == indicators.NO_DATA:
            return "No data: none of its rated indicators has figures for this period yet."
        made_it = [s for s in self.indicators if s.status == self.status]
        return (
            f"{self.status}: "
            + "; ".join(
                f"{s.label} {s.value}"
                + (f" against {s.target.removeprefix('Target ')}" if s.target else "")
                for s in made_it
            )
            + "."
        )

    @property
    def notes(self) -> list[str]:
        """What each mark on the objective's figures (`<5`, `[c]`) means."""
        return self.audience.notes(s.hidden for s in self.indicators)


def shown_progress(
    con: duckdb.DuckDBPyConnection,
    period: str,
    organisation: str | None,
    audience: Audience,
    progress_rows: list[indicators.ObjectiveProgress] | None = None,
) -> list[ShownObjective]:
    """Every objective and indicator for the period, as `audience` may see them."""
    rows = progress_rows if progress_rows is not None else progress(con, period, organisation)
    return [
        ShownObjective(
            objective.objective,
            objective.status,
            [
                shown(
                    row,
                    audience,
                    (
                        hidden_because(con, row.indicator, row.current, organisation),
                        hidden_because(con, row.indicator, row.previous, organisation),
                    ),
                )
                for row in objective.indicators
            ],
            audience,
        )
        for objective in rows
    ]


def indicator_table(rows: list[Shown]) -> pd.DataFrame:
    """Every indicator of an objective: value, target, status, previous and change. The change
    column names the period compared with when every row shares it ('Change since 2025/26-Q1');
    while a period is going on, flows are compared with the same months before, so each change
    then says its own ('+3 since July to August 2025')."""
    compared = {s.previous_period for s in rows}
    shared = len(compared) == 1
    change = f"Change since {compared.pop()}" if shared else "Change"
    return pd.DataFrame(
        [
            {
                "Indicator": s.label,
                "Value": s.value,
                "Target": s.target.removeprefix("Target "),
                "Status": s.status,
                change: _change_said(s, shared),
                "Notes": s.note,
            }
            for s in rows
        ],
        columns=["Indicator", "Value", "Target", "Status", change, "Notes"],
    )


def _change_said(shown: Shown, shared: bool) -> str:
    if not shown.change:
        return ""
    return shown.change if shared else f"{shown.change} since {shown.previous_period}"


def trend_table(
    con: duckdb.DuckDBPyConnection,
    indicator_id: str,
    period: str,
    organisation: str | None,
    audience: Audience,
) -> pd.DataFrame:
    """The indicator over the last 8 quarters (or 5 years) to `period`, for a trend chart: a
    hidden figure has no value (a gap in the line) and its mark as its label."""
    indicator = indicators.find(indicator_id)
    chosen = periods.parse(period)
    count = 8 if chosen.is_quarter else 5
    rows = indicators.trend(con, indicator, chosen, count, organisation)
    marks = [audience.mark(hidden_because(con, indicator, f, organisation)) for f in rows]
    return pd.DataFrame(
        {
            "Period": [f.period.label for f in rows],
            "Value": [None if m else f.value for f, m in zip(rows, marks, strict=True)],
            "Shown": [
                m or formatting.number(f.value, indicator.unit)
                for f, m in zip(rows, marks, strict=True)
            ],
        }
    )


BOTH_HIDDEN = "changed (both figures hidden)"


def moved_table(
    con: duckdb.DuckDBPyConnection,
    since: datetime,
    period: str,
    organisation: str | None,
    audience: Audience,
    now: list[indicators.ObjectiveProgress] | None = None,
) -> pd.DataFrame:
    """The indicators the uploads since `since` moved: objective, indicator, before, now. A
    figure hidden now is hidden before too: the difference would give it away (unless there was
    none before: 'no data yet' gives nothing away). When both are hidden, 'Now' says the figure
    changed (`BOTH_HIDDEN`) rather than repeating the mark, which would read as no change."""
    now = now if now is not None else progress(con, period, organisation)
    current = {row.indicator.id: row.current for objective in now for row in objective.indicators}

    def figure(moved: Moved, value: float | None, hidden: str) -> str:
        if audience.mark(hidden):
            return audience.mark(hidden) or ""
        return formatting.number(value, moved.indicator.unit)

    rows = []
    for moved in indicators_moved(con, since, period, organisation, now):
        hidden = hidden_because(con, moved.indicator, current[moved.id], organisation)
        if moved.before is None:  # 'no data yet' gives nothing away
            before = ""
        else:
            small = moved.indicator.small_numbers
            before = hidden or (disclosure.small_only(moved.before) if small else "")
        then, now_shown = figure(moved, moved.before, before), figure(moved, moved.after, hidden)
        both_hidden = audience.mark(before) is not None and audience.mark(hidden) is not None
        rows.append(
            {
                "Objective": moved.objective,
                "Indicator": moved.indicator.label,
                "Before": then,
                "Now": BOTH_HIDDEN if both_hidden else now_shown,
            }
        )
    return pd.DataFrame(rows, columns=["Objective", "Indicator", "Before", "Now"])


def uploads_table(uploads: pd.DataFrame, who: bool = True) -> pd.DataFrame:
    """Uploads as people read them: kind, file, who (unless `who` is False: a document that
    is circulated names no one), when, rows and what happened."""
    table = pd.DataFrame(
        {
            "What": [KINDS[k].title for k in uploads["kind"]],
            "File": uploads["file_name"],
            "Uploaded": [formatting.day(d) for d in uploads["uploaded_at"]],
            "By": uploads["uploaded_by"],
            "Rows stored": uploads["rows_loaded"],
            "Rows replaced": uploads["rows_superseded"],
            "Status": [formatting.upload_status(u, who) for u in uploads.to_dict("records")],
        }
    )
    return table if who else table.drop(columns="By")


def freshness_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per kind of data: its last upload, and the days its current rows describe (from every
    upload still in force, not the last alone)."""
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


def has_trend(table: pd.DataFrame) -> bool:
    """Whether a trend table has a figure for any period (else say 'no data yet', no chart)."""
    return bool((table["Shown"] != formatting.NO_DATA).any())


def no_trend_text(indicator: indicators.Indicator, period_label: str) -> str:
    return f"{indicator.label}: no data yet in the periods to {period_label}."


def trend_chart(
    table: pd.DataFrame, indicator: indicators.Indicator, period_label: str
) -> alt.Chart:
    """An indicator's line over the periods up to `period_label`, with its source: a
    percentage on an axis from 0 to 100, a count or sum of money at whole numbers."""
    # a period with no data has no point and no label; a hidden one a gap marked [c] or <5
    labelled = table.assign(Label=table["Shown"].where(table["Shown"] != formatting.NO_DATA, ""))
    return charts.line(
        labelled,
        x="Period",
        value="Value",
        title=indicator.label,
        subtitle=f"To {period_label}, {indicator.unit}",
        source=charts.source_note(
            *indicators.KINDS_OF_SOURCE[indicator.source], period=period_label
        ),
        value_title=indicator.unit,
        label="Label",
        percent=indicator.unit == "%",
    )
