"""The CAMS partnership dashboard: page set-up, navigation, the shared filters and the helpline."""

import streamlit as st

from cams_data import charts, ui  # noqa: F401 (charts registers the CAMS chart theme)

st.set_page_config(
    page_title="CAMS partnership dashboard",
    page_icon=":material/diversity_3:",
    layout="wide",
)

pages = {
    "Progress": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/objectives.py", title="Objectives", icon=":material/flag:"),
    ],
    "Evidence": [
        st.Page("pages/training.py", title="Training", icon=":material/school:"),
        st.Page("pages/referrals.py", title="Referrals", icon=":material/support:"),
        st.Page("pages/survey.py", title="Staff survey", icon=":material/poll:"),
        st.Page("pages/action_plan.py", title="Action plan", icon=":material/checklist:"),
    ],
    "Data": [
        st.Page("pages/data_loaded.py", title="Data loaded", icon=":material/database:"),
    ],
}
navigation = st.navigation(pages)
ui.sidebar()
navigation.run()

st.divider()
st.caption(ui.HELPLINE)
