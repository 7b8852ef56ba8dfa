"""Administration (admins): the settings and role lists in force, and the log of every change."""

import streamlit as st

from cams_data import cache, roles, signed_in, ui, upload_flow

ui.ensure_router()
person = signed_in.require(roles.ADMIN)
st.title("Administration")
st.caption(person.how)

st.header("Settings and users")
st.caption(
    "Roles and settings are set in the configuration file (see the README, 'Sign-in and roles' "
    "and 'Configuration'); sign-in itself in `.streamlit/secrets.toml`. Restart the app after "
    "changing either."
)
st.dataframe(upload_flow.settings_table(), hide_index=True, key="settings")

st.header("Log of changes")
log = cache.get(upload_flow.audit_log)
if log.empty:
    st.info("Nothing has been uploaded, rolled back or erased yet.")
else:
    st.dataframe(
        log,
        hide_index=True,
        key="log",
        column_config={"When": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm")},
    )
