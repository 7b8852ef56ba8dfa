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


ADMIN = roles.Access("admin", "local", "Local mode: you are admin on this computer.")
NO_SIGN_IN = roles.Access("viewer", "", "Dashboards only: sign-in is not set up.")


def refused(why: str) -> roles.Access:
    return roles.Access("viewer", "", f"Dashboards only. Local mode refused: {why}")


def local_request(headers: dict[str, str], address: str | None = "127.0.0.1") -> roles.Access:
    return roles.resolve(
        auth_configured=False,
        logged_in=False,
        email=None,
        server_address=address,
        headers=headers,
        lists=LISTS,
    )


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "localhost:8501",
        "LOCALHOST:8501",
        "127.0.0.1",
        "127.0.0.1:8501",
        "127.1.2.3:80",
        "[::1]",
        "[::1]:8501",
    ],
)
def test_local_mode_answers_a_request_to_this_computer(monkeypatch, host):
    monkeypatch.setenv("CAMS_LOCAL_MODE", "1")
    assert local_request({"Host": host}) == ADMIN
    assert local_request({"Host": host, "Origin": f"http://{host}"}) == ADMIN


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "::1"])
def test_local_mode_works_on_each_loopback_address(monkeypatch, address):
    monkeypatch.setenv("CAMS_LOCAL_MODE", "1")
    assert local_request({"Host": "localhost:8501"}, address) == ADMIN


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("0.0.0.0", "the server listens on '0.0.0.0', not on this computer only."),
        (None, "the server listens on 'every interface', not on this computer only."),
    ],
)
def test_local_mode_is_refused_by_a_server_listening_beyond_loopback(monkeypatch, address, why):
    monkeypatch.setenv("CAMS_LOCAL_MODE", "1")
    assert local_request({"Host": "localhost:8501"}, address) == refused(why)


def test_without_the_switch_nobody_is_told_about_local_mode(monkeypatch):
    monkeypatch.delenv("CAMS_LOCAL_MODE", raising=False)
    assert local_request({"Host": "localhost:8501"}) == NO_SIGN_IN


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        (
            {"Host": "evil.example:8501", "Origin": "http://evil.example:8501"},
            "this request came to 'evil.example:8501', not this computer.",
        ),
        (
            {"Host": "localhost.evil.example"},
            "this request came to 'localhost.evil.example', not this computer.",
        ),
        (
            {"Host": "127.0.0.1.nip.io:8501"},
            "this request came to '127.0.0.1.nip.io:8501', not this computer.",
        ),
        ({"Host": "10.0.0.5:8501"}, "this request came to '10.0.0.5:8501', not this computer."),
        ({"Host": "::1"}, "this request came to '::1', not this computer."),
        ({"Host": "[::2]:8501"}, "this request came to '[::2]:8501', not this computer."),
        (
            {"Host": "localhost:8501", "Origin": "http://evil.example"},
            "this request came from a page at 'http://evil.example', not this computer.",
        ),
        (
            {"Host": "localhost:8501", "Origin": "null"},
            "this request came from a page at 'null', not this computer.",
        ),
        (
            {"Host": "[evil](http://evil.example)"},
            "this request came to '[evil]?http://evil.example?', not this computer.",
        ),
        ({}, "this request did not say which host it came to."),
        ({"Host": ""}, "this request did not say which host it came to."),
        (
            {"Host": "localhost:8501", "X-Forwarded-For": "203.0.113.9"},
            "this request came through a proxy (it carries 'x-forwarded-for').",
        ),
        (
            {"host": "localhost:8501", "forwarded": "for=203.0.113.9"},
            "this request came through a proxy (it carries 'forwarded').",
        ),
        (
            {"Host": "localhost:8501", "X-Real-IP": "203.0.113.9"},
            "this request came through a proxy (it carries 'x-real-ip').",
        ),
    ],
)
def test_local_mode_treats_a_request_from_elsewhere_as_a_stranger(monkeypatch, headers, why):
    monkeypatch.setenv("CAMS_LOCAL_MODE", "1")
    person = local_request(headers)
    assert person == refused(why)
    assert not person.may(roles.OFFICER)
