"""The CAMS partnership dashboard: page set-up, navigation, the shared filters and the helpline."""

import streamlit as st

from cams_data import (  # noqa: F401 (charts: theme)
    charts,
    presentation,
    roles,
    room,
    signed_in,
    ui,
    upload_gate,
)

st.set_page_config(
    page_title="CAMS partnership dashboard",
    page_icon=":material/diversity_3:",
    layout="wide",
    initial_sidebar_state="collapsed" if room.presenting() else "auto",
)
room.styles()

person = signed_in.access()
upload_gate.admit_this_session(person)
if person.role is None:  # sign-in is set up, and this person is not (yet) let in
    st.title("CAMS partnership dashboard")
    st.info(person.how, icon=":material/lock:")
    if not person.who:
        st.button("Sign in", on_click=st.login, type="primary")
    else:
        st.button("Sign out", on_click=st.logout)
    st.caption(ui.HELPLINE)
    st.stop()

officer = "visible" if person.may(roles.OFFICER) else "hidden"
admin = "visible" if person.may(roles.ADMIN) else "hidden"
overview = st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True)
pages = {
    "Progress": [
        overview,
        st.Page("pages/objectives.py", title="Objectives", icon=":material/flag:"),
    ],
    "Evidence": [
        st.Page("pages/training.py", title="Training", icon=":material/school:"),
        st.Page("pages/referrals.py", title="Referrals", icon=":material/support:"),
        st.Page("pages/survey.py", title="Staff survey", icon=":material/poll:"),
        st.Page("pages/action_plan.py", title="Action plan", icon=":material/checklist:"),
    ],
    "Publish": [
        st.Page("pages/statement_pack.py", title="Statement pack", icon=":material/inventory_2:"),
    ],
    "Data": [
        st.Page(
            "pages/upload.py", title="Upload", icon=":material/upload_file:", visibility=officer
        ),
        st.Page("pages/data_loaded.py", title="Data loaded", icon=":material/database:"),
        st.Page(
            "pages/administration.py",
            title="Administration",
            icon=":material/admin_panel_settings:",
            visibility=admin,
        ),
    ],
}
navigation = st.navigation(pages, position="top")
ui.sidebar(person)
if room.presenting() and navigation is not overview:  # switched on from another page
    st.switch_page(overview, query_params=presentation.address(0))
navigation.run()

st.divider()
st.caption(ui.HELPLINE)
