"""The action plan: actions by objective with owner, due date and status; overdue ones stand out."""

import streamlit as st

from cams_data import action_plan, cache, formatting, ui
from cams_data.formatting import markdown_literal

selection = ui.selection()
ui.page_header("Action plan", selection)
period = selection.period
on = action_plan.as_at(period)

counts = cache.get(action_plan.status_counts, on)
if counts["actions"].sum() == 0:
    ui.no_data(
        "No action plan yet: upload the partnership's action plan tracker (objective, action, "
        "owner, due date, status) with `python -m cams_data ingest FILE`, then check it on the "
        "Data loaded page."
    )
else:
    plans = cache.get(action_plan.by_objective, on, period.last_day)
    total, completed, overdue = st.columns(3)
    total.metric("Actions", f"{sum(p.actions for p in plans):,}", border=True)
    completed.metric("Completed", f"{sum(p.completed for p in plans):,}", border=True)
    overdue.metric(
        f"Overdue as at {formatting.day(on)}",
        f"{cache.get(action_plan.overdue_count, on):,}",
        border=True,
    )
    st.caption(
        f"Statuses are as the tracker recorded them by {formatting.day(on)} (the end of "
        f"{period.label}, or today if earlier): each action's latest update on or before that "
        f"day. An action with no update by then shows as '{action_plan.NO_UPDATE}' and counts "
        f"as not completed. Overdue: not completed and due before {formatting.day(on)}."
    )
    ui.chart(
        action_plan.status_chart(
            counts,
            title="Actions by objective and status",
            subtitle=f"Action plan tracker as at {formatting.day(on)} · {period.label} "
            f"({period.description})",
        ),
        action_plan.counts_table(counts),
        action_plan.describe_counts(counts, on),
        key="actions-by-status",
    )
    for plan in plans:
        st.subheader(markdown_literal(plan.heading), divider="gray")
        st.caption(markdown_literal(plan.summary))
        if plan.actions:
            st.table(
                action_plan.styled(plan.table),
                hide_index=True,
                border="horizontal",
                alt=f"Actions under {plan.heading}. {plan.summary}",
            )
