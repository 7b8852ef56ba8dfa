"""What the database holds: each kind's rows, its latest upload and the period it covers."""

import streamlit as st

from cams_data import cache, ui

ui.ensure_router()
st.title("Data loaded")
st.caption("Colchester Against Modern Slavery (CAMS) partnership")

ui.demo_banner()

freshness = cache.freshness()
st.subheader("Each kind of spreadsheet")
st.caption(
    "Covers from and to: the first and last day the current rows describe, whichever upload "
    "they came from. Last updated: when the latest file of the kind was uploaded."
)
st.dataframe(
    freshness,
    hide_index=True,
    column_order=["title", "rows", "last_file", "last_upload", "covers_from", "covers_to"],
    column_config={
        "title": st.column_config.TextColumn("Kind"),
        "rows": st.column_config.NumberColumn("Current rows", format="%d"),
        "last_file": st.column_config.TextColumn("Latest upload"),
        "last_upload": st.column_config.DatetimeColumn("Last updated", format="DD/MM/YYYY HH:mm"),
        "covers_from": st.column_config.DateColumn("Covers from", format="DD/MM/YYYY"),
        "covers_to": st.column_config.DateColumn("Covers to", format="DD/MM/YYYY"),
    },
)

st.subheader("Upload history")
history = cache.uploads()
if history.empty:
    st.info("Nothing has been uploaded yet. Load a file with `python -m cams_data ingest FILE`.")
else:
    st.dataframe(
        history,
        hide_index=True,
        column_order=[
            "upload_id",
            "kind",
            "file_name",
            "uploaded_at",
            "uploaded_by",
            "rows_loaded",
            "rows_superseded",
            "rows_skipped",
            "status",
            "is_demo",
        ],
        column_config={
            "upload_id": st.column_config.NumberColumn("Upload", format="%d"),
            "kind": st.column_config.TextColumn("Kind"),
            "file_name": st.column_config.TextColumn("File"),
            "uploaded_by": st.column_config.TextColumn("By"),
            "rows_loaded": st.column_config.NumberColumn("Rows stored", format="%d"),
            "rows_superseded": st.column_config.NumberColumn("Rows replaced", format="%d"),
            "rows_skipped": st.column_config.NumberColumn("Rows skipped", format="%d"),
            "status": st.column_config.TextColumn("Status"),
            "uploaded_at": st.column_config.DatetimeColumn("When", format="DD/MM/YYYY HH:mm"),
            "is_demo": st.column_config.CheckboxColumn("Demo"),
        },
    )
