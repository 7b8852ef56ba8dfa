"""Training figures for the Training page: coverage, completions, refresh due dates and trend.

Every figure is a count of people or completions per group (course, service area, organisation,
role): nothing returned here carries a person key or a name.

Rules, as at a period's end (`period.end`, the first day after it):
- a person's standing in a course comes from their latest completion before the period's end;
  their organisation, service area and role are those of that completion's row;
- a completion is valid while `completed_on + refresh cycle` is after the period's last day; a
  course without a cycle never expires, so it is never due;
- overdue: the completion expired on or before the period's last day; due within 3 months: it
  expires in the 3 months after the period; else current;
- coverage is the valid completions over the staff in post in the establishment snapshot: the
  latest one dated before the period's end, else the earliest there is;
- completions of a course in a period are blank (not 0) when the completions loaded do not
  reach into the period.

The SQL pieces below (`latest_completions_sql`, `staff_in_post_sql`, `completions_sql`) are the
only place these rules are written: the Overview's training indicators (`indicators.py`) are built
on them too, so the Training page and the Overview give the same figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import altair as alt
import duckdb
import pandas as pd

from cams_data import charts, formatting
from cams_data.periods import (
    ReportingPeriod,
    add_months,
    compared_with,
    periods_sql,
    quarter_of,
)

# Months after a completion before the course must be taken again; None: never due again.
# Keyed by the course name in lower case with single spaces. Edit here to change a cycle.
REFRESH_MONTHS: dict[str, int | None] = {
    "home office first responder": 12,
    "protecting human rights in the supply chain (modern slavery)": 36,
    "cams modern slavery and human trafficking": 36,
    "mandatory safeguarding": 24,
    "designated safeguarding officer refresher": 24,
    "introduction to safeguarding": None,
}
DEFAULT_COURSE = "cams modern slavery and human trafficking"
SOURCE = charts.source_note("training")
DUE_SOON_MONTHS = 3
TREND_QUARTERS = 8
LABEL_LIMIT = 360  # pixels of a course name shown on an axis or in a legend

# Groups figures can be broken down by: view column -> heading.
GROUPS = {"service_area": "Service area", "role": "Role", "organisation": "Organisation"}
OVERDUE, DUE_SOON, CURRENT = "Overdue", f"Due within {DUE_SOON_MONTHS} months", "Current"

HEADINGS = {
    "course": "Course",
    **GROUPS,
    "trained": "Trained",
    "headcount": "Headcount",
    "coverage": "Coverage (%)",
    "completions": "Completions",
    "people": "People",
    "quarter": "Quarter",
    "overdue": OVERDUE,
    "due_soon": DUE_SOON,
    "current": CURRENT,
    "refresh_months": "Refresh every (months)",
    "course_group": "Course",
}
NO_TRAINING = (
    "No training figures yet: upload a Learning Pool export (or an attendance register) with "
    "`python -m cams_data ingest FILE`, then see what was loaded on the Data loaded page."
)
NO_STAFF = (
    "No staff numbers yet, so coverage cannot be worked out: upload an HR establishment file "
    "(headcount by service area and role) with `python -m cams_data ingest FILE`."
)


def _normal(alias: str) -> str:
    """SQL for the course name as `REFRESH_MONTHS` keys it."""
    return f"lower(trim(regexp_replace({alias}.course, '\\s+', ' ', 'g')))"


def course_key(course: str) -> str:
    """The name as `REFRESH_MONTHS` keys it: lower case, single spaces."""
    return " ".join(str(course).split()).casefold()


def refresh_months(course: str) -> int | None:
    """The course's refresh cycle in months; None when it is never due again."""
    return REFRESH_MONTHS.get(course_key(course))


def _group(by: str | None, alias: str) -> str:
    if by is None:
        return "'All staff'"
    if by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)} or None, not {by!r}")
    return f"{alias}.{by}"


def _org(alias: str, organisation: str | None) -> str:
    return f"AND {alias}.organisation = $organisation" if organisation else ""


def _params(organisation: str | None, **values) -> dict:
    return {**({"organisation": organisation} if organisation else {}), **values}


