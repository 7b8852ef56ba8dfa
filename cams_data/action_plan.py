"""The partnership action plan: actions by objective with owner, due date and status.

Everything is as at a date: the last day of the selected period, or today when that is earlier.
Each action's status is the one the tracker recorded by then: that of its latest version
updated (`updated_on`) on or before the date, superseded uploads included
(`store.actions_as_at_sql`, which the Overview's actions indicators use too). An action with no
update by then has status "No update yet" and counts as not completed. An action is overdue
when it is not completed and its due date is before the as-at date: worked out, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import altair as alt
import duckdb
import pandas as pd
from pandas.io.formats.style import Styler

from cams_data import charts, formatting, indicators, store
from cams_data.periods import ReportingPeriod

COMPLETED, IN_PROGRESS, NOT_STARTED, ON_HOLD = "Completed", "In progress", "Not started", "On hold"
NO_UPDATE = "No update yet"  # the tracker had not recorded the action by the as-at date
STATUS_ORDER = (COMPLETED, IN_PROGRESS, NOT_STARTED, ON_HOLD, NO_UPDATE)
OVERDUE = "Overdue"
OVERDUE_FILL = "#FDE8E6"  # a pale red behind overdue rows, on top of the words 'Overdue'


def as_at(period: ReportingPeriod, today: date | None = None) -> date:
    """The date overdue is judged on: the period's last day, or today when that is earlier."""
    return min(period.last_day, today or date.today())


def objective_titles() -> dict[int, str]:
    return {o.number: o.title for o in indicators.objectives()}


def actions(con: duckdb.DuckDBPyConnection, on: date) -> pd.DataFrame:
    """objective, objective_title, action, owner, due_on, status and updated_on as at `on`,
    overdue (bool), days_overdue; by objective, then overdue first, then due date."""
    late = "status IS DISTINCT FROM 'Completed' AND due_on < $on"
    table = con.execute(
        f"""WITH periods(label, p_start, p_end) AS (SELECT 'as at', $on, $on + 1)
            SELECT objective, action, owner, due_on, coalesce(status, '{NO_UPDATE}') AS status,
                   updated_on, coalesce({late}, FALSE) AS overdue,
                   CASE WHEN {late} THEN date_diff('day', due_on, $on) END AS days_overdue
            FROM ({store.actions_as_at_sql()})
            ORDER BY objective, overdue DESC, due_on NULLS LAST, action""",
        {"on": on},
    ).df()
    titles = objective_titles()
    table.insert(1, "objective_title", [titles.get(int(n), "") for n in table["objective"]])
    for column in ("due_on", "updated_on"):
        table[column] = pd.to_datetime(table[column]).dt.date
    table["days_overdue"] = table["days_overdue"].astype("Int64")
    return table


def overdue_count(con: duckdb.DuckDBPyConnection, on: date) -> int:
    return int(actions(con, on)["overdue"].sum())


def status_counts(con: duckdb.DuckDBPyConnection, on: date) -> pd.DataFrame:
    """objective, objective_label, status, actions, overdue: every objective and status in the
    fixed order, zeros included."""
    table = actions(con, on)
    titles = objective_titles()
    grid = pd.MultiIndex.from_product(
        [sorted(set(titles) | set(table["objective"].astype(int))), STATUS_ORDER],
        names=["objective", "status"],
    )
    counts = (
        table.assign(objective=table["objective"].astype(int))
        .groupby(["objective", "status"])
        .agg(actions=("action", "size"), overdue=("overdue", "sum"))
        .reindex(grid, fill_value=0)
        .reset_index()
    )
    counts.insert(1, "objective_label", [_objective_label(n, titles) for n in counts["objective"]])
    counts[["actions", "overdue"]] = counts[["actions", "overdue"]].astype(int)
    return counts


def _objective_label(number: int, titles: dict[int, str]) -> str:
    return f"{number}. {titles[number]}" if number in titles else f"Objective {number}"


@dataclass(frozen=True)
class ObjectivePlan:
    """One objective's actions, as the page shows them."""

    number: int
    title: str
    table: pd.DataFrame  # Action, Owner, Due, Status, Overdue
    actions: int
    completed: int
    overdue: int
    due_by: date
    due: int  # due by `due_by`: the Overview's "Plan actions due that are complete" over them
    due_completed: int

    @property
    def heading(self) -> str:
        return f"Objective {self.number}: {self.title}"

    @property
    def due_share(self) -> float | None:
        return 100 * self.due_completed / self.due if self.due else None

    @property
    def summary(self) -> str:
        if not self.actions:
            return "No actions in the tracker for this objective."
        noun = "action" if self.actions == 1 else "actions"
        text = f"{self.actions} {noun}: {self.completed} completed, {self.overdue} overdue"
        if self.due:
            text += (
                f"; {self.due_completed} of the {self.due} due by {formatting.day(self.due_by)} "
                f"completed ({formatting.number(self.due_share, '%')})"
            )
        return text + "."


