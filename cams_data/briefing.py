"""The quarter's briefing: one Word document for the partnership meeting.

It holds the four objectives' status and why, every indicator with its change, what changed
since the last meeting and which uploads moved it, the actions overdue and due next quarter,
refresher training falling due in each of the next four quarters, and the key charts. Every
figure is the one the pages show (`dashboard.overview`, `dashboard.trend_table`,
`action_plan.outstanding`, `training_figures.refresher_due_by_quarter`), for
`Audience.PUBLICATION` whoever asks: the briefing is circulated, so a count from 1 to 4, and a
cell that would give one away, is `[c]`. Training counts are of staff, not victims, and are shown
as they are, as on the Training page. With demo data loaded, the title says DEMO DATA.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd

from cams_data import (
    action_plan,
    dashboard,
    export,
    formatting,
    periods,
    store,
    training_figures,
)
from cams_data.disclosure import Audience
from cams_data.statement import DEMO

SINCE_DAYS = 91  # the Overview's default "changes since": about a quarter before today
AS_PUBLISHED = (
    "Figures as published: counts from 1 to 4 and cells that would give them away are shown [c]."
)
STAFF_COUNTS = (
    "Counts of staff, not of victims: shown as they are, as on the Training page. Staff already "
    "overdue are not in these columns."
)
MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def default_since(today: date | None = None) -> date:
    """The last meeting's date when none is given: as the Overview's "Changes since"."""
    return (today or date.today()) - timedelta(days=SINCE_DAYS)


@dataclass(frozen=True)
class KeyChart:
    chart: alt.TopLevelMixin | None  # None for an indicator with no figures yet: no empty chart
    description: str  # the one-sentence text alternative the page shows under it


@dataclass(frozen=True)
class Briefing:
    """What the briefing holds, every figure as text for publication."""

    period: periods.ReportingPeriod
    organisation: str | None
    since: date
    made_on: date
    demo: bool
    objectives: list[dashboard.ShownObjective]
    uploads: pd.DataFrame  # `dashboard.uploads_table`
    moved: pd.DataFrame  # Objective, Indicator, Before, Now
    actions: action_plan.Outstanding
    refresher: pd.DataFrame  # `training_figures.refresher_due_by_quarter`
    charts: list[KeyChart]

    @property
    def title(self) -> str:
        return (
            f"{DEMO if self.demo else ''}CAMS partnership briefing: {self.period.label} "
            f"({self.period.description})"
        )

    @property
    def quarters(self) -> list[str]:
        return list(self.refresher.columns[2:])


def contents(
    con: duckdb.DuckDBPyConnection,
    period: str,
    organisation: str | None = None,
    since: date | None = None,
    today: date | None = None,
) -> Briefing:
    """The briefing's figures for `period` (a label), changes since the last meeting's date."""
    chosen = periods.parse(period)  # refuses a period written another way
    today = today or date.today()
    since = since or default_since(today)
    since_at = datetime.combine(since, time.min)
    figures = dashboard.overview(con, chosen.label, organisation, since_at, Audience.PUBLICATION)
    outstanding = action_plan.outstanding(
        con, action_plan.as_at(chosen, today), periods.quarter_of(chosen.end)
    )
    return Briefing(
        chosen,
        organisation,
        since,
        today,
        store.has_demo_data(con),
        figures.progress,
        # circulated: names no one (the Overview's table says who uploaded)
        dashboard.uploads_table(dashboard.uploads_since(con, since_at), who=False),
        figures.moved,
        outstanding,
        training_figures.refresher_due_by_quarter(con, chosen, organisation),
        key_charts(con, chosen.label, organisation, figures.progress),
    )


def key_charts(
    con: duckdb.DuckDBPyConnection,
    period: str,
    organisation: str | None,
    objectives: list[dashboard.ShownObjective],
) -> list[KeyChart]:
    """The trend of each headline indicator (the Overview's cards), drawn as the Objectives page
    draws it, for publication."""
    out = []
    for objective in objectives:
        for indicator in objective.objective.indicators:
            if not indicator.headline:
                continue
            table = dashboard.trend_table(
                con, indicator.id, period, organisation, Audience.PUBLICATION
            )
            out.append(
                KeyChart(
                    dashboard.trend_chart(table, indicator, period)
                    if dashboard.has_trend(table)
                    else None,
                    dashboard.trend_description(table, indicator.label),
                )
            )
    return out


# --- the document ------------------------------------------------------------------------------


def _table(document, table: pd.DataFrame) -> None:
    export.docx_table(
        document,
        [str(c) for c in table.columns],
        ([_cell(v) for v in row] for row in table.itertuples(index=False)),
    )


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.0f}"
    return str(value)


def document(briefing: Briefing) -> bytes:
    """The briefing as a Word document, each chart drawn (or a picture of why it was not)."""
    document = export.docx_document(briefing.title)
    organisation = briefing.organisation or "All organisations"
    document.add_paragraph(
        f"Made on {formatting.day(briefing.made_on)} · {organisation} · changes since "
        f"{formatting.day(briefing.since)}"
    )
    document.add_paragraph(AS_PUBLISHED)

    document.add_heading("Objectives at a glance", level=1)
    _table(
        document,
        pd.DataFrame(
            {
                "Objective": [
                    f"{o.objective.number}. {o.objective.title}" for o in briefing.objectives
                ],
                "Status": [o.status for o in briefing.objectives],
                "Why": [o.reason for o in briefing.objectives],
            }
        ),
    )

    document.add_heading("Every indicator", level=1)
    for objective in briefing.objectives:
        document.add_heading(
            f"{objective.objective.number}. {objective.objective.title}: {objective.status}",
            level=2,
        )
        _table(document, dashboard.indicator_table(objective.indicators))
        for note in objective.notes:
            export.docx_note(document, note)

    since = formatting.day(briefing.since)
    document.add_heading(f"What changed since the last meeting ({since})", level=1)
    if briefing.uploads.empty:
        document.add_paragraph(f"Nothing has been uploaded or rolled back since {since}.")
    else:
        document.add_heading(f"Uploads since {since}", level=2)
        _table(document, briefing.uploads)
        document.add_heading(f"Figures for {briefing.period.label} they changed", level=2)
        if briefing.moved.empty:
            document.add_paragraph("None of the indicators for this period changed.")
        else:
            _table(document, briefing.moved)

    chased = briefing.actions
    document.add_heading("Actions overdue and due next quarter", level=1)
    for heading, table, none in (
        (
            f"Overdue as at {formatting.day(chased.on)}",
            chased.overdue,
            "No action is overdue.",
        ),
        (
            f"Due in {chased.next_quarter.label} ({chased.next_quarter.description}), "
            "not yet completed",
            chased.due_next.drop(columns="Overdue"),
            "No action still open falls due then.",
        ),
    ):
        document.add_heading(heading, level=2)
        if table.empty:
            document.add_paragraph(none)
        else:
            _table(document, table.drop(columns="Last updated"))

    quarters = briefing.quarters
    document.add_heading("Refresher training due in the next four quarters", level=1)
    document.add_paragraph(
        f"Staff whose latest completion by {formatting.day(briefing.period.last_day)} expires "
        f"in each quarter from {quarters[0]} to {quarters[-1]}, by service area."
    )
    for group in training_figures.REFRESHER_GROUPS:
        rows = briefing.refresher[briefing.refresher["course_group"] == group]
        document.add_heading(group, level=2)
        if rows.empty:
            document.add_paragraph("Nobody had completed these courses by then.")
            continue
        shown = rows.drop(columns="course_group").rename(columns={"service_area": "Service area"})
        total = pd.DataFrame([["All service areas", *rows[quarters].sum()]], columns=shown.columns)
        _table(document, pd.concat([shown, total], ignore_index=True))
    export.docx_note(document, STAFF_COUNTS)

    document.add_heading("Key charts", level=1)
    for key in briefing.charts:
        if key.chart is not None:
            export.docx_picture(document, export.png_or_notice(key.chart))
        document.add_paragraph(key.description)  # alone: '...: no data yet for these periods.'

    return export.docx_bytes(document)


def file_name(period: str) -> str:
    return f"cams_briefing_{period.replace('/', '-')}.docx"


def build_from(
    db: Path,
    period: str,
    organisation: str | None = None,
    since: date | None = None,
    who: str | None = None,
    today: date | None = None,
) -> bytes:
    """The briefing from the database at `db`, as a Word document; the audit log records who
    made it."""
    with store.connect(db, read_only=True) as con:
        briefing = contents(con, period, organisation, since, today)
    data = document(briefing)
    store.log_event(
        db, who or getpass.getuser(), "export", f"briefing {briefing.period.label} (.docx)"
    )
    return data
