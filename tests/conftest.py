"""Shared fixtures: every test gets its own database, key and working folder."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "real"
sys.path.insert(0, str(Path(__file__).parent))  # tests import builders as `import builders`

needs_shared = pytest.mark.skipif(
    not REAL.is_dir(),
    reason="../shared/real (the published NRM tables) is not beside this clone; CI always has it",
)


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    """A fresh database path (created on first write) with its own pseudonym key."""
    path = tmp_path / "cams.duckdb"
    monkeypatch.setenv("CAMS_DB", str(path))
    monkeypatch.delenv("CAMS_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("CAMS_KEY_FILE", raising=False)
    return path


def snapshot(path: Path) -> dict[str, list]:
    """Every table's full contents, to prove a refused upload changed nothing."""
    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                "ORDER BY table_name"
            ).fetchall()
        ]
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}
    finally:
        con.close()


def query(path: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@contextmanager
def database_in(folder: Path) -> Iterator[Path]:
    """For a session- or module-wide fixture: `folder`'s database as the one in use (CAMS_DB),
    with its own key and the default configuration, while the block loads it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAMS_DB", str(folder / "cams.duckdb"))
        for name in ("CAMS_PSEUDONYM_KEY", "CAMS_KEY_FILE", "CAMS_CONFIG"):
            patch.delenv(name, raising=False)
        yield folder / "cams.duckdb"


@pytest.fixture(autouse=True)
def _default_config(monkeypatch):
    monkeypatch.delenv("CAMS_CONFIG", raising=False)


@pytest.fixture(scope="session")
def _demo_database(tmp_path_factory) -> Path:
    """The demo data loaded once per test run, as `python -m cams_data demo` loads it."""
    from cams_data.demo_load import load_demo

    folder = tmp_path_factory.mktemp("demo")
    with database_in(folder):
        load_demo(folder / "cams.duckdb", folder / "files")
    return folder


@pytest.fixture
def demo_db(_demo_database, db) -> Path:
    """A copy of the demo database (and its key) at this test's `db`."""
    shutil.copy(_demo_database / "cams.duckdb", db)
    shutil.copy(_demo_database / "pseudonym.key", db.parent / "pseudonym.key")
    return db


@pytest.fixture(scope="session")
def demo_totals(tmp_path_factory) -> dict:
    """What the demo files hold, worked out from the files themselves."""
    from cams_data.demo import expected_totals, write_demo_files

    return expected_totals(write_demo_files(tmp_path_factory.mktemp("demo_files")))


@pytest.fixture(autouse=True)
def _app_runs_like_a_server(monkeypatch):
    """AppTest forgets on every run that app.py has routed once, so each run would start a page
    alone and `ui.ensure_router` would restart it through app.py, losing a button's click. A
    server forgets nothing: do as it does (the first-request case is left to the browser)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class RoutedPagesManager(PagesManager):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", RoutedPagesManager)


def send_headers(monkeypatch, headers: dict[str, str]) -> None:
    """Make `st.context.headers` what a browser would send: AppTest cannot seed them."""
    from streamlit.runtime.context import ContextProxy, StreamlitHeaders

    sent = StreamlitHeaders(headers.items())
    monkeypatch.setattr(ContextProxy, "headers", property(lambda self: sent))


@pytest.fixture
def local_server(monkeypatch):
    """The switch on and the server on loopback, as `make run` starts it; no request headers."""
    from streamlit import config as streamlit_config

    monkeypatch.setenv("CAMS_LOCAL_MODE", "1")
    before = streamlit_config.get_option("server.address")
    streamlit_config.set_option("server.address", "127.0.0.1")
    yield
    streamlit_config.set_option("server.address", before)


@pytest.fixture
def local_admin(local_server, monkeypatch):
    """Local mode: a local server, opened from this computer's own browser."""
    send_headers(monkeypatch, {"Host": "localhost:8501", "Origin": "http://localhost:8501"})


@pytest.fixture(scope="session")
def known_year(tmp_path_factory) -> tuple[Path, dict]:
    """tests/fixture_year.py loaded once per run, to be read only: (database, survey figures)."""
    import fixture_year

    folder = tmp_path_factory.mktemp("year")
    with database_in(folder):
        surveys = fixture_year.load(folder / "cams.duckdb", folder)
    return folder / "cams.duckdb", surveys


@pytest.fixture(scope="session")
def three_years(tmp_path_factory) -> Path:
    """tests/fixture_three_years.py loaded once per run, to be read only: its database."""
    import fixture_three_years

    folder = tmp_path_factory.mktemp("three_years")
    with database_in(folder):
        surveys = fixture_three_years.load(folder / "cams.duckdb", folder)
    counted = {w: (e["know_how_to_report_yes"], e["responses"]) for w, e in surveys.items()}
    assert counted == fixture_three_years.SURVEY_YES, "the survey builder's answers changed"
    return folder / "cams.duckdb"


@pytest.fixture
def year_copy(known_year, db) -> Path:
    """A copy of the known year's database (and its key) at this test's `db`, to change."""
    shutil.copy(known_year[0], db)
    shutil.copy(known_year[0].parent / "pseudonym.key", db.parent / "pseudonym.key")
    return db


def open_page(page: str | None = None, **query: str) -> AppTest:
    """The app run once with `query` in its address, then moved to `page` (say
    "pages/training.py"; None stays on the Overview, where app.py starts)."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for name, value in query.items():
        app.query_params[name] = value
    app.run()
    if page:
        app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def metrics(app: AppTest) -> dict[str, str]:
    """Every st.metric on the page: label -> value as shown."""
    return {m.label: m.value for m in app.metric}


def pytest_collection_modifyitems(items):
    """Every test under tests/long is a slow one: `make test-long` runs them, `make test` not."""
    for item in items:
        if "long" in Path(str(item.fspath)).relative_to(ROOT).parts[:2]:
            item.add_marker(pytest.mark.long)
