"""Who may do what: viewer, officer and admin, from sign-in or from local mode.

- With `[auth]` in `.streamlit/secrets.toml`, people sign in (OpenID Connect, e.g. the council's
  Microsoft Entra ID) and their role comes from the allow-lists in `cams.toml` `[roles]`.
- Without it, one person on their own computer is admin in local mode: it needs the switch
  `CAMS_LOCAL_MODE=1` (which `make run` sets), a server listening on loopback only, and requests
  without proxy headers, so a reverse proxy on the same host never turns visitors into admins,
  whose Host (and Origin, when sent) name this computer, so a web page that re-points its own
  name at 127.0.0.1 (DNS rebinding) never does either.
- Otherwise everyone sees the dashboards as a viewer and nobody can upload.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

VIEWER, OFFICER, ADMIN = "viewer", "officer", "admin"
RANKS = {None: 0, VIEWER: 1, OFFICER: 2, ADMIN: 3}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")
LOCAL_USER = "local"
HOST_AND_PORT = re.compile(r"(?P<name>\[[^\]]*\]|[^:\[\]]*)(?::[0-9]+)?")

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


def is_loopback_host(host: str) -> bool:
    """`localhost`, any 127.x.y.z or `[::1]`, with or without a port: a name for this computer."""
    match = HOST_AND_PORT.fullmatch(host.strip().lower())
    if match is None:
        return False
    name = match["name"]
    return name in ("localhost", "[::1]") or _is_loopback_ipv4(name)


def _is_loopback_ipv4(name: str) -> bool:
    try:
        return ipaddress.IPv4Address(name).is_loopback
    except ValueError:  # a name such as 127.0.0.1.nip.io, which anyone's DNS may point here
        return False


def local_mode_refusal(server_address: str | None, headers: Mapping[str, str]) -> str | None:
    """Why this request may not have local mode, or None when it may: the server listens on
    loopback only, no proxy stands between, and the request's Host and Origin name this computer."""
    if (server_address or "") not in LOOPBACK:
        shown = server_address or "every interface"
        return f"the server listens on '{shown}', not on this computer only."
    headers = {name.lower(): value for name, value in headers.items()}
    proxied = [name for name in PROXY_HEADERS if name in headers]
    if proxied:
        return f"this request came through a proxy (it carries '{proxied[0]}')."
    host = headers.get("host", "")
    if not host:
        return "this request did not say which host it came to."
    if not is_loopback_host(host):
        return f"this request came to '{_shown(host)}', not this computer."
    origin = headers.get("origin")
    if origin is not None and not _is_loopback_origin(origin):
        return f"this request came from a page at '{_shown(origin)}', not this computer."
    return None


def _shown(header: str) -> str:
    # The sidebar renders Markdown: a stranger's header is shown short and without markup.
    return re.sub(r"[^\w.:/\[\]-]", "?", header)[:100]


def _is_loopback_origin(origin: str) -> bool:
    parts = urlsplit(origin.strip())
    return parts.scheme in ("http", "https") and is_loopback_host(parts.netloc)


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
    if os.environ.get("CAMS_LOCAL_MODE") != "1":
        return Access(VIEWER, "", "Dashboards only: sign-in is not set up.")
    refusal = local_mode_refusal(server_address, headers)
    if refusal is None:
        return Access(ADMIN, LOCAL_USER, "Local mode: you are admin on this computer.")
    return Access(VIEWER, "", f"Dashboards only. Local mode refused: {refusal}")
