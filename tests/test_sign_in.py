"""Sign-in with `[auth]` set up: each role, a stranger and someone not signed in (st.user set
in AppTest, as Streamlit's OpenID Connect login would set it); without it, local mode and a
request that only pretends to come from this computer."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import send_headers
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "not-a-secret",
    "client_id": "cams",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
}


@pytest.fixture(autouse=True)
def role_lists(tmp_path, monkeypatch):
    config = tmp_path / "cams.toml"
    config.write_text(
        "[roles]\n"
        'admins = ["chair@colchester.gov.uk"]\n'
        'officers = ["@colchester.gov.uk"]\n'
        'viewers = ["@essex.police.uk"]\n'
    )
    monkeypatch.setenv("CAMS_CONFIG", str(config))
    monkeypatch.setenv("CAMS_LOCAL_MODE", "1")  # never used once sign-in is set up


def open_as(user: dict, page: str | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.secrets["auth"] = AUTH
    app.user = user
    app.run()
    if page:
        app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def signed_in(email: str) -> dict:
    return {"is_logged_in": True, "email": email, "name": "Test User"}


@pytest.mark.parametrize(
    ("email", "role", "may_upload"),
    [
        ("chair@colchester.gov.uk", "admin", True),
        ("officer@colchester.gov.uk", "officer", True),
        ("analyst@essex.police.uk", "viewer", False),
    ],
)
def test_each_role(db, email, role, may_upload):
    app = open_as(signed_in(email))
    assert f"Signed in as {email} ({role})." in [c.value for c in app.sidebar.caption]
    assert app.title[0].value == "Progress against the four objectives"
    app.switch_page("pages/upload.py").run()
    assert not app.exception, app.exception
    if may_upload:
        assert app.title[0].value == "Upload spreadsheets"
        assert f"Uploads are recorded as {email}." in app.caption[0].value
    else:
        assert app.title[0].value == "Not available to you"
        assert not app.file_uploader


def test_a_stranger_is_told_and_sees_nothing_else(db):
    app = open_as(signed_in("someone@example.com"))
    assert "someone@example.com is not on the dashboard's lists of users." in app.info[0].value
    assert not app.metric and not app.dataframe
    assert [b.label for b in app.button] == ["Sign out"]


def test_someone_not_signed_in_is_asked_to_sign_in(db):
    app = open_as({"is_logged_in": False})
    assert "Not signed in" in app.info[0].value
    assert [b.label for b in app.button] == ["Sign in"]
    assert not app.metric


def test_only_an_admin_sees_the_settings_users_and_log(db, tmp_path):
    import builders

    from cams_data.ingest import UploadRequest, ingest

    path, _ = builders.referral_crosstab(tmp_path / "referrals.xlsx")
    ingest(
        UploadRequest(path.read_bytes(), path.name, db=db, uploaded_by="officer@colchester.gov.uk")
    )
    app = open_as(signed_in("chair@colchester.gov.uk"), "pages/administration.py")
    settings = app.dataframe[0].value.set_index("Setting")["Value"]
    assert settings["Admins"] == "chair@colchester.gov.uk"
    assert settings["Officers"] == "@colchester.gov.uk"
    log = app.dataframe[1].value
    assert log[["Who", "What"]].values.tolist() == [["officer@colchester.gov.uk", "upload"]]
    app = open_as(signed_in("officer@colchester.gov.uk"), "pages/administration.py")
    assert app.title[0].value == "Not available to you"
    assert not app.dataframe


def open_without_sign_in(page: str | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    if page:
        app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def test_local_mode_makes_this_computers_browser_admin(db, local_admin):
    app = open_without_sign_in("pages/administration.py")
    assert app.title[0].value == "Administration"
    assert app.caption[0].value == "Local mode: you are admin on this computer."


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        (
            {"Host": "evil.example:8501", "Origin": "http://evil.example:8501"},
            "this request came to 'evil.example:8501', not this computer.",
        ),
        (
            {"Host": "localhost:8501", "Origin": "http://evil.example"},
            "this request came from a page at 'http://evil.example', not this computer.",
        ),
        ({}, "this request did not say which host it came to."),
    ],
)
def test_a_rebinding_page_gets_no_local_mode(db, local_server, monkeypatch, headers, why):
    send_headers(monkeypatch, headers)
    refusal = f"Dashboards only. Local mode refused: {why}"
    app = open_without_sign_in()
    assert refusal in [c.value for c in app.sidebar.caption]
    for page in ("pages/administration.py", "pages/upload.py"):
        app.switch_page(page).run()
        assert not app.exception, app.exception
        assert app.title[0].value == "Not available to you"
        assert "This page is for " in app.warning[0].value
        assert refusal in app.warning[0].value
        assert not app.dataframe and not app.file_uploader
