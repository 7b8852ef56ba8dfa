"""Statement pack: the year's charts, tables and key figures for the modern slavery statement."""

import streamlit as st

from cams_data import cache, dashboard, settings, signed_in, statement, ui

ui.ensure_router()
st.title("Statement pack")
ui.demo_banner()
st.caption(
    "Charts (PNG and SVG), a workbook of titled tables, and the year's key figures as text "
    "and as a Word document with the charts and tables in it, ready to paste into the annual "
    "modern slavery statement. Everything in the pack is for publication, whoever builds it: "
    "referral counts from 1 to 4 are [c], with the cells that would give them away; survey "
    "questions answered by fewer than 10 are left out."
)
years = [p for p in cache.get(dashboard.sidebar).period_choices if "-Q" not in p]
year = st.selectbox("Financial year", years, key="pack-year")
if st.button("Build the pack", type="primary", key="build-pack", icon=":material/inventory_2:"):
    with st.spinner(f"Building the {year} pack"):
        st.session_state["pack"] = statement.build_from(
            settings.db_path(), year, signed_in.access().who or "viewer"
        )
pack = st.session_state.get("pack")
if pack is not None and pack.year == year:
    st.download_button(
        f"Download the {year} pack (.zip, {len(pack.files)} files)",
        pack.zip(),
        file_name=f"statement_pack_{year.replace('/', '-')}.zip",
        mime="application/zip",
        key="pack-zip",
        icon=":material/download:",
        on_click="ignore",
    )
    if pack.part_year:
        st.info(
            f"The {year} figures are not for the whole year: the pack says "
            f'"{pack.part_year}" in every chart, table and the key figures, and which '
            "targets were cut pro rata.",
            icon=":material/date_range:",
        )
    if pack.missing:
        st.warning(
            f"Nothing is loaded for {year} of: {', '.join(pack.missing)}. The pack says so.",
            icon=":material/info:",
        )
    st.markdown("**In the pack:** " + ", ".join(f"`{name}`" for name in pack.files))
    # as text to copy, never drawn: a course or question named like a link stays words
    st.code(pack.files["key_figures.md"].decode("utf-8"), language="markdown", wrap_lines=True)
