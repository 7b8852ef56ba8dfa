"""Overview: the four objectives at a glance, what changed since the last meeting, how fresh.
With `?present=1`, presentation mode: one view per screen (`room.present`)."""

from datetime import date, datetime, time, timedelta

import streamlit as st

from cams_data import cache, chart_downloads, dashboard, room, status_style, ui

selection = ui.selection()
if room.presenting():
    room.present(selection)
else:
    ui.page_header(room.TITLE, selection)
    since = st.session_state.get("since") or date.today() - timedelta(days=91)
    chart_downloads.briefing(selection, since)
    figures = cache.get(
        dashboard.overview,
        selection.period.label,
        selection.organisation,
        datetime.combine(since, time.min),
        selection.audience,
    )
    room.cards(figures.progress)

    with st.container(key="cams-tables"):  # shown whole, their long names wrapping
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
            ui.table(figures.uploads)
            st.subheader(f"Figures for {selection.period.label} they changed")
            if figures.moved.empty:
                st.caption("None of the indicators for this period changed.")
            else:
                ui.table(figures.moved)
                if figures.moved_notes:
                    st.html(status_style.notes(list(figures.moved_notes)))

        st.header("How fresh the figures are")
        ui.table(figures.freshness)
