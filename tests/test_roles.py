"""Who may do what: sign-in allow-lists, local mode and its guards."""

from __future__ import annotations

import pytest

from cams_data import roles

LISTS = roles.RoleLists(
    admins=("chair@colchester.gov.uk",),
    officers=("@colchester.gov.uk", "officer@cbh.example"),
    viewers=("@essex.police.uk",),
)


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("chair@colchester.gov.uk", "admin"),
        ("CHAIR@Colchester.gov.uk", "admin"),
        ("someone@colchester.gov.uk", "officer"),
        ("officer@cbh.example", "officer"),
        ("analyst@essex.police.uk", "viewer"),
        ("stranger@example.com", None),
        ("someone@notcolchester.gov.uk.evil", None),
    ],
)
def test_signed_in_roles_come_from_the_lists(email, role):
    person = roles.resolve(
        auth_configured=True,
        logged_in=True,
        email=email,
        server_address="0.0.0.0",
        headers={},
        lists=LISTS,
    )
    assert person.role == role
    assert person.who == email
    assert person.may(roles.OFFICER) == (role in ("officer", "admin"))


def test_with_sign_in_set_up_nobody_is_let_in_before_signing_in(monkeypatch):
    monkeypatch.setenv("CAMS_LOCAL_MODE", "1")  # local mode never overrides sign-in
    person = roles.resolve(
        auth_configured=True,
        logged_in=False,
        email=None,
        server_address="127.0.0.1",
        headers={},
        lists=LISTS,
    )
    assert (person.role, person.who) == (None, "")


@pytest.mark.parametrize(
    ("switch", "address", "headers", "role"),
    [
        ("1", "127.0.0.1", {}, "admin"),
        ("1", "localhost", {"Host": "localhost:8501"}, "admin"),
        ("1", "::1", {}, "admin"),
        (None, "127.0.0.1", {}, "viewer"),  # no switch
        ("1", "0.0.0.0", {}, "viewer"),  # listening beyond loopback
        ("1", None, {}, "viewer"),  # Streamlit's default: every interface
        ("1", "127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, "viewer"),  # behind a proxy
        ("1", "127.0.0.1", {"Forwarded": "for=203.0.113.9"}, "viewer"),
    ],
)
def test_local_mode_needs_the_switch_loopback_and_no_proxy(
    monkeypatch, switch, address, headers, role
):
    if switch:
        monkeypatch.setenv("CAMS_LOCAL_MODE", switch)
    else:
        monkeypatch.delenv("CAMS_LOCAL_MODE", raising=False)
    person = roles.resolve(
        auth_configured=False,
        logged_in=False,
        email=None,
        server_address=address,
        headers=headers,
        lists=LISTS,
    )
    assert person.role == role
    assert person.who == ("local" if role == "admin" else "")
