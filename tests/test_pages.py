"""Every page opens through the router, on an empty database and on a loaded one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import builders
import pytest
from streamlit.testing.v1 import AppTest

from cams_data.ingest import UploadRequest, ingest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))


def run_app(page: str | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    if page:
        app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


@pytest.mark.parametrize("page", PAGES)
def test_page_opens_on_an_empty_database(db, page):
    app = run_app(page)
    assert app.title, f"{page} shows no title"


def test_helpline_is_on_every_page(db):
    app = run_app()
    helpline = "08000 121 700"
    assert helpline in " ".join(c.value for c in app.sidebar.caption)
    assert helpline in app.caption[-1].value


def test_data_page_shows_what_is_loaded(db, tmp_path):
    path, expected = builders.referral_crosstab(tmp_path / "referrals.xlsx")
    upload = ingest(UploadRequest(path.read_bytes(), path.name, db=db))
    app = run_app("pages/data_loaded.py")
    kinds = app.dataframe[0].value.set_index("kind")
    assert kinds.loc["referrals", "rows"] == upload.rows_loaded
    assert kinds.loc["referrals", "last_file"] == "referrals.xlsx"
    assert kinds.loc["training", "rows"] == 0
    history = app.dataframe[1].value
    assert history["file_name"].tolist() == ["referrals.xlsx"]
    assert not app.warning  # no demo banner for real uploads


def test_data_page_covers_every_current_referral_month_on_the_demo_data(demo_db):
    # The demo loads referrals for 2024/25 (from April 2024) before those for 2025/26, and the
    # local figures by age to October 2025: the page covers them all, not the last file alone.
    app = run_app("pages/data_loaded.py")
    kinds = app.dataframe[0].value.set_index("kind")
    assert kinds.loc["referrals", "covers_from"].date() == date(2024, 4, 1)
    assert kinds.loc["referrals", "covers_to"].date() == date(2025, 10, 31)
    assert kinds.loc["referrals", "last_file"] == "referrals_by_age_2025-26.csv"
    assert any("whichever upload they came from" in c.value for c in app.caption)


def test_demo_banner_while_demo_data_is_loaded(db, tmp_path):
    path, _ = builders.referral_crosstab(tmp_path / "demo_referrals.xlsx")
    ingest(UploadRequest(path.read_bytes(), path.name, db=db, is_demo=True, uploaded_by="demo"))
    app = run_app("pages/data_loaded.py")
    assert "Demo data is loaded" in app.warning[0].value


def test_a_new_upload_refreshes_cached_figures(db, tmp_path):
    app = run_app("pages/data_loaded.py")
    assert app.dataframe[0].value.set_index("kind").loc["referrals", "rows"] == 0
    path, _ = builders.referral_crosstab(tmp_path / "later.xlsx")
    upload = ingest(UploadRequest(path.read_bytes(), path.name, db=db))
    app.run()
    assert app.dataframe[0].value.set_index("kind").loc["referrals", "rows"] == upload.rows_loaded


@pytest.mark.parametrize("page", PAGES)
def test_page_opens_on_the_demo_data(demo_db, page):
    app = run_app(page)
    assert app.title, f"{page} shows no title"
    if page in ("pages/upload.py", "pages/administration.py"):  # not for a viewer
        assert "This page is for" in app.warning[0].value
    else:
        assert "Demo data is loaded" in app.warning[0].value


def test_a_database_made_by_an_older_version_is_upgraded_when_the_app_opens(db):
    import duckdb

    from cams_data import store

    con = duckdb.connect(str(db))
    store.migrate(con, target=3)  # before erasures and remembered columns
    con.close()
    app = run_app()
    assert app.title[0].value == "Progress against the four objectives"
    with store.connect(db, read_only=True) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION
