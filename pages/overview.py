"""Overview: the four objectives at a glance, what changed since the last meeting, how fresh."""

from datetime import date, datetime, time, timedelta

import streamlit as st

from cams_data import cache, chart_downloads, dashboard, ui
from cams_data.formatting import markdown_literal

BADGE = {"Red": "red", "Amber": "orange", "Green": "green", "No data": "gray"}

selection = ui.selection()
ui.page_header("Progress against the four objectives", selection)
since = st.session_state.get("since") or date.today() - timedelta(days=91)
chart_downloads.briefing(selection, since)
figures = cache.get(
    dashboard.overview,
    selection.period.label,
    selection.organisation,
    datetime.combine(since, time.min),
    selection.audience,
)
progress = figures.progress

for row_start in (0, 2):
    for column, objective in zip(st.columns(2), progress[row_start : row_start + 2], strict=True):
        with column.container(border=True):
            st.subheader(
                f"{objective.objective.number}. {markdown_literal(objective.objective.title)}"
            )
            st.badge(objective.status, color=BADGE[objective.status], icon=":material/flag:")
            for shown in objective.headline:
                st.metric(
                    markdown_literal(shown.label),
                    shown.value,
                    shown.change,
                    delta_color=shown.change_colour,
                    delta_description=f"since {shown.previous_period}",
                    delta_arrow="off" if shown.change == "no change" else "auto",
                )
                notes = (shown.status, shown.target, shown.note)
                st.caption(markdown_literal(" · ".join(x for x in notes if x)))
            st.page_link(
                "pages/objectives.py",
                label=f"All evidence for objective {objective.objective.number}",
                icon=":material/arrow_forward:",
                query_params={"objective": str(objective.objective.number)},
            )

st.header("Since the last meeting")
st.date_input(
    "Changes since",
    value=date.today() - timedelta(days=91),
    format="DD/MM/YYYY",
    key="since",
    help="The date of the last meeting: uploads since then, and the figures they moved.",
)
if figures.uploads.empty:
    st.info(f"Nothing has been uploaded or rolled back since {since:%d/%m/%Y}.")
else:
    st.dataframe(figures.uploads, hide_index=True, key="uploads-since")
    st.subheader(f"Figures for {selection.period.label} they changed")
    if figures.moved.empty:
        st.caption("None of the indicators for this period changed.")
    else:
        st.dataframe(figures.moved, hide_index=True, key="moved")

st.header("How fresh the figures are")
st.dataframe(figures.freshness, hide_index=True, key="freshness")