# --- what is loaded --------------------------------------------------------------------------


def has_training(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM training").fetchone()[0] > 0


def courses(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every course in the training view, in name order (the order colours follow)."""
    rows = con.execute("SELECT DISTINCT course FROM training ORDER BY lower(course)").fetchall()
    return [r[0] for r in rows]


def default_course(names: list[str]) -> str | None:
    """The CAMS modern slavery course when it is there, else the first course."""
    for name in names:
        if course_key(name) == DEFAULT_COURSE:
            return name
    return names[0] if names else None


def staff_snapshot(con: duckdb.DuckDBPyConnection, period: ReportingPeriod) -> date | None:
    """The establishment date coverage uses: the latest before the period's end, else the first."""
    return con.execute(f"SELECT {staff_date_sql('$end')}", {"end": period.end}).fetchone()[0]


# --- SQL pieces, each written once -------------------------------------------------------------
# Written over the CTE `periods(label, p_start, p_end)` (`periods.periods_sql`), so one period's
# figure and an indicator's trend over eight come from the same SQL.


def course_in(alias: str = "t") -> str:
    """SQL: the row's course is one of `$courses` (names in lower case, see `courses_param`)."""
    return f"list_contains($courses, lower({alias}.course))"


def courses_param(names: list[str] | tuple[str, ...]) -> list[str]:
    return [str(n).strip().lower() for n in names]


def staff_date_sql(end: str = "p.p_end") -> str:
    """SQL: the establishment snapshot in force at `end` (the first day after a period): the
    latest dated before it, else the earliest there is."""
    return f"""coalesce((SELECT max(as_of) FROM establishment WHERE as_of < {end}),
                        (SELECT min(as_of) FROM establishment))"""


def staff_in_post_sql() -> str:
    """SQL: per period (`label`), the establishment rows of the snapshot in force at its end."""
    return f"""
        SELECT s.label, e.organisation, e.service_area, e.role, e.headcount, e.as_of
        FROM (SELECT p.label, {staff_date_sql()} AS as_of FROM periods p) s
        JOIN establishment e ON e.as_of = s.as_of"""


def latest_completions_sql(courses: str = "TRUE") -> str:
    """SQL: per period (`label`, `p_end`), each person's latest completion of each course before
    the period's end (`last_on`), with the organisation, service area and role of that row.
    `courses`: a condition on the training row `t`."""
    return f"""
        SELECT p.label, p.p_end, t.person_key, t.course,
               arg_max(t.organisation, t.completed_on) AS organisation,
               arg_max(t.service_area, t.completed_on) AS service_area,
               arg_max(t.role, t.completed_on) AS role,
               max(t.completed_on) AS last_on
        FROM periods p JOIN training t
          ON t.status = 'Completed' AND t.completed_on < p.p_end AND {courses}
        GROUP BY p.label, p.p_end, t.person_key, t.course"""


def still_valid_sql(months: str, alias: str = "l") -> str:
    """SQL: a latest completion (`latest_completions_sql`) is valid at the period's end."""
    return f"{alias}.last_on + to_months({months}) >= {alias}.p_end"


def completions_sql(courses: str = "TRUE", organisation: str | None = None) -> str:
    """SQL: per period (`label`), the completions of the courses in it, blank when the
    completions loaded (of any course) do not reach into it, and the last day with data."""
    return f"""
        SELECT p.label,
               CASE WHEN min(t.completed_on) < p.p_end AND max(t.completed_on) >= p.p_start
                    THEN count(*) FILTER (WHERE t.completed_on >= p.p_start
                                          AND t.completed_on < p.p_end AND {courses})
               END AS completions,
               least(p.p_end - 1, max(t.completed_on)) AS last_day
        FROM periods p LEFT JOIN training t ON t.status = 'Completed' {_org("t", organisation)}
        GROUP BY p.label, p.p_start, p.p_end"""


# --- coverage --------------------------------------------------------------------------------


def coverage(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod,
    course: str,
    by: str | None = "service_area",
    organisation: str | None = None,
) -> pd.DataFrame:
    """Per group: staff with a valid completion of `course` at the period's end (`trained`),
    staff in post (`headcount`, blank when the establishment lacks the group) and `coverage`
    (%, blank without a headcount). Lowest coverage first; groups without a headcount last."""
    months = refresh_months(course)
    valid = "TRUE" if months is None else still_valid_sql("$months")
    sql = f"""
        WITH {periods_sql([period])},
        latest AS ({latest_completions_sql(course_in())}),
        trained AS (
            SELECT lower(trim({_group(by, "l")})) AS k, min({_group(by, "l")}) AS grp,
                   count(*) AS trained
            FROM latest l WHERE {valid} {_org("l", organisation)}
            GROUP BY k),
        staff AS (
            SELECT lower(trim({_group(by, "e")})) AS k, min({_group(by, "e")}) AS grp,
                   sum(e.headcount) AS headcount
            FROM ({staff_in_post_sql()}) e WHERE TRUE {_org("e", organisation)}
            GROUP BY k)
        SELECT coalesce(s.grp, t.grp) AS grp,
               coalesce(t.trained, 0)::INTEGER AS trained,
               s.headcount::INTEGER AS headcount,
               round(100.0 * coalesce(t.trained, 0) / nullif(s.headcount, 0), 1) AS coverage
        FROM staff s FULL JOIN trained t ON s.k = t.k
        ORDER BY coverage NULLS LAST, headcount DESC NULLS LAST, grp"""
    params = _params(organisation, courses=courses_param([course]))
    if months is not None:
        params["months"] = months
    table = con.execute(sql, params).df()
    table = table.rename(columns={"grp": by or "group"})
    table["headcount"] = table["headcount"].astype("Int64")
    return table


# --- completions -----------------------------------------------------------------------------


def completions(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod,
    by: str | None = None,
    organisation: str | None = None,
) -> pd.DataFrame:
    """Completions in the period and distinct people completing, per course (and per group when
    `by` is given). By course alone every course is listed, with 0 where none was completed."""
    window = "t.completed_on >= $start AND t.completed_on < $end"
    if by is None:
        sql = f"""
            SELECT c.course, count(t.course)::INTEGER AS completions,
                   count(DISTINCT t.person_key)::INTEGER AS people
            FROM (SELECT DISTINCT course FROM training) c
            LEFT JOIN training t ON t.course = c.course AND t.status = 'Completed'
                 AND {window} {_org("t", organisation)}
            GROUP BY c.course
            ORDER BY completions DESC, lower(c.course)"""
    else:
        sql = f"""
            SELECT * EXCLUDE (group_total) FROM (
                SELECT {_group(by, "t")} AS {by}, t.course, count(*)::INTEGER AS completions,
                       count(DISTINCT t.person_key)::INTEGER AS people,
                       sum(count(*)) OVER (PARTITION BY {_group(by, "t")}) AS group_total
                FROM training t
                WHERE t.status = 'Completed' AND {window} {_org("t", organisation)}
                GROUP BY 1, 2)
            ORDER BY group_total DESC, {by}, lower(course)"""
    return con.execute(sql, _params(organisation, start=period.start, end=period.end)).df()


def trend_quarters(period: ReportingPeriod, count: int = TREND_QUARTERS) -> list[ReportingPeriod]:
    """The `count` quarters ending with the period's last quarter, oldest first."""
    quarters = [period.quarters()[-1]]
    while len(quarters) < count:
        quarters.insert(0, quarters[0].previous())
    return quarters


def completions_by_quarter(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod,
    organisation: str | None = None,
    count: int = TREND_QUARTERS,
) -> pd.DataFrame:
    """Completions per financial-year quarter and course over the `count` quarters up to the
    period (quarter labels such as 2025/26-Q2, oldest first), with 0 where there were none and
    blank for quarters that start after the latest completion loaded (not yet known)."""
    quarters = trend_quarters(period, count)
    listed = ", ".join(
        f"('{q.label}', DATE '{q.start.isoformat()}', DATE '{q.end.isoformat()}', {i})"
        for i, q in enumerate(quarters)
    )
    sql = f"""
        WITH quarters(quarter, q_start, q_end, n) AS (VALUES {listed})
        SELECT q.quarter, c.course,
               CASE WHEN q.q_start <= (SELECT max(completed_on) FROM training)
                    THEN count(t.course) END::INTEGER AS completions
        FROM quarters q CROSS JOIN (SELECT DISTINCT course FROM training) c
        LEFT JOIN training t ON t.course = c.course AND t.status = 'Completed'
             AND t.completed_on >= q.q_start AND t.completed_on < q.q_end {_org("t", organisation)}
        GROUP BY q.quarter, q.n, q.q_start, c.course
        ORDER BY q.n, lower(c.course)"""
    return con.execute(sql, _params(organisation)).df()


# --- refresh ---------------------------------------------------------------------------------


def refresh_status(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod,
    by: str | None = "service_area",
    organisation: str | None = None,
    course: str | None = None,
) -> pd.DataFrame:
    """People per course with a refresh cycle (and per group) whose latest completion is
    `overdue`, `due_soon` (expires within 3 months of the period's end) or `current`."""
    if by is not None and by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)} or None, not {by!r}")
    cycles = {k: v for k, v in REFRESH_MONTHS.items() if v is not None}
    courses = f"{_normal('t')} IN (SELECT course_key FROM cycles)"
    if course:
        courses += f" AND {course_in()}"
    group = f"j.{by}," if by else ""
    sql = f"""
        WITH {periods_sql([period])},
        cycles AS (SELECT unnest($keys) AS course_key, unnest($months) AS months),
        latest AS ({latest_completions_sql(courses)}),
        judged AS (
            SELECT l.* EXCLUDE (label, p_end), c.months,
                   CASE WHEN l.last_on + to_months(c.months) < $end THEN 'overdue'
                        WHEN l.last_on + to_months(c.months) < $soon THEN 'due_soon'
                        ELSE 'current' END AS standing
            FROM latest l JOIN cycles c ON c.course_key = {_normal("l")}
            WHERE TRUE {_org("l", organisation)})
        SELECT * FROM (
            SELECT j.course, {group}
                   any_value(j.months)::INTEGER AS refresh_months,
                   count(*) FILTER (WHERE standing = 'overdue')::INTEGER AS overdue,
                   count(*) FILTER (WHERE standing = 'due_soon')::INTEGER AS due_soon,
                   count(*) FILTER (WHERE standing = 'current')::INTEGER AS current,
                   count(*)::INTEGER AS people
            FROM judged j
            GROUP BY ALL)
        ORDER BY lower(course), overdue + due_soon DESC, people DESC{", " + by if by else ""}"""
    params = _params(
        organisation,
        keys=list(cycles),
        months=list(cycles.values()),
        end=period.end,
        soon=add_months(period.end, DUE_SOON_MONTHS),
    )
    if course:
        params["courses"] = courses_param([course])
    return con.execute(sql, params).df()


