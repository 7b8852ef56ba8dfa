"""The partnership action plan: actions by objective with owner, due date and status.

An action is overdue when it is not Completed and its due date is before the as-at date: the
last day of the selected period, or today when that is earlier. Overdue is worked out here,
never stored. Statuses are as the tracker last said (`updated_on`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import altair as alt
import duckdb
import pandas as pd
from pandas.io.formats.style import Styler

from cams_data import charts, formatting, indicators
from cams_data.periods import ReportingPeriod

COMPLETED, IN_PROGRESS, NOT_STARTED, ON_HOLD = "Completed", "In progress", "Not started", "On hold"
STATUS_ORDER = (COMPLETED, IN_PROGRESS, NOT_STARTED, ON_HOLD)
STATUS_COLOURS = {
    COMPLETED: charts.DARK_BLUE,
    IN_PROGRESS: charts.TURQUOISE,
    NOT_STARTED: charts.CONTEXT_GREY,
    ON_HOLD: charts.ORANGE,
}
OVERDUE = "Overdue"
OVERDUE_FILL = "#FDE8E6"  # a pale red behind overdue rows, on top of the words 'Overdue'


def as_at(period: ReportingPeriod, today: date | None = None) -> date:
    """The date overdue is judged on: the period's last day, or today when that is earlier."""
    return min(period.last_day, today or date.today())


def objective_titles() -> dict[int, str]:
    return {o.number: o.title for o in indicators.objectives()}


def actions(con: duckdb.DuckDBPyConnection, on: date) -> pd.DataFrame:
    """objective, objective_title, action, owner, due_on, status, updated_on, overdue (bool),
    days_overdue; by objective, then overdue first, then due date."""
    table = con.execute(
        """SELECT objective, action, owner, due_on, status, updated_on,
                  coalesce(status <> 'Completed' AND due_on < $on, FALSE) AS overdue,
                  CASE WHEN status <> 'Completed' AND due_on < $on
                       THEN date_diff('day', due_on, $on) END AS days_overdue
           FROM actions
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

    @property
    def heading(self) -> str:
        return f"Objective {self.number}: {self.title}"

    @property
    def summary(self) -> str:
        if not self.actions:
            return "No actions in the tracker for this objective."
        noun = "action" if self.actions == 1 else "actions"
        return f"{self.actions} {noun}: {self.completed} completed, {self.overdue} overdue."


def by_objective(con: duckdb.DuckDBPyConnection, on: date) -> list[ObjectivePlan]:
    """Each objective (from the objectives file, plus any other the tracker names) with its
    actions: due dates written dd/mm/yyyy and 'Overdue' in words for overdue ones."""
    table = actions(con, on)
    titles = objective_titles()
    numbers = sorted(set(titles) | set(table["objective"].astype(int)))
    out = []
    for number in numbers:
        own = table[table["objective"] == number]
        shown = pd.DataFrame(
            {
                "Action": own["action"],
                "Owner": own["owner"],
                "Due": [formatting.day(d) for d in own["due_on"]],
                "Status": own["status"],
                "Overdue": [
                    f"{OVERDUE} ({n} day{'' if n == 1 else 's'})" if o else ""
                    for o, n in zip(own["overdue"], own["days_overdue"], strict=True)
                ],
                "Last updated": [formatting.day(d) for d in own["updated_on"]],
            }
        ).reset_index(drop=True)
        out.append(
            ObjectivePlan(
                number,
                titles.get(number, f"Objective {number}"),
                shown,
                len(own),
                int((own["status"] == COMPLETED).sum()),
                int(own["overdue"].sum()),
            )
        )
    return out


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
    chart = charts.stacked_bar(
        counts,
        category="objective_label",
        value="actions",
        stack="status",
        title=title,
        subtitle=subtitle,
        source=charts.source_note("actions"),
        value_title="Actions",
        order=list(STATUS_ORDER),
        horizontal=True,
    )
    return chart.encode(
        x=alt.X(
            "actions:Q",
            title="Actions",
            stack=True,
            axis=alt.Axis(format="d", tickMinStep=1),
        ),
        color=alt.Color(
            "status:N",
            scale=alt.Scale(domain=list(STATUS_ORDER), range=list(STATUS_COLOURS.values())),
            sort=list(STATUS_ORDER),
            title=None,
            # two columns: beside long objective names, one row would run off the chart's edge
            legend=alt.Legend(orient="bottom", columns=2),
        ),
    ).configure_axisY(labelLimit=360)


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
