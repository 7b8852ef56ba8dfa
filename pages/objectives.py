"""Objective detail: every indicator of one objective with its target, value, status and trend."""

import streamlit as st

from cams_data import cache, dashboard, status_style, ui
from cams_data.disclosure import Audience

selection = ui.selection()
progress = cache.get(
    dashboard.shown_progress,
    selection.period.label,
    selection.organisation,
    selection.audience,
)
titles = {str(o.objective.number): f"{o.objective.number}. {o.objective.title}" for o in progress}
asked = st.query_params.get("objective", "1")
chosen = st.segmented_control(
    "Objective",
    list(titles),
    default=asked if asked in titles else "1",
    format_func=titles.get,
    key="objective-choice",
    required=True,
)
st.query_params["objective"] = chosen or "1"
objective = progress[int(chosen or "1") - 1]
ui.page_header(titles[str(objective.objective.number)], selection, objective.objective.summary)
st.html(
    status_style.block(objective.status, "Objective status") + status_style.reason(objective.reason)
)
st.dataframe(dashboard.indicator_table(objective.indicators), hide_index=True, key="indicators")
if objective.notes:  # what each <5 or [c] in the table means
    st.html(status_style.notes(objective.notes))
st.caption(
    "An objective is Red if any rated indicator is Red, else Amber if any is Amber, else Green; "
    "'No data' when none has data for the period. Figures without a target are shown for "
    "context and not rated. Yearly targets of counts are shared pro rata across quarters."
)

st.header("Trends")
# One chart a row, the full width of the page: two side by side are too narrow to read on a
# laptop, and a column of a narrow window squeezes a chart to nothing.
for indicator in objective.objective.indicators:

    def draw(audience, indicator=indicator):
        table = cache.get(
            dashboard.trend_table,
            indicator.id,
            selection.period.label,
            selection.organisation,
            audience,
        )
        chart = dashboard.trend_chart(table, indicator, selection.period.label)
        return chart, table[["Period", "Shown"]]

    chart, table = draw(selection.audience)
    if not dashboard.has_trend(table):
        st.subheader(indicator.label)
        ui.no_data(dashboard.no_trend_text(indicator, selection.period.label))
        continue
    ui.chart(
        chart,
        table,
        dashboard.trend_description(table, indicator.label),
        key=indicator.id,
        published=lambda draw=draw: draw(Audience.PUBLICATION),
    )
