"""Sign-in with `[auth]` set up: each role, a stranger and someone not signed in (st.user set
in AppTest, as Streamlit's OpenID Connect login would set it)."""

from __future__ import annotations

from pathlib import Path

import pytest
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

    from cams_data.ingest import ingest

    path, _ = builders.referral_crosstab(tmp_path / "referrals.xlsx")
    ingest(path.read_bytes(), path.name, db=db, uploaded_by="officer@colchester.gov.uk")
    app = open_as(signed_in("chair@colchester.gov.uk"), "pages/administration.py")
    settings = app.dataframe[0].value.set_index("Setting")["Value"]
    assert settings["Admins"] == "chair@colchester.gov.uk"
    assert settings["Officers"] == "@colchester.gov.uk"
    log = app.dataframe[1].value
    assert log[["Who", "What"]].values.tolist() == [["officer@colchester.gov.uk", "upload"]]
    app = open_as(signed_in("officer@colchester.gov.uk"), "pages/administration.py")
    assert app.title[0].value == "Not available to you"
    assert not app.dataframe
