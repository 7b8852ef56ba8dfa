"""The CAMS partnership dashboard: page set-up, navigation and the helpline on every page."""

import streamlit as st

HELPLINE = (
    "If you think someone is a victim of modern slavery: **Modern Slavery & Exploitation "
    "Helpline 08000 121 700**. In an emergency call **999**."
)

st.set_page_config(
    page_title="CAMS partnership dashboard",
    page_icon=":material/diversity_3:",
    layout="wide",
)

pages = [
    st.Page("pages/data_loaded.py", title="Data loaded", icon=":material/database:", default=True),
]
navigation = st.navigation(pages)
st.sidebar.caption(HELPLINE)
navigation.run()

st.divider()
st.caption(HELPLINE)
