"""Who may do what: viewer, officer and admin, from sign-in or from local mode.

- With `[auth]` in `.streamlit/secrets.toml`, people sign in (OpenID Connect, e.g. the council's
  Microsoft Entra ID) and their role comes from the allow-lists in `cams.toml` `[roles]`.
- Without it, one person on their own computer is admin in local mode: it needs the switch
  `CAMS_LOCAL_MODE=1` (which `make run` sets), a server listening on loopback only, and requests
  without proxy headers, so a reverse proxy on the same host never turns visitors into admins.
- Otherwise everyone sees the dashboards as a viewer and nobody can upload.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

VIEWER, OFFICER, ADMIN = "viewer", "officer", "admin"
RANKS = {None: 0, VIEWER: 1, OFFICER: 2, ADMIN: 3}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")
LOCAL_USER = "local"

HOW_TO_SIGN_IN = (
    "Uploads need sign-in: add an `[auth]` section to `.streamlit/secrets.toml` (see the README, "
    "'Sign-in and roles') and list officers in `[roles]` in `cams.toml`. On your own computer, "
    "`make run` starts the app in local mode instead."
)


@dataclass(frozen=True)
class Access:
    role: str | None  # None: signed in but on no list
    who: str  # recorded as uploaded_by: the signed-in e-mail, or 'local'
    how: str  # a sentence for the sidebar

    def may(self, needed: str) -> bool:
        return RANKS[self.role] >= RANKS[needed]


@dataclass(frozen=True)
class RoleLists:
    """E-mail addresses or '@domain' entries per role, from `cams.toml` `[roles]`."""

    admins: tuple[str, ...] = ()
    officers: tuple[str, ...] = ()
    viewers: tuple[str, ...] = ()

    def role_of(self, email: str) -> str | None:
        email = email.strip().lower()
        for role, entries in (
            (ADMIN, self.admins),
            (OFFICER, self.officers),
            (VIEWER, self.viewers),
        ):
            for entry in entries:
                entry = entry.strip().lower()
                if email == entry or (entry.startswith("@") and email.endswith(entry)):
                    return role
        return None


def local_mode_allowed(server_address: str | None, headers: Mapping[str, str]) -> bool:
    """The local-mode switch is on, the server is on loopback and no proxy stands between."""
    if os.environ.get("CAMS_LOCAL_MODE") != "1":
        return False
    if (server_address or "") not in LOOPBACK:
        return False
    present = {name.lower() for name in headers}
    return not any(name in present for name in PROXY_HEADERS)


def resolve(
    *,
    auth_configured: bool,
    logged_in: bool,
    email: str | None,
    server_address: str | None,
    headers: Mapping[str, str],
    lists: RoleLists,
) -> Access:
    if auth_configured:
        if not logged_in or not email:
            return Access(None, "", "Not signed in: sign in to see the dashboard.")
        role = lists.role_of(email)
        if role is None:
            return Access(None, email, f"{email} is not on the dashboard's lists of users.")
        return Access(role, email, f"Signed in as {email} ({role}).")
    if local_mode_allowed(server_address, headers):
        return Access(ADMIN, LOCAL_USER, "Local mode: you are admin on this computer.")
    return Access(VIEWER, "", "Dashboards only: sign-in is not set up.")