# Course groups whose refresher training the partnership's briefing plans for: the group's name,
# as the briefing says it, and the courses in it (keyed as `REFRESH_MONTHS`, whose cycles apply).
REFRESHER_GROUPS: dict[str, tuple[str, ...]] = {
    "First Responder (yearly)": ("home office first responder",),
    "Supply chain (every three years)": (
        "protecting human rights in the supply chain (modern slavery)",
    ),
}
REFRESHER_QUARTERS = 4


def refresher_due_by_quarter(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod,
    organisation: str | None = None,
    count: int = REFRESHER_QUARTERS,
) -> pd.DataFrame:
    """Per course group (`REFRESHER_GROUPS`) and service area, the staff whose latest completion
    before the period's end expires in each of the `count` quarters after it (one column per
    quarter label, oldest first): the first is the page's "due within 3 months" of a quarter.
    Every service area where someone has completed a group's course is listed, with 0 where
    nobody falls due. Counts of staff, shown as they are, as on the Training page."""
    quarters = [quarter_of(period.end)]
    while len(quarters) < count:
        quarters.append(quarters[-1].following())
    groups = [
        (name, key, REFRESH_MONTHS[key], order)
        for order, (name, keys) in enumerate(REFRESHER_GROUPS.items())
        for key in keys
    ]
    in_groups = f"{_normal('t')} IN (SELECT course_key FROM groups)"
    sql = f"""
        WITH {periods_sql([period])}, {periods_sql(quarters, "quarters")},
        groups AS (SELECT unnest($names) AS course_group, unnest($keys) AS course_key,
                          unnest($months) AS months, unnest($orders) AS n),
        latest AS ({latest_completions_sql(in_groups)}),
        expiring AS (
            SELECT g.course_group, g.n, coalesce(l.service_area, 'Not specified') AS service_area,
                   (l.last_on + to_months(g.months))::DATE AS expires_on
            FROM latest l JOIN groups g ON g.course_key = {_normal("l")}
            WHERE TRUE {_org("l", organisation)})
        SELECT e.course_group, e.service_area, q.label AS quarter,
               count(*) FILTER (WHERE e.expires_on >= q.p_start AND e.expires_on < q.p_end)
                   ::INTEGER AS staff
        FROM expiring e CROSS JOIN quarters q
        GROUP BY e.course_group, e.n, e.service_area, q.label
        ORDER BY e.n, lower(e.service_area), e.service_area"""
    names, keys, months, orders = (list(column) for column in zip(*groups, strict=True))
    params = _params(organisation, names=names, keys=keys, months=months, orders=orders)
    long = con.execute(sql, params).df()
    labels = [q.label for q in quarters]
    if long.empty:
        return pd.DataFrame(columns=["course_group", "service_area", *labels])
    wide = long.pivot_table(
        index=["course_group", "service_area"],
        columns="quarter",
        values="staff",
        aggfunc="sum",
        sort=False,
    )[labels]
    wide.columns.name = None
    return wide.astype(int).reset_index()