def by_objective(
    con: duckdb.DuckDBPyConnection, on: date, due_by: date | None = None
) -> list[ObjectivePlan]:
    """Each objective (from the objectives file, plus any other the tracker names) with its
    actions as at `on`: due dates written dd/mm/yyyy and 'Overdue' in words for overdue ones,
    and how many of those due by `due_by` (the period's last day; `on` when not given) are
    completed, as the Overview's actions indicator counts them."""
    due_by = due_by or on
    table = actions(con, on)
    titles = objective_titles()
    numbers = sorted(set(titles) | set(table["objective"].astype(int)))
    out = []
    for number in numbers:
        own = table[table["objective"] == number]
        due = pd.to_datetime(own["due_on"]) <= pd.Timestamp(due_by)
        out.append(
            ObjectivePlan(
                number,
                titles.get(number, f"Objective {number}"),
                readable(own),
                len(own),
                int((own["status"] == COMPLETED).sum()),
                int(own["overdue"].sum()),
                due_by,
                int(due.sum()),
                int((due & (own["status"] == COMPLETED)).sum()),
            )
        )
    return out


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """Actions (rows of `actions`) as people read them: Action, Owner, Due (dd/mm/yyyy),
    Status, Overdue ('Overdue (30 days)' in words) and Last updated."""
    return pd.DataFrame(
        {
            "Action": table["action"],
            "Owner": table["owner"],
            "Due": [formatting.day(d) for d in table["due_on"]],
            "Status": table["status"],
            "Overdue": [
                f"{OVERDUE} ({n} day{'' if n == 1 else 's'})" if o else ""
                for o, n in zip(table["overdue"], table["days_overdue"], strict=True)
            ],
            "Last updated": [formatting.day(d) for d in table["updated_on"]],
        }
    ).reset_index(drop=True)


@dataclass(frozen=True)
class Outstanding:
    """The actions a meeting chases: overdue as at `on`, and those not completed that fall due
    in `next_quarter`."""

    on: date
    next_quarter: ReportingPeriod
    overdue: pd.DataFrame  # Objective, then `readable`'s columns
    due_next: pd.DataFrame


def outstanding(
    con: duckdb.DuckDBPyConnection, on: date, next_quarter: ReportingPeriod
) -> Outstanding:
    """Actions overdue as at `on`, and those not completed by then that fall due in
    `next_quarter` (the quarter after the period a meeting reviews), by objective, then due
    date."""
    table = actions(con, on)
    due = pd.to_datetime(table["due_on"])
    due_next = (
        (table["status"] != COMPLETED)
        & ~table["overdue"]
        & (due >= pd.Timestamp(next_quarter.start))
        & (due < pd.Timestamp(next_quarter.end))
    )

    def listed(rows: pd.DataFrame) -> pd.DataFrame:
        shown = readable(rows)
        shown.insert(0, "Objective", [str(int(n)) for n in rows["objective"]])
        return shown

    return Outstanding(on, next_quarter, listed(table[table["overdue"]]), listed(table[due_next]))


def styled(table: pd.DataFrame) -> Styler:
    """The table with overdue rows filled pale red and their 'Overdue' cell in bold."""

    def row_style(row: pd.Series) -> list[str]:
        late = str(row.get("Overdue", "")).startswith(OVERDUE)
        return [f"background-color: {OVERDUE_FILL}" if late else "" for _ in row]

    styler = table.style.apply(row_style, axis=1)
    return styler.map(
        lambda v: "font-weight: bold" if str(v).startswith(OVERDUE) else "", subset=["Overdue"]
    )


def status_chart(counts: pd.DataFrame, *, title: str, subtitle: str) -> alt.Chart:
    """Actions per objective, stacked by status in the fixed order and colours."""
    return charts.stacked_bar(
        counts,
        category="objective_label",
        value="actions",
        stack="status",
        title=title,
        subtitle=subtitle,
        source=charts.source_note("actions"),
        value_title="Actions",
        order=list(STATUS_ORDER),
        colours=charts.ACTION_STATUS_COLOURS,
        horizontal=True,
        # two columns: beside long objective names, one row would run off the chart's edge
        legend_columns=2,
    )


def counts_table(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per objective, one column per status, then the total and overdue."""
    wide = counts.pivot_table(
        index="objective_label", columns="status", values="actions", aggfunc="sum", sort=False
    )[list(STATUS_ORDER)]
    wide["Total"] = wide.sum(axis=1)
    wide["Overdue"] = counts.groupby("objective_label", sort=False)["overdue"].sum()
    wide.columns.name = None
    return wide.reset_index().rename(columns={"objective_label": "Objective"})


def describe_counts(counts: pd.DataFrame, on: date) -> str:
    """One sentence: how many actions, how many completed and how many overdue."""
    total = int(counts["actions"].sum())
    completed = int(counts.loc[counts["status"] == COMPLETED, "actions"].sum())
    overdue = int(counts["overdue"].sum())
    per_objective = counts.groupby("objective", sort=True)["overdue"].sum()
    text = (
        f"{completed} of {total} actions are completed and {overdue} "
        f"{'is' if overdue == 1 else 'are'} overdue as at {formatting.day(on)}"
    )
    if overdue:
        listed = ", ".join(f"objective {n}: {int(v)}" for n, v in per_objective.items() if v)
        text += f" ({listed})"
    return text + "."
