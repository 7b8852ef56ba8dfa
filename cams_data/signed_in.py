"""Who is looking: this person's role (from sign-in, local mode or none), the page guard for a
role, and whom the screen's figures are for (the officers' meeting view toggle)."""

from __future__ import annotations

import streamlit as st

from cams_data import roles, settings
from cams_data.disclosure import Audience

MEETING_VIEW = "meeting_view"  # the sidebar's toggle (`ui.sidebar`) keeps its value here
_PERSON = "_cams_person"


def person() -> roles.Access:
    """This run's `access()`: app.py works it out first in every run, and keeps it for the
    page (the downloads under each chart ask too, and reading the request's headers is not free)."""
    return st.session_state.get(_PERSON) or access()


def access() -> roles.Access:
    """This person's role: from sign-in when `[auth]` is configured, else local mode or viewer.
    Worked out afresh, and kept for the rest of the run (`person`)."""
    try:
        auth_configured = "auth" in st.secrets
    except Exception:  # no secrets file at all
        auth_configured = False
    logged_in = bool(auth_configured and st.user.is_logged_in)
    config = settings.config()
    st.session_state[_PERSON] = roles.resolve(
        auth_configured=auth_configured,
        logged_in=logged_in,
        email=st.user.get("email") if logged_in else None,
        server_address=st.get_option("server.address"),
        headers=dict(st.context.headers or {}),
        lists=roles.RoleLists(config.admins, config.officers, config.viewers),
    )
    return st.session_state[_PERSON]


def require(role: str) -> roles.Access:
    """Stop the page, saying why, unless this person has at least `role`. A page calls
    `ui.ensure_router()` first, so that a shared link runs through app.py."""
    person = access()
    if not person.may(role):
        st.title("Not available to you")
        st.warning(
            f"This page is for {role}s. {person.how}",
            icon=":material/lock:",
        )
        if person.role == roles.VIEWER and not person.who:
            st.info(roles.HOW_TO_SIGN_IN)
        st.stop()
    return person


def audience() -> Audience:
    """Who this screen is for: an officer who switched the meeting view off sees true figures;
    everyone else, always, the meeting view."""
    if st.session_state.get(MEETING_VIEW, True) is False and person().may(roles.OFFICER):
        return Audience.OFFICER
    return Audience.MEETING
