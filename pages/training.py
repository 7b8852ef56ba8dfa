"""Training: coverage of a course, who is due for refresh, completions and their trend."""

import streamlit as st

from cams_data import cache, formatting, ui
from cams_data import training_figures as tf
from cams_data.formatting import markdown_literal

selection = ui.selection()
period, organisation = selection.period, selection.organisation
ui.page_header("Training", selection)
in_period = f"{period.label} ({period.description}) · {selection.organisation_label}"
as_at = formatting.day(period.last_day)


def headline_metrics(head: tf.Headline) -> None:
    cycle = head.refresh_months
    columns = st.columns(4)
    columns[0].metric(
        "Coverage",
        formatting.number(head.coverage, "%"),
        help=(
            f"{head.trained:,} of {head.headcount:,} staff in post on "
            f"{formatting.day(head.staff_as_of)} had a valid completion on {as_at}."
            if head.coverage is not None
            else f"{head.trained:,} staff had a valid completion on {as_at}; no staff numbers."
        ),
        border=True,
    )
    now, before = head.completions, head.previous_completions
    columns[1].metric(
        markdown_literal(f"Completions of {head.course} in {period.label}"),
        formatting.number(now.completions, "completions"),
        head.change,
        delta_description=f"since {before.period.label}",
        help=markdown_literal(
            f"Completions of {head.course} in the period, as the Overview counts them; "
            "the chart below counts every course."
        ),
        border=True,
    )
    columns[2].metric(
        "Overdue for refresh",
        f"{head.overdue:,}" if cycle else "never due",
        help=f"People whose latest completion expired by {as_at}."
        if cycle
        else "This course has no refresh cycle.",
        border=True,
    )
    columns[3].metric(
        f"Due within {tf.DUE_SOON_MONTHS} months",
        f"{head.due_soon:,}" if cycle else "never due",
        help=f"People whose latest completion expires in the {tf.DUE_SOON_MONTHS} months "
        f"after {as_at}.",
        border=True,
    )


def coverage_section(course: str, head: tf.Headline) -> None:
    st.header("Coverage")
    window = (
        f"in the {head.refresh_months} months to {as_at}"
        if head.refresh_months
        else f"by {as_at} (it needs no refresh)"
    )
    if head.staff_as_of is None:
        ui.no_data(tf.NO_STAFF)
        staff = "no staff numbers"
    else:
        staff = f"staff in post on {formatting.day(head.staff_as_of)}"
    st.caption(markdown_literal(f"Staff with a completion of {course} {window}, over {staff}."))
    subtitle = f"As at {as_at} · {staff} · {selection.organisation_label}"
    tabs = st.tabs([f"By {g.lower()}" for g in tf.GROUPS.values()])
    for tab, by in zip(tabs, tf.GROUPS, strict=True):
        with tab:
            table = cache.get(tf.coverage, period, course, by, organisation)
            if table.empty:
                ui.no_data(
                    markdown_literal(f"No completions of {course} and no staff numbers to show.")
                )
                continue
            ui.chart(
                tf.coverage_chart(table, by, course, subtitle),
                tf.display(table),
                tf.describe_coverage(table, by, course),
                key=f"coverage-{by}",
            )


def refresh_section(course: str, head: tf.Headline) -> None:
    st.header("Due for refresh")
    st.caption(
        f"Each person's latest completion, as at {as_at}: overdue once its refresh cycle has "
        f"passed, due when it ends in the next {tf.DUE_SOON_MONTHS} months. Counts, not names."
    )
    table = cache.get(tf.refresh_status, period, "service_area", organisation, course)
    description = tf.describe_refresh(table, course, head.refresh_months)
    if head.refresh_months is None or table.empty:
        ui.no_data(markdown_literal(description))
    else:
        ui.chart(
            tf.refresh_chart(table, course, f"As at {as_at} · {selection.organisation_label}"),
            tf.display(table, drop=("course", "refresh_months")),
            description,
            key="refresh",
        )
    st.subheader("Every course with a refresh cycle")
    summary = cache.get(tf.refresh_status, period, None, organisation)
    if summary.empty:
        st.caption(f"Nobody had completed a course with a refresh cycle by {as_at}.")
    else:
        st.dataframe(tf.display(summary), hide_index=True, key="refresh-summary")
        with st.expander("By course and service area", icon=":material/table:"):
            detail = cache.get(tf.refresh_status, period, "service_area", organisation)
            st.dataframe(tf.display(detail), hide_index=True, key="refresh-detail")


def completions_section(names: list[str]) -> None:
    st.header(f"Completions of every course in {period.label}")
    table = cache.get(tf.completions, period, None, organisation)
    if table["completions"].sum() == 0:
        ui.no_data(f"No courses were completed in {period.label} ({period.description}).")
        return
    ui.chart(
        tf.completions_chart(table, in_period),
        tf.display(table),
        tf.describe_completions(table, period.label),
        key="completions",
    )
    by = st.segmented_control(
        "Break down by",
        list(tf.GROUPS),
        format_func=tf.GROUPS.get,
        default="service_area",
        required=True,
        key="breakdown",
    )
    detail = cache.get(tf.completions, period, by, organisation)
    ui.chart(
        tf.breakdown_chart(detail, by, names, in_period),
        tf.display(detail),
        tf.describe_breakdown(detail, by, period.label),
        key="completions-by",
    )


def trend_section(names: list[str]) -> None:
    st.header("Completions over time")
    table = cache.get(tf.completions_by_quarter, period, organisation)
    quarters = tf.trend_quarters(period)
    ui.chart(
        tf.trend_chart(
            table,
            names,
            f"{quarters[0].label} to {quarters[-1].label} · {selection.organisation_label}",
        ),
        tf.trend_table(table),
        tf.describe_trend(table),
        key="trend",
    )


if not cache.get(tf.has_training):
    ui.no_data(tf.NO_TRAINING)
else:
    names = cache.get(tf.courses)
    course = st.selectbox(
        "Course",
        names,
        index=names.index(tf.default_course(names)),
        key="course",
        bind="query-params",
        help="The figures at the top, coverage and refresh are for this course; the "
        "completions charts cover every course.",
    )
    head = cache.get(tf.headline, period, course, organisation)
    headline_metrics(head)
    coverage_section(course, head)
    refresh_section(course, head)
    completions_section(names)
    trend_section(names)