# --- completions of one course: the figure the Overview shows too ----------------------------


@dataclass(frozen=True)
class CourseCompletions:
    """Completions of a course in a period; `completions` is None when the completions loaded
    do not reach into the period. `last_day`: the latest day with data in it."""

    period: ReportingPeriod
    completions: int | None
    last_day: date | None


def course_completions(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod,
    courses: list[str] | tuple[str, ...],
    organisation: str | None = None,
) -> CourseCompletions:
    """Completions of any of `courses` in the period, as the Overview's indicator counts them."""
    sql = f"WITH {periods_sql([period])} {completions_sql(course_in(), organisation)}"
    params = _params(organisation, courses=courses_param(courses))
    _, count, last_day = con.execute(sql, params).fetchone()
    return CourseCompletions(period, None if count is None else int(count), last_day)


# --- one set of headline figures -------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """The figures at the top of the page for one course, period and organisation filter.
    `completions` are of the course; `previous_completions` of the period it is compared with
    (the one before, or the same months of it while the period is still going on)."""

    course: str
    refresh_months: int | None
    trained: int
    headcount: int | None
    coverage: float | None
    staff_as_of: date | None
    completions: CourseCompletions
    previous_completions: CourseCompletions
    overdue: int
    due_soon: int

    @property
    def change(self) -> int | None:
        now, before = self.completions.completions, self.previous_completions.completions
        return None if now is None or before is None else now - before


def headline(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod,
    course: str,
    organisation: str | None = None,
) -> Headline:
    total = coverage(con, period, course, None, organisation)
    row = total.iloc[0] if len(total) else None
    now = course_completions(con, period, [course], organisation)
    before = course_completions(con, compared_with(period, now.last_day), [course], organisation)
    due = refresh_status(con, period, None, organisation, course)
    headcount = None if row is None or pd.isna(row["headcount"]) else int(row["headcount"])
    return Headline(
        course=course,
        refresh_months=refresh_months(course),
        trained=0 if row is None else int(row["trained"]),
        headcount=headcount,
        coverage=None if row is None or pd.isna(row["coverage"]) else float(row["coverage"]),
        staff_as_of=staff_snapshot(con, period),
        completions=now,
        previous_completions=before,
        overdue=int(due["overdue"].sum()),
        due_soon=int(due["due_soon"].sum()),
    )


# --- tables and charts for the page (data in, text or alt.Chart out; no Streamlit) ------------


def display(table: pd.DataFrame, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """The table with headings people read (Service area, Coverage (%), ...), less `drop`."""
    return table.drop(columns=list(drop)).rename(columns=HEADINGS)


def course_colours(names: list[str]) -> tuple[list[str], list[str]]:
    """One colour per course, the same on every chart (courses in name order)."""
    return charts.colours_for(names)


BAR_STEP = 30  # pixels per bar of a horizontal bar chart: a bar and the gap to the next


def _percent(value: float | None) -> str:
    return formatting.number(value, "%")


def coverage_chart(
    table: pd.DataFrame,
    by: str,
    course: str,
    subtitle: str,
    source: str = charts.source_note("training", "establishment"),
) -> alt.Chart:
    """Bars of coverage per group, each labelled '45% (12 of 27)'; no bar without a headcount."""
    rows = table.copy()
    rows["label"] = [
        f"{_percent(c)} ({t:,} of {h:,})" if pd.notna(c) else f"{t:,} trained, no staff figure"
        for t, h, c in zip(rows["trained"], rows["headcount"], rows["coverage"], strict=True)
    ]
    rows = rows.sort_values("coverage", ascending=False, na_position="last", kind="stable")
    # No bar where coverage is blank, but its label still shows (at 0).
    rows["coverage"] = rows["coverage"].astype(float).fillna(0)
    chart = charts.bar(
        rows,
        category=by,
        value="coverage",
        label="label",
        title=f"{course}: staff trained, by {GROUPS[by].lower()}",
        subtitle=subtitle,
        source=source,
        value_title="Staff with a valid completion (%)",
        value_format=".0f",
        value_ticks=charts.PERCENT_TICKS,  # 0 to 100, a tick every 25
        label_inside_from=50,
    )
    return chart.properties(height=alt.Step(BAR_STEP))


def describe_coverage(table: pd.DataFrame, by: str, course: str) -> str:
    rated = table.dropna(subset=["coverage"])
    if table.empty:
        return f"Nobody has completed {course} yet and there are no staff numbers."
    if rated.empty:
        return (
            f"{int(table['trained'].sum()):,} staff have a valid completion of {course}; "
            "coverage needs staff numbers."
        )
    best = rated.loc[rated["coverage"].idxmax()]
    worst = rated.loc[rated["coverage"].idxmin()]
    group = GROUPS[by].lower()
    if best["coverage"] == worst["coverage"]:
        text = (
            f"Coverage of {course} was {_percent(best['coverage'])} in every {group} with "
            f"staff numbers ({int(rated['trained'].sum()):,} of {int(rated['headcount'].sum()):,})"
        )
    else:
        text = (
            f"{best[by]} had the highest coverage of {course}: {_percent(best['coverage'])} "
            f"({best['trained']:,} of {best['headcount']:,} staff); {worst[by]} the lowest: "
            f"{_percent(worst['coverage'])} ({worst['trained']:,} of {worst['headcount']:,})"
        )
    missing = len(table) - len(rated)
    if missing:
        text += f"; {missing} {group}{'s' if missing > 1 else ''} without staff numbers"
    return text + "."


def refresh_chart(
    table: pd.DataFrame, course: str, subtitle: str, source: str = SOURCE
) -> alt.Chart:
    """Stacked bars per service area: people overdue, due within 3 months and current."""
    standings = ["overdue", "due_soon", "current"]
    long = table.melt(
        id_vars=["service_area"], value_vars=standings, var_name="standing", value_name="staff"
    )
    long["standing"] = long["standing"].map(HEADINGS)
    return charts.stacked_bar(
        long,
        category="service_area",
        value="staff",
        stack="standing",
        title=f"{course}: who is due for refresh, by service area",
        subtitle=subtitle,
        source=source,
        value_title="Staff who have completed the course",
        order=[HEADINGS[k] for k in standings],
        colours={HEADINGS[k]: charts.REFRESH_COLOURS[k] for k in standings},
        horizontal=True,
    )


def describe_refresh(table: pd.DataFrame, course: str, months: int | None) -> str:
    if months is None:
        return f"{course} has no refresh cycle: a completion never falls due again."
    if table.empty:
        return f"Nobody had completed {course} by the end of the period."
    overdue, due, people = (int(table[c].sum()) for c in ("overdue", "due_soon", "people"))
    text = (
        f"Of {people:,} staff who have completed {course} (refreshed every {months} months), "
        f"{overdue:,} are overdue and {due:,} are due within {DUE_SOON_MONTHS} months"
    )
    if overdue:
        worst = table.loc[table["overdue"].idxmax()]
        text += f"; most overdue in {worst['service_area']} ({int(worst['overdue']):,})"
    return text + "."


def completions_chart(table: pd.DataFrame, subtitle: str, source: str = SOURCE) -> alt.Chart:
    """Bars of completions per course in the period, most first."""
    chart = charts.bar(
        table,
        category="course",
        value="completions",
        title="Completions by course",
        subtitle=subtitle,
        source=source,
        value_title="Completions",
    )
    return chart.properties(height=alt.Step(BAR_STEP)).configure_axisY(labelLimit=LABEL_LIMIT)


def describe_completions(table: pd.DataFrame, period_label: str) -> str:
    total = int(table["completions"].sum()) if len(table) else 0
    if total == 0:
        return f"No courses were completed in {period_label}."
    top = table.loc[table["completions"].idxmax()]
    return (
        f"{top['course']} had the most completions in {period_label}: "
        f"{int(top['completions']):,} of {total:,}."
    )


def breakdown_chart(
    table: pd.DataFrame, by: str, names: list[str], subtitle: str, source: str = SOURCE
) -> alt.Chart:
    """Completions per group, stacked by course (each course in its colour on every chart)."""
    domain, colours = course_colours(names)
    return charts.stacked_bar(
        table,
        category=by,
        value="completions",
        stack="course",
        title=f"Completions by {GROUPS[by].lower()} and course",
        subtitle=subtitle,
        source=source,
        value_title="Completions",
        order=[n for n in domain if n in set(table["course"])] or domain,
        colours=dict(zip(domain, colours, strict=True)),
        horizontal=True,
        legend_columns=1,  # course names are long: one a line, so none runs off a narrow screen
        tooltip=("people:Q",),
    )


def describe_breakdown(table: pd.DataFrame, by: str, period_label: str) -> str:
    if table.empty:
        return f"No courses were completed in {period_label}."
    totals = table.groupby(by, sort=False)["completions"].sum()
    top = totals.idxmax()
    return (
        f"{top} had the most completions in {period_label}: {int(totals[top]):,} of "
        f"{int(totals.sum()):,}, across {len(totals):,} {GROUPS[by].lower()}s."
    )


def trend_chart(
    table: pd.DataFrame, names: list[str], subtitle: str, source: str = SOURCE
) -> alt.Chart:
    """Completions per quarter: a small chart per course, each on its own scale, so a course
    done tens of times is not flattened under one done hundreds of times."""
    return charts.small_multiples(
        table,
        x="quarter",
        value="completions",
        panel="course",
        panel_domain=course_colours(names)[0],
        title="Completions per quarter, by course (each on its own scale)",
        subtitle=subtitle,
        source=source,
    )


def describe_trend(table: pd.DataFrame) -> str:
    if table.empty or table["completions"].sum() == 0:
        return "No courses were completed in these quarters."
    per_quarter = table.groupby("quarter", sort=False)["completions"].sum(min_count=1).dropna()
    per_course = table.groupby("course", sort=False)["completions"].sum()
    first, last = per_quarter.index[0], per_quarter.index[-1]
    top = per_course.idxmax()
    return (
        f"Completions went from {int(per_quarter.iloc[0]):,} in {first} to "
        f"{int(per_quarter.iloc[-1]):,} in {last}; {top} was completed most often "
        f"({int(per_course[top]):,} of {int(per_course.sum()):,})."
    )


def trend_table(table: pd.DataFrame) -> pd.DataFrame:
    """Quarters down, courses across: the trend chart's data as people read it."""
    wide = table.pivot(index="quarter", columns="course", values="completions")
    wide = wide.loc[list(dict.fromkeys(table["quarter"]))]
    return wide.reset_index().rename(columns={"quarter": "Quarter"}).rename_axis(columns=None)
