"""Sign-in end to end: Streamlit's OpenID Connect login in Chromium against a real provider.

The provider is `oidc-provider-mock`, served on a free loopback port in this process; its
authorization form lets a test sign in as any e-mail address (the `sub`, which it also gives as
the `email` claim). The app is `streamlit run app.py` from the repository, with `[auth]` in a
secrets file in a temporary folder (`--secrets.files`, so nothing in the repository changes), an
empty database there, and a `cams.toml` there (CAMS_CONFIG) whose `[roles]` name the accounts:

  chair@colchester.gov.uk    admin
  officer@colchester.gov.uk  officer
  viewer@essex.police.uk     viewer
  stranger@example.com       on no list
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import oidc_provider_mock
import pytest
import test_browser
from playwright.sync_api import Page, expect
from test_browser import NAVIGATION, PAGES, Site, follow, free_port, navigation, serving, settle

# test_browser's fixtures, used here too: the browser, a fresh tab per test, and the server's
# stderr and a screenshot added to a failure's report
chromium = test_browser.chromium
page = test_browser.page
_show_what_failed = test_browser._show_what_failed

ADMIN = "chair@colchester.gov.uk"
OFFICER = "officer@colchester.gov.uk"
VIEWER = "viewer@essex.police.uk"
STRANGER = "stranger@example.com"
ROLES = f"""[roles]
admins = ["{ADMIN}"]
officers = ["{OFFICER}"]
viewers = ["@essex.police.uk"]
"""
# An action plan with two actions, built here: what the officer uploads.
ACTION_PLAN = (
    "Objective,Action,Lead,Due date,Status,Last updated\r\n"
    "1,Train front-line housing staff,Housing,30/06/2025,In progress,01/07/2025\r\n"
    "2,Agree partnership funding,CAMS partnership,31/07/2025,Not started,01/07/2025\r\n"
)


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def site(provider, tmp_path_factory) -> Iterator[Site]:
    """The app with sign-in set up against `provider`, until the module's tests are done."""
    folder = tmp_path_factory.mktemp("sign_in_site")
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "a cookie secret for the tests only"\n'
        'client_id = "cams-dashboard"\n'
        'client_secret = "a client secret for the tests only"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    (folder / "cams.toml").write_text(ROLES)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMS_")}
    env |= {"CAMS_DB": str(folder / "cams.duckdb"), "CAMS_CONFIG": str(folder / "cams.toml")}
    with serving(
        folder, env, port=port, host="localhost", options=("--secrets.files", str(secrets))
    ) as site:
        yield site


def sign_in(page: Page, site: Site, email: str) -> None:
    """Open the app, press Sign in, and authorize as `email` on the provider's form."""
    page.goto(site.url)
    expect(page.get_by_text("Not signed in: sign in to see the dashboard.")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{site.url}/**")
    expect(page.get_by_text(email).first).to_be_visible()  # the app has drawn who signed in
    settle(page)


def go_to(page: Page, link: str, title: str) -> None:
    follow(page, link)
    expect(page.get_by_role("heading", level=1, name=title, exact=True)).to_be_visible()
    settle(page)


def no_error(page: Page, site: Site) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert "Traceback" not in site.log()


def test_a_viewer_sees_the_dashboards_and_no_upload_page(site, page):
    sign_in(page, site, VIEWER)
    overview = page.get_by_role("heading", level=1, name=PAGES["Overview"], exact=True)
    expect(overview).to_be_visible()
    expect(page.get_by_text(f"Signed in as {VIEWER} (viewer).")).to_be_visible()
    shown = navigation(page)
    assert {"Overview", "Training", "Referrals", "Data loaded"} <= set(shown), shown
    assert "Upload" not in shown and "Administration" not in shown, shown
    go_to(page, "Referrals", PAGES["Referrals"])
    page.goto(f"{site.url}/upload")  # the Upload page by its address: refused
    expect(page.get_by_role("heading", level=1, name="Not available to you")).to_be_visible()
    expect(page.get_by_text("This page is for officers.")).to_be_visible()
    expect(page.get_by_role("heading", name="Upload spreadsheets")).to_have_count(0)
    no_error(page, site)


def test_someone_on_no_list_is_told_so_and_sees_nothing_else(site, page):
    sign_in(page, site, STRANGER)
    expect(
        page.get_by_text(f"{STRANGER} is not on the dashboard's lists of users.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator(NAVIGATION)).to_have_count(0)
    expect(page.get_by_role("heading", name=PAGES["Overview"])).to_have_count(0)
    page.goto(f"{site.url}/training")  # a page by its address shows nothing more
    settle(page)
    expect(
        page.get_by_text(f"{STRANGER} is not on the dashboard's lists of users.")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Training")).to_have_count(0)
    no_error(page, site)


def test_signing_out_ends_it(site, page):
    sign_in(page, site, VIEWER)
    expect(page.get_by_role("heading", level=1, name=PAGES["Overview"])).to_be_visible()
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    # Streamlit sends the browser to the provider's end-session page, which sends it back
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{site.url}/**")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Not signed in: sign in to see the dashboard.")).to_be_visible()
    expect(page.locator(NAVIGATION)).to_have_count(0)
    expect(page.get_by_role("heading", name=PAGES["Overview"])).to_have_count(0)
    page.goto(f"{site.url}/referrals")  # and stays ended on the next visit
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=PAGES["Referrals"])).to_have_count(0)
    no_error(page, site)


def test_an_officer_uploads_a_file_and_an_admin_erases_it(site, page, chromium):
    sign_in(page, site, OFFICER)
    shown = navigation(page)
    assert "Upload" in shown and "Administration" not in shown, shown
    go_to(page, "Upload", PAGES["Upload"])
    expect(page.get_by_text(f"Uploads are recorded as {OFFICER}.")).to_be_visible()
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(
        {"name": "actions.csv", "mimeType": "text/csv", "buffer": ACTION_PLAN.encode()}
    )
    expect(page.get_by_text(re.compile("^Understood as Action plan"))).to_be_visible()
    settle(page)
    page.get_by_role("button", name="Save actions.csv").click()
    expect(page.get_by_text(re.compile(r"^Saved as upload \d+: 2 rows loaded"))).to_be_visible()
    settle(page)
    # listed in the history, as one the officer may undo
    mine = page.get_by_role("combobox", name="Undo an upload")
    expect(mine).to_have_value(re.compile(r"^\d+: actions\.csv \(.*2 rows\)$"))
    number = mine.input_value().split(":")[0]
    no_error(page, site)

    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    admin = context.new_page()
    admin.set_default_timeout(60_000)
    try:
        sign_in(admin, site, ADMIN)
        assert "Administration" in navigation(admin)
        go_to(admin, "Upload", PAGES["Upload"])
        erase = admin.get_by_role("combobox", name="Erase an upload for good (admins)")
        expect(erase).to_have_value(re.compile(rf"^{number}: actions\.csv \(active\)$"))
        admin.get_by_role("button", name="Erase…").click()
        dialog = admin.get_by_role("dialog")
        expect(dialog.get_by_text("Type the upload number to confirm.")).to_be_visible()
        expect(dialog.get_by_role("button", name="Erase it")).to_be_disabled()
        dialog.get_by_role("textbox", name="Upload number").fill(number)
        admin.keyboard.press("Enter")
        expect(dialog.get_by_role("button", name="Erase it")).to_be_enabled()
        dialog.get_by_role("button", name="Erase it").click()
        expect(admin.get_by_text(f"Upload {number} erased: 2 rows deleted.")).to_be_visible()
        settle(admin)
        expect(
            admin.get_by_role("combobox", name="Erase an upload for good (admins)")
        ).to_have_count(0)
        go_to(admin, "Administration", "Administration")
        expect(admin.get_by_text(f"Signed in as {ADMIN} (admin).").first).to_be_visible()
        no_error(admin, site)
    finally:
        context.close()
